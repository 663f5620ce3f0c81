// Ending TCP connections: half-close in both directions, SHUT_RD,
// SHUT_RDWR, EPIPE after SHUT_WR, ECONNRESET when the peer aborts, and a
// close() right after a 1 MiB write that still delivers every byte before
// the EOF.
// Usage: tcp_close RESET_PORT (a loopback peer that reads a byte, sends 4,
// then resets with SO_LINGER {1, 0}, which a wasm program cannot do: see
// wasm_only.c)
#include "check.h"

#include <signal.h>

#define BIG (1 << 20)

static int lfd, cfd, afd;
static struct sockaddr_storage addr, resetter;
static socklen_t addr_len, resetter_len;
static int reset_port;
static char buf[65536];
static unsigned char* big;
static size_t sent, received;
static unsigned sum_sent, sum_received;
static ssize_t n;

static const int ALL = POLLIN | POLLOUT | POLLRDHUP;

static void pump(void) {
  while (sent < BIG && (n = send(cfd, big + sent, BIG - sent, 0)) > 0)
    sent += n;
  CHECK(sent == BIG || errno == EAGAIN);
  while ((n = recv(afd, buf, sizeof buf, 0)) > 0) {
    for (ssize_t i = 0; i < n; i++)
      sum_received = sum_received * 31 + (unsigned char)buf[i];
    received += n;
  }
  CHECK(n == 0 || errno == EAGAIN);
}

static int test(void) {
  TASK_BEGIN;
  signal(SIGPIPE, SIG_IGN); // EPIPE is the subject here, not the signal
  addr_len = listener(AF_INET, SOCK_NONBLOCK, &lfd, &addr);
  resetter_len = loopback(AF_INET, reset_port, &resetter);

  printf("our SHUT_WR: the peer reads EOF, we still read\n");
  AWAIT_PAIR(lfd, addr, addr_len, cfd, afd);
  EXPECT_EQ("send", send(cfd, "abc", 3, 0), 3);
  EXPECT_EQ("shutdown SHUT_WR", shutdown(cfd, SHUT_WR), 0);
  EXPECT_EQ("shutdown SHUT_WR again", shutdown(cfd, SHUT_WR), 0);
  EXPECT_EQ("poll after SHUT_WR", ready(cfd, ALL), POLLOUT);
  EXPECT_ERR("send after SHUT_WR", send(cfd, "x", 1, MSG_NOSIGNAL), EPIPE);
  EXPECT_ERR("write after SHUT_WR", write(cfd, "x", 1), EPIPE);
  AWAIT(ready(afd, POLLRDHUP));
  EXPECT_EQ("peer: poll", ready(afd, ALL), ALL);
  EXPECT_EQ("peer: recv", recv(afd, buf, sizeof buf, 0), 3);
  EXPECT_EQ("peer: recv at EOF", recv(afd, buf, sizeof buf, 0), 0);
  EXPECT_EQ("peer: recv at EOF again", recv(afd, buf, sizeof buf, 0), 0);
  EXPECT_EQ("peer: send", send(afd, "back", 4, 0), 4);
  AWAIT(ready(cfd, POLLIN));
  EXPECT_EQ("recv", recv(cfd, buf, sizeof buf, 0), 4);
  EXPECT_EQ("peer: shutdown SHUT_WR", shutdown(afd, SHUT_WR), 0);
  AWAIT(ready(cfd, POLLRDHUP));
  EXPECT_EQ("recv at EOF", recv(cfd, buf, sizeof buf, 0), 0);
  EXPECT_EQ("poll, both ways shut", ready(cfd, ALL), ALL | POLLHUP);
  close(cfd);
  close(afd);

  printf("peer's SHUT_WR: we read EOF, we still write\n");
  AWAIT_PAIR(lfd, addr, addr_len, cfd, afd);
  EXPECT_EQ("peer: shutdown SHUT_WR", shutdown(afd, SHUT_WR), 0);
  AWAIT(ready(cfd, POLLIN));
  EXPECT_EQ("poll", ready(cfd, ALL), ALL);
  EXPECT_EQ("recv at EOF", recv(cfd, buf, sizeof buf, 0), 0);
  EXPECT_EQ("send", send(cfd, "more", 4, 0), 4);
  AWAIT(ready(afd, POLLIN));
  EXPECT_EQ("peer: recv", recv(afd, buf, sizeof buf, 0), 4);
  close(cfd);
  AWAIT(ready(afd, POLLRDHUP));
  EXPECT_EQ("peer: recv after our close", recv(afd, buf, sizeof buf, 0), 0);
  close(afd);

  printf("SHUT_RD and SHUT_RDWR\n");
  AWAIT_PAIR(lfd, addr, addr_len, cfd, afd);
  EXPECT_EQ("peer: send", send(afd, "ab", 2, 0), 2);
  AWAIT(ready(cfd, POLLIN));
  EXPECT_EQ("shutdown SHUT_RD", shutdown(cfd, SHUT_RD), 0);
  EXPECT_EQ("poll after SHUT_RD", ready(cfd, ALL), ALL);
  EXPECT_EQ("recv after SHUT_RD: the bytes already there", recv(cfd, buf, sizeof buf, 0), 2);
  EXPECT_EQ("recv after SHUT_RD", recv(cfd, buf, sizeof buf, 0), 0);
  EXPECT_EQ("send after SHUT_RD", send(cfd, "w", 1, 0), 1);
  AWAIT(ready(afd, POLLIN));
  EXPECT_EQ("peer: recv", recv(afd, buf, sizeof buf, 0), 1);
  EXPECT_EQ("shutdown SHUT_RDWR", shutdown(cfd, SHUT_RDWR), 0);
  EXPECT_EQ("poll after SHUT_RDWR", ready(cfd, ALL), ALL | POLLHUP);
  EXPECT_ERR("send after SHUT_RDWR", send(cfd, "x", 1, MSG_NOSIGNAL), EPIPE);
  EXPECT_EQ("recv after SHUT_RDWR", recv(cfd, buf, sizeof buf, 0), 0);
  AWAIT(ready(afd, POLLRDHUP));
  EXPECT_EQ("peer: recv at EOF", recv(afd, buf, sizeof buf, 0), 0);
  close(cfd);
  close(afd);

  printf("the peer resets\n");
  cfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  CHECK(cfd >= 0);
  CHECK(connect(cfd, (struct sockaddr*)&resetter, resetter_len) == 0 || errno == EINPROGRESS);
  AWAIT(ready(cfd, POLLOUT));
  EXPECT_EQ("send", send(cfd, "x", 1, 0), 1); // the peer resets once it reads
  AWAIT(ready(cfd, POLLERR));
  EXPECT_EQ("poll", ready(cfd, ALL), ALL | POLLHUP | POLLERR);
  EXPECT_EQ("recv: the bytes sent before the reset", recv(cfd, buf, sizeof buf, 0), 4);
  EXPECT_ERR("recv", recv(cfd, buf, sizeof buf, 0), ECONNRESET);
  EXPECT_EQ("recv again", recv(cfd, buf, sizeof buf, 0), 0);
  EXPECT_ERR("send", send(cfd, "x", 1, MSG_NOSIGNAL), EPIPE);
  close(cfd);

  printf("close right after a 1 MiB write\n");
  big = malloc(BIG);
  CHECK(big);
  for (int i = 0; i < BIG; i++) {
    big[i] = (unsigned char)(i * 7 + i / 4096);
    sum_sent = sum_sent * 31 + big[i];
  }
  AWAIT_PAIR(lfd, addr, addr_len, cfd, afd);
  while (sent < BIG) {
    pump();
    AWAIT(ready(cfd, POLLOUT) || ready(afd, POLLIN));
  }
  EXPECT_EQ("close with bytes in flight", close(cfd), 0);
  do {
    AWAIT(ready(afd, POLLIN));
    pump();
  } while (n != 0);
  EXPECT_EQ("peer: bytes received", received, BIG);
  EXPECT_EQ("peer: same bytes", sum_received == sum_sent, 1);
  EXPECT_EQ("peer: recv at EOF", recv(afd, buf, sizeof buf, 0), 0);
  close(afd);
  close(lfd);
  TASK_END;
}

int main(int argc, char** argv) {
  CHECK(argc == 2);
  reset_port = atoi(argv[1]);
  run_task(test);
}
