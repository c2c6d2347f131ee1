// Helpers shared by the policy tests: the reference policy of the corpus and
// parsing with assertions, so that test tables read as JSON.
#pragma once

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "policy/codec.h"
#include "policy/engine.h"
#include "policy/system_time_zones.h"

namespace custodian::testing {

inline std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline std::string CorpusDir() { return CUSTODIAN_CORPUS_DIR; }

inline policy::Policy LoadPolicy(const std::string& text) {
  auto parsed = policy::ParsePolicy(text, policy::SystemTimeZones::Get());
  for (const auto& e : parsed.errors) ADD_FAILURE() << e.pointer << ": " << e.message;
  return parsed.value.value_or(policy::Policy{});
}

inline policy::Policy StandardPolicy() {
  return LoadPolicy(ReadTextFile(CorpusDir() + "/policies/standard.json"));
}

inline policy::Request ParseRequestOrFail(const std::string& text) {
  auto parsed = policy::ParseRequest(text);
  for (const auto& e : parsed.errors) ADD_FAILURE() << e.pointer << ": " << e.message;
  return parsed.value.value_or(policy::Request{});
}

inline policy::Instant At(const std::string& rfc3339) {
  auto t = policy::ParseRfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(policy::Instant{});
}

}  // namespace custodian::testing
