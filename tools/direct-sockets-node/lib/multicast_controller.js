// MulticastController, as Chromium ships it (multicast_controller.idl/.cc;
// the WICG explainer docs/multicast-explainer.md describes an earlier form).
// Given by UDPSocket.opened in bound mode only.
//
// A membership is a group, or a group and a source (source-specific
// multicast, `{sourceAddress}`; in Chromium behind its
// SourceSpecificMulticastInDirectSockets feature). As in Chromium, groups
// are joined on the default interface (INADDR_ANY / index 0: the kernel
// picks the one the route to the group leaves by), a group is joined either
// from any source or from chosen sources, never both, and closing the
// socket leaves every group.

import net from 'node:net';
import { isIPLiteral, isMulticast, normalizeIP, executeContext, toDictionary, idl } from './validation.js';
import { netError, openError } from './errors.js';

const IFACE = 'MulticastController';
const OPTIONS = [['sourceAddress', idl.domString]];

// Chromium's ParseAndValidateGroupIPs(): the group and the optional source
// (`o`, the options already converted).
function parseGroup(context, group, o) {
  if (group === '') throw new TypeError(`${context}ipAddress must not be empty`);
  if (!isIPLiteral(group)) throw new TypeError(`${context}ipAddress is not a valid IPv4 or IPv6 address`);
  if (!isMulticast(group)) throw new TypeError(`${context}ipAddress must be a valid multicast address`);
  if (o.sourceAddress === undefined) return { group: normalizeIP(group), source: undefined };
  const source = o.sourceAddress;
  if (source === '') throw new TypeError(`${context}sourceAddress must not be empty`);
  if (!isIPLiteral(source)) throw new TypeError(`${context}sourceAddress is not a valid IPv4 or IPv6 address`);
  if (isMulticast(source)) {
    throw new TypeError(`${context}sourceAddress must be a unicast address, not a multicast address`);
  }
  if (normalizeIP(source) === '0.0.0.0' || normalizeIP(source) === '::') {
    throw new TypeError(`${context}sourceAddress must not be the zero address (0.0.0.0 or ::)`);
  }
  if (net.isIP(group) !== net.isIP(source)) {
    throw new TypeError(`${context}sourceAddress and ipAddress must be the same IP version`);
  }
  return { group: normalizeIP(group), source: normalizeIP(source) };
}

const keyOf = ({ group, source }) => (source === undefined ? group : `${group}|${source}`);

export class MulticastController {
  #socket;
  #family; // 4 or 6: the socket's
  #open = true;
  #joined = new Map(); // key -> {group, source}, in the order joined
  #joining = new Map(); // key -> {group, source, reject}
  #leaving = new Map();

  // Not constructible by scripts in Chromium; UDPSocket creates it.
  constructor(socket, family) {
    this.#socket = socket;
    this.#family = family;
  }

  get joinedGroups() {
    return Object.freeze([...this.#joined.values()].map(({ group, source }) =>
      (source === undefined ? group : { groupAddress: group, sourceAddress: source })));
  }

  joinGroup(ipAddress, options = {}) {
    return this.#change('joinGroup', ipAddress, options, true);
  }

  leaveGroup(ipAddress, options = {}) {
    return this.#change('leaveGroup', ipAddress, options, false);
  }

  // Called by UDPSocket when it closes or aborts: calls still pending are
  // rejected (Chromium's OnCloseOrAbort()).
  closeController() {
    this.#open = false;
    this.#joined.clear();
    for (const pending of [this.#joining, this.#leaving]) {
      for (const { reject } of pending.values()) reject(new DOMException('Socket closed.', 'AbortError'));
      pending.clear();
    }
  }

  #change(method, ipAddress, options, join) {
    const context = executeContext(method, IFACE);
    // Blink converts the arguments first, then runs the method; it turns
    // exceptions of a promise-returning method into rejections.
    let m;
    try {
      const group = String(ipAddress);
      const o = toDictionary(options, 'MulticastGroupOptions', OPTIONS, context);
      if (!this.#open) {
        throw new DOMException(`${context}Cannot ${join ? 'join' : 'leave'} group if the socket is not opened`,
          'InvalidStateError');
      }
      m = parseGroup(context, group, o);
      this.#checkState(context, m, join);
    } catch (e) {
      return Promise.reject(e);
    }
    const key = keyOf(m);
    const pending = join ? this.#joining : this.#leaving;
    // Chromium answers after an IPC round trip; we answer on a later task.
    return new Promise((resolve, reject) => {
      pending.set(key, { ...m, reject });
      setImmediate(() => {
        if (!pending.has(key)) return; // rejected by closeController()
        pending.delete(key);
        try {
          this.#apply(m, join);
        } catch (err) {
          reject(openError(err));
          return;
        }
        if (join) this.#joined.set(key, m);
        else this.#joined.delete(key);
        resolve(undefined);
      });
    });
  }

  #checkState(context, m, join) {
    const key = keyOf(m);
    const invalid = (message) => new DOMException(context + message, 'InvalidStateError');
    if (!join) {
      if (!this.#joined.has(key)) throw invalid('Cannot leave group which is not joined');
      if (this.#leaving.has(key)) throw invalid('Already leaving the group');
      return;
    }
    if (this.#joined.has(key)) throw invalid('Cannot join the same group/source combination again');
    if (this.#joining.has(key)) throw invalid('Already joining this group/source combination');
    const sameGroup = (entries, ssm) => [...entries].some((e) => e.group === m.group && (e.source !== undefined) === ssm);
    if (m.source !== undefined) {
      if (sameGroup(this.#joined.values(), false)) throw invalid('Cannot join SSM group for which ASM membership already exists');
      if (sameGroup(this.#joining.values(), false)) {
        throw invalid('Cannot join SSM group while an ASM join for the same group is pending');
      }
    } else {
      if (sameGroup(this.#joined.values(), true)) throw invalid('Cannot join ASM group for which SSM membership already exists');
      if (sameGroup(this.#joining.values(), true)) {
        throw invalid('Cannot join ASM group while an SSM join for the same group is pending');
      }
    }
  }

  // The network service's part (net::UDPSocketPosix::JoinGroup & co.).
  #apply({ group, source }, join) {
    // An IPv4 group on an IPv6 socket, or the reverse: ERR_ADDRESS_INVALID.
    if (net.isIP(group) !== this.#family) throw netError('ERR_ADDRESS_INVALID');
    const s = this.#socket;
    if (source === undefined) {
      if (join) s.addMembership(group);
      else s.dropMembership(group);
    } else if (join) {
      s.addSourceSpecificMembership(source, group);
    } else {
      s.dropSourceSpecificMembership(source, group);
    }
  }

  get [Symbol.toStringTag]() {
    return IFACE;
  }
}
