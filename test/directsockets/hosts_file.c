// The static hosts table: an /etc/hosts in the program's filesystem
// (embedded by the harness from hosts_file.txt) is read as glibc reads it;
// names it lacks go to the browser's resolver as placeholders, which
// getnameinfo turns back into the name. Nothing here touches the network.
#define _GNU_SOURCE
#include <netdb.h>

#include "check.h"

// The addresses getaddrinfo gives, space-separated, or "EAI <code>".
static const char* lookup(const char* name, int family, int flags) {
  static char out[512];
  struct addrinfo hints = {0}, *res;
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = flags;
  int r = getaddrinfo(name, "80", &hints, &res);
  if (r) {
    snprintf(out, sizeof out, "EAI %d", r);
    return out;
  }
  out[0] = 0;
  for (struct addrinfo* ai = res; ai; ai = ai->ai_next) {
    char host[INET6_ADDRSTRLEN];
    void* a = ai->ai_family == AF_INET
                  ? (void*)&((struct sockaddr_in*)ai->ai_addr)->sin_addr
                  : (void*)&((struct sockaddr_in6*)ai->ai_addr)->sin6_addr;
    inet_ntop(ai->ai_family, a, host, sizeof host);
    if (out[0])
      strcat(out, " ");
    strcat(out, host);
    if (ai->ai_canonname) {
      strcat(out, " canon ");
      strcat(out, ai->ai_canonname);
    }
  }
  freeaddrinfo(res);
  return out;
}

#define EXPECT_LOOKUP(name, family, flags, want)                               \
  do {                                                                         \
    const char* got_ = lookup(name, family, flags);                            \
    printf("%s: %s\n", name, got_);                                            \
    if (strcmp(got_, want) != 0) {                                             \
      printf("FAIL %s:%d: expected %s\n", __FILE__, __LINE__, want);           \
      quit(1);                                                                 \
    }                                                                          \
  } while (0)

static const char* name_of(const char* addr, int flags) {
  static char host[256];
  struct sockaddr_in6 in6 = {0};
  struct sockaddr_in in = {0};
  struct sockaddr* sa;
  socklen_t len;
  if (strchr(addr, ':')) {
    in6.sin6_family = AF_INET6;
    CHECK(inet_pton(AF_INET6, addr, &in6.sin6_addr) == 1);
    sa = (struct sockaddr*)&in6;
    len = sizeof in6;
  } else {
    in.sin_family = AF_INET;
    CHECK(inet_pton(AF_INET, addr, &in.sin_addr) == 1);
    sa = (struct sockaddr*)&in;
    len = sizeof in;
  }
  int r = getnameinfo(sa, len, host, sizeof host, NULL, 0, flags);
  if (r)
    snprintf(host, sizeof host, "EAI %d", r);
  return host;
}

int main(void) {
  // From the hosts file: file order, aliases, case, comments.
  EXPECT_LOOKUP("db", AF_INET, AI_CANONNAME, "10.0.0.7 canon db.internal");
  EXPECT_LOOKUP("DB.Internal", AF_INET, 0, "10.0.0.7");
  EXPECT_LOOKUP("multi", AF_INET, 0, "10.0.0.1 10.0.0.2");
  EXPECT_LOOKUP("v6only", AF_INET6, 0, "fd00::5");
  // RFC 6724 order: IPv4 (precedence 35) before a ULA (3), after ::1 (50).
  EXPECT_LOOKUP("both", AF_UNSPEC, 0, "10.0.0.6 fd00::6");
  EXPECT_LOOKUP("localhost", AF_UNSPEC, 0, "::1 127.0.0.1");
  EXPECT_LOOKUP("db", AF_INET6, AI_V4MAPPED, "::ffff:10.0.0.7");
  EXPECT_LOOKUP("both", AF_INET6, AI_V4MAPPED | AI_ALL,
                "fd00::6 ::ffff:10.0.0.6");
  // The file replaces the built-in table; commented-out names are absent.
  // glibc reads ::1 as 127.0.0.1 for AF_INET: localhost twice.
  EXPECT_LOOKUP("localhost", AF_INET, 0, "127.0.0.1 127.0.0.1");
  EXPECT_LOOKUP("localhost", AF_INET6, 0, "::1");
  EXPECT_LOOKUP("mylocal", AF_INET, 0, "127.0.0.1"); // ::1 read for AF_INET
  CHECK(strcmp(name_of("10.0.0.7", 0), "db.internal") == 0);
  CHECK(strcmp(name_of("fd00::5", NI_NAMEREQD), "v6only") == 0);
  CHECK(strcmp(name_of("10.9.9.9", NI_NAMEREQD), "EAI -2") == 0);

  // Other names: placeholders, one per name and family, stable.
  EXPECT_LOOKUP("commented", AF_INET, AI_CANONNAME,
                "240.0.0.1 canon commented");
  EXPECT_LOOKUP("example.test", AF_UNSPEC, 0, "240.0.0.2 100::2");
  EXPECT_LOOKUP("example.test", AF_INET6, 0, "100::2");
  EXPECT_LOOKUP("example.test", AF_INET6, AI_V4MAPPED | AI_ALL,
                "100::2 ::ffff:240.0.0.2");
  EXPECT_LOOKUP("commented", AF_UNSPEC, 0, "240.0.0.1 100::1");
  CHECK(strcmp(name_of("240.0.0.2", 0), "example.test") == 0);
  CHECK(strcmp(name_of("100::1", NI_NAMEREQD), "commented") == 0);
  CHECK(strcmp(name_of("::ffff:240.0.0.2", 0), "example.test") == 0);
  CHECK(strcmp(name_of("240.0.0.2", NI_NUMERICHOST), "240.0.0.2") == 0);
  CHECK(strcmp(name_of("240.0.0.99", 0), "240.0.0.99") == 0);
  // Names no resolver would be asked about.
  EXPECT_LOOKUP("no spaces", AF_INET, 0, "EAI -2");
  EXPECT_LOOKUP("a..b", AF_INET, 0, "EAI -2");
  EXPECT_LOOKUP("", AF_INET, 0, "EAI -2");
  printf("done\n");
  return 0;
}
