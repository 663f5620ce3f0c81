#!/usr/bin/env node
// Runs an Emscripten program (built with -sDIRECT_SOCKETS) as an Isolated Web
// App in headless Chromium, with its stdout/stderr on ours and its exit status
// as ours:
//
//   node tools/iwa/run.mjs [options] app.js [--] [args...]
//
//   --local-network   let it reach loopback and private addresses (tests need
//                     this for 127.0.0.1 peers)
//   --multicast       grant the direct-sockets-multicast feature, and turn on
//                     Chromium's source-specific multicast (off by default)
//   --timeout S       give up after S seconds (default 60)
//   --verbose         also print Chromium's log, console messages, progress
//   --service PATH    run it in the Chromium of a running tools/iwa/service.mjs
//                     (listening on the Unix socket PATH) instead of starting
//                     one; the service's app decides the permissions
//
// Exit status: the program's; 1 when it aborted or crashed, or the app could
// not be run; 124 on timeout. The reason is printed as "iwa-run: ...".

import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { layoutIwa } from './lib/layout.mjs';
import { runIwa } from './lib/driver.mjs';

function usage(message) {
  if (message) process.stderr.write(`iwa-run: ${message}\n`);
  process.stderr.write('usage: iwa-run [--local-network] [--multicast] [--timeout S] [--verbose] [--service PATH] app.js [--] [args...]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
const options = { localNetwork: false, multicast: false, timeout: 60, verbose: false };
let program;
while (argv.length) {
  const a = argv.shift();
  if (a === '--local-network') options.localNetwork = true;
  else if (a === '--multicast') options.multicast = true;
  else if (a === '--verbose') options.verbose = true;
  else if (a === '--service') options.service = argv.shift();
  else if (a === '--timeout') options.timeout = Number(argv.shift());
  else if (a.startsWith('--timeout=')) options.timeout = Number(a.slice(10));
  else if (a === '-h' || a === '--help') usage();
  else if (a.startsWith('-')) usage(`unknown option ${a}`);
  else { program = a; break; }
}
if (!program) usage('no program given');
if (!(options.timeout > 0)) usage('--timeout takes a positive number of seconds');
if (argv[0] === '--') argv.shift();
const args = argv;

const diagnostics = [];
const onOutput = (stream, text) => (stream === 'stderr' ? process.stderr : process.stdout).write(text + '\n');
const onDiagnostic = (text) => {
  if (options.verbose) process.stderr.write(text + '\n');
  else if (!text.startsWith('[chromium]')) diagnostics.push(text);
};

// Runs it in a Chromium of its own.
async function runAlone() {
  const dir = mkdtempSync(join(tmpdir(), 'socket-iwa-app-'));
  try {
    layoutIwa(resolve(program), dir, { localNetwork: options.localNetwork, multicast: options.multicast });
    return await runIwa(dir, {
      args, localNetwork: options.localNetwork, multicast: options.multicast,
      timeoutMs: options.timeout * 1000, onOutput, onDiagnostic,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Has tools/iwa/service.mjs run it (see there for the protocol).
function runInService(path) {
  return new Promise((done) => {
    const connection = connect(path);
    let buffered = '';
    let end;
    connection.setEncoding('utf8');
    connection.on('connect', () => {
      connection.write(JSON.stringify({ program: resolve(program), args, timeout: options.timeout }) + '\n');
    });
    connection.on('data', (text) => {
      buffered += text;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const message = JSON.parse(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
        if (message.type === 'output') onOutput(message.stream, message.text);
        else if (message.type === 'diagnostic') onDiagnostic(message.text);
        else if (message.type === 'end') end = message.error ? { error: message.error } : { status: message.status };
      }
    });
    connection.on('error', (e) => { end ??= { error: `the service at ${path} failed: ${e.message}` }; });
    connection.on('close', () => done(end ?? { error: `the service at ${path} ended the run without a result` }));
  });
}

let outcome;
try {
  outcome = options.service ? await runInService(options.service) : await runAlone();
} catch (e) {
  outcome = { error: e.message };
}

if (outcome.error) {
  // What the page said helps explain a failure to start or a crash.
  if (!options.verbose) for (const d of diagnostics.slice(-20)) process.stderr.write(d + '\n');
  process.stderr.write(`iwa-run: ${outcome.error}\n`);
  process.exitCode = outcome.error.startsWith('timed out') ? 124 : 1;
} else {
  process.exitCode = outcome.status;
}
// Nothing should be left running; if something is, do not wait for it.
setTimeout(() => process.exit(), 2000).unref();
