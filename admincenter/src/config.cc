#include "admincenter/config.h"

#include <cpprest/json.h>

#include <boost/asio/ip/address.hpp>
#include <cstring>
#include <filesystem>

#include "admincenter/daemon.h"
#include "admincenter/storage.h"
#include "common/logging.h"
#include "common/text.h"

namespace custodian::admincenter {
namespace {

using policy::FieldError;
using web::json::value;

// One setter per key, shared by the file and the environment.
bool Set(Config& c, const std::string& key, const value& v, std::string* why) {
  auto want_string = [&](std::string& out) {
    if (!v.is_string()) return *why = "must be a string", false;
    out = v.as_string();
    return true;
  };
  auto want_int = [&](auto& out, long min, long max) {
    if (!v.is_number() || !v.as_number().is_integral() || v.as_number().to_int64() < min ||
        v.as_number().to_int64() > max) {
      *why = "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
      return false;
    }
    out = static_cast<std::remove_reference_t<decltype(out)>>(v.as_number().to_int64());
    return true;
  };
  if (key == "data_dir") return want_string(c.data_dir);
  if (key == "key_dir") return want_string(c.key_dir);
  if (key == "console_dir") return want_string(c.console_dir);
  if (key == "database") {
    if (!want_string(c.database)) return false;
    if (c.database.empty() || IsPostgresUrl(c.database)) return true;
    *why = "must be a PostgreSQL URL (postgresql://…), or absent for SQLite in data_dir";
    return false;
  }
  if (key == "listen") return want_string(c.listen);
  if (key == "log_level") {
    if (!want_string(c.log_level)) return false;
    if (logging::ParseLevel(c.log_level)) return true;
    *why = "must be debug, info, warn or error";
    return false;
  }
  if (key == "io_threads") return want_int(c.io_threads, 1, 64);
  if (key == "worker_threads") return want_int(c.worker_threads, 1, 256);
  if (key == "write_threads") return want_int(c.write_threads, 1, 1024);
  if (key == "max_body_bytes") return want_int(c.max_body_bytes, 1024, 64L << 20);
  if (key == "max_connections") return want_int(c.max_connections, 16, 1000000);
  if (key == "tls_certificate" || key == "tls_key") {
    std::string s;
    if (!want_string(s)) return false;
    (key == "tls_key" ? c.tls_key : c.tls_certificate) = s;
    return true;
  }
  if (key == "allow_insecure_http") {
    if (!v.is_boolean()) return *why = "must be a boolean", false;
    c.allow_insecure_http = v.as_bool();
    return true;
  }
  *why = "unknown key";
  return false;
}

}  // namespace

std::string DatabaseLocation(const Config& config) {
  if (!config.database.empty()) return config.database;
  return (std::filesystem::path(config.data_dir) / kDatabaseFile).string();
}

std::string KeyDirectory(const Config& config) {
  return config.key_dir.empty() ? config.data_dir : config.key_dir;
}

std::vector<FieldError> ApplyConfigFile(const std::string& text, Config& config) {
  std::error_code ec;
  const value doc = value::parse(text, ec);
  if (ec) return {{"", "is not valid JSON: " + ec.message()}};
  if (!doc.is_object()) return {{"", "must be an object"}};
  std::vector<FieldError> errors;
  for (const auto& [k, v] : doc.as_object()) {
    std::string why;
    if (!Set(config, k, v, &why)) errors.push_back({"/" + k, why});
  }
  return errors;
}

std::vector<FieldError> ApplyEnvironment(char** environment, Config& config) {
  static const std::string kPrefix = "CUSTODIAN_ADMINCENTER_";
  std::vector<FieldError> errors;
  for (char** e = environment; e && *e; ++e) {
    const std::string entry(*e);
    if (!entry.starts_with(kPrefix)) continue;
    const std::size_t eq = entry.find('=');
    std::string key = entry.substr(kPrefix.size(), eq - kPrefix.size());
    for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    const std::string text = entry.substr(eq + 1);
    // Numbers and booleans arrive as text; read them as JSON when they parse.
    std::error_code ec;
    value v = value::parse(text, ec);
    if (ec || v.is_string() || v.is_object() || v.is_array()) v = value::string(text);
    std::string why;
    if (!Set(config, key, v, &why)) errors.push_back({"$" + entry.substr(0, eq), why});
  }
  return errors;
}

std::optional<std::pair<std::string, uint16_t>> ParseListen(const std::string& listen) {
  const std::size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  std::string host = listen.substr(0, colon);
  if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = listen.substr(colon + 1);
  const auto p = text::ParseDecimal(port, 65535);
  if (!p) return std::nullopt;
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (ec) return std::nullopt;
  return std::pair{host, static_cast<uint16_t>(*p)};
}

bool IsLoopback(const std::string& address) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(address, ec);
  return !ec && a.is_loopback();
}

}  // namespace custodian::admincenter
