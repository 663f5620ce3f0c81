// Multicast for real, across two network namespaces the harness makes
// (test_directsockets.py, multicast_namespaces): this program runs in 'b'
// (10.77.0.2, fd77::2), multicast_peer.py in 'a' (10.77.0.1, 10.77.0.3,
// fd77::1, fd77::3), a veth pair between them over which multicast is
// routed. On request, over a control socket, the peer sends to a group, or
// watches one and reports what reached it and with which TTL.
//
// Joining and leaving (IPv4 and IPv6, by any source and source-specific,
// before and after bind), two receivers sharing a port, the TTL and hop
// limit on the wire, loopback on and off, and the errnos of memberships.
// Differential: the native and the wasm build print the same lines.
//
//   multicast CONTROL_PORT
#include "check.h"

#include <stdarg.h>

static int ctl, r, r2, r3, r4, r5, r6, r7, rl, s, s6, sl, sl2, e, e6;
static struct sockaddr_in peer;
static char reply[128], text[128], from[INET6_ADDRSTRLEN];

static int set(int fd, int level, int name, int v) {
  return setsockopt(fd, level, name, &v, sizeof v);
}

static int get(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  return getsockopt(fd, level, name, &v, &len) == 0 ? v : -1;
}

static socklen_t address(const char* host, int port,
                         struct sockaddr_storage* ss) {
  memset(ss, 0, sizeof *ss);
  if (strchr(host, ':')) {
    struct sockaddr_in6* a = (struct sockaddr_in6*)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    CHECK(inet_pton(AF_INET6, host, &a->sin6_addr) == 1);
    return sizeof *a;
  }
  struct sockaddr_in* a = (struct sockaddr_in*)ss;
  a->sin_family = AF_INET;
  a->sin_port = htons(port);
  CHECK(inet_pton(AF_INET, host, &a->sin_addr) == 1);
  return sizeof *a;
}

static int set_byte(int fd, int level, int name, unsigned char v) {
  return setsockopt(fd, level, name, &v, 1);
}

// Binds fd to the any address of its family and `port`.
static int bind_any(int fd, int port) {
  int family = get(fd, SOL_SOCKET, SO_DOMAIN);
  struct sockaddr_storage ss;
  socklen_t len = address(family == AF_INET6 ? "::" : "0.0.0.0", port, &ss);
  return bind(fd, (struct sockaddr*)&ss, len);
}

// A non-blocking UDP socket bound to the any address of `family` and
// `port`, sharing the port when `reuse`.
static int receiver(int family, int port, int reuse) {
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  CHECK(fd >= 0);
  if (reuse)
    CHECK(set(fd, SOL_SOCKET, SO_REUSEADDR, 1) == 0);
  CHECK(bind_any(fd, port) == 0);
  return fd;
}

static int send_text(int fd, const char* host, int port, const char* what) {
  struct sockaddr_storage ss;
  socklen_t len = address(host, port, &ss);
  return (int)sendto(fd, what, strlen(what), 0, (struct sockaddr*)&ss, len);
}

static struct ip_mreq mreq(const char* group) {
  struct ip_mreq m = {0};
  CHECK(inet_pton(AF_INET, group, &m.imr_multiaddr) == 1);
  return m;
}

static struct ip_mreq_source mreq_source(const char* group, const char* src) {
  struct ip_mreq_source m = {0};
  CHECK(inet_pton(AF_INET, group, &m.imr_multiaddr) == 1);
  CHECK(inet_pton(AF_INET, src, &m.imr_sourceaddr) == 1);
  return m;
}

static struct ipv6_mreq mreq6(const char* group) {
  struct ipv6_mreq m = {0};
  CHECK(inet_pton(AF_INET6, group, &m.ipv6mr_multiaddr) == 1);
  return m;
}

static struct group_req group_req(const char* group) {
  struct group_req g = {0};
  address(group, 0, &g.gr_group);
  return g;
}

static struct group_source_req group_source_req(const char* group,
                                                const char* src) {
  struct group_source_req g = {0};
  address(group, 0, &g.gsr_group);
  address(src, 0, &g.gsr_source);
  return g;
}

#define SET(fd, level, name, value)                                            \
  setsockopt(fd, level, name, &(value), sizeof(value))

// Membership changes, their structures built here (a task keeps no locals
// across an AWAIT).
static int ip_membership(int fd, int name, const char* group) {
  struct ip_mreq m = mreq(group);
  return SET(fd, IPPROTO_IP, name, m);
}

static int ip_source_membership(int fd, int name, const char* group,
                                const char* src) {
  struct ip_mreq_source m = mreq_source(group, src);
  return SET(fd, IPPROTO_IP, name, m);
}

static int ipv6_membership(int fd, int name, const char* group) {
  struct ipv6_mreq m = mreq6(group);
  return SET(fd, IPPROTO_IPV6, name, m);
}

static int mcast_source(int fd, int level, int name, const char* group,
                        const char* src) {
  struct group_source_req g = group_source_req(group, src);
  return SET(fd, level, name, g);
}

// Sends a command to the peer; AWAIT(replied()) waits for its answer.
static void command(const char* fmt, ...) {
  char buf[128];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  reply[0] = 0;
  CHECK(sendto(ctl, buf, strlen(buf), 0, (struct sockaddr*)&peer,
               sizeof peer) == (ssize_t)strlen(buf));
}

static int replied(void) {
  ssize_t n = recv(ctl, reply, sizeof reply - 1, MSG_DONTWAIT);
  if (n <= 0)
    return 0;
  reply[n] = 0;
  return 1;
}

// Event-loop mode cannot wait inside setsockopt: the browser joins or
// leaves a group after the call returned (README). There the program gives
// it a moment before the group is sent to. Natively, under JSPI and on a
// pthread the membership is in force when setsockopt returns: no wait.
static int changes_later(void) {
#ifdef __EMSCRIPTEN__
  return !emscripten_has_asyncify() && emscripten_is_main_runtime_thread();
#else
  return 0;
#endif
}

#define SETTLE()                                                               \
  do {                                                                         \
    if (changes_later())                                                       \
      AWAIT_MS(200);                                                           \
  } while (0)

#define ASK(...)                                                               \
  do {                                                                         \
    command(__VA_ARGS__);                                                      \
    AWAIT(replied());                                                          \
  } while (0)

// Takes the datagram waiting on fd, prints it with its sender, and checks
// that it is `want`.
static void take(const char* what, int fd, const char* want) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  ssize_t n = recvfrom(fd, text, sizeof text - 1, MSG_DONTWAIT,
                       (struct sockaddr*)&ss, &len);
  CHECK(n >= 0);
  text[n] = 0;
  const void* a = ss.ss_family == AF_INET6
                      ? (const void*)&((struct sockaddr_in6*)&ss)->sin6_addr
                      : (const void*)&((struct sockaddr_in*)&ss)->sin_addr;
  inet_ntop(ss.ss_family, a, from, sizeof from);
  printf("%s: %s from %s\n", what, text, from);
  CHECK(strcmp(text, want) == 0);
}

// Waits for a datagram on fd and takes it.
#define RECEIVE(what, fd, want)                                                \
  do {                                                                         \
    AWAIT(ready(fd, POLLIN) & POLLIN);                                         \
    take(what, fd, want);                                                      \
  } while (0)

static void membership_errors(void) {
  struct ip_mreq m = mreq("239.77.0.20");
  EXPECT_EQ("IP_ADD_MEMBERSHIP", SET(e, IPPROTO_IP, IP_ADD_MEMBERSHIP, m), 0);
  EXPECT_ERR("  again", SET(e, IPPROTO_IP, IP_ADD_MEMBERSHIP, m), EADDRINUSE);
  struct ip_mreqn n = {m.imr_multiaddr, {0}, 0};
  EXPECT_ERR("  again, as ip_mreqn", SET(e, IPPROTO_IP, IP_ADD_MEMBERSHIP, n), EADDRINUSE);
  EXPECT_EQ("IP_DROP_MEMBERSHIP", SET(e, IPPROTO_IP, IP_DROP_MEMBERSHIP, m), 0);
  EXPECT_ERR("  again", SET(e, IPPROTO_IP, IP_DROP_MEMBERSHIP, m), EADDRNOTAVAIL);
  struct ip_mreq unicast = mreq("10.77.0.99");
  EXPECT_ERR("  a unicast group", SET(e, IPPROTO_IP, IP_DROP_MEMBERSHIP, unicast), EADDRNOTAVAIL);
  EXPECT_ERR("IP_ADD_MEMBERSHIP unicast", SET(e, IPPROTO_IP, IP_ADD_MEMBERSHIP, unicast), EINVAL);

  struct ip_mreq_source s1 = mreq_source("232.77.0.20", "10.77.0.1");
  struct ip_mreq_source s3 = mreq_source("232.77.0.20", "10.77.0.3");
  struct ip_mreq_source s5 = mreq_source("232.77.0.20", "10.77.0.5");
  EXPECT_ERR("IP_DROP_SOURCE_MEMBERSHIP, not joined", SET(e, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, s1), EINVAL);
  EXPECT_EQ("IP_ADD_SOURCE_MEMBERSHIP", SET(e, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, s1), 0);
  EXPECT_ERR("  again", SET(e, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, s1), EADDRNOTAVAIL);
  EXPECT_EQ("  a second source", SET(e, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, s3), 0);
  struct ip_mreq g = mreq("232.77.0.20");
  EXPECT_ERR("  IP_ADD_MEMBERSHIP of its group", SET(e, IPPROTO_IP, IP_ADD_MEMBERSHIP, g), EADDRINUSE);
  EXPECT_ERR("IP_DROP_SOURCE_MEMBERSHIP, not a source", SET(e, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, s5), EADDRNOTAVAIL);
  EXPECT_EQ("IP_DROP_SOURCE_MEMBERSHIP", SET(e, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, s1), 0);
  EXPECT_EQ("  the last source", SET(e, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, s3), 0);
  EXPECT_ERR("  again: the group is left", SET(e, IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, s3), EINVAL);
  EXPECT_EQ("IP_ADD_SOURCE_MEMBERSHIP", SET(e, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, s1), 0);
  EXPECT_EQ("  IP_DROP_MEMBERSHIP of its group", SET(e, IPPROTO_IP, IP_DROP_MEMBERSHIP, g), 0);

  struct group_req gr = group_req("239.77.0.21");
  EXPECT_EQ("MCAST_JOIN_GROUP", SET(e, IPPROTO_IP, MCAST_JOIN_GROUP, gr), 0);
  EXPECT_ERR("  again", SET(e, IPPROTO_IP, MCAST_JOIN_GROUP, gr), EADDRINUSE);
  EXPECT_EQ("MCAST_LEAVE_GROUP", SET(e, IPPROTO_IP, MCAST_LEAVE_GROUP, gr), 0);
  EXPECT_ERR("  again", SET(e, IPPROTO_IP, MCAST_LEAVE_GROUP, gr), EADDRNOTAVAIL);
  struct group_source_req gs = group_source_req("232.77.0.21", "10.77.0.1");
  EXPECT_EQ("MCAST_JOIN_SOURCE_GROUP", SET(e, IPPROTO_IP, MCAST_JOIN_SOURCE_GROUP, gs), 0);
  EXPECT_ERR("  again", SET(e, IPPROTO_IP, MCAST_JOIN_SOURCE_GROUP, gs), EADDRNOTAVAIL);
  EXPECT_EQ("MCAST_LEAVE_SOURCE_GROUP", SET(e, IPPROTO_IP, MCAST_LEAVE_SOURCE_GROUP, gs), 0);
  EXPECT_ERR("  again", SET(e, IPPROTO_IP, MCAST_LEAVE_SOURCE_GROUP, gs), EINVAL);

  struct ipv6_mreq m6 = mreq6("ff15::7720");
  EXPECT_EQ("IPV6_JOIN_GROUP", SET(e6, IPPROTO_IPV6, IPV6_JOIN_GROUP, m6), 0);
  EXPECT_ERR("  again", SET(e6, IPPROTO_IPV6, IPV6_JOIN_GROUP, m6), EADDRINUSE);
  EXPECT_EQ("IPV6_LEAVE_GROUP", SET(e6, IPPROTO_IPV6, IPV6_LEAVE_GROUP, m6), 0);
  EXPECT_ERR("  again", SET(e6, IPPROTO_IPV6, IPV6_LEAVE_GROUP, m6), EADDRNOTAVAIL);
  struct group_req gr6 = group_req("ff15::7721");
  EXPECT_EQ("MCAST_JOIN_GROUP (IPv6)", SET(e6, IPPROTO_IPV6, MCAST_JOIN_GROUP, gr6), 0);
  EXPECT_ERR("  again", SET(e6, IPPROTO_IPV6, MCAST_JOIN_GROUP, gr6), EADDRINUSE);
  EXPECT_EQ("MCAST_LEAVE_GROUP (IPv6)", SET(e6, IPPROTO_IPV6, MCAST_LEAVE_GROUP, gr6), 0);
}

static int test(void) {
  TASK_BEGIN;
  ctl = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  CHECK(ctl >= 0);

  printf("membership errors\n");
  e = receiver(AF_INET, 40020, 0);
  e6 = receiver(AF_INET6, 40021, 0);
  membership_errors();

  printf("join, receive, leave\n");
  r = receiver(AF_INET, 40001, 0);
  EXPECT_EQ("IP_ADD_MEMBERSHIP 239.77.0.1", ip_membership(r, IP_ADD_MEMBERSHIP, "239.77.0.1"), 0);
  SETTLE();
  ASK("send 239.77.0.1 40001 joined");
  RECEIVE("received", r, "joined");
  EXPECT_EQ("IP_DROP_MEMBERSHIP", ip_membership(r, IP_DROP_MEMBERSHIP, "239.77.0.1"), 0);
  SETTLE();
  // What the group gets now must not arrive: a datagram sent to this
  // socket after it comes first.
  ASK("send 239.77.0.1 40001 after-leave");
  ASK("send 10.77.0.2 40001 unicast-after");
  RECEIVE("received", r, "unicast-after");

  printf("two receivers sharing a port\n");
  r2 = receiver(AF_INET, 40002, 1);
  r3 = receiver(AF_INET, 40002, 1);
  EXPECT_EQ("first joins", ip_membership(r2, IP_ADD_MEMBERSHIP, "239.77.0.2"), 0);
  EXPECT_EQ("second joins", ip_membership(r3, IP_ADD_MEMBERSHIP, "239.77.0.2"), 0);
  SETTLE();
  ASK("send 239.77.0.2 40002 to-both");
  RECEIVE("first received", r2, "to-both");
  RECEIVE("second received", r3, "to-both");

  printf("source-specific\n");
  r4 = receiver(AF_INET, 40003, 0);
  EXPECT_EQ("IP_ADD_SOURCE_MEMBERSHIP 232.77.0.1 from 10.77.0.1",
            ip_source_membership(r4, IP_ADD_SOURCE_MEMBERSHIP, "232.77.0.1", "10.77.0.1"), 0);
  SETTLE();
  ASK("send-from 10.77.0.3 232.77.0.1 40003 other-source");
  ASK("send-from 10.77.0.1 232.77.0.1 40003 the-source");
  RECEIVE("received", r4, "the-source");
  EXPECT_EQ("IP_DROP_SOURCE_MEMBERSHIP",
            ip_source_membership(r4, IP_DROP_SOURCE_MEMBERSHIP, "232.77.0.1", "10.77.0.1"), 0);

  printf("any source, then one source\n");
  r5 = receiver(AF_INET, 40004, 0);
  EXPECT_EQ("IP_ADD_MEMBERSHIP 239.77.0.4", ip_membership(r5, IP_ADD_MEMBERSHIP, "239.77.0.4"), 0);
  EXPECT_EQ("IP_ADD_SOURCE_MEMBERSHIP from 10.77.0.3",
            ip_source_membership(r5, IP_ADD_SOURCE_MEMBERSHIP, "239.77.0.4", "10.77.0.3"), 0);
  SETTLE();
  ASK("send-from 10.77.0.1 239.77.0.4 40004 other-source");
  ASK("send-from 10.77.0.3 239.77.0.4 40004 the-source");
  RECEIVE("received", r5, "the-source");

  printf("IPv6\n");
  r6 = receiver(AF_INET6, 40006, 0);
  EXPECT_EQ("IPV6_JOIN_GROUP ff15::77", ipv6_membership(r6, IPV6_JOIN_GROUP, "ff15::77"), 0);
  SETTLE();
  ASK("send ff15::77 40006 joined6");
  RECEIVE("received", r6, "joined6");
  EXPECT_EQ("IPV6_LEAVE_GROUP", ipv6_membership(r6, IPV6_LEAVE_GROUP, "ff15::77"), 0);
  EXPECT_EQ("MCAST_JOIN_SOURCE_GROUP ff35::77 from fd77::1",
            mcast_source(r6, IPPROTO_IPV6, MCAST_JOIN_SOURCE_GROUP, "ff35::77", "fd77::1"), 0);
  SETTLE();
  ASK("send ff15::77 40006 after-leave");
  ASK("send-from fd77::3 ff35::77 40006 other-source");
  ASK("send-from fd77::1 ff35::77 40006 the-source");
  RECEIVE("received", r6, "the-source");

  printf("joined before bind\n");
  r7 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  CHECK(r7 >= 0);
  EXPECT_EQ("IP_ADD_MEMBERSHIP 239.77.0.7", ip_membership(r7, IP_ADD_MEMBERSHIP, "239.77.0.7"), 0);
  EXPECT_EQ("bind", bind_any(r7, 40007), 0); // the join is in force now
  SETTLE();
  ASK("send 239.77.0.7 40007 early-join");
  RECEIVE("received", r7, "early-join");

  printf("TTL and hop limit on the wire\n");
  s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  EXPECT_EQ("IP_MULTICAST_TTL 5 (a byte)", set_byte(s, IPPROTO_IP, IP_MULTICAST_TTL, 5), 0);
  EXPECT_EQ("  now", get(s, IPPROTO_IP, IP_MULTICAST_TTL), 5);
  ASK("watch 239.77.0.8 40008");
  EXPECT_EQ("  sendto", send_text(s, "239.77.0.8", 40008, "ttl-five"), 8);
  ASK("seen");
  printf("  peer: %s\n", reply);
  CHECK(strcmp(reply, "got ttl-five ttl=5") == 0);
  s6 = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  EXPECT_EQ("IPV6_MULTICAST_HOPS 7", set(s6, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 7), 0);
  ASK("watch ff15::78 40009");
  EXPECT_EQ("  sendto", send_text(s6, "ff15::78", 40009, "hops-seven"), 10);
  ASK("seen");
  printf("  peer: %s\n", reply);
  CHECK(strcmp(reply, "got hops-seven ttl=7") == 0);

  printf("loopback\n");
  rl = receiver(AF_INET, 40010, 0);
  EXPECT_EQ("IP_ADD_MEMBERSHIP 239.77.0.10", ip_membership(rl, IP_ADD_MEMBERSHIP, "239.77.0.10"), 0);
  SETTLE();
  sl = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  EXPECT_EQ("IP_MULTICAST_LOOP", get(sl, IPPROTO_IP, IP_MULTICAST_LOOP), 1);
  EXPECT_EQ("  sendto", send_text(sl, "239.77.0.10", 40010, "looped"), 6);
  RECEIVE("received", rl, "looped");
  sl2 = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  EXPECT_EQ("IP_MULTICAST_LOOP 0", set(sl2, IPPROTO_IP, IP_MULTICAST_LOOP, 0), 0);
  EXPECT_EQ("  now", get(sl2, IPPROTO_IP, IP_MULTICAST_LOOP), 0);
  EXPECT_EQ("  sendto", send_text(sl2, "239.77.0.10", 40010, "not-looped"), 10);
  ASK("send 10.77.0.2 40010 unicast-after");
  RECEIVE("received", rl, "unicast-after");

  EXPECT_EQ("SO_ERROR of every socket", get(e, SOL_SOCKET, SO_ERROR) + get(e6, SOL_SOCKET, SO_ERROR) +
            get(r, SOL_SOCKET, SO_ERROR) + get(r6, SOL_SOCKET, SO_ERROR) + get(r7, SOL_SOCKET, SO_ERROR), 0);
  TASK_END;
}

int main(int argc, char** argv) {
  CHECK(argc == 2);
  peer.sin_family = AF_INET;
  peer.sin_port = htons(atoi(argv[1]));
  CHECK(inet_pton(AF_INET, "10.77.0.1", &peer.sin_addr) == 1);
  run_task(test);
}
