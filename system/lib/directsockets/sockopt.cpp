#include "sockopt.h"

namespace directsockets {

int get_int(const void* value, socklen_t len, int* out) {
  if (!value || len < (socklen_t)sizeof(int))
    return -EINVAL;
  memcpy(out, value, sizeof(int));
  return 0;
}

int get_timeout(const void* value, socklen_t len, double* ms) {
  if (!value || len < (socklen_t)sizeof(timeval))
    return -EINVAL;
  timeval tv;
  memcpy(&tv, value, sizeof tv);
  if (tv.tv_usec < 0 || tv.tv_usec >= 1000000)
    return -EDOM;
  if (tv.tv_sec < 0)
    *ms = 0; // Linux takes a negative timeout as "do not wait"
  else if (tv.tv_sec == 0 && tv.tv_usec == 0)
    *ms = -1; // zero means "no timeout"
  else
    *ms = tv.tv_sec * 1000.0 + tv.tv_usec / 1000.0;
  return 0;
}

timeval ms_timeval(double ms) {
  timeval tv = {0, 0};
  if (ms >= 0) {
    tv.tv_sec = static_cast<time_t>(ms / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms - tv.tv_sec * 1000.0) * 1000);
  }
  return tv;
}

int buffer_size(int name, int value) {
  int floor = name == SO_SNDBUF ? kMinSndbuf : kMinRcvbuf;
  return std::max(std::clamp(value, 0, kMaxBuf) * 2, floor);
}

} // namespace directsockets
