// File-descriptor operations on sockets: fcntl F_GETFL/F_SETFL (O_NONBLOCK)
// and F_GETFD/F_SETFD (FD_CLOEXEC), ioctl FIONBIO and FIONREAD, fstat, and
// dup/dup2/dup3/F_DUPFD_CLOEXEC: a dup shares the open file (O_NONBLOCK)
// but not FD_CLOEXEC, closing one dup leaves the socket open, and dup2 over
// a socket's last fd closes the socket.
#include "check.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

static int lfd, cfd, afd, copy, file;
static struct sockaddr_storage addr;
static socklen_t addr_len;
static char buf[16];
static struct stat st;
static int type;
static socklen_t len;

static int nonblocking(int fd) { return !!(fcntl(fd, F_GETFL) & O_NONBLOCK); }

static int test(void) {
  TASK_BEGIN;
  int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1, off = 0;
  CHECK(fd >= 0);
  EXPECT_EQ("fstat", fstat(fd, &st), 0);
  EXPECT_EQ("  S_ISSOCK", S_ISSOCK(st.st_mode), 1);
  EXPECT_EQ("F_GETFL O_ACCMODE", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
  EXPECT_EQ("O_NONBLOCK", nonblocking(fd), 0);
  EXPECT_EQ("F_SETFL O_NONBLOCK", fcntl(fd, F_SETFL, O_NONBLOCK), 0);
  EXPECT_EQ("O_NONBLOCK", nonblocking(fd), 1);
  EXPECT_EQ("F_SETFL 0", fcntl(fd, F_SETFL, 0), 0);
  EXPECT_EQ("O_NONBLOCK", nonblocking(fd), 0);
  EXPECT_EQ("ioctl FIONBIO 1", ioctl(fd, FIONBIO, &on), 0);
  EXPECT_EQ("O_NONBLOCK", nonblocking(fd), 1);
  EXPECT_EQ("ioctl FIONBIO 0", ioctl(fd, FIONBIO, &off), 0);
  EXPECT_EQ("O_NONBLOCK", nonblocking(fd), 0);
  EXPECT_EQ("F_GETFD", fcntl(fd, F_GETFD), 0);
  EXPECT_EQ("F_SETFD FD_CLOEXEC", fcntl(fd, F_SETFD, FD_CLOEXEC), 0);
  EXPECT_EQ("F_GETFD", fcntl(fd, F_GETFD), FD_CLOEXEC);

  // A dup shares the open file description, not the fd flag.
  int dup1 = dup(fd);
  EXPECT_OK("dup", dup1);
  EXPECT_EQ("  dup's F_GETFD", fcntl(dup1, F_GETFD), 0);
  EXPECT_EQ("  F_SETFL O_NONBLOCK on the dup", fcntl(dup1, F_SETFL, O_NONBLOCK), 0);
  EXPECT_EQ("  O_NONBLOCK on the original", nonblocking(fd), 1);
  EXPECT_EQ("  FIONBIO 0 on the original", ioctl(fd, FIONBIO, &off), 0);
  EXPECT_EQ("  O_NONBLOCK on the dup", nonblocking(dup1), 0);
  int dup2fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  EXPECT_OK("F_DUPFD_CLOEXEC", dup2fd);
  EXPECT_EQ("  F_GETFD", fcntl(dup2fd, F_GETFD), FD_CLOEXEC);
  EXPECT_EQ("dup3 O_CLOEXEC returns newfd", dup3(fd, dup1, O_CLOEXEC) == dup1, 1);
  EXPECT_EQ("  F_GETFD", fcntl(dup1, F_GETFD), FD_CLOEXEC);
  EXPECT_ERR("dup3 onto itself", dup3(fd, fd, 0), EINVAL);
  EXPECT_EQ("dup2 onto itself returns fd", dup2(fd, fd) == fd, 1);
  len = sizeof type;
  EXPECT_EQ("getsockopt through a dup", getsockopt(dup2fd, SOL_SOCKET, SO_TYPE, &type, &len), 0);
  EXPECT_EQ("  SO_TYPE", type, SOCK_STREAM);
  close(dup1);
  close(dup2fd);
  close(fd);

  // Closing one dup of a connection leaves it open; closing the last sends
  // the FIN.
  addr_len = listener(AF_INET, SOCK_NONBLOCK, &lfd, &addr);
  AWAIT_PAIR(lfd, addr, addr_len, cfd, afd);
  EXPECT_ERR("FIONREAD on a listener", ioctl(lfd, FIONREAD, &on), EINVAL);
  copy = dup(cfd);
  EXPECT_EQ("close the original", close(cfd), 0);
  EXPECT_EQ("send through the dup", send(copy, "abc", 3, 0), 3);
  AWAIT(ready(afd, POLLIN));
  EXPECT_EQ("peer: recv", recv(afd, buf, sizeof buf, 0), 3);
  AWAIT_MS(50);
  EXPECT_ERR("peer: recv, no EOF yet", recv(afd, buf, sizeof buf, 0), EAGAIN);
  // dup2 over the last fd of the socket closes it.
  file = open("fd_ops.tmp", O_CREAT | O_RDWR | O_TRUNC, 0600);
  CHECK(file >= 0);
  EXPECT_EQ("dup2 a file over the socket", dup2(file, copy) == copy, 1);
  EXPECT_EQ("  fstat S_ISREG", fstat(copy, &st) == 0 && S_ISREG(st.st_mode), 1);
  EXPECT_ERR("  getsockopt", getsockopt(copy, SOL_SOCKET, SO_TYPE, &type, &len), ENOTSOCK);
  AWAIT(ready(afd, POLLIN));
  EXPECT_EQ("peer: recv at EOF", recv(afd, buf, sizeof buf, 0), 0);
  close(copy);
  close(file);
  unlink("fd_ops.tmp");
  close(afd);
  close(lfd);
  TASK_END;
}

int main(void) { run_task(test); }
