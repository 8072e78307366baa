#include "inventory/powershell.hpp"

#include "inventory/text.hpp"
#include "core/bounded_file.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>

#include <boost/json.hpp>

namespace stp::inventory {
namespace json = boost::json;
namespace {

// An export is a few megabytes at most; a bigger file is not one.
constexpr std::size_t max_export_bytes = 64u << 20;

using core::append_utf8;
using text::iequals;
using text::trim;

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string from_utf16(std::string_view bytes, bool little_endian, const std::string& file) {
  std::size_t bad_at = 0;
  auto text = core::utf16_to_utf8(bytes, little_endian, &bad_at);
  if (!text && bytes.size() % 2 != 0) throw InventoryError(file + ": UTF-16 text with an odd number of bytes");
  if (!text) throw InventoryError(file + ": invalid UTF-16 (an unpaired surrogate at byte " + std::to_string(bad_at) + ")");
  return std::move(*text);
}

// Windows-1252, what Windows PowerShell 5.1's Set-Content and `Out-File -Encoding Default` write.
std::string from_windows_1252(std::string_view bytes) {
  static constexpr std::array<char16_t, 32> high = {
      0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
  std::string out;
  for (char b : bytes) {
    auto c = static_cast<unsigned char>(b);
    append_utf8(out, c >= 0x80 && c < 0xA0 ? high[c - 0x80] : c);
  }
  return out;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '\n') {
      std::string_view line = text.substr(start, i - start);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (i < text.size() || !line.empty()) lines.push_back(line);
      start = i + 1;
    }
  }
  return lines;
}

// `{a, b, c}` → items; `{a, b, c, d...}` is PowerShell's cut-short list.
void split_list(Value& value) {
  std::string_view inner(value.text);
  inner = inner.substr(1, inner.size() - 2);
  if (inner.size() >= 3 && inner.substr(inner.size() - 3) == "...") {
    value.truncated = true;
    inner.remove_suffix(3);
  }
  value.items = text::split_commas(inner);
}

void finish_value(Value& value) {
  std::string_view text = trim(value.text);
  value.text = std::string(text);
  if (value.text.size() >= 2 && value.text.front() == '{' && value.text.back() == '}') {
    split_list(value);
    value.text = core::join(value.items);
  } else if (!value.text.empty()) {
    value.items.push_back(value.text);
  }
}

// ---- JSON ----

std::string number_text(const json::value& v) {
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  std::ostringstream out;
  out << v.get_double();
  return out.str();
}

// A JSON value as the one string Format-List would have shown for it.
std::string scalar_text(const json::value& v, int depth = 0) {
  switch (v.kind()) {
    case json::kind::null: return {};
    case json::kind::bool_: return v.get_bool() ? "True" : "False";
    case json::kind::string: return std::string(v.get_string());
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return number_text(v);
    case json::kind::array: {
      std::string out;
      for (const auto& item : v.get_array()) out += (out.empty() ? "" : ", ") + scalar_text(item, depth + 1);
      return out;
    }
    case json::kind::object: break;
  }
  const auto& o = v.get_object();
  if (depth > 8) return {};
  auto field = [&](std::string_view key) -> const json::value* {
    for (const auto& [k, value] : o)
      if (iequals(k, key)) return &value;
    return nullptr;
  };
  // Windows PowerShell wraps a value that carries note properties: {"value": …, "DisplayHint": …}.
  if (const auto* value = field("value")) return scalar_text(*value, depth + 1);
  if (const auto* text = field("IPAddressToString")) return scalar_text(*text, depth + 1);
  // An IPBinding: {"Address": …, "Port": 25}.
  if (const auto* address = field("Address"); address && field("Port")) {
    std::string host = scalar_text(*address, depth + 1);
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    return host + ":" + scalar_text(*field("Port"), depth + 1);
  }
  for (auto key : {"Domain", "Address", "Name", "DistinguishedName"})
    if (const auto* value = field(key)) return scalar_text(*value, depth + 1);
  return json::serialize(v);
}

Value json_value(const json::value& v, std::size_t line) {
  Value value;
  value.line = line;
  if (v.is_array()) {
    for (const auto& item : v.get_array()) {
      std::string text = scalar_text(item);
      if (!text.empty()) value.items.push_back(std::move(text));
    }
    for (const auto& item : value.items) value.text += (value.text.empty() ? "" : ", ") + item;
  } else {
    value.text = scalar_text(v);
    if (!value.text.empty()) value.items.push_back(value.text);
  }
  return value;
}

std::size_t line_at(std::string_view text, std::size_t offset) {
  return 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(std::min(offset, text.size())), '\n'));
}

// Where each top-level object starts (inside a top-level array, or the document's one object).
std::vector<std::size_t> object_lines(std::string_view text) {
  std::vector<std::size_t> lines;
  int depth = 0;
  bool in_string = false, escaped = false, top_is_array = false;
  std::size_t line = 1;
  for (char c : text) {
    if (c == '\n') ++line;
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (depth == 0) top_is_array = c == '[';
      if (c == '{' && depth == (top_is_array ? 1 : 0)) lines.push_back(line);
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return lines;
}

}  // namespace

const Value* Record::find(std::string_view name) const {
  for (const auto& [key, value] : fields)
    if (iequals(key, name)) return &value;
  return nullptr;
}

std::string Record::where(const Value* value) const {
  return file + ":" + std::to_string(value && value->line ? value->line : line);
}

std::string decode_text(std::string_view bytes, const std::string& file) {
  auto starts = [&](std::string_view prefix) { return bytes.substr(0, prefix.size()) == prefix; };
  if (starts("\xFF\xFE")) return from_utf16(bytes.substr(2), true, file);
  if (starts("\xFE\xFF")) return from_utf16(bytes.substr(2), false, file);
  if (starts("\xEF\xBB\xBF")) bytes.remove_prefix(3);
  // UTF-16LE without a byte-order mark: ASCII text with a zero after every byte.
  else if (bytes.size() >= 4 && bytes[0] != '\0' && bytes[1] == '\0' && bytes[3] == '\0')
    return from_utf16(bytes, true, file);
  if (core::is_valid_utf8(bytes)) return std::string(bytes);
  return from_windows_1252(bytes);
}

namespace {

// What a console window adds around the data when it is copied whole: the prompt with the command
// ("[PS] C:\Windows\system32>Get-ExchangeCertificate | fl", "PS C:\> ..."), a command line on its
// own ("Get-ReceiveConnector | fl Name,Fqdn"), and the shell's WARNING/VERBOSE lines.
bool is_console_line(std::string_view line) {
  if (line.rfind("WARNING: ", 0) == 0 || line.rfind("VERBOSE: ", 0) == 0) return true;
  if (line.rfind("[PS] ", 0) == 0 && line.find('>') != std::string_view::npos) return true;
  if (line.rfind("PS ", 0) == 0 && line.find('>') != std::string_view::npos) return true;
  // A cmdlet (Verb-Noun) at the start of a line with no "Name : value" shape.
  std::size_t dash = line.find('-');
  bool verb_noun = dash != std::string_view::npos && dash > 1 && dash + 1 < line.size() &&
                   std::isupper(static_cast<unsigned char>(line.front())) &&
                   std::isupper(static_cast<unsigned char>(line[dash + 1])) &&
                   std::all_of(line.begin(), line.begin() + static_cast<std::ptrdiff_t>(dash),
                               [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
  return verb_noun && line.find(" : ") == std::string_view::npos;
}

// A paste from a web forum or a ticket: a blank line after every field, so that the blank lines
// no longer separate the records. Told by most groups of lines holding a single property.
bool blank_line_after_every_field(const std::vector<std::string_view>& lines) {
  std::size_t groups = 0, single = 0, properties = 0;
  auto close_group = [&] {
    if (properties > 0) {
      ++groups;
      single += properties == 1;
    }
    properties = 0;
  };
  for (auto line : lines) {
    if (trim(line).empty() || is_console_line(line)) close_group();
    else if (!is_space(line.front())) ++properties;
  }
  close_group();
  return groups >= 4 && single * 10 >= groups * 8;
}

}  // namespace

std::vector<Record> read_format_list(std::string_view text, const std::string& file) {
  auto lines = split_lines(text);
  // The window width PowerShell wrapped at: its cuts inside a word make lines exactly that long.
  std::size_t width = 0;
  for (auto line : lines) width = std::max(width, line.size());

  // In a forum paste a record ends where a property name comes again, not at a blank line.
  const bool pasted = blank_line_after_every_field(lines);
  std::vector<Record> records;
  Record current;
  Value* open = nullptr;           // the property continuation lines add to
  std::string_view previous_line;  // the last line of it (a paste's blank lines aside)
  auto close_record = [&] {
    for (auto& [name, value] : current.fields) finish_value(value);
    if (!current.fields.empty()) records.push_back(std::move(current));
    current = Record{};
    open = nullptr;
  };
  auto has_field = [&](std::string_view name) {
    return std::any_of(current.fields.begin(), current.fields.end(), [&](const auto& f) { return iequals(f.first, name); });
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    std::size_t number = i + 1;
    if (is_console_line(line)) {
      close_record();  // prompts, commands and warnings copied with the output: not data
    } else if (trim(line).empty()) {
      if (!pasted) close_record();  // in a paste, the next line may still continue this property
    } else if (is_space(line.front())) {
      if (open == nullptr)
        throw InventoryError(file + ":" + std::to_string(number) +
                             ": an indented line that continues no property (is this Format-List output?)");
      // PowerShell wraps after a word's trailing space, which stays at the end of the line; it cuts
      // without a space only at the full width (a word too long for a line, or a culture it does
      // not word-wrap). A shorter line without its space was trimmed by something else.
      bool after_space = is_space(previous_line.back());
      bool cut = !after_space && previous_line.size() >= width;
      if (after_space) open->text.erase(open->text.find_last_not_of(" \t") + 1);  // a paste may add spaces
      if (!cut) open->text += ' ';
      previous_line = line;
      while (is_space(line.front())) line.remove_prefix(1);
      open->text += line;
    } else {
      std::size_t colon = line.find(':');
      std::string_view name = colon == std::string_view::npos ? std::string_view{} : trim(line.substr(0, colon));
      bool plausible = !name.empty() && std::none_of(name.begin(), name.end(), [](char c) { return is_space(c); });
      if (!plausible)
        throw InventoryError(file + ":" + std::to_string(number) + ": expected 'Name : value' (Format-List output), got '" +
                             std::string(trim(line).substr(0, 60)) + "'");
      if (pasted && has_field(name)) close_record();
      if (current.fields.empty()) {
        current.file = file;
        current.line = number;
      }
      Value value;
      value.line = number;
      value.text = std::string(line.substr(colon + 1));
      current.fields.emplace_back(std::string(name), std::move(value));
      open = &current.fields.back().second;
      previous_line = line;
    }
  }
  close_record();
  return records;
}

std::vector<Record> read_json(std::string_view text, const std::string& file) {
  json::stream_parser parser;
  boost::system::error_code ec;
  std::size_t used = parser.write_some(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec)
    throw InventoryError(file + ":" + std::to_string(line_at(text, used)) + ": not valid JSON (" + ec.message() + ")");
  json::value document = parser.release();
  auto starts = object_lines(text);

  std::vector<const json::object*> objects;
  if (document.is_object()) {
    objects.push_back(&document.get_object());
  } else if (document.is_array()) {
    for (const auto& item : document.get_array()) {
      if (!item.is_object())
        throw InventoryError(file + ":" + std::to_string(line_at(text, 0)) + ": a JSON array of objects was expected");
      objects.push_back(&item.get_object());
    }
  } else {
    throw InventoryError(file + ":1: a JSON object or array of objects was expected (ConvertTo-Json output)");
  }
  std::vector<Record> records;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    Record record;
    record.file = file;
    record.line = i < starts.size() ? starts[i] : 1;
    for (const auto& [key, value] : *objects[i])
      if (!key.empty()) record.fields.emplace_back(std::string(key), json_value(value, record.line));
    if (record.fields.empty()) continue;  // {} says nothing: no record
    records.push_back(std::move(record));
  }
  return records;
}

std::vector<Record> read_export(const std::string& path) {
  std::string bytes;
  try {
    bytes = core::read_bounded_file(path, max_export_bytes);
  } catch (const core::FileError& e) {
    throw InventoryError(path + ": cannot read the export: " + e.reason());
  }
  return read_export_bytes(bytes, path);
}

std::vector<Record> read_export_bytes(std::string_view bytes, const std::string& file) {
  std::string text = decode_text(bytes, file);
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) throw InventoryError(file + ": empty");
  if (text[first] == '<') return read_clixml(text, file);
  // JSON starts with '[' or '{'; so does a console copy's prompt ("[PS] C:\...>"): that is Format-List.
  std::string_view first_line = std::string_view(text).substr(first, text.find('\n', first) - first);
  if ((text[first] == '[' || text[first] == '{') && !is_console_line(first_line)) return read_json(text, file);
  return read_format_list(text, file);
}

}  // namespace stp::inventory
