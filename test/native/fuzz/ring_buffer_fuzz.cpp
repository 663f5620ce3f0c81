// Runs RingBuffer operations chosen by the input against a std::deque model
// and checks that contents and sizes always agree.
#include "ring_buffer.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <vector>

using directsockets::RingBuffer;

namespace {

void check(bool ok) {
  if (!ok)
    abort();
}

void same(RingBuffer& rb, const std::deque<uint8_t>& model) {
  check(rb.size() == model.size());
  check(rb.space() == rb.capacity() - rb.size());
  check(rb.empty() == model.empty());
  std::vector<uint8_t> all(model.size() + 1);
  check(rb.read(all.data(), all.size(), true) == model.size());
  check(std::equal(model.begin(), model.end(), all.begin()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  RingBuffer rb(size ? data[0] % 64 : 0);
  std::deque<uint8_t> model;
  uint8_t next = 0;
  for (size_t i = 1; i + 1 < size; i += 2) {
    size_t n = data[i + 1];
    switch (data[i] % 7) {
    case 0: { // write
      std::vector<uint8_t> src(n);
      for (auto& b : src)
        b = next++;
      size_t done = rb.write(src.data(), n);
      check(done == std::min(n, rb.capacity() - model.size()));
      model.insert(model.end(), src.begin(), src.begin() + done);
      break;
    }
    case 1: { // write_region + commit
      size_t len = 0;
      uint8_t* p = rb.write_region(&len);
      check(len <= rb.space());
      check(len == 0 || p != nullptr);
      check(rb.space() == 0 || len > 0);
      size_t k = std::min(n, len);
      for (size_t j = 0; j < k; j++)
        model.push_back(p[j] = next++);
      rb.commit(k);
      break;
    }
    case 2:
    case 3: { // read or peek, with a skip
      bool peek = data[i] & 0x10;
      size_t skip = (data[i] >> 5) % 8;
      std::vector<uint8_t> dst(n + 1);
      size_t got = rb.read(dst.data(), n, peek, skip);
      size_t want = skip >= model.size() ? 0 : std::min(n, model.size() - skip);
      check(got == want);
      if (skip < model.size()) {
        check(std::equal(dst.begin(), dst.begin() + got, model.begin() + skip));
        // A read consumes the skipped bytes too.
        if (!peek)
          model.erase(model.begin(), model.begin() + skip + got);
      }
      break;
    }
    case 4: // consume
      rb.consume(n);
      model.erase(model.begin(), model.begin() + std::min(n, model.size()));
      break;
    case 5: // resize keeps the contents
      rb.resize(n % 96);
      check(rb.capacity() == std::max(n % 96, model.size()));
      break;
    case 6: // reset drops them
      rb.reset(n % 96);
      model.clear();
      check(rb.capacity() == n % 96);
      break;
    }
    same(rb, model);
  }
  return 0;
}
