// The benchmark client written straight against the Direct Sockets API, the
// baseline for what our C core and bridge cost. Same modes and output as
// socket_bench.c; it runs under Node.js and, unchanged, in a Chromium IWA
// (bench/iwa_raw_js.mjs loads it into bench/raw_js_shell/):
//   node --import ../tools/direct-sockets-node/register.js raw_js.mjs pingpong PORT SECONDS
//   ... bulk PORT MIB | udp PORT SIZE COUNT | accept COUNT SECONDS
const PATTERN_CYCLE = 251;

async function pingpong(print, port, seconds) {
  const socket = new TCPSocket('127.0.0.1', port, {noDelay: true});
  const {readable, writable} = await socket.opened;
  const reader = readable.getReader();
  const writer = writable.getWriter();
  const msg = new Uint8Array(32).fill(0x70);
  let trips = 0, elapsed, failed;
  const start = performance.now();
  do {
    // As send() in C: the write is queued, its completion is not awaited.
    await writer.ready;
    writer.write(msg.slice()).catch((e) => failed = e);
    let got = 0;
    while (got < 32) {
      const {value, done} = await reader.read();
      if (done) throw failed ?? new Error('peer closed');
      got += value.length;
    }
    trips++;
  } while ((elapsed = (performance.now() - start) / 1000) < seconds);
  await writer.close();
  reader.cancel();
  return {round_trips: trips, seconds: elapsed};
}

async function bulk(print, port, mib) {
  const socket = new TCPSocket('127.0.0.1', port, {noDelay: true});
  const {readable, writable} = await socket.opened;
  const writer = writable.getWriter();
  const CHUNK = 64 * 1024;
  const pattern = new Uint8Array(CHUNK + PATTERN_CYCLE).map((_, i) => i % PATTERN_CYCLE);
  const total = mib * 1024 * 1024;
  const start = performance.now();
  for (let sent = 0; sent < total;) {
    const n = Math.min(CHUNK, total - sent);
    await writer.ready;
    const off = sent % PATTERN_CYCLE;
    writer.write(pattern.slice(off, off + n));
    sent += n;
  }
  await writer.close();
  readable.cancel();
  return {bytes: total, seconds: (performance.now() - start) / 1000};
}

async function udp(print, port, size, count) {
  const socket = new UDPSocket({remoteAddress: '127.0.0.1', remotePort: port});
  const {writable} = await socket.opened;
  const writer = writable.getWriter();
  size = Math.max(size, 8);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(size);
    new DataView(data.buffer).setBigInt64(0, BigInt(i), true);
    await writer.ready;
    writer.write({data});
  }
  const marker = new Uint8Array(size).fill(0xff, 0, 8);
  for (let i = 0; i < 20; i++) {
    await writer.write({data: marker.slice()});
    await new Promise((r) => setTimeout(r, 5));
  }
  await writer.close();
  return {sent: count, seconds: (performance.now() - start) / 1000};
}

// Accepted connections per second, timed from the first accept to the last.
async function accept(print, count, seconds) {
  const server = new TCPServerSocket('127.0.0.1', {backlog: 128});
  const {readable, localPort} = await server.opened;
  print(JSON.stringify({port: localPort}));
  const reader = readable.getReader();
  let accepted = 0, first = 0, last = 0;
  while (accepted < count && (!accepted || last - first < seconds * 1000)) {
    const {value: conn, done} = await reader.read();
    if (done) throw new Error('the listener closed');
    last = performance.now();
    if (!accepted++) first = last;
    // As close() in C: the close completes in the background.
    conn.opened.then(() => conn.close()).catch(() => {});
  }
  reader.releaseLock();
  await server.close();
  return {accepted, seconds: (last - first) / 1000};
}

const WORKLOADS = {pingpong, bulk, udp, accept};
const USAGE = 'usage: raw_js.mjs pingpong PORT SECONDS | bulk PORT MIB | udp PORT SIZE COUNT | accept COUNT SECONDS';

// Runs one workload; `print` takes one line of output. Returns the exit status.
export async function main(argv, print) {
  const [mode, ...args] = argv;
  if (!WORKLOADS[mode]) {
    print(USAGE);
    return 2;
  }
  print(JSON.stringify(await WORKLOADS[mode](print, ...args.map(Number))));
  return 0;
}

if (globalThis.process?.versions?.node) process.exit(await main(process.argv.slice(2), console.log));
