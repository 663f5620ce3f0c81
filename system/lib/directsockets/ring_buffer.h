// A bounded byte FIFO in linear memory: the receive buffer of a stream socket.
// The JS read pump writes arriving bytes straight into its free space
// (write_region + commit) and recv() copies them out, so a recv() that finds
// data already buffered never leaves wasm.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

namespace directsockets {

class RingBuffer {
public:
  explicit RingBuffer(size_t capacity = 0) { reset(capacity); }

  // Drops the contents and changes the capacity.
  void reset(size_t capacity);
  // Changes the capacity, keeping the contents (capacity >= size()).
  void resize(size_t capacity);

  size_t capacity() const { return capacity_; }
  size_t size() const { return size_; }
  size_t space() const { return capacity_ - size_; }
  bool empty() const { return size_ == 0; }

  // The largest contiguous free region at the tail; commit(n) makes n bytes
  // of it readable. The region stays where it is until then, whatever is
  // read or consumed meanwhile.
  uint8_t* write_region(size_t* len);
  void commit(size_t n);

  // Copies out up to len bytes from offset skip; consumes them unless peek.
  size_t read(uint8_t* dst, size_t len, bool peek = false, size_t skip = 0);
  size_t write(const uint8_t* src, size_t len);
  void consume(size_t n);

private:
  std::unique_ptr<uint8_t[]> data_;
  size_t capacity_ = 0;
  size_t head_ = 0; // index of the first readable byte
  size_t size_ = 0;
};

} // namespace directsockets
