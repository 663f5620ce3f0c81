// Sockets that are closed leave nothing behind: after many sockets were
// opened, duplicated and closed, fds are reused and (in wasm) the
// filesystem names no socket any more.
#include "check.h"

#include <fcntl.h>

#define ROUNDS 5000

// Sockets the JS filesystem (on the main thread) has a node for; natively
// none to count.
static int socket_nodes(void) {
#ifdef __EMSCRIPTEN__
  return MAIN_THREAD_EM_ASM_INT({
    var n = 0;
    for (var node of FS.nameTable)
      for (; node; node = node.name_next)
        n += node.parent === DSOCK.root && node !== DSOCK.root;
    return n;
  });
#else
  return 0;
#endif
}

int main(void) {
  int first = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(first >= 0);
  CHECK(close(first) == 0);
  for (int i = 0; i < ROUNDS; i++) {
    int fd = socket(i % 2 ? AF_INET : AF_INET6, i % 3 ? SOCK_STREAM : SOCK_DGRAM, 0);
    CHECK(fd == first);
    int copy = dup(fd);
    CHECK(copy > fd);
    int other = fcntl(fd, F_DUPFD, 100);
    CHECK(other >= 100);
    CHECK(close(fd) == 0);
    CHECK(dup2(copy, other) == other); // closes `other` first
    CHECK(close(copy) == 0);
    CHECK(close(other) == 0);
  }
  // One socket still open, through two fds: named once, until both close.
#ifdef __EMSCRIPTEN__
  const int open_named = 1;
#else
  const int open_named = 0;
#endif
  CHECK(socket_nodes() == 0);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  int copy = dup(fd);
  CHECK(fd == first && copy > fd);
  CHECK(socket_nodes() == open_named);
  CHECK(close(fd) == 0);
  CHECK(socket_nodes() == open_named);
  CHECK(close(copy) == 0);
  CHECK(socket_nodes() == 0);
  printf("done\n");
  return 0;
}
