#include "fd_table.h"

namespace directsockets {

File* FdTable::get(int fd) const {
  if (fd < 0 || size_t(fd) >= entries_.size())
    return nullptr;
  return entries_[fd].file.get();
}

std::shared_ptr<File> FdTable::share(int fd) const {
  return get(fd) ? entries_[fd].file : nullptr;
}

void FdTable::set(int fd, std::shared_ptr<File> file, bool cloexec) {
  if (size_t(fd) >= entries_.size())
    entries_.resize(fd + 1);
  // The old file (if this was its last fd) closes after the entry is
  // replaced, so nothing it does on closing sees a half-updated table.
  auto old = std::move(entries_[fd].file);
  entries_[fd] = Entry{std::move(file), cloexec};
}

void FdTable::remove(int fd) {
  if (!get(fd))
    return;
  auto old = std::move(entries_[fd].file);
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
