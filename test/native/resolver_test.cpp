#include "resolver.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hosts.h"
#include "placeholder.h"
#include "services.h"

using namespace directsockets;

namespace {

std::string text_of(const Endpoint& ep) {
  char host[kHostLen];
  inet_ntop(ep.family, ep.addr, host, sizeof host);
  return host;
}

std::vector<std::string> lookup(std::string_view hosts, const char* name,
                                int family, std::string* canon = nullptr) {
  std::vector<Endpoint> eps;
  std::string c;
  hosts_lookup(hosts, name, family, &eps, canon ? canon : &c);
  std::vector<std::string> out;
  for (const Endpoint& ep : eps)
    out.push_back(text_of(ep));
  return out;
}

using V = std::vector<std::string>;

TEST(Hosts, ReadsLinesAsGlibcDoes) {
  const char* hosts = "# comment\n"
                      "10.0.0.1\tOne one.example # trailing\n"
                      "  fd00::1 one\r\n"
                      "bogus line\n"
                      "10.0.0.2\n"
                      "::ffff:10.0.0.3 mapped\n"
                      "::1 lo6";
  std::string canon;
  EXPECT_EQ(lookup(hosts, "one.EXAMPLE", AF_INET, &canon), V{"10.0.0.1"});
  EXPECT_EQ(canon, "One");
  EXPECT_EQ(lookup(hosts, "one", AF_UNSPEC), (V{"10.0.0.1", "fd00::1"}));
  EXPECT_EQ(lookup(hosts, "one", AF_INET6), V{"fd00::1"});
  EXPECT_EQ(lookup(hosts, "mapped", AF_INET), V{"10.0.0.3"});
  EXPECT_EQ(lookup(hosts, "lo6", AF_INET), V{"127.0.0.1"});
  EXPECT_EQ(lookup(hosts, "lo6", AF_INET6), V{"::1"});
  EXPECT_EQ(lookup(hosts, "line", AF_UNSPEC), V{});
  EXPECT_EQ(lookup(hosts, "trailing", AF_UNSPEC), V{});

  Endpoint ep;
  ASSERT_TRUE(endpoint_parse("fd00::1", 0, &ep));
  std::string name;
  ASSERT_TRUE(hosts_reverse(hosts, ep, &name));
  EXPECT_EQ(name, "one");
  ASSERT_TRUE(endpoint_parse("10.0.0.9", 0, &ep));
  EXPECT_FALSE(hosts_reverse(hosts, ep, &name));
}

TEST(Placeholder, RoundTripsAndStaysInItsRanges) {
  Endpoint a4, a6, b4;
  ASSERT_TRUE(placeholder_for("a.test", AF_INET, &a4));
  ASSERT_TRUE(placeholder_for("a.test", AF_INET6, &a6));
  ASSERT_TRUE(placeholder_for("b.test", AF_INET, &b4));
  EXPECT_EQ(a4.addr[0] & 0xf0, 0xf0);
  EXPECT_EQ(text_of(a6).rfind("100::", 0), 0u);
  EXPECT_FALSE(a4 == b4);
  std::string name;
  int family;
  ASSERT_TRUE(placeholder_name(a6, &name, &family));
  EXPECT_EQ(name, "a.test");
  EXPECT_EQ(family, AF_INET6);
  ASSERT_TRUE(placeholder_name(b4, &name, &family));
  EXPECT_EQ(name, "b.test");
  EXPECT_EQ(family, AF_INET);
  Endpoint other;
  ASSERT_TRUE(endpoint_parse("240.1.2.3", 0, &other));
  EXPECT_FALSE(placeholder_name(other, &name, &family)); // never handed out
  ASSERT_TRUE(endpoint_parse("10.0.0.1", 0, &other));
  EXPECT_FALSE(placeholder_name(other, &name, &family));
}

TEST(Services, KnowsWellKnownPorts) {
  EXPECT_EQ(service_port("http", "tcp"), 80);
  EXPECT_EQ(service_port("www", "tcp"), 80);
  EXPECT_EQ(service_port("http", "udp"), -1);
  EXPECT_EQ(service_port("domain", "udp"), 53);
  EXPECT_EQ(service_port("nope", "tcp"), -1);
  EXPECT_STREQ(service_name(443, "udp"), "https");
  EXPECT_EQ(service_name(4444, "tcp"), nullptr);
}

TEST(Resolve, ValidatesHintsAsGlibc) {
  std::vector<Resolved> out;
  std::string canon;
  addrinfo hints = {};
  EXPECT_EQ(resolve(nullptr, nullptr, nullptr, &out, &canon), EAI_NONAME);
  hints.ai_family = AF_UNIX;
  EXPECT_EQ(resolve("1.2.3.4", "1", &hints, &out, &canon), EAI_FAMILY);
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_protocol = IPPROTO_UDP;
  EXPECT_EQ(resolve("1.2.3.4", "1", &hints, &out, &canon), EAI_SOCKTYPE);
  hints.ai_socktype = 0;
  hints.ai_protocol = 99;
  EXPECT_EQ(resolve("1.2.3.4", "1", &hints, &out, &canon), EAI_SERVICE);
  hints.ai_protocol = 0;
  EXPECT_EQ(resolve("1.2.3.4", "1", &hints, &out, &canon), 0);
  ASSERT_EQ(out.size(), 3u); // stream, dgram, raw
  EXPECT_EQ(out[2].socktype, SOCK_RAW);
  out.clear();
  hints.ai_flags = AI_NUMERICHOST;
  EXPECT_EQ(resolve("x.invalid", "1", &hints, &out, &canon), EAI_NONAME);
  hints.ai_flags = 0;
  hints.ai_socktype = SOCK_STREAM;
  EXPECT_EQ(resolve("no-such-name.invalid", "1", &hints, &out, &canon), 0);
  ASSERT_EQ(out.size(), 1u);
  std::string name;
  int family;
  ASSERT_TRUE(placeholder_name(out[0].ep, &name, &family));
  EXPECT_EQ(name, "no-such-name.invalid");
}

TEST(Reverse, ReportsOverflowAndFlags) {
  Endpoint ep;
  ASSERT_TRUE(endpoint_parse("fe80::1", 80, &ep));
  ep.scope_id = 3;
  char host[64], serv[8];
  EXPECT_EQ(reverse(ep, NI_NUMERICHOST, host, sizeof host, serv, sizeof serv),
            0);
  EXPECT_STREQ(host, "fe80::1%3");
  EXPECT_STREQ(serv, "http");
  EXPECT_EQ(reverse(ep, NI_NUMERICHOST, host, 4, nullptr, 0), EAI_OVERFLOW);
  EXPECT_EQ(reverse(ep, 0x4000, host, sizeof host, nullptr, 0), EAI_BADFLAGS);
}

} // namespace
