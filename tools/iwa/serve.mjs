#!/usr/bin/env node
// Serves an IWA directory (what package.mjs writes: app.iwa/) on 127.0.0.1
// with the cross-origin isolation headers, for Chrome's IWA dev mode to
// install from ("Dev Mode Proxy" in chrome://iwa-dev). The app loads every
// file from this server, so a rebuilt program shows up on the app's next
// reload; keep the server running while the app is in use.
//
//   node tools/iwa/serve.mjs [--port N] app.iwa
//
//   --port N   listen on port N (default: any free port)
//   --quiet    do not log requests

import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { serveDirectory } from './lib/serve.mjs';

function usage(message) {
  if (message) process.stderr.write(`serve: ${message}\n`);
  process.stderr.write('usage: serve.mjs [--port N] [--quiet] DIR\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
let port = 0;
let quiet = false;
let dir;
while (argv.length) {
  const a = argv.shift();
  if (a === '--port') port = Number(argv.shift());
  else if (a === '--quiet') quiet = true;
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else if (dir) usage('one directory only');
  else dir = resolve(a);
}
if (!dir) usage('no directory given');
if (!Number.isInteger(port) || port < 0 || port > 65535) usage('--port takes a port number');
if (!existsSync(join(dir, '.well-known', 'manifest.webmanifest'))) {
  usage(`${dir} has no .well-known/manifest.webmanifest: give the directory package.mjs wrote`);
}

const onRequest = quiet ? () => {} : (method, path) => console.log(`${method} ${path}`);
const server = await serveDirectory(dir, { port, onRequest });
console.log(`serving ${dir} at ${server.url}`);
console.log(`install it in Chrome with IWA dev mode on: chrome://iwa-dev, Install, Dev Mode Proxy, ${server.url}`);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close().then(() => process.exit(0)));
}
