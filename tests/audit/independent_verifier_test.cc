// docs/audit-format.md is enough to verify an export: an independent
// verifier written from it alone (tests/audit/verify_export.py, Python with
// Debian's python3-cryptography) agrees with `custodian audit verify` on
// intact exports and on every kind of tampering, across a key rotation.
#include <gtest/gtest.h>

#include <fstream>

#include "common/audit_chain.h"
#include "common/crypto.h"
#include "common/files.h"
#include "support/admincenter_process.h"

namespace custodian::admincenter {
namespace {

using custodian::testing::AdminCenterProcess;
using custodian::testing::RunCommand;
using web::json::value;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(IndependentVerifier, AgreesWithCustodianAuditVerifyOnEveryCase) {
  AdminCenterProcess ac("independent");
  const std::string m = ac.master_token();
  for (int i = 0; i < 4; ++i) {
    ac.Request("POST", "/v1/groups", m, R"({"id":"g-i)" + std::to_string(i) + R"(","name":"I"})");
  }
  // Text that exercises the canonical form: escapes, astral characters and
  // key order by UTF-16 units, a raw U+2028.
  ac.Request("POST", "/v1/groups", m,
             R"({"id":"g-odd","name":"Q\"uote \\ \n\t\u0001\u007f \ud83d\ude00 \ufb33 )"
             "\xE2\x80\xA8\"}");
  ac.Request("POST", "/v1/tokens", std::nullopt, R"({"name":"=1+2","password":"x"})");
  const std::string old_checkpoint = ac.Request("GET", "/v1/audit/checkpoint", m).body;
  const std::string old_key = value::parse(old_checkpoint).at("public_key").as_string();
  ASSERT_EQ(ac.Request("POST", "/v1/policy/keys", m).status, 201u);  // rotate
  ac.Request("POST", "/v1/groups", m, R"({"id":"g-after","name":"A"})");
  const std::string new_checkpoint = ac.Request("GET", "/v1/audit/checkpoint", m).body;
  const std::string new_key = value::parse(new_checkpoint).at("public_key").as_string();
  ASSERT_NE(old_key, new_key);
  const std::vector<std::string> whole = Lines(ac.Request("GET", "/v1/audit/events", m).body);
  const std::vector<std::string> filtered =
      Lines(ac.Request("GET", "/v1/audit/events?action=group.create", m).body);
  ASSERT_GE(whole.size(), 10u);

  const std::string held_old = (ac.dir() / "old-checkpoint.json").string();
  const std::string held_new = (ac.dir() / "new-checkpoint.json").string();
  std::ofstream(held_old) << old_checkpoint;
  std::ofstream(held_new) << new_checkpoint;

  struct Case {
    std::string name;
    std::vector<std::string> lines;
    std::string flags;
    int expected;
  };
  std::vector<Case> cases;
  cases.push_back({"intact", whole, "", 0});
  cases.push_back({"intact, both keys pinned, both checkpoints", whole,
                   "--public-key " + old_key + " --public-key " + new_key + " --checkpoint " +
                       held_old + " --checkpoint " + held_new,
                   0});
  cases.push_back({"the old checkpoint's key not pinned", whole,
                   "--public-key " + new_key + " --checkpoint " + held_old, 1});
  cases.push_back({"filtered", filtered, "--public-key " + new_key, 0});
  cases.push_back(
      {"filtered, a checkpoint it cannot check", filtered, "--checkpoint " + held_new, 0});
  auto edited = whole;
  edited[2].replace(edited[2].find("\"action\":\""), 10, "\"action\":\"x");
  cases.push_back({"edited", edited, "", 1});
  auto deleted = whole;
  deleted.erase(deleted.begin() + 3);
  cases.push_back({"deleted", deleted, "", 1});
  auto relabelled = deleted;
  value trailer = value::parse(relabelled.back());
  trailer["trailer"]["complete"] = value::boolean(false);
  trailer["trailer"]["filter"] = value::parse(R"({"action":"group.create"})");
  relabelled.back() = trailer.serialize();
  cases.push_back({"deleted and relabelled filtered", relabelled, "", 1});
  cases.push_back({"no trailer", std::vector<std::string>(whole.begin(), whole.end() - 1), "", 1});
  auto end_cut = std::vector<std::string>(whole.begin(), whole.end() - 3);
  end_cut.push_back(whole.back());
  cases.push_back({"end cut, trailer kept", end_cut, "", 1});
  cases.push_back({"start cut", std::vector<std::string>(whole.begin() + 1, whole.end()), "", 1});
  auto filtered_cut = filtered;
  filtered_cut.erase(filtered_cut.begin());
  cases.push_back({"a line deleted from a filtered export", filtered_cut, "", 1});
  cases.push_back({"a line after the trailer",
                   [&] {
                     auto l = whole;
                     l.push_back(whole[0]);
                     return l;
                   }(),
                   "", 1});
  // Someone with the database and the signing key rewrites event 2 and
  // everything after it, and signs a fresh trailer: consistent in itself,
  // caught only by the checkpoint held from before.
  {
    std::vector<std::string> rewritten;
    std::string prev = audit::kGenesisHash;
    for (std::size_t i = 0; i + 1 < whole.size(); ++i) {
      value e = value::parse(whole[i]);
      if (i == 1) e["target"] = value::string("group:innocent");
      e["prev_hash"] = value::string(prev);
      prev = audit::RecordHash(e);
      e["hash"] = value::string(prev);
      rewritten.push_back(e.serialize());
    }
    value t = value::parse(whole.back());
    t["trailer"]["last_hash"] = value::string(prev);
    t["trailer"]["chain"]["hash"] = value::string(prev);
    const std::string pem =
        *ReadFile(ac.data_dir() + "/keys/" + t.at("trailer").at("key_id").as_string() + ".pem");
    t["trailer"]["signature"] = value::string(
        crypto::Base64(*crypto::SignEd25519(pem, audit::SignedBytes(t.at("trailer")))));
    rewritten.push_back(t.serialize());
    cases.push_back({"rewritten and re-signed", rewritten, "--public-key " + new_key, 0});
    cases.push_back({"rewritten and re-signed, against a held checkpoint", rewritten,
                     "--checkpoint " + held_old, 1});
  }

  int n = 0;
  for (const Case& c : cases) {
    const std::string file = (ac.dir() / ("case-" + std::to_string(++n) + ".jsonl")).string();
    std::ofstream(file, std::ios::binary) << Joined(c.lines);
    const auto ours =
        RunCommand(std::string(CUSTODIAN_BINARY) + " audit verify " + c.flags + " " + file);
    const auto theirs = RunCommand("python3 " + std::string(CUSTODIAN_SOURCE_DIR) +
                                   "/tests/audit/verify_export.py " + c.flags + " " + file);
    EXPECT_EQ(ours.exit_code, c.expected) << c.name << "\n" << ours.output;
    EXPECT_EQ(theirs.exit_code, c.expected) << c.name << "\n" << theirs.output;
  }
}

}  // namespace
}  // namespace custodian::admincenter
