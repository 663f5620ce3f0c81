#include "hosts.h"

#include <arpa/inet.h>
#include <strings.h>

#include <cstdio>
#include <cstring>

namespace directsockets {

namespace {

const char kBuiltinHosts[] = "127.0.0.1 localhost\n::1 localhost\n";

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Calls f(address text, names) for each line of a hosts file; stops when f
// returns true.
template <typename F> bool for_each_line(std::string_view text, F f) {
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text = eol == std::string_view::npos ? "" : text.substr(eol + 1);
    line = line.substr(0, line.find('#'));
    std::vector<std::string> fields;
    size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && is_space(line[i]))
        i++;
      size_t start = i;
      while (i < line.size() && !is_space(line[i]))
        i++;
      if (i > start)
        fields.emplace_back(line.substr(start, i - start));
    }
    if (fields.size() < 2)
      continue;
    std::string addr = fields[0];
    fields.erase(fields.begin());
    if (f(addr, fields))
      return true;
  }
  return false;
}

// The entry's address as an address of `family`, as glibc's files backend
// converts it.
bool entry_address(const std::string& text, int family, Endpoint* ep) {
  *ep = Endpoint();
  if ((family == AF_INET || family == AF_UNSPEC) &&
      inet_pton(AF_INET, text.c_str(), ep->addr) == 1) {
    ep->family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), ep->addr) != 1)
    return false;
  ep->family = AF_INET6;
  if (family != AF_INET)
    return true;
  static const uint8_t kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                         0, 0, 0, 0, 0, 0, 0, 1};
  if (ep->is_v4_mapped()) {
    *ep = ep->unmapped();
    return true;
  }
  if (memcmp(ep->addr, kLoopback6, 16) == 0) {
    *ep = Endpoint();
    ep->family = AF_INET;
    const uint8_t loopback[4] = {127, 0, 0, 1};
    memcpy(ep->addr, loopback, 4);
    return true;
  }
  return false;
}

} // namespace

bool hosts_lookup(std::string_view text, const char* name, int family,
                  std::vector<Endpoint>* out, std::string* canon) {
  bool found = false;
  for_each_line(text, [&](const std::string& addr,
                          const std::vector<std::string>& names) {
    for (const std::string& n : names) {
      if (strcasecmp(n.c_str(), name) != 0)
        continue;
      Endpoint ep;
      if (entry_address(addr, family, &ep)) {
        if (!found && canon)
          *canon = names[0];
        found = true;
        out->push_back(ep);
      }
      break;
    }
    return false;
  });
  return found;
}

bool hosts_reverse(std::string_view text, const Endpoint& addr,
                   std::string* name) {
  return for_each_line(text, [&](const std::string& a,
                                 const std::vector<std::string>& names) {
    Endpoint ep;
    if (!entry_address(a, addr.family == AF_INET6 ? AF_INET6 : AF_UNSPEC, &ep) ||
        ep.family != addr.family ||
        memcmp(ep.addr, addr.addr, addr.family == AF_INET ? 4 : 16) != 0)
      return false;
    *name = names[0];
    return true;
  });
}

std::string hosts_text() {
  FILE* f = fopen("/etc/hosts", "r");
  if (!f)
    return kBuiltinHosts;
  std::string text;
  char buf[1024];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0)
    text.append(buf, n);
  fclose(f);
  return text;
}

} // namespace directsockets
