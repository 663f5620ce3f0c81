// The static hosts table: the program's /etc/hosts (in its virtual
// filesystem), read the way glibc's "files" backend reads it, or, when there
// is none, a built-in one that names only localhost.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "address.h"

namespace directsockets {

// The addresses `name` has in hosts-file `text` for `family` (AF_INET,
// AF_INET6 or AF_UNSPEC), in file order, and in *canon the first name of the
// first matching line. Names compare case-insensitively. For AF_INET, an
// IPv4-mapped entry gives its IPv4 address and ::1 gives 127.0.0.1, as glibc
// does. Returns false when the name has no entry of that family.
bool hosts_lookup(std::string_view text, const char* name, int family,
                  std::vector<Endpoint>* out, std::string* canon);

// The first name of the first line of `text` with address `addr`.
bool hosts_reverse(std::string_view text, const Endpoint& addr,
                   std::string* name);

// The hosts table in force: /etc/hosts if the program's filesystem has one,
// else the built-in table.
std::string hosts_text();

} // namespace directsockets
