#include "datagram_queue.h"

#include <gtest/gtest.h>

#include <cstring>

using directsockets::DatagramQueue;
using directsockets::Endpoint;
using directsockets::endpoint_parse;

namespace {

Endpoint from(const char* host, uint16_t port) {
  Endpoint ep;
  EXPECT_TRUE(endpoint_parse(host, port, &ep));
  return ep;
}

} // namespace

TEST(DatagramQueue, EmptyQueue) {
  DatagramQueue q;
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
  EXPECT_EQ(q.front_size(), 0u);
}

TEST(DatagramQueue, PushAndPopAccountBytes) {
  DatagramQueue q;
  q.set_limit(100);
  memcpy(q.push(from("10.0.0.1", 1), 3), "abc", 3);
  memcpy(q.push(from("10.0.0.2", 2), 5), "defgh", 5);
  constexpr size_t k = DatagramQueue::kOverhead;
  EXPECT_EQ(q.bytes(), 8u + 2 * k);
  EXPECT_EQ(q.front_size(), 3u);
  EXPECT_EQ(q.front().from, from("10.0.0.1", 1));
  EXPECT_EQ(std::string(q.front().data.begin(), q.front().data.end()), "abc");
  q.pop();
  EXPECT_EQ(q.bytes(), 5u + k);
  EXPECT_EQ(q.front_size(), 5u);
  EXPECT_EQ(q.front().from, from("10.0.0.2", 2));
  q.pop();
  EXPECT_TRUE(q.empty());
  EXPECT_EQ(q.bytes(), 0u);
}

TEST(DatagramQueue, FitsHonoursLimit) {
  DatagramQueue q;
  q.set_limit(10 + 2 * DatagramQueue::kOverhead);
  q.push(from("10.0.0.1", 1), 6);
  EXPECT_TRUE(q.fits(4));
  EXPECT_FALSE(q.fits(5));
  q.push(from("10.0.0.1", 1), 4);
  EXPECT_FALSE(q.fits(1));
  q.pop();
  EXPECT_TRUE(q.fits(6));
}

TEST(DatagramQueue, EmptyQueueTakesAnyDatagram) {
  // Else a datagram larger than the limit could never be received.
  DatagramQueue q;
  q.set_limit(10);
  EXPECT_TRUE(q.fits(65507));
  q.push(from("10.0.0.1", 1), 65507);
  EXPECT_FALSE(q.fits(1));
}

TEST(DatagramQueue, ZeroLengthDatagrams) {
  DatagramQueue q;
  q.set_limit(10);
  q.push(from("10.0.0.1", 7), 0);
  EXPECT_FALSE(q.empty());
  EXPECT_EQ(q.front_size(), 0u);
  EXPECT_EQ(q.bytes(), DatagramQueue::kOverhead);
  EXPECT_EQ(q.front().from.port, 7);
  q.pop();
  EXPECT_TRUE(q.empty());
}

// A peer sending empty datagrams must not grow the queue without limit.
TEST(DatagramQueue, ZeroLengthDatagramsAreBounded) {
  DatagramQueue q;
  q.set_limit(1024);
  size_t n = 0;
  while (q.fits(0) && n < 100000) {
    q.push(from("10.0.0.1", 1), 0);
    n++;
  }
  EXPECT_LT(n, 100000u);
}
