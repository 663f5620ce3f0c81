// WebIDL conversions, error mapping and the register.js entry point.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { idl, toBytes, toDictionary, normalizeIP, isIPLiteral } from '../lib/validation.js';
import { openError, streamAbortedError } from '../lib/errors.js';
import { TCPSocket, UDPSocket, TCPServerSocket } from '../index.js';

test('unsigned short: wraps without [EnforceRange], throws Blink messages with it', () => {
  assert.equal(idl.unsignedShort(70000, false), 4464);
  assert.equal(idl.unsignedShort(-1, false), 65535);
  assert.equal(idl.unsignedShort(NaN, false), 0);
  assert.equal(idl.unsignedShort('80', false), 80);
  assert.equal(idl.unsignedShort(80.9, true), 80);
  assert.throws(() => idl.unsignedShort(65536, true), { message: "Value is outside the 'unsigned short' value range." });
  assert.throws(() => idl.unsignedShort(Infinity, true), { message: "Value is infinite and not of type 'unsigned short'." });
  assert.throws(() => idl.unsignedShort(NaN, true), { message: "Value is not of type 'unsigned short'." });
  assert.throws(() => idl.octet(256, true), { message: "Value is outside the 'octet' value range." });
  assert.throws(() => idl.unsignedLong(-1, true), { message: "Value is outside the 'unsigned long' value range." });
});

test('dictionary member errors name the member and dictionary', () => {
  assert.throws(() => toDictionary({ localPort: -5 }, 'UDPSocketOptions', [['localPort', (v) => idl.unsignedShort(v, true)]], 'Ctx: '), {
    name: 'TypeError', message: "Ctx: Failed to read the 'localPort' property from 'UDPSocketOptions': Value is outside the 'unsigned short' value range.",
  });
  assert.deepEqual(toDictionary(null, 'D', []), {});
  assert.throws(() => toDictionary('x', 'D', []), { message: "The provided value is not of type 'D'." });
});

test('toBytes: buffer sources without copying; other values rejected', () => {
  const ab = new ArrayBuffer(8);
  const v = toBytes(new DataView(ab, 2, 4));
  assert.equal(v.buffer, ab);
  assert.equal(v.byteOffset, 2);
  assert.equal(v.byteLength, 4);
  assert.equal(toBytes(ab).buffer, ab);
  const detached = new ArrayBuffer(4);
  structuredClone(detached, { transfer: [detached] });
  assert.equal(toBytes(detached).byteLength, 0);
  for (const bad of ['s', 1, null, undefined, {}, [1, 2], new SharedArrayBuffer(4)]) {
    assert.throws(() => toBytes(bad), { name: 'TypeError', message: "The provided value is not of type '(ArrayBuffer or ArrayBufferView)'." });
  }
  assert.throws(() => toBytes(new Int8Array(new SharedArrayBuffer(4))), { message: 'The provided ArrayBufferView value must not be shared.' });
});

test('IP literals and normalisation', () => {
  assert.ok(isIPLiteral('127.0.0.1'));
  assert.ok(isIPLiteral('::1'));
  assert.ok(!isIPLiteral('[::1]'));
  assert.ok(!isIPLiteral('fe80::1%lo'));
  assert.ok(!isIPLiteral('localhost'));
  assert.equal(normalizeIP('0:0:0:0:0:0:0:0'), '::');
  assert.equal(normalizeIP('FF02::1'), 'ff02::1');
});

test('net error mapping follows Chromium', () => {
  const e = (code) => Object.assign(new Error(code), { code });
  assert.deepEqual([openError(e('ECONNREFUSED')).name, openError(e('ECONNREFUSED')).message], ['NetworkError', 'Network Error.']);
  assert.deepEqual([openError(e('EADDRNOTAVAIL')).name, openError(e('EADDRNOTAVAIL')).message], ['DataError', 'The address is not valid.']);
  assert.deepEqual([openError(e('EACCES')).name, openError(e('EACCES')).message], ['InvalidAccessError', 'Access to the requested host or port is blocked.']);
  assert.equal(openError(e('ENOTFOUND')).message, "Hostname couldn't be resolved.");
  assert.equal(streamAbortedError(e('EPIPE')).message, 'Stream aborted by the remote: net::ERR_CONNECTION_RESET');
  assert.equal(streamAbortedError(e('EWHATEVER')).message, 'Stream aborted by the remote: net::ERR_FAILED');
});

test('constructor messages carry Blink\'s "Failed to construct" prefix', () => {
  assert.throws(() => new TCPServerSocket('127.0.0.1', { localPort: 0 }), {
    name: 'TypeError',
    message: "Failed to construct 'TCPServerSocket': localPort must be greater than zero. Leave this field unassigned to allow the OS to pick a port on its own.",
  });
  assert.throws(() => new TCPSocket('h'), { message: "Failed to construct 'TCPSocket': 2 arguments required, but only 1 present." });
  assert.throws(() => new UDPSocket({ remoteAddress: 'h', remotePort: 1, multicastTimeToLive: -1 }), {
    message: "Failed to construct 'UDPSocket': Failed to read the 'multicastTimeToLive' property from 'UDPSocketOptions': Value is outside the 'octet' value range.",
  });
  assert.throws(() => TCPSocket('h', 1), TypeError); // not without `new`
});

test('register.js installs globals only when absent', { timeout: 10000 }, () => {
  const register = fileURLToPath(new URL('../register.js', import.meta.url));
  const out = execFileSync(process.execPath, ['--import', register, '--input-type=module', '-e',
    'console.log(typeof TCPSocket, typeof UDPSocket, typeof TCPServerSocket, typeof MulticastController)']);
  assert.equal(out.toString().trim(), 'function function function function');
  const kept = execFileSync(process.execPath, ['--input-type=module', '-e',
    `globalThis.TCPSocket = 'native'; await import(${JSON.stringify(register)}); console.log(TCPSocket, typeof UDPSocket)`]);
  assert.equal(kept.toString().trim(), 'native function');
});
