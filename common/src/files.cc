#include "common/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace custodian {
namespace {

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::string Reason(const std::string& path) { return path + ": " + std::strerror(errno); }

}  // namespace

bool WriteNewFile(const std::string& path, std::string_view data, unsigned mode,
                  std::string* error) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    *error = Reason(path);
    return false;
  }
  const bool ok = WriteAll(fd, data) && ::fsync(fd) == 0;
  if (!ok) *error = Reason(path);
  ::close(fd);
  return ok;
}

bool WriteFileAtomically(const std::string& path, std::string_view data, unsigned mode,
                         std::string* error) {
  const std::filesystem::path target(path);
  const std::string temporary = path + ".tmp";
  ::unlink(temporary.c_str());  // left over from a crash
  if (!WriteNewFile(temporary, data, mode, error)) {
    ::unlink(temporary.c_str());
    return false;
  }
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    *error = Reason(path);
    ::unlink(temporary.c_str());
    return false;
  }
  const std::string dir =
      target.has_parent_path() ? target.parent_path().string() : std::string(".");
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0 || ::fsync(dfd) != 0) {
    *error = Reason(dir);
    if (dfd >= 0) ::close(dfd);
    return false;
  }
  ::close(dfd);
  return true;
}

}  // namespace custodian
