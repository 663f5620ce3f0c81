// The socket benchmark client, built natively, with -sDIRECT_SOCKETS and with
// upstream's -sNODERAWSOCKETS from this one source. It uses non-blocking
// sockets and poll(), the one style every backend supports (NODERAWSOCKETS'
// blocking calls return EAGAIN), so each figure measures the same code.
//   socket_bench pingpong PORT SECONDS     32-byte round trips
//   socket_bench bulk PORT MIB             send MIB MiB of the pattern
//   socket_bench udp PORT SIZE COUNT       COUNT datagrams of SIZE bytes
//   socket_bench accept COUNT SECONDS      listen on loopback, print {"port": N},
//                                          accept and close up to COUNT
//                                          connections the peer makes
// Results go to stdout as one JSON object on the last line; the peer measures
// what it receives, the client what it accepts.
#include "bench_common.h"

static int tcp_connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    die("socket");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  set_nonblocking(fd);
  struct sockaddr_in sa = loopback(port);
  if (connect(fd, (struct sockaddr*)&sa, sizeof sa) < 0 && errno != EINPROGRESS)
    die("connect");
  wait_for(fd, POLLOUT);
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err) {
    errno = err;
    die("connect");
  }
  return fd;
}

static void send_all(int fd, const uint8_t* buf, size_t len) {
  while (len) {
    ssize_t n = send(fd, buf, len, 0);
    if (n < 0) {
      if (errno != EAGAIN)
        die("send");
      wait_for(fd, POLLOUT);
      continue;
    }
    buf += n;
    len -= (size_t)n;
  }
}

static void recv_all(int fd, uint8_t* buf, size_t len) {
  while (len) {
    ssize_t n = recv(fd, buf, len, 0);
    if (n == 0) {
      fprintf(stderr, "recv: peer closed\n");
      exit(1);
    }
    if (n < 0) {
      if (errno != EAGAIN)
        die("recv");
      wait_for(fd, POLLIN);
      continue;
    }
    buf += n;
    len -= (size_t)n;
  }
}

static void pingpong(int port, double seconds) {
  int fd = tcp_connect(port);
  uint8_t msg[32], echo[32];
  memset(msg, 'p', sizeof msg);
  long trips = 0;
  double start = now_seconds(), elapsed;
  do {
    send_all(fd, msg, sizeof msg);
    recv_all(fd, echo, sizeof echo);
    if (memcmp(msg, echo, sizeof msg) != 0) {
      fprintf(stderr, "pingpong: bad echo\n");
      exit(1);
    }
    trips++;
  } while ((elapsed = now_seconds() - start) < seconds);
  close(fd);
  printf("{\"round_trips\": %ld, \"seconds\": %.3f}\n", trips, elapsed);
}

static void bulk(int port, long mib) {
  int fd = tcp_connect(port);
  enum { CHUNK = 64 * 1024 };
  // The pattern repeats every 251 bytes: a buffer of CHUNK + 251 bytes
  // provides every chunk's bytes at some offset.
  static uint8_t pattern[CHUNK + PATTERN_CYCLE];
  fill_pattern(pattern, sizeof pattern, 0);
  uint64_t total = (uint64_t)mib << 20, sent = 0;
  double start = now_seconds();
  while (sent < total) {
    size_t n = total - sent < CHUNK ? (size_t)(total - sent) : CHUNK;
    send_all(fd, pattern + sent % PATTERN_CYCLE, n);
    sent += n;
  }
  // The sink says "k" once it has every byte; wait for that (bounded) so the
  // program does not end, and a browser shut down, with data still on its way.
  struct pollfd p = {fd, POLLIN, 0};
  char ack;
  if (poll(&p, 1, 5000) <= 0 || recv(fd, &ack, 1, 0) != 1)
    fprintf(stderr, "bulk: the sink did not confirm every byte\n");
  close(fd);
  printf("{\"bytes\": %llu, \"seconds\": %.3f}\n", (unsigned long long)sent,
         now_seconds() - start);
}

static void udp(int port, int size, long count) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  if (fd < 0)
    die("socket");
  set_nonblocking(fd);
  struct sockaddr_in sa = loopback(port);
  if (connect(fd, (struct sockaddr*)&sa, sizeof sa) < 0)
    die("connect");
  if (size < (int)sizeof(int64_t))
    size = sizeof(int64_t);
  uint8_t* buf = calloc(1, (size_t)size);
  double start = now_seconds();
  for (int64_t i = 0; i < count; i++) {
    memcpy(buf, &i, sizeof i); // the peer counts distinct sequence numbers
    while (send(fd, buf, (size_t)size, 0) < 0) {
      if (errno != EAGAIN && errno != ENOBUFS)
        die("send");
      wait_for(fd, POLLOUT);
    }
  }
  // End markers tell the peer the burst is over, until it answers one (it
  // has counted by then) or 1 s passed.
  memset(buf, 0xff, sizeof(int64_t));
  for (int i = 0; i < 50; i++) {
    send(fd, buf, (size_t)size, 0);
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, 20) > 0)
      break;
  }
  close(fd);
  printf("{\"sent\": %ld, \"seconds\": %.3f}\n", count, now_seconds() - start);
}

// Accepted connections per second, timed from the first accept to the last.
static void accept_rate(long count, double seconds) {
  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  if (lfd < 0)
    die("socket");
  struct sockaddr_in sa = loopback(0);
  socklen_t len = sizeof sa;
  if (bind(lfd, (struct sockaddr*)&sa, sizeof sa) < 0 || listen(lfd, 128) < 0 ||
      getsockname(lfd, (struct sockaddr*)&sa, &len) < 0)
    die("listen");
  set_nonblocking(lfd);
  printf("{\"port\": %d}\n", ntohs(sa.sin_port));
  fflush(stdout);
  long accepted = 0;
  double first = 0, last = 0;
  while (accepted < count && (!accepted || last - first < seconds)) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) {
      if (errno != EAGAIN)
        die("accept");
      wait_for(lfd, POLLIN);
      continue;
    }
    last = now_seconds();
    if (!accepted++)
      first = last;
    close(fd);
  }
  close(lfd);
  printf("{\"accepted\": %ld, \"seconds\": %.4f}\n", accepted, last - first);
}

int main(int argc, char** argv) {
  if (argc >= 4 && !strcmp(argv[1], "pingpong"))
    pingpong(atoi(argv[2]), atof(argv[3]));
  else if (argc >= 4 && !strcmp(argv[1], "bulk"))
    bulk(atoi(argv[2]), atol(argv[3]));
  else if (argc >= 5 && !strcmp(argv[1], "udp"))
    udp(atoi(argv[2]), atoi(argv[3]), atol(argv[4]));
  else if (argc >= 4 && !strcmp(argv[1], "accept"))
    accept_rate(atol(argv[2]), atof(argv[3]));
  else {
    fprintf(stderr,
            "usage: %s pingpong PORT SECONDS | bulk PORT MIB | udp PORT SIZE COUNT | accept COUNT SECONDS\n",
            argv[0]);
    return 2;
  }
  return 0;
}
