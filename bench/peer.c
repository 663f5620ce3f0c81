// The benchmark's peer, always native: it serves every client variant the
// same way and measures at the receiving end.
//   peer echo              TCP echo (ping-pong)
//   peer sink              TCP sink: checks the pattern, times first byte to EOF
//   peer udp COUNT         counts distinct datagrams until the end marker
// It prints its port on the first line, then one JSON line per session.
#include "bench_common.h"

static int listen_on(int type) {
  int fd = socket(AF_INET, type, 0);
  if (fd < 0)
    die("socket");
  int one = 1, rcvbuf = 8 << 20;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (type == SOCK_DGRAM)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  struct sockaddr_in sa = loopback(0);
  socklen_t len = sizeof sa;
  if (bind(fd, (struct sockaddr*)&sa, sizeof sa) < 0 ||
      (type == SOCK_STREAM && listen(fd, 16) < 0) ||
      getsockname(fd, (struct sockaddr*)&sa, &len) < 0)
    die("listen");
  printf("%d\n", ntohs(sa.sin_port));
  fflush(stdout);
  return fd;
}

static void echo(int lfd) {
  for (;;) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
      die("accept");
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
      if (send(fd, buf, (size_t)n, 0) != n)
        break;
    close(fd);
  }
}

static void sink(int lfd) {
  static uint8_t buf[256 * 1024];
  for (;;) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
      die("accept");
    uint64_t total = 0, bad = 0;
    double first = 0;
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
      if (!total)
        first = now_seconds();
      for (ssize_t i = 0; i < n; i++)
        bad += buf[i] != (uint8_t)((total + (uint64_t)i) % PATTERN_CYCLE);
      total += (uint64_t)n;
    }
    double seconds = total ? now_seconds() - first : 0;
    printf("{\"bytes\": %llu, \"bad_bytes\": %llu, \"seconds\": %.4f}\n",
           (unsigned long long)total, (unsigned long long)bad, seconds);
    fflush(stdout);
    close(fd);
  }
}

static void udp_sink(int fd, long count) {
  uint8_t* seen = calloc((size_t)count, 1);
  uint8_t buf[65536];
  for (;;) {
    long received = 0;
    double first = 0, last = 0;
    memset(seen, 0, (size_t)count);
    for (;;) {
      struct pollfd p = {fd, POLLIN, 0};
      // A session ends at the marker, or after 2 s of silence.
      if (poll(&p, 1, received ? 2000 : -1) <= 0)
        break;
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n < (ssize_t)sizeof(int64_t))
        continue;
      int64_t seq;
      memcpy(&seq, buf, sizeof seq);
      if (seq == -1)
        break;
      if (seq < 0 || seq >= count || seen[seq])
        continue;
      seen[seq] = 1;
      if (!received++)
        first = now_seconds();
      last = now_seconds();
    }
    printf("{\"received\": %ld, \"seconds\": %.4f}\n", received, last - first);
    fflush(stdout);
    // Drain the remaining markers before the next session.
    struct pollfd p = {fd, POLLIN, 0};
    while (poll(&p, 1, 200) > 0)
      recv(fd, buf, sizeof buf, 0);
  }
}

int main(int argc, char** argv) {
  if (argc >= 2 && !strcmp(argv[1], "echo"))
    echo(listen_on(SOCK_STREAM));
  else if (argc >= 2 && !strcmp(argv[1], "sink"))
    sink(listen_on(SOCK_STREAM));
  else if (argc >= 3 && !strcmp(argv[1], "udp"))
    udp_sink(listen_on(SOCK_DGRAM), atol(argv[2]));
  else {
    fprintf(stderr, "usage: %s echo | sink | udp COUNT\n", argv[0]);
    return 2;
  }
  return 0;
}
