#include "report/inventory_report.hpp"

#include <algorithm>
#include <functional>

#include <boost/json/serialize.hpp>

#include "core/text.hpp"
#include "report/escape.hpp"
#include "report/html.hpp"
#include "report/json_result.hpp"
#include "report/row.hpp"
#include "report/text_style.hpp"
#include "tls/certificate.hpp"

namespace stp::report {
namespace json = boost::json;
namespace {

json::value time_or_null(const std::optional<std::int64_t>& t) {
  return t ? json::value(tls::format_time(*t)) : json::value(nullptr);
}

json::value bool_or_null(const std::optional<bool>& b) { return b ? json::value(*b) : json::value(nullptr); }

json::array text_array(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.push_back(json_text(item));
  return out;
}

// What the export says of a certificate, after the fields that lead `out`.
json::object with_certificate(json::object out, const inventory::ExportedCertificate& cert) {
  out.emplace("subject", json_text(cert.subject));
  out.emplace("issuer", json_text(cert.issuer));
  out.emplace("certificate_domains", text_array(cert.domains));
  out.emplace("certificate_domains_truncated", cert.domains_truncated);
  out.emplace("services", text_array(cert.services));
  out.emplace("has_private_key", bool_or_null(cert.has_private_key));
  out.emplace("self_signed", bool_or_null(cert.self_signed));
  out.emplace("not_before", time_or_null(cert.not_before));
  out.emplace("not_after", time_or_null(cert.not_after));
  out.emplace("source", json_text(cert.source));
  return out;
}

json::value text_or_null(const std::string& text) { return text.empty() ? json::value(nullptr) : json_text(text); }

json::object candidate_json(const inventory::Candidate& c) {
  return with_certificate({{"thumbprint", c.certificate->thumbprint},
                           {"eligible", c.eligible},
                           {"chosen", c.chosen},
                           {"why_not", text_or_null(c.why_not)}},
                          *c.certificate);
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

// A certificate exported without connectors: what it could serve, in the candidates' fields.
json::object certificate_use_json(const inventory::CertificateUse& use) {
  const auto& cert = *use.certificate;
  return with_certificate({{"thumbprint", cert.thumbprint},
                           {"server", text_or_null(cert.server)},
                           {"status", tls::to_string(use.status)},
                           {"serves", text_array(use.serves)},
                           {"why_not", text_or_null(use.why_not)},
                           {"status_exported", text_or_null(cert.status)}},
                          cert);
}

std::string certificate_use_text(const inventory::CertificateUse& use, bool color) {
  const auto& c = *use.certificate;
  std::string out = colored(use.status, status_word(use.status), color) + "  " + c.thumbprint + "  " +
                    terminal_safe(c.subject) + "  (" + terminal_safe(c.server.empty() ? std::string("?") : c.server) +
                    ", " + terminal_safe(c.source) + ")\n";
  out += "  serves     " +
         terminal_safe(use.serves.empty() ? "no connector: " + use.why_not
                                          : "connectors whose FQDN is " + core::join(use.serves) +
                                                (c.domains_truncated ? " ... (the export cut the list short)" : "")) +
         "\n";
  out += "  valid      " + (c.not_before ? tls::format_time(*c.not_before) : std::string("?")) + " to " +
         (c.not_after ? tls::format_time(*c.not_after) : std::string("?")) + "\n";
  out += "  services   " + terminal_safe(c.services_exported ? (c.services.empty() ? std::string("None") : core::join(c.services))
                                                            : std::string("(not exported)")) +
         "\n\n";
  return out;
}

// A table row: the status, then each cell's text, escaped.
std::string status_row(tls::Status status, const std::vector<std::string>& cells) {
  std::string row = "<tr data-status=\"" + std::string(tls::to_string(status)) + "\">" + html::status_cell(status);
  for (const auto& cell : cells) row += "<td>" + html::text(cell) + "</td>";
  return row + "</tr>\n";
}

// How a list of items is shown in html: its title, its columns and each item's row.
template <typename Item>
struct HtmlTable {
  std::string title, noun;
  std::vector<std::string> columns;
  std::function<std::string(const Item&)> row;  // "<tr data-status=...>...</tr>"
};

// One report of `items`: a jsonl line each, one json document under `key` with the summary, an
// html page, or text with a summary line. Returns the exit code by the worst status.
template <typename Item, typename ToJson, typename ToText, typename Summary>
int write_items(const std::vector<Item>& items, Format format, const Writer::Sink& sink, const char* key, ToJson to_json,
                ToText to_text, Summary summary, const HtmlTable<Item>& html_table) {
  tls::Tally tally;
  for (const auto& item : items) tally.add(item.status);
  if (format == Format::jsonl) {
    for (const auto& item : items) sink(json::serialize(to_json(item)) + "\n");
  } else if (format == Format::json) {
    json::array all;
    for (const auto& item : items) all.push_back(to_json(item));
    sink(json::serialize(json::object{{key, std::move(all)},
                                      {"summary", json::object{{"total", tally.total()},
                                                               {"ok", tally.ok},
                                                               {"warning", tally.warning},
                                                               {"critical", tally.critical},
                                                               {"exit_code", tally.exit_code()}}}}) +
         "\n");
  } else if (format == Format::html) {
    std::vector<const Item*> sorted;
    sorted.reserve(items.size());
    for (const auto& item : items) sorted.push_back(&item);
    std::stable_sort(sorted.begin(), sorted.end(), [](const Item* a, const Item* b) { return status_rank(a->status) < status_rank(b->status); });
    std::string rows;
    for (const Item* item : sorted) rows += html_table.row(*item);
    sink(html::page(html_table.title, "<header>\n<h1>" + html::text(html_table.title) + "</h1>\n<p class=\"meta\">" +
                                          html::text(summary(tally)) + ". Exit code " + std::to_string(tally.exit_code()) +
                                          ".</p>\n" + html::counts(tally) + "</header>\n" +
                                          html::table(html_table.columns, rows, html_table.noun)));
  } else {
    for (const auto& item : items) sink(to_text(item));
    sink("Summary: " + summary(tally) + ". Exit code " + std::to_string(tally.exit_code()) + ".\n");
  }
  return tally.exit_code();
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
  return write_items(predictions, format, sink, "predictions", prediction_json,
                     [color](const inventory::Prediction& p) { return prediction_text(p, color); },
                     [](const tls::Tally& tally) {
                       return std::to_string(tally.total()) + (tally.total() == 1 ? " connector" : " connectors") + ": " +
                              std::to_string(tally.ok) + " ok, " + std::to_string(tally.warning) + " warning, " +
                              std::to_string(tally.critical) + " critical" +
                              (tally.unknown ? ", " + std::to_string(tally.unknown) + " unknown (not all was exported)"
                                             : std::string());
                     },
                     HtmlTable<inventory::Prediction>{
                         "What Exchange will do: the certificate each connector uses for STARTTLS", "connectors",
                         {"Status", "Connector", "Server", "Kind", "FQDN", "Prediction", "Why", "Fix", "Source"},
                         [](const inventory::Prediction& p) {
                           return status_row(p.status, {p.connector, p.server, p.kind, p.fqdn.value_or(""),
                                                        prediction_summary(p), p.rule, p.remedy, p.source});
                         }});
}

int write_certificate_uses(const std::vector<inventory::CertificateUse>& uses, Format format, const Writer::Sink& sink,
                           bool color) {
  return write_items(uses, format, sink, "certificates", certificate_use_json,
                     [color](const inventory::CertificateUse& use) { return certificate_use_text(use, color); },
                     [](const tls::Tally& tally) {
                       return std::to_string(tally.total()) + (tally.total() == 1 ? " certificate" : " certificates") +
                              " and no connector in the exports: nothing is predicted (export Get-ReceiveConnector "
                              "and Get-SendConnector too). " +
                              std::to_string(tally.critical) + " expired and " + std::to_string(tally.warning) +
                              " expiring soon among those that can serve SMTP";
                     },
                     HtmlTable<inventory::CertificateUse>{
                         "Exported certificates and the connector FQDNs each could serve", "certificates",
                         {"Status", "Thumbprint", "Subject", "Server", "Serves", "Valid to"},
                         [](const inventory::CertificateUse& use) {
                           const auto& c = *use.certificate;
                           return status_row(use.status,
                                             {c.thumbprint, c.subject, c.server,
                                              use.serves.empty() ? "no connector: " + use.why_not : core::join(use.serves),
                                              c.not_after ? tls::format_time(*c.not_after) : std::string("?")});
                         }});
}

}  // namespace stp::report
