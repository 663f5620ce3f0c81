#include "file.h"

#include "epoll.h"

#include <fcntl.h>
#include <poll.h>

#include <algorithm>

namespace directsockets {

File::~File() {
  // The last reference is gone: Linux drops the file from every interest
  // list then, whichever fds named it.
  for (EpollItem* item : std::vector<EpollItem*>(watchers_))
    item->owner()->forget(item);
}

bool File::nonblock() const { return status_flags & O_NONBLOCK; }

int File::access_mode() const { return O_RDWR; }

int File::readiness() const {
  int ev = poll_events();
  if (ev & POLLIN)
    ev |= POLLRDNORM;
  if (ev & POLLOUT)
    ev |= POLLWRNORM;
  return ev;
}

void File::add_watcher(EpollItem* item) { watchers_.push_back(item); }

void File::remove_watcher(EpollItem* item) {
  watchers_.erase(std::remove(watchers_.begin(), watchers_.end(), item),
                  watchers_.end());
}

void File::changed(int events) {
  for (EpollItem* item : watchers_)
    item->notify(events);
  notify_waiters();
}

} // namespace directsockets
