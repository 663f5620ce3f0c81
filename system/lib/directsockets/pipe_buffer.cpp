#include "pipe_buffer.h"

#include "iov.h"

#include <algorithm>

namespace directsockets {

bool PipeBuffer::set_max_slots(size_t slots) {
  if (slots < pages_.size())
    return false;
  max_slots_ = slots;
  return true;
}

std::unique_ptr<uint8_t[]> PipeBuffer::new_page() {
  if (spare_)
    return std::move(spare_);
  return std::make_unique<uint8_t[]>(kPageSize);
}

size_t PipeBuffer::merge(const iovec* iov, int iovcnt, size_t total) {
  size_t chars = total % kPageSize;
  if (!chars || pages_.empty())
    return 0;
  Page& last = pages_.back();
  size_t end = last.offset + last.len;
  if (end + chars > kPageSize)
    return 0;
  gather_into(last.data.get() + end, iov, iovcnt, 0, chars);
  last.len += chars;
  bytes_ += chars;
  return chars;
}

size_t PipeBuffer::fill(const iovec* iov, int iovcnt, size_t offset,
                        size_t total) {
  size_t taken = 0;
  while (!full() && offset + taken < total) {
    Page page;
    page.data = new_page();
    page.len = gather_into(page.data.get(), iov, iovcnt, offset + taken,
                           std::min(kPageSize, total - offset - taken));
    taken += page.len;
    bytes_ += page.len;
    pages_.push_back(std::move(page));
  }
  return taken;
}

size_t PipeBuffer::read(const iovec* iov, int iovcnt, size_t len) {
  size_t done = 0;
  while (done < len && !pages_.empty()) {
    Page& page = pages_.front();
    size_t n = std::min(page.len, len - done);
    scatter(iov, iovcnt, page.data.get() + page.offset, n, done);
    page.offset += n;
    page.len -= n;
    bytes_ -= n;
    done += n;
    if (!page.len) {
      spare_ = std::move(page.data);
      pages_.pop_front();
    }
  }
  return done;
}

} // namespace directsockets
