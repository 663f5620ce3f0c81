// The contents of a pipe, kept as Linux keeps them (fs/pipe.c): a ring of
// page-sized buffers, 16 by default. A write first merges its sub-page
// remainder into the last page when it fits there, then fills free slots a
// page at a time. So the capacity in bytes depends on the writes as on Linux
// (65536 for page-sized writes, 64000 for 100-byte ones), "writable" means a
// free slot, and a write of at most a page (PIPE_BUF) is never split.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>

namespace directsockets {

class PipeBuffer {
public:
  static constexpr size_t kPageSize = 4096;
  static constexpr size_t kDefaultSlots = 16;

  explicit PipeBuffer(size_t slots = kDefaultSlots) : max_slots_(slots) {}

  size_t max_slots() const { return max_slots_; }
  size_t used_slots() const { return pages_.size(); }
  size_t bytes() const { return bytes_; }
  bool empty() const { return pages_.empty(); }
  bool full() const { return pages_.size() >= max_slots_; }
  // F_SETPIPE_SZ: false when more slots than that are in use (EBUSY).
  bool set_max_slots(size_t slots);

  // The start of a write of `total` bytes: the first total % kPageSize of
  // them go into the last page if it takes them all, as in Linux's
  // pipe_write. Returns the bytes taken (0 or that many).
  size_t merge(const iovec* iov, int iovcnt, size_t total);
  // Fills free slots with the bytes of the write from `offset` up to
  // `total`, a page each; returns the bytes taken (0 when full).
  size_t fill(const iovec* iov, int iovcnt, size_t offset, size_t total);
  // Copies up to `len` bytes out into the iovecs and consumes them, freeing
  // each page as it empties; returns the bytes read.
  size_t read(const iovec* iov, int iovcnt, size_t len);

private:
  struct Page {
    std::unique_ptr<uint8_t[]> data;
    size_t offset = 0; // first unread byte
    size_t len = 0;    // unread bytes
  };
  std::unique_ptr<uint8_t[]> new_page();

  std::deque<Page> pages_;
  std::unique_ptr<uint8_t[]> spare_; // the last freed page, for reuse
  size_t max_slots_;
  size_t bytes_ = 0;
};

} // namespace directsockets
