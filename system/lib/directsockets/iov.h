// Helpers for the iovec lists that read/write/send/recv hand the core.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace directsockets {

size_t iov_total(const iovec* iov, int iovcnt);

// Copies `len` bytes of `src` into the iovec list from byte `offset` of it
// on; returns the bytes copied (fewer when the list is shorter).
size_t scatter(const iovec* iov, int iovcnt, const uint8_t* src, size_t len,
               size_t offset = 0);

// Copies up to `len` bytes out of the iovec list from byte `offset` of it
// on into `dst`; returns the bytes copied.
size_t gather_into(uint8_t* dst, const iovec* iov, int iovcnt, size_t offset,
                   size_t len);

// The whole list as one buffer.
std::vector<uint8_t> gather(const iovec* iov, int iovcnt);

} // namespace directsockets
