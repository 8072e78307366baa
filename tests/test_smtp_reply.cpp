#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>

#include "probe/smtp_reply.hpp"

using namespace stp::probe;
using State = ReplyParser::State;

namespace {

// Feeds `bytes` whole and returns the state and what was left over.
std::pair<State, std::string> feed_all(ReplyParser& parser, std::string_view bytes) {
  auto state = parser.feed(bytes);
  return {state, std::string(bytes)};
}

}  // namespace

TEST_CASE("a one-line reply and a multi-line reply are read whole", "[probe][reply]") {
  ReplyParser parser;
  auto [state, rest] = feed_all(parser, "220 mail.contoso.com ESMTP ready\r\n");
  CHECK(state == State::complete);
  CHECK(rest.empty());
  CHECK(parser.reply().code == 220);
  CHECK(parser.reply().first_word() == "mail.contoso.com");

  ReplyParser multi;
  std::tie(state, rest) = feed_all(multi, "250-mx.contoso.com Hello\r\n250-SIZE 1000\r\n250 8BITMIME\r\n");
  CHECK(state == State::complete);
  CHECK(multi.reply().lines.size() == 3);
  CHECK(multi.reply().text(1) == "SIZE 1000");
}

TEST_CASE("a multi-line greeting is incomplete until its last line", "[probe][reply]") {
  ReplyParser parser;
  auto [state, rest] = feed_all(parser, "220-mx.contoso.com first line\r\n220-second\r\n");
  CHECK(state == State::incomplete);
  std::tie(state, rest) = feed_all(parser, "220 third\r\n");
  CHECK(state == State::complete);
  CHECK(parser.reply().lines.size() == 3);
}

TEST_CASE("a reply split byte by byte is the same reply", "[probe][reply]") {
  std::string wire = "250-mx.contoso.com\r\n250-PIPELINING\r\n250 STARTTLS\r\n";
  ReplyParser parser;
  State state = State::incomplete;
  for (char c : wire) {
    std::string_view one(&c, 1);
    state = parser.feed(one);
    CHECK(one.empty());
  }
  CHECK(state == State::complete);
  CHECK(parser.reply().lines.size() == 3);
  CHECK(parser.reply().has_keyword("STARTTLS"));
}

TEST_CASE("bytes after a reply are left for the caller", "[probe][reply]") {
  ReplyParser parser;
  auto [state, rest] = feed_all(parser, "220 ready\r\n250-injected\r\n");
  CHECK(state == State::complete);
  CHECK(rest == "250-injected\r\n");
}

TEST_CASE("EHLO keywords are case-insensitive and may be on the last line", "[probe][reply]") {
  ReplyParser parser;
  feed_all(parser, "250-mx.contoso.com\r\n250-PIPELINING\r\n250 starttls\r\n");
  CHECK(parser.reply().has_keyword("STARTTLS"));
  ReplyParser other;
  feed_all(other, "250-mx.contoso.com\r\n250-StartTLS\r\n250 SIZE\r\n");
  CHECK(other.reply().has_keyword("STARTTLS"));
  ReplyParser none;
  feed_all(none, "250-STARTTLS.contoso.com\r\n250-X-STARTTLS\r\n250 SIZE STARTTLS\r\n");
  CHECK_FALSE(none.reply().has_keyword("STARTTLS"));  // the domain line and non-first words do not count
}

TEST_CASE("bare codes, bare LF and empty texts follow RFC 5321's grammar", "[probe][reply]") {
  ReplyParser a;
  CHECK(feed_all(a, "250\r\n").first == State::complete);
  CHECK(a.reply().first_word().empty());
  ReplyParser b;
  CHECK(feed_all(b, "250-\n250 ok\n").first == State::complete);
  CHECK(b.reply().lines.size() == 2);
}

TEST_CASE("malformed replies are protocol errors", "[probe][reply]") {
  auto error_of = [](std::string_view bytes) {
    ReplyParser parser;
    auto state = parser.feed(bytes);
    CHECK(state == State::error);
    return parser.error();
  };
  CHECK_THAT(error_of("hello there\r\n"), Catch::Contains("does not start with a reply code"));
  CHECK_THAT(error_of("25\r\n"), Catch::Contains("does not start with a reply code"));
  CHECK_THAT(error_of("650 nope\r\n"), Catch::Contains("does not start with a reply code"));
  CHECK_THAT(error_of("250xhello\r\n"), Catch::Contains("not followed by"));
  CHECK_THAT(error_of("250-one\r\n550 two\r\n"), Catch::Contains("changed from 250 to 550"));
  CHECK_THAT(error_of(std::string("\x16\x03\x01\x02\x00\r\n", 7)), Catch::Contains("reply code"));
}

TEST_CASE("line length, line count and reply size are bounded", "[probe][reply]") {
  ReplyLimits limits;
  limits.max_line_bytes = 100;
  limits.max_lines = 10;
  limits.max_reply_bytes = 500;

  ReplyParser long_line(limits);
  std::string_view endless_line = "220 " "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
  CHECK(long_line.feed(endless_line) == State::error);  // no newline needed to give up
  CHECK_THAT(long_line.error(), Catch::Contains("longer than 100 bytes"));

  ReplyParser many_lines(limits);
  std::string lines;
  for (int i = 0; i < 11; ++i) lines += "220-x\r\n";
  CHECK(feed_all(many_lines, lines).first == State::error);
  CHECK_THAT(many_lines.error(), Catch::Contains("more than 10 lines"));

  ReplyLimits big_lines = limits;
  big_lines.max_lines = 1000;
  ReplyParser many_bytes(big_lines);
  std::string bulky;
  for (int i = 0; i < 9; ++i) bulky += "220-" + std::string(90, 'y') + "\r\n";
  CHECK(feed_all(many_bytes, bulky).first == State::error);
  CHECK_THAT(many_bytes.error(), Catch::Contains("longer than 500 bytes"));
  CHECK(many_bytes.bytes_seen() <= 500);
}

TEST_CASE("a parser can be reset for the next reply", "[probe][reply]") {
  ReplyParser parser;
  feed_all(parser, "250-a\r\n");
  parser.reset();
  CHECK(feed_all(parser, "221 bye\r\n").first == State::complete);
  CHECK(parser.reply().lines.size() == 1);
  CHECK(parser.reply().code == 221);
}

namespace {

std::string testdata(const std::string& name) {
  std::ifstream file(std::string(STARTTLS_PROBE_TESTDATA) + "/" + name, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("an Exchange 2019 EHLO reply as captured offers STARTTLS", "[probe][reply]") {
  std::string wire = testdata("exchange2019-ehlo.txt");
  REQUIRE_FALSE(wire.empty());
  ReplyParser parser;
  auto [state, rest] = feed_all(parser, wire);
  CHECK(state == State::complete);
  CHECK(rest.empty());
  CHECK(parser.reply().lines.size() == 14);
  CHECK(parser.reply().first_word() == "EX01.corp.contoso.com");
  CHECK(parser.reply().has_keyword("STARTTLS"));
  CHECK(parser.reply().has_keyword("x-anonymoustls"));
}

TEST_CASE("behind Cisco ESMTP inspection the greeting is masked and STARTTLS is gone", "[probe][reply]") {
  std::string wire = testdata("cisco-esmtp-inspection.txt");
  std::string_view input = wire;
  ReplyParser greeting;
  REQUIRE(greeting.feed(input) == State::complete);
  CHECK(greeting.reply().first_word().find_first_not_of('*') == std::string_view::npos);
  ReplyParser ehlo;
  REQUIRE(ehlo.feed(input) == State::complete);
  CHECK(input.empty());
  CHECK_FALSE(ehlo.reply().has_keyword("STARTTLS"));  // rewritten to XXXXXXXA by the firewall
}

TEST_CASE("a line ending in a bare LF is held to the same length bound", "[probe][reply]") {
  ReplyLimits limits;
  limits.max_line_bytes = 10;
  ReplyParser exact(limits);
  CHECK(feed_all(exact, "250 678901\n").first == State::complete);  // 10 bytes: fine
  ReplyParser over(limits);
  CHECK(feed_all(over, "250 6789012\n").first == State::error);  // 11 bytes, bare LF (found by fuzzing)
  CHECK_THAT(over.error(), Catch::Contains("longer than 10 bytes"));
}
