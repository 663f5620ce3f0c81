// Runs the Emscripten program of this Isolated Web App with an argv, shows
// its stdout/stderr on the page and reports them, and its end, to a driver
// (tools/iwa-run) through the CDP binding __socketIwaReport when present.
//
//   ./                     runs with the argv in socket-iwa.json
//   ./?arg=a&arg=b         runs with argv a b
//   ./?driver              waits for the driver to call socketIwaStart(args)
//
// Paths are relative: the driver serves each run's files under a prefix.
//
// IWAs enforce Trusted Types: the one policy here lets the runtime load
// scripts of this origin only (the program, and its workers in thread builds).

'use strict';

trustedTypes.createPolicy('default', {
  createScriptURL(url) {
    const resolved = new URL(url, location.href);
    if (resolved.origin !== location.origin && resolved.protocol !== 'blob:') throw new TypeError(`refusing script ${url}`);
    return url;
  },
});

const output = document.getElementById('output');
let finished = false;

function show(kind, text) {
  const line = document.createElement('span');
  line.className = kind;
  line.textContent = text + '\n';
  output.append(line);
}

function report(message) {
  if (typeof globalThis.__socketIwaReport === 'function') globalThis.__socketIwaReport(JSON.stringify(message));
}

function emit(stream, text) {
  show(stream, text);
  report({ type: 'output', stream, text });
}

// The program's end: {status} for an exit, {error} for an abort or crash.
function finish(end) {
  if (finished) return;
  finished = true;
  show('status', end.error ? `[crashed: ${end.error}]` : `[exit status ${end.status}]`);
  report({ type: 'end', ...end });
}

addEventListener('error', (e) => finish({ error: `uncaught ${e.error?.stack || e.message}` }));
addEventListener('unhandledrejection', (e) => {
  // The runtime rejects with ExitStatus on exit(); that is not a crash.
  if (e.reason?.name === 'ExitStatus') return;
  finish({ error: `unhandled rejection ${e.reason?.stack || e.reason}` });
});

async function config() {
  const response = await fetch('socket-iwa.json');
  return response.json();
}

// Without EXIT_RUNTIME the runtime never "exits", so Module.onExit is not
// called. The program script's globals (a non-modularized build) tell more:
//  - exit() from anywhere goes through quit_: the end, with its status;
//  - main's return goes through exitJS(status, implicit) from callMain: the
//    end unless a main loop still runs (event-loop programs) or something
//    holds the runtime alive (PROXY_TO_PTHREAD), in which case the end is
//    when that stops, with main's status.
function watchExits() {
  const g = globalThis;
  let implicit = false;
  if (typeof g.exitJS === 'function') {
    const exitJS = g.exitJS;
    g.exitJS = (status, isImplicit) => {
      implicit = !!isImplicit;
      try { return exitJS(status, isImplicit); } finally { implicit = false; }
    };
  }
  if (typeof g.quit_ === 'function') {
    const quit = g.quit_;
    g.quit_ = (status, toThrow) => {
      if (!implicit) finish({ status });
      return quit(status, toThrow);
    };
  }
  if (typeof g.callMain === 'function') {
    const callMain = g.callMain;
    g.callMain = (...args) => {
      const whenLoopEnds = () => {
        if (finished) return;
        // A main loop, or work that holds the runtime.
        if (g.MainLoop?.func || g.runtimeKeepaliveCounter > 0) setTimeout(whenLoopEnds, 20);
        else finish({ status: g.EXITSTATUS ?? 0 });
      };
      const ret = callMain(...args);
      if (typeof g.__emscripten_proxy_main === 'function') watchProxiedMain();
      else Promise.resolve(ret).then(whenLoopEnds, () => {});
      return ret;
    };
  }
}

// PROXY_TO_PTHREAD: callMain started main() on a pthread and holds the
// runtime until exit() (which quit_ above sees). A main() that returns while
// something keeps its thread alive (a main loop it later cancels) ends that
// thread without exit(): the runtime returns its worker to the pool, which is
// also what lets Node.js end the process, with status 0. That is the end.
function watchProxiedMain() {
  const pthreads = globalThis.PThread;
  // The only thread so far: callMain just created it.
  const [worker] = Object.values(pthreads?.pthreads ?? {});
  if (!worker) return;
  const mainThread = worker.pthread_ptr;
  const returnWorkerToPool = pthreads.returnWorkerToPool;
  pthreads.returnWorkerToPool = (w) => {
    const ended = w === worker && w.pthread_ptr === mainThread;
    returnWorkerToPool(w);
    if (ended) {
      pthreads.returnWorkerToPool = returnWorkerToPool;
      // An exit() proxied from another thread may still be queued: let it win.
      setTimeout(() => finish({ status: 0 }), 50);
    }
  };
}

function start(program, args) {
  globalThis.Module = {
    arguments: args,
    thisProgram: program,
    print: (text) => emit('stdout', text),
    printErr: (text) => emit('stderr', text),
    onAbort: (what) => finish({ error: `aborted: ${what}` }),
    // Called only when the runtime really exits (EXIT_RUNTIME builds).
    onExit: (status) => finish({ status }),
    preRun: [watchExits],
  };
  const script = document.createElement('script');
  script.src = program;
  script.onerror = () => finish({ error: `cannot load ${program}` });
  document.body.append(script);
}

globalThis.socketIwaStart = async (args) => {
  const { program } = await config();
  start(program, args);
};

const params = new URLSearchParams(location.search);
if (!params.has('driver')) {
  config().then(({ program, args }) => start(program, params.has('arg') ? params.getAll('arg') : args));
}
