// Shared by the benchmark client and its peer: the bulk byte pattern (a
// 251-byte cycle, so a lost or repeated chunk of any power-of-two size shows)
// and small socket helpers.
#pragma once

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PATTERN_CYCLE 251

static inline void fill_pattern(uint8_t* buf, size_t len, uint64_t offset) {
  for (size_t i = 0; i < len; i++)
    buf[i] = (uint8_t)((offset + i) % PATTERN_CYCLE);
}

static inline double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static inline void die(const char* what) {
  fprintf(stderr, "%s: %s\n", what, strerror(errno));
  exit(1);
}

static inline void set_nonblocking(int fd) {
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
    die("fcntl");
}

static inline struct sockaddr_in loopback(int port) {
  struct sockaddr_in sa;
  memset(&sa, 0, sizeof sa);
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

// Waits for `events` on fd (the only place the client blocks).
static inline void wait_for(int fd, short events) {
  struct pollfd p = {fd, events, 0};
  if (poll(&p, 1, 10000) <= 0)
    die("poll");
  if (p.revents & (POLLERR | POLLNVAL))
    die("poll: socket error");
}
