// tools/iwa/run.mjs end to end in Chromium: argv, stdout/stderr, exit
// status, abort and timeout. Needs emcc and chromium (the toolchain image).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUN = join(dirname(fileURLToPath(import.meta.url)), '..', 'run.mjs');
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
