// Multicast options without a group joined, so on any machine: defaults,
// values that round-trip (ints and, at the IPv4 level, single bytes), the
// values Linux refuses, membership requests refused before any join (short
// structures, groups that are not multicast, wrong families and levels),
// TCP's answers, and SO_REUSEPORT. Joins are in multicast.c, which runs in
// network namespaces; what the browser cannot do is in wasm_only.c.
#include "check.h"

#include <netinet/tcp.h>

static int get(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  if (getsockopt(fd, level, name, &v, &len) != 0)
    return -1;
  CHECK(len == sizeof v);
  return v;
}

static int set(int fd, int level, int name, int v) {
  return setsockopt(fd, level, name, &v, sizeof v);
}

static int set_byte(int fd, int level, int name, unsigned char v) {
  return setsockopt(fd, level, name, &v, 1);
}

// getsockopt into a buffer of `len` bytes: the length Linux reports back.
static int got_len(int fd, int level, int name, socklen_t len) {
  unsigned char buf[16] = {0};
  if (getsockopt(fd, level, name, buf, &len) != 0)
    return -1;
  return (int)len;
}

static void ipv4_udp(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(fd >= 0);
  EXPECT_EQ("IP_MULTICAST_TTL", get(fd, IPPROTO_IP, IP_MULTICAST_TTL), 1);
  EXPECT_EQ("  set 5", set(fd, IPPROTO_IP, IP_MULTICAST_TTL, 5), 0);
  EXPECT_EQ("  now", get(fd, IPPROTO_IP, IP_MULTICAST_TTL), 5);
  EXPECT_EQ("  set a byte, 9", set_byte(fd, IPPROTO_IP, IP_MULTICAST_TTL, 9), 0);
  EXPECT_EQ("  now", get(fd, IPPROTO_IP, IP_MULTICAST_TTL), 9);
  EXPECT_EQ("  read into a byte: length", got_len(fd, IPPROTO_IP, IP_MULTICAST_TTL, 1), 1);
  EXPECT_EQ("  read into 2 bytes: length", got_len(fd, IPPROTO_IP, IP_MULTICAST_TTL, 2), 1);
  EXPECT_EQ("  read into 8 bytes: length", got_len(fd, IPPROTO_IP, IP_MULTICAST_TTL, 8), 4);
  EXPECT_EQ("  set -1 (the default)", set(fd, IPPROTO_IP, IP_MULTICAST_TTL, -1), 0);
  EXPECT_EQ("  now", get(fd, IPPROTO_IP, IP_MULTICAST_TTL), 1);
  EXPECT_EQ("  set 0", set(fd, IPPROTO_IP, IP_MULTICAST_TTL, 0), 0);
  EXPECT_ERR("  set 256", set(fd, IPPROTO_IP, IP_MULTICAST_TTL, 256), EINVAL);
  EXPECT_ERR("  set -2", set(fd, IPPROTO_IP, IP_MULTICAST_TTL, -2), EINVAL);
  int v = 3;
  EXPECT_ERR("  empty value", setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &v, 0), EINVAL);
  EXPECT_EQ("IP_MULTICAST_LOOP", get(fd, IPPROTO_IP, IP_MULTICAST_LOOP), 1);
  EXPECT_EQ("  set 0", set(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0), 0);
  EXPECT_EQ("  now", get(fd, IPPROTO_IP, IP_MULTICAST_LOOP), 0);
  EXPECT_EQ("  set 2", set(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 2), 0);
  EXPECT_EQ("  now", get(fd, IPPROTO_IP, IP_MULTICAST_LOOP), 1);
  EXPECT_EQ("  set a byte, 0", set_byte(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0), 0);
  EXPECT_EQ("  now", get(fd, IPPROTO_IP, IP_MULTICAST_LOOP), 0);
  EXPECT_EQ("IP_MULTICAST_ALL", get(fd, IPPROTO_IP, IP_MULTICAST_ALL), 1);
  EXPECT_EQ("  set 1", set(fd, IPPROTO_IP, IP_MULTICAST_ALL, 1), 0);
  EXPECT_ERR("  set 2", set(fd, IPPROTO_IP, IP_MULTICAST_ALL, 2), EINVAL);

  struct in_addr iface = {0xffffffff};
  socklen_t len = sizeof iface;
  EXPECT_EQ("IP_MULTICAST_IF", getsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &iface, &len), 0);
  EXPECT_EQ("  address (INADDR_ANY)", iface.s_addr, INADDR_ANY);
  EXPECT_EQ("  read into 8 bytes: length", got_len(fd, IPPROTO_IP, IP_MULTICAST_IF, 8), 4);
  iface.s_addr = INADDR_ANY;
  EXPECT_EQ("  set INADDR_ANY", setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &iface, sizeof iface), 0);
  struct ip_mreqn any_if = {{0}, {INADDR_ANY}, 0};
  EXPECT_EQ("  set an ip_mreqn of any", setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &any_if, sizeof any_if), 0);
  EXPECT_ERR("  set 3 bytes", setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &iface, 3), EINVAL);

  struct ip_mreq m = {{htonl(0xef4d0001)}, {INADDR_ANY}}; // 239.77.0.1
  EXPECT_ERR("IP_ADD_MEMBERSHIP, 7 bytes", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, 7), EINVAL);
  EXPECT_ERR("IP_DROP_MEMBERSHIP, 7 bytes", setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &m, 7), EINVAL);
  struct ip_mreq unicast = {{htonl(0x0a000001)}, {INADDR_ANY}}; // 10.0.0.1
  EXPECT_ERR("IP_ADD_MEMBERSHIP of 10.0.0.1", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &unicast, sizeof unicast), EINVAL);
  len = sizeof m;
  EXPECT_ERR("getsockopt IP_ADD_MEMBERSHIP", getsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, &len), ENOPROTOOPT);
  struct ip_mreq_source ms = {{htonl(0xe84d0001)}, {INADDR_ANY}, {htonl(0x0a000001)}};
  EXPECT_ERR("IP_ADD_SOURCE_MEMBERSHIP, 11 bytes", setsockopt(fd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, &ms, 11), EINVAL);
  EXPECT_ERR("  13 bytes", setsockopt(fd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, &ms, 13), EINVAL);
  struct ip_mreq_source ms_unicast = {{htonl(0x0a000002)}, {INADDR_ANY}, {htonl(0x0a000001)}};
  EXPECT_ERR("  of 10.0.0.2", setsockopt(fd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, &ms_unicast, sizeof ms_unicast), EINVAL);
  EXPECT_ERR("IP_DROP_SOURCE_MEMBERSHIP of 10.0.0.2", setsockopt(fd, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, &ms_unicast, sizeof ms_unicast), EINVAL);

  struct group_req gr = {0};
  struct sockaddr_in* g = (struct sockaddr_in*)&gr.gr_group;
  g->sin_family = AF_INET;
  g->sin_addr.s_addr = htonl(0xef4d0001);
  EXPECT_ERR("MCAST_JOIN_GROUP, short", setsockopt(fd, IPPROTO_IP, MCAST_JOIN_GROUP, &gr, sizeof gr - 1), EINVAL);
  g->sin_family = AF_INET6;
  EXPECT_ERR("MCAST_JOIN_GROUP, an AF_INET6 group", setsockopt(fd, IPPROTO_IP, MCAST_JOIN_GROUP, &gr, sizeof gr), EINVAL);
  g->sin_family = AF_INET;
  g->sin_addr.s_addr = htonl(0x0a000001);
  EXPECT_ERR("MCAST_JOIN_GROUP of 10.0.0.1", setsockopt(fd, IPPROTO_IP, MCAST_JOIN_GROUP, &gr, sizeof gr), EINVAL);
  struct group_source_req gsr = {0};
  ((struct sockaddr_in*)&gsr.gsr_group)->sin_family = AF_INET;
  ((struct sockaddr_in*)&gsr.gsr_source)->sin_family = AF_INET6;
  EXPECT_ERR("MCAST_JOIN_SOURCE_GROUP, an AF_INET6 source", setsockopt(fd, IPPROTO_IP, MCAST_JOIN_SOURCE_GROUP, &gsr, sizeof gsr), EADDRNOTAVAIL);
  EXPECT_ERR("  4 bytes short", setsockopt(fd, IPPROTO_IP, MCAST_JOIN_SOURCE_GROUP, &gsr, sizeof gsr - 4), EINVAL);
  struct ipv6_mreq m6 = {IN6ADDR_ANY_INIT, 0};
  EXPECT_ERR("IPV6_JOIN_GROUP on an IPv4 socket", setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6, sizeof m6), ENOPROTOOPT);

  EXPECT_EQ("SO_REUSEPORT", get(fd, SOL_SOCKET, SO_REUSEPORT), 0);
  EXPECT_EQ("  set 1", set(fd, SOL_SOCKET, SO_REUSEPORT, 1), 0);
  EXPECT_EQ("  now", get(fd, SOL_SOCKET, SO_REUSEPORT), 1);
  EXPECT_EQ("  SO_REUSEADDR still", get(fd, SOL_SOCKET, SO_REUSEADDR), 0);

  // Once bound, a value already in force can be set again. (The defaults:
  // other values would need the browser's multicast permission at bind.)
  EXPECT_EQ("IP_MULTICAST_TTL -1", set(fd, IPPROTO_IP, IP_MULTICAST_TTL, -1), 0);
  EXPECT_EQ("IP_MULTICAST_LOOP 1", set(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 1), 0);
  EXPECT_EQ("SO_REUSEPORT 0", set(fd, SOL_SOCKET, SO_REUSEPORT, 0), 0);
  struct sockaddr_storage ss;
  socklen_t alen = loopback(AF_INET, 0, &ss);
  CHECK(bind(fd, (struct sockaddr*)&ss, alen) == 0);
  EXPECT_EQ("bound: IP_MULTICAST_TTL 1 again", set(fd, IPPROTO_IP, IP_MULTICAST_TTL, 1), 0);
  EXPECT_EQ("  IP_MULTICAST_LOOP 1 again", set(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 1), 0);
  EXPECT_EQ("  SO_REUSEPORT 0 again", set(fd, SOL_SOCKET, SO_REUSEPORT, 0), 0);
  close(fd);
}

static void ipv6_udp(void) {
  int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  CHECK(fd >= 0);
  EXPECT_EQ("IPV6_MULTICAST_HOPS", get(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS), 1);
  EXPECT_EQ("  set 7", set(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 7), 0);
  EXPECT_EQ("  now", get(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS), 7);
  EXPECT_EQ("  set -1 (the default)", set(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, -1), 0);
  EXPECT_EQ("  now", get(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS), 1);
  EXPECT_ERR("  set 256", set(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 256), EINVAL);
  EXPECT_ERR("  set a byte", set_byte(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 5), EINVAL);
  EXPECT_EQ("IPV6_MULTICAST_LOOP", get(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP), 1);
  EXPECT_EQ("  set 0", set(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0), 0);
  EXPECT_EQ("  now", get(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP), 0);
  EXPECT_ERR("  set 2", set(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 2), EINVAL);
  EXPECT_EQ("IPV6_MULTICAST_IF", get(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF), 0);
  EXPECT_EQ("  set 0", set(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, 0), 0);
  EXPECT_EQ("IP_MULTICAST_TTL of an IPv6 socket", get(fd, IPPROTO_IP, IP_MULTICAST_TTL), 1);

  struct ipv6_mreq m6 = {{{{0xff, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77, 0x01}}}, 0};
  EXPECT_ERR("IPV6_JOIN_GROUP, 19 bytes", setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6, 19), EINVAL);
  EXPECT_ERR("IPV6_LEAVE_GROUP, not joined", setsockopt(fd, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &m6, sizeof m6), EADDRNOTAVAIL);
  struct ipv6_mreq unicast = {IN6ADDR_LOOPBACK_INIT, 0};
  EXPECT_ERR("IPV6_JOIN_GROUP of ::1", setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &unicast, sizeof unicast), EINVAL);
  EXPECT_ERR("IPV6_LEAVE_GROUP of ::1", setsockopt(fd, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &unicast, sizeof unicast), EINVAL);
  struct group_req gr = {0};
  ((struct sockaddr_in*)&gr.gr_group)->sin_family = AF_INET;
  EXPECT_ERR("MCAST_JOIN_GROUP (IPv6), an AF_INET group", setsockopt(fd, IPPROTO_IPV6, MCAST_JOIN_GROUP, &gr, sizeof gr), EADDRNOTAVAIL);
  EXPECT_ERR("MCAST_LEAVE_GROUP (IPv6), not joined", setsockopt(fd, IPPROTO_IPV6, MCAST_LEAVE_GROUP, &gr, sizeof gr), EADDRNOTAVAIL);
  close(fd);
}

static void tcp(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(fd >= 0);
  struct ip_mreq m = {{htonl(0xef4d0001)}, {INADDR_ANY}};
  EXPECT_ERR("IP_ADD_MEMBERSHIP", setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m), EPROTO);
  EXPECT_ERR("IP_MULTICAST_TTL 5", set(fd, IPPROTO_IP, IP_MULTICAST_TTL, 5), EINVAL);
  EXPECT_EQ("IP_MULTICAST_TTL", get(fd, IPPROTO_IP, IP_MULTICAST_TTL), 1);
  EXPECT_EQ("IP_MULTICAST_LOOP 0", set(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0), 0);
  struct in_addr any = {INADDR_ANY};
  EXPECT_ERR("IP_MULTICAST_IF", setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &any, sizeof any), EINVAL);
  EXPECT_EQ("SO_REUSEPORT", get(fd, SOL_SOCKET, SO_REUSEPORT), 0);
  close(fd);
  fd = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK(fd >= 0);
  struct ipv6_mreq m6 = {{{{0xff, 0x15, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x77, 0x01}}}, 0};
  EXPECT_ERR("IPv6: IPV6_JOIN_GROUP", setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m6, sizeof m6), EPROTO);
  EXPECT_ERR("  IPV6_MULTICAST_HOPS 5", set(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 5), ENOPROTOOPT);
  EXPECT_EQ("  IPV6_MULTICAST_LOOP 1", set(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1), 0);
  EXPECT_ERR("  IPV6_MULTICAST_IF 0", set(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, 0), ENOPROTOOPT);
  EXPECT_EQ("  IPV6_MULTICAST_HOPS", get(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS), 1);
  close(fd);
}

static int test(void) {
  TASK_BEGIN;
  printf("UDP, IPv4\n");
  ipv4_udp();
  printf("UDP, IPv6\n");
  ipv6_udp();
  printf("TCP\n");
  tcp();
  TASK_END;
}

int main(void) { run_task(test); }
