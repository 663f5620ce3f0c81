// The resolver behind getaddrinfo and getnameinfo: glibc's rules for hints,
// services and numeric hosts, then the hosts table, then the configured name
// source (by default the browser's own resolver, through placeholders).
#pragma once

#include <netdb.h>

#include <string>
#include <vector>

#include "address.h"

namespace directsockets {

struct Resolved {
  int socktype = 0;
  int protocol = 0;
  Endpoint ep; // its family is the result's
};

// getaddrinfo's work: 0 and the results (with, when AI_CANONNAME asks, the
// canonical name in *canon), or an EAI_* code. hints may be null.
int resolve(const char* node, const char* service, const addrinfo* hints,
            std::vector<Resolved>* out, std::string* canon);

// getnameinfo's work on a parsed address: 0 or an EAI_* code. host and serv
// may be null (or have length 0) when not wanted.
int reverse(const Endpoint& ep, int flags, char* host, size_t hostlen,
            char* serv, size_t servlen);

} // namespace directsockets
