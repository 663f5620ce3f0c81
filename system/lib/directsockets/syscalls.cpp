// The POSIX entry points. These native definitions replace Emscripten's JS
// socket syscalls at link time; for read/write/close/fcntl/ioctl/dup/poll they
// handle socket fds here and hand every other fd to the JS filesystem.
#include "bridge.h"
#include "fd_table.h"
#include "socket.h"

#include <emscripten/syscalls.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <wasi/api.h>

#include <algorithm>
#include <vector>

using namespace directsockets;

namespace {

constexpr int kSockFlags = SOCK_NONBLOCK | SOCK_CLOEXEC;

// Looks up a socket fd (with the core lock held): EBADF if fd is not open,
// ENOTSOCK if it is not a socket. The reference keeps the open file alive
// while a call waits, whatever another thread closes meanwhile.
std::shared_ptr<OpenFile> socket_file(int fd, int* err) {
  if (auto f = fd_table().share(fd))
    return f;
  // Not ours: tell a closed fd from a file with a harmless poll of it.
  *err = (_dsock_js_poll_fd(fd, 0) & POLLNVAL) ? EBADF : ENOTSOCK;
  return nullptr;
}

// Every socket call runs under the core lock, from the fd lookup on.
#define SOCKET_OR_RETURN(file, fd)                                             \
  auto lock = lock_core();                                                     \
  int err_ = 0;                                                                \
  auto file = socket_file(fd, &err_);                                          \
  if (!file)                                                                   \
    return -err_;

int new_socket_fd(std::shared_ptr<Socket> socket, int flags) {
  int fd = _dsock_js_fd_open();
  if (fd < 0)
    return fd;
  fd_table().set(fd,
                 std::make_shared<OpenFile>(std::move(socket),
                                            (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0),
                 flags & SOCK_CLOEXEC);
  return fd;
}

int read_address(const Socket& s, const sockaddr* addr, socklen_t len,
                 Endpoint* ep) {
  if (!addr)
    return -EFAULT;
  int err = endpoint_from_sockaddr(addr, len, s.family(), ep);
  return err ? -err : 0;
}

int write_address(const Socket& s, const Endpoint& ep, sockaddr* addr,
                  socklen_t* len) {
  if (!addr || !len)
    return -EFAULT;
  if (int(*len) < 0)
    return -EINVAL;
  endpoint_to_sockaddr(ep, s.family(), addr, len);
  return 0;
}

ssize_t do_sendmsg(int fd, const msghdr* msg, int flags) {
  SOCKET_OR_RETURN(file, fd);
  if (!msg)
    return -EFAULT;
  if (msg->msg_iovlen > IOV_MAX || int(msg->msg_iovlen) < 0)
    return -EMSGSIZE;
  if (msg->msg_controllen)
    return -EINVAL; // no ancillary data can be carried
  Endpoint to;
  bool has_to = msg->msg_name && msg->msg_namelen;
  if (has_to) {
    if (int r = read_address(*file->socket, (const sockaddr*)msg->msg_name,
                             msg->msg_namelen, &to))
      return r;
  }
  return file->socket->send(lock, msg->msg_iov, int(msg->msg_iovlen), flags,
                            has_to ? &to : nullptr, file->nonblock());
}

ssize_t do_recvmsg(int fd, msghdr* msg, int flags) {
  SOCKET_OR_RETURN(file, fd);
  if (!msg)
    return -EFAULT;
  if (msg->msg_iovlen > IOV_MAX || int(msg->msg_iovlen) < 0)
    return -EMSGSIZE;
  Endpoint from;
  int msg_flags = 0;
  ssize_t n = file->socket->recv(lock, msg->msg_iov, int(msg->msg_iovlen),
                                 flags, &from, &msg_flags, file->nonblock());
  if (n < 0)
    return n;
  if (msg->msg_name) {
    // A stream socket names no source: Linux sets the length to 0.
    socklen_t len = 0;
    if (!file->socket->is_stream()) {
      len = msg->msg_namelen;
      endpoint_to_sockaddr(from, file->socket->family(),
                           (sockaddr*)msg->msg_name, &len);
    }
    msg->msg_namelen = len;
  }
  msg->msg_controllen = 0;
  msg->msg_flags = msg_flags;
  return n;
}

int poll_fds(pollfd* fds, nfds_t nfds, int timeout) {
  if (nfds && !fds)
    return -EFAULT;
  auto lock = lock_core();
  double deadline = deadline_after(timeout);
  std::vector<int> watch;
  while (true) {
    int count = 0;
    watch.clear();
    for (nfds_t i = 0; i < nfds; i++) {
      pollfd& p = fds[i];
      p.revents = 0;
      if (p.fd < 0)
        continue;
      const int always = POLLERR | POLLHUP | POLLNVAL;
      if (OpenFile* f = fd_table().get(p.fd)) {
        p.revents = short(f->socket->poll_events() & (p.events | always));
      } else {
        p.revents = short(_dsock_js_poll_fd(p.fd, p.events));
        watch.push_back(p.fd);
      }
      count += p.revents != 0;
    }
    if (count || timeout == 0 || !can_block() ||
        (deadline >= 0 && now_ms() >= deadline))
      return count;
    wait_for_event(lock, deadline, watch.data(), int(watch.size()));
  }
}

} // namespace

extern "C" {

int __syscall_socket(int domain, int type, int protocol, int, int, int) {
  if (int r = Socket::check_args(domain, type, protocol))
    return r;
  int kind = type & ~kSockFlags;
  int expected = kind == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP;
  if (!_dsock_js_available())
    return -EACCES;
  auto lock = lock_core();
  return new_socket_fd(std::make_shared<Socket>(domain, kind, expected),
                       type & kSockFlags);
}

int __syscall_bind(int fd, const sockaddr* addr, socklen_t len, int, int, int) {
  SOCKET_OR_RETURN(file, fd);
  Endpoint ep;
  if (int r = read_address(*file->socket, addr, len, &ep))
    return r;
  return file->socket->bind(lock, ep);
}

int __syscall_connect(int fd, const sockaddr* addr, socklen_t len, int, int,
                      int) {
  SOCKET_OR_RETURN(file, fd);
  Endpoint ep;
  // AF_UNSPEC dissolves a UDP socket's association (ep.family stays so).
  bool unspec = addr && len >= (socklen_t)sizeof(sa_family_t) &&
                addr->sa_family == AF_UNSPEC;
  if (!unspec || file->socket->is_stream()) {
    if (int r = read_address(*file->socket, addr, len, &ep))
      return r;
  }
  return file->socket->connect(lock, ep, file->nonblock());
}

int __syscall_listen(int fd, int backlog, int, int, int, int) {
  SOCKET_OR_RETURN(file, fd);
  return file->socket->listen(lock, backlog);
}

int __syscall_accept4(int fd, sockaddr* addr, socklen_t* len, int flags, int,
                      int) {
  SOCKET_OR_RETURN(file, fd);
  if (flags & ~kSockFlags)
    return -EINVAL;
  if (addr && !len)
    return -EFAULT;
  int err = 0;
  auto conn = file->socket->accept(lock, file->nonblock(), &err);
  if (!conn)
    return -err;
  if (addr) {
    Endpoint peer;
    conn->peer_address(&peer);
    write_address(*conn, peer, addr, len);
  }
  return new_socket_fd(std::move(conn), flags);
}

int __syscall_getsockname(int fd, sockaddr* addr, socklen_t* len, int, int,
                          int) {
  SOCKET_OR_RETURN(file, fd);
  Endpoint ep;
  file->socket->local_address(&ep);
  return write_address(*file->socket, ep, addr, len);
}

int __syscall_getpeername(int fd, sockaddr* addr, socklen_t* len, int, int,
                          int) {
  SOCKET_OR_RETURN(file, fd);
  Endpoint ep;
  if (int r = file->socket->peer_address(&ep))
    return r;
  return write_address(*file->socket, ep, addr, len);
}

int __syscall_setsockopt(int fd, int level, int name, const void* value,
                         socklen_t len, int) {
  SOCKET_OR_RETURN(file, fd);
  return file->socket->setsockopt(level, name, value, len, &lock);
}

int __syscall_getsockopt(int fd, int level, int name, void* value,
                         socklen_t* len, int) {
  SOCKET_OR_RETURN(file, fd);
  if (!len)
    return -EFAULT;
  if (int(*len) < 0)
    return -EINVAL;
  return file->socket->getsockopt(level, name, value, len);
}

int __syscall_shutdown(int fd, int how, int, int, int, int) {
  SOCKET_OR_RETURN(file, fd);
  return file->socket->shutdown(how);
}

int __syscall_sendto(int fd, const void* buf, size_t len, int flags,
                     const sockaddr* addr, socklen_t alen) {
  iovec iov = {const_cast<void*>(buf), len};
  msghdr msg = {};
  msg.msg_name = const_cast<sockaddr*>(addr);
  msg.msg_namelen = addr ? alen : 0;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  return int(do_sendmsg(fd, &msg, flags));
}

int __syscall_sendmsg(int fd, const msghdr* msg, int flags, int, int, int) {
  return int(do_sendmsg(fd, msg, flags));
}

int __syscall_recvfrom(int fd, void* buf, size_t len, int flags, sockaddr* addr,
                       socklen_t* alen) {
  if (addr && !alen)
    return -EFAULT;
  iovec iov = {buf, len};
  msghdr msg = {};
  msg.msg_name = addr;
  msg.msg_namelen = addr ? *alen : 0;
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  ssize_t n = do_recvmsg(fd, &msg, flags);
  if (n >= 0 && addr)
    *alen = msg.msg_namelen;
  return int(n);
}

int __syscall_recvmsg(int fd, msghdr* msg, int flags, int, int, int) {
  return int(do_recvmsg(fd, msg, flags));
}

// ---- fd operations shared with the filesystem --------------------------------

__wasi_errno_t __wasi_fd_read(__wasi_fd_t fd, const __wasi_iovec_t* iovs,
                              size_t iovs_len, __wasi_size_t* nread) {
  auto lock = lock_core();
  auto file = fd_table().share(int(fd));
  if (!file) {
    lock.unlock();
    return __wasi_errno_t(_dsock_js_fs_fd_read(int(fd), iovs, iovs_len, nread));
  }
  ssize_t n = file->socket->recv(lock, reinterpret_cast<const iovec*>(iovs),
                                 int(iovs_len), 0, nullptr, nullptr,
                                 file->nonblock());
  if (n < 0)
    return __wasi_errno_t(-n);
  *nread = __wasi_size_t(n);
  return 0;
}

__wasi_errno_t __wasi_fd_write(__wasi_fd_t fd, const __wasi_ciovec_t* iovs,
                               size_t iovs_len, __wasi_size_t* nwritten) {
  auto lock = lock_core();
  auto file = fd_table().share(int(fd));
  if (!file) {
    lock.unlock();
    return __wasi_errno_t(
        _dsock_js_fs_fd_write(int(fd), iovs, iovs_len, nwritten));
  }
  ssize_t n = file->socket->send(lock, reinterpret_cast<const iovec*>(iovs),
                                 int(iovs_len), 0, nullptr, file->nonblock());
  if (n < 0)
    return __wasi_errno_t(-n);
  *nwritten = __wasi_size_t(n);
  return 0;
}

__wasi_errno_t __wasi_fd_close(__wasi_fd_t fd) {
  {
    auto lock = lock_core();
    fd_table().remove(int(fd));
  }
  return __wasi_errno_t(_dsock_js_fs_fd_close(int(fd)));
}

int __syscall_fcntl64(int fd, int cmd, ...) {
  va_list ap;
  va_start(ap, cmd);
  auto lock = lock_core();
  auto file = fd_table().share(fd);
  if (!file) {
    lock.unlock();
    int r = _dsock_js_fs_fcntl64(fd, cmd, ap);
    va_end(ap);
    return r;
  }
  int r = 0;
  switch (cmd) {
  case F_GETFL:
    r = O_RDWR | file->status_flags;
    break;
  case F_SETFL:
    file->status_flags = va_arg(ap, int) & O_NONBLOCK;
    break;
  case F_GETFD:
    r = fd_table().cloexec(fd) ? FD_CLOEXEC : 0;
    break;
  case F_SETFD:
    fd_table().set_cloexec(fd, va_arg(ap, int) & FD_CLOEXEC);
    break;
  case F_DUPFD:
  case F_DUPFD_CLOEXEC: {
    // Let the filesystem pick the number, then share the open file. The JS
    // filesystem knows only F_DUPFD (and musl, there being no exec, would
    // drop the FD_CLOEXEC), so the flag is kept here.
    r = _dsock_js_fs_fcntl64(fd, F_DUPFD, ap);
    if (r >= 0)
      fd_table().set(r, file, cmd == F_DUPFD_CLOEXEC);
    break;
  }
  default:
    r = -EINVAL;
  }
  va_end(ap);
  return r;
}

int __syscall_ioctl(int fd, int op, ...) {
  va_list ap;
  va_start(ap, op);
  auto lock = lock_core();
  auto file = fd_table().share(fd);
  if (!file) {
    lock.unlock();
    int r = _dsock_js_fs_ioctl(fd, op, ap);
    va_end(ap);
    return r;
  }
  int* arg = va_arg(ap, int*);
  va_end(ap);
  switch (op) {
  case FIONBIO:
    if (!arg)
      return -EFAULT;
    file->status_flags = *arg ? (file->status_flags | O_NONBLOCK)
                              : (file->status_flags & ~O_NONBLOCK);
    return 0;
  case FIONREAD:
    if (!arg)
      return -EFAULT;
    if (file->socket->state() == Socket::State::Listening)
      return -EINVAL;
    *arg = file->socket->readable_bytes();
    return 0;
  }
  return -ENOTTY;
}

// dup and dup3 run under the core lock, so the fd they copy cannot be closed
// by another thread half way.
int __syscall_dup(int fd) {
  auto lock = lock_core();
  int r = _dsock_js_fs_dup(fd);
  if (auto file = fd_table().share(fd); r >= 0 && file)
    fd_table().set(r, std::move(file), false);
  return r;
}

int __syscall_dup3(int fd, int newfd, int flags) {
  auto lock = lock_core();
  auto shared = fd_table().share(fd);
  int r = _dsock_js_fs_dup3(fd, newfd, flags);
  if (r < 0)
    return r;
  fd_table().remove(newfd); // dup3 closed whatever newfd was
  if (shared)
    fd_table().set(newfd, std::move(shared), flags & O_CLOEXEC);
  return r;
}

int __syscall_poll(pollfd* fds, nfds_t nfds, int timeout) {
  return poll_fds(fds, nfds, timeout);
}

int __syscall_poll_nonblocking(pollfd* fds, nfds_t nfds) {
  return poll_fds(fds, nfds, 0);
}

} // extern "C"
