/**
 * @license
 * Copyright 2026 The Socket.IWA Authors
 * SPDX-License-Identifier: Apache-2.0
 */

// POSIX sockets over the Direct Sockets API (-sDIRECT_SOCKETS).
// Spec: https://wicg.github.io/direct-sockets/
//
// The socket core (system/lib/directsockets, C++, in the wasm module) owns
// every piece of socket state: the fd mapping, receive buffers in linear
// memory, the state machine, blocking rules, errno values and readiness. It
// replaces the socket syscalls at link time. This bridge only does what
// needs JS:
//  - constructs and closes TCPSocket / TCPServerSocket / UDPSocket objects,
//    kept here under the core's numeric socket id;
//  - runs one read pump per socket that copies arriving bytes straight into
//    the core's receive buffer and stops reading while it is full, so a slow
//    reader holds back the peer through TCP flow control;
//  - starts writes, copying out of the (possibly shared) heap; in the
//    browser, TCP writes go through a guard against Chromium's data loss
//    (see "TCP writes in the browser" below);
//  - reports every outcome through the core's _dsock_on_* exports
//    (called here as __dsock_on_*, Emscripten's naming of C exports), and
//  - under JSPI, suspends a waiting call until the next event.
// Socket fds (and the core's pipes and epoll instances) are ordinary streams
// in the filesystem's fd table (nodes on a mount of their own), so fds never
// collide with files.
//
// The browser gives no detail for most failures ("Network Error."), so the
// errno chosen for one is the likeliest cause for the call that failed.

var LibraryDirectSockets = {
  $DSOCK__deps: ['$FS'],
  $DSOCK__postset: () => {
    addAtInit('DSOCK.root = FS.mount(DSOCK, {}, null);');
#if ENVIRONMENT_MAY_BE_NODE
    addAtInit('DSOCK.guardWrites = !ENVIRONMENT_IS_NODE;');
#endif
  },
  $DSOCK: {
    root: null,
    objects: new Map(), // id -> record {socket, reader, writer, resume, ...}
    waiter: null,       // resolves a suspended _dsock_js_wait
    scratch: 0,         // a size_t the core writes out-parameters to
    nextName: 0,
    warned: false,

    mount(mount) {
      return FS.createNode(null, '/', {{{ cDefs.S_IFDIR | 0o777 }}}, 0);
    },
    // What the filesystem itself may do with a stream of the core's
    // (socket, pipe end, epoll instance); reads, writes and readiness go
    // through the core, never through here.
    stream_ops: {
      getattr(stream) {
        var time = new Date(0);
        return {
          dev: 1, ino: stream.node.id, mode: stream.node.mode,
          nlink: 1, uid: 0, gid: 0, rdev: 0, size: 0,
          atime: time, mtime: time, ctime: time, blksize: 4096, blocks: 0,
        };
      },
      // A socket's node is named in the filesystem's name table: it leaves
      // with the socket's last fd, so closed sockets cost no memory.
      dup(stream) {
        stream.node.fds++;
      },
      close(stream) {
        if (!--stream.node.fds) FS.hashRemoveNode(stream.node);
      },
    },

    // A name from a placeholder address (see placeholder.h) is resolved by
    // the browser, for the records of the family the program asked for.
    dnsQueryType: (family) => family == 6 ? 'ipv6' : 'ipv4',

    // The errno for a Direct Sockets failure, given the likeliest one.
    errnoOf(e, likely) {
      // A name the browser's resolver could not resolve: no route to it.
      if (e?.name === 'NetworkError' && /resolved/.test(e.message)) {
        return {{{ cDefs.EHOSTUNREACH }}};
      }
      switch (e?.name) {
        case 'InvalidAccessError':
        case 'NotAllowedError':
          return {{{ cDefs.EACCES }}};
        case 'TypeError':
        case 'DataError':
        case 'RangeError':
          return {{{ cDefs.EINVAL }}};
      }
      return likely;
    },

    // Reports an event to the core with its address strings on the stack.
    withStrings(strings, f) {
      return withStackSave(() => f(...strings.map((s) => stringToUTF8OnStack(s ?? ''))));
    },

    fail(id, e, likely) {
      // An abort of the program itself is no socket error: let it surface.
      if (e instanceof WebAssembly.RuntimeError) throw e;
      var rec = DSOCK.objects.get(id);
      if (!rec || rec.closed) return;
#if SOCKET_DEBUG
      dbg(`directsockets: socket ${id} failed: ${e}`);
#endif
      __dsock_on_error(id, DSOCK.errnoOf(e, likely));
    },

    // A write can complete after its socket was closed, even after the
    // runtime exited (static destructors close the sockets), when calling
    // into wasm would abort: report it only while the socket is open.
    // Completions are summed and reported once per turn of the event loop:
    // many small writes finishing together cost one call into wasm.
    sent(id, rec, len) {
      if (rec.closed) return;
      if (!rec.sentBytes) queueMicrotask(() => {
        var n = rec.sentBytes;
        rec.sentBytes = 0;
        if (!rec.closed) __dsock_on_sent(id, n);
      });
      rec.sentBytes = (rec.sentBytes || 0) + len;
    },

    // ---- TCP writes in the browser ----------------------------------------
    // Chromium (156 and earlier) loses TCP data: a write that starts while
    // the 64 KiB Mojo data pipe under a TCPSocket's writable is full
    // resolves at once and its bytes are dropped (the pipe's SHOULD_WAIT is
    // counted as written; docs/chromium-tcp-send-loss.md). In the browser
    // the bridge therefore writes each TCP socket's data itself, one write at
    // a time, so that as few writes as possible can start on a full pipe and
    // as many drops as possible are seen:
    //  - what the core hands over while a write runs is queued and goes out
    //    as one write, so under load writes are longer than the pipe (the
    //    core's send window leaves room: _dsock_js_min_stream_window);
    //  - a write longer than the pipe cannot finish synchronously, so one
    //    that did was dropped: it wrote nothing, and is written again;
    //  - a long write ends neither at a multiple of the pipe's size nor
    //    where a recent write ended (modulo that size), since the network
    //    service's whole-region reads make the pipe exactly full at such
    //    offsets: what lies past the last safe offset waits for the next
    //    write; a queue is split for no other reason but its length;
    //  - a short write after one that may have left the pipe exactly full
    //    (it had to wait for the pipe, or it ended at such an offset after
    //    a pipe's worth went in within BURST_MS, as a connection's first 64
    //    KiB do, or the remainder a long write held back) waits for more
    //    data, which makes it long, or else for the pipe to drain.
    // What remains: a short write that starts on a pipe that stayed exactly
    // full through that wait is lost, unseen.
    // Closing waits for the queue and then for the pipe to drain, since
    // Chromium discards what is still in the pipe when the socket closes.
    // The Node.js implementation has no such pipe: its writes go straight on.
    guardWrites: true, // off under Node.js (set at startup)
    PIPE_BYTES: 64 * 1024,
    KERNEL_SEND_BUFFER: 4 * 1024 * 1024, // Linux's largest auto-tuned one (tcp_wmem)
    MAX_WRITE: 128 * 1024,
    // Offsets where recent writes ended, as residues modulo the pipe's size.
    END_HISTORY: 4096,
    // A write that finished synchronously has settled within two microtask
    // turns in Chromium; one that waits for the pipe needs a task.
    SETTLE_TURNS: 8,
    BURST_MS: 20,
    pipeTooBig: false,

    queueWrite(id, rec, chunk) {
      if (!rec.queue) {
        rec.queue = [];
        rec.queued = 0;
        rec.piped = 0; // bytes written into the pipe so far
        rec.endResidues = new Map(); // residue -> how many recent ends
        rec.endOrder = []; // the recent ends' residues, a ring
        rec.ends = 0;
      }
      rec.queue.push(chunk);
      rec.queued += chunk.length;
      if (!rec.writing) DSOCK.writeNext(id, rec);
      else if (rec.drainWait && rec.queued > DSOCK.PIPE_BYTES) DSOCK.endDrainWait(id, rec);
    },

    noteEnd(rec, end) {
      var r = end % DSOCK.PIPE_BYTES;
      var slot = rec.ends++ % DSOCK.END_HISTORY;
      if (rec.ends > DSOCK.END_HISTORY) {
        var old = rec.endOrder[slot];
        var n = rec.endResidues.get(old) - 1;
        if (n) rec.endResidues.set(old, n);
        else rec.endResidues.delete(old);
      }
      rec.endOrder[slot] = r;
      rec.endResidues.set(r, (rec.endResidues.get(r) || 0) + 1);
    },

    // Where the pipe may be exactly full once a write ends there: a
    // multiple of its size, or where a recent write ended (modulo it).
    riskyEnd(rec, end) {
      var r = end % DSOCK.PIPE_BYTES;
      return !r || rec.endResidues.has(r);
    },

    // How much of the queue the next write takes.
    writeLength(rec) {
      var pipe = DSOCK.PIPE_BYTES;
      var risky = (n) => DSOCK.riskyEnd(rec, rec.piped + n);
      var longest = rec.queued;
      if (rec.queued > DSOCK.MAX_WRITE + pipe) {
        // Split: the rest stays longer than the pipe.
        longest = DSOCK.MAX_WRITE;
      } else if (rec.queued <= pipe) {
        return rec.queued;
      }
      // A long write may wait for the pipe and then fill it to the byte: it
      // ends where that cannot happen, holding back what is past that point.
      // (The core hands data over in multiples of the pipe's size, so the
      // queue often ends at a multiple of it.)
      for (var n = longest; n > pipe; n--) {
        if (!risky(n)) return n;
      }
      return longest;
    },

    takeQueued(rec, len) {
      rec.queued -= len;
      if (rec.queue[0].length == len) return rec.queue.shift();
      var out = new Uint8Array(len);
      for (var off = 0; off < len;) {
        var c = rec.queue[0];
        var n = Math.min(c.length, len - off);
        out.set(n == c.length ? c : c.subarray(0, n), off);
        off += n;
        if (n == c.length) rec.queue.shift();
        else rec.queue[0] = c.subarray(n);
      }
      return out;
    },

    // rec.fullAt: when the last write ended, if it may have left the pipe
    // exactly full; a short write waits until a while after that, whether
    // it was queued then or comes later.
    writeNext(id, rec) {
      if (rec.queued && !rec.failed) {
        rec.writing = true;
        if (rec.fullAt !== undefined && rec.queued <= DSOCK.PIPE_BYTES) {
          // See above: a short write here could start on a full pipe, and
          // its loss would go unseen. queueWrite ends the wait once the
          // queue is long; else the pipe has had twice its measured drain
          // time (5 to 50 ms).
          var ms = Math.min(Math.max(2 * (rec.pipeDrainMs || 0), 5), 50) - (performance.now() - rec.fullAt);
          if (ms > 0) {
            rec.drainWait = setTimeout(() => DSOCK.endDrainWait(id, rec), ms);
            return;
          }
        }
        rec.fullAt = undefined;
        DSOCK.writeChunk(id, rec, DSOCK.takeQueued(rec, DSOCK.writeLength(rec)), 0);
        return;
      }
      rec.writing = false;
      var flushed = rec.onFlushed ?? [];
      rec.onFlushed = null;
      flushed.forEach((f) => f());
    },

    endDrainWait(id, rec) {
      clearTimeout(rec.drainWait);
      rec.drainWait = null;
      rec.fullAt = undefined;
      DSOCK.writeNext(id, rec);
    },

    // Whether the pipe may be exactly full after a write from `start` to
    // `end` that did not wait: it ended at a risky offset (the remainder
    // a long write held back ends there), and a pipe's worth went in within
    // the last BURST_MS or so (slower than that, the network service has
    // been emptying it: small writes answered one by one never pause).
    // Call it once per write, in order, before noteEnd (it keeps the
    // burst's start).
    burstFilled(rec, start, end) {
      var now = performance.now();
      if (!rec.burst || now - rec.burst.at > DSOCK.BURST_MS) rec.burst = {at: now, piped: start};
      return end - rec.burst.piped >= DSOCK.PIPE_BYTES && DSOCK.riskyEnd(rec, end);
    },

    writeChunk(id, rec, chunk, attempt) {
      var pipe = DSOCK.PIPE_BYTES;
      var settled = false;
      var start = performance.now();
      var write = rec.writer.write(chunk);
      write.then(() => settled = true, () => {});
      var check = Promise.resolve();
      for (var i = 0; i < DSOCK.SETTLE_TURNS; i++) check = check.then();
      check.then(() => {
        if (settled && chunk.length > pipe && !rec.piped && !attempt) {
          // The socket's first write went into an empty pipe, so it fitted:
          // the pipe is larger than this guard assumes, and retrying a
          // "dropped" write could send it twice. Stop retrying.
          if (!DSOCK.pipeTooBig) err('directsockets: this browser\'s TCP pipe holds more than 64 KiB; ' +
                                     'the retry of writes Chromium drops is off (docs/chromium-tcp-send-loss.md)');
          DSOCK.pipeTooBig = true;
        } else if (settled && chunk.length > pipe && !DSOCK.pipeTooBig) {
          // Dropped: the pipe is full. Nothing was written; try again once
          // the network service had time to empty some of it.
#if SOCKET_DEBUG
          dbg(`directsockets: socket ${id}: Chromium dropped a ${chunk.length}-byte write; writing it again`);
#endif
          setTimeout(() => rec.failed ? DSOCK.writeNext(id, rec) : DSOCK.writeChunk(id, rec, chunk, attempt + 1),
                     Math.min(2 ** attempt, 32) - 1);
          return;
        }
        var waited = !settled;
        write.then(() => {
          if (waited) DSOCK.noteDrain(rec, chunk.length, performance.now() - start);
          var mayBeFull = DSOCK.burstFilled(rec, rec.piped, rec.piped + chunk.length) || waited;
          rec.fullAt = mayBeFull ? performance.now() : undefined;
          DSOCK.noteEnd(rec, rec.piped += chunk.length);
          DSOCK.noteRate(rec);
          DSOCK.sent(id, rec, chunk.length);
          DSOCK.writeNext(id, rec);
        }, (e) => {
          rec.failed = true;
          DSOCK.fail(id, e, {{{ cDefs.EPIPE }}});
          DSOCK.writeNext(id, rec);
        });
      });
    },

    // A write that waited for the pipe: when, and how fast the pipe empties
    // (if longer than the pipe, at least its length less the pipe's size
    // went out while it waited). The network service empties the pipe in
    // bursts, as the kernel makes room, so keep the slowest recent figure
    // (halved every 5 s).
    noteDrain(rec, len, ms) {
      var now = performance.now();
      var kept = (rec.pipeDrainMs || 0) * 0.5 ** ((now - (rec.pipeDrainAt ?? now)) / 5000);
      var drained = len - DSOCK.PIPE_BYTES;
      rec.pipeDrainMs = drained > 0 ? Math.max(DSOCK.PIPE_BYTES * ms / drained, kept) : kept;
      rec.pipeDrainAt = now;
    },

    // How fast the socket's bytes went into the pipe over the last second
    // or more of writing (bytes/ms): the pace at which the kernel takes them.
    noteRate(rec) {
      var now = performance.now();
      rec.rateMark ??= {at: now, piped: rec.piped};
      rec.lastPipedAt = now;
      if (now - rec.rateMark.at >= 1000) {
        rec.rate = (rec.piped - rec.rateMark.piped) / (now - rec.rateMark.at);
        rec.rateMark = {at: now, piped: rec.piped};
      }
    },

    // Runs `f` once every queued byte is in the pipe and the pipe has likely
    // emptied: Chromium discards the pipe's contents when the socket closes.
    // A pipe that was full in the last seconds empties only as the kernel
    // makes room in the socket's send buffer, which Linux grows up to 4 MiB
    // and refills in bursts once a third or more of it is free, which at a
    // reader's 2 MB/s takes most of a second: give it the time such a
    // buffer takes at the socket's recent pace, at least 2 s (at most 10 s).
    // (A write's pace says little while the kernel still absorbs data.)
    whenFlushed(rec, f) {
      var linger = () => {
        var ms = 20;
        if (performance.now() - rec.pipeDrainAt < 5000) {
          var span = rec.lastPipedAt - rec.rateMark.at;
          var rate = span >= 200 ? (rec.piped - rec.rateMark.piped) / span : rec.rate;
          var paced = rate ? DSOCK.KERNEL_SEND_BUFFER / rate : 0;
          ms = Math.min(Math.max(2000, 20 + 3 * rec.pipeDrainMs, paced), 10000);
        }
#if SOCKET_DEBUG
        dbg(`directsockets: closing a TCP writable after ${ms.toFixed(0)} ms for its pipe to drain`);
#endif
        setTimeout(f, ms);
      };
      if (rec.writing) (rec.onFlushed ??= []).push(linger);
      else linger();
    },

    // Constructs socket `id`'s Direct Sockets object and runs `onOpen` with
    // its open info. A failure to construct or to open reaches the core (as
    // `likely`, unless the error says more) after this call has returned.
    open(id, rec, construct, onOpen, likely) {
      DSOCK.objects.set(id, rec);
      var opened;
      try {
        rec.socket = construct();
        opened = rec.socket.opened;
      } catch (e) {
        opened = Promise.reject(e);
      }
      var done = opened.then(onOpen);
      done.catch((e) => DSOCK.fail(id, e, likely));
      return done;
    },

    opened(id, rec, info) {
      rec.reader = info.readable?.getReader();
      rec.writer = info.writable?.getWriter();
      rec.localAddress = info.localAddress;
      rec.localPort = info.localPort;
      DSOCK.withStrings([info.localAddress, info.remoteAddress], (local, remote) =>
        __dsock_on_open(id, local, info.localPort ?? 0, remote, info.remotePort ?? 0));
    },

    // Waits until the core asks for more (_dsock_js_resume_read) or closes.
    // A request that came while no pump was waiting is kept, not lost.
    paused(rec) {
      if (rec.resumeRequested) {
        rec.resumeRequested = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => rec.resume = resolve);
    },

    async pumpStream(id, rec) {
      try {
        for (;;) {
          var {value, done} = await rec.reader.read();
          if (done || rec.closed) break;
          for (var off = 0; off < value.length;) {
            var ptr = __dsock_on_rx_reserve(id, DSOCK.scratch);
            var room = {{{ makeGetValue('DSOCK.scratch', 0, SIZE_TYPE) }}};
            if (!room) {
              await DSOCK.paused(rec);
              if (rec.closed) return;
              continue;
            }
            var n = Math.min(room, value.length - off);
            HEAPU8.set(value.subarray(off, off + n), ptr);
            off += n;
            __dsock_on_rx_commit(id, n);
          }
        }
        if (!rec.closed) __dsock_on_eof(id);
      } catch (e) {
        DSOCK.fail(id, e, {{{ cDefs.ECONNRESET }}});
      }
    },

    async pumpDatagrams(id, rec) {
      try {
        for (;;) {
          var {value, done} = await rec.reader.read();
          if (done || rec.closed) break;
          var data = value.data;
          var bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
            : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
          var ptr;
          while (!(ptr = __dsock_on_datagram_reserve(id, bytes.length))) {
            await DSOCK.paused(rec);
            if (rec.closed) return;
          }
          HEAPU8.set(bytes, ptr);
          DSOCK.withStrings([value.remoteAddress], (from) =>
            __dsock_on_datagram_commit(id, bytes.length, from, value.remotePort));
        }
      } catch (e) {
        DSOCK.fail(id, e, {{{ cDefs.ECONNREFUSED }}});
      }
    },

    async pumpAccept(id, rec) {
      try {
        await DSOCK.paused(rec); // until listen()
        for (;;) {
          if (rec.closed) return;
          var {value: conn, done} = await rec.reader.read();
          if (done || rec.closed) return conn?.close();
          var info = await conn.opened;
          // Chromium leaves an accepted socket's local address out
          // (crbug.com/1417998): it is the listener's.
          var localAddress = info.localAddress ?? rec.localAddress;
          var localPort = info.localPort ?? rec.localPort;
          var connId;
          while (!(connId = DSOCK.withStrings([localAddress, info.remoteAddress], (local, remote) =>
                   __dsock_on_accept(id, local, localPort, remote, info.remotePort)))) {
            // The backlog is full: hold this one, take no more until accept().
            await DSOCK.paused(rec);
            if (rec.closed) return conn.close();
          }
          var connRec = {socket: conn, reader: info.readable.getReader(), writer: info.writable.getWriter()};
          DSOCK.objects.set(connId, connRec);
          DSOCK.pumpStream(connId, connRec);
        }
      } catch (e) {
        DSOCK.fail(id, e, {{{ cDefs.ECONNABORTED }}});
      }
    },

    // Prints a message once per kind, for what the program's errno alone
    // would not explain.
    warnedKinds: {},
    warnOnce(kind, message) {
      if (DSOCK.warnedKinds[kind]) return;
      DSOCK.warnedKinds[kind] = true;
      err(message);
    },

    // Whether a MulticastController takes {sourceAddress}: Chromium reads
    // that member only with its source-specific multicast feature, and
    // without it would join the group from every source. Asked with a call
    // that fails before it does anything (an empty group).
    takesSourceAddress(controller) {
      var read = false;
      try {
        controller.joinGroup('', {get sourceAddress() { read = true; return ''; }}).catch(() => {});
      } catch (e) {}
      return read;
    },

    // Takes a record out of the table and lets its pumps end.
    forget(id) {
      var rec = DSOCK.objects.get(id);
      if (!rec) return null;
      DSOCK.objects.delete(id);
      rec.closed = true;
      rec.resume?.();
      return rec;
    },
  },

  _dsock_js_available__deps: ['malloc'],
  _dsock_js_available: () => {
    if (typeof TCPSocket == 'undefined') {
      if (!DSOCK.warned) {
        DSOCK.warned = true;
        err('socket(): the Direct Sockets API (TCPSocket) is not available. ' +
            'Run in a Chrome Isolated Web App with the direct-sockets permission, ' +
            'or under Node.js with Socket.IWA\'s direct-sockets-node (node --import .../register.js).');
      }
      return 0;
    }
    DSOCK.scratch ||= _malloc({{{ POINTER_SIZE }}});
    return 1;
  },

  _dsock_js_can_block: () => {{{ ASYNCIFY ? 1 : 0 }}},

  _dsock_js_fd_open: (mode) => {
    try {
      var kind = FS.isSocket(mode) ? 'socket' : FS.isFIFO(mode) ? 'pipe' : 'eventpoll';
      var name = `${kind}[${DSOCK.nextName++}]`;
      var node = FS.createNode(DSOCK.root, name, mode, 0);
      node.fds = 1;
      return FS.createStream({
        path: name,
        node,
        flags: {{{ cDefs.O_RDWR }}},
        seekable: false,
        stream_ops: DSOCK.stream_ops,
      }).fd;
    } catch (e) {
      if (e.name !== 'ErrnoError') throw e;
      return -e.errno;
    }
  },

  _dsock_js_tcp_connect__deps: ['$UTF8ToString'],
  _dsock_js_tcp_connect: (id, host, port, sendBuffer, receiveBuffer, noDelay, keepAliveMs, dnsFamily) => {
    var options = {noDelay: !!noDelay};
    if (dnsFamily) options.dnsQueryType = DSOCK.dnsQueryType(dnsFamily);
    if (sendBuffer) options.sendBufferSize = sendBuffer;
    if (receiveBuffer) options.receiveBufferSize = receiveBuffer;
    if (keepAliveMs) options.keepAliveDelay = keepAliveMs;
    var rec = {};
    DSOCK.open(id, rec, () => new TCPSocket(UTF8ToString(host), port, options), (info) => {
      if (rec.closed) return rec.socket.close();
      DSOCK.opened(id, rec, info);
      DSOCK.pumpStream(id, rec);
    }, {{{ cDefs.ECONNREFUSED }}});
  },

  _dsock_js_tcp_listen__deps: ['$UTF8ToString'],
  _dsock_js_tcp_listen: (id, host, port, backlog, ipv6Only) => {
    // Chromium rejects localPort 0: leave it out to get an ephemeral port.
    var options = {backlog};
    if (port) options.localPort = port;
    if (ipv6Only) options.ipv6Only = true;
    var rec = {};
    DSOCK.open(id, rec, () => new TCPServerSocket(UTF8ToString(host), options), (info) => {
      if (rec.closed) return rec.socket.close();
      DSOCK.opened(id, rec, info);
      DSOCK.pumpAccept(id, rec);
    }, {{{ cDefs.EADDRINUSE }}});
  },

  _dsock_js_udp_open__deps: ['$UTF8ToString'],
  _dsock_js_udp_open: (id, localHost, localPort, sendBuffer, receiveBuffer, ipv6Only,
                       reuseAddress, multicastTtl, multicastLoop) => {
    var options = {localAddress: UTF8ToString(localHost)};
    if (localPort) options.localPort = localPort;
    if (ipv6Only) options.ipv6Only = true;
    if (reuseAddress) options.multicastAllowAddressSharing = true;
    if (sendBuffer) options.sendBufferSize = sendBuffer;
    if (receiveBuffer) options.receiveBufferSize = receiveBuffer;
    // Only what differs from the API's defaults (TTL 1, loopback on).
    if (multicastTtl != 1) options.multicastTimeToLive = multicastTtl;
    if (!multicastLoop) options.multicastLoopback = false;
    var construct = () => {
      try {
        return new UDPSocket(options);
      } catch (e) {
        if (e.name == 'NotAllowedError' && (reuseAddress || multicastTtl != 1 || !multicastLoop)) {
          DSOCK.warnOnce('multicast', `UDPSocket: ${e.message} (SO_REUSEADDR, SO_REUSEPORT and ` +
                         'the multicast TTL and loopback options need the direct-sockets-multicast permission)');
        }
        throw e;
      }
    };
    var rec = {};
    // Datagrams sent before `opened` settles wait for it, in order.
    rec.ready = DSOCK.open(id, rec, construct, (info) => {
      if (rec.closed) {
        // Closed while opening: the datagrams sent meanwhile still go (Linux
        // sent them at sendto()), after this, and then the socket closes.
        rec.writer = info.writable.getWriter();
        info.readable.cancel().catch(() => {});
        rec.ready.then(() => rec.writer.close().catch(() => {}));
        return;
      }
      rec.multicast = info.multicastController;
      DSOCK.opened(id, rec, info);
      DSOCK.pumpDatagrams(id, rec);
    }, {{{ cDefs.EADDRINUSE }}});
  },

  // One membership change at a time per socket (the core orders them): its
  // outcome is reported back, while the socket is open.
  _dsock_js_membership__deps: ['$UTF8ToString'],
  _dsock_js_membership: (id, join, group, source) => {
    var rec = DSOCK.objects.get(id);
    var controller = rec?.multicast;
    if (!controller) {
      DSOCK.warnOnce('multicast-controller', 'UDPSocket has no multicastController: joining a multicast ' +
                     'group needs the direct-sockets-multicast permission');
      return -{{{ cDefs.EACCES }}};
    }
    var options = {};
    source = UTF8ToString(source);
    if (source) {
      rec.sourceSpecific ??= DSOCK.takesSourceAddress(controller);
      if (!rec.sourceSpecific) {
        DSOCK.warnOnce('ssm', 'MulticastController takes no sourceAddress here: ' +
                       'source-specific multicast is not available in this browser');
        return -{{{ cDefs.ENOPROTOOPT }}};
      }
      options.sourceAddress = source;
    }
    group = UTF8ToString(group);
    var done = (err) => rec.closed || __dsock_on_membership(id, err);
    (join ? controller.joinGroup(group, options) : controller.leaveGroup(group, options)).then(
      () => done(0),
      (e) => {
#if SOCKET_DEBUG
        dbg(`directsockets: socket ${id}: ${join ? 'joinGroup' : 'leaveGroup'}(${group}${source ? ', ' + source : ''}) failed: ${e}`);
#endif
        // The browser says no more than "Network Error." for most refusals:
        // for a join, no interface routes the group.
        done(DSOCK.errnoOf(e, join ? {{{ cDefs.ENODEV }}} : {{{ cDefs.EADDRNOTAVAIL }}}));
      });
    return 0;
  },

  _dsock_js_send__deps: ['free'],
  _dsock_js_send: (id, buf, len, owned) => {
    var rec = DSOCK.objects.get(id);
    if (!rec) return owned && _free(buf); // closed by another thread meanwhile
    // A copy: the heap may be shared memory, which the streams refuse, and
    // may grow before the write runs.
    var chunk = HEAPU8.slice(buf, buf + len);
    if (owned) _free(buf);
    if (DSOCK.guardWrites) return DSOCK.queueWrite(id, rec, chunk);
    rec.writer.write(chunk).then(() => DSOCK.sent(id, rec, len),
                                 (e) => DSOCK.fail(id, e, {{{ cDefs.EPIPE }}}));
  },

  // The core's send window for stream sockets never goes below this: in the
  // browser, writes must be able to grow past the pipe (see queueWrite). Any
  // thread may ask (it is not proxied: a worker's first send() must not wait
  // for a busy main thread).
  _dsock_js_min_stream_window: () => {
#if ENVIRONMENT_MAY_BE_NODE
    if (ENVIRONMENT_IS_NODE) return 0;
#endif
    return 4 * DSOCK.PIPE_BYTES;
  },

  _dsock_js_send_to__deps: ['$UTF8ToString', 'free'],
  _dsock_js_send_to: (id, buf, len, host, port, owned, dnsFamily) => {
    var rec = DSOCK.objects.get(id);
    if (!rec) return owned && _free(buf); // closed by another thread meanwhile
    // An empty host: the same destination as the last datagram.
    if ({{{ makeGetValue('host', 0, 'i8') }}}) {
      rec.destination = UTF8ToString(host);
      rec.dnsQueryType = dnsFamily ? DSOCK.dnsQueryType(dnsFamily) : undefined;
    }
    var message = {data: HEAPU8.slice(buf, buf + len),
                   remoteAddress: rec.destination, remotePort: port};
    if (rec.dnsQueryType) message.dnsQueryType = rec.dnsQueryType;
    if (owned) _free(buf);
    // Sent or lost, the datagram no longer counts against the send window.
    var write = () => rec.writer.write(message).then(() => DSOCK.sent(id, rec, len), (e) => {
      DSOCK.sent(id, rec, len);
      DSOCK.fail(id, e, {{{ cDefs.ECONNREFUSED }}});
    });
    if (rec.writer) write();
    else rec.ready.then(write, () => {});
  },

  _dsock_js_shutdown_write: (id) => {
    var rec = DSOCK.objects.get(id);
    if (!rec?.writer) return;
    // Chromium sends no FIN for this while the readable is open; the FIN
    // goes when the readable ends too (docs/chromium-tcp-no-fin.md).
    if (rec.queue) DSOCK.whenFlushed(rec, () => rec.writer.close().catch(() => {}));
    else rec.writer.close().catch(() => {});
  },

  _dsock_js_resume_read: (id) => {
    var rec = DSOCK.objects.get(id);
    if (!rec) return;
    var resume = rec.resume;
    rec.resume = null;
    if (resume) resume();
    else rec.resumeRequested = true;
  },

  _dsock_js_close: (id, abort) => {
    var rec = DSOCK.forget(id);
    if (!rec?.socket) return;
    var {reader, writer} = rec;
    // Still opening: the `opened` handlers close it.
    if (!reader && !writer) return;
    if (abort) {
      rec.failed = true; // what the guard still queues goes nowhere
      writer?.abort().catch(() => {});
      reader?.cancel().catch(() => {});
      return;
    }
    // Graceful: queued writes drain, then FIN; the socket closes once both
    // of its streams are closed. In the browser that discards what is still
    // in the pipe, so both wait until it has likely gone out.
    var close = () => {
      reader?.cancel().catch(() => {});
      writer?.close().catch(() => {});
    };
    if (rec.queue) DSOCK.whenFlushed(rec, close); // a guarded TCP socket that wrote
    else close();
  },

  _dsock_js_wait__async: 'auto',
  _dsock_js_wait__deps: ['$FS'],
  _dsock_js_wait: (timeout, watch, nwatch) => new Promise((resolve) => {
    var regs = [];
    var timer;
    var done = () => {
      DSOCK.waiter = null;
      for (var r of regs) r.listeners.delete(r.entry);
      clearTimeout(timer);
      resolve();
    };
    for (var i = 0; i < nwatch; i++) {
      var stream = FS.getStream({{{ makeGetValue('watch', 'i * 4', 'i32') }}});
      if (stream) regs.push(stream.node.addListener(done));
    }
    if (timeout >= 0) timer = setTimeout(done, timeout);
    DSOCK.waiter = done;
  }),

  _dsock_js_wake: () => DSOCK.waiter?.(),

  _dsock_js_poll_fd__deps: ['$pollOne'],
  _dsock_js_poll_fd: (fd, events) => pollOne(fd, events),

  // The filesystem's own syscalls, for fds that are not sockets.
  _dsock_js_fs_fd_read__deps: ['fd_read'],
  _dsock_js_fs_fd_read: (fd, iov, iovcnt, pnum) => _fd_read(fd, iov, iovcnt, pnum),
  _dsock_js_fs_fd_write__deps: ['fd_write'],
  _dsock_js_fs_fd_write: (fd, iov, iovcnt, pnum) => _fd_write(fd, iov, iovcnt, pnum),
  _dsock_js_fs_fd_close__deps: ['fd_close'],
  _dsock_js_fs_fd_close: (fd) => _fd_close(fd),
  _dsock_js_fs_fcntl64__deps: ['__syscall_fcntl64'],
  _dsock_js_fs_fcntl64: (fd, cmd, varargs) => ___syscall_fcntl64(fd, cmd, varargs),
  _dsock_js_fs_ioctl__deps: ['__syscall_ioctl'],
  _dsock_js_fs_ioctl: (fd, op, varargs) => ___syscall_ioctl(fd, op, varargs),
  _dsock_js_fs_dup__deps: ['__syscall_dup'],
  _dsock_js_fs_dup: (fd) => ___syscall_dup(fd),
  _dsock_js_fs_dup3__deps: ['__syscall_dup3'],
  _dsock_js_fs_dup3: (fd, newfd, flags) => ___syscall_dup3(fd, newfd, flags),
};

#if PTHREADS
// The Direct Sockets objects and the filesystem live on the main thread:
// every import that touches them runs there, and a calling worker waits for
// it (the main thread serves such calls even while it waits for the core's
// lock). A worker's blocking wait is a futex in the core, not a JS call.
for (const name of Object.keys(LibraryDirectSockets)) {
  if (name.startsWith('_dsock_js_') && !name.includes('__') &&
      !['_dsock_js_can_block', '_dsock_js_min_stream_window', '_dsock_js_wait'].includes(name)) {
    LibraryDirectSockets[name + '__proxy'] = 'sync';
  }
}
// What needs no answer does not make a worker wait for the main thread:
// waking a JSPI waiter there, resuming a read pump, and writes, whose bytes
// the core hands over in a copy the bridge frees. Proxied calls run in order.
for (const name of ['_dsock_js_wake', '_dsock_js_resume_read', '_dsock_js_send',
                    '_dsock_js_send_to', '_dsock_js_shutdown_write']) {
  LibraryDirectSockets[name + '__proxy'] = 'async';
}
#endif

autoAddDeps(LibraryDirectSockets, '$DSOCK');
// The core's exports and the helpers the bridge calls.
LibraryDirectSockets.$DSOCK__deps.push(
  '$withStackSave', '$stringToUTF8OnStack',
  '_dsock_on_open', '_dsock_on_error', '_dsock_on_sent', '_dsock_on_eof', '_dsock_on_membership',
  '_dsock_on_rx_reserve', '_dsock_on_rx_commit', '_dsock_on_datagram_reserve',
  '_dsock_on_datagram_commit', '_dsock_on_accept');
addToLibrary(LibraryDirectSockets);
