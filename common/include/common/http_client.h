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

#include <optional>
#include <string>

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

}  // namespace custodian::http
