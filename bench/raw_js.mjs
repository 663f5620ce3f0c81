// The benchmark client written straight against the Direct Sockets API, the
// baseline for what our C core and bridge cost. Same modes and output as
// socket_bench.c; it runs under Node.js and, unchanged, in a Chromium IWA
// (bench/iwa_raw_js.mjs loads it into bench/raw_js_shell/):
//   node --import ../tools/direct-sockets-node/register.js raw_js.mjs pingpong PORT SECONDS
//   ... bulk PORT MIB | udp PORT SIZE COUNT | accept COUNT SECONDS
const PATTERN_CYCLE = 251;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Whether `promise` settles within `ms`.
const within = (promise, ms) => Promise.race([promise.then(() => true, () => true), sleep(ms).then(() => false)]);
// As close() in C: stop reading, send what is queued, then FIN.
async function finish(reader, writer) {
  reader.cancel().catch(() => {});
  await writer.close().catch(() => {});
}

async function pingpong(out, port, seconds) {
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
  await finish(reader, writer);
  return {round_trips: trips, seconds: elapsed};
}

async function bulk(out, port, mib) {
  const socket = new TCPSocket('127.0.0.1', port, {noDelay: true});
  const {readable, writable} = await socket.opened;
  const reader = readable.getReader();
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
  // As socket_bench.c: wait (bounded) for the sink's "k", sent once it has
  // every byte, so that the program does not end with data on its way.
  if (!await within(reader.read(), 5000)) out.warn('bulk: the sink did not confirm every byte');
  const seconds = (performance.now() - start) / 1000;
  await finish(reader, writer);
  return {bytes: total, seconds};
}

async function udp(out, port, size, count) {
  const socket = new UDPSocket({remoteAddress: '127.0.0.1', remotePort: port});
  const {readable, writable} = await socket.opened;
  const reader = readable.getReader();
  const writer = writable.getWriter();
  size = Math.max(size, 8);
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const data = new Uint8Array(size);
    new DataView(data.buffer).setBigInt64(0, BigInt(i), true);
    await writer.ready;
    writer.write({data});
  }
  // End markers until the peer answers one, or 1 s passed.
  const marker = new Uint8Array(size).fill(0xff, 0, 8);
  const answer = reader.read();
  for (let i = 0; i < 50; i++) {
    await writer.write({data: marker.slice()});
    if (await within(answer, 20)) break;
  }
  await finish(reader, writer);
  return {sent: count, seconds: (performance.now() - start) / 1000};
}

// Accepted connections per second, timed from the first accept to the last.
async function accept(out, count, seconds) {
  const server = new TCPServerSocket('127.0.0.1', {backlog: 128});
  const {readable, localPort} = await server.opened;
  out.print(JSON.stringify({port: localPort}));
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

// Runs one workload; out.print and out.warn take one line for stdout and
// stderr. Returns the exit status.
export async function main(argv, out) {
  const [mode, ...args] = argv;
  if (!WORKLOADS[mode]) {
    out.warn(USAGE);
    return 2;
  }
  out.print(JSON.stringify(await WORKLOADS[mode](out, ...args.map(Number))));
  return 0;
}

if (globalThis.process?.versions?.node) {
  process.exit(await main(process.argv.slice(2), {print: console.log, warn: console.error}));
}
