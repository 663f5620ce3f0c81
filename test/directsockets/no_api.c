// Without a Direct Sockets implementation, socket() must fail with a clear
// errno (and the bridge prints why) rather than crash.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

int main(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd >= 0) {
    printf("FAIL: socket() succeeded without the API\n");
    return 1;
  }
  printf("socket: %s\n", strerror(errno));
  return errno == EACCES ? 0 : 1;
}
