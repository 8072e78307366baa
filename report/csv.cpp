// CSV (RFC 4180): a header row, then one row per endpoint; CRLF line ends; each field escaped by
// csv_field() (quoting, and a leading apostrophe on anything a spreadsheet would evaluate).

#include "report/escape.hpp"
#include "report/formats.hpp"
#include "report/row.hpp"

namespace stp::report {
namespace {

// Every text field, whoever chose it, goes through csv_field() (report/escape.hpp).
std::string optional(const std::optional<std::string>& value) { return value ? csv_field(*value) : ""; }

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
    std::string line = csv_field(row.target) + "," + optional(row.connector) + "," + optional(row.host) + "," +
                       optional(row.address) + "," + (row.port ? std::to_string(*row.port) : "") + "," +
                       tls::to_string(row.status) + "," + optional(row.expected_fqdn) + "," +
                       optional(row.advertised_fqdn) + "," + optional(row.checked_fqdn) + "," +
                       (row.starttls_offered ? (*row.starttls_offered ? "true" : "false") : "") + "," +
                       optional(row.tls_version) + "," +
                       (row.leaf ? csv_field(row.leaf->subject) : "") + "," + (row.leaf ? row.leaf->sha1 : "") + "," +
                       (row.leaf ? tls::format_time(row.leaf->not_after) : "") + "," + csv_field(findings) + "," +
                       csv_field(events) + "\r\n";
    sink_(line);
  }

  void finish(const tls::Tally&) override {}

 private:
  Sink sink_;
};

}  // namespace

std::unique_ptr<Writer> make_csv_writer(Writer::Sink sink) { return std::make_unique<CsvWriter>(std::move(sink)); }

}  // namespace stp::report
