// Acknowledged writes survive kill -9 (DESIGN.md §8): a client creates
// groups as fast as it can while the server is killed with SIGKILL again and
// again. After a restart every acknowledged group is there exactly once with
// exactly one audit event, the database passes PRAGMA integrity_check and the
// exported audit chain verifies.
#include <SQLiteCpp/Database.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "common/audit_chain.h"
#include "support/admincenter_process.h"

namespace custodian::admincenter {
namespace {

using custodian::testing::AdminCenterProcess;

constexpr int kKills = 10;

TEST(Durability, AcknowledgedEditsSurviveSigkill) {
  AdminCenterProcess ac("durability");
  std::vector<std::string> acknowledged;
  int next = 0;
  std::mt19937 rng(12345);
  for (int round = 0; round < kKills; ++round) {
    if (round > 0) ac.Start();
    std::atomic<bool> stop{false};
    std::thread client([&] {
      while (!stop) {
        const std::string id = "g-d" + std::to_string(next++);
        auto r = ac.TryRequest("POST", "/v1/groups", ac.master_token(),
                               R"({"id":")" + id + R"(","name":")" + id + R"("})");
        if (r.status == 201) {
          acknowledged.push_back(id);
        } else if (r.status == 0) {
          break;  // the server died under this request: not acknowledged
        } else {
          ADD_FAILURE() << r.status << " " << r.body;
          break;
        }
      }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 300));
    const int status = ac.Kill(SIGKILL);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    stop = true;
    client.join();
  }
  ac.Start();
  ASSERT_GT(acknowledged.size(), static_cast<std::size_t>(kKills)) << "the client made no progress";

  // Every acknowledged group is present.
  const auto groups = ac.Request("GET", "/v1/groups", ac.master_token()).json().at("items");
  std::set<std::string> present;
  for (std::size_t i = 0; i < groups.size(); ++i) present.insert(groups.at(i).at("id").as_string());
  for (const std::string& id : acknowledged) EXPECT_TRUE(present.contains(id)) << id;

  // Each present group has exactly one creation event, and the chain verifies.
  const std::string jsonl = ac.Request("GET", "/v1/audit/events", ac.master_token()).body;
  std::map<std::string, int> creations;
  std::istringstream lines(jsonl);
  for (std::string line; std::getline(lines, line);) {
    const auto v = web::json::value::parse(line);
    if (v.has_field("action") && v.at("action").as_string() == "group.create") {
      ++creations[v.at("target").as_string()];
    }
  }
  for (const std::string& id : present) EXPECT_EQ(creations["group:" + id], 1) << id;
  EXPECT_EQ(creations.size(), present.size());
  std::istringstream export_stream(jsonl);
  const audit::VerifyReport report = audit::VerifyJsonl(export_stream, {});
  EXPECT_TRUE(report.ok) << (report.problems.empty() ? "" : report.problems.front());
  EXPECT_TRUE(report.complete);

  SQLite::Database db(ac.data_dir() + "/admincenter.db", SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA integrity_check").getString(), "ok");
  std::cout << "[ durability ] " << acknowledged.size() << " acknowledged edits across " << kKills
            << " SIGKILLs, all present\n";
}

}  // namespace
}  // namespace custodian::admincenter
