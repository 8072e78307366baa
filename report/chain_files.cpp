#include "report/chain_files.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <unistd.h>

namespace stp::report {

void prepare_chain_directory(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir))
    throw std::runtime_error(dir + ": cannot create the --save-chains directory" + (ec ? ": " + ec.message() : ""));
  if (::access(dir.c_str(), W_OK) != 0) throw std::runtime_error(dir + ": the --save-chains directory is not writable");
}

std::string save_chain(const std::string& dir, const probe::Evidence& evidence, const tls::Assessment& assessment) {
  if (assessment.chain.empty()) return {};
  // The host is a validated DNS name or IP literal: letters, digits, '-', '_', '.', ':' only.
  std::string path = dir + "/" + evidence.target.host + "_" + std::to_string(evidence.target.port) + ".pem";
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    for (const auto& certificate : assessment.chain) out << certificate.pem;
    if (!out) throw std::runtime_error(path + ": cannot write");
  }
  std::filesystem::rename(temporary, path);
  return path;
}

}  // namespace stp::report
