#include "enforcer/enrollment.h"

#include <cpprest/http_client.h>

#include "common/crypto.h"
#include "common/files.h"
#include "enforcer/bundle.h"
#include "enforcer/storage/store.h"

namespace custodian::enforcer {

using web::json::value;

std::optional<std::string> Enroll(const std::filesystem::path& dir, const EnrollRequest& request,
                                  const WallClock& wall, EnrollError* error) {
  namespace fs = std::filesystem;
  const http::ClientTls& tls = request.tls;
  auto usage = [&](std::string message) -> std::optional<std::string> {
    *error = {true, std::move(message)};
    return std::nullopt;
  };
  auto failure = [&](std::string message) -> std::optional<std::string> {
    *error = {false, std::move(message)};
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
  fs::create_directories(dir, ec);
  if (ec || fs::exists(dir / kEndpointTokenFile)) {
    return failure(dir.string() + ": " + (ec ? ec.message() : "already enrolled"));
  }
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
        return failure("enrollment refused (" + std::to_string(resp.status_code()) + "): " + text);
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
