// Appends N synthetic events to an admin center database's audit chain (for
// the export benchmark), 10,000 per transaction, through the same code the
// server uses.
//
//   fill_audit DATA_DIR/admincenter.db N
#include <chrono>
#include <iostream>

#include "admincenter/audit.h"
#include "admincenter/storage.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: fill_audit DB N\n";
    return 2;
  }
  std::string error;
  auto db = custodian::admincenter::OpenStorage(argv[1], false, &error);
  if (!db) {
    std::cerr << error << "\n";
    return 1;
  }
  const long n = std::stol(argv[2]);
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  for (long done = 0; done < n;) {
    db->Write([&](custodian::admincenter::Repositories& tx) {
      for (int i = 0; i < 10000 && done < n; ++i, ++done) {
        custodian::admincenter::AuditEvent e;
        e.actor_kind = "admin";
        e.actor_id = "p-bench";
        e.action = "group.update";
        e.target = "group:g-" + std::to_string(done % 500);
        e.outcome = "success";
        e.details["patch"] =
            web::json::value::parse(R"({"name":"Group )" + std::to_string(done) + R"("})");
        custodian::admincenter::AppendAudit(tx.audit(), e, now);
      }
      return true;
    });
  }
  return 0;
}
