// epoll: an interest list of (file, fd) entries and a ready list, kept as
// Linux's eventpoll keeps them. A file queues its entries when its readiness
// may have gained events (File::changed); a wait re-checks the queued
// entries only, reports those that are ready and keeps a level-triggered
// one queued for the next wait. EPOLLET reports an entry again only after
// the file's next change, EPOLLONESHOT disables it until EPOLL_CTL_MOD.
// Entries go when their file closes (its last fd, not the fd they name).
// Fds of the JS filesystem (TTYs, devices) send no notifications: their
// entries are polled at every wait.
#pragma once

#include "file.h"

#include <sys/epoll.h>

#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <utility>
#include <vector>

namespace directsockets {

class Epoll;

// One entry of an interest list.
class EpollItem {
public:
  EpollItem(Epoll* owner, File* file, int fd)
      : owner_(owner), file_(file), fd_(fd) {}
  Epoll* owner() const { return owner_; }
  // The file's readiness may have gained `events` (0: any).
  void notify(int events);

private:
  friend class Epoll;
  Epoll* const owner_;
  File* const file_; // null: a JS filesystem fd
  const int fd_;
  uint32_t events_ = 0; // what it watches, with EPOLLET, EPOLLONESHOT ...
  uint64_t data_ = 0;
  bool queued_ = false;
  std::list<EpollItem*>::iterator pos_; // in the ready list, when queued
  int seen_ = 0; // a JS fd's events at the last wait (for EPOLLET)
};

class Epoll : public File {
public:
  Epoll();
  ~Epoll() override;

  // epoll_ctl once the fds are known: `file` is the target's File, or null
  // for an fd of the JS filesystem that can be polled. 0 or -errno.
  int control(int op, File* file, int fd, const epoll_event& ev);
  // epoll_wait: the number of events written, or -errno.
  int wait(CoreLock& lock, epoll_event* events, int maxevents,
           double timeout_ms);
  // Drops an entry (its file is closing).
  void forget(EpollItem* item);
  // A JS filesystem fd was closed: its entries go from every instance.
  static void forget_fd(int fd);

  int poll_events() const override;
  ssize_t read(CoreLock& lock, const iovec* iov, int iovcnt,
               bool nonblock) override;
  ssize_t write(CoreLock& lock, const iovec* iov, int iovcnt,
                bool nonblock) override;
  int bytes_readable(int* n) const override;

private:
  friend class EpollItem;
  // The events an entry's file has now, of those it watches.
  static uint32_t events_now(const EpollItem& item);
  void add_to_ready(EpollItem* item);
  void remove_from_ready(EpollItem* item);
  // An entry was added or changed: queue it if its file is ready now.
  void recheck(EpollItem* item);
  void erase(EpollItem* item);
  int collect(epoll_event* events, int maxevents);
  // Whether adding `child` would make a cycle or nest epolls too deep.
  bool would_loop(const Epoll& child) const;
  static int depth_below(const Epoll& e, const Epoll* target);
  static int depth_above(const Epoll& e);

  std::map<std::pair<File*, int>, std::unique_ptr<EpollItem>> items_;
  std::vector<EpollItem*> js_items_;
  std::list<EpollItem*> ready_;
};

} // namespace directsockets
