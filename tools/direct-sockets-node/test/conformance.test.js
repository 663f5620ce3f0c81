// Runs the conformance suite against this package: every check must pass.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runConformance } from '../conformance/suite.js';
import { startPeers } from '../conformance/peers-node.js';
import * as api from '../index.js';

let peers;
let results;
before(async () => {
  peers = await startPeers();
  results = await runConformance(api, peers.peers);
});
after(() => peers.close());

test('conformance: every check ok', { timeout: 120000 }, () => {
  const bad = results.filter((r) => !r.ok);
  assert.deepEqual(bad, []);
  assert.ok(results.length >= 30, `only ${results.length} checks ran`);
});

test('conformance: a known-bug expectation that passes is reported as not ok', { timeout: 30000 }, async () => {
  const r = await runConformance(api, peers.peers, {
    expectations: { 'tcp.echo-roundtrip': 'pretend bug' },
    only: ['tcp.echo-roundtrip', 'tcp.opened-info'],
  });
  assert.equal(r.length, 2);
  const echo = r.find((x) => x.name === 'tcp.echo-roundtrip');
  assert.equal(echo.ok, false);
  assert.match(echo.detail, /expected to fail/);
});

test('conformance: results are JSON {name, ok, detail}', () => {
  for (const r of JSON.parse(JSON.stringify(results))) {
    assert.deepEqual(Object.keys(r).sort(), ['detail', 'name', 'ok']);
  }
});
