// Which fds name files of the core (sockets, socketpair ends, pipe ends,
// epoll instances). The numbers themselves come from the filesystem's fd
// table (the JS FS allocates them), so they never collide with files and
// TTYs; this table maps the core's ones to their open file description.
#pragma once

#include "file.h"

#include <memory>
#include <vector>

namespace directsockets {

class FdTable {
public:
  // The file behind fd, or null if fd is not one of the core's.
  File* get(int fd) const;
  void set(int fd, std::shared_ptr<File> file, bool cloexec);
  // Forgets fd; the file closes when its last fd goes.
  void remove(int fd);
  std::shared_ptr<File> share(int fd) const;
  bool cloexec(int fd) const;
  void set_cloexec(int fd, bool on);

private:
  struct Entry {
    std::shared_ptr<File> file;
    bool cloexec = false;
  };
  std::vector<Entry> entries_;
};

FdTable& fd_table();

} // namespace directsockets
