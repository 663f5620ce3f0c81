// One headless Chromium with one Isolated Web App installed in dev mode,
// running programs one after another (or side by side): each run's files
// are served under their own prefix of the app (/runs/N/) and run in a fresh
// app window that closes when the run ends. Launching Chromium and installing
// an app take seconds; a run in an open session takes a fraction of one.
//
//   const session = await IwaSession.open({ localNetwork: true });
//   const end = await session.run(dir, { args, timeoutMs, onOutput });
//   await session.close();
//
// run() resolves to {status} (the program's exit status) or {error} (abort,
// crash, timeout, or a failure to get it running) and never hangs past its
// timeout. If Chromium dies, the next run starts a new one.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium } from './chromium.mjs';

// Chromium 156 has source-specific multicast (MulticastController.joinGroup's
// sourceAddress) behind a feature that is off by default: a multicast session
// turns it on, in the browser and in Blink.
const SOURCE_SPECIFIC_MULTICAST = 'SourceSpecificMulticastInDirectSockets';
import { installFromDevProxy, notReady } from './install.mjs';
import { writeAppFiles } from './layout.mjs';
import { serveDirectory } from './serve.mjs';

// CDP names of the permissions behind the manifest's local-network features:
// without them connections to loopback, and binding UDP anywhere, fail with
// "InvalidAccessError: Access to local network is blocked."
export const LOCAL_NETWORK_PERMISSIONS = ['localNetworkAccess', 'localNetwork', 'loopbackNetwork'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class IwaSession {
  #options;
  #root; // the app's own files: manifest and icon
  #mounts = new Map(); // '/runs/N/' -> the run's directory
  #server;
  #browser; // {cdp, close, exited, ...} of the Chromium in use, with the app installed
  #origin;
  #starting; // a promise while (re)starting Chromium
  #runs = 0;
  #active = new Set(); // finish() of every run in progress

  // localNetwork, multicast: the manifest's features (fixed at install).
  // onDiagnostic(text): Chromium's log and the session's progress.
  static async open({ localNetwork = false, multicast = false, name = 'Socket.IWA runner', onDiagnostic = () => {}, timeoutMs = 60000 } = {}) {
    const session = new IwaSession({ localNetwork, multicast, name, onDiagnostic, timeoutMs });
    try {
      await session.#ensureBrowser();
    } catch (e) {
      await session.close();
      throw e;
    }
    return session;
  }

  constructor(options) {
    this.#options = options;
    this.#root = mkdtempSync(join(tmpdir(), 'socket-iwa-session-'));
    // A signal ends the process without close() (chromium.mjs exits on it).
    process.once('exit', this.#removeRoot);
    writeAppFiles(this.#root, options);
  }

  #removeRoot = () => rmSync(this.#root, { recursive: true, force: true });

  get origin() {
    return this.#origin;
  }

  // A Chromium with the app installed and its permissions granted.
  #ensureBrowser() {
    if (this.#browser && !this.#browser.dead) return Promise.resolve(this.#browser);
    return this.#starting ??= this.#startBrowser().finally(() => { this.#starting = undefined; });
  }

  async #startBrowser() {
    const { localNetwork, onDiagnostic, timeoutMs } = this.#options;
    const started = Date.now();
    const progress = (what) => onDiagnostic(`[iwa-session +${Date.now() - started} ms] ${what}`);
    // A Chromium that died leaves its helpers and profile: clear them first.
    if (this.#browser) {
      progress('Chromium had exited; starting another');
      await this.#browser.close();
      this.#browser = undefined;
    }
    this.#server ??= await serveDirectory(this.#root, { mounts: this.#mounts });
    const browser = await launchChromium({
      onLog: (line) => onDiagnostic(`[chromium] ${line}`),
      timeoutMs,
      features: this.#options.multicast ? [SOURCE_SPECIFIC_MULTICAST] : [],
      extraFlags: this.#options.multicast ? [`--enable-blink-features=${SOURCE_SPECIFIC_MULTICAST}`] : [],
    });
    let origin;
    try {
      progress(`Chromium up; installing from ${this.#server.url}`);
      ({ origin } = await installFromDevProxy(browser.cdp, this.#server.url, { timeoutMs }));
      progress(`installed as ${origin}`);
      // One call: grantPermissions denies every permission it does not list.
      if (localNetwork) await browser.cdp.send('Browser.grantPermissions', { origin, permissions: LOCAL_NETWORK_PERMISSIONS });
      await browser.cdp.send('Target.setDiscoverTargets', { discover: true });
    } catch (e) {
      await browser.close();
      throw e;
    }
    browser.exited.then(({ code, signal }) => {
      browser.dead = true;
      for (const finish of this.#active) finish({ error: `Chromium exited (${signal || code})` });
    });
    this.#origin = origin;
    this.#browser = browser;
    return browser;
  }

  // Runs the program laid out in `dir` (tools/iwa/lib/layout.mjs's
  // layoutIwa) with argv `args`; onOutput(stream, text) gets its lines.
  // An AbortSignal ends the run early with {error}.
  async run(dir, {
    args = [],
    timeoutMs = 60000,
    signal,
    onOutput = (stream, text) => {},
    onDiagnostic = (text) => {}, // console messages, exceptions, progress: for --verbose and failures
  } = {}) {
    const started = Date.now();
    const deadline = started + timeoutMs;
    // Every deadline miss reads the same, so the caller can tell a timeout.
    const timedOut = (what) => `timed out after ${timeoutMs / 1000} s (${what})`;
    const progress = (what) => onDiagnostic(`[iwa-run +${Date.now() - started} ms] ${what}`);
    const prefix = `/runs/${++this.#runs}/`;
    let finish;
    const ended = new Promise((resolve) => finish = resolve);
    // A step that must not outlive the run.
    const bounded = (promise) => Promise.race([promise, ended.then((e) => { throw new Error(e.error); })]);
    const timer = setTimeout(() => finish({ error: timedOut('the program did not end') }), timeoutMs);
    const onAbort = () => finish({ error: 'the run was cancelled' });
    signal?.addEventListener('abort', onAbort);
    this.#active.add(finish);
    this.#mounts.set(prefix, dir);
    let cdp, targetId, unsubscribe;
    try {
      const browser = await bounded(this.#ensureBrowser());
      cdp = browser.cdp;
      const base = `${this.#origin}${prefix}`;
      targetId = await bounded(this.#openWindow(cdp, `${base}?driver`, base, deadline, timedOut));
      const { sessionId } = await bounded(cdp.send('Target.attachToTarget', { targetId, flatten: true }));
      progress(`app window open (${targetId}) at ${base}`);
      unsubscribe = cdp.on((method, params, sid) => {
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
      await bounded(cdp.send('Inspector.enable', {}, { sessionId }));
      await bounded(cdp.send('Runtime.enable', {}, { sessionId }));
      await bounded(cdp.send('Runtime.addBinding', { name: '__socketIwaReport' }, { sessionId }));

      // The shell defines socketIwaStart once its script ran.
      const start = `typeof socketIwaStart === 'function' && typeof __socketIwaReport === 'function' && (socketIwaStart(${JSON.stringify(args)}), true)`;
      for (;;) {
        // The window may still be loading its page: no context to evaluate in yet.
        const result = await bounded(cdp.send('Runtime.evaluate', { expression: start, returnByValue: true }, { sessionId }))
          .then(({ result }) => result, (e) => { if (notReady(e)) return {}; throw e; });
        if (result.value === true) break;
        if (Date.now() > deadline) throw new Error(timedOut('the app\'s shell never became ready'));
        await sleep(50);
      }
      progress(`program started with argv ${JSON.stringify(args)}`);
      return await ended;
    } catch (e) {
      // The run's own end (a timeout, a crash) explains more than the step it broke.
      finish({ error: e.message });
      return await ended;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      this.#active.delete(finish);
      unsubscribe?.();
      // Closing the window ends the program: its workers, its sockets.
      if (targetId && cdp && !cdp.closed) await cdp.send('Target.closeTarget', { targetId }, { timeoutMs: 5000 }).catch(() => {});
      this.#mounts.delete(prefix);
    }
  }

  // Opens `url` of the installed app and returns its window's target id.
  // Chromium turns the tab into an app window (another target), so look for
  // the URL.
  async #openWindow(cdp, url, base, deadline, timedOut) {
    const { targetId: tab } = await cdp.send('Target.createTarget', { url });
    while (Date.now() < deadline) {
      const { targetInfos } = await cdp.send('Target.getTargets');
      const app = targetInfos.find((t) => t.url.startsWith(base) && t.type !== 'service_worker');
      if (app) {
        if (app.targetId !== tab) await cdp.send('Target.closeTarget', { targetId: tab }).catch(() => {});
        return app.targetId;
      }
      await sleep(50);
    }
    throw new Error(timedOut(`no window of ${base} appeared`));
  }

  async close() {
    for (const finish of this.#active) finish({ error: 'the session closed' });
    await this.#starting?.catch(() => {});
    await this.#browser?.close();
    await this.#server?.close();
    process.off('exit', this.#removeRoot);
    this.#removeRoot();
  }
}
