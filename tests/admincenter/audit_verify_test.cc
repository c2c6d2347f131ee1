// `custodian audit verify` on an export of a real admin center: intact, and
// every kind of tampering — an edited, removed, reordered or repeated event,
// a truncated end, a removed start, a forged trailer, another signing key.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <fstream>

#include "common/audit_chain.h"
#include "common/canonical_json.h"
#include "common/crypto.h"
#include "common/files.h"
#include "support/admincenter_process.h"

namespace custodian::admincenter {
namespace {

using custodian::testing::AdminCenterProcess;

using CliRun = custodian::testing::CommandRun;

CliRun Verify(const std::string& file, const std::string& extra = "") {
  return custodian::testing::RunCommand(std::string(CUSTODIAN_BINARY) + " audit verify " + extra +
                                        " " + file);
}

class AuditVerify : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ac_ = new AdminCenterProcess("verify");
    for (int i = 0; i < 6; ++i) {
      ac_->Request("POST", "/v1/groups", ac_->master_token(),
                   R"({"id":"g-v)" + std::to_string(i) + R"(","name":"V"})");
    }
    // Quotes, backslashes and non-ASCII text (names allow no control
    // characters) survive the export's own JSON writer with their hashes
    // intact; a refused path brings control characters in.
    EXPECT_EQ(ac_->Request("POST", "/v1/groups", ac_->master_token(),
                           R"({"id":"g-odd","name":"Q\"uote \\ back / Grüße 😀 \u2028"})")
                  .status,
              201u);
    EXPECT_EQ(ac_->Request("GET", "/v1/groups/%1b%5b31m%0a%09%01", std::nullopt).status, 401u);
    // An auditor's checkpoint, kept outside the admin center.
    checkpoint_ = ac_->Request("GET", "/v1/audit/checkpoint", ac_->master_token()).body;
    const std::string body = ac_->Request("GET", "/v1/audit/events", ac_->master_token()).body;
    std::istringstream in(body);
    for (std::string line; std::getline(in, line);) lines_.push_back(line);
    public_key_ = web::json::value::parse(lines_.back()).at("trailer").at("public_key").as_string();
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
  static std::string checkpoint_;
  int files_ = 0;
};
AdminCenterProcess* AuditVerify::ac_ = nullptr;
std::vector<std::string> AuditVerify::lines_;
std::string AuditVerify::public_key_;
std::string AuditVerify::checkpoint_;

// What an attacker holding the database and the signing key can do: change
// an event, recompute every hash after it, keep the first `keep` events
// and sign a new trailer.
std::vector<std::string> Rewrite(const std::vector<std::string>& lines, std::size_t keep,
                                 const std::string& signing_key_pem) {
  std::vector<std::string> out;
  std::string prev = audit::kGenesisHash;
  for (std::size_t i = 0; i < keep; ++i) {
    web::json::value e = web::json::value::parse(lines[i]);
    if (i == 2) e["target"] = web::json::value::string("rewritten");
    e["prev_hash"] = web::json::value::string(prev);
    prev = audit::RecordHash(e);
    e["hash"] = web::json::value::string(prev);
    out.push_back(e.serialize());
  }
  web::json::value trailer = web::json::value::parse(lines.back());
  web::json::value& t = trailer["trailer"];
  t["count"] = web::json::value::number(static_cast<int64_t>(keep));
  t["last_seq"] = web::json::value::number(static_cast<int64_t>(keep));
  t["last_hash"] = web::json::value::string(prev);
  t["chain"]["seq"] = web::json::value::number(static_cast<int64_t>(keep));
  t["chain"]["hash"] = web::json::value::string(prev);
  t["signature"] = web::json::value::string(
      crypto::Base64(*crypto::SignEd25519(signing_key_pem, audit::SignedBytes(t))));
  out.push_back(trailer.serialize());
  return out;
}

TEST_F(AuditVerify, HeldCheckpointsCatchARewrittenHistory) {
  const std::string held = (ac_->dir() / "held-checkpoint.json").string();
  std::ofstream(held) << checkpoint_;
  const int64_t seq = web::json::value::parse(checkpoint_).at("seq").as_number().to_int64();
  ASSERT_EQ(seq, static_cast<int64_t>(lines_.size() - 1));  // taken just before the export
  {                                                         // the admin center keeps what it signed
    SQLite::Database db(ac_->data_dir() + "/admincenter.db", SQLite::OPEN_READONLY);
    SQLite::Statement q(db, "SELECT signature FROM audit_checkpoints WHERE seq = ?");
    q.bind(1, seq);
    ASSERT_TRUE(q.executeStep());
    EXPECT_EQ(q.getColumn(0).getString(),
              web::json::value::parse(checkpoint_).at("signature").as_string());
  }

  const CliRun intact = Verify(Write(lines_), "--checkpoint " + held);
  EXPECT_EQ(intact.exit_code, 0) << intact.output;
  EXPECT_NE(intact.output.find("consistent with 1 held checkpoint"), std::string::npos);

  const std::string key = *ReadFile(ac_->data_dir() + "/signing-key.pem");
  const auto rewritten = Write(Rewrite(lines_, lines_.size() - 1, key));
  // The re-signed chain is consistent in itself: only the held checkpoint
  // shows that it is not the chain signed earlier.
  EXPECT_EQ(Verify(rewritten, "--public-key " + public_key_).exit_code, 0);
  const CliRun caught = Verify(rewritten, "--checkpoint " + held);
  EXPECT_EQ(caught.exit_code, 1) << caught.output;
  EXPECT_NE(caught.output.find("the history was rewritten"), std::string::npos) << caught.output;

  const auto shortened = Write(Rewrite(lines_, lines_.size() - 3, key));
  EXPECT_EQ(Verify(shortened).exit_code, 0);
  const CliRun cut = Verify(shortened, "--checkpoint " + held);
  EXPECT_EQ(cut.exit_code, 1) << cut.output;
  EXPECT_NE(cut.output.find("events were removed"), std::string::npos) << cut.output;

  std::ofstream(held + ".bad") << R"({"seq":1})";
  EXPECT_EQ(Verify(Write(lines_), "--checkpoint " + held + ".bad").exit_code, 1);
  std::ofstream(held + ".garbage") << "not json";
  EXPECT_EQ(Verify(Write(lines_), "--checkpoint " + held + ".garbage").exit_code, 2);
}

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
  // A group's creation in the middle of the chain, renamed after the fact
  // (which line it is depends on when bundles were published around it).
  const auto named = std::find_if(edited.begin() + 2, edited.end() - 1, [](const std::string& l) {
    return l.find("\"V\"") != std::string::npos;
  });
  ASSERT_NE(named, edited.end() - 1);
  named->replace(named->find("\"V\""), 3, "\"W\"");
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

// A file that is no JSON Lines export at all (the CSV or CEF export, some
// other JSON) is bad input (2) that names what it expected, not a
// tampered export (1). An empty file stays "truncated".
TEST_F(AuditVerify, AFileThatIsNoExportIsBadInputNotTampering) {
  const std::string& m = ac_->master_token();
  for (const std::string& other : {ac_->Request("GET", "/v1/audit/events?format=csv", m).body,
                                   ac_->Request("GET", "/v1/audit/events?format=cef", m).body,
                                   std::string(R"({"a":1})"), std::string("not json at all")}) {
    const CliRun r = Verify(Write({other}));
    EXPECT_EQ(r.exit_code, 2) << other.substr(0, 80) << "\n" << r.output;
    EXPECT_NE(r.output.find("not a JSON Lines audit export"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("NOT intact"), std::string::npos) << r.output;
  }
  EXPECT_EQ(Verify(Write({})).exit_code, 1);
}

// A filtered export and a held checkpoint of an event it leaves out: the
// checkpoint cannot be checked, and the verdict says so instead of
// counting it as consistent.
TEST_F(AuditVerify, ACheckpointOutsideAFilteredExportIsNamedAsNotChecked) {
  const std::string& m = ac_->master_token();
  const std::string held = (ac_->dir() / "outside-checkpoint.json").string();
  std::ofstream(held) << checkpoint_;
  // The chain moves past the checkpoint, and the export keeps only the
  // group creations (the checkpoint's head is another event).
  ASSERT_EQ(ac_->Request("POST", "/v1/groups", m, R"({"id":"g-later","name":"Later"})").status,
            201u);
  const std::string filtered = ac_->Request("GET", "/v1/audit/events?action=group.create", m).body;
  const CliRun r = Verify(Write({filtered}), "--checkpoint " + held);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("cannot be checked"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("consistent with"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace custodian::admincenter
