// What the Direct Sockets API cannot do as Linux does, and how the core says
// so: each call fails with a Linux errno instead of doing something else
// (README: Limitations). Not differential -- Linux does all of these -- so
// the harness compares the output with wasm_only.out.
//  - TCPSocket takes noDelay and keepAliveDelay when it is built, and has no
//    keep-alive interval or probe count; the unicast TTL is the browser's.
//  - There is no abortive close (RST), no urgent data, no empty datagram.
//  - EALREADY: Linux completes a loopback handshake inside connect(), so a
//    second connect() natively never finds the first one pending.
//  - Multicast: the browser joins groups on the interface it picks, joins no
//    IPv4 group on an IPv6 socket, excludes no source, takes no zero source,
//    and fixes the multicast TTL, loopback and address sharing when it
//    builds the UDPSocket. (No group is joined here.)
#include "check.h"

#include <netinet/tcp.h>

static int lfd, cfd, afd, u1, u2;
static struct sockaddr_storage addr, a1;
static socklen_t addr_len, len1;
static char buf[16];

static int set(int fd, int level, int name, int v) {
  return setsockopt(fd, level, name, &v, sizeof v);
}

static int test(void) {
  TASK_BEGIN;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_ERR("TCP_KEEPINTVL", set(fd, IPPROTO_TCP, TCP_KEEPINTVL, 10), ENOPROTOOPT);
  EXPECT_ERR("TCP_KEEPCNT", set(fd, IPPROTO_TCP, TCP_KEEPCNT, 3), ENOPROTOOPT);
  EXPECT_ERR("IP_TTL 32", set(fd, IPPROTO_IP, IP_TTL, 32), ENOPROTOOPT);
  EXPECT_EQ("IP_TTL 64 (the browser's)", set(fd, IPPROTO_IP, IP_TTL, 64), 0);
  struct linger abortive = {1, 0};
  EXPECT_ERR("SO_LINGER {1, 0}", setsockopt(fd, SOL_SOCKET, SO_LINGER, &abortive, sizeof abortive), ENOPROTOOPT);
  close(fd);
  fd = socket(AF_INET6, SOCK_DGRAM, 0);
  EXPECT_ERR("IPV6_UNICAST_HOPS 10", set(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 10), ENOPROTOOPT);
  close(fd);

  addr_len = listener(AF_INET, SOCK_NONBLOCK, &lfd, &addr);
  cfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  EXPECT_ERR("connect", connect(cfd, (struct sockaddr*)&addr, addr_len), EINPROGRESS);
  EXPECT_ERR("connect again while pending", connect(cfd, (struct sockaddr*)&addr, addr_len), EALREADY);
  AWAIT(ready(cfd, POLLOUT));
  AWAIT((afd = accept(lfd, NULL, NULL)) >= 0 || errno != EAGAIN);
  CHECK(afd >= 0);
  EXPECT_ERR("TCP_NODELAY 1 once connected", set(cfd, IPPROTO_TCP, TCP_NODELAY, 1), EINVAL);
  EXPECT_ERR("SO_KEEPALIVE 1 once connected", set(cfd, SOL_SOCKET, SO_KEEPALIVE, 1), EINVAL);
  EXPECT_ERR("TCP_KEEPIDLE 60 once connected", set(cfd, IPPROTO_TCP, TCP_KEEPIDLE, 60), EINVAL);
  EXPECT_ERR("send MSG_OOB", send(cfd, "!", 1, MSG_OOB), EOPNOTSUPP);
  close(afd);
  close(cfd);
  close(lfd);

  // An empty datagram is refused, and the socket still sends afterwards.
  u1 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  u2 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  len1 = loopback(AF_INET, 0, &a1);
  CHECK(bind(u1, (struct sockaddr*)&a1, len1) == 0);
  len1 = loopback(AF_INET, local_port(u1), &a1);
  EXPECT_ERR("sendto empty datagram", sendto(u2, "", 0, 0, (struct sockaddr*)&a1, len1), EINVAL);
  EXPECT_EQ("sendto", sendto(u2, "after", 5, 0, (struct sockaddr*)&a1, len1), 5);
  AWAIT(ready(u1, POLLIN));
  EXPECT_EQ("recv", recv(u1, buf, sizeof buf, 0), 5);
  close(u1);
  close(u2);

  u1 = socket(AF_INET, SOCK_DGRAM, 0);
  struct ip_mreq on_lo = {{htonl(0xef4d0001)}, {htonl(INADDR_LOOPBACK)}};
  EXPECT_ERR("IP_ADD_MEMBERSHIP on 127.0.0.1", setsockopt(u1, IPPROTO_IP, IP_ADD_MEMBERSHIP, &on_lo, sizeof on_lo), ENOPROTOOPT);
  struct in_addr lo = {htonl(INADDR_LOOPBACK)};
  EXPECT_ERR("IP_MULTICAST_IF 127.0.0.1", setsockopt(u1, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof lo), ENOPROTOOPT);
  EXPECT_ERR("IP_MULTICAST_ALL 0", set(u1, IPPROTO_IP, IP_MULTICAST_ALL, 0), ENOPROTOOPT);
  struct ip_mreq_source block = {{htonl(0xef4d0001)}, {INADDR_ANY}, {htonl(0x0a000001)}};
  EXPECT_ERR("IP_BLOCK_SOURCE", setsockopt(u1, IPPROTO_IP, IP_BLOCK_SOURCE, &block, sizeof block), ENOPROTOOPT);
  struct ip_mreq_source zero_source = {{htonl(0xe84d0001)}, {INADDR_ANY}, {INADDR_ANY}};
  EXPECT_ERR("IP_ADD_SOURCE_MEMBERSHIP from 0.0.0.0", setsockopt(u1, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, &zero_source, sizeof zero_source), EINVAL);
  len1 = loopback(AF_INET, 0, &a1);
  CHECK(bind(u1, (struct sockaddr*)&a1, len1) == 0);
  EXPECT_ERR("IP_MULTICAST_TTL 4 once bound", set(u1, IPPROTO_IP, IP_MULTICAST_TTL, 4), EINVAL);
  EXPECT_ERR("IP_MULTICAST_LOOP 0 once bound", set(u1, IPPROTO_IP, IP_MULTICAST_LOOP, 0), EINVAL);
  EXPECT_ERR("SO_REUSEADDR 1 once bound", set(u1, SOL_SOCKET, SO_REUSEADDR, 1), EINVAL);
  close(u1);
  u1 = socket(AF_INET6, SOCK_DGRAM, 0);
  struct ip_mreq group = {{htonl(0xef4d0001)}, {INADDR_ANY}};
  EXPECT_ERR("IPv6 socket: IP_ADD_MEMBERSHIP", setsockopt(u1, IPPROTO_IP, IP_ADD_MEMBERSHIP, &group, sizeof group), ENOPROTOOPT);
  EXPECT_ERR("  IP_MULTICAST_TTL 3", set(u1, IPPROTO_IP, IP_MULTICAST_TTL, 3), ENOPROTOOPT);
  EXPECT_ERR("  IPV6_MULTICAST_IF 1", set(u1, IPPROTO_IPV6, IPV6_MULTICAST_IF, 1), ENOPROTOOPT);
  close(u1);
  u1 = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_ERR("TCP: SO_REUSEPORT 1", set(u1, SOL_SOCKET, SO_REUSEPORT, 1), ENOPROTOOPT);
  close(u1);
  TASK_END;
}

int main(void) { run_task(test); }
