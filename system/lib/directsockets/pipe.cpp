#include "pipe.h"

#include "iov.h"

#include <fcntl.h>
#include <poll.h>

#include <bit>
#include <climits>

namespace directsockets {

namespace {
// /proc/sys/fs/pipe-max-size: the most an unprivileged F_SETPIPE_SZ gets.
constexpr unsigned int kMaxPipeSize = 1024 * 1024;
} // namespace

// What both ends share: the buffer, and which ends are still open.
struct PipeEnd::Shared {
  PipeBuffer buffer;
  PipeEnd* reader = nullptr;
  PipeEnd* writer = nullptr;
};

std::pair<std::shared_ptr<PipeEnd>, std::shared_ptr<PipeEnd>>
PipeEnd::create() {
  auto shared = std::make_shared<Shared>();
  auto r = std::make_shared<PipeEnd>(shared, true);
  auto w = std::make_shared<PipeEnd>(shared, false);
  return {r, w};
}

PipeEnd::PipeEnd(std::shared_ptr<Shared> pipe, bool read_end)
    : File(Kind::Pipe), pipe_(std::move(pipe)), read_end_(read_end) {
  (read_end_ ? pipe_->reader : pipe_->writer) = this;
}

PipeEnd::~PipeEnd() {
  // The last fd of one end is gone: the other end sees EOF (POLLHUP) or
  // EPIPE (POLLERR), and whoever waits on it wakes.
  (read_end_ ? pipe_->reader : pipe_->writer) = nullptr;
  if (PipeEnd* other = read_end_ ? pipe_->writer : pipe_->reader)
    other->changed();
}

int PipeEnd::access_mode() const { return read_end_ ? O_RDONLY : O_WRONLY; }

int PipeEnd::poll_events() const {
  const PipeBuffer& buf = pipe_->buffer;
  if (read_end_)
    return (buf.empty() ? 0 : POLLIN) | (pipe_->writer ? 0 : POLLHUP);
  return (buf.full() ? 0 : POLLOUT) | (pipe_->reader ? 0 : POLLERR);
}

int PipeEnd::bytes_readable(int* n) const {
  *n = int(pipe_->buffer.bytes());
  return 0;
}

ssize_t PipeEnd::read(CoreLock& lock, const iovec* iov, int iovcnt,
                      bool nonblock) {
  if (!read_end_)
    return -EBADF;
  size_t want = iov_total(iov, iovcnt);
  if (!want)
    return 0;
  PipeBuffer& buf = pipe_->buffer;
  auto readable = [&] { return !buf.empty() || !pipe_->writer; };
  bool waited = false;
  while (buf.empty()) {
    if (!pipe_->writer)
      return 0; // EOF
    if (nonblock || wait_until(lock, readable, -1))
      return -EAGAIN;
    waited = true;
  }
  bool was_full = buf.full();
  size_t n = buf.read(iov, iovcnt, want);
  // A freed slot lets a writer on; data left after a wait is for the next
  // reader, as Linux's pipe_read wakes them.
  if (was_full && pipe_->writer)
    pipe_->writer->changed(POLLOUT);
  if (waited && !buf.empty())
    changed(POLLIN);
  return ssize_t(n);
}

ssize_t PipeEnd::write(CoreLock& lock, const iovec* iov, int iovcnt,
                       bool nonblock) {
  if (read_end_)
    return -EBADF;
  size_t total = iov_total(iov, iovcnt);
  if (!total)
    return 0;
  if (!pipe_->reader)
    return -EPIPE;
  PipeBuffer& buf = pipe_->buffer;
  auto writable = [&] { return !buf.full() || !pipe_->reader; };
  size_t done = buf.merge(iov, iovcnt, total);
  while (done < total) {
    if (!pipe_->reader)
      break;
    done += buf.fill(iov, iovcnt, done, total);
    if (done == total)
      break;
    // Full: readers get what is there before this write waits for room.
    if (done)
      pipe_->reader->changed(POLLIN);
    if (nonblock || wait_until(lock, writable, -1))
      break;
  }
  if (!done)
    return pipe_->reader ? -EAGAIN : -EPIPE;
  // Linux wakes readers at every write to a pipe someone polls, so an
  // edge-triggered epoll hears of each one.
  if (pipe_->reader)
    pipe_->reader->changed(POLLIN);
  return ssize_t(done);
}

int PipeEnd::capacity() const {
  return int(pipe_->buffer.max_slots() * PipeBuffer::kPageSize);
}

int PipeEnd::set_capacity(unsigned int size) {
  // Linux's round_pipe_size: at least a page, a power of two, at most 2^31.
  if (size > (1u << 31))
    return -EINVAL;
  size_t bytes = size < PipeBuffer::kPageSize ? PipeBuffer::kPageSize
                                              : std::bit_ceil(size);
  size_t slots = bytes / PipeBuffer::kPageSize;
  PipeBuffer& buf = pipe_->buffer;
  if (slots > buf.max_slots() && bytes > kMaxPipeSize)
    return -EPERM;
  if (!buf.set_max_slots(slots))
    return -EBUSY;
  if (pipe_->writer)
    pipe_->writer->changed(POLLOUT);
  return capacity();
}

} // namespace directsockets
