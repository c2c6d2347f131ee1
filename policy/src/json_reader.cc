#include "json_reader.h"

#include <algorithm>
#include <set>

#include "common/text.h"

namespace custodian::policy::internal {

std::string JoinPointer(const std::string& pointer, std::string_view token) {
  return text::JoinPointer(pointer, token);
}

std::string JoinPointer(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string JsonTypeName(const web::json::value& v) {
  switch (v.type()) {
    case web::json::value::Number:
      return "a number";
    case web::json::value::Boolean:
      return "a boolean";
    case web::json::value::String:
      return "a string";
    case web::json::value::Object:
      return "an object";
    case web::json::value::Array:
      return "an array";
    case web::json::value::Null:
      return "null";
  }
  return "an unknown value";
}

ObjectReader::ObjectReader(const web::json::value& value, std::string pointer, Errors& errors)
    : pointer_(std::move(pointer)), errors_(errors) {
  if (value.is_object()) {
    object_ = &value.as_object();
  } else {
    errors_.push_back({pointer_, "must be an object, not " + JsonTypeName(value)});
  }
}

void ObjectReader::Error(std::string_view key, std::string message) const {
  errors_.push_back({PointerTo(key), std::move(message)});
}

const web::json::value* ObjectReader::Find(std::string_view key) const {
  if (!object_) return nullptr;
  for (const auto& [k, v] : *object_) {
    if (k == key) return &v;
  }
  return nullptr;
}

const web::json::value* ObjectReader::Get(std::string_view key, bool required) {
  known_.emplace_back(key);
  const web::json::value* v = Find(key);
  if (!v && required && object_) errors_.push_back({PointerTo(key), "is required"});
  return v;
}

const web::json::value* ObjectReader::GetNullable(std::string_view key) {
  const web::json::value* v = Get(key, false);
  return v && v->is_null() ? nullptr : v;
}

std::optional<std::string> ObjectReader::String(std::string_view key, bool required) {
  const web::json::value* v = Get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    Error(key, "must be a string, not " + JsonTypeName(*v));
    return std::nullopt;
  }
  return v->as_string();
}

std::optional<bool> ObjectReader::Bool(std::string_view key, bool required) {
  const web::json::value* v = Get(key, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    Error(key, "must be a boolean, not " + JsonTypeName(*v));
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<int> ObjectReader::Int(std::string_view key, bool required, int min, int max) {
  const web::json::value* v = Get(key, required);
  if (!v) return std::nullopt;
  const std::string range = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!v->is_number() || !v->as_number().is_integral()) {
    Error(key, "must be " + range + ", not " + JsonTypeName(*v));
    return std::nullopt;
  }
  const web::json::number& n = v->as_number();
  if (!n.is_int64() || n.to_int64() < min || n.to_int64() > max) {
    Error(key, "must be " + range);
    return std::nullopt;
  }
  return static_cast<int>(n.to_int64());
}

const web::json::value* ObjectReader::Object(std::string_view key, bool required) {
  const web::json::value* v = Get(key, required);
  if (v && !v->is_object()) {
    Error(key, "must be an object, not " + JsonTypeName(*v));
    return nullptr;
  }
  return v;
}

const web::json::value* ObjectReader::Array(std::string_view key, bool required) {
  const web::json::value* v = Get(key, required);
  if (v && !v->is_array()) {
    Error(key, "must be an array, not " + JsonTypeName(*v));
    return nullptr;
  }
  return v;
}

void ObjectReader::Forbid(std::string_view key, std::string_view why) {
  known_.emplace_back(key);
  if (Find(key)) Error(key, "is not allowed here: " + std::string(why));
}

void ObjectReader::Finish() {
  if (!object_) return;
  std::set<std::string_view> seen;
  for (const auto& [k, v] : *object_) {
    if (!seen.insert(k).second) {
      Error(k, "duplicate key");
    } else if (std::find(known_.begin(), known_.end(), k) == known_.end()) {
      Error(k, "unknown key");
    }
  }
}

void ForEachElement(const web::json::value& value, const std::string& pointer, Errors& errors,
                    const std::function<void(const web::json::value&, const std::string&)>& each) {
  if (!value.is_array()) {
    errors.push_back({pointer, "must be an array, not " + JsonTypeName(value)});
    return;
  }
  const web::json::array& a = value.as_array();
  for (std::size_t i = 0; i < a.size(); ++i) each(a.at(i), JoinPointer(pointer, i));
}

}  // namespace custodian::policy::internal
