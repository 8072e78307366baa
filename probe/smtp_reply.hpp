#pragma once
// SMTP replies (RFC 5321 §4.2): "code-text" lines ending with one "code text" line, read
// incrementally from untrusted bytes with every dimension bounded.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace stp::probe {

struct ReplyLimits {
  std::size_t max_line_bytes = 4096;    // RFC 5321 allows 512; real servers exceed it a little
  std::size_t max_lines = 200;          // an EHLO reply has about 20
  std::size_t max_reply_bytes = 65536;  // every line of one reply together
};

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  // as received, without the line ending

  // The text after the code and separator of line i ("250-SIZE 1000" -> "SIZE 1000").
  std::string_view text(std::size_t i) const;
  // True when a line after the first names `keyword` as its first word (EHLO extensions;
  // case-insensitive, any line including the last).
  bool has_keyword(std::string_view keyword) const;
  // The first word of the first line's text (the domain of a greeting or an EHLO reply).
  std::string_view first_word() const;
};

class ReplyParser {
 public:
  enum class State { incomplete, complete, error };

  explicit ReplyParser(const ReplyLimits& limits = {}) : limits_(limits) {}

  // Consumes bytes of `input` up to the end of one reply and leaves the rest in `input`.
  // Returns complete when a whole reply was read (see reply()), error when the bytes are not
  // a well-formed reply within the limits (see error()), incomplete when more bytes are needed.
  State feed(std::string_view& input);

  const Reply& reply() const { return reply_; }
  const std::string& error() const { return error_; }
  // Bytes taken so far for the reply being read (for evidence when it never completes).
  std::size_t bytes_seen() const { return reply_bytes_; }
  // Starts over for the next reply.
  void reset();

 private:
  State finish_line();
  State fail(std::string message);

  ReplyLimits limits_;
  Reply reply_;
  std::string line_;
  std::size_t reply_bytes_ = 0;
  State state_ = State::incomplete;
  std::string error_;
};

}  // namespace stp::probe
