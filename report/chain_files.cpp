#include "report/chain_files.hpp"

#include <cstdio>
#include <filesystem>
#include <system_error>

#include <unistd.h>

#include "core/temporary_file.hpp"

namespace stp::report {
namespace {

std::string errno_text(int error) { return std::generic_category().message(error); }

// All of `text` to `fd`, then closed; the error number, or 0.
int write_and_close(int fd, const std::string& text) {
  int error = 0;
  for (std::size_t done = 0; done < text.size() && error == 0;) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno != EINTR) error = errno;
    if (n == 0) error = EIO;  // no progress: never spin
    if (n > 0) done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0 && error == 0) error = errno;
  return error;
}

}  // namespace

void prepare_chain_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw std::runtime_error(dir + ": cannot create the --save-chains directory" + (ec ? ": " + ec.message() : ""));
  if (::access(dir.c_str(), W_OK) != 0) throw std::runtime_error(dir + ": the --save-chains directory is not writable");
}

SavedChain save_chain(const std::string& dir, const probe::Evidence& evidence, const tls::Assessment& assessment) {
  SavedChain saved;
  if (assessment.chain.empty()) return saved;
  // The host is a validated DNS name or IP literal (letters, digits, '-', '_', '.', ':'): never a path.
  const std::string& host = evidence.target.host;
  saved.path = dir + "/" + host + "_" + std::to_string(evidence.target.port) + ".pem";
  if (host.empty() || host.find('/') != std::string::npos || host.front() == '.') {
    saved.error = "the host '" + host + "' cannot name a file";
    return saved;
  }
  std::string pem;
  for (const auto& certificate : assessment.chain) pem += certificate.pem;
  std::string temporary;
  int fd = -1;
  try {
    std::tie(temporary, fd) = core::create_temporary_beside(saved.path);
  } catch (const std::system_error& e) {
    saved.error = errno_text(e.code().value());
    return saved;
  }
  int error = write_and_close(fd, pem);
  if (error == 0 && std::rename(temporary.c_str(), saved.path.c_str()) != 0) error = errno;
  if (error != 0) {
    std::remove(temporary.c_str());
    saved.error = errno_text(error);
  }
  return saved;
}

}  // namespace stp::report
