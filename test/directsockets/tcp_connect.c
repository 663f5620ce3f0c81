// Non-blocking connect(): EINPROGRESS, completion through POLLOUT and
// SO_ERROR, the one 0 Linux returns afterwards, EISCONN; a refused connect
// (ECONNREFUSED through SO_ERROR) and a second connect on the same socket.
// Usage: tcp_connect REFUSED_PORT (a loopback port nobody listens on)
#include "check.h"

#include <fcntl.h>

static int refused_port;
static int lfd, cfd, afd;
static struct sockaddr_storage addr, refused;
static socklen_t addr_len, refused_len;

static int so_error(int fd) {
  int err = -1;
  socklen_t len = sizeof err;
  CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0);
  return err;
}

static int test(void) {
  TASK_BEGIN;
  addr_len = listener(AF_INET, SOCK_NONBLOCK, &lfd, &addr);
  refused_len = loopback(AF_INET, refused_port, &refused);

  // Refused: the failure comes through POLLOUT (with POLLERR and POLLHUP)
  // and SO_ERROR, once.
  cfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  CHECK(cfd >= 0);
  EXPECT_ERR("connect, nobody listening", connect(cfd, (struct sockaddr*)&refused, refused_len), EINPROGRESS);
  AWAIT(ready(cfd, POLLOUT));
  EXPECT_EQ("poll after refusal", ready(cfd, POLLIN | POLLOUT), POLLIN | POLLOUT | POLLERR | POLLHUP);
  EXPECT_ERRNO("SO_ERROR", so_error(cfd), ECONNREFUSED);
  EXPECT_ERRNO("SO_ERROR again", so_error(cfd), 0);
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  EXPECT_ERR("getpeername after refusal", getpeername(cfd, (struct sockaddr*)&ss, &len), ENOTCONN);
  // The next connect() reports the failure (SO_ERROR took its error); the
  // one after that tries again.
  EXPECT_ERR("connect again", connect(cfd, (struct sockaddr*)&refused, refused_len), ECONNABORTED);
  EXPECT_ERR("connect again, nobody listening", connect(cfd, (struct sockaddr*)&refused, refused_len), EINPROGRESS);
  AWAIT(ready(cfd, POLLOUT));
  // Unless SO_ERROR took it, connect() itself reports the error.
  EXPECT_ERR("connect again", connect(cfd, (struct sockaddr*)&refused, refused_len), ECONNREFUSED);
  EXPECT_ERRNO("SO_ERROR", so_error(cfd), 0);

  // The same socket may connect again, and succeed.
  EXPECT_ERR("connect again, to a listener", connect(cfd, (struct sockaddr*)&addr, addr_len), EINPROGRESS);
  AWAIT(ready(cfd, POLLOUT));
  EXPECT_EQ("poll when connected", ready(cfd, POLLIN | POLLOUT), POLLOUT);
  EXPECT_ERRNO("SO_ERROR", so_error(cfd), 0);
  // Linux reports the completed connect once with 0, then EISCONN.
  EXPECT_EQ("connect after completion", connect(cfd, (struct sockaddr*)&addr, addr_len), 0);
  EXPECT_ERR("connect when connected", connect(cfd, (struct sockaddr*)&addr, addr_len), EISCONN);
  EXPECT_ERR("connect elsewhere when connected", connect(cfd, (struct sockaddr*)&refused, refused_len), EISCONN);
  len = sizeof ss;
  EXPECT_EQ("getpeername", getpeername(cfd, (struct sockaddr*)&ss, &len), 0);
  EXPECT_EQ("  peer is the listener", port_of(&ss) == port_of(&addr), 1);

  AWAIT((afd = accept(lfd, NULL, NULL)) >= 0 || errno != EAGAIN);
  EXPECT_OK("accept", afd);
  EXPECT_ERR("connect on a listener", connect(lfd, (struct sockaddr*)&addr, addr_len), EISCONN);
  close(afd);
  close(cfd);

  // Addresses a fresh socket cannot connect to.
  cfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  struct sockaddr bad = {.sa_family = AF_APPLETALK};
  EXPECT_ERR("connect, bad family", connect(cfd, &bad, sizeof bad), EAFNOSUPPORT);
  EXPECT_ERR("connect, short address", connect(cfd, (struct sockaddr*)&addr, 4), EINVAL);
  close(cfd);
  close(lfd);
  TASK_END;
}

int main(int argc, char** argv) {
  CHECK(argc == 2);
  refused_port = atoi(argv[1]);
  run_task(test);
}
