#include "tls/mta_sts.hpp"

#include <algorithm>
#include <cctype>

#include "core/text.hpp"
#include "tls/assessment.hpp"
#include "tls/names.hpp"

namespace stp::tls {
namespace {

constexpr std::int64_t max_sts_age = 31557600;  // RFC 8461 §3.2: one year

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool all_of(std::string_view text, bool (*accept)(unsigned char)) {
  return std::all_of(text.begin(), text.end(), [&](char c) { return accept(static_cast<unsigned char>(c)); });
}

// A host name of letters, digits and hyphens, dot-separated labels of 1-63 characters.
bool host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = std::min(name.find('.', start), name.size());
    std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-' ||
        !all_of(label, [](unsigned char c) { return std::isalnum(c) != 0 || c == '-'; }))
      return false;
    start = dot + 1;
  }
  return true;
}

std::string without_dot(std::string_view name) {
  std::string out = core::lower(name);
  if (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

// The ";"-separated "key=value" fields of a TXT record, the first field's key and value checked.
std::vector<std::pair<std::string, std::string>> txt_fields(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> fields;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.find(';', start), text.size());
    std::string_view field = trim(text.substr(start, end - start));
    if (!field.empty()) {
      auto equals = field.find('=');
      if (equals == std::string_view::npos) fields.emplace_back(std::string(field), "");
      else fields.emplace_back(std::string(trim(field.substr(0, equals))), std::string(trim(field.substr(equals + 1))));
    }
    start = end + 1;
  }
  return fields;
}

bool starts_with_field(std::string_view text, std::string_view version) {
  // "v=STSv1" followed by ';', whitespace or the end (the errata's reading of §3.1).
  if (text.substr(0, version.size()) != version) return false;
  return text.size() == version.size() || text[version.size()] == ';' || text[version.size()] == ' ' ||
         text[version.size()] == '\t';
}

std::string quoted(std::string_view text) { return "'" + core::shown_in_error(std::string(text.substr(0, 120))) + "'"; }

}  // namespace

std::string_view to_string(StsMode mode) {
  switch (mode) {
    case StsMode::enforce: return "enforce";
    case StsMode::testing: return "testing";
    case StsMode::none: return "none";
  }
  return "none";
}

StsPolicyParse parse_sts_policy(std::string_view text) {
  StsPolicyParse out;
  StsPolicy policy;
  std::optional<std::string> version;
  std::optional<StsMode> mode;
  std::optional<std::int64_t> max_age;
  int number = 0;
  auto fail = [&](const std::string& why) {
    out.error = "line " + std::to_string(number) + ": " + why;
    return out;
  };
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.find('\n', start), text.size());
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) continue;
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return fail("not 'key: value': " + quoted(line));
    std::string_view key = line.substr(0, colon), value = trim(line.substr(colon + 1));
    if (key.empty() || key.size() > 32 ||
        !all_of(key, [](unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.'; }))
      return fail("not a field name: " + quoted(key));
    if (value.empty()) return fail(std::string(key) + " has no value");
    if (key == "version") {
      if (version) return fail("version given twice");
      version = std::string(value);
      if (value != "STSv1") return fail("version " + quoted(value) + " (only STSv1 is defined)");
    } else if (key == "mode") {
      if (mode) return fail("mode given twice");
      if (value == "enforce") mode = StsMode::enforce;
      else if (value == "testing") mode = StsMode::testing;
      else if (value == "none") mode = StsMode::none;
      else return fail("mode " + quoted(value) + " (enforce, testing or none)");
    } else if (key == "max_age") {
      if (max_age) return fail("max_age given twice");
      if (value.size() > 10 || !all_of(value, [](unsigned char c) { return std::isdigit(c) != 0; }))
        return fail("max_age " + quoted(value) + " is not a number of seconds");
      max_age = std::stoll(std::string(value));
      if (*max_age > max_sts_age) return fail("max_age " + std::string(value) + " is over a year (31557600)");
    } else if (key == "mx") {
      std::string pattern = without_dot(value);
      std::string_view host = pattern;
      if (host.substr(0, 2) == "*.") host.remove_prefix(2);
      if (!host_name(host) || host.find('.') == std::string_view::npos)
        return fail("mx " + quoted(value) + " is not a host name or *. and a domain");
      policy.mx.push_back(std::move(pattern));
    }
    // Other keys are extensions, ignored (§3.2).
  }
  number = 0;
  if (!version) return fail("no version: STSv1");
  if (!mode) return fail("no mode");
  if (!max_age) return fail("no max_age");
  if (*mode != StsMode::none && policy.mx.empty()) return fail("no mx: pattern, so no MX host may receive mail");
  policy.mode = *mode;
  policy.max_age = *max_age;
  out.policy = std::move(policy);
  return out;
}

StsAnnouncement read_sts_announcement(const std::vector<std::string>& texts) {
  StsAnnouncement out;
  std::vector<const std::string*> records;
  for (const auto& text : texts)
    if (starts_with_field(text, "v=STSv1")) records.push_back(&text);
  if (records.empty()) return out;
  out.present = true;
  if (records.size() > 1) {
    out.error = std::to_string(records.size()) + " TXT records start v=STSv1; senders treat that as no policy";
    return out;
  }
  for (const auto& [key, value] : txt_fields(*records.front()))
    if (key == "id") {
      if (value.empty() || value.size() > 32 || !all_of(value, [](unsigned char c) { return std::isalnum(c) != 0; })) {
        out.error = "the TXT record's id " + quoted(value) + " is not 1 to 32 letters and digits";
        return out;
      }
      out.id = value;
    }
  if (out.id.empty()) out.error = "the TXT record " + quoted(*records.front()) + " has no id=";
  return out;
}

bool mx_pattern_matches(std::string_view pattern, std::string_view host) {
  std::string p = without_dot(pattern), h = without_dot(host);
  if (p.rfind("*.", 0) != 0) return !p.empty() && p == h;
  // One label, whole, in front of the pattern's domain.
  std::string_view domain = std::string_view(p).substr(1);  // ".contoso.com"
  if (h.size() <= domain.size() || h.compare(h.size() - domain.size(), domain.size(), domain) != 0) return false;
  std::string_view label = std::string_view(h).substr(0, h.size() - domain.size());
  return label.find('.') == std::string_view::npos;
}

std::optional<std::vector<std::string>> read_tls_rpt(const std::vector<std::string>& texts) {
  std::vector<const std::string*> records;
  for (const auto& text : texts)
    if (starts_with_field(text, "v=TLSRPTv1")) records.push_back(&text);
  if (records.size() != 1) return std::nullopt;
  std::vector<std::string> rua;
  for (const auto& [key, value] : txt_fields(*records.front()))
    if (key == "rua") {
      std::size_t start = 0;
      while (start <= value.size()) {
        std::size_t comma = std::min(value.find(',', start), value.size());
        std::string uri(trim(std::string_view(value).substr(start, comma - start)));
        if (!uri.empty()) rua.push_back(core::shown_in_error(uri.substr(0, 256)));
        start = comma + 1;
      }
    }
  if (rua.empty()) return std::nullopt;  // RFC 8460 §3: rua is required
  return rua;
}

namespace {

// What a policy-enforcing sender asks of a certificate (RFC 8461 §4.2, and §3.3 of the policy
// host's): a chain valid to the anchors, a leaf within its dates, `name` in a DNS subjectAltName.
// Empty when it passes; otherwise why not, in words.
std::string certificate_problem(const std::vector<CertificateFacts>& chain, std::size_t presented, const std::string& name,
                                const TrustAnchors& anchors, std::int64_t now) {
  if (chain.empty() || chain.size() != presented) return "its certificate could not be read";
  std::vector<x509_st*> parsed;
  parsed.reserve(chain.size());
  for (const auto& c : chain) parsed.push_back(c.x509.get());
  ChainTrust trust = verify_chain(parsed, anchors, now);
  if (!trust.trusted) return "its chain is not trusted (" + trust.error + ")";
  if (now < chain.front().not_before || now > chain.front().not_after) return "its certificate is outside its dates";
  if (!match_name(chain.front().x509.get(), name).rfc6125)
    return "its certificate does not name " + name + " in a DNS subjectAltName (the CN does not count)";
  return {};
}

// Why the fetched policy cannot be used, or empty; the policy itself when it can.
std::string fetch_problem(const probe::PolicyFetchEvidence& fetch, const TrustAnchors* anchors, std::int64_t now,
                          StsPolicyParse& parsed) {
  const std::string url = "https://" + fetch.host + "/.well-known/mta-sts.txt";
  if (fetch.status == 0) return url + " could not be fetched: " + fetch.error;
  if (fetch.status >= 300 && fetch.status < 400)
    return url + " answered " + std::to_string(fetch.status) + " (a redirect" +
           (fetch.location.empty() ? std::string() : " to " + quoted(fetch.location)) + "): senders do not follow redirects";
  if (fetch.status != 200) return url + " answered HTTP " + std::to_string(fetch.status) + ", not 200";
  if (anchors != nullptr) {
    std::string problem = certificate_problem(describe_chain(fetch.chain_der), fetch.chain_der.size(), fetch.host, *anchors, now);
    if (!problem.empty()) return "the HTTPS server " + fetch.host + " does not pass: " + problem;
  }
  std::string type = core::lower(fetch.content_type.substr(0, fetch.content_type.find(';')));
  type = std::string(trim(type));
  if (type != "text/plain") return url + " is served as " + quoted(fetch.content_type) + ", not text/plain";
  if (fetch.body_too_large) return url + " is larger than 64 KiB";
  parsed = parse_sts_policy(fetch.body);
  if (!parsed.policy) return "the policy at " + url + " is malformed: " + parsed.error;
  return {};
}

// The DNS answered, records or not (a failed lookup says nothing about the domain).
bool looked_up(const probe::TxtEvidence& txt) {
  using Answer = probe::DnsAnswer::Status;
  return txt.status == Answer::answered || txt.status == Answer::nodata || txt.status == Answer::nxdomain;
}

std::string severity_word(StsMode mode) { return mode == StsMode::enforce ? "enforce" : "testing"; }

}  // namespace

PolicyJudgement judge_mail_policies(const probe::Evidence& ev, const std::vector<CertificateFacts>& chain,
                                    const TrustAnchors* anchors, bool dane_in_use, std::int64_t now) {
  PolicyJudgement out;
  const auto& dns = ev.dns;
  const std::string domain = dns.domain.value_or(ev.target.host);
  bool policy_in_use = false;

  if (dns.mta_sts) {
    const auto& sts = *dns.mta_sts;
    StsAnnouncement announcement = read_sts_announcement(sts.txt.texts);
    bool lookup_failed = !looked_up(sts.txt);
    if (lookup_failed || announcement.present) {
      MtaStsResult result;
      result.policy_id = announcement.id;
      StsPolicyParse parsed;
      if (lookup_failed) result.error = "the TXT record at " + sts.txt.name + " could not be looked up: " + sts.txt.failure;
      else if (!announcement.error.empty()) result.error = announcement.error;
      else if (!sts.fetch) result.error = "the policy was not fetched";
      else result.error = fetch_problem(*sts.fetch, anchors, now, parsed);
      if (!result.error.empty()) {
        out.findings.push_back({"mta-sts-policy-error", Severity::warning,
                                domain + " announces an MTA-STS policy that cannot be had: " + result.error,
                                "Serve the policy at https://mta-sts." + domain +
                                    "/.well-known/mta-sts.txt as text/plain with a certificate valid for mta-sts." +
                                    domain + ", and publish one TXT record 'v=STSv1; id=...' at _mta-sts." + domain});
      } else {
        const StsPolicy& policy = *parsed.policy;
        result.mode = policy.mode;
        result.mx_patterns = policy.mx;
        result.max_age = policy.max_age;
        if (policy.mode != StsMode::none) {
          policy_in_use = true;
          Severity severity = policy.mode == StsMode::enforce ? Severity::critical : Severity::warning;
          const std::string& host = ev.target.host;
          result.mx_listed = std::any_of(policy.mx.begin(), policy.mx.end(),
                                         [&](const std::string& p) { return mx_pattern_matches(p, host); });
          if (!*result.mx_listed)
            out.findings.push_back(
                {"mta-sts-mx-not-listed", severity,
                 "the MX host " + host + " matches none of the MTA-STS policy's mx patterns (" +
                     core::join(policy.mx, ", ") + ", mode " + severity_word(policy.mode) + ")" +
                     (policy.mode == StsMode::enforce ? ": enforcing senders will not deliver to it" : ""),
                 "Add 'mx: " + host + "' to the policy at https://mta-sts." + domain +
                     "/.well-known/mta-sts.txt and change the id= of the TXT record at _mta-sts." + domain});
          // What §4.2 asks of the endpoint, judged only where it was reached and trust is judged.
          std::string problem;
          bool judged = anchors != nullptr && !ev.smtp.greeting.empty();
          if (judged) {
            if (!ev.smtp.starttls_offered) problem = "STARTTLS is not offered";
            else if (!ev.tls.established) problem = "the TLS handshake failed";
            else if (ev.tls.version && (*ev.tls.version == "TLSv1" || *ev.tls.version == "TLSv1.1"))
              problem = "it negotiated " + *ev.tls.version + " (TLS 1.2 or later is required)";
            else problem = certificate_problem(chain, ev.tls.chain_der.size(), host, *anchors, now);
            result.certificate_ok = problem.empty();
          }
          if (!problem.empty())
            out.findings.push_back({"mta-sts-certificate-invalid", severity,
                                    host + " fails MTA-STS (mode " + severity_word(policy.mode) + "): " + problem +
                                        (policy.mode == StsMode::enforce ? "; enforcing senders will not deliver to it" : ""),
                                    "Install a certificate from a public CA with " + host +
                                        " in its subjectAltName, and offer STARTTLS with TLS 1.2 or later"});
        }
      }
      out.mta_sts = std::move(result);
    }
  }

  if (dns.tls_rpt) {
    auto rua = read_tls_rpt(dns.tls_rpt->texts);
    if (rua) out.tls_rpt = TlsRptResult{*rua};
    if (!rua && looked_up(*dns.tls_rpt) && (dane_in_use || policy_in_use))
      out.findings.push_back({"tls-rpt-missing", Severity::info,
                              std::string(dane_in_use ? "DANE" : "MTA-STS") + " is in use for " + domain + " but " +
                                  dns.tls_rpt->name + " publishes no TLS-RPT record: senders' failure reports go to no one",
                              "Publish '" + dns.tls_rpt->name + ". IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@" + domain +
                                  "\"' to receive them"});
  }
  return out;
}

}  // namespace stp::tls
