#include "resolver.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "hosts.h"
#include "placeholder.h"
#include "services.h"

namespace directsockets {

namespace {

// The flags glibc knows (AI_IDN and its relatives included: accepted, and
// meaningless for the names a program can give here).
constexpr int kKnownAiFlags = 0x7ff;
constexpr int kKnownNiFlags = 0x3f;

// glibc's table of socket types and protocols (gaih_inet_typeproto).
struct TypeProto {
  int socktype;
  int protocol;
  const char* name;
  bool by_default; // returned when the hints name no type or protocol
  bool any_protocol;
  bool no_service;
};

const TypeProto kTypeProtos[] = {
    {SOCK_STREAM, IPPROTO_TCP, "tcp", true, false, false},
    {SOCK_DGRAM, IPPROTO_UDP, "udp", true, false, false},
    {6 /* SOCK_DCCP */, 33 /* IPPROTO_DCCP */, "dccp", false, false, false},
    {SOCK_DGRAM, 136 /* IPPROTO_UDPLITE */, "udplite", false, false, false},
    {SOCK_STREAM, 132 /* IPPROTO_SCTP */, "sctp", false, false, false},
    {SOCK_SEQPACKET, 132, "sctp", false, false, false},
    {SOCK_RAW, 0, "raw", true, true, true},
};

// The (socktype, protocol, port) tuples getaddrinfo returns for each
// address, as glibc's get_servtuple computes them.
int service_tuples(const char* service, const addrinfo& hints,
                   std::vector<Resolved>* tuples) {
  const TypeProto* tp = nullptr;
  if (hints.ai_socktype || hints.ai_protocol) {
    for (const TypeProto& t : kTypeProtos) {
      if ((hints.ai_socktype && hints.ai_socktype != t.socktype) ||
          (hints.ai_protocol && !t.any_protocol &&
           hints.ai_protocol != t.protocol))
        continue;
      tp = &t;
      break;
    }
    if (!tp)
      return hints.ai_socktype ? EAI_SOCKTYPE : EAI_SERVICE;
  }
  auto add = [&](const TypeProto& t, int port) {
    Resolved r;
    r.socktype = t.socktype;
    r.protocol = hints.ai_protocol ? hints.ai_protocol : t.protocol;
    r.ep.port = uint16_t(port);
    tuples->push_back(r);
  };
  int port = 0;
  if (service) {
    if (tp && tp->no_service)
      return EAI_SERVICE;
    char* end;
    port = int(strtoul(service, &end, 10));
    if (*end) {
      if (hints.ai_flags & AI_NUMERICSERV)
        return EAI_NONAME;
      for (const TypeProto& t : kTypeProtos) {
        if (tp ? &t != tp : !t.by_default || t.no_service)
          continue;
        int p = service_port(service, t.name);
        if (p >= 0)
          add(t, p);
      }
      return tuples->empty() ? EAI_SERVICE : 0;
    }
  }
  if (tp) {
    add(*tp, port);
    return 0;
  }
  for (const TypeProto& t : kTypeProtos)
    if (t.by_default)
      add(t, port);
  return 0;
}

// A numeric host as glibc reads it: inet_aton's forms for IPv4 (127.1,
// 0x7f.1, 2130706433), inet_pton's for IPv6 with an optional numeric
// "%scope".
bool parse_numeric(const char* node, Endpoint* ep) {
  *ep = Endpoint();
  in_addr a4;
  if (inet_aton(node, &a4)) {
    ep->family = AF_INET;
    memcpy(ep->addr, &a4, 4);
    return true;
  }
  std::string text = node;
  const char* scope = nullptr;
  if (size_t pct = text.find('%'); pct != std::string::npos) {
    scope = node + pct + 1;
    text.resize(pct);
  }
  if (inet_pton(AF_INET6, text.c_str(), ep->addr) != 1)
    return false;
  ep->family = AF_INET6;
  if (scope) {
    char* end;
    unsigned long id = strtoul(scope, &end, 10);
    if (!*scope || *end)
      return false; // interface names: the browser has none
    ep->scope_id = uint32_t(id);
  }
  return true;
}

// A numeric address as an address of the asked family, or EAI_ADDRFAMILY.
int numeric_for_family(Endpoint ep, const addrinfo& hints,
                       std::vector<Endpoint>* out) {
  int family = hints.ai_family;
  if (ep.family == AF_INET && family == AF_INET6) {
    if (!(hints.ai_flags & AI_V4MAPPED))
      return EAI_ADDRFAMILY;
    Endpoint mapped;
    mapped.family = AF_INET6;
    mapped.addr[10] = mapped.addr[11] = 0xff;
    memcpy(mapped.addr + 12, ep.addr, 4);
    ep = mapped;
  } else if (ep.family == AF_INET6 && family == AF_INET) {
    if (!ep.is_v4_mapped())
      return EAI_ADDRFAMILY;
    ep = ep.unmapped();
  }
  out->push_back(ep);
  return 0;
}

// A name a resolver could be asked about (as Chromium's and glibc's resolvers
// check before sending a query).
bool valid_hostname(const char* name) {
  size_t len = strlen(name);
  if (len == 0 || len > 254 || (len == 254 && name[253] != '.'))
    return false;
  size_t label = 0;
  for (const char* p = name; *p; p++) {
    char c = *p;
    if (c == '.') {
      if (label == 0 || label > 63)
        return false;
      label = 0;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '-' || c == '_') {
      label++;
    } else {
      return false;
    }
  }
  return label <= 63;
}

// RFC 6724's default precedence of a destination, which orders AF_UNSPEC
// results as glibc's sort does when every destination is reachable.
int precedence(const Endpoint& ep) {
  if (ep.family == AF_INET || ep.is_v4_mapped())
    return 35;
  const uint8_t* a = ep.addr;
  static const uint8_t loopback[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                       0, 0, 0, 0, 0, 0, 0, 1};
  if (memcmp(a, loopback, 16) == 0)
    return 50;
  if (a[0] == 0x20 && a[1] == 0x02)
    return 30;
  if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0 && a[3] == 0)
    return 5;
  if ((a[0] & 0xfe) == 0xfc)
    return 3;
  static const uint8_t zero[12] = {};
  if (memcmp(a, zero, 12) == 0 || (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) ||
      (a[0] == 0x3f && a[1] == 0xfe))
    return 1;
  return 40;
}

// A name from the hosts table, for the asked family (with AI_V4MAPPED and
// AI_ALL's IPv4-mapped additions for AF_INET6).
int from_hosts(const std::string& text, const char* node, const addrinfo& hints,
               std::vector<Endpoint>* out, std::string* canon) {
  int family = hints.ai_family;
  if (family == AF_INET6 && (hints.ai_flags & AI_V4MAPPED)) {
    hosts_lookup(text, node, AF_INET6, out, canon);
    if (out->empty() || (hints.ai_flags & AI_ALL)) {
      std::vector<Endpoint> v4;
      std::string canon4;
      hosts_lookup(text, node, AF_INET, &v4, &canon4);
      if (out->empty())
        *canon = canon4;
      for (const Endpoint& e : v4)
        numeric_for_family(e, hints, out);
    }
  } else {
    hosts_lookup(text, node, family, out, canon);
  }
  if (out->empty())
    return EAI_NONAME;
  if (family == AF_UNSPEC)
    std::stable_sort(out->begin(), out->end(),
                     [](const Endpoint& a, const Endpoint& b) {
                       return precedence(a) > precedence(b);
                     });
  return 0;
}

// The browser's resolver: placeholders that connect() and sendto() turn
// back into the name. AF_UNSPEC gives the IPv4 one first: the browser does
// not tell which records exist, and IPv4 reaches more networks.
int from_browser(const char* node, const addrinfo& hints,
                 std::vector<Endpoint>* out) {
  int family = hints.ai_family;
  Endpoint ep;
  if (family != AF_INET6) {
    if (!placeholder_for(node, AF_INET, &ep))
      return EAI_MEMORY;
    out->push_back(ep);
  }
  if (family != AF_INET) {
    if (!placeholder_for(node, AF_INET6, &ep))
      return EAI_MEMORY;
    out->push_back(ep);
  }
  if (family == AF_INET6 && (hints.ai_flags & AI_V4MAPPED) &&
      (hints.ai_flags & AI_ALL)) {
    if (!placeholder_for(node, AF_INET, &ep))
      return EAI_MEMORY;
    numeric_for_family(ep, hints, out);
  }
  return 0;
}

int copy_out(const char* text, char* buf, size_t len) {
  if (!buf || len == 0)
    return 0;
  if (strlen(text) >= len)
    return EAI_OVERFLOW;
  strcpy(buf, text);
  return 0;
}

} // namespace

int resolve(const char* node, const char* service, const addrinfo* hints_in,
            std::vector<Resolved>* out, std::string* canon) {
  if (!node && !service)
    return EAI_NONAME;
  addrinfo hints = {};
  if (hints_in)
    hints = *hints_in;
  else
    hints.ai_flags = AI_V4MAPPED | AI_ADDRCONFIG;
  if (hints.ai_flags & ~kKnownAiFlags)
    return EAI_BADFLAGS;
  if ((hints.ai_flags & AI_CANONNAME) && !node)
    return EAI_BADFLAGS;
  int family = hints.ai_family;
  if (family != AF_UNSPEC && family != AF_INET && family != AF_INET6)
    return EAI_FAMILY;

  std::vector<Resolved> tuples;
  if (int r = service_tuples(service, hints, &tuples))
    return r;

  std::vector<Endpoint> addrs;
  std::string name;
  Endpoint numeric;
  if (!node) {
    // The loopback address, or with AI_PASSIVE the any address, in the
    // order glibc's sort gives them.
    bool passive = hints.ai_flags & AI_PASSIVE;
    Endpoint v4 = endpoint_any(AF_INET), v6 = endpoint_any(AF_INET6);
    if (!passive) {
      v4.addr[0] = 127;
      v4.addr[3] = 1;
      v6.addr[15] = 1;
    }
    if (family != AF_INET && !passive)
      addrs.push_back(v6);
    if (family != AF_INET6)
      addrs.push_back(v4);
    if (family != AF_INET && passive)
      addrs.push_back(v6);
  } else if (parse_numeric(node, &numeric)) {
    if (int r = numeric_for_family(numeric, hints, &addrs))
      return r;
    name = node;
  } else if (hints.ai_flags & AI_NUMERICHOST) {
    return EAI_NONAME;
  } else if (int r = from_hosts(hosts_text(), node, hints, &addrs, &name);
             r != 0) {
    if (!valid_hostname(node))
      return EAI_NONAME;
    addrs.clear();
    if ((r = from_browser(node, hints, &addrs)))
      return r;
    name = node;
  }

  for (const Endpoint& a : addrs)
    for (Resolved t : tuples) {
      uint16_t port = t.ep.port;
      t.ep = a;
      t.ep.port = port;
      out->push_back(t);
    }
  if (hints.ai_flags & AI_CANONNAME)
    *canon = name;
  return 0;
}

int reverse(const Endpoint& ep, int flags, char* host, size_t hostlen,
            char* serv, size_t servlen) {
  if (flags & ~kKnownNiFlags)
    return EAI_BADFLAGS;
  if (host && hostlen > 0) {
    std::string name;
    int family;
    bool named = false;
    if (!(flags & NI_NUMERICHOST))
      named = placeholder_name(ep, &name, &family) ||
              hosts_reverse(hosts_text(), ep, &name);
    if (!named && (flags & NI_NAMEREQD))
      return EAI_NONAME;
    if (!named) {
      char text[kHostLen];
      inet_ntop(ep.family, ep.addr, text, sizeof text);
      name = text;
      bool link_local = ep.family == AF_INET6 &&
                        ((ep.addr[0] == 0xfe && (ep.addr[1] & 0xc0) == 0x80) ||
                         (ep.addr[0] == 0xff && (ep.addr[1] & 0x0f) == 0x02));
      if (link_local && ep.scope_id)
        name += "%" + std::to_string(ep.scope_id);
    }
    if (int r = copy_out(name.c_str(), host, hostlen))
      return r;
  }
  if (serv && servlen > 0) {
    const char* known = nullptr;
    if (!(flags & NI_NUMERICSERV))
      known = service_name(ep.port, (flags & NI_DGRAM) ? "udp" : "tcp");
    std::string text = known ? known : std::to_string(ep.port);
    if (int r = copy_out(text.c_str(), serv, servlen))
      return r;
  }
  return 0;
}

} // namespace directsockets
