#include "fd_table.h"

#include <fcntl.h>

namespace directsockets {

bool OpenFile::nonblock() const { return status_flags & O_NONBLOCK; }

OpenFile* FdTable::get(int fd) const {
  if (fd < 0 || size_t(fd) >= entries_.size())
    return nullptr;
  return entries_[fd].file.get();
}

std::shared_ptr<OpenFile> FdTable::share(int fd) const {
  return get(fd) ? entries_[fd].file : nullptr;
}

void FdTable::set(int fd, std::shared_ptr<OpenFile> file, bool cloexec) {
  if (size_t(fd) >= entries_.size())
    entries_.resize(fd + 1);
  entries_[fd] = Entry{std::move(file), cloexec};
}

void FdTable::remove(int fd) {
  if (get(fd))
    entries_[fd] = Entry{};
}

bool FdTable::cloexec(int fd) const { return get(fd) && entries_[fd].cloexec; }

void FdTable::set_cloexec(int fd, bool on) {
  if (get(fd))
    entries_[fd].cloexec = on;
}

FdTable& fd_table() {
  static FdTable table;
  return table;
}

} // namespace directsockets
