// An open file description of the core: what an fd, and every dup of it,
// names. Sockets, socketpair ends, pipe ends and epoll instances are Files;
// regular files and TTYs stay with the JS filesystem.
//
// Methods are called with the core lock held and return a count or a
// negative errno, as syscalls do. A File reports its readiness
// (poll_events) and calls changed() wherever that may have gained events:
// blocked callers wake, and the epoll instances watching the file queue it,
// as the kernel's wait-queue callbacks do.
#pragma once

#include "blocking.h"

#include <sys/types.h>
#include <sys/uio.h>

#include <vector>

namespace directsockets {

class EpollItem;

class File {
public:
  enum class Kind { Socket, LocalSocket, Pipe, Epoll };

  explicit File(Kind kind) : kind_(kind) {}
  virtual ~File();
  File(const File&) = delete;
  File& operator=(const File&) = delete;

  Kind kind() const { return kind_; }

  // Status flags (O_NONBLOCK), shared by every dup, as F_SETFL sets them.
  int status_flags = 0;
  bool nonblock() const;
  // F_GETFL's access mode.
  virtual int access_mode() const;

  // poll() events that hold now (POLLIN, POLLOUT, POLLHUP, POLLERR ...).
  virtual int poll_events() const = 0;
  // The same with the POLLRDNORM/POLLWRNORM that go with POLLIN/POLLOUT.
  int readiness() const;

  // read()/readv() and write()/writev().
  virtual ssize_t read(CoreLock& lock, const iovec* iov, int iovcnt,
                       bool nonblock) = 0;
  virtual ssize_t write(CoreLock& lock, const iovec* iov, int iovcnt,
                        bool nonblock) = 0;
  // ioctl(FIONREAD): 0 with the count in *n, or -errno.
  virtual int bytes_readable(int* n) const = 0;

  // The epoll interest-list entries that watch this file (epoll.cpp).
  void add_watcher(EpollItem* item);
  void remove_watcher(EpollItem* item);
  const std::vector<EpollItem*>& watchers() const { return watchers_; }

protected:
  // Readiness may have gained `events` (0: any): wakes blocked callers and
  // queues this file in the epoll instances that watch for those events.
  void changed(int events = 0);

private:
  const Kind kind_;
  std::vector<EpollItem*> watchers_;
};

} // namespace directsockets
