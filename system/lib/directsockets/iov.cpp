#include "iov.h"

#include <algorithm>
#include <cstring>

namespace directsockets {

size_t iov_total(const iovec* iov, int iovcnt) {
  size_t total = 0;
  for (int i = 0; i < iovcnt; i++)
    total += iov[i].iov_len;
  return total;
}

size_t scatter(const iovec* iov, int iovcnt, const uint8_t* src, size_t len,
               size_t offset) {
  size_t done = 0;
  for (int i = 0; i < iovcnt && done < len; i++) {
    if (offset >= iov[i].iov_len) {
      offset -= iov[i].iov_len;
      continue;
    }
    size_t n = std::min(iov[i].iov_len - offset, len - done);
    memcpy(static_cast<uint8_t*>(iov[i].iov_base) + offset, src + done, n);
    done += n;
    offset = 0;
  }
  return done;
}

size_t gather_into(uint8_t* dst, const iovec* iov, int iovcnt, size_t offset,
                   size_t len) {
  size_t done = 0;
  for (int i = 0; i < iovcnt && done < len; i++) {
    if (offset >= iov[i].iov_len) {
      offset -= iov[i].iov_len;
      continue;
    }
    size_t n = std::min(iov[i].iov_len - offset, len - done);
    memcpy(dst + done, static_cast<const uint8_t*>(iov[i].iov_base) + offset,
           n);
    done += n;
    offset = 0;
  }
  return done;
}

std::vector<uint8_t> gather(const iovec* iov, int iovcnt) {
  std::vector<uint8_t> out(iov_total(iov, iovcnt));
  gather_into(out.data(), iov, iovcnt, 0, out.size());
  return out;
}

} // namespace directsockets
