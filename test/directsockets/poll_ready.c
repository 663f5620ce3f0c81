// Readiness with a zero timeout, as an event loop asks for it: poll and
// select over sockets in each state, a pipe and a regular file (always
// ready), and POLLNVAL for a closed fd. poll_timeouts.c covers timeouts that
// wait.
#include "check.h"

#include <fcntl.h>
#include <sys/select.h>

static int lfd, cfd, afd, pipefd[2], file, fresh, closed_fd;
static char byte[2];
static struct sockaddr_storage addr;
static socklen_t addr_len;
static struct pollfd fds[7];

static int poll_all(void) {
  fds[0] = (struct pollfd){lfd, POLLIN | POLLOUT, 0};
  fds[1] = (struct pollfd){cfd, POLLIN | POLLOUT, 0};
  fds[2] = (struct pollfd){afd, POLLIN | POLLOUT, 0};
  fds[3] = (struct pollfd){pipefd[0], POLLIN, 0};
  fds[4] = (struct pollfd){pipefd[1], POLLOUT, 0};
  fds[5] = (struct pollfd){file, POLLIN | POLLOUT, 0};
  fds[6] = (struct pollfd){closed_fd, POLLIN, 0};
  int n = poll(fds, 7, 0);
  printf("poll: %d; listener %d, client %d, accepted %d, pipe %d/%d, file %d, closed fd %d\n", n,
         fds[0].revents, fds[1].revents, fds[2].revents, fds[3].revents, fds[4].revents,
         fds[5].revents, fds[6].revents);
  return n;
}

// select's view: "r", "w" or "rw" per fd, as a string.
static void select_all(void) {
  fd_set rd, wr;
  FD_ZERO(&rd);
  FD_ZERO(&wr);
  int fdv[] = {lfd, cfd, afd, pipefd[0], file}, max = 0;
  for (int i = 0; i < 5; i++) {
    FD_SET(fdv[i], &rd);
    FD_SET(fdv[i], &wr);
    max = fdv[i] > max ? fdv[i] : max;
  }
  struct timeval tv = {0, 0};
  int n = select(max + 1, &rd, &wr, NULL, &tv);
  printf("select: %d;", n);
  for (int i = 0; i < 5; i++)
    printf(" %s%s", FD_ISSET(fdv[i], &rd) ? "r" : "-", FD_ISSET(fdv[i], &wr) ? "w" : "-");
  printf("\n");
}

static int test(void) {
  TASK_BEGIN;
  CHECK(pipe(pipefd) == 0);
  file = open("poll_ready.tmp", O_CREAT | O_RDWR | O_TRUNC, 0600);
  closed_fd = 999; // not open
  fresh = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ("fresh TCP socket", ready(fresh, POLLIN | POLLOUT), POLLOUT | POLLHUP);
  close(fresh);
  addr_len = listener(AF_INET, SOCK_NONBLOCK, &lfd, &addr);
  cfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  CHECK(connect(cfd, (struct sockaddr*)&addr, addr_len) == -1 && errno == EINPROGRESS);
  AWAIT((afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0 || errno != EAGAIN);
  CHECK(afd >= 0);
  AWAIT(ready(cfd, POLLOUT));
  EXPECT_EQ("connected", poll_all(), 5);
  select_all();

  // Data on the socket and in the pipe.
  CHECK(send(cfd, "x", 1, 0) == 1 && write(pipefd[1], "y", 1) == 1);
  AWAIT(ready(afd, POLLIN));
  EXPECT_EQ("a byte on the socket and in the pipe", poll_all(), 6);
  select_all();

  // The client closes: the accepted end reads EOF, still writable.
  close(cfd);
  cfd = dup(file); // keep the slot: a file now
  AWAIT(ready(afd, POLLRDHUP));
  CHECK(recv(afd, byte, 2, 0) == 1);
  EXPECT_EQ("the peer gone (client slot now a file)", poll_all(), 6);
  close(cfd);
  close(afd);
  close(lfd);
  close(pipefd[0]);
  close(pipefd[1]);
  close(file);
  unlink("poll_ready.tmp");
  TASK_END;
}

int main(void) { run_task(test); }
