// Launches Debian's headless Chromium with Isolated Web Apps and their dev
// mode enabled, in a fresh profile, and connects to it over CDP.

import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CDP } from './cdp.mjs';

export const CHROMIUM = process.env.SOCKET_IWA_CHROMIUM || '/usr/bin/chromium';

// Processes whose command line contains `text` (here: our unique profile path).
function pidsMentioning(text) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'latin1').includes(text)) pids.push(Number(entry));
    } catch {} // gone meanwhile
  }
  return pids.filter((pid) => pid !== process.pid);
}

// Browsers still running when this process ends, killed on the way out (a
// harness timeout or ^C must not leave Chromium behind).
const live = new Map(); // pid -> profile
function killLive() {
  for (const [pid, profile] of live) {
    try { process.kill(-pid, 'SIGKILL'); } catch {}
    for (const other of pidsMentioning(profile)) {
      try { process.kill(other, 'SIGKILL'); } catch {}
    }
    rmSync(profile, { recursive: true, force: true });
  }
}
let hooked = false;
function hookExit() {
  if (hooked) return;
  hooked = true;
  process.on('exit', killLive);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
    process.on(signal, () => process.exit(code));
  }
}

// extraFlags: e.g. ['--install-isolated-web-app-from-url=http://127.0.0.1:PORT'].
// features: more Chromium features to enable (one --enable-features list).
// onLog(line) sees Chromium's stderr (its own logging), line by line.
export async function launchChromium({ extraFlags = [], features = [], onLog = () => {}, timeoutMs = 30000 } = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'socket-iwa-chromium-'));
  const args = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-default-apps', '--no-default-browser-check', '--password-store=basic',
    '--remote-debugging-port=0', `--user-data-dir=${profile}`,
    `--enable-features=${['IsolatedWebApps', 'IsolatedWebAppDevMode', ...features].join(',')}`,
    // The app window is never focused or visible: keep its timers and
    // requestAnimationFrame (emscripten_set_main_loop) running at full rate.
    '--disable-background-timer-throttling', '--disable-renderer-backgrounding',
    '--disable-backgrounding-occluded-windows', '--disable-features=CalculateNativeWinOcclusion',
    ...extraFlags,
    'about:blank',
  ];
  // Its own process group, so that closing ends the renderers and helpers too.
  // XDG_CONFIG_HOME in the profile: crash handlers then name it too (see close).
  const env = { ...process.env, XDG_CONFIG_HOME: join(profile, 'config') };
  const child = spawn(CHROMIUM, args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true, env });
  hookExit();
  live.set(child.pid, profile);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const lines = [];
  let wsUrl;
  const ready = new Promise((resolve, reject) => {
    let buffered = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text) => {
      buffered += text;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        lines.push(line);
        if (lines.length > 500) lines.shift();
        onLog(line);
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(line);
        if (m && !wsUrl) { wsUrl = m[1]; resolve(); }
      }
    });
    exited.then(({ code, signal }) => reject(new Error(`Chromium exited (${signal || code}) before DevTools was up:\n${lines.slice(-20).join('\n')}`)));
    setTimeout(() => reject(new Error(`Chromium did not start DevTools within ${timeoutMs} ms:\n${lines.slice(-20).join('\n')}`)), timeoutMs);
  });

  let closing;
  const close = () => closing ??= (async () => {
    if (cdp && !cdp.closed) await cdp.send('Browser.close', {}, { timeoutMs: 3000 }).catch(() => {});
    const done = await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    if (!done) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
      await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
    }
    // Helpers left in the group (zygote) go too, and crashpad handlers, which
    // leave the group: they are known by our profile directory in their argv.
    try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    for (const pid of pidsMentioning(profile)) {
      try { process.kill(pid, 'SIGKILL'); } catch {}
    }
    cdp?.close();
    live.delete(child.pid);
    rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
  })();

  let cdp;
  try {
    await ready;
    cdp = await CDP.connect(wsUrl);
  } catch (e) {
    await close();
    throw e;
  }
  return { cdp, close, exited, profile, logs: () => lines.join('\n') };
}
