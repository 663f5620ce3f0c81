// The dev server: cross-origin isolation headers, MIME types, and no escape
// from its directory.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from 'node:http';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { serveDirectory } from '../lib/serve.mjs';

const SERVE = fileURLToPath(new URL('../serve.mjs', import.meta.url));

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

test('serve.mjs serves an IWA directory for dev-mode installs until stopped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iwa-serve-cli-'));
  mkdirSync(join(dir, '.well-known'));
  writeFileSync(join(dir, '.well-known', 'manifest.webmanifest'), '{}');
  writeFileSync(join(dir, 'index.html'), '<!doctype html>');
  const child = spawn(process.execPath, [SERVE, '--quiet', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise((resolve, reject) => {
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (text) => {
        out += text;
        const m = / at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (code) => reject(new Error(`serve.mjs exited (${code}): ${out}`)));
      setTimeout(() => reject(new Error(`no URL from serve.mjs: ${out}`)), 10000);
    });
    const r = await fetch(url + '/', { signal: AbortSignal.timeout(5000) });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  }
});

test('serve.mjs refuses a directory that is not an IWA', () => {
  const dir = mkdtempSync(join(tmpdir(), 'iwa-serve-cli-'));
  const r = spawnSync(process.execPath, [SERVE, dir], { encoding: 'utf8', timeout: 10000 });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /no \.well-known\/manifest\.webmanifest/);
});
