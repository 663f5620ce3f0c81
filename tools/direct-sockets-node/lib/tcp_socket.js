// TCPSocket (https://wicg.github.io/direct-sockets/#tcpsocket-interface)
// on node:net. Validation and errors follow Chromium's tcp_socket.cc; the
// streams live in tcp_streams.js.

import net from 'node:net';
import { TCPStreams } from './tcp_streams.js';
import { resolveHost } from './resolve.js';
import {
  constructContext, executeContext, requireArguments, toDictionary, idl,
} from './validation.js';
import {
  handledPromise, invalidState, openError, streamClosedReason,
} from './errors.js';

const IFACE = 'TCPSocket';

// SocketOptions members first, then TCPSocketOptions', each alphabetically.
const OPTIONS = [
  ['receiveBufferSize', (v) => idl.unsignedLong(v, true)],
  ['sendBufferSize', (v) => idl.unsignedLong(v, true)],
  ['dnsQueryType', idl.dnsQueryType],
  ['keepAliveDelay', (v) => idl.unsignedLong(v, true)],
  ['noDelay', idl.boolean],
];

// Lets TCPServerSocket wrap an accepted connection (not part of the API).
const ACCEPTED = Symbol('accepted');

export function tcpSocketFromAccepted(socket) {
  return new TCPSocket(ACCEPTED, socket);
}

function validateOptions(options, context) {
  // Chromium: CheckSendReceiveBufferSize(), then keepAliveDelay.
  if (options.sendBufferSize === 0) {
    throw new TypeError(`${context}sendBufferSize must be greater than zero.`);
  }
  if (options.receiveBufferSize === 0) {
    // Chromium's spelling, "receiver", kept on purpose.
    throw new TypeError(`${context}receiverBufferSize must be greater than zero.`);
  }
  if (options.keepAliveDelay !== undefined && options.keepAliveDelay < 1000) {
    throw new TypeError(`${context}keepAliveDelay must be no less than 1,000 milliseconds.`);
  }
}

// Tries each resolved address in turn, as Chromium's connect job does.
async function connect(host, port, options) {
  const addresses = await resolveHost(host, options.dnsQueryType);
  let lastError;
  for (const { address } of addresses) {
    try {
      return await new Promise((resolve, reject) => {
        const s = net.connect({ host: address, port, allowHalfOpen: true });
        s.once('error', reject);
        s.once('connect', () => { s.off('error', reject); resolve(s); });
      });
    } catch (e) {
      lastError = e;
    }
  }
  throw lastError;
}

export class TCPSocket {
  #opened = handledPromise();
  #closed = handledPromise();
  #state = 'opening'; // opening | open | closed | aborted
  #streams = null;

  constructor(remoteAddress, remotePort, options = undefined) {
    if (remoteAddress === ACCEPTED) {
      this.#finishOpen(remotePort, {});
      return;
    }
    const context = constructContext(IFACE);
    requireArguments(context, 2, arguments.length);
    const address = idl.domString(remoteAddress);
    // Plain `unsigned short` (no [EnforceRange]) in tcp_socket.idl: wraps.
    const port = idl.unsignedShort(remotePort, false);
    const opts = toDictionary(options, 'TCPSocketOptions', OPTIONS, context);
    validateOptions(opts, context);

    connect(address, port, opts).then(
      (socket) => this.#finishOpen(socket, opts),
      (err) => {
        const e = openError(err);
        this.#state = 'aborted';
        this.#opened.reject(e);
        this.#closed.reject(e);
      },
    );
  }

  #finishOpen(socket, opts) {
    socket.setNoDelay(opts.noDelay === true);
    if (opts.keepAliveDelay !== undefined) socket.setKeepAlive(true, opts.keepAliveDelay);
    // Node cannot set SO_SNDBUF/SO_RCVBUF on a TCP socket; receiveBufferSize
    // sizes our own read buffering instead, sendBufferSize is accepted only.
    this.#streams = new TCPStreams(socket, {
      readableHighWaterMark: opts.receiveBufferSize,
      onClosed: (error) => {
        this.#state = error ? 'aborted' : 'closed';
        if (error) this.#closed.reject(error);
        else this.#closed.resolve(undefined);
      },
    });
    this.#state = 'open';
    this.#opened.resolve({
      readable: this.#streams.readable,
      writable: this.#streams.writable,
      remoteAddress: socket.remoteAddress,
      remotePort: socket.remotePort,
      localAddress: socket.localAddress,
      localPort: socket.localPort,
    });
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
    // Chromium returns `closed` once the socket is closed or failed to open
    // (the spec would reject with InvalidStateError for the latter).
    if (this.#state !== 'open') return this.#closed.promise;
    const { readable, writable } = this.#streams;
    if (readable.locked || writable.locked) {
      return Promise.reject(invalidState(context, 'Close called on locked streams.'));
    }
    const reason = streamClosedReason();
    readable.cancel(reason).catch(() => {});
    writable.abort(reason).catch(() => {});
    return this.#closed.promise;
  }

  get [Symbol.toStringTag]() {
    return IFACE;
  }
}
