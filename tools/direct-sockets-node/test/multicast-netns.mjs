// Run by multicast.test.js in a network namespace of its own, where
// 224.0.0.0/4 is routed to a veth (mc0: 10.8.0.1 and 10.8.0.2): real joins
// and leaves, and what they let in.
// Prints "multicast-netns: ok" when every check holds; exits 1 otherwise.
import assert from 'node:assert/strict';
import { UDPSocket } from '../index.js';

const within = (promise, ms) =>
  Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(null), ms))]);

async function receiver(port) {
  const u = new UDPSocket({ localAddress: '0.0.0.0', localPort: port, multicastAllowAddressSharing: true });
  const info = await u.opened;
  return { u, mc: info.multicastController, reader: info.readable.getReader() };
}

async function sendTo(group, port, text, options = {}) {
  const u = new UDPSocket({ localAddress: '10.8.0.1', ...options });
  const { writable } = await u.opened;
  const w = writable.getWriter();
  await w.write({ data: new TextEncoder().encode(text), remoteAddress: group, remotePort: port });
  await w.close(); // once the datagram is sent
  w.releaseLock();
  await u.close();
}

async function next(reader, ms = 500) {
  const r = await within(reader.read(), ms);
  return r && new TextDecoder().decode(r.value.data);
}

const invalidState = (message) => ({ name: 'InvalidStateError', message: new RegExp(message) });

// Join, receive, duplicate join, leave, no longer receive.
{
  const { u, mc, reader } = await receiver(45001);
  const joining = mc.joinGroup('239.7.7.7');
  await assert.rejects(mc.joinGroup('239.7.7.7'), invalidState('Already joining this group/source combination'));
  await joining;
  assert.deepEqual(mc.joinedGroups, ['239.7.7.7']);
  await assert.rejects(mc.joinGroup('239.7.7.7'), invalidState('Cannot join the same group/source combination again'));
  await assert.rejects(mc.joinGroup('239.7.7.7', { sourceAddress: '10.8.0.1' }),
    invalidState('Cannot join SSM group for which ASM membership already exists'));
  await sendTo('239.7.7.7', 45001, 'joined');
  assert.equal(await next(reader), 'joined');
  const leaving = mc.leaveGroup('239.7.7.7');
  await assert.rejects(mc.leaveGroup('239.7.7.7'), invalidState('Already leaving the group'));
  await leaving;
  assert.deepEqual(mc.joinedGroups, []);
  await sendTo('239.7.7.7', 45001, 'left');
  assert.equal(await next(reader, 300), null);
  // An IPv6 group on an IPv4 socket: the network service's refusal.
  await assert.rejects(mc.joinGroup('ff15::7'), { name: 'DataError', message: 'The address is not valid.' });
  reader.releaseLock();
  await u.close();
}

// Source-specific: datagrams from the source only.
{
  const { u, mc, reader } = await receiver(45002);
  await mc.joinGroup('232.7.7.7', { sourceAddress: '10.8.0.2' });
  assert.deepEqual(mc.joinedGroups, [{ groupAddress: '232.7.7.7', sourceAddress: '10.8.0.2' }]);
  await assert.rejects(mc.joinGroup('232.7.7.7'), invalidState('Cannot join ASM group for which SSM membership already exists'));
  await sendTo('232.7.7.7', 45002, 'from 10.8.0.1');
  await sendTo('232.7.7.7', 45002, 'from 10.8.0.2', { localAddress: '10.8.0.2' });
  assert.equal(await next(reader), 'from 10.8.0.2');
  assert.equal(await next(reader, 300), null);
  await assert.rejects(mc.leaveGroup('232.7.7.7'), invalidState('Cannot leave group which is not joined'));
  await mc.leaveGroup('232.7.7.7', { sourceAddress: '10.8.0.2' });
  assert.deepEqual(mc.joinedGroups, []);
  reader.releaseLock();
  await u.close();
}

// Loopback off on the sender: its own host does not get the datagram.
{
  const { u, mc, reader } = await receiver(45003);
  await mc.joinGroup('239.7.7.8');
  await sendTo('239.7.7.8', 45003, 'looped off', { multicastLoopback: false });
  await sendTo('239.7.7.8', 45003, 'looped');
  assert.equal(await next(reader), 'looped');
  reader.releaseLock();
  await u.close();
}

console.log('multicast-netns: ok');
process.exit(0);
