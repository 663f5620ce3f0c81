// The epoll interest list and ready list: level- and edge-triggered and
// one-shot entries, what is always reported, epoll_ctl's rules, entries that
// go with their file, nesting, and JS filesystem fds, over pipes,
// socketpairs and (fake-bridged) TCP sockets. Waits here never block
// (can_block() = 0); epoll_blocking_test.cpp has those that do.
#include "epoll.h"
#include "local_socket.h"
#include "pipe.h"
#include "socket_test_util.h"

#include <fcntl.h>
#include <poll.h>

#include <string>
#include <vector>

using namespace testutil;

namespace {

struct Event {
  uint32_t events;
  uint64_t data;
  bool operator==(const Event&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Event& e) {
  return os << "{" << std::hex << e.events << ", " << e.data << std::dec << "}";
}

class EpollTest : public ::testing::Test {
protected:
  EpollTest() { fake::reset(); }
  CoreLock lock = lock_core();
  Epoll ep;

  int ctl(int op, File* file, int fd, uint32_t events, uint64_t data = 0) {
    epoll_event ev = {};
    ev.events = events;
    ev.data.u64 = data;
    return ep.control(op, file, fd, ev);
  }
  int add(File* file, int fd, uint32_t events, uint64_t data = 0) {
    return ctl(EPOLL_CTL_ADD, file, fd, events, data);
  }
  int mod(File* file, int fd, uint32_t events, uint64_t data = 0) {
    return ctl(EPOLL_CTL_MOD, file, fd, events, data);
  }
  std::vector<Event> wait(int max = 8, Epoll* e = nullptr) {
    epoll_event out[8];
    int n = (e ? e : &ep)->wait(lock, out, max, 0);
    EXPECT_GE(n, 0);
    std::vector<Event> events;
    for (int i = 0; i < n; i++)
      events.push_back({out[i].events, out[i].data.u64});
    return events;
  }
  ssize_t write(File& f, const std::string& s) {
    iovec iov = {const_cast<char*>(s.data()), s.size()};
    return f.write(lock, &iov, 1, true);
  }
  ssize_t read(File& f, size_t len) {
    std::string buf(len, '\0');
    iovec iov = {buf.data(), buf.size()};
    return f.read(lock, &iov, 1, true);
  }
};

using Events = std::vector<Event>;

// testutil::ep, under a name the fixture's `ep` does not hide.
Endpoint ep_(const char* host, uint16_t port) {
  return testutil::ep(host, port);
}

} // namespace

TEST_F(EpollTest, LevelTriggeredReportsWhileReady) {
  auto [r, w] = PipeEnd::create();
  ASSERT_EQ(add(r.get(), 3, EPOLLIN, 0x1122334455667788ull), 0);
  EXPECT_EQ(wait(), Events{});
  write(*w, "ab");
  EXPECT_EQ(wait(), (Events{{EPOLLIN, 0x1122334455667788ull}}));
  EXPECT_EQ(wait(), (Events{{EPOLLIN, 0x1122334455667788ull}}));
  read(*r, 10);
  EXPECT_EQ(wait(), Events{});
}

TEST_F(EpollTest, AnEntryReadyWhenAddedIsReported) {
  auto [r, w] = PipeEnd::create();
  write(*w, "x");
  ASSERT_EQ(add(r.get(), 3, EPOLLIN | EPOLLET, 1), 0);
  EXPECT_EQ(wait(), (Events{{EPOLLIN, 1}}));
  EXPECT_EQ(wait(), Events{});
}

TEST_F(EpollTest, EdgeTriggeredReportsEachWrite) {
  auto [r, w] = PipeEnd::create();
  ASSERT_EQ(add(r.get(), 3, EPOLLIN | EPOLLET, 1), 0);
  write(*w, "a");
  EXPECT_EQ(wait().size(), 1u);
  EXPECT_EQ(wait(), Events{});
  write(*w, "b"); // still readable before, a new event all the same
  EXPECT_EQ(wait().size(), 1u);
  read(*r, 1); // a read is no event
  EXPECT_EQ(wait(), Events{});
  EXPECT_EQ(mod(r.get(), 3, EPOLLIN | EPOLLET, 1), 0); // MOD re-arms
  EXPECT_EQ(wait().size(), 1u);
}

TEST_F(EpollTest, EdgeTriggeredWriteEndHearsOfAFreedPage) {
  auto [r, w] = PipeEnd::create();
  ASSERT_EQ(add(w.get(), 4, EPOLLOUT | EPOLLET, 2), 0);
  EXPECT_EQ(wait(), (Events{{EPOLLOUT, 2}}));
  while (write(*w, std::string(4096, 'x')) > 0) {
  }
  EXPECT_EQ(wait(), Events{});
  read(*r, 100); // the first page is not free yet
  EXPECT_EQ(wait(), Events{});
  read(*r, 3996);
  EXPECT_EQ(wait(), (Events{{EPOLLOUT, 2}}));
  read(*r, 4096); // the pipe was not full: no event
  EXPECT_EQ(wait(), Events{});
}

TEST_F(EpollTest, OneShotIsDisabledUntilModified) {
  auto [r, w] = PipeEnd::create();
  ASSERT_EQ(add(r.get(), 3, EPOLLIN | EPOLLONESHOT, 3), 0);
  write(*w, "a");
  EXPECT_EQ(wait().size(), 1u);
  EXPECT_EQ(wait(), Events{});
  write(*w, "b");
  EXPECT_EQ(wait(), Events{});
  EXPECT_EQ(mod(r.get(), 3, EPOLLIN | EPOLLONESHOT, 3), 0);
  EXPECT_EQ(wait().size(), 1u);
  EXPECT_EQ(wait(), Events{});
}

TEST_F(EpollTest, ErrorsAndHangUpsAreAlwaysReported) {
  auto [r, w] = PipeEnd::create();
  ASSERT_EQ(add(r.get(), 3, 0, 4), 0);
  ASSERT_EQ(add(w.get(), 4, 0, 5), 0);
  EXPECT_EQ(wait(), Events{});
  write(*w, "x");
  EXPECT_EQ(wait(), Events{}); // EPOLLIN was not asked for
  r.reset();                   // the read end closes: EPOLLERR at the writer
  EXPECT_EQ(wait(), (Events{{EPOLLERR, 5}}));
}

TEST_F(EpollTest, EntriesTakeTurnsWhenMaxeventsIsSmall) {
  auto [r1, w1] = PipeEnd::create();
  auto [r2, w2] = PipeEnd::create();
  write(*w1, "1");
  write(*w2, "2");
  add(r1.get(), 3, EPOLLIN, 10);
  add(r2.get(), 5, EPOLLIN, 20);
  EXPECT_EQ(wait(1), (Events{{EPOLLIN, 10}}));
  EXPECT_EQ(wait(1), (Events{{EPOLLIN, 20}}));
  EXPECT_EQ(wait(1), (Events{{EPOLLIN, 10}}));
  EXPECT_EQ(wait(8).size(), 2u);
}

TEST_F(EpollTest, ControlErrors) {
  auto [r, w] = PipeEnd::create();
  ASSERT_EQ(add(r.get(), 3, EPOLLIN), 0);
  EXPECT_EQ(add(r.get(), 3, EPOLLIN), -EEXIST);
  EXPECT_EQ(add(r.get(), 6, EPOLLIN), 0); // another fd of the same file
  EXPECT_EQ(ctl(EPOLL_CTL_DEL, w.get(), 4, 0), -ENOENT);
  EXPECT_EQ(mod(w.get(), 4, EPOLLIN), -ENOENT);
  EXPECT_EQ(ctl(99, r.get(), 3, EPOLLIN), -EINVAL);
  EXPECT_EQ(add(w.get(), 4, EPOLLOUT | EPOLLEXCLUSIVE), 0);
  EXPECT_EQ(mod(w.get(), 4, EPOLLOUT), -EINVAL); // an exclusive entry
  EXPECT_EQ(mod(r.get(), 3, EPOLLIN | EPOLLEXCLUSIVE), -EINVAL);
  auto [r2, w2] = PipeEnd::create();
  EXPECT_EQ(add(r2.get(), 7, EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT), -EINVAL);
  EXPECT_EQ(add(r2.get(), 7, EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP), -EINVAL);
  Epoll inner;
  EXPECT_EQ(add(&inner, 8, EPOLLIN | EPOLLEXCLUSIVE), -EINVAL);
  EXPECT_EQ(ctl(EPOLL_CTL_DEL, r.get(), 3, 0), 0);
  EXPECT_EQ(ctl(EPOLL_CTL_DEL, r.get(), 3, 0), -ENOENT);
}

TEST_F(EpollTest, AnEntryGoesWithItsFile) {
  auto [r, w] = PipeEnd::create();
  write(*w, "x");
  add(r.get(), 3, EPOLLIN, 1);
  EXPECT_EQ(wait().size(), 1u); // queued, and re-queued (level-triggered)
  r.reset();                    // its last reference: the entry goes
  EXPECT_EQ(wait(), Events{});
  EXPECT_EQ(add(nullptr, 3, EPOLLIN), 0); // the key (file, fd) is free
}

TEST_F(EpollTest, ClosingTheInstanceUnhooksItsFiles) {
  auto [r, w] = PipeEnd::create();
  {
    Epoll other;
    epoll_event ev = {};
    ev.events = EPOLLIN;
    ASSERT_EQ(other.control(EPOLL_CTL_ADD, r.get(), 3, ev), 0);
    EXPECT_EQ(r->watchers().size(), 1u);
  }
  EXPECT_TRUE(r->watchers().empty());
  write(*w, "x"); // would reach the freed entry (ASan) if it were left
}

TEST_F(EpollTest, NestedInstances) {
  auto inner = std::make_shared<Epoll>();
  auto [r, w] = PipeEnd::create();
  ASSERT_EQ(add(inner.get(), 9, EPOLLIN, 9), 0);
  epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.u64 = 1;
  ASSERT_EQ(inner->control(EPOLL_CTL_ADD, r.get(), 3, ev), 0);
  EXPECT_EQ(wait(), Events{});
  EXPECT_EQ(inner->poll_events(), 0);
  write(*w, "x");
  EXPECT_EQ(inner->poll_events(), POLLIN);
  EXPECT_EQ(wait(), (Events{{EPOLLIN, 9}}));
  EXPECT_EQ(wait(8, inner.get()), (Events{{EPOLLIN, 1}}));
  read(*r, 1);
  EXPECT_EQ(wait(), Events{}); // re-checked: no longer ready
  // A cycle, and nesting past four levels, are ELOOP.
  EXPECT_EQ(inner->control(EPOLL_CTL_ADD, &ep, 10, ev), -ELOOP);
  inner.reset(); // its entry in ep goes with it, and its own entries
  EXPECT_TRUE(r->watchers().empty());
  write(*w, "y");
  EXPECT_EQ(wait(), Events{});
}

TEST_F(EpollTest, NestingDepthIsLimited) {
  std::vector<std::unique_ptr<Epoll>> chain;
  for (int i = 0; i < 6; i++)
    chain.push_back(std::make_unique<Epoll>());
  epoll_event ev = {};
  ev.events = EPOLLIN;
  for (int i = 1; i < 5; i++)
    EXPECT_EQ(chain[i]->control(EPOLL_CTL_ADD, chain[i - 1].get(), i, ev), 0);
  EXPECT_EQ(chain[5]->control(EPOLL_CTL_ADD, chain[4].get(), 5, ev), -ELOOP);
  // Above: e0 in e1 in ... e4; adding e4's parent chain on top is too deep.
  EXPECT_EQ(chain[0]->control(EPOLL_CTL_ADD, chain[5].get(), 6, ev), -ELOOP);
  for (int i = 4; i >= 0; i--)
    chain[i].reset(); // parents go first: entries unhook either way
}

TEST_F(EpollTest, SocketpairEdges) {
  auto [a, b] = LocalSocket::create_pair(SOCK_STREAM);
  ASSERT_EQ(add(a.get(), 3, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, 1), 0);
  EXPECT_EQ(wait(), (Events{{EPOLLOUT, 1}}));
  write(*b, "x");
  EXPECT_EQ(wait(), (Events{{EPOLLIN | EPOLLOUT, 1}}));
  write(*a, "abc");
  EXPECT_EQ(wait(), Events{});
  read(*b, 2); // part of a piece: nothing freed
  EXPECT_EQ(wait(), Events{});
  read(*b, 1); // the piece is gone: the writer hears
  EXPECT_EQ(wait(), (Events{{EPOLLIN | EPOLLOUT, 1}}));
  EXPECT_EQ(b->shutdown(SHUT_WR), 0);
  EXPECT_EQ(wait(), (Events{{EPOLLIN | EPOLLOUT | EPOLLRDHUP, 1}}));
  b.reset();
  EXPECT_EQ(wait(), (Events{{EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLHUP, 1}}));
}

TEST_F(EpollTest, TcpSocketEvents) {
  auto s = tcp();
  ASSERT_EQ(add(s.get(), 3, EPOLLIN | EPOLLOUT | EPOLLET, 1), 0);
  EXPECT_EQ(wait(), (Events{{EPOLLOUT | EPOLLHUP, 1}})); // a fresh socket
  ASSERT_EQ(s->connect(lock, ep_("10.0.0.1", 80), true), -EINPROGRESS);
  EXPECT_EQ(wait(), Events{});
  s->on_open(ep_("10.0.0.9", 4000), ep_("10.0.0.1", 80));
  EXPECT_EQ(wait(), (Events{{EPOLLOUT, 1}}));
  deliver(*s, "abc");
  EXPECT_EQ(wait(), (Events{{EPOLLIN | EPOLLOUT, 1}}));
  EXPECT_EQ(wait(), Events{});
  // A completed send while the window was open is no event; one that frees
  // a fair share of a full window again is (Linux's SOCK_NOSPACE).
  EXPECT_EQ(send_bytes(*s, lock, "x"), 1);
  s->on_sent(1);
  EXPECT_EQ(wait(), Events{});
  EXPECT_EQ(send_bytes(*s, lock, std::string(64 * 1024, 'y')), 64 * 1024);
  EXPECT_EQ(s->poll_events() & POLLOUT, 0);
  s->on_sent(1024);
  EXPECT_EQ(wait(), Events{});
  s->on_sent(30000);
  EXPECT_EQ(wait(), (Events{{EPOLLIN | EPOLLOUT, 1}}));
  s->on_eof();
  EXPECT_EQ(wait(), (Events{{EPOLLIN | EPOLLOUT, 1}}));
}

TEST_F(EpollTest, JsFilesystemFdsArePolled) {
  fake::bridge().poll_fd_result = 0;
  ASSERT_EQ(add(nullptr, 0, EPOLLIN, 1), 0);
  ASSERT_EQ(add(nullptr, 1, EPOLLIN | EPOLLET, 2), 0);
  EXPECT_EQ(wait(), Events{});
  fake::bridge().poll_fd_result = POLLIN;
  EXPECT_EQ(wait(), (Events{{EPOLLIN, 1}, {EPOLLIN, 2}}));
  EXPECT_EQ(wait(), (Events{{EPOLLIN, 1}})); // the edge was seen
  Epoll::forget_fd(0);                       // fd 0 closed
  EXPECT_EQ(wait(), Events{});
  EXPECT_EQ(mod(nullptr, 1, EPOLLIN | EPOLLET, 2), 0); // re-armed
  EXPECT_EQ(wait(), (Events{{EPOLLIN, 2}}));
  EXPECT_EQ(ep.poll_events(), POLLIN);
}

TEST_F(EpollTest, AWaitThatCannotBlockReturnsAtOnce) {
  epoll_event out[1];
  EXPECT_EQ(ep.wait(lock, out, 1, -1), 0);
  EXPECT_EQ(fake::bridge().waits, 0);
}

TEST_F(EpollTest, IsNoStream) {
  EXPECT_EQ(read(ep, 1), -EINVAL);
  EXPECT_EQ(write(ep, "x"), -EINVAL);
  int n = 0;
  EXPECT_EQ(ep.bytes_readable(&n), -EINVAL);
  EXPECT_EQ(ep.access_mode(), O_RDWR);
}
