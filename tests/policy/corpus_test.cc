// The golden corpus: tests/corpus/case_*.json, each a policy, a request, an
// instant and the expected effect, reasons (code and rule) and obligations
// (with the effective schedule). tests/corpus/make_cases.py writes them; the
// schedules there come from Python's zoneinfo, not from this engine.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>

#include "support/policy_fixture.h"

namespace custodian::policy {
namespace {

using custodian::testing::CorpusDir;
using custodian::testing::ReadTextFile;

// Serialises with object keys sorted, so that key order does not matter.
std::string Canonical(const web::json::value& v) {
  if (v.is_object()) {
    std::map<std::string, std::string> sorted;
    for (const auto& [k, e] : v.as_object()) sorted[k] = Canonical(e);
    std::string out = "{";
    for (const auto& [k, e] : sorted) {
      if (out.size() > 1) out += ",";
      out += web::json::value::string(k).serialize() + ":" + e;
    }
    return out + "}";
  }
  if (v.is_array()) {
    std::string out = "[";
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + Canonical(v.at(i));
    return out + "]";
  }
  return v.serialize();
}

std::vector<std::string> CaseFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(CorpusDir())) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("case_") && name.ends_with(".json")) files.push_back(name);
  }
  std::sort(files.begin(), files.end());
  return files;
}

class GoldenCorpus : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenCorpus, DecidesAsRecorded) {
  const web::json::value c = web::json::value::parse(ReadTextFile(CorpusDir() + "/" + GetParam()));
  const auto policy_text = ReadTextFile(CorpusDir() + "/" + c.at("policy").as_string());
  const Policy policy = custodian::testing::LoadPolicy(policy_text);
  const auto compiled = CompiledPolicy::Compile(policy, SystemTimeZones::Get());
  Parsed<Request> request = ParseRequest(c.at("request"));
  ASSERT_TRUE(request.ok()) << request.errors.front().pointer << ": "
                            << request.errors.front().message;
  const Decision d =
      Decide(compiled, *request.value, custodian::testing::At(c.at("now").as_string()));
  const web::json::value got = EncodeDecision(d);
  const web::json::value& want = c.at("expected");
  EXPECT_EQ(got.at("effect").as_string(), want.at("effect").as_string());
  web::json::value reasons = web::json::value::array();
  for (std::size_t i = 0; i < got.at("reasons").size(); ++i) {
    web::json::value r = web::json::value::object();
    r["code"] = got.at("reasons").at(i).at("code");
    r["rule"] = got.at("reasons").at(i).at("rule");
    reasons[i] = r;
  }
  EXPECT_EQ(Canonical(reasons), Canonical(want.at("reasons")));
  EXPECT_EQ(Canonical(got.at("obligations")), Canonical(want.at("obligations")));
}

INSTANTIATE_TEST_SUITE_P(Corpus, GoldenCorpus, ::testing::ValuesIn(CaseFiles()),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string n = p.param.substr(0, p.param.size() - 5);
                           std::replace_if(
                               n.begin(), n.end(), [](char ch) { return !std::isalnum(ch); }, '_');
                           return n;
                         });

TEST(GoldenCorpus, HasAtLeastFortyCases) { EXPECT_GE(CaseFiles().size(), 40u); }

}  // namespace
}  // namespace custodian::policy
