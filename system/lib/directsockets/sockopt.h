// Reading and writing socket option values, shared by the socket types.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace directsockets {

// Linux's bounds on SO_SNDBUF/SO_RCVBUF requests.
constexpr int kMinSndbuf = 4608, kMinRcvbuf = 2304;
constexpr int kMaxBuf = 212992; // net.core.[rw]mem_max

// An int option value: 0, or -EINVAL when it is missing or short.
int get_int(const void* value, socklen_t len, int* out);

// Writes an option value, truncated to *len as Linux does.
template <typename T> int put_value(const T& v, void* value, socklen_t* len) {
  if (!value || !len)
    return -EFAULT;
  socklen_t n = std::min<socklen_t>(*len, sizeof(T));
  memcpy(value, &v, n);
  *len = n;
  return 0;
}

// SO_RCVTIMEO/SO_SNDTIMEO: the timeout in ms (negative: none), or -errno.
int get_timeout(const void* value, socklen_t len, double* ms);
timeval ms_timeval(double ms);

// What getsockopt reports after setsockopt(SO_SNDBUF/SO_RCVBUF, value):
// Linux caps the request at [wr]mem_max, doubles it (for bookkeeping
// overhead) and applies a floor.
int buffer_size(int name, int value);

} // namespace directsockets
