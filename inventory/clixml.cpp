// Export-Clixml: PowerShell's serialization XML, read with libxml2 into the same records as the
// other exports. Typed values (<S>, <B>, <DT>, <I32>, <Nil/>), objects with their <ToString>,
// lists (<LST>, <IE>), references to objects written earlier (<Ref RefId>), _xHHHH_ escapes.

#include "inventory/powershell.hpp"

#include "core/text.hpp"

#include <cctype>
#include <climits>
#include <map>
#include <memory>

#include <libxml/parser.h>
#include <libxml/tree.h>

namespace stp::inventory {
namespace {

constexpr std::string_view powershell_namespace = "http://schemas.microsoft.com/powershell/2004/04";
// Export-Clixml's own -Depth is 2 by default; an object nested deeper than this is not an export's.
constexpr int max_depth = 8;

struct FreeDocument {
  void operator()(xmlDoc* document) const { xmlFreeDoc(document); }
};
struct FreeParser {
  void operator()(xmlParserCtxt* parser) const { xmlFreeParserCtxt(parser); }
};
struct FreeXmlText {
  void operator()(xmlChar* text) const { xmlFree(text); }
};

std::string_view name_of(const xmlNode* node) { return reinterpret_cast<const char*>(node->name); }
bool is_element(const xmlNode* node) { return node->type == XML_ELEMENT_NODE; }
bool is(const xmlNode* node, std::string_view name) { return is_element(node) && name_of(node) == name; }

std::string owned(xmlChar* text) {
  std::unique_ptr<xmlChar, FreeXmlText> holder(text);
  return text ? std::string(reinterpret_cast<const char*>(text)) : std::string();
}
std::string attribute(const xmlNode* node, const char* name) {
  return owned(xmlGetNoNsProp(node, reinterpret_cast<const xmlChar*>(name)));
}
std::string content(const xmlNode* node) { return owned(xmlNodeGetContent(node)); }
std::size_t line_of(const xmlNode* node) { return static_cast<std::size_t>(std::max(0L, xmlGetLineNo(node))); }

const xmlNode* child(const xmlNode* node, std::string_view name) {
  for (const xmlNode* c = node->children; c; c = c->next)
    if (is(c, name)) return c;
  return nullptr;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// `_x000D__x000A_` → "\r\n": how the serializer writes what XML cannot hold (and "_x" itself,
// as `_x005F_x`). A surrogate pair comes as two escapes; a lone surrogate becomes U+FFFD.
std::string unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  auto unit_at = [&](std::size_t i) -> long {
    if (i + 7 > text.size() || text[i] != '_' || text[i + 1] != 'x' || text[i + 6] != '_') return -1;
    long value = 0;
    for (std::size_t k = i + 2; k < i + 6; ++k) {
      int digit = hex_value(text[k]);
      if (digit < 0) return -1;
      value = value * 16 + digit;
    }
    return value;
  };
  for (std::size_t i = 0; i < text.size();) {
    long unit = unit_at(i);
    if (unit < 0) {
      out += text[i++];
      continue;
    }
    i += 7;
    char32_t c = static_cast<char32_t>(unit);
    if (unit >= 0xD800 && unit <= 0xDBFF) {
      long low = unit_at(i);
      if (low >= 0xDC00 && low <= 0xDFFF) {
        c = 0x10000 + ((static_cast<char32_t>(unit) - 0xD800) << 10) + (static_cast<char32_t>(low) - 0xDC00);
        i += 7;
      } else {
        c = 0xFFFD;
      }
    } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
      c = 0xFFFD;
    }
    core::append_utf8(out, c);
  }
  return out;
}

class ClixmlReader {
 public:
  explicit ClixmlReader(const std::string& file) : file_(file) {}

  std::vector<Record> read(const xmlNode* root) {
    if (!is(root, "Objs") || !root->ns || reinterpret_cast<const char*>(root->ns->href) != powershell_namespace)
      throw InventoryError(file_ + ":" + std::to_string(line_of(root)) + ": XML, but not Export-Clixml output (<" +
                           core::shown_in_error(name_of(root)) + "> instead of <Objs xmlns=\"" +
                           std::string(powershell_namespace) + "\">)");
    index(root, 0);
    std::vector<Record> records;
    for (const xmlNode* node = root->children; node; node = node->next) {
      if (!is_element(node) || is(node, "Ref")) continue;  // a Ref repeats an object already read
      if (!is(node, "Obj"))
        throw InventoryError(where(node) + ": <" + core::shown_in_error(name_of(node)) +
                             "> at the top: Export-Clixml of connectors or certificates holds objects (<Obj>)");
      Record record;
      record.file = file_;
      record.line = line_of(node);
      for (const char* set : {"Props", "MS"})
        if (const xmlNode* properties = child(node, set))
          for (const xmlNode* p = properties->children; p; p = p->next) {
            if (!is_element(p)) continue;
            std::string name = unescape(attribute(p, "N"));
            if (name.empty()) continue;
            Value value = value_of(p, 0);
            value.line = line_of(p);
            record.fields.emplace_back(std::move(name), std::move(value));
          }
      if (!record.fields.empty()) records.push_back(std::move(record));
    }
    return records;
  }

 private:
  std::string where(const xmlNode* node) const { return file_ + ":" + std::to_string(line_of(node)); }

  // Every <Obj RefId> by its id, for the <Ref RefId> that name it later.
  void index(const xmlNode* node, int depth) {
    if (depth > 256) return;  // libxml2 refuses deeper documents already (xmlParserMaxDepth)
    for (const xmlNode* c = node->children; c; c = c->next) {
      if (!is_element(c)) continue;
      if (is(c, "Obj")) {
        std::string id = attribute(c, "RefId");
        if (!id.empty()) objects_.emplace(std::move(id), c);
      }
      index(c, depth + 1);
    }
  }

  // One value as the single string Format-List would show, with a list's items.
  Value value_of(const xmlNode* node, int depth) {
    Value value;
    if (depth > max_depth) return value;
    if (is(node, "Ref")) {
      auto found = objects_.find(attribute(node, "RefId"));
      if (found == objects_.end())
        throw InventoryError(where(node) + ": <Ref RefId=\"" + core::shown_in_error(attribute(node, "RefId")) +
                             "\"> names no object of the file (a damaged Export-Clixml file)");
      return value_of(found->second, depth + 1);
    }
    if (is(node, "Obj")) return object_value(node, depth);
    if (is(node, "Nil")) return value;
    value.text = is(node, "B") ? (content(node) == "true" ? "True" : "False") : unescape(content(node));
    if (!value.text.empty()) value.items.push_back(value.text);
    return value;
  }

  Value object_value(const xmlNode* node, int depth) {
    Value value;
    for (const char* list : {"LST", "IE", "STK", "QUE"})
      if (const xmlNode* items = child(node, list)) {
        for (const xmlNode* item = items->children; item; item = item->next)
          if (is_element(item))
            if (Value v = value_of(item, depth + 1); !v.text.empty()) value.items.push_back(std::move(v.text));
        value.text = core::join(value.items);
        return value;
      }
    if (const xmlNode* shown = child(node, "ToString")) {
      value.text = unescape(content(shown));
    } else if (const xmlNode* properties = child(node, "Props")) {
      // An object without its ToString: the property that names it.
      for (std::string_view key : {"Domain", "Address", "Name", "DistinguishedName"})
        for (const xmlNode* p = properties->children; p && value.text.empty(); p = p->next)
          if (is_element(p) && attribute(p, "N") == key) value.text = value_of(p, depth + 1).text;
    }
    if (!value.text.empty()) value.items.push_back(value.text);
    return value;
  }

  const std::string& file_;
  std::map<std::string, const xmlNode*> objects_;
};

}  // namespace

std::vector<Record> read_clixml(std::string_view text, const std::string& file) {
  // Export-Clixml never writes a document type; refusing one keeps entity expansion out entirely.
  if (text.find("<!DOCTYPE") != std::string_view::npos || text.find("<!ENTITY") != std::string_view::npos)
    throw InventoryError(file + ": XML with a document type declaration, which Export-Clixml never writes");
  if (text.size() > INT_MAX) throw InventoryError(file + ": too large for an export");
  xmlInitParser();
  std::unique_ptr<xmlParserCtxt, FreeParser> parser(xmlNewParserCtxt());
  if (!parser) throw std::bad_alloc();
  // The text is UTF-8 by now (decode_text), whatever an XML declaration says.
  std::unique_ptr<xmlDoc, FreeDocument> document(
      xmlCtxtReadMemory(parser.get(), text.data(), static_cast<int>(text.size()), file.c_str(), "UTF-8",
                        XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_BIG_LINES |
                            XML_PARSE_NOCDATA));
  if (!document || !parser->wellFormed) {
    const xmlError* error = xmlCtxtGetLastError(parser.get());
    std::string message = error && error->message ? core::shown_in_error(error->message) : "not well-formed";
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
    throw InventoryError(file + ":" + std::to_string(error ? error->line : 1) + ": not valid XML (" + message + ")");
  }
  const xmlNode* root = xmlDocGetRootElement(document.get());
  if (!root) throw InventoryError(file + ": an XML file without an element");
  return ClixmlReader(file).read(root);
}

}  // namespace stp::inventory
