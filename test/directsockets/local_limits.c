// What the core leaves out of pipes and socketpairs, and how it says so:
// each call fails with an errno instead of doing something else (README:
// Limitations). Not differential -- Linux does all of these -- so the
// harness compares the output with local_limits.out.
//  - No signals: a write without a reader fails with EPIPE, no SIGPIPE
//    (not ignored here: natively it would end the program).
//  - No AF_UNIX namespace: a socketpair end cannot be bound to a name.
//  - No ancillary data (SCM_RIGHTS, credentials), no urgent data.
//  - No packet-mode pipes; F_SETPIPE_SZ is capped as for an unprivileged
//    process (/proc/sys/fs/pipe-max-size).
#define _GNU_SOURCE
#include "check.h"

#include <fcntl.h>
#include <sys/un.h>

int main(void) {
  int p[2], s[2], one = 1;
  CHECK(pipe(p) == 0);
  close(p[0]);
  EXPECT_ERR("write without a reader", write(p[1], "x", 1), EPIPE);
  close(p[1]);
  EXPECT_ERR("pipe2 O_DIRECT", pipe2(p, O_DIRECT), EINVAL);
  CHECK(pipe(p) == 0);
  EXPECT_ERR("F_SETPIPE_SZ 2 MiB", fcntl(p[0], F_SETPIPE_SZ, 2 << 20), EPERM);
  close(p[0]);
  close(p[1]);

  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0);
  struct sockaddr_un path = {AF_UNIX, "local_limits.sock"};
  EXPECT_ERR("bind a path", bind(s[0], (struct sockaddr*)&path, sizeof path), EOPNOTSUPP);
  EXPECT_ERR("bind, autobind", bind(s[0], (struct sockaddr*)&path, sizeof(sa_family_t)), EOPNOTSUPP);
  EXPECT_ERR("SO_PASSCRED 1", setsockopt(s[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one), ENOPROTOOPT);
  EXPECT_ERR("send MSG_OOB", send(s[0], "x", 1, MSG_OOB), EOPNOTSUPP);
  // SCM_RIGHTS: pass s[1] over s[0].
  union {
    struct cmsghdr h;
    char buf[CMSG_SPACE(sizeof(int))];
  } control;
  memset(&control, 0, sizeof control);
  struct iovec iov = {"f", 1};
  struct msghdr msg = {0};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &s[1], sizeof(int));
  EXPECT_ERR("sendmsg SCM_RIGHTS", sendmsg(s[0], &msg, 0), EINVAL);
  EXPECT_EQ("  the pair still works", send(s[0], "ok", 2, 0), 2);
  close(s[0]);
  close(s[1]);
  printf("done\n");
  return 0;
}
