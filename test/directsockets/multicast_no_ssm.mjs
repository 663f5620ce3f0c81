// Preloaded (after direct-sockets-node's register.js) by the
// multicast_no_ssm test: makes MulticastController behave as Chromium 156's
// does without its SourceSpecificMulticastInDirectSockets feature, where
// joinGroup and leaveGroup never read their options' sourceAddress (so a
// source-specific join would be an any-source one). This one joins nothing:
// a call that gets past the bridge is refused.
const Granted = globalThis.UDPSocket;

class AnySourceOnly {
  joinGroup(ipAddress) {
    return Promise.reject(new DOMException(`test: joinGroup(${ipAddress}) should not be called`, 'NotAllowedError'));
  }

  leaveGroup(ipAddress) {
    return Promise.reject(new DOMException(`test: leaveGroup(${ipAddress}) should not be called`, 'NotAllowedError'));
  }

  get joinedGroups() {
    return Object.freeze([]);
  }
}

globalThis.UDPSocket = class UDPSocket extends Granted {
  get opened() {
    return super.opened.then((info) => ({ ...info, multicastController: new AnySourceOnly() }));
  }
};
