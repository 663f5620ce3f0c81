#include "pipe_buffer.h"

#include <gtest/gtest.h>

#include <string>

using directsockets::PipeBuffer;

namespace {

size_t write(PipeBuffer& b, const std::string& s) {
  iovec iov = {const_cast<char*>(s.data()), s.size()};
  size_t done = b.merge(&iov, 1, s.size());
  return done + b.fill(&iov, 1, done, s.size());
}

std::string read(PipeBuffer& b, size_t len) {
  std::string out(len, '\0');
  iovec iov = {out.data(), out.size()};
  out.resize(b.read(&iov, 1, len));
  return out;
}

// Writes `chunk`-byte pieces until one is not taken whole; returns the total.
size_t fill(PipeBuffer& b, size_t chunk) {
  size_t total = 0;
  while (true) {
    size_t n = write(b, std::string(chunk, 'x'));
    total += n;
    if (n < chunk)
      return total;
  }
}

} // namespace

TEST(PipeBuffer, StartsEmptyAndWritable) {
  PipeBuffer b;
  EXPECT_TRUE(b.empty());
  EXPECT_FALSE(b.full());
  EXPECT_EQ(b.max_slots(), 16u);
  EXPECT_EQ(read(b, 10), "");
}

TEST(PipeBuffer, BytesComeOutInOrder) {
  PipeBuffer b;
  EXPECT_EQ(write(b, "hello "), 6u);
  EXPECT_EQ(write(b, "world"), 5u);
  EXPECT_EQ(b.bytes(), 11u);
  EXPECT_EQ(b.used_slots(), 1u); // small writes merge into one page
  EXPECT_EQ(read(b, 3), "hel");
  EXPECT_EQ(read(b, 100), "lo world");
  EXPECT_TRUE(b.empty());
}

TEST(PipeBuffer, PageSizedWritesFillSixteenSlots) {
  PipeBuffer b;
  EXPECT_EQ(fill(b, 4096), 65536u);
  EXPECT_TRUE(b.full());
  EXPECT_EQ(b.used_slots(), 16u);
}

TEST(PipeBuffer, SmallWritesMergeOnlyWhileTheyFitThePage) {
  // 40 writes of 100 bytes fill 4000 bytes of a page; the 41st starts a new
  // page, so 16 pages hold 64000 bytes, as on Linux.
  PipeBuffer b;
  EXPECT_EQ(fill(b, 100), 64000u);
}

TEST(PipeBuffer, OneByteWritesFillWholePages) {
  PipeBuffer b;
  for (int i = 0; i < 4096; i++)
    ASSERT_EQ(write(b, "x"), 1u);
  EXPECT_EQ(b.used_slots(), 1u);
  EXPECT_EQ(write(b, "y"), 1u);
  EXPECT_EQ(b.used_slots(), 2u);
}

TEST(PipeBuffer, APageSizedWriteNeverMergesOrSplits) {
  PipeBuffer b;
  EXPECT_EQ(write(b, "a"), 1u);
  EXPECT_EQ(write(b, std::string(4096, 'b')), 4096u);
  EXPECT_EQ(b.used_slots(), 2u);
  EXPECT_EQ(read(b, 1), "a");
  EXPECT_EQ(read(b, 5000), std::string(4096, 'b'));
}

TEST(PipeBuffer, TheRemainderMergesFirst) {
  // Linux copies a write's first len % 4096 bytes into the last page when
  // they fit, then the rest page by page.
  PipeBuffer b;
  EXPECT_EQ(write(b, std::string(4000, 'a')), 4000u);
  std::string w = std::string(1, 'b') + std::string(4096, 'c');
  EXPECT_EQ(write(b, w), 4097u);
  EXPECT_EQ(b.used_slots(), 2u);
  EXPECT_EQ(read(b, 4001), std::string(4000, 'a') + "b");
  EXPECT_EQ(b.used_slots(), 1u);
  EXPECT_EQ(read(b, 5000), std::string(4096, 'c'));
}

TEST(PipeBuffer, AFullPipeTakesNothingUnlessItMerges) {
  PipeBuffer b;
  for (int i = 0; i < 15; i++)
    ASSERT_EQ(write(b, std::string(4096, 'x')), 4096u);
  ASSERT_EQ(write(b, std::string(4000, 'y')), 4000u);
  EXPECT_TRUE(b.full());
  EXPECT_EQ(write(b, std::string(4096, 'z')), 0u); // PIPE_BUF: all or nothing
  EXPECT_EQ(write(b, std::string(96, 'z')), 96u);  // fits the last page
  EXPECT_EQ(write(b, "z"), 0u);
}

TEST(PipeBuffer, ReadingFreesASlotOnlyWhenAPageEmpties) {
  PipeBuffer b;
  fill(b, 4096);
  EXPECT_EQ(read(b, 100).size(), 100u);
  EXPECT_TRUE(b.full());
  EXPECT_EQ(read(b, 3996).size(), 3996u);
  EXPECT_FALSE(b.full());
  // A partly read last page still merges up to its end only.
  PipeBuffer c;
  write(c, std::string(4000, 'a'));
  read(c, 3000);
  EXPECT_EQ(write(c, std::string(100, 'b')), 100u);
  EXPECT_EQ(c.used_slots(), 2u); // 4000 + 100 > 4096: a new page
}

TEST(PipeBuffer, ScatteredIovecs) {
  PipeBuffer b;
  char a[] = "abc", d[] = "defgh";
  iovec in[2] = {{a, 3}, {d, 5}};
  EXPECT_EQ(b.merge(in, 2, 8), 0u); // empty: nothing to merge into
  EXPECT_EQ(b.fill(in, 2, 0, 8), 8u);
  char x[2], y[10];
  iovec out[2] = {{x, 2}, {y, 10}};
  EXPECT_EQ(b.read(out, 2, 12), 8u);
  EXPECT_EQ(std::string(x, 2) + std::string(y, 6), "abcdefgh");
}

TEST(PipeBuffer, ResizingKeepsWhatIsInUse) {
  PipeBuffer b;
  fill(b, 4096);
  EXPECT_FALSE(b.set_max_slots(8));
  EXPECT_EQ(b.max_slots(), 16u);
  read(b, 4096 * 8);
  EXPECT_TRUE(b.set_max_slots(8));
  EXPECT_TRUE(b.full());
  EXPECT_TRUE(b.set_max_slots(32));
  EXPECT_EQ(fill(b, 4096), 4096u * 24);
}
