// One end of socketpair(AF_UNIX, ...): a connected pair of sockets inside
// the process, SOCK_STREAM, SOCK_DGRAM or SOCK_SEQPACKET, with the
// semantics of Linux's af_unix: data queues at the receiving end and is
// charged to the sender's SO_SNDBUF; closing one end gives the other EOF
// and EPIPE (stream, seqpacket; ECONNRESET first if it left data unread),
// or ECONNREFUSED on its next send (datagram).
//
// There is no AF_UNIX namespace: bind() and connect() to a path fail (see
// bind()), and ancillary data (SCM_RIGHTS) is not carried.
#pragma once

#include "file.h"
#include "message_queue.h"

#include <sys/socket.h>

#include <memory>
#include <utility>

namespace directsockets {

class LocalSocket : public File {
public:
  // socketpair()'s checks for AF_UNIX (type without flags): 0 or -errno.
  static int check_args(int type, int protocol);
  // A connected pair; SOCK_RAW makes a datagram pair, as on Linux.
  static std::pair<std::shared_ptr<LocalSocket>, std::shared_ptr<LocalSocket>>
  create_pair(int type);

  explicit LocalSocket(int type);
  ~LocalSocket() override;

  int type() const { return type_; }

  // send/sendto/sendmsg; `name` is the destination address if one was given.
  ssize_t send(CoreLock& lock, const iovec* iov, int iovcnt, int flags,
               const sockaddr* name, socklen_t namelen, bool nonblock);
  // recv/recvfrom/recvmsg; *msg_flags gets MSG_TRUNC.
  ssize_t recv(CoreLock& lock, const iovec* iov, int iovcnt, int flags,
               int* msg_flags, bool nonblock);
  int shutdown(int how);
  // bind() needs a name in the AF_UNIX namespace, which does not exist
  // here: a valid address gets EOPNOTSUPP.
  int bind(const sockaddr* addr, socklen_t len);
  int connect(const sockaddr* addr, socklen_t len);
  int listen();
  int accept_error() const;
  // getsockname/getpeername: an unnamed AF_UNIX address.
  int name(sockaddr* addr, socklen_t* len, bool peer) const;
  int setsockopt(int level, int name, const void* value, socklen_t len);
  int getsockopt(int level, int name, void* value, socklen_t* len);

  int poll_events() const override;
  ssize_t read(CoreLock& lock, const iovec* iov, int iovcnt,
               bool nonblock) override;
  ssize_t write(CoreLock& lock, const iovec* iov, int iovcnt,
                bool nonblock) override;
  int bytes_readable(int* n) const override;

private:
  static constexpr int kRcvShutdown = 1, kSendShutdown = 2;

  bool is_stream() const { return type_ == SOCK_STREAM; }
  bool is_datagram() const { return type_ == SOCK_DGRAM; }
  // Bytes this end has queued at its peer (its SO_SNDBUF charge).
  size_t charge() const;
  // Linux's unix_writable: POLLOUT while at most a quarter of SO_SNDBUF is
  // charged.
  bool writable() const { return charge() * 4 <= size_t(sndbuf_); }
  // The peer took pieces this end sent: blocked senders and epoll hear.
  void room_made();
  int take_error();
  int check_destination(const sockaddr* name, socklen_t namelen) const;
  ssize_t send_stream(CoreLock& lock, const iovec* iov, int iovcnt,
                      bool nonblock);
  ssize_t send_message(CoreLock& lock, const iovec* iov, int iovcnt,
                       bool nonblock);
  ssize_t recv_stream(CoreLock& lock, const iovec* iov, int iovcnt, int flags,
                      bool nonblock);
  ssize_t recv_message(CoreLock& lock, const iovec* iov, int iovcnt, int flags,
                       int* msg_flags, bool nonblock);
  // Drops the association after the peer is found gone (datagram).
  void disconnect();

  const int type_;
  LocalSocket* other_ = nullptr; // the other end, while it is open
  bool connected_ = true;        // sends go to other_ (datagram: until lost)
  bool peer_closed_ = false;     // the other end was closed
  int shutdown_ = 0;             // kRcvShutdown | kSendShutdown
  int error_ = 0;                // pending SO_ERROR
  MessageQueue rx_;              // what the peer sent

  // Options (Linux's defaults for AF_UNIX).
  int sndbuf_ = 212992, rcvbuf_ = 212992;
  double rcvtimeo_ms_ = -1, sndtimeo_ms_ = -1;
  bool reuseaddr_ = false, keepalive_ = false, broadcast_ = false;
  linger linger_ = {0, 0};
};

} // namespace directsockets
