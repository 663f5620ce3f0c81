// A program may exit with sockets still open and writes still in flight: the
// exit closes them, and the program's exit status is its own.
#include "check.h"

static int lfd, cfd, afd, u1, u2;
static struct sockaddr_storage addr, a1;
static socklen_t addr_len, len1;
static char chunk[65536];

static int test(void) {
  TASK_BEGIN;
  addr_len = listener(AF_INET, SOCK_NONBLOCK, &lfd, &addr);
  AWAIT_PAIR(lfd, addr, addr_len, cfd, afd);
  EXPECT_EQ("send", send(cfd, chunk, sizeof chunk, 0), sizeof chunk);
  u1 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  u2 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  len1 = loopback(AF_INET, 0, &a1);
  CHECK(bind(u1, (struct sockaddr*)&a1, len1) == 0);
  len1 = loopback(AF_INET, local_port(u1), &a1);
  EXPECT_EQ("sendto", sendto(u2, chunk, 1000, 0, (struct sockaddr*)&a1, len1), 1000);
  // No close(): exit with all of it open.
  TASK_END;
}

int main(void) { run_task(test); }
