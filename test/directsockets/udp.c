// UDP over IPv4 and IPv6: message boundaries, MSG_PEEK,
// truncation (MSG_TRUNC in msg_flags, and the real length with MSG_TRUNC in
// flags), FIONREAD as the next datagram's size, the source address and
// msg_namelen, sendmmsg/recvmmsg, and a connected socket's peer filter.
#include "check.h"

#include <sys/ioctl.h>

static const int families[] = {AF_INET, AF_INET6};
static int fi, family, max;
static int u1, u2, u3;
static struct sockaddr_storage a1, a2;
static socklen_t len1, len2;
static char buf[70000];
static struct sockaddr_storage from;
static socklen_t from_len;
static struct iovec iov;
static struct msghdr m;

static int pending(int fd) {
  int n = -1;
  CHECK(ioctl(fd, FIONREAD, &n) == 0);
  return n;
}

static int bound_socket(struct sockaddr_storage* addr, socklen_t* len) {
  int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
  CHECK(fd >= 0);
  *len = loopback(family, 0, addr);
  CHECK(bind(fd, (struct sockaddr*)addr, *len) == 0);
  *len = loopback(family, local_port(fd), addr);
  return fd;
}

static int test(void) {
  TASK_BEGIN;
  for (fi = 0; fi < 2; fi++) {
    family = families[fi];
    printf("%s\n", family == AF_INET ? "IPv4" : "IPv6");
    u1 = bound_socket(&a1, &len1);
    u2 = bound_socket(&a2, &len2);
    EXPECT_ERR("recv, nothing there", recv(u1, buf, sizeof buf, 0), EAGAIN);
    EXPECT_EQ("FIONREAD, nothing there", pending(u1), 0);
    EXPECT_EQ("poll, nothing there", ready(u1, POLLIN | POLLOUT), POLLOUT);

    EXPECT_EQ("sendto one", sendto(u2, "one", 3, 0, (struct sockaddr*)&a1, len1), 3);
    EXPECT_EQ("sendto four", sendto(u2, "four", 4, 0, (struct sockaddr*)&a1, len1), 4);
    EXPECT_EQ("sendto ab", sendto(u2, "ab", 2, 0, (struct sockaddr*)&a1, len1), 2);
    EXPECT_EQ("sendto cd", sendto(u2, "cd", 2, 0, (struct sockaddr*)&a1, len1), 2);
    AWAIT(ready(u1, POLLIN));
    EXPECT_EQ("poll", ready(u1, POLLIN | POLLOUT), POLLIN | POLLOUT);
    EXPECT_EQ("FIONREAD (next datagram)", pending(u1), 3);
    EXPECT_EQ("recv MSG_PEEK", recv(u1, buf, sizeof buf, MSG_PEEK), 3);
    EXPECT_EQ("recv 1 byte, MSG_TRUNC: full length", recv(u1, buf, 1, MSG_TRUNC), 3);
    EXPECT_EQ("  first byte", buf[0] == 'o', 1);

    AWAIT(ready(u1, POLLIN));
    EXPECT_EQ("FIONREAD (next datagram)", pending(u1), 4);
    iov = (struct iovec){buf, 2};
    m = (struct msghdr){0};
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    EXPECT_EQ("recvmsg into 2 bytes", recvmsg(u1, &m, 0), 2);
    EXPECT_EQ("  msg_flags MSG_TRUNC", m.msg_flags, MSG_TRUNC);
    EXPECT_EQ("  msg_namelen", m.msg_namelen, len2);
    EXPECT_EQ("  source is the sender", port_of(&from) == port_of(&a2), 1);

    from_len = sizeof from;
    AWAIT(ready(u1, POLLIN));
    EXPECT_EQ("recvfrom keeps boundaries", recvfrom(u1, buf, sizeof buf, 0, (struct sockaddr*)&from, &from_len), 2);
    EXPECT_EQ("  address length", from_len, len2);
    EXPECT_EQ("  source is the sender", port_of(&from) == port_of(&a2), 1);
    AWAIT(ready(u1, POLLIN));
    iov.iov_len = sizeof buf;
    m.msg_namelen = sizeof from;
    EXPECT_EQ("recvmsg", recvmsg(u1, &m, 0), 2);
    EXPECT_EQ("  msg_flags", m.msg_flags, 0);
    EXPECT_EQ("  cd", memcmp(buf, "cd", 2) == 0, 1);
    EXPECT_ERR("recv, drained", recv(u1, buf, sizeof buf, 0), EAGAIN);

    // What sendto refuses.
    // The largest payload: 65535 less the headers (IPv6's not counted).
    max = family == AF_INET ? 65507 : 65527;
    EXPECT_EQ("sendto the largest datagram", sendto(u2, buf, max, 0, (struct sockaddr*)&a1, len1), max);
    EXPECT_ERR("sendto 1 byte more", sendto(u2, buf, max + 1, 0, (struct sockaddr*)&a1, len1), EMSGSIZE);
    AWAIT(ready(u1, POLLIN));
    EXPECT_EQ("recv the largest datagram", recv(u1, buf, sizeof buf, 0), max);
    struct sockaddr_storage port0;
    socklen_t port0_len = loopback(family, 0, &port0);
    EXPECT_ERR("sendto port 0", sendto(u2, "x", 1, 0, (struct sockaddr*)&port0, port0_len), EINVAL);

    // sendmmsg and recvmmsg move several datagrams per call.
    {
      struct mmsghdr out[3];
      struct iovec oiov[3];
      const char* words[3] = {"x", "yy", "zzz"};
      for (int i = 0; i < 3; i++) {
        oiov[i] = (struct iovec){(void*)words[i], strlen(words[i])};
        out[i].msg_hdr = (struct msghdr){.msg_name = &a1, .msg_namelen = len1, .msg_iov = &oiov[i], .msg_iovlen = 1};
      }
      EXPECT_EQ("sendmmsg 3", sendmmsg(u2, out, 3, 0), 3);
      EXPECT_EQ("  msg_len", out[0].msg_len + out[1].msg_len + out[2].msg_len, 6);
    }
    AWAIT(ready(u1, POLLIN));
    AWAIT_MS(200); // let the other two arrive
    {
      struct mmsghdr in[4];
      char rbuf[4][8];
      struct iovec iiov[4];
      for (int i = 0; i < 4; i++) {
        iiov[i] = (struct iovec){rbuf[i], sizeof rbuf[i]};
        in[i].msg_hdr = (struct msghdr){.msg_iov = &iiov[i], .msg_iovlen = 1};
      }
      EXPECT_EQ("recvmmsg up to 4", recvmmsg(u1, in, 4, MSG_DONTWAIT, NULL), 3);
      EXPECT_EQ("  lengths 1 2 3", in[0].msg_len == 1 && in[1].msg_len == 2 && in[2].msg_len == 3, 1);
      EXPECT_EQ("  zzz", memcmp(rbuf[2], "zzz", 3) == 0, 1);
    }

    // A connected socket sends to its peer and takes datagrams from it only.
    EXPECT_EQ("connect", connect(u2, (struct sockaddr*)&a1, len1), 0);
    from_len = sizeof from;
    EXPECT_EQ("getpeername", getpeername(u2, (struct sockaddr*)&from, &from_len), 0);
    EXPECT_EQ("  peer", port_of(&from) == port_of(&a1), 1);
    EXPECT_EQ("send", send(u2, "hi", 2, 0), 2);
    AWAIT(ready(u1, POLLIN));
    EXPECT_EQ("recv", recv(u1, buf, sizeof buf, 0), 2);
    u3 = socket(family, SOCK_DGRAM | SOCK_NONBLOCK, 0);
    EXPECT_EQ("sendto from a stranger", sendto(u3, "no", 2, 0, (struct sockaddr*)&a2, len2), 2);
    AWAIT_MS(50);
    EXPECT_EQ("sendto from the peer", sendto(u1, "yes", 3, 0, (struct sockaddr*)&a2, len2), 3);
    AWAIT(ready(u2, POLLIN));
    AWAIT_MS(100); // time for the stranger's to arrive, were it let in
    EXPECT_EQ("recv", recv(u2, buf, sizeof buf, 0), 3);
    EXPECT_ERR("recv, stranger's was dropped", recv(u2, buf, sizeof buf, 0), EAGAIN);
    struct sockaddr unspec = {.sa_family = AF_UNSPEC};
    EXPECT_EQ("connect AF_UNSPEC", connect(u2, &unspec, sizeof unspec), 0);
    from_len = sizeof from;
    EXPECT_ERR("getpeername", getpeername(u2, (struct sockaddr*)&from, &from_len), ENOTCONN);
    EXPECT_ERR("send", send(u2, "hi", 2, 0), EDESTADDRREQ);
    close(u1);
    close(u2);
    close(u3);
  }
  TASK_END;
}

int main(void) { run_task(test); }
