// Multicast memberships: the requests as Linux reads and checks them, the
// table's answers (Linux's errnos, checked against a kernel by
// test/directsockets/multicast_errors.c), and a UDP socket's calls to the
// bridge in event-loop mode (can_block() = 0). Blocking joins are in
// socket_blocking_test.cpp.
#include "multicast.h"
#include "socket_test_util.h"

#include <arpa/inet.h>
#include <poll.h>

using namespace testutil;
using State = Socket::State;

namespace {

ip_mreq mreq(const char* group, const char* iface = "0.0.0.0") {
  ip_mreq m = {};
  inet_pton(AF_INET, group, &m.imr_multiaddr);
  inet_pton(AF_INET, iface, &m.imr_interface);
  return m;
}

ip_mreq_source mreq_source(const char* group, const char* source) {
  ip_mreq_source m = {};
  inet_pton(AF_INET, group, &m.imr_multiaddr);
  inet_pton(AF_INET, source, &m.imr_sourceaddr);
  return m;
}

ipv6_mreq mreq6(const char* group, unsigned iface = 0) {
  ipv6_mreq m = {};
  inet_pton(AF_INET6, group, &m.ipv6mr_multiaddr);
  m.ipv6mr_interface = iface;
  return m;
}

template <typename T>
int parse(int family, int level, int name, const T& v, MembershipRequest* r,
          socklen_t len = sizeof(T)) {
  return parse_membership(family, level, name, &v, len, r);
}

template <typename T> int set(Socket& s, int level, int name, const T& v) {
  return s.setsockopt(level, name, &v, sizeof v);
}

} // namespace

// ---- Requests
// ------------------------------------------------------------------

TEST(MembershipParse, ReadsIpMreqAndIpMreqn) {
  MembershipRequest r;
  EXPECT_EQ(
      parse(AF_INET, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq("239.1.2.3"), &r), 0);
  EXPECT_EQ(r.kind, MembershipRequest::Join);
  EXPECT_EQ(r.group, ep("239.1.2.3", 0));
  ip_mreqn n = {};
  inet_pton(AF_INET, "239.1.2.4", &n.imr_multiaddr);
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, IP_DROP_MEMBERSHIP, n, &r), 0);
  EXPECT_EQ(r.kind, MembershipRequest::Leave);
  EXPECT_EQ(r.group, ep("239.1.2.4", 0));
  // Between the two sizes, Linux reads an ip_mreq.
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, IP_ADD_MEMBERSHIP, n, &r, 9), 0);
}

TEST(MembershipParse, ChecksInLinuxOrder) {
  MembershipRequest r;
  EXPECT_EQ(
      parse(AF_INET, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq("239.1.2.3"), &r, 7),
      -EINVAL);
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, IP_ADD_MEMBERSHIP,
                  mreq("10.1.2.3", "10.0.0.1"), &r),
            -EINVAL); // not multicast, before the interface
  // A group left by any source is looked up, not checked (EADDRNOTAVAIL).
  EXPECT_EQ(
      parse(AF_INET, IPPROTO_IP, IP_DROP_MEMBERSHIP, mreq("10.1.2.3"), &r), 0);
  EXPECT_EQ(parse(AF_INET6, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP,
                  mreq6("2001:db8::1"), &r),
            -EINVAL);
  EXPECT_EQ(parse(AF_INET6, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, mreq6("ff15::1"),
                  &r, 19),
            -EINVAL);
  EXPECT_EQ(parse(AF_INET6, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP,
                  mreq6("::ffff:239.1.1.1"), &r),
            -EINVAL); // v4-mapped is not multicast
  ip_mreq_source s = mreq_source("232.1.1.1", "10.0.0.1");
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, s, &r, 11),
            -EINVAL);
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, s, &r, 13),
            -EINVAL);
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP,
                  mreq_source("10.1.1.1", "10.0.0.1"), &r),
            -EINVAL);
}

TEST(MembershipParse, RefusesWhatTheApiCannotDo) {
  MembershipRequest r;
  // An interface of the program's choice.
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, IP_ADD_MEMBERSHIP,
                  mreq("239.1.2.3", "10.0.0.1"), &r),
            -ENOPROTOOPT);
  ip_mreqn n = {};
  inet_pton(AF_INET, "239.1.2.4", &n.imr_multiaddr);
  n.imr_ifindex = 2;
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, IP_ADD_MEMBERSHIP, n, &r), -ENOPROTOOPT);
  EXPECT_EQ(parse(AF_INET6, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP,
                  mreq6("ff15::1", 2), &r),
            -ENOPROTOOPT);
  // An IPv4 group on an IPv6 socket; source exclusion.
  EXPECT_EQ(
      parse(AF_INET6, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq("239.1.2.3"), &r),
      -ENOPROTOOPT);
  ip_mreq_source s = mreq_source("232.1.1.1", "10.0.0.1");
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, IP_BLOCK_SOURCE, s, &r), -ENOPROTOOPT);
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, MCAST_MSFILTER, s, &r), -ENOPROTOOPT);
  // Sources Chromium refuses (Linux takes them).
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP,
                  mreq_source("232.1.1.1", "0.0.0.0"), &r),
            -EINVAL);
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP,
                  mreq_source("232.1.1.1", "232.1.1.2"), &r),
            -EINVAL);
}

TEST(MembershipParse, ReadsGroupReqs) {
  MembershipRequest r;
  group_req g = {};
  auto* in = reinterpret_cast<sockaddr_in*>(&g.gr_group);
  in->sin_family = AF_INET;
  inet_pton(AF_INET, "239.4.4.4", &in->sin_addr);
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, MCAST_JOIN_GROUP, g, &r), 0);
  EXPECT_EQ(r.group, ep("239.4.4.4", 0));
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, MCAST_JOIN_GROUP, g, &r, sizeof g - 1),
            -EINVAL);
  EXPECT_EQ(parse(AF_INET6, IPPROTO_IPV6, MCAST_JOIN_GROUP, g, &r),
            -EADDRNOTAVAIL);
  in->sin_family = AF_INET6;
  EXPECT_EQ(parse(AF_INET, IPPROTO_IP, MCAST_JOIN_GROUP, g, &r), -EINVAL);

  group_source_req gs = {};
  auto* group = reinterpret_cast<sockaddr_in6*>(&gs.gsr_group);
  auto* source = reinterpret_cast<sockaddr_in6*>(&gs.gsr_source);
  group->sin6_family = source->sin6_family = AF_INET6;
  inet_pton(AF_INET6, "ff35::8000:1", &group->sin6_addr);
  inet_pton(AF_INET6, "2001:db8::5", &source->sin6_addr);
  EXPECT_EQ(parse(AF_INET6, IPPROTO_IPV6, MCAST_JOIN_SOURCE_GROUP, gs, &r), 0);
  EXPECT_EQ(r.kind, MembershipRequest::JoinSource);
  EXPECT_EQ(r.group, ep("ff35::8000:1", 0));
  EXPECT_EQ(r.source, ep("2001:db8::5", 0));
  EXPECT_EQ(parse(AF_INET6, IPPROTO_IPV6, MCAST_JOIN_SOURCE_GROUP, gs, &r,
                  sizeof gs + 4),
            -EINVAL);
  source->sin6_family = AF_INET;
  EXPECT_EQ(parse(AF_INET6, IPPROTO_IPV6, MCAST_LEAVE_SOURCE_GROUP, gs, &r),
            -EADDRNOTAVAIL);
}

// ---- The table
// -----------------------------------------------------------------

class MembershipTableTest : public ::testing::Test {
protected:
  MembershipTable table;
  std::vector<MembershipCall> calls;

  int apply(MembershipRequest::Kind kind, const char* group,
            const char* source = nullptr) {
    MembershipRequest r;
    r.kind = kind;
    r.group = ep(group, 0);
    if (source)
      r.source = ep(source, 0);
    calls.clear();
    return table.apply(r, &calls);
  }
};

TEST_F(MembershipTableTest, JoinsAndLeavesAsLinux) {
  using K = MembershipRequest::Kind;
  EXPECT_EQ(apply(K::Leave, "239.1.1.1"), -EADDRNOTAVAIL);
  EXPECT_EQ(apply(K::Join, "239.1.1.1"), 0);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(calls[0].join);
  EXPECT_FALSE(calls[0].has_source);
  EXPECT_EQ(apply(K::Join, "239.1.1.1"), -EADDRINUSE);
  EXPECT_TRUE(calls.empty());
  EXPECT_EQ(apply(K::Leave, "239.1.1.1"), 0);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_FALSE(calls[0].join);
  EXPECT_EQ(apply(K::Leave, "239.1.1.1"), -EADDRNOTAVAIL);
  EXPECT_TRUE(table.empty());
}

TEST_F(MembershipTableTest, SourcesAsLinux) {
  using K = MembershipRequest::Kind;
  EXPECT_EQ(apply(K::LeaveSource, "232.1.1.1", "10.0.0.1"), -EINVAL);
  EXPECT_EQ(apply(K::JoinSource, "232.1.1.1", "10.0.0.1"), 0);
  EXPECT_EQ(apply(K::JoinSource, "232.1.1.1", "10.0.0.1"), -EADDRNOTAVAIL);
  EXPECT_EQ(apply(K::JoinSource, "232.1.1.1", "10.0.0.2"), 0);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].source, ep("10.0.0.2", 0));
  EXPECT_EQ(apply(K::Join, "232.1.1.1"), -EADDRINUSE);
  EXPECT_EQ(apply(K::LeaveSource, "232.1.1.1", "10.0.0.3"), -EADDRNOTAVAIL);
  EXPECT_EQ(apply(K::LeaveSource, "232.1.1.1", "10.0.0.1"), 0);
  // Leaving by any source leaves the sources still joined.
  EXPECT_EQ(apply(K::Leave, "232.1.1.1"), 0);
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_TRUE(calls[0].has_source);
  EXPECT_EQ(calls[0].source, ep("10.0.0.2", 0));
  EXPECT_TRUE(table.empty());
  // The last source dropped, the group is left.
  EXPECT_EQ(apply(K::JoinSource, "232.1.1.1", "10.0.0.1"), 0);
  EXPECT_EQ(apply(K::LeaveSource, "232.1.1.1", "10.0.0.1"), 0);
  EXPECT_EQ(apply(K::LeaveSource, "232.1.1.1", "10.0.0.1"), -EINVAL);
}

TEST_F(MembershipTableTest, AnySourceBecomesOneSource) {
  using K = MembershipRequest::Kind;
  EXPECT_EQ(apply(K::Join, "239.1.1.1"), 0);
  EXPECT_EQ(apply(K::LeaveSource, "239.1.1.1", "10.0.0.1"), -EADDRNOTAVAIL);
  EXPECT_EQ(apply(K::JoinSource, "239.1.1.1", "10.0.0.1"), 0);
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_FALSE(calls[0].join);
  EXPECT_FALSE(calls[0].has_source);
  EXPECT_TRUE(calls[1].join);
  EXPECT_TRUE(calls[1].has_source);
  EXPECT_EQ(apply(K::Leave, "239.1.1.1"), 0);
  EXPECT_TRUE(table.empty());
}

TEST_F(MembershipTableTest, UndoesWhatTheBrowserRefused) {
  using K = MembershipRequest::Kind;
  ASSERT_EQ(apply(K::Join, "239.1.1.1"), 0);
  table.undo(calls[0]);
  EXPECT_TRUE(table.empty());
  ASSERT_EQ(apply(K::JoinSource, "232.1.1.1", "10.0.0.1"), 0);
  ASSERT_EQ(apply(K::LeaveSource, "232.1.1.1", "10.0.0.1"), 0);
  table.undo(calls[0]); // still joined by that source
  EXPECT_EQ(apply(K::JoinSource, "232.1.1.1", "10.0.0.1"), -EADDRNOTAVAIL);
}

// ---- A socket's calls to the bridge
// -----------------------------------------------------------------

TEST_F(SocketTest, JoinBeforeBindIsMadeWhenTheSocketOpens) {
  auto s = udp();
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq("239.1.2.3")), 0);
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq("239.1.2.3")),
            -EADDRINUSE);
  EXPECT_EQ(fake::count("membership", s->id()), 0u);
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  s->on_open(ep("0.0.0.0", 5000), Endpoint());
  auto calls = fake::calls("membership", s->id());
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].join, 1);
  EXPECT_EQ(calls[0].host, "239.1.2.3");
  EXPECT_EQ(calls[0].source, "");
  s->on_membership(0);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), 0);
}

TEST_F(SocketTest, MembershipCallsAreMadeOneAtATime) {
  auto s = udp(AF_INET6);
  ASSERT_EQ(s->bind(lock, ep("::", 5000)), 0);
  s->on_open(ep("::", 5000), Endpoint());
  EXPECT_EQ(set(*s, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, mreq6("ff15::1")), 0);
  EXPECT_EQ(set(*s, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, mreq6("ff15::1")), 0);
  EXPECT_EQ(set(*s, IPPROTO_IPV6, IPV6_DROP_MEMBERSHIP, mreq6("ff15::1")),
            -EADDRNOTAVAIL);
  ASSERT_EQ(fake::count("membership", s->id()), 1u);
  s->on_membership(0);
  auto calls = fake::calls("membership", s->id());
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[1].join, 0);
  EXPECT_EQ(calls[1].host, "ff15::1");
  s->on_membership(0);
  s->on_membership(0); // a stray answer changes nothing
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), 0);
}

TEST_F(SocketTest, RefusedJoinIsSoErrorInEventLoopMode) {
  auto s = udp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  s->on_open(ep("0.0.0.0", 5000), Endpoint());
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq("239.1.2.3")), 0);
  s->on_membership(ENODEV);
  EXPECT_TRUE(s->poll_events() & POLLERR);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), ENODEV);
  // Not a member: joining again is a new join.
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq("239.1.2.3")), 0);
  EXPECT_EQ(fake::count("membership", s->id()), 2u);
}

TEST_F(SocketTest, MembershipTheBridgeCannotStartFailsAtOnce) {
  auto s = udp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  s->on_open(ep("0.0.0.0", 5000), Endpoint());
  fake::bridge().membership_result = -EACCES; // no MulticastController
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq("239.1.2.3")), -EACCES);
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_DROP_MEMBERSHIP, mreq("239.1.2.3")),
            -EADDRNOTAVAIL);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_ERROR), 0);
}

TEST_F(SocketTest, SourceSpecificJoinNamesTheSource) {
  auto s = udp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  s->on_open(ep("0.0.0.0", 5000), Endpoint());
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP,
                mreq_source("232.1.1.1", "10.0.0.7")),
            0);
  auto calls = fake::calls("membership", s->id());
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].host, "232.1.1.1");
  EXPECT_EQ(calls[0].source, "10.0.0.7");
}

TEST_F(SocketTest, MembershipsOnTcpAreRefusedAsLinux) {
  auto s = tcp();
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq("239.1.2.3")), -EPROTO);
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_MULTICAST_TTL, 3), -EINVAL);
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_MULTICAST_LOOP, 0), 0);
  EXPECT_EQ(get_int(*s, IPPROTO_IP, IP_MULTICAST_TTL), 1);
}

TEST_F(SocketTest, ClosingDropsMemberships) {
  auto s = udp();
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  s->on_open(ep("0.0.0.0", 5000), Endpoint());
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq("239.1.2.3")), 0);
  s->close();
  s->on_membership(0); // the answer after the close is ignored
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_ADD_MEMBERSHIP, mreq("239.1.2.4")), -EBADF);
}

TEST_F(SocketTest, MulticastOptionsGoToTheUdpSocket) {
  auto s = udp();
  unsigned char ttl = 9; // Linux takes a byte at the IPv4 level
  EXPECT_EQ(s->setsockopt(IPPROTO_IP, IP_MULTICAST_TTL, &ttl, 1), 0);
  EXPECT_EQ(set_int(*s, SOL_SOCKET, SO_REUSEPORT, 1), 0);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_REUSEPORT), 1);
  EXPECT_EQ(get_int(*s, SOL_SOCKET, SO_REUSEADDR), 0);
  in_addr any = {INADDR_ANY};
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_MULTICAST_IF, any), 0);
  in_addr some = {};
  inet_pton(AF_INET, "10.0.0.1", &some);
  EXPECT_EQ(set(*s, IPPROTO_IP, IP_MULTICAST_IF, some), -ENOPROTOOPT);
  ASSERT_EQ(s->bind(lock, ep("0.0.0.0", 5000)), 0);
  auto open = fake::calls("udp_open", s->id());
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0].multicast_ttl, 9);
  EXPECT_EQ(open[0].reuse_address, 1); // SO_REUSEPORT shares the address too
  unsigned char byte = 0;
  socklen_t len = 1;
  EXPECT_EQ(s->getsockopt(IPPROTO_IP, IP_MULTICAST_TTL, &byte, &len), 0);
  EXPECT_EQ(len, 1u);
  EXPECT_EQ(byte, 9);
  // Fixed once the UDPSocket is built.
  EXPECT_EQ(set_int(*s, SOL_SOCKET, SO_REUSEPORT, 0), -EINVAL);
  EXPECT_EQ(set_int(*s, IPPROTO_IP, IP_MULTICAST_TTL, 9), 0);
  EXPECT_EQ(set_int(*s, IPPROTO_IP, IP_MULTICAST_TTL, 10), -EINVAL);
}
