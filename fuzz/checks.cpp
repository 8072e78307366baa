#include "fuzz/checks.hpp"

#include <arpa/inet.h>

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "inventory/predict.hpp"
#include "inventory/targets.hpp"
#include "probe/dns_answer.hpp"
#include "probe/settings.hpp"
#include "probe/smtp_reply.hpp"
#include "probe/target.hpp"
#include "serve/request.hpp"
#include "report/escape.hpp"
#include "tls/assessment.hpp"
#include "tls/certificate_file.hpp"
#include "tls/dane.hpp"
#include "tls/mta_sts.hpp"
#include "tls/names.hpp"

namespace stp::fuzz {
namespace {

void require(bool property, const char* what) {
  if (!property) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
  }
}

std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// A fixed trust anchor, so that chain verification runs on fuzzed certificates too.
const tls::TrustAnchors& anchors() {
  static const tls::TrustAnchors instance = tls::TrustAnchors::from_pem(
      "-----BEGIN CERTIFICATE-----\n"
      "MIIBoTCCAUegAwIBAgIUYrSt9I0UG6TL7mNyUGf/sXxxGc8wCgYIKoZIzj0EAwIw\n"
      "JTEjMCEGA1UEAwwac3RhcnR0bHMtcHJvYmUgZnV6eiBhbmNob3IwIBcNMjYxMTI5\n"
      "MDIwNzA1WhgPMjEyNjExMDUwMjA3MDVaMCUxIzAhBgNVBAMMGnN0YXJ0dGxzLXBy\n"
      "b2JlIGZ1enogYW5jaG9yMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAELtTYgllL\n"
      "xzeNKUl4BtPT6AzN+1cnDvn+st9bUDcyPWk7X74JTFSrfV6ELfKis2czdBE46gxe\n"
      "GupSoC/r9R5ylqNTMFEwHQYDVR0OBBYEFOD2ySFiXuh6cRKqPOrW9cr3CyddMB8G\n"
      "A1UdIwQYMBaAFOD2ySFiXuh6cRKqPOrW9cr3CyddMA8GA1UdEwEB/wQFMAMBAf8w\n"
      "CgYIKoZIzj0EAwIDSAAwRQIgcZv7ckNyCho8JqdXuiefTraqv3faTlVONk1Gau32\n"
      "ZNYCIQCLQHY7ATHJKZkwjTTC6nW0qBWYyyMT6ZGBKMXU969i7w==\n"
      "-----END CERTIFICATE-----\n");
  return instance;
}

}  // namespace

void check_reply(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  // The first byte chooses how the rest arrives: in chunks of 1 to 64 bytes.
  std::size_t chunk = data[0] % 64 + 1;
  std::string_view rest = as_text(data + 1, size - 1);
  probe::ReplyLimits limits;
  limits.max_line_bytes = 256;
  limits.max_lines = 16;
  limits.max_reply_bytes = 2048;
  probe::ReplyParser parser(limits);
  for (int replies = 0; replies < 64 && !rest.empty();) {
    std::string_view piece = rest.substr(0, chunk);
    std::size_t offered = piece.size();
    auto state = parser.feed(piece);
    require(piece.size() <= offered, "feed consumed more than it was given");
    rest.remove_prefix(offered - piece.size());
    require(parser.bytes_seen() <= limits.max_reply_bytes, "reply byte bound");
    if (state == probe::ReplyParser::State::error) return;
    if (state == probe::ReplyParser::State::complete) {
      const auto& reply = parser.reply();
      require(!reply.lines.empty() && reply.lines.size() <= limits.max_lines, "line count bound");
      require(reply.code >= 200 && reply.code <= 599, "reply code range");
      for (std::size_t i = 0; i < reply.lines.size(); ++i) {
        require(reply.lines[i].size() <= limits.max_line_bytes, "line length bound");
        require(std::stoi(reply.lines[i].substr(0, 3)) == reply.code, "one code per reply");
        (void)reply.text(i);
      }
      (void)reply.has_keyword("STARTTLS");
      (void)reply.first_word();
      parser.reset();
      ++replies;
    } else if (piece.size() == offered) {
      continue;  // consumed everything offered: more is needed
    }
  }
}

void check_target_line(const std::uint8_t* data, std::size_t size) {
  std::string line(as_text(data, size));
  try {
    auto target = probe::parse_target_line(line);
    if (!target) return;
    require(target->port != 0, "port 0 accepted");
    require(!target->host.empty(), "empty host accepted");
    unsigned char buffer[16];
    bool ip = inet_pton(AF_INET, target->host.c_str(), buffer) == 1 || inet_pton(AF_INET6, target->host.c_str(), buffer) == 1;
    require(target->host_is_ip == ip || (!target->host_is_ip && !ip), "host_is_ip agrees");
    require(ip || probe::is_dns_name(target->host), "host is an address or a DNS name");
    if (target->expected_fqdn) require(probe::is_dns_name(*target->expected_fqdn), "fqdn= is a DNS name");
    if (target->mail_domain) require(probe::is_dns_name(target->host) && target->port == 25, "mx: a domain on port 25");
  } catch (const probe::TargetError&) {
  }
  try {
    auto rule = probe::parse_connect_to(line);
    require(!rule.port || *rule.port != 0, "--connect-to port 0 accepted");
  } catch (const probe::TargetError&) {
  }
  // The same bytes as serve's query string and scrape-timeout header.
  try {
    auto target = serve::probe_target_of(line);
    require(target.port != 0 && !target.host.empty(), "/probe: a target with a host and a port");
    if (target.expected_fqdn) require(probe::is_dns_name(*target.expected_fqdn), "/probe: fqdn= is a DNS name");
    if (target.connector) require(target.connector->size() <= 256, "/probe: connector= bounded");
  } catch (const serve::BadRequest&) {
  }
  auto budget = serve::probe_budget(line, std::chrono::milliseconds(30000));
  require(budget >= std::chrono::milliseconds(100) && budget <= std::chrono::hours(24), "a probe's time is bounded");
}

// DNS record data as libunbound hands it (wire form, uncompressed): MX, TLSA and TXT, and TLSA records
// judged against a chain (the input again as DER, usually no certificate at all); the input as a
// whole response, compression pointers and all; and as the texts MTA-STS and TLS-RPT publish (a
// TXT record's, a policy file).
void check_dns_records(const std::uint8_t* data, std::size_t size) {
  std::string rdata(as_text(data, size));
  if (auto text = probe::parse_txt(rdata)) require(text->size() <= size, "a TXT text within its data");
  auto parsed = tls::parse_sts_policy(rdata);
  require(parsed.policy.has_value() != !parsed.error.empty(), "a policy or the reason why not");
  if (parsed.policy) {
    require(parsed.policy->max_age >= 0 && parsed.policy->max_age <= 31557600, "max_age within a year");
    for (const auto& pattern : parsed.policy->mx)
      require(tls::mx_pattern_matches(pattern, pattern.rfind("*.", 0) == 0 ? "a" + pattern.substr(1) : pattern),
              "a pattern matches the host it describes");
  }
  auto announcement = tls::read_sts_announcement({rdata, rdata.substr(0, size / 2)});
  require(!announcement.present || !announcement.id.empty() || !announcement.error.empty(), "an id or the reason why not");
  if (auto rua = tls::read_tls_rpt({rdata})) require(!rua->empty(), "a TLS-RPT record has report addresses");
  if (auto message = probe::parse_dns_message(rdata)) {
    require(message->rcode >= 0 && message->rcode < 16, "an rcode of four bits");
    require(message->canonical_name.size() <= std::size_t{4} * 255, "a canonical name within a name's bound");
    for (const auto& record : message->records) require(record.size() <= size + 257, "a record within the packet, its name written out");
  }
  if (auto mx = probe::parse_mx(rdata)) {
    require(mx->host.size() <= std::size_t{4} * 255, "an MX host within a name's bound");
    for (char c : mx->host)
      require(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '\\',
              "an MX host holds no raw byte from the wire");
  }
  std::size_t offset = 0;
  if (auto name = probe::read_wire_name(rdata, offset)) require(offset <= rdata.size(), "a name ends within its data");
  if (auto tlsa = probe::parse_tlsa(rdata)) {
    probe::TlsaEvidence evidence;
    evidence.name = "_25._tcp.mail.contoso.test";
    evidence.dnssec = probe::Dnssec::secure;
    evidence.records.push_back(*tlsa);
    for (const auto& chain : {std::vector<std::string>{}, std::vector<std::string>{rdata, rdata}}) {
      auto result = tls::judge_tlsa(evidence, true, tls::describe_chain(chain), {"mail.contoso.test"}, 1800000000);
      require(result.records.size() == 1, "one record judged");
      require(!result.records[0].matched || result.records[0].usable, "only a usable record matches");
      require(result.result == "match" || result.result == "mismatch" || result.result == "unusable", "a result");
    }
  }
}

void check_certificate(const std::uint8_t* data, std::size_t size) {
  std::string der(as_text(data, size));
  try {
    auto facts = tls::describe_certificate(der);
    require(facts.sha1.size() == 40 && facts.sha256.size() == 64, "digest lengths");
    require(facts.sha1.find_first_not_of("0123456789ABCDEF") == std::string::npos, "SHA-1 uppercase hex");
    require(facts.sha256.find_first_not_of("0123456789abcdef") == std::string::npos, "SHA-256 lowercase hex");
    (void)tls::match_name(facts.x509.get(), "mail.contoso.test");
    (void)tls::match_name(facts.x509.get(), "192.0.2.10");
  } catch (const tls::CertificateError&) {
  }
  tls::Judge judge{tls::JudgeSettings{}, &anchors()};
  auto assessment = tls::assess_chain({der, der}, std::string("mail.contoso.test"), "fuzz", judge, 1800000000);
  for (const auto& finding : assessment.findings) require(!finding.code.empty() && !finding.message.empty(), "finding text");
}

void check_certificate_file(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return;
  std::optional<std::string> password;
  if (data[0] & 1) password = "testpass";
  try {
    auto chain = tls::parse_certificate_bytes(std::string(as_text(data + 1, size - 1)), "fuzz", password);
    require(!chain.empty(), "a parsed file has a certificate");
    for (const auto& der : chain) (void)tls::describe_certificate(der);
  } catch (const tls::CertificateFileError&) {
  } catch (const tls::CertificateError&) {
  }
}

// The terminal form decodes back to the very bytes (\\ and \xNN are its only escapes).
std::string unescape_terminal(std::string_view shown) {
  std::string out;
  for (std::size_t i = 0; i < shown.size(); ++i) {
    if (shown[i] != '\\') {
      out += shown[i];
      continue;
    }
    require(i + 1 < shown.size(), "a lone backslash at the end");
    if (shown[i + 1] == '\\') {
      out += '\\';
      ++i;
      continue;
    }
    require(shown[i + 1] == 'x' && i + 3 < shown.size(), "an escape is a doubled backslash or x and two hex digits");
    out += static_cast<char>(std::stoi(std::string(shown.substr(i + 2, 2)), nullptr, 16));
    i += 3;
  }
  return out;
}

void check_escape(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes = as_text(data, size);
  std::string utf8 = report::valid_utf8(bytes);
  require(report::valid_utf8(utf8) == utf8, "valid_utf8 output is valid UTF-8");

  for (const std::string& shown : {report::terminal_safe(bytes), report::plugin_safe(bytes)}) {
    require(report::valid_utf8(shown) == shown, "terminal output is valid UTF-8");
    require(unescape_terminal(shown) == bytes, "terminal output decodes back to the input");
    for (std::size_t i = 0; i < shown.size(); ++i) {
      auto c = static_cast<unsigned char>(shown[i]);
      require(c >= 0x20 && c != 0x7f, "no C0 control or DEL reaches the terminal");
      if (c == 0xC2 && i + 1 < shown.size()) require(static_cast<unsigned char>(shown[i + 1]) >= 0xA0, "no C1 control");
    }
    for (std::string_view hidden : {"\u061C", "\u200E", "\u200F", "\u202A", "\u202E", "\u2028", "\u2029", "\u2066",
                                    "\u2069", "\uFEFF", "\uFDD0", "\uFFFE", "\uFFFF", "\U0001FFFF"})
      require(shown.find(hidden) == std::string::npos, "no bidi control, separator, BOM or noncharacter");
  }
  require(report::plugin_safe(bytes).find('|') == std::string::npos, "no '|' in a plugin line");

  std::string xml = report::xml_safe(bytes);
  require(report::valid_utf8(xml) == xml, "XML output is valid UTF-8");
  require(xml.find_first_of("<>\"'") == std::string::npos, "no markup character in XML text");
  require(xml.find("\xEF\xBF\xBE") == std::string::npos && xml.find("\xEF\xBF\xBF") == std::string::npos,
          "no U+FFFE or U+FFFF in XML");
  for (char c : xml) {
    auto u = static_cast<unsigned char>(c);
    require(u >= 0x20 || c == '\t' || c == '\n', "no character XML cannot hold");
  }
  for (std::size_t at = xml.find('&'); at != std::string::npos; at = xml.find('&', at + 1))
    require(xml.compare(at, 5, "&amp;") == 0 || xml.compare(at, 4, "&lt;") == 0 || xml.compare(at, 4, "&gt;") == 0 ||
                xml.compare(at, 6, "&quot;") == 0 || xml.compare(at, 6, "&apos;") == 0 || xml.compare(at, 5, "&#13;") == 0,
            "every & starts an entity");

  std::string csv = report::csv_field(bytes);
  require(report::valid_utf8(csv) == csv, "CSV output is valid UTF-8");
  std::string_view value = csv;
  if (!value.empty() && value.front() == '"') {
    require(value.size() >= 2 && value.back() == '"', "a quoted field ends with its quote");
    value = value.substr(1, value.size() - 2);
  }
  require(value.empty() || std::string_view("=+-@\t\r").find(value.front()) == std::string_view::npos,
          "no CSV field starts like a formula");

  std::string label = report::prometheus_label(bytes);
  require(report::valid_utf8(label) == label, "a label value is valid UTF-8");
  require(label.find('\n') == std::string::npos, "no raw line feed in a label value");
  for (std::size_t i = 0; i < label.size(); ++i) {
    if (label[i] == '\\') {
      require(i + 1 < label.size() && (label[i + 1] == '\\' || label[i + 1] == '"' || label[i + 1] == 'n'),
              "label escapes are \\\\, \\\" and \\n");
      ++i;
    } else {
      require(label[i] != '"', "no raw quote in a label value");
    }
  }
}

void check_inventory(const std::uint8_t* data, std::size_t size) {
  try {
    auto records = inventory::read_export_bytes(as_text(data, size), "fuzz.txt");
    for (const auto& record : records) {
      require(!record.fields.empty(), "a record has fields");
      for (const auto& [name, value] : record.fields) require(!name.empty(), "a field has a name");
    }
    // Every date order in turn, and none: the file's own dates decide or the reader refuses.
    std::optional<inventory::DateOrder> given;
    if (size % 4 != 3) given = static_cast<inventory::DateOrder>(size % 4);
    inventory::Inventory inv;
    inventory::add_records(inv, records, given);
    for (const auto& c : inv.certificates)
      require(!c.not_before || (*c.not_before > -20000000000 && *c.not_before < 260000000000), "a date within 1601-9999");
    (void)inventory::date_disagreements(inv, 1800000000);
    for (const auto& use : inventory::certificate_uses(inv, 1800000000))
      require(use.serves.empty() != use.why_not.empty(), "a certificate serves some names or says why none");
    auto predictions = inventory::predict(inv, 1800000000);
    for (const auto& p : predictions) {
      require(p.kind == "receive" || p.kind == "send", "prediction kind");
      require(!p.predicted_event || !p.predicted_thumbprint || *p.predicted_event == 12016, "12014 has no certificate");
      bool found = !p.predicted_thumbprint;
      for (const auto& c : p.candidates) {
        require(c.certificate != nullptr, "candidate certificate");
        require(!c.chosen || c.eligible, "only an eligible certificate is chosen");
        found = found || (c.chosen && c.certificate->thumbprint == *p.predicted_thumbprint);
      }
      require(found, "the predicted certificate is a chosen candidate");
    }
    for (const auto& t : inventory::connector_targets(inv, predictions, std::nullopt)) {
      require(t.inventory && *t.inventory < predictions.size(), "target points at its prediction");
      require(t.port != 0, "target port");
    }
  } catch (const inventory::InventoryError&) {
  }
}

Check check_named(std::string_view name) {
  if (name == "inventory") return check_inventory;
  if (name == "reply") return check_reply;
  if (name == "target_line") return check_target_line;
  if (name == "certificate") return check_certificate;
  if (name == "certificate_file") return check_certificate_file;
  if (name == "escape") return check_escape;
  if (name == "dns_records") return check_dns_records;
  return nullptr;
}

}  // namespace stp::fuzz
