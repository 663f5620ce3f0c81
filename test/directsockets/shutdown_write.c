// shutdown(SHUT_WR) then read the reply: the half-close a request/response
// client does. In Chromium no FIN goes out while the socket can still read
// (docs/chromium-tcp-no-fin.md); tools/iwa/send-integrity.mjs runs this
// against a peer that notes when our FIN arrives.
//
//   shutdown_write HOST PORT
//
// Sends "request", shuts down writing, reads the reply up to the peer's EOF,
// prints it, and stays alive (socket open) for two more seconds, so that any
// FIN still to come is ours to send, not the browser's teardown.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void die(const char* what) {
  printf("FAIL %s: %s\n", what, strerror(errno));
  exit(1);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    printf("usage: shutdown_write HOST PORT\n");
    return 2;
  }
  struct sockaddr_in addr = {.sin_family = AF_INET,
                             .sin_port = htons(atoi(argv[2]))};
  if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1)
    die("address");
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, (struct sockaddr*)&addr, sizeof addr) != 0)
    die("connect");
  if (send(fd, "request", 7, 0) != 7)
    die("send");
  if (shutdown(fd, SHUT_WR) != 0)
    die("shutdown");
  char reply[64];
  size_t got = 0;
  for (;;) {
    ssize_t n = recv(fd, reply + got, sizeof reply - 1 - got, 0);
    if (n < 0)
      die("recv");
    if (n == 0)
      break;
    got += (size_t)n;
  }
  reply[got] = 0;
  printf("reply: %s\n", reply);
  fflush(stdout);
  poll(NULL, 0, 2000); // a wait that lets the browser's event loop run
  close(fd);
  printf("done\n");
  return strcmp(reply, "reply") != 0;
}
