// pipe() and pipe2(): a read end and a write end, two Files sharing one
// PipeBuffer. Reads and writes follow Linux's pipe_read/pipe_write: a read
// returns what is there (waiting only for the first byte), EOF once the
// write end is gone; a write waits for free slots, EPIPE once the read end
// is gone (no SIGPIPE: there are no signals to deliver).
#pragma once

#include "file.h"
#include "pipe_buffer.h"

#include <memory>
#include <utility>

namespace directsockets {

class PipeEnd : public File {
public:
  // A new pipe: {read end, write end}.
  static std::pair<std::shared_ptr<PipeEnd>, std::shared_ptr<PipeEnd>> create();
  ~PipeEnd() override;

  bool is_read_end() const { return read_end_; }
  int access_mode() const override;
  int poll_events() const override;
  ssize_t read(CoreLock& lock, const iovec* iov, int iovcnt,
               bool nonblock) override;
  ssize_t write(CoreLock& lock, const iovec* iov, int iovcnt,
                bool nonblock) override;
  int bytes_readable(int* n) const override;

  // F_GETPIPE_SZ and F_SETPIPE_SZ: the capacity in bytes, or -errno.
  int capacity() const;
  int set_capacity(unsigned int size);

  struct Shared;
  PipeEnd(std::shared_ptr<Shared> pipe, bool read_end);

private:
  std::shared_ptr<Shared> pipe_;
  const bool read_end_;
};

} // namespace directsockets
