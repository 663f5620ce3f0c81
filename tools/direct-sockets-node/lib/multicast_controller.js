// MulticastController, as Chromium ships it (multicast_controller.cc/.idl;
// the WICG spec does not describe it yet). Given by UDPSocket.opened in bound
// mode only.

import { isIPLiteral, isMulticast, normalizeIP, executeContext } from './validation.js';
import { netError, openError } from './errors.js';

const IFACE = 'MulticastController';

export class MulticastController {
  #socket;
  #interface; // local address to join on, or undefined for "any"
  #open = true;
  #joined = [];
  #joining = new Set();
  #leaving = new Set();

  // Not constructible by scripts in Chromium; UDPSocket creates it.
  constructor(socket, multicastInterface) {
    this.#socket = socket;
    this.#interface = multicastInterface;
  }

  get joinedGroups() {
    return Object.freeze([...this.#joined]);
  }

  joinGroup(ipAddress) {
    return this.#change('joinGroup', ipAddress, true);
  }

  leaveGroup(ipAddress) {
    return this.#change('leaveGroup', ipAddress, false);
  }

  // Called by UDPSocket when it closes or aborts.
  closeController() {
    this.#open = false;
    this.#joined = [];
    this.#joining.clear();
    this.#leaving.clear();
  }

  #change(method, ipAddress, join) {
    const context = executeContext(method, IFACE);
    const fail = (e) => Promise.reject(e);
    if (!this.#open) {
      return fail(new DOMException(`${context}Cannot ${join ? 'join' : 'leave'} group if the socket is not opened`, 'InvalidStateError'));
    }
    const text = String(ipAddress);
    // eslint-disable-next-line no-control-regex
    if (!/^[\x00-\x7f]*$/.test(text)) {
      return fail(new TypeError(`${context}ipAddress must contain only ascii characters`));
    }
    if (!isIPLiteral(text)) {
      return fail(new TypeError(`${context}ipAddress is not valid ipv4 or ipv6`));
    }
    const group = normalizeIP(text);
    const inProgress = join ? this.#joining : this.#leaving;
    if (join) {
      if (this.#joined.includes(group)) {
        return fail(new DOMException(`${context}Cannot join the same group again`, 'InvalidStateError'));
      }
      if (inProgress.has(group)) {
        return fail(new DOMException(`${context}Already joining this group`, 'InvalidStateError'));
      }
    } else {
      if (!this.#joined.includes(group)) {
        return fail(new DOMException(`${context}Cannot leave group which is not joined`, 'InvalidStateError'));
      }
      if (inProgress.has(group)) {
        return fail(new DOMException(`${context}Already leaving the group`, 'InvalidStateError'));
      }
    }

    inProgress.add(group);
    // Chromium answers after an IPC round trip; we answer on a later task.
    return new Promise((resolve, reject) => {
      setImmediate(() => {
        inProgress.delete(group);
        if (!this.#open) {
          reject(openError(netError('ERR_SOCKET_NOT_CONNECTED')));
          return;
        }
        try {
          if (!isMulticast(group)) throw netError('ERR_ADDRESS_INVALID');
          if (join) this.#socket.addMembership(group, this.#interface);
          else this.#socket.dropMembership(group, this.#interface);
        } catch (err) {
          reject(openError(err));
          return;
        }
        if (join) {
          if (!this.#joined.includes(group)) this.#joined.push(group);
        } else {
          this.#joined = this.#joined.filter((g) => g !== group);
        }
        resolve(undefined);
      });
    });
  }

  get [Symbol.toStringTag]() {
    return IFACE;
  }
}
