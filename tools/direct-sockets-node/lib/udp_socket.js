// UDPSocket (https://wicg.github.io/direct-sockets/#udpsocket-interface) on
// node:dgram, in connected mode (remoteAddress + remotePort) or bound mode
// (localAddress [+ localPort]). Validation and errors follow Chromium's
// udp_socket.cc and udp_{readable,writable}_stream_wrapper.cc.
//
// Readable: yields {data: Uint8Array} (connected) or {data, remoteAddress,
// remotePort} (bound). dgram cannot pause, so the readable's queue is bounded
// in bytes (receiveBufferSize, default 1 MiB) and datagrams that arrive while
// it is full are dropped, which is what the kernel does when nobody reads.
// Writable: highWaterMark 1 as in Chromium; a write resolves once the
// datagram is queued behind fewer than 32 pending sends (Chromium's network
// service limit), else once its send completed.

import dgram from 'node:dgram';
import net from 'node:net';
import { MulticastController } from './multicast_controller.js';
import { resolveHost } from './resolve.js';
import {
  constructContext, executeContext, requireArguments, toDictionary, idl,
  isIPLiteral, isIPv6Unspecified, toBytes,
} from './validation.js';
import {
  handledPromise, invalidState, openError, streamAbortedError, streamClosedReason,
} from './errors.js';

const IFACE = 'UDPSocket';
const DEFAULT_READ_QUEUE_BYTES = 1024 * 1024;
const MAX_PENDING_SENDS = 32;
const MAX_IPV4_PAYLOAD = 65507;

const OPTIONS = [
  ['receiveBufferSize', (v) => idl.unsignedLong(v, true)],
  ['sendBufferSize', (v) => idl.unsignedLong(v, true)],
  ['dnsQueryType', idl.dnsQueryType],
  ['ipv6Only', idl.boolean],
  ['localAddress', idl.domString],
  ['localPort', (v) => idl.unsignedShort(v, true)],
  ['multicastAllowAddressSharing', idl.boolean],
  ['multicastLoopback', idl.boolean],
  ['multicastTimeToLive', (v) => idl.octet(v, true)],
  ['remoteAddress', idl.domString],
  ['remotePort', (v) => idl.unsignedShort(v, true)],
];

// udp_message.idl. Ports are plain `unsigned short` there: they wrap.
const MESSAGE = [
  ['data', toBytes],
  ['dnsQueryType', idl.dnsQueryType],
  ['remoteAddress', idl.domString],
  ['remotePort', (v) => idl.unsignedShort(v, false)],
];

function checkBufferSizes(o, context) {
  if (o.sendBufferSize === 0) throw new TypeError(`${context}sendBufferSize must be greater than zero.`);
  if (o.receiveBufferSize === 0) throw new TypeError(`${context}receiverBufferSize must be greater than zero.`);
}

// Chromium's InferUDPSocketMode() and Create{Connected,Bound}UDPSocketOptions().
function inferMode(o, context) {
  let mode = null;
  const hasRemoteAddress = o.remoteAddress !== undefined;
  const hasRemotePort = o.remotePort !== undefined;
  if (hasRemoteAddress && hasRemotePort) {
    mode = 'connected';
  } else if (hasRemoteAddress || hasRemotePort) {
    throw new TypeError(`${context}remoteAddress and remotePort should either be specified together or not specified at all.`);
  }
  if (o.localAddress !== undefined) {
    if (mode) throw new TypeError(`${context}remoteAddress and localAddress cannot be specified at the same time.`);
    mode = 'bound';
  } else if (o.localPort !== undefined) {
    throw new TypeError(`${context}localPort cannot be specified without localAddress.`);
  }
  if (!mode) throw new TypeError(`${context}neither remoteAddress nor localAddress specified.`);

  if (mode === 'connected') {
    if (o.ipv6Only !== undefined) throw new TypeError(`${context}ipv6Only can only be specified with localAddress.`);
    checkBufferSizes(o, context);
  } else {
    if (!isIPLiteral(o.localAddress)) throw new TypeError(`${context}localAddress must be a valid IP address.`);
    if (o.localPort === 0) {
      throw new TypeError(`${context}localPort must be greater than zero. Leave this field unassigned to allow the OS to pick a port on its own.`);
    }
    if (o.dnsQueryType !== undefined) {
      throw new TypeError(`${context}dnsQueryType is only relevant when remoteAddress is specified.`);
    }
    checkBufferSizes(o, context);
    if (o.ipv6Only !== undefined && !isIPv6Unspecified(o.localAddress)) {
      throw new TypeError(`${context}ipv6Only can only be specified when localAddress is [::] or equivalent.`);
    }
  }
  return mode;
}

// multicastAllowAddressSharing applies to bound sockets only (Chromium
// passes it in DirectBoundUDPSocketOptions), as SO_REUSEADDR and
// SO_REUSEPORT (net::UDPSocketPosix::AllowAddressSharingForMulticast).
function socketOptions(type, o, bound) {
  const opts = { type, recvBufferSize: o.receiveBufferSize, sendBufferSize: o.sendBufferSize };
  if (o.ipv6Only !== undefined) opts.ipv6Only = o.ipv6Only;
  if (bound && o.multicastAllowAddressSharing) {
    opts.reuseAddr = true;
    opts.reusePort = process.platform === 'linux';
  }
  return opts;
}

function applyMulticastOptions(socket, o) {
  if (o.multicastTimeToLive !== undefined) socket.setMulticastTTL(o.multicastTimeToLive);
  if (o.multicastLoopback !== undefined) socket.setMulticastLoopback(o.multicastLoopback);
}

function openBound(o) {
  const type = net.isIP(o.localAddress) === 6 ? 'udp6' : 'udp4';
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(socketOptions(type, o, true));
    socket.once('error', (err) => { socket.close(); reject(err); });
    socket.bind({ address: o.localAddress, port: o.localPort ?? 0, exclusive: !o.multicastAllowAddressSharing }, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

async function openConnected(o) {
  const [{ address, family }] = await resolveHost(o.remoteAddress, o.dnsQueryType);
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(socketOptions(family === 6 ? 'udp6' : 'udp4', o, false));
    socket.once('error', (err) => { socket.close(); reject(err); });
    socket.connect(o.remotePort, address, () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
  });
}

export class UDPSocket {
  #opened = handledPromise();
  #closed = handledPromise();
  #state = 'opening';
  #mode;
  #socket = null;
  #readable = null;
  #writable = null;
  #multicast = null;
  #rc = null;
  #wc = null;
  #readState = 'open';
  #writeState = 'open';
  #pendingWrite = null;
  #sendsPending = 0;
  #onAllSent = null;
  #firstError = null;

  constructor(options) {
    const context = constructContext(IFACE);
    requireArguments(context, 1, arguments.length);
    const o = toDictionary(options, 'UDPSocketOptions', OPTIONS, context);
    this.#mode = inferMode(o, context);
    const open = this.#mode === 'bound' ? openBound(o) : openConnected(o);
    open.then((socket) => this.#finishOpen(socket, o), (err) => {
      const e = openError(err);
      this.#state = 'aborted';
      this.#opened.reject(e);
      this.#closed.reject(e);
    });
  }

  #finishOpen(socket, o) {
    this.#socket = socket;
    applyMulticastOptions(socket, o);
    const bound = this.#mode === 'bound';

    this.#readable = new ReadableStream({
      start: (c) => { this.#rc = c; },
      cancel: () => { this.#readState = 'closed'; this.#maybeFinish(); },
    }, {
      highWaterMark: o.receiveBufferSize ?? DEFAULT_READ_QUEUE_BYTES,
      // +1 so that empty datagrams count too.
      size: (message) => message.data.byteLength + 1,
    });

    this.#writable = new WritableStream({
      start: (c) => {
        this.#wc = c;
        c.signal.addEventListener('abort', () => {
          const pending = this.#pendingWrite;
          this.#pendingWrite = null;
          if (pending) pending.reject(c.signal.reason);
        });
      },
      write: (chunk) => this.#write(chunk),
      // Datagrams whose writes resolved early are still queued in dgram:
      // closing waits for them, so none is lost.
      close: () => this.#allSent().then(() => {
        this.#writeState = 'closed';
        this.#maybeFinish();
      }),
      abort: () => { this.#writeState = 'closed'; this.#maybeFinish(); },
    }, { highWaterMark: 1 });

    socket.on('message', (msg, rinfo) => {
      if (this.#readState !== 'open') return;
      const rc = this.#rc;
      if (rc.desiredSize < msg.byteLength + 1) return; // queue full: drop
      const owned = msg.byteOffset === 0 && msg.byteLength === msg.buffer.byteLength;
      const data = owned
        ? new Uint8Array(msg.buffer)
        : new Uint8Array(msg.buffer.slice(msg.byteOffset, msg.byteOffset + msg.byteLength));
      rc.enqueue(bound ? { data, remoteAddress: rinfo.address, remotePort: rinfo.port } : { data });
    });
    // Receive errors (e.g. ICMP port unreachable on a connected socket).
    socket.on('error', (err) => {
      if (this.#readState !== 'open') return;
      this.#readState = 'errored';
      const e = streamAbortedError(err);
      this.#record(e);
      this.#rc.error(e);
      this.#maybeFinish();
    });

    const info = {
      readable: this.#readable,
      writable: this.#writable,
    };
    if (!bound) {
      const remote = socket.remoteAddress();
      info.remoteAddress = remote.address;
      info.remotePort = remote.port;
    }
    const local = socket.address();
    info.localAddress = local.address;
    info.localPort = local.port;
    if (bound) {
      this.#multicast = new MulticastController(socket, net.isIP(local.address));
      info.multicastController = this.#multicast;
    }
    this.#state = 'open';
    this.#opened.resolve(info);
  }

  async #resolveDestination(message) {
    const [{ address }] = await resolveHost(message.remoteAddress, message.dnsQueryType);
    return address;
  }

  #write(chunk) {
    let message;
    try {
      message = this.#toMessage(chunk);
    } catch (e) {
      this.#writeState = 'errored';
      this.#record(e);
      this.#maybeFinish();
      throw e;
    }
    const socket = this.#socket;
    return new Promise((resolve, reject) => {
      // Chromium's network service keeps up to 32 sends pending
      // (kMaxPendingSendRequests), so a write is done once its datagram is
      // queued behind fewer than that; past it, or when a name must be
      // resolved first, once its send completes.
      const lookup = this.#mode !== 'connected' && !net.isIP(message.remoteAddress);
      // Oversized datagrams fail in the kernel: let that reject the write.
      const queued = !lookup && message.data.byteLength <= MAX_IPV4_PAYLOAD &&
        this.#sendsPending < MAX_PENDING_SENDS;
      this.#sendsPending++;
      this.#pendingWrite = queued ? null : { resolve, reject };
      const done = (err) => {
        if (--this.#sendsPending === 0) this.#onAllSent?.();
        const pending = this.#pendingWrite;
        if (!queued) this.#pendingWrite = null;
        if (!err) {
          if (!queued) pending?.resolve();
          return;
        }
        // udp_writable_stream_wrapper.cc ErrorStream(): the write rejects and
        // the writable is done.
        if (this.#writeState !== 'open') return;
        const e = streamAbortedError(err);
        this.#writeState = 'errored';
        this.#record(e);
        if (pending && !queued) pending.reject(e);
        else this.#wc.error(e);
        this.#maybeFinish();
      };
      if (this.#mode === 'connected') {
        socket.send(message.data, done);
      } else if (!lookup) {
        socket.send(message.data, message.remotePort, message.remoteAddress, done);
      } else {
        this.#resolveDestination(message).then(
          (address) => socket.send(message.data, message.remotePort, address, done),
          done,
        );
      }
      if (queued) resolve();
    });
  }

  // UDPMessage conversion and the checks of UDPWritableStreamWrapper::Write().
  #toMessage(chunk) {
    const m = toDictionary(chunk, 'UDPMessage', MESSAGE);
    if (m.data === undefined) throw new TypeError("UDPMessage: missing 'data' field.");
    const hasAddress = m.remoteAddress !== undefined;
    const hasPort = m.remotePort !== undefined;
    if (hasAddress && hasPort) {
      if (this.#mode === 'connected') {
        throw new TypeError("UDPMessage: 'remoteAddress' and 'remotePort' must not be specified in 'connected' mode.");
      }
    } else if (hasAddress || hasPort) {
      throw new TypeError("UDPMessage: either none or both 'remoteAddress' and 'remotePort' fields must be specified.");
    } else if (this.#mode === 'bound') {
      throw new TypeError("UDPMessage: 'remoteAddress' and 'remotePort' must be specified in 'bound' mode.");
    }
    if (m.dnsQueryType !== undefined && this.#mode === 'connected') {
      throw new TypeError("UDPMessage: 'dnsQueryType' must not be specified in 'connected' mode.");
    }
    if (m.data.byteLength === 0) throw new TypeError("UDPMessage: 'data' field must not be empty.");
    return m;
  }

  #record(e) {
    if (this.#firstError === null) this.#firstError = e;
  }

  #allSent() {
    if (this.#sendsPending === 0) return Promise.resolve();
    return new Promise((resolve) => {
      this.#onAllSent = () => { this.#onAllSent = null; resolve(); };
    });
  }

  #maybeFinish() {
    if (this.#state !== 'open' || this.#readState === 'open' || this.#writeState === 'open') return;
    const error = this.#firstError;
    this.#state = error ? 'aborted' : 'closed';
    this.#multicast?.closeController();
    this.#socket.close();
    if (error) this.#closed.reject(error);
    else this.#closed.resolve(undefined);
  }

  get opened() {
    return this.#opened.promise;
  }

  get closed() {
    return this.#closed.promise;
  }

  close() {
    const context = executeContext('close', IFACE);
    if (this.#state === 'opening') {
      return Promise.reject(invalidState(context, 'Socket is not properly initialized.'));
    }
    if (this.#state !== 'open') return this.#closed.promise;
    if (this.#readable.locked || this.#writable.locked) {
      return Promise.reject(invalidState(context, 'Close called on locked streams.'));
    }
    const reason = streamClosedReason();
    this.#readable.cancel(reason).catch(() => {});
    this.#writable.abort(reason).catch(() => {});
    return this.#closed.promise;
  }

  get [Symbol.toStringTag]() {
    return IFACE;
  }
}

