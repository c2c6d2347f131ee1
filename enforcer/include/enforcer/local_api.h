// The enforcer's local API (DESIGN.md §6), served on loopback only and
// guarded by a token in a file only the enforcer's user can read
// (local-api-token, mode 0600), compared in constant time.
//
//   GET  /v1/status     policy version and expiry, last sync, unsent events
//   POST /v1/decisions  decide a request (DESIGN.md §3) with the bundle in
//                       force; without one, or after it expired, every
//                       decision is a deny with policy_expired (fail closed).
//                       Each decision is an event of the endpoint's chain.
// For the customer's prompt (texts in English, or German when
// Accept-Language asks for "de"):
//   GET  /v1/prompts                           what waits for an answer
//   POST /v1/prompts/{id}/approve              {} | {user_name, password}
//                                              (at_setup) | {password} (R14)
//   POST /v1/prompts/{id}/deny
//   POST /v1/grants/{id}/revoke                the customer ends a grant
//   POST /v1/sessions/{id}/credentials/revoke  R12
//   GET  /v1/overview                          sessions, grants, connections
// For the local session agent (the remote session's login screen):
//   POST /v1/connections/{id}/credentials      {user_name, password}: the
//                                              administrator credentials of
//                                              an at_connection connect (R3)
//
// Requests are read on the server's I/O thread and answered from a worker,
// since recording an event waits for an fsync.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <string>

#include "common/http_server.h"
#include "enforcer/agent.h"
#include "enforcer/bundle.h"
#include "enforcer/storage/store.h"
#include "enforcer/workflows.h"

namespace custodian::enforcer {

class LocalApi {
 public:
  LocalApi(Store& store, BundleHolder& bundles, Agent& agent, Workflows& workflows, WallClock wall,
           std::string token);
  ~LocalApi();
  void Handle(http::Request request, http::Respond respond);
  void Drain();

 private:
  // Route's answer, or 503 when the state directory's database fails.
  http::Response Serve(const http::Request& request);
  http::Response Route(const http::Request& request);
  http::Response Decide(const http::Request& request);

  Store& store_;
  BundleHolder& bundles_;
  Agent& agent_;
  Workflows& workflows_;
  WallClock wall_;
  std::string token_;
  boost::asio::thread_pool worker_{1};
};

}  // namespace custodian::enforcer
