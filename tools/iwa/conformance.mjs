#!/usr/bin/env node
// Runs the Direct Sockets conformance suite (tools/direct-sockets-node/
// conformance/suite.js) in Chromium, inside an IWA, and in Node against
// direct-sockets-node, with the same loopback peers, and prints both result
// lists side by side. Chromium runs with the suite's CHROMIUM_156_KNOWN_BUGS
// plus conformance-expectations.mjs as its expectations, Node with none. Exit status 1 if any check is not as expected
// on either side.
//
//   node tools/iwa/conformance.mjs [--timeout S] [--verbose] [check-name ...]
//
// Ends with one line: "conformance: N passed, N failed" (both sides counted).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeIwa } from './lib/layout.mjs';
import { runIwa } from './lib/driver.mjs';
import { CHROMIUM_156_OBSERVED } from './conformance-expectations.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const CONFORMANCE = join(HERE, '..', 'direct-sockets-node', 'conformance');
const { runConformance } = await import(join(CONFORMANCE, 'suite.js'));
const { startPeers } = await import(join(CONFORMANCE, 'peers-node.js'));
const nodeApi = await import(join(HERE, '..', 'direct-sockets-node', 'index.js'));

const argv = process.argv.slice(2);
let timeout = 300;
let verbose = false;
const only = [];
while (argv.length) {
  const a = argv.shift();
  if (a === '--timeout') timeout = Number(argv.shift());
  else if (a === '--verbose') verbose = true;
  else only.push(a);
}

const { peers, close } = await startPeers();
let nodeResults;
let chromium;
const dir = mkdtempSync(join(tmpdir(), 'socket-iwa-conformance-'));
try {
  nodeResults = await runConformance(nodeApi, peers, { expectations: {}, only: only.length ? only : null });
  writeIwa(dir, {
    name: 'Direct Sockets conformance',
    files: [join(CONFORMANCE, 'suite.js')],
    shell: join(HERE, 'conformance-shell'),
    localNetwork: true,
    multicast: true, // udp.multicast-controller uses the multicast options
  });
  let json = '';
  chromium = await runIwa(dir, {
    args: [JSON.stringify(peers), JSON.stringify(CHROMIUM_156_OBSERVED), only.length ? JSON.stringify(only) : ''],
    localNetwork: true,
    multicast: true,
    timeoutMs: timeout * 1000,
    onOutput: (stream, text) => { json += text; },
    onDiagnostic: (text) => { if (verbose) process.stderr.write(text + '\n'); },
  });
  if (!chromium.error) chromium.results = JSON.parse(json);
} finally {
  close();
  rmSync(dir, { recursive: true, force: true });
}

const byName = new Map(nodeResults.map((r) => [r.name, { node: r }]));
for (const r of chromium.results ?? []) byName.set(r.name, { ...byName.get(r.name), chromium: r });
const cell = (r) => (!r ? 'missing' : r.ok ? 'ok' : 'FAIL');
const width = Math.max(...[...byName.keys()].map((n) => n.length));
console.log(`${'check'.padEnd(width)}  ${'node'.padEnd(7)}  chromium 156`);
let passed = 0;
let failed = 0;
for (const [name, { node, chromium: c }] of byName) {
  console.log(`${name.padEnd(width)}  ${cell(node).padEnd(7)}  ${cell(c)}`);
  for (const r of [node, c]) {
    if (r?.ok) passed++;
    else failed++;
  }
  for (const [side, r] of [['node', node], ['chromium', c]]) {
    if (r && (!r.ok || verbose || r.detail.startsWith('failed as expected') || r.detail.includes('either is expected'))) console.log(`    ${side}: ${r.detail}`);
  }
}
if (chromium.error) {
  console.log(`chromium: the suite did not run: ${chromium.error}`);
  failed++;
}
console.log(`conformance: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
setTimeout(() => process.exit(), 2000).unref();
