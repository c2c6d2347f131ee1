// A small checker for the part of OpenAPI 3.0's schema language that
// admincenter/openapi.json uses: $ref, type, nullable, enum, properties,
// required, additionalProperties: false, items and minimum. Tests use it to
// hold real responses to the published document.
#pragma once

#include <cpprest/json.h>

#include <string>
#include <vector>

namespace custodian::testing {

// Everything in `v` that `schema` does not allow, each with its JSON
// pointer; `components` is the document's components/schemas.
inline void CheckSchema(const web::json::value& v, const web::json::value& schema,
                        const web::json::value& components, const std::string& pointer,
                        std::vector<std::string>& problems) {
  using web::json::value;
  if (schema.has_field("$ref")) {
    const std::string ref = schema.at("$ref").as_string();
    const std::string name = ref.substr(ref.rfind('/') + 1);
    if (!components.has_field(name)) {
      problems.push_back(pointer + ": unknown schema " + ref);
      return;
    }
    CheckSchema(v, components.at(name), components, pointer, problems);
    return;
  }
  if (v.is_null()) {
    if (!(schema.has_field("nullable") && schema.at("nullable").as_bool())) {
      problems.push_back(pointer + ": null is not allowed");
    }
    return;
  }
  const std::string type = schema.has_field("type") ? schema.at("type").as_string() : "";
  const bool type_ok = type.empty() || (type == "object" && v.is_object()) ||
                       (type == "array" && v.is_array()) || (type == "string" && v.is_string()) ||
                       (type == "boolean" && v.is_boolean()) ||
                       (type == "integer" && v.is_integer()) || (type == "number" && v.is_number());
  if (!type_ok) {
    problems.push_back(pointer + ": is not of type " + type + ": " + v.serialize());
    return;
  }
  if (schema.has_field("enum")) {
    bool found = false;
    for (const auto& e : schema.at("enum").as_array()) found = found || e == v;
    if (!found) problems.push_back(pointer + ": " + v.serialize() + " is not in the enum");
  }
  if (schema.has_field("minimum") && v.is_number() &&
      v.as_double() < schema.at("minimum").as_double()) {
    problems.push_back(pointer + ": below the minimum");
  }
  if (v.is_array() && schema.has_field("items")) {
    std::size_t i = 0;
    for (const auto& item : v.as_array()) {
      CheckSchema(item, schema.at("items"), components, pointer + "/" + std::to_string(i++),
                  problems);
    }
  }
  if (v.is_object()) {
    const value props = schema.has_field("properties") ? schema.at("properties") : value::object();
    if (schema.has_field("required")) {
      for (const auto& r : schema.at("required").as_array()) {
        if (!v.has_field(r.as_string())) {
          problems.push_back(pointer + ": lacks required " + r.as_string());
        }
      }
    }
    const bool closed = schema.has_field("additionalProperties") &&
                        schema.at("additionalProperties").is_boolean() &&
                        !schema.at("additionalProperties").as_bool();
    for (const auto& [key, item] : v.as_object()) {
      if (props.has_field(key)) {
        CheckSchema(item, props.at(key), components, pointer + "/" + key, problems);
      } else if (closed) {
        problems.push_back(pointer + ": undeclared property " + key);
      }
    }
  }
}

inline std::vector<std::string> SchemaProblems(const web::json::value& v,
                                               const std::string& schema_name,
                                               const web::json::value& components) {
  std::vector<std::string> problems;
  web::json::value ref = web::json::value::object();
  ref["$ref"] = web::json::value::string("#/components/schemas/" + schema_name);
  CheckSchema(v, ref, components, "", problems);
  return problems;
}

}  // namespace custodian::testing
