#include <catch2/catch.hpp>

#include "report/escape.hpp"

using stp::report::valid_utf8;

TEST_CASE("valid UTF-8 passes unchanged", "[report][escape]") {
  CHECK(valid_utf8("plain ascii") == "plain ascii");
  CHECK(valid_utf8("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xA7") == "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\xA7");
  CHECK(valid_utf8(std::string("a\0b", 3)) == std::string("a\0b", 3));  // control bytes are the writers' job
}

TEST_CASE("invalid UTF-8 becomes U+FFFD, one per bad byte", "[report][escape]") {
  const std::string fffd = "\xEF\xBF\xBD";
  CHECK(valid_utf8("\xFF") == fffd);
  CHECK(valid_utf8("a\xC3(") == "a" + fffd + "(");             // truncated sequence
  CHECK(valid_utf8("\xC0\xAF") == fffd + fffd);                 // overlong '/'
  CHECK(valid_utf8("\xED\xA0\x80") == fffd + fffd + fffd);      // UTF-16 surrogate
  CHECK(valid_utf8("\xF4\x90\x80\x80") == fffd + fffd + fffd + fffd);  // above U+10FFFF
  CHECK(valid_utf8("\xE2\x82") == fffd + fffd);                 // cut at the end
}
