// Shared helpers for test/ (kept outside test/ so the runner does not load it as a test): loopback peers and small utilities.
import net from 'node:net';

export const T = { timeout: 15000 };

export function listen(handler, host = '127.0.0.1', options = { allowHalfOpen: true }) {
  return new Promise((resolve, reject) => {
    const server = net.createServer(options, handler);
    server.once('error', reject);
    server.listen(0, host, () => resolve(server));
  });
}

export function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

export async function readAll(reader) {
  const parts = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(Buffer.from(value));
  }
  return Buffer.concat(parts);
}

export async function readN(reader, n) {
  const parts = [];
  let got = 0;
  while (got < n) {
    const { value, done } = await reader.read();
    if (done) break;
    parts.push(Buffer.from(value));
    got += value.byteLength;
  }
  return Buffer.concat(parts);
}
