// lib/upload-peer.mjs, the verifying peer of the upload integrity checks:
// it must pass an intact upload and catch a dropped run of bytes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { patternByte, startUploadPeer } from '../lib/upload-peer.mjs';

// Uploads `total` pattern bytes, leaving out [skipFrom, skipFrom + skipLen),
// in writes of `chunk` bytes; resolves to the peer's verdict and its answer.
async function upload({ total, skipFrom = -1, skipLen = 0, chunk = 10000, rate = 0 }) {
  let verdict;
  const got = new Promise((resolve) => verdict = resolve);
  const peer = await startUploadPeer({ rate, idleMs: 300, onVerdict: verdict });
  try {
    const socket = net.connect(peer.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    let answer = '';
    socket.on('data', (d) => answer += d);
    const answered = new Promise((resolve) => socket.on('end', resolve));
    const header = Buffer.alloc(8);
    header.writeBigUInt64LE(BigInt(total));
    socket.write(header);
    for (let off = 0; off < total; off += chunk) {
      const bytes = [];
      for (let i = off; i < Math.min(off + chunk, total); i++) {
        if (i < skipFrom || i >= skipFrom + skipLen) bytes.push(patternByte(i));
      }
      socket.write(Buffer.from(bytes));
    }
    const v = await got;
    await answered;
    socket.destroy();
    return { v, answer };
  } finally {
    peer.close();
  }
}

test('an intact upload: every byte counted, none wrong', async () => {
  const { v, answer } = await upload({ total: 1 << 20 });
  assert.equal(v.how, 'complete');
  assert.equal(v.received, 1 << 20);
  assert.equal(v.firstBad, -1);
  assert.equal(answer, `received ${1 << 20} first_bad -1\n`);
});

test('a dropped run of bytes: short, and wrong from where it went missing', async () => {
  const { v, answer } = await upload({ total: 1 << 20, skipFrom: 300000, skipLen: 16384 });
  assert.equal(v.how, 'quiet'); // the missing bytes never come
  assert.equal(v.received, (1 << 20) - 16384);
  assert.ok(v.firstBad >= 300000 && v.firstBad < 300000 + 8, `first bad byte at ${v.firstBad}`);
  assert.match(answer, /^received 1032192 first_bad 3000\d\d\n$/);
});

test('a limited rate: the peer reads no faster than asked', async () => {
  const start = Date.now();
  const { v } = await upload({ total: 2 << 20, rate: 4 << 20 });
  assert.equal(v.firstBad, -1);
  assert.ok(Date.now() - start >= 400, `2 MiB at 4 MiB/s took ${Date.now() - start} ms`);
});
