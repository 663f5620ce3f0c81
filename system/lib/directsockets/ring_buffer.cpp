#include "ring_buffer.h"

#include <algorithm>
#include <cstring>

namespace directsockets {

void RingBuffer::reset(size_t capacity) {
  data_.reset(capacity ? new uint8_t[capacity] : nullptr);
  capacity_ = capacity;
  head_ = 0;
  size_ = 0;
}

void RingBuffer::resize(size_t capacity) {
  RingBuffer bigger(std::max(capacity, size_));
  size_t n = size_;
  read(bigger.data_.get(), n);
  bigger.size_ = n;
  *this = std::move(bigger);
}

uint8_t* RingBuffer::write_region(size_t* len) {
  if (size_ == capacity_) {
    *len = 0;
    return nullptr;
  }
  // Empty: the whole storage is one region. Only here, on the producer's
  // side: a consumer that empties the ring while the producer fills a region
  // (the JS pump, between reserve and commit, while a pthread reads) must
  // not move the tail from under it.
  if (size_ == 0)
    head_ = 0;
  size_t tail = (head_ + size_) % capacity_;
  // Free space runs to the end of storage, or to head if it has wrapped.
  *len = tail >= head_ ? capacity_ - tail : head_ - tail;
  return data_.get() + tail;
}

void RingBuffer::commit(size_t n) { size_ += std::min(n, space()); }

size_t RingBuffer::read(uint8_t* dst, size_t len, bool peek, size_t skip) {
  if (skip >= size_)
    return 0;
  len = std::min(len, size_ - skip);
  size_t start = (head_ + skip) % capacity_;
  size_t first = std::min(len, capacity_ - start);
  memcpy(dst, data_.get() + start, first);
  memcpy(dst + first, data_.get(), len - first);
  if (!peek)
    consume(skip + len);
  return len;
}

size_t RingBuffer::write(const uint8_t* src, size_t len) {
  size_t done = 0;
  while (done < len) {
    size_t region;
    uint8_t* dst = write_region(&region);
    if (!region)
      break;
    size_t n = std::min(region, len - done);
    memcpy(dst, src + done, n);
    commit(n);
    done += n;
  }
  return done;
}

void RingBuffer::consume(size_t n) {
  n = std::min(n, size_);
  if (n) {
    size_ -= n;
    head_ = (head_ + n) % capacity_;
  }
}

} // namespace directsockets
