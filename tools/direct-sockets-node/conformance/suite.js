// Direct Sockets conformance suite: one ES module, runnable in Node (against
// this package, see run-node.js) and in Chromium inside an Isolated Web App
// (against the browser's own classes). No node: imports here on purpose.
//
//   const results = await runConformance(
//     { TCPSocket, UDPSocket, TCPServerSocket },   // the API under test
//     peers,                                       // see peers-node.js
//     { expectations: CHROMIUM_156_KNOWN_BUGS });  // or {} for the spec
//   // -> [{ name, ok, detail }]
//
// `ok` means "behaves as expected here": a check listed in `expectations` is
// expected to FAIL (a known bug) and is ok when it does; if it passes, ok is
// false so that the expectation gets removed.

// Where Chromium deviates from the spec; this package implements the spec.
export const CHROMIUM_156_KNOWN_BUGS = {
  'tcp.pipelined-writes-arrive-intact':
    'Chromium 156 drops a chunk when a write starts while its ~64 KiB Mojo data pipe is full: the write promise resolves, the bytes never leave',
  'tcp.writer-close-sends-fin':
    "Chromium 156's writer.close() sends no FIN while the readable side is still open",
};

const enc = new TextEncoder();
const dec = new TextDecoder();

class CheckFailed extends Error {}

function assert(cond, message) {
  if (!cond) throw new CheckFailed(message);
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new CheckFailed(`timed out: ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

async function rejectsWith(promise, name, pattern, what) {
  try {
    await promise;
  } catch (e) {
    assert(e && e.name === name, `${what}: expected ${name}, got ${e && e.name}: ${e && e.message}`);
    if (pattern) assert(pattern.test(e.message), `${what}: message ${JSON.stringify(e.message)} !~ ${pattern}`);
    return e;
  }
  throw new CheckFailed(`${what}: expected rejection with ${name}`);
}

function throwsWith(fn, name, pattern, what) {
  return rejectsWith(Promise.resolve().then(fn), name, pattern, what);
}

// Is the promise still pending after `ms`?
async function pendingAfter(promise, ms) {
  const marker = {};
  const r = await Promise.race([promise.then(() => 'settled', () => 'settled'), sleep(ms).then(() => marker)]);
  return r === marker;
}

async function readBytes(reader, n) {
  const out = new Uint8Array(n);
  let got = 0;
  while (got < n) {
    const { value, done } = await reader.read();
    if (done) break;
    out.set(value.subarray(0, Math.min(value.byteLength, n - got)), got);
    got += value.byteLength;
  }
  assert(got === n, `expected ${n} bytes, stream ended after ${got}`);
  return out;
}

async function readLine(reader) {
  let text = '';
  while (!text.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value);
  }
  return text.trim();
}

function equalBytes(a, b) {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

function pattern(n, seed = 0) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

// ------------------------------------------------------------------ checks

function defineChecks(api, peers) {
  const { TCPSocket, UDPSocket, TCPServerSocket } = api;
  const echo = peers.tcpEcho;

  // Opens a TCP connection and locks both streams; `done()` closes it.
  async function connect(peer, options) {
    const socket = new TCPSocket(peer.address, peer.port, options);
    const info = await socket.opened;
    const reader = info.readable.getReader();
    const writer = info.writable.getWriter();
    const done = async () => {
      reader.releaseLock();
      writer.releaseLock();
      await socket.close().catch(() => {});
    };
    return { socket, info, reader, writer, done };
  }

  const checks = {};

  checks['tcp.opened-info'] = async () => {
    const c = await connect(echo);
    try {
      const { info } = c;
      assert(info.readable instanceof ReadableStream, 'readable is a ReadableStream');
      assert(info.writable instanceof WritableStream, 'writable is a WritableStream');
      assert(info.remoteAddress === echo.address, `remoteAddress ${info.remoteAddress}`);
      assert(info.remotePort === echo.port, `remotePort ${info.remotePort}`);
      assert(typeof info.localAddress === 'string' && info.localPort > 0, 'local address and port');
      return `${info.localAddress}:${info.localPort} -> ${info.remoteAddress}:${info.remotePort}`;
    } finally { await c.done(); }
  };

  checks['tcp.echo-roundtrip'] = async () => {
    const c = await connect(echo);
    try {
      const data = pattern(100000, 1);
      await c.writer.write(data);
      const back = await readBytes(c.reader, data.byteLength);
      assert(equalBytes(back, data), 'echoed bytes differ');
      return '100000 bytes echoed';
    } finally { await c.done(); }
  };

  checks['tcp.read-chunks-are-plain-uint8array'] = async () => {
    const c = await connect(echo);
    try {
      await c.writer.write(enc.encode('abc'));
      const { value } = await c.reader.read();
      assert(Object.getPrototypeOf(value) === Uint8Array.prototype, `chunk is ${value && value.constructor.name}`);
      assert(Object.prototype.toString.call(value.buffer) === '[object ArrayBuffer]', 'chunk buffer is not a plain ArrayBuffer');
      return 'Uint8Array over ArrayBuffer';
    } finally { await c.done(); }
  };

  checks['tcp.write-accepts-buffer-sources'] = async () => {
    const c = await connect(echo);
    try {
      const base = pattern(64, 3);
      const sources = [
        base.buffer.slice(0, 8), // ArrayBuffer
        new DataView(base.buffer, 8, 8),
        new Int32Array(base.buffer, 16, 4),
        new Uint8Array(base.buffer, 32, 32),
      ];
      for (const s of sources) await c.writer.write(s);
      const back = await readBytes(c.reader, 64);
      assert(equalBytes(back, base), 'bytes written through views differ');
      return 'ArrayBuffer, DataView, Int32Array, Uint8Array';
    } finally { await c.done(); }
  };

  checks['tcp.write-rejects-non-buffer'] = async () => {
    const c = await connect(echo);
    try {
      await rejectsWith(c.writer.write('text'), 'TypeError', /ArrayBuffer or ArrayBufferView/, 'write(string)');
      await rejectsWith(c.writer.ready, 'TypeError', null, 'writer.ready after a bad chunk');
      return 'TypeError, writable errored';
    } finally { await c.done(); }
  };

  checks['tcp.write-rejects-shared-memory'] = async () => {
    if (typeof SharedArrayBuffer === 'undefined') return 'skipped: no SharedArrayBuffer here';
    const c = await connect(echo);
    try {
      const view = new Uint8Array(new SharedArrayBuffer(8));
      await rejectsWith(c.writer.write(view), 'TypeError', /must not be shared/, 'write(shared view)');
      return 'TypeError';
    } finally { await c.done(); }
  };

  checks['tcp.byob-read'] = async () => {
    const socket = new TCPSocket(echo.address, echo.port);
    const { readable, writable } = await socket.opened;
    const reader = readable.getReader({ mode: 'byob' });
    const writer = writable.getWriter();
    try {
      await writer.write(enc.encode('byob!'));
      let buf = new Uint8Array(16);
      let got = 0;
      while (got < 5) {
        const { value } = await reader.read(new Uint8Array(buf.buffer, got));
        got += value.byteLength;
        buf = new Uint8Array(value.buffer);
      }
      assert(dec.decode(buf.subarray(0, 5)) === 'byob!', 'byob bytes');
      return 'read into caller buffer';
    } finally {
      reader.releaseLock();
      writer.releaseLock();
      await socket.close();
    }
  };

  checks['tcp.connection-refused'] = async () => {
    const socket = new TCPSocket(peers.closedPort.address, peers.closedPort.port);
    const e = await rejectsWith(socket.opened, 'NetworkError', null, 'opened');
    await rejectsWith(socket.closed, 'NetworkError', null, 'closed');
    return e.message;
  };

  checks['tcp.unresolvable-host'] = async () => {
    // The empty name fails locally; no DNS query leaves the machine.
    const socket = new TCPSocket('', echo.port);
    const e = await rejectsWith(socket.opened, 'NetworkError', null, 'opened');
    return e.message;
  };

  checks['tcp.hostname-localhost'] = async () => {
    const c = await connect({ address: 'localhost', port: echo.port }, { dnsQueryType: 'ipv4' });
    try {
      assert(c.info.remoteAddress === '127.0.0.1', `resolved to ${c.info.remoteAddress}`);
      return 'localhost -> 127.0.0.1';
    } finally { await c.done(); }
  };

  checks['tcp.ipv6-echo'] = async () => {
    if (!peers.tcpEcho6) return 'skipped: no IPv6 peer';
    const c = await connect(peers.tcpEcho6);
    try {
      assert(c.info.remoteAddress === '::1', `remoteAddress ${c.info.remoteAddress}`);
      await c.writer.write(enc.encode('six'));
      assert(dec.decode(await readBytes(c.reader, 3)) === 'six', 'echo over ::1');
      return '::1';
    } finally { await c.done(); }
  };

  checks['tcp.writer-close-sends-fin'] = async () => {
    const c = await connect(echo);
    try {
      await c.writer.write(enc.encode('bye'));
      await c.writer.close();
      // The echo peer answers our FIN with its own: reading ends.
      const back = await readBytes(c.reader, 3);
      const { done } = await withTimeout(c.reader.read(), 2000, 'peer FIN after writer.close()');
      assert(dec.decode(back) === 'bye' && done, 'half-close');
      await withTimeout(c.socket.closed, 2000, 'closed after both sides ended');
      return 'FIN sent, reading continued, closed resolved';
    } finally { await c.done(); }
  };

  checks['tcp.pipelined-writes-arrive-intact'] = async () => {
    const c = await connect(peers.tcpSink);
    try {
      const chunk = 64 * 1024;
      const count = 64;
      const header = new Uint8Array(4);
      new DataView(header.buffer).setUint32(0, chunk * count);
      c.writer.write(header);
      // Queue everything at once: writes start while the previous ones are
      // still in flight and the send path is full.
      const writes = [];
      for (let i = 0; i < count; i++) writes.push(c.writer.write(pattern(chunk, i)));
      await Promise.all(writes);
      const line = await withTimeout(readLine(c.reader), 10000, 'sink report');
      assert(line === `OK ${chunk * count}`, `sink says ${line}`);
      return line;
    } finally { await c.done(); }
  };

  checks['tcp.writer-backpressure'] = async () => {
    const c = await connect(peers.tcpStall);
    try {
      const chunk = new Uint8Array(256 * 1024);
      let written = 0;
      // A peer that never reads: within 64 MiB the writer must stop being ready.
      while (written < 64 * 1024 * 1024) {
        if (await pendingAfter(c.writer.ready, 200)) break;
        c.writer.write(chunk).catch(() => {});
        written += chunk.byteLength;
      }
      assert(written < 64 * 1024 * 1024, 'writer.ready never stayed pending');
      assert(c.writer.desiredSize <= 0, `desiredSize ${c.writer.desiredSize}`);
      return `ready pending after ${(written / 1048576).toFixed(1)} MiB, desiredSize ${c.writer.desiredSize}`;
    } finally {
      await c.writer.abort().catch(() => {});
      await c.done();
    }
  };

  checks['tcp.close-states'] = async () => {
    const socket = new TCPSocket(echo.address, echo.port);
    await rejectsWith(socket.close(), 'InvalidStateError', /not properly initialized/, 'close() while opening');
    const { readable, writable } = await socket.opened;
    const reader = readable.getReader();
    await rejectsWith(socket.close(), 'InvalidStateError', /locked/, 'close() with a locked stream');
    reader.releaseLock();
    const p1 = socket.close();
    const p2 = socket.close();
    await withTimeout(p1, 2000, 'close()');
    await withTimeout(p2, 2000, 'second close()');
    await withTimeout(socket.closed, 2000, 'closed');
    const writer = writable.getWriter();
    await rejectsWith(writer.write(enc.encode('x')), 'AbortError', /Stream closed/, 'write after close');
    return 'InvalidStateError x2, closed resolved, write after close rejected';
  };

  checks['tcp.constructor-validation'] = async () => {
    const cases = [
      [() => new TCPSocket(), /2 arguments required/],
      [() => new TCPSocket(echo.address, echo.port, { keepAliveDelay: 999 }), /keepAliveDelay must be no less than 1,000 milliseconds/],
      [() => new TCPSocket(echo.address, echo.port, { sendBufferSize: 0 }), /sendBufferSize must be greater than zero/],
      [() => new TCPSocket(echo.address, echo.port, { receiveBufferSize: 0 }), /receiverBufferSize must be greater than zero/],
      [() => new TCPSocket(echo.address, echo.port, { sendBufferSize: -1 }), /outside the 'unsigned long' value range/],
      [() => new TCPSocket(echo.address, echo.port, { dnsQueryType: 'ipv5' }), /not a valid enum value of type SocketDnsQueryType/],
      [() => new TCPSocket(echo.address, echo.port, 5), /not of type 'TCPSocketOptions'/],
    ];
    for (const [fn, re] of cases) await throwsWith(fn, 'TypeError', re, String(re));
    return `${cases.length} TypeErrors`;
  };

  checks['tcp.options-accepted'] = async () => {
    const c = await connect(echo, {
      noDelay: true, keepAliveDelay: 1000, sendBufferSize: 65536, receiveBufferSize: 65536, dnsQueryType: 'ipv4',
    });
    try {
      await c.writer.write(enc.encode('opt'));
      assert(dec.decode(await readBytes(c.reader, 3)) === 'opt', 'echo with options');
      return 'opened with every option';
    } finally { await c.done(); }
  };

  checks['server.constructor-validation'] = async () => {
    const cases = [
      [() => new TCPServerSocket(), /1 argument required/],
      [() => new TCPServerSocket('localhost'), /localAddress must be a valid IP address/],
      [() => new TCPServerSocket('127.0.0.1', { localPort: 0 }), /localPort must be greater than zero/],
      [() => new TCPServerSocket('127.0.0.1', { localPort: 65536 }), /outside the 'unsigned short' value range/],
      [() => new TCPServerSocket('127.0.0.1', { backlog: 0 }), /backlog must be greater than zero/],
      [() => new TCPServerSocket('127.0.0.1', { ipv6Only: true }), /ipv6Only can only be specified when localAddress is \[::\]/],
    ];
    for (const [fn, re] of cases) await throwsWith(fn, 'TypeError', re, String(re));
    return `${cases.length} TypeErrors`;
  };

  checks['server.accept-and-talk'] = async () => {
    const server = new TCPServerSocket(echo.address, { backlog: 8 });
    const { readable, localAddress, localPort } = await server.opened;
    assert(localAddress === echo.address && localPort > 0, `listening on ${localAddress}:${localPort}`);
    const accepts = readable.getReader();
    const client = await connect({ address: localAddress, port: localPort });
    try {
      const { value: accepted } = await withTimeout(accepts.read(), 2000, 'accept');
      assert(accepted instanceof TCPSocket, 'accepted a TCPSocket');
      const ai = await accepted.opened;
      assert(ai.remotePort === client.info.localPort, 'accepted remotePort is the client port');
      const ar = ai.readable.getReader();
      const aw = ai.writable.getWriter();
      await client.writer.write(enc.encode('ping'));
      assert(dec.decode(await readBytes(ar, 4)) === 'ping', 'server received');
      await aw.write(enc.encode('pong'));
      assert(dec.decode(await readBytes(client.reader, 4)) === 'pong', 'client received');
      ar.releaseLock();
      aw.releaseLock();
      await accepted.close();
      return `accepted from port ${ai.remotePort}`;
    } finally {
      await client.done();
      accepts.releaseLock();
      await withTimeout(server.close(), 2000, 'server.close()');
    }
  };

  checks['server.close-states'] = async () => {
    const server = new TCPServerSocket(echo.address);
    await rejectsWith(server.close(), 'InvalidStateError', /not properly initialized/, 'close() while opening');
    const { readable } = await server.opened;
    const r = readable.getReader();
    await rejectsWith(server.close(), 'InvalidStateError', /locked/, 'close() while locked');
    r.releaseLock();
    await withTimeout(server.close(), 2000, 'close()');
    await withTimeout(server.closed, 2000, 'closed');
    await withTimeout(server.close(), 2000, 'second close()');
    return 'ok';
  };

  checks['server.port-in-use'] = async () => {
    const a = new TCPServerSocket(echo.address);
    const { localPort } = await a.opened;
    try {
      const b = new TCPServerSocket(echo.address, { localPort });
      const e = await rejectsWith(b.opened, 'NetworkError', null, 'second listen on the same port');
      return e.message;
    } finally { await a.close(); }
  };

  // --- UDP ---
  const uecho = peers.udpEcho;

  async function udp(options) {
    const socket = new UDPSocket(options);
    const info = await socket.opened;
    const reader = info.readable.getReader();
    const writer = info.writable.getWriter();
    const done = async () => {
      reader.releaseLock();
      writer.releaseLock();
      await socket.close().catch(() => {});
    };
    return { socket, info, reader, writer, done };
  }

  checks['udp.connected-echo'] = async () => {
    const u = await udp({ remoteAddress: uecho.address, remotePort: uecho.port });
    try {
      assert(u.info.remoteAddress === uecho.address && u.info.remotePort === uecho.port, 'remote in opened');
      assert(u.info.localPort > 0, 'local port in opened');
      assert(u.info.multicastController === undefined, 'no multicastController in connected mode');
      await u.writer.write({ data: enc.encode('dgram') });
      const { value } = await withTimeout(u.reader.read(), 2000, 'echo');
      assert(dec.decode(value.data) === 'dgram', 'echoed datagram');
      assert(Object.getPrototypeOf(value.data) === Uint8Array.prototype, 'data is a Uint8Array');
      assert(value.remoteAddress === undefined, 'no remoteAddress in connected mode');
      return 'ok';
    } finally { await u.done(); }
  };

  checks['udp.bound-sendto-echo'] = async () => {
    const u = await udp({ localAddress: '127.0.0.1' });
    try {
      await u.writer.write({ data: enc.encode('to'), remoteAddress: uecho.address, remotePort: uecho.port });
      const { value } = await withTimeout(u.reader.read(), 2000, 'echo');
      assert(dec.decode(value.data) === 'to', 'echoed datagram');
      assert(value.remoteAddress === uecho.address && value.remotePort === uecho.port, 'sender in message');
      return `${value.remoteAddress}:${value.remotePort}`;
    } finally { await u.done(); }
  };

  checks['udp.message-validation'] = async () => {
    const connected = { remoteAddress: uecho.address, remotePort: uecho.port };
    const bound = { localAddress: '127.0.0.1' };
    const cases = [
      [connected, { data: enc.encode('x'), remoteAddress: uecho.address, remotePort: uecho.port }, /must not be specified in 'connected' mode/],
      [connected, { data: enc.encode('x'), dnsQueryType: 'ipv4' }, /'dnsQueryType' must not be specified in 'connected' mode/],
      [bound, { data: enc.encode('x') }, /must be specified in 'bound' mode/],
      [bound, { data: enc.encode('x'), remoteAddress: uecho.address }, /either none or both/],
    ];
    // A bad chunk errors the writable, so each case gets its own socket.
    for (const [options, msg, re] of cases) {
      const u = await udp(options);
      try {
        await rejectsWith(u.writer.write(msg), 'TypeError', re, String(re));
      } finally { await u.done(); }
    }
    return `${cases.length} TypeErrors`;
  };

  checks['udp.data-validation'] = async () => {
    const cases = [
      [{}, /missing 'data' field/],
      [{ data: new Uint8Array(0) }, /'data' field must not be empty/],
      [{ data: 'text' }, /ArrayBuffer or ArrayBufferView/],
      [7, /not of type 'UDPMessage'/],
    ];
    for (const [msg, re] of cases) {
      const u = await udp({ remoteAddress: uecho.address, remotePort: uecho.port });
      try {
        await rejectsWith(u.writer.write(msg), 'TypeError', re, String(re));
      } finally { await u.done(); }
    }
    return `${cases.length} TypeErrors`;
  };

  checks['udp.oversized-datagram'] = async () => {
    const u = await udp({ remoteAddress: uecho.address, remotePort: uecho.port });
    try {
      const e = await rejectsWith(u.writer.write({ data: new Uint8Array(65508) }), 'NetworkError', /ERR_MSG_TOO_BIG/, '65508-byte datagram');
      return e.message;
    } finally { await u.done(); }
  };

  checks['udp.largest-datagram'] = async () => {
    const u = await udp({ remoteAddress: uecho.address, remotePort: uecho.port });
    try {
      await u.writer.write({ data: pattern(65507, 9) });
      const { value } = await withTimeout(u.reader.read(), 2000, 'echo');
      assert(value.data.byteLength === 65507, `got ${value.data.byteLength}`);
      return '65507 bytes';
    } finally { await u.done(); }
  };

  checks['udp.constructor-validation'] = async () => {
    const cases = [
      [() => new UDPSocket(), /1 argument required/],
      [() => new UDPSocket({}), /neither remoteAddress nor localAddress specified/],
      [() => new UDPSocket({ remoteAddress: '127.0.0.1' }), /should either be specified together/],
      [() => new UDPSocket({ remoteAddress: '127.0.0.1', remotePort: 1, localAddress: '127.0.0.1' }), /cannot be specified at the same time/],
      [() => new UDPSocket({ localPort: 5000 }), /localPort cannot be specified without localAddress/],
      [() => new UDPSocket({ localAddress: 'nope' }), /localAddress must be a valid IP address/],
      [() => new UDPSocket({ localAddress: '127.0.0.1', localPort: 0 }), /localPort must be greater than zero/],
      [() => new UDPSocket({ localAddress: '127.0.0.1', dnsQueryType: 'ipv4' }), /dnsQueryType is only relevant/],
      [() => new UDPSocket({ localAddress: '127.0.0.1', ipv6Only: true }), /ipv6Only can only be specified when localAddress is \[::\]/],
      [() => new UDPSocket({ remoteAddress: '127.0.0.1', remotePort: 1, ipv6Only: false }), /ipv6Only can only be specified with localAddress/],
      [() => new UDPSocket({ remoteAddress: '127.0.0.1', remotePort: 70000 }), /outside the 'unsigned short' value range/],
      [() => new UDPSocket({ localAddress: '127.0.0.1', sendBufferSize: 0 }), /sendBufferSize must be greater than zero/],
      [() => new UDPSocket({ localAddress: '127.0.0.1', multicastTimeToLive: 256 }), /outside the 'octet' value range/],
    ];
    for (const [fn, re] of cases) await throwsWith(fn, 'TypeError', re, String(re));
    return `${cases.length} TypeErrors`;
  };

  checks['udp.multicast-controller'] = async () => {
    const u = await udp({ localAddress: '127.0.0.1', multicastTimeToLive: 1, multicastLoopback: true });
    try {
      const mc = u.info.multicastController;
      assert(mc, 'bound socket has a multicastController');
      assert(Array.isArray(mc.joinedGroups) && mc.joinedGroups.length === 0, 'no groups joined');
      await rejectsWith(mc.joinGroup('not an ip'), 'TypeError', /ipAddress is not a valid IPv4 or IPv6 address/, 'joinGroup(bad)');
      await rejectsWith(mc.joinGroup('10.1.2.3'), 'TypeError', /ipAddress must be a valid multicast address/, 'joinGroup(unicast)');
      await rejectsWith(mc.leaveGroup('239.1.2.3'), 'InvalidStateError', /not joined/, 'leaveGroup(not joined)');
      return 'ok';
    } finally { await u.done(); }
  };

  checks['udp.close-states'] = async () => {
    const socket = new UDPSocket({ localAddress: '127.0.0.1' });
    await rejectsWith(socket.close(), 'InvalidStateError', /not properly initialized/, 'close() while opening');
    const { writable } = await socket.opened;
    await withTimeout(socket.close(), 2000, 'close()');
    await withTimeout(socket.close(), 2000, 'second close()');
    const w = writable.getWriter();
    await rejectsWith(w.write({ data: enc.encode('x'), remoteAddress: uecho.address, remotePort: uecho.port }), 'AbortError', /Stream closed/, 'write after close');
    return 'ok';
  };

  return checks;
}

export async function runConformance(api, peers, { expectations = {}, timeoutMs = 20000, only = null } = {}) {
  const checks = defineChecks(api, peers);
  const results = [];
  for (const [name, check] of Object.entries(checks)) {
    if (only && !only.includes(name)) continue;
    let passed = false;
    let detail = '';
    try {
      detail = String(await withTimeout(check(), timeoutMs, name));
      passed = true;
    } catch (e) {
      detail = e instanceof CheckFailed ? e.message : `${e && e.name}: ${e && e.message}`;
    }
    const known = expectations[name];
    if (known === undefined) {
      results.push({ name, ok: passed, detail });
    } else if (known.either) {
      // A browser bug that shows or not depending on timing.
      results.push({ name, ok: true, detail: `${passed ? 'passed' : 'failed'} (either is expected: ${known.either}): ${detail}` });
    } else if (passed) {
      results.push({ name, ok: false, detail: `passed, but expected to fail (${known}); update the expectations` });
    } else {
      results.push({ name, ok: true, detail: `failed as expected (${known}): ${detail}` });
    }
  }
  return results;
}
