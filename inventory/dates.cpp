#include "inventory/dates.hpp"

#include "core/civil_time.hpp"
#include "inventory/text.hpp"
#include "tls/certificate.hpp"

#include <array>
#include <bit>
#include <cctype>

namespace stp::inventory {
namespace {

constexpr std::array<DateOrder, 3> orders = {DateOrder::mdy, DateOrder::dmy, DateOrder::ymd};
constexpr unsigned bit(DateOrder order) { return 1u << static_cast<unsigned>(order); }

// A date and time as written, before the order of its first three numbers is known.
struct WrittenDate {
  std::array<long, 3> numbers{};
  int first_digits = 0, last_digits = 0;
  char separator = 0;
  long hour = 0, minute = 0, second = 0;
  enum class Half { none, am, pm } half = Half::none;
  bool iso = false;          // 'T' between date and time, or a zone: ISO 8601, year first
  std::int64_t offset = 0;   // seconds east of UTC
};

class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool done() const { return pos_ == text_.size(); }
  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool take(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }
  void skip_spaces() {
    while (take(' ') || take('\t') || take_no_break_space()) {
    }
  }
  // Up to `max` digits as a number; how many were read in `digits`.
  std::optional<long> number(int max, int* digits = nullptr) {
    long value = 0;
    int count = 0;
    while (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])) && count < max) {
      value = value * 10 + (text_[pos_++] - '0');
      ++count;
    }
    if (digits) *digits = count;
    if (count == 0 || (pos_ < text_.size() && std::isdigit(static_cast<unsigned char>(text_[pos_])))) return std::nullopt;
    return value;
  }
  // AM/PM as the cultures write it: "PM", "p.m.", and before or after the time in the East Asian ones.
  WrittenDate::Half half() {
    static constexpr std::array<std::pair<std::string_view, WrittenDate::Half>, 10> markers = {{
        {"a.m.", WrittenDate::Half::am}, {"p.m.", WrittenDate::Half::pm}, {"am", WrittenDate::Half::am},
        {"pm", WrittenDate::Half::pm}, {"\u5348\u524D", WrittenDate::Half::am}, {"\u5348\u5F8C", WrittenDate::Half::pm},
        {"\u4E0A\u5348", WrittenDate::Half::am}, {"\u4E0B\u5348", WrittenDate::Half::pm},
        {"\uC624\uC804", WrittenDate::Half::am}, {"\uC624\uD6C4", WrittenDate::Half::pm},
    }};
    for (const auto& [marker, half] : markers) {
      std::string_view rest = text_.substr(pos_);
      if (rest.size() >= marker.size() && text::iequals(rest.substr(0, marker.size()), marker)) {
        pos_ += marker.size();
        return half;
      }
    }
    return WrittenDate::Half::none;
  }

 private:
  bool take_no_break_space() {  // U+00A0 and U+202F, which some cultures put before AM/PM
    std::string_view rest = text_.substr(pos_);
    for (std::string_view nbsp : {"\xC2\xA0", "\xE2\x80\xAF"})
      if (rest.substr(0, nbsp.size()) == nbsp) {
        pos_ += nbsp.size();
        return true;
      }
    return false;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// `d/m/yyyy h:mm[:ss] [AM|PM]` in any culture's order and separators, or ISO 8601. Null: not a date.
std::optional<WrittenDate> read_written(std::string_view text) {
  WrittenDate date;
  Cursor in(text::trim(text));
  int digits = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    if (i > 0 && !in.take(date.separator)) return std::nullopt;
    auto n = in.number(4, &digits);
    if (!n) return std::nullopt;
    date.numbers[i] = *n;
    if (i == 0) {
      date.first_digits = digits;
      if (in.peek('/') || in.peek('.') || in.peek('-')) date.separator = in.peek('/') ? '/' : in.peek('.') ? '.' : '-';
      else return std::nullopt;
    }
    if (i == 2) date.last_digits = digits;
  }
  in.take('.');  // "2027. 06. 17." would need more; a trailing dot after the year is harmless
  date.iso = in.take('T');
  if (!date.iso) in.skip_spaces();
  date.half = in.half();
  in.skip_spaces();
  auto hour = in.number(2), minute = in.take(':') ? in.number(2) : std::nullopt;
  if (!hour || !minute) return std::nullopt;
  date.hour = *hour;
  date.minute = *minute;
  if (in.take(':')) {
    auto second = in.number(2);
    if (!second) return std::nullopt;
    date.second = *second;
    if (in.take('.') || in.take(',')) {
      int fraction = 0;
      if (!in.number(9, &fraction)) return std::nullopt;
    }
  }
  in.skip_spaces();
  if (date.half == WrittenDate::Half::none) date.half = in.half();
  if (in.take('Z')) {
    date.iso = true;
  } else if (bool east = in.peek('+'); east || in.peek('-')) {
    in.take(east ? '+' : '-');
    int zone_digits = 0;
    auto hours = in.number(4, &zone_digits);
    if (!hours) return std::nullopt;
    long minutes = 0;
    if (zone_digits == 4) {
      minutes = *hours % 100;
      *hours /= 100;
    } else if (in.take(':')) {
      auto m = in.number(2);
      if (!m) return std::nullopt;
      minutes = *m;
    }
    date.offset = (*hours * 3600 + minutes * 60) * (east ? 1 : -1);
    date.iso = true;
  }
  in.skip_spaces();
  if (!in.done()) return std::nullopt;
  if (date.iso && (date.first_digits != 4 || date.separator != '-')) return std::nullopt;
  return date;
}

bool leap(long year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

// Unix seconds of `date` read in `order`, when that reading is a real date and time.
std::optional<std::int64_t> seconds_in(const WrittenDate& date, DateOrder order) {
  const auto& n = date.numbers;
  bool year_first = date.first_digits == 4;
  if (year_first != (order == DateOrder::ymd)) return std::nullopt;
  if (!year_first && date.last_digits != 4) return std::nullopt;  // two-digit years: no culture's default
  if (date.separator == '.' && order == DateOrder::mdy) return std::nullopt;  // dots are always day first
  long year = year_first ? n[0] : n[2];
  long month = order == DateOrder::dmy ? n[1] : order == DateOrder::mdy ? n[0] : n[1];
  long day = order == DateOrder::dmy ? n[0] : order == DateOrder::mdy ? n[1] : n[2];
  static constexpr std::array<long, 12> month_days = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (year < 1601 || year > 9999 || month < 1 || month > 12 || day < 1) return std::nullopt;
  if (day > month_days[static_cast<std::size_t>(month - 1)] + (month == 2 && leap(year) ? 1 : 0)) return std::nullopt;
  long hour = date.hour;
  if (date.half != WrittenDate::Half::none) {
    if (hour < 1 || hour > 12) return std::nullopt;
    hour = hour % 12 + (date.half == WrittenDate::Half::pm ? 12 : 0);
  }
  if (hour > 23 || date.minute > 59 || date.second > 59) return std::nullopt;
  return core::unix_seconds(year, static_cast<unsigned>(month), static_cast<unsigned>(day), hour, date.minute,
                            date.second) -
         date.offset;
}

unsigned readable_orders(const WrittenDate& date) {
  unsigned mask = 0;
  for (auto order : orders)
    if (seconds_in(date, order)) mask |= bit(order);
  return mask;
}

// /Date(1803596399000)/ or /Date(1803596399000+0100)/ (ConvertTo-Json in Windows PowerShell 5.1):
// milliseconds since 1970, UTC.
std::optional<std::int64_t> parse_json_date(std::string_view text) {
  Cursor in(text.substr(6));
  bool negative = in.take('-');
  int digits = 0;
  auto ms = in.number(15, &digits);
  if (!ms) return std::nullopt;
  if (in.take('+') || in.take('-')) {
    if (!in.number(4)) return std::nullopt;
  }
  if (!in.take(')') || !in.take('/') || !in.done()) return std::nullopt;
  std::int64_t value = negative ? -*ms : *ms;
  return value >= 0 ? value / 1000 : -((-value + 999) / 1000);
}

// "2016-02-12": the date alone, which is what the order decides.
std::string iso_day(std::int64_t seconds) { return tls::format_time(seconds).substr(0, 10); }

// A culture date seen in the file, and the orders that read it.
struct SeenDate {
  std::string_view text;
  std::size_t line = 0;
  WrittenDate written;
  unsigned mask = 0;
};

std::string quoted(const SeenDate& date) { return "'" + std::string(text::trim(date.text)) + "'"; }

// "2016-02-12 (day/month/year) or 2016-12-02 (month/day/year)"
std::string readings(const SeenDate& date) {
  std::string out;
  for (auto order : orders)
    if (auto seconds = seconds_in(date.written, order))
      out += (out.empty() ? "" : " or ") + iso_day(*seconds) + " (" + std::string(describe(order)) + ")";
  return out;
}

}  // namespace

std::optional<DateOrder> date_order_named(std::string_view name) {
  if (text::iequals(name, "mdy")) return DateOrder::mdy;
  if (text::iequals(name, "dmy")) return DateOrder::dmy;
  if (text::iequals(name, "ymd")) return DateOrder::ymd;
  return std::nullopt;
}

std::string_view describe(DateOrder order) {
  switch (order) {
    case DateOrder::mdy: return "month/day/year";
    case DateOrder::dmy: return "day/month/year";
    case DateOrder::ymd: return "year/month/day";
  }
  return "";
}

std::optional<std::int64_t> parse_powershell_date(std::string_view text, DateOrder order) {
  text = text::trim(text);
  if (text.substr(0, 6) == "/Date(") return parse_json_date(text);
  auto written = read_written(text);
  if (!written) return std::nullopt;
  if (written->iso || written->first_digits == 4) return seconds_in(*written, DateOrder::ymd);
  return seconds_in(*written, order);
}

DateOrder date_order_of(const std::vector<Record>& records, const std::string& file, std::optional<DateOrder> given) {
  std::vector<SeenDate> dates;
  for (const auto& record : records)
    for (const auto& [name, value] : record.fields)
      if (auto written = read_written(value.text); written && !written->iso)
        if (unsigned mask = readable_orders(*written); mask != 0)
          dates.push_back({value.text, value.line, *written, mask});
  if (dates.empty()) return given.value_or(DateOrder::mdy);  // nothing in the file depends on it

  const std::string where = file + ":";
  std::array<const SeenDate*, 3> refused_by{};  // per order, the first date it cannot read
  unsigned common = bit(DateOrder::mdy) | bit(DateOrder::dmy) | bit(DateOrder::ymd);
  for (const auto& date : dates) {
    for (auto order : orders)
      if (!(date.mask & bit(order)) && !refused_by[static_cast<std::size_t>(order)])
        refused_by[static_cast<std::size_t>(order)] = &date;
    if ((common & date.mask) == 0) {
      const SeenDate* other = nullptr;
      for (auto order : orders)
        if ((date.mask & bit(order)) && refused_by[static_cast<std::size_t>(order)]) {
          other = refused_by[static_cast<std::size_t>(order)];
          break;
        }
      throw InventoryError(where + std::to_string(date.line) + ": the date " + quoted(date) + " reads as " +
                           readings(date) + ", but the date " + quoted(*other) + " on line " + std::to_string(other->line) +
                           " reads as " + readings(*other) +
                           ": one export is written in one culture; export each machine's output to its own file, "
                           "or use Export-Clixml, whose dates need no order");
    }
    common &= date.mask;
  }
  if (given) {
    if (common & bit(*given)) return *given;
    const SeenDate& refused = *refused_by[static_cast<std::size_t>(*given)];
    throw InventoryError(where + std::to_string(refused.line) + ": the date " + quoted(refused) + " cannot be read as " +
                         std::string(describe(*given)) + " (--date-order); it reads as " + readings(refused));
  }
  if (std::popcount(common) == 1)
    return orders[static_cast<std::size_t>(std::countr_zero(common))];
  // Every date reads in all the orders left, the first one too.
  const SeenDate& ambiguous = dates.front();
  throw InventoryError(where + std::to_string(ambiguous.line) + ": the date " + quoted(ambiguous) + " reads as " +
                       readings(ambiguous) +
                       ", and no date in the file tells which: give --date-order dmy (day first: en-GB, en-AU, fr-FR "
                       "and most cultures) or --date-order mdy (en-US), as the exporting machine's culture writes them");
}

}  // namespace stp::inventory
