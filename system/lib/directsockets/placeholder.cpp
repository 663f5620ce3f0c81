#include "placeholder.h"

#include <cstring>
#include <mutex>
#include <vector>

namespace directsockets {

namespace {

// Numbers run from 1; 240.0.0.0/4 holds 2^28 - 2 of them besides the
// broadcast address, 255.255.255.255.
constexpr size_t kMaxNames = (1u << 28) - 2;

struct Table {
  std::mutex mutex;
  std::vector<std::string> names; // number n is names[n - 1]
};

Table& table() {
  static Table t;
  return t;
}

const uint8_t kPrefix6[8] = {0x01, 0x00, 0, 0, 0, 0, 0, 0};

} // namespace

bool placeholder_for(const char* name, int family, Endpoint* out) {
  Table& t = table();
  uint32_t n = 0;
  {
    std::lock_guard<std::mutex> guard(t.mutex);
    for (size_t i = 0; i < t.names.size() && !n; i++)
      if (t.names[i] == name)
        n = uint32_t(i + 1);
    if (!n) {
      if (t.names.size() >= kMaxNames)
        return false;
      t.names.emplace_back(name);
      n = uint32_t(t.names.size());
    }
  }
  *out = Endpoint();
  out->family = family;
  uint8_t* a = family == AF_INET ? out->addr : out->addr + 12;
  if (family == AF_INET6)
    memcpy(out->addr, kPrefix6, 8);
  a[0] = uint8_t(family == AF_INET ? 0xf0 | (n >> 24) : n >> 24);
  a[1] = uint8_t(n >> 16);
  a[2] = uint8_t(n >> 8);
  a[3] = uint8_t(n);
  return true;
}

bool placeholder_name(const Endpoint& ep, std::string* name, int* family) {
  Endpoint e = ep.unmapped();
  uint32_t n;
  if (e.family == AF_INET) {
    if ((e.addr[0] & 0xf0) != 0xf0)
      return false;
    n = uint32_t(e.addr[0] & 0x0f) << 24 | e.addr[1] << 16 | e.addr[2] << 8 |
        e.addr[3];
  } else if (e.family == AF_INET6) {
    static const uint8_t zero[4] = {};
    if (memcmp(e.addr, kPrefix6, 8) != 0 || memcmp(e.addr + 8, zero, 4) != 0)
      return false;
    n = uint32_t(e.addr[12]) << 24 | e.addr[13] << 16 | e.addr[14] << 8 |
        e.addr[15];
  } else {
    return false;
  }
  Table& t = table();
  std::lock_guard<std::mutex> guard(t.mutex);
  if (n == 0 || n > t.names.size())
    return false;
  *name = t.names[n - 1];
  *family = e.family;
  return true;
}

} // namespace directsockets
