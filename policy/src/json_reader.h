// Strict reading of web::json values: every problem becomes a FieldError
// with the JSON pointer of the value, and reading goes on so that one pass
// reports everything that is wrong.
#pragma once

#include <cpprest/json.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "policy/codec.h"

namespace custodian::policy::internal {

using Errors = std::vector<FieldError>;

// `pointer` + "/" + the RFC 6901 escape of `token`.
std::string JoinPointer(const std::string& pointer, std::string_view token);
std::string JoinPointer(const std::string& pointer, std::size_t index);

// Reads one JSON object. Each accessor marks its key as known; Finish()
// reports every key no accessor asked for, and duplicate keys.
class ObjectReader {
 public:
  // An error is recorded at `pointer` if `value` is not an object.
  ObjectReader(const web::json::value& value, std::string pointer, Errors& errors);

  bool is_object() const { return object_ != nullptr; }
  const std::string& pointer() const { return pointer_; }
  std::string PointerTo(std::string_view key) const { return JoinPointer(pointer_, key); }
  Errors& errors() const { return errors_; }
  void Error(std::string_view key, std::string message) const;

  // The value at `key`, or nullptr when absent (an error if `required`).
  const web::json::value* Get(std::string_view key, bool required);
  // Absent and null are both "not set"; `null` is accepted only here.
  const web::json::value* GetNullable(std::string_view key);

  std::optional<std::string> String(std::string_view key, bool required);
  std::optional<bool> Bool(std::string_view key, bool required);
  std::optional<int> Int(std::string_view key, bool required, int min, int max);
  const web::json::value* Object(std::string_view key, bool required);
  const web::json::value* Array(std::string_view key, bool required);

  // A string from a closed set of names.
  template <typename E>
  std::optional<E> Enum(std::string_view key, bool required,
                        std::optional<E> (*parse)(std::string_view), std::string_view allowed) {
    std::optional<std::string> s = String(key, required);
    if (!s) return std::nullopt;
    std::optional<E> e = parse(*s);
    if (!e) Error(key, "unknown value \"" + *s + "\"; expected one of " + std::string(allowed));
    return e;
  }

  // Reports a key that is present although it must not be (for example a
  // field that the request's action does not use).
  void Forbid(std::string_view key, std::string_view why);

  // Reports unknown and duplicate keys. Call once, after all accessors.
  void Finish();

 private:
  const web::json::value* Find(std::string_view key) const;

  const web::json::object* object_ = nullptr;
  std::string pointer_;
  Errors& errors_;
  std::vector<std::string> known_;
};

// Calls `each(element, pointer)` for every element of the array `value`
// (an error at `pointer` if it is not an array).
void ForEachElement(const web::json::value& value, const std::string& pointer, Errors& errors,
                    const std::function<void(const web::json::value&, const std::string&)>& each);

std::string JsonTypeName(const web::json::value& value);

}  // namespace custodian::policy::internal
