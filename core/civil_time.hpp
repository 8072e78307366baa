#pragma once
// A civil date and time in UTC as Unix seconds: one home for it (certificate dates, exported
// dates), computed, never through the process's time zone.

#include <cstdint>

namespace stp::core {

// Days from 1970-01-01 to year-month-day of the proleptic Gregorian calendar (H. Hinnant's
// days_from_civil); month 1-12, day 1-31.
constexpr std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<std::int64_t>(day_of_era) - 719468;
}

constexpr std::int64_t unix_seconds(std::int64_t year, unsigned month, unsigned day, std::int64_t hour,
                                    std::int64_t minute, std::int64_t second) {
  return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

static_assert(unix_seconds(1970, 1, 1, 0, 0, 0) == 0);
static_assert(unix_seconds(2027, 1, 15, 8, 0, 0) == 1800000000);

}  // namespace stp::core
