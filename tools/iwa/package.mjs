#!/usr/bin/env node
// Packages an Emscripten program (built with -sDIRECT_SOCKETS) as an Isolated
// Web App: a directory to serve in IWA dev mode and a signed web bundle to
// install in Chrome.
//
//   node tools/iwa/package.mjs [options] app.js [-- args...]
//
//   --out DIR         the IWA directory (default: app.iwa next to app.js)
//   --swbn FILE       the signed bundle (default: app.swbn); --no-bundle for none
//   --key FILE        Ed25519 or ECDSA P-256 private key, PEM (default: generate
//                     an Ed25519 app.key.pem, or reuse it if it exists: it
//                     fixes the app's origin)
//   --name NAME       app name (default: app)
//   --version V       app version (default: 1.0.0)
//   --local-network   ask for the local-network features (loopback, LAN peers)
//   --multicast       ask for direct-sockets-multicast
//   args after --     the argv the app's page runs the program with

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { layoutIwa } from './lib/layout.mjs';
import { generateKeyPem, signDirectory } from './lib/bundle.mjs';

function usage(message) {
  if (message) process.stderr.write(`package: ${message}\n`);
  process.stderr.write('usage: package.mjs [--out DIR] [--swbn FILE | --no-bundle] [--key FILE] [--name N] [--version V] [--local-network] [--multicast] app.js [-- args...]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
const o = { bundle: true, localNetwork: false, multicast: false };
let program;
while (argv.length) {
  const a = argv.shift();
  const value = () => argv.shift() ?? usage(`${a} needs a value`);
  if (a === '--out') o.out = value();
  else if (a === '--swbn') o.swbn = value();
  else if (a === '--no-bundle') o.bundle = false;
  else if (a === '--key') o.key = value();
  else if (a === '--name') o.name = value();
  else if (a === '--version') o.version = value();
  else if (a === '--local-network') o.localNetwork = true;
  else if (a === '--multicast') o.multicast = true;
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else { program = resolve(a); break; }
}
if (!program) usage('no program given');
if (argv[0] === '--') argv.shift();

const stem = join(dirname(program), basename(program, extname(program)));
const out = resolve(o.out ?? `${stem}.iwa`);
const m = layoutIwa(program, out, {
  name: o.name, version: o.version, args: argv, localNetwork: o.localNetwork, multicast: o.multicast,
});
console.log(`IWA directory: ${out} (permissions_policy: ${Object.keys(m.permissions_policy).join(', ')})`);

if (o.bundle) {
  const keyFile = resolve(o.key ?? `${stem}.key.pem`);
  if (!existsSync(keyFile)) {
    if (o.key) usage(`no key file ${keyFile}`);
    writeFileSync(keyFile, generateKeyPem(), { mode: 0o600 });
    console.log(`generated key: ${keyFile} (keep it: it is the app's identity)`);
  }
  const { swbn, origin } = await signDirectory(out, readFileSync(keyFile, 'utf8'));
  const swbnFile = resolve(o.swbn ?? `${stem}.swbn`);
  writeFileSync(swbnFile, swbn);
  console.log(`signed web bundle: ${swbnFile} (${swbn.length} bytes), origin ${origin}`);
}
