#include <cstdio>
#include <fstream>

#include <catch2/catch.hpp>

#include "probe/target_source.hpp"

using namespace stp::probe;

TEST_CASE("every target form of SPEC 2 parses to host, port and mode", "[probe][targets]") {
  auto t = parse_target("mail.contoso.com");
  CHECK(t.host == "mail.contoso.com");
  CHECK(t.port == 25);
  CHECK(t.mode == Mode::starttls);
  CHECK_FALSE(t.host_is_ip);

  t = parse_target("mail.contoso.com:587");
  CHECK(t.port == 587);

  t = parse_target("192.0.2.10:2525");
  CHECK(t.host == "192.0.2.10");
  CHECK(t.host_is_ip);
  CHECK(t.port == 2525);

  t = parse_target("[2001:db8::1]:25");
  CHECK(t.host == "2001:db8::1");
  CHECK(t.host_is_ip);
  CHECK(t.port == 25);

  t = parse_target("[::1]");
  CHECK(t.host == "::1");
  CHECK(t.port == 25);

  t = parse_target("2001:db8::25");  // bare IPv6: no port possible
  CHECK(t.host == "2001:db8::25");
  CHECK(t.port == 25);

  t = parse_target("smtp://mx.contoso.com");
  CHECK(t.port == 25);
  CHECK(t.mode == Mode::starttls);

  t = parse_target("submission://mx.contoso.com");
  CHECK(t.port == 587);
  CHECK(t.mode == Mode::starttls);

  t = parse_target("smtps://mx.contoso.com");
  CHECK(t.port == 465);
  CHECK(t.mode == Mode::implicit);

  t = parse_target("SMTPS://[2001:db8::1]:10465/");
  CHECK(t.port == 10465);
  CHECK(t.mode == Mode::implicit);
  CHECK(t.host == "2001:db8::1");

  t = parse_target("submission://mx.contoso.com:2587");
  CHECK(t.port == 2587);
  CHECK(t.text == "submission://mx.contoso.com:2587");
}

TEST_CASE("bad targets are rejected with a reason", "[probe][targets]") {
  auto rejects = [](const char* text, const char* reason) {
    INFO(text);
    CHECK_THROWS_WITH(parse_target(text), Catch::Contains(reason));
  };
  rejects("mail.contoso.com:0", "must be 1 to 65535");
  rejects("mail.contoso.com:65536", "must be 1 to 65535");
  rejects("mail.contoso.com:smtp", "not a number");
  rejects("mail.contoso.com:", "not a number");
  rejects("mail.contoso.com:25x", "not a number");
  rejects(":25", "empty host");
  rejects("", "empty target");
  rejects("smtp://", "empty host");
  rejects("[2001:db8::1:25", "unclosed '['");
  rejects("[mail.contoso.com]:25", "not an IPv6 address");
  rejects("[::1]25", "expected ':port'");
  rejects("http://mail.contoso.com", "unknown scheme");
  rejects("smtp://mail.contoso.com/path", "no path");
  rejects("mail..contoso.com", "neither a host name nor an IP address");
  rejects("-mail.contoso.com", "neither");
  rejects("192.0.2.300", "neither");
  rejects("2001:db8::zz", "[address]:port");
}

TEST_CASE("a targets-file line carries fqdn= and quoted connector= annotations", "[probe][targets]") {
  auto t = parse_target_line(R"(10.0.0.5:25 fqdn=mail.contoso.com connector="Default Frontend EX01")");
  REQUIRE(t);
  CHECK(t->host == "10.0.0.5");
  CHECK(t->expected_fqdn == "mail.contoso.com");
  CHECK(t->connector == "Default Frontend EX01");

  t = parse_target_line("  smtps://mx.contoso.com   connector=Edge\r");
  REQUIRE(t);
  CHECK(t->connector == "Edge");
  CHECK_FALSE(t->expected_fqdn);

  t = parse_target_line(R"(mx.contoso.com connector="say \"hi\" \\ there")");
  REQUIRE(t);
  CHECK(t->connector == R"(say "hi" \ there)");

  t = parse_target_line("mx.contoso.com  # a trailing comment");
  REQUIRE(t);
  CHECK(t->host == "mx.contoso.com");

  CHECK_FALSE(parse_target_line(""));
  CHECK_FALSE(parse_target_line("   \t "));
  CHECK_FALSE(parse_target_line("# a comment"));
  CHECK_FALSE(parse_target_line("   # indented comment"));
}

TEST_CASE("bad annotations are rejected", "[probe][targets]") {
  CHECK_THROWS_WITH(parse_target_line("mx.contoso.com fqdn="), Catch::Contains("has no value"));
  CHECK_THROWS_WITH(parse_target_line("mx.contoso.com fqdn=not_a..name"), Catch::Contains("not a DNS name"));
  CHECK_THROWS_WITH(parse_target_line("mx.contoso.com colour=red"), Catch::Contains("unknown annotation"));
  CHECK_THROWS_WITH(parse_target_line("mx.contoso.com connector=\"unclosed"), Catch::Contains("unclosed"));
  CHECK_THROWS_WITH(parse_target_line("mx.contoso.com justaword"), Catch::Contains("bad annotation"));
  CHECK_THROWS_WITH(parse_target_line("mx.contoso.com =x"), Catch::Contains("bad annotation"));
  CHECK_THROWS_WITH(parse_target_line("mx.contoso.com fqdn=a.b fqdn=c.d"), Catch::Contains("twice"));
  CHECK_THROWS_WITH(parse_target_line("mx.contoso.com:0 fqdn=a.b"), Catch::Contains("must be 1 to 65535"));
}

namespace {

std::string write_file(const std::string& name, const std::string& content) {
  std::string path = "/tmp/starttls-probe-test-" + std::to_string(::getpid()) + "-" + name;
  std::ofstream(path) << content;
  return path;
}

}  // namespace

TEST_CASE("targets files as Windows writes them: UTF-8 with BOM, UTF-16 with BOM, CRLF", "[probe][targets]") {
  const std::string text = "# Notepad\r\nmx1.contoso.com fqdn=mail.contoso.com\r\nmx2.contoso.com:587 connector=\"Empf\xC3\xA4nger\"\r\n";
  auto utf16 = [&](bool little) {
    std::string out = little ? "\xFF\xFE" : "\xFE\xFF";
    for (std::size_t i = 0; i < text.size();) {
      auto c = static_cast<unsigned char>(text[i]);
      char32_t code = c;
      if (c == 0xC3) {  // the one two-byte sequence in the text
        code = 0xC0 | (static_cast<unsigned char>(text[i + 1]) & 0x3F);
        i += 2;
      } else {
        ++i;
      }
      char hi = static_cast<char>(code >> 8), lo = static_cast<char>(code & 0xFF);
      out += little ? std::string{lo, hi} : std::string{hi, lo};
    }
    return out;
  };
  for (const auto& [name, bytes] : {std::pair{std::string("utf8-bom.txt"), "\xEF\xBB\xBF" + text},
                                    std::pair{std::string("utf16le.txt"), utf16(true)},
                                    std::pair{std::string("utf16be.txt"), utf16(false)}}) {
    INFO(name);
    std::string path = write_file(name, bytes);
    TargetSource source({}, path, std::nullopt);
    REQUIRE(source.check() == 2);
    auto a = source.next();
    auto b = source.next();
    REQUIRE((a && b));
    CHECK(a->host == "mx1.contoso.com");
    CHECK(a->expected_fqdn == "mail.contoso.com");  // no '\r' left on the value
    CHECK(b->connector == "Empf\xC3\xA4nger");
    CHECK(b->port == 587);
    std::remove(path.c_str());
  }
  std::string broken = write_file("broken-utf16.txt", std::string("\xFF\xFEm\x00\x00\xD8", 6));  // an unpaired surrogate
  TargetSource source({}, broken, std::nullopt);
  CHECK_THROWS_WITH(source.check(), Catch::Contains(broken + ": not valid UTF-16"));
  std::remove(broken.c_str());
}

TEST_CASE("a targets file is checked whole, names file:line, then streams in order", "[probe][targets]") {
  std::string good = write_file("good.txt",
                                "# inventory\n"
                                "\n"
                                "mx1.contoso.com fqdn=mail.contoso.com\n"
                                "mx2.contoso.com:587 connector=\"Client Frontend\"\n");
  TargetSource source(TargetSource::parse_arguments({"cli.contoso.com"}), good, std::string("default.contoso.com"));
  CHECK(source.check() == 3);
  auto a = source.next();
  auto b = source.next();
  auto c = source.next();
  CHECK_FALSE(source.next());
  REQUIRE((a && b && c));
  CHECK(a->host == "cli.contoso.com");
  CHECK(a->expected_fqdn == "default.contoso.com");  // --fqdn applies where fqdn= is missing
  CHECK(a->position == 0);
  CHECK(b->expected_fqdn == "mail.contoso.com");     // fqdn= wins over --fqdn
  CHECK(b->position == 1);
  CHECK(c->connector == "Client Frontend");
  CHECK(c->port == 587);
  CHECK(c->position == 2);
  std::remove(good.c_str());

  std::string bad = write_file("bad.txt", "mx1.contoso.com\n\n# fine so far\nmx2.contoso.com:65536\n");
  TargetSource bad_source({}, bad, std::nullopt);
  CHECK_THROWS_WITH(bad_source.check(), Catch::Contains(bad + ":4: bad port '65536'"));
  std::remove(bad.c_str());
}

TEST_CASE("a missing targets file, a directory or a bad argument is an input error", "[probe][targets]") {
  TargetSource missing({}, std::string("/nonexistent/targets.txt"), std::nullopt);
  CHECK_THROWS_AS(missing.check(), InputError);
  TargetSource directory({}, std::string("/tmp"), std::nullopt);
  CHECK_THROWS_WITH(directory.check(), Catch::Contains("is a directory"));
  CHECK_THROWS_WITH(TargetSource::parse_arguments({"ok.contoso.com", "bad:0"}), Catch::Contains("target: bad port '0'"));
  CHECK_THROWS_AS(TargetSource({}, std::nullopt, std::string("not a name")), InputError);
}
