// Which fds name sockets. The numbers themselves come from the filesystem's
// fd table (the JS FS allocates them), so sockets, files and pipes never
// collide; this table maps the socket ones to their open file description.
#pragma once

#include "socket.h"

#include <memory>
#include <vector>

namespace directsockets {

// What dup() shares: the socket and its status flags (O_NONBLOCK).
struct OpenFile {
  explicit OpenFile(std::shared_ptr<Socket> s, int flags = 0)
      : socket(std::move(s)), status_flags(flags) {}
  std::shared_ptr<Socket> socket;
  int status_flags;
  bool nonblock() const;
};

class FdTable {
public:
  // The open file behind fd, or null if fd is not a socket of ours.
  OpenFile* get(int fd) const;
  void set(int fd, std::shared_ptr<OpenFile> file, bool cloexec);
  // Forgets fd; the socket closes when its last fd goes.
  void remove(int fd);
  std::shared_ptr<OpenFile> share(int fd) const;
  bool cloexec(int fd) const;
  void set_cloexec(int fd, bool on);

private:
  struct Entry {
    std::shared_ptr<OpenFile> file;
    bool cloexec = false;
  };
  std::vector<Entry> entries_;
};

FdTable& fd_table();

} // namespace directsockets
