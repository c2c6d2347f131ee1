// The PostgreSQL engine's own contract, on a real server: migrations that
// replicas starting together apply once, a database newer than the binary
// or never initialised refused, and a statement's failure a StorageError.
#include <gtest/gtest.h>

#include <future>

#include "admincenter/storage/postgres.h"
#include "schema/migrations.h"
#include "support/postgres.h"

namespace custodian::admincenter {
namespace {

int Newest() { return schema::AdmincenterPostgresMigrations().back().version; }

TEST(PostgresDatabase, ReplicasStartingTogetherMigrateOnce) {
  testing::PostgresScratch db;
  std::vector<std::future<std::string>> starts;
  for (int i = 0; i < 4; ++i) {
    starts.push_back(std::async(std::launch::async, [&] {
      std::string error;
      auto opened = PostgresDatabase::Open(db.url(), true, &error);
      return opened ? std::to_string(opened->schema_version()) : error;
    }));
  }
  for (auto& s : starts) EXPECT_EQ(s.get(), std::to_string(Newest()));
  std::string error;
  auto again = PostgresDatabase::Open(db.url(), false, &error);
  ASSERT_NE(again, nullptr) << error;
  EXPECT_EQ(again->ReadSchemaVersion(), Newest());
}

TEST(PostgresDatabase, ANewerOrUninitialisedDatabaseIsRefusedUntouched) {
  testing::PostgresScratch db;
  std::string error;
  EXPECT_EQ(PostgresDatabase::Open(db.url(), false, &error), nullptr);
  EXPECT_NE(error.find("not initialised"), std::string::npos) << error;
  {
    auto opened = PostgresDatabase::Open(db.url(), true, &error);
    ASSERT_NE(opened, nullptr) << error;
    opened->Write([](sql::Connection& c) {
      c.Execute("UPDATE custodian_schema SET version = 999");
      return true;
    });
  }
  EXPECT_EQ(PostgresDatabase::Open(db.url(), false, &error), nullptr);
  EXPECT_NE(error.find("schema version 999, newer than this binary"), std::string::npos) << error;
  // The password never shows in what is said about the database.
  EXPECT_EQ(RedactUrl("postgresql://app:s3cret@db.example:5432/custodian"),
            "postgresql://app@db.example:5432/custodian");
  EXPECT_EQ(RedactUrl("postgresql://db.example/custodian?user=app"),
            "postgresql://db.example/custodian?user=app");
}

TEST(PostgresDatabase, AServerThatDoesNotAnswerIsAClearError) {
  std::string error;
  // A port nothing listens on (the tests' server is elsewhere).
  EXPECT_EQ(PostgresDatabase::Open("postgresql://custodian:pw@127.0.0.1:1/x", true, &error),
            nullptr);
  EXPECT_NE(error.find("postgresql://custodian@127.0.0.1:1/x"), std::string::npos) << error;
  EXPECT_NE(error.find("cannot connect"), std::string::npos) << error;
  EXPECT_EQ(error.find("pw@"), std::string::npos) << error;
}

}  // namespace
}  // namespace custodian::admincenter
