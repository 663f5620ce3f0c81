#include "address.h"

#include <arpa/inet.h>
#include <errno.h>

#include <algorithm>
#include <cstring>

namespace directsockets {

namespace {
const uint8_t kV4MappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
const socklen_t kSockaddrIn6Rfc2133Len = 24;
} // namespace

bool Endpoint::is_unspecified() const {
  size_t n = family == AF_INET ? 4 : 16;
  return std::all_of(addr, addr + n, [](uint8_t b) { return b == 0; });
}

bool Endpoint::is_v4_mapped() const {
  return family == AF_INET6 && memcmp(addr, kV4MappedPrefix, 12) == 0;
}

Endpoint Endpoint::unmapped() const {
  if (!is_v4_mapped())
    return *this;
  Endpoint v4 = *this;
  v4.family = AF_INET;
  memset(v4.addr, 0, sizeof v4.addr);
  memcpy(v4.addr, addr + 12, 4);
  v4.flowinfo = v4.scope_id = 0;
  return v4;
}

void Endpoint::host(char out[kHostLen]) const {
  if (family == AF_INET)
    inet_ntop(AF_INET, addr, out, kHostLen);
  else if (is_v4_mapped())
    inet_ntop(AF_INET, addr + 12, out, kHostLen);
  else
    inet_ntop(AF_INET6, addr, out, kHostLen);
}

int endpoint_from_sockaddr(const sockaddr* sa, socklen_t len, int family,
                           Endpoint* out) {
  if (!sa || len < (socklen_t)sizeof(sa_family_t))
    return EINVAL;
  *out = Endpoint();
  if (sa->sa_family == AF_INET) {
    if (len < (socklen_t)sizeof(sockaddr_in))
      return EINVAL;
    auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    out->port = ntohs(in->sin_port);
    out->family = AF_INET;
    memcpy(out->addr, &in->sin_addr, 4);
    return 0;
  }
  if (sa->sa_family == AF_INET6) {
    if (family != AF_INET6)
      return EAFNOSUPPORT;
    // Linux takes the RFC 2133 layout, without sin6_scope_id.
    if (len < kSockaddrIn6Rfc2133Len)
      return EINVAL;
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    out->family = AF_INET6;
    memcpy(out->addr, &in6->sin6_addr, 16);
    out->port = ntohs(in6->sin6_port);
    out->flowinfo = in6->sin6_flowinfo;
    if (len >= (socklen_t)sizeof(sockaddr_in6))
      out->scope_id = in6->sin6_scope_id;
    return 0;
  }
  return family == AF_INET ? EAFNOSUPPORT : EINVAL;
}

void endpoint_to_sockaddr(const Endpoint& ep, int family, sockaddr* out,
                          socklen_t* len) {
  sockaddr_storage ss = {};
  socklen_t full;
  if (family == AF_INET) {
    auto* in = reinterpret_cast<sockaddr_in*>(&ss);
    in->sin_family = AF_INET;
    in->sin_port = htons(ep.port);
    memcpy(&in->sin_addr, ep.family == AF_INET ? ep.addr : ep.addr + 12, 4);
    full = sizeof(sockaddr_in);
  } else {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(ep.port);
    if (ep.family == AF_INET) {
      memcpy(&in6->sin6_addr, kV4MappedPrefix, 12);
      memcpy(reinterpret_cast<uint8_t*>(&in6->sin6_addr) + 12, ep.addr, 4);
    } else {
      memcpy(&in6->sin6_addr, ep.addr, 16);
      in6->sin6_flowinfo = ep.flowinfo;
      in6->sin6_scope_id = ep.scope_id;
    }
    full = sizeof(sockaddr_in6);
  }
  if (out)
    memcpy(out, &ss, std::min(*len, full));
  *len = full;
}

bool endpoint_parse(const char* host, uint16_t port, Endpoint* out) {
  *out = Endpoint();
  out->port = port;
  if (inet_pton(AF_INET, host, out->addr) == 1) {
    out->family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, host, out->addr) == 1) {
    out->family = AF_INET6;
    return true;
  }
  return false;
}

Endpoint endpoint_any(int family) {
  Endpoint ep;
  ep.family = family;
  return ep;
}

bool same_peer(const Endpoint& a, const Endpoint& b) {
  return a.unmapped() == b.unmapped();
}

bool operator==(const Endpoint& a, const Endpoint& b) {
  return a.family == b.family && a.port == b.port &&
         memcmp(a.addr, b.addr, 16) == 0;
}

} // namespace directsockets
