// Enrolls and runs the real enforcer binary against an AdminCenter
// for integration tests: `enforcer enroll` with a fresh code, then
// `enforcer run`, waiting for its "listening" line to learn the local
// API's port; Local() calls that API with the token from its file.
#pragma once

#include "support/admincenter_process.h"

namespace custodian::testing {

class EnforcerProcess {
 public:
  // `admin_centers`: what `enforcer enroll --admin-center` gets (default:
  // `ac`'s URL; replicas' URLs separated by commas).
  EnforcerProcess(AdminCenter& ac, const std::string& name, const std::string& os,
                  std::vector<std::string> run_args = {"--poll-interval", "1", "--command-wait",
                                                       "5"},
                  const std::string& admin_centers = "")
      : run_args_(std::move(run_args)), dir_(ac.dir() / ("enforcer-" + name)) {
    std::filesystem::create_directories(dir_);
    const std::string code = ac.Request("POST", "/v1/enrollment-codes", ac.master_token(), "{}")
                                 .json()
                                 .at("code")
                                 .as_string();
    const pid_t enroll =
        Spawn({CUSTODIAN_ENFORCER, "enroll", "--admin-center",
               admin_centers.empty() ? ac.url() : admin_centers, "--code", code, "--state-dir",
               state_dir(), "--name", name, "--os", os, "--time-zone", "Europe/Berlin"},
              (dir_ / "enroll.out").string(), (dir_ / "enroll.err").string());
    int status = 0;
    waitpid(enroll, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << Slurp((dir_ / "enroll.err").string());
    id_ = Slurp((dir_ / "enroll.out").string());
    while (!id_.empty() && id_.back() == '\n') id_.pop_back();
    token_ = Slurp(state_dir() + "/local-api-token");
    Start();
  }
  ~EnforcerProcess() { Kill(SIGTERM); }
  pid_t pid() const { return pid_; }

  void Start() {
    log_ = (dir_ / ("run" + std::to_string(++runs_) + ".err")).string();
    std::vector<std::string> args = {CUSTODIAN_ENFORCER, "run", "--state-dir", state_dir()};
    args.insert(args.end(), run_args_.begin(), run_args_.end());
    pid_ = Spawn(args, (dir_ / "run.out").string(), log_);
    const auto m =
        WaitForLogLine(log_, std::regex(R"(listening","detail":"http://127\.0\.0\.1:(\d+))"));
    if (m) {
      port_ = static_cast<uint16_t>(std::stoi((*m)[1]));
      return;
    }
    ADD_FAILURE() << "enforcer did not start: " << Slurp(log_);
  }

  int Kill(int signal) { return StopProcess(pid_, signal); }
  void Signal(int signal) { ::kill(pid_, signal); }

  HttpResult Local(const std::string& method, const std::string& path,
                   const std::string& body = "") {
    return HttpCall("http://127.0.0.1:" + std::to_string(port_), method, path, token_, body);
  }
  web::json::value Status() { return Local("GET", "/v1/status").json(); }

  // Polls the status until `done` holds or `limit` passes.
  template <typename F>
  bool WaitFor(F done, std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < end) {
      const web::json::value s = Status();
      if (s.is_object() && done(s)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  const std::string& id() const { return id_; }
  std::string state_dir() const { return (dir_ / "state").string(); }
  std::string log() const { return Slurp(log_); }
  uint16_t port() const { return port_; }

 private:
  std::vector<std::string> run_args_;
  std::filesystem::path dir_;
  std::string id_, token_, log_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int runs_ = 0;
};

}  // namespace custodian::testing
