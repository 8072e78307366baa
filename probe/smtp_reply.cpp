#include "probe/smtp_reply.hpp"

#include <algorithm>
#include <cctype>

#include "core/text.hpp"

namespace stp::probe {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view first_word_of(std::string_view text) {
  auto start = text.find_first_not_of(" \t");
  if (start == std::string_view::npos) return {};
  text.remove_prefix(start);
  return text.substr(0, text.find_first_of(" \t"));
}

}  // namespace

std::string_view Reply::text(std::size_t i) const {
  std::string_view line = lines.at(i);
  return line.size() > 4 ? line.substr(4) : std::string_view{};
}

bool Reply::has_keyword(std::string_view keyword) const {
  for (std::size_t i = 1; i < lines.size(); ++i)
    if (core::iequals(first_word_of(text(i)), keyword)) return true;
  return false;
}

std::string_view Reply::first_word() const {
  return lines.empty() ? std::string_view{} : first_word_of(text(0));
}

void ReplyParser::reset() {
  reply_ = {};
  line_.clear();
  reply_bytes_ = 0;
  state_ = State::incomplete;
  error_.clear();
}

ReplyParser::State ReplyParser::fail(std::string message) {
  error_ = std::move(message);
  state_ = State::error;
  return state_;
}

ReplyParser::State ReplyParser::feed(std::string_view& input) {
  while (state_ == State::incomplete && !input.empty()) {
    auto newline = input.find('\n');
    std::size_t take = newline == std::string_view::npos ? input.size() : newline + 1;
    if (line_.size() + take > limits_.max_line_bytes + 2)
      return fail("reply line longer than " + std::to_string(limits_.max_line_bytes) + " bytes");
    if (reply_bytes_ + take > limits_.max_reply_bytes)
      return fail("reply longer than " + std::to_string(limits_.max_reply_bytes) + " bytes");
    line_.append(input.substr(0, take));
    reply_bytes_ += take;
    input.remove_prefix(take);
    if (newline != std::string_view::npos) finish_line();
  }
  return state_;
}

ReplyParser::State ReplyParser::finish_line() {
  // Drop LF and a CR before it. A bare LF is accepted, as most clients do.
  line_.pop_back();
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  std::string line = std::move(line_);
  line_.clear();
  if (line.size() > limits_.max_line_bytes)  // (a line ending in a bare LF came one byte under the early check)
    return fail("reply line longer than " + std::to_string(limits_.max_line_bytes) + " bytes");

  if (line.size() < 3 || line[0] < '2' || line[0] > '5' || !is_digit(line[1]) || !is_digit(line[2]))
    return fail("reply line does not start with a reply code");
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-')
    return fail("reply code not followed by ' ' or '-'");
  int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (!reply_.lines.empty() && code != reply_.code)
    return fail("reply code changed from " + std::to_string(reply_.code) + " to " +
                std::to_string(code) + " within one reply");
  if (reply_.lines.size() == limits_.max_lines)
    return fail("reply with more than " + std::to_string(limits_.max_lines) + " lines");
  reply_.code = code;
  bool last = line.size() == 3 || line[3] == ' ';
  reply_.lines.push_back(std::move(line));
  if (last) state_ = State::complete;
  return state_;
}

}  // namespace stp::probe
