#include "services.h"


#include <cstring>

namespace directsockets {

namespace {

struct Service {
  const char* name;
  int port;
  bool tcp, udp;
  const char* aliases[3];
};

// IANA's assignments, with the protocols and aliases Debian lists.
const Service kServices[] = {
    {"echo", 7, true, true, {}},
    {"discard", 9, true, true, {"sink", "null"}},
    {"daytime", 13, true, true, {}},
    {"ftp-data", 20, true, false, {}},
    {"ftp", 21, true, false, {}},
    {"ssh", 22, true, false, {}},
    {"telnet", 23, true, false, {}},
    {"smtp", 25, true, false, {"mail"}},
    {"time", 37, true, true, {"timserver"}},
    {"domain", 53, true, true, {}},
    {"bootps", 67, false, true, {}},
    {"bootpc", 68, false, true, {}},
    {"tftp", 69, false, true, {}},
    {"gopher", 70, true, false, {}},
    {"finger", 79, true, false, {}},
    {"http", 80, true, false, {"www"}},
    {"kerberos", 88, true, true, {"kerberos5", "krb5", "kerberos-sec"}},
    {"pop3", 110, true, false, {"pop-3"}},
    {"sunrpc", 111, true, true, {"portmapper"}},
    {"auth", 113, true, false, {"authentication", "tap", "ident"}},
    {"nntp", 119, true, false, {"readnews", "untp"}},
    {"ntp", 123, false, true, {}},
    {"snmp", 161, true, true, {}},
    {"ldap", 389, true, true, {}},
    {"https", 443, true, true, {}},
    {"submissions", 465, true, false, {"ssmtp", "smtps"}},
    {"syslog", 514, false, true, {}},
    {"submission", 587, true, false, {}},
    {"ldaps", 636, true, true, {}},
    {"domain-s", 853, true, true, {}},
    {"rsync", 873, true, false, {}},
    {"imaps", 993, true, false, {}},
    {"pop3s", 995, true, false, {}},
    {"socks", 1080, true, false, {}},
    {"openvpn", 1194, true, true, {}},
    {"mysql", 3306, true, false, {}},
    {"sip", 5060, true, true, {}},
    {"sips", 5061, true, true, {"sip-tls"}},
    {"xmpp-client", 5222, true, false, {"jabber-client"}},
    {"mdns", 5353, false, true, {}},
    {"postgresql", 5432, true, false, {"postgres"}},
    {"redis", 6379, true, false, {}},
    {"ircs-u", 6697, true, false, {}},
    {"http-alt", 8080, true, false, {"webcache"}},
    {"git", 9418, true, false, {}},
};

bool has_proto(const Service& s, const char* proto) {
  return strcmp(proto, "tcp") == 0 ? s.tcp : strcmp(proto, "udp") == 0 && s.udp;
}

} // namespace

int service_port(const char* name, const char* proto) {
  for (const Service& s : kServices) {
    if (!has_proto(s, proto))
      continue;
    if (strcmp(s.name, name) == 0)
      return s.port;
    for (const char* alias : s.aliases)
      if (alias && strcmp(alias, name) == 0)
        return s.port;
  }
  return -1;
}

const char* service_name(int port, const char* proto) {
  for (const Service& s : kServices)
    if (s.port == port && has_proto(s, proto))
      return s.name;
  return nullptr;
}

} // namespace directsockets
