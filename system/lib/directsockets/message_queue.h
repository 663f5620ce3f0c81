// The receive queue of a socketpair end: what its peer sent, in the pieces
// it was sent in (the kernel's skbs). A stream reads across pieces; a
// datagram or seqpacket socket reads one piece (one message) at a time.
// Every piece is charged to the sender with an overhead, as the kernel
// charges an skb's truesize against the sender's SO_SNDBUF, so even empty
// messages are bounded.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <deque>
#include <vector>

namespace directsockets {

class MessageQueue {
public:
  // A small skb's truesize on x86-64 Linux: 278 one-byte messages fill
  // the default SO_SNDBUF (212992), as there.
  static constexpr size_t kOverhead = 766;

  bool empty() const { return pieces_.empty(); }
  size_t bytes() const { return bytes_; }   // unread bytes
  size_t charge() const { return charge_; } // what the sender is charged
  size_t front_size() const;

  // Appends a piece: `len` bytes of the iovecs from byte `offset` of them.
  void push(const iovec* iov, int iovcnt, size_t offset, size_t len);
  // Stream read: copies up to `len` bytes across pieces into the iovecs
  // (from byte `offset` of them on), consuming them unless peek. Returns the
  // bytes; *freed counts the pieces it used up.
  size_t read_bytes(const iovec* iov, int iovcnt, size_t offset, size_t len,
                    bool peek, size_t* freed);
  // Message read: copies the first message (up to `len` bytes of it) and
  // drops it unless peek. Returns the message's full length.
  size_t read_message(const iovec* iov, int iovcnt, size_t len, bool peek);
  void clear();

private:
  struct Piece {
    std::vector<uint8_t> data;
    size_t offset = 0; // bytes of a stream piece already read
  };
  void pop();

  std::deque<Piece> pieces_;
  size_t bytes_ = 0;
  size_t charge_ = 0;
};

} // namespace directsockets
