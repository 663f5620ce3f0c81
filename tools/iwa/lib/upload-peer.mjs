// A verifying upload peer on 127.0.0.1, for checks that every byte a client
// sent arrived (docs/chromium-tcp-send-loss.md). Per connection it reads an
// 8-byte length (little-endian) and then that many bytes of the pattern
// below, optionally no faster than `rate` bytes/s (a slow reader keeps the
// sender's buffers full). Once it has them all, or the stream ended or went
// quiet for `idleMs`, it answers "received N first_bad F\n" (F: the first
// offset whose byte is wrong, -1 if none) and reports the same to onVerdict.
// onEnd learns how the client's side ended: 'eof' (a FIN) or 'reset'.

import net from 'node:net';

// The pattern's byte at offset i; test/directsockets/send_integrity.c and
// tools/iwa/repro/tcp-send-loss.js compute the same.
export const patternByte = (i) => Math.imul(i, 0x9e3779b1) >>> 24;

export function startUploadPeer({ rate = 0, idleMs = 2000, onVerdict = () => {}, onEnd = () => {} } = {}) {
  const sockets = new Set();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let header = Buffer.alloc(0);
    let total = -1;
    let received = 0;
    let firstBad = -1;
    let done = false;
    let idle;
    const start = Date.now();
    const finish = (how) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      const verdict = { total, received, firstBad, how, seconds: (Date.now() - start) / 1000 };
      onVerdict(verdict);
      if (!socket.destroyed) {
        socket.resume();
        socket.end(`received ${received} first_bad ${firstBad}\n`);
      }
    };
    const quiet = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish('quiet'), idleMs);
    };
    quiet();
    socket.on('data', (buf) => {
      if (done) return;
      quiet();
      if (total < 0) {
        header = Buffer.concat([header, buf]);
        if (header.length < 8) return;
        total = Number(header.readBigUInt64LE(0));
        buf = header.subarray(8);
      }
      for (let j = 0; j < buf.length; j++, received++) {
        if (firstBad < 0 && buf[j] !== patternByte(received)) firstBad = received;
      }
      if (received >= total) return finish('complete');
      if (rate) {
        // Read no faster than `rate`: pause until the bytes so far are due.
        const wait = start + (received / rate) * 1000 - Date.now();
        if (wait > 1) {
          socket.pause();
          setTimeout(() => done || socket.resume(), wait);
        }
      }
    });
    socket.on('end', () => {
      finish('eof');
      onEnd('eof');
    });
    socket.on('error', () => {
      finish('reset');
      onEnd('reset');
    });
    socket.on('close', () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({
      port: server.address().port,
      close: () => {
        for (const s of sockets) s.destroy();
        server.close();
      },
    }));
  });
}
