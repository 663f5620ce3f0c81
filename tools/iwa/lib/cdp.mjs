// A minimal Chrome DevTools Protocol client over Node's built-in WebSocket:
// commands, events, and flat sessions for attached targets. Every command
// has a deadline, so a browser that stops answering cannot hang a run.

export class CDP {
  #ws;
  #nextId = 1;
  #pending = new Map(); // id -> {resolve, reject, timer}
  #listeners = new Set(); // (method, params, sessionId) => void
  closed = false;

  static connect(url, { timeoutMs = 10000 } = {}) {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const timer = setTimeout(() => { ws.close(); reject(new Error(`CDP: no connection to ${url} in ${timeoutMs} ms`)); }, timeoutMs);
      ws.addEventListener('open', () => { clearTimeout(timer); resolve(new CDP(ws)); }, { once: true });
      ws.addEventListener('error', () => { clearTimeout(timer); reject(new Error(`CDP: cannot connect to ${url}`)); }, { once: true });
    });
  }

  constructor(ws) {
    this.#ws = ws;
    ws.addEventListener('message', (event) => this.#onMessage(JSON.parse(event.data)));
    ws.addEventListener('close', () => {
      this.closed = true;
      for (const { reject, timer } of this.#pending.values()) {
        clearTimeout(timer);
        reject(new Error('CDP: the browser closed the connection'));
      }
      this.#pending.clear();
    });
  }

  #onMessage(msg) {
    if (msg.id === undefined) {
      for (const listener of this.#listeners) listener(msg.method, msg.params, msg.sessionId);
      return;
    }
    const call = this.#pending.get(msg.id);
    if (!call) return;
    this.#pending.delete(msg.id);
    clearTimeout(call.timer);
    if (msg.error) call.reject(new Error(`CDP ${call.method}: ${msg.error.message}${msg.error.data ? ` (${msg.error.data})` : ''}`));
    else call.resolve(msg.result);
  }

  send(method, params = {}, { sessionId, timeoutMs = 15000 } = {}) {
    if (this.closed) return Promise.reject(new Error('CDP: connection closed'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`CDP ${method}: no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve, reject, timer, method });
      this.#ws.send(JSON.stringify({ id, method, params, sessionId }));
    });
  }

  // Calls listener(method, params, sessionId) for every event; returns an unsubscribe function.
  on(listener) {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // Resolves with the params of the first event `method` for which pred holds.
  waitFor(method, pred = () => true, { timeoutMs = 15000 } = {}) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { off(); reject(new Error(`CDP: no ${method} event in ${timeoutMs} ms`)); }, timeoutMs);
      const off = this.on((m, params, sessionId) => {
        if (m === method && pred(params, sessionId)) { clearTimeout(timer); off(); resolve(params); }
      });
    });
  }

  close() {
    this.#ws.close();
  }
}
