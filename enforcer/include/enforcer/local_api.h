// The enforcer's local API (DESIGN.md §6), served on loopback only and
// guarded by a token in a file only the enforcer's user can read
// (local-api-token, mode 0600), compared in constant time.
//
//   GET  /v1/status     policy version and expiry, last sync, unsent events
//   POST /v1/decisions  decide a request (DESIGN.md §3) with the bundle in
//                       force; without one, or after it expired, every
//                       decision is a deny with policy_expired (fail closed).
//                       Each decision is an event of the endpoint's chain.
//
// Requests are read on the server's I/O thread and answered from a worker,
// since recording an event waits for an fsync.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <string>

#include "common/http_server.h"
#include "enforcer/agent.h"
#include "enforcer/bundle.h"
#include "enforcer/store.h"

namespace custodian::enforcer {

class LocalApi {
 public:
  LocalApi(Store& store, BundleHolder& bundles, Agent& agent, WallClock wall, std::string token);
  ~LocalApi();
  void Handle(http::Request request, http::Respond respond);
  void Drain();

 private:
  http::Response Serve(const http::Request& request);
  http::Response Decide(const http::Request& request);

  Store& store_;
  BundleHolder& bundles_;
  Agent& agent_;
  WallClock wall_;
  std::string token_;
  boost::asio::thread_pool worker_{1};
};

}  // namespace custodian::enforcer
