// What the API's route table (api_routes.cc) and its server (api.cc) share.
#pragma once

#include <boost/beast/http/verb.hpp>

#include "admincenter/api.h"

namespace custodian::admincenter::internal {

// {"items": [...]}, each encoded by its codec (the *_codec.h headers,
// included before this one).
template <typename T>
web::json::value Items(const std::vector<T>& records) {
  web::json::value items = web::json::value::array();
  for (std::size_t i = 0; i < records.size(); ++i) items[i] = Encode(records[i]);
  web::json::value out = web::json::value::object(true);
  out["items"] = items;
  return out;
}

inline constexpr uint8_t kAnyAdmin = kAdminRole | kMasterAdminRole;
inline constexpr int kMaxWaitSeconds = 60;
inline constexpr uint8_t kAnyPrincipal =
    kTechnicianRole | kAuditorRole | kAdminRole | kMasterAdminRole;
inline constexpr uint8_t kEveryone = kAnonymous | kAnyPrincipal | kEndpointRole;

inline http::Response Json(unsigned status, const value& body) {
  http::Response r;
  r.status = status;
  if (status == 204) {
    r.content_type.clear();
  } else {
    r.body = body.serialize();
  }
  return r;
}

inline value Ref(const std::string& schema) {
  value v = value::object(true);
  v["$ref"] = value::string("#/components/schemas/" + schema);
  return v;
}

inline value Text() {
  value v = value::object(true);
  v["type"] = value::string("string");
  return v;
}

inline value Object() {
  value v = value::object(true);
  v["type"] = value::string("object");
  return v;
}

inline value Content(const std::string& media_type, value schema) {
  value media = value::object(true);
  media["schema"] = std::move(schema);
  value content = value::object(true);
  content[media_type] = media;
  return content;
}

}  // namespace custodian::admincenter::internal
