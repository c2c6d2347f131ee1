#include "enforcer/secret_form.h"

#include "common/text.h"

namespace custodian::enforcer {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  void Space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
      ++i_;
  }
  bool Take(char c) {
    Space();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  bool AtEnd() {
    Space();
    return i_ == s_.size();
  }
  // The length of the raw string literal starting here (an upper bound of
  // its decoded length), or 0 if there is none.
  std::size_t RawLength() const {
    if (i_ >= s_.size() || s_[i_] != '"') return 0;
    for (std::size_t j = i_ + 1; j < s_.size(); ++j) {
      if (s_[j] == '\\') {
        ++j;
      } else if (s_[j] == '"') {
        return j - i_ + 1;
      }
    }
    return 0;
  }
  // Decodes the string literal here into out[0..], returning its length, or
  // nullopt when it is not a well-formed literal of valid UTF-8.
  std::optional<std::size_t> String(unsigned char* out, std::size_t capacity) {
    if (!Take('"')) return std::nullopt;
    std::size_t n = 0;
    auto put = [&](uint32_t byte) {
      if (n < capacity) out[n] = static_cast<unsigned char>(byte);
      ++n;
    };
    while (i_ < s_.size()) {
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') {
        if (n > capacity) return std::nullopt;
        if (!text::IsValidUtf8({reinterpret_cast<const char*>(out), n})) return std::nullopt;
        return n;
      }
      if (c < 0x20) return std::nullopt;
      if (c != '\\') {
        put(c);
        continue;
      }
      if (i_ >= s_.size()) return std::nullopt;
      const char e = s_[i_++];
      switch (e) {
        case '"':
          put('"');
          break;
        case '\\':
          put('\\');
          break;
        case '/':
          put('/');
          break;
        case 'b':
          put('\b');
          break;
        case 'f':
          put('\f');
          break;
        case 'n':
          put('\n');
          break;
        case 'r':
          put('\r');
          break;
        case 't':
          put('\t');
          break;
        case 'u': {
          auto unit = Hex4();
          if (!unit) return std::nullopt;
          uint32_t cp = *unit;
          if (cp >= 0xDC00 && cp <= 0xDFFF) return std::nullopt;
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (i_ + 1 >= s_.size() || s_[i_] != '\\' || s_[i_ + 1] != 'u') return std::nullopt;
            i_ += 2;
            auto low = Hex4();
            if (!low || *low < 0xDC00 || *low > 0xDFFF) return std::nullopt;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (*low - 0xDC00);
          }
          if (cp < 0x80) {
            put(cp);
          } else if (cp < 0x800) {
            put(0xC0 | (cp >> 6)), put(0x80 | (cp & 0x3F));
          } else if (cp < 0x10000) {
            put(0xE0 | (cp >> 12)), put(0x80 | ((cp >> 6) & 0x3F)), put(0x80 | (cp & 0x3F));
          } else {
            put(0xF0 | (cp >> 18)), put(0x80 | ((cp >> 12) & 0x3F));
            put(0x80 | ((cp >> 6) & 0x3F)), put(0x80 | (cp & 0x3F));
          }
          break;
        }
        default:
          return std::nullopt;
      }
    }
    return std::nullopt;
  }

 private:
  std::optional<uint32_t> Hex4() {
    if (i_ + 4 > s_.size()) return std::nullopt;
    uint32_t v = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = s_[i_++];
      v <<= 4;
      if (h >= '0' && h <= '9') {
        v |= static_cast<uint32_t>(h - '0');
      } else if (h >= 'a' && h <= 'f') {
        v |= static_cast<uint32_t>(h - 'a' + 10);
      } else if (h >= 'A' && h <= 'F') {
        v |= static_cast<uint32_t>(h - 'A' + 10);
      } else {
        return std::nullopt;
      }
    }
    return v;
  }

  std::string_view s_;
  std::size_t i_ = 0;
};

}  // namespace

SecretForm ReadSecretForm(std::string_view json) {
  SecretForm f;
  Reader r(json);
  auto fail = [&](std::string pointer, std::string why) {
    f.fields.clear();  // wiped as they go
    f.errors.push_back({std::move(pointer), std::move(why)});
    return std::move(f);
  };
  if (r.AtEnd()) return f;  // an empty body is an empty object
  if (!r.Take('{')) return fail("", "must be a JSON object of strings");
  if (r.Take('}')) return r.AtEnd() ? std::move(f) : fail("", "must be a JSON object of strings");
  do {
    r.Space();
    const std::size_t key_raw = r.RawLength();
    if (key_raw == 0 || key_raw > 256) return fail("", "must be a JSON object of strings");
    std::string key(key_raw, '\0');
    const auto key_length = r.String(reinterpret_cast<unsigned char*>(key.data()), key.size());
    if (!key_length) return fail("", "has a key that is not a valid string");
    key.resize(*key_length);
    if (!r.Take(':')) return fail("", "must be a JSON object of strings");
    r.Space();
    const std::size_t raw = r.RawLength();
    if (raw == 0) return fail("/" + key, "must be a string");
    if (raw > kMaxSecretBytes * 6 + 2) return fail("/" + key, "is too long");
    SecretBytes value(raw);
    const auto length = r.String(value.data(), value.size());
    if (!length) return fail("/" + key, "must be a string of valid UTF-8");
    if (*length > kMaxSecretBytes) return fail("/" + key, "is too long");
    value.Truncate(*length);
    if (!f.fields.emplace(key, std::move(value)).second) return fail("/" + key, "is repeated");
  } while (r.Take(','));
  if (!r.Take('}') || !r.AtEnd()) return fail("", "must be a JSON object of strings");
  return f;
}

}  // namespace custodian::enforcer
