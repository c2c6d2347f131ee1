// The audit log under attack (issue "Integrity under attack", findings 1–4
// and 10), against the real admin center on loopback: text no export can
// carry, events deleted from an export, a database edited underneath the
// server, anonymous floods, and formulas in CSV cells.
#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <fstream>
#include <random>

#include "common/audit_chain.h"
#include "common/canonical_json.h"
#include "common/crypto.h"
#include "common/text.h"
#include "support/admincenter_process.h"
#include "support/raw_http.h"

namespace custodian::admincenter {
namespace {

using custodian::testing::AdminCenterProcess;
using custodian::testing::CommandRun;
using custodian::testing::HttpResult;
using custodian::testing::RawConnection;
using web::json::value;

// The export written to a file and checked by `custodian audit verify`.
CommandRun VerifyExport(AdminCenterProcess& ac, const std::string& body, const std::string& name,
                        const std::string& extra = "") {
  const std::string path = (ac.dir() / (name + ".jsonl")).string();
  std::ofstream(path, std::ios::binary) << body;
  return custodian::testing::RunCommand(std::string(CUSTODIAN_BINARY) + " audit verify " + extra +
                                        " " + path);
}

std::string Export(AdminCenterProcess& ac, const std::string& query = "") {
  HttpResult r = ac.Request("GET", "/v1/audit/events" + query, ac.master_token());
  EXPECT_EQ(r.status, 200u) << r.body;
  return r.body;
}

// A raw HTTP/1.1 exchange; the whole answer as received.
std::string Raw(uint16_t port, const std::string& request) {
  RawConnection c(port);
  EXPECT_TRUE(c.connected());
  c.Send(request);
  return c.ReadAll(std::chrono::seconds(5));
}

unsigned StatusOf(const std::string& answer) {
  return answer.size() > 12 ? static_cast<unsigned>(std::stoi(answer.substr(9, 3))) : 0;
}

std::string EnrolledEndpointToken(AdminCenterProcess& ac, std::string* id) {
  const std::string code = ac.Request("POST", "/v1/enrollment-codes", ac.master_token(), "{}")
                               .json()
                               .at("code")
                               .as_string();
  const value e = ac.Request("POST", "/v1/enroll", std::nullopt,
                             R"({"code":")" + code +
                                 R"(","name":"pc","os":"linux","time_zone":"Europe/Berlin"})")
                      .json();
  *id = e.at("endpoint_id").as_string();
  return e.at("token").as_string();
}

int64_t EventCount(AdminCenterProcess& ac) {
  SQLite::Database db(ac.data_dir() + "/admincenter.db", SQLite::OPEN_READONLY);
  return db.execAndGet("SELECT COUNT(*) FROM audit_events").getInt64();
}

TEST(AuditIntegrity, TextNoExportCouldCarryIsRefusedAtTheEdgeAndExportsStayVerifiable) {
  AdminCenterProcess ac("audit-text");
  // Raw bytes FF FE in an anonymous path: 400 before anything is recorded.
  const std::string bad_path = Raw(ac.port(),
                                   "GET /v1/groups/%ff%fe%00bad HTTP/1.1\r\nHost: x\r\n"
                                   "Connection: close\r\n\r\n");
  EXPECT_EQ(StatusOf(bad_path), 400u) << bad_path;
  EXPECT_EQ(StatusOf(Raw(ac.port(),
                         "GET /v1/groups HTTP/1.1\r\nHost: x\r\nX-Name: \xff\xfe\r\n"
                         "Connection: close\r\n\r\n")),
            400u);
  // Valid UTF-8 with control characters is recorded, escaped in the export.
  EXPECT_EQ(StatusOf(Raw(ac.port(),
                         "GET /v1/groups/%1b[31m%00%e2%80%a8x HTTP/1.1\r\nHost: x\r\n"
                         "Connection: close\r\n\r\n")),
            401u);
  // An endpoint's events with a number JSON cannot hold, or an escape that
  // spells no character: 400 with where.
  std::string id;
  const std::string token = EnrolledEndpointToken(ac, &id);
  value e = value::parse(R"({"seq":1,"id":"ev-1","ts":"2026-11-23T10:00:00Z",
      "actor":{"kind":"customer","id":"local"},"action":"bundle.accepted","target":"bundle:1",
      "outcome":"success","reasons":[],"details":{}})");
  e["prev_hash"] = value::string(audit::kGenesisHash);
  e["hash"] = value::string(audit::RecordHash(e));
  const std::string good = e.serialize();
  std::string huge = good;
  huge.replace(huge.find(R"("details":{})"), 12, R"("details":{"x":1e400})");
  HttpResult r =
      ac.Request("POST", "/v1/endpoints/" + id + "/events", token, R"({"events":[)" + huge + "]}");
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_NE(r.body.find("/events/0/details/x"), std::string::npos) << r.body;
  std::string lone = good;
  lone.replace(lone.find(R"("target":"bundle:1")"), 19, R"("target":"b\udc00")");
  r = ac.Request("POST", "/v1/endpoints/" + id + "/events", token, R"({"events":[)" + lone + "]}");
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_NE(r.body.find("/events/0/target"), std::string::npos) << r.body;
  std::string thrower = good;  // cpprestsdk throws on this escape instead of reporting it
  thrower.replace(thrower.find(R"("target":"bundle:1")"), 19, R"("target":"\ud800\u0041")");
  r = ac.Request("POST", "/v1/endpoints/" + id + "/events", token,
                 R"({"events":[)" + thrower + "]}");
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_EQ(
      ac.Request("POST", "/v1/endpoints/" + id + "/events", token, R"({"events":[)" + good + "]}")
          .status,
      200u);

  const std::string body = Export(ac);
  EXPECT_NE(body.find("\\u001b[31m\\u0000\xE2\x80\xA8x"), std::string::npos) << body;
  const CommandRun v = VerifyExport(ac, body, "text");
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_NE(v.output.find("the whole chain"), std::string::npos) << v.output;
}

// Random bytes in paths, header values, names and event details: whatever
// the server accepted, the export verifies.
TEST(AuditIntegrity, RandomBytesAnywhereNeverMakeAnExportFailToVerify) {
  AdminCenterProcess ac("audit-random");
  std::mt19937 rng(1201);
  auto bytes = [&](int n) {
    std::string s;
    for (int i = 0; i < n; ++i)
      s += static_cast<char>(std::uniform_int_distribution<int>(0, 255)(rng));
    return s;
  };
  auto percent = [](const std::string& s) {
    static const char* kHex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    return out;
  };
  // Mostly valid UTF-8 of every kind, sometimes broken.
  auto mixed = [&](int n) {
    static const std::vector<std::string> pieces = {
        "a", "\x1b",     "\x7f", "\xE2\x80\xA8", "\xF0\x9F\x98\x80", "\"", "\\", "\n",
        "=", "\xC2\x9B", "\0",   "\xff"};
    std::string s;
    for (int i = 0; i < n; ++i) s += pieces[std::uniform_int_distribution<std::size_t>(0, 11)(rng)];
    return s;
  };
  std::string id;
  const std::string endpoint = EnrolledEndpointToken(ac, &id);
  std::string prev = audit::kGenesisHash;
  int64_t seq = 0;
  for (int i = 0; i < 120; ++i) {
    const std::string token = i % 3 == 0 ? "Authorization: Bearer " + bytes(8) + "\r\n" : "";
    Raw(ac.port(), "GET /v1/groups/" + percent(i % 2 ? bytes(12) : mixed(6)) +
                       " HTTP/1.1\r\nHost: x\r\n" + token + "X-Junk: " + mixed(5) +
                       "\r\nConnection: close\r\n\r\n");
    // Names and details go through JSON: escape what must be, keep the rest.
    std::string name = mixed(8);
    std::string json_name;
    AppendCanonicalString(name, json_name);
    ac.Request("POST", "/v1/tokens", std::nullopt,
               R"({"name":)" + json_name + R"(,"password":"x"})");
    ac.Request("POST", "/v1/groups", ac.master_token(),
               R"({"id":"g-r)" + std::to_string(i) + R"(","name":)" + json_name + "}");
    if (text::IsValidUtf8(name)) {
      value e = value::object();
      e["seq"] = value::number(++seq);
      e["id"] = value::string("ev-r" + std::to_string(i));
      e["ts"] = value::string("2026-11-23T10:00:00Z");
      e["actor"] = value::parse(R"({"kind":"customer","id":"local"})");
      e["action"] = value::string("bundle.accepted");
      e["target"] = value::string(name);
      e["outcome"] = value::string("success");
      e["reasons"] = value::array();
      e["details"] = value::object();
      e["details"][name] =
          value::number(std::uniform_real_distribution<double>(-1e300, 1e300)(rng));
      e["prev_hash"] = value::string(prev);
      e["hash"] = value::string(audit::RecordHash(e));
      prev = e.at("hash").as_string();
      EXPECT_EQ(ac.Request("POST", "/v1/endpoints/" + id + "/events", endpoint,
                           R"({"events":[)" + e.serialize() + "]}")
                    .status,
                200u);
    }
  }
  const std::string body = Export(ac);
  const CommandRun v = VerifyExport(ac, body, "random");
  EXPECT_EQ(v.exit_code, 0) << v.output;
  // The random text was recorded, not dropped: endpoint events, refusals.
  std::size_t endpoint_events = 0;
  for (std::size_t at = body.find("\"kind\":\"endpoint\""); at != std::string::npos;
       at = body.find("\"kind\":\"endpoint\"", at + 1)) {
    ++endpoint_events;
  }
  EXPECT_GT(endpoint_events, 40u);
  EXPECT_NE(body.find("\"action\":\"authz.denied\""), std::string::npos);
  for (const char* format : {"csv", "cef"}) {
    EXPECT_TRUE(text::IsValidUtf8(Export(ac, std::string("?format=") + format))) << format;
  }
}

// Finding 2: the trailer's signature covers completeness, the filter, the
// first and last seq and the count.
TEST(AuditIntegrity, EventsDeletedFromAnExportCannotPassAsAFilteredExport) {
  AdminCenterProcess ac("audit-delete");
  for (int i = 0; i < 6; ++i) {
    ac.Request("POST", "/v1/groups", ac.master_token(),
               R"({"id":"g-d)" + std::to_string(i) + R"(","name":"D"})");
  }
  std::vector<std::string> lines;
  {
    std::istringstream in(Export(ac));
    for (std::string l; std::getline(in, l);) lines.push_back(l);
  }
  ASSERT_GE(lines.size(), 8u);
  // Delete two events and claim a filtered export.
  std::vector<std::string> cut = lines;
  cut.erase(cut.begin() + 3, cut.begin() + 5);
  value trailer = value::parse(cut.back());
  trailer["trailer"]["complete"] = value::boolean(false);
  cut.back() = trailer.serialize();
  std::string text;
  for (const auto& l : cut) text += l + "\n";
  CommandRun v = VerifyExport(ac, text, "claimed-filtered");
  EXPECT_EQ(v.exit_code, 1) << v.output;
  EXPECT_NE(v.output.find("signature does not verify"), std::string::npos) << v.output;

  // A real filtered export verifies as one; a line deleted from it does not.
  const std::string filtered = Export(ac, "?action=group.create");
  v = VerifyExport(ac, filtered, "filtered");
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_NE(v.output.find("a filtered export"), std::string::npos) << v.output;
  std::string shorter = filtered;
  shorter.erase(0, shorter.find('\n') + 1);
  v = VerifyExport(ac, shorter, "filtered-cut");
  EXPECT_EQ(v.exit_code, 1) << v.output;
  EXPECT_NE(v.output.find("events were removed"), std::string::npos) << v.output;
  // Nor can a whole export's events be relabelled as another filter's.
  std::string relabelled = filtered;
  const std::size_t at = relabelled.find("\"action\":\"group.create\"}");
  ASSERT_NE(at, std::string::npos);
  relabelled.replace(at, 24, "\"action\":\"group.delete\"}");
  EXPECT_EQ(VerifyExport(ac, relabelled, "relabelled").exit_code, 1);
}

// Finding 3: rows edited or deleted underneath the server.
class TamperedDatabase : public ::testing::TestWithParam<std::string> {};

TEST_P(TamperedDatabase, IsReportedLoudlyAndNothingMoreIsSigned) {
  AdminCenterProcess ac("audit-tamper-" + GetParam());
  for (int i = 0; i < 5; ++i) {
    ac.Request("POST", "/v1/groups", ac.master_token(),
               R"({"id":"g-t)" + std::to_string(i) + R"(","name":"T"})");
  }
  ASSERT_EQ(ac.Request("GET", "/v1/audit/checkpoint", ac.master_token()).status, 200u);
  ac.Request("POST", "/v1/groups", ac.master_token(), R"({"id":"g-after","name":"T"})");
  ac.Kill(SIGTERM);
  {
    SQLite::Database db(ac.data_dir() + "/admincenter.db", SQLite::OPEN_READWRITE);
    const std::string& how = GetParam();
    if (how == "edited") {
      db.exec("UPDATE audit_events SET target = 'group:innocent' WHERE seq = 3");
    } else if (how == "deleted_at_the_end") {
      db.exec("DELETE FROM audit_events WHERE seq > (SELECT MAX(seq) - 3 FROM audit_events)");
    } else {
      // What someone with the database but not the signing key can do at
      // best: rewrite an event, recompute every hash after it, and drop
      // the checkpoints that would show it. The file beside the database
      // still names the last one.
      SQLite::Statement q(db, std::string("SELECT seq, id, ts, actor_kind, actor_id, action, "
                                          "target, outcome, reasons, details, prev_hash, hash "
                                          "FROM audit_events ORDER BY seq"));
      std::vector<std::pair<int64_t, std::pair<std::string, std::string>>> rewritten;
      std::string prev = audit::kGenesisHash;
      while (q.executeStep()) {
        audit::EventFields f;
        f.seq = q.getColumn(0).getInt64();
        f.id = q.getColumn(1).getString();
        f.ts = q.getColumn(2).getString();
        f.actor_kind = q.getColumn(3).getString();
        f.actor_id = q.getColumn(4).getString();
        f.action = q.getColumn(5).getString();
        f.target = f.seq == 3 ? "group:innocent" : q.getColumn(6).getString();
        f.outcome = q.getColumn(7).getString();
        f.reasons_json = q.getColumn(8).getString();
        f.details_json = q.getColumn(9).getString();
        f.prev_hash = prev;
        prev = audit::EventHash(f);
        rewritten.push_back({f.seq, {f.target, prev}});
      }
      for (std::size_t i = 0; i < rewritten.size(); ++i) {
        SQLite::Statement u(db,
                            "UPDATE audit_events SET target = ?, prev_hash = ?, hash = ? "
                            "WHERE seq = ?");
        u.bind(1, rewritten[i].second.first);
        u.bind(2, i ? rewritten[i - 1].second.second : std::string(audit::kGenesisHash));
        u.bind(3, rewritten[i].second.second);
        u.bind(4, rewritten[i].first);
        u.exec();
      }
      db.exec("DELETE FROM audit_checkpoints");
    }
  }
  ac.Start();
  const value health = ac.Request("GET", "/healthz", std::nullopt).json();
  EXPECT_EQ(health.at("status").as_string(), "degraded") << health.serialize();
  EXPECT_NE(health.at("audit_chain").as_string().find("broken"), std::string::npos);
  HttpResult cp = ac.Request("GET", "/v1/audit/checkpoint", ac.master_token());
  EXPECT_EQ(cp.status, 503u) << cp.body;
  EXPECT_NE(cp.body.find("does not verify"), std::string::npos) << cp.body;
  EXPECT_EQ(ac.Request("GET", "/v1/audit/events", ac.master_token()).status, 503u);
  EXPECT_EQ(ac.Request("GET", "/v1/audit/events?format=csv", ac.master_token()).status, 200u);
  EXPECT_NE(ac.Request("GET", "/metrics", std::nullopt).body.find("custodian_audit_chain_intact 0"),
            std::string::npos);
  EXPECT_NE(ac.log().find("audit_chain_broken"), std::string::npos) << ac.log();
  // Writes still work and are still recorded; the chain stays unsigned.
  EXPECT_EQ(
      ac.Request("POST", "/v1/groups", ac.master_token(), R"({"id":"g-x","name":"X"})").status,
      201u);
  EXPECT_EQ(ac.Request("GET", "/v1/audit/checkpoint", ac.master_token()).status, 503u);
}

INSTANTIATE_TEST_SUITE_P(AuditIntegrity, TamperedDatabase,
                         ::testing::Values("edited", "deleted_at_the_end",
                                           "rewritten_with_checkpoints_dropped"));

TEST(AuditIntegrity, AnIntactDatabaseStaysIntactAcrossRestarts) {
  AdminCenterProcess ac("audit-restart");
  ac.Request("POST", "/v1/groups", ac.master_token(), R"({"id":"g-r","name":"R"})");
  ac.Kill(SIGTERM);
  ac.Start();
  EXPECT_EQ(ac.Request("GET", "/healthz", std::nullopt).json().at("status").as_string(), "ok");
  ac.Kill(SIGKILL);  // no last seal: the ones before still hold
  ac.Start();
  EXPECT_EQ(ac.Request("GET", "/healthz", std::nullopt).json().at("status").as_string(), "ok");
  EXPECT_EQ(VerifyExport(ac, Export(ac), "restarted").exit_code, 0);
}

// Finding 4: an anonymous flood adds a bounded number of small events;
// authenticated refusals are each recorded.
TEST(AuditIntegrity, AnAnonymousFloodAddsFewSmallEventsAndAuthenticatedRefusalsAllCount) {
  AdminCenterProcess ac("audit-flood");
  const std::string long_path = "/v1/groups/" + std::string(12000, 'a');
  const int64_t before = EventCount(ac);
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(ac.Request("GET", long_path, std::nullopt).status, 401u);
    EXPECT_EQ(ac.Request("GET", "/v1/groups", std::string("not-a-token")).status, 401u);
  }
  EXPECT_LE(EventCount(ac) - before, 2);
  {
    SQLite::Database db(ac.data_dir() + "/admincenter.db", SQLite::OPEN_READONLY);
    EXPECT_LE(
        db.execAndGet("SELECT MAX(LENGTH(CAST(target AS BLOB))) FROM audit_events").getInt64(),
        256);
  }
  const std::string pw = "a long enough password";
  ac.Request("POST", "/v1/auditors", ac.master_token(),
             R"({"name":"una","password":")" + pw + R"("})");
  const std::string una =
      ac.Request("POST", "/v1/tokens", std::nullopt, R"({"name":"una","password":")" + pw + R"("})")
          .json()
          .at("token")
          .as_string();
  const int64_t mid = EventCount(ac);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(ac.Request("POST", "/v1/groups", una, R"({"id":"g-x","name":"X"})").status, 403u);
  }
  EXPECT_EQ(EventCount(ac) - mid, 5);
  // At shutdown the folded refusals are recorded as counts.
  ac.Kill(SIGTERM);
  SQLite::Database db(ac.data_dir() + "/admincenter.db", SQLite::OPEN_READONLY);
  SQLite::Statement q(db,
                      "SELECT SUM(json_extract(details, '$.count')) FROM audit_events "
                      "WHERE action = 'authz.denied_repeated'");
  ASSERT_TRUE(q.executeStep());
  EXPECT_EQ(q.getColumn(0).getInt64(), 398);
}

// Finding 10: no cell of a CSV export is a formula.
TEST(AuditIntegrity, CsvCellsCannotBeFormulas) {
  AdminCenterProcess ac("audit-csv");
  for (const char* name :
       {"=HYPERLINK(\\\"http://x\\\",\\\"y\\\")", "+1", "-2", "@SUM(A1)", "\\tx", "'quoted"}) {
    ac.Request("POST", "/v1/tokens", std::nullopt,
               std::string(R"({"name":")") + name + R"(","password":"x"})");
  }
  const std::string csv = Export(ac, "?format=csv");
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);  // header
  int checked = 0;
  while (std::getline(in, line)) {
    // Each cell starts after a comma (or a quote after a comma).
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] != ',') continue;
      std::size_t c = i + 1;
      if (c < line.size() && line[c] == '"') ++c;
      ASSERT_LT(c, line.size() + 1);
      if (c < line.size()) {
        EXPECT_EQ(std::string("=+-@\t\r").find(line[c]), std::string::npos) << line;
      }
    }
    if (line.find("HYPERLINK") != std::string::npos) {
      EXPECT_NE(line.find(",\"'=HYPERLINK("), std::string::npos) << line;
      ++checked;
    }
    if (line.find("quoted") != std::string::npos) {
      EXPECT_NE(line.find(",''quoted,"), std::string::npos) << line;
    }
  }
  EXPECT_GE(checked, 1);
}

}  // namespace
}  // namespace custodian::admincenter
