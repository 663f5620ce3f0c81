// Lays out an IWA directory: the app's files, a shell page that runs it, the
// manifest and an icon.

import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { manifest } from './manifest.mjs';
import { squarePng } from './icon.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
export const PROGRAM_SHELL = join(HERE, '..', 'shell');

// What emcc writes next to app.js that the page loads. Only these: the
// directory also holds sources, keys and bundles that must not ship.
const PROGRAM_SUFFIXES = ['.js', '.wasm', '.data', '.worker.js', '.ww.js', '.aw.js', '.js.map', '.wasm.map'];

// The files emcc wrote for app.js (or app.html).
export function programFiles(input) {
  const dir = dirname(input);
  const base = basename(input, extname(input));
  const js = join(dir, `${base}.js`);
  if (!existsSync(js)) throw new Error(`no ${js}: give the .js (or .html) emcc wrote`);
  const files = PROGRAM_SUFFIXES.map((s) => join(dir, base + s)).filter((f) => existsSync(f) && statSync(f).isFile());
  return { js, files };
}

// What makes a directory an installable app: the manifest and the icon.
export function writeAppFiles(outDir, { name, version, localNetwork = false, multicast = false }) {
  mkdirSync(join(outDir, '.well-known'), { recursive: true });
  const m = manifest({ name, version, localNetwork, multicast });
  writeFileSync(join(outDir, '.well-known', 'manifest.webmanifest'), JSON.stringify(m, null, 2) + '\n');
  writeFileSync(join(outDir, 'icon.png'), squarePng());
  return m;
}

// Writes an IWA to outDir (replacing it): `files` copied to its root, the
// shell directory's files next to them, `config` as socket-iwa.json. The
// shell refers to its files by relative paths, so the directory also works
// served under a prefix (tools/iwa/lib/session.mjs serves each run so).
export function writeIwa(outDir, { name, version, files, shell, config, localNetwork = false, multicast = false }) {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  for (const f of files) copyFileSync(f, join(outDir, basename(f)));
  for (const f of readdirSync(shell)) copyFileSync(join(shell, f), join(outDir, f));
  if (config) writeFileSync(join(outDir, 'socket-iwa.json'), JSON.stringify(config, null, 2) + '\n');
  return writeAppFiles(outDir, { name, version, localNetwork, multicast });
}

// The IWA of an Emscripten program; `args` is the argv its page runs with.
export function layoutIwa(input, outDir, { name, version, args = [], localNetwork, multicast } = {}) {
  const { js, files } = programFiles(input);
  return writeIwa(outDir, {
    name: name || basename(js, '.js'), version, files, shell: PROGRAM_SHELL,
    config: { program: basename(js), args }, localNetwork, multicast,
  });
}
