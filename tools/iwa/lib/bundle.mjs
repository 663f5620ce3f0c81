// Signs an IWA directory into a Signed Web Bundle (.swbn) that users install
// in Chrome. The app's origin, isolated-app://<web bundle id>/, comes from
// the Ed25519 key, so keep the key to ship updates under the same origin.

import { generateKeyPairSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { mimeType } from './serve.mjs';

async function loadPackages() {
  try {
    return [await import('wbn'), await import('wbn-sign')];
  } catch (e) {
    throw new Error(`signing needs tools/iwa's npm packages (wbn, wbn-sign): run tools/iwa/setup.sh (${e.message})`);
  }
}

export function generateKeyPem() {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'pem' });
}

function* walk(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile()) yield path;
  }
}

// Returns {swbn: Uint8Array, webBundleId, origin}.
export async function signDirectory(dir, keyPem) {
  const [wbn, wbnSign] = await loadPackages();
  const key = wbnSign.parsePemKey(Buffer.from(keyPem));
  const id = new wbnSign.WebBundleId(key);
  const origin = id.serializeWithIsolatedWebAppOrigin(); // ends with '/'
  const builder = new wbn.BundleBuilder('b2');
  for (const file of walk(dir)) {
    const path = relative(dir, file).split(sep).join('/');
    const body = readFileSync(file);
    const headers = { 'Content-Type': mimeType(file) };
    builder.addExchange(origin + path, 200, headers, body);
    if (path === 'index.html') builder.addExchange(origin, 200, headers, body);
  }
  const { signedWebBundle } = await new wbnSign.IntegrityBlockSigner(
    builder.createBundle(), id.serialize(), [new wbnSign.NodeCryptoSigningStrategy(key)]).sign();
  return { swbn: signedWebBundle, webBundleId: id.serialize(), origin };
}
