// KeyRepository on SQLite.
#include <SQLiteCpp/Statement.h>

#include "admincenter/storage/sqlite.h"

namespace custodian::admincenter {
namespace {

class SqliteKeys : public KeyRepository {
 public:
  explicit SqliteKeys(SQLite::Database& db) : db_(db) {}

  std::vector<KeyRecord> Keys() override {
    SQLite::Statement q(
        db_, std::string("SELECT ") + kColumns + " FROM signing_keys ORDER BY created_at, rowid");
    std::vector<KeyRecord> out;
    while (q.executeStep()) out.push_back(Read(q));
    return out;
  }

  std::optional<KeyRecord> Key(const std::string& key_id) override {
    SQLite::Statement q(db_,
                        std::string("SELECT ") + kColumns + " FROM signing_keys WHERE key_id = ?");
    q.bind(1, key_id);
    if (!q.executeStep()) return std::nullopt;
    return Read(q);
  }

  void Activate(const KeyRecord& key) override {
    db_.exec("UPDATE signing_keys SET state = 'listed' WHERE state = 'active'");
    SQLite::Statement q(db_,
                        "INSERT INTO signing_keys (key_id, public_key, file, state, created_at) "
                        "VALUES (?, ?, ?, 'active', ?)");
    q.bind(1, key.key_id);
    q.bind(2, key.public_key);
    q.bind(3, key.file);
    q.bind(4, key.created_at);
    q.exec();
  }

  void Retire(const std::string& key_id, policy::Instant at) override {
    SQLite::Statement u(db_,
                        "UPDATE signing_keys SET state = 'retired', retired_at = ? "
                        "WHERE key_id = ?");
    u.bind(1, policy::FormatRfc3339(at));
    u.bind(2, key_id);
    u.exec();
  }

 private:
  static constexpr const char* kColumns = "key_id, public_key, file, state, created_at, retired_at";

  static KeyRecord Read(SQLite::Statement& q) {
    KeyRecord k{q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getString(),
                q.getColumn(3).getString(), q.getColumn(4).getString(), std::nullopt};
    if (!q.getColumn(5).isNull()) k.retired_at = q.getColumn(5).getString();
    return k;
  }

  SQLite::Database& db_;
};

}  // namespace

std::unique_ptr<KeyRepository> SqliteKeyRepository(SQLite::Database& db) {
  return std::make_unique<SqliteKeys>(db);
}

}  // namespace custodian::admincenter
