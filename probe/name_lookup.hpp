#pragma once
// Host names looked up on a pool of threads of their own. getaddrinfo() blocks, and Asio's resolver
// runs one event loop's lookups one at a time on one thread, so one silent DNS server made the
// names queued behind it time out too. Here a lookup's time limit starts when a thread takes it
// up: waiting in the queue costs a name nothing, and no name fails for another's sake.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

namespace stp::probe {

struct LookupAnswer {
  std::vector<boost::asio::ip::address> addresses;  // in getaddrinfo's order, each once
  bool timed_out = false;
  std::string error;  // getaddrinfo's reason when there are no addresses
};

class NameLookups {
 public:
  // Answers are delivered on `executor` (one event loop), as long as this object lives.
  explicit NameLookups(boost::asio::any_io_executor executor);
  ~NameLookups();  // lookups still running are abandoned: their threads finish, their answers are dropped
  NameLookups(const NameLookups&) = delete;
  NameLookups& operator=(const NameLookups&) = delete;

  // The addresses of `host`, or why not; `timeout` counts from when a thread starts the lookup.
  boost::asio::awaitable<LookupAnswer> lookup(std::string host, std::chrono::milliseconds timeout);

  struct Mailbox;

 private:
  std::shared_ptr<Mailbox> mailbox_;
};

}  // namespace stp::probe
