// Flow control over TCP. A peer that does not read: non-blocking sends
// end in EAGAIN and POLLOUT clears (and stays clear); the reader's queue,
// as FIONREAD shows, never exceeds its SO_RCVBUF. Once the peer drains,
// POLLOUT returns, and every byte sent arrives.
#include "check.h"

#include <sys/ioctl.h>

#define CHUNK 65536
#define MAX_TOTAL (64 << 20) // a bound: Linux stops the sender far sooner

static int lfd, cfd, afd;
static struct sockaddr_storage addr;
static socklen_t addr_len;
static char chunk[CHUNK], buf[CHUNK];
static long sent, received, most_queued;
static ssize_t n, last;
static int rcvbuf, blocked, rounds;

static void note_queue(void) {
  int queued = 0;
  CHECK(ioctl(afd, FIONREAD, &queued) == 0);
  if (queued > most_queued)
    most_queued = queued;
}

static void send_all_it_takes(void) {
  while (sent < MAX_TOTAL && (last = send(cfd, chunk, CHUNK, 0)) > 0)
    sent += last;
  CHECK(last == -1 && errno == EAGAIN);
}

static void drain(void) {
  while ((n = recv(afd, buf, sizeof buf, 0)) > 0)
    received += n;
  CHECK(n == 0 || errno == EAGAIN);
}

static int test(void) {
  TASK_BEGIN;
  memset(chunk, 'b', sizeof chunk);
  // Small, fixed buffers (Linux stops autotuning them once set).
  lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  CHECK(setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &(int){32768}, sizeof(int)) == 0);
  addr_len = loopback(AF_INET, 0, &addr);
  CHECK(bind(lfd, (struct sockaddr*)&addr, addr_len) == 0 && listen(lfd, 4) == 0);
  addr_len = loopback(AF_INET, local_port(lfd), &addr);
  AWAIT_PAIR(lfd, addr, addr_len, cfd, afd);
  CHECK(setsockopt(cfd, SOL_SOCKET, SO_SNDBUF, &(int){32768}, sizeof(int)) == 0);
  socklen_t len = sizeof rcvbuf;
  CHECK(getsockopt(afd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, &len) == 0);
  EXPECT_EQ("peer's SO_RCVBUF (inherited, doubled)", rcvbuf, 65536);

  // Send until the sender stays blocked for 300 ms.
  while (!blocked && sent < MAX_TOTAL) {
    send_all_it_takes();
    note_queue();
    AWAIT_FOR(ready(cfd, POLLOUT), 300);
    blocked = !ready(cfd, POLLOUT);
  }
  EXPECT_EQ("sender blocked before the bound", blocked && sent < MAX_TOTAL, 1);
  // POLLOUT waits for free space of half of what is queued; a send may
  // still take what little room is left (Linux's tcp_poll and tcp_sendmsg
  // differ so too). Past that it refuses.
  while ((n = send(cfd, chunk, CHUNK, 0)) > 0)
    sent += n;
  EXPECT_ERRNO("send", n < 0 ? errno : 0, EAGAIN);
  EXPECT_EQ("poll", ready(cfd, POLLIN | POLLOUT), 0);
  note_queue();
  EXPECT_EQ("peer's FIONREAD never above its SO_RCVBUF", most_queued <= rcvbuf, 1);
  EXPECT_EQ("peer's FIONREAD above 0", most_queued > 0, 1);

  // The peer drains; the sender may write again.
  while (!ready(cfd, POLLOUT) && rounds++ < 100) {
    drain();
    AWAIT_FOR(ready(afd, POLLIN) || ready(cfd, POLLOUT), 1000);
  }
  EXPECT_EQ("poll after the peer read", ready(cfd, POLLOUT), POLLOUT);
  EXPECT_EQ("send", send(cfd, chunk, 1, 0), 1);
  sent += 1;

  // Everything sent arrives.
  EXPECT_EQ("shutdown SHUT_WR", shutdown(cfd, SHUT_WR), 0);
  do {
    AWAIT(ready(afd, POLLIN));
    drain();
  } while (n != 0);
  EXPECT_EQ("peer received every byte", received == sent, 1);
  close(afd);
  close(cfd);
  close(lfd);
  TASK_END;
}

int main(void) { run_task(test); }
