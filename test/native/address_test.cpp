#include "address.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <cstring>
#include <string>

using namespace directsockets;

namespace {

sockaddr_in v4(const char* host, uint16_t port) {
  sockaddr_in sin = {};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  EXPECT_EQ(inet_pton(AF_INET, host, &sin.sin_addr), 1);
  return sin;
}

sockaddr_in6 v6(const char* host, uint16_t port) {
  sockaddr_in6 sin6 = {};
  sin6.sin6_family = AF_INET6;
  sin6.sin6_port = htons(port);
  EXPECT_EQ(inet_pton(AF_INET6, host, &sin6.sin6_addr), 1);
  return sin6;
}

std::string host_of(const Endpoint& ep) {
  char buf[kHostLen];
  ep.host(buf);
  return buf;
}

const sockaddr* sa(const void* p) { return static_cast<const sockaddr*>(p); }

} // namespace

TEST(Address, Inet4RoundTrip) {
  sockaddr_in in = v4("192.0.2.7", 8080);
  Endpoint ep;
  ASSERT_EQ(endpoint_from_sockaddr(sa(&in), sizeof in, AF_INET, &ep), 0);
  EXPECT_EQ(ep.family, AF_INET);
  EXPECT_EQ(ep.port, 8080);
  EXPECT_EQ(host_of(ep), "192.0.2.7");

  sockaddr_in out;
  memset(&out, 0xAA, sizeof out);
  socklen_t len = sizeof out;
  endpoint_to_sockaddr(ep, AF_INET, reinterpret_cast<sockaddr*>(&out), &len);
  EXPECT_EQ(len, sizeof(sockaddr_in));
  EXPECT_EQ(memcmp(&out, &in, sizeof in), 0); // sin_zero cleared too
}

TEST(Address, Inet6RoundTripKeepsFlowAndScope) {
  sockaddr_in6 in6 = v6("fe80::1", 443);
  in6.sin6_flowinfo = htonl(0x12345);
  in6.sin6_scope_id = 3;
  Endpoint ep;
  ASSERT_EQ(endpoint_from_sockaddr(sa(&in6), sizeof in6, AF_INET6, &ep), 0);
  EXPECT_EQ(ep.family, AF_INET6);
  EXPECT_EQ(ep.port, 443);
  EXPECT_EQ(ep.scope_id, 3u);
  EXPECT_EQ(host_of(ep), "fe80::1");

  sockaddr_in6 out;
  memset(&out, 0xAA, sizeof out);
  socklen_t len = sizeof out;
  endpoint_to_sockaddr(ep, AF_INET6, reinterpret_cast<sockaddr*>(&out), &len);
  EXPECT_EQ(len, sizeof(sockaddr_in6));
  EXPECT_EQ(memcmp(&out, &in6, sizeof in6), 0);
}

TEST(Address, Inet4EndpointOnInet6SocketIsWrittenV4Mapped) {
  Endpoint ep;
  ASSERT_TRUE(endpoint_parse("198.51.100.9", 53, &ep));
  sockaddr_in6 out;
  socklen_t len = sizeof out;
  endpoint_to_sockaddr(ep, AF_INET6, reinterpret_cast<sockaddr*>(&out), &len);
  EXPECT_EQ(len, sizeof(sockaddr_in6));
  sockaddr_in6 want = v6("::ffff:198.51.100.9", 53);
  EXPECT_EQ(memcmp(&out, &want, sizeof want), 0);
}

TEST(Address, V4MappedSockaddrOnInet6Socket) {
  sockaddr_in6 in6 = v6("::ffff:10.1.2.3", 22);
  Endpoint ep;
  ASSERT_EQ(endpoint_from_sockaddr(sa(&in6), sizeof in6, AF_INET6, &ep), 0);
  EXPECT_EQ(ep.family, AF_INET6);
  EXPECT_TRUE(ep.is_v4_mapped());
  // The Direct Sockets API is given the IPv4 form.
  EXPECT_EQ(host_of(ep), "10.1.2.3");
}

TEST(Address, IsV4MappedOnlyForThePrefix) {
  Endpoint ep;
  ASSERT_TRUE(endpoint_parse("::1", 0, &ep));
  EXPECT_FALSE(ep.is_v4_mapped());
  ASSERT_TRUE(
      endpoint_parse("::10.1.2.3", 0, &ep)); // v4-compatible, not mapped
  EXPECT_FALSE(ep.is_v4_mapped());
  EXPECT_EQ(host_of(ep), "::10.1.2.3");
  ASSERT_TRUE(endpoint_parse("10.1.2.3", 0, &ep));
  EXPECT_FALSE(ep.is_v4_mapped()); // an AF_INET endpoint is not "mapped"
}

TEST(Address, OutputIsTruncatedButFullLengthReported) {
  Endpoint ep;
  ASSERT_TRUE(endpoint_parse("2001:db8::5", 9, &ep));
  uint8_t buf[sizeof(sockaddr_in6) + 4];
  memset(buf, 0xAA, sizeof buf);
  socklen_t len = 4;
  endpoint_to_sockaddr(ep, AF_INET6, reinterpret_cast<sockaddr*>(buf), &len);
  EXPECT_EQ(len, sizeof(sockaddr_in6));
  sockaddr_in6 want = v6("2001:db8::5", 9);
  EXPECT_EQ(memcmp(buf, &want, 4), 0); // family and port
  for (size_t i = 4; i < sizeof buf; i++)
    ASSERT_EQ(buf[i], 0xAA) << "byte " << i << " written past the length";
}

TEST(Address, ZeroLengthOutputOnlyReportsLength) {
  Endpoint ep;
  ASSERT_TRUE(endpoint_parse("192.0.2.1", 1, &ep));
  uint8_t c = 0xAA;
  socklen_t len = 0;
  endpoint_to_sockaddr(ep, AF_INET, reinterpret_cast<sockaddr*>(&c), &len);
  EXPECT_EQ(len, sizeof(sockaddr_in));
  EXPECT_EQ(c, 0xAA);
}

TEST(Address, ShortLengthsAreEinval) {
  sockaddr_in in = v4("192.0.2.1", 1);
  sockaddr_in6 in6 = v6("2001:db8::1", 1);
  Endpoint ep;
  EXPECT_EQ(endpoint_from_sockaddr(sa(&in), 0, AF_INET, &ep), EINVAL);
  EXPECT_EQ(endpoint_from_sockaddr(sa(&in), 1, AF_INET, &ep), EINVAL);
  EXPECT_EQ(endpoint_from_sockaddr(sa(&in), sizeof in - 1, AF_INET, &ep),
            EINVAL);
  EXPECT_EQ(endpoint_from_sockaddr(sa(&in6), 16, AF_INET6, &ep), EINVAL);
  EXPECT_EQ(endpoint_from_sockaddr(nullptr, sizeof in, AF_INET, &ep), EINVAL);
}

TEST(Address, Inet6OnInet4SocketIsEafnosupport) {
  sockaddr_in6 in6 = v6("2001:db8::1", 1);
  Endpoint ep;
  EXPECT_EQ(endpoint_from_sockaddr(sa(&in6), sizeof in6, AF_INET, &ep),
            EAFNOSUPPORT);
}

TEST(Address, ForeignFamilyIsRejected) {
  sockaddr_storage ss = {};
  ss.ss_family = AF_UNIX;
  Endpoint ep;
  EXPECT_EQ(endpoint_from_sockaddr(sa(&ss), sizeof ss, AF_INET, &ep),
            EAFNOSUPPORT);
  EXPECT_NE(endpoint_from_sockaddr(sa(&ss), sizeof ss, AF_INET6, &ep), 0);
}

// Linux accepts a sockaddr_in6 of SIN6_LEN_RFC2133 (24) bytes, without
// sin6_scope_id.
TEST(Address, Rfc2133LengthSockaddrIn6IsAccepted) {
  sockaddr_in6 in6 = v6("2001:db8::1", 80);
  in6.sin6_scope_id = 5; // beyond the 24 bytes: must be ignored
  Endpoint ep;
  ASSERT_EQ(endpoint_from_sockaddr(sa(&in6), 24, AF_INET6, &ep), 0);
  EXPECT_EQ(ep.port, 80);
  EXPECT_EQ(ep.scope_id, 0u);
}

// An AF_INET6 socket reads AF_INET addresses (Linux takes them for UDP
// connect/sendto).
TEST(Address, InetSockaddrOnInet6SocketIsTakenAsV4Mapped) {
  sockaddr_in in = v4("192.0.2.1", 7);
  Endpoint ep;
  ASSERT_EQ(endpoint_from_sockaddr(sa(&in), sizeof in, AF_INET6, &ep), 0);
  EXPECT_EQ(ep.port, 7);
  EXPECT_EQ(host_of(ep), "192.0.2.1");
  sockaddr_in6 out;
  socklen_t len = sizeof out;
  endpoint_to_sockaddr(ep, AF_INET6, reinterpret_cast<sockaddr*>(&out), &len);
  sockaddr_in6 want = v6("::ffff:192.0.2.1", 7);
  EXPECT_EQ(memcmp(&out, &want, sizeof want), 0);
}

TEST(Address, ParseV4) {
  Endpoint ep;
  ASSERT_TRUE(endpoint_parse("203.0.113.200", 65535, &ep));
  EXPECT_EQ(ep.family, AF_INET);
  EXPECT_EQ(ep.port, 65535);
  const uint8_t want[4] = {203, 0, 113, 200};
  EXPECT_EQ(memcmp(ep.addr, want, 4), 0);
}

TEST(Address, ParseV6) {
  Endpoint ep;
  ASSERT_TRUE(endpoint_parse("2001:db8::ff", 1, &ep));
  EXPECT_EQ(ep.family, AF_INET6);
  EXPECT_EQ(ep.addr[0], 0x20);
  EXPECT_EQ(ep.addr[15], 0xff);
  EXPECT_EQ(host_of(ep), "2001:db8::ff");
}

TEST(Address, ParseGarbage) {
  Endpoint ep;
  ep.port = 1;
  for (const char* s : {"", "localhost", "1.2.3", "1.2.3.4.5", "256.1.1.1",
                        "::g", "1.2.3.4 ", "[::1]"}) {
    EXPECT_FALSE(endpoint_parse(s, 5, &ep)) << s;
  }
}

TEST(Address, UnspecifiedAndAny) {
  Endpoint any4 = endpoint_any(AF_INET), any6 = endpoint_any(AF_INET6);
  EXPECT_TRUE(any4.is_unspecified());
  EXPECT_TRUE(any6.is_unspecified());
  EXPECT_EQ(host_of(any4), "0.0.0.0");
  EXPECT_EQ(host_of(any6), "::");
  Endpoint ep;
  ASSERT_TRUE(endpoint_parse("::1", 0, &ep));
  EXPECT_FALSE(ep.is_unspecified());
  ASSERT_TRUE(endpoint_parse("0.0.0.1", 0, &ep));
  EXPECT_FALSE(ep.is_unspecified());
}

TEST(Address, EqualityComparesFamilyAddressAndPort) {
  Endpoint a, b;
  ASSERT_TRUE(endpoint_parse("10.0.0.1", 80, &a));
  ASSERT_TRUE(endpoint_parse("10.0.0.1", 80, &b));
  EXPECT_TRUE(a == b);
  b.port = 81;
  EXPECT_FALSE(a == b);
  ASSERT_TRUE(endpoint_parse("10.0.0.2", 80, &b));
  EXPECT_FALSE(a == b);
  ASSERT_TRUE(endpoint_parse("::ffff:10.0.0.1", 80, &b));
  EXPECT_FALSE(a == b); // different families
}
