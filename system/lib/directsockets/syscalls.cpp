// The POSIX entry points. These native definitions replace Emscripten's JS
// syscalls at link time: the socket calls, socketpair, pipe2 and epoll are
// the core's; for read/write/close/fcntl/ioctl/dup/poll the core handles its
// own fds (sockets, socketpair ends, pipe ends, epoll instances) and hands
// every other fd to the JS filesystem.
#include "bridge.h"
#include "epoll.h"
#include "fd_table.h"
#include "local_socket.h"
#include "pipe.h"
#include "socket.h"

#include <emscripten/syscalls.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <wasi/api.h>

#include <algorithm>
#include <climits>
#include <vector>

using namespace directsockets;

namespace {

constexpr int kSockFlags = SOCK_NONBLOCK | SOCK_CLOEXEC;
constexpr int kSockTypeMask = 0xf;
// What fstat reports for the core's files, as on Linux (an epoll fd is an
// anonymous inode with no file type).
constexpr int kSocketMode = S_IFSOCK | 0777;
constexpr int kPipeMode = S_IFIFO | 0600;
constexpr int kEpollMode = 0600;
// Linux's EP_MAX_EVENTS.
constexpr int kMaxEpollEvents = int(INT_MAX / sizeof(epoll_event));
// The kernel's sigset_t, which epoll_pwait's sigsetsize must match.
constexpr size_t kKernelSigsetSize = _NSIG / 8;

// Whether fd is open in the JS filesystem (it is not one of the core's).
bool js_fd_open(int fd) { return !(_dsock_js_poll_fd(fd, 0) & POLLNVAL); }

bool is_socket(const File& f) {
  return f.kind() == File::Kind::Socket || f.kind() == File::Kind::LocalSocket;
}

// Looks up a socket fd (with the core lock held): EBADF if fd is not open,
// ENOTSOCK if it is not a socket. The reference keeps the open file alive
// while a call waits, whatever another thread closes meanwhile.
std::shared_ptr<File> socket_file(int fd, int* err) {
  if (auto f = fd_table().share(fd)) {
    if (is_socket(*f))
      return f;
    *err = ENOTSOCK;
    return nullptr;
  }
  *err = js_fd_open(fd) ? ENOTSOCK : EBADF;
  return nullptr;
}

// A socketpair end, or null for a TCP/UDP socket.
LocalSocket* as_local(File& f) {
  return f.kind() == File::Kind::LocalSocket ? static_cast<LocalSocket*>(&f)
                                             : nullptr;
}

// Every socket call runs under the core lock, from the fd lookup on; `sock`
// is the TCP/UDP socket when `file` is not a socketpair end.
#define SOCKET_OR_RETURN(file, fd)                                             \
  auto lock = lock_core();                                                     \
  int err_ = 0;                                                                \
  auto file = socket_file(fd, &err_);                                          \
  if (!file)                                                                   \
    return -err_;                                                              \
  LocalSocket* local = as_local(*file);                                        \
  Socket* sock = local ? nullptr : static_cast<Socket*>(file.get());

// A new fd of the filesystem's table for `file`; the fd or -errno.
int new_fd(std::shared_ptr<File> file, int mode, int status_flags,
           bool cloexec) {
  int fd = _dsock_js_fd_open(mode);
  if (fd < 0)
    return fd;
  file->status_flags = status_flags;
  fd_table().set(fd, std::move(file), cloexec);
  return fd;
}

int new_socket_fd(std::shared_ptr<File> socket, int flags) {
  return new_fd(std::move(socket), kSocketMode,
                (flags & SOCK_NONBLOCK) ? O_NONBLOCK : 0, flags & SOCK_CLOEXEC);
}

// Closes an fd new_fd made (when its pair's second fd could not be had).
void drop_fd(int fd) {
  fd_table().remove(fd);
  _dsock_js_fs_fd_close(fd);
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
  bool has_to = msg->msg_name && msg->msg_namelen;
  if (local)
    return local->send(lock, msg->msg_iov, int(msg->msg_iovlen), flags,
                       has_to ? (const sockaddr*)msg->msg_name : nullptr,
                       has_to ? msg->msg_namelen : 0, file->nonblock());
  Endpoint to;
  if (has_to) {
    if (int r = read_address(*sock, (const sockaddr*)msg->msg_name,
                             msg->msg_namelen, &to))
      return r;
  }
  return sock->send(lock, msg->msg_iov, int(msg->msg_iovlen), flags,
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
  ssize_t n = local ? local->recv(lock, msg->msg_iov, int(msg->msg_iovlen),
                                  flags, &msg_flags, file->nonblock())
                    : sock->recv(lock, msg->msg_iov, int(msg->msg_iovlen),
                                 flags, &from, &msg_flags, file->nonblock());
  if (n < 0)
    return n;
  if (msg->msg_name) {
    // A stream socket names no source, nor does an unnamed socketpair end:
    // Linux sets the length to 0.
    socklen_t len = 0;
    if (sock && !sock->is_stream()) {
      len = msg->msg_namelen;
      endpoint_to_sockaddr(from, sock->family(), (sockaddr*)msg->msg_name,
                           &len);
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
      if (File* f = fd_table().get(p.fd)) {
        p.revents = short(f->readiness() & (p.events | always));
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

// AF_UNIX pairs live in the core and need no Direct Sockets; other families
// fail as socket() would, then as Linux's inet does (no socketpair there).
int __syscall_socketpair(int domain, int type, int protocol, int fds[2], int,
                         int) {
  if (type & ~kSockTypeMask & ~kSockFlags)
    return -EINVAL;
  if (!fds)
    return -EFAULT;
  if (domain != AF_UNIX) {
    int r = Socket::check_args(domain, type, protocol);
    return r ? r : -EOPNOTSUPP;
  }
  if (int r = LocalSocket::check_args(type & kSockTypeMask, protocol))
    return r;
  auto lock = lock_core();
  auto [a, b] = LocalSocket::create_pair(type & kSockTypeMask);
  int fd0 = new_socket_fd(std::move(a), type & kSockFlags);
  if (fd0 < 0)
    return fd0;
  int fd1 = new_socket_fd(std::move(b), type & kSockFlags);
  if (fd1 < 0) {
    drop_fd(fd0);
    return fd1;
  }
  fds[0] = fd0;
  fds[1] = fd1;
  return 0;
}

int __syscall_bind(int fd, const sockaddr* addr, socklen_t len, int, int, int) {
  SOCKET_OR_RETURN(file, fd);
  if (local)
    return local->bind(addr, len);
  Endpoint ep;
  if (int r = read_address(*sock, addr, len, &ep))
    return r;
  return sock->bind(lock, ep);
}

int __syscall_connect(int fd, const sockaddr* addr, socklen_t len, int, int,
                      int) {
  SOCKET_OR_RETURN(file, fd);
  if (local)
    return local->connect(addr, len);
  Endpoint ep;
  // AF_UNSPEC dissolves a UDP socket's association (ep.family stays so).
  bool unspec = addr && len >= (socklen_t)sizeof(sa_family_t) &&
                addr->sa_family == AF_UNSPEC;
  if (!unspec || sock->is_stream()) {
    if (int r = read_address(*sock, addr, len, &ep))
      return r;
  }
  return sock->connect(lock, ep, file->nonblock());
}

int __syscall_listen(int fd, int backlog, int, int, int, int) {
  SOCKET_OR_RETURN(file, fd);
  return local ? local->listen() : sock->listen(lock, backlog);
}

int __syscall_accept4(int fd, sockaddr* addr, socklen_t* len, int flags, int,
                      int) {
  SOCKET_OR_RETURN(file, fd);
  if (flags & ~kSockFlags)
    return -EINVAL;
  if (local)
    return -local->accept_error();
  if (addr && !len)
    return -EFAULT;
  int err = 0;
  auto conn = sock->accept(lock, file->nonblock(), &err);
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
  if (local)
    return local->name(addr, len, false);
  Endpoint ep;
  sock->local_address(&ep);
  return write_address(*sock, ep, addr, len);
}

int __syscall_getpeername(int fd, sockaddr* addr, socklen_t* len, int, int,
                          int) {
  SOCKET_OR_RETURN(file, fd);
  if (local)
    return local->name(addr, len, true);
  Endpoint ep;
  if (int r = sock->peer_address(&ep))
    return r;
  return write_address(*sock, ep, addr, len);
}

int __syscall_setsockopt(int fd, int level, int name, const void* value,
                         socklen_t len, int) {
  SOCKET_OR_RETURN(file, fd);
  return local ? local->setsockopt(level, name, value, len)
               : sock->setsockopt(level, name, value, len, &lock);
}

int __syscall_getsockopt(int fd, int level, int name, void* value,
                         socklen_t* len, int) {
  SOCKET_OR_RETURN(file, fd);
  if (!len)
    return -EFAULT;
  if (int(*len) < 0)
    return -EINVAL;
  return local ? local->getsockopt(level, name, value, len)
               : sock->getsockopt(level, name, value, len);
}

int __syscall_shutdown(int fd, int how, int, int, int, int) {
  SOCKET_OR_RETURN(file, fd);
  return local ? local->shutdown(how) : sock->shutdown(how);
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

// ---- Pipes ------------------------------------------------------------------

int __syscall_pipe2(int fds[2], int flags) {
  // Packet mode (O_DIRECT) is not implemented: refuse it.
  if (flags & ~(O_CLOEXEC | O_NONBLOCK))
    return -EINVAL;
  if (!fds)
    return -EFAULT;
  auto lock = lock_core();
  auto [read_end, write_end] = PipeEnd::create();
  int status = flags & O_NONBLOCK;
  bool cloexec = flags & O_CLOEXEC;
  int fd0 = new_fd(std::move(read_end), kPipeMode, status, cloexec);
  if (fd0 < 0)
    return fd0;
  int fd1 = new_fd(std::move(write_end), kPipeMode, status, cloexec);
  if (fd1 < 0) {
    drop_fd(fd0);
    return fd1;
  }
  fds[0] = fd0;
  fds[1] = fd1;
  return 0;
}

// ---- epoll ------------------------------------------------------------------

int __syscall_epoll_create1(int flags) {
  if (flags & ~EPOLL_CLOEXEC)
    return -EINVAL;
  auto lock = lock_core();
  return new_fd(std::make_shared<Epoll>(), kEpollMode, 0,
                flags & EPOLL_CLOEXEC);
}

int __syscall_epoll_ctl(int epfd, int op, int fd, epoll_event* ev) {
  // Linux's order of checks: the event, both fds, whether the target can be
  // polled, then whether epfd is an epoll instance other than the target.
  if (op != EPOLL_CTL_DEL && !ev)
    return -EFAULT;
  auto lock = lock_core();
  auto ep = fd_table().share(epfd);
  if (!ep && !js_fd_open(epfd))
    return -EBADF;
  auto target = fd_table().share(fd);
  if (!target) {
    // A JS filesystem fd: a TTY or device can be polled, a regular file or
    // directory cannot.
    struct stat st;
    if (int r = __syscall_fstat64(fd, &st))
      return r;
    if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))
      return -EPERM;
  }
  if (!ep || ep->kind() != File::Kind::Epoll || ep == target)
    return -EINVAL;
  return static_cast<Epoll&>(*ep).control(op, target.get(), fd,
                                          ev ? *ev : epoll_event{});
}

int __syscall_epoll_pwait(int epfd, epoll_event* events, int maxevents,
                          int timeout, const sigset_t* sigmask,
                          size_t sigsetsize) {
  // There are no signals to hold off while waiting: the mask is checked
  // but has nothing to act on.
  if (sigmask && sigsetsize != kKernelSigsetSize)
    return -EINVAL;
  auto lock = lock_core();
  auto ep = fd_table().share(epfd);
  if (!ep && !js_fd_open(epfd))
    return -EBADF;
  if (maxevents <= 0 || maxevents > kMaxEpollEvents)
    return -EINVAL;
  if (!ep || ep->kind() != File::Kind::Epoll)
    return -EINVAL;
  if (!events)
    return -EFAULT;
  return static_cast<Epoll&>(*ep).wait(lock, events, maxevents, timeout);
}

// Where musl's epoll_wait() sends a zero timeout (Emscripten 6.0.8 and
// later), as poll() does with __syscall_poll_nonblocking.
int __syscall_epoll_pwait_nonblocking(int epfd, epoll_event* events,
                                      int maxevents) {
  return __syscall_epoll_pwait(epfd, events, maxevents, 0, nullptr, 0);
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
  ssize_t n = file->read(lock, reinterpret_cast<const iovec*>(iovs),
                         int(iovs_len), file->nonblock());
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
  ssize_t n = file->write(lock, reinterpret_cast<const iovec*>(iovs),
                          int(iovs_len), file->nonblock());
  if (n < 0)
    return __wasi_errno_t(-n);
  *nwritten = __wasi_size_t(n);
  return 0;
}

__wasi_errno_t __wasi_fd_close(__wasi_fd_t fd) {
  {
    auto lock = lock_core();
    if (fd_table().get(int(fd)))
      fd_table().remove(int(fd));
    else
      Epoll::forget_fd(int(fd));
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
  auto* pipe = file->kind() == File::Kind::Pipe
                   ? static_cast<PipeEnd*>(file.get())
                   : nullptr;
  int r = 0;
  switch (cmd) {
  case F_GETFL:
    r = file->access_mode() | file->status_flags;
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
  case F_GETPIPE_SZ:
    r = pipe ? pipe->capacity() : -EBADF;
    break;
  case F_SETPIPE_SZ:
    r = pipe ? pipe->set_capacity(va_arg(ap, unsigned int)) : -EBADF;
    break;
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
    return file->bytes_readable(arg);
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
  // dup3 closed whatever newfd was.
  if (fd_table().get(newfd))
    fd_table().remove(newfd);
  else
    Epoll::forget_fd(newfd);
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
