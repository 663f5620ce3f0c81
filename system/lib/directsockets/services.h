// Service names: a small built-in table of well-known ports, used by
// getaddrinfo and getnameinfo (a browser has no /etc/services).
#pragma once

namespace directsockets {

// The port (host byte order) of service `name` (or one of its aliases) for
// protocol "tcp" or "udp", or -1 when the table has none.
int service_port(const char* name, const char* proto);

// The name of the service on `port` for protocol "tcp" or "udp", or nullptr.
const char* service_name(int port, const char* proto);

} // namespace directsockets
