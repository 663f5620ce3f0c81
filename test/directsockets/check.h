// Shared by the differential programs in this directory. Each program prints
// one line per check -- the observed return value, or -1 and the errno's
// name -- and the harness requires the native build and the wasm build to
// print exactly the same lines. A check whose result is not Linux's prints
// FAIL and exits 1. Nothing run-dependent (ports, fds, times) is printed.
//
// A program that must wait for the network in every execution mode is
// written as a task: a function whose waits are AWAIT(condition). Natively,
// under JSPI and on a pthread the task is called again every millisecond; in
// event-loop mode it runs from the browser's event loop
// (emscripten_set_main_loop), since there a call cannot wait inside wasm.
// Locals of a task do not survive an AWAIT: keep state in statics. Build
// with -sEXIT_RUNTIME, so that the end of the task ends the program.
#pragma once

#ifndef _GNU_SOURCE
#define _GNU_SOURCE // accept4, POLLRDHUP, recvmmsg, ppoll
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifdef __EMSCRIPTEN__
#include <emscripten.h>
#include <emscripten/threading.h>
#endif

// Ends the program. A failure under Emscripten aborts, which ends the
// process even from the event loop and with sockets still open.
static inline void quit(int status) {
  fflush(stdout);
#ifdef __EMSCRIPTEN__
  if (status)
    abort();
#endif
  exit(status);
}

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("FAIL %s:%d: %s (errno %s)\n", __FILE__, __LINE__, #cond,         \
             errno_name(errno));                                               \
      quit(1);                                                                 \
    }                                                                          \
  } while (0)

static inline const char* errno_name(int err) {
  switch (err) {
#define NAME(e)                                                                \
  case e:                                                                      \
    return #e
    NAME(EACCES); NAME(EADDRINUSE); NAME(EADDRNOTAVAIL); NAME(EAFNOSUPPORT);
    NAME(EAGAIN); NAME(EALREADY); NAME(EBADF); NAME(EBUSY); NAME(ECONNABORTED);
    NAME(ECONNREFUSED); NAME(ECONNRESET); NAME(EDESTADDRREQ); NAME(EDOM);
    NAME(EEXIST); NAME(EFAULT); NAME(EINPROGRESS); NAME(EINTR); NAME(EINVAL);
    NAME(EISCONN); NAME(ELOOP); NAME(EMSGSIZE); NAME(ENETUNREACH);
    NAME(ENODEV); NAME(ENOENT); NAME(ENOPROTOOPT); NAME(ENOTCONN);
    NAME(ENOTSOCK); NAME(ENOTTY); NAME(EOPNOTSUPP); NAME(EPERM); NAME(EPIPE);
    NAME(EPROTO); NAME(EPROTONOSUPPORT); NAME(EPROTOTYPE); NAME(ESOCKTNOSUPPORT);
    NAME(ESPIPE); NAME(ETIMEDOUT);
#undef NAME
  case 0:
    return "0";
  }
  static char other[32];
  snprintf(other, sizeof other, "errno %d", err);
  return other;
}

static inline void show(const char* what, long r, int err) {
  if (r == -1)
    printf("%s: -1 %s\n", what, errno_name(err));
  else
    printf("%s: %ld\n", what, r);
}

// Runs `call`, prints its result and checks it: `want` is the value Linux
// returns, and when that is -1, `want_err` the errno it sets.
#define EXPECT(what, call, want, want_err)                                     \
  do {                                                                         \
    errno = 0;                                                                 \
    long r_ = (long)(call);                                                    \
    int e_ = errno;                                                            \
    show(what, r_, e_);                                                        \
    if (r_ != (long)(want) || (r_ == -1 && e_ != (want_err))) {                \
      printf("FAIL %s:%d: %s: expected %ld %s\n", __FILE__, __LINE__, #call,   \
             (long)(want), (want) == -1 ? errno_name(want_err) : "");          \
      quit(1);                                                                 \
    }                                                                          \
  } while (0)
#define EXPECT_EQ(what, call, want) EXPECT(what, call, want, 0)
#define EXPECT_ERR(what, call, err) EXPECT(what, call, -1, err)

// For an errno value (SO_ERROR): prints its name.
#define EXPECT_ERRNO(what, value, want)                                        \
  do {                                                                         \
    int v_ = (value);                                                          \
    printf("%s: %s\n", what, errno_name(v_));                                  \
    if (v_ != (want)) {                                                        \
      printf("FAIL %s:%d: %s: expected %s\n", __FILE__, __LINE__, #value,      \
             errno_name(want));                                                \
      quit(1);                                                                 \
    }                                                                          \
  } while (0)

// For calls whose success value is run-dependent (fds, sizes): prints "ok".
#define EXPECT_OK(what, call)                                                  \
  do {                                                                         \
    errno = 0;                                                                 \
    long r_ = (long)(call);                                                    \
    if (r_ < 0) {                                                              \
      show(what, r_, errno);                                                   \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #call);                   \
      quit(1);                                                                 \
    }                                                                          \
    printf("%s: ok\n", what);                                                  \
  } while (0)

// ---- Addresses -----------------------------------------------------------

// The loopback address of `family` with `port`; returns its length.
static inline socklen_t loopback(int family, int port, struct sockaddr_storage* ss) {
  memset(ss, 0, sizeof *ss);
  if (family == AF_INET6) {
    struct sockaddr_in6* a = (struct sockaddr_in6*)ss;
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(port);
    a->sin6_addr = in6addr_loopback;
    return sizeof *a;
  }
  struct sockaddr_in* a = (struct sockaddr_in*)ss;
  a->sin_family = AF_INET;
  a->sin_port = htons(port);
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sizeof *a;
}

static inline int port_of(const struct sockaddr_storage* ss) {
  return ntohs(ss->ss_family == AF_INET6
                   ? ((const struct sockaddr_in6*)ss)->sin6_port
                   : ((const struct sockaddr_in*)ss)->sin_port);
}

static inline int local_port(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  CHECK(getsockname(fd, (struct sockaddr*)&ss, &len) == 0);
  return port_of(&ss);
}

// A listening socket on loopback with an ephemeral port; *addr (length
// returned) is where to connect to it.
static inline socklen_t listener(int family, int type_flags, int* fd,
                          struct sockaddr_storage* addr) {
  *fd = socket(family, SOCK_STREAM | type_flags, 0);
  CHECK(*fd >= 0);
  socklen_t len = loopback(family, 0, addr);
  CHECK(bind(*fd, (struct sockaddr*)addr, len) == 0);
  CHECK(listen(*fd, 8) == 0);
  return loopback(family, local_port(*fd), addr);
}

// Readiness of one fd now (poll with a zero timeout): its revents.
static inline int ready(int fd, int events) {
  struct pollfd p = {fd, (short)events, 0};
  CHECK(poll(&p, 1, 0) >= 0);
  return p.revents;
}

static inline double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

// ---- Tasks -----------------------------------------------------------------

static int task_line_ __attribute__((unused));    // the AWAIT to resume at (0: start)
static int task_waiting_ __attribute__((unused)); // the line of the AWAIT it waits at
static double task_since_ __attribute__((unused));

#define TASK_BEGIN                                                             \
  switch (task_line_) {                                                        \
  case 0:;
// Returns to the event loop until `cond` holds (at most 10 s).
#define AWAIT(cond) AWAIT_AT(__COUNTER__ + 1, cond)
#define AWAIT_AT(n, cond)                                                      \
  do {                                                                         \
    task_line_ = n;                                                            \
    task_since_ = now_ms();                                                    \
    /* fall through */                                                         \
  case n:                                                                      \
    if (!(cond)) {                                                             \
      task_waiting_ = __LINE__;                                                \
      return 0;                                                                \
    }                                                                          \
  } while (0)
// Returns to the event loop until `cond` holds or `ms` milliseconds pass.
#define AWAIT_FOR(cond, ms) AWAIT((cond) || now_ms() - task_since_ >= (ms))
// Returns to the event loop for about `ms` milliseconds.
#define AWAIT_MS(ms) AWAIT(now_ms() - task_since_ >= (ms))
#define TASK_END                                                               \
  }                                                                            \
  return 1;

// Connects a new non-blocking socket *c to the listener lfd (at addr) and
// accepts the connection as non-blocking *a.
#define AWAIT_PAIR(lfd, addr, len, c, a)                                       \
  do {                                                                         \
    c = socket((addr).ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);              \
    CHECK(c >= 0);                                                             \
    CHECK(connect(c, (struct sockaddr*)&(addr), len) == 0 ||                   \
          errno == EINPROGRESS);                                               \
    AWAIT((a = accept4(lfd, NULL, NULL, SOCK_NONBLOCK)) >= 0 ||               \
          errno != EAGAIN);                                                    \
    CHECK(a >= 0);                                                             \
    AWAIT(ready(c, POLLOUT));                                                  \
  } while (0)

typedef int (*task_fn)(void);
static task_fn task_ __attribute__((unused));

static inline void task_finish(void) {
  printf("done\n");
#ifdef __EMSCRIPTEN__
  if (!emscripten_has_asyncify() && emscripten_is_main_runtime_thread()) {
    // The runtime exits (-sEXIT_RUNTIME) once the main loop is gone.
    emscripten_cancel_main_loop();
    return;
  }
#endif
  quit(0);
}

static inline void task_step(void) {
  if (task_())
    task_finish();
  else if (now_ms() - task_since_ > 10000) {
    printf("FAIL timed out waiting at line %d\n", task_waiting_);
    quit(1);
  }
}

// Runs the task to its end, prints "done" and exits.
static inline void run_task(task_fn task) {
  task_ = task;
  task_since_ = now_ms();
#ifdef __EMSCRIPTEN__
  // With JSPI a call may wait (bind does, for instance), which it can only
  // do from main: sleep there between steps. On a pthread (PROXY_TO_PTHREAD)
  // calls block as natively. Otherwise return to the event loop between
  // steps (1 ms apart); emscripten_set_main_loop never returns.
  if (emscripten_has_asyncify()) {
    for (;;) {
      task_step();
      emscripten_sleep(1);
    }
  }
  if (emscripten_is_main_runtime_thread())
    emscripten_set_main_loop(task_step, 1000, 1);
#endif
  for (;;) {
    task_step();
    usleep(1000);
  }
}
