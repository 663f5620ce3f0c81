// socketpair(): its arguments and flags, and what each end of an AF_UNIX
// pair is: fstat, F_GETFL, socket options, its (unnamed) address, and the
// calls a connected pair refuses -- listen, accept, connect and bind, sendto
// another address. socketpair_io.c covers data, readiness and closing.
#define _GNU_SOURCE // struct ucred
#include "check.h"

#include <fcntl.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>

static int int_option(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  CHECK(getsockopt(fd, level, name, &v, &len) == 0 && len == sizeof v);
  return v;
}

static void describe(int type, const char* name) {
  int s[2], v = 1;
  struct stat st;
  struct sockaddr_storage ss;
  socklen_t len;
  struct sockaddr_un path = {AF_UNIX, "/nonexistent/socket"};
  struct sockaddr_un abstract = {AF_UNIX, "\0abstract"};
  struct sockaddr_in inet = {AF_INET, htons(9), {htonl(INADDR_LOOPBACK)}, {0}};

  printf("-- %s\n", name);
  EXPECT_EQ("socketpair", socketpair(AF_UNIX, type, 0, s), 0);
  EXPECT_EQ("fstat S_ISSOCK", fstat(s[0], &st) == 0 && S_ISSOCK(st.st_mode), 1);
  EXPECT_EQ("F_GETFL", fcntl(s[0], F_GETFL), O_RDWR);
  EXPECT_EQ("F_GETFD", fcntl(s[1], F_GETFD), 0);
  EXPECT_EQ("SO_TYPE", int_option(s[0], SOL_SOCKET, SO_TYPE), type);
  EXPECT_EQ("SO_DOMAIN", int_option(s[0], SOL_SOCKET, SO_DOMAIN), AF_UNIX);
  EXPECT_EQ("SO_PROTOCOL", int_option(s[0], SOL_SOCKET, SO_PROTOCOL), 0);
  EXPECT_EQ("SO_ACCEPTCONN", int_option(s[0], SOL_SOCKET, SO_ACCEPTCONN), 0);
  EXPECT_EQ("SO_ERROR", int_option(s[0], SOL_SOCKET, SO_ERROR), 0);
  EXPECT_EQ("SO_SNDBUF", int_option(s[0], SOL_SOCKET, SO_SNDBUF), 212992);
  EXPECT_EQ("SO_RCVBUF", int_option(s[0], SOL_SOCKET, SO_RCVBUF), 212992);
  EXPECT_EQ("SO_PASSCRED", int_option(s[0], SOL_SOCKET, SO_PASSCRED), 0);
  struct ucred cred;
  len = sizeof cred;
  EXPECT_EQ("SO_PEERCRED", getsockopt(s[0], SOL_SOCKET, SO_PEERCRED, &cred, &len), 0);
  EXPECT_EQ("  this process", cred.pid == getpid() && cred.uid == getuid() && cred.gid == getgid(), 1);
  EXPECT_EQ("  length", len, sizeof cred);
  v = 1000;
  EXPECT_EQ("SO_SNDBUF 1000", setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v), 0);
  EXPECT_EQ("  doubled, with a floor", int_option(s[0], SOL_SOCKET, SO_SNDBUF), 4608);
  v = 100000;
  EXPECT_EQ("SO_RCVBUF 100000", setsockopt(s[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof v), 0);
  EXPECT_EQ("  doubled", int_option(s[0], SOL_SOCKET, SO_RCVBUF), 200000);
  v = 1;
  EXPECT_EQ("SO_REUSEADDR", setsockopt(s[0], SOL_SOCKET, SO_REUSEADDR, &v, sizeof v), 0);
  EXPECT_EQ("  read back", int_option(s[0], SOL_SOCKET, SO_REUSEADDR), 1);
  EXPECT_EQ("SO_KEEPALIVE", setsockopt(s[0], SOL_SOCKET, SO_KEEPALIVE, &v, sizeof v), 0);
  struct timeval tv = {1, 500000};
  EXPECT_EQ("SO_RCVTIMEO", setsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), 0);
  len = sizeof tv;
  EXPECT_EQ("  read back", getsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &tv, &len) == 0 &&
                               tv.tv_sec == 1 && tv.tv_usec == 500000, 1);
  tv.tv_usec = 1000000;
  EXPECT_ERR("SO_SNDTIMEO bad usec", setsockopt(s[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv), EDOM);
  EXPECT_ERR("SO_SNDBUF short", setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &v, 2), EINVAL);
  EXPECT_ERR("TCP_NODELAY", setsockopt(s[0], IPPROTO_TCP, 1, &v, sizeof v), EOPNOTSUPP);
  EXPECT_ERR("IP_TTL", setsockopt(s[0], IPPROTO_IP, IP_TTL, &v, sizeof v), EOPNOTSUPP);
  len = sizeof v;
  EXPECT_ERR("getsockopt TCP_NODELAY", getsockopt(s[0], IPPROTO_TCP, 1, &v, &len), EOPNOTSUPP);
  EXPECT_ERR("getsockopt unknown", getsockopt(s[0], SOL_SOCKET, 9999, &v, &len), ENOPROTOOPT);
  EXPECT_ERR("setsockopt unknown", setsockopt(s[0], SOL_SOCKET, 9999, &v, sizeof v), ENOPROTOOPT);

  // An unnamed AF_UNIX address: the family alone.
  len = sizeof ss;
  memset(&ss, 0xff, sizeof ss);
  EXPECT_EQ("getsockname", getsockname(s[0], (struct sockaddr*)&ss, &len), 0);
  EXPECT_EQ("  length, family", len * 100 + ss.ss_family, 200 + AF_UNIX);
  len = sizeof ss;
  EXPECT_EQ("getpeername", getpeername(s[1], (struct sockaddr*)&ss, &len), 0);
  EXPECT_EQ("  length, family", len * 100 + ss.ss_family, 200 + AF_UNIX);
  len = 1;
  EXPECT_EQ("getsockname into 1 byte", getsockname(s[0], (struct sockaddr*)&ss, &len), 0);
  EXPECT_EQ("  length", len, 2);

  // What a connected pair refuses.
  int stream_like = type != SOCK_DGRAM;
  EXPECT_ERR("listen", listen(s[0], 1), stream_like ? EINVAL : EOPNOTSUPP);
  EXPECT_ERR("accept", accept(s[0], NULL, NULL), stream_like ? EINVAL : EOPNOTSUPP);
  EXPECT_ERR("accept4 bad flags", accept4(s[0], NULL, NULL, 0x1), EINVAL);
  EXPECT_ERR("connect AF_INET", connect(s[0], (struct sockaddr*)&inet, sizeof inet), EINVAL);
  EXPECT_ERR("connect a path nobody bound", connect(s[0], (struct sockaddr*)&path, sizeof path), ENOENT);
  EXPECT_ERR("connect an abstract name nobody bound",
             connect(s[0], (struct sockaddr*)&abstract, offsetof(struct sockaddr_un, sun_path) + 9),
             ECONNREFUSED);
  EXPECT_ERR("bind AF_INET", bind(s[0], (struct sockaddr*)&inet, sizeof inet), EINVAL);
  EXPECT_ERR("bind 1 byte", bind(s[0], (struct sockaddr*)&path, 1), EINVAL);
  if (type == SOCK_STREAM) {
    EXPECT_ERR("sendto a path", sendto(s[0], "a", 1, 0, (struct sockaddr*)&path, sizeof path), EISCONN);
    EXPECT_ERR("sendto AF_INET", sendto(s[0], "a", 1, 0, (struct sockaddr*)&inet, sizeof inet), EISCONN);
  } else if (type == SOCK_DGRAM) {
    EXPECT_ERR("sendto a path", sendto(s[0], "a", 1, 0, (struct sockaddr*)&path, sizeof path), ENOENT);
    EXPECT_ERR("sendto AF_INET", sendto(s[0], "a", 1, 0, (struct sockaddr*)&inet, sizeof inet), EINVAL);
  } else {
    // A seqpacket socket ignores the address and sends to its peer.
    EXPECT_EQ("sendto a path", sendto(s[0], "a", 1, 0, (struct sockaddr*)&path, sizeof path), 1);
    char c;
    EXPECT_EQ("  the peer gets it", recv(s[1], &c, 1, 0), 1);
  }
  close(s[0]);
  close(s[1]);
}

int main(void) {
  int s[2];
  int* volatile no_fds = NULL;
  EXPECT_ERR("AF_INET stream", socketpair(AF_INET, SOCK_STREAM, 0, s), EOPNOTSUPP);
  EXPECT_ERR("AF_INET datagram", socketpair(AF_INET, SOCK_DGRAM, 0, s), EOPNOTSUPP);
  EXPECT_ERR("AF_INET6 stream", socketpair(AF_INET6, SOCK_STREAM, 0, s), EOPNOTSUPP);
  EXPECT_ERR("AF_INET stream, UDP", socketpair(AF_INET, SOCK_STREAM, IPPROTO_UDP, s), EPROTONOSUPPORT);
  EXPECT_ERR("AF_INET seqpacket", socketpair(AF_INET, SOCK_SEQPACKET, 0, s), ESOCKTNOSUPPORT);
  EXPECT_ERR("family 99", socketpair(99, SOCK_STREAM, 0, s), EAFNOSUPPORT);
  EXPECT_ERR("AF_UNIX type 99", socketpair(AF_UNIX, 99, 0, s), EINVAL);
  EXPECT_ERR("AF_UNIX SOCK_RDM", socketpair(AF_UNIX, SOCK_RDM, 0, s), ESOCKTNOSUPPORT);
  EXPECT_ERR("AF_UNIX SOCK_PACKET", socketpair(AF_UNIX, SOCK_PACKET, 0, s), ESOCKTNOSUPPORT);
  EXPECT_ERR("AF_UNIX protocol 5", socketpair(AF_UNIX, SOCK_STREAM, 5, s), EPROTONOSUPPORT);
  EXPECT_ERR("AF_UNIX protocol -1", socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, -1, s), EPROTONOSUPPORT);
  EXPECT_ERR("AF_UNIX unknown flag", socketpair(AF_UNIX, SOCK_STREAM | 0x100000, 0, s), EINVAL);
  EXPECT_ERR("NULL fds", socketpair(AF_UNIX, SOCK_STREAM, 0, no_fds), EFAULT);

  EXPECT_EQ("protocol PF_UNIX", socketpair(AF_UNIX, SOCK_STREAM, PF_UNIX, s), 0);
  EXPECT_EQ("  SO_PROTOCOL", int_option(s[0], SOL_SOCKET, SO_PROTOCOL), 0);
  close(s[0]);
  close(s[1]);
  EXPECT_EQ("SOCK_RAW", socketpair(AF_UNIX, SOCK_RAW, 0, s), 0);
  EXPECT_EQ("  is a datagram pair", int_option(s[0], SOL_SOCKET, SO_TYPE), SOCK_DGRAM);
  close(s[0]);
  close(s[1]);
  EXPECT_EQ("SOCK_NONBLOCK | SOCK_CLOEXEC",
            socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, s), 0);
  EXPECT_EQ("  F_GETFL", fcntl(s[0], F_GETFL) == (O_RDWR | O_NONBLOCK) &&
                             fcntl(s[1], F_GETFL) == (O_RDWR | O_NONBLOCK), 1);
  EXPECT_EQ("  F_GETFD", fcntl(s[0], F_GETFD) == FD_CLOEXEC && fcntl(s[1], F_GETFD) == FD_CLOEXEC, 1);
  close(s[0]);
  close(s[1]);

  describe(SOCK_STREAM, "SOCK_STREAM");
  describe(SOCK_DGRAM, "SOCK_DGRAM");
  describe(SOCK_SEQPACKET, "SOCK_SEQPACKET");
  printf("done\n");
  return 0;
}
