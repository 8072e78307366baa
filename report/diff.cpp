#include "report/diff.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "report/escape.hpp"
#include "report/html.hpp"
#include "report/json_result.hpp"
#include "report/text_style.hpp"

namespace stp::report {
namespace json = boost::json;
namespace {

using history::EndpointChange;
using history::ScanDiff;
using history::ScanEntry;

std::string endpoint_name(const ScanEntry& e) {
  return e.target + (e.address && *e.address != e.target ? " (" + *e.address + ")" : "");
}

json::value opt(const std::optional<std::string>& s) { return json_text_or_null(s); }
json::value opt(const std::optional<bool>& b) { return b ? json::value(*b) : json::value(nullptr); }

template <typename T>
json::object pair_json(const std::optional<ScanEntry>& before, const std::optional<ScanEntry>& after,
                       std::optional<T> ScanEntry::*field) {
  return json::object{{"old", before ? opt(*before.*field) : json::value(nullptr)},
                      {"new", after ? opt(*after.*field) : json::value(nullptr)}};
}

const char* kind_name(EndpointChange::Kind k) {
  switch (k) {
    case EndpointChange::Kind::changed: return "changed";
    case EndpointChange::Kind::only_old: return "only_old";
    case EndpointChange::Kind::only_new: return "only_new";
  }
  return "?";
}

json::object change_json(const EndpointChange& c) {
  const ScanEntry& any = c.after ? *c.after : *c.before;
  json::array added, removed;
  for (const auto& f : c.findings_added) added.push_back(json_text(f));
  for (const auto& f : c.findings_removed) removed.push_back(json_text(f));
  return json::object{
      {"target", json_text(any.target)},
      {"address", opt(any.address)},
      {"connector", opt(any.connector)},
      {"change", kind_name(c.kind)},
      {"status", json::object{{"old", c.before ? json::value(tls::to_string(c.before->status)) : json::value(nullptr)},
                              {"new", c.after ? json::value(tls::to_string(c.after->status)) : json::value(nullptr)}}},
      {"findings_added", std::move(added)},
      {"findings_removed", std::move(removed)},
      {"leaf_sha1", pair_json(c.before, c.after, &ScanEntry::leaf_sha1)},
      {"starttls_offered", pair_json(c.before, c.after, &ScanEntry::starttls_offered)},
      {"tls_version", pair_json(c.before, c.after, &ScanEntry::tls_version)},
  };
}

std::string shown(const std::optional<std::string>& s) { return s ? terminal_safe(*s) : std::string("none"); }
std::string shown(const std::optional<bool>& b) { return !b ? std::string("unknown") : *b ? "offered" : "not offered"; }

// One block; on a terminal the head word takes the colour of NEW's status.
std::string change_text(const EndpointChange& c, bool color) {
  const ScanEntry& any = c.after ? *c.after : *c.before;
  std::string head = c.kind == EndpointChange::Kind::changed ? "CHANGED " : c.kind == EndpointChange::Kind::only_old ? "ONLY OLD" : "ONLY NEW";
  if (c.after) head = colored(c.after->status, head, color);
  std::string out = head + "  " + terminal_safe(endpoint_name(any)) + (any.connector ? "  " + terminal_safe(*any.connector) : "") + "\n";
  auto row = [&](const char* label, const std::string& text) { out += std::string("  ") + label + text + "\n"; };
  if (c.kind != EndpointChange::Kind::changed) {
    row("status     ", tls::to_string(any.status));
    return out;
  }
  const ScanEntry &a = *c.before, &b = *c.after;
  if (a.status != b.status) row("status     ", std::string(tls::to_string(a.status)) + " -> " + tls::to_string(b.status));
  if (!c.findings_added.empty() || !c.findings_removed.empty()) {
    std::string f;
    for (const auto& code : c.findings_added) f += (f.empty() ? "+" : ", +") + terminal_safe(code);
    for (const auto& code : c.findings_removed) f += (f.empty() ? "-" : ", -") + terminal_safe(code);
    row("findings   ", f);
  }
  if (a.address != b.address) row("address    ", shown(a.address) + " -> " + shown(b.address));
  if (a.leaf_sha1 != b.leaf_sha1) row("leaf SHA-1 ", shown(a.leaf_sha1) + " -> " + shown(b.leaf_sha1));
  if (a.starttls_offered != b.starttls_offered) row("STARTTLS   ", shown(a.starttls_offered) + " -> " + shown(b.starttls_offered));
  if (a.tls_version != b.tls_version) row("TLS        ", shown(a.tls_version) + " -> " + shown(b.tls_version));
  return out;
}

// One side of a change for the html table: status, leaf, STARTTLS and TLS version, each on a line.
std::string side_html(const std::optional<ScanEntry>& e) {
  if (!e) return "<td>&#8212;</td>";
  return "<td>" + std::string(tls::to_string(e->status)) + "<br/>leaf " + html::text(e->leaf_sha1.value_or("none")) +
         "<br/>STARTTLS " + html::text(shown(e->starttls_offered)) + "<br/>" + html::text(e->tls_version.value_or("no TLS")) +
         "</td>";
}

std::string change_row(const EndpointChange& c) {
  const ScanEntry& any = c.after ? *c.after : *c.before;
  std::string findings;
  for (const auto& code : c.findings_added) findings += (findings.empty() ? "+" : ", +") + code;
  for (const auto& code : c.findings_removed) findings += (findings.empty() ? "-" : ", -") + code;
  const char* kind = c.kind == EndpointChange::Kind::changed ? "changed"
                     : c.kind == EndpointChange::Kind::only_old ? "only in OLD" : "only in NEW";
  return "<tr data-status=\"" + std::string(tls::to_string(any.status)) + "\">" + html::status_cell(any.status) + "<td>" +
         kind + "</td><td>" + html::text(endpoint_name(any)) + "</td><td>" + html::text(any.connector.value_or("")) +
         "</td>" + side_html(c.before) + side_html(c.after) + "<td>" + html::text(findings) + "</td></tr>\n";
}

}  // namespace

void write_diff(const ScanDiff& diff, Format format, const Writer::Sink& sink, bool color) {
  int exit_code = history::exit_code_of(diff);
  auto [only_old, only_new, modified] = history::count_changes(diff);
  if (format == Format::jsonl) {
    for (const auto& c : diff.changes) sink(json::serialize(change_json(c)) + "\n");
  } else if (format == Format::json) {
    json::array all;
    for (const auto& c : diff.changes) all.push_back(change_json(c));
    sink(json::serialize(json::object{{"changes", std::move(all)},
                                      {"summary", json::object{{"compared", diff.compared},
                                                               {"changed", modified},
                                                               {"unchanged", diff.unchanged},
                                                               {"only_old", only_old},
                                                               {"only_new", only_new},
                                                               {"exit_code", exit_code}}}}) +
         "\n");
  } else if (format == Format::html) {
    tls::Tally now;
    std::string rows;
    for (const auto& c : diff.changes) {
      rows += change_row(c);
      now.add(c.after ? c.after->status : c.before->status);
    }
    std::string summary = std::to_string(diff.compared) + " endpoints in both scans: " + std::to_string(modified) +
                          " changed, " + std::to_string(diff.unchanged) + " unchanged; " + std::to_string(only_old) +
                          " only in OLD, " + std::to_string(only_new) + " only in NEW. Exit code " +
                          std::to_string(exit_code) + ". The counts are the changed endpoints' status now.";
    sink(html::page("What changed between two scans",
                    "<header>\n<h1>What changed between two scans</h1>\n<p class=\"meta\">" + html::text(summary) +
                        "</p>\n" + html::counts(now) + "</header>\n" +
                        html::table({"Status now", "Change", "Endpoint", "Connector", "Before", "After", "Findings"}, rows,
                                    "changed endpoints")));
  } else {
    for (const auto& c : diff.changes) sink(change_text(c, color) + "\n");
    sink("Summary: " + std::to_string(diff.compared) + " endpoints in both: " + std::to_string(modified) + " changed, " +
         std::to_string(diff.unchanged) + " unchanged; " + std::to_string(only_old) + " only in OLD, " +
         std::to_string(only_new) + " only in NEW. Exit code " + std::to_string(exit_code) + ".\n");
  }
}

}  // namespace stp::report
