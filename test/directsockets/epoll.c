// epoll over pipes and socketpairs, with zero timeouts: epoll_create*,
// every epoll_ctl and epoll_wait error in Linux's order, level-triggered
// entries (reported while ready, in turns when maxevents is small),
// EPOLLET (once per change of the file: each write, each piece the peer
// takes), EPOLLONESHOT (once until EPOLL_CTL_MOD), EPOLLRDHUP, EPOLLERR and
// EPOLLHUP (always reported), EPOLLEXCLUSIVE's rules, data.u64 intact, what
// closing does (an entry goes with the file's last fd, not with the fd it
// names), and epoll instances inside each other (readiness, ELOOP).
// epoll_block.c covers waits that block; epoll_tcp.c TCP sockets.
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/stat.h>

static char buf[70000];

// epoll_wait with a zero timeout; prints "n: [data events] ...".
static int show_wait(const char* what, int ep, int max) {
  struct epoll_event ev[8];
  int n = epoll_wait(ep, ev, max, 0);
  CHECK(n >= 0);
  printf("%s: %d:", what, n);
  for (int i = 0; i < n; i++)
    printf(" [%llx %x]", (unsigned long long)ev[i].data.u64, ev[i].events);
  printf("\n");
  return n;
}
#define WAIT(what, ep) show_wait(what, ep, 8)

static struct epoll_event event(uint32_t events, uint64_t data) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = events;
  ev.data.u64 = data;
  return ev;
}

static int add(int ep, int fd, uint32_t events, uint64_t data) {
  struct epoll_event ev = event(events, data);
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data) {
  struct epoll_event ev = event(events, data);
  return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

// Reads a non-blocking fd empty.
static void drain(int fd) {
  CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
  while (read(fd, buf, sizeof buf) > 0) {
  }
}

static void errors(void) {
  int p[2], q[2];
  struct epoll_event ev = event(EPOLLIN, 1);
  struct epoll_event* volatile no_event = NULL;
  struct stat st;
  printf("-- create and errors\n");
  EXPECT_ERR("epoll_create(0)", epoll_create(0), EINVAL);
  EXPECT_ERR("epoll_create1(1)", epoll_create1(1), EINVAL);
  EXPECT_ERR("epoll_create1(O_NONBLOCK)", epoll_create1(O_NONBLOCK), EINVAL);
  int ep = epoll_create(1);
  EXPECT_OK("epoll_create(1)", ep);
  EXPECT_EQ("  F_GETFD", fcntl(ep, F_GETFD), 0);
  EXPECT_EQ("  F_GETFL", fcntl(ep, F_GETFL), O_RDWR);
  EXPECT_EQ("  fstat: no file type", fstat(ep, &st) == 0 ? (int)(st.st_mode & S_IFMT) : -1, 0);
  EXPECT_EQ("  permissions", st.st_mode & 0777, 0600);
  EXPECT_ERR("  read", read(ep, buf, 1), EINVAL);
  EXPECT_ERR("  write", write(ep, buf, 1), EINVAL);
  EXPECT_ERR("  send", send(ep, buf, 1, 0), ENOTSOCK);
  EXPECT_EQ("  poll", ready(ep, POLLIN | POLLOUT), 0);
  int cloexec = epoll_create1(EPOLL_CLOEXEC);
  EXPECT_EQ("epoll_create1(EPOLL_CLOEXEC): F_GETFD", fcntl(cloexec, F_GETFD), FD_CLOEXEC);
  close(cloexec);

  CHECK(pipe(p) == 0 && pipe(q) == 0);
  int file = open("epoll.tmp", O_CREAT | O_RDWR | O_TRUNC, 0600);
  int dir = open(".", O_RDONLY);
  CHECK(file >= 0 && dir >= 0);
  EXPECT_EQ("ADD", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
  EXPECT_ERR("ADD again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
  EXPECT_ERR("ADD without an event", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], no_event), EFAULT);
  EXPECT_ERR("bad op", epoll_ctl(ep, 99, p[0], &ev), EINVAL);
  EXPECT_ERR("bad op without an event", epoll_ctl(ep, 99, p[0], no_event), EFAULT);
  EXPECT_ERR("epfd closed", epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev), EBADF);
  EXPECT_ERR("fd closed", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
  EXPECT_ERR("both closed", epoll_ctl(998, EPOLL_CTL_ADD, 999, &ev), EBADF);
  EXPECT_ERR("epfd a pipe", epoll_ctl(p[0], EPOLL_CTL_ADD, q[0], &ev), EINVAL);
  EXPECT_ERR("epfd a regular file", epoll_ctl(file, EPOLL_CTL_ADD, q[0], &ev), EINVAL);
  EXPECT_ERR("itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
  EXPECT_ERR("a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev), EPERM);
  EXPECT_ERR("MOD a regular file", epoll_ctl(ep, EPOLL_CTL_MOD, file, &ev), EPERM);
  EXPECT_ERR("a directory", epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev), EPERM);
  EXPECT_ERR("epfd a pipe, a regular file", epoll_ctl(p[0], EPOLL_CTL_ADD, file, &ev), EPERM);
  EXPECT_ERR("DEL what is not there", epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL), ENOENT);
  EXPECT_ERR("MOD what is not there", epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev), ENOENT);
  EXPECT_EQ("MOD", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), 0);
  EXPECT_EQ("DEL without an event", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], no_event), 0);
  EXPECT_ERR("DEL again", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
  EXPECT_EQ("every flag but EPOLLEXCLUSIVE",
            add(ep, p[0], ~0u & ~EPOLLEXCLUSIVE & ~EPOLLWAKEUP, 1), 0);
  EXPECT_EQ("EPOLLEXCLUSIVE", add(ep, q[0], EPOLLIN | EPOLLEXCLUSIVE, 2), 0);
  EXPECT_ERR("  MOD with it", mod(ep, q[0], EPOLLIN | EPOLLEXCLUSIVE, 2), EINVAL);
  EXPECT_ERR("  MOD of such an entry", mod(ep, q[0], EPOLLIN, 2), EINVAL);
  EXPECT_ERR("  with EPOLLONESHOT", add(ep, q[1], EPOLLOUT | EPOLLEXCLUSIVE | EPOLLONESHOT, 3), EINVAL);
  EXPECT_ERR("  with EPOLLRDHUP", add(ep, q[1], EPOLLOUT | EPOLLEXCLUSIVE | EPOLLRDHUP, 3), EINVAL);
  int inner = epoll_create1(0);
  EXPECT_ERR("  on an epoll fd", add(ep, inner, EPOLLIN | EPOLLEXCLUSIVE, 3), EINVAL);
  EXPECT_EQ("  with what it allows",
            add(ep, q[1], EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLEXCLUSIVE, 3), 0);
  EXPECT_EQ("  edge-triggered", add(ep, p[1], EPOLLOUT | EPOLLET | EPOLLWAKEUP | EPOLLEXCLUSIVE, 4), 0);
  EXPECT_EQ("  reports", WAIT("wait", ep), 2);

  struct epoll_event out[1];
  EXPECT_ERR("wait maxevents 0", epoll_wait(ep, out, 0, 0), EINVAL);
  volatile int minus_one = -1;
  EXPECT_ERR("wait maxevents -1", epoll_wait(ep, out, minus_one, 0), EINVAL);
  EXPECT_ERR("wait on a closed fd", epoll_wait(999, out, 1, 0), EBADF);
  EXPECT_ERR("wait on a closed fd, maxevents 0", epoll_wait(999, out, 0, 0), EBADF);
  EXPECT_ERR("wait on a pipe", epoll_wait(p[0], out, 1, 0), EINVAL);
  EXPECT_ERR("wait on a pipe, maxevents 0", epoll_wait(p[0], out, 0, 0), EINVAL);
  sigset_t mask;
  sigemptyset(&mask);
  EXPECT_EQ("epoll_pwait with a mask", epoll_pwait(ep, out, 1, 0, &mask), 1);
  EXPECT_EQ("epoll_pwait without", epoll_pwait(ep, out, 1, 0, NULL), 1);
  close(inner);
  close(file);
  close(dir);
  unlink("epoll.tmp");
  close(p[0]);
  close(p[1]);
  close(q[0]);
  close(q[1]);
  close(ep);
}

static void triggers(void) {
  int p[2], q[2];
  int ep = epoll_create1(0);
  printf("-- level and edge\n");
  CHECK(pipe2(p, O_NONBLOCK) == 0);
  EXPECT_EQ("ADD read end, level-triggered", add(ep, p[0], EPOLLIN, 0x1122334455667788ull), 0);
  WAIT("empty", ep);
  CHECK(write(p[1], "a", 1) == 1);
  WAIT("a byte", ep);
  WAIT("  again", ep);
  drain(p[0]);
  WAIT("drained", ep);

  EXPECT_EQ("MOD to edge-triggered", mod(ep, p[0], EPOLLIN | EPOLLET, 0xe7), 0);
  WAIT("empty", ep);
  CHECK(write(p[1], "a", 1) == 1);
  WAIT("a byte", ep);
  WAIT("  again", ep);
  CHECK(write(p[1], "b", 1) == 1);
  WAIT("another byte (still readable before)", ep);
  CHECK(read(p[0], buf, 1) == 1);
  WAIT("read one", ep);
  EXPECT_EQ("MOD re-arms", mod(ep, p[0], EPOLLIN | EPOLLET, 0xe7), 0);
  WAIT("  wait", ep);
  WAIT("  again", ep);
  drain(p[0]);

  printf("write end, edge-triggered\n");
  EXPECT_EQ("ADD", add(ep, p[1], EPOLLOUT | EPOLLET, 0x2), 0);
  WAIT("writable", ep);
  WAIT("  again", ep);
  while (write(p[1], buf, 4096) > 0) {
  }
  WAIT("full (the read end hears)", ep);
  CHECK(read(p[0], buf, 100) == 100);
  WAIT("read 100: no page freed", ep);
  CHECK(read(p[0], buf, 3996) == 3996);
  WAIT("a page freed", ep);
  CHECK(read(p[0], buf, 4096) == 4096);
  WAIT("another (it was not full)", ep);
  EXPECT_EQ("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), 0);
  drain(p[0]);

  printf("one-shot\n");
  EXPECT_EQ("MOD read end to EPOLLONESHOT", mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 0x3), 0);
  CHECK(write(p[1], "x", 1) == 1);
  WAIT("a byte", ep);
  WAIT("  again", ep);
  CHECK(write(p[1], "x", 1) == 1);
  WAIT("another byte", ep);
  EXPECT_EQ("MOD re-enables", mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 0x3), 0);
  WAIT("  wait", ep);
  WAIT("  again", ep);
  EXPECT_EQ("MOD to level-triggered", mod(ep, p[0], EPOLLIN, 0x3), 0);
  WAIT("  wait", ep);

  printf("hang-up\n");
  close(p[1]);
  WAIT("writer closed, data left", ep);
  drain(p[0]);
  WAIT("drained", ep);
  EXPECT_EQ("MOD to no events at all", mod(ep, p[0], 0, 0x4), 0);
  WAIT("  EPOLLHUP still reported", ep);
  close(p[0]);
  WAIT("read end closed: the entry is gone", ep);

  printf("turns\n");
  CHECK(pipe2(p, O_NONBLOCK) == 0 && pipe2(q, O_NONBLOCK) == 0);
  CHECK(write(p[1], "1", 1) == 1 && write(q[1], "1", 1) == 1);
  CHECK(add(ep, p[0], EPOLLIN, 0x10) == 0 && add(ep, q[0], EPOLLIN, 0x20) == 0);
  for (int i = 0; i < 4; i++)
    show_wait("maxevents 1", ep, 1);
  WAIT("maxevents 8", ep);
  close(p[0]);
  close(p[1]);
  close(q[0]);
  close(q[1]);
  close(ep);
}

static void sockets(void) {
  int s[2], d[2];
  int ep = epoll_create1(0);
  printf("-- socketpairs\n");
  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s) == 0);
  EXPECT_EQ("ADD stream end, edge-triggered",
            add(ep, s[0], EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, 1), 0);
  WAIT("fresh", ep);
  WAIT("  again", ep);
  CHECK(send(s[1], "a", 1, 0) == 1);
  WAIT("peer sends", ep);
  CHECK(send(s[1], "b", 1, 0) == 1);
  WAIT("peer sends again", ep);
  CHECK(recv(s[0], buf, 1, 0) == 1);
  WAIT("read one", ep);
  CHECK(send(s[0], "xyz", 3, 0) == 3);
  WAIT("this end sends", ep);
  CHECK(recv(s[1], buf, 2, 0) == 2);
  WAIT("peer reads part of it", ep);
  CHECK(recv(s[1], buf, 1, 0) == 1);
  WAIT("peer reads the rest", ep);
  CHECK(shutdown(s[1], SHUT_WR) == 0);
  WAIT("peer SHUT_WR", ep);
  WAIT("  again", ep);
  EXPECT_EQ("MOD level-triggered without EPOLLRDHUP", mod(ep, s[0], EPOLLIN, 1), 0);
  WAIT("  wait", ep);
  EXPECT_EQ("DEL", epoll_ctl(ep, EPOLL_CTL_DEL, s[0], NULL), 0);
  close(s[0]);
  close(s[1]);

  CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, s) == 0);
  EXPECT_EQ("ADD with no events", add(ep, s[0], 0, 7), 0);
  WAIT("fresh", ep);
  CHECK(send(s[0], "q", 1, 0) == 1);
  close(s[1]);
  WAIT("peer closed with data unread: EPOLLERR, EPOLLHUP", ep);
  WAIT("  again", ep);
  close(s[0]);

  CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, d) == 0);
  EXPECT_EQ("ADD datagram end, edge-triggered", add(ep, d[0], EPOLLIN | EPOLLOUT | EPOLLET, 9), 0);
  WAIT("fresh", ep);
  CHECK(send(d[1], "", 0, 0) == 0);
  WAIT("peer sends an empty message", ep);
  CHECK(send(d[0], "ab", 2, 0) == 2);
  WAIT("this end sends", ep);
  CHECK(recv(d[1], buf, 10, 0) == 2);
  WAIT("peer reads it", ep);
  CHECK(recv(d[0], buf, 10, 0) == 0);
  WAIT("read the empty message", ep);
  close(d[1]);
  WAIT("peer closed", ep);
  EXPECT_ERR("send", send(d[0], "a", 1, 0), ECONNREFUSED);
  WAIT("after ECONNREFUSED", ep);
  close(d[0]);
  close(ep);
}

static void closing(void) {
  int p[2], q[2];
  int ep = epoll_create1(0);
  printf("-- closing\n");
  CHECK(pipe(p) == 0);
  CHECK(add(ep, p[0], EPOLLIN, 0xaa) == 0);
  int copy = dup(p[0]);
  CHECK(copy >= 0);
  EXPECT_EQ("close the fd, a dup stays", close(p[0]), 0);
  CHECK(write(p[1], "z", 1) == 1);
  WAIT("still reported", ep);
  EXPECT_ERR("DEL the closed fd", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);
  EXPECT_ERR("MOD the closed fd", mod(ep, p[0], EPOLLIN, 0), EBADF);
  EXPECT_EQ("ADD the dup", add(ep, copy, EPOLLIN, 0xbb), 0);
  WAIT("both", ep);
  CHECK(pipe(q) == 0);
  EXPECT_EQ("ADD another pipe", add(ep, q[0], EPOLLIN, 0xcc), 0);
  CHECK(write(q[1], "k", 1) == 1);
  WAIT("three", ep);
  EXPECT_EQ("dup2 over the last fd of the first pipe", dup2(q[0], copy) == copy, 1);
  WAIT("its entries are gone", ep);
  close(copy);
  close(q[0]);
  WAIT("the other's too", ep);
  close(p[1]);
  close(q[1]);

  printf("-- nesting\n");
  int a = epoll_create1(0), b = epoll_create1(0);
  CHECK(pipe2(p, O_NONBLOCK) == 0);
  EXPECT_EQ("b in a", add(a, b, EPOLLIN, 0xb), 0);
  EXPECT_EQ("pipe in b", add(b, p[0], EPOLLIN, 0x1), 0);
  WAIT("a", a);
  EXPECT_EQ("  poll a", ready(a, POLLIN), 0);
  CHECK(write(p[1], "1", 1) == 1);
  WAIT("a, after a write", a);
  EXPECT_EQ("  poll a", ready(a, POLLIN | POLLOUT), POLLIN);
  WAIT("b", b);
  EXPECT_ERR("a in b", add(b, a, EPOLLIN, 0), ELOOP);
  drain(p[0]);
  WAIT("a, drained", a);
  close(b);
  CHECK(write(p[1], "1", 1) == 1);
  WAIT("a, b closed", a);
  close(a);
  close(p[0]);
  close(p[1]);
  int chain[8];
  for (int i = 0; i < 8; i++)
    chain[i] = epoll_create1(0);
  // At most four levels below the outermost, as Linux's EP_MAX_NESTS.
  for (int i = 1; i < 8; i++) {
    errno = 0;
    int r = add(chain[i], chain[i - 1], EPOLLIN, i);
    printf("e%d in e%d: %s\n", i - 1, i, r == 0 ? "0" : errno_name(errno));
  }
  EXPECT_ERR("e7 in e0", add(chain[0], chain[7], EPOLLIN, 0), ELOOP);
  EXPECT_ERR("e1 in e0", add(chain[0], chain[1], EPOLLIN, 0), ELOOP);
  for (int i = 0; i < 8; i++)
    close(chain[i]);
  close(ep);
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  errors();
  triggers();
  sockets();
  closing();
  printf("done\n");
  return 0;
}
