#include "core/temporary_file.hpp"

#include <cerrno>
#include <cstdlib>
#include <system_error>

#include <fcntl.h>
#include <sys/stat.h>

namespace stp::core {
namespace {

// 0666 less the umask, read back at once (the umask is process-wide; nothing else sets it).
mode_t new_file_mode() {
  mode_t mask = ::umask(022);
  ::umask(mask);
  return 0666 & ~mask;
}

}  // namespace

std::pair<std::string, int> create_temporary_beside(const std::string& path) {
  std::string name = path + ".tmp.XXXXXX";
  int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0) throw std::system_error(errno, std::generic_category());
  // mkstemp's 0600 would hide a report meant for others (node_exporter's textfile collector).
  ::fchmod(fd, new_file_mode());
  return {name, fd};
}

}  // namespace stp::core
