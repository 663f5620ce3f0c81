// Writes from a pthread and from the main thread keep their order. The two
// threads take turns writing one byte each to one connection; each writes
// only after the other's write returned, so the peer must read them
// alternating. (A worker's write reaches the Direct Sockets object on the
// main thread without waiting for it there: the main thread's own writes, its
// shutdown and its close must not overtake it.)
// Build with -pthread -sPTHREAD_POOL_SIZE=2 -sEXIT_RUNTIME: main() on the
// main thread.
#include <pthread.h>
#include <stdatomic.h>

#include "check.h"

#define ROUNDS 200

static atomic_int port;      // the reader's listening port, once it listens
static atomic_int conn = -1; // the writer's connected fd
static atomic_int turn;      // 0: the worker writes next; 1: the main thread
static atomic_int reader_done;

static void* reader(void* arg) {
  (void)arg;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(listener >= 0);
  struct sockaddr_in sa = {.sin_family = AF_INET};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  CHECK(bind(listener, (struct sockaddr*)&sa, sizeof sa) == 0);
  CHECK(listen(listener, 1) == 0);
  CHECK(getsockname(listener, (struct sockaddr*)&sa, &len) == 0);
  port = ntohs(sa.sin_port);
  int fd = accept(listener, NULL, NULL);
  CHECK(fd >= 0);
  char buf[2 * ROUNDS + 1];
  size_t got = 0;
  ssize_t n;
  while (got < sizeof buf && (n = recv(fd, buf + got, sizeof buf - got, 0)) > 0)
    got += (size_t)n;
  CHECK(got == 2 * ROUNDS); // and then EOF: the close came last
  for (int i = 0; i < ROUNDS; i++)
    CHECK(buf[2 * i] == 'w' && buf[2 * i + 1] == 'm');
  close(fd);
  close(listener);
  reader_done = 1;
  return NULL;
}

static void* writer(void* arg) {
  (void)arg;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(fd >= 0);
  while (!port)
    usleep(1000);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(connect(fd, (struct sockaddr*)&sa, sizeof sa) == 0);
  conn = fd;
  for (int i = 0; i < ROUNDS; i++) {
    while (turn != 0)
      ;
    CHECK(send(fd, "w", 1, 0) == 1);
    turn = 1;
  }
  return NULL;
}

// The main thread returns to the event loop (where the Direct Sockets
// events of every thread are handled) until the connection is up; then it
// only spins, serving nothing in between, so a queued write of the worker
// could keep its place only by the core's ordering.
static int take_turns(void) {
  static int i;
  TASK_BEGIN;
  AWAIT(conn >= 0);
  for (i = 0; i < ROUNDS; i++) {
    while (turn != 1)
      ;
    CHECK(send(conn, "m", 1, 0) == 1);
    turn = 0;
  }
  CHECK(close(conn) == 0);
  AWAIT(reader_done);
  TASK_END;
}

int main(void) {
  pthread_t thread;
  CHECK(pthread_create(&thread, NULL, reader, NULL) == 0);
  CHECK(pthread_detach(thread) == 0);
  CHECK(pthread_create(&thread, NULL, writer, NULL) == 0);
  CHECK(pthread_detach(thread) == 0);
  run_task(take_turns);
  return 0;
}
