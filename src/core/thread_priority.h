// src/core/thread_priority.h
#pragma once

namespace vipcare {

// The nice value of the server's request threads and of background threads
// (the WAL checkpointer): below the store's writer thread, which stays at the
// process's own. Writes are serial, so under load the writer is what every
// posting waits for; when both cores are busy the scheduler then runs it
// first and the other threads take the rest (BENCHMARKS.md, "Async posting,
// the writer's priority and TCMalloc"). Without load the value changes nothing.
inline constexpr int kBackgroundNice = 10;

// Lowers the calling thread's priority to `nice` (Linux: per thread). Raising
// a nice value needs no privilege; failures are ignored (the thread then runs
// at the process's priority, as before).
void SetThisThreadNice(int nice);

}  // namespace vipcare
