#include "enforcer/enrollment.h"

#include <cpprest/http_client.h>

#include "common/crypto.h"
#include "common/files.h"
#include "common/text.h"
#include "enforcer/bundle.h"
#include "enforcer/storage/store.h"

namespace custodian::enforcer {

using web::json::value;

namespace {

// A refusal as a person reads it: the problem's title and detail (and
// each pointer), not its JSON.
std::string DescribeRefusal(unsigned status, const std::string& text) {
  std::error_code ec;
  const value p = value::parse(text, ec);
  auto field = [&](const char* k) {
    return !ec && p.is_object() && p.has_field(k) && p.at(k).is_string() ? p.at(k).as_string()
                                                                         : std::string();
  };
  std::string out = "enrollment refused (" + std::to_string(status) + ")";
  if (field("title").empty()) return out + ": " + text::ForTerminal(text.substr(0, 200));
  out += ": " + text::ForTerminal(field("title"));
  if (!field("detail").empty()) out += " — " + text::ForTerminal(field("detail"));
  if (!ec && p.has_field("errors") && p.at("errors").is_array()) {
    for (const value& e : p.at("errors").as_array()) {
      if (e.is_object() && e.has_field("pointer") && e.has_field("message") &&
          e.at("pointer").is_string() && e.at("message").is_string()) {
        out += "; " + text::ForTerminal(e.at("pointer").as_string()) + ": " +
               text::ForTerminal(e.at("message").as_string());
      }
    }
  }
  return out;
}

}  // namespace

std::optional<std::string> Enroll(const std::filesystem::path& dir, const EnrollRequest& request,
                                  const WallClock& wall, EnrollError* error) {
  namespace fs = std::filesystem;
  const http::ClientTls& tls = request.tls;
  auto usage = [&](std::string message) -> std::optional<std::string> {
    *error = {true, std::move(message)};
    return std::nullopt;
  };
  // A failed enrollment leaves no half-made state: the folder if it made
  // it, else the files it wrote into it.
  bool made_dir = false, writing = false;
  auto failure = [&](std::string message) -> std::optional<std::string> {
    *error = {false, std::move(message)};
    std::error_code ignored;
    if (made_dir) {
      fs::remove_all(dir, ignored);
    } else if (writing) {
      for (const char* f : {kEndpointTokenFile, kLocalTokenFile, kAdminCenterCaFile, "enforcer.db",
                            "enforcer.db-wal", "enforcer.db-shm", "enforcer.db-journal"}) {
        fs::remove(dir / f, ignored);
      }
    }
    return std::nullopt;
  };
  if (tls.pinned_sha256 && !http::ParsePin(*tls.pinned_sha256)) {
    return usage("--pin-sha256: not a SHA-256 fingerprint (64 hex digits, colons allowed)");
  }
  std::string why;
  const auto urls = http::Failover::Parse(request.admin_center_url, tls, &why);
  if (!urls) return usage("--admin-center: " + why);
  std::optional<std::string> ca;
  if (tls.ca_file && !(ca = ReadFile(*tls.ca_file))) {
    return usage(*tls.ca_file + ": cannot be read");
  }
  std::error_code ec;
  made_dir = !fs::exists(dir, ec) && fs::create_directories(dir, ec);
  if (ec || fs::exists(dir / kEndpointTokenFile)) {
    return failure(dir.string() + ": " + (ec ? ec.message() : "already enrolled"));
  }
  writing = true;
  value body = value::object(true);
  body["code"] = value::string(request.code);
  body["name"] = value::string(request.name);
  body["os"] = value::string(request.os);
  body["time_zone"] = value::string(request.time_zone);
  // The first admin center that answers enrolls it (a code works once, on
  // any replica).
  value answer;
  std::string unreachable;  // why each URL tried did not take it
  auto skip = [&](const std::string& reason) {
    unreachable += (unreachable.empty() ? "" : "; ") + reason;
  };
  for (const std::string& url : urls->urls()) {
    try {
      web::http::client::http_client_config config;
      http::ApplyClientTls(tls, config);
      web::http::client::http_client client(url, config);
      web::http::http_request req(web::http::methods::POST);
      req.set_request_uri("/v1/enroll");
      req.set_body(body);
      web::http::http_response resp = client.request(req).get();
      const std::string text = resp.extract_string(true).get();
      if (http::Failover::Retriable(resp.status_code())) {
        skip(url + ": " + std::to_string(resp.status_code()));
        continue;
      }
      if (resp.status_code() != web::http::status_codes::Created) {
        return failure(DescribeRefusal(resp.status_code(), text));
      }
      answer = value::parse(text);
      break;
    } catch (const web::http::http_exception& e) {
      skip(url + ": " + e.what());
    } catch (const std::exception& e) {
      return failure(url + ": " + e.what());
    }
  }
  if (answer.is_null()) return failure(unreachable);
  auto store = Store::Open(dir, true, &why);
  if (!store) return failure(why);
  const std::string local_token = crypto::Base64Url(crypto::RandomBytes(32));
  if (!WriteFileAtomically((dir / kEndpointTokenFile).string(), answer.at("token").as_string(),
                           0600, &why) ||
      !WriteFileAtomically((dir / kLocalTokenFile).string(), local_token, 0600, &why)) {
    return failure(why);
  }
  const auto keys = crypto::ParseKeyList(answer.at("policy_keys"));
  if (keys.empty()) {
    return failure("the admin center sent no usable policy key");
  }
  if (ca && !WriteFileAtomically((dir / kAdminCenterCaFile).string(), *ca, 0600, &why)) {
    return failure(why);
  }
  if (ca) store->Set({{"admin_center_ca", "1"}});
  if (tls.pinned_sha256) store->Set({{"admin_center_pin_sha256", *tls.pinned_sha256}});
  if (tls.allow_insecure_http) store->Set({{"admin_center_insecure_http", "1"}});
  store->Set({{"endpoint_id", answer.at("endpoint_id").as_string()},
              {"admin_center_url", urls->Joined()},
              {"os", request.os},
              {"time_zone", request.time_zone},
              {"pinned_keys", crypto::EncodeKeyList(keys).serialize()}});
  EventInput e;
  e.action = "endpoint.enrolled";
  e.target = "endpoint:" + answer.at("endpoint_id").as_string();
  e.details["pinned_key"] = value::string(keys.front().key_id);
  store->Append(e, store->Now(wall()));
  return answer.at("endpoint_id").as_string();
}

}  // namespace custodian::enforcer
