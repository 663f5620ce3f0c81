// Upload integrity: every byte send() accepted must reach the peer, in order
// (Chromium 156 drops TCP writes: docs/chromium-tcp-send-loss.md).
//
//   send_integrity HOST PORT BYTES MAX_SEND [close] [fixed]
//
// Connects, sends an 8-byte length (BYTES, little-endian) and then BYTES
// bytes of a pattern in which every byte depends on its offset, in send()
// calls of pseudo-random sizes from 1 to MAX_SEND (with `fixed`, calls that
// end at multiples of MAX_SEND in the stream, as bulk senders' do). The
// verifying peer (tools/iwa/send-integrity.mjs) answers with one line,
// "received N first_bad F" (F is -1 when every byte matched), once it has
// BYTES bytes or the stream went quiet. With `close`, the program closes the socket right after
// its last send() instead, and only the peer's side knows the outcome; it then
// stays alive for a few seconds, as a web page outlives its sockets (the IWA
// runner closes the browser as soon as the program ends).
// Blocking calls: build with -sJSPI or -pthread -sPROXY_TO_PTHREAD (or run
// natively).
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

// The pattern's byte at offset i (the peer computes the same): a shifted,
// dropped or repeated run of bytes stops matching within a few bytes.
static uint8_t pattern_byte(uint64_t i) {
  return (uint8_t)((uint32_t)(i * 2654435761u) >> 24);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void die(const char* what) {
  printf("FAIL %s: %s\n", what, strerror(errno));
  exit(1);
}

static void send_all(int fd, const uint8_t* p, size_t len) {
  while (len) {
    ssize_t n = send(fd, p, len, 0);
    if (n <= 0)
      die("send");
    p += n;
    len -= (size_t)n;
  }
}

int main(int argc, char** argv) {
  if (argc < 5) {
    printf("usage: send_integrity HOST PORT BYTES MAX_SEND [close] [fixed]\n");
    return 2;
  }
  uint64_t total = strtoull(argv[3], NULL, 10);
  size_t max_send = strtoul(argv[4], NULL, 10);
  int close_early = 0, fixed = 0;
  for (int i = 5; i < argc; i++) {
    if (strcmp(argv[i], "close") == 0)
      close_early = 1;
    else if (strcmp(argv[i], "fixed") == 0)
      fixed = 1;
    else {
      printf("FAIL unknown option %s (close, fixed)\n", argv[i]);
      return 2;
    }
  }
  if (!max_send)
    max_send = 1;
  if (fixed && max_send <= 8) { // the first send carries the 8-byte length
    printf("FAIL fixed sends need a MAX_SEND above 8\n");
    return 2;
  }

  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons(atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
    printf("FAIL bad address %s\n", argv[1]);
    return 2;
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0)
    die("socket");
  if (connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0)
    die("connect");

  uint8_t header[8];
  for (int i = 0; i < 8; i++)
    header[i] = (uint8_t)(total >> (8 * i));
  send_all(fd, header, sizeof header);

  uint8_t* buf = malloc(max_send);
  if (!buf)
    die("malloc");
  uint32_t seed = 12345;
  double start = now();
  for (uint64_t off = 0; off < total;) {
    seed = seed * 1103515245u + 12345u; // sizes vary, small and large mixed
    size_t n = fixed ? max_send - (off ? 0 : sizeof header)
                     : 1 + (seed >> 8) % max_send;
    if (n > total - off)
      n = (size_t)(total - off);
    for (size_t i = 0; i < n; i++)
      buf[i] = pattern_byte(off + i);
    send_all(fd, buf, n);
    off += n;
  }
  double secs = now() - start;
  printf("sent %llu bytes in %.2f s (%.0f MB/s accepted by send)\n",
         (unsigned long long)total, secs, total / secs / 1e6);
  if (close_early) {
    if (close(fd) != 0)
      die("close");
    printf("closed\n");
    fflush(stdout);
    poll(NULL, 0, 3000); // a wait that lets the browser's event loop run
    printf("done\n");
    return 0;
  }

  // The verdict; a bounded wait in case the peer never answers.
  struct timeval tv = {.tv_sec = 60};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  char line[128];
  size_t got = 0;
  while (got < sizeof line - 1 && !memchr(line, '\n', got)) {
    ssize_t n = recv(fd, line + got, sizeof line - 1 - got, 0);
    if (n <= 0)
      die("recv of the peer's verdict");
    got += (size_t)n;
  }
  line[got] = 0;
  unsigned long long received = 0;
  long long first_bad = -2;
  int fields =
      sscanf(line, "received %llu first_bad %lld", &received, &first_bad);
  if (fields != 2) {
    printf("FAIL the peer said: %s", line);
    return 1;
  }
  printf("peer: %s", line);
  close(fd);
  if (received != total || first_bad != -1) {
    printf("FAIL %llu of %llu bytes arrived intact (lost %lld)\n",
           first_bad < 0 ? received : (unsigned long long)first_bad,
           (unsigned long long)total, (long long)(total - received));
    return 1;
  }
  printf("done\n");
  return 0;
}
