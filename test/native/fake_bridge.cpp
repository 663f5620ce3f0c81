#include "fake_bridge.h"

#include <map>

#include "bridge.h"

#include <chrono>
#include <thread>

namespace fake {

Bridge& bridge() {
  static Bridge b;
  return b;
}

void reset() {
  int can_block = bridge().can_block;
  bridge() = Bridge();
  bridge().can_block = can_block;
}

std::vector<Call> calls(const std::string& fn, uint32_t id) {
  std::vector<Call> out;
  for (const Call& c : bridge().calls)
    if (c.fn == fn && c.id == id)
      out.push_back(c);
  return out;
}

size_t count(const std::string& fn, uint32_t id) {
  return calls(fn, id).size();
}

std::string sent(uint32_t id) {
  std::string out;
  for (const Call& c : bridge().calls)
    if ((c.fn == "send" || c.fn == "send_to") && c.id == id)
      out.append(c.data.begin(), c.data.end());
  return out;
}

namespace {

Call& record(const char* fn, uint32_t id) {
  Call c;
  c.fn = fn;
  c.id = id;
  bridge().calls.push_back(c);
  return bridge().calls.back();
}

std::string str(const char* s) { return s ? s : "(null)"; }

} // namespace
} // namespace fake

using fake::bridge;
using fake::record;
using fake::str;

extern "C" {

int _dsock_js_available(void) { return bridge().available; }
int _dsock_js_can_block(void) { return bridge().can_block; }

void _dsock_js_tcp_connect(uint32_t id, const char* host, int port,
                           int send_buffer, int receive_buffer, int no_delay,
                           int keep_alive_ms, int dns_family) {
  fake::Call& c = record("tcp_connect", id);
  c.host = str(host);
  c.port = port;
  c.send_buffer = send_buffer;
  c.receive_buffer = receive_buffer;
  c.no_delay = no_delay;
  c.keep_alive_ms = keep_alive_ms;
  c.dns_family = dns_family;
}

void _dsock_js_tcp_listen(uint32_t id, const char* host, int port, int backlog,
                          int ipv6_only) {
  fake::Call& c = record("tcp_listen", id);
  c.host = str(host);
  c.port = port;
  c.backlog = backlog;
  c.ipv6_only = ipv6_only;
}

void _dsock_js_udp_open(uint32_t id, const char* local_host, int local_port,
                        int send_buffer, int receive_buffer, int ipv6_only,
                        int reuse_address, int multicast_ttl,
                        int multicast_loop) {
  fake::Call& c = record("udp_open", id);
  c.host = ""; // bound mode: there is no remote to give
  c.local_host = str(local_host);
  c.local_port = local_port;
  c.send_buffer = send_buffer;
  c.receive_buffer = receive_buffer;
  c.ipv6_only = ipv6_only;
  c.reuse_address = reuse_address;
  c.multicast_ttl = multicast_ttl;
  c.multicast_loop = multicast_loop;
}

void _dsock_js_send(uint32_t id, const void* buf, size_t len, int) {
  auto* p = static_cast<const uint8_t*>(buf);
  record("send", id).data.assign(p, p + len);
}

void _dsock_js_send_to(uint32_t id, const void* buf, size_t len,
                       const char* host, int port, int, int dns_family) {
  auto* p = static_cast<const uint8_t*>(buf);
  // As the bridge does: an empty host is the last destination's.
  static std::map<uint32_t, std::string> last_host;
  if (host && *host)
    last_host[id] = host;
  fake::Call& c = record("send_to", id);
  c.data.assign(p, p + len);
  c.host = last_host[id];
  c.port = port;
  c.dns_family = dns_family;
}

int _dsock_js_membership(uint32_t id, int join, const char* group,
                         const char* source) {
  fake::Call& c = record("membership", id);
  c.join = join;
  c.host = str(group);
  c.source = str(source);
  return bridge().membership_result;
}

// As on Node.js: no floor under the send window.
size_t _dsock_js_min_stream_window(void) { return 0; }
void _dsock_js_shutdown_write(uint32_t id) { record("shutdown_write", id); }
void _dsock_js_resume_read(uint32_t id) { record("resume_read", id); }
void _dsock_js_close(uint32_t id, int abort) {
  record("close", id).abort = abort;
}

int _dsock_js_fd_open(int) { return bridge().next_fd++; }

// The non-socket fd paths are not exercised natively; they fail plainly.
int _dsock_js_fs_fd_read(int, const void*, size_t, size_t*) { return 8; }
int _dsock_js_fs_fd_write(int, const void*, size_t, size_t*) { return 8; }
int _dsock_js_fs_fd_close(int) { return 0; }
int _dsock_js_fs_fcntl64(int, int, void*) { return -9; }
int _dsock_js_fs_ioctl(int, int, void*) { return -9; }
int _dsock_js_fs_dup(int) { return bridge().next_fd++; }
int _dsock_js_fs_dup3(int, int newfd, int) { return newfd; }

void _dsock_js_wait(double timeout_ms, const int*, int) {
  fake::Bridge& b = bridge();
  b.waits++;
  b.wait_timeouts.push_back(timeout_ms);
  if (!b.on_wait.empty()) {
    auto hook = std::move(b.on_wait.front());
    b.on_wait.pop_front();
    hook();
    return;
  }
  if (timeout_ms < 0)
    throw fake::StuckWait();
  // A real timeout: the core checks its deadline against the clock.
  std::this_thread::sleep_for(
      std::chrono::duration<double, std::milli>(timeout_ms));
}

void _dsock_js_wake(void) { bridge().wakes++; }

int _dsock_js_poll_fd(int, int) { return bridge().poll_fd_result; }

} // extern "C"
