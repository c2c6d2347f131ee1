#include "common/cookies.h"

#include <algorithm>

namespace custodian::http {
namespace {

bool SafeCookieText(const std::string& s) {
  return !s.empty() && s.size() <= 400 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::string Attributes(bool secure) {
  return std::string("; Path=/; HttpOnly; SameSite=Strict") + (secure ? "; Secure" : "");
}

}  // namespace

std::optional<std::string> ReadCookie(const Request& request, const std::string& name) {
  const std::string& header = request.Header("cookie");
  const std::string want = name + "=";
  std::size_t start = 0;
  while (start < header.size()) {
    std::size_t end = header.find(';', start);
    if (end == std::string::npos) end = header.size();
    std::string pair = header.substr(start, end - start);
    pair.erase(0, pair.find_first_not_of(' '));
    if (pair.starts_with(want)) {
      std::string v = pair.substr(want.size());
      if (!SafeCookieText(v)) return std::nullopt;
      return v;
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::string SetCookieHeader(const std::string& name, const std::string& value,
                            std::chrono::seconds max_age, bool secure) {
  return name + "=" + value + "; Max-Age=" + std::to_string(std::max<int64_t>(0, max_age.count())) +
         Attributes(secure);
}

std::string ClearedCookieHeader(const std::string& name, bool secure) {
  return name + "=; Max-Age=0" + Attributes(secure);
}

}  // namespace custodian::http
