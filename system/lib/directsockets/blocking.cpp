#include "blocking.h"

#include "bridge.h"

#include <atomic>
#include <chrono>
#include <condition_variable>

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#include <emscripten/threading.h>
#endif

namespace directsockets {

namespace {
std::mutex core_mutex;
// Threads blocked in socket calls sleep here (a futex in shared memory).
std::condition_variable event_cv;
// Calls suspended in _dsock_js_wait (JSPI), counted under the core lock and
// read after it is released. From a worker, waking them is a message to the
// main thread, which is skipped when none waits (as for most pipe writes
// between threads).
std::atomic<int> js_waiters = 0;
// JS filesystem fds (ttys, devices) change readiness on the main thread,
// where no event reaches event_cv: a worker polling them re-checks this often.
constexpr double kJsFdRecheckMs = 20;

// Set by notify_waiters(); acted on by wake_waiters().
thread_local bool wake_pending = false;

void wake_waiters() {
  if (!wake_pending)
    return;
  wake_pending = false;
  event_cv.notify_all();
  if (js_waiters || !on_worker())
    _dsock_js_wake();
}

} // namespace

// The main browser thread cannot sleep on a futex; elsewhere (pthreads,
// -sPROXY_TO_PTHREAD) a blocked call sleeps on event_cv.
bool on_worker() {
#ifdef __EMSCRIPTEN_PTHREADS__
  return !emscripten_is_main_browser_thread();
#else
  return false;
#endif
}

CoreLock lock_core() { return CoreLock(core_mutex); }

CoreLock::~CoreLock() {
  if (owns_lock())
    unlock();
}

void CoreLock::unlock() {
  std::unique_lock<std::mutex>::unlock();
  wake_waiters();
}

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
  if (on_worker())
    return true;
  static const bool jspi = _dsock_js_can_block();
  return jspi;
}

void wait_for_event(CoreLock& lock, double deadline_ms, const int* watch,
                    int nwatch) {
  wake_waiters(); // before this thread sleeps too
  double timeout = deadline_ms < 0 ? -1 : deadline_ms - now_ms();
  if (deadline_ms >= 0 && timeout < 0)
    timeout = 0;
  if (on_worker()) {
    if (nwatch && (timeout < 0 || timeout > kJsFdRecheckMs))
      timeout = kJsFdRecheckMs;
    if (timeout < 0)
      event_cv.wait(lock);
    else
      event_cv.wait_for(lock, std::chrono::duration<double, std::milli>(timeout));
    return;
  }
  js_waiters++;
  lock.unlock();
  _dsock_js_wait(timeout, watch, nwatch);
  lock.lock();
  js_waiters--;
}

void notify_waiters() { wake_pending = true; }

} // namespace directsockets
