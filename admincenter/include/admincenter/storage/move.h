// Moving an admin center from its embedded SQLite file to PostgreSQL
// (`admincenter move-to-postgres`, README "Moving to PostgreSQL"): every
// row, the audit chain with its hashes and checkpoints unchanged, so that
// an export from the new database verifies against checkpoints held from
// the old one. The admin center must be stopped while it runs.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "admincenter/audit_repository.h"

namespace custodian::admincenter {

struct MoveReport {
  std::map<std::string, int64_t> rows;  // per table
  ChainHead head;                       // the audit chain's, the same on both
};

// Copies the database at `sqlite_path` (migrated to the newest version
// first) into the empty PostgreSQL database at `url` (its schema created
// when absent), in one transaction, and checks that every table has every
// row and that the chain's head is the same. Returns nullopt and sets
// `*error` when it cannot; the target is then left as it was.
std::optional<MoveReport> MoveToPostgres(const std::string& sqlite_path, const std::string& url,
                                         std::string* error);

}  // namespace custodian::admincenter
