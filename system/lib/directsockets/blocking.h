// How a socket call waits. Every syscall and every event from the JS bridge
// runs under the core's one lock; a call that must wait releases it while it
// sleeps: under JSPI by suspending the wasm stack in _dsock_js_wait, which
// resolves when an event arrives (so nothing busy-waits). Without a way to
// block (no JSPI, no threads) a call that would wait fails with EAGAIN.
#pragma once

#include <errno.h>

#include <mutex>

namespace directsockets {

// The core's one lock. notify_waiters() under it takes effect when the lock
// is released (or before its holder sleeps), so a woken thread does not
// run straight into the lock its waker still holds.
class CoreLock : public std::unique_lock<std::mutex> {
public:
  using std::unique_lock<std::mutex>::unique_lock;
  CoreLock(CoreLock&&) = default;
  ~CoreLock();
  void unlock();
};
CoreLock lock_core();

// Milliseconds on a monotonic clock.
double now_ms();

// Whether the calling thread can wait for an event.
bool can_block();
// Whether the caller is a pthread other than the main browser thread, whose
// calls into the bridge are proxied to the main thread.
bool on_worker();

// Sleeps until notify_waiters(), the deadline (negative: none), or a change
// of readiness on one of the JS filesystem's fds in watch. Spurious wake-ups
// are allowed: callers re-check their condition. Both run under the core
// lock.
void wait_for_event(CoreLock& lock, double deadline_ms,
                    const int* watch = nullptr, int nwatch = 0);
// Wakes every waiter once the caller releases the core lock.
void notify_waiters();

// Timeout in ms (negative: forever) to an absolute deadline (negative: none).
inline double deadline_after(double timeout_ms) {
  return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

// Waits until ready() holds. Returns 0, or EAGAIN when the caller cannot
// block or the deadline passed first.
template <typename Ready>
int wait_until(CoreLock& lock, Ready ready, double deadline_ms) {
  while (!ready()) {
    if (!can_block() || (deadline_ms >= 0 && now_ms() >= deadline_ms))
      return EAGAIN;
    wait_for_event(lock, deadline_ms);
  }
  return 0;
}

} // namespace directsockets
