#include "message_queue.h"

#include "iov.h"

#include <algorithm>

namespace directsockets {

size_t MessageQueue::front_size() const {
  return pieces_.empty() ? 0
                         : pieces_.front().data.size() - pieces_.front().offset;
}

void MessageQueue::push(const iovec* iov, int iovcnt, size_t offset,
                        size_t len) {
  Piece piece;
  piece.data.resize(len);
  gather_into(piece.data.data(), iov, iovcnt, offset, len);
  bytes_ += len;
  charge_ += len + kOverhead;
  pieces_.push_back(std::move(piece));
}

void MessageQueue::pop() {
  const Piece& piece = pieces_.front();
  bytes_ -= piece.data.size() - piece.offset;
  charge_ -= piece.data.size() + kOverhead;
  pieces_.pop_front();
}

size_t MessageQueue::read_bytes(const iovec* iov, int iovcnt, size_t offset,
                                size_t len, bool peek, size_t* freed) {
  size_t done = 0;
  *freed = 0;
  for (size_t i = 0; i < pieces_.size() && done < len;) {
    Piece& piece = pieces_[i];
    size_t n = std::min(piece.data.size() - piece.offset, len - done);
    scatter(iov, iovcnt, piece.data.data() + piece.offset, n, offset + done);
    done += n;
    if (peek) {
      i++;
      continue;
    }
    piece.offset += n;
    bytes_ -= n;
    if (piece.offset == piece.data.size()) {
      pop();
      ++*freed;
    }
  }
  return done;
}

size_t MessageQueue::read_message(const iovec* iov, int iovcnt, size_t len,
                                  bool peek) {
  const Piece& piece = pieces_.front();
  size_t size = piece.data.size();
  scatter(iov, iovcnt, piece.data.data(), std::min(size, len));
  if (!peek)
    pop();
  return size;
}

void MessageQueue::clear() {
  pieces_.clear();
  bytes_ = 0;
  charge_ = 0;
}

} // namespace directsockets
