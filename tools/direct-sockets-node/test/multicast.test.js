// MulticastController. Checks that need no membership run here; those that
// join groups run in a network namespace of their own (multicast-netns.mjs
// under `unshare --net`, as root), on a veth pair there, so no membership
// report leaves the machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UDPSocket } from '../index.js';
import { T } from '../test-support.js';

const PREFIX = "Failed to execute 'joinGroup' on 'MulticastController': ";

test('joinGroup / leaveGroup validate as Chromium does, before any join', T, async () => {
  const u = new UDPSocket({ localAddress: '127.0.0.1' });
  const { multicastController: mc } = await u.opened;
  const cases = [
    [mc.joinGroup(''), 'TypeError', 'ipAddress must not be empty'],
    [mc.joinGroup('not an ip'), 'TypeError', 'ipAddress is not a valid IPv4 or IPv6 address'],
    [mc.joinGroup('10.0.0.1'), 'TypeError', 'ipAddress must be a valid multicast address'],
    [mc.joinGroup('239.1.1.1', { sourceAddress: '' }), 'TypeError', 'sourceAddress must not be empty'],
    [mc.joinGroup('239.1.1.1', { sourceAddress: 'x' }), 'TypeError', 'sourceAddress is not a valid IPv4 or IPv6 address'],
    [mc.joinGroup('239.1.1.1', { sourceAddress: '239.1.1.2' }), 'TypeError',
      'sourceAddress must be a unicast address, not a multicast address'],
    [mc.joinGroup('239.1.1.1', { sourceAddress: '0.0.0.0' }), 'TypeError',
      'sourceAddress must not be the zero address (0.0.0.0 or ::)'],
    [mc.joinGroup('239.1.1.1', { sourceAddress: '::1' }), 'TypeError', 'sourceAddress and ipAddress must be the same IP version'],
    [mc.joinGroup('239.1.1.1', 5), 'TypeError', "The provided value is not of type 'MulticastGroupOptions'."],
  ];
  for (const [promise, name, message] of cases) {
    await assert.rejects(promise, { name, message: PREFIX + message });
  }
  await assert.rejects(mc.leaveGroup('239.1.1.1'), {
    name: 'InvalidStateError',
    message: "Failed to execute 'leaveGroup' on 'MulticastController': Cannot leave group which is not joined",
  });
  assert.deepEqual(mc.joinedGroups, []);
  assert.ok(Object.isFrozen(mc.joinedGroups));
  await u.close();
  await assert.rejects(mc.joinGroup('239.1.1.1'), { name: 'InvalidStateError', message: PREFIX + 'Cannot join group if the socket is not opened' });
});

test('the options dictionary is read before the method runs (as Blink binds it)', T, async () => {
  // Socket.IWA's bridge relies on this to learn whether sourceAddress is
  // supported: Chromium reads the member only with its feature enabled.
  const u = new UDPSocket({ localAddress: '127.0.0.1' });
  const { multicastController: mc } = await u.opened;
  let read = false;
  await assert.rejects(mc.joinGroup('', { get sourceAddress() { read = true; return ''; } }), { name: 'TypeError' });
  assert.ok(read);
  await u.close();
});

test('closing the socket rejects the calls still pending', T, async () => {
  const u = new UDPSocket({ localAddress: '127.0.0.1' });
  const { multicastController: mc } = await u.opened;
  const joining = mc.joinGroup('239.1.1.1'); // answered on a later task: not yet made
  await u.close();
  await assert.rejects(joining, { name: 'AbortError', message: 'Socket closed.' });
  assert.deepEqual(mc.joinedGroups, []);
});

test('joins, leaves and receives in a network namespace of its own', { timeout: 30000 }, () => {
  const child = fileURLToPath(new URL('multicast-netns.mjs', import.meta.url));
  // A veth pair with two addresses on one end, where multicast is routed.
  const setup = 'ip link set lo up && ip link add mc0 type veth peer name mc1 && ip link set mc0 up && ' +
    'ip link set mc1 up && ip addr add 10.8.0.1/24 dev mc0 && ip addr add 10.8.0.2/24 dev mc0 && ' +
    'ip route add 224.0.0.0/4 dev mc0 && exec "$0" "$1"';
  const r = spawnSync('unshare', ['--net', 'sh', '-c', setup, process.execPath, child], { encoding: 'utf8', timeout: 25000 });
  assert.equal(r.status, 0,
    `could not run the multicast checks in a network namespace (they need root, unshare and ip): ` +
    `${r.error ?? ''}\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /^multicast-netns: ok$/m, r.stdout + r.stderr);
});
