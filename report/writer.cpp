#include "report/writer.hpp"

#include <algorithm>
#include <vector>

#include <boost/json/array.hpp>

#include "report/formats.hpp"
#include "report/json_result.hpp"

namespace stp::report {
namespace {

boost::json::object to_json(const Result& r, const WriterOptions& options) {
  boost::json::object object =
      r.evidence ? result_json(*r.evidence, *r.assessment, r.prediction) : inspect_json(r.file, r.fqdn, *r.assessment);
  if (!options.shard.empty()) object["shard"] = options.shard;  // which part of a split list this is
  return object;
}

// One line per result as it finishes.
class JsonlWriter final : public Writer {
 public:
  JsonlWriter(Sink sink, WriterOptions options) : sink_(std::move(sink)), options_(std::move(options)) {}
  void add(const Result& result) override { sink_(jsonl_line(to_json(result, options_))); }
  void finish(const tls::Tally&) override {}

 private:
  Sink sink_;
  WriterOptions options_;
};

// One document at the end, results in input order.
class JsonWriter final : public Writer {
 public:
  JsonWriter(Sink sink, WriterOptions options) : sink_(std::move(sink)), options_(std::move(options)) {}
  void add(const Result& result) override { results_.emplace_back(result.position, to_json(result, options_)); }
  void finish(const tls::Tally& tally) override {
    std::stable_sort(results_.begin(), results_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    boost::json::array array;
    for (auto& [position, object] : results_) array.push_back(std::move(object));
    sink_(json_document(std::move(array), tally, options_));
  }

 private:
  Sink sink_;
  WriterOptions options_;
  std::vector<std::pair<std::size_t, boost::json::object>> results_;
};

}  // namespace

std::optional<Format> parse_format(std::string_view name) {
  static constexpr std::pair<std::string_view, Format> names[] = {
      {"text", Format::text}, {"json", Format::json},       {"jsonl", Format::jsonl},
      {"csv", Format::csv},   {"nagios", Format::nagios},   {"prometheus", Format::prometheus},
      {"junit", Format::junit}, {"html", Format::html}};
  for (const auto& [n, format] : names)
    if (n == name) return format;
  return std::nullopt;
}

std::unique_ptr<Writer> Writer::make(Format format, Sink sink, const WriterOptions& options) {
  switch (format) {
    case Format::text: return make_text_writer(std::move(sink), options);
    case Format::jsonl: return std::make_unique<JsonlWriter>(std::move(sink), options);
    case Format::json: return std::make_unique<JsonWriter>(std::move(sink), options);
    case Format::csv: return make_csv_writer(std::move(sink));
    case Format::nagios: return make_nagios_writer(std::move(sink), options);
    case Format::prometheus: return make_prometheus_writer(std::move(sink));
    case Format::junit: return make_junit_writer(std::move(sink));
    case Format::html: return make_html_writer(std::move(sink), options);
  }
  return nullptr;
}

}  // namespace stp::report
