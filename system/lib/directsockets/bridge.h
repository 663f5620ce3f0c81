// The interface between the socket core and its JS bridge
// (src/lib/libdirectsockets.js), which owns the Direct Sockets objects.
//
// Imports (_dsock_js_*) start work in JS and return at once; JS reports
// progress by calling the exports (_dsock_on_*, defined in events.cpp), which
// update socket state and wake blocked callers. Sockets are named by a
// numeric id, never by fd: one socket may have several fds (dup).
// Native unit tests link a fake of these imports instead.
#pragma once

#include <stddef.h>
#include <stdint.h>

extern "C" {

// 1 when the Direct Sockets API is present, else 0 (and a clear message is
// printed once).
int _dsock_js_available(void);
// 1 when this build can suspend the caller (JSPI), else 0.
int _dsock_js_can_block(void);

// Constructs the Direct Sockets object; the outcome comes as _dsock_on_open
// or _dsock_on_error. Buffer sizes of 0 mean the API's default. host is an
// address, or a name for the browser to resolve, with dnsQueryType "ipv4"
// when dns_family is 4 and "ipv6" when it is 6 (0: an address).
void _dsock_js_tcp_connect(uint32_t id, const char* host, int port,
                           int send_buffer, int receive_buffer, int no_delay,
                           int keep_alive_ms, int dns_family);
void _dsock_js_tcp_listen(uint32_t id, const char* host, int port, int backlog,
                          int ipv6_only);
// UDP, always in bound mode: the core keeps connect()'s peer itself.
void _dsock_js_udp_open(uint32_t id, const char* local_host, int local_port,
                        int send_buffer, int receive_buffer, int ipv6_only,
                        int reuse_address, int multicast_ttl,
                        int multicast_loop);

// UDP: asks the socket's MulticastController to join (or leave) `group`,
// from `source` only when it is not empty. Returns 0 when the call started
// (its outcome comes as _dsock_on_membership) or -errno when it cannot be
// made: EACCES without a MulticastController (no permission for multicast),
// ENOPROTOOPT when the browser has no source-specific multicast.
int _dsock_js_membership(uint32_t id, int join, const char* group,
                         const char* source);

// Starts writing len bytes; completion comes as _dsock_on_sent or
// _dsock_on_error. The bridge copies buf before it returns, or, when `owned`
// (a worker's call, which does not wait for the main thread), frees it.
void _dsock_js_send(uint32_t id, const void* buf, size_t len, int owned);
// UDP: sends one datagram to host:port; an empty host means the last
// destination given. When `owned`, host lies in the block buf starts. A
// name in host is resolved by the browser, as dns_family says (see above).
void _dsock_js_send_to(uint32_t id, const void* buf, size_t len,
                       const char* host, int port, int owned, int dns_family);
// The least send window a stream socket gets, whatever SO_SNDBUF says (0:
// none). In the browser, writes must be able to outgrow Chromium's 64 KiB
// TCP pipe (docs/chromium-tcp-send-loss.md). Read once per process.
size_t _dsock_js_min_stream_window(void);
// TCP: closes the writable side once queued writes are done (FIN).
void _dsock_js_shutdown_write(uint32_t id);
// The core has room again after the read pump was told there was none.
void _dsock_js_resume_read(uint32_t id);
// Releases the socket; `abort` discards unsent data (SO_LINGER 0).
void _dsock_js_close(uint32_t id, int abort);

// The filesystem's fd table: a new stream for a file of the core (a socket,
// pipe end or epoll instance) whose fstat() gives `mode`; its fd or -errno.
int _dsock_js_fd_open(int mode);

// The JS filesystem's own implementations, for fds that are not the core's
// (and to release the core's fds). Return values are theirs: -errno for
// syscalls, a WASI errno for fd_*.
int _dsock_js_fs_fd_read(int fd, const void* iov, size_t iovcnt, size_t* nread);
int _dsock_js_fs_fd_write(int fd, const void* iov, size_t iovcnt,
                          size_t* nwritten);
int _dsock_js_fs_fd_close(int fd);
int _dsock_js_fs_fcntl64(int fd, int cmd, void* varargs);
int _dsock_js_fs_ioctl(int fd, int op, void* varargs);
int _dsock_js_fs_dup(int fd);
int _dsock_js_fs_dup3(int fd, int newfd, int flags);

// Waits for _dsock_js_wake or timeout_ms (negative: forever); also wakes when
// one of the JS filesystem's fds in watch[0..nwatch) changes readiness.
void _dsock_js_wait(double timeout_ms, const int* watch, int nwatch);
void _dsock_js_wake(void);
// Readiness of an fd of the JS filesystem, computed there.
int _dsock_js_poll_fd(int fd, int events);

// Exports the bridge calls.
void _dsock_on_open(uint32_t id, const char* local_host, int local_port,
                    const char* remote_host, int remote_port);
void _dsock_on_error(uint32_t id, int err);
void _dsock_on_sent(uint32_t id, size_t n);
void _dsock_on_eof(uint32_t id);
void _dsock_on_membership(uint32_t id, int err);
uint8_t* _dsock_on_rx_reserve(uint32_t id, size_t* len);
void _dsock_on_rx_commit(uint32_t id, size_t n);
uint8_t* _dsock_on_datagram_reserve(uint32_t id, size_t len);
void _dsock_on_datagram_commit(uint32_t id, size_t len, const char* host,
                               int port);
uint32_t _dsock_on_accept(uint32_t listener, const char* local_host,
                          int local_port, const char* remote_host,
                          int remote_port);
}
