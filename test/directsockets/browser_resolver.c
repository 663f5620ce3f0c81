// Names resolved by the browser: getaddrinfo gives a placeholder for a name
// the hosts table lacks, and connect()/sendto() hand the name to TCPSocket or
// UDPSocket with the dnsQueryType of the placeholder's family. The harness
// runs loopback echo servers (TCP on 127.0.0.1 and ::1, UDP on 127.0.0.1)
// and passes a name that resolves to loopback for both families.
// Usage: browser_resolver TCP4_PORT TCP6_PORT UDP_PORT NAME
#define _GNU_SOURCE
#include <netdb.h>

#include "check.h"

static const char* name;

static struct addrinfo* lookup(const char* port, int family, int socktype) {
  struct addrinfo hints = {0}, *res;
  hints.ai_family = family;
  hints.ai_socktype = socktype;
  CHECK(getaddrinfo(name, port, &hints, &res) == 0);
  CHECK(res && !res->ai_next && res->ai_family == family);
  return res;
}

static const char* text(const struct sockaddr* sa) {
  static char out[INET6_ADDRSTRLEN + 8];
  char host[INET6_ADDRSTRLEN];
  CHECK(getnameinfo(sa,
                    sa->sa_family == AF_INET ? sizeof(struct sockaddr_in)
                                             : sizeof(struct sockaddr_in6),
                    host, sizeof host, NULL, 0, NI_NUMERICHOST) == 0);
  snprintf(out, sizeof out, "%s", host);
  return out;
}

static void echo(int fd) {
  CHECK(send(fd, "ping", 4, 0) == 4);
  char buf[8];
  CHECK(recv(fd, buf, sizeof buf, 0) == 4 && memcmp(buf, "ping", 4) == 0);
}

static void tcp(const char* port, int family, const char* want_peer) {
  struct addrinfo* ai = lookup(port, family, SOCK_STREAM);
  printf("placeholder %s\n", text(ai->ai_addr));
  char host[256];
  CHECK(getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof host, NULL, 0,
                    NI_NAMEREQD) == 0);
  CHECK(strcmp(host, name) == 0);
  int fd = socket(family, SOCK_STREAM, 0);
  CHECK(fd >= 0);
  CHECK(connect(fd, ai->ai_addr, ai->ai_addrlen) == 0);
  struct sockaddr_storage peer;
  socklen_t len = sizeof peer;
  CHECK(getpeername(fd, (struct sockaddr*)&peer, &len) == 0);
  printf("tcp peer %s\n", text((struct sockaddr*)&peer));
  CHECK(strcmp(text((struct sockaddr*)&peer), want_peer) == 0);
  CHECK(((struct sockaddr_in*)&peer)->sin_port ==
        ((struct sockaddr_in*)ai->ai_addr)->sin_port);
  echo(fd);
  close(fd);
  freeaddrinfo(ai);
}

static void udp(const char* port) {
  struct addrinfo* ai = lookup(port, AF_INET, SOCK_DGRAM);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(fd >= 0);
  CHECK(sendto(fd, "ping", 4, 0, ai->ai_addr, ai->ai_addrlen) == 4);
  char buf[8];
  struct sockaddr_storage from;
  socklen_t len = sizeof from;
  CHECK(recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr*)&from, &len) == 4);
  printf("udp from %s\n", text((struct sockaddr*)&from));
  CHECK(strcmp(text((struct sockaddr*)&from), "127.0.0.1") == 0);
  close(fd);

  // Connected: replies come from the resolved address, which getpeername
  // then reports.
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(connect(fd, ai->ai_addr, ai->ai_addrlen) == 0);
  echo(fd);
  echo(fd);
  len = sizeof from;
  CHECK(getpeername(fd, (struct sockaddr*)&from, &len) == 0);
  printf("udp peer %s\n", text((struct sockaddr*)&from));
  CHECK(strcmp(text((struct sockaddr*)&from), "127.0.0.1") == 0);
  close(fd);
  freeaddrinfo(ai);
}

int main(int argc, char** argv) {
  CHECK(argc == 5);
  name = argv[4];
  tcp(argv[1], AF_INET, "127.0.0.1");
  tcp(argv[2], AF_INET6, "::1");
  udp(argv[3]);
  printf("done\n");
  return 0;
}
