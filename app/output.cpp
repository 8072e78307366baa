#include "app/output.hpp"

#include <system_error>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <unistd.h>

#include "probe/target_source.hpp"

namespace stp::app {

Output::Output(const std::optional<std::string>& path) : path_(path) {
  if (!path_) return;
  temporary_ = *path_ + ".tmp." + std::to_string(::getpid());
  file_ = std::fopen(temporary_.c_str(), "w");
  if (file_ == nullptr) throw probe::InputError(*path_ + ": cannot write: " + std::generic_category().message(errno));
}

Output::~Output() {
  if (path_ && file_ != nullptr) {
    std::fclose(file_);
    std::remove(temporary_.c_str());
  }
}

void Output::write(std::string_view text) {
  // Standard output is flushed at once, for whoever reads the stream; the temporary file is only
  // read after the rename, so it is written in whole buffers.
  bool flush = !path_;
  if (std::fwrite(text.data(), 1, text.size(), file_) != text.size() || (flush && std::fflush(file_) != 0)) {
    if (errno == EPIPE) throw OutputClosed();
    throw std::runtime_error(std::string("writing the report: ") + std::generic_category().message(errno));
  }
}

void Output::finish() {
  if (!path_) return;
  bool ok = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!ok || std::rename(temporary_.c_str(), path_->c_str()) != 0) {
    std::remove(temporary_.c_str());
    throw std::runtime_error(*path_ + ": cannot write: " + std::generic_category().message(errno));
  }
}

}  // namespace stp::app
