// Chromium discards unread data when the peer's FIN arrives while no read
// is pending. Runs as an IWA program under tools/iwa:
//
//   tools/iwa-run --local-network tools/iwa/repro/tcp-fin-discards.js -- PORT DELAY_MS
//
// Connects to a peer that sends some bytes and closes at once, waits
// DELAY_MS before its first read, then reads to the end and prints how many
// bytes arrived. Read at once (DELAY_MS 0), every byte arrives; read after
// the FIN came (e.g. 500), the bytes still in the receive pipe are lost.
(async () => {
  const [port, delay] = Module.arguments.map(Number);
  const socket = new TCPSocket('127.0.0.1', port);
  const { readable } = await socket.opened;
  await new Promise((r) => setTimeout(r, delay));
  const reader = readable.getReader();
  let got = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    got += value.length;
  }
  Module.print(`received ${got} bytes after a ${delay} ms wait, then end-of-stream`);
  Module.onExit(0);
})().catch((e) => { Module.printErr(String(e)); Module.onExit(1); });
