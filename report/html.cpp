// The html report (SPEC §5 html): one self-contained page for the people who sign off a migration.
// A headline of counts, worst first; a timeline of every leaf's validity (inline SVG); a table of
// the endpoints that sorts, filters and pages with a little script; and each endpoint that is not
// OK with its findings, remedies and Exchange events. Readable and printable without the script.
//
// Every byte from a server, a certificate or an input file goes through xml_safe(), in text and in
// attributes alike; the script reads the page's own attributes and writes only textContent. The
// page declares its Content-Security-Policy: nothing remote, its one style block and its one script
// allowed by their SHA-256 hashes.

#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "core/text.hpp"
#include "report/escape.hpp"
#include "report/formats.hpp"
#include "report/html.hpp"
#include "report/row.hpp"
#include "report/text_style.hpp"

namespace stp::report {
namespace {

constexpr std::int64_t day = 86400;
constexpr std::size_t timeline_bars = 60;  // the soonest-expiring certificates drawn; the rest counted
// Endpoints given a section of their own, worst first: a page of 10,000 sections takes a browser
// many seconds to open, and nobody reads past the first thousand in a meeting. The table lists
// every endpoint with its worst finding; text and jsonl have every finding of every endpoint.
constexpr std::size_t detailed_endpoints = 1000;

const char* const style = R"css(
:root { --critical: #b71c1c; --unknown: #4a148c; --warning: #e65100; --ok: #1b5e20; --line: #c8c8c8; }
body { font: 14px/1.45 system-ui, "DejaVu Sans", sans-serif; color: #111; margin: 1.5rem; max-width: 1400px; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; } h2 { font-size: 1.2rem; margin: 1.6rem 0 .5rem; }
h3 { font-size: 1rem; margin: 0 0 .4rem; } .meta { color: #555; margin: 0 0 1rem; }
.counts { display: flex; gap: .8rem; flex-wrap: wrap; margin: .6rem 0; }
.count { border: 2px solid var(--line); border-radius: 6px; padding: .4rem .9rem; min-width: 7rem; }
.count b { display: block; font-size: 1.6rem; }
.count.critical { border-color: var(--critical); } .count.unknown { border-color: var(--unknown); }
.count.warning { border-color: var(--warning); } .count.ok { border-color: var(--ok); }
.badge { font-weight: 700; letter-spacing: .02em; }
.badge.critical, .critical .badge { color: var(--critical); } .badge.unknown, .unknown .badge { color: var(--unknown); }
.badge.warning, .warning .badge { color: var(--warning); } .badge.ok, .ok .badge { color: var(--ok); }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: .25rem .4rem; text-align: left; vertical-align: top; }
td { overflow-wrap: anywhere; min-width: 4.5em; } td code { overflow-wrap: normal; } th button { font: inherit; font-weight: 700; border: 0; background: none; padding: 0; cursor: pointer; }
th button::after { content: " \2195"; color: #888; }
td.num { text-align: right; white-space: nowrap; } td.badge, td.nowrap { white-space: nowrap; }
#controls { margin: .5rem 0; display: flex; gap: 1rem; flex-wrap: wrap; align-items: center; }
[hidden] { display: none !important; }
.endpoint { border-left: 4px solid var(--line); padding: .3rem 0 .3rem .8rem; margin: 1rem 0; break-inside: avoid;
  content-visibility: auto; contain-intrinsic-size: auto 420px; }
.endpoint.critical { border-color: var(--critical); } .endpoint.unknown { border-color: var(--unknown); }
.endpoint.warning { border-color: var(--warning); }
dl { display: grid; grid-template-columns: 9rem 1fr; gap: .1rem .8rem; margin: .3rem 0; }
dt { color: #555; } dd { margin: 0; overflow-wrap: anywhere; }
.timeline { width: 100%; height: auto; }
.timeline text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: #111; }
.timeline .axis { stroke: #999; } .timeline .grid { stroke: #e4e4e4; }
.timeline .today { stroke: #111; stroke-width: 2; } .timeline .warn { stroke: var(--warning); stroke-dasharray: 6 3; }
.timeline .crit { stroke: var(--critical); stroke-dasharray: 2 2; }
.timeline .bar-ok { fill: #81c784; } .timeline .bar-warning { fill: #ffb74d; } .timeline .bar-critical { fill: #e57373; }
code { font-size: .92em; }
@media print {
  body { margin: 0; font-size: 8.5pt; max-width: none; } #controls { display: none !important; }
  code { font-size: 7.5pt; } h1 { font-size: 15pt; } .count b { font-size: 13pt; }
  tr[hidden] { display: table-row !important; } th button::after { content: ""; }
  th, td { padding: .1rem .25rem; } h2 { break-after: avoid; }
}
@page { size: A4; margin: 12mm; }
)css";

// Sorts by a column (its cells' data-sort, else their text), filters by text and status, and pages
// the rows 100 at a time. Reads only the page's own attributes; writes only textContent and hidden.
const char* const script = R"js(
(function () {
  var table = document.getElementById("endpoints");
  if (!table) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var controls = document.getElementById("controls");
  var filter = document.getElementById("filter");
  var info = document.getElementById("page-info");
  var previous = document.getElementById("previous");
  var next = document.getElementById("next");
  var boxes = Array.prototype.slice.call(controls.querySelectorAll("input[type=checkbox]"));
  var noun = table.getAttribute("data-noun") || "rows";
  var pageSize = 100, page = 0, shown = rows, sortColumn = -1, ascending = true;
  function render() {
    var pages = Math.max(1, Math.ceil(shown.length / pageSize));
    if (page >= pages) { page = pages - 1; }
    var first = page * pageSize, last = first + pageSize;
    rows.forEach(function (row) { row.hidden = true; });
    shown.forEach(function (row, i) { row.hidden = i < first || i >= last; });
    info.textContent = shown.length + " of " + rows.length + " " + noun + ", page " + (page + 1) + " of " + pages;
    previous.disabled = page === 0;
    next.disabled = page + 1 >= pages;
  }
  function apply() {
    var text = filter.value.trim().toLowerCase();
    var wanted = {};
    boxes.forEach(function (box) { wanted[box.value] = box.checked; });
    shown = rows.filter(function (row) {
      return wanted[row.getAttribute("data-status")] === true &&
        (text === "" || row.textContent.toLowerCase().indexOf(text) !== -1);
    });
    page = 0;
    render();
  }
  function key(row, column) {
    var cell = row.cells[column];
    var sort = cell.getAttribute("data-sort");
    return sort === null ? cell.textContent.toLowerCase() : Number(sort);
  }
  Array.prototype.slice.call(table.tHead.rows[0].cells).forEach(function (header, column) {
    var button = header.querySelector("button");
    button.addEventListener("click", function () {
      ascending = sortColumn === column ? !ascending : true;
      sortColumn = column;
      rows.sort(function (a, b) {
        var x = key(a, column), y = key(b, column);
        var order = x === y ? 0 : (x > y ? 1 : -1);
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
      apply();
    });
  });
  filter.addEventListener("input", apply);
  boxes.forEach(function (box) { box.addEventListener("change", apply); });
  previous.addEventListener("click", function () { page -= 1; render(); });
  next.addEventListener("click", function () { page += 1; render(); });
  controls.hidden = false;
  apply();
  document.body.setAttribute("data-ready", "true");
}());
)js";

// A CSP source for an inline block: 'sha256-' and the base64 of its SHA-256.
std::string csp_hash(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return "'sha256-" + std::string(reinterpret_cast<const char*>(encoded)) + "'";
}

std::string text_or_dash(const std::optional<std::string>& text) { return text ? xml_safe(*text) : std::string("&#8212;"); }

const char* status_class(tls::Status status) { return tls::to_string(status); }

std::string date_of(std::int64_t unix_seconds) { return tls::format_time(unix_seconds).substr(0, 10); }

// One leaf certificate on the timeline: the endpoints that present it share its bar.
struct Leaf {
  std::string label;
  std::int64_t not_before = 0, not_after = 0;
  std::size_t endpoints = 0;
};

class HtmlWriter final : public Writer {
 public:
  HtmlWriter(Sink sink, WriterOptions options) : sink_(std::move(sink)), options_(std::move(options)) {}

  void add(const Result& result) override {
    Row row = row_of(result);
    Entry entry{row.status, result.position, table_row(row, result.position, false), {}, {}};
    if (row.status != tls::Status::ok) {
      entry.linked_row = table_row(row, result.position, true);
      entry.details = details(row, result.position);
    }
    entries_.push_back(std::move(entry));
    if (row.leaf) {
      auto [leaf, fresh] = leaves_.try_emplace(row.leaf->sha256);
      if (fresh) {
        leaf->second.label = row.leaf->subject_cn.value_or(
            row.leaf->dns_names.empty() ? row.leaf->subject : row.leaf->dns_names.front());
        leaf->second.not_before = row.leaf->not_before;
        leaf->second.not_after = row.leaf->not_after;
      }
      ++leaf->second.endpoints;
    }
  }

  void finish(const tls::Tally& tally) override {
    std::stable_sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      int a_rank = status_rank(a.status), b_rank = status_rank(b.status);
      return a_rank != b_rank ? a_rank < b_rank : a.position < b.position;
    });
    std::string body = "<header>\n<h1>STARTTLS report</h1>\n<p class=\"meta\">" + std::to_string(tally.total()) +
                       " endpoints, exit code " + std::to_string(tally.exit_code()) + ". Generated " +
                       html::text(tls::format_time(options_.now)) + " by starttls-probe " + html::text(options_.tool_version) +
                       "; certificates warn within " + std::to_string(options_.warn_days) +
                       " days and are critical within " + std::to_string(options_.crit_days) + ".</p>\n" +
                       html::counts(tally) + "</header>\n";
    body += timeline();
    std::size_t detailed = 0, not_ok = 0;
    std::string rows;
    for (const auto& entry : entries_) {
      bool section = !entry.details.empty() && detailed < detailed_endpoints;
      detailed += section ? 1 : 0;
      not_ok += entry.details.empty() ? 0 : 1;
      rows += section ? entry.linked_row : entry.row;
    }
    body += "<h2>Endpoints</h2>\n" +
            html::table({"Status", "Target", "Connector", "Checked FQDN", "STARTTLS", "TLS", "Leaf", "Days left", "Worst finding"},
                        rows);
    body += "<h2>Endpoints that are not OK</h2>\n";
    std::size_t shown = 0;
    for (const auto& entry : entries_)
      if (!entry.details.empty() && shown < detailed_endpoints) {
        body += entry.details;
        ++shown;
      }
    if (not_ok == 0) body += "<p>None: every endpoint offers STARTTLS with a certificate as it should be.</p>\n";
    if (not_ok > shown)
      body += "<p>" + std::to_string(not_ok - shown) + " more endpoints are not OK: the table above lists each with its " +
              "worst finding, and <code>--format text</code> or <code>jsonl</code> has every finding of every endpoint.</p>\n";
    sink_(html::page("starttls-probe report: " + std::to_string(tally.total()) + " endpoints", body));
  }

 private:
  struct Entry {
    tls::Status status;
    std::size_t position;
    std::string row, linked_row, details;  // the table's row, without and with a link to the details
  };

  // Every distinct leaf's validity as a bar, soonest expiry first, against today and the thresholds.
  std::string timeline() const {
    std::vector<Leaf> leaves;
    leaves.reserve(leaves_.size());
    for (const auto& [sha256, leaf] : leaves_) leaves.push_back(leaf);
    std::sort(leaves.begin(), leaves.end(), [](const Leaf& a, const Leaf& b) {
      return a.not_after != b.not_after ? a.not_after < b.not_after : a.label < b.label;
    });
    std::string out = "<h2>Certificate expiry</h2>\n";
    if (leaves.empty()) return out + "<p>No endpoint presented a certificate.</p>\n";
    std::size_t drawn = std::min(leaves.size(), timeline_bars);
    const std::int64_t now = options_.now;
    // From two months ago to the last drawn expiry, at most 13 months ahead: what runs out later
    // is not this meeting's business (its bar runs off the edge, its days are written).
    std::int64_t start = now - 60 * day, end = now + std::max<std::int64_t>(std::int64_t{options_.warn_days} * 3, 120) * day;
    for (std::size_t i = 0; i < drawn; ++i) end = std::max(end, std::min(leaves[i].not_after + 15 * day, now + 400 * day));
    const double left = 230, right = 980, top = 48, row_height = 18;
    auto x = [&](std::int64_t t) {
      double clamped = static_cast<double>(std::clamp(t, start, end));
      return left + (clamped - static_cast<double>(start)) / static_cast<double>(end - start) * (right - left);
    };
    double height = top + row_height * static_cast<double>(drawn) + 12;
    char buffer[512];
    std::snprintf(buffer, sizeof buffer,
                  "<svg class=\"timeline\" viewBox=\"0 0 1000 %.0f\" role=\"img\" aria-labelledby=\"timeline-title\">"
                  "<title id=\"timeline-title\">Validity of %zu certificates from %s to %s; today, the warning and "
                  "the critical threshold marked</title>\n",
                  height, leaves.size(), date_of(start).c_str(), date_of(end).c_str());
    out += buffer;
    // Month grid, labelled every few months.
    std::int64_t span_days = (end - start) / day;
    int every = span_days > 900 ? 6 : span_days > 400 ? 3 : 1;
    for (std::int64_t t = start; t <= end; t += day) {
      std::string date = date_of(t);
      if (date.substr(8) != "01") continue;
      int month = std::stoi(date.substr(5, 2));
      if ((month - 1) % every != 0 || x(t) > right - 40) continue;
      std::snprintf(buffer, sizeof buffer,
                    "<line class=\"grid\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/><text x=\"%.1f\" y=\"%.0f\">%s</text>\n",
                    x(t), top - 4, x(t), height - 8, x(t) + 2, top - 4, date.substr(0, 7).c_str());
      out += buffer;
      t += 27 * day;
    }
    auto mark = [&](const char* cls, std::int64_t t, const std::string& label, double y) {
      std::snprintf(buffer, sizeof buffer,
                    "<line class=\"%s\" x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\"/><text x=\"%.1f\" y=\"%.0f\">%s</text>\n",
                    cls, x(t), y - 8, x(t), height - 8, x(t) + 3, y, label.c_str());
      out += buffer;
    };
    mark("today", now, "today", 10);
    mark("crit", now + options_.crit_days * day, "critical: " + std::to_string(options_.crit_days) + " days", 21);
    mark("warn", now + options_.warn_days * day, "warning: " + std::to_string(options_.warn_days) + " days", 32);
    for (std::size_t i = 0; i < drawn; ++i) {
      const Leaf& leaf = leaves[i];
      std::int64_t left_seconds = leaf.not_after - now;
      const char* cls = left_seconds < options_.crit_days * day   ? "bar-critical"
                        : left_seconds < options_.warn_days * day ? "bar-warning"
                                                                  : "bar-ok";
      double y = top + row_height * static_cast<double>(i);
      std::string label = leaf.label.size() > 34 ? leaf.label.substr(0, 33) + "\xE2\x80\xA6" : leaf.label;
      std::string count = leaf.endpoints == 1 ? "" : " (" + std::to_string(leaf.endpoints) + ")";
      double bar_start = x(leaf.not_before), bar_end = x(leaf.not_after);
      out += "<g><title>" + html::text(leaf.label) + ": " + date_of(leaf.not_before) + " to " + date_of(leaf.not_after) + ", " +
             std::to_string(leaf.endpoints) + (leaf.endpoints == 1 ? " endpoint" : " endpoints") + "</title>";
      std::snprintf(buffer, sizeof buffer, "<text x=\"4\" y=\"%.0f\">", y + 12);
      out += buffer + html::text(label) + html::text(count) + "</text>";
      std::snprintf(buffer, sizeof buffer, "<rect class=\"%s\" x=\"%.1f\" y=\"%.0f\" width=\"%.1f\" height=\"13\"/>", cls,
                    bar_start, y + 2, std::max(1.0, bar_end - bar_start));
      out += buffer;
      std::snprintf(buffer, sizeof buffer, "<text x=\"%.1f\" y=\"%.0f\">%s</text></g>\n",
                    std::min(bar_end + 4, right - 75), y + 12, html::text(days_left_text(leaf.not_after, now)).c_str());
      out += buffer;
    }
    out += "</svg>\n";
    if (leaves.size() > drawn)
      out += "<p>" + std::to_string(leaves.size() - drawn) + " more certificates expire after " +
             date_of(leaves[drawn - 1].not_after) + ".</p>\n";
    return out;
  }

  static std::string target_text(const Row& row) {
    return html::text(row.target) + (is_mx_host(row) ? " MX " + html::text(row.host.value_or("")) : std::string());
  }

  std::string table_row(const Row& row, std::size_t position, bool linked) const {
    std::string out = "<tr data-status=\"" + std::string(status_class(row.status)) + "\">" + html::status_cell(row.status);
    std::string target = target_text(row);
    out += "<td>" + (linked ? "<a href=\"#e" + std::to_string(position) + "\">" + target + "</a>" : target) + "</td>";
    out += "<td>" + text_or_dash(row.connector) + "</td><td>" + text_or_dash(row.checked_fqdn) + "</td>";
    out += "<td>" + std::string(!row.starttls_offered ? "&#8212;" : *row.starttls_offered ? "offered" : "not offered") + "</td>";
    out += "<td class=\"nowrap\">" + text_or_dash(row.tls_version) + "</td>";
    if (row.leaf) {
      std::int64_t left = row.leaf->not_after - options_.now;
      out += "<td>" + html::text(row.leaf->subject_cn.value_or(row.leaf->subject)) + "</td><td class=\"num\" data-sort=\"" +
             std::to_string(left / day) + "\">" + html::text(days_left_text(row.leaf->not_after, options_.now)) + "</td>";
    } else {
      out += "<td>&#8212;</td><td class=\"num\" data-sort=\"999999\">&#8212;</td>";
    }
    const tls::Finding* worst = worst_finding(row);
    out += "<td>" + (worst ? "<code>" + html::text(worst->code) + "</code>" : std::string("&#8212;")) + "</td></tr>\n";
    return out;
  }

  // An endpoint that is not OK: what was seen, each finding with its remedy, the Exchange events.
  std::string details(const Row& row, std::size_t position) const {
    const char* status = status_class(row.status);
    std::string out = "<section class=\"endpoint " + std::string(status) + "\" id=\"e" + std::to_string(position) +
                      "\">\n<h3><span class=\"badge\">" + status_word(row.status) + "</span> " + target_text(row) +
                      (row.connector ? " &#8212; " + html::text(*row.connector) : std::string()) + "</h3>\n<dl>";
    auto field = [&](const char* name, const std::string& value) { out += "<dt>" + std::string(name) + "</dt><dd>" + value + "</dd>"; };
    field("FQDN", "expected " + text_or_dash(row.expected_fqdn) + ", advertised " + text_or_dash(row.advertised_fqdn) + ", checked " +
                      text_or_dash(row.checked_fqdn));
    if (const probe::Evidence* ev = row.evidence) {
      if (ev->address) field("Address", html::text(*ev->address) + " port " + std::to_string(ev->target.port));
      if (!ev->smtp.greeting.empty()) field("Greeting", "<code>" + html::text(ev->smtp.greeting.front()) + "</code>");
      if (ev->tls.established) field("TLS", text_or_dash(ev->tls.version) + ", " + text_or_dash(ev->tls.cipher));
    }
    if (row.leaf) {
      field("Leaf", html::text(row.leaf->subject) + "<br/>issued by " + html::text(row.leaf->issuer));
      field("Valid", date_of(row.leaf->not_before) + " to " + date_of(row.leaf->not_after) + " (" +
                         html::text(days_left_text(row.leaf->not_after, options_.now)) + ")");
      if (!row.leaf->certificate_domains.empty()) field("Names", html::text(core::join(row.leaf->certificate_domains)));
    }
    out += "</dl>\n<table class=\"findings\"><thead><tr><th>Severity</th><th>Finding</th><th>What was found</th>"
           "<th>What to do</th></tr></thead><tbody>\n";
    for (const auto& f : row.assessment->findings)
      out += "<tr><td class=\"badge " + std::string(tls::to_string(f.severity)) + "\">" + tls::to_string(f.severity) +
             "</td><td><code>" + html::text(f.code) + "</code></td><td>" + html::text(f.message) + "</td><td>" + html::text(f.remedy) + "</td></tr>\n";
    out += "</tbody></table>\n";
    for (const auto& e : row.assessment->exchange_events) {
      out += "<p><b>Exchange event " + std::to_string(e.id) + "</b> (<code>" + html::text(e.condition) + "</code>): " + html::text(e.summary) +
             "</p>\n<ol>";
      for (const auto& step : e.remediation) out += "<li>" + html::text(step) + "</li>";
      out += "</ol>\n";
    }
    out += "</section>\n";
    return out;
  }

  Sink sink_;
  WriterOptions options_;
  std::vector<Entry> entries_;
  std::map<std::string, Leaf> leaves_;  // by sha256
};

}  // namespace

namespace html {

std::string text(std::string_view bytes) { return xml_safe(bytes); }

std::string page(const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src " +
         csp_hash(style) + "; script-src " + csp_hash(script) + "; base-uri 'none'; form-action 'none'\"/>\n" +
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>" + xml_safe(title) +
         "</title>\n<style>" + style + "</style>\n</head>\n<body>\n" + body + "<script>" + script +
         "</script>\n</body>\n</html>\n";
}

std::string counts(const tls::Tally& tally) {
  std::string out = "<div class=\"counts\">\n";
  for (auto [status, count] : {std::pair{tls::Status::critical, tally.critical}, std::pair{tls::Status::unknown, tally.unknown},
                               std::pair{tls::Status::warning, tally.warning}, std::pair{tls::Status::ok, tally.ok}})
    out += "<div class=\"count " + std::string(status_class(status)) + "\"><b>" + std::to_string(count) +
           "</b><span class=\"badge\">" + status_word(status) + "</span></div>\n";
  return out + "</div>\n";
}

std::string status_cell(tls::Status status) {
  return "<td class=\"badge " + std::string(status_class(status)) + "\" data-sort=\"" + std::to_string(status_rank(status)) +
         "\">" + status_word(status) + "</td>";
}

std::string table(const std::vector<std::string>& columns, const std::string& rows, const std::string& noun) {
  std::string out = "<div id=\"controls\" hidden=\"hidden\"><label>Filter <input id=\"filter\" type=\"search\" "
                    "placeholder=\"any text in the row\"/></label>";
  for (auto status : {tls::Status::critical, tls::Status::unknown, tls::Status::warning, tls::Status::ok})
    out += "<label><input type=\"checkbox\" value=\"" + std::string(status_class(status)) + "\" checked=\"checked\"/> " +
           status_word(status) + "</label>";
  out += "<button id=\"previous\" type=\"button\">Previous</button><span id=\"page-info\"></span>"
         "<button id=\"next\" type=\"button\">Next</button></div>\n<table id=\"endpoints\" data-noun=\"" +
         xml_safe(noun) + "\">\n<thead><tr>";
  for (const auto& name : columns) out += "<th><button type=\"button\">" + xml_safe(name) + "</button></th>";
  return out + "</tr></thead>\n<tbody>\n" + rows + "</tbody>\n</table>\n";
}

}  // namespace html

std::unique_ptr<Writer> make_html_writer(Writer::Sink sink, const WriterOptions& options) {
  return std::make_unique<HtmlWriter>(std::move(sink), options);
}

}  // namespace stp::report
