// A plain blocking HTTP/1.0 client, the kind of socket code Socket.IWA runs
// unmodified: getaddrinfo, socket, connect, write, read until EOF.
//   http_get HOST PORT PATH
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s HOST PORT PATH\n", argv[0]);
    return 2;
  }
  struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res;
  int err = getaddrinfo(argv[1], argv[2], &hints, &res);
  if (err) {
    fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(err));
    return 1;
  }
  int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
  if (fd < 0 || connect(fd, res->ai_addr, res->ai_addrlen) < 0) {
    perror("connect");
    return 1;
  }
  freeaddrinfo(res);

  char request[512];
  int len = snprintf(request, sizeof request,
                     "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n",
                     argv[3], argv[1]);
  if (write(fd, request, len) != len) {
    perror("write");
    return 1;
  }
  char buf[4096];
  ssize_t n;
  size_t total = 0;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    fwrite(buf, 1, n, stdout);
    total += n;
  }
  if (n < 0) {
    perror("read");
    return 1;
  }
  close(fd);
  fprintf(stderr, "\n[%zu bytes received]\n", total);
  return 0;
}
