# The peer of multicast.c, run by test_directsockets.py in its own network
# namespace ('a': 10.77.0.1, 10.77.0.3, fd77::1), across a veth pair from the
# program's. It answers commands that come as UDP datagrams to its control
# port, each with one reply datagram:
#
#   send GROUP PORT TEXT           sends TEXT to GROUP:PORT (from 10.77.0.1 or
#                                  fd77::1), replies "sent"
#   send-from SOURCE GROUP PORT TEXT   the same from SOURCE
#   watch GROUP PORT               joins GROUP on PORT, replies "watching"
#   seen                           replies "got TEXT ttl=N" with the first
#                                  datagram the watch received and the TTL (or
#                                  hop limit) it arrived with, or "none" after
#                                  2 s
#
#   usage: multicast_peer.py CONTROL_PORT     (prints "ready" once listening)
import select
import socket
import struct
import sys

DEFAULT_SOURCE = {socket.AF_INET: '10.77.0.1', socket.AF_INET6: 'fd77::1'}


def family_of(address):
  return socket.AF_INET6 if ':' in address else socket.AF_INET


def send(source, group, port, text):
  family = family_of(group)
  with socket.socket(family, socket.SOCK_DGRAM) as s:
    s.bind((source or DEFAULT_SOURCE[family], 0))
    s.sendto(text.encode(), (group, int(port)))


def watch(group, port):
  family = family_of(group)
  s = socket.socket(family, socket.SOCK_DGRAM)
  s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
  s.bind(('::' if family == socket.AF_INET6 else '0.0.0.0', int(port)))
  packed = socket.inet_pton(family, group)
  if family == socket.AF_INET6:
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, packed + struct.pack('@I', 0))
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
  else:
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, packed + socket.inet_aton('0.0.0.0'))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_RECVTTL, 1)
  return s


def seen(s):
  if not s or not select.select([s], [], [], 2)[0]:
    return 'none'
  data, ancillary, _, _ = s.recvmsg(1024, 256)
  ttl = '?'
  for level, kind, value in ancillary:
    if (level, kind) in ((socket.IPPROTO_IP, socket.IP_TTL), (socket.IPPROTO_IPV6, socket.IPV6_HOPLIMIT)):
      ttl = struct.unpack('@i', value[:4])[0]
  return f'got {data.decode()} ttl={ttl}'


def main():
  control = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
  control.bind(('10.77.0.1', int(sys.argv[1])))
  print('ready', flush=True)
  watching = None
  while True:
    message, sender = control.recvfrom(1024)
    words = message.decode().split(' ')
    if words[0] == 'send':
      send(None, *words[1:3], ' '.join(words[3:]))
      reply = 'sent'
    elif words[0] == 'send-from':
      send(*words[1:4], ' '.join(words[4:]))
      reply = 'sent'
    elif words[0] == 'watch':
      if watching:
        watching.close()
      watching = watch(*words[1:3])
      reply = 'watching'
    elif words[0] == 'seen':
      reply = seen(watching)
      if watching:
        watching.close()
      watching = None
    else:
      reply = f'unknown command {words[0]}'
    control.sendto(reply.encode(), sender)


if __name__ == '__main__':
  main()
