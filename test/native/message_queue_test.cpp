#include "message_queue.h"

#include <gtest/gtest.h>

#include <string>

using directsockets::MessageQueue;

namespace {

void push(MessageQueue& q, const std::string& s) {
  iovec iov = {const_cast<char*>(s.data()), s.size()};
  q.push(&iov, 1, 0, s.size());
}

std::string read_bytes(MessageQueue& q, size_t len, bool peek = false,
                       size_t* freed = nullptr) {
  std::string out(len, '\0');
  iovec iov = {out.data(), out.size()};
  size_t f = 0;
  out.resize(q.read_bytes(&iov, 1, 0, len, peek, &f));
  if (freed)
    *freed = f;
  return out;
}

} // namespace

TEST(MessageQueue, ChargesEachPieceItsOverhead) {
  MessageQueue q;
  push(q, "abc");
  push(q, "");
  EXPECT_EQ(q.bytes(), 3u);
  EXPECT_EQ(q.charge(), 3 + 2 * MessageQueue::kOverhead);
  EXPECT_EQ(q.front_size(), 3u);
}

TEST(MessageQueue, StreamReadsCrossPieces) {
  MessageQueue q;
  push(q, "abc");
  push(q, "defgh");
  size_t freed = 0;
  EXPECT_EQ(read_bytes(q, 2, true, &freed), "ab");
  EXPECT_EQ(freed, 0u);
  EXPECT_EQ(q.bytes(), 8u); // a peek leaves everything
  EXPECT_EQ(read_bytes(q, 4, false, &freed), "abcd");
  EXPECT_EQ(freed, 1u); // "abc" used up
  EXPECT_EQ(q.bytes(), 4u);
  EXPECT_EQ(q.charge(), 5 + MessageQueue::kOverhead);
  EXPECT_EQ(q.front_size(), 4u);
  EXPECT_EQ(read_bytes(q, 10, false, &freed), "efgh");
  EXPECT_EQ(freed, 1u);
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.charge(), 0u);
}

TEST(MessageQueue, StreamReadsAtAnOffsetOfTheIovecs) {
  MessageQueue q;
  push(q, "12345");
  char a[3] = {}, b[4] = {};
  iovec iov[2] = {{a, 3}, {b, 4}};
  size_t freed = 0;
  EXPECT_EQ(q.read_bytes(iov, 2, 2, 5, false, &freed), 5u);
  EXPECT_EQ(std::string(a + 2, 1) + std::string(b, 4), "12345");
}

TEST(MessageQueue, MessagesAreReadWholeOrTruncated) {
  MessageQueue q;
  push(q, "abcdef");
  push(q, "");
  char out[4] = {};
  iovec iov = {out, sizeof out};
  EXPECT_EQ(q.read_message(&iov, 1, 4, true), 6u); // its full length
  EXPECT_EQ(q.front_size(), 6u);                   // peeked: still there
  EXPECT_EQ(q.read_message(&iov, 1, 4, false), 6u);
  EXPECT_EQ(std::string(out, 4), "abcd");
  EXPECT_FALSE(q.empty()); // the empty message
  EXPECT_EQ(q.read_message(&iov, 1, 4, false), 0u);
  EXPECT_TRUE(q.empty());
}

TEST(MessageQueue, ClearDropsEverything) {
  MessageQueue q;
  push(q, "abc");
  q.clear();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_EQ(q.charge(), 0u);
}
