// Socket fds come from the filesystem's fd table: they interleave with file
// fds, fstat() says S_IFSOCK, dup() shares the socket, and closing one frees
// its number for the next file.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static int is_socket(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode);
}

int main(void) {
  int file1 = open("a.txt", O_CREAT | O_RDWR, 0644);
  int sock = socket(AF_INET, SOCK_STREAM, 0);
  int file2 = open("b.txt", O_CREAT | O_RDWR, 0644);
  CHECK(file1 >= 0 && sock >= 0 && file2 >= 0);
  CHECK(file1 < sock && sock < file2);
  CHECK(is_socket(sock) && !is_socket(file1) && !is_socket(file2));

  // Files still work as files.
  CHECK(write(file1, "hello", 5) == 5);
  CHECK(lseek(file1, 0, SEEK_SET) == 0);
  char buf[8] = {0};
  CHECK(read(file1, buf, sizeof buf) == 5 && memcmp(buf, "hello", 5) == 0);

  // A dup names the same socket, with shared status flags.
  int copy = dup(sock);
  CHECK(copy > file2 && is_socket(copy));
  CHECK(fcntl(sock, F_SETFL, O_NONBLOCK) == 0);
  CHECK(fcntl(copy, F_GETFL) & O_NONBLOCK);
  int type = 0;
  socklen_t len = sizeof type;
  CHECK(getsockopt(copy, SOL_SOCKET, SO_TYPE, &type, &len) == 0);
  CHECK(type == SOCK_STREAM);

  // Socket calls on a file: ENOTSOCK; on a closed fd: EBADF.
  CHECK(listen(file1, 1) == -1 && errno == ENOTSOCK);
  CHECK(close(sock) == 0);
  CHECK(listen(sock, 1) == -1 && errno == EBADF);
  CHECK(is_socket(copy));

  // dup2 over a socket fd turns it into the file.
  CHECK(dup2(file1, copy) == copy);
  CHECK(!is_socket(copy));
  CHECK(lseek(copy, 0, SEEK_SET) == 0);
  CHECK(read(copy, buf, sizeof buf) == 5);

  // The freed number goes to the next open.
  int file3 = open("c.txt", O_CREAT | O_RDWR, 0644);
  CHECK(file3 == sock);
  printf("done\n");
  return 0;
}
