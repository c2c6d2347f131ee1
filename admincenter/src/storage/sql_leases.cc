// LeaseRepository on SQL (storage/sql.h).
#include "admincenter/storage/sql.h"

namespace custodian::admincenter {
namespace {

class SqlLeases : public LeaseRepository {
 public:
  explicit SqlLeases(sql::Connection& db) : db_(db) {}

  bool Acquire(const std::string& name, const std::string& holder, policy::Instant now,
               std::chrono::seconds term) override {
    // RFC 3339 text in UTC orders as the instants do.
    auto q = db_.Prepare(
        "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (name) DO UPDATE SET holder = ?2, expires_at = ?3 "
        "WHERE leases.holder = ?2 OR leases.expires_at <= ?4");
    sql::BindAll(*q, name, holder, policy::FormatRfc3339(now + term), policy::FormatRfc3339(now));
    return q->Run() == 1;
  }

 private:
  sql::Connection& db_;
};

}  // namespace

std::unique_ptr<LeaseRepository> SqlLeaseRepository(sql::Connection& db) {
  return std::make_unique<SqlLeases>(db);
}

}  // namespace custodian::admincenter
