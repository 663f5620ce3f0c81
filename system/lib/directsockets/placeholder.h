// Placeholder addresses: how getaddrinfo hands a name to the browser's own
// resolver. A name the core cannot resolve itself gets a number, and its
// placeholders encode that number in ranges no real peer can have:
//
//   IPv4  240.0.0.0/4  (reserved, "future use", RFC 1112): 240.0.0.0 + n
//   IPv6  100::/64     (discard-only, RFC 6666):           100:: + n
//
// connect() and sendto() on a placeholder give the name to TCPSocket or
// UDPSocket instead of an address, with dnsQueryType "ipv4" or "ipv6" as the
// placeholder's family says, so the browser resolves it. The table is per
// program and only grows (a name keeps its number).
#pragma once

#include <string>

#include "address.h"

namespace directsockets {

// The placeholder of `name` in `family` (AF_INET or AF_INET6); false when the
// table is full.
bool placeholder_for(const char* name, int family, Endpoint* out);

// When ep (or its IPv4-mapped form) is a placeholder: its name, and in
// *family the family whose records it stands for.
bool placeholder_name(const Endpoint& ep, std::string* name, int* family);

} // namespace directsockets
