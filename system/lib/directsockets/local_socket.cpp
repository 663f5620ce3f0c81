#include "local_socket.h"

#include "iov.h"
#include "sockopt.h"

#include <poll.h>
#include <stddef.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>

namespace directsockets {

namespace {

constexpr int kSockMax = 11; // SOCK_MAX: types at or above it are EINVAL
// The largest piece a stream send queues at once (the kernel's skb limit).
constexpr size_t kMaxPiece = 32768;

// Linux's unix_validate_addr, for an address given to connect/sendto/bind.
int validate_unix_address(const sockaddr* addr, socklen_t len) {
  if (len <= offsetof(sockaddr_un, sun_path) || len > sizeof(sockaddr_un))
    return -EINVAL;
  if (addr->sa_family != AF_UNIX)
    return -EINVAL;
  return 0;
}

// Where a valid AF_UNIX address leads: nothing can be bound to a name here,
// so a path does not exist and an abstract name refuses.
int find_named_socket(const sockaddr* addr) {
  const auto* un = reinterpret_cast<const sockaddr_un*>(addr);
  return un->sun_path[0] ? -ENOENT : -ECONNREFUSED;
}

// move_addr_to_kernel's checks of an address argument.
int check_address_arg(const sockaddr* addr, socklen_t len) {
  if (int(len) < 0 || len > sizeof(sockaddr_storage))
    return -EINVAL;
  if (len && !addr)
    return -EFAULT;
  return 0;
}

} // namespace

int LocalSocket::check_args(int type, int protocol) {
  if (type < 0 || type >= kSockMax)
    return -EINVAL;
  if (protocol && protocol != PF_UNIX)
    return -EPROTONOSUPPORT;
  switch (type) {
  case SOCK_STREAM:
  case SOCK_DGRAM:
  case SOCK_SEQPACKET:
  case SOCK_RAW:
    return 0;
  }
  return -ESOCKTNOSUPPORT;
}

std::pair<std::shared_ptr<LocalSocket>, std::shared_ptr<LocalSocket>>
LocalSocket::create_pair(int type) {
  if (type == SOCK_RAW)
    type = SOCK_DGRAM; // as Linux's unix_create does
  auto a = std::make_shared<LocalSocket>(type);
  auto b = std::make_shared<LocalSocket>(type);
  a->other_ = b.get();
  b->other_ = a.get();
  return {a, b};
}

LocalSocket::LocalSocket(int type) : File(Kind::LocalSocket), type_(type) {}

LocalSocket::~LocalSocket() {
  LocalSocket* other = other_;
  if (!other)
    return;
  other->other_ = nullptr;
  other->peer_closed_ = true;
  bool unread = !rx_.empty();
  if (is_datagram()) {
    // Linux tells a datagram peer nothing: its next send finds this end
    // gone. What it had queued here is freed, which makes it room.
    if (unread)
      other->room_made();
    return;
  }
  // No more data either way; data left unread here resets the connection.
  other->shutdown_ = kRcvShutdown | kSendShutdown;
  if (unread)
    other->error_ = ECONNRESET;
  other->changed();
}

size_t LocalSocket::charge() const { return other_ ? other_->rx_.charge() : 0; }

void LocalSocket::room_made() {
  if (writable())
    changed(POLLOUT);
  else
    notify_waiters(); // a blocked sender may fit now
}

int LocalSocket::take_error() {
  int err = error_;
  error_ = 0;
  return err;
}

// ---- Data ------------------------------------------------------------------

ssize_t LocalSocket::send(CoreLock& lock, const iovec* iov, int iovcnt,
                          int flags, const sockaddr* name, socklen_t namelen,
                          bool nonblock) {
  nonblock = nonblock || (flags & MSG_DONTWAIT);
  if (type_ == SOCK_SEQPACKET) {
    if (int err = take_error())
      return -err;
  }
  // Linux carries one byte of urgent data on a stream; not here.
  if (flags & MSG_OOB)
    return -EOPNOTSUPP;
  if (name && namelen) {
    if (is_stream())
      return -EISCONN;
    if (is_datagram()) {
      // A destination other than the peer: one in the AF_UNIX namespace.
      if (int r = validate_unix_address(name, namelen))
        return r;
      return find_named_socket(name);
    }
    // SOCK_SEQPACKET ignores the address, as Linux does.
  }
  return is_stream() ? send_stream(lock, iov, iovcnt, nonblock)
                     : send_message(lock, iov, iovcnt, nonblock);
}

ssize_t LocalSocket::send_stream(CoreLock& lock, const iovec* iov, int iovcnt,
                                 bool nonblock) {
  const size_t total = iov_total(iov, iovcnt);
  const double deadline = deadline_after(sndtimeo_ms_);
  const size_t max_piece =
      std::min(kMaxPiece, size_t(std::max(sndbuf_ / 2 - 64, 1)));
  size_t sent = 0;
  auto stopped = [&] {
    return (shutdown_ & kSendShutdown) || !other_ ||
           (other_->shutdown_ & kRcvShutdown);
  };
  if (stopped())
    return -EPIPE;
  while (sent < total) {
    if (stopped())
      return sent ? ssize_t(sent) : -EPIPE;
    // Like the kernel, queue a piece whenever the charge is below SO_SNDBUF.
    if (charge() < size_t(sndbuf_)) {
      size_t n = std::min(total - sent, max_piece);
      other_->rx_.push(iov, iovcnt, sent, n);
      sent += n;
      other_->changed(POLLIN);
      continue;
    }
    auto room = [&] { return stopped() || charge() < size_t(sndbuf_); };
    if (nonblock || wait_until(lock, room, deadline))
      return sent ? ssize_t(sent) : -EAGAIN;
  }
  return ssize_t(sent);
}

ssize_t LocalSocket::send_message(CoreLock& lock, const iovec* iov, int iovcnt,
                                  bool nonblock) {
  if (shutdown_ & kSendShutdown)
    return -EPIPE;
  if (!connected_)
    return -ENOTCONN;
  const size_t total = iov_total(iov, iovcnt);
  if (total > size_t(sndbuf_) - 32)
    return -EMSGSIZE;
  const double deadline = deadline_after(sndtimeo_ms_);
  auto room = [&] {
    return charge() < size_t(sndbuf_) || (shutdown_ & kSendShutdown);
  };
  while (charge() >= size_t(sndbuf_)) {
    if (nonblock || wait_until(lock, room, deadline))
      return -EAGAIN;
    if (shutdown_ & kSendShutdown)
      return -EPIPE;
  }
  if (peer_closed_) {
    if (type_ == SOCK_SEQPACKET)
      return -EPIPE;
    disconnect();
    return -ECONNREFUSED;
  }
  if (other_->shutdown_ & kRcvShutdown)
    return -EPIPE;
  other_->rx_.push(iov, iovcnt, 0, total);
  other_->changed(POLLIN);
  return ssize_t(total);
}

void LocalSocket::disconnect() {
  connected_ = false;
  // Linux's unix_dgram_disconnected: what was queued here is dropped, and a
  // peer still sending here is told, through SO_ERROR.
  if (!rx_.empty()) {
    rx_.clear();
    if (other_) {
      if (other_->connected_)
        other_->error_ = ECONNRESET;
      other_->changed();
    }
  }
  changed(POLLOUT);
}

ssize_t LocalSocket::recv(CoreLock& lock, const iovec* iov, int iovcnt,
                          int flags, int* msg_flags, bool nonblock) {
  nonblock = nonblock || (flags & MSG_DONTWAIT);
  if (msg_flags)
    *msg_flags = 0;
  if (flags & MSG_OOB)
    return is_stream() ? -EINVAL : -EOPNOTSUPP; // no urgent byte is pending
  return is_stream()
             ? recv_stream(lock, iov, iovcnt, flags, nonblock)
             : recv_message(lock, iov, iovcnt, flags, msg_flags, nonblock);
}

ssize_t LocalSocket::recv_stream(CoreLock& lock, const iovec* iov, int iovcnt,
                                 int flags, bool nonblock) {
  const size_t want = iov_total(iov, iovcnt);
  const bool peek = flags & MSG_PEEK;
  // Linux waits for one byte, or for all with MSG_WAITALL; even a read of
  // nothing waits for data to be there.
  const size_t target = (flags & MSG_WAITALL) && !peek ? want : 1;
  const double deadline = deadline_after(rcvtimeo_ms_);
  auto readable = [&] {
    return !rx_.empty() || error_ || (shutdown_ & kRcvShutdown);
  };
  size_t got = 0;
  while (true) {
    if (!rx_.empty() && got < want) {
      size_t freed = 0;
      got += rx_.read_bytes(iov, iovcnt, got, want - got, peek, &freed);
      if (freed && other_)
        other_->room_made();
      if (peek)
        return ssize_t(got);
    }
    if (got >= target || (want == 0 && !rx_.empty()))
      return ssize_t(got);
    // POSIX's order: a pending error, then EOF.
    if (int err = take_error())
      return got ? ssize_t(got) : -err;
    if (shutdown_ & kRcvShutdown)
      return ssize_t(got);
    if (nonblock || wait_until(lock, readable, deadline))
      return got ? ssize_t(got) : -EAGAIN;
  }
}

ssize_t LocalSocket::recv_message(CoreLock& lock, const iovec* iov, int iovcnt,
                                  int flags, int* msg_flags, bool nonblock) {
  const size_t want = iov_total(iov, iovcnt);
  const bool peek = flags & MSG_PEEK;
  const double deadline = deadline_after(rcvtimeo_ms_);
  auto readable = [&] {
    return !rx_.empty() || error_ || (shutdown_ & kRcvShutdown);
  };
  while (true) {
    if (int err = take_error())
      return -err;
    if (!rx_.empty()) {
      size_t size = rx_.read_message(iov, iovcnt, want, peek);
      if (size > want && msg_flags)
        *msg_flags |= MSG_TRUNC;
      if (!peek && other_)
        other_->room_made();
      return ssize_t((flags & MSG_TRUNC) ? size : std::min(size, want));
    }
    // Linux: a non-blocking read at the end of a seqpacket connection is
    // EOF, of a shut-down datagram socket EAGAIN; a blocking one is EOF.
    if (nonblock)
      return type_ == SOCK_SEQPACKET && (shutdown_ & kRcvShutdown) ? 0
                                                                   : -EAGAIN;
    if (shutdown_ & kRcvShutdown)
      return 0;
    if (wait_until(lock, readable, deadline))
      return -EAGAIN;
  }
}

ssize_t LocalSocket::read(CoreLock& lock, const iovec* iov, int iovcnt,
                          bool nonblock) {
  return recv(lock, iov, iovcnt, 0, nullptr, nonblock);
}

ssize_t LocalSocket::write(CoreLock& lock, const iovec* iov, int iovcnt,
                           bool nonblock) {
  return send(lock, iov, iovcnt, 0, nullptr, 0, nonblock);
}

int LocalSocket::bytes_readable(int* n) const {
  // A datagram socket counts its next message; the others every byte.
  *n = int(is_datagram() ? rx_.front_size() : rx_.bytes());
  return 0;
}

// ---- Connection
// ----------------------------------------------------------------

int LocalSocket::shutdown(int how) {
  if (how != SHUT_RD && how != SHUT_WR && how != SHUT_RDWR)
    return -EINVAL;
  int mode = (how + 1) & (kRcvShutdown | kSendShutdown);
  shutdown_ |= mode;
  changed();
  // A connected stream's peer can no longer send (or read) either.
  if (other_ && !is_datagram()) {
    other_->shutdown_ |= (mode & kRcvShutdown ? kSendShutdown : 0) |
                         (mode & kSendShutdown ? kRcvShutdown : 0);
    other_->changed();
  }
  return 0;
}

int LocalSocket::bind(const sockaddr* addr, socklen_t len) {
  if (int r = check_address_arg(addr, len))
    return r;
  bool autobind = len == sizeof(sa_family_t) && addr->sa_family == AF_UNIX;
  if (!autobind) {
    if (int r = validate_unix_address(addr, len))
      return r;
  }
  return -EOPNOTSUPP;
}

int LocalSocket::connect(const sockaddr* addr, socklen_t len) {
  if (int r = check_address_arg(addr, len))
    return r;
  if (is_datagram() && len >= sizeof(sa_family_t) &&
      addr->sa_family == AF_UNSPEC) {
    if (connected_)
      disconnect(); // dissolves the association, as on Linux
    return 0;
  }
  if (int r = validate_unix_address(addr, len))
    return r;
  return find_named_socket(addr);
}

int LocalSocket::listen() { return is_datagram() ? -EOPNOTSUPP : -EINVAL; }

int LocalSocket::accept_error() const {
  return is_datagram() ? EOPNOTSUPP : EINVAL;
}

int LocalSocket::name(sockaddr* addr, socklen_t* len, bool peer) const {
  if (!addr || !len)
    return -EFAULT;
  if (int(*len) < 0)
    return -EINVAL;
  if (peer && is_datagram() && !connected_)
    return -ENOTCONN;
  sa_family_t family = AF_UNIX;
  memcpy(addr, &family, std::min<socklen_t>(*len, sizeof family));
  *len = sizeof family; // unnamed: the family alone
  return 0;
}

// ---- Readiness and options
// ---------------------------------------------------

int LocalSocket::poll_events() const {
  int ev = 0;
  if (error_)
    ev |= POLLERR;
  if (shutdown_ == (kRcvShutdown | kSendShutdown))
    ev |= POLLHUP;
  if (shutdown_ & kRcvShutdown)
    ev |= POLLIN | POLLRDHUP;
  if (!rx_.empty())
    ev |= POLLIN;
  if (writable())
    ev |= POLLOUT;
  return ev;
}

int LocalSocket::setsockopt(int level, int name, const void* value,
                            socklen_t len) {
  if (level != SOL_SOCKET)
    return -EOPNOTSUPP; // AF_UNIX has no options of other levels
  switch (name) {
  case SO_RCVTIMEO:
    return get_timeout(value, len, &rcvtimeo_ms_);
  case SO_SNDTIMEO:
    return get_timeout(value, len, &sndtimeo_ms_);
  case SO_LINGER:
    if (!value || len < (socklen_t)sizeof(linger))
      return -EINVAL;
    memcpy(&linger_, value, sizeof linger_);
    return 0;
  }
  int v = 0;
  if (int r = get_int(value, len, &v))
    return r;
  switch (name) {
  case SO_SNDBUF:
    sndbuf_ = buffer_size(name, v);
    room_made();
    return 0;
  case SO_RCVBUF:
    rcvbuf_ = buffer_size(name, v); // af_unix does not use it
    return 0;
  // Flags Linux keeps for any socket and AF_UNIX ignores.
  case SO_REUSEADDR:
    reuseaddr_ = v;
    return 0;
  case SO_KEEPALIVE:
    keepalive_ = v;
    return 0;
  case SO_BROADCAST:
    broadcast_ = v;
    return 0;
  case SO_PASSCRED:
    // No SCM_CREDENTIALS can be delivered: only "off" can be had.
    return v ? -ENOPROTOOPT : 0;
  }
  return -ENOPROTOOPT;
}

int LocalSocket::getsockopt(int level, int name, void* value, socklen_t* len) {
  if (level != SOL_SOCKET)
    return -EOPNOTSUPP;
  switch (name) {
  case SO_TYPE:
    return put_value(type_, value, len);
  case SO_DOMAIN:
    return put_value(int(AF_UNIX), value, len);
  case SO_PROTOCOL:
    return put_value(0, value, len);
  case SO_ERROR:
    return put_value(take_error(), value, len);
  case SO_ACCEPTCONN:
  case SO_PASSCRED:
    return put_value(0, value, len);
  case SO_SNDBUF:
    return put_value(sndbuf_, value, len);
  case SO_RCVBUF:
    return put_value(rcvbuf_, value, len);
  case SO_REUSEADDR:
    return put_value(int(reuseaddr_), value, len);
  case SO_KEEPALIVE:
    return put_value(int(keepalive_), value, len);
  case SO_BROADCAST:
    return put_value(int(broadcast_), value, len);
  case SO_LINGER:
    return put_value(linger_, value, len);
  case SO_RCVTIMEO:
    return put_value(ms_timeval(rcvtimeo_ms_), value, len);
  case SO_SNDTIMEO:
    return put_value(ms_timeval(sndtimeo_ms_), value, len);
  case SO_PEERCRED: {
    // The peer is this process.
    ucred cred = {getpid(), getuid(), getgid()};
    return put_value(cred, value, len);
  }
  }
  return -ENOPROTOOPT;
}

} // namespace directsockets
