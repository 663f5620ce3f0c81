#!/usr/bin/env node
// Keeps one headless Chromium with one installed Isolated Web App
// (tools/iwa/lib/session.mjs) and runs programs in it for clients, so that a
// test suite pays for starting Chromium and installing an app once, not per
// test. tools/iwa/run.mjs --service PATH is the client.
//
//   node tools/iwa/service.mjs --socket PATH [--local-network] [--multicast] [--verbose]
//
// Prints "ready" once the app is installed. It listens on the Unix socket
// PATH; a client sends one line of JSON, {program, args, timeout} (program:
// an emcc output's .js, timeout in seconds), and gets lines of JSON back:
// {type: 'output', stream, text} and {type: 'diagnostic', text} as they come,
// then {type: 'end', status} or {type: 'end', error}. A client that
// disconnects cancels its run. Runs may overlap, each in its own window.
// The service ends when its stdin closes (its parent is gone) or on SIGTERM.

import { createServer } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layoutIwa } from './lib/layout.mjs';
import { IwaSession } from './lib/session.mjs';

function usage(message) {
  process.stderr.write(`iwa-service: ${message}\n`);
  process.stderr.write('usage: service.mjs --socket PATH [--local-network] [--multicast] [--verbose]\n');
  process.exit(2);
}

const argv = process.argv.slice(2);
const options = { localNetwork: false, multicast: false, verbose: false };
let socketPath;
while (argv.length) {
  const a = argv.shift();
  if (a === '--socket') socketPath = argv.shift();
  else if (a === '--local-network') options.localNetwork = true;
  else if (a === '--multicast') options.multicast = true;
  else if (a === '--verbose') options.verbose = true;
  else usage(`unknown argument ${a}`);
}
if (!socketPath) usage('no --socket given');

const log = (text) => process.stderr.write(`${text}\n`);
const session = await IwaSession.open({
  localNetwork: options.localNetwork,
  multicast: options.multicast,
  onDiagnostic: (text) => { if (options.verbose) log(text); },
});

async function serve(connection, request) {
  const send = (message) => { if (!connection.destroyed) connection.write(JSON.stringify(message) + '\n'); };
  const cancel = new AbortController();
  connection.on('close', () => cancel.abort());
  const dir = mkdtempSync(join(tmpdir(), 'socket-iwa-run-'));
  let end;
  try {
    layoutIwa(request.program, dir, { localNetwork: options.localNetwork, multicast: options.multicast });
    end = await session.run(dir, {
      args: request.args ?? [],
      timeoutMs: (request.timeout ?? 60) * 1000,
      signal: cancel.signal,
      onOutput: (stream, text) => send({ type: 'output', stream, text }),
      onDiagnostic: (text) => send({ type: 'diagnostic', text }),
    });
  } catch (e) {
    end = { error: e.message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  send({ type: 'end', ...end });
  connection.end();
}

const server = createServer((connection) => {
  let buffered = '';
  connection.setEncoding('utf8');
  connection.on('error', () => {});
  connection.on('data', function onData(text) {
    buffered += text;
    const nl = buffered.indexOf('\n');
    if (nl < 0) return;
    connection.off('data', onData);
    let request;
    try {
      request = JSON.parse(buffered.slice(0, nl));
    } catch (e) {
      connection.end(JSON.stringify({ type: 'end', error: `bad request: ${e.message}` }) + '\n');
      return;
    }
    serve(connection, request);
  });
});

let stopping;
function stop() {
  stopping ??= (async () => {
    server.close();
    await session.close();
    rmSync(socketPath, { force: true });
    process.exit(0);
  })();
}
rmSync(socketPath, { force: true });
server.listen(socketPath, () => process.stdout.write('ready\n'));
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
