// The end-to-end workflows' promises across both daemons: they speak one
// vocabulary, a crash keeps what was acknowledged and wipes what lived in
// memory, and the secret canary: one unique password goes through every
// flow that takes one, and afterwards it is nowhere — not in logs, audit
// exports, either database or its WAL (SQLite's, or the replicas'
// PostgreSQL cluster), nor any file of the state directories — in clear,
// UTF-16LE, base64 (any alignment) or hex.
#include <gtest/gtest.h>

#include "workflows/workflows_fixture.h"

namespace custodian::testing {
namespace {

using web::json::value;

TEST_F(Workflows, EveryWorkflowEventAndStateEitherSideRecordsIsTheSharedVocabularys) {
  auto e = Enforcer("pc-words", "windows");
  const std::string session = OpenSession(*e, "applet", R"(,"screen_viewing":false)");
  EXPECT_EQ(Tech("PATCH", "/v1/sessions/" + session, R"({"screen_viewing":true})").status, 200u);
  // Unattended access: approved, connected after one wrong password, revoked.
  const std::string request =
      RequestUnattended(session, "at_connection", R"({"kind":"days","days":3})")
          .at("id")
          .as_string();
  const std::string grant = Approve(*e, request, "{}");
  const std::string connection = Connect(grant);
  CentralState("/v1/connections", connection, "awaiting_credentials");
  EXPECT_EQ(e->Local("POST", "/v1/connections/" + connection + "/credentials",
                     R"({"user_name":"administrator","password":"wrong"})")
                .status,
            403u);
  EXPECT_EQ(e->Local("POST", "/v1/connections/" + connection + "/credentials",
                     R"({"user_name":"administrator","password":")" + std::string(kAdminPassword) +
                         R"("})")
                .status,
            200u);
  CentralState("/v1/connections", connection, "active");
  EXPECT_EQ(Tech("POST", "/v1/grants/" + grant + "/revoke").status, 200u);
  CentralState("/v1/connections", connection, "ended");
  // Denied by the customer.
  const std::string denied =
      RequestUnattended(session, "at_connection", R"({"kind":"days","days":1})")
          .at("id")
          .as_string();
  Prompt(*e, denied);
  EXPECT_EQ(e->Local("POST", "/v1/prompts/" + denied + "/deny").status, 200u);
  CentralState("/v1/unattended-requests", denied, "denied");
  // Windows credentials: stored, applied, revoked, refused to apply.
  const std::string credentials = StoredCredentials(*e, session);
  EXPECT_EQ(
      Tech("POST", "/v1/sessions/" + session + "/credentials/apply", R"({"operation":"unlock"})")
          .status,
      201u);
  EXPECT_TRUE(Eventually([&] {
    return ac_->Request("GET", "/v1/audit/events?action=credentials.applied", ac_->master_token())
               .body.find(session) != std::string::npos;
  }));
  EXPECT_EQ(e->Local("POST", "/v1/sessions/" + session + "/credentials/revoke").status, 200u);
  CentralState("/v1/credential-requests", credentials, "revoked");
  EXPECT_EQ(Tech("POST", "/v1/sessions/" + session + "/end").status, 200u);
  CentralState("/v1/sessions", session, "ended");
  Eventually([&] { return e->Status().at("events_unsent").as_integer() == 0; });

  using policy::workflow::Side;
  std::set<std::string> seen;
  std::istringstream lines(
      ac_->Request("GET", "/v1/audit/events?format=jsonl", ac_->master_token()).body);
  for (std::string line; std::getline(lines, line);) {
    const value ev = value::parse(line);
    if (!ev.has_field("action")) continue;  // the trailer
    const std::string action = ev.at("action").as_string();
    const std::string prefix = action.substr(0, action.find('.'));
    if (prefix != "session" && prefix != "unattended" && prefix != "grant" &&
        prefix != "connection" && prefix != "credentials") {
      continue;
    }
    const auto event = policy::workflow::ParseEvent(action);
    ASSERT_TRUE(event) << action << " is no event of policy/workflow.h";
    const bool by_endpoint = ev.at("actor").at("kind").as_string() == "endpoint";
    EXPECT_EQ(policy::workflow::SideOf(*event), by_endpoint ? Side::kEndpoint : Side::kAdminCenter)
        << action;
    seen.insert(action);
  }
  EXPECT_GE(seen.size(), 20u);
  for (const char* expected : {"credentials.applied", "connection.credentials_rejected",
                               "unattended.request_denied", "grant.revoked", "session.updated"}) {
    EXPECT_TRUE(seen.contains(expected)) << expected;
  }
  const std::pair<const char*, policy::workflow::Entity> lists[] = {
      {"/v1/sessions", policy::workflow::Entity::kSession},
      {"/v1/unattended-requests", policy::workflow::Entity::kUnattendedRequest},
      {"/v1/grants", policy::workflow::Entity::kGrant},
      {"/v1/connections", policy::workflow::Entity::kConnection},
      {"/v1/credential-requests", policy::workflow::Entity::kCredentialRequest}};
  for (const auto& [list, entity] : lists) {
    const auto states = policy::workflow::StatesOf(entity);
    const value items = Tech("GET", list).json().at("items");  // held: a temporary would die
    for (const value& item : items.as_array()) {
      const auto state = policy::workflow::ParseState(item.at("state").as_string());
      ASSERT_TRUE(state) << list << ": " << item.serialize();
      EXPECT_NE(std::find(states.begin(), states.end(), *state), states.end())
          << list << ": " << item.serialize();
    }
  }
  // The endpoint's own record of the same words.
  const value connections = e->Local("GET", "/v1/overview").json().at("connections");
  for (const value& c : connections.as_array()) {
    EXPECT_TRUE(policy::workflow::ParseState(c.at("state").as_string())) << c.serialize();
  }
}

// kill -9 of the enforcer: what it acknowledged survives (the grant, its
// sealed at_setup credentials under the machine key), what lived only in
// its memory does not (session credentials), and both are reported.
TEST_F(Workflows, AnEnforcerCrashKeepsGrantsAndWipesSessionCredentials) {
  auto e = Enforcer("pc-crash", "windows");
  const std::string session = OpenSession(*e, "applet", R"(,"screen_viewing":true)");
  const std::string request =
      RequestUnattended(session, "at_setup", R"({"kind":"days","days":7})").at("id").as_string();
  const std::string grant =
      Approve(*e, request, std::string(R"({"user_name":"anna","password":")") + kCanary + "\"}");
  const std::string creds = StoredCredentials(*e, session);
  e->Kill(SIGKILL);
  e->Start();
  CentralState("/v1/credential-requests", creds, "wiped");
  HttpResult apply =
      Tech("POST", "/v1/sessions/" + session + "/credentials/apply", R"({"operation":"unlock"})");
  EXPECT_EQ(apply.status, 403u) << apply.body;
  // The grant and its sealed credentials are still there.
  const std::string connection = Connect(grant);
  CentralState("/v1/connections", connection, "active");
  EXPECT_NE(OsActions().find("logon anna HOME " + Sha256Hex(kCanary)), std::string::npos);
}

// The secret canary: one password through every flow that takes one — the
// customer's at_setup approval and the logon it allows, administrator
// credentials at an at_connection connect, session credentials stored,
// applied and revoked — then looked for in every file both daemons left:
// logs, audit exports in all formats, both databases and their WAL files,
// the state directories; while running and after they stopped.
// How often `needle` occurs in the readable memory of process `pid`
// (/proc/PID/maps and /proc/PID/mem; the test runs as the same user).
std::size_t CopiesInMemory(pid_t pid, const std::string& needle) {
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  const int mem = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY);
  std::size_t copies = 0;
  for (std::string line; std::getline(maps, line);) {
    unsigned long start = 0, end = 0;
    char perms[5] = {};
    if (std::sscanf(line.c_str(), "%lx-%lx %4s", &start, &end, perms) != 3 || perms[0] != 'r') {
      continue;
    }
    if (line.find("[vvar]") != std::string::npos || line.find("[vsyscall]") != std::string::npos) {
      continue;
    }
    // Sanitizer shadow memory: terabytes reserved, never a heap or a stack.
    if (end - start > (1UL << 30)) continue;
    std::string region(end - start, '\0');
    const ssize_t n = ::pread(mem, region.data(), region.size(), static_cast<off_t>(start));
    if (n <= 0) continue;
    region.resize(static_cast<std::size_t>(n));
    for (auto at = region.find(needle); at != std::string::npos; at = region.find(needle, at + 1)) {
      ++copies;
    }
  }
  ::close(mem);
  return copies;
}

// Finding 17: the customer's password is read into locked, wiped memory and
// nowhere else; no copy lingers in the enforcer once it has answered, nor
// after the customer revoked it.
TEST_F(Workflows, TheCustomersPasswordLeavesNoCopyInTheEnforcersMemory) {
  auto e = Enforcer("pc-memory", "windows");
  const std::string session = OpenSession(*e, "applet", R"(,"screen_viewing":true)");
  const std::string setup =
      RequestUnattended(session, "at_setup", R"({"kind":"days","days":7})").at("id").as_string();
  Approve(*e, setup, std::string(R"({"user_name":"anna","password":")") + kCanary + "\"}");
  EXPECT_EQ(CopiesInMemory(e->pid(), kCanary), 0u) << "after approving with credentials";
  StoredCredentials(*e, session);
  EXPECT_EQ(CopiesInMemory(e->pid(), kCanary), 0u) << "while credentials are stored";
  e->Local("POST", "/v1/sessions/" + session + "/credentials/revoke");
  EXPECT_EQ(CopiesInMemory(e->pid(), kCanary), 0u) << "after the customer revoked them";
}

TEST_F(Workflows, TheSecretCanaryIsNowhere) {
  auto e = Enforcer("pc-canary", "windows");
  const std::string session = OpenSession(*e, "applet", R"(,"screen_viewing":true)");
  const std::string setup =
      RequestUnattended(session, "at_setup", R"({"kind":"days","days":7})").at("id").as_string();
  const std::string setup_grant =
      Approve(*e, setup, std::string(R"({"user_name":"anna","password":")") + kCanary + "\"}");
  CentralState("/v1/connections", Connect(setup_grant), "active");
  auto [grant, connection] = ActiveConnection(*e, R"({"kind":"days","days":3})");  // kAdminPassword
  const std::string creds = StoredCredentials(*e, session);
  Tech("POST", "/v1/sessions/" + session + "/credentials/apply", R"({"operation":"unlock"})");
  Eventually([&] { return OsActions().find("unlock anna HOME") != std::string::npos; });
  ASSERT_NE(OsActions().find("unlock anna HOME " + Sha256Hex(kCanary)), std::string::npos);
  e->Local("POST", "/v1/sessions/" + session + "/credentials/revoke");
  CentralState("/v1/credential-requests", creds, "revoked");
  Tech("POST", "/v1/grants/" + setup_grant + "/revoke");
  CentralState("/v1/grants", setup_grant, "revoked");
  // Exports in every format, kept beside the logs and databases.
  for (const char* format : {"jsonl", "csv", "cef"}) {
    HttpResult r =
        ac_->Request("GET", std::string("/v1/audit/events?format=") + format, ac_->master_token());
    ASSERT_EQ(r.status, 200u);
    ASSERT_NE(r.body.find(connection), std::string::npos);  // the flows are in it
    std::ofstream(ac_->dir() / (std::string("export.") + format)) << r.body;
  }
  const std::string canary = kCanary;
  std::vector<std::pair<std::string, std::string>> needles = {{"clear", canary}};
  std::string utf16;
  for (char c : canary) utf16 += std::string{c, '\0'};
  needles.push_back({"UTF-16LE", utf16});
  std::string hex_lower, hex_upper;
  for (unsigned char c : canary) {
    static const char* lo = "0123456789abcdef";
    static const char* up = "0123456789ABCDEF";
    hex_lower += {lo[c >> 4], lo[c & 15]};
    hex_upper += {up[c >> 4], up[c & 15]};
  }
  needles.push_back({"hex", hex_lower});
  needles.push_back({"HEX", hex_upper});
  // Base64 at each of the three alignments: the groups that hold only the
  // canary's bytes are the same wherever it sits in a longer text.
  for (const std::string& text : {canary, utf16}) {
    for (int shift = 0; shift < 3; ++shift) {
      const std::string b64 = crypto::Base64(std::string(shift, 'x') + text);
      needles.push_back({"base64", b64.substr(4, b64.size() - 8)});
      const std::string url = crypto::Base64Url(std::string(shift, 'x') + text);
      needles.push_back({"base64url", url.substr(4, url.size() - 8)});
    }
  }
  std::set<std::string> kinds;
  auto scan = [&](const char* when) {
    std::size_t files = 0;
    for (const std::filesystem::path& dir : ac_->state_dirs()) {
      const std::size_t before = files;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (!entry.is_regular_file()) continue;
        const std::string name = entry.path().filename().string();
        kinds.insert(name.ends_with("-wal") ? "wal" : name.ends_with(".db") ? "db" : name);
        const std::string content = Slurp(entry.path().string());
        ++files;
        for (const auto& [encoding, needle] : needles) {
          EXPECT_EQ(content.find(needle), std::string::npos)
              << when << ": the canary (" << encoding << ") is in " << entry.path();
        }
      }
      EXPECT_GT(files, before) << when << ": nothing was read in " << dir;
    }
    return files;
  };
  EXPECT_GT(scan("while running"), 20u);
  EXPECT_TRUE(kinds.contains("wal") && kinds.contains("db") && kinds.contains("vault.key") &&
              kinds.contains("export.cef"));
  e.reset();
  ac_->Kill(SIGTERM);
  scan("after stopping");
}

}  // namespace
}  // namespace custodian::testing
