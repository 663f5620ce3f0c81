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
  // What a datagram costs beyond its bytes, so even empty datagrams are
  // bounded (the kernel charges each its skb overhead).
  static constexpr size_t kOverhead = 256;

  void set_limit(size_t bytes) { limit_ = bytes; }
  size_t limit() const { return limit_; }
  bool empty() const { return queue_.empty(); }
  size_t bytes() const { return bytes_; } // charged bytes, overhead included
  // The size of the next datagram (FIONREAD on a datagram socket).
  size_t front_size() const { return queue_.empty() ? 0 : queue_.front().data.size(); }
  // Whether a datagram of len bytes fits; an empty queue takes any one.
  bool fits(size_t len) const {
    return queue_.empty() || bytes_ + charge(len) <= limit_;
  }

  // Storage for a datagram of len bytes from `from`, filled by the caller.
  uint8_t* push(const Endpoint& from, size_t len);
  const Datagram& front() const { return queue_.front(); }
  void pop();

private:
  static size_t charge(size_t len) { return len + kOverhead; }
  std::deque<Datagram> queue_;
  size_t bytes_ = 0;
  size_t limit_ = 0;
};

} // namespace directsockets
