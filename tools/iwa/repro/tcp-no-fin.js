// Chromium sends no FIN for writer.close() while the readable is open
// (docs/chromium-tcp-no-fin.md). Runs as an IWA program under tools/iwa:
//
//   tools/iwa-run --local-network tools/iwa/repro/tcp-no-fin.js -- PORT
//
// Writes "hello", closes the writable, waits 1 s, then cancels the readable.
// A peer that logs when it sees EOF shows the FIN arriving only after the
// cancel (tools/iwa/send-integrity.mjs checks exactly that).
(async () => {
  const [port] = Module.arguments.map(Number);
  const socket = new TCPSocket('127.0.0.1', port);
  const { readable, writable } = await socket.opened;
  const writer = writable.getWriter();
  await writer.write(new TextEncoder().encode('hello'));
  await writer.close(); // Linux's shutdown(SHUT_WR) would send a FIN now
  Module.print('writable closed');
  await new Promise((r) => setTimeout(r, 1000));
  await readable.cancel(); // both streams closed: the socket closes, FIN
  Module.print('readable cancelled');
  await socket.closed;
  Module.onExit(0);
})().catch((e) => { Module.printErr(String(e)); Module.onExit(1); });
