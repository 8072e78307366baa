#include "probe/target_source.hpp"

#include <system_error>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <sys/stat.h>

#include "core/text.hpp"

namespace stp::probe {

TargetSource::TargetSource(std::vector<Target> listed, std::optional<std::string> targets_file,
                           std::optional<std::string> default_fqdn)
    : listed_(std::move(listed)),
      targets_file_(std::move(targets_file)),
      default_fqdn_(std::move(default_fqdn)) {
  if (default_fqdn_ && !is_dns_name(*default_fqdn_))
    throw InputError("--fqdn '" + *default_fqdn_ + "' is not a DNS name");
}

TargetSource::~TargetSource() { std::free(line_buffer_); }

std::optional<Target> TargetSource::read_file_target(std::size_t& line_number) {
  for (;;) {
    ssize_t length = ::getline(&line_buffer_, &line_capacity_, file_.get());
    if (length < 0) {
      if (std::ferror(file_.get()))
        throw InputError(*targets_file_ + ": cannot read: " + std::generic_category().message(errno));
      return std::nullopt;
    }
    ++line_number;
    std::string_view line(line_buffer_, static_cast<std::size_t>(length));
    if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF, as Windows writes
    if (line_number == 1 && line.substr(0, 3) == "\xEF\xBB\xBF") line.remove_prefix(3);  // UTF-8's BOM
    try {
      if (auto target = parse_target_line(line)) return target;
    } catch (const TargetError& e) {
      std::string name = *targets_file_ == "-" ? "<stdin>" : *targets_file_;
      throw InputError(name + ":" + std::to_string(line_number) + ": " + e.what());
    }
  }
}

// UTF-16 with a BOM (PowerShell 5.1's `>`, Notepad's "Unicode") is read whole and rewritten as
// UTF-8 into an unnamed temporary file, which is then read like any other.
void TargetSource::transcode_utf16() {
  unsigned char head[2] = {0, 0};
  std::size_t got = std::fread(head, 1, 2, file_.get());
  std::rewind(file_.get());
  bool little = got == 2 && head[0] == 0xFF && head[1] == 0xFE, big = got == 2 && head[0] == 0xFE && head[1] == 0xFF;
  if (!little && !big) return;
  std::string bytes;
  char chunk[65536];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, file_.get())) > 0) bytes.append(chunk, n);
  std::string name = *targets_file_ == "-" ? "<stdin>" : *targets_file_;
  std::size_t bad_at = 0;
  std::optional<std::string> text = core::utf16_to_utf8(std::string_view(bytes).substr(2), little, &bad_at);
  if (!text) throw InputError(name + ": not valid UTF-16 (at byte " + std::to_string(bad_at + 2) + ")");
  const std::string converted = std::move(*text);
  std::unique_ptr<std::FILE, FileCloser> utf8(std::tmpfile());
  std::size_t written = utf8 ? std::fwrite(converted.data(), 1, converted.size(), utf8.get()) : 0;
  if (!utf8 || written != converted.size())
    throw InputError(std::string("cannot create a temporary file: ") + std::generic_category().message(errno));
  std::rewind(utf8.get());
  file_ = std::move(utf8);
}

std::vector<Target> TargetSource::parse_arguments(const std::vector<std::string>& arguments) {
  std::vector<Target> targets;
  for (const auto& argument : arguments) {
    try {
      targets.push_back(parse_target(argument));
    } catch (const TargetError& e) {
      throw InputError(std::string("target: ") + e.what());
    }
  }
  return targets;
}

std::size_t TargetSource::check() {
  std::size_t count = 0;
  std::size_t position = 0;
  auto counted = [&] { return position++ % shard_n_ == shard_k_; };
  for (std::size_t i = 0; i < listed_.size(); ++i) count += counted();
  if (targets_file_) {
    if (*targets_file_ == "-") {
      // Spool stdin so that it is checked whole before probing and then streamed.
      file_.reset(std::tmpfile());
      if (!file_) throw InputError(std::string("cannot create a temporary file: ") + std::generic_category().message(errno));
      char chunk[65536];
      std::size_t n = 0;
      while ((n = std::fread(chunk, 1, sizeof chunk, stdin)) > 0)
        if (std::fwrite(chunk, 1, n, file_.get()) != n)
          throw InputError(std::string("cannot spool standard input: ") + std::generic_category().message(errno));
    } else {
      struct stat st {};
      if (::stat(targets_file_->c_str(), &st) == 0 && S_ISDIR(st.st_mode))
        throw InputError(*targets_file_ + ": is a directory, not a targets file");
      file_.reset(std::fopen(targets_file_->c_str(), "r"));
      if (!file_) throw InputError(*targets_file_ + ": " + std::generic_category().message(errno));
    }
    std::rewind(file_.get());
    transcode_utf16();
    std::size_t line_number = 0;
    while (read_file_target(line_number)) count += counted();
    std::rewind(file_.get());
  }
  checked_ = true;
  return count;
}

void TargetSource::set_shard(std::size_t k, std::size_t n) {
  if (n == 0 || k >= n) throw InputError("--shard K/N wants 0 <= K < N");
  shard_k_ = k;
  shard_n_ = n;
}

std::optional<Target> TargetSource::next() {
  if (!checked_) check();
  for (;;) {
    std::optional<Target> target;
    if (next_listed_ < listed_.size()) {
      target = std::move(listed_[next_listed_++]);
    } else if (file_) {
      target = read_file_target(line_number_);
    }
    if (!target) return target;
    target->position = position_++;
    if (target->position % shard_n_ != shard_k_) continue;
    if (!target->expected_fqdn && default_fqdn_) target->expected_fqdn = default_fqdn_;
    return target;
  }
}

}  // namespace stp::probe
