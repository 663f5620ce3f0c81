// Helpers shared by the Socket tests: sockets in known states, and the JS
// bridge's side of the data path (the read pump and the datagram pump).
#pragma once

#include "fake_bridge.h"
#include "socket.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>

namespace testutil {

using namespace directsockets;

inline Endpoint ep(const char* host, uint16_t port) {
  Endpoint e;
  EXPECT_TRUE(endpoint_parse(host, port, &e)) << host;
  return e;
}

inline std::unique_ptr<Socket> tcp(int family = AF_INET) {
  return std::make_unique<Socket>(family, SOCK_STREAM, IPPROTO_TCP);
}

inline std::unique_ptr<Socket> udp(int family = AF_INET) {
  return std::make_unique<Socket>(family, SOCK_DGRAM, IPPROTO_UDP);
}

// Writes bytes into the receive buffer as the read pump does; returns how
// many fitted.
inline size_t deliver(Socket& s, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    size_t len = 0;
    uint8_t* p = s.rx_reserve(&len);
    if (!len)
      break;
    size_t n = std::min(len, bytes.size() - done);
    memcpy(p, bytes.data() + done, n);
    s.rx_commit(n);
    done += n;
  }
  return done;
}

// Delivers one datagram as the datagram pump does; false if it did not fit.
inline bool deliver_datagram(Socket& s, const std::string& bytes,
                             const Endpoint& from) {
  uint8_t* p = s.datagram_reserve(bytes.size());
  if (!p)
    return false;
  memcpy(p, bytes.data(), bytes.size());
  s.datagram_commit(bytes.size(), from);
  return true;
}

inline ssize_t send_bytes(Socket& s, CoreLock& lock, const std::string& bytes,
                          bool nonblock = true, int flags = 0,
                          const Endpoint* to = nullptr) {
  iovec iov = {const_cast<char*>(bytes.data()), bytes.size()};
  return s.send(lock, &iov, 1, flags, to, nonblock);
}

// recv() into a buffer of `len` bytes; the bytes received land in *out.
inline ssize_t recv_bytes(Socket& s, CoreLock& lock, size_t len,
                          std::string* out, int flags = 0, bool nonblock = true,
                          Endpoint* from = nullptr, int* msg_flags = nullptr) {
  std::string buf(len, '\0');
  iovec iov = {buf.data(), buf.size()};
  ssize_t n = s.recv(lock, &iov, 1, flags, from, msg_flags, nonblock);
  if (out)
    *out = n > 0 ? buf.substr(0, std::min(size_t(n), len)) : "";
  return n;
}

inline int get_int(Socket& s, int level, int name) {
  int v = -12345;
  socklen_t len = sizeof v;
  EXPECT_EQ(s.getsockopt(level, name, &v, &len), 0);
  EXPECT_EQ(len, sizeof v);
  return v;
}

inline int set_int(Socket& s, int level, int name, int v) {
  return s.setsockopt(level, name, &v, sizeof v);
}

class SocketTest : public ::testing::Test {
protected:
  SocketTest() { fake::reset(); }
  // Socket methods run under the core lock, as syscalls.cpp calls them.
  CoreLock lock = lock_core();

  // A TCP socket connected to 10.0.0.1:80 (non-blocking connect + opened).
  std::unique_ptr<Socket> connected_tcp(int family = AF_INET) {
    auto s = tcp(family);
    Endpoint peer =
        family == AF_INET ? ep("10.0.0.1", 80) : ep("2001:db8::1", 80);
    EXPECT_EQ(s->connect(lock, peer, true), -EINPROGRESS);
    s->on_open(ep(family == AF_INET ? "10.0.0.9" : "2001:db8::9", 40000), peer);
    EXPECT_EQ(s->state(), Socket::State::Connected);
    return s;
  }

  // A TCP socket listening on 0.0.0.0:8080 with `backlog`.
  std::unique_ptr<Socket> listening_tcp(int backlog) {
    auto s = tcp();
    Socket* p = s.get();
    auto open = [p] { p->on_open(ep("0.0.0.0", 8080), Endpoint()); };
    if (can_block())
      fake::bridge().on_wait.push_back(open); // bind() waits for it
    EXPECT_EQ(s->bind(lock, ep("0.0.0.0", 8080)), 0);
    open(); // no-op once open
    EXPECT_EQ(s->listen(lock, backlog), 0);
    EXPECT_EQ(s->state(), Socket::State::Listening);
    return s;
  }
};

} // namespace testutil
