#include "report/inventory_report.hpp"

#include <boost/json/serialize.hpp>

#include "report/escape.hpp"
#include "report/json_result.hpp"
#include "report/text_style.hpp"
#include "tls/certificate.hpp"

namespace stp::report {
namespace json = boost::json;
namespace {

json::value time_or_null(const std::optional<std::int64_t>& t) {
  return t ? json::value(tls::format_time(*t)) : json::value(nullptr);
}

json::value bool_or_null(const std::optional<bool>& b) { return b ? json::value(*b) : json::value(nullptr); }

json::object candidate_json(const inventory::Candidate& c) {
  const auto& cert = *c.certificate;
  json::array services, domains;
  for (const auto& s : cert.services) services.push_back(json_text(s));
  for (const auto& d : cert.domains) domains.push_back(json_text(d));
  return json::object{
      {"thumbprint", cert.thumbprint},
      {"eligible", c.eligible},
      {"chosen", c.chosen},
      {"why_not", c.why_not.empty() ? json::value(nullptr) : json_text(c.why_not)},
      {"subject", json_text(cert.subject)},
      {"issuer", json_text(cert.issuer)},
      {"certificate_domains", std::move(domains)},
      {"certificate_domains_truncated", cert.domains_truncated},
      {"services", std::move(services)},
      {"has_private_key", bool_or_null(cert.has_private_key)},
      {"self_signed", bool_or_null(cert.self_signed)},
      {"not_before", time_or_null(cert.not_before)},
      {"not_after", time_or_null(cert.not_after)},
      {"source", json_text(cert.source)},
  };
}

std::string prediction_text(const inventory::Prediction& p, bool color) {
  std::string out;
  out += colored(p.status, status_word(p.status), color) + "  " + terminal_safe(p.connector) + "  (" + p.kind + " connector on " +
         terminal_safe(p.server.empty() ? std::string("?") : p.server) + ", " + terminal_safe(p.source) + ")\n";
  out += "  predicts   " + prediction_summary(p) + "\n";
  out += "  FQDN       " + terminal_safe(p.fqdn ? *p.fqdn : std::string("(none: the server's FQDN)")) + "\n";
  out += "  key        " + terminal_safe(p.lookup_key) + "\n";
  out += "  rule       " + terminal_safe(p.rule) + "\n";
  if (!p.remedy.empty()) out += "  fix        " + terminal_safe(p.remedy) + "\n";
  for (std::size_t i = 0; i < p.candidates.size(); ++i) {
    const auto& c = p.candidates[i];
    out += std::string(i == 0 ? "  candidates " : "             ") + (c.chosen ? "* " : "  ") + c.certificate->thumbprint +
           "  " + terminal_safe(c.certificate->subject) + "\n";
    out += "               " + terminal_safe(c.chosen ? std::string("chosen") : c.why_not) + "\n";
  }
  out += "\n";
  return out;
}

}  // namespace

std::string prediction_summary(const inventory::Prediction& p) {
  std::string out = p.predicted_thumbprint ? "STARTTLS with " + *p.predicted_thumbprint : std::string("no STARTTLS");
  if (!p.starttls_offered)  // AuthMechanism was not exported
    out = "STARTTLS unknown (no AuthMechanism in the export)" +
          (p.predicted_thumbprint ? "; with Tls, " + *p.predicted_thumbprint : std::string());
  else if (*p.starttls_offered && !p.predicted_thumbprint && !p.predicted_event)
    out = "STARTTLS with a certificate not known (no certificates in the exports)";
  if (p.predicted_event) out += ", event " + std::to_string(*p.predicted_event);
  return out;
}

json::object prediction_json(const inventory::Prediction& p) {
  json::array candidates;
  for (const auto& c : p.candidates) candidates.push_back(candidate_json(c));
  return json::object{
      {"connector", json_text(p.connector)},
      {"server", json_text(p.server)},
      {"kind", p.kind},
      {"fqdn", p.fqdn ? json_text(*p.fqdn) : json::value(nullptr)},
      {"lookup_key", json_text(p.lookup_key)},
      {"starttls_offered", p.starttls_offered ? json::value(*p.starttls_offered) : json::value(nullptr)},
      {"predicted_thumbprint", p.predicted_thumbprint ? json::value(*p.predicted_thumbprint) : json::value(nullptr)},
      {"predicted_event", p.predicted_event ? json::value(*p.predicted_event) : json::value(nullptr)},
      {"rule", json_text(p.rule)},
      {"remedy", p.remedy.empty() ? json::value(nullptr) : json_text(p.remedy)},
      {"status", tls::to_string(p.status)},
      {"tls_certificate_name", p.tls_certificate_name.empty() ? json::value(nullptr) : json_text(p.tls_certificate_name)},
      {"source", json_text(p.source)},
      {"candidates", std::move(candidates)},
  };
}

int write_predictions(const std::vector<inventory::Prediction>& predictions, Format format, const Writer::Sink& sink,
                      bool color) {
  tls::Tally tally;
  for (const auto& p : predictions) tally.add(p.status);
  if (format == Format::jsonl) {
    for (const auto& p : predictions) sink(json::serialize(prediction_json(p)) + "\n");
  } else if (format == Format::json) {
    json::array all;
    for (const auto& p : predictions) all.push_back(prediction_json(p));
    json::object document{{"predictions", std::move(all)},
                          {"summary", json::object{{"total", tally.total()},
                                                   {"ok", tally.ok},
                                                   {"warning", tally.warning},
                                                   {"critical", tally.critical},
                                                   {"exit_code", tally.exit_code()}}}};
    sink(json::serialize(document) + "\n");
  } else {
    for (const auto& p : predictions) sink(prediction_text(p, color));
    sink("Summary: " + std::to_string(tally.total()) + (tally.total() == 1 ? " connector" : " connectors") + ": " +
         std::to_string(tally.ok) + " ok, " + std::to_string(tally.warning) + " warning, " +
         std::to_string(tally.critical) + " critical" +
         (tally.unknown ? ", " + std::to_string(tally.unknown) + " unknown (not all was exported)" : std::string()) +
         ". Exit code " + std::to_string(tally.exit_code()) + ".\n");
  }
  return tally.exit_code();
}

}  // namespace stp::report
