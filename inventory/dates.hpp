#pragma once
// Dates as PowerShell exports them. Format-List prints them in the exporting machine's culture
// (`6/17/2027 3:00:00 PM` en-US, `17/06/2027 15:00:00` en-GB, `17.06.2027 15:00:00` de-DE,
// `2027/06/17 15:00` ja-JP), so the order of day and month is a property of the whole file, found
// from all its dates; ConvertTo-Json and Export-Clixml write ISO 8601 or `/Date(ms)/`, which need
// no order.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "inventory/powershell.hpp"

namespace stp::inventory {

enum class DateOrder { mdy, dmy, ymd };

// "mdy", "dmy", "ymd" (the --date-order values).
std::optional<DateOrder> date_order_named(std::string_view name);
// "month/day/year" and so on, for messages.
std::string_view describe(DateOrder order);

// A date as Unix seconds. Culture dates are read in `order`; ISO 8601 (`2027-03-01T23:59:59Z`,
// with an offset, or without a zone) and `/Date(1803596399000)/` in their own. Times without a
// zone are taken as UTC (the export does not say the server's zone). Null: not a date, or not a
// valid one in that order.
std::optional<std::int64_t> parse_powershell_date(std::string_view text, DateOrder order = DateOrder::mdy);

// The order the culture dates of one file's records are written in: the only one that reads every
// one of them, else `given` (--date-order) when it reads them all. Throws InventoryError naming the
// file, a line and what to do when the dates disagree, when `given` cannot read one, or when every
// date reads both ways and nothing was given: a date is never guessed.
DateOrder date_order_of(const std::vector<Record>& records, const std::string& file, std::optional<DateOrder> given);

}  // namespace stp::inventory
