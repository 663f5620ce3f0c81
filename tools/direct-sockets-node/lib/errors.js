// Errors as Chromium's Direct Sockets implementation reports them.
//
// Chromium funnels every OS failure through a net::Error code
// (net/base/net_errors_posix.cc MapSystemError) and then either
//  - rejects `opened` with Socket::CreateDOMExceptionFromNetErrorCode()
//    (third_party/blink/renderer/modules/direct_sockets/socket.cc), or
//  - errors a stream with NetworkError "Stream aborted by the remote: net::ERR_X"
//    (tcp_*_stream_wrapper.cc, udp_*_stream_wrapper.cc), or
//    "Server socket closed: net::ERR_X" (tcp_server_readable_stream_wrapper.cc).
// We do the same: node's errno string -> net error name -> DOMException.

// errno (as node reports it in err.code) -> net error name.
const ERRNO_TO_NET = {
  ECONNRESET: 'ERR_CONNECTION_RESET',
  ENETRESET: 'ERR_CONNECTION_RESET',
  EPIPE: 'ERR_CONNECTION_RESET',
  ECONNABORTED: 'ERR_CONNECTION_ABORTED',
  ECONNREFUSED: 'ERR_CONNECTION_REFUSED',
  EHOSTUNREACH: 'ERR_ADDRESS_UNREACHABLE',
  EHOSTDOWN: 'ERR_ADDRESS_UNREACHABLE',
  ENETUNREACH: 'ERR_ADDRESS_UNREACHABLE',
  ENETDOWN: 'ERR_INTERNET_DISCONNECTED',
  EADDRNOTAVAIL: 'ERR_ADDRESS_INVALID',
  EADDRINUSE: 'ERR_ADDRESS_IN_USE',
  EMSGSIZE: 'ERR_MSG_TOO_BIG',
  ENOTCONN: 'ERR_SOCKET_NOT_CONNECTED',
  EACCES: 'ERR_ACCESS_DENIED',
  EPERM: 'ERR_ACCESS_DENIED',
  ETIMEDOUT: 'ERR_TIMED_OUT',
  EINVAL: 'ERR_INVALID_ARGUMENT',
  ENOBUFS: 'ERR_NO_BUFFER_SPACE',
  // DNS failures reported by node:dns.
  ENOTFOUND: 'ERR_NAME_NOT_RESOLVED',
  ENODATA: 'ERR_NAME_NOT_RESOLVED',
  EAI_AGAIN: 'ERR_NAME_NOT_RESOLVED',
  EAI_FAIL: 'ERR_NAME_NOT_RESOLVED',
  EAI_NONAME: 'ERR_NAME_NOT_RESOLVED',
};

export function netErrorOf(err) {
  if (err && typeof err.netError === 'string') return err.netError;
  const code = err && err.code;
  return ERRNO_TO_NET[code] || 'ERR_FAILED';
}

// An Error carrying a net error name; used for failures we detect ourselves.
export function netError(name) {
  const e = new Error(`net::${name}`);
  e.netError = name;
  return e;
}

// socket.cc CreateDOMExceptionCodeAndMessageFromNetErrorCode().
const OPEN_ERRORS = {
  ERR_NAME_NOT_RESOLVED: ['NetworkError', "Hostname couldn't be resolved."],
  ERR_INVALID_URL: ['DataError', 'Supplied url is not valid.'],
  ERR_UNEXPECTED: ['UnknownError', 'Unexpected error occured.'],
  ERR_ACCESS_DENIED: ['InvalidAccessError', 'Access to the requested host or port is blocked.'],
  ERR_NETWORK_ACCESS_DENIED: ['InvalidAccessError', 'Firewall error.'],
  ERR_NOT_IMPLEMENTED: ['NotSupportedError', 'This operation is not supported on the current platform.'],
  ERR_SOCKET_NOT_CONNECTED: ['InvalidStateError', 'The socket is not in a state that allows this operation.'],
  ERR_ADDRESS_INVALID: ['DataError', 'The address is not valid.'],
};

export function openError(err) {
  const [name, message] = OPEN_ERRORS[netErrorOf(err)] || ['NetworkError', 'Network Error.'];
  return new DOMException(message, name);
}

export function streamAbortedError(err) {
  return new DOMException(`Stream aborted by the remote: net::${netErrorOf(err)}`, 'NetworkError');
}

export function serverClosedError(err) {
  return new DOMException(`Server socket closed: net::${netErrorOf(err)}`, 'NetworkError');
}

export function invalidState(context, message) {
  return new DOMException(context + message, 'InvalidStateError');
}

// The reason socket.close() cancels/aborts its streams with (tcp_socket.cc).
export function streamClosedReason() {
  return new DOMException('Stream closed.', 'AbortError');
}

// Chromium leaves `closed` handled (socket.cc) so that a rejection is not
// reported. We do the same for `opened`: in Node an unhandled rejection kills
// the process, in a browser it only logs.
export function handledPromise() {
  let resolve, reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => {});
  return { promise, resolve, reject };
}
