// Runs the conformance suite against this package with loopback peers and
// prints the results as JSON. Exit status 1 if any check is not ok.
//
//   node tools/direct-sockets-node/conformance/run-node.js [check-name ...]

import { runConformance } from './suite.js';
import { startPeers } from './peers-node.js';
import * as api from '../index.js';

const only = process.argv.slice(2);
const { peers, close } = await startPeers();
try {
  // This package implements the spec: no known failures.
  const results = await runConformance(api, peers, { expectations: {}, only: only.length ? only : null });
  console.log(JSON.stringify(results, null, 2));
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
} finally {
  close();
}
