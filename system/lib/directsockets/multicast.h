// Multicast group memberships: the setsockopt requests Linux takes for them
// (struct ip_mreq, ip_mreqn, ip_mreq_source, ipv6_mreq, group_req,
// group_source_req), checked in Linux's order, and a socket's table of the
// groups it belongs to, which decides what each request changes and which
// MulticastController calls (joinGroup / leaveGroup, with or without a
// sourceAddress) carry the change out.
//
// The Direct Sockets API joins on the default interface only (the one the
// route to the group leaves by, as Linux picks for INADDR_ANY or index 0),
// joins no IPv4 group on an IPv6 socket, has no source exclusion (block,
// unblock, msfilter) and takes no source that is zero or multicast: those
// requests fail with ENOPROTOOPT (EINVAL for the sources) instead of doing
// something else.
#pragma once

#include "address.h"

#include <vector>

namespace directsockets {

struct MembershipRequest {
  enum Kind { Join, Leave, JoinSource, LeaveSource };
  Kind kind = Join;
  Endpoint group;  // the port is unused
  Endpoint source; // JoinSource and LeaveSource only
};

// Whether setsockopt(level, name) asks for a membership change, including
// the changes the API cannot make.
bool is_membership_option(int level, int name);

// Reads the membership request of setsockopt(level, name, value, len) on a
// datagram socket of `family`: 0, or -errno as Linux's checks of the value
// give it (or ENOPROTOOPT for what the API cannot do).
int parse_membership(int family, int level, int name, const void* value,
                     socklen_t len, MembershipRequest* out);

// One MulticastController call.
struct MembershipCall {
  bool join = true;
  Endpoint group;
  bool has_source = false; // source-specific: {sourceAddress}
  Endpoint source;
};

class MembershipTable {
public:
  // Applies `req` as Linux does to a socket's memberships: 0 with the calls
  // that make it so appended to *calls, or -errno and no change.
  int apply(const MembershipRequest& req, std::vector<MembershipCall>* calls);
  // The browser refused `call`: takes back what it changed in the table.
  void undo(const MembershipCall& call);
  void clear() { groups_.clear(); }
  bool empty() const { return groups_.empty(); }

private:
  // Any-source (Linux's exclude mode with no sources), or the sources of a
  // source-specific membership (include mode).
  struct Group {
    Endpoint group;
    bool any_source = true;
    std::vector<Endpoint> sources;
  };
  std::vector<Group>::iterator find(const Endpoint& group);

  std::vector<Group> groups_;
};

} // namespace directsockets
