// The exports the JS bridge calls as Direct Sockets events happen. Each finds
// the socket by id (it may be gone: events can trail a close) and updates it
// under the core lock.
#include "bridge.h"
#include "fd_table.h"
#include "socket.h"

#include <emscripten/emscripten.h>

using namespace directsockets;

namespace {

Endpoint parse_or_any(const char* host, int port, int family) {
  Endpoint ep;
  if (!host || !endpoint_parse(host, uint16_t(port), &ep)) {
    ep = endpoint_any(family);
    ep.port = uint16_t(port);
  }
  return ep;
}

} // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE
void _dsock_on_open(uint32_t id, const char* local_host, int local_port,
                    const char* remote_host, int remote_port) {
  auto lock = lock_core();
  if (Socket* s = socket_by_id(id))
    s->on_open(parse_or_any(local_host, local_port, s->family()),
               parse_or_any(remote_host, remote_port, s->family()));
}

EMSCRIPTEN_KEEPALIVE
void _dsock_on_error(uint32_t id, int err) {
  auto lock = lock_core();
  if (Socket* s = socket_by_id(id))
    s->on_error(err);
}

EMSCRIPTEN_KEEPALIVE
void _dsock_on_sent(uint32_t id, size_t n) {
  auto lock = lock_core();
  if (Socket* s = socket_by_id(id))
    s->on_sent(n);
}

EMSCRIPTEN_KEEPALIVE
void _dsock_on_eof(uint32_t id) {
  auto lock = lock_core();
  if (Socket* s = socket_by_id(id))
    s->on_eof();
}

EMSCRIPTEN_KEEPALIVE
void _dsock_on_membership(uint32_t id, int err) {
  auto lock = lock_core();
  if (Socket* s = socket_by_id(id))
    s->on_membership(err);
}

EMSCRIPTEN_KEEPALIVE
uint8_t* _dsock_on_rx_reserve(uint32_t id, size_t* len) {
  auto lock = lock_core();
  *len = 0;
  Socket* s = socket_by_id(id);
  return s ? s->rx_reserve(len) : nullptr;
}

EMSCRIPTEN_KEEPALIVE
void _dsock_on_rx_commit(uint32_t id, size_t n) {
  auto lock = lock_core();
  if (Socket* s = socket_by_id(id))
    s->rx_commit(n);
}

EMSCRIPTEN_KEEPALIVE
uint8_t* _dsock_on_datagram_reserve(uint32_t id, size_t len) {
  auto lock = lock_core();
  Socket* s = socket_by_id(id);
  return s ? s->datagram_reserve(len) : nullptr;
}

EMSCRIPTEN_KEEPALIVE
void _dsock_on_datagram_commit(uint32_t id, size_t len, const char* host,
                               int port) {
  auto lock = lock_core();
  if (Socket* s = socket_by_id(id))
    s->datagram_commit(len, parse_or_any(host, port, s->family()));
}

EMSCRIPTEN_KEEPALIVE
uint32_t _dsock_on_accept(uint32_t listener, const char* local_host,
                          int local_port, const char* remote_host,
                          int remote_port) {
  auto lock = lock_core();
  Socket* s = socket_by_id(listener);
  if (!s)
    return 0;
  auto conn = s->on_accept(parse_or_any(local_host, local_port, s->family()),
                           parse_or_any(remote_host, remote_port, s->family()));
  return conn ? conn->id() : 0;
}

} // extern "C"
