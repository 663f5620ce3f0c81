// socket(): the families, types and protocols it takes, the errno of each
// one it refuses (Linux's order: flags, family, type range, protocol range,
// type, protocol), the flags SOCK_NONBLOCK and SOCK_CLOEXEC, and what a fresh
// socket answers before it is connected.
#include "check.h"

#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/stat.h>

static int sockopt(int fd, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  CHECK(getsockopt(fd, SOL_SOCKET, name, &v, &len) == 0 && len == sizeof v);
  return v;
}

static void fresh(const char* what, int family, int type, int protocol) {
  int fd = socket(family, type, protocol);
  EXPECT_OK(what, fd);
  int kind = type & ~(SOCK_NONBLOCK | SOCK_CLOEXEC);
  CHECK(sockopt(fd, SO_TYPE) == kind);
  CHECK(sockopt(fd, SO_DOMAIN) == family);
  CHECK(sockopt(fd, SO_PROTOCOL) ==
        (kind == SOCK_STREAM ? IPPROTO_TCP : IPPROTO_UDP));

  struct stat st;
  CHECK(fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode));
  int fl = fcntl(fd, F_GETFL);
  CHECK((fl & O_ACCMODE) == O_RDWR);
  printf("  O_NONBLOCK: %d, FD_CLOEXEC: %d\n", !!(fl & O_NONBLOCK),
         fcntl(fd, F_GETFD));
  CHECK(!!(fl & O_NONBLOCK) == !!(type & SOCK_NONBLOCK));
  CHECK(fcntl(fd, F_GETFD) == ((type & SOCK_CLOEXEC) ? FD_CLOEXEC : 0));
  EXPECT_EQ("  close", close(fd), 0);
}

int main(void) {
  fresh("AF_INET SOCK_STREAM", AF_INET, SOCK_STREAM, 0);
  fresh("AF_INET SOCK_DGRAM", AF_INET, SOCK_DGRAM, 0);
  fresh("AF_INET6 SOCK_STREAM", AF_INET6, SOCK_STREAM, 0);
  fresh("AF_INET6 SOCK_DGRAM", AF_INET6, SOCK_DGRAM, 0);
  fresh("AF_INET SOCK_STREAM IPPROTO_TCP", AF_INET, SOCK_STREAM, IPPROTO_TCP);
  fresh("AF_INET6 SOCK_DGRAM IPPROTO_UDP", AF_INET6, SOCK_DGRAM, IPPROTO_UDP);
  fresh("SOCK_NONBLOCK", AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  fresh("SOCK_CLOEXEC", AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  fresh("SOCK_NONBLOCK|SOCK_CLOEXEC", AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

  // What Linux refuses, and with which errno.
  EXPECT_ERR("bad family", socket(12345, SOCK_STREAM, 0), EAFNOSUPPORT);
  EXPECT_ERR("negative family", socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
  EXPECT_ERR("unknown type flag", socket(AF_INET, SOCK_STREAM | 0x4000, 0), EINVAL);
  EXPECT_ERR("unknown flag, bad family", socket(12345, SOCK_STREAM | 0x4000, 0), EINVAL);
  EXPECT_ERR("type past SOCK_MAX", socket(AF_INET, 11, 0), EINVAL);
  EXPECT_ERR("negative type", socket(AF_INET, -1, 0), EINVAL);
  EXPECT_ERR("type 0", socket(AF_INET, 0, 0), ESOCKTNOSUPPORT);
  EXPECT_ERR("SOCK_SEQPACKET", socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
  EXPECT_ERR("SOCK_RDM", socket(AF_INET6, SOCK_RDM, 0), ESOCKTNOSUPPORT);
  EXPECT_ERR("stream with IPPROTO_UDP", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
  EXPECT_ERR("dgram with IPPROTO_TCP", socket(AF_INET6, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
  EXPECT_ERR("protocol past IPPROTO_MAX", socket(AF_INET, SOCK_STREAM, 999), EINVAL);
  EXPECT_ERR("negative protocol", socket(AF_INET, SOCK_DGRAM, -1), EINVAL);
  EXPECT_ERR("bad protocol, bad type", socket(AF_INET, 7, 999), EINVAL);

  // A socket that never connected.
  int tcp = socket(AF_INET, SOCK_STREAM, 0), udp = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(tcp >= 0 && udp >= 0);
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  char buf[4];
  len = sizeof ss;
  memset(&ss, 0xff, sizeof ss);
  EXPECT_EQ("getsockname, unbound", getsockname(tcp, (struct sockaddr*)&ss, &len), 0);
  EXPECT_EQ("  AF_INET 0.0.0.0 port 0", ss.ss_family == AF_INET && port_of(&ss) == 0 &&
            ((struct sockaddr_in*)&ss)->sin_addr.s_addr == INADDR_ANY, 1);
  len = 4; // too short: Linux truncates, and says how long the address is
  EXPECT_EQ("getsockname into 4 bytes", getsockname(udp, (struct sockaddr*)&ss, &len), 0);
  EXPECT_EQ("  length", len, sizeof(struct sockaddr_in));
  len = sizeof ss;
  EXPECT_ERR("getpeername, unconnected TCP", getpeername(tcp, (struct sockaddr*)&ss, &len), ENOTCONN);
  EXPECT_ERR("getpeername, unconnected UDP", getpeername(udp, (struct sockaddr*)&ss, &len), ENOTCONN);
  EXPECT_ERR("recv, unconnected TCP", recv(tcp, buf, sizeof buf, MSG_DONTWAIT), ENOTCONN);
  EXPECT_ERR("send, unconnected TCP", send(tcp, "x", 1, MSG_NOSIGNAL), EPIPE);
  EXPECT_ERR("send, UDP without destination", send(udp, "x", 1, 0), EDESTADDRREQ);
  EXPECT_ERR("listen on UDP", listen(udp, 1), EOPNOTSUPP);
  EXPECT_ERR("accept on unlistened TCP", accept(tcp, NULL, NULL), EINVAL);
  // A fresh TCP socket polls as writable and hung up.
  EXPECT_EQ("poll fresh TCP", ready(tcp, POLLIN | POLLOUT), POLLOUT | POLLHUP);
  EXPECT_EQ("poll fresh UDP", ready(udp, POLLIN | POLLOUT), POLLOUT);
  // Last: Linux records the shutdown even as it fails with ENOTCONN.
  EXPECT_ERR("shutdown, unconnected TCP", shutdown(tcp, SHUT_RDWR), ENOTCONN);
  EXPECT_ERR("shutdown, unconnected UDP", shutdown(udp, SHUT_WR), ENOTCONN);
  EXPECT_ERR("shutdown, bad how", shutdown(tcp, 7), EINVAL);
  EXPECT_EQ("close TCP", close(tcp), 0);
  EXPECT_EQ("close UDP", close(udp), 0);
  EXPECT_ERR("close again", close(tcp), EBADF);
  EXPECT_ERR("getsockopt on closed fd", getsockopt(tcp, SOL_SOCKET, SO_TYPE, buf, &len), EBADF);
  printf("done\n");
  return 0;
}
