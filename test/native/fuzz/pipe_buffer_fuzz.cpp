// Runs PipeBuffer writes, reads and resizes chosen by the input against a
// std::deque model of the bytes, and checks what Linux guarantees: bytes
// come out in order, a write of at most a page goes in whole or not at all,
// a pipe that is not full takes at least a page of a write, and no more
// pages are used than there are slots.
#include "pipe_buffer.h"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <vector>

using directsockets::PipeBuffer;

namespace {

void check(bool ok) {
  if (!ok)
    abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  PipeBuffer pipe(size ? 1 + data[0] % 16 : 16);
  std::deque<uint8_t> model;
  uint8_t next = 0;
  for (size_t i = 1; i + 2 < size; i += 3) {
    size_t n = (size_t(data[i + 1]) << 8 | data[i + 2]) % 9000;
    switch (data[i] % 4) {
    case 0:
    case 1: { // a write, its bytes in one or two iovecs
      std::vector<uint8_t> src(n);
      for (auto& b : src)
        b = next++;
      size_t split = data[i] & 0x80 ? n / 3 : n;
      iovec iov[2] = {{src.data(), split}, {src.data() + split, n - split}};
      bool was_full = pipe.full();
      size_t done = pipe.merge(iov, 2, n);
      done += pipe.fill(iov, 2, done, n);
      if (n <= PipeBuffer::kPageSize)
        check(done == 0 || done == n);
      if (!was_full)
        check(done >= std::min(n, PipeBuffer::kPageSize));
      model.insert(model.end(), src.begin(), src.begin() + done);
      break;
    }
    case 2: { // a read
      std::vector<uint8_t> dst(n);
      iovec iov = {dst.data(), n};
      size_t got = pipe.read(&iov, 1, n);
      check(got == std::min(n, model.size()));
      check(std::equal(dst.begin(), dst.begin() + got, model.begin()));
      model.erase(model.begin(), model.begin() + got);
      break;
    }
    case 3: { // F_SETPIPE_SZ
      size_t slots = 1 + n % 32;
      bool ok = pipe.set_max_slots(slots);
      check(ok == (slots >= pipe.used_slots()));
      break;
    }
    }
    check(pipe.bytes() == model.size());
    check(pipe.empty() == model.empty());
    check(pipe.used_slots() <= pipe.max_slots());
    check(pipe.bytes() <= pipe.used_slots() * PipeBuffer::kPageSize);
  }
  return 0;
}
