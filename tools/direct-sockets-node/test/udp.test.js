// UDPSocket behaviour beyond the conformance suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { UDPSocket } from '../index.js';
import { T, sleep } from '../test-support.js';

function udpPeer(type = 'udp4', host = '127.0.0.1') {
  return new Promise((resolve) => {
    const s = dgram.createSocket(type);
    s.bind(0, host, () => resolve(s));
  });
}

test('a reader that does not read: the readable queue stays bounded (datagrams dropped)', T, async () => {
  const u = new UDPSocket({ localAddress: '127.0.0.1', receiveBufferSize: 64 * 1024 });
  const { readable, localPort } = await u.opened;
  const peer = await udpPeer();
  const payload = Buffer.alloc(1024, 1);
  for (let i = 0; i < 1000; i++) {
    peer.send(payload, localPort, '127.0.0.1');
    if (i % 50 === 0) await sleep(1);
  }
  await sleep(300);
  const r = readable.getReader();
  let n = 0;
  for (;;) {
    const res = await Promise.race([r.read(), sleep(200).then(() => null)]);
    if (res === null) break;
    n++;
  }
  assert.ok(n > 0, 'received some datagrams');
  assert.ok(n <= 64, `queued ${n} KiB-sized datagrams with a 64 KiB queue`);
  r.releaseLock();
  await u.close();
  peer.close();
});

test('connected to a closed port: ICMP unreachable errors the readable', T, async () => {
  const gone = await udpPeer();
  const port = gone.address().port;
  await new Promise((r) => gone.close(r));
  const u = new UDPSocket({ remoteAddress: '127.0.0.1', remotePort: port });
  const { readable, writable } = await u.opened;
  const w = writable.getWriter();
  const r = readable.getReader();
  await w.write({ data: new Uint8Array([1]) });
  const err = await Promise.race([r.read().then(() => null, (e) => e), (async () => {
    // Linux reports the ICMP error on the next socket operation.
    await sleep(100);
    await w.write({ data: new Uint8Array([2]) }).catch(() => {});
    return new Promise(() => {});
  })()]);
  assert.equal(err?.name, 'NetworkError');
  assert.equal(err.message, 'Stream aborted by the remote: net::ERR_CONNECTION_REFUSED');
  r.releaseLock();
  w.releaseLock();
  await assert.rejects(u.close(), { name: 'NetworkError' });
});

test('bound mode: sending to an unresolvable name rejects the write with NetworkError', T, async () => {
  const u = new UDPSocket({ localAddress: '127.0.0.1' });
  const { writable } = await u.opened;
  const w = writable.getWriter();
  await assert.rejects(w.write({ data: new Uint8Array([1]), remoteAddress: '', remotePort: 9 }), {
    name: 'NetworkError', message: 'Stream aborted by the remote: net::ERR_NAME_NOT_RESOLVED',
  });
  w.releaseLock();
  await assert.rejects(u.close(), { name: 'NetworkError' });
});

test('IPv6: bound to :: with ipv6Only, talking to ::1', T, async () => {
  const u = new UDPSocket({ localAddress: '::', ipv6Only: true });
  const info = await u.opened;
  assert.equal(info.localAddress, '::');
  const peer = await udpPeer('udp6', '::1');
  const got = new Promise((resolve) => peer.once('message', (m, rinfo) => resolve([m.toString(), rinfo])));
  const w = info.writable.getWriter();
  await w.write({ data: new TextEncoder().encode('v6'), remoteAddress: '::1', remotePort: peer.address().port });
  const [text, rinfo] = await got;
  assert.equal(text, 'v6');
  peer.send('back', rinfo.port, '::1');
  const r = info.readable.getReader();
  const { value } = await r.read();
  assert.equal(new TextDecoder().decode(value.data), 'back');
  assert.equal(value.remoteAddress, '::1');
  r.releaseLock();
  w.releaseLock();
  await u.close();
  peer.close();
});

test('multicastAllowAddressSharing lets two sockets bind the same port', T, async () => {
  const a = new UDPSocket({ localAddress: '127.0.0.1', multicastAllowAddressSharing: true });
  const { localPort } = await a.opened;
  const b = new UDPSocket({ localAddress: '127.0.0.1', localPort, multicastAllowAddressSharing: true });
  assert.equal((await b.opened).localPort, localPort);
  const c = new UDPSocket({ localAddress: '127.0.0.1', localPort });
  await assert.rejects(c.opened, { name: 'NetworkError', message: 'Network Error.' });
  await a.close();
  await b.close();
});

test('multicastAllowAddressSharing is for bound sockets only', T, async () => {
  const a = new UDPSocket({ localAddress: '127.0.0.1' });
  const { localPort } = await a.opened;
  // Connected mode ignores it, as Chromium does: the port stays exclusive.
  const c = new UDPSocket({ remoteAddress: '127.0.0.1', remotePort: localPort, multicastAllowAddressSharing: true });
  const { localPort: cPort } = await c.opened;
  const d = new UDPSocket({ localAddress: '127.0.0.1', localPort: cPort, multicastAllowAddressSharing: true });
  await assert.rejects(d.opened, { name: 'NetworkError' });
  await a.close();
  await c.close();
});

test('UDP writes: every BufferSource kind; SharedArrayBuffer-backed view rejected', T, async () => {
  const peer = await udpPeer();
  const got = [];
  peer.on('message', (m) => got.push([...m]));
  const mk = () => new UDPSocket({ remoteAddress: '127.0.0.1', remotePort: peer.address().port });
  const u = mk();
  const w = (await u.opened).writable.getWriter();
  const ab = new Uint8Array([1, 2, 3, 4]).buffer;
  await w.write({ data: ab });
  await w.write({ data: new DataView(ab, 1, 2) });
  await w.write({ data: new Uint16Array(ab, 2, 1) });
  await sleep(100);
  assert.deepEqual(got, [[1, 2, 3, 4], [2, 3], [3, 4]]);
  w.releaseLock();
  await u.close();
  const v = mk();
  const w2 = (await v.opened).writable.getWriter();
  await assert.rejects(w2.write({ data: new Uint8Array(new SharedArrayBuffer(4)) }), {
    name: 'TypeError', message: "Failed to read the 'data' property from 'UDPMessage': The provided ArrayBufferView value must not be shared.",
  });
  w2.releaseLock();
  await assert.rejects(v.close(), { name: 'TypeError' });
  peer.close();
});

test('closing the writable sends every datagram written before it', T, async () => {
  const peer = await udpPeer();
  peer.setRecvBufferSize(4 << 20); // room for them all, unread, in the kernel
  let received = 0;
  peer.on('message', () => received++);
  const u = new UDPSocket({ remoteAddress: '127.0.0.1', remotePort: peer.address().port });
  const { writable } = await u.opened;
  const w = writable.getWriter();
  // Writes resolve once queued, so most are still in flight when close() runs.
  for (let i = 0; i < 100; i++) w.write({ data: new Uint8Array(512) });
  await w.close();
  for (let i = 0; i < 50 && received < 100; i++) await sleep(10);
  assert.equal(received, 100);
  w.releaseLock();
  await u.close();
  peer.close();
});
