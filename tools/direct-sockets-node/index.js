// Direct Sockets API for Node.js: https://wicg.github.io/direct-sockets/
//
// TCPSocket, UDPSocket and TCPServerSocket as Chromium ships them (errors,
// messages, validation), built on node:net / node:dgram and WHATWG streams.
// One concern per file under lib/; see README.md for the design and for where
// this package deliberately differs from Chromium.

export { TCPSocket } from './lib/tcp_socket.js';
export { TCPServerSocket } from './lib/tcp_server_socket.js';
export { UDPSocket } from './lib/udp_socket.js';
export { MulticastController } from './lib/multicast_controller.js';
