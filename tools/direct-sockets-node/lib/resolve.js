// Host name resolution for TCPSocket and connected/sending UDPSocket.
//
// Chromium resolves `remoteAddress` with its host resolver, honouring
// dnsQueryType (ipv4 -> A, ipv6 -> AAAA). We use dns.lookup (getaddrinfo, so
// /etc/hosts applies). Names that are not valid host names are rejected
// locally, as Chromium's resolver does, without asking any DNS server.

import dns from 'node:dns';
import net from 'node:net';
import { netError } from './errors.js';

const HOSTNAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?$/;

// Resolves to [{address, family}], in the order the system prefers.
export async function resolveHost(host, dnsQueryType) {
  // "[::1]" is how a URL spells an IPv6 literal; HostPortPair accepts it too.
  const literal = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const family = net.isIP(literal);
  if (family !== 0 && !literal.includes('%')) return [{ address: literal, family }];
  if (host.length > 253 || !HOSTNAME.test(host)) throw netError('ERR_NAME_NOT_RESOLVED');
  const wanted = dnsQueryType === 'ipv4' ? 4 : dnsQueryType === 'ipv6' ? 6 : 0;
  try {
    return await dns.promises.lookup(host, { all: true, family: wanted });
  } catch {
    throw netError('ERR_NAME_NOT_RESOLVED');
  }
}
