// TCPServerSocket (https://wicg.github.io/direct-sockets/#tcpserversocket-interface)
// on net.Server. Validation and errors follow Chromium's tcp_server_socket.cc
// and tcp_server_readable_stream_wrapper.cc.
//
// Accepted connections are created paused (pauseOnConnect), so no byte is
// read from them until their own readable is pulled.

import net from 'node:net';
import { tcpSocketFromAccepted } from './tcp_socket.js';
import {
  constructContext, executeContext, requireArguments, toDictionary, idl,
  isIPLiteral, isIPv6Unspecified,
} from './validation.js';
import {
  handledPromise, invalidState, openError, serverClosedError, streamClosedReason,
} from './errors.js';

const IFACE = 'TCPServerSocket';

const OPTIONS = [
  ['backlog', (v) => idl.unsignedLong(v, true)],
  ['ipv6Only', idl.boolean],
  ['localPort', (v) => idl.unsignedShort(v, true)],
];

export class TCPServerSocket {
  #opened = handledPromise();
  #closed = handledPromise();
  #state = 'opening';
  #server = null;
  #readable = null;

  constructor(localAddress, options = undefined) {
    const context = constructContext(IFACE);
    requireArguments(context, 1, arguments.length);
    const address = idl.domString(localAddress);
    const opts = toDictionary(options, 'TCPServerSocketOptions', OPTIONS, context);

    if (!isIPLiteral(address)) {
      throw new TypeError(`${context}localAddress must be a valid IP address.`);
    }
    if (opts.localPort === 0) {
      throw new TypeError(`${context}localPort must be greater than zero. Leave this field unassigned to allow the OS to pick a port on its own.`);
    }
    if (opts.backlog === 0) {
      throw new TypeError(`${context}backlog must be greater than zero.`);
    }
    if (opts.ipv6Only !== undefined && !isIPv6Unspecified(address)) {
      throw new TypeError(`${context}ipv6Only can only be specified when localAddress is [::] or equivalent.`);
    }

    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true });
    this.#server = server;
    const onListenError = (err) => {
      const e = openError(err);
      this.#state = 'aborted';
      this.#opened.reject(e);
      this.#closed.reject(e);
    };
    server.once('error', onListenError);
    server.listen({
      host: address,
      port: opts.localPort ?? 0,
      backlog: opts.backlog,
      ipv6Only: opts.ipv6Only === true,
      exclusive: true,
    }, () => {
      server.off('error', onListenError);
      this.#finishOpen(server);
    });
  }

  #finishOpen(server) {
    let controller;
    let done = false;
    const finish = (error) => {
      if (done) return;
      done = true;
      server.close();
      this.#state = error ? 'aborted' : 'closed';
      if (error) this.#closed.reject(error);
      else this.#closed.resolve(undefined);
    };
    // highWaterMark 0 as in Chromium: connections are handed out on demand;
    // ones that arrive meanwhile wait in the stream's queue.
    this.#readable = new ReadableStream({
      start: (c) => { controller = c; },
      cancel: () => finish(null),
    }, { highWaterMark: 0 });

    server.on('connection', (socket) => {
      if (done) {
        socket.destroy();
        return;
      }
      controller.enqueue(tcpSocketFromAccepted(socket));
    });
    server.on('error', (err) => {
      if (done) return;
      const e = serverClosedError(err);
      controller.error(e);
      finish(e);
    });

    const { address, port } = server.address();
    this.#state = 'open';
    this.#opened.resolve({ readable: this.#readable, localAddress: address, localPort: port });
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
    if (this.#readable.locked) {
      return Promise.reject(invalidState(context, 'Close called on locked streams.'));
    }
    this.#readable.cancel(streamClosedReason()).catch(() => {});
    return this.#closed.promise;
  }

  get [Symbol.toStringTag]() {
    return IFACE;
  }
}
