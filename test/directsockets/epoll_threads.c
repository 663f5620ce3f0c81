// Threads that block and the threads that wake them. A thread waiting in
// epoll_wait over a pipe and a TCP socket is woken by another thread's write
// to the pipe, then by data arriving from the network; an epoll_ctl ADD of a
// ready fd wakes a waiting thread; threads blocked in read() on an empty
// pipe, in write() on a full one, in recv()/send() on a socketpair are woken
// by the other end, and one blocked reading a pipe by the close of its write
// end (EOF); page-sized writes from two threads never interleave. Each
// blocked thread reports whether its call really waited (the waker acts
// 100 ms after the thread says it is about to block).
//
// Threads mode only (natively, plain pthreads).
#include "check.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>

#define BIG 400000

static atomic_int about_to_block;
static int ep, ep2, lfd, cfd, afd, pipe_a[2], pipe_b[2], pipe_c[2], pipe_d[2];
static int pipe_e[2], pair_a[2], pair_b[2];
static char big[BIG], got[BIG];

// What a blocked thread saw.
struct result {
  long r;
  int err;
  double ms;
  struct epoll_event ev[4];
};
static struct result res[2];

static void blocking(void) { atomic_store(&about_to_block, 1); }

// The waker: once the thread says it is about to block, 100 ms later.
static void then(void) {
  for (int i = 0; i < 10000 && !atomic_load(&about_to_block); i++)
    usleep(1000);
  CHECK(atomic_load(&about_to_block));
  atomic_store(&about_to_block, 0);
  usleep(100 * 1000);
}

static void report(const char* what, const struct result* r) {
  printf("%s: %ld%s%s, %s\n", what, r->r, r->r < 0 ? " " : "",
         r->r < 0 ? errno_name(r->err) : "", r->ms >= 50 ? "waited" : "did not wait");
  CHECK(r->ms >= 50);
}

static void report_events(const char* what, const struct result* r) {
  report(what, r);
  for (long i = 0; i < r->r; i++)
    printf("  [%llu %x]\n", (unsigned long long)r->ev[i].data.u64, r->ev[i].events);
}

#define TIMED(slot, call)                                                      \
  do {                                                                         \
    blocking();                                                                \
    double t0_ = now_ms();                                                     \
    errno = 0;                                                                 \
    res[slot].r = (long)(call);                                                \
    res[slot].err = errno;                                                     \
    res[slot].ms = now_ms() - t0_;                                             \
  } while (0)

static int add(int e, int fd, uint32_t events, uint64_t data) {
  struct epoll_event ev;
  memset(&ev, 0, sizeof ev);
  ev.events = events;
  ev.data.u64 = data;
  return epoll_ctl(e, EPOLL_CTL_ADD, fd, &ev);
}

static void* epoll_waiter(void* arg) {
  (void)arg;
  char c;
  TIMED(0, epoll_wait(ep, res[0].ev, 4, -1));
  CHECK(read(pipe_a[0], &c, 1) == 1);
  TIMED(1, epoll_wait(ep, res[1].ev, 4, -1));
  return NULL;
}

static void* new_fd_waiter(void* arg) {
  (void)arg;
  TIMED(0, epoll_wait(ep2, res[0].ev, 4, -1));
  return NULL;
}

static void* pipe_reader(void* arg) {
  TIMED(0, read(*(int*)arg, got, sizeof got));
  return NULL;
}

static void* pipe_writer(void* arg) {
  TIMED(0, write(*(int*)arg, big, BIG));
  return NULL;
}

static void* pair_reader(void* arg) {
  TIMED(0, recv(*(int*)arg, got, sizeof got, 0));
  return NULL;
}

static void* pair_writer(void* arg) {
  TIMED(0, send(*(int*)arg, big, BIG, 0));
  return NULL;
}

// Writes 64 pages of one letter.
static void* page_writer(void* arg) {
  char page[4096];
  memset(page, *(char*)arg, sizeof page);
  for (int i = 0; i < 64; i++)
    CHECK(write(pipe_e[1], page, sizeof page) == sizeof page);
  return NULL;
}

static pthread_t start(void* (*fn)(void*), void* arg) {
  pthread_t t;
  CHECK(pthread_create(&t, NULL, fn, arg) == 0);
  return t;
}

// Reads exactly n bytes from a blocking fd.
static void read_all(int fd, char* dst, long n) {
  for (long done = 0; done < n;) {
    long r = read(fd, dst + done, n - done);
    CHECK(r > 0);
    done += r;
  }
}

static void fill(int fd) {
  int flags = fcntl(fd, F_GETFL);
  CHECK(fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0);
  while (write(fd, big, 4096) > 0) {
  }
  CHECK(errno == EAGAIN && fcntl(fd, F_SETFL, flags) == 0);
}

int main(void) {
  struct sockaddr_storage addr;
  signal(SIGPIPE, SIG_IGN);
  for (long i = 0; i < BIG; i++)
    big[i] = (char)(i * 13);

  // epoll over a pipe and a TCP socket, woken by each in turn.
  socklen_t len = listener(AF_INET, 0, &lfd, &addr);
  cfd = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(connect(cfd, (struct sockaddr*)&addr, len) == 0);
  afd = accept(lfd, NULL, NULL);
  CHECK(afd >= 0 && pipe(pipe_a) == 0);
  ep = epoll_create1(0);
  CHECK(add(ep, pipe_a[0], EPOLLIN, 1) == 0 && add(ep, cfd, EPOLLIN, 2) == 0);
  pthread_t t = start(epoll_waiter, NULL);
  then();
  EXPECT_EQ("write to the pipe", write(pipe_a[1], "p", 1), 1);
  then();
  EXPECT_EQ("send from the peer", send(afd, "net", 3, 0), 3);
  pthread_join(t, NULL);
  report_events("epoll_wait woken by the pipe", &res[0]);
  report_events("epoll_wait woken by the network", &res[1]);
  EXPECT_EQ("  recv", recv(cfd, got, sizeof got, 0), 3);

  // A new entry that is ready at once wakes a waiter.
  ep2 = epoll_create1(0);
  CHECK(pipe(pipe_b) == 0 && write(pipe_b[1], "b", 1) == 1);
  t = start(new_fd_waiter, NULL);
  then();
  EXPECT_EQ("ADD a readable pipe", add(ep2, pipe_b[0], EPOLLIN, 7), 0);
  pthread_join(t, NULL);
  report_events("epoll_wait woken by the ADD", &res[0]);

  // Pipes.
  CHECK(pipe(pipe_c) == 0);
  t = start(pipe_reader, &pipe_c[0]);
  then();
  EXPECT_EQ("write hello", write(pipe_c[1], "hello", 5), 5);
  pthread_join(t, NULL);
  report("read of an empty pipe", &res[0]);
  fill(pipe_c[1]);
  t = start(pipe_writer, &pipe_c[1]);
  then();
  read_all(pipe_c[0], got, 65536);
  read_all(pipe_c[0], got, BIG);
  pthread_join(t, NULL);
  report("write of 400000 bytes to a full pipe", &res[0]);
  EXPECT_EQ("  every byte in order", memcmp(got, big, BIG), 0);
  CHECK(pipe(pipe_d) == 0);
  t = start(pipe_reader, &pipe_d[0]);
  then();
  EXPECT_EQ("close the write end", close(pipe_d[1]), 0);
  pthread_join(t, NULL);
  report("read of an empty pipe (EOF)", &res[0]);

  // Socketpairs.
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair_a) == 0);
  t = start(pair_reader, &pair_a[0]);
  then();
  EXPECT_EQ("send", send(pair_a[1], "sp", 2, 0), 2);
  pthread_join(t, NULL);
  report("recv from an empty socketpair", &res[0]);
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, pair_b) == 0);
  fill(pair_b[0]);
  int queued = 0;
  CHECK(ioctl(pair_b[1], FIONREAD, &queued) == 0);
  t = start(pair_writer, &pair_b[0]);
  then();
  read_all(pair_b[1], got, queued);
  read_all(pair_b[1], got, BIG);
  pthread_join(t, NULL);
  report("send of 400000 bytes to a full socketpair", &res[0]);
  EXPECT_EQ("  every byte in order", memcmp(got, big, BIG), 0);

  // Page-sized writes are atomic: each page read is one writer's.
  CHECK(pipe(pipe_e) == 0);
  char a = 'A', b = 'B';
  pthread_t ta = start(page_writer, &a), tb = start(page_writer, &b);
  int pages_a = 0, pages_b = 0, mixed = 0;
  for (int i = 0; i < 128; i++) {
    char page[4096];
    read_all(pipe_e[0], page, sizeof page);
    int as = 0;
    for (int j = 0; j < 4096; j++)
      as += page[j] == 'A';
    pages_a += as == 4096;
    pages_b += as == 0 && page[0] == 'B';
    mixed += as != 0 && as != 4096;
  }
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  printf("pages from two writers: %d A, %d B, %d mixed\n", pages_a, pages_b, mixed);
  CHECK(pages_a == 64 && pages_b == 64 && mixed == 0);
  printf("done\n");
  return 0;
}
