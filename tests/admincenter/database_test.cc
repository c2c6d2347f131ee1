// The admin center's storage in-process: migrations, group commit
// semantics, and configuration parsing.
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "admincenter/config.h"
#include "admincenter/storage/sqlite.h"
#include "common/result.h"
#include "schema/migrations.h"

namespace custodian::admincenter {
namespace {

class TempDb : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("custodian-db-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path() const { return (dir_ / "t.db").string(); }
  std::filesystem::path dir_;
};

int Count(SqliteDatabase& db) {
  return db.Read(
      [](SQLite::Database& c) { return c.execAndGet("SELECT COUNT(*) FROM groups").getInt(); });
}

void InsertGroup(SQLite::Database& c, const std::string& id) {
  SQLite::Statement q(c,
                      "INSERT INTO groups (id, name, document, position, created_at, updated_at) "
                      "VALUES (?, 'n', '{}', 1, 't', 't')");
  q.bind(1, id);
  q.exec();
}

TEST_F(TempDb, MigratesAFreshDatabaseAndRefusesANewerOne) {
  std::string error;
  {
    auto db = SqliteDatabase::Open(path(), true, &error);
    ASSERT_NE(db, nullptr) << error;
    EXPECT_EQ(db->schema_version(), static_cast<int>(schema::AdmincenterMigrations().size()));
    auto again = SqliteDatabase::Open(path(), false, &error);  // idempotent
    ASSERT_NE(again, nullptr) << error;
  }
  {
    SQLite::Database raw(path(), SQLite::OPEN_READWRITE);
    raw.exec("PRAGMA user_version = 999");
  }
  EXPECT_EQ(SqliteDatabase::Open(path(), false, &error), nullptr);
  EXPECT_NE(error.find("newer than this binary"), std::string::npos) << error;
}

TEST_F(TempDb, AMissingDatabaseIsNotCreatedUnlessAsked) {
  std::string error;
  EXPECT_EQ(SqliteDatabase::Open(path(), false, &error), nullptr);
  EXPECT_FALSE(std::filesystem::exists(path()));
}

TEST_F(TempDb, GroupCommitKeepsEachWritesOwnOutcome) {
  std::string error;
  auto db = SqliteDatabase::Open(path(), true, &error);
  ASSERT_NE(db, nullptr) << error;
  constexpr int kThreads = 32;
  std::atomic<int> committed{0}, refused{0}, thrown{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      try {
        Result<int> r = db->Write([&](SQLite::Database& c) -> Result<int> {
          InsertGroup(c, "g" + std::to_string(i));
          if (i % 3 == 1) return Conflict("refused");          // rolled back
          if (i % 3 == 2) throw std::runtime_error("failed");  // rolled back
          return i;
        });
        (r.ok() ? committed : refused)++;
      } catch (const std::runtime_error&) {
        ++thrown;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(committed + refused + thrown, kThreads);
  EXPECT_EQ(Count(*db), committed.load());
  for (int i = 0; i < kThreads; ++i) {
    const bool present = db->Read([&](SQLite::Database& c) {
      SQLite::Statement q(c, "SELECT 1 FROM groups WHERE id = ?");
      q.bind(1, "g" + std::to_string(i));
      return q.executeStep();
    });
    EXPECT_EQ(present, i % 3 == 0) << i;
  }
}

TEST_F(TempDb, AFailedCommitFailsEveryWriteInIt) {
  std::string error;
  auto db = SqliteDatabase::Open(path(), true, &error);
  ASSERT_NE(db, nullptr) << error;
  // A deferred constraint fails only at COMMIT: the write function
  // succeeded, yet its caller must learn that nothing was kept.
  EXPECT_THROW(db->Write([](SQLite::Database& c) {
    c.exec("PRAGMA defer_foreign_keys = ON");
    c.exec(
        "INSERT INTO groups (id, name, parent_id, document, position, created_at, updated_at) "
        "VALUES ('orphan', 'n', 'missing', '{}', 1, 't', 't')");
    return true;
  }),
               SQLite::Exception);
  EXPECT_EQ(Count(*db), 0);
}

TEST(Config, FileEnvironmentAndListenAddresses) {
  Config c;
  auto errors = ApplyConfigFile(R"({"listen":"0.0.0.0:9000","worker_threads":4,"colour":1,
                                    "io_threads":"two"})",
                                c);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(c.listen, "0.0.0.0:9000");
  EXPECT_EQ(c.worker_threads, 4);
  std::string a = "CUSTODIAN_ADMINCENTER_WORKER_THREADS=6",
              b = "CUSTODIAN_ADMINCENTER_LISTEN=[::1]:8443", d = "OTHER=1";
  char* env[] = {a.data(), b.data(), d.data(), nullptr};
  EXPECT_TRUE(ApplyEnvironment(env, c).empty());
  EXPECT_EQ(c.worker_threads, 6);
  auto listen = ParseListen(c.listen);
  ASSERT_TRUE(listen);
  EXPECT_EQ(listen->first, "::1");
  EXPECT_EQ(listen->second, 8443);
  EXPECT_TRUE(IsLoopback(listen->first));
  EXPECT_FALSE(IsLoopback("0.0.0.0"));
  for (const char* bad : {"localhost", "1.2.3.4:", "1.2.3.4:70000", ":80", "host:80"}) {
    EXPECT_FALSE(ParseListen(bad)) << bad;
  }
  EXPECT_TRUE(ApplyConfigFile(R"({"log_level":"warn"})", c).empty());
  EXPECT_EQ(c.log_level, "warn");
  errors = ApplyConfigFile(R"({"log_level":"loud"})", c);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/log_level");
}

}  // namespace
}  // namespace custodian::admincenter
