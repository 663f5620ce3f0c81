// Data through socketpairs and what each end sees: a stream's bytes across
// writes, message boundaries (datagram, seqpacket) with truncation and empty
// messages, MSG_PEEK/MSG_TRUNC, FIONREAD, readiness (POLLIN, POLLOUT,
// POLLRDHUP, POLLHUP, POLLERR), shutdown() of each direction, capacity from
// SO_SNDBUF, and closing one end: EOF and EPIPE for a stream or seqpacket
// pair (ECONNRESET first if data was left unread at the closed end),
// ECONNREFUSED and then ENOTCONN for a datagram pair. Nothing here waits.
#include "check.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#define ALL (POLLIN | POLLOUT | POLLRDHUP)

static char buf[300000];
static int s[2];

static void pair(int type) {
  CHECK(socketpair(AF_UNIX, type | SOCK_NONBLOCK, 0, s) == 0);
}

static void unpair(void) {
  close(s[0]);
  close(s[1]);
}

static int readable(int fd) {
  int n = -1;
  CHECK(ioctl(fd, FIONREAD, &n) == 0);
  return n;
}

static int so_error(int fd) {
  int v = -1;
  socklen_t len = sizeof v;
  CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len) == 0);
  return v;
}

// Sends `chunk`-byte pieces of a counting pattern until EAGAIN; returns the
// total. check_pattern() verifies what arrives.
static long sent_pattern, got_pattern;
static long fill(int fd, size_t chunk) {
  static char piece[65536];
  long total = 0;
  for (;;) {
    for (size_t i = 0; i < chunk; i++)
      piece[i] = (char)((sent_pattern + i) * 7);
    ssize_t n = send(fd, piece, chunk, 0);
    if (n < 0)
      break;
    sent_pattern += n;
    total += n;
  }
  CHECK(errno == EAGAIN);
  return total;
}

static long check_pattern(int fd, size_t chunk) {
  long total = 0;
  ssize_t n;
  while ((n = recv(fd, buf, chunk, 0)) > 0) {
    for (ssize_t i = 0; i < n; i++)
      CHECK(buf[i] == (char)((got_pattern + i) * 7));
    got_pattern += n;
    total += n;
  }
  CHECK(n == -1 && errno == EAGAIN);
  return total;
}

static void stream(void) {
  printf("-- SOCK_STREAM\n");
  pair(SOCK_STREAM);
  EXPECT_EQ("fresh", ready(s[0], ALL), POLLOUT);
  EXPECT_EQ("send abc", send(s[0], "abc", 3, 0), 3);
  EXPECT_EQ("write defgh", write(s[0], "defgh", 5), 5);
  EXPECT_EQ("peer", ready(s[1], ALL), POLLIN | POLLOUT);
  EXPECT_EQ("FIONREAD: every byte", readable(s[1]), 8);
  EXPECT_EQ("recv 2 MSG_PEEK", recv(s[1], buf, 2, MSG_PEEK), 2);
  EXPECT_EQ("recv 4 across the writes", recv(s[1], buf, 4, 0), 4);
  EXPECT_EQ("  bytes", memcmp(buf, "abcd", 4), 0);
  char a[2], b[8];
  struct iovec iov[2] = {{a, 2}, {b, 8}};
  EXPECT_EQ("readv the rest", readv(s[1], iov, 2), 4);
  EXPECT_EQ("  bytes", memcmp(a, "ef", 2) == 0 && memcmp(b, "gh", 2) == 0, 1);
  EXPECT_ERR("recv empty", recv(s[1], buf, 10, 0), EAGAIN);
  EXPECT_ERR("recv 0 bytes of nothing", recv(s[1], buf, 0, 0), EAGAIN);
  EXPECT_EQ("send nothing", send(s[0], "", 0, 0), 0);
  EXPECT_EQ("  peer", ready(s[1], ALL), POLLOUT);
  EXPECT_EQ("send x", send(s[0], "x", 1, 0), 1);
  EXPECT_EQ("recv 0 bytes", recv(s[1], buf, 0, 0), 0);
  struct msghdr msg = {0};
  struct sockaddr_storage from;
  struct iovec one = {buf, 10};
  msg.msg_name = &from;
  msg.msg_namelen = sizeof from;
  msg.msg_iov = &one;
  msg.msg_iovlen = 1;
  EXPECT_EQ("recvmsg", recvmsg(s[1], &msg, 0), 1);
  EXPECT_EQ("  no name, no flags", msg.msg_namelen * 1000 + msg.msg_flags, 0);
  EXPECT_ERR("MSG_OOB with none pending", recv(s[1], buf, 1, MSG_OOB), EINVAL);

  // Shutting down one direction.
  EXPECT_ERR("shutdown 5", shutdown(s[0], 5), EINVAL);
  EXPECT_EQ("SHUT_WR", shutdown(s[0], SHUT_WR), 0);
  EXPECT_EQ("  this end", ready(s[0], ALL), POLLOUT);
  EXPECT_EQ("  peer", ready(s[1], ALL), POLLIN | POLLOUT | POLLRDHUP);
  EXPECT_ERR("  send", send(s[0], "x", 1, MSG_NOSIGNAL), EPIPE);
  EXPECT_EQ("  peer reads EOF", recv(s[1], buf, 10, 0), 0);
  EXPECT_EQ("  peer still sends", send(s[1], "yz", 2, 0), 2);
  EXPECT_EQ("SHUT_RD", shutdown(s[0], SHUT_RD), 0);
  EXPECT_EQ("  this end", ready(s[0], ALL | POLLHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
  EXPECT_EQ("  peer", ready(s[1], ALL | POLLHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
  EXPECT_ERR("  peer sends", send(s[1], "x", 1, MSG_NOSIGNAL), EPIPE);
  EXPECT_EQ("  the data already here", recv(s[0], buf, 10, 0), 2);
  EXPECT_EQ("  then EOF", recv(s[0], buf, 10, 0), 0);
  unpair();

  // Closing one end with data left unread there.
  pair(SOCK_STREAM);
  CHECK(send(s[0], "hello", 5, 0) == 5 && send(s[1], "zz", 2, 0) == 2);
  EXPECT_EQ("close with data unread", close(s[0]), 0);
  EXPECT_EQ("  peer", ready(s[1], ALL | POLLHUP),
            POLLIN | POLLOUT | POLLRDHUP | POLLHUP | POLLERR);
  EXPECT_EQ("  recv 3", recv(s[1], buf, 3, 0), 3);
  EXPECT_EQ("  recv", recv(s[1], buf, 10, 0), 2);
  EXPECT_ERR("  recv", recv(s[1], buf, 10, 0), ECONNRESET);
  EXPECT_EQ("  recv", recv(s[1], buf, 10, 0), 0);
  EXPECT_ERR("  send", send(s[1], "x", 1, MSG_NOSIGNAL), EPIPE);
  EXPECT_ERRNO("  SO_ERROR", so_error(s[1]), 0);
  close(s[1]);
  pair(SOCK_STREAM);
  CHECK(send(s[1], "zz", 2, 0) == 2);
  EXPECT_EQ("close with data unread, nothing to read here", close(s[0]), 0);
  EXPECT_ERRNO("  SO_ERROR", so_error(s[1]), ECONNRESET);
  EXPECT_EQ("  peer", ready(s[1], ALL | POLLHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
  EXPECT_EQ("  read", read(s[1], buf, 10), 0);
  close(s[1]);

  // A dup keeps the end open.
  pair(SOCK_STREAM);
  int copy = dup(s[0]);
  CHECK(copy >= 0);
  EXPECT_EQ("close one of two fds", close(s[0]), 0);
  EXPECT_EQ("  peer", ready(s[1], ALL | POLLHUP), POLLOUT);
  EXPECT_EQ("  send through the dup", send(copy, "q", 1, 0), 1);
  EXPECT_EQ("close the other", close(copy), 0);
  EXPECT_EQ("  peer", ready(s[1], ALL | POLLHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
  EXPECT_EQ("  recv", recv(s[1], buf, 10, 0), 1);
  EXPECT_EQ("  recv", recv(s[1], buf, 10, 0), 0);
  close(s[1]);

  // Capacity: SO_SNDBUF's worth, then EAGAIN; POLLOUT again once the
  // reader has taken most of it; every byte arrives in order.
  pair(SOCK_STREAM);
  long total = fill(s[0], 65536);
  EXPECT_EQ("filled with about SO_SNDBUF (212992)", total > 200000 && total < 330000, 1);
  EXPECT_EQ("  writer", ready(s[0], POLLOUT), 0);
  EXPECT_EQ("  FIONREAD: all of it", readable(s[1]) == total, 1);
  long left = total;
  while (!ready(s[0], POLLOUT)) {
    ssize_t n = recv(s[1], buf, 16384, 0);
    CHECK(n > 0);
    for (ssize_t i = 0; i < n; i++)
      CHECK(buf[i] == (char)((got_pattern + i) * 7));
    got_pattern += n;
    left -= n;
  }
  EXPECT_EQ("  writable again with data still queued", left > 0, 1);
  EXPECT_EQ("  the rest, in order", check_pattern(s[1], sizeof buf) == left, 1);
  int small = 1000;
  CHECK(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small) == 0);
  total = fill(s[0], 65536);
  EXPECT_EQ("filled under SO_SNDBUF 4608", total > 0 && total < 10000, 1);
  EXPECT_EQ("  in order", check_pattern(s[1], sizeof buf) == total, 1);
  unpair();
}

static void messages(int type, const char* name) {
  int dgram = type == SOCK_DGRAM;
  printf("-- %s\n", name);
  pair(type);
  EXPECT_EQ("send abc", send(s[0], "abc", 3, 0), 3);
  EXPECT_EQ("send defgh", send(s[0], "defgh", 5, 0), 5);
  EXPECT_EQ("send an empty message", send(s[0], "", 0, 0), 0);
  EXPECT_EQ("FIONREAD", readable(s[1]), dgram ? 3 : 8);
  EXPECT_EQ("recv 2 MSG_PEEK", recv(s[1], buf, 2, MSG_PEEK), 2);
  EXPECT_EQ("recv 2: the rest of the message is dropped", recv(s[1], buf, 2, 0), 2);
  struct msghdr msg = {0};
  struct iovec one = {buf, 2};
  msg.msg_iov = &one;
  msg.msg_iovlen = 1;
  EXPECT_EQ("recvmsg 2 of 5", recvmsg(s[1], &msg, MSG_PEEK), 2);
  EXPECT_EQ("  MSG_TRUNC", msg.msg_flags, MSG_TRUNC);
  EXPECT_EQ("recv 1 MSG_TRUNC: the length", recv(s[1], buf, 1, MSG_TRUNC), 5);
  EXPECT_EQ("  peer still readable (empty message)", ready(s[1], POLLIN), POLLIN);
  EXPECT_EQ("recv the empty message", recv(s[1], buf, 10, 0), 0);
  EXPECT_ERR("recv", recv(s[1], buf, 10, 0), EAGAIN);
  EXPECT_ERR("MSG_OOB", send(s[0], "x", 1, MSG_OOB), EOPNOTSUPP);
  EXPECT_ERR("212961 bytes", send(s[0], buf, 212961, 0), EMSGSIZE);
  EXPECT_EQ("212960 bytes", send(s[0], buf, 212960, 0), 212960);
  EXPECT_EQ("  arrive whole", recv(s[1], buf, sizeof buf, 0), 212960);
  long count = 0;
  while (send(s[0], "m", 1, 0) == 1)
    count++;
  EXPECT_ERRNO("one-byte messages until", errno, EAGAIN);
  EXPECT_EQ("  a few hundred (each costs an skb)", count > 100 && count < 1000, 1);
  EXPECT_EQ("  writer", ready(s[0], POLLOUT), 0);
  while (count--)
    CHECK(recv(s[1], buf, 10, 0) == 1);
  EXPECT_EQ("  writer after they are read", ready(s[0], POLLOUT), POLLOUT);

  EXPECT_EQ("SHUT_WR", shutdown(s[0], SHUT_WR), 0);
  EXPECT_ERR("  send", send(s[0], "x", 1, MSG_NOSIGNAL), EPIPE);
  EXPECT_EQ("  peer", ready(s[1], ALL | POLLHUP), dgram ? POLLOUT : POLLIN | POLLOUT | POLLRDHUP);
  EXPECT_EQ("  peer sends", send(s[1], "ok", 2, 0), 2);
  EXPECT_EQ("SHUT_RD", shutdown(s[0], SHUT_RD), 0);
  EXPECT_EQ("  this end", ready(s[0], ALL | POLLHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
  EXPECT_ERR("  peer sends", send(s[1], "x", 1, MSG_NOSIGNAL), EPIPE);
  EXPECT_EQ("  the message already here", recv(s[0], buf, 10, 0), 2);
  // Linux: a datagram socket reads EAGAIN without waiting, EOF when it would
  // wait; a seqpacket one EOF either way.
  if (dgram)
    EXPECT_ERR("  recv MSG_DONTWAIT", recv(s[0], buf, 10, MSG_DONTWAIT), EAGAIN);
  else
    EXPECT_EQ("  recv MSG_DONTWAIT", recv(s[0], buf, 10, MSG_DONTWAIT), 0);
  unpair();

  // Closing one end.
  pair(type);
  CHECK(send(s[0], "hello", 5, 0) == 5 && send(s[1], "zz", 2, 0) == 2);
  EXPECT_EQ("close with data unread", close(s[0]), 0);
  if (dgram) {
    EXPECT_EQ("  peer", ready(s[1], ALL | POLLHUP), POLLIN | POLLOUT);
    EXPECT_ERRNO("  SO_ERROR", so_error(s[1]), 0);
    EXPECT_EQ("  recv", recv(s[1], buf, 10, 0), 5);
    EXPECT_ERR("  send", send(s[1], "x", 1, 0), ECONNREFUSED);
    EXPECT_ERR("  send", send(s[1], "x", 1, 0), ENOTCONN);
    socklen_t len = sizeof buf;
    EXPECT_ERR("  getpeername", getpeername(s[1], (struct sockaddr*)buf, &len), ENOTCONN);
    EXPECT_EQ("  peer", ready(s[1], ALL | POLLHUP), POLLOUT);
  } else {
    EXPECT_EQ("  peer", ready(s[1], ALL | POLLHUP),
              POLLIN | POLLOUT | POLLRDHUP | POLLHUP | POLLERR);
    EXPECT_ERR("  recv: the error comes first", recv(s[1], buf, 10, 0), ECONNRESET);
    EXPECT_EQ("  recv", recv(s[1], buf, 10, 0), 5);
    EXPECT_EQ("  recv", recv(s[1], buf, 10, 0), 0);
    EXPECT_ERR("  send", send(s[1], "x", 1, MSG_NOSIGNAL), EPIPE);
  }
  close(s[1]);
  if (dgram) {
    // What was queued at the survivor goes when it finds its peer gone.
    pair(type);
    CHECK(send(s[1], "abc", 3, 0) == 3);
    close(s[1]);
    EXPECT_ERR("send to a closed peer", send(s[0], "x", 1, 0), ECONNREFUSED);
    EXPECT_ERR("  recv", recv(s[0], buf, 10, 0), EAGAIN);
    close(s[0]);
    // connect(AF_UNSPEC) dissolves the association the same way.
    pair(type);
    CHECK(send(s[1], "abc", 3, 0) == 3 && send(s[0], "d", 1, 0) == 1);
    struct sockaddr unspec = {AF_UNSPEC};
    EXPECT_EQ("connect AF_UNSPEC", connect(s[0], &unspec, sizeof unspec), 0);
    EXPECT_ERR("  send", send(s[0], "x", 1, 0), ENOTCONN);
    EXPECT_ERR("  recv (dropped)", recv(s[0], buf, 10, 0), EAGAIN);
    EXPECT_ERRNO("  peer's SO_ERROR", so_error(s[1]), ECONNRESET);
    EXPECT_EQ("  peer reads", recv(s[1], buf, 10, 0), 1);
    EXPECT_EQ("  peer still sends here", send(s[1], "e", 1, 0), 1);
    EXPECT_EQ("  recv", recv(s[0], buf, 10, 0), 1);
    unpair();
  } else {
    pair(type);
    CHECK(send(s[0], "hello", 5, 0) == 5);
    EXPECT_EQ("close, nothing unread", close(s[0]), 0);
    EXPECT_EQ("  peer", ready(s[1], ALL | POLLHUP), POLLIN | POLLOUT | POLLRDHUP | POLLHUP);
    EXPECT_EQ("  recv", recv(s[1], buf, 10, 0), 5);
    EXPECT_EQ("  recv", recv(s[1], buf, 10, 0), 0);
    close(s[1]);
  }
}

int main(void) {
  signal(SIGPIPE, SIG_IGN);
  stream();
  messages(SOCK_DGRAM, "SOCK_DGRAM");
  messages(SOCK_SEQPACKET, "SOCK_SEQPACKET");
  printf("done\n");
  return 0;
}
