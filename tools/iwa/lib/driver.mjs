// Runs one IWA directory's program in a headless Chromium of its own: a
// session (tools/iwa/lib/session.mjs) for a single run.
//
// Resolves to {status} (the program's exit status) or {error} (abort, crash,
// timeout, or a failure to get it running), never hangs past timeoutMs.

import { IwaSession } from './session.mjs';

export { LOCAL_NETWORK_PERMISSIONS } from './session.mjs';

export async function runIwa(dir, {
  args = [],
  localNetwork = false,
  multicast = false,
  timeoutMs = 60000,
  onOutput = (stream, text) => {},
  onDiagnostic = (text) => {}, // console messages, exceptions, progress: for --verbose and failures
} = {}) {
  const deadline = Date.now() + timeoutMs;
  let session;
  try {
    session = await IwaSession.open({ localNetwork, multicast, onDiagnostic, timeoutMs });
  } catch (e) {
    return { error: Date.now() > deadline ? `timed out after ${timeoutMs / 1000} s (${e.message})` : e.message };
  }
  try {
    // The run's timeout is what is left of ours, and reads as ours.
    const left = Math.max(1, deadline - Date.now());
    const end = await session.run(dir, { args, timeoutMs: left, onOutput, onDiagnostic });
    if (end.error?.startsWith('timed out after ')) end.error = end.error.replace(/^timed out after [\d.]+ s/, `timed out after ${timeoutMs / 1000} s`);
    return end;
  } finally {
    await session.close();
  }
}
