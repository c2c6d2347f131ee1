#include "common/http_client.h"

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <mutex>
#include <set>

namespace custodian::http {
namespace {

bool IsLoopbackHost(std::string host) {
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  if (host == "localhost" || host == "::1") return true;
  unsigned a, b, c, d;
  char tail;
  return std::sscanf(host.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) == 4 && a == 127 &&
         b < 256 && c < 256 && d < 256;
}

// Pins live for the whole process: the verify callback gets a pointer to one.
const std::string* KeepPin(const std::string& raw) {
  static std::mutex mutex;
  static std::set<std::string> pins;
  std::lock_guard lock(mutex);
  return &*pins.insert(raw).first;
}

// Replaces OpenSSL's chain verification: the leaf certificate must be the
// pinned one.
int VerifyPinned(X509_STORE_CTX* store, void* arg) {
  const auto* want = static_cast<const std::string*>(arg);
  X509* cert = X509_STORE_CTX_get0_cert(store);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!cert || X509_digest(cert, EVP_sha256(), digest, &n) != 1) return 0;
  return std::string(reinterpret_cast<char*>(digest), n) == *want ? 1 : 0;
}

}  // namespace

std::optional<std::string> ParsePin(const std::string& pin) {
  std::string hex;
  for (char c : pin) {
    if (c != ':') hex += c;
  }
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
    return std::nullopt;
  }
  std::string raw;
  for (std::size_t i = 0; i < 64; i += 2) {
    raw += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return raw;
}

std::string ClientUrlProblem(const std::string& url, const ClientTls& tls) {
  web::uri u;
  try {
    u = web::uri(url);
  } catch (const std::exception&) {
    return "\"" + url + "\" is not a URL";
  }
  if (u.scheme() == "https") return "";
  if (u.scheme() != "http") return "\"" + url + "\" is neither https:// nor http://";
  if (IsLoopbackHost(u.host()) || tls.allow_insecure_http) return "";
  return "plain http:// is refused to " + u.host() +
         ": tokens and passwords would travel in clear; use https:// (or force it with "
         "--allow-insecure-http)";
}

void ApplyClientTls(const ClientTls& tls, web::http::client::http_client_config& config) {
  if (!tls.ca_file && !tls.pinned_sha256) return;
  const std::optional<std::string> ca = tls.ca_file;
  const std::string* pin =
      tls.pinned_sha256 ? KeepPin(ParsePin(*tls.pinned_sha256).value_or("")) : nullptr;
  config.set_ssl_context_callback([ca, pin](boost::asio::ssl::context& ctx) {
    if (ca) ctx.load_verify_file(*ca);
    if (pin)
      SSL_CTX_set_cert_verify_callback(ctx.native_handle(), VerifyPinned,
                                       const_cast<std::string*>(pin));
  });
}

std::optional<Failover> Failover::Parse(const std::string& text, const ClientTls& tls,
                                        std::string* error) {
  std::vector<std::string> urls;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string url = text.substr(start, comma - start);
    while (!url.empty() && url.front() == ' ') url.erase(url.begin());
    while (!url.empty() && url.back() == ' ') url.pop_back();
    if (!url.empty()) {
      if (const std::string why = ClientUrlProblem(url, tls); !why.empty()) {
        *error = why;
        return std::nullopt;
      }
      urls.push_back(std::move(url));
    }
    start = comma + 1;
  }
  if (urls.empty()) {
    *error = "no admin center URL";
    return std::nullopt;
  }
  return Failover(std::move(urls));
}

std::string Failover::Current() const { return urls_[*current_ % urls_.size()]; }

void Failover::Failed(const std::string& url) const {
  std::size_t seen = current_->load();
  if (urls_[seen % urls_.size()] != url) return;  // someone moved on already
  current_->compare_exchange_strong(seen, (seen + 1) % urls_.size());
}

std::string Failover::Joined() const {
  std::string out;
  for (const std::string& u : urls_) out += (out.empty() ? "" : ",") + u;
  return out;
}

}  // namespace custodian::http
