// The dev-mode server for an IWA directory: Chromium's IWA dev mode installs
// an app from such a server ("dev proxy") and loads every resource through it.
// The headers make the app cross-origin isolated, as a signed bundle is.

import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.css': 'text/css; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.data': 'application/octet-stream',
};

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function mimeType(path) {
  return TYPES[extname(path).toLowerCase()] || 'application/octet-stream';
}

// Serves `root` on 127.0.0.1 at an ephemeral port, and each directory in
// `mounts` (path prefix such as '/runs/3/' -> directory) under its prefix;
// the caller may add and remove mounts while serving (one app, many runs).
// Resolves to {url, port, close}.
export function serveDirectory(root, { onRequest = () => {}, mounts = new Map() } = {}) {
  const server = createServer(async (req, res) => {
    const headers = { ...ISOLATION_HEADERS, 'Cache-Control': 'no-store' };
    let path = decodeURIComponent(new URL(req.url, 'http://127.0.0.1').pathname);
    if (path.endsWith('/')) path += 'index.html';
    onRequest(req.method, path);
    let dir = root;
    for (const [prefix, mounted] of mounts) {
      if (path.startsWith(prefix)) {
        dir = mounted;
        path = path.slice(prefix.length - 1);
        break;
      }
    }
    const file = normalize(join(dir, path));
    if (file !== dir && !file.startsWith(dir.endsWith(sep) ? dir : dir + sep)) {
      res.writeHead(403, headers).end();
      return;
    }
    try {
      if (!(await stat(file)).isFile()) throw new Error('not a file');
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': mimeType(file), 'Content-Length': body.length });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        port,
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise((r) => { server.closeAllConnections(); server.close(() => r()); }),
      });
    });
  });
}
