// tools/iwa/run.mjs end to end in Chromium: argv, stdout/stderr, exit
// status, abort and timeout, on its own and through tools/iwa/service.mjs.
// Needs emcc and chromium (the toolchain image).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const RUN = join(HERE, '..', 'run.mjs');
const SERVICE = join(HERE, '..', 'service.mjs');
const dir = mkdtempSync(join(tmpdir(), 'iwa-run-test-'));

function build(name, source, flags = []) {
  writeFileSync(join(dir, `${name}.c`), source);
  execFileSync('emcc', [join(dir, `${name}.c`), '-o', join(dir, `${name}.js`), ...flags], { stdio: 'inherit', timeout: 120000 });
  return join(dir, `${name}.js`);
}

function run(args) {
  return spawnSync('node', [RUN, ...args], { encoding: 'utf8', timeout: 90000 });
}

test('argv in, stdout and stderr out, exit status back', () => {
  const js = build('args', `#include <stdio.h>
int main(int argc, char** argv) {
  for (int i = 1; i < argc; i++) printf("arg %s\\n", argv[i]);
  fprintf(stderr, "on stderr\\n");
  return 7;
}`);
  const r = run([js, '--', 'one', 'two words']);
  assert.equal(r.stdout, 'arg one\narg two words\n');
  assert.match(r.stderr, /on stderr/);
  assert.equal(r.status, 7, r.stderr);
});

test('exit() from a main loop ends the run with its status', () => {
  const js = build('loop', `#include <emscripten.h>
#include <stdio.h>
#include <stdlib.h>
static int n;
static void tick(void) { if (++n == 5) { printf("ticked %d\\n", n); exit(3); } }
int main(void) { emscripten_set_main_loop(tick, 0, 1); }`);
  const r = run([js]);
  assert.equal(r.stdout, 'ticked 5\n');
  assert.equal(r.status, 3, r.stderr);
});

test('an abort is a failure with the reason', () => {
  const js = build('abort', `#include <assert.h>
int main(void) { assert(1 + 1 == 3); }`);
  const r = run([js]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Assertion failed: 1 \+ 1 == 3/);
  assert.match(r.stderr, /iwa-run: aborted/);
});

test('a program that never ends times out with 124', () => {
  const js = build('forever', `#include <emscripten.h>
static void tick(void) {}
int main(void) { emscripten_set_main_loop(tick, 0, 1); }`);
  const r = run(['--timeout', '3', js]);
  assert.equal(r.status, 124);
  assert.match(r.stderr, /iwa-run: timed out after 3 s/);
});

test('a PROXY_TO_PTHREAD main thread that ends without exit() ends the run with status 0', () => {
  // main() returns while its main loop keeps the thread alive; cancelling the
  // loop ends the thread (Node.js then ends the process with 0).
  const js = build('proxied_loop', `#include <emscripten.h>
#include <stdio.h>
static int n;
static void tick(void) { if (++n == 5) { printf("ticked %d\\n", n); emscripten_cancel_main_loop(); } }
int main(void) { emscripten_set_main_loop(tick, 0, 0); return 9; }`, ['-pthread', '-sPROXY_TO_PTHREAD', '-sEXIT_RUNTIME']);
  const r = run([js]);
  assert.equal(r.stdout, 'ticked 5\n');
  assert.equal(r.status, 0, r.stderr);
});

test('exit() on a PROXY_TO_PTHREAD main thread ends the run with its status', () => {
  const js = build('proxied_exit', `#include <stdio.h>
#include <stdlib.h>
int main(void) { printf("exiting\\n"); exit(4); }`, ['-pthread', '-sPROXY_TO_PTHREAD']);
  const r = run([js]);
  assert.equal(r.stdout, 'exiting\n');
  assert.equal(r.status, 4, r.stderr);
});

// The processes whose parent is `pid`.
function childrenOf(pid) {
  return readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((p) => {
    try {
      // pid (comm) state ppid ...: comm may hold spaces, so split after it.
      return Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1]) === pid;
    } catch { return false; } // gone meanwhile
  });
}

// The client's outcome: {status, stdout, stderr}.
async function runInService(socket, args, { killAfterMs } = {}) {
  const child = spawn('node', [RUN, '--service', socket, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => stdout += d);
  child.stderr.on('data', (d) => stderr += d);
  const timer = setTimeout(() => child.kill(), killAfterMs ?? 90000);
  const [status] = await once(child, 'close');
  clearTimeout(timer);
  return { status, stdout, stderr };
}

test('one service runs many programs in one Chromium, side by side, and outlives a client that leaves and a Chromium that dies', async () => {
  const args = build('service_args', `#include <stdio.h>
int main(int argc, char** argv) { printf("%s\\n", argv[1]); return argc; }`);
  const forever = build('service_forever', `#include <emscripten.h>
static void tick(void) {}
int main(void) { emscripten_set_main_loop(tick, 0, 1); }`);
  const socket = join(dir, 'service.socket');
  const service = spawn('node', [SERVICE, '--socket', socket, '--local-network'], { stdio: ['pipe', 'pipe', 'inherit'] });
  try {
    const [ready] = await Promise.race([once(service.stdout, 'data'), once(service, 'exit')]);
    assert.equal(String(ready), 'ready\n');
    const first = await runInService(socket, [args, '--', 'first']);
    assert.deepEqual([first.status, first.stdout], [2, 'first\n'], first.stderr);
    const both = await Promise.all(['a', 'b'].map((a) => runInService(socket, [args, '--', a, a])));
    assert.deepEqual(both.map((r) => [r.status, r.stdout]), [[3, 'a\n'], [3, 'b\n']], both.map((r) => r.stderr).join(''));
    const left = await runInService(socket, [forever], { killAfterMs: 3000 });
    assert.notEqual(left.status, 0);
    const timedOut = await runInService(socket, ['--timeout', '2', forever]);
    assert.equal(timedOut.status, 124, timedOut.stderr);
    const after = await runInService(socket, [args, '--', 'after']);
    assert.deepEqual([after.status, after.stdout], [2, 'after\n'], after.stderr);
    // Chromium dies: the next run starts another.
    const chromium = childrenOf(service.pid);
    assert.equal(chromium.length, 1, 'one Chromium, the service\'s child');
    process.kill(chromium[0], 'SIGKILL');
    await new Promise((r) => setTimeout(r, 2000));
    const revived = await runInService(socket, [args, '--', 'revived']);
    assert.deepEqual([revived.status, revived.stdout], [2, 'revived\n'], revived.stderr);
  } finally {
    service.stdin.end();
    const timer = setTimeout(() => service.kill('SIGKILL'), 30000);
    const [code] = await once(service, 'exit');
    clearTimeout(timer);
    assert.equal(code, 0, 'the service ends when its stdin closes');
  }
});
