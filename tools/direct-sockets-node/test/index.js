// Entry point for `node --test tools/direct-sockets-node/test/`.
// Node 20 expands the directory and runs every *.test.js itself (this file
// then does nothing). Node 22+ treats the argument as a path and runs this
// file, which loads the tests.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
if (!process.argv[1].endsWith('.js')) {
  for (const f of readdirSync(here).filter((n) => n.endsWith('.test.js')).sort()) {
    await import(new URL(f, import.meta.url));
  }
}
