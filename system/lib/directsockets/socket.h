// A TCP or UDP socket: its state machine, buffers and options. One Socket
// stands behind every fd (and every dup of it) that names it; its Direct
// Sockets object lives in the JS bridge under the Socket's id.
//
// Methods are called with the core lock held and return a count or a
// negative errno, as syscalls do. `nonblock` is the caller's O_NONBLOCK /
// MSG_DONTWAIT; a blocking call waits for the bridge's events (blocking.h).
#pragma once

#include "address.h"
#include "blocking.h"
#include "datagram_queue.h"
#include "file.h"
#include "multicast.h"
#include "ring_buffer.h"

#include <sys/socket.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

namespace directsockets {

class Socket : public File {
public:
  enum class State {
    Idle,       // created, no Direct Sockets object yet
    Opening,    // bind/connect constructed one; `opened` pending
    Bound,      // TCP: TCPServerSocket open (bind); UDP: open in bound mode
    Connected,  // TCP: TCPSocket open; UDP: open in connected mode
    Listening,  // TCP: listen() on the open TCPServerSocket
    Failed,     // the object failed to open or broke; error_ says why
    Closed,
  };

  // socket()'s checks of its arguments (type may carry SOCK_NONBLOCK and
  // SOCK_CLOEXEC), in Linux's order: 0 or -errno.
  static int check_args(int family, int type, int protocol);

  Socket(int family, int type, int protocol);
  ~Socket() override;

  uint32_t id() const { return id_; }
  int family() const { return family_; }
  int type() const { return type_; }
  int protocol() const { return protocol_; }
  State state() const { return state_; }
  bool is_stream() const { return type_ == SOCK_STREAM; }

  int bind(CoreLock& lock, const Endpoint& ep);
  int connect(CoreLock& lock, const Endpoint& ep, bool nonblock);
  int listen(CoreLock& lock, int backlog);
  // Takes the next pending connection: the new socket, or null with *err.
  std::shared_ptr<Socket> accept(CoreLock& lock, bool nonblock, int* err);
  int shutdown(int how);
  // Graceful (flushes queued data) unless SO_LINGER with zero timeout.
  void close();

  // Stream and datagram I/O over an iovec list. `to` is the destination of
  // sendto/sendmsg (null: the connected peer); `from` receives the source.
  ssize_t send(CoreLock& lock, const iovec* iov, int iovcnt, int flags,
               const Endpoint* to, bool nonblock);
  ssize_t recv(CoreLock& lock, const iovec* iov, int iovcnt, int flags,
               Endpoint* from, int* msg_flags, bool nonblock);

  int poll_events() const override;
  // FIONREAD: bytes readable (the next datagram's size for UDP).
  int readable_bytes() const;

  // read() and write() are recv() and send() without flags.
  ssize_t read(CoreLock& lock, const iovec* iov, int iovcnt,
               bool nonblock) override;
  ssize_t write(CoreLock& lock, const iovec* iov, int iovcnt,
                bool nonblock) override;
  int bytes_readable(int* n) const override;

  // `lock` lets a multicast membership change wait for the browser's
  // answer; without it (or when the caller cannot block) the change goes on
  // after the call returns and a failure comes through SO_ERROR.
  int setsockopt(int level, int name, const void* value, socklen_t len,
                 CoreLock* lock = nullptr);
  int getsockopt(int level, int name, void* value, socklen_t* len);
  int local_address(Endpoint* ep) const;
  int peer_address(Endpoint* ep) const;

  // Events from the JS bridge (events.cpp).
  void on_open(const Endpoint& local, const Endpoint& remote);
  void on_error(int err);
  void on_sent(size_t n);
  void on_eof();
  // The browser answered the membership call in progress (0 or an errno).
  void on_membership(int err);
  uint8_t* rx_reserve(size_t* len);
  void rx_commit(size_t n);
  uint8_t* datagram_reserve(size_t len);
  void datagram_commit(size_t len, const Endpoint& from);
  // A connection arrived on a listening socket; null when the backlog is full.
  std::shared_ptr<Socket> on_accept(const Endpoint& local,
                                    const Endpoint& remote);

private:
  int take_error();
  // Waits while the Direct Sockets object is opening; then 0 or -errno.
  int wait_opened(CoreLock& lock, bool nonblock, double deadline);
  Endpoint local_request(const Endpoint& ep) const;
  int open_server(CoreLock& lock);
  int open_udp(CoreLock& lock, bool wait);
  void start_listening();
  size_t rx_room() const;
  void maybe_resume_read();
  // Copies (or peeks, or with MSG_TRUNC drops) buffered bytes into the
  // iovecs from byte `offset` of them on; returns the count.
  size_t copy_out(const iovec* iov, int iovcnt, size_t offset, int flags);
  ssize_t send_stream(CoreLock& lock, const iovec* iov, int iovcnt,
                      bool nonblock);
  ssize_t send_datagram(CoreLock& lock, const iovec* iov, int iovcnt,
                        const Endpoint* to, bool nonblock);
  ssize_t recv_stream(CoreLock& lock, const iovec* iov, int iovcnt, int flags,
                      bool nonblock);
  ssize_t recv_datagram(CoreLock& lock, const iovec* iov, int iovcnt,
                        int flags, Endpoint* from, int* msg_flags,
                        bool nonblock);
  int set_buffer(int name, int value);
  int set_ip_option(int level, int name, const void* value, socklen_t len);
  int get_ip_option(int level, int name, void* value, socklen_t* len);
  int change_membership(CoreLock* lock, int level, int name, const void* value,
                        socklen_t len);
  void run_membership_calls();
  void finish_membership_call(int err);
  void drop_membership_calls();
  double rcv_deadline() const { return deadline_after(rcvtimeo_ms_); }
  double snd_deadline() const { return deadline_after(sndtimeo_ms_); }
  size_t send_window() const;
  bool send_space_ready() const;

  const uint32_t id_;
  const int family_, type_, protocol_;
  State state_ = State::Idle;
  int error_ = 0;        // pending SO_ERROR
  bool bound_ = false;   // bind() gave local_
  bool connected_ = false; // connect() gave remote_ (UDP default destination)
  bool listening_ = false; // listen() was called
  // A non-blocking connect completed: the next connect() returns 0 once.
  bool connect_unreported_ = false;
  uint16_t requested_port_ = 0; // the port bind() asked for
  Endpoint local_, remote_;
  Endpoint last_destination_; // of the last datagram handed to the bridge

  bool rd_eof_ = false;   // peer sent FIN
  bool rd_shut_ = false;  // SHUT_RD
  bool wr_shut_ = false;  // SHUT_WR
  bool rx_paused_ = false; // the read pump waits for room
  RingBuffer rx_;          // stream sockets
  DatagramQueue datagrams_; // datagram sockets
  std::vector<uint8_t> staging_; // a datagram being delivered
  size_t in_flight_ = 0;  // bytes handed to the bridge, not yet written
  // A writer or poller found no send space (Linux's SOCK_NOSPACE): only
  // then does a completed write wake anyone.
  mutable bool send_space_wanted_ = false;

  std::deque<std::shared_ptr<Socket>> accept_queue_;
  int backlog_ = 0;

  // Options. Buffer sizes are what getsockopt reports (Linux doubles the
  // request); *_set_ says the program chose them.
  int sndbuf_, rcvbuf_;
  bool sndbuf_set_ = false, rcvbuf_set_ = false;
  bool broadcast_ = false;
  bool reuseaddr_ = false, reuseport_ = false;
  bool keepalive_ = false, nodelay_ = false;
  bool v6only_ = false;
  int keepidle_s_ = 7200, keepintvl_s_ = 75, keepcnt_ = 9;
  linger linger_ = {0, 0};
  double rcvtimeo_ms_ = -1, sndtimeo_ms_ = -1;
  int multicast_ttl_ = 1, multicast_loop_ = 1; // Linux's defaults

  // Multicast memberships as the program asked for them, and the
  // MulticastController calls that carry them out, made one at a time once
  // the UDPSocket is open. A call whose caller waits for it leaves its
  // result in membership_results_; another's failure becomes SO_ERROR.
  struct MembershipOp {
    uint64_t id;
    MembershipCall call;
    bool waited;
  };
  MembershipTable memberships_;
  std::deque<MembershipOp> membership_ops_;
  bool membership_call_running_ = false;
  uint64_t next_membership_op_ = 1;
  std::vector<std::pair<uint64_t, int>> membership_results_;
};

// The socket behind a bridge id, or null once it is gone.
Socket* socket_by_id(uint32_t id);

} // namespace directsockets
