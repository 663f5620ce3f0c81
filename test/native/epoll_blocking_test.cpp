// Calls on the core's files that wait (can_block() = 1, as under JSPI): the
// wait ends up in _dsock_js_wait with the core lock released, where the
// fake runs the hook the test queued -- another thread's write, data from
// the network, a close. A wait with no hook and no timeout throws.
#include "epoll.h"
#include "local_socket.h"
#include "pipe.h"
#include "socket_test_util.h"

#include <string>

using namespace testutil;

namespace {

// The core reads can_block() once per process: set it before any test runs.
const bool kBlocking = (fake::bridge().can_block = 1, true);

Endpoint ep_addr() { return ep("10.0.0.1", 80); }

void then(std::function<void()> hook) {
  fake::bridge().on_wait.push_back(std::move(hook));
}

class FileBlockingTest : public ::testing::Test {
protected:
  FileBlockingTest() { fake::reset(); }
  void SetUp() override { ASSERT_TRUE(kBlocking && can_block()); }
  CoreLock lock = lock_core();

  // What another thread does while this one waits: under the core lock.
  static ssize_t write_now(File& f, const std::string& s) {
    auto l = lock_core();
    iovec iov = {const_cast<char*>(s.data()), s.size()};
    return f.write(l, &iov, 1, true);
  }
  static ssize_t read_now(File& f, size_t len) {
    auto l = lock_core();
    std::string buf(len, '\0');
    iovec iov = {buf.data(), buf.size()};
    return f.read(l, &iov, 1, true);
  }
  ssize_t read(File& f, std::string* out, size_t len) {
    out->assign(len, '\0');
    iovec iov = {out->data(), out->size()};
    ssize_t n = f.read(lock, &iov, 1, false);
    out->resize(n > 0 ? size_t(n) : 0);
    return n;
  }
  ssize_t write(File& f, const std::string& s) {
    iovec iov = {const_cast<char*>(s.data()), s.size()};
    return f.write(lock, &iov, 1, false);
  }
};

} // namespace

TEST_F(FileBlockingTest, EpollWaitSleepsUntilAWrite) {
  Epoll ep;
  auto [r, w] = PipeEnd::create();
  epoll_event ev = {};
  ev.events = EPOLLIN;
  ev.data.u64 = 7;
  ASSERT_EQ(ep.control(EPOLL_CTL_ADD, r.get(), 3, ev), 0);
  PipeEnd* writer = w.get();
  then([] {}); // a spurious wake-up: the wait goes on
  then([writer] { write_now(*writer, "x"); });
  epoll_event out[2];
  EXPECT_EQ(ep.wait(lock, out, 2, -1), 1);
  EXPECT_EQ(out[0].data.u64, 7u);
  EXPECT_EQ(fake::bridge().waits, 2);
  EXPECT_EQ(fake::bridge().wait_timeouts.at(0), -1);
}

TEST_F(FileBlockingTest, EpollWaitSleepsUntilNetworkData) {
  Epoll epoll;
  auto s = tcp();
  ASSERT_EQ(s->connect(lock, ep_addr(), true), -EINPROGRESS);
  s->on_open(ep("10.0.0.9", 4000), ep_addr());
  epoll_event ev = {};
  ev.events = EPOLLIN | EPOLLET;
  ASSERT_EQ(epoll.control(EPOLL_CTL_ADD, s.get(), 3, ev), 0);
  Socket* p = s.get();
  then([p] { deliver(*p, "net"); });
  epoll_event out[2];
  EXPECT_EQ(epoll.wait(lock, out, 2, -1), 1);
  EXPECT_EQ(out[0].events, uint32_t(EPOLLIN));
}

TEST_F(FileBlockingTest, EpollWaitTimesOut) {
  Epoll ep;
  epoll_event out[1];
  double t0 = now_ms();
  EXPECT_EQ(ep.wait(lock, out, 1, 30), 0);
  EXPECT_GE(now_ms() - t0, 29);
  EXPECT_EQ(ep.wait(lock, out, 1, 0), 0); // zero: no wait at all
}

TEST_F(FileBlockingTest, PipeReadWaitsForData) {
  auto [r, w] = PipeEnd::create();
  PipeEnd* writer = w.get();
  then([writer] { write_now(*writer, "hello"); });
  std::string got;
  EXPECT_EQ(read(*r, &got, 10), 5);
  EXPECT_EQ(got, "hello");
}

TEST_F(FileBlockingTest, PipeReadWakesWithEofWhenTheWriterCloses) {
  auto [r, w] = PipeEnd::create();
  std::shared_ptr<PipeEnd> writer = w;
  w.reset();
  then([&writer] {
    auto l = lock_core();
    writer.reset();
  });
  std::string got;
  EXPECT_EQ(read(*r, &got, 10), 0);
}

TEST_F(FileBlockingTest, PipeWriteWaitsForRoomAndTakesItAll) {
  auto [r, w] = PipeEnd::create();
  ASSERT_EQ(write(*w, std::string(65536, 'a')), 65536);
  PipeEnd* reader = r.get();
  then([reader] { read_now(*reader, 4096); });
  then([reader] { read_now(*reader, 65536); });
  EXPECT_EQ(write(*w, std::string(8192, 'b')), 8192);
  EXPECT_EQ(fake::bridge().waits, 2);
}

TEST_F(FileBlockingTest, PipeWriteEndsWithEpipeWhenTheReaderCloses) {
  auto [r, w] = PipeEnd::create();
  ASSERT_EQ(write(*w, std::string(65536, 'a')), 65536);
  std::shared_ptr<PipeEnd> reader = r;
  r.reset();
  then([&reader] {
    auto l = lock_core();
    reader.reset();
  });
  EXPECT_EQ(write(*w, "x"), -EPIPE);
}

TEST_F(FileBlockingTest, SocketpairRecvWaitsForTheOtherEnd) {
  auto [a, b] = LocalSocket::create_pair(SOCK_STREAM);
  LocalSocket* peer = b.get();
  then([peer] { write_now(*peer, "sp"); });
  std::string got;
  EXPECT_EQ(read(*a, &got, 10), 2);
  EXPECT_EQ(got, "sp");
}

TEST_F(FileBlockingTest, SocketpairSendWaitsForRoom) {
  auto [a, b] = LocalSocket::create_pair(SOCK_STREAM);
  LocalSocket* peer = b.get();
  // 300000 bytes: more than SO_SNDBUF lets queue at once.
  then([peer] { read_now(*peer, 1 << 20); });
  then([peer] { read_now(*peer, 1 << 20); });
  EXPECT_EQ(write(*a, std::string(300000, 'z')), 300000);
  EXPECT_GE(fake::bridge().waits, 1);
}

TEST_F(FileBlockingTest, DatagramRecvHonoursSoRcvtimeo) {
  auto [a, b] = LocalSocket::create_pair(SOCK_DGRAM);
  timeval tv = {0, 20000};
  ASSERT_EQ(a->setsockopt(SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  std::string got;
  EXPECT_EQ(read(*a, &got, 10), -EAGAIN);
  EXPECT_EQ(fake::bridge().wait_timeouts.size(), 1u);
  EXPECT_LE(fake::bridge().wait_timeouts.at(0), 20);
}
