// bind(), listen(), accept() and accept4() over IPv4 and IPv6: an ephemeral
// port, SO_ACCEPTCONN, a listener that polls and selects readable when a
// connection is pending and not before, the flags accept4() gives the new
// socket, and the addresses of both ends.
#include "check.h"

#include <fcntl.h>
#include <sys/select.h>

static const int families[] = {AF_INET, AF_INET6};
static int fi, family;
static int lfd, cfd, afd;
static struct sockaddr_storage addr;
static socklen_t addr_len;

static int acceptconn(int fd) {
  int v = -1;
  socklen_t len = sizeof v;
  CHECK(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len) == 0);
  return v;
}

static int selects_readable(int fd) {
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(fd, &rd);
  struct timeval tv = {0, 0};
  int n = select(fd + 1, &rd, NULL, NULL, &tv);
  CHECK(n >= 0);
  return n == 1 && FD_ISSET(fd, &rd);
}

static int same_address(const struct sockaddr_storage* a, const struct sockaddr_storage* b) {
  if (a->ss_family != b->ss_family)
    return 0;
  if (a->ss_family == AF_INET)
    return memcmp(a, b, sizeof(struct sockaddr_in)) == 0;
  const struct sockaddr_in6 *x = (const void*)a, *y = (const void*)b;
  return x->sin6_port == y->sin6_port &&
         memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
}

static int test(void) {
  TASK_BEGIN;
  for (fi = 0; fi < 2; fi++) {
    family = families[fi];
    printf("%s\n", family == AF_INET ? "IPv4" : "IPv6");
    lfd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(lfd >= 0);
    addr_len = loopback(family, 0, &addr);
    EXPECT_EQ("bind port 0", bind(lfd, (struct sockaddr*)&addr, addr_len), 0);
    EXPECT_EQ("getsockname gives a port", local_port(lfd) != 0, 1);
    EXPECT_ERR("bind again", bind(lfd, (struct sockaddr*)&addr, addr_len), EINVAL);
    EXPECT_EQ("SO_ACCEPTCONN before listen", acceptconn(lfd), 0);
    EXPECT_EQ("listen", listen(lfd, 4), 0);
    EXPECT_EQ("SO_ACCEPTCONN", acceptconn(lfd), 1);
    EXPECT_EQ("listen again", listen(lfd, 8), 0);
    EXPECT_EQ("poll, nothing pending", ready(lfd, POLLIN | POLLOUT), 0);
    EXPECT_EQ("select, nothing pending", selects_readable(lfd), 0);
    EXPECT_ERR("accept, nothing pending", accept(lfd, NULL, NULL), EAGAIN);

    addr_len = loopback(family, local_port(lfd), &addr);
    cfd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK(cfd >= 0);
    EXPECT_ERR("connect", connect(cfd, (struct sockaddr*)&addr, addr_len), EINPROGRESS);
    AWAIT(ready(lfd, POLLIN));
    // The browser tells the client its local end (compared below) only once
    // its connection opens, which Chromium may report after the listener's.
    AWAIT(ready(cfd, POLLOUT));
    EXPECT_EQ("poll, connection pending", ready(lfd, POLLIN | POLLOUT), POLLIN);
    EXPECT_EQ("select, connection pending", selects_readable(lfd), 1);
    EXPECT_ERR("accept4, unknown flag", accept4(lfd, NULL, NULL, 0x4000), EINVAL);
    EXPECT_ERR("accept4, O_APPEND", accept4(lfd, NULL, NULL, SOCK_NONBLOCK | O_APPEND), EINVAL);

    struct sockaddr_storage from, peer, local, client;
    socklen_t from_len = sizeof from, len;
    afd = accept4(lfd, (struct sockaddr*)&from, &from_len, SOCK_NONBLOCK | SOCK_CLOEXEC);
    EXPECT_OK("accept4 SOCK_NONBLOCK|SOCK_CLOEXEC", afd);
    EXPECT_EQ("  O_NONBLOCK", !!(fcntl(afd, F_GETFL) & O_NONBLOCK), 1);
    EXPECT_EQ("  FD_CLOEXEC", fcntl(afd, F_GETFD), FD_CLOEXEC);
    EXPECT_EQ("  address length", from_len, family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
    EXPECT_EQ("poll after accept", ready(lfd, POLLIN), 0);
    EXPECT_ERR("accept again", accept(lfd, NULL, NULL), EAGAIN);

    // The accepted socket's peer is the client; its local end the listener.
    len = sizeof peer;
    EXPECT_EQ("getpeername, accepted", getpeername(afd, (struct sockaddr*)&peer, &len), 0);
    len = sizeof local;
    EXPECT_EQ("getsockname, accepted", getsockname(afd, (struct sockaddr*)&local, &len), 0);
    len = sizeof client;
    EXPECT_EQ("getsockname, client", getsockname(cfd, (struct sockaddr*)&client, &len), 0);
    EXPECT_EQ("  accept's address is the client", same_address(&from, &client), 1);
    EXPECT_EQ("  getpeername is the client", same_address(&peer, &client), 1);
    EXPECT_EQ("  getsockname is the listener", same_address(&local, &addr), 1);
    EXPECT_EQ("SO_ACCEPTCONN, accepted", acceptconn(afd), 0);
    close(afd);

    // accept4 without flags: a blocking socket whatever the listener's.
    close(cfd);
    cfd = socket(family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    EXPECT_ERR("connect", connect(cfd, (struct sockaddr*)&addr, addr_len), EINPROGRESS);
    AWAIT(ready(lfd, POLLIN));
    afd = accept4(lfd, NULL, NULL, 0);
    EXPECT_OK("accept4 0", afd);
    EXPECT_EQ("  O_NONBLOCK", !!(fcntl(afd, F_GETFL) & O_NONBLOCK), 0);
    EXPECT_EQ("  FD_CLOEXEC", fcntl(afd, F_GETFD), 0);
    close(afd);
    close(cfd);
    close(lfd);
  }
  TASK_END;
}

int main(void) { run_task(test); }
