// IPv4 through IPv6 sockets: a v6 socket reaches an IPv4 peer at
// ::ffff:127.0.0.1 and names it so (AF_INET6, v4-mapped), while the IPv4
// side sees plain 127.0.0.1; a v6 socket bound to ::ffff:127.0.0.1 serves
// IPv4 clients; IPV6_V6ONLY forbids all of it (ENETUNREACH).
#include "check.h"

static int lfd, cfd, afd, u4, u6;
static struct sockaddr_storage addr, mapped, ss;
static socklen_t addr_len, mapped_len, len;
static char buf[8];

// "AF_INET 127.0.0.1", "AF_INET6 ::ffff:127.0.0.1", ... and whether the port
// is `port`; ports themselves vary from run to run.
static void show_address(const char* what, const struct sockaddr_storage* a, int port) {
  char host[64];
  const void* raw = a->ss_family == AF_INET6 ? (const void*)&((const struct sockaddr_in6*)a)->sin6_addr
                                             : (const void*)&((const struct sockaddr_in*)a)->sin_addr;
  CHECK(inet_ntop(a->ss_family, raw, host, sizeof host));
  printf("%s: %s %s%s\n", what, a->ss_family == AF_INET6 ? "AF_INET6" : "AF_INET", host,
         port < 0 ? "" : port_of(a) == port ? ", that port" : ", another port");
}

static socklen_t mapped_loopback(int port, struct sockaddr_storage* out) {
  struct sockaddr_in6* a = (struct sockaddr_in6*)out;
  memset(out, 0, sizeof *out);
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(port);
  CHECK(inet_pton(AF_INET6, "::ffff:127.0.0.1", &a->sin6_addr) == 1);
  return sizeof *a;
}

static int test(void) {
  TASK_BEGIN;
  printf("TCP: a v6 client, an IPv4 listener\n");
  addr_len = listener(AF_INET, SOCK_NONBLOCK, &lfd, &addr);
  mapped_len = mapped_loopback(port_of(&addr), &mapped);
  cfd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
  EXPECT_ERR("connect ::ffff:127.0.0.1", connect(cfd, (struct sockaddr*)&mapped, mapped_len), EINPROGRESS);
  AWAIT((afd = accept(lfd, NULL, NULL)) >= 0 || errno != EAGAIN);
  CHECK(afd >= 0);
  AWAIT(ready(cfd, POLLOUT));
  len = sizeof ss;
  EXPECT_EQ("getpeername", getpeername(cfd, (struct sockaddr*)&ss, &len), 0);
  show_address("  peer", &ss, port_of(&addr));
  len = sizeof ss;
  EXPECT_EQ("getsockname", getsockname(cfd, (struct sockaddr*)&ss, &len), 0);
  show_address("  local", &ss, -1);
  len = sizeof ss;
  EXPECT_EQ("accepted: getpeername", getpeername(afd, (struct sockaddr*)&ss, &len), 0);
  show_address("  peer", &ss, -1);
  close(afd);
  close(cfd);
  close(lfd);

  printf("TCP: a v6 listener on ::ffff:127.0.0.1, an IPv4 client\n");
  lfd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
  mapped_len = mapped_loopback(0, &mapped);
  EXPECT_EQ("bind ::ffff:127.0.0.1", bind(lfd, (struct sockaddr*)&mapped, mapped_len), 0);
  EXPECT_EQ("listen", listen(lfd, 4), 0);
  addr_len = loopback(AF_INET, local_port(lfd), &addr);
  cfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  EXPECT_ERR("connect 127.0.0.1", connect(cfd, (struct sockaddr*)&addr, addr_len), EINPROGRESS);
  AWAIT((afd = accept(lfd, NULL, NULL)) >= 0 || errno != EAGAIN);
  CHECK(afd >= 0);
  len = sizeof ss;
  EXPECT_EQ("accepted: getpeername", getpeername(afd, (struct sockaddr*)&ss, &len), 0);
  show_address("  peer", &ss, -1);
  close(afd);
  close(cfd);

  printf("IPV6_V6ONLY\n");
  cfd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
  CHECK(setsockopt(cfd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){1}, sizeof(int)) == 0);
  mapped_len = mapped_loopback(local_port(lfd), &mapped);
  EXPECT_ERR("connect ::ffff:127.0.0.1", connect(cfd, (struct sockaddr*)&mapped, mapped_len), ENETUNREACH);
  close(cfd);
  close(lfd);

  printf("UDP: a v6 socket, an IPv4 one\n");
  u4 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  addr_len = loopback(AF_INET, 0, &addr);
  CHECK(bind(u4, (struct sockaddr*)&addr, addr_len) == 0);
  u6 = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  mapped_len = mapped_loopback(local_port(u4), &mapped);
  EXPECT_EQ("sendto ::ffff:127.0.0.1", sendto(u6, "ping", 4, 0, (struct sockaddr*)&mapped, mapped_len), 4);
  AWAIT(ready(u4, POLLIN));
  len = sizeof ss;
  EXPECT_EQ("IPv4 side: recvfrom", recvfrom(u4, buf, sizeof buf, 0, (struct sockaddr*)&ss, &len), 4);
  show_address("  from", &ss, -1);
  EXPECT_EQ("IPv4 side: reply", sendto(u4, "pong", 4, 0, (struct sockaddr*)&ss, len), 4);
  AWAIT(ready(u6, POLLIN));
  len = sizeof ss;
  EXPECT_EQ("recvfrom", recvfrom(u6, buf, sizeof buf, 0, (struct sockaddr*)&ss, &len), 4);
  show_address("  from", &ss, local_port(u4));
  close(u4);
  close(u6);
  TASK_END;
}

int main(void) { run_task(test); }
