#include "policy/identifiers.h"

#include "common/text.h"

namespace custodian::policy {

std::string IdProblem(std::string_view id) {
  const bool ok = !id.empty() && id.size() <= kMaxIdLength && id.front() != '.' &&
                  id.find_first_not_of(
                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                      "0123456789_-.") == std::string_view::npos;
  return ok ? ""
            : "must be 1 to " + std::to_string(kMaxIdLength) +
                  " characters of A-Z, a-z, 0-9, '_', '-' and '.', not starting with '.'";
}

std::string NameProblem(std::string_view name) {
  const std::string rule = "must be 1 to " + std::to_string(kMaxNameBytes) +
                           " bytes of UTF-8 text without control characters";
  if (name.empty() || name.size() > kMaxNameBytes || !text::IsValidUtf8(name)) return rule;
  if (name.find_first_not_of(' ') == std::string_view::npos) return rule;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    const bool c1 = c == 0xC2 && i + 1 < name.size() &&
                    static_cast<unsigned char>(name[i + 1]) < 0xA0;  // U+0080–U+009F
    if (c < 0x20 || c == 0x7F || c1) return rule;
  }
  return "";
}

}  // namespace custodian::policy
