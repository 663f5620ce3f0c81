#include "blocking.h"

#include "bridge.h"

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#else
#include <chrono>
#endif

namespace directsockets {

namespace {
std::mutex core_mutex;
} // namespace

CoreLock lock_core() { return CoreLock(core_mutex); }

double now_ms() {
#ifdef __EMSCRIPTEN__
  return emscripten_get_now();
#else
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch())
      .count();
#endif
}

bool can_block() {
  static const bool jspi = _dsock_js_can_block();
  return jspi;
}

void wait_for_event(CoreLock& lock, double deadline_ms, const int* watch,
                    int nwatch) {
  double timeout = deadline_ms < 0 ? -1 : deadline_ms - now_ms();
  if (deadline_ms >= 0 && timeout < 0)
    timeout = 0;
  lock.unlock();
  _dsock_js_wait(timeout, watch, nwatch);
  lock.lock();
}

void notify_waiters() { _dsock_js_wake(); }

} // namespace directsockets
