// setsockopt/getsockopt: the defaults Linux reports, values that round-trip,
// SO_RCVBUF/SO_SNDBUF doubled (and floored) as Linux reports them, options
// of the wrong level or unknown (ENOPROTOOPT), short values (EINVAL), and
// what still holds once a socket is bound or connected. Options the browser
// cannot honour are in wasm_only.c. Buffer caps are left out: they follow
// the host's net.core.[rw]mem_max.
#include "check.h"

#include <netinet/tcp.h>
#include <sys/time.h>

static int lfd, cfd, afd;
static struct sockaddr_storage addr;
static socklen_t addr_len;

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

static void tcp_options(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(fd >= 0);
  EXPECT_EQ("SO_ERROR", get(fd, SOL_SOCKET, SO_ERROR), 0);
  EXPECT_EQ("SO_REUSEADDR", get(fd, SOL_SOCKET, SO_REUSEADDR), 0);
  EXPECT_EQ("  set 1", set(fd, SOL_SOCKET, SO_REUSEADDR, 1), 0);
  EXPECT_EQ("  now", get(fd, SOL_SOCKET, SO_REUSEADDR), 1);
  EXPECT_EQ("SO_KEEPALIVE", get(fd, SOL_SOCKET, SO_KEEPALIVE), 0);
  EXPECT_EQ("  set 1", set(fd, SOL_SOCKET, SO_KEEPALIVE, 1), 0);
  EXPECT_EQ("  now", get(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_EQ("SO_RCVBUF", get(fd, SOL_SOCKET, SO_RCVBUF), 131072);
  EXPECT_EQ("  set 10000", set(fd, SOL_SOCKET, SO_RCVBUF, 10000), 0);
  EXPECT_EQ("  now (doubled)", get(fd, SOL_SOCKET, SO_RCVBUF), 20000);
  EXPECT_EQ("  set 1", set(fd, SOL_SOCKET, SO_RCVBUF, 1), 0);
  EXPECT_EQ("  now (the floor)", get(fd, SOL_SOCKET, SO_RCVBUF), 2304);
  EXPECT_EQ("SO_SNDBUF", get(fd, SOL_SOCKET, SO_SNDBUF), 16384);
  EXPECT_EQ("  set 30000", set(fd, SOL_SOCKET, SO_SNDBUF, 30000), 0);
  EXPECT_EQ("  now (doubled)", get(fd, SOL_SOCKET, SO_SNDBUF), 60000);
  EXPECT_EQ("  set 0", set(fd, SOL_SOCKET, SO_SNDBUF, 0), 0);
  EXPECT_EQ("  now (the floor)", get(fd, SOL_SOCKET, SO_SNDBUF), 4608);

  struct linger l = {0, 0};
  socklen_t len = sizeof l;
  EXPECT_EQ("SO_LINGER", getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len), 0);
  EXPECT_EQ("  l_onoff, l_linger", l.l_onoff * 1000 + l.l_linger, 0);
  l = (struct linger){1, 5};
  EXPECT_EQ("  set {1, 5}", setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l), 0);
  memset(&l, 0, sizeof l);
  EXPECT_EQ("  get", getsockopt(fd, SOL_SOCKET, SO_LINGER, &l, &len), 0);
  EXPECT_EQ("  l_onoff, l_linger", l.l_onoff * 1000 + l.l_linger, 1005);
  EXPECT_ERR("  short value", setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, 4), EINVAL);

  struct timeval tv = {0, 0};
  len = sizeof tv;
  EXPECT_EQ("SO_RCVTIMEO", getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len), 0);
  EXPECT_EQ("  seconds, microseconds", tv.tv_sec * 1000000 + tv.tv_usec, 0);
  tv = (struct timeval){1, 200000};
  EXPECT_EQ("  set 1.2 s", setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  memset(&tv, 0, sizeof tv);
  EXPECT_EQ("  get", getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len), 0);
  EXPECT_EQ("  seconds, microseconds", tv.tv_sec * 1000000 + tv.tv_usec, 1200000);
  tv = (struct timeval){0, 1000000};
  EXPECT_ERR("  tv_usec out of range", setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), EDOM);

  EXPECT_EQ("TCP_NODELAY", get(fd, IPPROTO_TCP, TCP_NODELAY), 0);
  EXPECT_EQ("  set 1", set(fd, IPPROTO_TCP, TCP_NODELAY, 1), 0);
  EXPECT_EQ("  now", get(fd, IPPROTO_TCP, TCP_NODELAY), 1);
  EXPECT_EQ("TCP_KEEPIDLE", get(fd, IPPROTO_TCP, TCP_KEEPIDLE), 7200);
  EXPECT_EQ("  set 60", set(fd, IPPROTO_TCP, TCP_KEEPIDLE, 60), 0);
  EXPECT_EQ("  now", get(fd, IPPROTO_TCP, TCP_KEEPIDLE), 60);
  EXPECT_ERR("  set 0", set(fd, IPPROTO_TCP, TCP_KEEPIDLE, 0), EINVAL);
  EXPECT_EQ("TCP_KEEPINTVL", get(fd, IPPROTO_TCP, TCP_KEEPINTVL), 75);
  EXPECT_EQ("TCP_KEEPCNT", get(fd, IPPROTO_TCP, TCP_KEEPCNT), 9);
  EXPECT_EQ("IP_TTL", get(fd, IPPROTO_IP, IP_TTL), 64);
  EXPECT_EQ("  set 64", set(fd, IPPROTO_IP, IP_TTL, 64), 0);

  // Unknown options and levels, and values too short to be an int.
  EXPECT_ERR("SOL_SOCKET 12345", set(fd, SOL_SOCKET, 12345, 1), ENOPROTOOPT);
  EXPECT_ERR("  get", get(fd, SOL_SOCKET, 12345), ENOPROTOOPT);
  EXPECT_ERR("IPPROTO_TCP 9999", set(fd, IPPROTO_TCP, 9999, 1), ENOPROTOOPT);
  EXPECT_ERR("level 999", set(fd, 999, 1, 1), ENOPROTOOPT);
  EXPECT_ERR("IPPROTO_IPV6 on an IPv4 socket", set(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1), ENOPROTOOPT);
  short small = 1;
  EXPECT_ERR("SO_REUSEADDR, 2-byte value", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &small, sizeof small), EINVAL);
  close(fd);
}

static void udp_options(void) {
  int fd = socket(AF_INET6, SOCK_DGRAM, 0);
  CHECK(fd >= 0);
  EXPECT_EQ("SO_RCVBUF", get(fd, SOL_SOCKET, SO_RCVBUF), 212992);
  EXPECT_EQ("SO_SNDBUF", get(fd, SOL_SOCKET, SO_SNDBUF), 212992);
  EXPECT_EQ("  set 5000", set(fd, SOL_SOCKET, SO_SNDBUF, 5000), 0);
  EXPECT_EQ("  now (doubled)", get(fd, SOL_SOCKET, SO_SNDBUF), 10000);
  EXPECT_EQ("SO_BROADCAST", get(fd, SOL_SOCKET, SO_BROADCAST), 0);
  EXPECT_EQ("  set 1", set(fd, SOL_SOCKET, SO_BROADCAST, 1), 0);
  EXPECT_EQ("  now", get(fd, SOL_SOCKET, SO_BROADCAST), 1);
  // SO_KEEPALIVE is a socket-level flag: UDP keeps it, to no effect.
  EXPECT_EQ("SO_KEEPALIVE", set(fd, SOL_SOCKET, SO_KEEPALIVE, 1), 0);
  EXPECT_EQ("  now", get(fd, SOL_SOCKET, SO_KEEPALIVE), 1);
  EXPECT_ERR("TCP_NODELAY on UDP", set(fd, IPPROTO_TCP, TCP_NODELAY, 1), ENOPROTOOPT);
  EXPECT_ERR("  get", get(fd, IPPROTO_TCP, TCP_NODELAY), ENOPROTOOPT);
  EXPECT_EQ("IPV6_V6ONLY", get(fd, IPPROTO_IPV6, IPV6_V6ONLY), 0);
  EXPECT_EQ("  set 1", set(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1), 0);
  EXPECT_EQ("  now", get(fd, IPPROTO_IPV6, IPV6_V6ONLY), 1);
  EXPECT_EQ("IPV6_UNICAST_HOPS", get(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS), 64);
  EXPECT_EQ("IP_TTL on an IPv6 socket", get(fd, IPPROTO_IP, IP_TTL), 64);
  struct sockaddr_storage ss;
  socklen_t len = loopback(AF_INET6, 0, &ss);
  CHECK(bind(fd, (struct sockaddr*)&ss, len) == 0);
  EXPECT_ERR("IPV6_V6ONLY once bound", set(fd, IPPROTO_IPV6, IPV6_V6ONLY, 0), EINVAL);
  close(fd);
}

static int test(void) {
  TASK_BEGIN;
  printf("TCP\n");
  tcp_options();
  printf("UDP\n");
  udp_options();

  printf("connected TCP\n");
  lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  EXPECT_EQ("listener: TCP_NODELAY 1", set(lfd, IPPROTO_TCP, TCP_NODELAY, 1), 0);
  addr_len = loopback(AF_INET, 0, &addr);
  CHECK(bind(lfd, (struct sockaddr*)&addr, addr_len) == 0 && listen(lfd, 4) == 0);
  addr_len = loopback(AF_INET, local_port(lfd), &addr);
  AWAIT_PAIR(lfd, addr, addr_len, cfd, afd);
  EXPECT_EQ("SO_ERROR", get(cfd, SOL_SOCKET, SO_ERROR), 0);
  EXPECT_EQ("SO_TYPE", get(cfd, SOL_SOCKET, SO_TYPE), SOCK_STREAM);
  EXPECT_EQ("TCP_NODELAY", get(cfd, IPPROTO_TCP, TCP_NODELAY), 0);
  EXPECT_EQ("  set 0 again", set(cfd, IPPROTO_TCP, TCP_NODELAY, 0), 0);
  EXPECT_EQ("accepted: TCP_NODELAY (inherited)", get(afd, IPPROTO_TCP, TCP_NODELAY), 1);
  EXPECT_EQ("SO_KEEPALIVE", get(cfd, SOL_SOCKET, SO_KEEPALIVE), 0);
  EXPECT_EQ("  set 0 again", set(cfd, SOL_SOCKET, SO_KEEPALIVE, 0), 0);
  EXPECT_EQ("SO_REUSEADDR", set(cfd, SOL_SOCKET, SO_REUSEADDR, 1), 0);
  close(afd);
  close(cfd);
  close(lfd);
  TASK_END;
}

int main(void) { run_task(test); }
