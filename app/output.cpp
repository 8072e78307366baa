#include "app/output.hpp"

#include <cerrno>
#include <cstdlib>
#include <system_error>
#include <tuple>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "probe/target_source.hpp"
#include "core/temporary_file.hpp"

namespace stp::app {
namespace {

bool names_stdout(const std::string& path) { return path == "-" || path == "/dev/stdout" || path == "/dev/fd/1"; }

std::string errno_text(int error) { return std::generic_category().message(error); }

}  // namespace

Output::Output(const std::optional<std::string>& path) {
  if (!path || names_stdout(*path)) return;
  stream_ = false;
  struct stat target {}, node {};
  bool exists = ::stat(path->c_str(), &target) == 0;
  bool is_link = ::lstat(path->c_str(), &node) == 0 && S_ISLNK(node.st_mode);
  if (exists && S_ISDIR(target.st_mode)) throw probe::InputError(*path + ": is a directory (-o takes a file name)");
  // The system's own links to streams (/dev/stderr, /dev/fd/N, /proc/self/fd/N) lead to what they
  // name; any other symlink is replaced like a file, never written through.
  bool system_link = path->rfind("/dev/", 0) == 0 || path->rfind("/proc/", 0) == 0;
  if (exists && !S_ISREG(target.st_mode) && (!is_link || system_link)) {
    if (S_ISBLK(target.st_mode)) throw probe::InputError(*path + ": is a block device: a report is never written to a disk");
    // A FIFO or a character device (/dev/null, a terminal): written to as it is, never replaced.
    int fd = ::open(path->c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
    file_ = fd < 0 ? nullptr : ::fdopen(fd, "w");
    if (file_ == nullptr) {
      int error = errno;
      if (fd >= 0) ::close(fd);
      throw probe::InputError(*path + ": cannot write: " + errno_text(error));
    }
    stream_ = true;
    return;
  }
  // A regular file, a symlink (replaced like a file, never written through) or a new name.
  int fd = -1;
  try {
    std::tie(temporary_, fd) = core::create_temporary_beside(*path);
  } catch (const std::system_error& e) {
    throw probe::InputError(*path + ": cannot write: " + errno_text(e.code().value()));
  }
  file_ = ::fdopen(fd, "w");
  if (file_ == nullptr) {
    int error = errno;
    ::close(fd);
    std::remove(temporary_.c_str());
    throw probe::InputError(*path + ": cannot write: " + errno_text(error));
  }
  path_ = path;
}

Output::~Output() {
  if (file_ == nullptr || file_ == stdout) return;
  std::fclose(file_);
  if (path_) std::remove(temporary_.c_str());
}

void Output::write(std::string_view text) {
  // Streams are flushed at once, for whoever reads them; the temporary file is only read after the
  // rename, so it is written in whole buffers.
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() || (stream_ && std::fflush(file_) != 0)) {
    if (errno == EPIPE) throw OutputClosed();
    throw std::runtime_error(std::string("writing the report: ") + errno_text(errno));
  }
}

void Output::finish() {
  if (!path_) {
    if (file_ != stdout && std::fflush(file_) != 0) throw std::runtime_error("writing the report: " + errno_text(errno));
    return;
  }
  bool ok = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || std::rename(temporary_.c_str(), path_->c_str()) != 0) {
    int error = errno;
    std::remove(temporary_.c_str());
    throw std::runtime_error(*path_ + ": cannot write: " + errno_text(error));
  }
  path_.reset();
}

}  // namespace stp::app
