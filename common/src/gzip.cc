#include "common/gzip.h"

#include <zlib.h>

#include <cctype>
#include <optional>
#include <stdexcept>

namespace custodian {
namespace {

constexpr int kGzipWindow = 15 + 16;  // zlib's window bits, +16: a gzip header

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string Gzip(std::string_view data) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindow, 9, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
  std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  return out;
}

std::optional<std::string> Gunzip(std::string_view gzip, std::size_t max_bytes) {
  z_stream z{};
  if (inflateInit2(&z, kGzipWindow) != Z_OK) return std::nullopt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
  z.avail_in = static_cast<uInt>(gzip.size());
  std::string out;
  char chunk[16384];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t got = sizeof chunk - z.avail_out;
    if (out.size() + got > max_bytes) rc = Z_BUF_ERROR;
    if (rc == Z_OK || rc == Z_STREAM_END) out.append(chunk, got);
    if (rc == Z_OK && got == 0 && z.avail_in == 0) rc = Z_DATA_ERROR;  // truncated
  }
  const bool whole = rc == Z_STREAM_END && z.avail_in == 0;
  inflateEnd(&z);
  if (!whole) return std::nullopt;
  return out;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  std::optional<bool> gzip, any;  // as listed, and as "*" says
  std::size_t start = 0;
  while (start <= accept_encoding.size()) {
    std::size_t end = accept_encoding.find(',', start);
    if (end == std::string_view::npos) end = accept_encoding.size();
    const std::string item = Lower(Trim(accept_encoding.substr(start, end - start)));
    const std::size_t semi = item.find(';');
    const std::string coding(Trim(std::string_view(item).substr(0, semi)));
    std::string params = semi == std::string::npos ? "" : item.substr(semi + 1);
    std::erase(params, ' ');
    // q=0, q=0.0, q=0.00, q=0.000: not acceptable
    const bool acceptable =
        !(params.starts_with("q=0") && params.find_first_not_of("0.", 2) == std::string::npos);
    if (coding == "gzip" || coding == "x-gzip") gzip = acceptable;
    if (coding == "*") any = acceptable;
    start = end + 1;
  }
  return gzip.value_or(any.value_or(false));
}

}  // namespace custodian
