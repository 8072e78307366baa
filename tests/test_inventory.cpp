// Exchange exports read as PowerShell writes them, and Exchange's certificate selection predicted
// from them (testdata/inventory, made by its generate.py in the cmdlets' output shapes).

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>

#include <openssl/x509.h>

#include "inventory/inventory.hpp"
#include "inventory/predict.hpp"
#include "inventory/targets.hpp"
#include "lab/cert_factory.hpp"
#include "tls/certificate.hpp"

using namespace stp;
using inventory::InventoryError;

namespace {

const std::string dir = std::string(STARTTLS_PROBE_TESTDATA) + "/inventory/";
// 2026-11-29T12:00:00Z: the exports' certificates are judged at this moment.
constexpr std::int64_t fixed_now = 1795953600;

const std::string ca_issued = "3F1A6C0E5D2B4A7980C1D2E3F4A5B6C7D8E9F0A1";  // EX01, mail.contoso.com, IIS+SMTP
const std::string newer_self_signed = "B7C2D94E10F3A5867C9D0E1F2A3B4C5D6E7F8091";
const std::string no_key = "C90E13A7F4D25B6E8A1C3D5F7092B4D6E8F0A2C4";
const std::string ex01_default = "D4E8F1A2B3C4D5E6F708192A3B4C5D6E7F809A1B";
const std::string ex02_expired = "0A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D";
const std::string ex02_no_smtp = "1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E";
const std::string ex02_default = "2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F";

std::vector<std::string> text_exports() {
  return {dir + "receive-connectors.txt", dir + "certificates.txt", dir + "send-connectors.txt", dir + "servers.txt"};
}

const inventory::Prediction& find(const std::vector<inventory::Prediction>& all, const std::string& connector,
                                  const std::string& server = "") {
  auto it = std::find_if(all.begin(), all.end(), [&](const inventory::Prediction& p) {
    return p.connector == connector && (server.empty() || p.server == server);
  });
  REQUIRE(it != all.end());
  return *it;
}

const inventory::Candidate& candidate(const inventory::Prediction& p, const std::string& thumbprint) {
  auto it = std::find_if(p.candidates.begin(), p.candidates.end(),
                         [&](const inventory::Candidate& c) { return c.certificate->thumbprint == thumbprint; });
  REQUIRE(it != p.candidates.end());
  return *it;
}

std::vector<inventory::Record> format_list(const std::string& text) { return inventory::read_format_list(text, "t.txt"); }

// Every prediction of these exports, one line each: what decides the report.
std::vector<std::string> prediction_lines(const std::vector<std::string>& files) {
  std::vector<std::string> out;
  auto inv = inventory::load_inventory(files);
  for (const auto& p : inventory::predict(inv, fixed_now)) {
    std::string line = p.connector + "|" + p.server + "|" + p.lookup_key + "|" + p.predicted_thumbprint.value_or("-") + "|" +
                       std::to_string(p.predicted_event.value_or(0)) + "|" + p.rule + "|" +
                       (p.starttls_offered ? (*p.starttls_offered ? "tls" : "none") : "?");
    for (const auto& c : p.candidates) line += "|" + c.certificate->thumbprint + (c.eligible ? "+" : "-");
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("exports decode from UTF-16LE/BE with a BOM, UTF-8 with or without one, and Windows-1252", "[inventory]") {
  CHECK(inventory::decode_text(std::string("\xFF\xFE" "N\0a\0m\0e\0", 10), "f") == "Name");
  CHECK(inventory::decode_text(std::string("\xFE\xFF\0N\0a\0m\0e", 10), "f") == "Name");
  CHECK(inventory::decode_text("\xEF\xBB\xBFName", "f") == "Name");
  CHECK(inventory::decode_text("Name", "f") == "Name");
  CHECK(inventory::decode_text(std::string("N\0a\0m\0e\0", 8), "f") == "Name");  // UTF-16LE, BOM lost
  // UTF-16 surrogate pair (U+1F600) and a BMP character (U+00FC).
  CHECK(inventory::decode_text(std::string("\xFF\xFE\x3D\xD8\x00\xDE\xFC\x00", 8), "f") == "\xF0\x9F\x98\x80\xC3\xBC");
  CHECK(inventory::decode_text("M\xFCller \x80", "f") == "M\xC3\xBCller \xE2\x82\xAC");  // Windows-1252
  CHECK_THROWS_WITH(inventory::decode_text(std::string("\xFF\xFE" "N\0a", 5), "x.txt"), Catch::Contains("x.txt"));
  CHECK_THROWS_WITH(inventory::decode_text(std::string("\xFF\xFE\x00\xDC", 4), "x.txt"), Catch::Contains("surrogate"));
}

TEST_CASE("Format-List records: padded names, blank lines between, empty values, lists", "[inventory]") {
  auto records = format_list(
      "\r\n\r\nName          : Default Frontend EX01\r\nFqdn          :\r\nBindings      : {[::]:25, 0.0.0.0:25}\r\n"
      "AuthMechanism : Tls, Integrated\r\n\r\nName          : Second\r\nBindings      : {}\r\n\r\n\r\n");
  REQUIRE(records.size() == 2);
  CHECK(records[0].line == 3);
  CHECK(records[0].find("name")->text == "Default Frontend EX01");  // names are case-insensitive
  CHECK(records[0].find("Fqdn")->text.empty());
  CHECK(records[0].find("Fqdn")->items.empty());
  CHECK(records[0].find("Bindings")->items == std::vector<std::string>{"[::]:25", "0.0.0.0:25"});
  CHECK(records[0].find("Bindings")->line == 5);
  CHECK(records[0].find("AuthMechanism")->text == "Tls, Integrated");
  CHECK(records[1].find("Bindings")->items.empty());
  CHECK(records[1].where() == "t.txt:8");
  CHECK(records[0].find("Server") == nullptr);
}

TEST_CASE("Format-List continuation lines are joined as PowerShell wrapped them", "[inventory]") {
  SECTION("after a word's trailing space, which stays on the line") {
    auto r = format_list("Subject : CN=mail, O=\"Contoso, \n          Ltd.\", C=US\n");
    CHECK(r.at(0).find("Subject")->text == "CN=mail, O=\"Contoso, Ltd.\", C=US");
  }
  SECTION("a word cut at the full width continues without a space") {
    auto r = format_list("CertificateDomains : {mail.contoso.com, autodiscover.con\n"
                         "                     toso.com}\n"
                         "Short              : x\n");
    CHECK(r.at(0).find("CertificateDomains")->items ==
          std::vector<std::string>{"mail.contoso.com", "autodiscover.contoso.com"});
  }
  SECTION("a shorter line whose trailing space was trimmed away gets its space back") {
    auto r = format_list("Name : Default\n       Frontend EX01\nLongerName : 0123456789012345678901234567890\n");
    CHECK(r.at(0).find("Name")->text == "Default Frontend EX01");
  }
  SECTION("a list cut short at $FormatEnumerationLimit") {
    auto r = format_list("CertificateDomains : {a.example, b.example, c.example, d.example...}\n");
    const auto* v = r.at(0).find("CertificateDomains");
    CHECK(v->truncated);
    CHECK(v->items == std::vector<std::string>{"a.example", "b.example", "c.example", "d.example"});
  }
}

TEST_CASE("the shell's WARNING and VERBOSE lines between records are not data", "[inventory]") {
  auto r = format_list("WARNING: The command completed successfully but no settings have been modified.\n\n"
                       "Name : a\n\nVERBOSE: done\n");
  REQUIRE(r.size() == 1);
  CHECK(r[0].find("Name")->text == "a");
}

TEST_CASE("a console window copied whole: prompts, commands and warnings around the records", "[inventory]") {
  // Starts with '[' like JSON; it is Format-List with the Exchange Management Shell's prompt.
  std::string session =
      "[PS] C:\\Windows\\system32>Get-ExchangeCertificate | fl Thumbprint,CertificateDomains,Services\r\n"
      "\r\n"
      "Thumbprint         : 0C3E8F1A2B3C4D5E6F708192A3B4C5D6E7F809A1\r\n"
      "CertificateDomains : {mail.contoso.com}\r\n"
      "Services           : IIS, SMTP\r\n"
      "\r\n"
      "WARNING: The object has been modified.\r\n"
      "[PS] C:\\Windows\\system32>Get-ReceiveConnector | fl Name,Fqdn\r\n"
      "Get-ReceiveConnector | fl Name,Fqdn\r\n"
      "\r\n"
      "Name : Default Frontend EX01\r\n"
      "Fqdn : mail.contoso.com\r\n"
      "PS C:\\Users\\admin> Get-SendConnector | Format-List Name\r\n"
      "\r\n"
      "Name : Internet\r\n";
  auto records = inventory::read_export_bytes(session, "console.txt");
  REQUIRE(records.size() == 3);
  CHECK(records[0].find("Thumbprint")->text == "0C3E8F1A2B3C4D5E6F708192A3B4C5D6E7F809A1");
  CHECK(records[0].line == 3);
  CHECK(records[1].find("Name")->text == "Default Frontend EX01");
  CHECK(records[1].line == 11);
  CHECK(records[2].find("Name")->text == "Internet");
  CHECK(records[2].line == 15);
}

TEST_CASE("a forum paste with a blank line after every field: records end where a name comes again", "[inventory]") {
  std::string paste =
      "Name : Default Frontend EX01   \n\n"
      "Fqdn : mail.contoso.com\n\n"
      "Bindings : {0.0.0.0:25}\n\n"
      "AuthMechanism : Tls, Integrated\n\n\n"
      "Name : Client Frontend EX01\n\n"
      "Fqdn : mail.contoso.com\n\n"
      "Bindings : {0.0.0.0:587}\n\n"
      "AuthMechanism : Tls, BasicAuth\n";
  auto records = format_list(paste);
  REQUIRE(records.size() == 2);
  CHECK(records[0].find("Name")->text == "Default Frontend EX01");  // trailing spaces gone
  CHECK(records[0].fields.size() == 4);
  CHECK(records[1].find("Bindings")->text == "0.0.0.0:587");
  CHECK(records[1].line == 10);
  // The error names the line it is about, not a record made of one field.
  CHECK_THROWS_WITH(format_list(paste + "\nthis is no property\n"), Catch::StartsWith("t.txt:18: expected 'Name : value'"));
}

TEST_CASE("Format-List text that is not one is refused with its file and line", "[inventory]") {
  CHECK_THROWS_WITH(format_list("Name : a\nthis is not a property\n"), Catch::StartsWith("t.txt:2: expected 'Name : value'"));
  CHECK_THROWS_WITH(format_list("\n   indented first\n"), Catch::StartsWith("t.txt:2: an indented line"));
}

TEST_CASE("ConvertTo-Json: arrays or one object, dates and bindings as PowerShell 5 and 7 write them", "[inventory]") {
  auto records = inventory::read_json(R"([
  {"Name": "A", "Bindings": [{"Address": {"IPAddressToString": "::", "AddressFamily": 23}, "Port": 25},
                             {"Address": "0.0.0.0", "Port": 25}],
   "NotAfter": {"value": "/Date(1803599999000)/", "DisplayHint": 2}, "HasPrivateKey": true, "Server": {"Name": "EX01"},
   "Empty": null, "Size": 2048},
  {"Name": "B"}
])", "j.json");
  REQUIRE(records.size() == 2);
  CHECK(records[0].line == 2);
  CHECK(records[1].line == 6);
  CHECK(records[0].find("Bindings")->items == std::vector<std::string>{"[::]:25", "0.0.0.0:25"});
  CHECK(records[0].find("NotAfter")->text == "/Date(1803599999000)/");
  CHECK(records[0].find("HasPrivateKey")->text == "True");
  CHECK(records[0].find("Server")->text == "EX01");
  CHECK(records[0].find("Empty")->text.empty());
  CHECK(records[0].find("Size")->text == "2048");
  CHECK(inventory::read_json(R"({"Name": "only"})", "j.json").size() == 1);
  CHECK_THROWS_WITH(inventory::read_json("[\n{\"Name\": \"A\",\n}\n]", "j.json"), Catch::StartsWith("j.json:3: not valid JSON"));
  CHECK_THROWS_WITH(inventory::read_json("[1, 2]", "j.json"), Catch::Contains("array of objects"));
}

TEST_CASE("dates as PowerShell exports them become Unix seconds", "[inventory]") {
  using inventory::DateOrder;
  using inventory::parse_powershell_date;
  auto mdy = [](std::string_view text) { return parse_powershell_date(text, DateOrder::mdy); };
  auto dmy = [](std::string_view text) { return parse_powershell_date(text, DateOrder::dmy); };
  constexpr std::int64_t end_of_march_1 = 1803945599;  // 2027-03-01T23:59:59Z
  SECTION("en-US, with AM and PM") {
    CHECK(mdy("3/1/2027 11:59:59 PM") == end_of_march_1);
    CHECK(mdy("3/1/2027 12:00:00 AM") == 1803859200);
    CHECK(mdy("3/1/2027 12:30:00 PM") == 1803904200);
    CHECK(mdy("3/1/2027 11:59:59 p.m.") == end_of_march_1);
    CHECK_FALSE(mdy("3/1/2027 13:00:00 PM"));
  }
  SECTION("day first: en-GB, en-AU (lower-case pm), fr-FR, de-DE and ru-RU with dots") {
    CHECK(dmy("01/03/2027 23:59:59") == end_of_march_1);
    CHECK(dmy("1/03/2027 11:59:59 pm") == end_of_march_1);
    CHECK(dmy("01.03.2027 23:59:59") == end_of_march_1);
    CHECK_FALSE(mdy("01.03.2027 23:59:59"));  // no culture writes month first with dots
    CHECK(dmy("13/3/2027 10:00:00") == mdy("3/13/2027 10:00:00 AM"));
    CHECK_FALSE(mdy("13/3/2027 10:00:00"));
  }
  SECTION("year first: ja-JP and zh-CN with or without seconds, ko-KR with its marker before the time") {
    CHECK(mdy("2027/03/01 23:59:59") == end_of_march_1);  // the order given does not matter
    CHECK(dmy("2027/03/01 23:59") == end_of_march_1 - 59);
    CHECK(mdy("2027-03-01 \uC624\uD6C4 11:59:59") == end_of_march_1);
    CHECK(mdy("2027/3/1 \u4E0B\u5348 11:59:59") == end_of_march_1);
  }
  SECTION("ISO 8601 and /Date(ms)/ need no order") {
    CHECK(mdy("2027-03-01T23:59:59Z") == end_of_march_1);
    CHECK(mdy("2027-03-01T23:59:59.1234567+01:00") == end_of_march_1 - 3600);
    CHECK(mdy("2027-03-01T23:59:59-08:00") == end_of_march_1 + 8 * 3600);
    CHECK(dmy("2027-03-01T23:59:59") == end_of_march_1);
    CHECK(mdy("2027-03-01 23:59:59") == end_of_march_1);
    CHECK(mdy("/Date(1803945599000)/") == end_of_march_1);
    CHECK(mdy("/Date(1803945599000+0100)/") == end_of_march_1);
    CHECK_FALSE(mdy("/Date(18039x)/"));
  }
  SECTION("what is no date") {
    CHECK_FALSE(mdy("next Tuesday"));
    CHECK_FALSE(mdy("2/30/2027 10:00:00"));
    CHECK(mdy("2/29/2028 10:00:00"));
    CHECK_FALSE(mdy("2/29/2027 10:00:00"));
    CHECK_FALSE(mdy("13/13/2027 10:00:00"));
    CHECK_FALSE(mdy("3/1/2027"));          // Format-List always prints the time
    CHECK_FALSE(mdy("3/1/27 10:00:00"));   // no culture's default has two-digit years
    CHECK_FALSE(mdy("0.0.0.0:25"));
    CHECK_FALSE(mdy("3/1/2027 10:00:00 tomorrow"));
  }
}

TEST_CASE("a file's date order is found from all its dates, or given, never guessed", "[inventory]") {
  using inventory::DateOrder;
  auto order = [](const std::string& text, std::optional<DateOrder> given = std::nullopt) {
    return inventory::date_order_of(format_list(text), "t.txt", given);
  };
  // One date that only reads day first decides for the ambiguous ones.
  CHECK(order("NotBefore : 12/02/2016 10:00:00\nNotAfter : 17/06/2027 15:00:00\n") == DateOrder::dmy);
  CHECK(order("NotBefore : 12/02/2016 10:00:00 AM\nNotAfter : 6/17/2027 3:00:00 PM\n") == DateOrder::mdy);
  CHECK(order("NotBefore : 12.02.2016 10:00:00\n") == DateOrder::dmy);
  CHECK(order("NotBefore : 2016/02/12 10:00\n") == DateOrder::ymd);
  CHECK(order("Name : no dates here\n") == DateOrder::mdy);
  CHECK(order("NotAfter : 2027-03-01T23:59:59Z\n", DateOrder::dmy) == DateOrder::dmy);  // ISO needs none
  // Every date reads both ways: the option decides; without it, an error naming a line and the option.
  const std::string australian = "Name : x\nNotBefore : 12/02/2016 10:00:00\nNotAfter : 12/02/2027 10:00:00\n";
  CHECK(order(australian, DateOrder::dmy) == DateOrder::dmy);
  CHECK(order(australian, DateOrder::mdy) == DateOrder::mdy);
  CHECK_THROWS_WITH(order(australian),
                    Catch::StartsWith("t.txt:2: the date '12/02/2016 10:00:00' reads as 2016-12-02 (month/day/year) or "
                                      "2016-02-12 (day/month/year), and no date in the file tells which: give "
                                      "--date-order dmy"));
  // The option cannot overrule a date that reads one way only.
  CHECK_THROWS_WITH(order("NotBefore : 12/02/2016 10:00:00\nNotAfter : 17/06/2027 15:00:00\n", DateOrder::mdy),
                    Catch::StartsWith("t.txt:2: the date '17/06/2027 15:00:00' cannot be read as month/day/year "
                                      "(--date-order); it reads as 2027-06-17 (day/month/year)"));
  CHECK_THROWS_WITH(order("NotBefore : 2016/02/12 10:00:00\n", DateOrder::dmy),
                    Catch::StartsWith("t.txt:1: the date '2016/02/12 10:00:00' cannot be read as day/month/year"));
  // Two cultures in one file.
  CHECK_THROWS_WITH(order("NotBefore : 6/17/2027 3:00:00 PM\n\nNotBefore : 17/06/2027 15:00:00\n"),
                    Catch::StartsWith("t.txt:3: the date '17/06/2027 15:00:00' reads as 2027-06-17 (day/month/year), "
                                      "but the date '6/17/2027 3:00:00 PM' on line 1 reads as 2027-06-17 "
                                      "(month/day/year): one export is written in one culture"));
}

TEST_CASE("flags enums exported as names or as the number", "[inventory]") {
  std::vector<std::string> services{"IMAP", "POP", "UM", "IIS", "SMTP", "Federation", "UMCallRouter"};
  inventory::Value names{"IMAP, POP, IIS, SMTP", {}, false, 1};
  inventory::Value number{"27", {}, false, 1};
  inventory::Value none{"None", {}, false, 1};
  CHECK(inventory::flag_names(names, services) == std::vector<std::string>{"IMAP", "POP", "IIS", "SMTP"});
  CHECK(inventory::flag_names(number, services) == std::vector<std::string>{"IMAP", "POP", "IIS", "SMTP"});
  CHECK(inventory::flag_names(none, services).empty());
}

TEST_CASE("the exports' records sort into connectors, certificates and servers", "[inventory]") {
  auto inv = inventory::load_inventory(text_exports());
  CHECK(inv.receive_connectors.size() == 10);
  CHECK(inv.send_connectors.size() == 2);
  CHECK(inv.certificates.size() == 9);
  CHECK(inv.servers.size() == 2);
  const auto* a = inv.certificate(ca_issued);
  REQUIRE(a);
  CHECK(a->server == "EX01.corp.contoso.com");
  CHECK(a->subject == "CN=mail.contoso.com, OU=Messaging, O=\"Contoso, Ltd.\", L=Redmond, S=Washington, C=US");
  CHECK(a->domains_truncated);
  CHECK(a->domains.size() == 4);
  CHECK(a->has_service("SMTP"));
  CHECK(a->not_after == 1803945599);
  CHECK(a->source == dir + "certificates.txt:3");
  const auto& frontend = inv.receive_connectors.at(2);
  CHECK(frontend.tls_certificate_name ==
        "<I>CN=Contoso Issuing CA 01, DC=corp, DC=contoso, DC=com<S>CN=mail.contoso.com, OU=Messaging, "
        "O=\"Contoso, Ltd.\", L=Redmond, S=Washington, C=US");
  CHECK(frontend.bindings == std::vector<std::string>{"[::]:25", "0.0.0.0:25"});
  CHECK(inv.server_fqdn("EX02") == "EX02.corp.contoso.com");
  CHECK(inventory::same_server("EX01", "ex01.corp.contoso.com"));
  CHECK_FALSE(inventory::same_server("EX01", "EX010"));
}

TEST_CASE("a record that is no connector, certificate or server, a bad date, a bad thumbprint: file:line", "[inventory]") {
  inventory::Inventory inv;
  CHECK_THROWS_WITH(inventory::add_records(inv, format_list("\nName : x\nColour : blue\n")),
                    Catch::StartsWith("t.txt:2: cannot tell what this record is"));
  CHECK_THROWS_WITH(inventory::add_records(inv, format_list("Thumbprint : " + ca_issued + "\nServices : SMTP\nNotAfter : soon\n")),
                    Catch::StartsWith("t.txt:3: cannot read the date NotAfter 'soon'"));
  CHECK_THROWS_WITH(inventory::add_records(inv, format_list("Thumbprint : ABC\nServices : SMTP\n")),
                    Catch::StartsWith("t.txt:1: Thumbprint 'ABC' is not 40 hexadecimal digits"));
  CHECK_THROWS_WITH(inventory::load_inventory({dir + "missing.txt"}), Catch::Contains("missing.txt: cannot read"));
}

TEST_CASE("Exchange's selection predicted for every exported connector", "[inventory]") {
  auto inv = inventory::load_inventory(text_exports());
  auto all = inventory::predict(inv, fixed_now);
  REQUIRE(all.size() == 10 + 3);

  SECTION("a CA-issued certificate wins over a newer self-signed one; one without a private key is not eligible") {
    const auto& p = find(all, "Client Frontend EX01");
    CHECK(p.kind == "receive");
    CHECK(p.starttls_offered == true);
    CHECK(p.predicted_thumbprint == ca_issued);
    CHECK_FALSE(p.predicted_event);
    CHECK(p.status == tls::Status::ok);
    CHECK_THAT(p.rule, Catch::StartsWith("rule 5: the CA-issued certificate"));
    CHECK(candidate(p, ca_issued).chosen);
    CHECK(candidate(p, newer_self_signed).eligible);
    CHECK_THAT(candidate(p, newer_self_signed).why_not, Catch::Contains("self-signed, and a valid CA-issued"));
    CHECK_FALSE(candidate(p, no_key).eligible);
    CHECK_THAT(candidate(p, no_key).why_not, Catch::Contains("no private key"));
    CHECK_THAT(candidate(p, ex01_default).why_not, Catch::Contains("mail.contoso.com is not in CertificateDomains"));
    CHECK(p.candidates.size() == 6);  // every certificate of EX01, none of EX02
  }
  SECTION("TlsCertificateName, wrapped over two lines, selects by Issuer and Subject") {
    const auto& p = find(all, "Default Frontend EX01");
    CHECK(p.predicted_thumbprint == ca_issued);
    CHECK_THAT(p.rule, Catch::Contains("lookup key from TlsCertificateName"));
    CHECK_THAT(candidate(p, newer_self_signed).why_not, Catch::Contains("Issuer and Subject are not those"));
    CHECK_THAT(candidate(p, no_key).why_not, Catch::Equals("no private key; SMTP not in Services (None)"));
  }
  SECTION("only Exchange's self-signed default holds the server's FQDN") {
    const auto& p = find(all, "Default EX01");
    CHECK(p.predicted_thumbprint == ex01_default);
    CHECK_THAT(p.rule, Catch::Contains("self-signed one"));
    CHECK_THAT(candidate(p, ca_issued).why_not, Catch::Contains("cut the list short"));
  }
  SECTION("an empty Fqdn means the server's FQDN") {
    const auto& p = find(all, "Default Frontend EX02");
    CHECK_FALSE(p.fqdn);
    CHECK(p.lookup_key == "EX02.corp.contoso.com");
    CHECK(p.predicted_thumbprint == ex02_default);
  }
  SECTION("an expired SMTP certificate beside a newer one without SMTP: 12016") {
    const auto& p = find(all, "Client Frontend EX02");
    CHECK(p.predicted_thumbprint == ex02_expired);
    CHECK(p.predicted_event == 12016);
    CHECK(p.starttls_offered == true);
    CHECK(p.status == tls::Status::critical);
    CHECK_THAT(candidate(p, ex02_no_smtp).why_not, Catch::Equals("SMTP not in Services (IIS)"));
    CHECK_THAT(p.remedy, Catch::Contains("Renew " + ex02_expired));
  }
  SECTION("no certificate for the name: 12014, no STARTTLS, a new certificate as the remedy") {
    const auto& p = find(all, "Partner EX02");
    CHECK_FALSE(p.predicted_thumbprint);
    CHECK(p.predicted_event == 12014);
    CHECK(p.starttls_offered == false);
    CHECK_THAT(p.rule, Catch::StartsWith("rule 4:"));
    CHECK_THAT(p.remedy, Catch::StartsWith("New-ExchangeCertificate -DomainName partner.contoso.com -Services SMTP -Server EX02"));
  }
  SECTION("the name's certificate lacks SMTP: 12014, the modelled version said, Enable-ExchangeCertificate") {
    const auto& p = find(all, "Webmail Relay EX02");
    CHECK(p.predicted_event == 12014);
    CHECK_THAT(p.rule, Catch::Contains("2016/2019"));
    CHECK(p.remedy == "Enable-ExchangeCertificate -Thumbprint " + ex02_no_smtp + " -Services SMTP -Server EX02");
  }
  SECTION("without Tls in AuthMechanism, no STARTTLS and no certificate") {
    const auto& p = find(all, "App Relay EX02");
    CHECK(p.starttls_offered == false);
    CHECK_FALSE(p.predicted_event);
    CHECK(p.candidates.empty());
    CHECK_THAT(p.rule, Catch::StartsWith("rule 1: AuthMechanism (None)"));
  }
  SECTION("a send connector: one prediction per source server; IgnoreSTARTTLS") {
    CHECK(find(all, "Internet Outbound", "EX01").predicted_thumbprint == ca_issued);
    CHECK(find(all, "Internet Outbound", "EX02").predicted_event == 12016);
    CHECK(find(all, "Internet Outbound", "EX01").kind == "send");
    CHECK(find(all, "Legacy Relay").starttls_offered == false);
    CHECK_THAT(find(all, "Legacy Relay").rule, Catch::Contains("IgnoreSTARTTLS"));
  }
}

TEST_CASE("the same exports as ConvertTo-Json from PowerShell 5.1 and 7 predict the same", "[inventory]") {
  auto text = prediction_lines(text_exports());
  CHECK(prediction_lines({dir + "receive-connectors-ps7.json", dir + "certificates-ps5.json", dir + "send-connectors.txt",
                          dir + "servers.txt"}) == text);
  CHECK(prediction_lines({dir + "receive-connectors-ps7.json", dir + "certificates-ps7.json", dir + "send-connectors.txt",
                          dir + "servers.txt"}) == text);
}

TEST_CASE("Export-Clixml of the three cmdlets predicts what Format-List does", "[inventory]") {
  std::vector<std::string> clixml = {dir + "receive-connectors.clixml", dir + "certificates.clixml",
                                     dir + "send-connectors.clixml", dir + "servers.txt"};
  CHECK(prediction_lines(clixml) == prediction_lines(text_exports()));
  auto inv = inventory::load_inventory(clixml);
  REQUIRE(inv.certificates.size() == 9);
  const auto* a = inv.certificate(ca_issued);
  REQUIRE(a);
  CHECK(a->not_after == 1803945599);          // <DT> with the exporting machine's offset, the same instant
  CHECK(a->domains.size() == 5);              // never cut short
  CHECK_FALSE(a->domains_truncated);
  CHECK(a->status == "Valid");                // an enum, by its <ToString>
  CHECK(a->source == dir + "certificates.clixml:2");
  CHECK(a->server == "EX01.corp.contoso.com");
  const auto& frontend = inv.receive_connectors.at(2);
  CHECK(frontend.name == "Default Frontend EX01");
  CHECK(frontend.server == "EX01");           // a <Ref> to the ADObjectId written for the first connector
  CHECK(frontend.bindings == std::vector<std::string>{"[::]:25", "0.0.0.0:25"});
  CHECK(inv.receive_connectors.at(5).fqdn.empty());  // <Nil />
  auto records = inventory::read_export(dir + "receive-connectors.clixml");
  CHECK(records.at(0).find("Comment")->text == "Created by setup.\r\nDo not remove.");  // _x000D__x000A_
  CHECK(records.at(0).find("Enabled")->text == "True");
  CHECK(records.at(1).find("Server")->text == "EX01");  // a <Ref> itself, not the Identity's fallback
}

TEST_CASE("Export-Clixml that is damaged or not one is refused with file and line", "[inventory]") {
  const std::string head = R"(<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">)";
  auto read = [](const std::string& text) { return inventory::read_export_bytes(text, "x.xml"); };
  CHECK_THROWS_WITH(read(head + "\n<Obj RefId=\"0\"><Props><S N=\"Name\">a</S></Props>\n"),
                    Catch::StartsWith("x.xml:3: not valid XML"));
  CHECK_THROWS_WITH(read("<Objects>\n<Object/></Objects>"), Catch::StartsWith("x.xml:1: XML, but not Export-Clixml output"));
  CHECK_THROWS_WITH(read(head + "\n<S>text</S></Objs>"), Catch::StartsWith("x.xml:2: <S> at the top"));
  CHECK_THROWS_WITH(read(head + "\n<Obj RefId=\"0\"><Props><Ref N=\"Server\" RefId=\"9\" /></Props></Obj></Objs>"),
                    Catch::StartsWith("x.xml:2: <Ref RefId=\"9\"> names no object"));
  // Entities never expand: Export-Clixml writes no document type.
  CHECK_THROWS_WITH(read("<!DOCTYPE Objs [<!ENTITY a \"aaaa\">]>\n" + head + "<Obj><Props><S N=\"Name\">&a;</S></Props></Obj></Objs>"),
                    Catch::Contains("document type declaration"));
  // A reference to itself ends at the depth bound.
  auto cyclic = read(head + "\n<Obj RefId=\"0\"><Props><Obj N=\"Name\" RefId=\"1\"><LST><Ref RefId=\"1\" /></LST></Obj>"
                            "</Props></Obj></Objs>");
  CHECK(cyclic.at(0).find("Name")->text.empty());
  // A surrogate pair and a lone surrogate in _xHHHH_ escapes.
  auto escaped = read(head + "<Obj RefId=\"0\"><Props><S N=\"Name\">_xD83D__xDCE7_ _xD800_ _x005F_x</S></Props></Obj></Objs>");
  CHECK(escaped.at(0).find("Name")->text == "\U0001F4E7 \uFFFD _x");
}

TEST_CASE("Format-List dates in each culture's order predict what en-US does", "[inventory]") {
  auto baseline = prediction_lines(text_exports());
  for (std::string culture : {"en-GB", "en-AU", "de-DE", "ja-JP"}) {
    INFO(culture);
    std::vector<std::string> files = {dir + "receive-connectors.txt", dir + "certificates-" + culture + ".txt",
                                      dir + "send-connectors.txt", dir + "servers.txt"};
    CHECK(prediction_lines(files) == baseline);
    auto inv = inventory::load_inventory(files);
    // ja-JP prints no seconds: 23:59 instead of 23:59:59.
    CHECK(inv.certificate(ca_issued)->not_after == (culture == "ja-JP" ? 1803945599 - 59 : 1803945599));
    CHECK(inventory::date_disagreements(inv, fixed_now).empty());
  }
}

TEST_CASE("an Australian export whose every date reads both ways: --date-order decides, or the command stops", "[inventory]") {
  const std::string file = dir + "certificates-en-AU-ambiguous.txt";
  std::vector<std::string> files = {dir + "receive-connectors.txt", file};
  CHECK_THROWS_WITH(inventory::load_inventory(files),
                    Catch::StartsWith(file + ":11: the date '12/02/2027 9:00:00 am' reads as 2027-12-02 (month/day/year) "
                                             "or 2027-02-12 (day/month/year), and no date in the file tells which: give "
                                             "--date-order dmy"));
  auto australian = inventory::load_inventory(files, inventory::DateOrder::dmy);
  auto p = find(inventory::predict(australian, fixed_now), "Client Frontend EX01");
  CHECK(p.predicted_thumbprint == "5D1E2A3B4C5D6E7F8091A2B3C4D5E6F708192A3B");
  CHECK_FALSE(p.predicted_event);
  CHECK(inventory::date_disagreements(australian, fixed_now).empty());
  // Read month first, it would not yet be valid; the export's own Status says otherwise, and that is said.
  auto american = inventory::load_inventory(files, inventory::DateOrder::mdy);
  auto q = find(inventory::predict(american, fixed_now), "Client Frontend EX01");
  CHECK(q.predicted_event == 12014);
  auto said = inventory::date_disagreements(american, fixed_now);
  REQUIRE(said.size() == 1);
  CHECK_THAT(said[0], Catch::StartsWith(file + ":3: Status says Valid, but NotBefore reads as 2026-12-02, after today: "
                                               "the export's day and month may have been read the wrong way round"));
}

TEST_CASE("the export's Status and NotBefore < NotAfter are checked against the dates as read", "[inventory]") {
  auto disagreements = [](const std::string& text) {
    inventory::Inventory inv;
    inventory::add_records(inv, format_list(text));
    return inventory::date_disagreements(inv, fixed_now);
  };
  const std::string cert = "Thumbprint : " + ca_issued + "\nServices : SMTP\n";
  CHECK(disagreements(cert + "NotBefore : 2026-01-01T00:00:00Z\nNotAfter : 2025-01-01T00:00:00Z\n").at(0) ==
        "t.txt:1: NotBefore (2026-01-01) is not before NotAfter (2025-01-01): the export's day and month may have been "
        "read the wrong way round (--date-order)");
  CHECK_THAT(disagreements(cert + "Status : DateInvalid\nNotBefore : 2026-01-01T00:00:00Z\nNotAfter : 2027-01-01T00:00:00Z\n")
                 .at(0),
             Catch::StartsWith("t.txt:1: Status says DateInvalid (expired or not yet valid when exported), but its dates "
                               "read as 2026-01-01 to 2027-01-01, which include today"));
  CHECK(disagreements(cert + "Status : DateInvalid\nNotBefore : 2024-01-01T00:00:00Z\nNotAfter : 2025-01-01T00:00:00Z\n").empty());
  CHECK(disagreements(cert + "Status : Valid\nNotBefore : 2024-01-01T00:00:00Z\nNotAfter : 2025-01-01T00:00:00Z\n").empty());
}

TEST_CASE("a console session copied whole and a forum paste predict what the clean exports do", "[inventory]") {
  CHECK(prediction_lines({dir + "console-session.txt"}) == prediction_lines(text_exports()));
  auto forum = prediction_lines({dir + "forum-paste.txt", dir + "certificates.txt", dir + "servers.txt"});
  auto clean = prediction_lines({dir + "receive-connectors.txt", dir + "certificates.txt", dir + "servers.txt"});
  CHECK(forum == clean);
  auto records = inventory::read_export(dir + "forum-paste.txt");
  REQUIRE(records.size() == 10);
  // TlsCertificateName, wrapped and pasted with a blank line after each of its lines, reads whole.
  CHECK(records.at(2).find("TlsCertificateName")->text ==
        "<I>CN=Contoso Issuing CA 01, DC=corp, DC=contoso, DC=com<S>CN=mail.contoso.com, OU=Messaging, "
        "O=\"Contoso, Ltd.\", L=Redmond, S=Washington, C=US");
}

TEST_CASE("connectors exported with only some fields, certificates alone, connectors alone", "[inventory]") {
  SECTION("without AuthMechanism: STARTTLS unknown, no event, for every connector") {
    auto inv = inventory::load_inventory({dir + "receive-connectors-some-fields.txt", dir + "certificates.txt"});
    auto all = inventory::predict(inv, fixed_now);
    REQUIRE(all.size() == 4);
    for (const auto& p : all) {
      INFO(p.connector);
      CHECK_FALSE(p.starttls_offered.has_value());
      CHECK_FALSE(p.predicted_event.has_value());
      CHECK(p.status == tls::Status::unknown);
      CHECK_THAT(p.rule, Catch::StartsWith("AuthMechanism was not exported"));
    }
    CHECK(find(all, "Default Frontend EX01").server == "EX01");  // from Identity
  }
  SECTION("connectors alone: no certificate was read, so none is predicted") {
    auto all = inventory::predict(inventory::load_inventory({dir + "receive-connectors.txt"}), fixed_now);
    REQUIRE(all.size() == 10);
    for (const auto& p : all) {
      INFO(p.connector);
      CHECK_FALSE(p.predicted_event.has_value());
      CHECK_FALSE(p.predicted_thumbprint.has_value());
    }
    CHECK(find(all, "App Relay EX02").starttls_offered == false);
    CHECK(find(all, "Default Frontend EX01").starttls_offered == true);
  }
  SECTION("certificates alone: read, no connector, nothing predicted") {
    auto inv = inventory::load_inventory({dir + "certificates.clixml"});
    CHECK(inv.certificates.size() == 9);
    CHECK(inventory::predict(inv, fixed_now).empty());
  }
}

TEST_CASE("without Get-ExchangeServer, a certificate's Identity gives the server's FQDN", "[inventory]") {
  auto inv = inventory::load_inventory({dir + "receive-connectors.txt", dir + "certificates.txt"});
  auto all = inventory::predict(inv, fixed_now);
  CHECK(find(all, "Default Frontend EX02").lookup_key == "EX02.corp.contoso.com");
}

TEST_CASE("a chosen certificate that expires within the warning days is a warning (12018)", "[inventory]") {
  auto inv = inventory::load_inventory(text_exports());
  // 2027-02-15: the CA-issued certificate expires on 2027-03-01.
  auto p = find(inventory::predict(inv, 1802649600, 30), "Client Frontend EX01");
  CHECK(p.predicted_thumbprint == ca_issued);
  CHECK(p.status == tls::Status::warning);
  CHECK_THAT(p.rule, Catch::Contains("12018"));
  // Before every certificate for the name is valid, and after: none yet (12014), expired (12016).
  auto before = find(inventory::predict(inv, 1700000000), "Client Frontend EX01");
  CHECK(before.predicted_event == 12014);
  CHECK_THAT(before.rule, Catch::Contains("is valid yet"));
}

TEST_CASE("distinguished names compare attribute by attribute, quotes, case and spaces aside", "[inventory]") {
  using inventory::same_distinguished_name;
  CHECK(same_distinguished_name("CN=mail.contoso.com, O=\"Contoso, Ltd.\", S=WA", "cn=MAIL.contoso.com,O=\"Contoso,Ltd.\",ST=WA"));
  CHECK(same_distinguished_name("CN=a, O=b\\, c", "CN=a, O=\"b, c\""));
  CHECK_FALSE(same_distinguished_name("CN=a, O=b", "O=b, CN=a"));
  CHECK_FALSE(same_distinguished_name("CN=a, O=b", "CN=a"));
  CHECK_FALSE(same_distinguished_name("", ""));
}

TEST_CASE("a certificate's names in Windows' form and its TlsCertificateName value", "[inventory]") {
  lab::CertSpec spec;
  spec.common_name = "mail.contoso.com";
  spec.organization = "Contoso, Ltd.";
  lab::CertSpec ca;
  ca.common_name = "Contoso Issuing CA 01";
  ca.is_ca = true;
  auto issuer = lab::issue_certificate(ca, nullptr);
  auto leaf = lab::issue_certificate(spec, &issuer);
  X509_NAME* subject = X509_get_subject_name(leaf.certificate.get());
  X509_NAME_add_entry_by_txt(subject, "ST", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Washington"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(subject, "OU", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>("Mail"), -1, -1, -1);
  CHECK(tls::windows_name(subject) == "OU=Mail + S=Washington, CN=mail.contoso.com, O=\"Contoso, Ltd.\"");
  auto facts = tls::describe_certificate(lab::issue_certificate(spec, &issuer).certificate_der());
  CHECK(facts.tls_certificate_name() ==
        "<I>CN=Contoso Issuing CA 01, O=starttls-probe lab<S>CN=mail.contoso.com, O=\"Contoso, Ltd.\"");
}

TEST_CASE("receive connectors become targets: wildcard bindings to the server, addresses as they are", "[inventory]") {
  auto inv = inventory::load_inventory(text_exports());
  auto predictions = inventory::predict(inv, fixed_now);
  auto targets = inventory::connector_targets(inv, predictions, std::nullopt);
  // [::]:25 and 0.0.0.0:25 are one endpoint; App Relay's and Partner's specific addresses stay.
  REQUIRE(targets.size() == 10);
  CHECK(targets[0].text == "EX01.corp.contoso.com:2525");
  CHECK(targets[0].connector == "Default EX01");
  CHECK(targets[0].expected_fqdn == "EX01.corp.contoso.com");
  CHECK(targets[1].port == 465);
  CHECK(targets[1].mode == probe::Mode::starttls);  // Exchange's 465 ("Client Proxy") speaks STARTTLS
  CHECK(targets[5].connector == "Default Frontend EX02");
  CHECK(targets[5].expected_fqdn == "EX02.corp.contoso.com");  // empty Fqdn: the server's
  CHECK(targets[7].text == "10.0.0.12:25");
  CHECK(targets[7].host_is_ip);
  for (const auto& t : targets) {
    REQUIRE(t.inventory);
    CHECK(predictions.at(*t.inventory).connector == *t.connector);
  }
  auto overridden = inventory::connector_targets(inv, predictions, std::string("127.0.0.1"));
  CHECK(overridden[0].text == "127.0.0.1:2525");
  CHECK(overridden[0].expected_fqdn == "EX01.corp.contoso.com");
  CHECK(overridden[7].text == "10.0.0.12:25");

  inventory::Inventory bad;
  inventory::add_records(bad, format_list("Name : X\nBindings : {0.0.0.0}\nAuthMechanism : Tls\nServer : EX09\n"));
  CHECK_THROWS_WITH(inventory::connector_targets(bad, inventory::predict(bad, fixed_now), std::nullopt),
                    Catch::Contains("binding '0.0.0.0' is not ADDRESS:PORT"));
}

TEST_CASE("what was not exported is unknown, not empty", "[inventory]") {
  // Exported with `| fl Name,Bindings,Fqdn,Server`: no AuthMechanism, so STARTTLS is unknown; the
  // selection is still shown, as it would be with Tls, and no event is predicted.
  inventory::Inventory partial;
  inventory::add_records(partial, format_list("Name : Partial EX01\nBindings : {0.0.0.0:25}\nFqdn : mail.contoso.com\n"
                                              "Server : EX01\n\nThumbprint : 0C3E8F1A2B3C4D5E6F708192A3B4C5D6E7F809A1\n"
                                              "CertificateDomains : {other.contoso.com}\nServices : SMTP\n"
                                              "HasPrivateKey : True\n"));
  auto p = inventory::predict(partial, fixed_now).at(0);
  CHECK_FALSE(p.starttls_offered.has_value());
  CHECK_FALSE(p.predicted_event.has_value());  // a 12014 only if Tls were on: not predicted
  CHECK(p.status == tls::Status::unknown);
  CHECK_THAT(p.rule, Catch::StartsWith("AuthMechanism was not exported"));
  CHECK(p.remedy.empty());

  // Connectors alone: no certificate was read, so nothing is predicted from the certificates.
  inventory::Inventory connectors;
  inventory::add_records(connectors, format_list("Name : Full EX01\nBindings : {0.0.0.0:25}\nFqdn : mail.contoso.com\n"
                                                 "AuthMechanism : Tls, Integrated\nServer : EX01\n"));
  auto q = inventory::predict(connectors, fixed_now).at(0);
  CHECK(q.starttls_offered == true);
  CHECK_FALSE(q.predicted_event.has_value());
  CHECK_FALSE(q.predicted_thumbprint.has_value());
  CHECK(q.status == tls::Status::unknown);
  CHECK_THAT(q.rule, Catch::StartsWith("no certificates were read"));
  CHECK(q.remedy.empty());

  // A connector without a Name is named from its Identity, else by where it is.
  inventory::Inventory unnamed;
  inventory::add_records(unnamed, format_list("Bindings : {0.0.0.0:25}\nIdentity : EX01\\Relay EX01\n\n"
                                              "Bindings : {0.0.0.0:2525}\nServer : EX01\n\n"
                                              "SourceTransportServers : {EX01}\nIdentity : Outbound\n"));
  CHECK(unnamed.receive_connectors.at(0).name == "Relay EX01");
  CHECK(unnamed.receive_connectors.at(0).server == "EX01");
  CHECK(unnamed.receive_connectors.at(1).name == "(unnamed, t.txt:4)");
  CHECK(unnamed.send_connectors.at(0).name == "Outbound");

  // A certificate without its Thumbprint is named as such, with file and line.
  inventory::Inventory cert;
  CHECK_THROWS_WITH(inventory::add_records(cert, format_list("\nSubject : CN=x\nCertificateDomains : {x}\nServices : SMTP\n")),
                    Catch::StartsWith("t.txt:2: a certificate without its Thumbprint"));
}

TEST_CASE("an exported binding or --server is validated as a command-line target is", "[inventory]") {
  // A scoped IPv6 literal whose "scope" is a path once reached --save-chains' file names.
  for (std::string binding : {"[::1%/../../x]:25", "[::1%eth0]:25", "../../x:25", "a/b:25", "-x.example:25"}) {
    INFO(binding);
    inventory::Inventory inv;
    inventory::add_records(inv, format_list("Name : X\nBindings : {" + binding + "}\nAuthMechanism : Tls\nServer : EX09\n"));
    CHECK_THROWS_AS(inventory::connector_targets(inv, inventory::predict(inv, fixed_now), std::nullopt),
                    inventory::InventoryError);
  }
  inventory::Inventory wildcard;
  inventory::add_records(wildcard, format_list("Name : X\nBindings : {0.0.0.0:25}\nAuthMechanism : Tls\nServer : EX09\n"));
  auto predictions = inventory::predict(wildcard, fixed_now);
  CHECK_THROWS_WITH(inventory::connector_targets(wildcard, predictions, std::string("../../etc")),
                    Catch::Contains("'../../etc' is neither a host name nor an IP address"));
  CHECK(inventory::connector_targets(wildcard, predictions, std::string("ex09.contoso.test")).at(0).host == "ex09.contoso.test");
}
