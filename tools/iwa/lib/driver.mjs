// Runs an IWA directory's program in headless Chromium: serves it, installs
// it in dev mode, grants its permissions, opens it, starts the program with
// argv and relays its output until it ends.
//
// Resolves to {status} (the program's exit status) or {error} (abort, crash,
// timeout, or a failure to get it running), never hangs past timeoutMs.

import { launchChromium } from './chromium.mjs';
import { installFromDevProxy } from './install.mjs';
import { serveDirectory } from './serve.mjs';

// CDP names of the permissions behind the manifest's local-network features:
// without them connections to loopback, and binding UDP anywhere, fail with
// "InvalidAccessError: Access to local network is blocked."
export const LOCAL_NETWORK_PERMISSIONS = ['localNetworkAccess', 'localNetwork', 'loopbackNetwork'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Opens `url` of the installed app and attaches to its window. Chromium turns
// the tab into an app window (another target), so look for the origin.
async function openApp(cdp, origin, url, deadline, timedOut) {
  await cdp.send('Target.createTarget', { url });
  while (Date.now() < deadline) {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const app = targetInfos.find((t) => t.url.startsWith(origin) && t.type !== 'service_worker');
    if (app) {
      const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: app.targetId, flatten: true });
      return { targetId: app.targetId, sessionId };
    }
    await sleep(100);
  }
  throw new Error(timedOut(`no window of ${origin} appeared`));
}

// Chromium 156 has source-specific multicast (MulticastController.joinGroup's
// sourceAddress) behind a feature that is off by default: --multicast turns
// it on, in the browser and in Blink.
const SOURCE_SPECIFIC_MULTICAST = 'SourceSpecificMulticastInDirectSockets';

export async function runIwa(dir, {
  args = [],
  localNetwork = false,
  multicast = false,
  timeoutMs = 60000,
  onOutput = (stream, text) => {},
  onDiagnostic = (text) => {}, // console messages, exceptions, progress: for --verbose and failures
} = {}) {
  const started = Date.now();
  const deadline = started + timeoutMs;
  // Every deadline miss reads the same, so the caller can tell a timeout.
  const timedOut = (what) => `timed out after ${timeoutMs / 1000} s (${what})`;
  const progress = (what) => onDiagnostic(`[iwa-run +${Date.now() - started} ms] ${what}`);
  const server = await serveDirectory(dir);
  let browser;
  let finish;
  const ended = new Promise((resolve) => finish = resolve);
  const timer = setTimeout(() => finish({ error: timedOut('the program did not end') }), timeoutMs);
  try {
    browser = await launchChromium({
      onLog: (line) => onDiagnostic(`[chromium] ${line}`),
      features: multicast ? [SOURCE_SPECIFIC_MULTICAST] : [],
      extraFlags: multicast ? [`--enable-blink-features=${SOURCE_SPECIFIC_MULTICAST}`] : [],
    });
    browser.exited.then(({ code, signal }) => finish({ error: `Chromium exited (${signal || code})` }));
    const { cdp } = browser;
    progress(`Chromium up; installing from ${server.url}`);

    const { origin } = await Promise.race([installFromDevProxy(cdp, server.url), ended.then((e) => { throw new Error(e.error); })]);
    progress(`installed as ${origin}`);
    // One call: grantPermissions denies every permission it does not list.
    if (localNetwork) await cdp.send('Browser.grantPermissions', { origin, permissions: LOCAL_NETWORK_PERMISSIONS });

    const { targetId, sessionId } = await openApp(cdp, origin, `${origin}/?driver`, deadline, timedOut);
    progress(`app window open (${targetId})`);
    cdp.on((method, params, sid) => {
      if (sid !== sessionId) {
        if (method === 'Target.targetDestroyed' && params.targetId === targetId) finish({ error: 'the app window closed' });
        return;
      }
      switch (method) {
        case 'Runtime.bindingCalled': {
          if (params.name !== '__socketIwaReport') break;
          const message = JSON.parse(params.payload);
          if (message.type === 'output') onOutput(message.stream, message.text);
          else if (message.type === 'end') finish(message.error ? { error: message.error } : { status: message.status });
          break;
        }
        case 'Runtime.consoleAPICalled':
          onDiagnostic(`[console.${params.type}] ${params.args.map((a) => a.value ?? a.description ?? a.type).join(' ')}`);
          break;
        case 'Runtime.exceptionThrown':
          onDiagnostic(`[exception] ${params.exceptionDetails.exception?.description || params.exceptionDetails.text}`);
          break;
        case 'Inspector.targetCrashed':
          finish({ error: 'the app\'s renderer crashed' });
          break;
      }
    });
    await cdp.send('Target.setDiscoverTargets', { discover: true });
    await cdp.send('Inspector.enable', {}, { sessionId });
    await cdp.send('Runtime.enable', {}, { sessionId });
    await cdp.send('Runtime.addBinding', { name: '__socketIwaReport' }, { sessionId });

    // The shell defines socketIwaStart once its script ran.
    const start = `typeof socketIwaStart === 'function' && typeof __socketIwaReport === 'function' && (socketIwaStart(${JSON.stringify(args)}), true)`;
    for (;;) {
      const { result } = await cdp.send('Runtime.evaluate', { expression: start, returnByValue: true }, { sessionId });
      if (result.value === true) break;
      if (Date.now() > deadline) throw new Error(timedOut('the app\'s shell never became ready'));
      await sleep(50);
    }
    progress(`program started with argv ${JSON.stringify(args)}`);
    return await ended;
  } catch (e) {
    return { error: e.message };
  } finally {
    clearTimeout(timer);
    await browser?.close();
    await server.close();
  }
}
