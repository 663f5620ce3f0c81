#include "fake_bridge.h"
#include "fd_table.h"
#include "socket.h"

#include <fcntl.h>
#include <gtest/gtest.h>

using namespace directsockets;

namespace {

std::shared_ptr<Socket> connected(int status_flags = 0) {
  auto s = std::make_shared<Socket>(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  Endpoint peer;
  endpoint_parse("10.0.0.1", 80, &peer);
  auto lock = lock_core();
  s->connect(lock, peer, true);
  s->on_open(endpoint_any(AF_INET), peer);
  s->status_flags = status_flags;
  return s;
}

class FdTableTest : public ::testing::Test {
protected:
  FdTableTest() { fake::reset(); }
  FdTable table;
};

} // namespace

TEST_F(FdTableTest, UnknownFdsAreNotSockets) {
  EXPECT_EQ(table.get(-1), nullptr);
  EXPECT_EQ(table.get(0), nullptr);
  EXPECT_EQ(table.get(1000), nullptr);
  EXPECT_EQ(table.share(5), nullptr);
  EXPECT_FALSE(table.cloexec(5));
  table.remove(5); // harmless
  table.set_cloexec(5, true);
  EXPECT_FALSE(table.cloexec(5));
}

TEST_F(FdTableTest, SetGetRemove) {
  auto s = connected(O_NONBLOCK);
  table.set(7, s, true);
  ASSERT_NE(table.get(7), nullptr);
  EXPECT_EQ(table.get(7), s.get());
  EXPECT_TRUE(table.get(7)->nonblock());
  EXPECT_TRUE(table.cloexec(7));
  EXPECT_EQ(table.get(6), nullptr);
  table.set_cloexec(7, false);
  EXPECT_FALSE(table.cloexec(7));
  table.remove(7);
  EXPECT_EQ(table.get(7), nullptr);
}

TEST_F(FdTableTest, DupSharesTheOpenFile) {
  table.set(3, connected(), false);
  table.set(4, table.share(3), true);
  EXPECT_EQ(table.get(3), table.get(4));
  // O_NONBLOCK is a status flag of the open file: dups see it.
  table.get(3)->status_flags |= O_NONBLOCK;
  EXPECT_TRUE(table.get(4)->nonblock());
  // FD_CLOEXEC is per fd.
  EXPECT_FALSE(table.cloexec(3));
  EXPECT_TRUE(table.cloexec(4));
}

TEST_F(FdTableTest, SocketClosesWithItsLastFd) {
  auto s = connected();
  uint32_t id = s->id();
  table.set(3, std::move(s), false);
  table.set(4, table.share(3), false);
  {
    auto lock = lock_core(); // the destructor calls into the bridge
    table.remove(3);
    EXPECT_EQ(fake::count("close", id), 0u);
    table.remove(4);
  }
  EXPECT_EQ(fake::count("close", id), 1u);
  EXPECT_EQ(socket_by_id(id), nullptr);
}

TEST_F(FdTableTest, SetReplacesAnEntry) {
  auto a = connected(), b = connected();
  table.set(3, a, true);
  table.set(3, b, false);
  EXPECT_EQ(table.get(3), b.get());
  EXPECT_FALSE(table.cloexec(3));
}
