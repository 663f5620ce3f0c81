// The name-resolution entry points of <netdb.h>, native under
// -sDIRECT_SOCKETS: they replace Emscripten's JS getaddrinfo/getnameinfo
// (which hand out fake addresses) and musl's gethostbyname family. The
// logic is in resolver.cpp.
#include <arpa/inet.h>
#include <netdb.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "resolver.h"

using namespace directsockets;

namespace {

// One addrinfo and its address in one allocation; freeaddrinfo frees it.
struct Node {
  addrinfo ai;
  sockaddr_in6 addr;
};

// The static result of gethostbyname and gethostbyaddr.
struct HostEnt {
  hostent he;
  char name[256];
  char* aliases[1];
  char* addr_list[17];
  uint8_t addrs[16][16];
};

hostent* fill_hostent(const std::string& name, int family,
                      const std::vector<Endpoint>& eps) {
  static thread_local HostEnt h;
  memset(&h, 0, sizeof h);
  snprintf(h.name, sizeof h.name, "%s", name.c_str());
  h.he.h_name = h.name;
  h.he.h_aliases = h.aliases;
  h.he.h_addrtype = family;
  h.he.h_length = family == AF_INET ? 4 : 16;
  h.he.h_addr_list = h.addr_list;
  size_t n = 0;
  for (const Endpoint& ep : eps) {
    if (n == 16)
      break;
    memcpy(h.addrs[n], ep.addr, h.he.h_length);
    h.addr_list[n] = reinterpret_cast<char*>(h.addrs[n]);
    n++;
  }
  return &h.he;
}

int herror_of(int eai) {
  switch (eai) {
  case EAI_AGAIN:
    return TRY_AGAIN;
  case EAI_FAIL:
  case EAI_MEMORY:
    return NO_RECOVERY;
  case EAI_NODATA:
  case EAI_ADDRFAMILY:
    return NO_DATA;
  }
  return HOST_NOT_FOUND;
}

} // namespace

extern "C" {

int getaddrinfo(const char* node, const char* service, const addrinfo* hints,
                addrinfo** res) {
  std::vector<Resolved> results;
  std::string canon;
  int r = resolve(node, service, hints, &results, &canon);
  if (r)
    return r;
  addrinfo* head = nullptr;
  addrinfo** tail = &head;
  for (const Resolved& result : results) {
    auto* n = static_cast<Node*>(calloc(1, sizeof(Node)));
    if (!n) {
      freeaddrinfo(head);
      return EAI_MEMORY;
    }
    n->ai.ai_family = result.ep.family;
    n->ai.ai_socktype = result.socktype;
    n->ai.ai_protocol = result.protocol;
    n->ai.ai_addr = reinterpret_cast<sockaddr*>(&n->addr);
    n->ai.ai_addrlen = sizeof n->addr;
    endpoint_to_sockaddr(result.ep, result.ep.family, n->ai.ai_addr,
                         &n->ai.ai_addrlen);
    if (!head && hints && (hints->ai_flags & AI_CANONNAME)) {
      n->ai.ai_canonname = strdup(canon.c_str());
      if (!n->ai.ai_canonname) {
        free(n);
        return EAI_MEMORY;
      }
    }
    *tail = &n->ai;
    tail = &n->ai.ai_next;
  }
  *res = head;
  return 0;
}

void freeaddrinfo(addrinfo* ai) {
  while (ai) {
    addrinfo* next = ai->ai_next;
    free(ai->ai_canonname);
    free(ai); // ai is the start of its Node
    ai = next;
  }
}

int getnameinfo(const sockaddr* sa, socklen_t salen, char* host,
                socklen_t hostlen, char* serv, socklen_t servlen, int flags) {
  if (!sa || salen < (socklen_t)sizeof(sa_family_t))
    return EAI_FAMILY;
  if (flags & ~0x3f)
    return EAI_BADFLAGS;
  Endpoint ep;
  if ((sa->sa_family != AF_INET && sa->sa_family != AF_INET6) ||
      (sa->sa_family == AF_INET && salen < (socklen_t)sizeof(sockaddr_in)) ||
      (sa->sa_family == AF_INET6 && salen < (socklen_t)sizeof(sockaddr_in6)) ||
      endpoint_from_sockaddr(sa, salen, sa->sa_family, &ep) != 0)
    return EAI_FAMILY;
  return reverse(ep, flags, host, hostlen, serv, servlen);
}

hostent* gethostbyname2(const char* name, int family) {
  if (family != AF_INET && family != AF_INET6) {
    h_errno = NO_RECOVERY;
    return nullptr;
  }
  addrinfo hints = {};
  hints.ai_family = family;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_CANONNAME;
  std::vector<Resolved> results;
  std::string canon;
  if (int r = resolve(name, nullptr, &hints, &results, &canon)) {
    h_errno = herror_of(r);
    return nullptr;
  }
  std::vector<Endpoint> eps;
  for (const Resolved& r : results)
    eps.push_back(r.ep);
  return fill_hostent(canon, family, eps);
}

hostent* gethostbyname(const char* name) {
  return gethostbyname2(name, AF_INET);
}

hostent* gethostbyaddr(const void* addr, socklen_t len, int family) {
  Endpoint ep;
  ep.family = family;
  if ((family != AF_INET || len != 4) && (family != AF_INET6 || len != 16)) {
    h_errno = NO_RECOVERY;
    return nullptr;
  }
  memcpy(ep.addr, addr, len);
  char name[NI_MAXHOST];
  if (reverse(ep, NI_NAMEREQD, name, sizeof name, nullptr, 0) != 0) {
    h_errno = HOST_NOT_FOUND;
    return nullptr;
  }
  return fill_hostent(name, family, {ep});
}

} // extern "C"
