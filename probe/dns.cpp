#include "probe/dns.hpp"

#include <cstdio>
#include <fstream>
#include <map>

#include <unistd.h>

#include <unbound.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/bounded_file.hpp"
#include "core/text.hpp"
#include "net/asio.hpp"

namespace stp::probe {

struct Resolver::Question {
  State* state = nullptr;
  int id = 0;
  bool done = false;
  DnsAnswer answer;
  net::steady_timer* waiter = nullptr;  // the coroutine's timer while one waits
};

struct Resolver::State {
  State(net::any_io_executor e, ub_ctx* c, int fd) : executor(std::move(e)), ctx(c), pipe(executor, fd) {}
  ~State() {
    pipe.close();
    ub_ctx_delete(ctx);  // cancels what is still out; no callback comes after it
    if (log != nullptr) std::fclose(log);
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  net::any_io_executor executor;
  ub_ctx* ctx;
  net::posix::stream_descriptor pipe;  // a copy of libunbound's result pipe, watched while questions are out
  std::map<int, Ticket> out;           // questions in flight, by libunbound's id
  bool watching = false;
  std::FILE* log = nullptr;            // libunbound's own log, silenced: its failures reach us as answers
};

namespace {

constexpr std::size_t max_anchor_bytes = 1u << 20;

DnsAnswer answer_of(int err, const ub_result* result) {
  DnsAnswer answer;
  if (err != 0 || result == nullptr) {
    answer.status = DnsAnswer::Status::error;
    answer.error = std::string("resolver error: ") + ub_strerror(err);
    return answer;
  }
  if (result->secure) answer.dnssec = Dnssec::secure;
  if (result->bogus) {
    std::string why = result->why_bogus ? std::string(result->why_bogus).substr(0, 512) : std::string();
    // The root's own keys could not be had through the servers asked (an authoritative server, or
    // one that strips DNSSEC): nothing is validated, which is not the zone's fault. Insecure.
    bool root_unreachable = why.find("no DNSKEY") != std::string::npos && why.find("trust anchor . ") != std::string::npos;
    answer.dnssec = root_unreachable ? Dnssec::insecure : Dnssec::bogus;
    if (!root_unreachable) answer.why_bogus = std::move(why);
  }
  switch (result->rcode) {
    case 0: answer.status = result->havedata ? DnsAnswer::Status::answered : DnsAnswer::Status::nodata; break;
    case 2: answer.status = DnsAnswer::Status::servfail; break;
    case 3: answer.status = DnsAnswer::Status::nxdomain; break;
    case 5: answer.status = DnsAnswer::Status::refused; break;
    default:
      answer.status = DnsAnswer::Status::error;
      answer.error = "the DNS server answered with rcode " + std::to_string(result->rcode);
  }
  if (result->havedata)
    for (int i = 0; result->data[i] != nullptr; ++i)
      answer.records.emplace_back(result->data[i], static_cast<std::size_t>(result->len[i]));
  if (result->canonname != nullptr && result->qname != nullptr) {
    std::string canonical = core::lower(result->canonname), asked = core::lower(result->qname);
    if (!canonical.empty() && canonical.back() == '.') canonical.pop_back();
    if (!asked.empty() && asked.back() == '.') asked.pop_back();
    if (canonical != asked) answer.canonical_name = canonical;
  }
  return answer;
}

void answered(void* argument, int err, ub_result* result) {
  auto* question = static_cast<Resolver::Question*>(argument);
  question->answer = answer_of(err, result);
  ub_resolve_free(result);
  question->done = true;
  if (question->waiter != nullptr) question->waiter->cancel();
  // Last: the map may hold the only reference.
  auto& out = question->state->out;
  if (auto found = out.find(question->id); found != out.end() && found->second.get() == question) {
    Resolver::Ticket keep = std::move(found->second);
    out.erase(found);
  }
}

void watch(const std::shared_ptr<Resolver::State>& state);

// Delivers every answer ready, then watches on while questions are out; with none out, the
// loop is left with nothing of ours to wait for.
void process(const std::shared_ptr<Resolver::State>& state) {
  ub_process(state->ctx);
  if (!state->out.empty()) watch(state);
  else if (state->watching) state->pipe.cancel();
}

void watch(const std::shared_ptr<Resolver::State>& state) {
  if (state->watching) return;
  state->watching = true;
  std::weak_ptr<Resolver::State> weak = state;
  state->pipe.async_wait(net::posix::stream_descriptor::wait_read, [weak](error_code ec) {
    auto alive = weak.lock();
    if (!alive) return;
    alive->watching = false;
    if (!ec) process(alive);
    else if (!alive->out.empty()) watch(alive);  // cancelled as the last answer came, and asked again since
  });
  // An answer that came before the wait was armed raises no new edge: look now.
  if (ub_poll(state->ctx) != 0)
    net::post(state->executor, [weak] {
      if (auto alive = weak.lock()) process(alive);
    });
}

// Debian's anchors are DNSKEY records in zone-file form; DS records do as well.
void check_anchor_file(const std::string& path) {
  std::string text;
  try {
    text = core::read_bounded_file(path, max_anchor_bytes);
  } catch (const core::FileError& e) {
    throw DnsSetupError("--dnssec-anchor " + path + ": cannot read it: " + e.reason());
  }
  std::string upper = core::upper(text);
  for (const char* type : {" DS ", "\tDS\t", " DNSKEY ", "\tDNSKEY\t", " DS\t", "\tDS ", " DNSKEY\t", "\tDNSKEY "})
    if (upper.find(type) != std::string::npos) return;
  throw DnsSetupError("--dnssec-anchor " + path +
                      ": holds no DS or DNSKEY record in zone-file form (e.g. '. IN DS 20326 8 2 E06D...')");
}

bool resolv_conf_names_a_server() {
  std::ifstream in("/etc/resolv.conf");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("nameserver", 0) == 0) return true;
  return false;
}

}  // namespace

std::string forwarder_address(const std::string& server) {
  error_code ec;
  std::string host = server, port = "53";
  if (!server.empty() && server.front() == '[') {
    auto close = server.find(']');
    if (close == std::string::npos) throw DnsSetupError("--dns-server " + core::shown_in_error(server) + ": a ']' is missing");
    host = server.substr(1, close - 1);
    if (close + 1 < server.size()) {
      if (server[close + 1] != ':') throw DnsSetupError("--dns-server " + core::shown_in_error(server) + ": expected [ADDR]:PORT");
      port = server.substr(close + 2);
    }
  } else if (std::count(server.begin(), server.end(), ':') == 1) {
    host = server.substr(0, server.find(':'));
    port = server.substr(server.find(':') + 1);
  }
  auto address = net::ip::make_address(host, ec);
  bool port_ok = !port.empty() && port.size() <= 5 && std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
                 std::stoul(port) >= 1 && std::stoul(port) <= 65535;
  if (ec || !port_ok)
    throw DnsSetupError("--dns-server " + core::shown_in_error(server) +
                        ": not an address with an optional port (192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:5353)");
  return address.to_string() + "@" + port;
}

std::optional<std::string> default_dnssec_anchors() {
  const std::string debian = "/usr/share/dns/root.key";
  if (::access(debian.c_str(), R_OK) == 0) return debian;
  return std::nullopt;
}

Resolver::Resolver(net::any_io_executor executor, const DnsSettings& settings) {
  ub_ctx* ctx = ub_ctx_create();
  if (ctx == nullptr) throw DnsSetupError("cannot start the DNS resolver (libunbound)");
  int fd = ::dup(ub_fd(ctx));
  if (fd < 0) {
    ub_ctx_delete(ctx);
    throw DnsSetupError("cannot start the DNS resolver: no file descriptor left");
  }
  state_ = std::make_shared<State>(std::move(executor), ctx, fd);
  state_->log = std::fopen("/dev/null", "w");
  if (state_->log != nullptr) ub_ctx_debugout(ctx, state_->log);
  auto option = [&](const char* name, const char* value) {
    if (ub_ctx_set_option(ctx, name, value) != 0)
      throw DnsSetupError(std::string("cannot set the resolver's ") + name + " " + value);
  };
  option("do-not-query-localhost:", "no");       // a local resolver, and the tests' servers, are on loopback
  option("num-queries-per-thread:", "16384");     // every probe in flight may wait on a name
  option("outgoing-range:", "1024");              // sockets at once; more questions wait for one, on their own time
  option("jostle-timeout:", "10000");
  if (ub_ctx_async(ctx, 1) != 0) throw DnsSetupError("cannot start the DNS resolver's thread");
  ub_ctx_hosts(ctx, nullptr);  // /etc/hosts; a missing file is no error
  if (!settings.servers.empty()) {
    for (const auto& server : settings.servers)
      if (ub_ctx_set_fwd(ctx, forwarder_address(server).c_str()) != 0)
        throw DnsSetupError("--dns-server " + core::shown_in_error(server) + ": not accepted by the resolver");
  } else if (resolv_conf_names_a_server()) {
    ub_ctx_resolvconf(ctx, nullptr);
  } else {
    ub_ctx_set_fwd(ctx, "127.0.0.1");  // what the C library assumes without a nameserver line
  }
  if (settings.anchors) {
    check_anchor_file(*settings.anchors);
    if (ub_ctx_add_ta_file(ctx, settings.anchors->c_str()) != 0)
      throw DnsSetupError("--dnssec-anchor " + *settings.anchors + ": not accepted by the resolver");
  }
  // Read the settings now, so that a bad anchor stops the command before any probe. "localhost."
  // is answered inside the resolver: nothing is sent.
  ub_result* result = nullptr;
  int err = ub_resolve(ctx, "localhost.", rrtype::a, 1, &result);
  ub_resolve_free(result);
  // Unbound answers RFC 6761's special-use "test." itself, NXDOMAIN for every name; test and lab
  // zones live there, so its names go to the DNS servers like any other (transparent: /etc/hosts
  // names under it, which that zone holds, still answer). Only settable once the settings are read.
  if (err == 0) ub_ctx_zone_add(ctx, "test.", "transparent");
  if (err != 0)
    throw DnsSetupError(std::string("the DNS resolver did not start") +
                        (settings.anchors ? " (is --dnssec-anchor " + *settings.anchors + " a zone file of DS or DNSKEY records?)"
                                          : std::string()) +
                        ": " + ub_strerror(err));
}

Resolver::~Resolver() = default;

Resolver::Ticket Resolver::ask(const std::string& name, std::uint16_t type) {
  auto question = std::make_shared<Question>();
  question->state = state_.get();
  int id = 0;
  int err = ub_resolve_async(state_->ctx, name.c_str(), type, 1, question.get(), answered, &id);
  if (err != 0) {
    question->done = true;
    question->answer = answer_of(err, nullptr);
    return question;
  }
  question->id = id;
  if (!question->done) {
    state_->out.emplace(id, question);
    watch(state_);
  }
  return question;
}

net::awaitable<DnsAnswer> Resolver::wait(Ticket question, std::chrono::steady_clock::time_point deadline) {
  if (question->done) co_return std::move(question->answer);
  net::steady_timer timer(co_await net::this_coro::executor, deadline);
  question->waiter = &timer;
  struct Leave {  // however this coroutine ends
    Question& question;
    ~Leave() { question.waiter = nullptr; }
  } leave{*question};
  co_await timer.async_wait(use_tuple);  // cancelled when the answer comes
  if (question->done) co_return std::move(question->answer);
  // Out of time: the question is given up, and its answer, should it come, is not delivered.
  if (auto found = state_->out.find(question->id); found != state_->out.end()) {
    ub_cancel(state_->ctx, question->id);
    state_->out.erase(found);
    if (state_->out.empty() && state_->watching) state_->pipe.cancel();
  }
  DnsAnswer late;
  late.status = DnsAnswer::Status::timeout;
  co_return late;
}

// `name` by value: a coroutine keeps its own copy across the wait.
// cppcheck-suppress passedByValue
net::awaitable<DnsAnswer> Resolver::query(std::string name, std::uint16_t type, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  Ticket question = ask(name, type);
  DnsAnswer answer = co_await wait(std::move(question), deadline);
  co_return answer;
}

}  // namespace stp::probe
