// The readable and writable WHATWG streams of one connected net.Socket.
//
// Readable: a byte stream (Chromium's is one too, so BYOB readers work).
// It is pull-driven: the socket is paused whenever the stream's queue reaches
// its highWaterMark and resumed from pull(). A consumer that stops reading
// therefore stops node reading the socket, the kernel receive buffer fills and
// TCP flow control stops the peer. Each chunk node hands us owns its
// ArrayBuffer, so we enqueue it as a plain Uint8Array without copying.
//
// Writable: highWaterMark 1 (as Chromium), so `ready`/`desiredSize` reflect
// whether the previous chunk has left our hands. write() resolves once the
// bytes are in the kernel's send buffer: at once when socket.write() completed
// synchronously, otherwise in its callback, i.e. after 'drain'-like progress.
// A peer that stops reading thus leaves writer.ready pending. The chunk is not
// copied; like Chromium (which keeps the buffer until it is fully written) the
// caller must not modify it before the write promise resolves.
//
// Half-close: closing the writable calls socket.end() (FIN) and reading
// continues; the socket is destroyed only when both sides are done. Then
// `onClosed(firstError)` settles the owner's `closed` promise.

import { toBytes } from './validation.js';
import { netError, streamAbortedError } from './errors.js';

// Bytes buffered in the readable before node stops reading the socket.
export const DEFAULT_READ_HIGH_WATER_MARK = 256 * 1024;

export class TCPStreams {
  #socket;
  #onClosed;
  #rc = null; // ReadableByteStreamController
  #wc = null; // WritableStreamDefaultController
  #readState = 'open'; // open | closed | errored
  #writeState = 'open';
  #pendingWrite = null; // {resolve, reject} of a write waiting for the kernel
  #firstError = null;
  #finished = false;

  constructor(socket, { readableHighWaterMark = DEFAULT_READ_HIGH_WATER_MARK, onClosed }) {
    this.#socket = socket;
    this.#onClosed = onClosed;

    this.readable = new ReadableStream({
      type: 'bytes',
      start: (c) => { this.#rc = c; },
      pull: () => { if (this.#readState === 'open') socket.resume(); },
      cancel: () => {
        // Keep draining (and dropping) while the writable is still in use,
        // so the peer is not stalled by data nobody will read.
        this.#readState = 'closed';
        socket.resume();
        this.#maybeFinish();
      },
    }, { highWaterMark: readableHighWaterMark });

    this.writable = new WritableStream({
      start: (c) => {
        this.#wc = c;
        // Abort must not wait for a write the peer may never let finish.
        c.signal.addEventListener('abort', () => {
          const pending = this.#pendingWrite;
          this.#pendingWrite = null;
          if (pending) pending.reject(c.signal.reason);
        });
      },
      write: (chunk) => this.#write(chunk),
      close: () => this.#close(),
      abort: () => {
        // Chromium treats abort like close (stream_wrapper.cc); the spec says
        // "shutdown the socket for writing".
        if (this.#writeState !== 'open') return;
        this.#writeState = 'closed';
        if (!socket.destroyed) socket.end();
        this.#maybeFinish();
      },
    }, { highWaterMark: 1 });

    socket.on('data', (buf) => this.#onData(buf));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (err) => this.#fail(err));
    socket.on('close', () => {
      if (this.#readState === 'open' || this.#writeState === 'open') {
        this.#fail(netError('ERR_CONNECTION_ABORTED'));
      }
    });
    socket.pause(); // adding a 'data' listener started the flow; pull() decides
  }

  #onData(buf) {
    if (this.#readState !== 'open') return; // cancelled: discard
    const owned = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength;
    const view = owned
      ? new Uint8Array(buf.buffer)
      : new Uint8Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    const rc = this.#rc;
    rc.enqueue(view);
    if (rc.desiredSize <= 0) this.#socket.pause();
  }

  #onEnd() {
    if (this.#readState !== 'open') return;
    this.#readState = 'closed';
    const rc = this.#rc;
    rc.close();
    // A pending BYOB read is only settled by an explicit zero-byte response.
    if (rc.byobRequest) rc.byobRequest.respond(0);
    this.#maybeFinish();
  }

  #write(chunk) {
    let bytes;
    try {
      bytes = toBytes(chunk);
    } catch (e) {
      // The stream errors with this TypeError; count it as the writable's end.
      this.#writeState = 'errored';
      this.#record(e);
      this.#maybeFinish();
      throw e;
    }
    if (this.#writeState !== 'open') {
      throw new DOMException('The underlying data pipe was disconnected.', 'NetworkError');
    }
    if (bytes.byteLength === 0) return undefined;
    const socket = this.#socket;
    socket.write(bytes, (err) => {
      const pending = this.#pendingWrite;
      if (pending === null) return;
      this.#pendingWrite = null;
      if (err) pending.reject(this.#firstError || streamAbortedError(err));
      else pending.resolve();
    });
    // Completed synchronously: the kernel has the bytes, nothing references
    // the chunk any more. This is the fast path: no promise at all.
    if (socket.writableLength === 0) return undefined;
    return new Promise((resolve, reject) => { this.#pendingWrite = { resolve, reject }; });
  }

  #close() {
    return new Promise((resolve, reject) => {
      this.#socket.end((err) => {
        if (err) {
          reject(this.#firstError || streamAbortedError(err));
          return;
        }
        if (this.#writeState === 'open') this.#writeState = 'closed';
        resolve();
        this.#maybeFinish();
      });
    });
  }

  #fail(err) {
    const e = streamAbortedError(err);
    if (this.#readState === 'open') {
      this.#readState = 'errored';
      this.#record(e);
      this.#rc.error(e);
    }
    if (this.#writeState === 'open') {
      this.#writeState = 'errored';
      this.#record(e);
      const pending = this.#pendingWrite;
      this.#pendingWrite = null;
      if (pending) pending.reject(e);
      this.#wc.error(e);
    }
    this.#maybeFinish();
  }

  #record(e) {
    if (this.#firstError === null) this.#firstError = e;
  }

  #maybeFinish() {
    if (this.#finished || this.#readState === 'open' || this.#writeState === 'open') return;
    this.#finished = true;
    this.#socket.destroy();
    this.#onClosed(this.#firstError);
  }

  get locked() {
    return this.readable.locked || this.writable.locked;
  }
}
