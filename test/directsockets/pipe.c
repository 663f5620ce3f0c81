// Pipes: pipe/pipe2 and their flags, fstat and F_GETFL of each end,
// readiness (POLLIN, POLLOUT, POLLHUP, POLLERR), Linux's capacity (16 page
// slots: 65536 bytes of page-sized writes, 64000 of 100-byte ones), PIPE_BUF
// atomicity of non-blocking writes, FIONREAD, F_GETPIPE_SZ/F_SETPIPE_SZ,
// readv/writev, EOF once every fd of the write end is closed, EPIPE once the
// read end is, and the calls a pipe refuses. Nothing here waits, so it runs
// as it is in every mode.
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/uio.h>

static char buf[70000];

static int access_mode(int fd) { return fcntl(fd, F_GETFL) & O_ACCMODE; }
static int nonblocking(int fd) { return !!(fcntl(fd, F_GETFL) & O_NONBLOCK); }

// Writes `chunk`-byte pieces until EAGAIN; returns the total.
static long fill(int fd, size_t chunk) {
  long total = 0;
  ssize_t n;
  while ((n = write(fd, buf, chunk)) > 0)
    total += n;
  CHECK(n == -1 && errno == EAGAIN);
  return total;
}

static long drain(int fd) {
  long total = 0;
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0)
    total += n;
  CHECK(n == -1 && errno == EAGAIN);
  return total;
}

int main(void) {
  int p[2], q[2], sp[2], w2;
  int* volatile no_fds = NULL;
  struct stat st;
  signal(SIGPIPE, SIG_IGN);
  memset(buf, 'x', sizeof buf);

  EXPECT_ERR("pipe2 O_APPEND", pipe2(p, O_APPEND), EINVAL);
  EXPECT_ERR("pipe2 bad flag", pipe2(p, 1), EINVAL);
  EXPECT_ERR("pipe2 NULL", pipe2(no_fds, 0), EFAULT);

  EXPECT_EQ("pipe", pipe(p), 0);
  EXPECT_EQ("fstat", fstat(p[0], &st), 0);
  EXPECT_EQ("  S_ISFIFO", S_ISFIFO(st.st_mode), 1);
  EXPECT_EQ("  permissions", st.st_mode & 0777, 0600);
  EXPECT_EQ("  size", st.st_size, 0);
  EXPECT_EQ("F_GETFL read end", access_mode(p[0]), O_RDONLY);
  EXPECT_EQ("F_GETFL write end", access_mode(p[1]), O_WRONLY);
  EXPECT_EQ("O_NONBLOCK", nonblocking(p[0]) || nonblocking(p[1]), 0);
  EXPECT_EQ("F_GETFD", fcntl(p[0], F_GETFD), 0);
  EXPECT_EQ("fresh: read end", ready(p[0], POLLIN | POLLOUT), 0);
  EXPECT_EQ("fresh: write end", ready(p[1], POLLIN | POLLOUT), POLLOUT);

  // Data.
  EXPECT_EQ("write", write(p[1], "hello", 5), 5);
  EXPECT_EQ("read end readable", ready(p[0], POLLIN), POLLIN);
  int avail = -1;
  EXPECT_EQ("FIONREAD", ioctl(p[0], FIONREAD, &avail), 0);
  EXPECT_EQ("  bytes", avail, 5);
  EXPECT_EQ("read 3", read(p[0], buf, 3), 3);
  EXPECT_EQ("  bytes", memcmp(buf, "hel", 3), 0);
  EXPECT_EQ("read the rest", read(p[0], buf, 10), 2);
  EXPECT_EQ("  bytes", memcmp(buf, "lo", 2), 0);
  EXPECT_EQ("read nothing", read(p[0], buf, 0), 0);
  EXPECT_EQ("write nothing", write(p[1], buf, 0), 0);
  EXPECT_EQ("  still empty", ready(p[0], POLLIN), 0);
  struct iovec out[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
  EXPECT_EQ("writev", writev(p[1], out, 3), 6);
  char a[3], b[8];
  struct iovec in[2] = {{a, 3}, {b, 8}};
  EXPECT_EQ("readv", readv(p[0], in, 2), 6);
  EXPECT_EQ("  bytes", memcmp(a, "abc", 3) == 0 && memcmp(b, "def", 3) == 0, 1);

  // What a pipe refuses.
  EXPECT_ERR("read from the write end", read(p[1], buf, 1), EBADF);
  EXPECT_ERR("write to the read end", write(p[0], "x", 1), EBADF);
  EXPECT_ERR("send", send(p[1], "x", 1, 0), ENOTSOCK);
  EXPECT_ERR("recv", recv(p[0], buf, 1, MSG_DONTWAIT), ENOTSOCK);
  EXPECT_ERR("lseek", lseek(p[0], 0, SEEK_SET), ESPIPE);
  EXPECT_ERR("ioctl TIOCGWINSZ", ioctl(p[0], TIOCGWINSZ, buf), ENOTTY);

  // Capacity, as Linux counts it.
  int on = 1;
  EXPECT_EQ("FIONBIO on the write end", ioctl(p[1], FIONBIO, &on), 0);
  EXPECT_EQ("F_SETFL O_NONBLOCK on the read end", fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
  EXPECT_EQ("  F_GETFL", fcntl(p[0], F_GETFL), O_RDONLY | O_NONBLOCK);
  EXPECT_ERR("read an empty pipe", read(p[0], buf, 1), EAGAIN);
  EXPECT_EQ("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ), 65536);
  EXPECT_EQ("100-byte writes until EAGAIN", fill(p[1], 100), 64000);
  EXPECT_EQ("  write end", ready(p[1], POLLOUT), 0);
  EXPECT_EQ("  FIONREAD", ioctl(p[0], FIONREAD, &avail) == 0 ? avail : -1, 64000);
  EXPECT_EQ("read 50", read(p[0], buf, 50), 50);
  EXPECT_EQ("  write end (no page freed)", ready(p[1], POLLOUT), 0);
  EXPECT_EQ("read the rest of the first page", read(p[0], buf, 3950), 3950);
  EXPECT_EQ("  write end", ready(p[1], POLLOUT), POLLOUT);
  EXPECT_EQ("write 5000 into one free page", write(p[1], buf, 5000), 4096);
  EXPECT_ERR("write 1 more", write(p[1], buf, 1), EAGAIN);
  EXPECT_EQ("drain", drain(p[0]), 60000 + 4096);
  EXPECT_EQ("page-sized writes until EAGAIN", fill(p[1], 4096), 65536);
  EXPECT_EQ("drain", drain(p[0]), 65536);
  long merged = 0;
  for (int i = 0; i < 4096; i++)
    merged += write(p[1], buf, 1);
  EXPECT_EQ("4096 1-byte writes fill one page", merged, 4096);
  EXPECT_EQ("  then a page", write(p[1], buf, 4096), 4096);
  EXPECT_EQ("drain", drain(p[0]), 8192);

  // PIPE_BUF: a write of at most 4096 bytes goes in whole or not at all; a
  // longer one may be split.
  for (int i = 0; i < 16; i++)
    CHECK(write(p[1], buf, 4096) == 4096);
  EXPECT_ERR("4096 into a full pipe", write(p[1], buf, 4096), EAGAIN);
  EXPECT_EQ("read 100 (no page freed)", read(p[0], buf, 100), 100);
  EXPECT_ERR("100 into a full pipe", write(p[1], buf, 100), EAGAIN);
  EXPECT_EQ("read the rest of the first page", read(p[0], buf, 3996), 3996);
  EXPECT_EQ("4097 with one free page", write(p[1], buf, 4097), 4096);
  EXPECT_EQ("drain", drain(p[0]), 65536);
  EXPECT_EQ("4000 bytes", write(p[1], buf, 4000), 4000);
  EXPECT_EQ("4097: 1 byte merges into that page", write(p[1], buf, 4097), 4097);
  EXPECT_EQ("drain", drain(p[0]), 8097);

  // F_SETPIPE_SZ: a power of two of pages, not below what is in use.
  EXPECT_EQ("two pages", write(p[1], buf, 4096) + write(p[1], buf, 1), 4097);
  EXPECT_ERR("F_SETPIPE_SZ 4096 with two pages in use", fcntl(p[1], F_SETPIPE_SZ, 4096), EBUSY);
  EXPECT_EQ("F_SETPIPE_SZ 5000", fcntl(p[1], F_SETPIPE_SZ, 5000), 8192);
  EXPECT_EQ("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ), 8192);
  EXPECT_EQ("  write end full", ready(p[1], POLLOUT), 0);
  EXPECT_EQ("drain", drain(p[0]), 4097);
  EXPECT_EQ("page-sized writes until EAGAIN", fill(p[1], 4096), 8192);
  EXPECT_EQ("F_SETPIPE_SZ 1 MiB", fcntl(p[1], F_SETPIPE_SZ, 1 << 20), 1 << 20);
  EXPECT_EQ("  write end", ready(p[1], POLLOUT), POLLOUT);
  EXPECT_EQ("drain", drain(p[0]), 8192);
  EXPECT_EQ("F_SETPIPE_SZ 0", fcntl(p[1], F_SETPIPE_SZ, 0), 4096);
  EXPECT_ERR("F_SETPIPE_SZ -1", fcntl(p[1], F_SETPIPE_SZ, -1), EINVAL);
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sp) == 0);
  EXPECT_ERR("F_GETPIPE_SZ on a socket", fcntl(sp[0], F_GETPIPE_SZ), EBADF);
  close(sp[0]);
  close(sp[1]);

  // EOF comes once every fd of the write end is closed.
  w2 = dup(p[1]);
  EXPECT_OK("dup the write end", w2);
  EXPECT_EQ("  F_GETFL of the dup", fcntl(w2, F_GETFL), O_WRONLY | O_NONBLOCK);
  EXPECT_EQ("close the write end", close(p[1]), 0);
  EXPECT_EQ("  read end", ready(p[0], POLLIN | POLLOUT), 0);
  EXPECT_ERR("  read", read(p[0], buf, 1), EAGAIN);
  EXPECT_EQ("write through the dup", write(w2, "xy", 2), 2);
  EXPECT_EQ("close the dup", close(w2), 0);
  EXPECT_EQ("  read end", ready(p[0], POLLIN | POLLOUT), POLLIN | POLLHUP);
  EXPECT_EQ("  read", read(p[0], buf, 10), 2);
  EXPECT_EQ("  read end", ready(p[0], POLLIN | POLLOUT), POLLHUP);
  EXPECT_EQ("  read at EOF", read(p[0], buf, 10), 0);
  close(p[0]);

  // EPIPE once the read end is closed (SIGPIPE is ignored here).
  EXPECT_EQ("pipe2 O_NONBLOCK | O_CLOEXEC", pipe2(q, O_NONBLOCK | O_CLOEXEC), 0);
  EXPECT_EQ("  O_NONBLOCK", nonblocking(q[0]) && nonblocking(q[1]), 1);
  EXPECT_EQ("  F_GETFD", fcntl(q[0], F_GETFD) == FD_CLOEXEC && fcntl(q[1], F_GETFD) == FD_CLOEXEC, 1);
  EXPECT_EQ("close the read end", close(q[0]), 0);
  EXPECT_EQ("  write end", ready(q[1], POLLIN | POLLOUT), POLLOUT | POLLERR);
  EXPECT_ERR("  write", write(q[1], "x", 1), EPIPE);
  close(q[1]);
  CHECK(pipe2(q, O_NONBLOCK) == 0);
  CHECK(fill(q[1], 4096) == 65536);
  EXPECT_EQ("full, then the read end closed", close(q[0]), 0);
  EXPECT_EQ("  write end", ready(q[1], POLLIN | POLLOUT), POLLERR);
  EXPECT_ERR("  write", write(q[1], "x", 1), EPIPE);
  close(q[1]);

  // select() sees the same.
  CHECK(pipe(q) == 0);
  CHECK(write(q[1], "z", 1) == 1);
  fd_set rd, wr;
  FD_ZERO(&rd);
  FD_ZERO(&wr);
  FD_SET(q[0], &rd);
  FD_SET(q[1], &wr);
  struct timeval tv = {0, 0};
  EXPECT_EQ("select", select((q[0] > q[1] ? q[0] : q[1]) + 1, &rd, &wr, NULL, &tv), 2);
  close(q[0]);
  close(q[1]);
  printf("done\n");
  return 0;
}
