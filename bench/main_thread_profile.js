// A diagnostic, not part of the benchmark: link it into a benchmark build
// with --post-js to see what the main thread spends on the socket core.
//   emcc ... -sDIRECT_SOCKETS [-pthread -sPROXY_TO_PTHREAD] \
//     --post-js bench/main_thread_profile.js bench/socket_bench.c -o probe.js
// At exit (Node.js) it prints to stderr the calls proxied from workers to
// the main thread, by function, and the main thread's time inside the core's
// event exports (these take the core's lock, so time there that JSPI mode
// does not spend is time waiting for a worker that holds it).
if (typeof ENVIRONMENT_IS_PTHREAD == 'undefined' || !ENVIRONMENT_IS_PTHREAD) {
  var profileProxied = {};
  var profileEvents = {};
  if (typeof proxiedFunctionTable != 'undefined') {
    proxiedFunctionTable = proxiedFunctionTable.map((f) => (...args) => {
      profileProxied[f.name] = (profileProxied[f.name] || 0) + 1;
      return f(...args);
    });
  }
  var profileTimed = (name, f) => (...args) => {
    var start = performance.now();
    try {
      return f(...args);
    } finally {
      var s = (profileEvents[name] ??= {calls: 0, ms: 0, max_ms: 0});
      var ms = performance.now() - start;
      s.calls++;
      s.ms += ms;
      s.max_ms = Math.max(s.max_ms, ms);
    }
  };
  // The exports are assigned once the module is instantiated, before preRun.
  Module['preRun'] = [() => {
    __dsock_on_sent = profileTimed('on_sent', __dsock_on_sent);
    __dsock_on_rx_commit = profileTimed('on_rx_commit', __dsock_on_rx_commit);
    __dsock_on_datagram_commit = profileTimed('on_datagram_commit', __dsock_on_datagram_commit);
    __dsock_on_accept = profileTimed('on_accept', __dsock_on_accept);
  }];
  process.on('exit', () => {
    var round = (k, v) => (typeof v == 'number' ? Math.round(v * 100) / 100 : v);
    process.stderr.write(`proxied to the main thread: ${JSON.stringify(profileProxied)}\n` +
                         `main thread in core events: ${JSON.stringify(profileEvents, round)}\n`);
  });
}
