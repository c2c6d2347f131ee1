// What the HTTP server (http_server.cc) and its request parsing
// (http_request.cc, also the fuzzer's entry point) share.
#pragma once

#include <boost/beast/http.hpp>
#include <optional>
#include <string>

#include "common/http_server.h"

namespace custodian::http::internal {

using Message = boost::beast::http::request_parser<boost::beast::http::string_body>::value_type;

// A problem+json answer; `title` and `detail` are ours: plain ASCII
// without quotes.
Response PlainError(unsigned status, const std::string& title, const std::string& detail = "");
// Why a request's header is refused before its body is read, or "".
// `status` gets 400 or 501.
std::string HeaderProblem(const Message& m, unsigned& status);
// The Request a parsed message makes, or the answer that refuses it (a bad
// escape, a path or query that is not UTF-8).
std::optional<Response> BuildRequest(Message& m, const std::string& remote, Request& r);

}  // namespace custodian::http::internal
