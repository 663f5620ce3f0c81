// Moving bytes over a TCP connection with every call that can: send, sendto,
// sendmsg, write, writev; recv, recvfrom, recvmsg, read, readv. MSG_PEEK,
// MSG_TRUNC, MSG_WAITALL with the bytes already there, MSG_NOSIGNAL, and
// MSG_DONTWAIT on a blocking socket; FIONREAD; what recvmsg and recvfrom
// fill in for a stream socket.
#include "check.h"

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

static int lfd, cfd, afd;
static struct sockaddr_storage addr;
static socklen_t addr_len;
static char buf[64], a[3], b[4];
static struct iovec wv[3], rv[2];
static struct msghdr m;
static struct sockaddr_storage from;

static int pending(int fd) {
  int n = -1;
  CHECK(ioctl(fd, FIONREAD, &n) == 0);
  return n;
}

static int test(void) {
  TASK_BEGIN;
  addr_len = listener(AF_INET6, SOCK_NONBLOCK, &lfd, &addr);
  cfd = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
  CHECK(connect(cfd, (struct sockaddr*)&addr, addr_len) == -1 && errno == EINPROGRESS);
  AWAIT((afd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0 || errno != EAGAIN);
  CHECK(afd >= 0);
  AWAIT(ready(cfd, POLLOUT));

  EXPECT_EQ("FIONREAD, nothing yet", pending(afd), 0);
  EXPECT_ERR("recv, nothing yet", recv(afd, buf, sizeof buf, 0), EAGAIN);
  EXPECT_ERR("read, nothing yet", read(afd, buf, sizeof buf), EAGAIN);
  EXPECT_EQ("send", send(cfd, "hello", 5, 0), 5);
  AWAIT(pending(afd) == 5);
  EXPECT_EQ("FIONREAD", pending(afd), 5);
  EXPECT_EQ("recv 0 bytes, bytes there", recv(afd, buf, 0, 0), 0);
  EXPECT_EQ("poll", ready(afd, POLLIN | POLLOUT), POLLIN | POLLOUT);
  memset(buf, 0, sizeof buf);
  EXPECT_EQ("recv MSG_PEEK 2", recv(afd, buf, 2, MSG_PEEK), 2);
  EXPECT_EQ("  peeked he", memcmp(buf, "he", 2) == 0, 1);
  EXPECT_EQ("recv MSG_PEEK all", recv(afd, buf, sizeof buf, MSG_PEEK), 5);
  EXPECT_EQ("FIONREAD after peeking", pending(afd), 5);
  EXPECT_EQ("recv 2", recv(afd, buf, 2, 0), 2);
  EXPECT_EQ("  got he", memcmp(buf, "he", 2) == 0, 1);
  EXPECT_EQ("recv MSG_TRUNC 1 (discards)", recv(afd, NULL, 1, MSG_TRUNC), 1);
  EXPECT_EQ("read", read(afd, buf, sizeof buf), 2);
  EXPECT_EQ("  got lo", memcmp(buf, "lo", 2) == 0, 1);
  // A recv of 0 bytes waits for data like any other.
  EXPECT_EQ("send 0 bytes", send(cfd, buf, 0, 0), 0);
  EXPECT_ERR("recv 0 bytes, nothing there", recv(afd, buf, 0, 0), EAGAIN);

  // Every way of sending, in order, arrives as one stream.
  EXPECT_EQ("write", write(cfd, "ab", 2), 2);
  wv[0] = (struct iovec){"cd", 2};
  wv[1] = (struct iovec){"", 0};
  wv[2] = (struct iovec){"efg", 3};
  EXPECT_EQ("writev", writev(cfd, wv, 3), 5);
  m = (struct msghdr){0};
  m.msg_iov = wv;
  m.msg_iovlen = 3;
  EXPECT_EQ("sendmsg", sendmsg(cfd, &m, 0), 5);
  EXPECT_EQ("sendto without address", sendto(cfd, "hi", 2, 0, NULL, 0), 2);
  EXPECT_EQ("send MSG_NOSIGNAL", send(cfd, "jk", 2, MSG_NOSIGNAL), 2);
  EXPECT_EQ("send MSG_DONTWAIT", send(cfd, "lm", 2, MSG_DONTWAIT), 2);
  AWAIT(pending(afd) == 18);
  EXPECT_EQ("FIONREAD", pending(afd), 18);

  rv[0] = (struct iovec){a, sizeof a};
  rv[1] = (struct iovec){b, sizeof b};
  EXPECT_EQ("readv", readv(afd, rv, 2), 7);
  EXPECT_EQ("  abc|defg", memcmp(a, "abc", 3) == 0 && memcmp(b, "defg", 4) == 0, 1);
  // A stream socket names no source: recvmsg and recvfrom set lengths to 0.
  memset(&m, 0, sizeof m);
  rv[0].iov_len = 3;
  rv[1].iov_len = 2;
  m.msg_iov = rv;
  m.msg_iovlen = 2;
  m.msg_name = &from;
  m.msg_namelen = sizeof from;
  m.msg_flags = -1;
  EXPECT_EQ("recvmsg", recvmsg(afd, &m, 0), 5);
  EXPECT_EQ("  cde|fg", memcmp(a, "cde", 3) == 0 && memcmp(b, "fg", 2) == 0, 1);
  EXPECT_EQ("  msg_namelen", m.msg_namelen, 0);
  EXPECT_EQ("  msg_flags", m.msg_flags, 0);
  socklen_t from_len = sizeof from;
  EXPECT_EQ("recvfrom", recvfrom(afd, buf, 2, 0, (struct sockaddr*)&from, &from_len), 2);
  EXPECT_EQ("  address length", from_len, 0);
  EXPECT_EQ("recv MSG_WAITALL, bytes there", recv(afd, buf, 4, MSG_WAITALL), 4);
  EXPECT_EQ("  jklm", memcmp(buf, "jklm", 4) == 0, 1);
  EXPECT_EQ("send", send(cfd, "no", 2, 0), 2);
  AWAIT(pending(afd) == 2);
  EXPECT_EQ("recv MSG_WAITALL, fewer there", recv(afd, buf, 8, MSG_WAITALL | MSG_DONTWAIT), 2);
  EXPECT_EQ("FIONREAD, drained", pending(afd), 0);

  // MSG_DONTWAIT makes one call on a blocking socket non-blocking.
  CHECK(fcntl(afd, F_SETFL, 0) == 0);
  EXPECT_ERR("recv MSG_DONTWAIT, blocking socket", recv(afd, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
  EXPECT_ERR("recvmsg MSG_DONTWAIT, blocking socket", recvmsg(afd, &m, MSG_DONTWAIT), EAGAIN);

  // Bytes flow the other way too.
  EXPECT_EQ("send, accepted side", send(afd, "back", 4, 0), 4);
  AWAIT(pending(cfd) == 4);
  EXPECT_EQ("recv, client", recv(cfd, buf, sizeof buf, 0), 4);
  EXPECT_EQ("  back", memcmp(buf, "back", 4) == 0, 1);
  close(afd);
  close(cfd);
  close(lfd);
  TASK_END;
}

int main(void) { run_task(test); }
