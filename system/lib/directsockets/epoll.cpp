#include "epoll.h"

#include "bridge.h"

#include <poll.h>

#include <algorithm>
#include <climits>

namespace directsockets {

namespace {

// Bits of an entry that are not events.
constexpr uint32_t kPrivateBits =
    EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE;
// What EPOLLEXCLUSIVE may come with.
constexpr uint32_t kExclusiveOkBits = EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP |
                                      EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE;
// Linux's EP_MAX_NESTS: how deep epoll instances may watch each other.
constexpr int kMaxNests = 4;
constexpr int kLoop = INT_MAX;

std::vector<Epoll*>& instances() {
  static std::vector<Epoll*> all;
  return all;
}

} // namespace

void EpollItem::notify(int events) {
  if (!(events_ & ~kPrivateBits))
    return; // disabled by EPOLLONESHOT
  if (events && !(uint32_t(events) & events_))
    return; // not a change this entry watches for
  owner_->add_to_ready(this);
}

Epoll::Epoll() : File(Kind::Epoll) { instances().push_back(this); }

Epoll::~Epoll() {
  while (!items_.empty())
    erase(items_.begin()->second.get());
  auto& all = instances();
  all.erase(std::remove(all.begin(), all.end(), this), all.end());
}

uint32_t Epoll::events_now(const EpollItem& item) {
  int ev = item.file_ ? item.file_->readiness()
                      : _dsock_js_poll_fd(item.fd_, int(item.events_ & 0xffff));
  return uint32_t(ev) & item.events_ & ~kPrivateBits;
}

void Epoll::add_to_ready(EpollItem* item) {
  if (!item->queued_) {
    item->pos_ = ready_.insert(ready_.end(), item);
    item->queued_ = true;
  }
  changed(POLLIN); // waiters, and the epoll instances that watch this one
}

void Epoll::remove_from_ready(EpollItem* item) {
  if (item->queued_) {
    ready_.erase(item->pos_);
    item->queued_ = false;
  }
}

void Epoll::recheck(EpollItem* item) {
  if (events_now(*item)) {
    if (item->file_)
      add_to_ready(item);
    else
      changed(POLLIN); // polled at the next wait: wake one that waits now
  }
}

int Epoll::control(int op, File* file, int fd, const epoll_event& ev) {
  uint32_t events = ev.events;
  Epoll* child =
      file && file->kind() == Kind::Epoll ? static_cast<Epoll*>(file) : nullptr;
  // Linux's order: EPOLLEXCLUSIVE's rules, loops, then the entry itself.
  if (op != EPOLL_CTL_DEL && (events & EPOLLEXCLUSIVE)) {
    if (op == EPOLL_CTL_MOD)
      return -EINVAL;
    if (op == EPOLL_CTL_ADD && (child || (events & ~kExclusiveOkBits)))
      return -EINVAL;
  }
  if (op == EPOLL_CTL_ADD && child && would_loop(*child))
    return -ELOOP;
  auto found = items_.find({file, fd});
  EpollItem* item = found == items_.end() ? nullptr : found->second.get();
  switch (op) {
  case EPOLL_CTL_ADD: {
    if (item)
      return -EEXIST;
    auto owned = std::make_unique<EpollItem>(this, file, fd);
    item = owned.get();
    // Errors and hang-ups are always reported.
    item->events_ = events | EPOLLERR | EPOLLHUP;
    item->data_ = ev.data.u64;
    items_.emplace(std::make_pair(file, fd), std::move(owned));
    if (file)
      file->add_watcher(item);
    else
      js_items_.push_back(item);
    recheck(item);
    return 0;
  }
  case EPOLL_CTL_DEL:
    if (!item)
      return -ENOENT;
    erase(item);
    return 0;
  case EPOLL_CTL_MOD:
    if (!item)
      return -ENOENT;
    if (item->events_ & EPOLLEXCLUSIVE)
      return -EINVAL;
    item->events_ = events | EPOLLERR | EPOLLHUP;
    item->data_ = ev.data.u64;
    item->seen_ = 0;
    recheck(item); // re-arms EPOLLET and EPOLLONESHOT entries
    return 0;
  }
  return -EINVAL;
}

void Epoll::erase(EpollItem* item) {
  remove_from_ready(item);
  if (item->file_)
    item->file_->remove_watcher(item);
  else
    js_items_.erase(std::find(js_items_.begin(), js_items_.end(), item));
  items_.erase({item->file_, item->fd_});
}

void Epoll::forget(EpollItem* item) { erase(item); }

void Epoll::forget_fd(int fd) {
  for (Epoll* ep : instances()) {
    auto found = ep->items_.find({nullptr, fd});
    if (found != ep->items_.end())
      ep->erase(found->second.get());
  }
}

// Linux's ep_send_events: each queued entry is checked once; one that is
// ready is reported, and a level-triggered one queued again at the back,
// so entries take turns when maxevents is small.
int Epoll::collect(epoll_event* events, int maxevents) {
  int n = 0;
  auto report = [&](EpollItem* item, uint32_t ev) {
    events[n].events = ev;
    events[n].data.u64 = item->data_;
    n++;
    if (item->events_ & EPOLLONESHOT)
      item->events_ &= kPrivateBits;
  };
  for (size_t todo = ready_.size(); todo && n < maxevents; todo--) {
    EpollItem* item = ready_.front();
    remove_from_ready(item);
    uint32_t ev = events_now(*item);
    if (!ev)
      continue;
    report(item, ev);
    if (!(item->events_ & EPOLLET) && (item->events_ & ~kPrivateBits)) {
      item->pos_ = ready_.insert(ready_.end(), item);
      item->queued_ = true;
    }
  }
  for (EpollItem* item : js_items_) {
    if (n >= maxevents)
      break;
    uint32_t ev = (item->events_ & ~kPrivateBits) ? events_now(*item) : 0;
    // Edge-triggered: only events the last wait did not see.
    uint32_t fresh =
        (item->events_ & EPOLLET) ? ev & ~uint32_t(item->seen_) : ev;
    item->seen_ = int(ev);
    if (fresh)
      report(item, ev);
  }
  return n;
}

int Epoll::wait(CoreLock& lock, epoll_event* events, int maxevents,
                double timeout_ms) {
  double deadline = deadline_after(timeout_ms);
  std::vector<int> watch;
  while (true) {
    int n = collect(events, maxevents);
    if (n || timeout_ms == 0 || !can_block() ||
        (deadline >= 0 && now_ms() >= deadline))
      return n;
    watch.clear();
    for (EpollItem* item : js_items_)
      watch.push_back(item->fd_);
    wait_for_event(lock, deadline, watch.data(), int(watch.size()));
  }
}

int Epoll::poll_events() const {
  for (EpollItem* item : ready_)
    if (events_now(*item))
      return POLLIN;
  for (EpollItem* item : js_items_)
    if ((item->events_ & ~kPrivateBits) && events_now(*item))
      return POLLIN;
  return 0;
}

ssize_t Epoll::read(CoreLock&, const iovec*, int, bool) { return -EINVAL; }
ssize_t Epoll::write(CoreLock&, const iovec*, int, bool) { return -EINVAL; }
int Epoll::bytes_readable(int*) const { return -EINVAL; }

int Epoll::depth_below(const Epoll& e, const Epoll* target) {
  int depth = 0;
  for (const auto& entry : e.items_) {
    File* f = entry.first.first;
    if (!f || f->kind() != Kind::Epoll)
      continue;
    if (f == target)
      return kLoop;
    int d = depth_below(static_cast<const Epoll&>(*f), target);
    if (d == kLoop)
      return kLoop;
    depth = std::max(depth, d + 1);
  }
  return depth;
}

int Epoll::depth_above(const Epoll& e) {
  int depth = 0;
  for (EpollItem* w : e.watchers())
    depth = std::max(depth, 1 + depth_above(*w->owner()));
  return depth;
}

// Linux's ep_loop_check.
bool Epoll::would_loop(const Epoll& child) const {
  int below = depth_below(child, this);
  if (below == kLoop)
    return true;
  return below + 1 + depth_above(*this) > kMaxNests;
}

} // namespace directsockets
