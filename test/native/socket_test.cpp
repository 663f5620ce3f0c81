// The socket state machine in event-loop mode (can_block() = 0): nothing
// waits, and the tests play the JS bridge by calling the Socket's event
// methods. Expected values are Linux's unless a comment in the core says why
// the core differs.
#include "socket_test_util.h"

#include <netinet/tcp.h>
#include <poll.h>
#include <sys/time.h>

#include <climits>

using namespace testutil;
using State = Socket::State;

namespace {

constexpr size_t kWindow = 64 * 1024; // the default send window
constexpr int kTcpRcvbuf = 131072;    // Linux's default TCP SO_RCVBUF

} // namespace

// ---- socket() arguments
// -----------------------------------------------------------------

TEST(SocketArgs, AcceptsTcpAndUdpWithFlags) {
  EXPECT_EQ(Socket::check_args(AF_INET, SOCK_STREAM, 0), 0);
  EXPECT_EQ(Socket::check_args(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                               IPPROTO_UDP),
            0);
}

// Linux checks unknown flags, then the family, the type's range, the
// protocol's range, and last whether the type and protocol exist.
TEST(SocketArgs, RefusesInLinuxOrder) {
  EXPECT_EQ(Socket::check_args(12345, SOCK_STREAM | 0x4000, 0), -EINVAL);
  EXPECT_EQ(Socket::check_args(12345, SOCK_STREAM, 0), -EAFNOSUPPORT);
  EXPECT_EQ(Socket::check_args(-1, SOCK_STREAM, 0), -EAFNOSUPPORT);
  EXPECT_EQ(Socket::check_args(AF_INET, 11, 0), -EINVAL);
  EXPECT_EQ(Socket::check_args(AF_INET, -1, 0), -EINVAL);
  EXPECT_EQ(Socket::check_args(AF_INET, 7, 999), -EINVAL);
  EXPECT_EQ(Socket::check_args(AF_INET, SOCK_DGRAM, -1), -EINVAL);
  EXPECT_EQ(Socket::check_args(AF_INET, 0, 0), -ESOCKTNOSUPPORT);
  EXPECT_EQ(Socket::check_args(AF_INET, SOCK_RDM, 0), -ESOCKTNOSUPPORT);
  EXPECT_EQ(Socket::check_args(AF_INET, SOCK_SEQPACKET, 0), -ESOCKTNOSUPPORT);
  EXPECT_EQ(Socket::check_args(AF_INET, SOCK_STREAM, IPPROTO_UDP),
            -EPROTONOSUPPORT);
  EXPECT_EQ(Socket::check_args(AF_INET6, SOCK_DGRAM, IPPROTO_TCP),
            -EPROTONOSUPPORT);
}

// ---- connect
// -----------------------------------------------------------------

TEST_F(SocketTest, NonblockingConnectIsInProgressThenConnected) {
  auto s = tcp();
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  EXPECT_EQ(s->state(), State::Opening);
  auto c = fake::calls("tcp_connect", s->id());
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].host, "10.0.0.1");
  EXPECT_EQ(c[0].port, 80);
  // Defaults are left to the API.
  EXPECT_EQ(c[0].send_buffer, 0);
  EXPECT_EQ(c[0].receive_buffer, 0);
  EXPECT_EQ(c[0].no_delay, 0);
  EXPECT_EQ(c[0].keep_alive_ms, 0);
  EXPECT_EQ(s->poll_events(), 0); // SYN_SENT: neither readable nor writable

  s->on_open(ep("10.0.0.9", 40000), ep("10.0.0.1", 80));
  EXPECT_EQ(s->state(), State::Connected);
  EXPECT_EQ(s->poll_events(), POLLOUT);
  Endpoint local, peer;
  EXPECT_EQ(s->local_address(&local), 0);
  EXPECT_EQ(local, ep("10.0.0.9", 40000));
  EXPECT_EQ(s->peer_address(&peer), 0);
  EXPECT_EQ(peer, ep("10.0.0.1", 80));
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), 0);
}

TEST_F(SocketTest, BlockingConnectWithoutJspiIsInProgress) {
  // Event-loop mode cannot wait: a blocking connect behaves as non-blocking.
  auto s = tcp();
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), false), -EINPROGRESS);
  EXPECT_EQ(fake::bridge().waits, 0);
}

TEST_F(SocketTest, ConnectWhileOpeningIsEalready) {
  auto s = tcp();
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EALREADY);
  EXPECT_EQ(fake::count("tcp_connect", s->id()), 1u);
}

TEST_F(SocketTest, ConnectWhenConnectedIsEisconn) {
  auto s = tcp();
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  s->on_open(ep("10.0.0.9", 40000), ep("10.0.0.1", 80));
  s->connect(lock, ep("10.0.0.1", 80), true); // 0 on Linux, see below
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EISCONN);
  EXPECT_EQ(fake::count("tcp_connect", s->id()), 1u);
}

// On Linux the first connect() after a non-blocking connect completed
// returns 0, later ones EISCONN.
TEST_F(SocketTest, FirstConnectAfterAsyncCompletionReturnsZero) {
  auto s = tcp();
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  s->on_open(ep("10.0.0.9", 40000), ep("10.0.0.1", 80));
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), 0);
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EISCONN);
}

TEST_F(SocketTest, FailedConnectReportsSoErrorOnce) {
  auto s = tcp();
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  s->on_error(ECONNREFUSED);
  EXPECT_EQ(s->state(), State::Failed);
  EXPECT_TRUE(s->poll_events() & POLLERR);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), ECONNREFUSED);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), 0);
  EXPECT_FALSE(s->poll_events() & POLLERR);
}

TEST_F(SocketTest, ConnectAgainAfterFailureReportsTheError) {
  auto s = tcp();
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  s->on_error(ECONNREFUSED);
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -ECONNREFUSED);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), 0); // consumed
}

// Once a failed connect's error has been reported, Linux lets the socket
// try again.
TEST_F(SocketTest, ConnectRetriesAfterReportedFailure) {
  auto s = tcp();
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  s->on_error(ECONNREFUSED);
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -ECONNREFUSED);
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  EXPECT_EQ(fake::count("tcp_connect", s->id()), 2u);
}

// When SO_ERROR took the error, Linux's next connect() says ECONNABORTED
// (the failure is still unreported to connect), and the one after retries.
TEST_F(SocketTest, ConnectAfterSoErrorTookTheFailureIsEconnaborted) {
  auto s = tcp();
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  s->on_error(ECONNREFUSED);
  ASSERT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), ECONNREFUSED);
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -ECONNABORTED);
  EXPECT_EQ(fake::count("tcp_connect", s->id()), 1u);
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  EXPECT_EQ(fake::count("tcp_connect", s->id()), 2u);
}

TEST_F(SocketTest, ConnectPassesOptionsSetBeforehand) {
  auto s = tcp();
  ASSERT_EQ(set_int(*s, IPPROTO_TCP, TCP_NODELAY, 1), 0);
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_KEEPALIVE, 1), 0);
  ASSERT_EQ(set_int(*s, IPPROTO_TCP, TCP_KEEPIDLE, 30), 0);
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_SNDBUF, 32768), 0);
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_RCVBUF, 50000), 0);
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  auto c = fake::calls("tcp_connect", s->id());
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].no_delay, 1);
  EXPECT_EQ(c[0].keep_alive_ms, 30000);
  EXPECT_EQ(c[0].send_buffer, 65536); // doubled, as getsockopt reports
  EXPECT_EQ(c[0].receive_buffer, 100000);
}

TEST_F(SocketTest, ConnectGivesV4MappedPeersInIpv4Form) {
  auto s = tcp(AF_INET6);
  ASSERT_EQ(s->connect(lock, ep("::ffff:10.0.0.1", 80), true), -EINPROGRESS);
  auto t = tcp(AF_INET6);
  ASSERT_EQ(t->connect(lock, ep("2001:db8::1", 443), true), -EINPROGRESS);
  EXPECT_EQ(fake::calls("tcp_connect", s->id()).at(0).host, "10.0.0.1");
  EXPECT_EQ(fake::calls("tcp_connect", t->id()).at(0).host, "2001:db8::1");
  EXPECT_EQ(fake::calls("tcp_connect", t->id()).at(0).port, 443);
}

TEST_F(SocketTest, ConnectV4MappedOnV6OnlyIsEnetunreach) {
  auto s = tcp(AF_INET6);
  ASSERT_EQ(set_int(*s, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
  EXPECT_EQ(s->connect(lock, ep("::ffff:10.0.0.1", 80), true), -ENETUNREACH);
  EXPECT_EQ(fake::count("tcp_connect", s->id()), 0u);
}

TEST_F(SocketTest, PeerAddressNeedsAConnection) {
  auto s = tcp();
  Endpoint peer;
  EXPECT_EQ(s->peer_address(&peer), -ENOTCONN);
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  EXPECT_EQ(s->peer_address(&peer), -ENOTCONN);
  s->on_error(ECONNREFUSED);
  EXPECT_EQ(s->peer_address(&peer), -ENOTCONN);
}

// ---- send
// ----------------------------------------------------------------------

TEST_F(SocketTest, SendHandsBytesToTheBridgeUpToTheWindow) {
  auto s = connected_tcp();
  std::string big(100000, '\0');
  for (size_t i = 0; i < big.size(); i++)
    big[i] = char(i * 7);
  EXPECT_EQ(send_bytes(*s, lock, big), ssize_t(kWindow));
  EXPECT_EQ(fake::sent(s->id()), big.substr(0, kWindow));
  EXPECT_EQ(send_bytes(*s, lock, "more"), -EAGAIN);
  EXPECT_FALSE(s->poll_events() & POLLOUT);

  // Room for more, but not yet POLLOUT: as Linux, that waits until free
  // space is at least half of what is still queued.
  s->on_sent(1000);
  EXPECT_FALSE(s->poll_events() & POLLOUT);
  EXPECT_EQ(send_bytes(*s, lock, big.substr(kWindow)), 1000);
  EXPECT_EQ(fake::sent(s->id()), big.substr(0, kWindow + 1000));
  s->on_sent(kWindow / 3 + 1);
  EXPECT_TRUE(s->poll_events() & POLLOUT);
}

TEST_F(SocketTest, CompletedWritesWakeOnlyWhoWaitsForSendSpace) {
  auto s = connected_tcp();
  ASSERT_EQ(send_bytes(*s, lock, "ping"), 4);
  // Waiters are woken once the event's caller releases the core lock.
  auto release = [&] {
    lock.unlock();
    lock.lock();
  };
  auto wakes_after = [&](size_t sent) {
    release(); // what earlier events owed
    int before = fake::bridge().wakes;
    s->on_sent(sent);
    release();
    return fake::bridge().wakes - before;
  };
  EXPECT_EQ(wakes_after(4), 0); // nobody found the window full: nobody to wake

  ASSERT_EQ(send_bytes(*s, lock, std::string(kWindow, 'x')), ssize_t(kWindow));
  EXPECT_EQ(send_bytes(*s, lock, "y"), -EAGAIN);
  EXPECT_EQ(wakes_after(kWindow / 4), 0); // still under the wake-up mark
  EXPECT_EQ(wakes_after(kWindow / 4), 1);
}

TEST_F(SocketTest, UdpIsWritableWhileUnderHalfTheSendBuffer) {
  auto s = udp();
  const size_t half = 212992 / 2; // Linux's default UDP SO_SNDBUF, halved
  Endpoint to = ep("10.0.0.2", 53);
  std::string d(half / 2, 'd');
  ASSERT_EQ(send_bytes(*s, lock, d, true, 0, &to), ssize_t(d.size()));
  s->on_open(ep("0.0.0.0", 50000), Endpoint());
  EXPECT_TRUE(s->poll_events() & POLLOUT);
  ASSERT_EQ(send_bytes(*s, lock, d, true, 0, &to), ssize_t(d.size()));
  EXPECT_FALSE(s->poll_events() & POLLOUT);
  s->on_sent(1);
  EXPECT_TRUE(s->poll_events() & POLLOUT);
}

TEST_F(SocketTest, BlockingSendWithoutJspiIsEagainWhenWindowIsFull) {
  auto s = connected_tcp();
  ASSERT_EQ(send_bytes(*s, lock, std::string(kWindow, 'x'), false),
            ssize_t(kWindow));
  EXPECT_EQ(send_bytes(*s, lock, "y", false), -EAGAIN);
  EXPECT_EQ(fake::bridge().waits, 0);
}

TEST_F(SocketTest, SendGathersIovecs) {
  auto s = connected_tcp();
  char a[] = "hello ", b[] = "world";
  iovec iov[3] = {{a, 6}, {b, 0}, {b, 5}};
  EXPECT_EQ(s->send(lock, iov, 3, 0, nullptr, true), 11);
  EXPECT_EQ(fake::sent(s->id()), "hello world");
}

TEST_F(SocketTest, SendOfNothingIsZero) {
  auto s = connected_tcp();
  EXPECT_EQ(send_bytes(*s, lock, ""), 0);
  EXPECT_EQ(fake::count("send", s->id()), 0u);
}

TEST_F(SocketTest, SoSndbufSetsTheWindow) {
  auto s = connected_tcp();
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_SNDBUF, 4096), 0);
  EXPECT_EQ(send_bytes(*s, lock, std::string(20000, 'x')), 8192);
}

// A SO_SNDBUF request that happens to equal the default still sets the
// send window.
TEST_F(SocketTest, SoSndbufEqualToTheDefaultStillSetsTheWindow) {
  auto s = connected_tcp();
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_SNDBUF, 8192), 0);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_SNDBUF), 16384);
  EXPECT_EQ(send_bytes(*s, lock, std::string(100000, 'x')), 16384);
}

TEST_F(SocketTest, SendWhileConnectingIsEagain) {
  auto s = tcp();
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  EXPECT_EQ(send_bytes(*s, lock, "x"), -EAGAIN);
  EXPECT_EQ(fake::count("send", s->id()), 0u);
}

// Linux: send() on a TCP socket that never connected is EPIPE.
TEST_F(SocketTest, SendOnUnconnectedTcpIsEpipe) {
  auto s = tcp();
  EXPECT_EQ(send_bytes(*s, lock, "x"), -EPIPE);
}

TEST_F(SocketTest, SendOobIsEopnotsupp) {
  auto s = connected_tcp();
  EXPECT_EQ(send_bytes(*s, lock, "x", true, MSG_OOB), -EOPNOTSUPP);
}

TEST_F(SocketTest, ShutdownWriteSendsFinThenSendIsEpipe) {
  auto s = connected_tcp();
  EXPECT_EQ(s->shutdown(SHUT_WR), 0);
  EXPECT_EQ(fake::count("shutdown_write", s->id()), 1u);
  EXPECT_EQ(send_bytes(*s, lock, "x"), -EPIPE);
  EXPECT_EQ(s->shutdown(SHUT_WR), 0);
  EXPECT_EQ(fake::count("shutdown_write", s->id()), 1u); // once
  // Reading still works.
  deliver(*s, "in");
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got), 2);
  EXPECT_EQ(got, "in");
}

TEST_F(SocketTest, ShutdownChecksArguments) {
  auto s = tcp();
  EXPECT_EQ(s->shutdown(SHUT_RDWR), -ENOTCONN);
  auto c = connected_tcp();
  EXPECT_EQ(c->shutdown(7), -EINVAL);
  EXPECT_EQ(c->shutdown(SHUT_RD), 0);
  EXPECT_EQ(fake::count("shutdown_write", c->id()), 0u);
}

// ---- recv
// ----------------------------------------------------------------------

TEST_F(SocketTest, RecvReturnsBufferedBytes) {
  auto s = connected_tcp();
  ASSERT_EQ(deliver(*s, "hello world"), 11u);
  EXPECT_TRUE(s->poll_events() & POLLIN);
  EXPECT_EQ(s->readable_bytes(), 11);
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 5, &got), 5);
  EXPECT_EQ(got, "hello");
  EXPECT_EQ(s->readable_bytes(), 6);
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got), 6);
  EXPECT_EQ(got, " world");
  EXPECT_FALSE(s->poll_events() & POLLIN);
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got), -EAGAIN);
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got, 0, false), -EAGAIN); // no JSPI
}

TEST_F(SocketTest, RecvPeekLeavesBytes) {
  auto s = connected_tcp();
  deliver(*s, "abcdef");
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 4, &got, MSG_PEEK), 4);
  EXPECT_EQ(got, "abcd");
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got, MSG_PEEK), 6);
  EXPECT_EQ(got, "abcdef");
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got), 6);
  EXPECT_EQ(got, "abcdef");
}

TEST_F(SocketTest, RecvScattersIntoIovecs) {
  auto s = connected_tcp();
  deliver(*s, "abcdefghij");
  char a[3], b[1], c[4];
  iovec iov[3] = {{a, 3}, {b, 0}, {c, 4}};
  EXPECT_EQ(s->recv(lock, iov, 3, 0, nullptr, nullptr, true), 7);
  EXPECT_EQ(std::string(a, 3), "abc");
  EXPECT_EQ(std::string(c, 4), "defg");
  EXPECT_EQ(s->readable_bytes(), 3);
}

TEST_F(SocketTest, RecvPeekScattersIntoIovecs) {
  auto s = connected_tcp();
  deliver(*s, "abcdefg");
  char a[2], b[8] = {};
  iovec iov[2] = {{a, 2}, {b, 8}};
  EXPECT_EQ(s->recv(lock, iov, 2, MSG_PEEK, nullptr, nullptr, true), 7);
  EXPECT_EQ(std::string(a, 2), "ab");
  EXPECT_EQ(std::string(b, 5), "cdefg");
  EXPECT_EQ(s->readable_bytes(), 7);
}

TEST_F(SocketTest, RecvTruncDiscardsWithoutCopying) {
  // Linux's TCP MSG_TRUNC drops the bytes instead of copying them.
  auto s = connected_tcp();
  deliver(*s, "abcdefgh");
  std::string buf(5, '.');
  iovec iov = {buf.data(), 5};
  EXPECT_EQ(
      s->recv(lock, &iov, 1, MSG_TRUNC | MSG_PEEK, nullptr, nullptr, true), 5);
  EXPECT_EQ(s->readable_bytes(), 8);
  EXPECT_EQ(s->recv(lock, &iov, 1, MSG_TRUNC, nullptr, nullptr, true), 5);
  EXPECT_EQ(buf, ".....");
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got), 3);
  EXPECT_EQ(got, "fgh");
}

TEST_F(SocketTest, RecvWaitallWithoutWaitingReturnsWhatIsThere) {
  auto s = connected_tcp();
  deliver(*s, "abc");
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got, MSG_WAITALL), 3);
  EXPECT_EQ(got, "abc");
  deliver(*s, "def");
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got, MSG_WAITALL, false), 3); // no JSPI
  EXPECT_EQ(got, "def");
  deliver(*s, "0123456789");
  EXPECT_EQ(recv_bytes(*s, lock, 4, &got, MSG_WAITALL), 4);
  EXPECT_EQ(got, "0123");
}

TEST_F(SocketTest, RecvOfZeroBytesIsZero) {
  auto s = connected_tcp();
  deliver(*s, "abc");
  EXPECT_EQ(recv_bytes(*s, lock, 0, nullptr), 0);
  EXPECT_EQ(s->readable_bytes(), 3);
}

// Linux's tcp_recvmsg waits for a byte even for a 0-byte read.
TEST_F(SocketTest, RecvOfZeroBytesWithNothingBufferedIsEagain) {
  auto s = connected_tcp();
  EXPECT_EQ(recv_bytes(*s, lock, 0, nullptr), -EAGAIN);
  s->on_eof();
  EXPECT_EQ(recv_bytes(*s, lock, 0, nullptr), 0);
}

TEST_F(SocketTest, RecvOobIsEinval) {
  auto s = connected_tcp();
  EXPECT_EQ(recv_bytes(*s, lock, 1, nullptr, MSG_OOB), -EINVAL);
}

TEST_F(SocketTest, EofAfterDataIsDrained) {
  auto s = connected_tcp();
  deliver(*s, "ab");
  s->on_eof();
  EXPECT_EQ(s->poll_events() & (POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
  EXPECT_FALSE(s->poll_events() & POLLHUP); // our side can still write
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got), 2);
  EXPECT_EQ(got, "ab");
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got), 0);
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got, 0, false), 0);
  EXPECT_EQ(send_bytes(*s, lock, "reply"), 5); // half-close
}

TEST_F(SocketTest, ResetIsEconnresetOnceThenEof) {
  auto s = connected_tcp();
  s->on_error(ECONNRESET);
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got), -ECONNRESET);
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got), 0);
  EXPECT_EQ(send_bytes(*s, lock, "x"), -EPIPE);
}

TEST_F(SocketTest, SendAfterResetReportsItFirst) {
  auto s = connected_tcp();
  s->on_error(ECONNRESET);
  EXPECT_EQ(send_bytes(*s, lock, "x"), -ECONNRESET);
  EXPECT_EQ(send_bytes(*s, lock, "x"), -EPIPE);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), 0);
}

TEST_F(SocketTest, BufferedBytesAreReadBeforeTheReset) {
  auto s = connected_tcp();
  deliver(*s, "last");
  s->on_error(ECONNRESET);
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got), 4);
  EXPECT_EQ(got, "last");
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got), -ECONNRESET);
}

TEST_F(SocketTest, RecvOnUnconnectedTcpIsEnotconn) {
  auto s = tcp();
  EXPECT_EQ(recv_bytes(*s, lock, 10, nullptr), -ENOTCONN);
  auto l = listening_tcp(4);
  EXPECT_EQ(recv_bytes(*l, lock, 10, nullptr), -ENOTCONN);
}

TEST_F(SocketTest, RecvWhileConnectingIsEagain) {
  auto s = tcp();
  ASSERT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  EXPECT_EQ(recv_bytes(*s, lock, 10, nullptr), -EAGAIN);
}

TEST_F(SocketTest, ShutdownReadGivesEofAfterBufferedBytes) {
  auto s = connected_tcp();
  deliver(*s, "xy");
  ASSERT_EQ(s->shutdown(SHUT_RD), 0);
  EXPECT_TRUE(s->poll_events() & POLLIN);
  EXPECT_TRUE(s->poll_events() & POLLRDHUP); // RCV_SHUTDOWN, as after a FIN
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got), 2);
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got), 0);
}

TEST_F(SocketTest, ReceiveBufferWrapsAround) {
  auto s = connected_tcp();
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_RCVBUF, 1), 0); // 2304 bytes
  std::string a(2000, 'a'), b;
  for (int i = 0; i < 1500; i++)
    b += char('0' + i % 10);
  ASSERT_EQ(deliver(*s, a), 2000u);
  std::string got;
  ASSERT_EQ(recv_bytes(*s, lock, 1500, &got), 1500);
  ASSERT_EQ(deliver(*s, b), 1500u); // 304 at the end, the rest at the start
  EXPECT_EQ(recv_bytes(*s, lock, 4000, &got), 2000);
  EXPECT_EQ(got, a.substr(1500) + b);
}

// ---- flow control of the read pump
// ---------------------------------------------

TEST_F(SocketTest, FullBufferPausesTheReadPumpUntil16KiBAreFree) {
  auto s = connected_tcp();
  ASSERT_EQ(deliver(*s, std::string(kTcpRcvbuf, 'x')), size_t(kTcpRcvbuf));
  size_t len = 1;
  EXPECT_EQ(s->rx_reserve(&len), nullptr);
  EXPECT_EQ(len, 0u);
  std::string got;
  ASSERT_EQ(recv_bytes(*s, lock, 1000, &got), 1000);
  EXPECT_EQ(fake::count("resume_read", s->id()), 0u);
  ASSERT_EQ(recv_bytes(*s, lock, 16 * 1024 - 1001, &got), 16 * 1024 - 1001);
  EXPECT_EQ(fake::count("resume_read", s->id()), 0u); // one byte short
  ASSERT_EQ(recv_bytes(*s, lock, 1, &got), 1);
  EXPECT_EQ(fake::count("resume_read", s->id()), 1u);
  ASSERT_EQ(recv_bytes(*s, lock, 20000, &got), 20000);
  EXPECT_EQ(fake::count("resume_read", s->id()), 1u); // not paused any more
}

TEST_F(SocketTest, NoResumeWhenThePumpWasNotPaused) {
  auto s = connected_tcp();
  deliver(*s, std::string(kTcpRcvbuf, 'x'));
  std::string got;
  ASSERT_EQ(recv_bytes(*s, lock, kTcpRcvbuf, &got), kTcpRcvbuf);
  EXPECT_EQ(fake::count("resume_read", s->id()), 0u);
}

TEST_F(SocketTest, SmallBufferResumesWhenEmpty) {
  // A buffer smaller than 16 KiB resumes once all of it is free.
  auto s = connected_tcp();
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_RCVBUF, 1), 0);
  ASSERT_EQ(get_int(*s, SOL_SOCKET, SO_RCVBUF), 2304);
  ASSERT_EQ(deliver(*s, std::string(5000, 'x')), 2304u);
  size_t len;
  s->rx_reserve(&len);
  ASSERT_EQ(len, 0u);
  std::string got;
  recv_bytes(*s, lock, 2303, &got);
  EXPECT_EQ(fake::count("resume_read", s->id()), 0u);
  recv_bytes(*s, lock, 1, &got);
  EXPECT_EQ(fake::count("resume_read", s->id()), 1u);
}

TEST_F(SocketTest, GrowingRcvbufResumesAPausedPumpAndKeepsBytes) {
  auto s = connected_tcp();
  std::string bytes;
  for (int i = 0; i < kTcpRcvbuf; i++)
    bytes += char(i % 251);
  ASSERT_EQ(deliver(*s, bytes), bytes.size());
  size_t len;
  s->rx_reserve(&len);
  ASSERT_EQ(len, 0u);
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_RCVBUF, kTcpRcvbuf), 0);
  EXPECT_EQ(fake::count("resume_read", s->id()), 1u);
  EXPECT_EQ(deliver(*s, "tail"), 4u);
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 2 * kTcpRcvbuf, &got), kTcpRcvbuf + 4);
  EXPECT_EQ(got, bytes + "tail");
}

// ---- poll
// ----------------------------------------------------------------------

TEST_F(SocketTest, PollIdle) {
  EXPECT_EQ(tcp()->poll_events(), POLLOUT | POLLHUP); // as Linux reports
  EXPECT_EQ(udp()->poll_events(), POLLOUT);
}

TEST_F(SocketTest, PollOpening) {
  auto t = tcp();
  t->connect(lock, ep("10.0.0.1", 80), true);
  EXPECT_EQ(t->poll_events(), 0);
  auto u = udp();
  u->connect(lock, ep("10.0.0.1", 53), true);
  EXPECT_EQ(u->state(), State::Opening);
  EXPECT_EQ(u->poll_events(), POLLOUT);
}

TEST_F(SocketTest, PollConnected) {
  auto s = connected_tcp();
  EXPECT_EQ(s->poll_events(), POLLOUT);
  deliver(*s, "x");
  EXPECT_EQ(s->poll_events(), POLLIN | POLLOUT);
  s->on_eof();
  EXPECT_EQ(s->poll_events(), POLLIN | POLLOUT | POLLRDHUP);
}

TEST_F(SocketTest, PollHupOnceBothDirectionsAreShut) {
  auto s = connected_tcp();
  s->shutdown(SHUT_WR);
  EXPECT_FALSE(s->poll_events() & POLLHUP);
  s->on_eof();
  int want = POLLIN | POLLRDHUP | POLLHUP;
  EXPECT_EQ(s->poll_events() & want, want);
}

// Linux keeps POLLOUT after shutdown(SHUT_WR), so a writer polling for it
// gets to write() and sees EPIPE.
TEST_F(SocketTest, PollOutStaysAfterShutdownWrite) {
  auto s = connected_tcp();
  ASSERT_EQ(s->shutdown(SHUT_WR), 0);
  EXPECT_TRUE(s->poll_events() & POLLOUT);
  auto u = udp();
  u->connect(lock, ep("10.0.0.1", 53), true);
  u->on_open(ep("10.0.0.9", 5000), ep("10.0.0.1", 53));
  ASSERT_EQ(u->shutdown(SHUT_WR), 0);
  EXPECT_TRUE(u->poll_events() & POLLOUT);
}

TEST_F(SocketTest, PollFailed) {
  auto s = connected_tcp();
  s->on_error(ECONNRESET);
  int want = POLLIN | POLLOUT | POLLHUP | POLLERR;
  EXPECT_EQ(s->poll_events() & want, want);
  get_int(*s, SOL_SOCKET, SO_ERROR);
  EXPECT_EQ(s->poll_events() & want, POLLIN | POLLOUT | POLLHUP);
}

// Linux reports POLLRDHUP on a reset or refused connection too.
TEST_F(SocketTest, PollFailedTcpReportsRdhup) {
  auto s = connected_tcp();
  s->on_error(ECONNRESET);
  EXPECT_TRUE(s->poll_events() & POLLRDHUP);
}

TEST_F(SocketTest, PollListening) {
  auto l = listening_tcp(4);
  EXPECT_EQ(l->poll_events(), 0);
  ASSERT_NE(l->on_accept(ep("10.0.0.9", 8080), ep("10.0.0.5", 5555)), nullptr);
  EXPECT_EQ(l->poll_events(), POLLIN);
}

TEST_F(SocketTest, PollBoundServerIsNotReadable) {
  auto s = tcp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 8080)), 0);
  s->on_open(ep("0.0.0.0", 8080), Endpoint());
  EXPECT_FALSE(s->poll_events() & POLLIN);
}

// A bound, not listening TCP socket polls like a fresh one on Linux.
TEST_F(SocketTest, PollBoundTcpIsOutHupLikeLinux) {
  auto s = tcp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 8080)), 0);
  s->on_open(ep("0.0.0.0", 8080), Endpoint());
  EXPECT_EQ(s->poll_events(), POLLOUT | POLLHUP);
}

TEST_F(SocketTest, PollClosed) {
  auto s = connected_tcp();
  s->close();
  EXPECT_EQ(s->poll_events(), POLLNVAL);
}

// ---- bind, listen, accept
// --------------------------------------------------------

TEST_F(SocketTest, BindOpensAServerAndListenStartsIt) {
  auto s = tcp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 8080)), 0);
  EXPECT_EQ(s->state(), State::Opening);
  auto c = fake::calls("tcp_listen", s->id());
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].host, "0.0.0.0");
  EXPECT_EQ(c[0].port, 8080);
  EXPECT_EQ(c[0].ipv6_only, 0);
  s->on_open(ep("0.0.0.0", 8080), Endpoint());
  EXPECT_EQ(s->state(), State::Bound);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ACCEPTCONN), 0);
  EXPECT_EQ(fake::count("resume_read", s->id()), 0u);

  EXPECT_EQ(s->listen(lock, 16), 0);
  EXPECT_EQ(s->state(), State::Listening);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ACCEPTCONN), 1);
  EXPECT_EQ(fake::count("resume_read", s->id()), 1u); // start accepting
}

TEST_F(SocketTest, BindReportsTheEphemeralPort) {
  auto s = tcp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 0)), 0);
  s->on_open(ep("0.0.0.0", 41234), Endpoint());
  Endpoint local;
  s->local_address(&local);
  EXPECT_EQ(local.port, 41234);
}

TEST_F(SocketTest, BindTwiceIsEinval) {
  auto s = tcp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 8080)), 0);
  EXPECT_EQ(s->bind(lock, ep("0.0.0.0", 8081)), -EINVAL);
  EXPECT_EQ(fake::count("tcp_listen", s->id()), 1u);
}

TEST_F(SocketTest, BindFailureSurfacesOnListen) {
  auto s = tcp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 8080)), 0);
  s->on_error(EADDRINUSE);
  EXPECT_EQ(s->listen(lock, 4), -EADDRINUSE);
}

TEST_F(SocketTest, ConnectFromABoundPortIsEaddrnotavail) {
  // Documented: TCPSocket takes no local address, so a chosen source port
  // cannot be had.
  auto s = tcp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 8080)), 0);
  s->on_open(ep("0.0.0.0", 8080), Endpoint());
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EADDRNOTAVAIL);
  EXPECT_EQ(fake::count("tcp_connect", s->id()), 0u);
}

TEST_F(SocketTest, ConnectAfterAnEphemeralBindDropsTheServer) {
  // bind() to port 0 asked for nothing a connection cannot give.
  auto s = tcp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 0)), 0);
  s->on_open(ep("0.0.0.0", 40000), Endpoint());
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EINPROGRESS);
  auto closes = fake::calls("close", s->id());
  ASSERT_EQ(closes.size(), 1u);
  EXPECT_EQ(fake::count("tcp_connect", s->id()), 1u);
}

// Linux refuses a v4-mapped bind on an IPV6_V6ONLY socket with EINVAL.
TEST_F(SocketTest, BindV4MappedOnV6OnlyIsEinval) {
  auto s = tcp(AF_INET6);
  ASSERT_EQ(set_int(*s, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
  EXPECT_EQ(s->bind(lock, ep("::ffff:127.0.0.1", 8080)), -EINVAL);
}

TEST_F(SocketTest, V6OnlyIsPassedToTheServer) {
  auto s = tcp(AF_INET6);
  ASSERT_EQ(set_int(*s, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
  ASSERT_EQ(s->bind(lock, ep("::", 8080)), 0);
  EXPECT_EQ(fake::calls("tcp_listen", s->id()).at(0).ipv6_only, 1);
  EXPECT_EQ(fake::calls("tcp_listen", s->id()).at(0).host, "::");
}

// In event-loop mode listen() right after bind() succeeds while the
// server opens, and listens once it has.
TEST_F(SocketTest, ListenRightAfterBindSucceedsWithoutJspi) {
  auto s = tcp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 8080)), 0);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ACCEPTCONN), 0);
  EXPECT_EQ(s->listen(lock, 4), 0);
  // Listening from listen() on, as on Linux, though the server still opens.
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ACCEPTCONN), 1);
  s->on_open(ep("0.0.0.0", 8080), Endpoint());
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ACCEPTCONN), 1);
}

TEST_F(SocketTest, ListenWithoutBindOpensAnEphemeralServer) {
  auto s = tcp(AF_INET6);
  EXPECT_EQ(s->listen(lock, 4), 0);
  auto c = fake::calls("tcp_listen", s->id());
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].host, "::");
  // Without a way to wait for the browser's choice, the core picks a port
  // from Linux's ephemeral range so getsockname() can answer at once.
  EXPECT_GE(c[0].port, 32768);
  EXPECT_LT(c[0].port, 61000);
  Endpoint local;
  s->local_address(&local);
  EXPECT_EQ(local.port, c[0].port);
  s->on_open(ep("::", uint16_t(c[0].port)), Endpoint());
  EXPECT_EQ(s->state(), State::Listening);
}

// Linux's connect() on a listening socket: EISCONN (it is past TCP_CLOSE),
// also while the server is still opening.
TEST_F(SocketTest, ConnectOnAListenerIsEisconn) {
  auto s = listening_tcp(4);
  EXPECT_EQ(s->connect(lock, ep("10.0.0.1", 80), true), -EISCONN);
  auto opening = tcp();
  ASSERT_EQ(opening->bind(lock, ep("0.0.0.0", 8081)), 0);
  ASSERT_EQ(opening->listen(lock, 4), 0);
  EXPECT_EQ(opening->connect(lock, ep("10.0.0.1", 80), true), -EISCONN);
  EXPECT_EQ(fake::count("tcp_connect", opening->id()), 0u);
}

TEST_F(SocketTest, ListenAndAcceptNeedTcp) {
  auto u = udp();
  EXPECT_EQ(u->listen(lock, 1), -EOPNOTSUPP);
  int err = 0;
  EXPECT_EQ(u->accept(lock, true, &err), nullptr);
  EXPECT_EQ(err, EOPNOTSUPP);
  auto t = tcp();
  EXPECT_EQ(t->accept(lock, true, &err), nullptr);
  EXPECT_EQ(err, EINVAL);
  auto c = connected_tcp();
  EXPECT_EQ(c->listen(lock, 1), -EINVAL);
}

TEST_F(SocketTest, AcceptTakesConnectionsInOrder) {
  auto l = listening_tcp(8);
  int err = 0;
  EXPECT_EQ(l->accept(lock, true, &err), nullptr);
  EXPECT_EQ(err, EAGAIN);
  EXPECT_EQ(l->accept(lock, false, &err), nullptr); // cannot wait without JSPI
  EXPECT_EQ(err, EAGAIN);

  auto c1 = l->on_accept(ep("10.0.0.9", 8080), ep("10.0.0.5", 1111));
  auto c2 = l->on_accept(ep("10.0.0.9", 8080), ep("10.0.0.6", 2222));
  ASSERT_TRUE(c1 && c2);
  auto a = l->accept(lock, true, &err);
  EXPECT_EQ(a, c1);
  Endpoint peer;
  ASSERT_EQ(a->peer_address(&peer), 0);
  EXPECT_EQ(peer, ep("10.0.0.5", 1111));
  Endpoint local;
  a->local_address(&local);
  EXPECT_EQ(local, ep("10.0.0.9", 8080));
  EXPECT_EQ(a->state(), State::Connected);
  EXPECT_EQ(a->poll_events(), POLLOUT);
  EXPECT_EQ(l->accept(lock, true, &err), c2);
  EXPECT_EQ(l->poll_events(), 0);
}

TEST_F(SocketTest, BacklogBoundsTheAcceptQueue) {
  auto l = listening_tcp(2);
  fake::reset();
  std::vector<std::shared_ptr<Socket>> queued;
  for (int i = 0; i < 5; i++) {
    auto c = l->on_accept(ep("10.0.0.9", 8080), ep("10.0.0.5", uint16_t(i)));
    if (!c)
      break;
    queued.push_back(c);
  }
  // Linux queues backlog + 1; the core at least backlog.
  EXPECT_GE(queued.size(), 2u);
  EXPECT_LE(queued.size(), 3u);

  int err = 0;
  EXPECT_EQ(l->accept(lock, true, &err), queued[0]);
  // A full queue had stopped the bridge; accepting makes room again.
  EXPECT_EQ(fake::count("resume_read", l->id()), 1u);
  EXPECT_NE(l->on_accept(ep("10.0.0.9", 8080), ep("10.0.0.5", 99)), nullptr);
}

TEST_F(SocketTest, AcceptFromANonFullQueueDoesNotResume) {
  auto l = listening_tcp(4);
  fake::reset();
  ASSERT_NE(l->on_accept(ep("10.0.0.9", 8080), ep("10.0.0.5", 1)), nullptr);
  int err = 0;
  ASSERT_NE(l->accept(lock, true, &err), nullptr);
  EXPECT_EQ(fake::count("resume_read", l->id()), 0u);
}

TEST_F(SocketTest, AcceptedSocketsInheritOptions) {
  auto l = tcp();
  ASSERT_EQ(set_int(*l, IPPROTO_TCP, TCP_NODELAY, 1), 0);
  ASSERT_EQ(set_int(*l, SOL_SOCKET, SO_RCVBUF, 3000), 0);
  ASSERT_EQ(l->bind(lock, ep("0.0.0.0", 8080)), 0);
  l->on_open(ep("0.0.0.0", 8080), Endpoint());
  ASSERT_EQ(l->listen(lock, 4), 0);
  auto c = l->on_accept(ep("10.0.0.9", 8080), ep("10.0.0.5", 1));
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(get_int(*c, IPPROTO_TCP, TCP_NODELAY), 1);
  EXPECT_EQ(get_int(*c, SOL_SOCKET, SO_RCVBUF), 6000);
  EXPECT_EQ(deliver(*c, std::string(10000, 'x')), 6000u); // buffer sized too
}

TEST_F(SocketTest, AcceptedSocketCarriesData) {
  auto l = listening_tcp(4);
  auto c = l->on_accept(ep("10.0.0.9", 8080), ep("10.0.0.5", 1));
  ASSERT_NE(c, nullptr);
  deliver(*c, "early"); // data may arrive before accept()
  int err = 0;
  auto a = l->accept(lock, true, &err);
  ASSERT_EQ(a, c);
  std::string got;
  EXPECT_EQ(recv_bytes(*a, lock, 10, &got), 5);
  EXPECT_EQ(got, "early");
  EXPECT_EQ(send_bytes(*a, lock, "hi"), 2);
  EXPECT_EQ(fake::sent(a->id()), "hi");
}

TEST_F(SocketTest, ClosingAListenerClosesUnacceptedConnections) {
  auto l = listening_tcp(4);
  uint32_t conn_id;
  {
    auto c = l->on_accept(ep("10.0.0.9", 8080), ep("10.0.0.5", 1));
    ASSERT_NE(c, nullptr);
    conn_id = c->id();
  }
  l->close();
  EXPECT_EQ(fake::count("close", l->id()), 1u);
  EXPECT_EQ(fake::count("close", conn_id), 1u);
  EXPECT_EQ(socket_by_id(conn_id), nullptr);
}

// ---- UDP
// -------------------------------------------------------------------------

TEST_F(SocketTest, UdpSendToBindsImplicitly) {
  auto s = udp();
  Endpoint to = ep("10.0.0.2", 53);
  EXPECT_EQ(send_bytes(*s, lock, "query", true, 0, &to), 5);
  auto open = fake::calls("udp_open", s->id());
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].host, ""); // bound mode: no remote
  EXPECT_EQ(open[0].local_host, "0.0.0.0");
  EXPECT_GE(open[0].local_port, 32768); // chosen here: see local_request()
  EXPECT_EQ(open[0].send_buffer, 0); // defaults left to the API
  EXPECT_EQ(open[0].receive_buffer, 0);
  auto sent = fake::calls("send_to", s->id());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].host, "10.0.0.2");
  EXPECT_EQ(sent[0].port, 53);
  EXPECT_EQ(std::string(sent[0].data.begin(), sent[0].data.end()), "query");

  s->on_open(ep("0.0.0.0", 50000), Endpoint());
  EXPECT_EQ(s->state(), State::Bound);
  EXPECT_EQ(send_bytes(*s, lock, "again", true, 0, &to), 5);
  EXPECT_EQ(fake::count("udp_open", s->id()), 1u);
}

TEST_F(SocketTest, UdpBindOpensInBoundMode) {
  auto s = udp(AF_INET6);
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_REUSEADDR, 1), 0);
  ASSERT_EQ(s->bind(lock, ep("::1", 5353)), 0);
  auto open = fake::calls("udp_open", s->id());
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].local_host, "::1");
  EXPECT_EQ(open[0].local_port, 5353);
  EXPECT_EQ(open[0].reuse_address, 1);
  EXPECT_EQ(open[0].host, "");
}

TEST_F(SocketTest, UdpConnectIsAPeerFilterOnABoundSocket) {
  // The UDPSocket is always in bound mode; connect() sets the default
  // destination and the peer filter, as the kernel does.
  auto s = udp();
  EXPECT_EQ(s->connect(lock, ep("10.0.0.2", 53), true), 0);
  auto open = fake::calls("udp_open", s->id());
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].host, "");
  EXPECT_EQ(open[0].local_host, "0.0.0.0");
  s->on_open(ep("0.0.0.0", 40000), Endpoint());
  EXPECT_EQ(s->state(), State::Bound);
  EXPECT_EQ(send_bytes(*s, lock, "q"), 1);
  auto sent = fake::calls("send_to", s->id());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].host, "10.0.0.2");
  EXPECT_EQ(sent[0].port, 53);
  Endpoint peer;
  EXPECT_EQ(s->peer_address(&peer), 0);
  EXPECT_EQ(peer, ep("10.0.0.2", 53));
  // Linux lets sendto() name any destination on a connected socket.
  Endpoint other = ep("10.0.0.3", 53);
  EXPECT_EQ(send_bytes(*s, lock, "q", true, 0, &other), 1);
  EXPECT_EQ(fake::calls("send_to", s->id()).at(1).host, "10.0.0.3");
  // connect() again moves the association; AF_UNSPEC dissolves it.
  EXPECT_EQ(s->connect(lock, ep("10.0.0.4", 53), true), 0);
  EXPECT_EQ(s->peer_address(&peer), 0);
  EXPECT_EQ(peer, ep("10.0.0.4", 53));
  Endpoint unspec;
  EXPECT_EQ(s->connect(lock, unspec, true), 0);
  EXPECT_EQ(s->peer_address(&peer), -ENOTCONN);
  EXPECT_EQ(fake::count("udp_open", s->id()), 1u);
}

TEST_F(SocketTest, UdpKeepsDatagramBoundaries) {
  auto s = udp();
  s->connect(lock, ep("10.0.0.2", 53), true);
  s->on_open(ep("10.0.0.9", 40000), ep("10.0.0.2", 53));
  ASSERT_TRUE(deliver_datagram(*s, "one", ep("10.0.0.2", 53)));
  ASSERT_TRUE(deliver_datagram(*s, "three", ep("10.0.0.2", 53)));
  EXPECT_EQ(s->readable_bytes(), 3); // FIONREAD: the next datagram
  EXPECT_TRUE(s->poll_events() & POLLIN);
  std::string got;
  Endpoint from;
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got, 0, true, &from), 3);
  EXPECT_EQ(got, "one");
  EXPECT_EQ(from, ep("10.0.0.2", 53));
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got), 5);
  EXPECT_EQ(got, "three");
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got), -EAGAIN);
  EXPECT_FALSE(s->poll_events() & POLLIN);
}

TEST_F(SocketTest, UdpTruncation) {
  auto s = udp();
  s->bind(lock, ep("0.0.0.0", 5000));
  s->on_open(ep("0.0.0.0", 5000), Endpoint());
  Endpoint src = ep("10.0.0.7", 7);
  deliver_datagram(*s, "0123456789", src);
  deliver_datagram(*s, "abcdefgh", src);
  deliver_datagram(*s, "xyz", src);
  std::string got;
  int mflags = 0;
  // A short buffer gets the head of the datagram; the rest is dropped.
  EXPECT_EQ(recv_bytes(*s, lock, 4, &got, 0, true, nullptr, &mflags), 4);
  EXPECT_EQ(got, "0123");
  EXPECT_EQ(mflags, MSG_TRUNC);
  // MSG_TRUNC asks for the real length.
  EXPECT_EQ(recv_bytes(*s, lock, 4, &got, MSG_TRUNC, true, nullptr, &mflags),
            8);
  EXPECT_EQ(got.substr(0, 4), "abcd");
  EXPECT_EQ(mflags, MSG_TRUNC);
  EXPECT_EQ(recv_bytes(*s, lock, 4, &got, 0, true, nullptr, &mflags), 3);
  EXPECT_EQ(mflags, 0);
}

TEST_F(SocketTest, UdpPeekKeepsTheDatagram) {
  auto s = udp();
  s->bind(lock, ep("0.0.0.0", 5000));
  s->on_open(ep("0.0.0.0", 5000), Endpoint());
  deliver_datagram(*s, "hello", ep("10.0.0.7", 7));
  std::string got;
  Endpoint from;
  EXPECT_EQ(recv_bytes(*s, lock, 2, &got, MSG_PEEK, true, &from), 2);
  EXPECT_EQ(from, ep("10.0.0.7", 7));
  EXPECT_EQ(recv_bytes(*s, lock, 10, &got), 5);
  EXPECT_EQ(got, "hello");
}

// Zero-length datagrams are received as such.
TEST_F(SocketTest, UdpZeroLengthDatagramIsReceived) {
  auto s = udp();
  s->bind(lock, ep("0.0.0.0", 5000));
  s->on_open(ep("0.0.0.0", 5000), Endpoint());
  ASSERT_TRUE(deliver_datagram(*s, "", ep("10.0.0.7", 7)));
  EXPECT_TRUE(s->poll_events() & POLLIN);
  Endpoint from;
  EXPECT_EQ(recv_bytes(*s, lock, 10, nullptr, 0, true, &from), 0);
  EXPECT_EQ(from, ep("10.0.0.7", 7));
  EXPECT_EQ(recv_bytes(*s, lock, 10, nullptr), -EAGAIN);
}

// Linux sends an empty datagram; the Direct Sockets API cannot (an empty
// UDPMessage is a TypeError that errors the writable), so the send fails
// without reaching the bridge, and later sends still work.
TEST_F(SocketTest, UdpZeroLengthDatagramIsEinval) {
  auto s = udp();
  Endpoint to = ep("10.0.0.7", 7);
  EXPECT_EQ(send_bytes(*s, lock, "", true, 0, &to), -EINVAL);
  EXPECT_EQ(fake::count("send_to", s->id()), 0u);
  EXPECT_EQ(send_bytes(*s, lock, "x", true, 0, &to), 1);
  EXPECT_EQ(fake::count("send_to", s->id()), 1u);
}

TEST_F(SocketTest, UdpDatagramSizeLimit) {
  auto s = udp();
  Endpoint to = ep("10.0.0.2", 9);
  EXPECT_EQ(send_bytes(*s, lock, std::string(65507, 'x'), true, 0, &to), 65507);
  EXPECT_EQ(send_bytes(*s, lock, std::string(65508, 'x'), true, 0, &to),
            -EMSGSIZE);
  EXPECT_EQ(fake::count("send_to", s->id()), 1u);
}

// Over IPv6 the payload length leaves out the IP header: 65527 bytes fit.
TEST_F(SocketTest, UdpDatagramSizeLimitOverIpv6) {
  auto s = udp(AF_INET6);
  Endpoint to = ep("2001:db8::2", 9), mapped = ep("::ffff:10.0.0.2", 9);
  EXPECT_EQ(send_bytes(*s, lock, std::string(65527, 'x'), true, 0, &to), 65527);
  EXPECT_EQ(send_bytes(*s, lock, std::string(65528, 'x'), true, 0, &to),
            -EMSGSIZE);
  EXPECT_EQ(send_bytes(*s, lock, std::string(65508, 'x'), true, 0, &mapped),
            -EMSGSIZE);
  EXPECT_EQ(fake::count("send_to", s->id()), 1u);
}

// A v6 UDPSocket bound to :: reaches IPv4 peers by their v4-mapped form.
TEST_F(SocketTest, UdpV6SocketSendsToV4MappedPeersInV6Form) {
  auto s = udp(AF_INET6);
  Endpoint to = ep("::ffff:10.0.0.2", 9);
  EXPECT_EQ(send_bytes(*s, lock, "x", true, 0, &to), 1);
  auto c = fake::calls("send_to", s->id());
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].host, "::ffff:10.0.0.2");
}

TEST_F(SocketTest, UdpSendWithoutDestinationIsEdestaddrreq) {
  auto s = udp();
  EXPECT_EQ(send_bytes(*s, lock, "x"), -EDESTADDRREQ);
  EXPECT_EQ(fake::count("udp_open", s->id()), 0u);
}

TEST_F(SocketTest, UdpSendToPortZeroIsEinval) {
  auto s = udp();
  Endpoint to = ep("10.0.0.2", 0);
  EXPECT_EQ(send_bytes(*s, lock, "x", true, 0, &to), -EINVAL);
}

TEST_F(SocketTest, ConnectedBoundUdpAcceptsOnlyItsPeer) {
  auto s = udp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  s->on_open(ep("0.0.0.0", 5000), Endpoint());
  ASSERT_EQ(s->connect(lock, ep("10.0.0.2", 53), true), 0);
  EXPECT_EQ(fake::count("udp_open", s->id()), 1u); // keeps its UDPSocket
  EXPECT_EQ(s->state(), State::Bound);
  deliver_datagram(*s, "stranger", ep("10.0.0.3", 53));
  deliver_datagram(*s, "wrong port", ep("10.0.0.2", 54));
  deliver_datagram(*s, "peer", ep("10.0.0.2", 53));
  std::string got;
  Endpoint from;
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got, 0, true, &from), 4);
  EXPECT_EQ(got, "peer");
  EXPECT_EQ(from, ep("10.0.0.2", 53));
  // Sends go to the peer by address: the UDPSocket is in bound mode.
  EXPECT_EQ(send_bytes(*s, lock, "q"), 1);
  auto sent = fake::calls("send_to", s->id());
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].host, "10.0.0.2");
  EXPECT_EQ(sent[0].port, 53);
}

// Datagrams from strangers to a connected socket are dropped on arrival, so
// they never fill its queue and stall its peer's.
TEST_F(SocketTest, UdpStrangersNeverFillAConnectedSocketsQueue) {
  auto s = udp();
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_RCVBUF, 1), 0); // 2304-byte queue
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  s->on_open(ep("0.0.0.0", 5000), Endpoint());
  ASSERT_EQ(s->connect(lock, ep("10.0.0.2", 53), true), 0);
  for (int i = 0; i < 10; i++)
    ASSERT_TRUE(deliver_datagram(*s, std::string(2000, 'x'), ep("10.0.0.3", 1)));
  EXPECT_EQ(recv_bytes(*s, lock, 100, nullptr), -EAGAIN);
  ASSERT_TRUE(deliver_datagram(*s, "peer", ep("10.0.0.2", 53)));
  std::string got;
  EXPECT_EQ(recv_bytes(*s, lock, 100, &got), 4);
  EXPECT_EQ(got, "peer");
}

TEST_F(SocketTest, UdpSendWindowBoundsQueuedDatagrams) {
  // Datagrams the bridge has not finished sending count against SO_SNDBUF.
  auto s = udp();
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_SNDBUF, 4096), 0); // an 8192-byte window
  Endpoint to = ep("10.0.0.2", 53);
  std::string d(3000, 'x');
  EXPECT_EQ(send_bytes(*s, lock, d, true, 0, &to), 3000);
  EXPECT_EQ(send_bytes(*s, lock, d, true, 0, &to), 3000);
  EXPECT_TRUE(s->poll_events() & POLLOUT);
  EXPECT_EQ(send_bytes(*s, lock, d, true, 0, &to), -EAGAIN);
  EXPECT_EQ(fake::count("send_to", s->id()), 2u);
  s->on_sent(3000);
  EXPECT_EQ(send_bytes(*s, lock, d, true, 0, &to), 3000);
  EXPECT_EQ(send_bytes(*s, lock, std::string(2200, 'y'), true, 0, &to), -EAGAIN);
  s->on_sent(6000);
  EXPECT_TRUE(s->poll_events() & POLLOUT);
}

// Datagrams from strangers do not make a connected UDP socket readable.
TEST_F(SocketTest, ConnectedBoundUdpIsNotReadableForStrangers) {
  auto s = udp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  s->on_open(ep("0.0.0.0", 5000), Endpoint());
  ASSERT_EQ(s->connect(lock, ep("10.0.0.2", 53), true), 0);
  deliver_datagram(*s, "stranger", ep("10.0.0.3", 53));
  EXPECT_FALSE(s->poll_events() & POLLIN);
  EXPECT_EQ(s->readable_bytes(), 0);
}

TEST_F(SocketTest, UdpFullQueuePausesThePumpUntilADatagramIsRead) {
  auto s = udp();
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_RCVBUF, 1), 0);
  ASSERT_EQ(get_int(*s, SOL_SOCKET, SO_RCVBUF), 2304);
  s->bind(lock, ep("0.0.0.0", 5000));
  s->on_open(ep("0.0.0.0", 5000), Endpoint());
  // Each datagram costs its bytes plus DatagramQueue::kOverhead.
  ASSERT_TRUE(deliver_datagram(*s, std::string(1500, 'x'), ep("10.0.0.3", 1)));
  EXPECT_FALSE(deliver_datagram(*s, std::string(1000, 'y'), ep("10.0.0.3", 1)));
  EXPECT_TRUE(deliver_datagram(*s, std::string(292, 'z'), ep("10.0.0.3", 1)));
  EXPECT_EQ(fake::count("resume_read", s->id()), 0u);
  EXPECT_EQ(recv_bytes(*s, lock, 4000, nullptr, MSG_PEEK), 1500);
  EXPECT_EQ(fake::count("resume_read", s->id()), 0u);
  EXPECT_EQ(recv_bytes(*s, lock, 4000, nullptr), 1500);
  EXPECT_EQ(fake::count("resume_read", s->id()), 1u);
}

TEST_F(SocketTest, UdpErrorIsReportedOnceAndTheSocketStaysUsable) {
  auto s = udp();
  s->connect(lock, ep("10.0.0.2", 53), true);
  s->on_open(ep("10.0.0.9", 40000), ep("10.0.0.2", 53));
  s->on_error(ECONNREFUSED); // ICMP port unreachable
  EXPECT_EQ(s->state(), State::Bound);
  EXPECT_TRUE(s->poll_events() & POLLERR);
  EXPECT_EQ(recv_bytes(*s, lock, 10, nullptr), -ECONNREFUSED);
  EXPECT_EQ(recv_bytes(*s, lock, 10, nullptr), -EAGAIN);
  EXPECT_EQ(send_bytes(*s, lock, "x"), 1);
}

TEST_F(SocketTest, UdpOpenFailure) {
  auto s = udp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  s->on_error(EADDRINUSE);
  EXPECT_EQ(s->state(), State::Failed);
  EXPECT_EQ(recv_bytes(*s, lock, 10, nullptr), -EADDRINUSE);
  EXPECT_LT(recv_bytes(*s, lock, 10, nullptr), 0);
}

// A UDP socket whose UDPSocket never opened keeps failing sends.
TEST_F(SocketTest, UdpSendAfterReportedFailureIsAnError) {
  auto s = udp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  s->on_error(EADDRINUSE);
  ASSERT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), EADDRINUSE);
  Endpoint to = ep("10.0.0.2", 9);
  EXPECT_LT(send_bytes(*s, lock, "x", true, 0, &to), 0);
}

TEST_F(SocketTest, UdpShutdownRead) {
  auto s = udp();
  s->connect(lock, ep("10.0.0.2", 53), true);
  s->on_open(ep("10.0.0.9", 40000), ep("10.0.0.2", 53));
  ASSERT_EQ(s->shutdown(SHUT_RD), 0);
  EXPECT_TRUE(s->poll_events() & POLLIN);
  EXPECT_EQ(recv_bytes(*s, lock, 10, nullptr), 0);
  ASSERT_EQ(s->shutdown(SHUT_WR), 0);
  EXPECT_EQ(send_bytes(*s, lock, "x"), -EPIPE);
  EXPECT_EQ(fake::count("shutdown_write", s->id()), 0u); // TCP only
}

// ---- options
// -----------------------------------------------------------------------

TEST_F(SocketTest, DefaultBufferSizesAreLinuxs) {
  auto t = tcp();
  EXPECT_EQ(get_int(*t, SOL_SOCKET, SO_SNDBUF), 16384);
  EXPECT_EQ(get_int(*t, SOL_SOCKET, SO_RCVBUF), kTcpRcvbuf);
  auto u = udp();
  EXPECT_EQ(get_int(*u, SOL_SOCKET, SO_SNDBUF), 212992);
  EXPECT_EQ(get_int(*u, SOL_SOCKET, SO_RCVBUF), 212992);
}

TEST_F(SocketTest, BufferSizesAreDoubledWithLinuxMinimums) {
  auto s = tcp();
  struct {
    int set, rcv, snd;
  } cases[] = {{0, 2304, 4608}, {1000, 2304, 4608}, {10000, 20000, 20000}};
  for (auto c : cases) {
    ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_RCVBUF, c.set), 0);
    ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_SNDBUF, c.set), 0);
    EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_RCVBUF), c.rcv) << c.set;
    EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_SNDBUF), c.snd) << c.set;
  }
}

// Linux caps SO_RCVBUF/SO_SNDBUF at [rw]mem_max (212992), reporting twice
// that at most.
TEST_F(SocketTest, HugeRcvbufIsCapped) {
  auto s = tcp();
  ASSERT_EQ(set_int(*s, SOL_SOCKET, SO_RCVBUF, INT_MAX), 0);
  EXPECT_LE(get_int(*s, SOL_SOCKET, SO_RCVBUF), 2 * 212992);
}

TEST_F(SocketTest, ReadOnlyOptions) {
  auto t = tcp(AF_INET6);
  EXPECT_EQ(get_int(*t, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  EXPECT_EQ(get_int(*t, SOL_SOCKET, SO_DOMAIN), AF_INET6);
  EXPECT_EQ(get_int(*t, SOL_SOCKET, SO_PROTOCOL), IPPROTO_TCP);
  EXPECT_EQ(get_int(*t, SOL_SOCKET, SO_ACCEPTCONN), 0);
  auto u = udp();
  EXPECT_EQ(get_int(*u, SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
  EXPECT_EQ(get_int(*u, SOL_SOCKET, SO_DOMAIN), AF_INET);
  EXPECT_EQ(get_int(*u, SOL_SOCKET, SO_PROTOCOL), IPPROTO_UDP);
}

TEST_F(SocketTest, GetsockoptTruncatesToTheGivenLength) {
  auto s = tcp();
  int v = 0;
  socklen_t len = 2;
  EXPECT_EQ(s->getsockopt(SOL_SOCKET, SO_TYPE, &v, &len), 0);
  EXPECT_EQ(len, 2u);
  int16_t low;
  memcpy(&low, &v, 2);
  int type = SOCK_STREAM;
  int16_t want;
  memcpy(&want, &type, 2);
  EXPECT_EQ(low, want);
  EXPECT_EQ(s->getsockopt(SOL_SOCKET, SO_TYPE, nullptr, &len), -EFAULT);
}

TEST_F(SocketTest, SetsockoptNeedsAnInt) {
  auto s = tcp();
  char c = 1;
  EXPECT_EQ(s->setsockopt(SOL_SOCKET, SO_RCVBUF, &c, 1), -EINVAL);
  EXPECT_EQ(s->setsockopt(IPPROTO_TCP, TCP_NODELAY, nullptr, 4), -EINVAL);
}

TEST_F(SocketTest, NodelayIsFixedOnceOpen) {
  auto s = tcp();
  ASSERT_EQ(set_int(*s, IPPROTO_TCP, TCP_NODELAY, 1), 0);
  EXPECT_EQ(get_int(*s, IPPROTO_TCP, TCP_NODELAY), 1);
  ASSERT_EQ(set_int(*s, IPPROTO_TCP, TCP_NODELAY, 0), 0); // still Idle
  EXPECT_EQ(get_int(*s, IPPROTO_TCP, TCP_NODELAY), 0);
  ASSERT_EQ(set_int(*s, IPPROTO_TCP, TCP_NODELAY, 1), 0);
  s->connect(lock, ep("10.0.0.1", 80), true);
  s->on_open(ep("10.0.0.9", 1), ep("10.0.0.1", 80));
  // Documented: noDelay is fixed when TCPSocket is built; setting the value
  // it already has is fine.
  EXPECT_EQ(set_int(*s, IPPROTO_TCP, TCP_NODELAY, 1), 0);
  EXPECT_EQ(set_int(*s, IPPROTO_TCP, TCP_NODELAY, 0), -EINVAL);
  EXPECT_EQ(get_int(*s, IPPROTO_TCP, TCP_NODELAY), 1);
}

TEST_F(SocketTest, KeepaliveIsFixedOnceOpen) {
  auto s = connected_tcp();
  EXPECT_EQ(set_int(*s, SOL_SOCKET, SO_KEEPALIVE, 0), 0);
  EXPECT_EQ(set_int(*s, SOL_SOCKET, SO_KEEPALIVE, 1), -EINVAL);
  EXPECT_EQ(set_int(*s, IPPROTO_TCP, TCP_KEEPIDLE, 60), -EINVAL);
}

TEST_F(SocketTest, TcpKeepAliveOptions) {
  auto s = tcp();
  EXPECT_EQ(get_int(*s, IPPROTO_TCP, TCP_KEEPIDLE), 7200);
  EXPECT_EQ(get_int(*s, IPPROTO_TCP, TCP_KEEPINTVL), 75);
  EXPECT_EQ(get_int(*s, IPPROTO_TCP, TCP_KEEPCNT), 9);
  EXPECT_EQ(set_int(*s, IPPROTO_TCP, TCP_KEEPIDLE, 0), -EINVAL);
  EXPECT_EQ(set_int(*s, IPPROTO_TCP, TCP_KEEPIDLE, 32768), -EINVAL);
  EXPECT_EQ(set_int(*s, IPPROTO_TCP, TCP_KEEPIDLE, 10), 0);
  EXPECT_EQ(get_int(*s, IPPROTO_TCP, TCP_KEEPIDLE), 10);
  // Documented: the API has no probe interval or count.
  EXPECT_EQ(set_int(*s, IPPROTO_TCP, TCP_KEEPINTVL, 5), -ENOPROTOOPT);
  EXPECT_EQ(set_int(*s, IPPROTO_TCP, TCP_KEEPCNT, 5), -ENOPROTOOPT);
}

TEST_F(SocketTest, UnknownOptionsAreEnoprotoopt) {
  auto t = tcp();
  auto u = udp();
  EXPECT_EQ(set_int(*t, SOL_SOCKET, 12345, 1), -ENOPROTOOPT);
  int v;
  socklen_t len = sizeof v;
  EXPECT_EQ(t->getsockopt(SOL_SOCKET, 12345, &v, &len), -ENOPROTOOPT);
  EXPECT_EQ(set_int(*t, IPPROTO_TCP, 12345, 1), -ENOPROTOOPT);
  EXPECT_EQ(t->getsockopt(IPPROTO_TCP, 12345, &v, &len), -ENOPROTOOPT);
  EXPECT_EQ(set_int(*u, IPPROTO_TCP, TCP_NODELAY, 1), -ENOPROTOOPT);
  EXPECT_EQ(u->getsockopt(IPPROTO_TCP, TCP_NODELAY, &v, &len), -ENOPROTOOPT);
  EXPECT_EQ(set_int(*t, IPPROTO_IPV6, IPV6_V6ONLY, 1), -ENOPROTOOPT); // AF_INET
  EXPECT_EQ(set_int(*t, 9999, 1, 1), -ENOPROTOOPT);
}

TEST_F(SocketTest, BroadcastIsAPermissionFlag) {
  // SO_BROADCAST only permits sends to broadcast addresses; whether the
  // browser passes one shows at sendto().
  auto u = udp();
  EXPECT_EQ(get_int(*u, SOL_SOCKET, SO_BROADCAST), 0);
  EXPECT_EQ(set_int(*u, SOL_SOCKET, SO_BROADCAST, 1), 0);
  EXPECT_EQ(get_int(*u, SOL_SOCKET, SO_BROADCAST), 1);
  EXPECT_EQ(set_int(*u, SOL_SOCKET, SO_BROADCAST, 0), 0);
  EXPECT_EQ(get_int(*u, SOL_SOCKET, SO_BROADCAST), 0);
}

TEST_F(SocketTest, UnicastTtlCanOnlyBeTheDefault) {
  // The browser's TTL is Linux's default, 64; other values cannot be had.
  auto u = udp();
  EXPECT_EQ(get_int(*u, IPPROTO_IP, IP_TTL), 64);
  EXPECT_EQ(set_int(*u, IPPROTO_IP, IP_TTL, 64), 0);
  EXPECT_EQ(set_int(*u, IPPROTO_IP, IP_TTL, 5), -ENOPROTOOPT);
  EXPECT_EQ(set_int(*u, IPPROTO_IP, IP_TTL, 256), -EINVAL);
}

TEST_F(SocketTest, MulticastOptionsAreFixedAtOpen) {
  auto u = udp();
  EXPECT_EQ(get_int(*u, IPPROTO_IP, IP_MULTICAST_TTL), 1);
  EXPECT_EQ(get_int(*u, IPPROTO_IP, IP_MULTICAST_LOOP), 1);
  EXPECT_EQ(set_int(*u, IPPROTO_IP, IP_MULTICAST_TTL, 5), 0);
  EXPECT_EQ(set_int(*u, IPPROTO_IP, IP_MULTICAST_LOOP, 0), 0);
  ASSERT_EQ(u->bind(lock, ep("0.0.0.0", 5000)), 0);
  auto open = fake::calls("udp_open", u->id());
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].multicast_ttl, 5);
  EXPECT_EQ(open[0].multicast_loop, 0);
  u->on_open(ep("0.0.0.0", 5000), Endpoint());
  EXPECT_EQ(set_int(*u, IPPROTO_IP, IP_MULTICAST_TTL, 5), 0);
  EXPECT_EQ(set_int(*u, IPPROTO_IP, IP_MULTICAST_TTL, 6), -EINVAL);
  auto v6 = udp(AF_INET6);
  EXPECT_EQ(set_int(*v6, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, -1), 0);
  EXPECT_EQ(get_int(*v6, IPPROTO_IPV6, IPV6_MULTICAST_HOPS), 1);
  EXPECT_EQ(set_int(*v6, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 2), -EINVAL);
  EXPECT_EQ(set_int(*v6, IPPROTO_IP, IP_MULTICAST_TTL, 2), -ENOPROTOOPT);
}

// Linux hands IPPROTO_IP options of an IPv6 socket to the IPv4 layer: the
// unicast TTL works there too.
TEST_F(SocketTest, Ipv6SocketTakesIpLevelTtl) {
  auto s = tcp(AF_INET6);
  EXPECT_EQ(get_int(*s, IPPROTO_IP, IP_TTL), 64);
  EXPECT_EQ(set_int(*s, IPPROTO_IP, IP_TTL, 64), 0);
  EXPECT_EQ(set_int(*s, IPPROTO_IP, IP_TTL, 5), -ENOPROTOOPT);
  auto v4 = tcp(AF_INET);
  EXPECT_EQ(set_int(*v4, IPPROTO_IPV6, IPV6_V6ONLY, 1), -ENOPROTOOPT);
}

// SO_KEEPALIVE is a socket-level flag on Linux, kept (unused) for UDP.
TEST_F(SocketTest, UdpKeepsSoKeepalive) {
  auto u = udp();
  EXPECT_EQ(set_int(*u, SOL_SOCKET, SO_KEEPALIVE, 1), 0);
  EXPECT_EQ(get_int(*u, SOL_SOCKET, SO_KEEPALIVE), 1);
}

TEST_F(SocketTest, V6OnlyOnlyBeforeOpen) {
  auto s = udp(AF_INET6);
  EXPECT_EQ(get_int(*s, IPPROTO_IPV6, IPV6_V6ONLY), 0);
  ASSERT_EQ(set_int(*s, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
  EXPECT_EQ(get_int(*s, IPPROTO_IPV6, IPV6_V6ONLY), 1);
  s->bind(lock, ep("::", 5000));
  EXPECT_EQ(fake::calls("udp_open", s->id()).at(0).ipv6_only, 1);
  EXPECT_EQ(set_int(*s, IPPROTO_IPV6, IPV6_V6ONLY, 0), -EINVAL);
}

TEST_F(SocketTest, UdpReuseaddrIsFixedAtBind) {
  auto s = udp();
  s->bind(lock, ep("0.0.0.0", 5000));
  EXPECT_EQ(set_int(*s, SOL_SOCKET, SO_REUSEADDR, 0), 0);
  EXPECT_EQ(set_int(*s, SOL_SOCKET, SO_REUSEADDR, 1), -EINVAL);
  auto t = connected_tcp(); // TCP servers always reuse: any time is fine
  EXPECT_EQ(set_int(*t, SOL_SOCKET, SO_REUSEADDR, 1), 0);
  EXPECT_EQ(get_int(*t, SOL_SOCKET, SO_REUSEADDR), 1);
}

TEST_F(SocketTest, TimeoutsRoundTrip) {
  auto s = tcp();
  timeval tv = {1, 500000}, out = {-1, -1};
  socklen_t len = sizeof out;
  ASSERT_EQ(s->setsockopt(SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  ASSERT_EQ(s->getsockopt(SOL_SOCKET, SO_RCVTIMEO, &out, &len), 0);
  EXPECT_EQ(len, sizeof out);
  EXPECT_EQ(out.tv_sec, 1);
  EXPECT_EQ(out.tv_usec, 500000);
  len = sizeof out;
  ASSERT_EQ(s->getsockopt(SOL_SOCKET, SO_SNDTIMEO, &out, &len), 0);
  EXPECT_EQ(out.tv_sec, 0); // untouched: no timeout
  EXPECT_EQ(out.tv_usec, 0);
  tv = {0, 0};
  ASSERT_EQ(s->setsockopt(SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  len = sizeof out;
  ASSERT_EQ(s->getsockopt(SOL_SOCKET, SO_RCVTIMEO, &out, &len), 0);
  EXPECT_EQ(out.tv_sec, 0);
  EXPECT_EQ(out.tv_usec, 0);
}

TEST_F(SocketTest, TimeoutsAreValidated) {
  auto s = tcp();
  timeval tv = {1, 1000000};
  EXPECT_EQ(s->setsockopt(SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), -EDOM);
  tv = {1, -1};
  EXPECT_EQ(s->setsockopt(SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), -EDOM);
  EXPECT_EQ(s->setsockopt(SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv - 1),
            -EINVAL);
}

TEST_F(SocketTest, LingerRoundTrip) {
  auto s = tcp();
  linger l = {1, 7}, out = {};
  socklen_t len = sizeof out;
  ASSERT_EQ(s->setsockopt(SOL_SOCKET, SO_LINGER, &l, sizeof l), 0);
  ASSERT_EQ(s->getsockopt(SOL_SOCKET, SO_LINGER, &out, &len), 0);
  EXPECT_EQ(out.l_onoff, 1);
  EXPECT_EQ(out.l_linger, 7);
  EXPECT_EQ(s->setsockopt(SOL_SOCKET, SO_LINGER, &l, sizeof l - 1), -EINVAL);
}

// ---- close
// -------------------------------------------------------------------------

TEST_F(SocketTest, ClosingAFreshSocketNeedsNoBridge) {
  auto s = tcp();
  uint32_t id = s->id();
  s.reset();
  EXPECT_EQ(fake::count("close", id), 0u);
  EXPECT_EQ(socket_by_id(id), nullptr);
}

TEST_F(SocketTest, CloseIsGracefulByDefault) {
  auto s = connected_tcp();
  uint32_t id = s->id();
  EXPECT_EQ(socket_by_id(id), s.get());
  s->close();
  s.reset(); // the destructor does not close twice
  auto c = fake::calls("close", id);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].abort, 0);
  EXPECT_EQ(socket_by_id(id), nullptr);
}

TEST_F(SocketTest, CloseIsGracefulWithAnyAcceptedLinger) {
  linger cases[] = {{1, 5}, {0, 0}, {0, 5}};
  for (auto l : cases) {
    auto s = connected_tcp();
    ASSERT_EQ(s->setsockopt(SOL_SOCKET, SO_LINGER, &l, sizeof l), 0);
    s->close();
    auto calls = fake::calls("close", s->id());
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].abort, 0)
        << "linger {" << l.l_onoff << ", " << l.l_linger << "}";
  }
}

// SO_LINGER {1, 0} asks close() for a RST, which the Direct Sockets API
// cannot send (an aborted TCPSocket closes with a FIN): refused, and the
// socket keeps its graceful close. UDP has nothing to abort.
TEST_F(SocketTest, AbortiveLingerIsRefusedOnTcp) {
  linger l = {1, 0}, out = {};
  socklen_t len = sizeof out;
  auto s = connected_tcp();
  EXPECT_EQ(s->setsockopt(SOL_SOCKET, SO_LINGER, &l, sizeof l), -ENOPROTOOPT);
  ASSERT_EQ(s->getsockopt(SOL_SOCKET, SO_LINGER, &out, &len), 0);
  EXPECT_EQ(out.l_onoff, 0);
  s->close();
  EXPECT_EQ(fake::calls("close", s->id())[0].abort, 0);
  auto u = udp();
  EXPECT_EQ(u->setsockopt(SOL_SOCKET, SO_LINGER, &l, sizeof l), 0);
}

TEST_F(SocketTest, EventsAfterCloseAreIgnored) {
  auto s = connected_tcp();
  s->close();
  s->on_error(ECONNRESET);
  EXPECT_EQ(s->state(), State::Closed);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), 0);
}
