// Enrolling a state directory with a one-time code (DESIGN.md §6): the
// admin center's answer becomes the endpoint's token, a fresh local API
// token, the pinned policy keys, the admin center's TLS settings and the
// first event of the endpoint's chain.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/http_client.h"
#include "enforcer/agent.h"

namespace custodian::enforcer {

struct EnrollRequest {
  std::string admin_center_url;
  std::string code;
  std::string name;
  std::string os;         // windows, linux or macos
  std::string time_zone;  // IANA
  http::ClientTls tls;
};

// Why an enrollment failed: `usage` when the request itself is wrong (a
// flag to fix), otherwise the admin center, the network or the directory.
struct EnrollError {
  bool usage = false;
  std::string message;
};

// Enrolls `dir` (created; refused when it is enrolled already) and returns
// the endpoint id, or nothing and sets `*error`.
std::optional<std::string> Enroll(const std::filesystem::path& dir, const EnrollRequest& request,
                                  const WallClock& wall, EnrollError* error);

}  // namespace custodian::enforcer
