#include "probe/dns.hpp"

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <unordered_set>

#include <unistd.h>

#include <unbound.h>
#include <unbound-event.h>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/bounded_file.hpp"
#include "core/text.hpp"
#include "net/asio.hpp"
#include "net/endpoint.hpp"

namespace stp::probe {

namespace {

// libunbound runs inside the event loop through its pluggable event interface: its sockets and
// timers are Asio waits, its answers callbacks on this thread (no thread of its own, no pipe).
// While no question of ours is out, its waits are put aside, so that a loop with nothing else to
// do ends although a given-up question still has a retry timer in libunbound; they are taken up
// again with the next question.
class EventBase {
 public:
  explicit EventBase(net::any_io_executor executor) : executor_(std::move(executor)) {
    base_.base.magic = UB_EVENT_MAGIC;
    base_.base.vmt = &vmt;
    base_.owner = this;
  }
  EventBase(const EventBase&) = delete;
  EventBase& operator=(const EventBase&) = delete;

  ub_event_base* get() { return &base_.base; }
  // libunbound's handle is the first member of a standard-layout struct that names its owner.
  static EventBase& of(ub_event_base* base) { return *reinterpret_cast<Handle*>(base)->owner; }

  void set_active(bool active);

  struct Event;

 private:
  friend struct Event;
  static ub_event* new_event(ub_event_base* base, int fd, short bits, void (*cb)(int, short, void*), void* arg);
  static int loopexit(ub_event_base* /*base*/, timeval* /*when*/) { return 0; }
  static ub_event_base_vmt vmt;

  struct Handle {
    ub_event_base base;
    EventBase* owner;
  } base_{};  // what libunbound holds
  net::any_io_executor executor_;
  bool active_ = false;
  std::unordered_set<Event*> added_;  // added by libunbound, waiting or put aside
};

struct EventBase::Event {
  Event(EventBase& b, int f, short w, void (*c)(int, short, void*), void* a)
      : base(b), fd(f), what(w), callback(c), argument(a), timer(b.executor_) {
    handle.event.magic = UB_EVENT_MAGIC;
    handle.event.vmt = &vmt;
    handle.owner = this;
  }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  ~Event() { stop(); }

  static Event& of(ub_event* e) { return *reinterpret_cast<Handle*>(e)->owner; }

  // Waits as libunbound asked: the descriptor registered afresh (so a ready one reports at once),
  // the timeout at its deadline.
  void start() {
    ++generation;
    std::weak_ptr<Event> weak = self;
    unsigned armed = generation;
    if (fd >= 0 && (what & (UB_EV_READ | UB_EV_WRITE)) != 0) {
      error_code ec;
      descriptor.emplace(base.executor_);
      descriptor->assign(fd, ec);
      if (ec) {
        descriptor.reset();
      } else {
        if ((what & UB_EV_READ) != 0)
          descriptor->async_wait(net::posix::descriptor_base::wait_read, [weak, armed](error_code e) { fire(weak, armed, UB_EV_READ, e); });
        if ((what & UB_EV_WRITE) != 0)
          descriptor->async_wait(net::posix::descriptor_base::wait_write, [weak, armed](error_code e) { fire(weak, armed, UB_EV_WRITE, e); });
      }
    }
    if (deadline) {
      timer.expires_at(*deadline);
      timer.async_wait([weak, armed](error_code e) { fire(weak, armed, UB_EV_TIMEOUT, e); });
    }
  }

  // Every wait given up; the descriptor leaves the loop (libunbound may close it next).
  void stop() {
    ++generation;
    timer.cancel();
    if (descriptor) {
      descriptor->release();
      descriptor.reset();
    }
  }

  void add(const timeval* tv) {
    stop();
    timeout.reset();
    deadline.reset();
    if (tv != nullptr) {
      timeout = std::chrono::seconds(tv->tv_sec) + std::chrono::microseconds(tv->tv_usec);
      deadline = std::chrono::steady_clock::now() + *timeout;
    }
    base.added_.insert(this);
    if (base.active_) start();
  }

  void remove() {
    stop();
    base.added_.erase(this);
  }

  static void fire(const std::weak_ptr<Event>& weak, unsigned armed, short which, error_code ec) {
    auto alive = weak.lock();  // kept alive through the callback, which may free it
    if (!alive || ec || alive->generation != armed) return;
    Event& e = *alive;
    if ((e.what & UB_EV_PERSIST) == 0) {
      e.remove();
    } else {
      e.stop();
      if (e.timeout) e.deadline = std::chrono::steady_clock::now() + *e.timeout;
    }
    unsigned before = e.generation;
    e.callback(e.fd, which, e.argument);
    // A persistent event left as it was waits again (afresh, so what is still ready reports).
    if ((e.what & UB_EV_PERSIST) != 0 && e.generation == before && e.base.added_.count(&e) != 0 && e.base.active_) e.start();
  }

  static ub_event_vmt vmt;

  struct Handle {
    ub_event event;
    Event* owner;
  } handle{};  // what libunbound holds
  EventBase& base;
  int fd;
  short what;
  void (*callback)(int, short, void*);
  void* argument;
  std::optional<std::chrono::microseconds> timeout;
  std::optional<std::chrono::steady_clock::time_point> deadline;
  std::optional<net::posix::stream_descriptor> descriptor;
  net::steady_timer timer;
  unsigned generation = 0;
  std::shared_ptr<Event> self;  // owned by libunbound: dropped by its free
};

using Event = EventBase::Event;
Event& event_of(ub_event* e) { return Event::of(e); }

ub_event_vmt EventBase::Event::vmt = {
    [](ub_event* e, short bits) { event_of(e).what = static_cast<short>(event_of(e).what | bits); },
    [](ub_event* e, short bits) { event_of(e).what = static_cast<short>(event_of(e).what & ~bits); },
    [](ub_event* e, int socket_fd) { event_of(e).fd = socket_fd; },
    [](ub_event* e) {
      Event& ev = event_of(e);
      ev.remove();
      auto last = std::move(ev.self);  // destroyed here unless a firing callback holds it
    },
    [](ub_event* e, timeval* tv) {
      event_of(e).add(tv);
      return 0;
    },
    [](ub_event* e) {
      event_of(e).remove();
      return 0;
    },
    [](ub_event* e, ub_event_base* /*base*/, void (*cb)(int, short, void*), void* arg, timeval* tv) {
      Event& ev = event_of(e);
      ev.callback = cb;
      ev.argument = arg;
      ev.what = UB_EV_TIMEOUT;
      ev.fd = -1;
      ev.add(tv);
      return 0;
    },
    [](ub_event* e) {
      event_of(e).remove();
      return 0;
    },
    [](ub_event* /*e*/, timeval* /*tv*/) { return -1; },  // signals: libunbound asks for none
    [](ub_event* /*e*/) { return -1; },
    [](ub_event* /*e*/) {},
    [](ub_event* /*e*/, int /*bits*/) {},
};

ub_event_base_vmt EventBase::vmt = {
    [](ub_event_base* /*base*/) {},                       // ours to free, not libunbound's
    [](ub_event_base* /*base*/) { return -1; },           // the loop is Asio's
    &EventBase::loopexit,
    &EventBase::new_event,
    [](ub_event_base* /*base*/, int /*fd*/, void (*/*cb*/)(int, short, void*), void* /*arg*/) -> ub_event* { return nullptr; },
    [](ub_event_base* /*base*/, void* /*wsaevent*/, void (*/*cb*/)(int, short, void*), void* /*arg*/) -> ub_event* { return nullptr; },
};

ub_event* EventBase::new_event(ub_event_base* base, int fd, short bits, void (*cb)(int, short, void*), void* arg) {
  auto created = std::make_shared<Event>(of(base), fd, bits, cb, arg);
  created->self = created;
  return &created->handle.event;
}

void EventBase::set_active(bool active) {
  if (active == active_) return;
  active_ = active;
  for (Event* e : added_) {
    if (active) e->start();
    else e->stop();
  }
}

}  // namespace

struct Resolver::Question {
  State* state = nullptr;
  int id = 0;
  bool done = false;
  DnsAnswer answer;
  net::steady_timer* waiter = nullptr;  // the coroutine's timer while one waits
};

struct Resolver::State {
  explicit State(net::any_io_executor executor) : events(std::move(executor)) {}
  ~State() {
    closing = true;      // libunbound may answer what is still out with SERVFAIL as it goes: ignored
    ub_ctx_delete(ctx);  // frees its events
    if (log != nullptr) std::fclose(log);
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  // Its waits count as the loop's work only while a question of ours is out.
  void questions_changed() { events.set_active(!out.empty()); }

  EventBase events;
  ub_ctx* ctx = nullptr;
  std::map<int, Ticket> out;  // questions in flight, by libunbound's id
  std::FILE* log = nullptr;   // libunbound's own log, silenced: its failures reach us as answers
  bool closing = false;
};

namespace {

constexpr std::size_t max_anchor_bytes = 1u << 20;

DnsAnswer answer_of(int rcode, const void* packet, int length, int security, const char* why_bogus) {
  DnsAnswer answer;
  if (security == 2) answer.dnssec = Dnssec::secure;
  if (security == 1) {
    std::string why = why_bogus != nullptr ? std::string(why_bogus).substr(0, 512) : std::string();
    // The root's own keys could not be had through the servers asked (an authoritative server, or
    // one that strips DNSSEC): nothing is validated, which is not the zone's fault. Insecure.
    bool root_unreachable = why.find("no DNSKEY") != std::string::npos && why.find("trust anchor . ") != std::string::npos;
    answer.dnssec = root_unreachable ? Dnssec::insecure : Dnssec::bogus;
    if (!root_unreachable) answer.why_bogus = std::move(why);
  }
  std::optional<DnsMessage> message;
  if (rcode == 0 && (packet == nullptr || length <= 0)) {
    rcode = 2;  // no answer to read: as a server failure
  } else if (rcode == 0) {
    message = parse_dns_message(std::string_view(static_cast<const char*>(packet), static_cast<std::size_t>(length)));
    rcode = message ? message->rcode : -1;
  }
  switch (rcode) {
    case 0: answer.status = message->records.empty() ? DnsAnswer::Status::nodata : DnsAnswer::Status::answered; break;
    case 2: answer.status = DnsAnswer::Status::servfail; break;
    case 3: answer.status = DnsAnswer::Status::nxdomain; break;
    case 5: answer.status = DnsAnswer::Status::refused; break;
    case -1:
      answer.status = DnsAnswer::Status::error;
      answer.error = "the DNS answer did not parse";
      break;
    default:
      answer.status = DnsAnswer::Status::error;
      answer.error = "the DNS server answered with rcode " + std::to_string(rcode);
  }
  if (message) {
    answer.records = std::move(message->records);
    answer.canonical_name = std::move(message->canonical_name);
  }
  return answer;
}

// `argument` is the question; libunbound owns the packet and the reason, both copied here.
void answered(void* argument, int rcode, void* packet, int length, int security, char* why_bogus, int /*ratelimited*/) {
  auto* question = static_cast<Resolver::Question*>(argument);
  if (question->state->closing) return;
  question->answer = answer_of(rcode, packet, length, security, why_bogus);
  question->done = true;
  if (question->waiter != nullptr) question->waiter->cancel();
  // Last: the map may hold the only reference.
  Resolver::State& state = *question->state;
  if (auto found = state.out.find(question->id); found != state.out.end() && found->second.get() == question) {
    Resolver::Ticket keep = std::move(found->second);
    state.out.erase(found);
    state.questions_changed();
  }
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
  auto endpoint = parse_endpoint(server, 53);
  if (!endpoint)
    throw DnsSetupError("--dns-server " + core::shown_in_error(server) +
                        ": not an address with an optional port (192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:5353)");
  return endpoint->address().to_string() + "@" + std::to_string(endpoint->port());
}

std::optional<std::string> default_dnssec_anchors() {
  const std::string debian = "/usr/share/dns/root.key";
  if (::access(debian.c_str(), R_OK) == 0) return debian;
  return std::nullopt;
}

Resolver::Resolver(net::any_io_executor executor, const DnsSettings& settings)
    : state_(std::make_shared<State>(std::move(executor))) {
  ub_ctx* ctx = ub_ctx_create_ub_event(state_->events.get());
  if (ctx == nullptr) throw DnsSetupError("cannot start the DNS resolver (libunbound)");
  state_->ctx = ctx;
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
  // Unbound answers RFC 6761's special-use "test." itself, NXDOMAIN for every name; test and lab
  // zones live there, so its names go to the DNS servers like any other (transparent: /etc/hosts
  // names under it, which that zone holds, still answer). Adding the zone reads the settings
  // first, so that a bad anchor stops the command before any probe.
  if (int err = ub_ctx_zone_add(ctx, "test.", "transparent"); err != 0)
    throw DnsSetupError(std::string("the DNS resolver did not start") +
                        (settings.anchors ? " (is --dnssec-anchor " + *settings.anchors + " a zone file of DS or DNSKEY records?)"
                                          : std::string()) +
                        ": " + ub_strerror(err));
}

Resolver::~Resolver() = default;

Resolver::Ticket Resolver::ask(const std::string& name, std::uint16_t type) {
  auto question = std::make_shared<Question>();
  question->state = state_.get();
  state_->events.set_active(true);  // libunbound may send at once
  int id = 0;
  int err = ub_resolve_event(state_->ctx, name.c_str(), type, 1, question.get(), answered, &id);
  if (err != 0) {
    question->done = true;
    question->answer.status = DnsAnswer::Status::error;
    question->answer.error = std::string("resolver error: ") + ub_strerror(err);
  }
  question->id = id;
  if (!question->done) state_->out.emplace(id, question);  // else answered at once (/etc/hosts, the cache)
  state_->questions_changed();
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
    state_->questions_changed();
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
