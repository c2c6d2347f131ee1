// How the CLI and the enforcer reach the admin center over cpprestsdk's
// http_client (DESIGN.md §9): never plain HTTP to another machine unless
// forced, since tokens and passwords travel in it; a private CA through a
// CA file; a self-signed server through its pinned certificate.
//
// - Plain http:// is accepted only for loopback hosts (localhost,
//   127.0.0.0/8, ::1) unless `allow_insecure_http`.
// - `ca_file`: PEM certificates trusted in addition to the system's.
// - `pinned_sha256`: the SHA-256 of the server certificate's DER, 64 hex
//   digits (colons allowed, as `openssl x509 -fingerprint -sha256` prints
//   it). With a pin, exactly that certificate is accepted and no other,
//   whoever signed it; without, the usual chain and host name checks apply.
//
// Thread-safety: pure functions; the configuration they fill is the
// caller's.
#pragma once

#include <cpprest/http_client.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace custodian::http {

struct ClientTls {
  std::optional<std::string> ca_file;
  std::optional<std::string> pinned_sha256;
  bool allow_insecure_http = false;
};

// "" when `url` may be used with `tls`, else what is wrong with it.
std::string ClientUrlProblem(const std::string& url, const ClientTls& tls);
// The pin as 32 raw bytes, or nullopt when it is not 64 hex digits.
std::optional<std::string> ParsePin(const std::string& pin);
// Applies the CA file and the pin to `config` (a no-op without either).
void ApplyClientTls(const ClientTls& tls, web::http::client::http_client_config& config);

// The admin center's replicas as one client sees them (README "Several
// replicas on PostgreSQL"): URLs separated by commas, in the order given.
// Requests go to the current one; when it cannot be reached, or answers
// 502 or 503 (a balancer without backends, a replica whose database is
// away), the caller reports it Failed and the next one becomes current,
// so that every caller soon talks to a survivor. One URL behind a load
// balancer is a list of one. Thread-safe; copies share the current one.
class Failover {
 public:
  // nullopt and `*error` when `text` names no URL or one that
  // ClientUrlProblem refuses.
  static std::optional<Failover> Parse(const std::string& text, const ClientTls& tls,
                                       std::string* error);
  std::string Current() const;
  // `url` failed: the next one becomes current, unless another caller
  // moved on from it already.
  void Failed(const std::string& url) const;
  // Whether a response with `status` is a reason to try the next one.
  // Not 504: a balancer's timeout may hide a write the replica committed.
  static bool Retriable(unsigned status) { return status == 502 || status == 503; }
  const std::vector<std::string>& urls() const { return urls_; }
  std::string Joined() const;  // as Parse reads it

 private:
  explicit Failover(std::vector<std::string> urls)
      : urls_(std::move(urls)), current_(std::make_shared<std::atomic<std::size_t>>(0)) {}
  std::vector<std::string> urls_;
  std::shared_ptr<std::atomic<std::size_t>> current_;
};

}  // namespace custodian::http
