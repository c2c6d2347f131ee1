#include "common/text.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace custodian::text {
namespace {

// The length of the well-formed UTF-8 sequence at s[i], or 0.
std::size_t SequenceLength(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return 1;
  std::size_t n;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    n = 1;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 2;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 3;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n >= s.size()) return 0;
  for (std::size_t k = 1; k <= n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n + 1;
}

void Walk(const web::json::value& v, const std::string& at, std::vector<JsonProblem>& out,
          std::size_t limit) {
  if (out.size() >= limit) return;
  switch (v.type()) {
    case web::json::value::String:
      if (!IsValidUtf8(v.as_string())) out.push_back({at, "is not valid UTF-8"});
      return;
    case web::json::value::Number: {
      const auto& n = v.as_number();
      if (n.is_int64() || n.is_uint64()) {
        const bool exact =
            n.is_int64() ? n.to_int64() <= kMaxExactInteger && n.to_int64() >= -kMaxExactInteger
                         : n.to_uint64() <= uint64_t{kMaxExactInteger};
        if (!exact) out.push_back({at, "is an integer beyond ±(2^53 − 1)"});
      } else if (!std::isfinite(v.as_double())) {
        out.push_back({at, "is not a finite number"});
      }
      return;
    }
    case web::json::value::Object:
      for (const auto& [k, e] : v.as_object()) {
        const std::string path = IsValidUtf8(k) ? JoinPointer(at, k) : at + "/?";
        if (!IsValidUtf8(k)) {
          out.push_back({path, "has a key that is not valid UTF-8"});
        } else {
          Walk(e, path, out, limit);
        }
        if (out.size() >= limit) return;
      }
      return;
    case web::json::value::Array:
      for (std::size_t i = 0; i < v.size(); ++i) {
        Walk(v.at(i), at + "/" + std::to_string(i), out, limit);
        if (out.size() >= limit) return;
      }
      return;
    case web::json::value::Boolean:
    case web::json::value::Null:
      return;
  }
}

}  // namespace

std::optional<int64_t> ParseDecimal(std::string_view s, int64_t max) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  int64_t out = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (ec != std::errc() || end != s.data() + s.size() || out > max) return std::nullopt;
  return out;
}

std::string JoinPointer(const std::string& pointer, std::string_view token) {
  std::string out = pointer + "/";
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

bool IsValidUtf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = SequenceLength(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

std::string SafeUtf8(std::string_view s, std::size_t max_bytes) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  static constexpr std::string_view kEllipsis = "\xE2\x80\xA6";
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t n = SequenceLength(s, i);
    const std::string_view piece = n ? s.substr(i, n) : kReplacement;
    if (out.size() + piece.size() > max_bytes) {
      while (out.size() + kEllipsis.size() > max_bytes && !out.empty()) {
        // Drop whole characters until the mark fits.
        std::size_t cut = out.size() - 1;
        while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
        out.resize(cut);
      }
      if (out.size() + kEllipsis.size() <= max_bytes) out += kEllipsis;
      return out;
    }
    out += piece;
    i += n ? n : 1;
  }
  return out;
}

std::string ForTerminal(std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  auto hex = [&](unsigned char c) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 15];
  };
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = SequenceLength(s, i);
    if (n == 0) {
      hex(c);
      ++i;
    } else if (c < 0x20 || c == 0x7F) {
      hex(c);
      ++i;
    } else if (c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      // C1 controls (U+0080–U+009F), e.g. the one-byte CSI.
      hex(c);
      hex(static_cast<unsigned char>(s[i + 1]));
      i += 2;
    } else if (c == '\\') {
      out += "\\\\";
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  return out;
}

std::optional<web::json::value> ParseJson(const std::string& json, std::string* error) {
  try {
    std::error_code ec;
    web::json::value v = web::json::value::parse(json, ec);
    if (!ec) return v;
    *error = ec.message();
  } catch (const std::exception& e) {
    *error = e.what();
  }
  return std::nullopt;
}

std::vector<JsonProblem> JsonTextProblems(const web::json::value& v, std::size_t limit) {
  std::vector<JsonProblem> out;
  Walk(v, "", out, limit);
  return out;
}

}  // namespace custodian::text
