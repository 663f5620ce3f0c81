// Runs raw_js.mjs in this Isolated Web App with the argv the driver
// (bench/iwa_raw_js.mjs) passes to socketIwaStart(args), and reports its
// output lines and its end through the CDP binding __socketIwaReport, as
// tools/iwa's program shell does.

import { main } from './raw_js.mjs';

const output = document.getElementById('output');

function report(message) {
  globalThis.__socketIwaReport?.(JSON.stringify(message));
}

globalThis.socketIwaStart = async (args) => {
  try {
    const line = (stream) => (text) => {
      output.textContent += text + '\n';
      report({ type: 'output', stream, text });
    };
    const status = await main(args, { print: line('stdout'), warn: line('stderr') });
    report({ type: 'end', status });
  } catch (e) {
    report({ type: 'end', error: `raw_js.mjs threw: ${e?.stack || e}` });
  }
};
