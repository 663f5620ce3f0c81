#!/usr/bin/env node
// Runs bench/raw_js.mjs as an Isolated Web App in headless Chromium, with
// tools/iwa's layout and driver, as tools/iwa-run runs an emcc program: its
// output lines on our stdout, its exit status ours (1 on a failure, 124 on
// timeout). Loopback peers are allowed (local-network permissions).
//
//   node bench/iwa_raw_js.mjs [--timeout S] [--verbose] [--] MODE ARGS...

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeIwa } from '../tools/iwa/lib/layout.mjs';
import { runIwa } from '../tools/iwa/lib/driver.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));

const argv = process.argv.slice(2);
let timeout = 300;
let verbose = false;
while (argv[0]?.startsWith('--')) {
  const a = argv.shift();
  if (a === '--') break;
  if (a === '--timeout') timeout = Number(argv.shift());
  else if (a === '--verbose') verbose = true;
  else {
    process.stderr.write(`iwa_raw_js: unknown option ${a}\n`);
    process.exit(2);
  }
}

const dir = mkdtempSync(join(tmpdir(), 'socket-iwa-raw-js-'));
let outcome;
try {
  writeIwa(dir, {
    name: 'Socket.IWA raw JS benchmark',
    files: [join(HERE, 'raw_js.mjs')],
    shell: join(HERE, 'raw_js_shell'),
    localNetwork: true,
  });
  outcome = await runIwa(dir, {
    args: argv,
    localNetwork: true,
    timeoutMs: timeout * 1000,
    onOutput: (stream, text) => (stream === 'stderr' ? process.stderr : process.stdout).write(text + '\n'),
    onDiagnostic: (text) => { if (verbose) process.stderr.write(text + '\n'); },
  });
} catch (e) {
  outcome = { error: e.message };
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (outcome.error) process.stderr.write(`iwa_raw_js: ${outcome.error}\n`);
process.exitCode = outcome.error ? (outcome.error.startsWith('timed out') ? 124 : 1) : outcome.status;
setTimeout(() => process.exit(), 2000).unref();
