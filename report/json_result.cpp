#include "report/json_result.hpp"

#include "core/text.hpp"

#include <cmath>

#include <boost/json/serialize.hpp>

#include "report/escape.hpp"
#include "report/inventory_report.hpp"

namespace stp::report {
namespace json = boost::json;
namespace {

json::array text_array(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.push_back(json_text(v));
  return out;
}

json::value milliseconds(double value) {
  if (value < 0) return nullptr;
  return std::round(value * 10.0) / 10.0;
}

json::value smtp_json(const probe::SmtpEvidence& smtp) {
  if (smtp.greeting.empty()) return nullptr;  // never reached the SMTP dialogue
  return json::object{
      {"greeting", json_text(core::join(smtp.greeting, "\n"))},
      {"ehlo", text_array(smtp.ehlo)},
      {"used_helo", smtp.used_helo},
      {"starttls_offered", smtp.starttls_offered},
      {"starttls_reply", smtp.starttls_reply.empty() ? json::value(nullptr) : json_text(core::join(smtp.starttls_reply, "\n"))},
      {"ehlo_after_tls", text_array(smtp.ehlo_after_tls)},
      {"injected_bytes", smtp.injected_bytes},
      {"injected", smtp.injected_bytes ? json_text(smtp.injected) : json::value(nullptr)},
  };
}

json::value tls_json(const probe::TlsEvidence& tls, const tls::Assessment& assessment) {
  if (!tls.attempted) return nullptr;
  return json::object{
      {"version", json_text_or_null(tls.version)},
      {"cipher", json_text_or_null(tls.cipher)},
      {"sni", json_text_or_null(tls.sni)},
      {"client_certificate_requested", tls.client_certificate_requested},
      {"acceptable_ca_names", text_array(assessment.acceptable_ca_names)},
      {"error", tls.error.empty() ? json::value(nullptr) : json_text(tls.error)},
  };
}

json::object certificate_json(const tls::CertificateFacts& c) {
  return json::object{
      {"subject", json_text(c.subject)},
      {"issuer", json_text(c.issuer)},
      {"tls_certificate_name", json_text(c.tls_certificate_name())},
      {"serial", c.serial},
      {"not_before", tls::format_time(c.not_before)},
      {"not_after", tls::format_time(c.not_after)},
      {"dns_names", text_array(c.dns_names)},
      {"ip_addresses", text_array(c.ip_addresses)},
      {"certificate_domains", text_array(c.certificate_domains)},
      {"key_type", c.key_type},
      {"key_bits", c.key_bits},
      {"signature_algorithm", c.signature_algorithm},
      {"extended_key_usage", text_array(c.extended_key_usage)},
      {"key_usage", text_array(c.key_usage)},
      {"is_ca", c.is_ca},
      {"self_signed", c.self_signed},
      {"sha1", c.sha1},
      {"sha256", c.sha256},
      {"pem", c.pem},
  };
}

json::value verification_json(const std::optional<tls::Verification>& v) {
  if (!v) return nullptr;
  return json::object{
      {"trusted", v->trusted},
      {"error", v->error.empty() ? json::value(nullptr) : json_text(v->error)},
      {"name_match", tls::to_string(v->name_match)},
      {"rfc6125_name_match", v->rfc6125_name_match},
  };
}

json::array findings_json(const std::vector<tls::Finding>& findings) {
  json::array out;
  for (const auto& f : findings)
    out.push_back(json::object{{"code", f.code},
                               {"severity", tls::to_string(f.severity)},
                               {"message", json_text(f.message)},
                               {"remedy", f.remedy.empty() ? json::value(nullptr) : json_text(f.remedy)}});
  return out;
}

json::array events_json(const std::vector<tls::ExchangeEvent>& events) {
  json::array out;
  for (const auto& e : events)
    out.push_back(json::object{{"id", e.id},
                               {"condition", e.condition},
                               {"summary", json_text(e.summary)},
                               {"remediation", text_array(e.remediation)}});
  return out;
}

json::array chain_json(const std::vector<tls::CertificateFacts>& chain) {
  json::array out;
  for (const auto& certificate : chain) out.push_back(certificate_json(certificate));
  return out;
}

json::value probe_error_json(const probe::Evidence& ev) {
  if (ev.failure == probe::Failure::none) return nullptr;
  return json::object{
      {"kind", probe::to_string(ev.failure)},
      {"phase", ev.deadline_hit ? "deadline" : probe::to_string(ev.failure_phase)},
      {"detail", json_text(ev.failure_detail)},
  };
}

}  // namespace

json::value json_text(std::string_view bytes) { return json::string(valid_utf8(bytes)); }

json::value json_text_or_null(const std::optional<std::string>& value) {
  return value ? json_text(*value) : json::value(nullptr);
}

// SPEC §5's `dane`: the TLSA records, which matched, and the result.
json::value dane_json(const std::optional<tls::DaneResult>& dane) {
  if (!dane) return nullptr;
  json::array records;
  for (const auto& r : dane->records) {
    records.push_back(json::object{{"usage", r.record.usage},
                                   {"selector", r.record.selector},
                                   {"matching_type", r.record.matching_type},
                                   {"data", core::hex(r.record.data)},
                                   {"usable", r.usable},
                                   {"matched", r.matched}});
  }
  return json::object{{"tlsa_name", json_text(dane->tlsa_name)},
                      {"dnssec", std::string(probe::to_string(dane->dnssec))},
                      {"records", std::move(records)},
                      {"result", dane->result}};
}

namespace {

// SPEC §5's `mta_sts`: the policy as a sender read it, and how this MX host fares under it.
json::value mta_sts_json(const std::optional<tls::MtaStsResult>& sts) {
  if (!sts) return nullptr;
  json::array patterns;
  for (const auto& p : sts->mx_patterns) patterns.push_back(json_text(p));
  auto flag = [](const std::optional<bool>& b) { return b ? json::value(*b) : json::value(nullptr); };
  return json::object{{"policy_id", sts->policy_id.empty() ? json::value(nullptr) : json_text(sts->policy_id)},
                      {"mode", sts->mode ? json::value(std::string(tls::to_string(*sts->mode))) : json::value(nullptr)},
                      {"mx_patterns", std::move(patterns)},
                      {"max_age", sts->max_age ? json::value(*sts->max_age) : json::value(nullptr)},
                      {"mx_listed", flag(sts->mx_listed)},
                      {"certificate_ok", flag(sts->certificate_ok)},
                      {"error", sts->error.empty() ? json::value(nullptr) : json_text(sts->error)}};
}

json::value tls_rpt_json(const std::optional<tls::TlsRptResult>& rpt) {
  if (!rpt) return nullptr;
  json::array rua;
  for (const auto& uri : rpt->rua) rua.push_back(json_text(uri));
  return json::object{{"rua", std::move(rua)}};
}

}  // namespace

json::object result_json(const probe::Evidence& ev, const tls::Assessment& assessment,
                         const inventory::Prediction* prediction) {
  const auto& t = ev.timings;
  return json::object{
      {"target", json_text(ev.target.text)},
      {"connector", json_text_or_null(ev.target.connector)},
      {"host", json_text(ev.target.host)},
      {"address", json_text_or_null(ev.address)},
      {"port", ev.target.port},
      {"mode", ev.target.mode == probe::Mode::implicit ? "implicit" : "starttls"},
      {"expected_fqdn", json_text_or_null(ev.target.expected_fqdn)},
      {"advertised_fqdn", json_text_or_null(ev.advertised_fqdn)},
      {"ehlo_fqdn", json_text_or_null(ev.ehlo_fqdn)},
      {"checked_fqdn", json_text_or_null(ev.checked_fqdn)},
      {"status", tls::to_string(assessment.status)},
      {"smtp", smtp_json(ev.smtp)},
      {"tls", tls_json(ev.tls, assessment)},
      {"chain", chain_json(assessment.chain)},
      {"verification", verification_json(assessment.verification)},
      {"findings", findings_json(assessment.findings)},
      {"exchange_events", events_json(assessment.exchange_events)},
      {"probe_error", probe_error_json(ev)},
      {"inventory", prediction ? json::value(prediction_json(*prediction)) : json::value(nullptr)},
      {"timings_ms", json::object{{"connect", milliseconds(t.connect)},
                                  {"greeting", milliseconds(t.greeting)},
                                  {"ehlo", milliseconds(t.ehlo)},
                                  {"starttls", milliseconds(t.starttls)},
                                  {"handshake", milliseconds(t.handshake)},
                                  {"total", milliseconds(t.total)}}},
      {"domain", json_text_or_null(ev.dns.domain)},
      {"mx_preference", ev.dns.mx_preference ? json::value(*ev.dns.mx_preference) : json::value(nullptr)},
      {"dane", dane_json(assessment.dane)},
      {"mta_sts", mta_sts_json(assessment.mta_sts)},
      {"tls_rpt", tls_rpt_json(assessment.tls_rpt)},
      {"started_at", ev.started_at_ms != 0 ? json::value(format_time_ms(ev.started_at_ms)) : json::value(nullptr)},
  };
}

json::object inspect_json(const std::string& file, const std::optional<std::string>& fqdn,
                          const tls::Assessment& assessment) {
  return json::object{
      {"target", json_text(file)},
      {"connector", nullptr},
      {"host", nullptr},
      {"address", nullptr},
      {"port", nullptr},
      {"mode", nullptr},
      {"expected_fqdn", json_text_or_null(fqdn)},
      {"advertised_fqdn", nullptr},
      {"ehlo_fqdn", nullptr},
      {"checked_fqdn", json_text_or_null(fqdn)},
      {"status", tls::to_string(assessment.status)},
      {"smtp", nullptr},
      {"tls", nullptr},
      {"chain", chain_json(assessment.chain)},
      {"verification", verification_json(assessment.verification)},
      {"findings", findings_json(assessment.findings)},
      {"exchange_events", events_json(assessment.exchange_events)},
      {"probe_error", nullptr},
      {"inventory", nullptr},
      {"timings_ms", nullptr},
      {"domain", nullptr},
      {"mx_preference", nullptr},
      {"dane", dane_json(assessment.dane)},
      {"mta_sts", nullptr},
      {"tls_rpt", nullptr},
      {"started_at", nullptr},
  };
}

std::string jsonl_line(const json::object& result) {
  std::string line = json::serialize(result);
  line += '\n';
  return line;
}

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string format_time_ms(std::int64_t unix_ms) {
  std::int64_t seconds = unix_ms / 1000, millis = unix_ms % 1000;
  std::string whole = tls::format_time(seconds);  // 2026-11-29T09:00:00Z
  char fraction[8];
  std::snprintf(fraction, sizeof fraction, ".%03dZ", static_cast<int>(millis));
  return whole.substr(0, whole.size() - 1) + fraction;
}

std::string json_document(json::array results, const tls::Tally& tally, const WriterOptions& options) {
  std::int64_t finished = options.finished_at_ms != 0 ? options.finished_at_ms : unix_ms_now();
  json::object document{
      {"results", std::move(results)},
      {"summary", json::object{{"total", tally.total()},
                               {"ok", tally.ok},
                               {"warning", tally.warning},
                               {"critical", tally.critical},
                               {"unknown", tally.unknown},
                               {"exit_code", tally.exit_code()},
                               {"tool_version", options.tool_version},
                               {"started_at", options.started_at_ms != 0 ? json::value(format_time_ms(options.started_at_ms))
                                                                         : json::value(nullptr)},
                               {"finished_at", format_time_ms(finished)},
                               {"shard", options.shard.empty() ? json::value(nullptr) : json::value(options.shard)},
                               {"shard_source", options.shard_source.empty() ? json::value(nullptr)
                                                                             : json::value(options.shard_source)}}},
  };
  std::string out = json::serialize(document);
  out += '\n';
  return out;
}

}  // namespace stp::report
