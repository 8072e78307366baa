// CSV (RFC 4180): a header row, then one row per endpoint; CRLF line ends; a field with a comma,
// a quote or a line break is quoted, quotes doubled. A value from the network that starts like a
// spreadsheet formula (= + - @) gets a leading apostrophe so that opening the file runs nothing.

#include "report/escape.hpp"
#include "report/formats.hpp"
#include "report/row.hpp"

namespace stp::report {
namespace {

std::string field(std::string_view value) {
  std::string v = valid_utf8(value);
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// For values a server or a certificate chose.
std::string untrusted(const std::optional<std::string>& value) {
  if (!value) return "";
  std::string v = *value;
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
  return field(v);
}

std::string optional(const std::optional<std::string>& value) { return value ? field(*value) : ""; }

class CsvWriter final : public Writer {
 public:
  explicit CsvWriter(Sink sink) : sink_(std::move(sink)) {
    sink_("target,connector,host,address,port,status,expected_fqdn,advertised_fqdn,checked_fqdn,starttls_offered,"
          "tls_version,leaf_subject,leaf_sha1,leaf_not_after,findings,exchange_events\r\n");
  }

  void add(const Result& result) override {
    Row row = row_of(result);
    std::string findings, events;
    for (const auto& f : row.assessment->findings) findings += (findings.empty() ? "" : ";") + f.code;
    for (const auto& e : row.assessment->exchange_events) events += (events.empty() ? "" : ";") + event_label(e);
    std::string line = field(row.target) + "," + untrusted(row.connector) + "," + optional(row.host) + "," +
                       optional(row.address) + "," + (row.port ? std::to_string(*row.port) : "") + "," +
                       tls::to_string(row.status) + "," + optional(row.expected_fqdn) + "," +
                       untrusted(row.advertised_fqdn) + "," + optional(row.checked_fqdn) + "," +
                       (row.starttls_offered ? (*row.starttls_offered ? "true" : "false") : "") + "," +
                       optional(row.tls_version) + "," +
                       (row.leaf ? untrusted(row.leaf->subject) : "") + "," + (row.leaf ? row.leaf->sha1 : "") + "," +
                       (row.leaf ? tls::format_time(row.leaf->not_after) : "") + "," + field(findings) + "," +
                       field(events) + "\r\n";
    sink_(line);
  }

  void finish(const tls::Tally&) override {}

 private:
  Sink sink_;
};

}  // namespace

std::unique_ptr<Writer> make_csv_writer(Writer::Sink sink) { return std::make_unique<CsvWriter>(std::move(sink)); }

}  // namespace stp::report
