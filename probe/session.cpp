#include "probe/session.hpp"

#include <algorithm>
#include <cerrno>
#include <array>
#include <chrono>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "core/openssl_ptr.hpp"
#include "net/asio.hpp"
#include "probe/client_tls.hpp"
#include "probe/policy_fetch.hpp"

namespace stp::probe {
namespace {

namespace ssl = boost::asio::ssl;
using clock = std::chrono::steady_clock;

// A polite QUIT should not cost a full reply timeout when a server ignores it.
constexpr std::chrono::milliseconds quit_timeout{3000};

double ms_since(clock::time_point start) {
  return std::chrono::duration<double, std::milli>(clock::now() - start).count();
}

// SPEC §2: only a dotted host name counts; a custom banner's first word names no host.
std::optional<std::string> host_name_or_null(std::string_view word) {
  if (is_dotted_host_name(word)) return std::string(word);
  return std::nullopt;
}

// The socket, OpenSSL's session on it once STARTTLS succeeds, and a watchdog that cancels
// whatever I/O is pending when the current phase's time is up. Shared with the watchdog's
// handler, which may outlive a phase.
//
// OpenSSL reads and writes the non-blocking socket itself (SSL_set_fd); Asio only tells when the
// socket is ready. Asio's ssl::stream would add two 17 KB record buffers and a copy per record
// to every probe in the TLS phase: this way a probe in flight stays within the memory budget.
struct Connection : std::enable_shared_from_this<Connection> {
  Connection(const net::any_io_executor& executor, ssl::context& context)
      : socket(executor), watchdog(executor), tls_context(context) {}

  // Starts a phase that must end by `when`.
  void arm(clock::time_point when) {
    timed_out = false;
    watchdog.expires_at(when);
    watchdog.async_wait([self = shared_from_this(), armed = ++generation](error_code ec) {
      if (ec || armed != self->generation) return;
      self->timed_out = true;
      error_code ignored;
      self->socket.cancel(ignored);
    });
  }

  void disarm() {
    ++generation;
    watchdog.cancel();
  }

  tcp::socket socket;
  core::UniqueSsl ssl;  // from STARTTLS (or the connect, for smtps) on
  net::steady_timer watchdog;
  ssl::context& tls_context;
  unsigned generation = 0;
  bool timed_out = false;
  std::array<char, 2048> buffer{};
  std::string pending;  // bytes received and not yet consumed by a reply
  bool tls_active = false;
};

// One OpenSSL call on a non-blocking socket, repeated as the socket becomes ready, until it
// succeeds (returns > 0) or fails. The error is OpenSSL's reason, or the socket's.
template <class Call>
net::awaitable<std::pair<error_code, int>> tls_io(Connection& conn, Call call) {
  for (;;) {
    ERR_clear_error();
    errno = 0;
    int result = call(conn.ssl.get());
    int call_errno = errno;  // before anything else can change it
    if (result > 0) co_return std::pair{error_code{}, result};
    int reason = SSL_get_error(conn.ssl.get(), result);
    if (reason == SSL_ERROR_WANT_READ || reason == SSL_ERROR_WANT_WRITE) {
      auto wait = reason == SSL_ERROR_WANT_READ ? tcp::socket::wait_read : tcp::socket::wait_write;
      auto [ec] = co_await conn.socket.async_wait(wait, use_tuple);
      if (ec) co_return std::pair{ec, 0};
      continue;
    }
    if (reason == SSL_ERROR_ZERO_RETURN) co_return std::pair{error_code(net::error::eof), 0};
    unsigned long queued = ERR_get_error();
    ERR_clear_error();
    if (queued != 0)
      co_return std::pair{error_code(static_cast<int>(queued), net::error::get_ssl_category()), 0};
    if (reason == SSL_ERROR_SYSCALL && call_errno != 0)
      co_return std::pair{error_code(call_errno, boost::system::system_category()), 0};
    co_return std::pair{error_code(net::error::eof), 0};  // the peer closed without a word
  }
}

// The dialogue with one endpoint, step by step. Each step returns false when the probe must end;
// the reason is then in the Evidence.
class Dialogue {
 public:
  // `deadline` is the whole probe's, shared by its attempts; it starts with the first connection.
  Dialogue(Evidence& evidence, const ProbeSettings& settings, Connection& connection, Politeness& politeness,
           std::vector<tcp::endpoint> candidates, std::optional<clock::time_point>& deadline)
      : ev_(evidence), settings_(settings), conn_(connection), politeness_(politeness),
        candidates_(std::move(candidates)), deadline_(deadline) {}

  net::awaitable<void> run() {
    co_await converse();
    // A refusal leaves the dialogue in step: say goodbye. After a broken one there is no one to tell.
    if (ev_.failure == Failure::none || ev_.failure == Failure::greeting_rejected ||
        ev_.failure == Failure::ehlo_rejected || ev_.failure == Failure::starttls_rejected)
      co_await quit();
    conn_.disarm();
    if (conn_.tls_active) {
      ERR_clear_error();
      SSL_shutdown(conn_.ssl.get());  // a close_notify if the socket takes it now; no waiting for the reply
      ERR_clear_error();
    }
    error_code ignored;
    conn_.socket.shutdown(tcp::socket::shutdown_both, ignored);
    conn_.socket.close(ignored);
    if (held_) politeness_.release(*held_);
    ev_.timings.total = ms_since(start_);
  }

 private:
  // The steps in order, one awaited result per line (STYLE.md: GCC 12.2 miscompiles some
  // co_await-in-condition shapes); the first step that fails ends it, its reason in the Evidence.
  net::awaitable<void> converse() {
    bool implicit = ev_.target.mode == Mode::implicit;
    bool ok = co_await connect();
    if (!ok) co_return;
    if (implicit) {
      ok = co_await handshake();
      if (!ok) co_return;
    }
    ok = co_await greeting();
    if (!ok) co_return;
    ok = co_await ehlo(ev_.smtp.ehlo, Phase::ehlo);
    if (!ok) co_return;
    ev_.smtp.starttls_offered = reply_.has_keyword("STARTTLS");
    if (implicit || !ev_.smtp.starttls_offered) co_return;
    ok = co_await starttls();
    if (!ok) co_return;
    ok = co_await handshake();
    if (!ok) co_return;
    ok = co_await ehlo(ev_.smtp.ehlo_after_tls, Phase::ehlo_after_tls);
    if (!ok) {
      ev_.smtp.ehlo_after_tls_failed = true;
      ev_.failure = Failure::none;  // a warning-level fact, not a failed probe
    }
  }

  // One command and its whole reply.
  net::awaitable<bool> exchange(const std::string& command, Phase phase, std::chrono::milliseconds limit) {
    bool sent = co_await send(command, phase);
    if (!sent) co_return false;
    bool answered = co_await read_reply(phase, limit);
    co_return answered;
  }

  // Arms the watchdog for a phase limited by `limit` and by the whole probe's deadline.
  void arm(std::chrono::milliseconds limit) { conn_.arm(std::min(clock::now() + limit, *deadline_)); }

  bool fail(Failure failure, Phase phase, std::string detail) {
    ev_.failure = failure;
    ev_.failure_phase = phase;
    ev_.failure_detail = std::move(detail);
    if (failure == Failure::timeout) ev_.deadline_hit = clock::now() >= *deadline_;
    if (ev_.deadline_hit) ev_.deadline_name = settings_.deadline_name;
    return false;
  }

  bool fail_io(Phase phase, const error_code& ec) {
    if (conn_.timed_out) return fail(Failure::timeout, phase, std::string("no answer in time during ") + to_string(phase));
    if (ec == net::error::eof)
      return fail(Failure::protocol_error, phase, std::string("the server closed the connection during ") + to_string(phase));
    ev_.transient = ec == net::error::connection_reset;
    return fail(Failure::protocol_error, phase, std::string("connection lost during ") + to_string(phase) + ": " + ec.message());
  }

  // The first candidate address that accepts the connection is the one probed.
  net::awaitable<bool> connect() {
    auto& socket = conn_.socket;
    std::string errors;
    bool last_timed_out = false;
    for (const auto& endpoint : candidates_) {
      co_await politeness_.acquire(endpoint.address());
      if (!deadline_) deadline_ = clock::now() + settings_.deadline;  // waiting for a turn is not the server's time
      if (start_ == clock::time_point{}) start_ = clock::now();
      if (clock::now() >= *deadline_) {
        politeness_.release(endpoint.address());
        last_timed_out = true;
        errors += errors.empty() ? "deadline reached" : "; deadline reached";
        break;
      }
      auto started = clock::now();
      // Until one answers, the address last tried stands for the endpoint (SPEC §5: a report's
      // series keep their identity when it is down).
      ev_.address = endpoint.address().to_string();
      arm(settings_.connect_timeout);
      auto [connect_ec] = co_await socket.async_connect(endpoint, use_tuple);
      if (!connect_ec && !conn_.timed_out) {
        held_ = endpoint.address();
        error_code ec;
        socket.set_option(tcp::no_delay(true), ec);  // one small command at a time: no Nagle delay
        ev_.timings.connect = ms_since(started);
        // The local address only when no name was given (value_or would ask the kernel every time).
        ev_.ehlo_name = settings_.ehlo_name ? *settings_.ehlo_name : address_literal(socket.local_endpoint(ec).address());
        co_return true;
      }
      politeness_.release(endpoint.address());
      last_timed_out = conn_.timed_out;
      if (!errors.empty()) errors += "; ";
      errors += endpoint.address().to_string() + ": " + (conn_.timed_out ? "timed out" : connect_ec.message());
      error_code ignored;
      socket.close(ignored);
    }
    if (last_timed_out) co_return fail(Failure::timeout, Phase::connect, "TCP connect timed out (" + errors + ")");
    ev_.transient = true;  // refused or unreachable: worth another try after a pause
    co_return fail(Failure::connect, Phase::connect, "TCP connect failed (" + errors + ")");
  }

  static std::string address_literal(const net::ip::address& address) {
    if (address.is_v6()) return "[IPv6:" + address.to_string() + "]";
    return "[" + address.to_string() + "]";
  }

  // Reads one whole reply into reply_ within the phase's time limit. Bytes after it stay pending.
  net::awaitable<bool> read_reply(Phase phase, std::chrono::milliseconds limit) {
    ReplyParser parser(settings_.reply_limits);
    arm(limit);
    for (;;) {
      std::string_view input = conn_.pending;
      auto state = parser.feed(input);
      conn_.pending.erase(0, conn_.pending.size() - input.size());
      if (state == ReplyParser::State::complete) {
        reply_ = parser.reply();
        co_return true;
      }
      if (state == ReplyParser::State::error)
        co_return fail(Failure::protocol_error, phase, "malformed reply during " + std::string(to_string(phase)) + ": " + parser.error());
      auto [ec, n] = co_await read_some();
      if (conn_.timed_out || (ec && n == 0)) co_return fail_io(phase, ec);
      conn_.pending.append(conn_.buffer.data(), n);
    }
  }

  // Some bytes into conn_.buffer, through TLS once it is on.
  net::awaitable<std::tuple<error_code, std::size_t>> read_some() {
    if (!conn_.tls_active) co_return co_await conn_.socket.async_read_some(net::buffer(conn_.buffer), use_tuple);
    auto [ec, n] = co_await tls_io(conn_, [this](SSL* s) {
      return SSL_read(s, conn_.buffer.data(), static_cast<int>(conn_.buffer.size()));
    });
    co_return std::tuple{ec, static_cast<std::size_t>(n)};
  }

  // All of `text`, through TLS once it is on.
  net::awaitable<error_code> write_all(const std::string& text) {
    if (!conn_.tls_active) {
      auto [ec, n] = co_await net::async_write(conn_.socket, net::buffer(text), use_tuple);
      co_return ec;
    }
    auto [ec, n] = co_await tls_io(conn_, [&](SSL* s) { return SSL_write(s, text.data(), static_cast<int>(text.size())); });
    co_return ec;
  }

  net::awaitable<bool> send(std::string command, Phase phase) {
    command += "\r\n";
    arm(settings_.reply_timeout);
    error_code ec = co_await write_all(command);
    if (ec || conn_.timed_out) co_return fail_io(phase, ec);
    co_return true;
  }

  net::awaitable<bool> greeting() {
    auto started = clock::now();
    bool received = co_await read_reply(Phase::greeting, settings_.reply_timeout);
    if (!received) co_return false;
    ev_.smtp.greeting = reply_.lines;
    ev_.advertised_fqdn = host_name_or_null(reply_.first_word());
    ev_.timings.greeting = ms_since(started);
    if (reply_.code != 220) {
      ev_.transient = reply_.code == 421;  // "service not available, closing": busy, try later
      co_return fail(Failure::greeting_rejected, Phase::greeting, "greeting " + reply_.lines.front());
    }
    co_return true;
  }

  // EHLO, and HELO when the server refuses EHLO with a permanent error.
  net::awaitable<bool> ehlo(std::vector<std::string>& lines, Phase phase) {
    auto started = clock::now();
    bool answered = co_await exchange("EHLO " + ehlo_name(), phase, settings_.reply_timeout);
    if (!answered) co_return false;
    if (reply_.code / 100 == 5 && phase == Phase::ehlo) {
      answered = co_await exchange("HELO " + ehlo_name(), phase, settings_.reply_timeout);
      if (!answered) co_return false;
      ev_.smtp.used_helo = reply_.code == 250;
    }
    lines = reply_.lines;
    if (phase == Phase::ehlo) {
      ev_.timings.ehlo = ms_since(started);
      ev_.ehlo_fqdn = reply_.code == 250 ? host_name_or_null(reply_.first_word()) : std::nullopt;
    }
    if (reply_.code != 250)
      co_return fail(Failure::ehlo_rejected, phase, "EHLO answered " + reply_.lines.front());
    co_return true;
  }

  const std::string& ehlo_name() const { return ev_.ehlo_name; }

  net::awaitable<bool> starttls() {
    auto started = clock::now();
    bool answered = co_await exchange("STARTTLS", Phase::starttls, settings_.reply_timeout);
    if (!answered) co_return false;
    ev_.smtp.starttls_reply = reply_.lines;
    ev_.timings.starttls = ms_since(started);
    if (reply_.code != 220)
      co_return fail(Failure::starttls_rejected, Phase::starttls, "STARTTLS answered " + reply_.lines.front());
    // Whatever plaintext came after the 220 was not asked for: record it, never read it as a reply.
    ev_.smtp.injected_bytes = conn_.pending.size();
    ev_.smtp.injected = conn_.pending.substr(0, settings_.max_injected_kept);
    conn_.pending.clear();
    co_return true;
  }

  std::optional<std::string> server_name() const {
    switch (settings_.sni_mode) {
      case SniMode::off: return std::nullopt;
      case SniMode::fixed: return settings_.sni_name;
      case SniMode::automatic: break;
    }
    auto name = choose_checked_fqdn(ev_);
    if (name && !name->empty() && name->back() == '.') name->pop_back();
    return name;
  }

  net::awaitable<bool> handshake() {
    auto started = clock::now();
    // The same connected socket, now under TLS (RFC 3207); the plaintext phase is over.
    conn_.ssl.reset(SSL_new(conn_.tls_context.native_handle()));
    SSL* ssl = conn_.ssl.get();
    error_code blocking;
    conn_.socket.non_blocking(true, blocking);  // OpenSSL must get EAGAIN, never block the loop
    SSL_set_fd(ssl, conn_.socket.native_handle());
    SSL_set_connect_state(ssl);
    ev_.tls.attempted = true;
    if (auto name = server_name();
        name && SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, name->data()) == 1)
      ev_.tls.sni = *name;
    watch_certificate_request(ssl, &ev_.tls);
    arm(settings_.reply_timeout);
    auto [ec, done] = co_await tls_io(conn_, [](SSL* s) { return SSL_do_handshake(s); });
    watch_certificate_request(ssl, nullptr);
    capture_session(ssl, ev_.tls);
    ev_.timings.handshake = ms_since(started);
    if (ec || conn_.timed_out) {
      if (conn_.timed_out) co_return fail(Failure::timeout, Phase::handshake, "TLS handshake took too long");
      ev_.tls.error = ec.message();
      ev_.transient = ec == net::error::connection_reset;  // a reset is worth another try; a refusal is not
      co_return fail(Failure::handshake_failed, Phase::handshake, "TLS handshake failed: " + ec.message());
    }
    ev_.tls.established = true;
    conn_.tls_active = true;
    co_return true;
  }

  // The answer to QUIT is courtesy: whatever happens here leaves the evidence as it was.
  net::awaitable<void> quit() {
    auto failure = ev_.failure;
    auto phase = ev_.failure_phase;
    auto detail = ev_.failure_detail;
    bool deadline_hit = ev_.deadline_hit;
    co_await exchange("QUIT", Phase::quit, quit_timeout);
    ev_.failure = failure;
    ev_.failure_phase = phase;
    ev_.failure_detail = std::move(detail);
    ev_.deadline_hit = deadline_hit;
  }

  Evidence& ev_;
  const ProbeSettings& settings_;
  Connection& conn_;
  Politeness& politeness_;
  std::vector<tcp::endpoint> candidates_;
  std::optional<clock::time_point>& deadline_;
  clock::time_point start_{};
  std::optional<net::ip::address> held_;  // the per-host slot this dialogue holds
  Reply reply_;
};

// What the DNS said of a host's addresses, as evidence.
void note_lookup(const LookupAnswer& answer, DnsEvidence& dns) {
  dns.host_looked_up = true;
  dns.address_dnssec = answer.dnssec;
  dns.address_why_bogus = answer.why_bogus;
  dns.canonical_name = answer.canonical_name;
}

// The addresses to connect to: the literal, --resolve's, or what the host name resolves to, in the
// family asked for. Empty when there are none; the reason is then in `failure`. What the DNS said
// of a name goes into `note`, when given.
net::awaitable<std::vector<net::ip::address>> resolve(const std::string& host, const ProbeSettings& settings,
                                                      Resolver& resolver, Evidence& failure, DnsEvidence* note) {
  auto wanted = [&](const net::ip::address& a) {
    return settings.family == Family::any || (settings.family == Family::v4 ? a.is_v4() : a.is_v6());
  };
  std::vector<net::ip::address> addresses;
  error_code ec;
  if (auto fixed = settings.static_hosts.find(host_key(host)); fixed != settings.static_hosts.end()) {
    for (const auto& text : fixed->second)
      if (auto address = net::ip::make_address(text, ec); !ec && wanted(address)) addresses.push_back(address);
    if (addresses.empty()) failure.failure_detail = host + ": no address of the family asked for in --resolve";
  } else if (auto literal = net::ip::make_address(host, ec); !ec) {
    if (wanted(literal)) addresses.push_back(literal);
    else failure.failure_detail = host + " is not an " + (settings.family == Family::v4 ? "IPv4" : "IPv6") + " address";
  } else {
    LookupAnswer answer = co_await look_up(resolver, host, settings.family, settings.reply_timeout);
    if (note != nullptr) note_lookup(answer, *note);
    if (answer.timed_out) {
      failure.failure = Failure::timeout;
      failure.failure_phase = Phase::resolve;
      failure.failure_detail = "the DNS lookup of " + host + " took too long";
      co_return addresses;
    }
    addresses = std::move(answer.addresses);
    if (addresses.empty()) failure.failure_detail = host + ": " + answer.error;
  }
  if (addresses.empty() && failure.failure == Failure::none) {
    failure.failure = Failure::dns;
    failure.failure_phase = Phase::resolve;
  }
  co_return addresses;
}

// What the DNS says of `host`'s address records, for the evidence (a --connect-to'd host is looked
// up for this alone; its failure then costs nothing).
net::awaitable<void> note_host_dnssec(const std::string& host, const ProbeSettings& settings, Resolver& resolver,
                                      DnsEvidence& dns) {
  error_code ec;
  net::ip::make_address(host, ec);
  if (!ec || settings.static_hosts.count(host_key(host)) != 0) co_return;
  LookupAnswer answer = co_await look_up(resolver, host, settings.family, settings.reply_timeout);
  note_lookup(answer, dns);
}

const ConnectTo* connect_rule(const Target& target, const ProbeSettings& settings) {
  for (const auto& rule : settings.connect_to)
    if ((rule.host.empty() || rule.host == host_key(target.host)) && (!rule.port || *rule.port == target.port))
      return &rule;
  return nullptr;
}

std::string tlsa_name(const Target& target, const std::string& host) {
  return "_" + std::to_string(target.port) + "._tcp." + host;
}

TlsaEvidence tlsa_evidence(const std::string& name, const DnsAnswer& answer) {
  TlsaEvidence tlsa;
  tlsa.name = name;
  tlsa.status = answer.status;
  tlsa.dnssec = answer.dnssec;
  tlsa.why_bogus = answer.why_bogus;
  for (const auto& data : answer.records)
    if (auto record = parse_tlsa(data)) tlsa.records.push_back(std::move(*record));
  if (answer.status != DnsAnswer::Status::answered && answer.status != DnsAnswer::Status::nodata &&
      answer.status != DnsAnswer::Status::nxdomain)
    tlsa.failure = describe_failure(answer);
  return tlsa;
}

// RFC 7672 §2.2.2: a secure CNAME'd host's TLSA records are sought at the CNAME's target first,
// then at the host's own name. Asked once the addresses are known: a host without addresses needs
// none, and in a zone signed with NSEC the record that denied an address type often denies the
// TLSA name too, so a validating resolver answers it from its cache (RFC 8198).
net::awaitable<TlsaEvidence> look_up_tlsa(const Target& target, const DnsEvidence& dns, Resolver& resolver,
                                          std::chrono::steady_clock::time_point deadline) {
  if (!dns.canonical_name.empty() && dns.address_dnssec == Dnssec::secure) {
    std::string name = tlsa_name(target, dns.canonical_name);
    Resolver::Ticket ticket = resolver.ask(name, rrtype::tlsa);
    DnsAnswer answer = co_await resolver.wait(std::move(ticket), deadline);
    TlsaEvidence at_target = tlsa_evidence(name, answer);
    if (!at_target.records.empty() || at_target.dnssec == Dnssec::bogus || !at_target.failure.empty()) co_return at_target;
  }
  std::string name = tlsa_name(target, host_key(target.host));
  Resolver::Ticket ticket = resolver.ask(name, rrtype::tlsa);
  DnsAnswer answer = co_await resolver.wait(std::move(ticket), deadline);
  co_return tlsa_evidence(name, answer);
}

// Probes one target over its candidate addresses, with retries after transient failures.
net::awaitable<Evidence> probe_with_retries(const Target& target, const DnsEvidence& dns,
                                            std::vector<tcp::endpoint> candidates, const ProbeSettings& settings,
                                            ProbeContext& context) {
  std::optional<clock::time_point> deadline;
  for (int attempt = 1;; ++attempt) {
    Evidence evidence;
    evidence.target = target;
    evidence.dns = dns;
    evidence.attempts = attempt;
    auto connection = std::make_shared<Connection>(co_await net::this_coro::executor, context.tls);
    Dialogue dialogue(evidence, settings, *connection, context.politeness, candidates, deadline);
    co_await dialogue.run();
    evidence.checked_fqdn = choose_checked_fqdn(evidence);
    // Back off 1x, 2x, 4x... the base pause, and never past the deadline.
    auto pause = settings.retry_backoff * (1 << std::min(attempt - 1, 16));
    if (!evidence.transient || attempt > settings.retries || !deadline || clock::now() + pause >= *deadline)
      co_return evidence;
    net::steady_timer timer(co_await net::this_coro::executor, pause);
    co_await timer.async_wait(use_tuple);
  }
}

}  // namespace

std::optional<std::string> choose_checked_fqdn(const Evidence& evidence) {
  if (evidence.target.expected_fqdn) return evidence.target.expected_fqdn;
  if (!evidence.target.host_is_ip) return evidence.target.host;
  if (evidence.advertised_fqdn) return evidence.advertised_fqdn;
  return evidence.ehlo_fqdn;
}

namespace {

// `deliver`, with each result's started_at set to now where nothing earlier set it (an MX host's
// own probe begins after its domain's lookup).
std::function<void(Evidence&&)> stamped(const std::function<void(Evidence&&)>& deliver) {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  std::int64_t started = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  return [&deliver, started](Evidence&& evidence) {
    if (evidence.started_at_ms == 0) evidence.started_at_ms = started;
    deliver(std::move(evidence));
  };
}

// One host: its addresses, then its TLSA records, then the dialogue with the first address that
// answers (or each, --all-addresses).
net::awaitable<void> probe_host(Target target, DnsEvidence dns, const ProbeSettings& settings, ProbeContext& context,
                                const std::function<void(Evidence&&)>& deliver_result) {
  auto started = clock::now();
  const std::function<void(Evidence&&)> deliver = stamped(deliver_result);
  Evidence failure;
  failure.target = target;
  bool dane_wanted = settings.dane && target.mode == Mode::starttls && !target.host_is_ip &&
                     settings.static_hosts.count(host_key(target.host)) == 0;
  const ConnectTo* rule = connect_rule(target, settings);
  std::string connect_host = rule && !rule->to_host.empty() ? rule->to_host : target.host;
  std::uint16_t connect_port = rule && rule->to_port ? *rule->to_port : target.port;
  if (rule) co_await note_host_dnssec(target.host, settings, context.resolver, dns);
  auto addresses = co_await resolve(connect_host, settings, context.resolver, failure, rule ? nullptr : &dns);
  if (dns.domain && !dns.canonical_name.empty())
    dns.mx_not_conforming = "the MX host " + host_key(target.host) + " is an alias (CNAME) of " + dns.canonical_name +
                            ": an MX must name a host (RFC 2181 §10.3); senders usually follow it";
  // DANE is a property of the name's DNS: asked when the addresses came from the DNS (--connect-to
  // keeps that; a literal or --resolve replaces it).
  if (dane_wanted && dns.host_looked_up && !addresses.empty()) {
    auto deadline = clock::now() + settings.reply_timeout;
    TlsaEvidence tlsa = co_await look_up_tlsa(target, dns, context.resolver, deadline);
    dns.tlsa = std::move(tlsa);
  }
  if (addresses.empty()) {
    failure.dns = std::move(dns);
    failure.checked_fqdn = choose_checked_fqdn(failure);
    failure.timings.total = ms_since(started);
    deliver(std::move(failure));
    co_return;
  }
  if (settings.all_addresses) {
    for (const auto& address : addresses) {
      std::vector<tcp::endpoint> one(1, tcp::endpoint(address, connect_port));  // (GCC 12: no braced list across co_await)
      deliver(co_await probe_with_retries(target, dns, std::move(one), settings, context));
    }
    co_return;
  }
  std::vector<tcp::endpoint> candidates;
  candidates.reserve(addresses.size());
  for (const auto& address : addresses) candidates.emplace_back(address, connect_port);
  deliver(co_await probe_with_retries(target, dns, std::move(candidates), settings, context));
}

// A result that probed nothing: what the DNS said of the mail domain is all there is.
Evidence domain_result(const Target& target, const DnsEvidence& dns, Failure failure, std::string detail) {
  Evidence evidence;
  evidence.target = target;
  evidence.dns = dns;
  evidence.failure = failure;
  evidence.failure_phase = Phase::resolve;
  evidence.failure_detail = std::move(detail);
  evidence.checked_fqdn = target.host;
  return evidence;
}

TxtEvidence txt_evidence(std::string name, const DnsAnswer& answer) {
  TxtEvidence txt;
  txt.name = std::move(name);
  txt.status = answer.status;
  for (const auto& data : answer.records)
    if (auto text = parse_txt(data)) txt.texts.push_back(std::move(*text));
  if (answer.status != DnsAnswer::Status::answered && answer.status != DnsAnswer::Status::nodata) txt.failure = describe_failure(answer);
  return txt;
}

// The domain's TLS-RPT record and, unless --no-mta-sts, its MTA-STS announcement and the policy
// it announces, fetched once for all the domain's MX hosts (--connect-to applies to the fetch).
net::awaitable<void> gather_mail_policies(const std::string& domain, const ProbeSettings& settings, ProbeContext& context,
                                          Resolver::Ticket sts, Resolver::Ticket rpt, DnsEvidence& dns) {
  auto deadline = clock::now() + settings.reply_timeout;
  DnsAnswer rpt_answer = co_await context.resolver.wait(std::move(rpt), deadline);
  dns.tls_rpt = txt_evidence("_smtp._tls." + domain, rpt_answer);
  if (!sts) co_return;
  DnsAnswer sts_answer = co_await context.resolver.wait(std::move(sts), deadline);
  MtaStsEvidence mta;
  mta.txt = txt_evidence("_mta-sts." + domain, sts_answer);
  // Discovery only (RFC 8461 §3.1); tls/ judges the record itself.
  bool announced = std::any_of(mta.txt.texts.begin(), mta.txt.texts.end(),
                               [](const std::string& text) { return text.rfind("v=STSv1", 0) == 0; });
  if (announced) {
    Target web;
    web.host = "mta-sts." + domain;
    web.port = 443;
    const ConnectTo* rule = connect_rule(web, settings);
    std::string connect_host = rule && !rule->to_host.empty() ? rule->to_host : web.host;
    std::uint16_t connect_port = rule && rule->to_port ? *rule->to_port : web.port;
    Evidence failure;
    auto addresses = co_await resolve(connect_host, settings, context.resolver, failure, nullptr);
    std::vector<tcp::endpoint> endpoints;
    endpoints.reserve(addresses.size());
    for (const auto& address : addresses) endpoints.emplace_back(address, connect_port);
    if (endpoints.empty()) {
      PolicyFetchEvidence fetch;
      fetch.host = web.host;
      fetch.error = failure.failure_detail.empty() ? connect_host + " did not resolve" : failure.failure_detail;
      mta.fetch = std::move(fetch);
    } else {
      PolicyFetchEvidence fetch = co_await fetch_sts_policy(web.host, std::move(endpoints), context.tls, settings.reply_timeout);
      mta.fetch = std::move(fetch);
    }
  }
  dns.mta_sts = std::move(mta);
}

// mx:DOMAIN: its MX hosts in preference order, each probed on port 25 and judged against its own
// name; no MX, the domain itself (implicit MX); a null MX, nothing.
net::awaitable<void> probe_mail_domain(Target target, const ProbeSettings& settings, ProbeContext& context,
                                       const std::function<void(Evidence&&)>& deliver) {
  DnsEvidence dns;
  dns.domain = target.host;
  // The policies' TXT records are asked beside the MX records.
  Resolver::Ticket sts = settings.mta_sts ? context.resolver.ask("_mta-sts." + target.host, rrtype::txt) : nullptr;
  Resolver::Ticket rpt = context.resolver.ask("_smtp._tls." + target.host, rrtype::txt);
  DnsAnswer answer = co_await context.resolver.query(target.host, rrtype::mx, settings.reply_timeout);
  dns.mx_dnssec = answer.dnssec;
  dns.mx_why_bogus = answer.why_bogus;
  std::vector<MxRecord> mx;
  for (const auto& data : answer.records)
    if (auto record = parse_mx(data)) mx.push_back(std::move(*record));
  if (answer.status == DnsAnswer::Status::timeout) {
    deliver(domain_result(target, dns, Failure::timeout, "the DNS lookup of the MX records of " + target.host + " took too long"));
    co_return;
  }
  if (answer.status == DnsAnswer::Status::nxdomain) {
    deliver(domain_result(target, dns, Failure::dns, target.host + ": NXDOMAIN (the mail domain does not exist)"));
    co_return;
  }
  if (answer.status != DnsAnswer::Status::answered && answer.status != DnsAnswer::Status::nodata) {
    deliver(domain_result(target, dns, Failure::dns,
                          "the MX records of " + target.host + ": " + describe_failure(answer) + " (not the same as no MX: try again)"));
    co_return;
  }
  if (answer.status == DnsAnswer::Status::answered && mx.empty()) {
    deliver(domain_result(target, dns, Failure::dns, "the MX records of " + target.host + " could not be read"));
    co_return;
  }
  if (mx.size() == 1 && mx.front().host.empty()) {
    dns.null_mx = true;
    deliver(domain_result(target, dns, Failure::none, {}));
    co_return;
  }
  co_await gather_mail_policies(target.host, settings, context, std::move(sts), std::move(rpt), dns);
  if (mx.empty()) {  // NODATA: the domain is its own MX
    dns.implicit_mx = true;
    dns.mx_preference = 0;
    Target host = target;
    host.mail_domain = false;
    co_await probe_host(std::move(host), dns, settings, context, deliver);
    co_return;
  }
  std::stable_sort(mx.begin(), mx.end(), [](const MxRecord& a, const MxRecord& b) {
    return a.preference != b.preference ? a.preference < b.preference : a.host < b.host;
  });
  mx.erase(std::unique(mx.begin(), mx.end(), [](const MxRecord& a, const MxRecord& b) { return a.host == b.host; }), mx.end());
  for (const auto& record : mx) {
    DnsEvidence each = dns;
    each.mx_preference = record.preference;
    for (const auto& other : mx)
      if (other.preference == record.preference && other.host != record.host) each.mx_hosts_same_preference.push_back(other.host);
    Target host = target;
    host.mail_domain = false;
    host.host = record.host;
    error_code ec;
    net::ip::make_address(record.host, ec);
    if (record.host.empty() || !ec || !is_dns_name(record.host)) {
      each.mx_not_conforming = "the MX record names '" + record.host +
                               "', an address or no host name; senders look it up as a name and find nothing";
      deliver(domain_result(host, each, Failure::dns, record.host + ": an MX must name a host, not an address"));
      continue;
    }
    host.host_is_ip = false;
    co_await probe_host(std::move(host), each, settings, context, deliver);
  }
}

}  // namespace

namespace {

net::awaitable<void> gather_dane_evidence(Resolver& resolver, Target target, const ProbeSettings& settings,
                                          DnsEvidence& dns) {
  LookupAnswer answer = co_await look_up(resolver, target.host, settings.family, settings.reply_timeout);
  note_lookup(answer, dns);
  auto deadline = clock::now() + settings.reply_timeout;
  TlsaEvidence tlsa = co_await look_up_tlsa(target, dns, resolver, deadline);
  dns.tlsa = std::move(tlsa);
}

}  // namespace

DnsEvidence dane_evidence(const std::string& host, std::uint16_t port, const ProbeSettings& settings) {
  net::io_context io(1);
  Resolver resolver(io.get_executor(), settings.dns);
  Target target;
  target.host = host;
  target.port = port;
  DnsEvidence dns;
  net::co_spawn(io, gather_dane_evidence(resolver, target, settings, dns), net::detached);
  io.run();
  return dns;
}

net::awaitable<void> probe_target(Target target, const ProbeSettings& settings, ProbeContext& context,
                                  const std::function<void(Evidence&&)>& deliver_result) {
  DnsEvidence dns;  // (a named local: GCC 12 mishandles temporaries inside co_await expressions)
  const std::function<void(Evidence&&)> deliver = stamped(deliver_result);
  if (target.mail_domain)
    co_await probe_mail_domain(std::move(target), settings, context, deliver);
  else
    co_await probe_host(std::move(target), dns, settings, context, deliver);
}

}  // namespace stp::probe
