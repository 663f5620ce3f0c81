// The receive queue of a datagram socket: whole datagrams with their sender,
// bounded in bytes (like the kernel's SO_RCVBUF accounting) so a slow reader
// holds a bounded amount of memory.
#pragma once

#include "address.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace directsockets {

struct Datagram {
  Endpoint from;
  std::vector<uint8_t> data;
};

class DatagramQueue {
public:
  void set_limit(size_t bytes) { limit_ = bytes; }
  size_t limit() const { return limit_; }
  bool empty() const { return queue_.empty(); }
  size_t bytes() const { return bytes_; }
  // The size of the next datagram (FIONREAD on a datagram socket).
  size_t front_size() const { return queue_.empty() ? 0 : queue_.front().data.size(); }
  // Whether a datagram of len bytes fits; an empty queue takes any one.
  bool fits(size_t len) const { return queue_.empty() || bytes_ + len <= limit_; }

  // Storage for a datagram of len bytes from `from`, filled by the caller.
  uint8_t* push(const Endpoint& from, size_t len);
  const Datagram& front() const { return queue_.front(); }
  void pop();

private:
  std::deque<Datagram> queue_;
  size_t bytes_ = 0;
  size_t limit_ = 0;
};

} // namespace directsockets
