// TCPSocket behaviour beyond the conformance suite: half-close both ways,
// resets, cancellation, backpressure on the read side, port conversion.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { TCPSocket } from '../index.js';
import { T, listen, sleep, readAll, readN } from '../test-support.js';

function echoServer(host) {
  return listen((c) => { c.on('data', (d) => c.write(d)); c.on('end', () => c.end()); c.on('error', () => {}); }, host);
}

test('peer FIN ends the readable; the writable keeps working until closed', T, async () => {
  let peerGot = '';
  const peerDone = new Promise((resolve) => {
    listen((c) => {
      c.end('from-peer'); // write then FIN
      c.on('data', (d) => { peerGot += d; });
      c.on('end', resolve);
    }).then((s) => { server = s; ready(); });
  });
  let server; let ready; await new Promise((r) => { ready = r; });
  const socket = new TCPSocket('127.0.0.1', server.address().port);
  const { readable, writable } = await socket.opened;
  assert.equal((await readAll(readable.getReader())).toString(), 'from-peer');
  const w = writable.getWriter();
  await w.write(new TextEncoder().encode('still-writing'));
  await w.close();
  await peerDone;
  assert.equal(peerGot, 'still-writing');
  await socket.closed; // both sides done: resolves
  server.close();
});

test('writer.close() sends FIN and reading continues (half-close)', T, async () => {
  const server = await listen((c) => {
    let got = '';
    c.on('data', (d) => { got += d; });
    c.on('end', async () => { await sleep(50); c.end(`after-fin:${got}`); });
  });
  const socket = new TCPSocket('127.0.0.1', server.address().port);
  const { readable, writable } = await socket.opened;
  const w = writable.getWriter();
  await w.write(new TextEncoder().encode('abc'));
  await w.close();
  assert.equal((await readAll(readable.getReader())).toString(), 'after-fin:abc');
  await socket.closed;
  server.close();
});

test('peer reset errors both streams with NetworkError and rejects closed', T, async () => {
  const server = await listen((c) => { c.on('data', () => c.resetAndDestroy()); });
  const socket = new TCPSocket('127.0.0.1', server.address().port);
  const { readable, writable } = await socket.opened;
  const r = readable.getReader();
  const w = writable.getWriter();
  await w.write(new Uint8Array([1]));
  const err = await r.read().then(() => null, (e) => e);
  assert.equal(err?.name, 'NetworkError');
  assert.match(err.message, /^Stream aborted by the remote: net::ERR_CONNECTION_(RESET|ABORTED)$/);
  await assert.rejects(w.ready, { name: 'NetworkError' });
  await assert.rejects(socket.closed, { name: 'NetworkError' });
  server.close();
});

test('cancelling the readable leaves the writable usable', T, async () => {
  let received = '';
  const gotIt = new Promise((resolve) => {
    listen((c) => {
      c.write('ignored'.repeat(1000));
      c.on('data', (d) => { received += d; if (received === 'hello') resolve(); });
    }).then((s) => { server = s; ready(); });
  });
  let server; let ready; await new Promise((r) => { ready = r; });
  const socket = new TCPSocket('127.0.0.1', server.address().port);
  const { readable, writable } = await socket.opened;
  await readable.cancel();
  const w = writable.getWriter();
  await w.write(new TextEncoder().encode('hello'));
  await gotIt;
  await w.close();
  await socket.closed;
  server.close();
});

test('writer.abort() ends the writable without error; closed resolves once reading ends', T, async () => {
  const server = await echoServer();
  const socket = new TCPSocket('127.0.0.1', server.address().port);
  const { readable, writable } = await socket.opened;
  await writable.abort(new Error('stop'));
  // abort shuts down the write side (FIN), the echo peer ends too.
  assert.equal((await readAll(readable.getReader())).length, 0);
  await socket.closed;
  server.close();
});

test('a bad chunk errors the writable and socket.closed rejects with that TypeError', T, async () => {
  const server = await echoServer();
  const socket = new TCPSocket('127.0.0.1', server.address().port);
  const { writable } = await socket.opened;
  const w = writable.getWriter();
  await assert.rejects(w.write(42), { name: 'TypeError', message: "The provided value is not of type '(ArrayBuffer or ArrayBufferView)'." });
  w.releaseLock();
  await assert.rejects(socket.close(), { name: 'TypeError' });
  server.close();
});

test('reader that stops reading: memory bounded and the peer sees backpressure', T, async () => {
  let peerWritten = 0;
  let peerBlocked = false;
  let peerSocket;
  const blocked = new Promise((resolve) => {
    listen((c) => {
      peerSocket = c;
      const chunk = Buffer.alloc(64 * 1024, 5);
      const pump = () => {
        while (peerWritten < 512 * 1024 * 1024) {
          peerWritten += chunk.length;
          if (!c.write(chunk)) { peerBlocked = true; resolve(); c.once('drain', pump); return; }
        }
        c.end();
      };
      pump();
    }).then((s) => { server = s; ready(); });
  });
  let server; let ready; await new Promise((r) => { ready = r; });
  const socket = new TCPSocket('127.0.0.1', server.address().port, { receiveBufferSize: 64 * 1024 });
  const { readable } = await socket.opened;
  await blocked;
  await sleep(500); // let everything that can move, move
  const stuckAt = peerWritten;
  await sleep(500);
  assert.ok(peerBlocked, "the peer's write() returned false");
  assert.equal(peerWritten, stuckAt, 'the peer made no progress while nobody read');
  // Loopback kernel buffers hold a few MiB; far below what the peer wanted to send.
  assert.ok(peerWritten < 64 * 1024 * 1024, `peer wrote ${peerWritten} bytes`);
  // Reading again releases the peer.
  const r = readable.getReader();
  const got = await readN(r, 8 * 1024 * 1024);
  assert.equal(got.length >= 8 * 1024 * 1024, true);
  assert.ok(peerWritten > stuckAt, 'the peer continued once we read');
  r.releaseLock();
  peerSocket.destroy();
  await socket.close().catch(() => {});
  server.close();
});

test('remotePort is a plain unsigned short: values wrap modulo 2^16 like Chromium', T, async () => {
  const server = await echoServer();
  const port = server.address().port;
  const socket = new TCPSocket('127.0.0.1', port + 65536);
  const info = await socket.opened;
  assert.equal(info.remotePort, port);
  await socket.close();
  server.close();
});

test('malformed host names fail locally with "Hostname couldn\'t be resolved."', T, async () => {
  for (const host of ['', 'bad host', 'a..b', '-']) {
    const s = new TCPSocket(host, 80);
    await assert.rejects(s.opened, { name: 'NetworkError', message: "Hostname couldn't be resolved." });
    await assert.rejects(s.closed, { name: 'NetworkError' });
    // After a failed open, close() returns closed (Chromium).
    await assert.rejects(s.close(), { name: 'NetworkError' });
  }
});

test('IPv6 literal with brackets and dnsQueryType ipv6 for localhost', T, async () => {
  const server = await echoServer('::1');
  const port = server.address().port;
  const cases = [['[::1]', {}]];
  // Only where /etc/hosts maps localhost to ::1 (true in Debian, not everywhere).
  const v6 = await dns.promises.lookup('localhost', { family: 6 }).catch(() => null);
  if (v6 && v6.address === '::1') cases.push(['localhost', { dnsQueryType: 'ipv6' }]);
  for (const [host, opts] of cases) {
    const s = new TCPSocket(host, port, opts);
    const info = await s.opened;
    assert.equal(info.remoteAddress, '::1');
    assert.equal(info.localAddress, '::1');
    await s.close();
  }
  server.close();
});

test('opened and closed are the same promise objects each time; toStringTag', T, async () => {
  const server = await echoServer();
  const s = new TCPSocket('127.0.0.1', server.address().port);
  assert.equal(s.opened, s.opened);
  assert.equal(s.closed, s.closed);
  assert.equal(Object.prototype.toString.call(s), '[object TCPSocket]');
  await s.opened;
  await s.close();
  server.close();
});

test('writes resolve only once the kernel has the bytes (peer not reading)', T, async () => {
  const server = await listen((c) => c.pause());
  const s = new TCPSocket('127.0.0.1', server.address().port);
  const { writable } = await s.opened;
  const w = writable.getWriter();
  const big = new Uint8Array(64 * 1024 * 1024);
  const write = w.write(big);
  const pending = await Promise.race([write.then(() => false), sleep(500).then(() => true)]);
  assert.ok(pending, 'a 64 MiB write to a non-reading peer is still pending');
  assert.ok(w.desiredSize <= 0);
  await w.abort();
  await assert.rejects(write);
  w.releaseLock();
  await s.close();
  server.close();
});
