// Chromium's TCP send data loss, in plain Direct Sockets JS: awaited 16 KiB
// writes in a loop, to a peer that counts and checks what arrives
// (docs/chromium-tcp-send-loss.md). Runs as an IWA program under tools/iwa
// (its shell provides Module.arguments/print/onExit):
//
//   tools/iwa-run --local-network tools/iwa/repro/tcp-send-loss.js -- PORT MIB
//
// The peer (tools/iwa/lib/upload-peer.mjs) reads an 8-byte length, then
// that many pattern bytes, and answers "received N first_bad F". Prints that
// line and "lost L bytes"; exit status 0 either way.
(async () => {
  const [port, mib] = Module.arguments.map(Number);
  const total = mib * 1024 * 1024;
  const CHUNK = 16 * 1024; // any size that divides 64 KiB loses the most
  const pattern = new Uint8Array(total).map((_, i) => Math.imul(i, 0x9e3779b1) >>> 24);

  const socket = new TCPSocket('127.0.0.1', port);
  const { readable, writable } = await socket.opened;
  const writer = writable.getWriter();
  const header = new DataView(new ArrayBuffer(8));
  header.setBigUint64(0, BigInt(total), true);
  await writer.write(new Uint8Array(header.buffer));
  for (let off = 0; off < total; off += CHUNK) {
    await writer.write(pattern.subarray(off, off + CHUNK)); // resolves; the bytes may never be sent
  }

  const reader = readable.getReader();
  let line = '';
  while (!line.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    line += new TextDecoder().decode(value);
  }
  const received = Number(/received (\d+)/.exec(line)?.[1] ?? -1);
  Module.print(line.trim());
  Module.print(`lost ${total - received} bytes`);
  reader.releaseLock();
  writer.releaseLock();
  await socket.close();
  Module.onExit(0);
})().catch((e) => { Module.printErr(String(e)); Module.onExit(1); });
