// Runs the Direct Sockets conformance suite against Chromium's own classes.
// The driver (tools/iwa/conformance.mjs) calls socketIwaStart(args);
// the results come back as one line of JSON on "stdout", then the end.

import { runConformance, CHROMIUM_156_KNOWN_BUGS } from './suite.js';

function report(message) {
  globalThis.__socketIwaReport?.(JSON.stringify(message));
}

// args: the peers, the extra expectations (name -> reason), the checks to run or ''.
globalThis.socketIwaStart = async ([peersJson, extraJson, onlyJson]) => {
  try {
    const results = await runConformance(
      { TCPSocket, UDPSocket, TCPServerSocket },
      JSON.parse(peersJson),
      { expectations: { ...CHROMIUM_156_KNOWN_BUGS, ...JSON.parse(extraJson) }, only: onlyJson ? JSON.parse(onlyJson) : null });
    document.getElementById('output').textContent = JSON.stringify(results, null, 2);
    report({ type: 'output', stream: 'stdout', text: JSON.stringify(results) });
    report({ type: 'end', status: 0 });
  } catch (e) {
    report({ type: 'end', error: `the suite threw: ${e?.stack || e}` });
  }
};
