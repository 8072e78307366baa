#pragma once
// Exchange exports as PowerShell writes them: `Format-List` text, `ConvertTo-Json` and `Export-Clixml`, read into
// records of named values. Nothing here knows what a connector is; inventory.hpp does.

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace stp::inventory {

// A file the user exported that cannot be read: what() names the file and line.
class InventoryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// One property's value. Format-List's `{a, b}` and JSON arrays are lists; a list that PowerShell
// cut short ($FormatEnumerationLimit: `{a, b, c, d...}`) is `truncated`.
struct Value {
  std::string text;                // the value as one string (a list: its items joined with ", ")
  std::vector<std::string> items;  // a list's items; a scalar's single item (none when empty)
  bool truncated = false;
  std::size_t line = 0;            // where the property starts in its file
};

// One object of the export: a connector, a certificate, a server.
struct Record {
  std::string file;
  std::size_t line = 0;  // where the object starts
  std::vector<std::pair<std::string, Value>> fields;

  // The property of that name (case-insensitive, as PowerShell's), or nothing.
  const Value* find(std::string_view name) const;
  // "file:line" of the record, or of the property when given.
  std::string where(const Value* value = nullptr) const;
};

// Text bytes as UTF-8: UTF-16LE or UTF-16BE with a byte-order mark (Windows PowerShell's `>`),
// UTF-8 with or without one. Throws InventoryError (naming `file`) for invalid UTF-16 or UTF-8.
std::string decode_text(std::string_view bytes, const std::string& file);

// `Format-List` output: `Name : value` blocks separated by blank lines; long values continued on
// lines indented to the value column; `{a, b}` lists.
std::vector<Record> read_format_list(std::string_view text, const std::string& file);

// `ConvertTo-Json` output: one object or an array of them; dates `/Date(ms)/` (Windows
// PowerShell 5.1) or ISO 8601 (PowerShell 7) are kept as text for the reader of the field.
std::vector<Record> read_json(std::string_view text, const std::string& file);

// `Export-Clixml` output: PowerShell's serialization XML (<Objs xmlns="http://schemas.microsoft.com/
// powershell/2004/04">), each top-level <Obj> a record of its <Props> and <MS>; read with libxml2,
// without a network or a document type.
std::vector<Record> read_clixml(std::string_view text, const std::string& file);

// Any of these forms, told apart by their content; throws InventoryError for a missing file too.
std::vector<Record> read_export(const std::string& path);
// The same for bytes already read; `file` names them in errors.
std::vector<Record> read_export_bytes(std::string_view bytes, const std::string& file);

}  // namespace stp::inventory
