// KeyRepository on SQL (storage/sql.h).
#include "admincenter/storage/sql.h"

namespace custodian::admincenter {
namespace {

using sql::BindAll;

class SqlKeys : public KeyRepository {
 public:
  explicit SqlKeys(sql::Connection& db) : db_(db) {}

  std::vector<KeyRecord> Keys() override {
    // `position` keeps keys made within one second in the order they were.
    auto q = db_.Prepare(std::string("SELECT ") + kColumns +
                         " FROM signing_keys ORDER BY created_at, position");
    std::vector<KeyRecord> out;
    while (q->Step()) out.push_back(Read(*q));
    return out;
  }

  std::optional<KeyRecord> Key(const std::string& key_id) override {
    auto q = db_.Prepare(std::string("SELECT ") + kColumns + " FROM signing_keys WHERE key_id = ?");
    if (!BindAll(*q, key_id).Step()) return std::nullopt;
    return Read(*q);
  }

  void Activate(const KeyRecord& key) override {
    db_.Execute("UPDATE signing_keys SET state = 'listed' WHERE state = 'active'");
    auto q = db_.Prepare(
        "INSERT INTO signing_keys (key_id, public_key, file, state, created_at, position) "
        "VALUES (?, ?, ?, 'active', ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM signing_keys))");
    BindAll(*q, key.key_id, key.public_key, key.file, key.created_at).Run();
    Announce(db_, {Change::Kind::kKeys, ""});
  }

  void Retire(const std::string& key_id, policy::Instant at) override {
    auto u =
        db_.Prepare("UPDATE signing_keys SET state = 'retired', retired_at = ? WHERE key_id = ?");
    BindAll(*u, policy::FormatRfc3339(at), key_id).Run();
    Announce(db_, {Change::Kind::kKeys, ""});
  }

 private:
  static constexpr const char* kColumns = "key_id, public_key, file, state, created_at, retired_at";

  static KeyRecord Read(const sql::Statement& q) {
    KeyRecord k{q.Text(0), q.Text(1), q.Text(2), q.Text(3), q.Text(4), std::nullopt};
    if (!q.IsNull(5)) k.retired_at = q.Text(5);
    return k;
  }

  sql::Connection& db_;
};

}  // namespace

std::unique_ptr<KeyRepository> SqlKeyRepository(sql::Connection& db) {
  return std::make_unique<SqlKeys>(db);
}

}  // namespace custodian::admincenter
