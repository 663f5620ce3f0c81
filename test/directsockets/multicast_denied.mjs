// Preloaded (after direct-sockets-node's register.js) by the multicast_denied
// test: makes UDPSocket behave as Chromium's does where the app lacks the
// direct-sockets-multicast permission (udp_socket.cc): the constructor
// refuses the multicast options with NotAllowedError, and an opened socket
// has no multicastController.
const Granted = globalThis.UDPSocket;
const MULTICAST_OPTIONS = ['multicastTimeToLive', 'multicastLoopback', 'multicastAllowAddressSharing'];

globalThis.UDPSocket = class UDPSocket extends Granted {
  constructor(options) {
    if (options && MULTICAST_OPTIONS.some((name) => options[name] !== undefined)) {
      throw new DOMException("Failed to construct 'UDPSocket': Cannot use Multicast options if permission " +
                             "policy 'direct-sockets-multicast' is absent.", 'NotAllowedError');
    }
    super(options);
  }

  get opened() {
    return super.opened.then(({ multicastController, ...info }) => info);
  }
};
