#include "history/scan_diff.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>

#include <boost/json.hpp>

#include "core/bounded_file.hpp"
#include "core/text.hpp"

namespace stp::history {
namespace json = boost::json;
namespace {

// One result line is a few kilobytes (its chain's PEM); anything much longer is not ours.
constexpr std::size_t max_line_bytes = 16u << 20;
constexpr std::size_t max_document_bytes = std::size_t{1} << 30;  // a json document over several lines, read whole

std::optional<std::string> string_at(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return std::nullopt;
  return std::string(it->value().get_string());
}

const json::object* object_at(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  return it != o.end() && it->value().is_object() ? &it->value().get_object() : nullptr;
}

ScanEntry entry_of(const json::value& value, const std::string& where) {
  if (!value.is_object()) throw DiffError(where + ": not a result object");
  const auto& o = value.get_object();
  ScanEntry e;
  auto target = string_at(o, "target");
  auto status = string_at(o, "status");
  if (!target || !status) throw DiffError(where + ": not a starttls-probe result (no target or status)");
  e.target = *target;
  if (*status == "ok") e.status = tls::Status::ok;
  else if (*status == "warning") e.status = tls::Status::warning;
  else if (*status == "critical") e.status = tls::Status::critical;
  else if (*status == "unknown") e.status = tls::Status::unknown;
  else throw DiffError(where + ": unknown status '" + core::shown_in_error(*status) + "'");
  e.address = string_at(o, "address");
  e.connector = string_at(o, "connector");
  if (const auto* smtp = object_at(o, "smtp")) {
    auto it = smtp->find("starttls_offered");
    if (it != smtp->end() && it->value().is_bool()) e.starttls_offered = it->value().get_bool();
  }
  if (const auto* tls = object_at(o, "tls")) e.tls_version = string_at(*tls, "version");
  if (auto it = o.find("chain"); it != o.end() && it->value().is_array() && !it->value().get_array().empty() &&
                                  it->value().get_array().front().is_object())
    e.leaf_sha1 = string_at(it->value().get_array().front().get_object(), "sha1");
  if (auto it = o.find("findings"); it != o.end() && it->value().is_array())
    for (const auto& f : it->value().get_array())
      if (f.is_object())
        if (auto code = string_at(f.get_object(), "code")) e.findings.push_back(*code);
  std::sort(e.findings.begin(), e.findings.end());
  e.findings.erase(std::unique(e.findings.begin(), e.findings.end()), e.findings.end());
  return e;
}

bool same(const ScanEntry& a, const ScanEntry& b) {
  return a.status == b.status && a.findings == b.findings && a.leaf_sha1 == b.leaf_sha1 &&
         a.starttls_offered == b.starttls_offered && a.tls_version == b.tls_version && a.address == b.address;
}

std::vector<std::string> minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

}  // namespace

std::vector<ScanEntry> read_scan_results(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DiffError(path + ": cannot read the results");
  std::vector<ScanEntry> entries;
  auto add = [&](const json::value& value, const std::string& where) {
    if (value.is_object() && value.get_object().contains("results")) {  // the json format's document
      const auto& results = value.get_object().at("results");
      if (!results.is_array()) throw DiffError(where + ": \"results\" is not a list");
      for (const auto& r : results.get_array()) entries.push_back(entry_of(r, where));
    } else {
      entries.push_back(entry_of(value, where));
    }
  };
  std::string line;
  std::size_t number = 0;
  bool first = true;
  for (;;) {
    ++number;
    try {
      if (!core::read_bounded_line(in, line, max_line_bytes)) break;
    } catch (const core::FileError& e) {
      throw DiffError(path + ":" + std::to_string(number) + ": " + e.what());
    }
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    boost::system::error_code ec;
    json::value value = json::parse(line, ec);
    if (ec && first) {
      // Not one object per line: a document laid out over several lines (jq's output), read whole.
      std::string text;
      try {
        text = core::read_bounded_file(path, max_document_bytes);
      } catch (const core::FileError& e) {
        throw DiffError(e.what());
      }
      value = json::parse(text, ec);
      if (ec) throw DiffError(path + ": not JSON (" + ec.message() + "); give results written with --format jsonl or json");
      add(value, path);
      return entries;
    }
    if (ec)
      throw DiffError(path + ":" + std::to_string(number) + ": not JSON (" + ec.message() +
                      "); give results written with --format jsonl or json");
    first = false;
    add(value, path + ":" + std::to_string(number));
  }
  return entries;
}

ScanDiff diff_scans(const std::vector<ScanEntry>& before, const std::vector<ScanEntry>& after) {
  std::map<std::string, std::vector<std::size_t>> old_by_target, new_by_target;
  for (std::size_t i = 0; i < before.size(); ++i) old_by_target[before[i].target].push_back(i);
  for (std::size_t i = 0; i < after.size(); ++i) new_by_target[after[i].target].push_back(i);
  std::vector<bool> old_used(before.size(), false);
  ScanDiff diff;
  auto compare = [&](const ScanEntry& a, const ScanEntry& b) {
    ++diff.compared;
    if (same(a, b)) {
      ++diff.unchanged;
      return;
    }
    diff.changes.push_back({EndpointChange::Kind::changed, a, b, minus(b.findings, a.findings), minus(a.findings, b.findings)});
  };
  for (std::size_t i = 0; i < after.size(); ++i) {
    const ScanEntry& b = after[i];
    const auto& olds = old_by_target[b.target];
    std::optional<std::size_t> match;
    if (olds.size() == 1 && new_by_target[b.target].size() == 1) {
      match = olds.front();  // one result each: the same endpoint, even if its address moved
    } else {
      for (std::size_t j : olds)
        if (!old_used[j] && before[j].address == b.address) {
          match = j;
          break;
        }
    }
    if (match) {
      old_used[*match] = true;
      compare(before[*match], b);
    } else {
      diff.changes.push_back({EndpointChange::Kind::only_new, std::nullopt, b, b.findings, {}});
    }
  }
  for (std::size_t j = 0; j < before.size(); ++j)
    if (!old_used[j]) diff.changes.push_back({EndpointChange::Kind::only_old, before[j], std::nullopt, {}, before[j].findings});
  return diff;
}

int exit_code_of(const ScanDiff& diff) {
  tls::Tally changed;  // NEW's status of each endpoint that changed
  for (const auto& c : diff.changes)
    if (c.after) changed.add(c.after->status);
  return changed.total() ? changed.exit_code() : 0;
}

ChangeCounts count_changes(const ScanDiff& diff) {
  ChangeCounts counts;
  for (const auto& c : diff.changes) {
    counts.only_old += c.kind == EndpointChange::Kind::only_old;
    counts.only_new += c.kind == EndpointChange::Kind::only_new;
  }
  counts.changed = diff.changes.size() - counts.only_old - counts.only_new;
  return counts;
}

}  // namespace stp::history
