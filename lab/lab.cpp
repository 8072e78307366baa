#include "lab/lab.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "core/text.hpp"
#include "lab/cert_factory.hpp"
#include "net/asio.hpp"

namespace stp::lab {
namespace {

namespace ssl = boost::asio::ssl;
using namespace std::chrono_literals;

constexpr std::size_t max_command_bytes = 1024;
constexpr std::size_t endless_cap_bytes = std::size_t{64} << 20;  // even a hostile lab stops by itself
constexpr auto idle_limit = 60s;                              // a client that goes quiet is dropped

struct ScenarioTraits {
  Scenario scenario;
  std::string_view name;
  std::string_view fqdn;
  std::string_view connector;
};

constexpr std::array traits{
    ScenarioTraits{Scenario::healthy, "healthy", "mail.contoso.test", "Default Frontend EX01"},
    ScenarioTraits{Scenario::no_starttls, "no-starttls", "relay.contoso.test", "Relay EX02"},
    ScenarioTraits{Scenario::starttls_rejected, "starttls-rejected", "tls454.contoso.test", "Partner EX02"},
    ScenarioTraits{Scenario::exchange_default, "exchange-default", "mail2.contoso.test", "Default Frontend EX03"},
    ScenarioTraits{Scenario::wrong_eku, "wrong-eku", "eku.contoso.test", "Client Frontend EX04"},
    ScenarioTraits{Scenario::expired, "expired", "expired.contoso.test", "Default Frontend EX05"},
    ScenarioTraits{Scenario::missing_intermediate, "missing-intermediate", "chain.contoso.test", "Default Frontend EX06"},
    ScenarioTraits{Scenario::wildcard, "wildcard", "smtp.contoso.test", "Postfix relay"},
    ScenarioTraits{Scenario::cn_only, "cn-only", "cn.contoso.test", "Legacy relay"},
    ScenarioTraits{Scenario::legacy_tls10, "legacy-tls10", "old.contoso.test", "Exchange 2007 hub"},
    ScenarioTraits{Scenario::weak_legacy_certificate, "weak-legacy-certificate", "weak.contoso.test", "Exchange 2007 edge"},
    ScenarioTraits{Scenario::implicit_tls, "implicit-tls", "submit.contoso.test", "Client Proxy EX01"},
    ScenarioTraits{Scenario::client_certificate_request, "client-certificate-request", "mutual.contoso.test", "Partner mTLS"},
    ScenarioTraits{Scenario::ehlo_refused, "ehlo-refused", "helo.contoso.test", "HELO-only relay"},
    ScenarioTraits{Scenario::greeting_rejected, "greeting-rejected", "busy.contoso.test", "Rejecting relay"},
    ScenarioTraits{Scenario::custom_banner, "custom-banner", "banner.contoso.test", "Internet Frontend EX07"},
    ScenarioTraits{Scenario::exim_banner, "exim-banner", "exim-nohost.mta.test", "exim relay"},
    ScenarioTraits{Scenario::rsa_pss_key, "rsa-pss-key", "pss.contoso.test", "RSA-PSS relay"},
    ScenarioTraits{Scenario::anonymous_tls, "anonymous-tls", "anon.contoso.test", "Anonymous TLS"},
    ScenarioTraits{Scenario::silent, "silent", "silent.contoso.test", "Silent host"},
    ScenarioTraits{Scenario::trickle, "trickle", "tarpit.contoso.test", "Tarpit"},
    ScenarioTraits{Scenario::endless_lines, "endless-lines", "endless.contoso.test", "Endless replies"},
    ScenarioTraits{Scenario::garbage_after_starttls, "garbage-after-starttls", "garbage.contoso.test", "Broken TLS"},
    ScenarioTraits{Scenario::stalled_handshake, "stalled-handshake", "stall.contoso.test", "Stalled TLS"},
    ScenarioTraits{Scenario::injected_after_starttls, "injected-after-starttls", "inject.contoso.test", "Injecting middlebox"},
    ScenarioTraits{Scenario::hangup_mid_dialogue, "hangup-mid-dialogue", "hangup.contoso.test", "Hang-up"},
    ScenarioTraits{Scenario::control_characters, "control-characters", "ctl.contoso.test", "Control characters"},
    ScenarioTraits{Scenario::slow_multiline_greeting, "slow-multiline-greeting", "slow.contoso.test", "Postscreen-like"},
    ScenarioTraits{Scenario::busy, "busy", "busy421.contoso.test", "Busy relay"},
    ScenarioTraits{Scenario::reset_after_ehlo, "reset-after-ehlo", "reset.contoso.test", "Resetting relay"},
    ScenarioTraits{Scenario::enormous_line, "enormous-line", "huge.contoso.test", "Enormous line"},
    ScenarioTraits{Scenario::code_change, "code-change", "code.contoso.test", "Changing codes"},
    ScenarioTraits{Scenario::byte_by_byte, "byte-by-byte", "bytes.contoso.test", "Byte by byte"},
    ScenarioTraits{Scenario::reset_in_handshake, "reset-in-handshake", "rst.contoso.test", "Reset in handshake"},
    ScenarioTraits{Scenario::tls_record_flood, "tls-record-flood", "flood.contoso.test", "Record flood"},
    ScenarioTraits{Scenario::never_closes, "never-closes", "linger.contoso.test", "Never closes"},
    ScenarioTraits{Scenario::hostile_text, "hostile-text", "hostile.contoso.test", "=cmd|' /C calc'!A0 \\x41 \u202Ehostile"},
};

// A lab endpoint that throws has a bug: it stops the process with its reason, so that no test
// passes past it (a detached coroutine's exception would vanish).
void fail_loudly(const std::exception_ptr& error) {
  if (!error) return;
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "starttls-probe lab: an endpoint failed: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "starttls-probe lab: an endpoint failed\n");
  }
  std::abort();
}

const ScenarioTraits& traits_of(Scenario scenario) {
  for (const auto& t : traits)
    if (t.scenario == scenario) return t;
  throw std::logic_error("unknown scenario");
}

bool speaks_tls(Scenario s) {
  return s != Scenario::no_starttls && s != Scenario::starttls_rejected && s != Scenario::ehlo_refused &&
         s != Scenario::greeting_rejected && s != Scenario::silent && s != Scenario::trickle &&
         s != Scenario::endless_lines && s != Scenario::garbage_after_starttls && s != Scenario::stalled_handshake &&
         s != Scenario::hangup_mid_dialogue && s != Scenario::busy && s != Scenario::reset_after_ehlo &&
         s != Scenario::enormous_line && s != Scenario::code_change && s != Scenario::reset_in_handshake;
}

std::string exchange_date() { return "Sun, 29 Nov 2026 09:00:00 +0000"; }

// What a hostile server puts where text is shown: terminal escapes (CSI, OSC), a backslash that
// looks like an escape, bidi marks (RLM, ALM, RLO), a line separator, noncharacters XML cannot hold,
// spreadsheet formulas, a Nagios perfdata bar, markup and quotes.
const std::string hostile_bytes =
    "\x1b[31mred\x1b[0m \x1b]0;title\x07 \\x41 \u200F\u061C\u202Eevil \u2028\u2029 \uFFFE\uFFFF "
    "|=cmd|' /C calc'!A0 <b>&amp;\"'";

// What one scenario presents in its handshake.
struct Identity {
  std::unique_ptr<ssl::context> context;
  std::vector<std::string> chain_der;
};

struct Stats {
  EndpointStats data;
  std::size_t current = 0;
};

}  // namespace

std::string_view scenario_name(Scenario scenario) { return traits_of(scenario).name; }

std::string EndpointInfo::target_line() const {
  std::string host = address.find(':') == std::string::npos ? address : "[" + address + "]";
  std::string endpoint = host + ":" + std::to_string(port);
  return (implicit ? "smtps://" + endpoint : endpoint) + " fqdn=" + fqdn + " connector=\"" + connector + "\"";
}

struct Lab::Impl {
  explicit Impl(Options o) : options(o) {
    CertSpec root_spec = ca_spec("starttls-probe Lab Root CA");
    root_spec.valid_until = std::chrono::hours(24 * 3650);
    root = issue_certificate(root_spec, nullptr);
    CertSpec intermediate_spec = ca_spec("starttls-probe Lab Issuing CA 1");
    intermediate_spec.valid_until = std::chrono::hours(24 * 1825);
    intermediate = issue_certificate(intermediate_spec, &root);
    thread = std::thread([this] { io.run(); });
  }

  ~Impl() {
    work.reset();
    io.stop();
    if (thread.joinable()) thread.join();
  }

  Identity& identity(Scenario scenario);  // the scenario's shared one, or a new one per endpoint
  Identity make_identity(Scenario scenario);
  // `info` and `context` stay put (deque elements, map nodes) while other endpoints are added.
  net::awaitable<void> accept_loop(tcp::acceptor acceptor, std::size_t index, const EndpointInfo* info,
                                   ssl::context* context);
  net::awaitable<void> serve(tcp::socket socket, std::size_t index, const EndpointInfo* info,
                             ssl::context* context);

  void record(std::size_t index, auto&& change) {
    std::lock_guard lock(mutex);
    change(stats[index]);
  }

  Options options;
  ssl::context plain_context{ssl::context::tls_server};  // for scenarios without TLS: never handshakes
  Credential root;
  Credential intermediate;
  mutable std::mutex mutex;  // guards stats
  std::map<Scenario, Identity> identities;
  std::deque<Identity> own_identities;  // Options::certificate_per_endpoint
  std::deque<EndpointInfo> infos;
  std::deque<Stats> stats;
  // Declared last: destroyed first, with every coroutine still referring to the members above.
  net::io_context io{1};
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work{io.get_executor()};
  std::thread thread;
};

namespace {

std::unique_ptr<ssl::context> server_context(const Credential& leaf, const Credential* extra_chain,
                                             const Credential* client_ca, bool tls10_only) {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_security_level(ctx, 0);  // the lab serves weak keys and SHA-1 on purpose
  SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  SSL_CTX_set_num_tickets(ctx, 1);  // as Postfix's smtpd (tls_server.c): one TLS 1.3 session ticket, not OpenSSL's two
  if (tls10_only) {
    SSL_CTX_set_max_proto_version(ctx, TLS1_VERSION);
    // As Windows Server 2008 R2 (Exchange 2010): NIST curves only, so the client's ECDHE is P-256, not X25519.
    SSL_CTX_set1_groups_list(ctx, "P-256:P-384");
  }
  if (SSL_CTX_use_certificate(ctx, leaf.certificate.get()) != 1 || SSL_CTX_use_PrivateKey(ctx, leaf.key.get()) != 1)
    throw std::runtime_error("lab certificate: " + core::take_openssl_error());
  if (extra_chain) SSL_CTX_add1_chain_cert(ctx, extra_chain->certificate.get());
  if (client_ca) {
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    SSL_CTX_add_client_CA(ctx, client_ca->certificate.get());
  }
  return context;
}

// Anonymous Diffie-Hellman only (AECDH-AES256-SHA and kin), TLS 1.2 at most: no certificate is sent.
std::unique_ptr<ssl::context> anonymous_server_context() {
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* ctx = context->native_handle();
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION);
  if (SSL_CTX_set_cipher_list(ctx, "aNULL:!eNULL:@SECLEVEL=0") != 1)
    throw std::runtime_error("lab anonymous suites: " + core::take_openssl_error());
  return context;
}

}  // namespace

Identity& Lab::Impl::identity(Scenario scenario) {
  if (options.certificate_per_endpoint) return own_identities.emplace_back(make_identity(scenario));
  if (auto found = identities.find(scenario); found != identities.end()) return found->second;
  return identities.emplace(scenario, make_identity(scenario)).first->second;
}

Identity Lab::Impl::make_identity(Scenario scenario) {
  std::string_view fqdn = traits_of(scenario).fqdn;
  CertSpec spec = server_spec(std::string(fqdn));
  const Credential* signer = &intermediate;
  bool send_intermediate = true;
  bool tls10_only = false;
  const Credential* client_ca = nullptr;
  switch (scenario) {
    case Scenario::exchange_default:
      // As New-ExchangeCertificate makes it at setup: self-signed, RSA 2048, SHA-1, 5 years.
      spec = CertSpec{};
      spec.organization.clear();
      spec.common_name = "EX03";
      spec.dns_names = {"EX03", "ex03.corp.contoso.test"};
      spec.extended_key_usage = {"serverAuth"};
      spec.key_usage = "digitalSignature,keyEncipherment";
      spec.valid_until = std::chrono::hours(24 * 1826);
      spec.digest = "SHA1";
      spec.key = {KeySpec::Kind::rsa, 2048};
      signer = nullptr;
      send_intermediate = false;
      break;
    case Scenario::wrong_eku: spec.extended_key_usage = {"clientAuth"}; break;
    case Scenario::expired:
      spec.valid_from = -std::chrono::hours(24 * 400);
      spec.valid_until = -std::chrono::hours(24 * 10);
      break;
    case Scenario::missing_intermediate: send_intermediate = false; break;
    case Scenario::wildcard:
      spec.common_name = "*.contoso.test";
      spec.dns_names = {"*.contoso.test"};
      break;
    case Scenario::cn_only: spec.dns_names.clear(); break;
    case Scenario::legacy_tls10:
      spec.key = {KeySpec::Kind::rsa, 2048};
      spec.key_usage = "digitalSignature,keyEncipherment";
      tls10_only = true;
      break;
    case Scenario::weak_legacy_certificate:
      spec.key = {KeySpec::Kind::rsa, 1024};
      spec.key_usage = "digitalSignature,keyEncipherment";
      spec.digest = "SHA1";
      break;
    case Scenario::client_certificate_request: client_ca = &root; break;
    case Scenario::rsa_pss_key:
      spec.key = {KeySpec::Kind::rsa_pss, 2048};
      break;
    case Scenario::hostile_text:
      // Self-signed, the hostile text as its only name: it shows up in subject, issuer and messages.
      spec.common_name = hostile_bytes;
      spec.dns_names.clear();
      signer = nullptr;
      send_intermediate = false;
      break;
    case Scenario::anonymous_tls: {
      Identity id;
      id.context = anonymous_server_context();
      return id;
    }
    default: break;
  }
  Credential leaf = issue_certificate(spec, signer);
  Identity id;
  id.context = server_context(leaf, send_intermediate ? &intermediate : nullptr, client_ca, tls10_only);
  id.chain_der.push_back(leaf.certificate_der());
  if (send_intermediate) id.chain_der.push_back(intermediate.certificate_der());
  return id;
}

net::awaitable<void> Lab::Impl::accept_loop(tcp::acceptor acceptor, std::size_t index, const EndpointInfo* info,
                                            ssl::context* context) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec == net::error::operation_aborted) co_return;
    if (ec) continue;
    socket.set_option(tcp::no_delay(true), ec);
    net::co_spawn(acceptor.get_executor(), serve(std::move(socket), index, info, context), fail_loudly);
  }
}

// One client connection: the scenario's side of the dialogue.
net::awaitable<void> Lab::Impl::serve(tcp::socket socket, std::size_t index, const EndpointInfo* info,
                                      ssl::context* context) {
  const Scenario scenario = info->scenario;
  const std::string fqdn = info->fqdn;
  record(index, [](Stats& s) {
    ++s.data.connections;
    s.data.accepted.push_back(std::chrono::steady_clock::now());
    s.data.max_concurrent = std::max(s.data.max_concurrent, ++s.current);
  });
  struct Leave {
    Impl* lab;
    std::size_t index;
    ~Leave() { lab->record(index, [](Stats& s) { --s.current; }); }
  } leave{this, index};

  net::steady_timer timer(socket.get_executor());
  ssl::stream<tcp::socket> stream(std::move(socket), context ? *context : plain_context);
  auto& raw = stream.next_layer();
  bool tls_on = false;
  std::string input;

  auto pause = [&](std::chrono::milliseconds d) -> net::awaitable<void> {
    timer.expires_after(d);
    co_await timer.async_wait(use_tuple);
  };
  auto send = [&](std::string text) -> net::awaitable<bool> {
    if (scenario == Scenario::byte_by_byte && !tls_on) {
      for (char c : text) {
        auto [ec, n] = co_await net::async_write(raw, net::buffer(&c, 1), use_tuple);
        if (ec) co_return false;
        timer.expires_after(std::chrono::microseconds(200));
        co_await timer.async_wait(use_tuple);
      }
      co_return true;
    }
    if (tls_on) {
      auto [ec, n] = co_await net::async_write(stream, net::buffer(text), use_tuple);
      co_return !ec;
    }
    auto [ec, n] = co_await net::async_write(raw, net::buffer(text), use_tuple);
    co_return !ec;
  };
  auto handshake = [&]() -> net::awaitable<bool> {
    timer.expires_after(idle_limit);
    timer.async_wait([&raw](error_code ec) { if (!ec) raw.close(ec); });
    auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
    timer.cancel();
    tls_on = !ec;
    co_return !ec;
  };
  // Waits for the client to hang up (or the idle limit), reading and dropping what it sends.
  auto drain = [&]() -> net::awaitable<void> {
    timer.expires_after(idle_limit);
    timer.async_wait([&raw](error_code ec) { if (!ec) raw.close(ec); });
    std::array<char, 512> sink{};
    for (;;) {
      auto [ec, n] = co_await raw.async_read_some(net::buffer(sink), use_tuple);
      if (ec) break;
    }
    timer.cancel();
  };

  if (scenario == Scenario::silent) co_return co_await drain();
  if (scenario == Scenario::implicit_tls && !co_await handshake()) co_return;

  switch (scenario) {
    case Scenario::enormous_line: {
      // One line, never ended: 64 KiB writes up to the cap, or until the client gives up.
      if (!co_await send("220 " + fqdn + " ")) co_return;
      std::string chunk(65536, 'x');
      for (std::size_t sent = 0; sent < endless_cap_bytes; sent += chunk.size())
        if (!co_await send(chunk)) co_return;
      co_return;
    }
    case Scenario::busy:
      co_await send("421 4.3.2 " + fqdn + " Service not available, try again later\r\n");
      co_return;
    case Scenario::greeting_rejected:
      // RFC 5321 3.1: after a 554 greeting the server waits for QUIT and answers 503 to the rest.
      if (!co_await send("554 5.3.2 " + fqdn + " Service not available\r\n")) co_return;
      break;
    case Scenario::trickle: {
      std::string greeting = "220 " + fqdn + " ESMTP is here, but it takes its time to say so\r\n";
      for (char c : greeting) {
        if (!co_await send(std::string(1, c))) co_return;
        co_await pause(options.trickle_interval);
      }
      break;
    }
    case Scenario::endless_lines: {
      std::string chunk;
      for (int i = 0; i < 64; ++i) chunk += "220-" + fqdn + " " + std::string(60, 'x') + "\r\n";
      for (std::size_t sent = 0; sent < endless_cap_bytes; sent += chunk.size())
        if (!co_await send(chunk)) co_return;
      co_return;
    }
    case Scenario::control_characters: {
      std::string greeting = "220 " + fqdn + " \x1b[2J\x1b[31mESMTP\a ready";
      greeting += std::string("\0\x01\x7f \xff\xfe\xc3(", 8);  // NUL, SOH, DEL, invalid UTF-8
      greeting += " \x1b]0;owned\a\r\n";
      if (!co_await send(greeting)) co_return;
      break;
    }
    case Scenario::slow_multiline_greeting: {
      if (!co_await send("220-" + fqdn + " ESMTP postscreen-like: please wait\r\n")) co_return;
      co_await pause(options.greeting_pause);
      error_code ec;
      if (raw.available(ec) > 0) record(index, [](Stats& s) { ++s.data.early_talkers; });
      if (!co_await send("220 " + fqdn + " ESMTP ready\r\n")) co_return;
      break;
    }
    case Scenario::wildcard:
    case Scenario::cn_only:
      if (!co_await send("220 " + fqdn + " ESMTP Postfix (Debian/GNU)\r\n")) co_return;
      break;
    case Scenario::custom_banner:
      if (!co_await send("220 Mail Service\r\n")) co_return;
      break;
    case Scenario::exim_banner:
      if (!co_await send("220 ESMTP service ready\r\n")) co_return;
      break;
    case Scenario::hostile_text:
      if (!co_await send("220 " + fqdn + " " + hostile_bytes + "\r\n")) co_return;
      break;
    default:
      if (!co_await send("220 " + fqdn + " Microsoft ESMTP MAIL Service ready at " + exchange_date() + "\r\n"))
        co_return;
  }

  for (;;) {
    timer.expires_after(idle_limit);
    timer.async_wait([&raw](error_code ec) { if (!ec) raw.close(ec); });
    auto buffer = net::dynamic_buffer(input, max_command_bytes);
    std::tuple<error_code, std::size_t> line_read;
    if (tls_on) line_read = co_await net::async_read_until(stream, buffer, "\n", use_tuple);
    else line_read = co_await net::async_read_until(raw, buffer, "\n", use_tuple);
    auto [ec, n] = line_read;
    timer.cancel();
    if (ec) co_return;
    std::string line = input.substr(0, n);
    input.erase(0, n);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    std::string verb = core::upper(line.substr(0, line.find(' ')));
    record(index, [&](Stats& s) { s.data.commands.push_back(verb); });

    std::string reply;
    if (scenario == Scenario::greeting_rejected && verb != "QUIT") {
      reply = "503 5.5.1 Bad sequence of commands\r\n";
    } else if (verb == "EHLO") {
      if (scenario == Scenario::hangup_mid_dialogue) co_return;
      if (scenario == Scenario::reset_after_ehlo) {
        error_code ignored;
        raw.set_option(tcp::socket::linger(true, 0), ignored);  // close() now sends RST
        raw.close(ignored);
        co_return;
      }
      if (scenario == Scenario::code_change) {
        reply = "250-" + fqdn + " Hello\r\n250-PIPELINING\r\n550 5.7.1 changed my mind\r\n";
      } else if (scenario == Scenario::tls_record_flood && tls_on) {
        // Each line its own TLS record, without end (up to the cap).
        for (std::size_t sent = 0; sent < endless_cap_bytes; sent += 16)
          if (!co_await send("250-flood.record\r\n")) co_return;
        co_return;
      } else if (scenario == Scenario::ehlo_refused) {
        reply = "502 5.5.2 Error: command not recognized\r\n";
      } else if (scenario == Scenario::exim_banner) {
        reply = "250-" + fqdn + " Hello probe [127.0.0.1]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n"
                "250-PIPELINING\r\n" + std::string(tls_on ? "" : "250-STARTTLS\r\n") + "250 HELP\r\n";
      } else if (scenario == Scenario::hostile_text && !tls_on) {
        reply = "250-" + fqdn + " " + hostile_bytes + "\r\n250-X-HOSTILE " + hostile_bytes + "\r\n250 STARTTLS\r\n";
      } else if (scenario == Scenario::wildcard || scenario == Scenario::cn_only) {
        reply = "250-" + fqdn + "\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-ETRN\r\n"
                "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n" +
                std::string(tls_on ? "250 CHUNKING\r\n" : "250 starttls\r\n");
      } else {
        bool offer = !tls_on && scenario != Scenario::no_starttls && scenario != Scenario::implicit_tls;
        reply = "250-" + fqdn + " Hello [127.0.0.1]\r\n250-SIZE 37748736\r\n250-PIPELINING\r\n250-DSN\r\n"
                "250-ENHANCEDSTATUSCODES\r\n" + std::string(offer ? "250-STARTTLS\r\n" : "") +
                "250-X-ANONYMOUSTLS\r\n250-AUTH NTLM\r\n250-X-EXPS GSSAPI NTLM\r\n250-8BITMIME\r\n"
                "250-BINARYMIME\r\n250-CHUNKING\r\n250 XRDST\r\n";
      }
    } else if (verb == "HELO") {
      reply = "250 " + fqdn + " Hello [127.0.0.1]\r\n";
    } else if (verb == "STARTTLS" && !tls_on && context) {
      if (scenario == Scenario::injected_after_starttls) {
        // Response injection: plaintext in the same write as the 220, before the handshake.
        if (!co_await send("220 2.0.0 SMTP server ready\r\n250-injected\r\n250 PIPELINING\r\n")) co_return;
      } else if (!co_await send("220 2.0.0 SMTP server ready\r\n")) {
        co_return;
      }
      if (!co_await handshake()) co_return;
      continue;
    } else if (verb == "STARTTLS" && scenario == Scenario::garbage_after_starttls) {
      // Answer the client's ClientHello, not the STARTTLS command, with plain text.
      if (!co_await send("220 2.0.0 SMTP server ready\r\n")) co_return;
      std::array<char, 512> hello{};
      auto [read_ec, read_n] = co_await raw.async_read_some(net::buffer(hello), use_tuple);
      if (read_ec) co_return;
      co_await send("HTTP/1.1 400 Bad Request\r\n\r\n");
      co_return co_await drain();
    } else if (verb == "STARTTLS" && scenario == Scenario::reset_in_handshake) {
      if (!co_await send("220 2.0.0 SMTP server ready\r\n")) co_return;
      std::array<char, 512> hello{};
      co_await raw.async_read_some(net::buffer(hello), use_tuple);  // the ClientHello (or nothing): either way, reset
      error_code ignored;
      raw.set_option(tcp::socket::linger(true, 0), ignored);  // close() now sends RST
      raw.close(ignored);
      co_return;
    } else if (verb == "STARTTLS" && scenario == Scenario::stalled_handshake) {
      if (!co_await send("220 2.0.0 SMTP server ready\r\n")) co_return;
      co_return co_await drain();
    } else if (verb == "STARTTLS" && !tls_on) {
      reply = "454 4.7.0 TLS not available due to local problem\r\n";
    } else if (verb == "QUIT" && scenario == Scenario::never_closes) {
      co_return co_await drain();  // no answer, no close: the client must leave by itself
    } else if (verb == "QUIT") {
      co_await send("221 2.0.0 Service closing transmission channel\r\n");
      co_return;
    } else {
      reply = "502 5.5.2 Error: command not recognized\r\n";
    }
    if (!co_await send(reply)) co_return;
  }
}

Lab::Lab() : Lab(Options{}) {}
Lab::Lab(Options options) : impl_(std::make_unique<Impl>(options)) {}
Lab::~Lab() = default;

const EndpointInfo& Lab::add(Scenario scenario, const std::string& address, std::uint16_t port) {
  auto bind_address = net::ip::make_address(address);
  if (!bind_address.is_loopback()) throw std::invalid_argument("the lab listens on loopback only, not " + address);
  const auto& t = traits_of(scenario);
  EndpointInfo info;
  info.scenario = scenario;
  info.fqdn = std::string(t.fqdn);
  info.connector = std::string(t.connector);
  info.implicit = scenario == Scenario::implicit_tls;
  ssl::context* context = nullptr;
  if (speaks_tls(scenario)) {
    Identity& identity = impl_->identity(scenario);
    info.chain_der = identity.chain_der;
    context = identity.context.get();
  }

  tcp::acceptor acceptor(impl_->io, tcp::endpoint(bind_address, port));
  info.address = bind_address.to_string();
  info.port = acceptor.local_endpoint().port();
  std::size_t index = 0;
  const EndpointInfo* stored = nullptr;
  {
    std::lock_guard lock(impl_->mutex);
    index = impl_->infos.size();
    stored = &impl_->infos.emplace_back(std::move(info));
    impl_->stats.emplace_back();
  }
  net::co_spawn(impl_->io, impl_->accept_loop(std::move(acceptor), index, stored, context), fail_loudly);
  return *stored;
}

const std::deque<EndpointInfo>& Lab::endpoints() const { return impl_->infos; }

EndpointStats Lab::stats(std::size_t endpoint_index) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->stats.at(endpoint_index).data;
}

std::string Lab::ca_pem() const { return impl_->root.certificate_pem(); }

}  // namespace stp::lab
