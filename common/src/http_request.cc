// Requests as the server reads them: the target's path and query, header
// checks, percent decoding, and ParseRawRequest for the fuzzer.
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "common/http_server.h"
#include "common/text.h"
#include "http_parts.h"

namespace custodian::http {
namespace {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

const std::string kEmpty;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void ParseTarget(std::string_view target, Request& r, bool& ok) {
  const std::size_t q = target.find('?');
  auto path = PercentDecode(target.substr(0, q), false);
  ok = path.has_value();
  if (path) r.path = std::move(*path);
  if (q == std::string_view::npos) return;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const std::size_t eq = pair.find('=');
    auto key = PercentDecode(pair.substr(0, eq), true);
    auto value = PercentDecode(eq == std::string_view::npos ? "" : pair.substr(eq + 1), true);
    if (!key || !value) ok = false;
    if (key && value && !key->empty()) r.query.emplace(std::move(*key), std::move(*value));
    if (amp == std::string_view::npos) break;
    rest = rest.substr(amp + 1);
  }
}

}  // namespace

namespace internal {

Response PlainError(unsigned status, const std::string& title, const std::string& detail) {
  Response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = R"({"type":"about:blank","title":")" + title + R"(","status":)" +
           std::to_string(status) + (detail.empty() ? "" : R"(,"detail":")" + detail + "\"") + "}";
  return r;
}

std::string HeaderProblem(const Message& m, unsigned& status) {
  status = 400;
  std::map<std::string, int> seen;
  for (const auto& field : m) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!text::IsValidUtf8(std::string_view(field.value().data(), field.value().size())))
      return "a header value is not valid UTF-8";
    if (++seen[name] > 1 &&
        (name == "authorization" || name == "content-length" || name == "content-type" ||
         name == "host" || name == "transfer-encoding")) {
      return "the " + name + " header is repeated";
    }
  }
  if (seen.count("transfer-encoding")) {
    if (seen.count("content-length")) return "Content-Length together with Transfer-Encoding";
    std::string te(m[bhttp::field::transfer_encoding]);
    for (char& c : te) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    while (!te.empty() && (te.back() == ' ' || te.back() == '\t')) te.pop_back();
    while (!te.empty() && (te.front() == ' ' || te.front() == '\t')) te.erase(0, 1);
    if (te != "chunked") {
      status = 501;
      return "the only transfer coding served is chunked";
    }
  }
  return "";
}

std::optional<Response> BuildRequest(Message& m, const std::string& remote, Request& r) {
  r.method = m.method();
  r.method_name = std::string(m.method_string());
  r.target = std::string(m.target());
  r.remote_address = remote;
  for (const auto& field : m) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(field.value());
  }
  r.body = std::move(m.body());
  bool ok = true;
  ParseTarget(r.target, r, ok);
  if (!ok) return PlainError(400, "Bad Request", "a bad percent escape");
  bool utf8 = text::IsValidUtf8(r.path);
  for (const auto& [k, v] : r.query) utf8 = utf8 && text::IsValidUtf8(k) && text::IsValidUtf8(v);
  if (!utf8) return PlainError(400, "Bad Request", "the path or query is not valid UTF-8");
  return std::nullopt;
}

}  // namespace internal

using internal::BuildRequest;
using internal::HeaderProblem;
using internal::PlainError;

const std::string& Request::Header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? kEmpty : it->second;
}

std::variant<Request, Response> ParseRawRequest(std::string_view bytes,
                                                const ServerOptions& options) {
  bhttp::request_parser<bhttp::string_body> parser;
  parser.body_limit(options.body_limit);
  parser.header_limit(static_cast<uint32_t>(options.header_limit));
  parser.eager(true);
  beast::error_code ec;
  std::size_t used = 0;
  while (!ec && used < bytes.size() && !parser.is_done()) {
    const std::size_t n = parser.put(net::buffer(bytes.data() + used, bytes.size() - used), ec);
    if (n == 0) break;  // needs more than there is
    used += n;
  }
  if (ec == bhttp::error::body_limit) return PlainError(413, "Payload Too Large");
  if (ec == bhttp::error::header_limit) return PlainError(431, "Request Header Fields Too Large");
  if (ec || !parser.is_done()) return PlainError(400, "Bad Request", "incomplete or malformed");
  unsigned status = 400;
  const std::string problem = HeaderProblem(parser.get(), status);
  if (!problem.empty()) return PlainError(status, "Refused", problem);
  Request r;
  if (auto refused = BuildRequest(parser.get(), "", r)) return std::move(*refused);
  return r;
}

std::vector<std::string> PathSegments(const std::string& path) {
  std::vector<std::string> parts;
  std::size_t start = 1;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    parts.push_back(
        path.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

std::optional<std::string> PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      const int hi = HexValue(s[i + 1]), lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace custodian::http
