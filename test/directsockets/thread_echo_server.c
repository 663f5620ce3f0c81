// A thread-per-connection echo server and 64 concurrent client threads in
// one process, every call blocking: accept() in the main thread, recv/send
// in a thread per connection, connect/send/recv in each client thread. Each
// client checks every byte it gets back.
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

#define CLIENTS 64
#define ROUNDS 20
#define MESSAGE 1000

static struct sockaddr_in server_addr;

static void* serve(void* arg) {
  int fd = (int)(intptr_t)arg;
  char buf[4096];
  ssize_t n;
  while ((n = recv(fd, buf, sizeof buf, 0)) > 0)
    CHECK(send(fd, buf, (size_t)n, 0) == n);
  CHECK(n == 0);
  close(fd);
  return NULL;
}

static void* client(void* arg) {
  int id = (int)(intptr_t)arg;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(fd >= 0);
  CHECK(connect(fd, (struct sockaddr*)&server_addr, sizeof server_addr) == 0);
  unsigned char out[MESSAGE], in[MESSAGE];
  for (int round = 0; round < ROUNDS; round++) {
    for (int i = 0; i < MESSAGE; i++)
      out[i] = (unsigned char)(id * 31 + round * 7 + i);
    CHECK(send(fd, out, sizeof out, 0) == sizeof out);
    size_t got = 0;
    while (got < sizeof in) {
      ssize_t n = recv(fd, in + got, sizeof in - got, 0);
      CHECK(n > 0);
      got += (size_t)n;
    }
    CHECK(memcmp(in, out, sizeof out) == 0);
  }
  close(fd);
  return NULL;
}

int main(void) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(listener >= 0);
  server_addr.sin_family = AF_INET;
  server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK(bind(listener, (struct sockaddr*)&server_addr, sizeof server_addr) == 0);
  CHECK(listen(listener, CLIENTS) == 0);
  socklen_t len = sizeof server_addr;
  CHECK(getsockname(listener, (struct sockaddr*)&server_addr, &len) == 0);

  pthread_t clients[CLIENTS], servers[CLIENTS];
  for (int i = 0; i < CLIENTS; i++)
    CHECK(pthread_create(&clients[i], NULL, client, (void*)(intptr_t)i) == 0);
  for (int i = 0; i < CLIENTS; i++) {
    int fd = accept(listener, NULL, NULL);
    CHECK(fd >= 0);
    CHECK(pthread_create(&servers[i], NULL, serve, (void*)(intptr_t)fd) == 0);
  }
  for (int i = 0; i < CLIENTS; i++) {
    CHECK(pthread_join(clients[i], NULL) == 0);
    CHECK(pthread_join(servers[i], NULL) == 0);
  }
  close(listener);
  printf("%d clients x %d rounds echoed\n", CLIENTS, ROUNDS);
  printf("done\n");
  return 0;
}
