// Loopback peers for the conformance suite, on raw node:net / node:dgram.
// Another runner (e.g. one driving Chromium in an IWA) starts equivalent peers
// and passes the same description to runConformance().
//
//   tcpEcho / tcpEcho6  echo bytes back; answer a FIN with a FIN.
//   tcpSink             first 4 bytes: big-endian length N; then counts bytes.
//                       Replies "OK <n>\n" at N bytes, or "PARTIAL <n>\n" after
//                       1 s without data.
//   tcpStall            accepts and never reads.
//   udpEcho             echoes each datagram to its sender.
//   closedPort          a TCP port nothing listens on.

import net from 'node:net';
import dgram from 'node:dgram';

function listen(host, onConnection) {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ allowHalfOpen: true }, onConnection);
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

function echo(c) {
  c.on('data', (d) => c.write(d));
  c.on('end', () => c.end());
  c.on('error', () => {});
}

function sink(c) {
  let header = Buffer.alloc(0);
  let expected = -1;
  let count = 0;
  let idle = null;
  const report = (text) => { clearTimeout(idle); if (!c.destroyed) c.write(text); };
  c.on('data', (d) => {
    if (expected < 0) {
      header = Buffer.concat([header, d]);
      if (header.length < 4) return;
      expected = header.readUInt32BE(0);
      d = header.subarray(4);
    }
    count += d.length;
    clearTimeout(idle);
    if (count >= expected) report(`OK ${count}\n`);
    else idle = setTimeout(() => report(`PARTIAL ${count}\n`), 1000);
  });
  c.on('end', () => { clearTimeout(idle); c.end(); });
  c.on('error', () => clearTimeout(idle));
  c.on('close', () => clearTimeout(idle));
}

export async function startPeers({ ipv6 = true } = {}) {
  const closers = [];
  const tcp = async (host, handler) => {
    const server = await listen(host, handler);
    const sockets = new Set();
    server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
    closers.push(() => { for (const s of sockets) s.destroy(); server.close(); });
    return { address: host, port: server.address().port };
  };

  const peers = {
    tcpEcho: await tcp('127.0.0.1', echo),
    tcpSink: await tcp('127.0.0.1', sink),
    tcpStall: await tcp('127.0.0.1', (c) => { c.pause(); c.on('error', () => {}); }),
  };
  if (ipv6) peers.tcpEcho6 = await tcp('::1', echo);

  const closed = await listen('127.0.0.1', () => {});
  peers.closedPort = { address: '127.0.0.1', port: closed.address().port };
  await new Promise((r) => closed.close(r));

  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address));
  udp.on('error', () => {});
  await new Promise((r) => udp.bind(0, '127.0.0.1', r));
  peers.udpEcho = { address: '127.0.0.1', port: udp.address().port };
  closers.push(() => udp.close());

  return { peers, close: () => { for (const c of closers) c(); } };
}
