#include "core/thread_priority.h"

#include <sys/resource.h>
#include <unistd.h>

namespace vipcare {

void SetThisThreadNice(int nice) {
  // On Linux the "process" of PRIO_PROCESS with a thread id is that thread.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), nice);
}

}  // namespace vipcare
