// getaddrinfo, getnameinfo and gethostbyname on numeric hosts, services,
// "localhost" and bad input: the results and EAI_* codes must be glibc's
// (the harness compares this program's output with a native build's).
// Needs no network and no resolver.
#define _GNU_SOURCE
#include <netdb.h>

#include "check.h"

static const char* eai_name(int e) {
  switch (e) {
#define NAME(e)                                                                \
  case e:                                                                      \
    return #e
    NAME(EAI_BADFLAGS); NAME(EAI_NONAME); NAME(EAI_AGAIN); NAME(EAI_FAIL);
    NAME(EAI_NODATA); NAME(EAI_FAMILY); NAME(EAI_SOCKTYPE); NAME(EAI_SERVICE);
    NAME(EAI_ADDRFAMILY); NAME(EAI_MEMORY); NAME(EAI_SYSTEM);
    NAME(EAI_OVERFLOW);
#undef NAME
  case 0:
    return "0";
  }
  static char other[32];
  snprintf(other, sizeof other, "EAI %d", e);
  return other;
}

static const char* family_name(int f) {
  return f == AF_INET ? "AF_INET" : f == AF_INET6 ? "AF_INET6" : "AF_?";
}

// Prints getaddrinfo's result: its code, or one line per addrinfo.
static void gai(const char* node, const char* service, int flags, int family,
                int socktype, int protocol) {
  struct addrinfo hints = {0}, *res = NULL;
  hints.ai_flags = flags;
  hints.ai_family = family;
  hints.ai_socktype = socktype;
  hints.ai_protocol = protocol;
  int r = getaddrinfo(node, service, &hints, &res);
  printf("getaddrinfo(%s, %s, flags %#x, %s, %d, %d): %s\n",
         node ? node : "NULL", service ? service : "NULL", flags,
         family == AF_UNSPEC ? "AF_UNSPEC" : family_name(family), socktype,
         protocol, eai_name(r));
  for (struct addrinfo* ai = res; ai; ai = ai->ai_next) {
    char host[INET6_ADDRSTRLEN] = "?";
    int port = -1;
    if (ai->ai_family == AF_INET) {
      struct sockaddr_in* in = (struct sockaddr_in*)ai->ai_addr;
      inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
      port = ntohs(in->sin_port);
      CHECK(ai->ai_addrlen == sizeof *in);
    } else if (ai->ai_family == AF_INET6) {
      struct sockaddr_in6* in6 = (struct sockaddr_in6*)ai->ai_addr;
      inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
      port = ntohs(in6->sin6_port);
      CHECK(ai->ai_addrlen == sizeof *in6);
    }
    CHECK(ai->ai_addr->sa_family == ai->ai_family);
    printf("  %s %d %d %s %d%s%s\n", family_name(ai->ai_family),
           ai->ai_socktype, ai->ai_protocol, host, port,
           ai->ai_canonname ? " canon " : "",
           ai->ai_canonname ? ai->ai_canonname : "");
  }
  if (res)
    freeaddrinfo(res);
  CHECK(r == 0 || res == NULL);
}

static void gni(const char* host, int port, int flags, socklen_t hostlen,
                socklen_t servlen) {
  struct sockaddr_storage ss = {0};
  socklen_t len;
  if (strchr(host, ':')) {
    struct sockaddr_in6* in6 = (struct sockaddr_in6*)&ss;
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(port);
    CHECK(inet_pton(AF_INET6, host, &in6->sin6_addr) == 1);
    len = sizeof *in6;
  } else {
    struct sockaddr_in* in = (struct sockaddr_in*)&ss;
    in->sin_family = AF_INET;
    in->sin_port = htons(port);
    CHECK(inet_pton(AF_INET, host, &in->sin_addr) == 1);
    len = sizeof *in;
  }
  char h[256] = "", s[32] = "";
  int r = getnameinfo((struct sockaddr*)&ss, len, hostlen ? h : NULL, hostlen,
                      servlen ? s : NULL, servlen, flags);
  printf("getnameinfo(%s, %d, flags %#x, %s, %s): %s", host, port, flags,
         hostlen == 0 ? "0" : hostlen < 64 ? "short" : "long",
         servlen == 0 ? "0" : servlen < 8 ? "short" : "long", eai_name(r));
  if (r == 0)
    printf(" %s %s", h, s);
  printf("\n");
}

static void ghbn(const char* name) {
  struct hostent* he = gethostbyname(name);
  printf("gethostbyname(%s):", name);
  if (!he) {
    printf(" h_errno %d\n", h_errno);
    return;
  }
  printf(" %s %d %d", he->h_name, he->h_addrtype, he->h_length);
  for (char** a = he->h_addr_list; *a; a++) {
    char host[INET6_ADDRSTRLEN];
    inet_ntop(he->h_addrtype, *a, host, sizeof host);
    printf(" %s", host);
  }
  printf("\n");
}

int main(void) {
  // Numeric hosts and services; socktype and protocol expansion.
  gai("127.0.0.1", NULL, 0, AF_UNSPEC, 0, 0);
  gai("127.0.0.1", "80", 0, AF_UNSPEC, 0, 0);
  gai("127.0.0.1", "80", 0, AF_INET, SOCK_STREAM, 0);
  gai("127.0.0.1", "80", 0, AF_INET, SOCK_DGRAM, 0);
  gai("127.0.0.1", "80", 0, AF_INET, 0, IPPROTO_TCP);
  gai("127.0.0.1", "80", 0, AF_INET, 0, IPPROTO_UDP);
  gai("127.0.0.1", NULL, 0, AF_INET, SOCK_RAW, 0);
  gai("127.0.0.1", NULL, 0, AF_INET, SOCK_RAW, 255);
  gai("127.0.0.1", "80", 0, AF_INET, SOCK_RAW, 0);
  gai("10.1.2.3", "65535", 0, AF_INET, SOCK_STREAM, 0);
  gai("::1", "443", 0, AF_UNSPEC, SOCK_STREAM, 0);
  gai("fe80::1", "443", 0, AF_INET6, SOCK_DGRAM, 0);
  gai("::ffff:10.0.0.1", "1", 0, AF_UNSPEC, SOCK_STREAM, 0);
  gai("2001:db8::5", "7", AI_NUMERICHOST, AF_INET6, SOCK_STREAM, 0);
  // Forms inet_aton takes and inet_pton does not.
  gai("127.1", "80", 0, AF_INET, SOCK_STREAM, 0);
  gai("0x7f.1", "80", 0, AF_INET, SOCK_STREAM, 0);
  gai("2130706433", "80", 0, AF_INET, SOCK_STREAM, 0);
  gai("127.1", "80", AI_NUMERICHOST, AF_INET, SOCK_STREAM, 0);
  // Family mismatches and IPv4-mapped results.
  gai("127.0.0.1", "80", 0, AF_INET6, SOCK_STREAM, 0);
  gai("127.0.0.1", "80", AI_V4MAPPED, AF_INET6, SOCK_STREAM, 0);
  gai("127.0.0.1", "80", AI_V4MAPPED | AI_ALL, AF_INET6, SOCK_STREAM, 0);
  gai("::1", "80", 0, AF_INET, SOCK_STREAM, 0);
  gai("::1", "80", AI_V4MAPPED, AF_INET, SOCK_STREAM, 0);
  // No host: the loopback or, with AI_PASSIVE, the any address.
  gai(NULL, "80", 0, AF_UNSPEC, SOCK_STREAM, 0);
  gai(NULL, "80", AI_PASSIVE, AF_UNSPEC, SOCK_STREAM, 0);
  gai(NULL, "80", AI_PASSIVE, AF_INET, SOCK_DGRAM, 0);
  gai(NULL, "80", 0, AF_INET6, SOCK_STREAM, 0);
  gai(NULL, "0", AI_PASSIVE, AF_INET6, 0, 0);
  // Services by name.
  gai("127.0.0.1", "http", 0, AF_INET, SOCK_STREAM, 0);
  gai("127.0.0.1", "https", 0, AF_INET, 0, 0);
  gai("127.0.0.1", "domain", 0, AF_INET, 0, 0);
  gai("127.0.0.1", "ssh", 0, AF_INET, SOCK_STREAM, 0);
  gai("127.0.0.1", "ntp", 0, AF_INET, SOCK_DGRAM, 0);
  gai("127.0.0.1", "http", AI_NUMERICSERV, AF_INET, SOCK_STREAM, 0);
  gai("127.0.0.1", "no-such-service", 0, AF_INET, SOCK_STREAM, 0);
  gai("127.0.0.1", "http", 0, AF_INET, SOCK_RAW, 0);
  // Canonical names.
  gai("127.0.0.1", "80", AI_CANONNAME, AF_INET, SOCK_STREAM, 0);
  gai("::1", "80", AI_CANONNAME | AI_NUMERICHOST, AF_INET6, SOCK_STREAM, 0);
  gai("localhost", "80", AI_CANONNAME, AF_INET, SOCK_STREAM, 0);
  gai("localhost", "80", 0, AF_INET6, SOCK_STREAM, 0);
  gai("localhost", "80", AI_NUMERICHOST, AF_INET, SOCK_STREAM, 0);
  gai("127.0.0.1", "80", AI_ADDRCONFIG, AF_INET, SOCK_STREAM, 0);
  // Bad input.
  gai(NULL, NULL, 0, AF_UNSPEC, 0, 0);
  gai(NULL, "80", AI_CANONNAME, AF_UNSPEC, SOCK_STREAM, 0);
  gai("127.0.0.1", "80", 0x10000, AF_UNSPEC, SOCK_STREAM, 0);
  gai("127.0.0.1", "80", 0, AF_UNIX, SOCK_STREAM, 0);
  gai("127.0.0.1", "80", 0, 12345, SOCK_STREAM, 0);
  gai("127.0.0.1", "80", 0, AF_INET, 12345, 0);
  gai("127.0.0.1", "80", 0, AF_INET, SOCK_STREAM, IPPROTO_UDP);
  gai("127.0.0.1", "80", 0, AF_INET, 0, 12345);
  gai("", "80", 0, AF_INET, SOCK_STREAM, 0);
  gai("", "80", AI_NUMERICHOST, AF_INET, SOCK_STREAM, 0);
  gai("not an address", "80", AI_NUMERICHOST, AF_UNSPEC, SOCK_STREAM, 0);
  gai("1.2.3.4.5", "80", AI_NUMERICHOST, AF_UNSPEC, SOCK_STREAM, 0);
  gai("127.0.0.1", "", 0, AF_INET, SOCK_STREAM, 0);

  // getnameinfo.
  gni("127.0.0.1", 80, NI_NUMERICHOST | NI_NUMERICSERV, 256, 32);
  gni("127.0.0.1", 80, NI_NUMERICHOST, 256, 32);
  gni("127.0.0.1", 53, NI_NUMERICHOST | NI_DGRAM, 256, 32);
  gni("127.0.0.1", 4444, NI_NUMERICHOST, 256, 32);
  gni("127.0.0.1", 80, 0, 256, 32);
  gni("::1", 443, 0, 256, 32);
  gni("2001:db8::1", 443, NI_NUMERICHOST, 256, 0);
  gni("::ffff:10.0.0.1", 443, NI_NUMERICHOST, 256, 0);
  gni("127.0.0.1", 80, NI_NUMERICHOST, 4, 32);
  gni("127.0.0.1", 80, NI_NUMERICSERV, 256, 2);
  gni("127.0.0.1", 80, 0, 0, 0);
  gni("127.0.0.1", 80, 0x4000, 256, 32);
  {
    struct sockaddr_in in = {0};
    in.sin_family = AF_INET;
    char h[256];
    printf("getnameinfo short: %s\n",
           eai_name(getnameinfo((struct sockaddr*)&in, 4, h, sizeof h, NULL, 0,
                                NI_NUMERICHOST)));
    in.sin_family = AF_INET6;
    printf("getnameinfo short AF_INET6: %s\n",
           eai_name(getnameinfo((struct sockaddr*)&in, sizeof in, h, sizeof h,
                                NULL, 0, NI_NUMERICHOST)));
  }

  // The older interfaces.
  ghbn("127.0.0.1");
  ghbn("localhost");
  {
    struct in_addr a;
    inet_pton(AF_INET, "127.0.0.1", &a);
    struct hostent* he = gethostbyaddr(&a, 4, AF_INET);
    printf("gethostbyaddr(127.0.0.1): %s\n", he ? he->h_name : "NULL");
  }
  for (int e = -12; e <= 0; e++)
    CHECK(gai_strerror(e) && *gai_strerror(e));
  printf("done\n");
  return 0;
}
