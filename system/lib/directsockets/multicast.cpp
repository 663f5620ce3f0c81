#include "multicast.h"

#include <errno.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace directsockets {

namespace {

bool is_multicast(const Endpoint& a) {
  return a.family == AF_INET ? (a.addr[0] & 0xf0) == 0xe0 : a.addr[0] == 0xff;
}

bool same_address(const Endpoint& a, const Endpoint& b) {
  return a.family == b.family && memcmp(a.addr, b.addr, sizeof a.addr) == 0;
}

Endpoint from_in(const in_addr& a) {
  Endpoint e = endpoint_any(AF_INET);
  memcpy(e.addr, &a, 4);
  return e;
}

Endpoint from_in6(const in6_addr& a) {
  Endpoint e = endpoint_any(AF_INET6);
  memcpy(e.addr, &a, 16);
  return e;
}

// The address of a sockaddr_storage of `family`; false for another family.
bool from_storage(const sockaddr_storage& ss, int family, Endpoint* out) {
  if (ss.ss_family != family)
    return false;
  if (family == AF_INET)
    *out = from_in(reinterpret_cast<const sockaddr_in&>(ss).sin_addr);
  else
    *out = from_in6(reinterpret_cast<const sockaddr_in6&>(ss).sin6_addr);
  return true;
}

// The checks every request makes of what it read, in Linux's order: a group
// that is not multicast, then the interface (which the API cannot choose).
// Linux checks a group it leaves by any source only through the table.
int check(MembershipRequest* req, bool any_interface) {
  bool checks_group =
      req->kind != MembershipRequest::Leave || req->group.family == AF_INET6;
  if (checks_group && !is_multicast(req->group))
    return -EINVAL;
  if (!any_interface)
    return -ENOPROTOOPT;
  // Chromium takes a unicast, non-zero sourceAddress only; Linux takes any.
  if (req->kind == MembershipRequest::JoinSource &&
      (is_multicast(req->source) || req->source.is_unspecified()))
    return -EINVAL;
  return 0;
}

template <typename T> T read(const void* value) {
  T v;
  memcpy(&v, value, sizeof v);
  return v;
}

int parse_ip(int name, const void* value, socklen_t len,
             MembershipRequest* req) {
  using Kind = MembershipRequest::Kind;
  switch (name) {
  case IP_ADD_MEMBERSHIP:
  case IP_DROP_MEMBERSHIP: {
    if (len < (socklen_t)sizeof(ip_mreq))
      return -EINVAL;
    req->kind = name == IP_ADD_MEMBERSHIP ? Kind::Join : Kind::Leave;
    bool any_interface;
    if (len >= (socklen_t)sizeof(ip_mreqn)) {
      auto m = read<ip_mreqn>(value);
      req->group = from_in(m.imr_multiaddr);
      any_interface = m.imr_address.s_addr == INADDR_ANY && m.imr_ifindex == 0;
    } else {
      auto m = read<ip_mreq>(value);
      req->group = from_in(m.imr_multiaddr);
      any_interface = m.imr_interface.s_addr == INADDR_ANY;
    }
    return check(req, any_interface);
  }
  case IP_ADD_SOURCE_MEMBERSHIP:
  case IP_DROP_SOURCE_MEMBERSHIP: {
    if (len != (socklen_t)sizeof(ip_mreq_source))
      return -EINVAL;
    auto m = read<ip_mreq_source>(value);
    req->kind =
        name == IP_ADD_SOURCE_MEMBERSHIP ? Kind::JoinSource : Kind::LeaveSource;
    req->group = from_in(m.imr_multiaddr);
    req->source = from_in(m.imr_sourceaddr);
    return check(req, m.imr_interface.s_addr == INADDR_ANY);
  }
  }
  return -ENOPROTOOPT;
}

int parse_ipv6(int name, const void* value, socklen_t len,
               MembershipRequest* req) {
  if (name != IPV6_ADD_MEMBERSHIP && name != IPV6_DROP_MEMBERSHIP)
    return -ENOPROTOOPT;
  if (len < (socklen_t)sizeof(ipv6_mreq))
    return -EINVAL;
  auto m = read<ipv6_mreq>(value);
  req->kind = name == IPV6_ADD_MEMBERSHIP ? MembershipRequest::Join
                                          : MembershipRequest::Leave;
  req->group = from_in6(m.ipv6mr_multiaddr);
  return check(req, m.ipv6mr_interface == 0);
}

// MCAST_*: the protocol-independent forms, at either level. An IPv6 socket
// that names another family is refused with EADDRNOTAVAIL, an IPv4 one with
// EINVAL for a group and EADDRNOTAVAIL for a group and source.
int parse_mcast(int family, int name, const void* value, socklen_t len,
                MembershipRequest* req) {
  using Kind = MembershipRequest::Kind;
  switch (name) {
  case MCAST_JOIN_GROUP:
  case MCAST_LEAVE_GROUP: {
    if (len < (socklen_t)sizeof(group_req))
      return -EINVAL;
    auto g = read<group_req>(value);
    req->kind = name == MCAST_JOIN_GROUP ? Kind::Join : Kind::Leave;
    if (!from_storage(g.gr_group, family, &req->group))
      return family == AF_INET ? -EINVAL : -EADDRNOTAVAIL;
    return check(req, g.gr_interface == 0);
  }
  case MCAST_JOIN_SOURCE_GROUP:
  case MCAST_LEAVE_SOURCE_GROUP: {
    if (len != (socklen_t)sizeof(group_source_req))
      return -EINVAL;
    auto g = read<group_source_req>(value);
    req->kind =
        name == MCAST_JOIN_SOURCE_GROUP ? Kind::JoinSource : Kind::LeaveSource;
    if (!from_storage(g.gsr_group, family, &req->group) ||
        !from_storage(g.gsr_source, family, &req->source))
      return -EADDRNOTAVAIL;
    return check(req, g.gsr_interface == 0);
  }
  }
  // MCAST_BLOCK_SOURCE, MCAST_UNBLOCK_SOURCE, MCAST_MSFILTER: the API
  // cannot exclude sources.
  return -ENOPROTOOPT;
}

} // namespace

bool is_membership_option(int level, int name) {
  if (name >= MCAST_JOIN_GROUP && name <= MCAST_MSFILTER)
    return level == IPPROTO_IP || level == IPPROTO_IPV6;
  if (level == IPPROTO_IP)
    return name == IP_ADD_MEMBERSHIP || name == IP_DROP_MEMBERSHIP ||
           name == IP_ADD_SOURCE_MEMBERSHIP ||
           name == IP_DROP_SOURCE_MEMBERSHIP || name == IP_BLOCK_SOURCE ||
           name == IP_UNBLOCK_SOURCE || name == IP_MSFILTER;
  return level == IPPROTO_IPV6 &&
         (name == IPV6_ADD_MEMBERSHIP || name == IPV6_DROP_MEMBERSHIP);
}

int parse_membership(int family, int level, int name, const void* value,
                     socklen_t len, MembershipRequest* out) {
  *out = MembershipRequest();
  // Chromium refuses an IPv4 group on an IPv6 socket (ERR_ADDRESS_INVALID):
  // the IPv4 level is out of reach there, where Linux allows it.
  if (level == IPPROTO_IP && family != AF_INET)
    return -ENOPROTOOPT;
  if (level == IPPROTO_IPV6 && family != AF_INET6)
    return -ENOPROTOOPT;
  if (!value)
    return len ? -EFAULT : -EINVAL;
  if (name >= MCAST_JOIN_GROUP && name <= MCAST_MSFILTER)
    return parse_mcast(family, name, value, len, out);
  return level == IPPROTO_IP ? parse_ip(name, value, len, out)
                             : parse_ipv6(name, value, len, out);
}

std::vector<MembershipTable::Group>::iterator
MembershipTable::find(const Endpoint& group) {
  return std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) {
    return same_address(g.group, group);
  });
}

int MembershipTable::apply(const MembershipRequest& req,
                           std::vector<MembershipCall>* calls) {
  auto g = find(req.group);
  auto call = [&](bool join, const Endpoint* source) {
    MembershipCall c;
    c.join = join;
    c.group = req.group;
    if (source) {
      c.has_source = true;
      c.source = *source;
    }
    calls->push_back(c);
  };
  auto has_source = [&](const Group& group) {
    return std::any_of(
        group.sources.begin(), group.sources.end(),
        [&](const Endpoint& s) { return same_address(s, req.source); });
  };
  switch (req.kind) {
  case MembershipRequest::Join:
    if (g != groups_.end())
      return -EADDRINUSE; // joined already, by any source or some
    groups_.push_back({req.group, true, {}});
    call(true, nullptr);
    return 0;
  case MembershipRequest::Leave:
    if (g == groups_.end())
      return -EADDRNOTAVAIL;
    // Leaving a group drops its sources too.
    if (g->any_source)
      call(false, nullptr);
    for (const Endpoint& s : g->sources)
      call(false, &s);
    groups_.erase(g);
    return 0;
  case MembershipRequest::JoinSource:
    if (g == groups_.end()) {
      groups_.push_back({req.group, false, {req.source}});
    } else if (g->any_source) {
      // Linux turns an any-source membership into one of this source (its
      // filter of no exclusions becomes an inclusion); the API takes no
      // mix of the two, so the one is left and the other joined.
      call(false, nullptr);
      g->any_source = false;
      g->sources.push_back(req.source);
    } else {
      if (has_source(*g))
        return -EADDRNOTAVAIL;
      g->sources.push_back(req.source);
    }
    call(true, &req.source);
    return 0;
  case MembershipRequest::LeaveSource:
    if (g == groups_.end())
      return -EINVAL; // Linux: a source is dropped from a joined group only
    if (g->any_source || !has_source(*g))
      return -EADDRNOTAVAIL;
    std::erase_if(g->sources, [&](const Endpoint& s) {
      return same_address(s, req.source);
    });
    if (g->sources.empty())
      groups_.erase(g); // the last source gone, the group is left
    call(false, &req.source);
    return 0;
  }
  return -EINVAL;
}

void MembershipTable::undo(const MembershipCall& c) {
  auto g = find(c.group);
  if (c.join) {
    // A join that failed: the membership it was to make does not exist.
    if (g == groups_.end())
      return;
    if (!c.has_source) {
      if (g->any_source)
        groups_.erase(g);
      return;
    }
    std::erase_if(g->sources,
                  [&](const Endpoint& s) { return same_address(s, c.source); });
    if (!g->any_source && g->sources.empty())
      groups_.erase(g);
    return;
  }
  // A leave that failed: the browser still has the membership.
  if (g == groups_.end()) {
    groups_.push_back({c.group, !c.has_source, {}});
    g = groups_.end() - 1;
  }
  if (c.has_source) {
    g->any_source = false;
    g->sources.push_back(c.source);
  }
}

} // namespace directsockets
