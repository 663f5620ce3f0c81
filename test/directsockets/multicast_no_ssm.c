// Where the browser has no source-specific multicast (Chromium 156 without
// its SourceSpecificMulticastInDirectSockets feature ignores joinGroup's
// sourceAddress, and would join the group from any source), a
// source-specific join fails with ENOPROTOOPT -- from the call, or through
// SO_ERROR where the call cannot wait (event-loop mode) -- and the bridge
// says why. Run under Node with multicast_no_ssm.mjs preloaded. No group is
// joined.
#include "check.h"

static int fd, err;
static struct sockaddr_storage addr;
static socklen_t addr_len;

static int so_error(int fd) {
  int v = -1;
  socklen_t len = sizeof v;
  CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len) == 0);
  return v;
}

static int join_source(int fd) {
  struct ip_mreq_source m = {{htonl(0xe84d0001)}, {INADDR_ANY}, {htonl(0x0a4d0001)}};
  return setsockopt(fd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, &m, sizeof m);
}

static int test(void) {
  TASK_BEGIN;
  fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  addr_len = loopback(AF_INET, 0, &addr);
  EXPECT_EQ("bind", bind(fd, (struct sockaddr*)&addr, addr_len), 0);
  err = join_source(fd) == -1 ? errno : 0;
  if (!err) {
    AWAIT(ready(fd, POLLERR) & POLLERR);
    err = so_error(fd);
  }
  EXPECT_ERRNO("IP_ADD_SOURCE_MEMBERSHIP", err, ENOPROTOOPT);
  // Not a member: the source cannot be dropped.
  struct ip_mreq_source m = {{htonl(0xe84d0001)}, {INADDR_ANY}, {htonl(0x0a4d0001)}};
  EXPECT_ERR("IP_DROP_SOURCE_MEMBERSHIP", setsockopt(fd, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, &m, sizeof m), EINVAL);
  close(fd);
  TASK_END;
}

int main(void) { run_task(test); }
