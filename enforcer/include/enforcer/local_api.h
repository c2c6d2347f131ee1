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
// The customer's window (web/customer, window_sessions.h):
//   GET  /, /assets/…                          its files, no token needed
//   POST /v1/window/codes                      a one-time URL (token only)
//   POST /v1/window/session   {code}           the code for a session
//                                              cookie and CSRF token
//   DELETE /v1/window/session                  its end
// With the cookie and the CSRF token (X-CSRF-Token) the window may call
// the customer's routes above (prompts, answers, revocations, overview),
// nothing else.
//
// Every request must name this server as Host (127.0.0.1:PORT or
// localhost:PORT), against DNS rebinding; one with an Origin must come
// from this origin, and the window's state changes must send one. Every
// answer carries the strict headers of http::AddWebHeaders.
//
// Requests are read on the server's I/O thread and answered from a worker,
// since recording an event waits for an fsync.
#pragma once

#include <atomic>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <string>

#include "common/http_server.h"
#include "common/web_files.h"
#include "enforcer/agent.h"
#include "enforcer/bundle.h"
#include "enforcer/storage/store.h"
#include "enforcer/window_sessions.h"
#include "enforcer/workflows.h"

namespace custodian::enforcer {

inline constexpr char kWindowCookieName[] = "custodian_window";

class LocalApi {
 public:
  // `window`: the customer window's files, if it is installed.
  LocalApi(Store& store, BundleHolder& bundles, Agent& agent, Workflows& workflows, WallClock wall,
           std::string token, std::optional<http::WebFiles> window);
  ~LocalApi();
  // The port the server listens on, once it does: until then every request
  // is refused (its Host cannot be checked).
  void SetPort(uint16_t port) { port_ = port; }
  // This server's origin (http://127.0.0.1:PORT).
  std::string Origin() const;
  // A one-time URL of the customer's window (its code after #, which a
  // browser never sends to a server).
  std::string WindowUrl();
  void Handle(http::Request request, http::Respond respond);
  void Drain();

 private:
  enum class Caller { kNone, kToken, kWindow };
  // Route's answer, or 503 when the state directory's database fails.
  http::Response Serve(const http::Request& request);
  http::Response Route(const http::Request& request);
  http::Response Customer(const http::Request& request, Caller caller);
  http::Response WindowSession(const http::Request& request);
  http::Response Decide(const http::Request& request);
  Caller Authenticate(const http::Request& request);
  // Whether the request names this server (Host), and comes from this
  // origin if it says where from (Origin; required when `required`).
  bool HostAllowed(const http::Request& request) const;
  bool OriginAllowed(const http::Request& request, bool required) const;

  Store& store_;
  BundleHolder& bundles_;
  Agent& agent_;
  Workflows& workflows_;
  WallClock wall_;
  std::string token_;
  std::optional<http::WebFiles> window_;
  WindowSessions sessions_;
  std::atomic<uint16_t> port_{0};
  boost::asio::thread_pool worker_{1};
};

}  // namespace custodian::enforcer
