// Blocking sockets: connect, accept, recv, MSG_WAITALL and EOF wait for
// their event; SO_RCVTIMEO bounds recv and accept, SO_SNDTIMEO send
// (EAGAIN); MSG_DONTWAIT
// does not wait; a refused connect and a bind to a port in use fail with
// ECONNREFUSED and EADDRINUSE.
//
// Only where a call can wait (JSPI, or a pthread): in event-loop mode these
// calls return EAGAIN/EINPROGRESS by design (README), and bind() cannot
// learn that a port is taken.
// Usage: blocking REFUSED_PORT (a loopback port nobody listens on)
#include "check.h"

#include <sys/time.h>

static int timed_out(double since) { return now_ms() - since >= 150; }

// Sends 64 KiB at a time until a send fails (at most 64 MiB); returns that
// send's result, with *start set to when it began.
static long send_until_it_fails(int fd, double* start) {
  static char chunk[65536];
  long total = 0, r;
  do {
    *start = now_ms();
    r = send(fd, chunk, sizeof chunk, 0);
    total += r > 0 ? r : 0;
  } while (r > 0 && total < (64L << 20));
  return r;
}

int main(int argc, char** argv) {
  CHECK(argc == 2);
  struct sockaddr_storage addr, refused, ss;
  socklen_t len, refused_len = loopback(AF_INET, atoi(argv[1]), &refused);
  char buf[16];
  int lfd, cfd, afd;

  int fd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_ERR("connect, nobody listening", connect(fd, (struct sockaddr*)&refused, refused_len), ECONNREFUSED);
  EXPECT_ERR("connect again", connect(fd, (struct sockaddr*)&refused, refused_len), ECONNREFUSED);
  close(fd);

  len = listener(AF_INET, 0, &lfd, &addr);
  fd = socket(AF_INET, SOCK_STREAM, 0);
  loopback(AF_INET, port_of(&addr), &ss);
  EXPECT_ERR("bind to the listener's port", bind(fd, (struct sockaddr*)&ss, len), EADDRINUSE);
  close(fd);
  int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
  socklen_t ulen = loopback(AF_INET, 0, &ss);
  CHECK(bind(u1, (struct sockaddr*)&ss, ulen) == 0);
  ulen = loopback(AF_INET, local_port(u1), &ss);
  EXPECT_ERR("bind UDP to a port in use", bind(u2, (struct sockaddr*)&ss, ulen), EADDRINUSE);
  close(u1);
  close(u2);

  // SO_RCVTIMEO bounds a blocking accept.
  struct timeval tv = {0, 200000};
  CHECK(setsockopt(lfd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  double t0 = now_ms();
  EXPECT_ERR("accept, SO_RCVTIMEO 200 ms", accept(lfd, NULL, NULL), EAGAIN);
  EXPECT_EQ("  after the timeout", timed_out(t0), 1);

  cfd = socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_EQ("connect", connect(cfd, (struct sockaddr*)&addr, len), 0);
  afd = accept(lfd, NULL, NULL);
  EXPECT_OK("accept", afd);

  // recv waits for bytes still in flight; MSG_WAITALL for all it asked.
  EXPECT_EQ("send", send(cfd, "hello", 5, 0), 5);
  EXPECT_EQ("recv", recv(afd, buf, sizeof buf, 0), 5);
  EXPECT_EQ("send 3", send(cfd, "abc", 3, 0), 3);
  EXPECT_EQ("send 3 more", send(cfd, "def", 3, 0), 3);
  EXPECT_EQ("recv 6 MSG_WAITALL", recv(afd, buf, 6, MSG_WAITALL), 6);
  EXPECT_EQ("  abcdef", memcmp(buf, "abcdef", 6) == 0, 1);
  EXPECT_ERR("recv MSG_DONTWAIT", recv(afd, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

  // SO_RCVTIMEO bounds a blocking recv.
  CHECK(setsockopt(afd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
  t0 = now_ms();
  EXPECT_ERR("recv, SO_RCVTIMEO 200 ms", recv(afd, buf, sizeof buf, 0), EAGAIN);
  EXPECT_EQ("  after the timeout", timed_out(t0), 1);
  t0 = now_ms();
  EXPECT_ERR("read, SO_RCVTIMEO 200 ms", read(afd, buf, sizeof buf), EAGAIN);
  EXPECT_EQ("  after the timeout", timed_out(t0), 1);

  // MSG_WAITALL returns short at EOF; then recv returns 0.
  EXPECT_EQ("send 2", send(cfd, "xy", 2, 0), 2);
  EXPECT_EQ("shutdown SHUT_WR", shutdown(cfd, SHUT_WR), 0);
  EXPECT_EQ("recv 8 MSG_WAITALL, then EOF", recv(afd, buf, 8, MSG_WAITALL), 2);
  EXPECT_EQ("recv at EOF", recv(afd, buf, sizeof buf, 0), 0);
  EXPECT_EQ("peer: send", send(afd, "bye", 3, 0), 3);
  EXPECT_EQ("recv", read(cfd, buf, sizeof buf), 3);
  close(afd);
  EXPECT_EQ("recv after the peer's close", recv(cfd, buf, sizeof buf, 0), 0);
  close(cfd);

  // SO_SNDTIMEO bounds a blocking send to a peer that does not read.
  cfd = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(connect(cfd, (struct sockaddr*)&addr, len) == 0);
  afd = accept(lfd, NULL, NULL);
  CHECK(afd >= 0);
  CHECK(setsockopt(cfd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
  EXPECT_ERR("send until SO_SNDTIMEO 200 ms runs out", send_until_it_fails(cfd, &t0), EAGAIN);
  EXPECT_EQ("  after the timeout", timed_out(t0), 1);
  close(afd);
  close(cfd);
  close(lfd);
  printf("done\n");
  return 0;
}
