// src/store/wal_batching_vfs.h
//
// An SQLite VFS that hands a transaction's WAL frames to the kernel in one
// write at its commit, instead of two writes per page (a 24-byte frame header,
// then the page). The group commit's writer wrote ~10 pages per sale, so
// ~20 pwrite calls per sale, a quarter of its CPU (BENCHMARKS.md, "Fewer
// writes per commit").
//
// Durability is unchanged: the frames are in the file (the OS's page cache)
// before the commit is visible to any reader and before SQLite returns from
// the commit, so a committed transaction survives a crash of the process as
// before, and a failed write fails the commit as before.
#pragma once

namespace vipcare::store {

// The name to pass to sqlite3_open_v2 as its VFS. The VFS wraps the
// platform's default one and is registered (not as the default) on the first
// call; thread-safe.
const char* WalBatchingVfs();

}  // namespace vipcare::store
