// Where the browser does not let the app use multicast (no
// direct-sockets-multicast permission), multicast fails loudly: EACCES from
// the call, or through SO_ERROR where the call cannot wait (event-loop
// mode), and the bridge prints why. Run under Node with multicast_denied.mjs
// preloaded, or in Chromium without the permission. No group is joined.
#include "check.h"

static int fd;
static int err;
static struct sockaddr_storage addr;
static socklen_t addr_len;

static int set(int fd, int level, int name, int v) {
  return setsockopt(fd, level, name, &v, sizeof v);
}

static int so_error(int fd) {
  int v = -1;
  socklen_t len = sizeof v;
  CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len) == 0);
  return v;
}

static int join(int fd) {
  struct ip_mreq m = {{htonl(0xef4d0001)}, {INADDR_ANY}}; // 239.77.0.1
  return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m);
}

// err: the call's errno, else (it returned early) the socket's SO_ERROR
// once it comes.
#define REFUSAL(call)                                                          \
  do {                                                                         \
    err = (call) == -1 ? errno : 0;                                            \
    if (!err) {                                                                \
      AWAIT(ready(fd, POLLERR) & POLLERR);                                     \
      err = so_error(fd);                                                      \
    }                                                                          \
  } while (0)

static int test(void) {
  TASK_BEGIN;
  fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  addr_len = loopback(AF_INET, 0, &addr);
  EXPECT_EQ("bind", bind(fd, (struct sockaddr*)&addr, addr_len), 0);
  REFUSAL(join(fd));
  EXPECT_ERRNO("IP_ADD_MEMBERSHIP", err, EACCES);
  close(fd);

  fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  EXPECT_EQ("SO_REUSEADDR 1", set(fd, SOL_SOCKET, SO_REUSEADDR, 1), 0);
  addr_len = loopback(AF_INET, 0, &addr);
  REFUSAL(bind(fd, (struct sockaddr*)&addr, addr_len));
  EXPECT_ERRNO("  then bind", err, EACCES);
  close(fd);

  fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  EXPECT_EQ("IP_MULTICAST_TTL 4", set(fd, IPPROTO_IP, IP_MULTICAST_TTL, 4), 0);
  addr_len = loopback(AF_INET, 9, &addr);
  REFUSAL(sendto(fd, "x", 1, 0, (struct sockaddr*)&addr, addr_len) == 1 ? 0 : -1);
  EXPECT_ERRNO("  then sendto", err, EACCES);
  close(fd);
  TASK_END;
}

int main(void) { run_task(test); }
