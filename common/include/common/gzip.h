// gzip (RFC 1952) through zlib, for bundles served with Content-Encoding:
// gzip and read back by the enforcer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace custodian {

std::string Gzip(std::string_view data);
// The data of a gzip stream, or nullopt when it is not one, is damaged or
// would inflate beyond `max_bytes` (a small stream may inflate a thousand
// times: the bound is what keeps one from filling memory).
std::optional<std::string> Gunzip(std::string_view gzip, std::size_t max_bytes);
// Whether an Accept-Encoding header value accepts gzip (RFC 9110 §12.5.3:
// the coding listed without q=0; "*" counts).
bool AcceptsGzip(std::string_view accept_encoding);

}  // namespace custodian
