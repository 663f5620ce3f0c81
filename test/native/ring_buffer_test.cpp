#include "ring_buffer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

using directsockets::RingBuffer;

namespace {

size_t put(RingBuffer& rb, const std::string& s) {
  return rb.write(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

std::string get(RingBuffer& rb, size_t len, bool peek = false,
                size_t skip = 0) {
  std::string out(len, '\0');
  size_t n = rb.read(reinterpret_cast<uint8_t*>(out.data()), len, peek, skip);
  out.resize(n);
  return out;
}

} // namespace

TEST(RingBuffer, StartsEmpty) {
  RingBuffer rb(8);
  EXPECT_EQ(rb.capacity(), 8u);
  EXPECT_EQ(rb.size(), 0u);
  EXPECT_EQ(rb.space(), 8u);
  EXPECT_TRUE(rb.empty());
}

TEST(RingBuffer, WriteStopsWhenFull) {
  RingBuffer rb(8);
  EXPECT_EQ(put(rb, "0123456789"), 8u);
  EXPECT_EQ(rb.space(), 0u);
  EXPECT_EQ(get(rb, 100), "01234567");
  EXPECT_TRUE(rb.empty());
}

TEST(RingBuffer, WrapsAround) {
  RingBuffer rb(8);
  EXPECT_EQ(put(rb, "abcdef"), 6u);
  EXPECT_EQ(get(rb, 4), "abcd");
  // Tail is at 6: 2 bytes fit before the end, 4 more at the start.
  EXPECT_EQ(put(rb, "ghijkl"), 6u);
  EXPECT_EQ(rb.size(), 8u);
  EXPECT_EQ(get(rb, 8), "efghijkl");
}

TEST(RingBuffer, WriteRegionIsContiguousTail) {
  RingBuffer rb(8);
  size_t len = 0;
  uint8_t* first = rb.write_region(&len);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(len, 8u);

  put(rb, "abcdef");
  get(rb, 4); // head 4, size 2, tail 6
  uint8_t* p = rb.write_region(&len);
  EXPECT_EQ(p, first + 6);
  EXPECT_EQ(len, 2u); // to the end of storage only
  memcpy(p, "gh", 2);
  rb.commit(2);

  p = rb.write_region(&len);
  EXPECT_EQ(p, first); // wrapped: free space runs up to head
  EXPECT_EQ(len, 4u);
  memcpy(p, "ijkl", 4);
  rb.commit(4);

  EXPECT_EQ(rb.write_region(&len), nullptr);
  EXPECT_EQ(len, 0u);
  EXPECT_EQ(get(rb, 8), "efghijkl");
}

TEST(RingBuffer, CommitIsClampedToSpace) {
  RingBuffer rb(4);
  size_t len;
  rb.write_region(&len);
  rb.commit(100);
  EXPECT_EQ(rb.size(), 4u);
}

TEST(RingBuffer, EmptyingResetsHeadSoRegionIsWhole) {
  RingBuffer rb(8);
  put(rb, "abc");
  get(rb, 3);
  size_t len;
  rb.write_region(&len);
  EXPECT_EQ(len, 8u);
}

TEST(RingBuffer, RegionSurvivesEmptyingBeforeCommit) {
  // The JS pump fills a region between reserve and commit while a pthread
  // may read the ring empty: the region must still be where commit puts it.
  RingBuffer rb(8);
  put(rb, "abc");
  size_t len;
  uint8_t* p = rb.write_region(&len);
  EXPECT_EQ(len, 5u);
  EXPECT_EQ(get(rb, 3), "abc");
  memcpy(p, "defgh", 5);
  rb.commit(5);
  EXPECT_EQ(get(rb, 8), "defgh");
}

TEST(RingBuffer, PeekLeavesContents) {
  RingBuffer rb(8);
  put(rb, "hello");
  EXPECT_EQ(get(rb, 3, true), "hel");
  EXPECT_EQ(rb.size(), 5u);
  EXPECT_EQ(get(rb, 5), "hello");
}

TEST(RingBuffer, PeekWithSkipAcrossWrap) {
  RingBuffer rb(8);
  put(rb, "xxxxxx");
  get(rb, 6);
  put(rb, "abcdefgh"); // into an empty ring: head is 0 again
  get(rb, 5);
  put(rb, "ijklm"); // wraps: storage "ijklmfgh", head 5
  EXPECT_EQ(get(rb, 4, true, 2), "hijk");
  EXPECT_EQ(get(rb, 100, true, 7), "m");
  EXPECT_EQ(get(rb, 4, true, 8), ""); // skip past the end
  EXPECT_EQ(rb.size(), 8u);
}

TEST(RingBuffer, ReadWithSkipConsumesSkippedBytes) {
  RingBuffer rb(8);
  put(rb, "abcdef");
  EXPECT_EQ(get(rb, 2, false, 1), "bc");
  EXPECT_EQ(get(rb, 8), "def");
}

TEST(RingBuffer, ConsumeDropsBytes) {
  RingBuffer rb(8);
  put(rb, "abcdef");
  rb.consume(2);
  EXPECT_EQ(rb.size(), 4u);
  EXPECT_EQ(get(rb, 8, true), "cdef");
  rb.consume(100); // clamped
  EXPECT_TRUE(rb.empty());
}

TEST(RingBuffer, ResizeKeepsWrappedContents) {
  RingBuffer rb(8);
  put(rb, "abcdef");
  get(rb, 5);
  put(rb, "ghijkl"); // wrapped
  rb.resize(32);
  EXPECT_EQ(rb.capacity(), 32u);
  EXPECT_EQ(rb.size(), 7u);
  EXPECT_EQ(put(rb, "0123456789"), 10u);
  EXPECT_EQ(get(rb, 100), "fghijkl0123456789");
}

TEST(RingBuffer, ResizeNeverDropsContents) {
  RingBuffer rb(8);
  put(rb, "abcdef");
  rb.resize(2); // smaller than the contents: grows only to fit them
  EXPECT_EQ(rb.capacity(), 6u);
  EXPECT_EQ(get(rb, 100), "abcdef");
}

TEST(RingBuffer, ResetDropsContents) {
  RingBuffer rb(8);
  put(rb, "abc");
  rb.reset(4);
  EXPECT_EQ(rb.capacity(), 4u);
  EXPECT_TRUE(rb.empty());
}

TEST(RingBuffer, CapacityZero) {
  RingBuffer rb;
  size_t len = 99;
  EXPECT_EQ(rb.write_region(&len), nullptr);
  EXPECT_EQ(len, 0u);
  EXPECT_EQ(put(rb, "abc"), 0u);
  uint8_t c;
  EXPECT_EQ(rb.read(&c, 1), 0u);
  EXPECT_EQ(rb.read(&c, 1, true), 0u);
  rb.consume(1);
  rb.commit(1);
  EXPECT_EQ(rb.size(), 0u);
  rb.resize(0);
  EXPECT_EQ(rb.capacity(), 0u);
  rb.resize(4);
  EXPECT_EQ(put(rb, "abcdef"), 4u);
}
