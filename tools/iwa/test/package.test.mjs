// Packaging: the manifest's permissions, what goes into the IWA directory,
// and the signed web bundle.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { permissionsPolicy } from '../lib/manifest.mjs';
import { layoutIwa } from '../lib/layout.mjs';
import { generateKeyPem, signDirectory } from '../lib/bundle.mjs';

function fakeEmccOutput() {
  const dir = mkdtempSync(join(tmpdir(), 'iwa-test-'));
  for (const f of ['app.js', 'app.wasm', 'app.c', 'app.key.pem', 'other.js']) writeFileSync(join(dir, f), `// ${f}\n`);
  return dir;
}

test('the permissions policy is the least the program asked for', () => {
  assert.deepEqual(Object.keys(permissionsPolicy()), ['direct-sockets', 'cross-origin-isolated']);
  assert.deepEqual(Object.keys(permissionsPolicy({ localNetwork: true })),
    ['direct-sockets', 'cross-origin-isolated', 'local-network-access', 'local-network', 'loopback-network']);
  assert.deepEqual(Object.keys(permissionsPolicy({ multicast: true })),
    ['direct-sockets', 'cross-origin-isolated', 'direct-sockets-multicast']);
  for (const allow of Object.values(permissionsPolicy({ localNetwork: true, multicast: true }))) assert.deepEqual(allow, ['self']);
});

test('the IWA directory holds the program, the shell and the manifest, and nothing else', () => {
  const src = fakeEmccOutput();
  const out = join(src, 'app.iwa');
  layoutIwa(join(src, 'app.js'), out, { args: ['a', 'b'] });
  assert.deepEqual(readdirSync(out).sort(),
    ['.well-known', 'app.js', 'app.wasm', 'icon.png', 'index.html', 'shell.js', 'socket-iwa.json']);
  const manifest = JSON.parse(readFileSync(join(out, '.well-known', 'manifest.webmanifest'), 'utf8'));
  assert.equal(manifest.name, 'app');
  assert.ok(manifest.version);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'socket-iwa.json'), 'utf8')), { program: 'app.js', args: ['a', 'b'] });
});

test('a missing program is an error that names it', () => {
  assert.throws(() => layoutIwa('/nonexistent/app.js', mkdtempSync(join(tmpdir(), 'iwa-test-'))), /nonexistent\/app\.js/);
});

test('the signed web bundle carries the web bundle id of its key', async (t) => {
  let wbnSign;
  try { wbnSign = await import('wbn-sign'); } catch { return t.skip('no wbn-sign: run tools/iwa/setup.sh'); }
  const src = fakeEmccOutput();
  const out = join(src, 'app.iwa');
  layoutIwa(join(src, 'app.js'), out);
  const key = generateKeyPem();
  const first = await signDirectory(out, key);
  assert.equal(wbnSign.getBundleId(Buffer.from(first.swbn)), first.webBundleId);
  assert.equal(first.origin, `isolated-app://${first.webBundleId}/`);
  // The same key, the same origin.
  assert.equal((await signDirectory(out, key)).webBundleId, first.webBundleId);
  assert.notEqual((await signDirectory(out, generateKeyPem())).webBundleId, first.webBundleId);
});
