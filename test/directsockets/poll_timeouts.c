// poll, select, pselect and ppoll over a socket, a pipe and a regular file:
// a zero timeout returns at once, a 200 ms timeout with nothing ready
// returns 0 once it has elapsed, and an infinite one returns when a byte in
// flight arrives. Regular files are always ready.
//
// Only where a call can wait (JSPI, or a pthread): in event-loop mode poll()
// returns at once whatever its timeout (README).
#include "check.h"

#include <fcntl.h>
#include <sys/select.h>

static int lfd, cfd, afd, pipefd[2], file;

// Prints whether a call that returned `n` took its whole timeout.
static void waited(const char* what, int n, double since) {
  printf("%s: %d, %s\n", what, n, now_ms() - since >= 150 ? "timed out" : "early");
  CHECK(n == 0 && now_ms() - since >= 150);
}

static int readable_in_select(int fd, const fd_set* set) { return FD_ISSET(fd, set) ? 1 : 0; }

int main(void) {
  struct sockaddr_storage addr;
  socklen_t len = listener(AF_INET, 0, &lfd, &addr);
  cfd = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(connect(cfd, (struct sockaddr*)&addr, len) == 0);
  afd = accept(lfd, NULL, NULL);
  CHECK(afd >= 0 && pipe(pipefd) == 0);
  file = open("poll_timeouts.tmp", O_CREAT | O_RDWR | O_TRUNC, 0600);
  CHECK(file >= 0);

  // Timeout 0: what is ready now.
  struct pollfd fds[4] = {
    {afd, POLLIN | POLLOUT, 0},
    {pipefd[0], POLLIN, 0},
    {pipefd[1], POLLOUT, 0},
    {file, POLLIN | POLLOUT, 0},
  };
  EXPECT_EQ("poll 0 ms", poll(fds, 4, 0), 3);
  EXPECT_EQ("  socket", fds[0].revents, POLLOUT);
  EXPECT_EQ("  pipe, read end", fds[1].revents, 0);
  EXPECT_EQ("  pipe, write end", fds[2].revents, POLLOUT);
  EXPECT_EQ("  file", fds[3].revents, POLLIN | POLLOUT);

  // A short timeout with nothing to read elapses.
  fds[0].events = POLLIN;
  double t0 = now_ms();
  waited("poll 200 ms, socket and pipe", poll(fds, 2, 200), t0);
  struct timespec ts = {0, 200 * 1000000};
  t0 = now_ms();
  waited("ppoll 200 ms", ppoll(fds, 2, &ts, NULL), t0);
  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(afd, &rd);
  FD_SET(pipefd[0], &rd);
  struct timeval tv = {0, 200000};
  t0 = now_ms();
  waited("select 200 ms", select(afd > pipefd[0] ? afd + 1 : pipefd[0] + 1, &rd, NULL, NULL, &tv), t0);
  FD_ZERO(&rd);
  FD_SET(afd, &rd);
  t0 = now_ms();
  waited("pselect 200 ms", pselect(afd + 1, &rd, NULL, NULL, &ts, NULL), t0);

  // The file is ready whatever the timeout.
  fds[1] = (struct pollfd){file, POLLIN, 0};
  EXPECT_EQ("poll -1, socket and file", poll(fds, 2, -1), 1);
  EXPECT_EQ("  file", fds[1].revents, POLLIN);
  FD_ZERO(&rd);
  FD_SET(file, &rd);
  EXPECT_EQ("select, no timeout, file", select(file + 1, &rd, NULL, NULL, NULL), 1);

  // An infinite timeout returns when a byte arrives.
  int n = afd > pipefd[0] ? afd + 1 : pipefd[0] + 1;
  EXPECT_EQ("send", send(cfd, "x", 1, 0), 1);
  fds[1] = (struct pollfd){pipefd[0], POLLIN, 0};
  EXPECT_EQ("poll -1, a byte in flight", poll(fds, 2, -1), 1);
  EXPECT_EQ("  socket", fds[0].revents, POLLIN);
  EXPECT_EQ("ppoll, no timeout", ppoll(fds, 2, NULL, NULL), 1);
  FD_ZERO(&rd);
  FD_SET(afd, &rd);
  FD_SET(pipefd[0], &rd);
  EXPECT_EQ("select, no timeout", select(n, &rd, NULL, NULL, NULL), 1);
  EXPECT_EQ("  socket", readable_in_select(afd, &rd), 1);
  EXPECT_EQ("recv", recv(afd, (char[4]){0}, 4, 0), 1);
  EXPECT_EQ("pipe: write", write(pipefd[1], "p", 1), 1);
  FD_ZERO(&rd);
  FD_SET(afd, &rd);
  FD_SET(pipefd[0], &rd);
  EXPECT_EQ("pselect, no timeout", pselect(n, &rd, NULL, NULL, NULL, NULL), 1);
  EXPECT_EQ("  pipe", readable_in_select(pipefd[0], &rd), 1);
  EXPECT_EQ("  socket", readable_in_select(afd, &rd), 0);

  close(file);
  unlink("poll_timeouts.tmp");
  close(pipefd[0]);
  close(pipefd[1]);
  close(afd);
  close(cfd);
  close(lfd);
  printf("done\n");
  return 0;
}
