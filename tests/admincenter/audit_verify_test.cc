// `custodian audit verify` on an export of a real admin center: intact, and
// every kind of tampering — an edited, removed, reordered or repeated event,
// a truncated end, a removed start, a forged trailer, another signing key.
#include <gtest/gtest.h>

#include <fstream>

#include "common/crypto.h"
#include "support/admincenter_process.h"

namespace custodian::admincenter {
namespace {

using custodian::testing::AdminCenterProcess;

struct CliRun {
  int exit_code;
  std::string output;
};

CliRun Verify(const std::string& file, const std::string& extra = "") {
  const std::string command =
      std::string(CUSTODIAN_BINARY) + " audit verify " + extra + " " + file + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

class AuditVerify : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ac_ = new AdminCenterProcess("verify");
    for (int i = 0; i < 6; ++i) {
      ac_->Request("POST", "/v1/groups", ac_->master_token(),
                   R"({"id":"g-v)" + std::to_string(i) + R"(","name":"V"})");
    }
    // Quotes, backslashes, control characters and non-ASCII text survive the
    // export's own JSON writer with their hashes intact.
    EXPECT_EQ(ac_->Request("POST", "/v1/groups", ac_->master_token(),
                           R"({"id":"g-odd","name":"Q\"uote \\ back\nline\ttab \u0001 Grüße 😀"})")
                  .status,
              201u);
    const std::string body = ac_->Request("GET", "/v1/audit/events", ac_->master_token()).body;
    std::istringstream in(body);
    for (std::string line; std::getline(in, line);) lines_.push_back(line);
    public_key_ =
        web::json::value::parse(lines_.back()).at("checkpoint").at("public_key").as_string();
  }
  static void TearDownTestSuite() { delete ac_; }

  std::string Write(const std::vector<std::string>& lines) {
    const std::string path =
        (ac_->dir() / ("export-" + std::to_string(++files_) + ".jsonl")).string();
    std::ofstream out(path);
    for (const auto& l : lines) out << l << "\n";
    return path;
  }

  static AdminCenterProcess* ac_;
  static std::vector<std::string> lines_;  // events, then the trailer
  static std::string public_key_;
  int files_ = 0;
};
AdminCenterProcess* AuditVerify::ac_ = nullptr;
std::vector<std::string> AuditVerify::lines_;
std::string AuditVerify::public_key_;

TEST_F(AuditVerify, AcceptsAnIntactExportAndPinsTheKey) {
  ASSERT_GE(lines_.size(), 9u);
  const CliRun r = Verify(Write(lines_), "--public-key " + public_key_);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("intact"), std::string::npos);
  EXPECT_NE(r.output.find("the whole chain"), std::string::npos);
}

TEST_F(AuditVerify, DetectsEveryKindOfTampering) {
  std::map<std::string, std::vector<std::string>> cases;
  auto edited = lines_;
  edited[3].replace(edited[3].find("\"V\""), 3, "\"W\"");
  cases["edited"] = edited;
  auto removed = lines_;
  removed.erase(removed.begin() + 4);
  cases["removed"] = removed;
  auto reordered = lines_;
  std::swap(reordered[4], reordered[5]);
  cases["reordered"] = reordered;
  auto repeated = lines_;
  repeated.insert(repeated.begin() + 5, repeated[4]);
  cases["repeated"] = repeated;
  cases["truncated (no trailer)"] = std::vector<std::string>(lines_.begin(), lines_.end() - 2);
  auto cut_end = std::vector<std::string>(lines_.begin(), lines_.end() - 2);
  cut_end.push_back(lines_.back());
  cases["truncated (trailer kept)"] = cut_end;
  cases["start removed"] = std::vector<std::string>(lines_.begin() + 2, lines_.end());
  auto forged = lines_;
  forged.back().replace(forged.back().find("\"seq\":"), 6, "\"seq\":1");
  cases["forged trailer"] = forged;
  for (const auto& [name, lines] : cases) {
    const CliRun r = Verify(Write(lines));
    EXPECT_EQ(r.exit_code, 1) << name << "\n" << r.output;
    EXPECT_NE(r.output.find("NOT intact"), std::string::npos) << name << "\n" << r.output;
  }
  const std::string other_key = crypto::Base64(crypto::GenerateEd25519().public_raw);
  EXPECT_EQ(Verify(Write(lines_), "--public-key " + other_key).exit_code, 1);
  EXPECT_EQ(Verify("/nonexistent.jsonl").exit_code, 2);
}

}  // namespace
}  // namespace custodian::admincenter
