#pragma once
// The lab's HTTPS side: a site serving an MTA-STS policy (RFC 8461 §3.3), or failing to in one of
// the ways real policy hosts do, for the tests and the demo. Loopback only, bounded in all it sends.

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace stp::lab {

struct PolicySite {
  enum class Answer {
    policy,      // 200, text/plain, `body`
    not_found,   // 404
    redirect,    // 301 to another host
    wrong_type,  // 200, text/html
    oversized,   // 200, text/plain, 100 KiB
    endless,     // 200, text/plain, chunks until the client goes (16 MiB at most)
    silent,      // the request read, no answer (until the client goes, 60 s at most)
  };
  std::string host;              // mta-sts.DOMAIN
  std::string certificate_name;  // the name in its certificate; empty: `host`
  Answer answer = Answer::policy;
  std::string body;              // for Answer::policy
};

// Serves connections from `acceptor` until it is closed; `context` holds the site's certificate.
boost::asio::awaitable<void> serve_policy_site(boost::asio::ip::tcp::acceptor acceptor,
                                               std::shared_ptr<boost::asio::ssl::context> context, PolicySite site);

}  // namespace stp::lab
