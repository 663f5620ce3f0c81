#include "socket.h"

#include "bridge.h"
#include "iov.h"
#include "placeholder.h"
#include "sockopt.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/time.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <unordered_map>

#ifdef __EMSCRIPTEN_PTHREADS__
#include <emscripten/threading.h>
#endif

namespace directsockets {

namespace {

// Linux's defaults, as getsockopt reports them.
constexpr int kTcpSndbuf = 16384, kTcpRcvbuf = 131072;
constexpr int kUdpBuf = 212992;
constexpr int kDefaultTtl = 64;  // net.ipv4.ip_default_ttl
constexpr int kDefaultMss = 536; // RFC 879, before a connection exists
// Bytes a stream socket lets the bridge hold in flight while SO_SNDBUF is
// unset; writes past it wait (and POLLOUT clears) until earlier ones complete.
constexpr size_t kDefaultSendWindow = 64 * 1024;
// A paused read pump is resumed once this much room is free again.
constexpr size_t kResumeThreshold = 16 * 1024;
constexpr size_t kInitialRing = 16 * 1024;
// The largest UDP payloads: 65535 less the IPv4 and UDP headers; over IPv6
// the payload length excludes the IP header, leaving 65535 less UDP's.
constexpr size_t kMaxDatagram = 65507, kMaxDatagram6 = 65527;
constexpr int kServerBacklog = 4096;

uint32_t next_id = 1;
std::unordered_map<uint32_t, Socket*>& sockets_by_id() {
  static std::unordered_map<uint32_t, Socket*> table;
  return table;
}

// Handing bytes to the bridge. On the main thread the bridge copies them
// before it returns. A worker's call is proxied to the main thread without
// waiting for it (a send that fits the window never crosses threads
// synchronously), so the bridge gets a heap copy it frees ("owned").

// On the main thread, the writes workers queued go first: a write, FIN or
// close must not overtake a write that returned before it began.
void run_queued_writes() {
#ifdef __EMSCRIPTEN_PTHREADS__
  if (!on_worker())
    emscripten_current_thread_process_queued_calls();
#endif
}

bool bridge_send(uint32_t id, const uint8_t* data, size_t len) {
  if (!on_worker()) {
    run_queued_writes();
    _dsock_js_send(id, data, len, 0);
    return true;
  }
  auto* copy = static_cast<uint8_t*>(malloc(len));
  if (!copy)
    return false;
  memcpy(copy, data, len);
  _dsock_js_send(id, copy, len, 1);
  return true;
}

// The text the bridge gets for a peer: the name behind a placeholder, and
// the family of the records to ask for (4 or 6); else the address, and 0.
int peer_text(const Endpoint& ep, std::string* out) {
  int family;
  if (placeholder_name(ep, out, &family))
    return family == AF_INET ? 4 : 6;
  char host[kHostLen];
  ep.host(host);
  *out = host;
  return 0;
}

// A datagram: its bytes gathered, then the destination's text.
bool bridge_send_to(uint32_t id, const iovec* iov, int iovcnt, size_t total,
                    const char* host, int port, int dns_family) {
  bool owned = on_worker();
  if (!owned)
    run_queued_writes();
  if (!owned && iovcnt == 1) {
    _dsock_js_send_to(id, iov[0].iov_base, total, host, port, 0, dns_family);
    return true;
  }
  size_t host_size = strlen(host) + 1;
  auto* block = static_cast<uint8_t*>(malloc(total + host_size));
  if (!block)
    return false;
  size_t off = 0;
  for (int i = 0; i < iovcnt; off += iov[i].iov_len, i++)
    memcpy(block + off, iov[i].iov_base, iov[i].iov_len);
  memcpy(block + total, host, host_size);
  _dsock_js_send_to(id, block, total, reinterpret_cast<char*>(block + total),
                    port, owned, dns_family);
  if (!owned)
    free(block);
  return true;
}

// The IPv4 level also takes an int option's value as one byte (Linux's
// do_ip_setsockopt).
int get_ip_int(const void* value, socklen_t len, int* out) {
  if (len >= (socklen_t)sizeof(int))
    return get_int(value, len, out);
  if (!value || len < 1)
    return -EINVAL;
  *out = *static_cast<const unsigned char*>(value);
  return 0;
}

// ... and gives one as a byte to a buffer shorter than an int, when it fits.
int put_ip_int(int v, void* value, socklen_t* len) {
  if (*len > 0 && *len < (socklen_t)sizeof(int) && v >= 0 && v <= 255) {
    unsigned char byte = (unsigned char)v;
    return put_value(byte, value, len);
  }
  return put_value(v, value, len);
}

} // namespace

Socket* socket_by_id(uint32_t id) {
  auto it = sockets_by_id().find(id);
  return it == sockets_by_id().end() ? nullptr : it->second;
}

int Socket::check_args(int family, int type, int protocol) {
  // Linux: unknown flags, the family, the type's range, the protocol's
  // range, then whether the family has the type and the type the protocol.
  constexpr int kTypeMask = 0xf, kSockMax = 11;
  int kind = type & kTypeMask;
  if (type & ~kTypeMask & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
    return -EINVAL;
  if (family != AF_INET && family != AF_INET6)
    return -EAFNOSUPPORT;
  if (kind >= kSockMax)
    return -EINVAL;
  if (protocol < 0 || protocol >= IPPROTO_MAX)
    return -EINVAL;
  if (kind != SOCK_STREAM && kind != SOCK_DGRAM)
    return -ESOCKTNOSUPPORT; // raw, seqpacket, ...: nothing to build them on
  int expected = kind == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
  if (protocol != 0 && protocol != expected)
    return -EPROTONOSUPPORT;
  return 0;
}

Socket::Socket(int family, int type, int protocol)
    : File(Kind::Socket), id_(next_id++), family_(family), type_(type),
      protocol_(protocol) {
  sndbuf_ = is_stream() ? kTcpSndbuf : kUdpBuf;
  rcvbuf_ = is_stream() ? kTcpRcvbuf : kUdpBuf;
  local_ = endpoint_any(family);
  if (!is_stream())
    datagrams_.set_limit(rcvbuf_);
  sockets_by_id()[id_] = this;
}

Socket::~Socket() {
  close();
  sockets_by_id().erase(id_);
}

int Socket::take_error() {
  int err = error_;
  error_ = 0;
  return err;
}

size_t Socket::send_window() const {
  if (!is_stream())
    return size_t(sndbuf_set_ ? sndbuf_ : kUdpBuf);
  static const size_t floor = _dsock_js_min_stream_window();
  return std::max(sndbuf_set_ ? size_t(sndbuf_) : kDefaultSendWindow, floor);
}

// Linux reports POLLOUT, and wakes blocked writers, only once a fair share
// of the send buffer is free again (UDP: under half of SO_SNDBUF in use; TCP:
// free space at least half of what is queued), so a sender refills its window
// in batches rather than one write per completed one.
bool Socket::send_space_ready() const {
  size_t window = send_window();
  return is_stream() ? in_flight_ * 3 <= window * 2 : in_flight_ * 2 < window;
}

int Socket::wait_opened(CoreLock& lock, bool nonblock, double deadline) {
  if (state_ == State::Opening) {
    if (nonblock)
      return -EINPROGRESS;
    if (wait_until(lock, [&] { return state_ != State::Opening; }, deadline))
      return -(can_block() ? ETIMEDOUT : EINPROGRESS);
  }
  if (state_ == State::Failed)
    return -take_error();
  if (state_ == State::Closed)
    return -EBADF;
  return 0;
}

// ---- Setup -----------------------------------------------------------------

// Port 0 asks the browser for an ephemeral port, known once the object
// opens. A caller that cannot wait for that (event-loop mode) gets a random
// port from Linux's ephemeral range instead, so getsockname() can answer at
// once; if that port is taken the socket fails with EADDRINUSE.
Endpoint Socket::local_request(const Endpoint& ep) const {
  Endpoint req = ep;
  if (req.port == 0 && !can_block()) {
    static uint32_t seed = uint32_t(now_ms() * 1000) ^ 0x9e3779b9u;
    seed = seed * 1664525u + 1013904223u;
    req.port = uint16_t(32768 + (seed >> 8) % (61000 - 32768));
  }
  return req;
}

int Socket::bind(CoreLock& lock, const Endpoint& ep) {
  if (state_ != State::Idle || bound_)
    return -EINVAL;
  if (family_ == AF_INET6 && ep.family == AF_INET)
    return -EAFNOSUPPORT;
  if (ep.is_v4_mapped() && v6only_)
    return -EINVAL;
  bound_ = true;
  requested_port_ = ep.port;
  local_ = local_request(ep);
  // The Direct Sockets objects that own a local address are created here, so
  // EADDRINUSE comes from bind() as on Linux.
  return is_stream() ? open_server(lock) : open_udp(lock, /*wait=*/true);
}

int Socket::open_server(CoreLock& lock) {
  char host[kHostLen];
  local_.host(host);
  state_ = State::Opening;
  // The API takes ipv6Only only with the unspecified address, where it matters.
  _dsock_js_tcp_listen(id_, host, local_.port, kServerBacklog,
                       v6only_ && local_.is_unspecified());
  int r = wait_opened(lock, !can_block(), -1);
  return r == -EINPROGRESS ? 0 : r;
}

// Opens the UDPSocket in bound mode: it sends anywhere, and connect() is a
// peer filter and default destination kept here, as in the kernel.
int Socket::open_udp(CoreLock& lock, bool wait) {
  char host[kHostLen];
  local_.host(host);
  state_ = State::Opening;
  _dsock_js_udp_open(id_, host, local_.port, sndbuf_set_ ? sndbuf_ : 0,
                     rcvbuf_set_ ? rcvbuf_ : 0,
                     v6only_ && local_.is_unspecified(),
                     reuseaddr_ || reuseport_, multicast_ttl_, multicast_loop_);
  // Datagrams sent meanwhile queue in the bridge until it opens; failures
  // that nobody waits for surface through SO_ERROR and the next call.
  int r = wait_opened(lock, !(wait && can_block()), -1);
  if (r == 0 && wait && can_block()) {
    // Groups joined before bind() are joined when it returns, as on Linux
    // (a join the browser refuses shows in SO_ERROR).
    wait_until(
        lock, [&] { return membership_ops_.empty() || state_ != State::Bound; },
        -1);
  }
  return r == -EINPROGRESS ? 0 : r;
}

int Socket::connect(CoreLock& lock, const Endpoint& ep, bool nonblock) {
  if (!is_stream()) {
    if (ep.family == AF_UNSPEC) {
      connected_ = false; // dissolve the association, as Linux does
      return 0;
    }
    remote_ = ep;
    connected_ = true;
    if (state_ != State::Idle)
      return 0;
    bound_ = true; // Linux binds an unbound socket on connect
    local_ = local_request(endpoint_any(family_));
    return open_udp(lock, /*wait=*/true);
  }
  if (family_ == AF_INET6 && ep.family == AF_INET)
    return -EAFNOSUPPORT;
  if (listening_ && state_ != State::Failed && state_ != State::Closed)
    return -EISCONN; // Linux: a socket past TCP_CLOSE
  switch (state_) {
  case State::Opening:
    if (!connected_)
      break; // a server socket from bind(); see below
    return nonblock ? -EALREADY : wait_opened(lock, false, -1);
  case State::Connected:
    if (connect_unreported_) {
      connect_unreported_ = false;
      return 0;
    }
    return -EISCONN;
  case State::Failed: {
    // The first connect() after a failed non-blocking one reports the
    // failure: its error, or ECONNABORTED when SO_ERROR took it. Once it is
    // reported, the socket may try again (Linux's __inet_stream_connect).
    bool unreported = connect_unreported_;
    connect_unreported_ = false;
    state_ = State::Idle;
    connected_ = false;
    if (error_)
      return -take_error();
    if (unreported)
      return -ECONNABORTED;
    break;
  }
  case State::Closed:
    return -EBADF;
  case State::Idle:
  case State::Bound:
  case State::Listening:
    break;
  }
  if (bound_) {
    // TCPSocket takes no local address. A bind() to an ephemeral port asked
    // for nothing a connection cannot give; a chosen port cannot be had.
    if (requested_port_ != 0)
      return -EADDRNOTAVAIL;
    _dsock_js_close(id_, true);
    bound_ = false;
    state_ = State::Idle;
  }
  if (ep.is_v4_mapped() && v6only_)
    return -ENETUNREACH;
  // A placeholder from getaddrinfo: the browser resolves its name.
  std::string host;
  int dns_family = peer_text(ep, &host);
  remote_ = ep;
  connected_ = true;
  state_ = State::Opening;
  _dsock_js_tcp_connect(id_, host.c_str(), ep.port, sndbuf_set_ ? sndbuf_ : 0,
                        rcvbuf_set_ ? rcvbuf_ : 0, nodelay_,
                        keepalive_ ? keepidle_s_ * 1000 : 0, dns_family);
  if (nonblock || !can_block()) {
    connect_unreported_ = true;
    return -EINPROGRESS;
  }
  int r = wait_opened(lock, false, snd_deadline());
  if (r == -ETIMEDOUT) {
    connect_unreported_ = true;
    return -EINPROGRESS; // SO_SNDTIMEO ran out; the connect goes on (socket(7))
  }
  return r;
}

int Socket::listen(CoreLock& lock, int backlog) {
  if (!is_stream())
    return -EOPNOTSUPP;
  if (state_ == State::Idle && !bound_) {
    // listen() without bind() takes an ephemeral port, as on Linux.
    if (int r = bind(lock, endpoint_any(family_)); r < 0)
      return r;
  }
  if (connected_ || (state_ != State::Opening && state_ != State::Bound &&
                     state_ != State::Listening)) {
    return state_ == State::Failed && error_ ? -take_error() : -EINVAL;
  }
  backlog_ = std::clamp(backlog, 1, kServerBacklog);
  listening_ = true;
  if (state_ == State::Bound)
    start_listening();
  return 0; // an opening server starts listening in on_open
}

void Socket::start_listening() {
  state_ = State::Listening;
  _dsock_js_resume_read(id_); // the bridge starts taking connections
}

std::shared_ptr<Socket> Socket::accept(CoreLock& lock, bool nonblock,
                                       int* err) {
  if (!is_stream()) {
    *err = EOPNOTSUPP;
    return nullptr;
  }
  if (!listening_) {
    *err = EINVAL;
    return nullptr;
  }
  auto ready = [&] {
    return !accept_queue_.empty() ||
           (state_ != State::Listening && state_ != State::Opening);
  };
  if (!ready() && (nonblock || wait_until(lock, ready, rcv_deadline()))) {
    *err = EAGAIN;
    return nullptr;
  }
  if (accept_queue_.empty()) {
    *err = state_ == State::Failed && error_ ? take_error() : EINVAL;
    return nullptr;
  }
  bool was_full = accept_queue_.size() >= size_t(backlog_);
  auto conn = accept_queue_.front();
  accept_queue_.pop_front();
  if (was_full)
    _dsock_js_resume_read(id_);
  return conn;
}

int Socket::shutdown(int how) {
  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
    return -EINVAL;
  if (state_ != State::Connected && state_ != State::Listening &&
      !(state_ == State::Bound && !is_stream() && connected_))
    return -ENOTCONN;
  if (how != SHUT_WR)
    rd_shut_ = true;
  if (how != SHUT_RD && !wr_shut_) {
    wr_shut_ = true;
    if (is_stream() && state_ == State::Connected) {
      run_queued_writes();
      _dsock_js_shutdown_write(id_);
    }
  }
  changed();
  return 0;
}

void Socket::close() {
  if (state_ == State::Closed)
    return;
  bool abort = linger_.l_onoff && linger_.l_linger == 0;
  if (state_ != State::Idle) {
    run_queued_writes();
    _dsock_js_close(id_, abort);
  }
  state_ = State::Closed;
  accept_queue_.clear();
  drop_membership_calls(); // the browser leaves the groups of a closed socket
  changed();
}

// ---- Data ------------------------------------------------------------------

ssize_t Socket::send(CoreLock& lock, const iovec* iov, int iovcnt, int flags,
                     const Endpoint* to, bool nonblock) {
  nonblock = nonblock || (flags & MSG_DONTWAIT);
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  // MSG_NOSIGNAL is accepted: there are no signals to suppress.
  if (is_stream())
    return to && !connected_ ? -ENOTCONN
                             : send_stream(lock, iov, iovcnt, nonblock);
  return send_datagram(lock, iov, iovcnt, to, nonblock);
}

ssize_t Socket::send_stream(CoreLock& lock, const iovec* iov, int iovcnt,
                            bool nonblock) {
  if (state_ == State::Opening && connected_) {
    if (nonblock)
      return -EAGAIN;
    if (int r = wait_opened(lock, false, snd_deadline()); r < 0)
      return r == -ETIMEDOUT ? -EAGAIN : r;
  }
  double deadline = snd_deadline();
  size_t total = iov_total(iov, iovcnt), sent = 0, off = 0;
  int idx = 0;
  while (true) {
    if (wr_shut_ || state_ == State::Closed)
      return sent ? ssize_t(sent) : -EPIPE;
    if (state_ == State::Failed) {
      if (sent)
        return ssize_t(sent);
      return error_ ? -take_error() : -EPIPE;
    }
    if (state_ != State::Connected)
      return -EPIPE; // Linux: a stream socket that never connected
    if (sent == total)
      return ssize_t(sent);
    size_t window = send_window();
    if (in_flight_ >= window) {
      send_space_wanted_ = true;
      if (nonblock)
        return sent ? ssize_t(sent) : -EAGAIN;
      if (wait_until(
              lock,
              [&] {
                return in_flight_ < window || state_ != State::Connected ||
                       wr_shut_;
              },
              deadline))
        return sent ? ssize_t(sent) : -EAGAIN;
      continue;
    }
    // Hand the bridge as much as the window allows.
    size_t room = window - in_flight_;
    while (room && idx < iovcnt) {
      size_t n = std::min(room, iov[idx].iov_len - off);
      if (n) {
        if (!bridge_send(id_,
                         static_cast<const uint8_t*>(iov[idx].iov_base) + off, n))
          return sent ? ssize_t(sent) : -ENOBUFS;
        in_flight_ += n;
        sent += n;
        room -= n;
        off += n;
      }
      if (off == iov[idx].iov_len) {
        idx++;
        off = 0;
      }
    }
  }
}

ssize_t Socket::send_datagram(CoreLock& lock, const iovec* iov, int iovcnt,
                              const Endpoint* to, bool nonblock) {
  size_t total = iov_total(iov, iovcnt);
  if (total > 0xffff)
    return -EMSGSIZE;
  if (wr_shut_)
    return -EPIPE;
  if (!to && !connected_)
    return -EDESTADDRREQ;
  const Endpoint& dest = to ? *to : remote_;
  if (dest.port == 0)
    return -EINVAL;
  bool dest_v4 = dest.family == AF_INET || dest.is_v4_mapped();
  if (total > (dest_v4 ? kMaxDatagram : kMaxDatagram6))
    return -EMSGSIZE;
  // The Direct Sockets API refuses an empty UDPMessage, and the refusal
  // would break the socket's writable stream for good: fail this one send.
  if (total == 0)
    return -EINVAL;
  if ((dest.is_v4_mapped() || dest.family == AF_INET) && v6only_)
    return -ENETUNREACH;
  if (state_ == State::Idle) {
    // Linux binds an unbound socket on its first send; nothing to wait for.
    bound_ = true;
    local_ = local_request(endpoint_any(family_));
    if (int r = open_udp(lock, /*wait=*/false); r < 0)
      return r;
  }
  if (error_)
    return -take_error();
  if (state_ == State::Failed)
    return -ENOTCONN; // its UDPSocket never opened
  if (state_ == State::Closed)
    return -EBADF;
  // Datagrams the bridge has not finished sending count against SO_SNDBUF,
  // as queued skbs do in the kernel: past it a sender waits or gets EAGAIN,
  // so a fast sender cannot queue without bound.
  size_t window = send_window();
  auto room = [&] {
    bool ok = in_flight_ == 0 || in_flight_ + total <= window;
    send_space_wanted_ |= !ok;
    return ok;
  };
  if (!room() && (nonblock || wait_until(lock, room, snd_deadline())))
    return -EAGAIN;
  // The destination's text goes to the bridge only when it changes (an
  // empty host means "as last time"): most sockets talk to one peer.
  std::string host;
  int dns_family = 0;
  if (!(dest == last_destination_)) {
    dns_family = peer_text(dest, &host);
    // An IPv6 socket's UDPSocket is bound to an IPv6 address: it reaches an
    // IPv4 peer through the peer's v4-mapped form, not its IPv4 one.
    if (!dns_family && family_ == AF_INET6 && dest.is_v4_mapped()) {
      char text[kHostLen];
      inet_ntop(AF_INET6, dest.addr, text, kHostLen);
      host = text;
    }
    last_destination_ = dest;
  }
  if (!bridge_send_to(id_, iov, iovcnt, total, host.c_str(), dest.port,
                      dns_family))
    return -ENOBUFS;
  in_flight_ += total;
  return ssize_t(total);
}

ssize_t Socket::recv(CoreLock& lock, const iovec* iov, int iovcnt, int flags,
                     Endpoint* from, int* msg_flags, bool nonblock) {
  nonblock = nonblock || (flags & MSG_DONTWAIT);
  if (msg_flags)
    *msg_flags = 0;
  if (flags & MSG_OOB)
    return -EINVAL;
  if (is_stream()) {
    if (from)
      *from = remote_;
    return recv_stream(lock, iov, iovcnt, flags, nonblock);
  }
  return recv_datagram(lock, iov, iovcnt, flags, from, msg_flags, nonblock);
}

size_t Socket::copy_out(const iovec* iov, int iovcnt, size_t offset,
                        int flags) {
  const bool peek = flags & MSG_PEEK;
  const bool discard = flags & MSG_TRUNC; // Linux drops the bytes uncopied
  size_t done = 0;
  for (int i = 0; i < iovcnt; i++) {
    size_t len = iov[i].iov_len;
    if (offset >= len) {
      offset -= len;
      continue;
    }
    size_t room = len - offset;
    size_t n = std::min(room, rx_.size() - (peek ? done : 0));
    if (!n)
      break;
    if (!discard)
      rx_.read(static_cast<uint8_t*>(iov[i].iov_base) + offset, n, peek,
               peek ? done : 0);
    else if (!peek)
      rx_.consume(n);
    done += n;
    offset = 0;
    if (n < room)
      break;
  }
  return done;
}

// Room left under SO_RCVBUF, however much of it the ring holds yet.
size_t Socket::rx_room() const {
  return size_t(rcvbuf_) > rx_.size() ? size_t(rcvbuf_) - rx_.size() : 0;
}

// A paused stream pump resumes once a useful amount of room is free; a
// datagram pump as soon as one datagram is gone (the next may fit).
void Socket::maybe_resume_read() {
  bool room = !is_stream() ||
              rx_room() >= std::min(kResumeThreshold, size_t(rcvbuf_));
  if (rx_paused_ && room) {
    rx_paused_ = false;
    _dsock_js_resume_read(id_);
  }
}

ssize_t Socket::recv_stream(CoreLock& lock, const iovec* iov, int iovcnt,
                            int flags, bool nonblock) {
  const size_t want = iov_total(iov, iovcnt);
  const bool peek = flags & MSG_PEEK;
  const bool waitall = (flags & MSG_WAITALL) && !peek;
  double deadline = rcv_deadline();
  size_t got = 0;
  while (true) {
    if (!rx_.empty() && want > got) {
      size_t done = copy_out(iov, iovcnt, got, flags);
      got += done;
      maybe_resume_read();
      if (!waitall || got == want)
        return ssize_t(got);
    }
    // Linux waits for at least a byte even when asked for none.
    if (want == 0 && !rx_.empty())
      return 0;
    if (rd_shut_ || rd_eof_)
      return ssize_t(got);
    if (state_ == State::Failed)
      return got ? ssize_t(got) : (error_ ? -take_error() : 0);
    if (state_ == State::Opening && connected_) {
      if (nonblock)
        return -EAGAIN;
    } else if (state_ != State::Connected) {
      return -ENOTCONN;
    }
    if (nonblock)
      return got ? ssize_t(got) : -EAGAIN;
    if (wait_until(
            lock,
            [&] {
              return !rx_.empty() || rd_eof_ || rd_shut_ ||
                     (state_ != State::Connected && state_ != State::Opening);
            },
            deadline))
      return got ? ssize_t(got) : -EAGAIN;
  }
}

ssize_t Socket::recv_datagram(CoreLock& lock, const iovec* iov, int iovcnt,
                              int flags, Endpoint* from, int* msg_flags,
                              bool nonblock) {
  double deadline = rcv_deadline();
  while (true) {
    if (!datagrams_.empty()) {
      const Datagram& d = datagrams_.front();
      size_t len = d.data.size();
      size_t copied = scatter(iov, iovcnt, d.data.data(), len);
      if (from)
        *from = d.from;
      if (copied < len && msg_flags)
        *msg_flags |= MSG_TRUNC;
      if (!(flags & MSG_PEEK)) {
        datagrams_.pop();
        maybe_resume_read();
      }
      return ssize_t((flags & MSG_TRUNC) ? len : copied);
    }
    if (rd_shut_)
      return 0;
    if (error_)
      return -take_error();
    if (state_ == State::Failed || state_ == State::Closed)
      return -EBADF;
    if (nonblock)
      return -EAGAIN;
    if (wait_until(
            lock,
            [&] {
              return !datagrams_.empty() || rd_shut_ || error_ ||
                     state_ == State::Failed || state_ == State::Closed;
            },
            deadline))
      return -EAGAIN;
  }
}

// ---- Readiness and options ---------------------------------------------------

int Socket::poll_events() const {
  int ev = 0;
  switch (state_) {
  case State::Idle:
    // Linux reports a fresh stream socket as writable and hung up.
    return is_stream() ? POLLOUT | POLLHUP : POLLOUT;
  case State::Opening:
    return is_stream() ? 0 : POLLOUT;
  case State::Failed:
    return POLLIN | POLLOUT | POLLHUP | POLLRDHUP | (error_ ? POLLERR : 0);
  case State::Closed:
    return POLLNVAL;
  case State::Listening:
    return accept_queue_.empty() ? 0 : POLLIN;
  case State::Bound:
    if (is_stream())
      return POLLOUT | POLLHUP; // bound, not listening: as a fresh socket
    [[fallthrough]];
  case State::Connected:
    break;
  }
  if (is_stream()) {
    if (!rx_.empty() || rd_eof_ || rd_shut_)
      ev |= POLLIN;
    if (rd_eof_ || rd_shut_)
      ev |= POLLRDHUP; // Linux: RCV_SHUTDOWN, from a FIN or SHUT_RD
    // After SHUT_WR Linux stays writable, so the next write sees EPIPE.
    if (wr_shut_ || send_space_ready())
      ev |= POLLOUT;
    else
      send_space_wanted_ = true;
    if ((rd_eof_ || rd_shut_) && wr_shut_)
      ev |= POLLHUP;
  } else {
    if (!datagrams_.empty() || rd_shut_)
      ev |= POLLIN;
    if (send_space_ready())
      ev |= POLLOUT;
    else
      send_space_wanted_ = true;
  }
  if (error_)
    ev |= POLLERR;
  return ev;
}

int Socket::readable_bytes() const {
  return int(is_stream() ? rx_.size() : datagrams_.front_size());
}

int Socket::bytes_readable(int* n) const {
  if (state_ == State::Listening)
    return -EINVAL;
  *n = readable_bytes();
  return 0;
}

ssize_t Socket::read(CoreLock& lock, const iovec* iov, int iovcnt,
                     bool nonblock) {
  return recv(lock, iov, iovcnt, 0, nullptr, nullptr, nonblock);
}

ssize_t Socket::write(CoreLock& lock, const iovec* iov, int iovcnt,
                      bool nonblock) {
  return send(lock, iov, iovcnt, 0, nullptr, nonblock);
}

int Socket::local_address(Endpoint* ep) const {
  *ep = local_;
  return 0;
}

int Socket::peer_address(Endpoint* ep) const {
  bool have_peer = is_stream() ? (state_ == State::Connected) : connected_;
  if (!have_peer)
    return -ENOTCONN;
  *ep = remote_;
  return 0;
}

int Socket::set_buffer(int name, int value) {
  // Linux caps the request at [wr]mem_max, doubles it (for bookkeeping
  // overhead) and reports that.
  int size = buffer_size(name, value);
  if (name == SO_SNDBUF) {
    sndbuf_ = size;
    sndbuf_set_ = true;
  } else {
    rcvbuf_ = size;
    rcvbuf_set_ = true;
    if (is_stream() && rx_.capacity() > size_t(size))
      rx_.resize(std::max(size_t(size), rx_.size()));
    else if (!is_stream())
      datagrams_.set_limit(size_t(size));
    maybe_resume_read();
  }
  changed(POLLOUT); // a larger send window may make room
  return 0;
}

int Socket::setsockopt(int level, int name, const void* value, socklen_t len,
                       CoreLock* lock) {
  int v = 0;
  bool before_open = state_ == State::Idle;
  if (level == SOL_SOCKET) {
    switch (name) {
    case SO_RCVTIMEO:
    case SO_SNDTIMEO:
      return get_timeout(value, len,
                         name == SO_RCVTIMEO ? &rcvtimeo_ms_ : &sndtimeo_ms_);
    case SO_LINGER:
      if (!value || len < (socklen_t)sizeof(linger))
        return -EINVAL;
      linger l;
      memcpy(&l, value, sizeof l);
      // An abortive close (RST) is beyond the Direct Sockets API: aborting
      // a TCPSocket's streams closes it gracefully, so the peer would read an
      // EOF, not ECONNRESET. Refuse rather than send the wrong thing.
      if (is_stream() && l.l_onoff && l.l_linger == 0)
        return -ENOPROTOOPT;
      linger_ = l;
      return 0;
    }
    if (int r = get_int(value, len, &v))
      return r;
    switch (name) {
    case SO_REUSEADDR:
      // TCP servers in the browser always reuse TIME_WAIT ports; for UDP it
      // is the UDPSocket's multicastAllowAddressSharing, fixed at bind.
      if (!is_stream() && !before_open && bool(v) != reuseaddr_)
        return -EINVAL;
      reuseaddr_ = v;
      return 0;
    case SO_REUSEPORT:
      // UDP: the same address sharing as SO_REUSEADDR (Chromium sets both).
      // Two TCP listeners on one port are beyond TCPServerSocket.
      if (is_stream())
        return v ? -ENOPROTOOPT : 0;
      if (!before_open && bool(v) != reuseport_)
        return -EINVAL;
      reuseport_ = v;
      return 0;
    case SO_KEEPALIVE:
      // A socket-level flag Linux keeps for any socket; only TCP uses it.
      if (is_stream() && !before_open && bool(v) != keepalive_)
        return -EINVAL; // keepAliveDelay is fixed when TCPSocket is built
      keepalive_ = v;
      return 0;
    case SO_SNDBUF:
    case SO_RCVBUF:
      return set_buffer(name, v);
    case SO_BROADCAST:
      // Permission to send to broadcast addresses; whether the browser lets
      // such a send through shows at sendto().
      broadcast_ = v;
      return 0;
    }
    return -ENOPROTOOPT;
  }
  if (level == IPPROTO_TCP) {
    if (!is_stream())
      return -ENOPROTOOPT;
    if (int r = get_int(value, len, &v))
      return r;
    switch (name) {
    case TCP_NODELAY:
      if (!before_open && bool(v) != nodelay_)
        return -EINVAL; // noDelay is fixed when TCPSocket is built
      nodelay_ = v;
      return 0;
    case TCP_KEEPIDLE:
      if (v < 1 || v > 32767)
        return -EINVAL;
      if (!before_open && v != keepidle_s_)
        return -EINVAL;
      keepidle_s_ = v;
      return 0;
    case TCP_KEEPINTVL:
    case TCP_KEEPCNT:
      // The API has a keep-alive delay only; the probe interval and count
      // are the browser's.
      return -ENOPROTOOPT;
    }
    return -ENOPROTOOPT;
  }
  // An IPv6 socket takes IPv4-level options too (it may carry IPv4 traffic
  // through v4-mapped addresses), as on Linux.
  if (level == IPPROTO_IP || (level == IPPROTO_IPV6 && family_ == AF_INET6)) {
    if (is_membership_option(level, name))
      return change_membership(lock, level, name, value, len);
    return set_ip_option(level, name, value, len);
  }
  return -ENOPROTOOPT;
}

// IP-level options. Those the Direct Sockets API takes are fixed when the
// socket is built: they can be set before that, and afterwards only to the
// value already in force. The unicast TTL is the browser's (64, as Linux's
// default); asking for that value is the one request that can be met.
int Socket::set_ip_option(int level, int name, const void* value,
                          socklen_t len) {
  bool v6 = level == IPPROTO_IPV6;
  bool before_open = state_ == State::Idle;
  auto fixed_at_open = [&](int& field, int value) {
    if (!before_open && value != field)
      return -EINVAL;
    field = value;
    return 0;
  };
  int v = 0;
  if (v6) {
    if (name != IPV6_UNICAST_HOPS && name != IPV6_V6ONLY &&
        name != IPV6_MULTICAST_HOPS && name != IPV6_MULTICAST_LOOP &&
        name != IPV6_MULTICAST_IF)
      return -ENOPROTOOPT;
    if (int r = get_int(value, len, &v))
      return r;
  } else {
    if (name != IP_TTL && name != IP_MULTICAST_TTL &&
        name != IP_MULTICAST_LOOP && name != IP_MULTICAST_IF &&
        name != IP_MULTICAST_ALL)
      return -ENOPROTOOPT;
    if (name != IP_MULTICAST_IF)
      if (int r = get_ip_int(value, len, &v))
        return r;
  }
  if (!v6 && name == IP_TTL)
    return v == kDefaultTtl || v == -1 ? 0 : (v < 1 || v > 255 ? -EINVAL : -ENOPROTOOPT);
  if (v6 && name == IPV6_UNICAST_HOPS)
    return v == kDefaultTtl || v == -1 ? 0 : (v < -1 || v > 255 ? -EINVAL : -ENOPROTOOPT);
  if (v6 && name == IPV6_V6ONLY) {
    if (!before_open)
      return -EINVAL;
    v6only_ = v;
    return 0;
  }
  // Multicast options on TCP do nothing on Linux; those it refuses there,
  // it refuses with these errnos.
  if (is_stream()) {
    if ((v6 && name == IPV6_MULTICAST_LOOP) ||
        (!v6 && name == IP_MULTICAST_ALL))
      return v < 0 || v > 1 ? -EINVAL : 0;
    if (!v6 && name == IP_MULTICAST_LOOP) {
      multicast_loop_ = v != 0; // kept, to no effect
      return 0;
    }
    return v6 ? -ENOPROTOOPT : -EINVAL;
  }
  // The API has one multicast TTL and loopback per socket, an IPv6
  // socket's IPv6 ones: its IPv4 ones cannot be set apart (Linux keeps both).
  if (!v6 && family_ == AF_INET6)
    return -ENOPROTOOPT;
  if ((!v6 && name == IP_MULTICAST_TTL) ||
      (v6 && name == IPV6_MULTICAST_HOPS)) {
    if (v == -1)
      v = 1; // -1 asks for the default
    if (v < 0 || v > 255)
      return -EINVAL;
    return fixed_at_open(multicast_ttl_, v);
  }
  if ((!v6 && name == IP_MULTICAST_LOOP) || (v6 && name == IPV6_MULTICAST_LOOP)) {
    if (v6 && (v < 0 || v > 1))
      return -EINVAL;
    return fixed_at_open(multicast_loop_, v != 0);
  }
  if (!v6 && name == IP_MULTICAST_ALL) {
    if (v != 0 && v != 1)
      return -EINVAL;
    // A socket in the browser receives datagrams of every group joined on
    // the host for its port, as Linux's default; that cannot be turned off.
    return v ? 0 : -ENOPROTOOPT;
  }
  if (v6 && name == IPV6_MULTICAST_IF)
    return v == 0 ? 0 : -ENOPROTOOPT; // the browser picks the interface
  if (!v6 && name == IP_MULTICAST_IF) {
    // An in_addr, an ip_mreq (its second address) or an ip_mreqn; only "any"
    // (the browser's choice, by the route) can be had.
    if (!value || len < (socklen_t)sizeof(in_addr))
      return -EINVAL;
    ip_mreqn m = {};
    if (len >= (socklen_t)sizeof(ip_mreqn))
      memcpy(&m, value, sizeof m);
    else if (len >= (socklen_t)sizeof(ip_mreq))
      memcpy(&m, value, sizeof(ip_mreq));
    else
      memcpy(&m.imr_address, value, sizeof(in_addr));
    return m.imr_ifindex == 0 && m.imr_address.s_addr == INADDR_ANY
               ? 0
               : -ENOPROTOOPT;
  }
  return -ENOPROTOOPT;
}

int Socket::getsockopt(int level, int name, void* value, socklen_t* len) {
  if (level == SOL_SOCKET) {
    switch (name) {
    case SO_ERROR:
      return put_value(take_error(), value, len);
    case SO_TYPE:
      return put_value(type_, value, len);
    case SO_DOMAIN:
      return put_value(family_, value, len);
    case SO_PROTOCOL:
      return put_value(is_stream() ? int(IPPROTO_TCP) : int(IPPROTO_UDP), value,
                       len);
    case SO_ACCEPTCONN:
      // From listen() on, also while the server is still opening.
      return put_value(int(listening_ && state_ != State::Failed &&
                           state_ != State::Closed),
                       value, len);
    case SO_REUSEADDR:
      return put_value(int(reuseaddr_), value, len);
    case SO_REUSEPORT:
      return put_value(int(reuseport_), value, len);
    case SO_KEEPALIVE:
      return put_value(int(keepalive_), value, len);
    case SO_SNDBUF:
      return put_value(sndbuf_, value, len);
    case SO_RCVBUF:
      return put_value(rcvbuf_, value, len);
    case SO_BROADCAST:
      return put_value(int(broadcast_), value, len);
    case SO_LINGER:
      return put_value(linger_, value, len);
    case SO_RCVTIMEO:
      return put_value(ms_timeval(rcvtimeo_ms_), value, len);
    case SO_SNDTIMEO:
      return put_value(ms_timeval(sndtimeo_ms_), value, len);
    }
    return -ENOPROTOOPT;
  }
  if (level == IPPROTO_TCP && is_stream()) {
    switch (name) {
    case TCP_NODELAY:
      return put_value(int(nodelay_), value, len);
    case TCP_KEEPIDLE:
      return put_value(keepidle_s_, value, len);
    case TCP_KEEPINTVL:
      return put_value(keepintvl_s_, value, len);
    case TCP_KEEPCNT:
      return put_value(keepcnt_, value, len);
    case TCP_MAXSEG:
      // The segment size of a live connection is the browser's to know.
      if (state_ == State::Connected)
        return -ENOPROTOOPT;
      return put_value(kDefaultMss, value, len);
    }
    return -ENOPROTOOPT;
  }
  if (level == IPPROTO_IP || (level == IPPROTO_IPV6 && family_ == AF_INET6))
    return get_ip_option(level, name, value, len);
  return -ENOPROTOOPT;
}

int Socket::get_ip_option(int level, int name, void* value, socklen_t* len) {
  bool v6 = level == IPPROTO_IPV6;
  // The multicast TTL and loopback of the socket's own family; the other
  // family's cannot be set and keep Linux's defaults.
  bool own = v6 == (family_ == AF_INET6) || is_stream();
  int ttl = own && !is_stream() ? multicast_ttl_ : 1;
  int loop = own ? multicast_loop_ : 1;
  if (v6) {
    switch (name) {
    case IPV6_UNICAST_HOPS:
      return put_value(kDefaultTtl, value, len);
    case IPV6_V6ONLY:
      return put_value(int(v6only_), value, len);
    case IPV6_MULTICAST_HOPS:
      return put_value(ttl, value, len);
    case IPV6_MULTICAST_LOOP:
      return put_value(loop, value, len);
    case IPV6_MULTICAST_IF:
      return put_value(0, value, len); // the default interface
    }
    return -ENOPROTOOPT;
  }
  switch (name) {
  case IP_TTL:
    return put_ip_int(kDefaultTtl, value, len);
  case IP_MULTICAST_TTL:
    return put_ip_int(ttl, value, len);
  case IP_MULTICAST_LOOP:
    return put_ip_int(loop, value, len);
  case IP_MULTICAST_ALL:
    return put_ip_int(1, value, len);
  case IP_MULTICAST_IF:
    return put_value(in_addr{INADDR_ANY}, value, len);
  }
  return -ENOPROTOOPT;
}

// ---- Multicast memberships --------------------------------------------------

// The table answers at once with Linux's errno; the browser's part
// (MulticastController.joinGroup / leaveGroup) is asynchronous. A caller
// that can block waits for it, so that a membership is in force when
// setsockopt returns, and gets the browser's refusal as its errno. One that
// cannot (event-loop mode) returns at once; a refusal then comes through
// SO_ERROR and the next call, as a failed bind does there. Calls asked for
// before the socket has a UDPSocket are made when it opens (bind waits).
int Socket::change_membership(CoreLock* lock, int level, int name,
                              const void* value, socklen_t len) {
  if (is_stream()) {
    bool asm_option =
        (level == IPPROTO_IP &&
         (name == IP_ADD_MEMBERSHIP || name == IP_DROP_MEMBERSHIP)) ||
        (level == IPPROTO_IPV6 &&
         (name == IPV6_ADD_MEMBERSHIP || name == IPV6_DROP_MEMBERSHIP));
    return asm_option ? -EPROTO : -ENOPROTOOPT; // Linux: EPROTO for these
  }
  MembershipRequest req;
  if (int r = parse_membership(family_, level, name, value, len, &req))
    return r;
  if (state_ == State::Closed)
    return -EBADF;
  if (state_ == State::Failed)
    return -ENOTCONN; // its UDPSocket never opened
  std::vector<MembershipCall> calls;
  if (int r = memberships_.apply(req, &calls))
    return r;
  uint64_t first = next_membership_op_;
  for (const MembershipCall& c : calls)
    membership_ops_.push_back({next_membership_op_++, c, true});
  uint64_t last = next_membership_op_ - 1;
  run_membership_calls();

  auto answered = [&] {
    return std::count_if(membership_results_.begin(), membership_results_.end(),
                         [&](const auto& r) {
                           return r.first >= first && r.first <= last;
                         }) == int(last - first + 1);
  };
  int err = 0;
  if (lock && can_block() && state_ != State::Idle) {
    wait_until(
        *lock,
        [&] {
          return answered() ||
                 (state_ != State::Bound && state_ != State::Opening);
        },
        -1);
    if (!answered()) // the socket closed, or failed to open, meanwhile
      err = state_ == State::Closed ? EBADF : ENOTCONN;
  }
  // The first refusal among this request's calls is its errno; calls still
  // going on report theirs through SO_ERROR.
  std::erase_if(membership_results_, [&](const auto& r) {
    if (r.first < first || r.first > last)
      return false;
    if (!err)
      err = r.second;
    return true;
  });
  for (MembershipOp& op : membership_ops_)
    if (op.id >= first && op.id <= last)
      op.waited = false;
  return -err;
}

// Starts the next membership call once the UDPSocket is open, one at a time:
// each waits for the browser's answer to the one before.
void Socket::run_membership_calls() {
  while (state_ == State::Bound && !membership_call_running_ &&
         !membership_ops_.empty()) {
    const MembershipCall& c = membership_ops_.front().call;
    char group[kHostLen], source[kHostLen] = "";
    c.group.host(group);
    if (c.has_source)
      c.source.host(source);
    membership_call_running_ = true;
    if (int r = _dsock_js_membership(id_, c.join, group, source); r < 0)
      finish_membership_call(-r);
  }
}

void Socket::finish_membership_call(int err) {
  MembershipOp op = membership_ops_.front();
  membership_ops_.pop_front();
  membership_call_running_ = false;
  if (err)
    memberships_.undo(op.call);
  if (op.waited)
    membership_results_.push_back({op.id, err});
  else if (err)
    error_ = err; // POLLERR: epoll hears it too
  changed();
}

void Socket::on_membership(int err) {
  if (!membership_call_running_ || membership_ops_.empty())
    return;
  finish_membership_call(err);
  run_membership_calls();
}

// The socket closed or never opened: its memberships are gone, and so are
// the calls not yet made (a waiting caller sees the state change).
void Socket::drop_membership_calls() {
  membership_ops_.clear();
  membership_call_running_ = false;
  memberships_.clear();
}

// ---- Events from the bridge ----------------------------------------------------

void Socket::on_open(const Endpoint& local, const Endpoint& remote) {
  if (state_ != State::Opening)
    return;
  local_ = local;
  if (is_stream() && connected_) {
    remote_ = remote;
    state_ = State::Connected;
  } else {
    state_ = State::Bound; // a TCPServerSocket, or a bound UDPSocket
    if (listening_)
      start_listening();
    run_membership_calls(); // memberships asked for before it opened
  }
  changed();
}

void Socket::on_error(int err) {
  if (state_ == State::Closed)
    return;
  error_ = err;
  // A UDP socket stays usable after an ICMP-style error; others are done.
  if (is_stream() || state_ == State::Opening) {
    state_ = State::Failed;
    drop_membership_calls(); // it never joined them
  }
  changed();
}

void Socket::on_sent(size_t n) {
  in_flight_ -= std::min(n, in_flight_);
  // Blocked writers and epoll hear of it only when a writer or poller found
  // no space and a fair share is free again, as from Linux's write-space
  // callback.
  if (send_space_wanted_ && send_space_ready()) {
    send_space_wanted_ = false;
    changed(POLLOUT);
  }
}

void Socket::on_eof() {
  rd_eof_ = true;
  changed();
}

uint8_t* Socket::rx_reserve(size_t* len) {
  // The ring starts small and doubles up to SO_RCVBUF as data backs up, so
  // an idle connection costs little and a busy one gets its full buffer.
  if (rx_.space() == 0 && rx_.capacity() < size_t(rcvbuf_))
    rx_.resize(std::min(size_t(rcvbuf_), std::max(kInitialRing, rx_.capacity() * 2)));
  uint8_t* p = rx_.write_region(len);
  if (!*len)
    rx_paused_ = true;
  return p;
}

void Socket::rx_commit(size_t n) {
  rx_.commit(n);
  changed(POLLIN);
}

uint8_t* Socket::datagram_reserve(size_t len) {
  if (!datagrams_.fits(len)) {
    rx_paused_ = true;
    return nullptr;
  }
  staging_.resize(std::max<size_t>(len, 1)); // non-null even when empty
  return staging_.data();
}

void Socket::datagram_commit(size_t len, const Endpoint& from) {
  // A connected socket takes datagrams from its peer only. A peer named by
  // a placeholder is known once it answers: the first datagram from the
  // peer's port gives its address.
  if (connected_ && !same_peer(from, remote_)) {
    std::string name;
    int family;
    if (from.port != remote_.port || !placeholder_name(remote_, &name, &family))
      return;
    remote_ = from;
    last_destination_ = Endpoint(); // send to the address from now on
  }
  len = std::min(len, staging_.size());
  uint8_t* dst = datagrams_.push(from, len);
  if (len)
    memcpy(dst, staging_.data(), len);
  changed(POLLIN);
}

std::shared_ptr<Socket> Socket::on_accept(const Endpoint& local,
                                          const Endpoint& remote) {
  if (state_ != State::Listening || accept_queue_.size() >= size_t(backlog_))
    return nullptr;
  auto conn = std::make_shared<Socket>(family_, type_, protocol_);
  conn->state_ = State::Connected;
  conn->connected_ = true;
  conn->local_ = local;
  conn->remote_ = remote;
  conn->nodelay_ = nodelay_;
  conn->sndbuf_ = sndbuf_;
  conn->rcvbuf_ = rcvbuf_;
  accept_queue_.push_back(conn);
  changed(POLLIN);
  return conn;
}

} // namespace directsockets
