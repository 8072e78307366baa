#include "core/bounded_file.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace stp::core {
namespace {

std::string size_text(std::size_t bytes) {
  if (bytes >= (std::size_t{1} << 20) && bytes % (std::size_t{1} << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::string read_bounded_file(const std::string& path, std::size_t max_bytes) {
  Descriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY)};
  if (file.fd < 0) throw FileError(path, std::generic_category().message(errno));
  struct stat st {};
  if (::fstat(file.fd, &st) == 0 && S_ISDIR(st.st_mode)) throw FileError(path, "is a directory");
  std::string bytes;
  for (;;) {
    std::size_t used = bytes.size();  // at most max_bytes here: there is always room for one more
    std::size_t room = std::min<std::size_t>(std::max<std::size_t>(used, 65536), max_bytes + 1 - used);
    bytes.resize(used + room);
    ssize_t n = ::read(file.fd, bytes.data() + used, room);
    if (n < 0) {
      bytes.resize(used);
      if (errno == EINTR) continue;
      throw FileError(path, std::generic_category().message(errno));
    }
    bytes.resize(used + static_cast<std::size_t>(n));
    if (bytes.size() > max_bytes) throw FileError(path, "larger than " + size_text(max_bytes));
    if (n == 0) break;
  }
  return bytes;
}

bool read_bounded_line(std::istream& in, std::string& line, std::size_t max_bytes) {
  line.clear();
  std::streambuf* buffer = in.rdbuf();
  for (;;) {
    int c = buffer->sbumpc();
    if (c == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      return !line.empty();
    }
    if (c == '\n') return true;
    if (line.size() == max_bytes) throw FileError("", "a line over " + size_text(max_bytes));
    line += static_cast<char>(c);
  }
}

}  // namespace stp::core
