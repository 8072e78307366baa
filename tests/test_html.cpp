// The html report read back with libxml2's HTML parser: one self-contained page whose policy
// hashes its own style and script, the counts and the endpoints as SPEC §5 says, and a hostile
// server's text (and a targets file's connector) as text, never as markup.

#include <ctime>

#include <catch2/catch.hpp>
#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <openssl/evp.h>

#include "probe_helpers.hpp"
#include "report/formats.hpp"
#include "report_fixtures.hpp"

using namespace stp;
using report::Format;

namespace {

// A parsed page and XPath questions on it.
class Page {
 public:
  explicit Page(const std::string& html)
      : doc_(htmlReadMemory(html.data(), static_cast<int>(html.size()), "report.html", "utf-8",
                            HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING)) {
    REQUIRE(doc_ != nullptr);
    context_ = xmlXPathNewContext(doc_);
  }
  ~Page() {
    xmlXPathFreeContext(context_);
    xmlFreeDoc(doc_);
  }
  Page(const Page&) = delete;
  Page& operator=(const Page&) = delete;

  std::vector<std::string> all(const std::string& xpath) const {
    std::vector<std::string> out;
    xmlXPathObjectPtr found = xmlXPathEvalExpression(reinterpret_cast<const xmlChar*>(xpath.c_str()), context_);
    REQUIRE(found != nullptr);
    if (found->nodesetval != nullptr)
      for (int i = 0; i < found->nodesetval->nodeNr; ++i) {
        xmlChar* text = xmlNodeGetContent(found->nodesetval->nodeTab[i]);
        out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
        xmlFree(text);
      }
    xmlXPathFreeObject(found);
    return out;
  }
  std::string one(const std::string& xpath) const {
    auto found = all(xpath);
    REQUIRE(found.size() == 1);
    return found.front();
  }

 private:
  htmlDocPtr doc_;
  xmlXPathContextPtr context_ = nullptr;
};

std::string sha256_source(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  unsigned char encoded[128];
  EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return "'sha256-" + std::string(reinterpret_cast<const char*>(encoded)) + "'";
}

}  // namespace

TEST_CASE("html: one self-contained page whose policy allows its own style and script alone", "[report][html]") {
  std::string html = test::FixedResults().render(Format::html);
  Page page(html);
  std::string policy = page.one("//meta[@http-equiv='Content-Security-Policy']/@content");
  std::string style = page.one("//style"), script = page.one("//script");
  CHECK(policy == "default-src 'none'; style-src " + sha256_source(style) + "; script-src " + sha256_source(script) +
                      "; base-uri 'none'; form-action 'none'");
  // Nothing is fetched: no src anywhere, no link element, every link inside the page.
  CHECK(page.all("//@src").empty());
  CHECK(page.all("//link").empty());
  for (const auto& href : page.all("//@href")) CHECK(href.rfind('#', 0) == 0);
  // No inline handlers or style attributes (the policy would refuse them).
  CHECK(page.all("//@*[starts-with(name(), 'on')]").empty());
  CHECK(page.all("//@style").empty());

  // The headline, worst first: 2 critical (no STARTTLS; STARTTLS refused), 1 unknown, 1 warning.
  CHECK(page.all("//div[@class='counts']/div/span") == std::vector<std::string>{"CRITICAL", "UNKNOWN", "WARNING", "OK"});
  CHECK(page.all("//div[@class='counts']/div/b") == std::vector<std::string>{"2", "1", "1", "0"});
  // The table: every endpoint, worst first, with its columns; the ones not OK link to their details.
  CHECK(page.all("//table[@id='endpoints']/thead/tr/th") ==
        std::vector<std::string>{"Status", "Target", "Connector", "Checked FQDN", "STARTTLS", "TLS", "Leaf", "Days left",
                                 "Worst finding"});
  CHECK(page.all("//table[@id='endpoints']/tbody/tr/td[1]") ==
        std::vector<std::string>{"CRITICAL", "CRITICAL", "UNKNOWN", "WARNING"});
  CHECK(page.all("//table[@id='endpoints']/tbody/tr/@data-status") ==
        std::vector<std::string>{"critical", "critical", "unknown", "warning"});
  CHECK(page.one("//tr[td[2]='192.0.2.10:25']/td[4]") == "mail.contoso.test");
  for (const auto& link : page.all("//table[@id='endpoints']//a/@href"))
    CHECK(page.all("//section[@id='" + link.substr(1) + "']").size() == 1);
  // Each endpoint's findings with remedies, and the Exchange event with its steps.
  CHECK(page.all("//section[contains(@class,'endpoint')]").size() == 4);
  std::string relay = page.one("//section[contains(h3,'smtp://relay.contoso.test:2525')]");
  CHECK_THAT(relay, Catch::Contains("starttls-not-offered"));
  CHECK_THAT(relay, Catch::Contains("Exchange event 12014"));
  CHECK_FALSE(page.all("//section[contains(h3,'smtp://relay.contoso.test:2525')]//ol/li").empty());
  // The timeline: the one leaf, today and both thresholds marked.
  CHECK(page.all("//svg//rect").size() == 1);
  CHECK(page.all("//svg//line[@class='today']").size() == 1);
  CHECK(page.all("//svg//line[@class='warn']").size() == 1);
  CHECK(page.all("//svg//line[@class='crit']").size() == 1);
}

TEST_CASE("html: a hostile server's text and a connector's markup stay text", "[report][html][lab][hostile]") {
  lab::Lab lab;
  const auto& hostile = lab.add(lab::Scenario::hostile_text);
  probe::Target target = test::target_of(hostile);
  const std::string markup = "\"><script>document.body.setAttribute('data-pwned','1')</script><img src=x onerror=alert(1)>";
  target.connector = markup;
  auto evidence = test::scan({target}, test::quick_settings());
  REQUIRE(evidence.at(0).tls.established);
  auto anchors = tls::TrustAnchors::from_pem(lab.ca_pem());
  std::vector<tls::Assessment> assessments{tls::assess(evidence.at(0), {{}, &anchors}, std::time(nullptr))};
  std::string html = test::render(Format::html, evidence, assessments, std::time(nullptr));
  Page page(html);
  CHECK(page.all("//script").size() == 1);
  CHECK(page.all("//img").empty());
  CHECK(page.all("//@*[starts-with(name(), 'on')]").empty());
  CHECK(page.all("//@data-pwned").empty());
  // The server's '<b>&amp;"' in its greeting and certificate name reads as those characters: had it
  // been markup, the parser would have made an element of it and decoded the entity.
  std::string text = page.one("/html/body");
  CHECK_THAT(text, Catch::Contains("<b>&amp;\"'"));
  CHECK_THAT(text, Catch::Contains(markup));
  CHECK(page.one("//table[@id='endpoints']/tbody/tr/td[3]") == markup);
  CHECK_THAT(page.one("//section[contains(@class,'endpoint')]//dd[code]"), Catch::Contains("<b>&amp;\"'"));
}

TEST_CASE("html: sections for the first thousand endpoints that are not OK, the rest counted", "[report][html]") {
  std::vector<probe::Evidence> evidence;
  std::vector<tls::Assessment> assessments;
  for (std::size_t i = 0; i < 1005; ++i) {
    probe::Evidence refused;
    refused.target = probe::parse_target("192.0.2." + std::to_string(i % 250 + 1) + ":" + std::to_string(2500 + i));
    refused.target.position = i;
    refused.failure = probe::Failure::connect;
    refused.failure_phase = probe::Phase::connect;
    refused.failure_detail = "TCP connect failed (Connection refused)";
    evidence.push_back(refused);
  }
  for (const auto& ev : evidence) assessments.push_back(tls::assess(ev, {}, 1700000000));
  Page page(test::render(Format::html, evidence, assessments, 1700000000));
  CHECK(page.all("//table[@id='endpoints']/tbody/tr").size() == 1005);
  CHECK(page.all("//section[contains(@class,'endpoint')]").size() == 1000);
  CHECK(page.all("//table[@id='endpoints']//a").size() == 1000);  // a link where there is a section
  CHECK_THAT(page.one("/html/body"), Catch::Contains("5 more endpoints are not OK"));
}
