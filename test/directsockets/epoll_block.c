// Calls that wait: epoll_wait/epoll_pwait (and poll on an epoll fd) with a
// timeout and nothing ready return 0 once it has elapsed; with an infinite
// one they return when a byte in flight arrives, also through an epoll
// instance inside another; an edge-triggered entry already reported lets the
// next wait time out though its data is unread. Blocking socketpair reads
// and writes honour SO_RCVTIMEO/SO_SNDTIMEO, and a blocking read of a pipe
// whose writer is gone returns EOF at once.
//
// Only where a call can wait (JSPI, or a pthread): in event-loop mode
// epoll_wait returns at once whatever its timeout (README).
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/time.h>

static char buf[1 << 20];

// Prints whether a call that returned `n` took its whole (200 ms) timeout.
static void waited(const char* what, long n, double since) {
  printf("%s: %ld, %s\n", what, n, now_ms() - since >= 150 ? "timed out" : "early");
  CHECK(now_ms() - since >= 150);
}

static int add(int ep, int fd, uint32_t events, uint64_t data) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = events;
  ev.data.u64 = data;
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static void show_events(const char* what, int n, const struct epoll_event* ev) {
  printf("%s: %d:", what, n);
  for (int i = 0; i < n; i++)
    printf(" [%llu %x]", (unsigned long long)ev[i].data.u64, ev[i].events);
  printf("\n");
}

int main(void) {
  int lfd, cfd, afd, p[2], s[2];
  struct sockaddr_storage addr;
  struct epoll_event ev[4];
  sigset_t mask;
  double t0;
  signal(SIGPIPE, SIG_IGN);
  sigemptyset(&mask);

  socklen_t len = listener(AF_INET, 0, &lfd, &addr);
  cfd = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(connect(cfd, (struct sockaddr*)&addr, len) == 0);
  afd = accept(lfd, NULL, NULL);
  CHECK(afd >= 0 && pipe(p) == 0);
  int ep = epoll_create1(0);
  CHECK(add(ep, afd, EPOLLIN, 1) == 0 && add(ep, p[0], EPOLLIN, 2) == 0);

  t0 = now_ms();
  waited("epoll_wait 200 ms", epoll_wait(ep, ev, 4, 200), t0);
  t0 = now_ms();
  waited("epoll_pwait 200 ms", epoll_pwait(ep, ev, 4, 200, &mask), t0);
  struct pollfd pfd = {ep, POLLIN, 0};
  t0 = now_ms();
  waited("poll on the epoll fd, 200 ms", poll(&pfd, 1, 200), t0);

  EXPECT_EQ("send a byte", send(cfd, "x", 1, 0), 1);
  int n = epoll_wait(ep, ev, 4, -1);
  show_events("epoll_wait -1", n, ev);
  CHECK(n == 1);

  // Edge-triggered: reported once, then a wait times out, byte unread.
  struct epoll_event et = {EPOLLIN | EPOLLET, {.u64 = 1}};
  EXPECT_EQ("MOD edge-triggered", epoll_ctl(ep, EPOLL_CTL_MOD, afd, &et), 0);
  n = epoll_wait(ep, ev, 4, 200);
  show_events("  epoll_wait 200 ms", n, ev);
  t0 = now_ms();
  waited("  again", epoll_wait(ep, ev, 4, 200), t0);
  EXPECT_EQ("  the byte is still there", recv(afd, buf, 10, 0), 1);

  // Through an epoll instance inside another.
  int outer = epoll_create1(0);
  CHECK(add(outer, ep, EPOLLIN, 9) == 0);
  EXPECT_EQ("send another byte", send(cfd, "y", 1, 0), 1);
  n = epoll_wait(outer, ev, 4, -1);
  show_events("outer epoll_wait -1", n, ev);
  n = epoll_wait(ep, ev, 4, 0);
  show_events("  inner", n, ev);
  CHECK(recv(afd, buf, 10, 0) == 1);
  close(outer);

  // Socketpairs under SO_RCVTIMEO / SO_SNDTIMEO.
  struct timeval tv = {0, 200000};
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
  CHECK(setsockopt(s[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  CHECK(setsockopt(s[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
  t0 = now_ms();
  long r = recv(s[0], buf, 10, 0);
  waited("stream recv, SO_RCVTIMEO 200 ms", r, t0);
  EXPECT_ERRNO("  errno", errno, EAGAIN);
  t0 = now_ms();
  r = send(s[0], buf, sizeof buf, 0);
  waited("stream send of 1 MiB, SO_SNDTIMEO 200 ms: partial", r > 0 && r < (long)sizeof buf, t0);
  t0 = now_ms();
  r = send(s[0], buf, 100, 0);
  waited("  send again, still full", r, t0);
  EXPECT_ERRNO("  errno", errno, EAGAIN);
  close(s[0]);
  close(s[1]);
  CHECK(socketpair(AF_UNIX, SOCK_DGRAM, 0, s) == 0);
  CHECK(setsockopt(s[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
  CHECK(setsockopt(s[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  while (send(s[0], "m", 1, MSG_DONTWAIT) == 1) {
  }
  t0 = now_ms();
  r = send(s[0], "m", 1, 0);
  waited("datagram send to a full peer, SO_SNDTIMEO 200 ms", r, t0);
  EXPECT_ERRNO("  errno", errno, EAGAIN);
  while (recv(s[1], buf, 10, MSG_DONTWAIT) == 1) {
  }
  t0 = now_ms();
  r = recv(s[1], buf, 10, 0);
  waited("datagram recv, SO_RCVTIMEO 200 ms", r, t0);
  EXPECT_ERRNO("  errno", errno, EAGAIN);
  close(s[0]);
  close(s[1]);

  // A pipe whose writer is gone: EOF at once.
  close(p[1]);
  EXPECT_EQ("blocking read of a pipe without writer", read(p[0], buf, 10), 0);
  n = epoll_wait(ep, ev, 4, -1);
  show_events("epoll_wait -1: the pipe's hang-up", n, ev);
  close(p[0]);
  close(ep);
  close(afd);
  close(cfd);
  close(lfd);
  printf("done\n");
  return 0;
}
