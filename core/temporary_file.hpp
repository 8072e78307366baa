#pragma once
// Files that replace others whole: written under a temporary name beside the final one, then renamed.

#include <string>
#include <utility>

namespace stp::core {

// Creates a file exclusively (O_CREAT|O_EXCL: never through a symlink, never over anything already
// there) beside `path`, named `path` + ".tmp." + six random characters, with the permission bits
// the umask gives new files. Returns its name and an open descriptor; throws std::system_error.
std::pair<std::string, int> create_temporary_beside(const std::string& path);

}  // namespace stp::core
