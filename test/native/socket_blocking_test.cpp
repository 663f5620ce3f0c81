// Blocking calls (can_block() = 1, as under JSPI). A call that must wait
// ends up in _dsock_js_wait with the core lock released; the fake runs the
// hook the test queued there, which plays the bridge event the call waits
// for. A wait with no hook and no timeout throws fake::StuckWait.
#include "socket_test_util.h"

#include <poll.h>
#include <sys/time.h>

#include <chrono>

using namespace testutil;
using State = Socket::State;

namespace {

// The core reads can_block() once per process: set it before any test runs.
const bool kBlocking = (fake::bridge().can_block = 1, true);

void then(std::function<void()> hook) {
  fake::bridge().on_wait.push_back(std::move(hook));
}

timeval ms(int n) { return timeval{n / 1000, (n % 1000) * 1000}; }

} // namespace

class BlockingTest : public SocketTest {
protected:
  void SetUp() override { ASSERT_TRUE(kBlocking && can_block()); }
};

TEST_F(BlockingTest, ConnectWaitsForOpen) {
  auto s = tcp();
  Socket* p = s.get();
  then([p] { p->on_open(ep("10.0.0.9", 40000), ep("10.0.0.1", 80)); });
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), false), 0);
  EXPECT_EQ(s->state(), State::Connected);
  EXPECT_EQ(fake::bridge().waits, 1);
  EXPECT_EQ(fake::bridge().wait_timeouts.at(0), -1); // no SO_SNDTIMEO
}

TEST_F(BlockingTest, NonblockingConnectDoesNotWait) {
  auto s = tcp();
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  EXPECT_EQ(fake::bridge().waits, 0);
}

TEST_F(BlockingTest, ConnectSurvivesSpuriousWakeups) {
  auto s = tcp();
  Socket* p = s.get();
  then([] {});
  then([p] { p->on_sent(0); }); // an unrelated event
  then([p] { p->on_open(ep("10.0.0.9", 40000), ep("10.0.0.1", 80)); });
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), false), 0);
  EXPECT_EQ(fake::bridge().waits, 3);
}

TEST_F(BlockingTest, ConnectFailureIsReturnedAndConsumed) {
  auto s = tcp();
  Socket* p = s.get();
  then([p] { p->on_error(ECONNREFUSED); });
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), false), -ECONNREFUSED);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), 0);
}

// socket(7): when SO_SNDTIMEO expires during a blocking connect(), the
// attempt goes on and connect() says EINPROGRESS.
TEST_F(BlockingTest, ConnectTimeoutIsEinprogress) {
  auto s = tcp();
  timeval tv = ms(20);
  ASSERT_EQ(s->setsockopt(SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), 0);
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), false), -EINPROGRESS);
}

TEST_F(BlockingTest, ConnectTimeoutLeavesTheAttemptRunning) {
  auto s = tcp();
  timeval tv = ms(20);
  ASSERT_EQ(s->setsockopt(SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), 0);
  EXPECT_LT(s->connect(lock, ep("10.0.0.1", 80), false), 0);
  EXPECT_EQ(s->state(), State::Opening);
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EALREADY);
  s->on_open(ep("10.0.0.9", 1), ep("10.0.0.1", 80));
  EXPECT_EQ(s->state(), State::Connected);
}

TEST_F(BlockingTest, BindWaitsForTheServer) {
  auto s = tcp();
  Socket* p = s.get();
  then([p] { p->on_open(ep("0.0.0.0", 8080), Endpoint()); });
  EXPECT_EQ(s->bind(lock, ep("0.0.0.0", 8080)), 0);
  EXPECT_EQ(s->state(), State::Bound);
  EXPECT_EQ(s->listen(lock, 4), 0);
  EXPECT_EQ(s->state(), State::Listening);
}

TEST_F(BlockingTest, BindReportsAddressInUse) {
  auto s = tcp();
  Socket* p = s.get();
  then([p] { p->on_error(EADDRINUSE); });
  EXPECT_EQ(s->bind(lock, ep("0.0.0.0", 8080)), -EADDRINUSE);
}

TEST_F(BlockingTest, ListenWithoutBindWaitsForTheServer) {
  auto s = tcp();
  Socket* p = s.get();
  then([p] { p->on_open(ep("0.0.0.0", 40001), Endpoint()); });
  EXPECT_EQ(s->listen(lock, 4), 0);
  EXPECT_EQ(s->state(), State::Listening);
}

TEST_F(BlockingTest, RecvWaitsForData) {
  auto s = connected_tcp();
  Socket* p = s.get();
  then([p] { deliver(*p, "hello"); });
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got, 0, false), 5);
  EXPECT_EQ(got, "hello");
}

TEST_F(BlockingTest, RecvWaitallCollectsSeveralDeliveries) {
  auto s = connected_tcp();
  Socket* p = s.get();
  deliver(*s, "ab");
  then([p] { deliver(*p, "cd"); });
  then([p] { deliver(*p, "efgh"); });
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 6, &got, MSG_WAITALL, false), 6);
  EXPECT_EQ(got, "abcdef");
  EXPECT_EQ(s->readable_bytes(), 2);
}

TEST_F(BlockingTest, RecvWaitallStopsAtEof) {
  auto s = connected_tcp();
  Socket* p = s.get();
  then([p] { deliver(*p, "abc"); });
  then([p] { p->on_eof(); });
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got, MSG_WAITALL, false), 3);
  EXPECT_EQ(got, "abc");
}

TEST_F(BlockingTest, RecvWakesOnEofAndReset) {
  auto s = connected_tcp();
  Socket* p = s.get();
  then([p] { p->on_eof(); });
  EXPECT_EQ(recv_bytes(*s, lock, 10, nullptr, 0, false), 0);
  auto t = connected_tcp();
  Socket* q = t.get();
  then([q] { q->on_error(ECONNRESET); });
  EXPECT_EQ(recv_bytes(*t, lock, 10, nullptr, 0, false), -ECONNRESET);
}

TEST_F(BlockingTest, RecvTimesOutWithEagain) {
  auto s = connected_tcp();
  timeval tv = ms(30);
  ASSERT_EQ(s->setsockopt(SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(recv_bytes(*s, lock, 10, nullptr, 0, false), -EAGAIN);
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, std::chrono::milliseconds(29));
  ASSERT_FALSE(fake::bridge().wait_timeouts.empty());
  EXPECT_GT(fake::bridge().wait_timeouts[0], 0);
  EXPECT_LE(fake::bridge().wait_timeouts[0], 30);
}

TEST_F(BlockingTest, RecvTimeoutKeepsPartialWaitallData) {
  auto s = connected_tcp();
  timeval tv = ms(20);
  ASSERT_EQ(s->setsockopt(SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  deliver(*s, "ab");
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got, MSG_WAITALL, false), 2);
  EXPECT_EQ(got, "ab");
}

// Linux takes a negative SO_RCVTIMEO as "do not wait".
TEST_F(BlockingTest, NegativeRcvtimeoDoesNotWait) {
  auto s = connected_tcp();
  timeval tv = {-1, 0};
  ASSERT_EQ(s->setsockopt(SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  EXPECT_EQ(recv_bytes(*s, lock, 10, nullptr, 0, false), -EAGAIN);
}

TEST_F(BlockingTest, SendWaitsForTheWindow) {
  auto s = connected_tcp();
  Socket* p = s.get();
  std::string big(150000, '\0');
  for (size_t i = 0; i < big.size(); i++)
    big[i] = char(i * 13);
  then([p] { p->on_sent(65536); });
  then([p] { p->on_sent(65536); });
  EXPECT_EQ(send_bytes(*s, lock, big, false), ssize_t(big.size()));
  EXPECT_EQ(fake::sent(s->id()), big);
  EXPECT_EQ(fake::bridge().waits, 2);
}

TEST_F(BlockingTest, SendInterruptedByResetReturnsWhatWasSent) {
  auto s = connected_tcp();
  Socket* p = s.get();
  then([p] { p->on_error(ECONNRESET); });
  EXPECT_EQ(send_bytes(*s, lock, std::string(70000, 'x'), false), 65536);
  EXPECT_EQ(send_bytes(*s, lock, "x", false), -ECONNRESET);
}

TEST_F(BlockingTest, SendWaitsForConnect) {
  auto s = tcp();
  Socket* p = s.get();
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  then([p] { p->on_open(ep("10.0.0.9", 1), ep("10.0.0.1", 80)); });
  EXPECT_EQ(send_bytes(*s, lock, "hi", false), 2);
  EXPECT_EQ(fake::sent(s->id()), "hi");
}

TEST_F(BlockingTest, SendTimesOutWithEagain) {
  auto s = connected_tcp();
  timeval tv = ms(20);
  ASSERT_EQ(s->setsockopt(SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), 0);
  ASSERT_EQ(send_bytes(*s, lock, std::string(65536, 'x'), false), 65536);
  EXPECT_EQ(send_bytes(*s, lock, "y", false), -EAGAIN);
}

TEST_F(BlockingTest, AcceptWaitsForAConnection) {
  auto l = listening_tcp(4);
  Socket* p = l.get();
  std::shared_ptr<Socket> conn;
  then([p, &conn] {
    conn = p->on_accept(ep("10.0.0.9", 8080), ep("10.0.0.5", 1234));
  });
  int err = 0;
  auto a = l->accept(lock, false, &err);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a, conn);
}

TEST_F(BlockingTest, AcceptWakesWhenTheListenerFails) {
  auto l = listening_tcp(4);
  Socket* p = l.get();
  then([p] { p->on_error(ECONNABORTED); });
  int err = 0;
  EXPECT_EQ(l->accept(lock, false, &err), nullptr);
  EXPECT_EQ(err, ECONNABORTED);
}

TEST_F(BlockingTest, UdpRecvWaitsForADatagram) {
  auto s = udp();
  Socket* p = s.get();
  then([p] { p->on_open(ep("0.0.0.0", 5000), Endpoint()); });
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  then([p] { deliver_datagram(*p, "dgram", ep("10.0.0.3", 9)); });
  std::string got;
  Endpoint from;
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got, 0, false, &from), 5);
  EXPECT_EQ(got, "dgram");
  EXPECT_EQ(from, ep("10.0.0.3", 9));
}

TEST_F(BlockingTest, MsgDontwaitOverridesBlocking) {
  auto s = connected_tcp();
  EXPECT_EQ(recv_bytes(*s, lock, 10, nullptr, MSG_DONTWAIT, false), -EAGAIN);
  ASSERT_EQ(send_bytes(*s, lock, std::string(65536, 'x'), false), 65536);
  EXPECT_EQ(send_bytes(*s, lock, "y", false, MSG_DONTWAIT), -EAGAIN);
  EXPECT_EQ(fake::bridge().waits, 0);
}

// A membership change waits for the browser's answer and returns its
// refusal, so that a group is joined when setsockopt returns.
TEST_F(BlockingTest, JoinWaitsForTheBrowser) {
  auto s = udp();
  Socket* p = s.get();
  then([p] { p->on_open(ep("0.0.0.0", 5000), Endpoint()); });
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  ip_mreq m = {};
  m.imr_multiaddr.s_addr = htonl(0xef010203); // 239.1.2.3
  then([p] { p->on_membership(ENODEV); });
  CoreLock* l = &lock;
  EXPECT_EQ(s->setsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m, l),
            -ENODEV);
  then([p] { p->on_membership(0); });
  EXPECT_EQ(s->setsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m, l), 0);
  EXPECT_EQ(fake::bridge().waits, 3);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), 0);
}

// Groups joined before bind() are joined when bind() returns.
TEST_F(BlockingTest, BindWaitsForEarlierJoins) {
  auto s = udp();
  Socket* p = s.get();
  ip_mreq m = {};
  m.imr_multiaddr.s_addr = htonl(0xef010203);
  CoreLock* l = &lock;
  EXPECT_EQ(s->setsockopt(IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m, l), 0);
  EXPECT_EQ(fake::bridge().waits, 0); // no UDPSocket yet: nothing to wait for
  then([p] { p->on_open(ep("0.0.0.0", 5000), Endpoint()); });
  then([p] { p->on_membership(0); });
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  EXPECT_EQ(fake::count("membership", s->id()), 1u);
  EXPECT_EQ(fake::bridge().waits, 2);
}
