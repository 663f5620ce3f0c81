// Connects to a TCP echo peer, sends messages of growing size with blocking
// send()/write() and reads each echo back with recv()/read(), checking every
// byte. Usage: tcp_echo_client PORT [HOST]
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static void read_exactly(int fd, unsigned char* buf, size_t len, int use_read) {
  size_t got = 0;
  while (got < len) {
    ssize_t n = use_read ? read(fd, buf + got, len - got)
                         : recv(fd, buf + got, len - got, 0);
    CHECK(n > 0);
    got += (size_t)n;
  }
}

int main(int argc, char** argv) {
  CHECK(argc >= 2);
  int port = atoi(argv[1]);
  const char* host = argc > 2 ? argv[2] : "127.0.0.1";
  int family = strchr(host, ':') ? AF_INET6 : AF_INET;

  int fd = socket(family, SOCK_STREAM, 0);
  CHECK(fd >= 0);
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode));

  struct sockaddr_storage ss = {0};
  socklen_t len;
  if (family == AF_INET) {
    struct sockaddr_in* sin = (struct sockaddr_in*)&ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    CHECK(inet_pton(AF_INET, host, &sin->sin_addr) == 1);
    len = sizeof *sin;
  } else {
    struct sockaddr_in6* sin6 = (struct sockaddr_in6*)&ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    CHECK(inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1);
    len = sizeof *sin6;
  }
  CHECK(connect(fd, (struct sockaddr*)&ss, len) == 0);

  struct sockaddr_storage peer;
  socklen_t peer_len = sizeof peer;
  CHECK(getpeername(fd, (struct sockaddr*)&peer, &peer_len) == 0);
  CHECK(peer_len == len);
  CHECK(((struct sockaddr_in*)&peer)->sin_port == htons(port));

  size_t sizes[] = {1, 100, 1000, 65536, 1 << 20};
  for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
    size_t size = sizes[i];
    unsigned char* out = malloc(size);
    unsigned char* in = malloc(size);
    for (size_t j = 0; j < size; j++)
      out[j] = (unsigned char)(j * 7 + i);
    int use_write = i % 2;
    ssize_t sent = use_write ? write(fd, out, size) : send(fd, out, size, 0);
    CHECK(sent == (ssize_t)size);
    read_exactly(fd, in, size, use_write);
    CHECK(memcmp(in, out, size) == 0);
    printf("echoed %zu bytes\n", size);
    free(out);
    free(in);
  }
  CHECK(close(fd) == 0);
  CHECK(close(fd) == -1 && errno == EBADF);
  printf("done\n");
  return 0;
}
