// WebIDL argument conversion and the Direct Sockets validation rules.
//
// Messages follow Blink's bindings (v8_binding_for_core.cc, generated
// dictionary/union code): every exception thrown from a constructor or method
// is prefixed with "Failed to construct 'X': " / "Failed to execute 'm' on 'X': ",
// and a dictionary member error reads
// "Failed to read the 'member' property from 'Dict': <why>".

import net from 'node:net';
import { types } from 'node:util';

export function constructContext(iface) {
  return `Failed to construct '${iface}': `;
}

export function executeContext(method, iface) {
  return `Failed to execute '${method}' on '${iface}': `;
}

export function requireArguments(context, count, given) {
  if (given < count) {
    const args = count === 1 ? 'argument' : 'arguments';
    throw new TypeError(`${context}${count} ${args} required, but only ${given} present.`);
  }
}

// DOMString: ToString; a Symbol throws the engine's own TypeError.
export function toDOMString(value) {
  return String(value);
}

function toNumber(value) {
  if (typeof value === 'bigint') throw new TypeError('Cannot convert a BigInt value to a number');
  return Number(value);
}

// Integer conversion as in Blink's ToSmallerUInt / ToUInt32 (WebIDL):
// [EnforceRange] throws outside the range, otherwise values wrap modulo 2^bits.
function toUnsigned(value, bits, typeName, enforceRange) {
  const x = toNumber(value);
  const max = 2 ** bits - 1;
  if (enforceRange) {
    if (!Number.isFinite(x)) {
      throw new TypeError(`Value is${Number.isNaN(x) ? '' : ' infinite and'} not of type '${typeName}'.`);
    }
    const t = Math.trunc(x);
    if (t < 0 || t > max) throw new TypeError(`Value is outside the '${typeName}' value range.`);
    return t;
  }
  if (!Number.isFinite(x) || x === 0) return 0;
  const m = Math.trunc(x) % 2 ** bits;
  return m < 0 ? m + 2 ** bits : m;
}

export const idl = {
  unsignedShort: (v, enforce) => toUnsigned(v, 16, 'unsigned short', enforce),
  unsignedLong: (v, enforce) => toUnsigned(v, 32, 'unsigned long', enforce),
  octet: (v, enforce) => toUnsigned(v, 8, 'octet', enforce),
  boolean: (v) => Boolean(v),
  domString: toDOMString,
  dnsQueryType: (v) => {
    const s = toDOMString(v);
    if (s !== 'ipv4' && s !== 'ipv6') {
      throw new TypeError(`The provided value '${s}' is not a valid enum value of type SocketDnsQueryType.`);
    }
    return s;
  },
};

// Converts a dictionary. `members` is [name, converter] in Blink's read order
// (inherited dictionary first, then each dictionary's members alphabetically).
// Absent (undefined) members stay absent: Chromium distinguishes "has".
export function toDictionary(value, dictName, members, context = '') {
  const out = {};
  if (value === undefined || value === null) return out;
  if (typeof value !== 'object' && typeof value !== 'function') {
    throw new TypeError(`${context}The provided value is not of type '${dictName}'.`);
  }
  for (const [name, convert] of members) {
    const v = value[name];
    if (v === undefined) continue;
    try {
      out[name] = convert(v);
    } catch (e) {
      if (e instanceof TypeError) {
        throw new TypeError(`${context}Failed to read the '${name}' property from '${dictName}': ${e.message}`);
      }
      throw e;
    }
  }
  return out;
}

// BufferSource, i.e. (ArrayBuffer or ArrayBufferView) without [AllowShared]:
// returns a Uint8Array over the same memory (no copy). Messages are Blink's
// union / NotShared conversions.
export function toBytes(chunk) {
  if (types.isArrayBuffer(chunk)) {
    // A detached buffer has byteLength 0: an empty write (tcp_writable_stream_wrapper.cc).
    return chunk.byteLength === 0 ? new Uint8Array(0) : new Uint8Array(chunk);
  }
  if (ArrayBuffer.isView(chunk)) {
    if (types.isSharedArrayBuffer(chunk.buffer)) {
      throw new TypeError('The provided ArrayBufferView value must not be shared.');
    }
    if (chunk.byteLength === 0) return new Uint8Array(0);
    return new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  throw new TypeError("The provided value is not of type '(ArrayBuffer or ArrayBufferView)'.");
}

// --- addresses ---

// An IP literal as net::IPAddress::FromIPLiteral accepts it: no brackets, no
// zone id. (Chromium also accepts shorthand IPv4 such as "127.1"; net.isIP
// does not. Nobody should rely on that.)
export function isIPLiteral(s) {
  return !s.includes('%') && net.isIP(s) !== 0;
}

// Canonical text form (net::IPAddress::ToString): "0:0::0" -> "::".
export function normalizeIP(s) {
  const family = net.isIP(s);
  if (family === 4) return s;
  return new net.SocketAddress({ address: s, family: 'ipv6' }).address;
}

export function isIPv6Unspecified(s) {
  return net.isIP(s) === 6 && normalizeIP(s) === '::';
}

export function isMulticast(s) {
  const family = net.isIP(s);
  if (family === 4) {
    const first = Number(s.split('.')[0]);
    return first >= 224 && first <= 239;
  }
  return family === 6 && normalizeIP(s).startsWith('ff');
}
