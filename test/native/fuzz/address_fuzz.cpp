// Fuzzes sockaddr parsing and writing: whatever endpoint_from_sockaddr
// accepts must write back and parse again to the same endpoint, its host()
// text must parse to the same address, and a truncated write must stay
// within the given length.
#include "address.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

using namespace directsockets;

namespace {

void check(bool ok) {
  if (!ok)
    abort();
}

bool same(const Endpoint& a, const Endpoint& b) {
  return a == b && a.flowinfo == b.flowinfo && a.scope_id == b.scope_id;
}

void round_trip(const Endpoint& ep, int family, socklen_t trunc) {
  // Full write, then parse it back.
  sockaddr_storage ss;
  memset(&ss, 0xAA, sizeof ss);
  socklen_t len = sizeof ss;
  endpoint_to_sockaddr(ep, family, reinterpret_cast<sockaddr*>(&ss), &len);
  check(len ==
        (family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6)));
  Endpoint back;
  check(endpoint_from_sockaddr(reinterpret_cast<sockaddr*>(&ss), len, family,
                               &back) == 0);
  if (ep.family == family)
    check(same(ep, back));
  else // AF_INET written on an AF_INET6 socket comes back v4-mapped
    check(back.is_v4_mapped() && memcmp(back.addr + 12, ep.addr, 4) == 0 &&
          back.port == ep.port);

  // A truncated write reports the full length and stays within `trunc`.
  uint8_t buf[sizeof(sockaddr_storage) + 8];
  memset(buf, 0xAA, sizeof buf);
  socklen_t tlen = trunc;
  endpoint_to_sockaddr(ep, family, reinterpret_cast<sockaddr*>(buf), &tlen);
  check(tlen == len);
  check(memcmp(buf, &ss, std::min(trunc, len)) == 0);
  for (size_t i = trunc; i < sizeof buf; i++)
    check(buf[i] == 0xAA);

  // The host text names the same address.
  char host[kHostLen];
  ep.host(host);
  check(strlen(host) < kHostLen);
  Endpoint parsed;
  check(endpoint_parse(host, ep.port, &parsed));
  if (ep.is_v4_mapped())
    check(parsed.family == AF_INET &&
          memcmp(parsed.addr, ep.addr + 12, 4) == 0);
  else
    check(parsed.family == ep.family &&
          memcmp(parsed.addr, ep.addr, ep.family == AF_INET ? 4 : 16) == 0);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2)
    return 0;
  const int family = (data[0] & 1) ? AF_INET6 : AF_INET;
  const socklen_t trunc = data[1] % (sizeof(sockaddr_storage) + 1);
  data += 2;
  size -= 2;

  // The input as a sockaddr of its own length (heap-sized: ASan sees reads
  // past it).
  uint8_t* sa = static_cast<uint8_t*>(malloc(size ? size : 1));
  memcpy(sa, data, size);
  Endpoint ep;
  int err = endpoint_from_sockaddr(reinterpret_cast<sockaddr*>(sa),
                                   socklen_t(size), family, &ep);
  free(sa);
  check(err == 0 || err == EINVAL || err == EAFNOSUPPORT);
  if (err == 0) {
    check(ep.family == AF_INET || ep.family == AF_INET6);
    round_trip(ep, family, trunc);
    if (ep.family == AF_INET && family == AF_INET)
      round_trip(ep, AF_INET6, trunc);
  }

  // The input as address text.
  char text[80];
  size_t n = std::min(size, sizeof text - 1);
  memcpy(text, data, n);
  text[n] = '\0';
  if (endpoint_parse(text, 7, &ep))
    round_trip(ep, ep.family, trunc);
  return 0;
}
