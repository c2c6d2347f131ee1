#include "common/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

namespace custodian {
namespace {

// The UTF-16 code units of valid UTF-8 `s`, for RFC 8785's key order.
std::u16string Utf16(std::string_view s) {
  std::u16string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp;
    std::size_t n;
    if (c < 0x80) {
      cp = c, n = 1;
    } else if ((c & 0xE0) == 0xC0) {
      cp = c & 0x1F, n = 2;
    } else if ((c & 0xF0) == 0xE0) {
      cp = c & 0x0F, n = 3;
    } else {
      cp = c & 0x07, n = 4;
    }
    for (std::size_t k = 1; k < n && i + k < s.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    }
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out += static_cast<char16_t>(0xD800 + (cp >> 10));
      out += static_cast<char16_t>(0xDC00 + (cp & 0x3FF));
    } else {
      out += static_cast<char16_t>(cp);
    }
  }
  return out;
}

void Append(const web::json::value& v, std::string& out) {
  switch (v.type()) {
    case web::json::value::Object: {
      std::vector<std::pair<std::u16string, const std::pair<utility::string_t, web::json::value>*>>
          fields;
      for (const auto& field : v.as_object()) fields.emplace_back(Utf16(field.first), &field);
      std::sort(fields.begin(), fields.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i) out += ',';
        AppendCanonicalString(fields[i].second->first, out);
        out += ':';
        Append(fields[i].second->second, out);
      }
      out += '}';
      return;
    }
    case web::json::value::Array:
      out += '[';
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) out += ',';
        Append(v.at(i), out);
      }
      out += ']';
      return;
    case web::json::value::String:
      AppendCanonicalString(v.as_string(), out);
      return;
    case web::json::value::Number: {
      const auto& n = v.as_number();
      if (n.is_int64()) {
        // Exact integers print as ECMAScript prints their double.
        AppendCanonicalNumber(static_cast<double>(n.to_int64()), out);
      } else if (n.is_uint64()) {
        AppendCanonicalNumber(static_cast<double>(n.to_uint64()), out);
      } else {
        AppendCanonicalNumber(v.as_double(), out);
      }
      return;
    }
    case web::json::value::Boolean:
      out += v.as_bool() ? "true" : "false";
      return;
    case web::json::value::Null:
      out += "null";
      return;
  }
}

}  // namespace

std::string CanonicalJson(const web::json::value& v) {
  std::string out;
  Append(v, out);
  return out;
}

void AppendCanonicalString(std::string_view s, std::string& out) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 15];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void AppendCanonicalNumber(double d, std::string& out) {
  if (d == 0 || !std::isfinite(d)) {
    // -0 is "0"; non-finite numbers are refused at the edge and never get here.
    out += '0';
    return;
  }
  // The shortest digits that read back as `d` (what ECMAScript uses),
  // in scientific form: [-]d[.ddd]e±x.
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const std::size_t e = sci.find('e');
  std::string digits(sci.substr(0, e));
  std::erase(digits, '.');
  int exponent = 0;
  std::string_view exp_text = sci.substr(e + 1);
  if (exp_text.front() == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // d = 0.digits × 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<std::size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<std::size_t>(n));
    out += '.';
    out += digits.substr(static_cast<std::size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<std::size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
}

}  // namespace custodian
