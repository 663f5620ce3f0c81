// A fake of the JS bridge's imports (bridge.h) for native unit tests: every
// call is recorded in a log the tests inspect, and _dsock_js_wait runs hooks
// a test queued, so blocking paths can be driven deterministically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace fake {

// One import call. Fields not used by `fn` stay at their defaults.
struct Call {
  std::string fn; // import name without the _dsock_js_ prefix
  uint32_t id = 0;
  std::string host; // connect/listen host, send_to destination, UDP remote
  int port = 0;
  std::string local_host; // UDP local host
  int local_port = 0;
  int send_buffer = 0, receive_buffer = 0, no_delay = 0, keep_alive_ms = 0;
  int backlog = 0, ipv6_only = 0, reuse_address = 0;
  int multicast_ttl = 0, multicast_loop = 0;
  int abort = 0;
  int dns_family = 0; // tcp_connect / send_to: 4 or 6 when host is a name
  int join = 0;              // membership: join (1) or leave (0) `host`
  std::string source;        // membership: the source, empty for any
  std::vector<uint8_t> data; // send / send_to
};

struct Bridge {
  std::vector<Call> calls;
  // What _dsock_js_can_block returns. The core reads it once per process
  // (blocking.cpp caches it), so set it before the first socket call.
  int can_block = 0;
  int available = 1;
  int poll_fd_result = 0;
  int next_fd = 3;
  // What _dsock_js_membership returns (0: the call started).
  int membership_result = 0;
  int wakes = 0;
  int waits = 0;
  std::vector<double> wait_timeouts;
  // Run one per _dsock_js_wait, e.g. to deliver the event a call waits for.
  std::deque<std::function<void()>> on_wait;
};

// Thrown by _dsock_js_wait when a call would wait forever with nothing
// queued to wake it: the test fails instead of hanging.
struct StuckWait : std::runtime_error {
  StuckWait()
      : std::runtime_error("wait without timeout and no queued event") {}
};

Bridge& bridge();
// Clears the log and hooks; keeps can_block (see above).
void reset();

std::vector<Call> calls(const std::string& fn, uint32_t id);
size_t count(const std::string& fn, uint32_t id);
// Every byte handed to _dsock_js_send / _dsock_js_send_to for socket id.
std::string sent(uint32_t id);

} // namespace fake
