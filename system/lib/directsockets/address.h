// Socket addresses: conversion between the sockaddr structures programs pass
// and the (address string, port) pairs the Direct Sockets API takes.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>

namespace directsockets {

// Long enough for any IPv6 text form, with a zone index.
constexpr size_t kHostLen = 64;

struct Endpoint {
  int family = AF_UNSPEC; // AF_INET or AF_INET6
  uint8_t addr[16] = {};  // network byte order; the first 4 bytes for IPv4
  uint16_t port = 0;      // host byte order
  uint32_t flowinfo = 0;
  uint32_t scope_id = 0;

  bool is_unspecified() const; // 0.0.0.0 or ::
  bool is_v4_mapped() const;   // ::ffff:a.b.c.d
  // The IPv4 form of an IPv4-mapped address; other addresses unchanged.
  Endpoint unmapped() const;
  // The address as text for the Direct Sockets API: IPv4-mapped IPv6
  // addresses are given in their IPv4 form.
  void host(char out[kHostLen]) const;
};

// Reads a sockaddr of a socket of `family`. Returns 0 or an errno: EINVAL for
// a short length, EAFNOSUPPORT for a foreign family. An AF_INET6 socket also
// reads AF_INET addresses (as an AF_INET Endpoint): Linux takes them for UDP
// connect/sendto and refuses them elsewhere, which the caller decides.
int endpoint_from_sockaddr(const sockaddr* sa, socklen_t len, int family,
                           Endpoint* out);

// Writes ep as a sockaddr of a socket of `family` into out (truncated to
// *len as the kernel does) and sets *len to the full size.
void endpoint_to_sockaddr(const Endpoint& ep, int family, sockaddr* out,
                          socklen_t* len);

// Parses a numeric IPv4/IPv6 address. Returns false if it is not one.
bool endpoint_parse(const char* host, uint16_t port, Endpoint* out);

// The unspecified ("any") address of a family.
Endpoint endpoint_any(int family);

bool operator==(const Endpoint& a, const Endpoint& b);
// Equality of address and port, with IPv4-mapped and IPv4 forms equal.
bool same_peer(const Endpoint& a, const Endpoint& b);

} // namespace directsockets
