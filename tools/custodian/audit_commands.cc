#include "audit_commands.h"

#include <fstream>
#include <iostream>
#include <memory>

#include "common/audit_chain.h"
#include "common/crypto.h"
#include "common/files.h"
#include "policy_commands.h"

namespace custodian::cli {
namespace {

struct VerifyOptions {
  std::string file;
  std::optional<std::string> public_key;  // base64 raw Ed25519
  std::vector<std::string> checkpoints;   // files, each a signed checkpoint
};

int RunVerify(const VerifyOptions& o) {
  std::optional<std::string> pinned;
  if (o.public_key) {
    pinned = crypto::FromBase64(*o.public_key);
    if (!pinned || pinned->size() != 32) {
      std::cerr << "--public-key: not a base64 Ed25519 public key\n";
      return kExitBadInput;
    }
  }
  std::vector<web::json::value> held;
  for (const std::string& file : o.checkpoints) {
    const std::optional<std::string> text = ReadFile(file);
    std::error_code ec;
    web::json::value c = text ? web::json::value::parse(*text, ec) : web::json::value();
    if (!text || ec || !c.is_object()) {
      std::cerr << file << ": " << (text ? "not a JSON checkpoint" : "cannot be read") << "\n";
      return kExitBadInput;
    }
    held.push_back(std::move(c));
  }
  std::ifstream in(o.file, std::ios::binary);
  if (!in) {
    std::cerr << o.file << ": cannot be read\n";
    return kExitBadInput;
  }
  const audit::VerifyReport r = audit::VerifyJsonl(in, pinned, held);
  for (const std::string& p : r.problems) std::cout << o.file << ": " << p << "\n";
  if (!r.ok) {
    std::cout << o.file << ": NOT intact (" << r.problems.size() << " problem"
              << (r.problems.size() == 1 ? "" : "s") << ")\n";
    return kExitDeny;
  }
  std::cout << o.file << ": intact: " << r.events << " events";
  if (r.events) std::cout << " (" << r.first_seq << " to " << r.last_seq << ")";
  std::cout << ", " << (r.complete ? "the whole chain" : "a filtered export") << ", signed by key "
            << r.key_id << (pinned ? " (pinned)" : " (not pinned)");
  if (!held.empty()) std::cout << ", consistent with " << held.size() << " held checkpoint(s)";
  std::cout << "\n";
  return kExitOk;
}

}  // namespace

void AddAuditCommands(CLI::App& app, int* exit_code) {
  CLI::App* audit = app.add_subcommand("audit", "Audit log exports");
  audit->require_subcommand(1);
  auto verify = std::make_shared<VerifyOptions>();
  CLI::App* cmd = audit->add_subcommand(
      "verify", "Verify a JSON Lines export offline; exit 0 intact, 1 tampered, 2 bad input");
  cmd->add_option("file", verify->file, "Export from GET /v1/audit/events?format=jsonl")
      ->required();
  cmd->add_option("--public-key", verify->public_key,
                  "Require the trailer to be signed by this key (base64, from the admin center)");
  cmd->add_option("--checkpoint", verify->checkpoints,
                  "A checkpoint saved earlier from GET /v1/audit/checkpoint; the export must "
                  "agree with it (repeatable)")
      ->check(CLI::ExistingFile);
  cmd->callback([verify, exit_code] { *exit_code = RunVerify(*verify); });
}

}  // namespace custodian::cli
