#include "lab/lab.hpp"

#include <array>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include "lab/cert_factory.hpp"
#include "lab/conversation.hpp"
#include "net/asio.hpp"

namespace stp::lab {
namespace {

namespace ssl = boost::asio::ssl;


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

// One case per scenario that presents something other than the usual certificate: longer than a
// screen, but it reads as the table of what each scenario presents.
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
      spec.common_name = hostile_text();
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

// One client connection: its stats, and the scenario's side of the dialogue (conversation.cpp).
net::awaitable<void> Lab::Impl::serve(tcp::socket socket, std::size_t index, const EndpointInfo* info,
                                      ssl::context* context) {
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
  Connection::Setup setup{info, context, &plain_context, options,
                          [this, index](const std::string& verb) { record(index, [&](Stats& s) { s.data.commands.push_back(verb); }); },
                          [this, index] { record(index, [](Stats& s) { ++s.data.early_talkers; }); }};
  Connection connection(std::move(socket), std::move(setup));
  co_await converse(connection);
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

std::uint16_t Lab::add_policy_site(const PolicySite& site) {
  Credential leaf = issue_certificate(server_spec(site.certificate_name.empty() ? site.host : site.certificate_name),
                                      &impl_->intermediate);
  std::shared_ptr<ssl::context> context = server_context(leaf, &impl_->intermediate, nullptr, false);
  tcp::acceptor acceptor(impl_->io, tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
  std::uint16_t port = acceptor.local_endpoint().port();
  net::co_spawn(impl_->io, serve_policy_site(std::move(acceptor), std::move(context), site), fail_loudly);
  return port;
}

std::string Lab::ca_pem() const { return impl_->root.certificate_pem(); }

}  // namespace stp::lab
