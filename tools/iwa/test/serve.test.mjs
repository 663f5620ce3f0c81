// The dev server: cross-origin isolation headers, MIME types, and no escape
// from its directory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:http';
import { serveDirectory } from '../lib/serve.mjs';

// A raw request path: fetch() would resolve the dots away.
function rawStatus(url, path) {
  return new Promise((resolve, reject) => {
    const req = get(url + path, { timeout: 5000 }, (res) => { res.resume(); resolve(res.statusCode); });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
  });
}

test('serves with COOP, COEP, CORP and the right types on 127.0.0.1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iwa-serve-'));
  mkdirSync(join(dir, '.well-known'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  writeFileSync(join(dir, 'app.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
  writeFileSync(join(dir, '.well-known', 'manifest.webmanifest'), '{}');
  const server = await serveDirectory(dir);
  try {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const expect = { '/': 'text/html; charset=utf-8', '/app.wasm': 'application/wasm', '/.well-known/manifest.webmanifest': 'application/manifest+json' };
    for (const [path, type] of Object.entries(expect)) {
      const r = await fetch(server.url + path, { signal: AbortSignal.timeout(5000) });
      assert.equal(r.status, 200, path);
      assert.equal(r.headers.get('content-type'), type, path);
      assert.equal(r.headers.get('cross-origin-opener-policy'), 'same-origin');
      assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
      assert.equal(r.headers.get('cross-origin-resource-policy'), 'same-origin');
    }
    assert.equal((await fetch(server.url + '/missing.js', { signal: AbortSignal.timeout(5000) })).status, 404);
    assert.equal(await rawStatus(server.url, '/../../etc/passwd'), 404); // resolved inside the root
    assert.equal(await rawStatus(server.url, '/a%2F..%2F..%2F..%2Fetc%2Fpasswd'), 403);
  } finally {
    await server.close();
  }
});

test('a mounted directory is served under its prefix, while mounted, and not beyond it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'iwa-serve-'));
  const run = mkdtempSync(join(tmpdir(), 'iwa-serve-run-'));
  writeFileSync(join(root, 'icon.png'), 'root');
  writeFileSync(join(run, 'app.js'), 'run');
  const mounts = new Map();
  const server = await serveDirectory(root, { mounts });
  const text = async (path) => {
    const r = await fetch(server.url + path, { signal: AbortSignal.timeout(5000) });
    return `${r.status} ${await r.text()}`;
  };
  try {
    assert.equal(await text('/runs/1/app.js'), '404 not found\n');
    mounts.set('/runs/1/', run);
    assert.equal(await text('/runs/1/app.js'), '200 run');
    assert.equal(await text('/icon.png'), '200 root');
    assert.equal(await rawStatus(server.url, '/runs/1/a%2F..%2F..%2Ficon.png'), 403);
    mounts.delete('/runs/1/');
    assert.equal(await text('/runs/1/app.js'), '404 not found\n');
  } finally {
    await server.close();
  }
});
