// Benchmark (not a test): this package vs raw node:net, same machine, one run.
//
//   node tools/direct-sockets-node/bench.mjs [--seconds 3] [--mib 256]
//
// The peer runs in a child process on 127.0.0.1 (raw node:net, identical for
// both clients), so each side has its own core:
//   ping-pong: 32-byte message, wait for the 32-byte echo, repeat for N s.
//   upload:    send 256 MiB to a sink; MB/s as measured by the sink.
//   download:  receive 256 MiB from a source; MB/s measured here (receiver).
// Prints each figure and the ratio package / node:net.

import net from 'node:net';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { TCPSocket } from './index.js';

const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const SECONDS = arg('--seconds', 3);
const TOTAL = arg('--mib', 256) * 1024 * 1024;
const CHUNK = 256 * 1024;
const MSG = 32;

// ---------------------------------------------------------------- peer side
function runPeer() {
  const listen = (onConn) => new Promise((resolve) => {
    const s = net.createServer({ allowHalfOpen: true }, onConn);
    s.listen(0, '127.0.0.1', () => resolve(s.address().port));
  });
  const chunk = Buffer.alloc(CHUNK, 7);
  Promise.all([
    // echo
    listen((c) => { c.setNoDelay(true); c.on('data', (d) => c.write(d)); c.on('end', () => c.end()); }),
    // sink: counts bytes, reports "<bytes> <ms>\n" at TOTAL bytes, from first byte
    listen((c) => {
      let n = 0; let t0 = 0;
      c.on('data', (d) => {
        if (n === 0) t0 = performance.now();
        n += d.length;
        if (n >= TOTAL) { c.end(`${n} ${performance.now() - t0}\n`); c.removeAllListeners('data'); c.resume(); }
      });
    }),
    // source: sends TOTAL bytes then FIN
    listen((c) => {
      let sent = 0;
      const pump = () => {
        while (sent < TOTAL) {
          sent += CHUNK;
          if (!c.write(chunk)) { c.once('drain', pump); return; }
        }
        c.end();
      };
      pump();
    }),
  ]).then(([echo, sink, source]) => {
    process.stdout.write(JSON.stringify({ echo, sink, source }) + '\n');
  });
}

// ------------------------------------------------------------ raw node:net
function rawConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => resolve(s));
  });
}

async function rawPingPong(port) {
  const s = await rawConnect(port);
  const msg = Buffer.alloc(MSG, 1);
  let n = 0; let got = 0;
  const end = performance.now() + SECONDS * 1000;
  await new Promise((resolve) => {
    s.on('data', (d) => {
      got += d.length;
      if (got < MSG) return;
      got -= MSG; n++;
      if (performance.now() < end) s.write(msg); else resolve();
    });
    s.write(msg);
  });
  s.destroy();
  return n / SECONDS;
}

async function rawUpload(port) {
  const s = await rawConnect(port);
  const chunk = Buffer.alloc(CHUNK, 7);
  let report = '';
  s.on('data', (d) => { report += d; });
  const done = new Promise((resolve) => s.on('end', resolve));
  for (let sent = 0; sent < TOTAL; sent += CHUNK) {
    if (!s.write(chunk)) await new Promise((r) => s.once('drain', r));
  }
  await done;
  s.destroy();
  const [bytes, ms] = report.trim().split(' ').map(Number);
  return bytes / 1e6 / (ms / 1000);
}

async function rawDownload(port) {
  const s = await rawConnect(port);
  let n = 0; let t0 = 0;
  await new Promise((resolve) => {
    s.on('data', (d) => { if (n === 0) t0 = performance.now(); n += d.length; });
    s.on('end', resolve);
  });
  const ms = performance.now() - t0;
  s.destroy();
  return n / 1e6 / (ms / 1000);
}

// ------------------------------------------------------------- this package
async function pkgOpen(port) {
  const socket = new TCPSocket('127.0.0.1', port, { noDelay: true });
  const { readable, writable } = await socket.opened;
  return { socket, reader: readable.getReader(), writer: writable.getWriter() };
}

async function pkgClose({ socket, reader, writer }) {
  reader.releaseLock();
  writer.releaseLock();
  await socket.close();
}

async function pkgPingPong(port) {
  const c = await pkgOpen(port);
  const msg = new Uint8Array(MSG).fill(1);
  let n = 0; let got = 0;
  const end = performance.now() + SECONDS * 1000;
  for (;;) {
    c.writer.write(msg);
    while (got < MSG) got += (await c.reader.read()).value.byteLength;
    got -= MSG; n++;
    if (performance.now() >= end) break;
  }
  await pkgClose(c);
  return n / SECONDS;
}

async function pkgUpload(port) {
  const c = await pkgOpen(port);
  const chunk = new Uint8Array(CHUNK).fill(7);
  for (let sent = 0; sent < TOTAL; sent += CHUNK) {
    await c.writer.ready;
    c.writer.write(chunk); // constant content, so reuse is safe
  }
  let report = '';
  const dec = new TextDecoder();
  for (;;) {
    const { value, done } = await c.reader.read();
    if (done) break;
    report += dec.decode(value);
  }
  await c.writer.close();
  await pkgClose(c);
  const [bytes, ms] = report.trim().split(' ').map(Number);
  return bytes / 1e6 / (ms / 1000);
}

async function pkgDownload(port) {
  const c = await pkgOpen(port);
  let n = 0; let t0 = 0;
  for (;;) {
    const { value, done } = await c.reader.read();
    if (done) break;
    if (n === 0) t0 = performance.now();
    n += value.byteLength;
  }
  const ms = performance.now() - t0;
  await c.writer.close();
  await pkgClose(c);
  return n / 1e6 / (ms / 1000);
}

// -------------------------------------------------------------------- main
async function main() {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--peer', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ports = await new Promise((resolve) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(JSON.parse(buf));
    });
  });
  const rows = [
    ['ping-pong round trips/s', rawPingPong, pkgPingPong, ports.echo],
    ['upload MB/s (at receiver)', rawUpload, pkgUpload, ports.sink],
    ['download MB/s (at receiver)', rawDownload, pkgDownload, ports.source],
  ];
  console.log(`node ${process.version}, ${SECONDS} s ping-pong of ${MSG} B, bulk ${TOTAL / 1048576} MiB`);
  for (const [name, raw, pkg, port] of rows) {
    const r = await raw(port);
    const p = await pkg(port);
    console.log(`${name.padEnd(28)} node:net ${r.toFixed(0).padStart(8)}  package ${p.toFixed(0).padStart(8)}  ratio ${(p / r).toFixed(2)}`);
  }
  child.kill();
}

if (args.includes('--peer')) runPeer();
else await main();
