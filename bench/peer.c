// The benchmark's peer, always native: it serves every client variant the
// same way and measures at the receiving end.
//   peer echo              TCP echo (ping-pong)
//   peer sink BYTES        TCP sink: checks the pattern, times the first byte
//                          to the last, says "k" once BYTES arrived
//   peer udp COUNT         counts distinct datagrams until the end marker,
//                          answers each marker (the client waits for that)
//   peer connect PORT COUNT  opens COUNT connections to the client's listener
//                          on PORT, a few at a time, each until the client
//                          closes it (the accept-rate workload)
// A listening peer prints its port on the first line; every peer prints one
// JSON line per session.
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

static void sink(int lfd, uint64_t expected) {
  static uint8_t buf[256 * 1024];
  for (;;) {
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0)
      die("accept");
    // After a lost chunk every later byte is out of place: count them, and
    // say where the stream first went wrong (-1: nowhere).
    uint64_t total = 0, bad = 0;
    int64_t first_bad = -1;
    double first = 0, last = 0;
    ssize_t n;
    while ((n = recv(fd, buf, sizeof buf, 0)) > 0) {
      last = now_seconds();
      if (!total)
        first = last;
      for (ssize_t i = 0; i < n; i++) {
        if (buf[i] != (uint8_t)((total + (uint64_t)i) % PATTERN_CYCLE)) {
          if (first_bad < 0)
            first_bad = (int64_t)(total + (uint64_t)i);
          bad++;
        }
      }
      // The client waits for this before it closes: a browser that shuts
      // down as soon as the program ends would drop what it still holds.
      if (total < expected && total + (uint64_t)n >= expected)
        send(fd, "k", 1, MSG_NOSIGNAL);
      total += (uint64_t)n;
    }
    double seconds = last - first;
    printf("{\"bytes\": %llu, \"bad_bytes\": %llu, \"first_bad\": %lld, \"seconds\": %.4f}\n",
           (unsigned long long)total, (unsigned long long)bad, (long long)first_bad, seconds);
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
      struct sockaddr_storage from;
      socklen_t from_len = sizeof from;
      ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr*)&from, &from_len);
      if (n < (ssize_t)sizeof(int64_t))
        continue;
      int64_t seq;
      memcpy(&seq, buf, sizeof seq);
      if (seq == -1) {
        sendto(fd, "k", 1, 0, (struct sockaddr*)&from, from_len);
        break;
      }
      if (seq < 0 || seq >= count || seen[seq])
        continue;
      seen[seq] = 1;
      if (!received++)
        first = now_seconds();
      last = now_seconds();
    }
    printf("{\"received\": %ld, \"seconds\": %.4f}\n", received, last - first);
    fflush(stdout);
    // Drain the remaining markers, answering them, before the next session.
    struct pollfd p = {fd, POLLIN, 0};
    while (poll(&p, 1, 200) > 0) {
      struct sockaddr_storage from;
      socklen_t from_len = sizeof from;
      if (recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr*)&from, &from_len) > 0)
        sendto(fd, "k", 1, 0, (struct sockaddr*)&from, from_len);
    }
  }
}

// Keeps up to IN_FLIGHT connections open to the client's listener, each until
// the client closes it (EOF or reset), so that the client's accept queue
// never overflows (an overflow costs a 1 s SYN retransmit). Stops after COUNT
// connections, or once the listener is gone (refused), or after 120 s.
static void connect_to(int port, long count) {
  enum { IN_FLIGHT = 8 };
  struct pollfd p[IN_FLIGHT];
  int open = 0;
  long started = 0, completed = 0, failed = 0;
  int refused = 0;
  double start = now_seconds();
  while (now_seconds() - start < 120) {
    while (!refused && open < IN_FLIGHT && started < count) {
      int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
      if (fd < 0)
        die("socket");
      struct sockaddr_in sa = loopback(port);
      if (connect(fd, (struct sockaddr*)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
        close(fd);
        if (errno == ECONNREFUSED) {
          refused = 1;
          break;
        }
        die("connect");
      }
      p[open++] = (struct pollfd){fd, POLLIN, 0};
      started++;
    }
    if (!open)
      break;
    if (poll(p, (nfds_t)open, 1000) < 0)
      die("poll");
    for (int i = 0; i < open; i++) {
      if (!p[i].revents)
        continue;
      char byte;
      ssize_t n = recv(p[i].fd, &byte, 1, 0);
      if (n > 0)
        continue; // the client sent something: not expected, ignore it
      if (n < 0 && errno == EAGAIN)
        continue;
      if (n == 0)
        completed++;
      else if (errno == ECONNREFUSED)
        refused = 1, failed++;
      else
        failed++; // reset: the listener closed with it still queued
      close(p[i].fd);
      p[i--] = p[--open];
    }
  }
  for (int i = 0; i < open; i++)
    close(p[i].fd);
  printf("{\"closed_by_client\": %ld, \"failed\": %ld}\n", completed, failed);
  fflush(stdout);
}

int main(int argc, char** argv) {
  if (argc >= 2 && !strcmp(argv[1], "echo"))
    echo(listen_on(SOCK_STREAM));
  else if (argc >= 3 && !strcmp(argv[1], "sink"))
    sink(listen_on(SOCK_STREAM), strtoull(argv[2], NULL, 10));
  else if (argc >= 3 && !strcmp(argv[1], "udp"))
    udp_sink(listen_on(SOCK_DGRAM), atol(argv[2]));
  else if (argc >= 4 && !strcmp(argv[1], "connect"))
    connect_to(atoi(argv[2]), atol(argv[3]));
  else {
    fprintf(stderr, "usage: %s echo | sink BYTES | udp COUNT | connect PORT COUNT\n", argv[0]);
    return 2;
  }
  return 0;
}
