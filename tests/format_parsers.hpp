#pragma once
// Strict parsers of two report formats, for the tests: what a consumer would choke on fails here.

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

namespace stp::test {

// RFC 4180, strictly: quoted fields may hold commas, quotes (doubled) and line breaks; CRLF ends a record.
inline std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  std::size_t i = 0;
  bool quoted_field = false;
  while (i < text.size()) {
    char c = text[i];
    if (field.empty() && !quoted_field && c == '"') {
      quoted_field = true;
      ++i;
      for (;;) {
        REQUIRE(i < text.size());  // an unclosed quote is malformed
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field += '"';
            i += 2;
          } else {
            ++i;
            break;
          }
        } else {
          field += text[i++];
        }
      }
      continue;
    }
    if (c == ',') {
      row.push_back(field);
      field.clear();
      quoted_field = false;
      ++i;
    } else if (c == '\r') {
      REQUIRE(text.compare(i, 2, "\r\n") == 0);  // records end with CRLF
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      quoted_field = false;
      i += 2;
    } else {
      REQUIRE_FALSE(quoted_field);        // nothing after a closing quote
      REQUIRE(c != '"');                  // a bare quote inside an unquoted field is malformed
      REQUIRE(c != '\n');
      field += c;
      ++i;
    }
  }
  REQUIRE(row.empty());
  REQUIRE(field.empty());
  return rows;
}

// The Prometheus text exposition format, strictly: HELP and TYPE before a family's samples, each
// family once and contiguous, valid names, label values with only \\ \" \n escapes, float values.
struct Sample {
  std::string name;
  std::map<std::string, std::string> labels;
  double value;
};

inline std::vector<Sample> parse_exposition(const std::string& text) {
  static const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) [^\n]+)");
  static const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (gauge|counter|untyped))");
  static const std::regex sample_name(R"([a-zA-Z_:][a-zA-Z0-9_:]*)");
  static const std::regex label_name(R"([a-zA-Z_][a-zA-Z0-9_]*)");
  std::vector<Sample> samples;
  std::set<std::string> finished, series;
  std::string current, typed;
  std::istringstream lines(text);
  std::string line;
  REQUIRE(text.back() == '\n');
  while (std::getline(lines, line)) {
    std::smatch m;
    if (std::regex_match(line, m, help)) {
      REQUIRE(finished.insert(m[1]).second);  // a family appears once
      current = m[1];
      continue;
    }
    if (std::regex_match(line, m, type)) {
      REQUIRE(m[1] == current);
      typed = current;
      continue;
    }
    REQUIRE_FALSE(line.empty());
    REQUIRE(line[0] != '#');
    Sample s;
    std::size_t brace = line.find('{');
    s.name = line.substr(0, brace);
    REQUIRE(std::regex_match(s.name, sample_name));
    REQUIRE(s.name == typed);  // samples follow their own HELP/TYPE
    std::size_t i = brace + 1;
    while (line[i] != '}') {
      std::size_t eq = line.find('=', i);
      std::string key = line.substr(i, eq - i);
      REQUIRE(std::regex_match(key, label_name));
      REQUIRE(line[eq + 1] == '"');
      std::string value;
      for (i = eq + 2; line[i] != '"'; ++i) {
        if (line[i] == '\\') {
          char next = line[++i];
          REQUIRE((next == '\\' || next == '"' || next == 'n'));
          value += next == 'n' ? '\n' : next;
        } else {
          value += line[i];
        }
      }
      REQUIRE(s.labels.emplace(key, value).second);
      ++i;
      if (line[i] == ',') ++i;
    }
    REQUIRE(line[i + 1] == ' ');
    std::string number = line.substr(i + 2);
    INFO(line);
    REQUIRE(std::regex_match(number, std::regex(R"(-?\d+(\.\d+)?)")));  // plain decimals, no exponent
    std::string identity = s.name;
    for (const auto& [key, value] : s.labels) identity += "\x1F" + key + "=" + value;
    REQUIRE(series.insert(identity).second);  // every series once (promtool accepts duplicates)
    std::size_t used = 0;
    s.value = std::stod(number, &used);
    REQUIRE(used == number.size());
    samples.push_back(std::move(s));
  }
  return samples;
}

}  // namespace stp::test
