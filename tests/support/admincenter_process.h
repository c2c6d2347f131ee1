// Starts the real admincenter binary on a loopback port for integration
// tests: `admincenter init` in a fresh temporary data directory, then
// `admincenter run --listen 127.0.0.1:0`, waiting for its "listening" log
// line to learn the port. A small synchronous HTTP client (cpprestsdk's
// http_client) talks to it.
#pragma once

#include "support/process.h"

namespace custodian::testing {

// What the end-to-end tests need of an admin center, however it is run:
// one process (AdminCenterProcess) or replicas behind a proxy
// (support/replicated_admincenter.h).
class AdminCenter {
 public:
  virtual ~AdminCenter() = default;
  // Where requests go.
  virtual std::string url() const = 0;
  // A folder of the test's for files beside the admin center's own.
  virtual std::filesystem::path dir() const = 0;
  // Every folder the admin center keeps state in, dir() among them.
  virtual std::vector<std::filesystem::path> state_dirs() const { return {dir()}; }
  virtual const std::string& master_token() const = 0;
  // Stops every process of it with `signal`; the first's wait status.
  virtual int Kill(int signal) = 0;

  HttpResult Request(const std::string& method, const std::string& path,
                     const std::optional<std::string>& token, const std::string& body = "",
                     const std::string& content_type = "application/json",
                     const std::map<std::string, std::string>& headers = {}) {
    HttpResult r = TryRequest(method, path, token, body, content_type, headers);
    if (r.status == 0) ADD_FAILURE() << method << " " << path << ": " << r.body;
    return r;
  }

  // As Request, but a failed exchange (status 0, the error in `body`) is
  // not a test failure: for tests that kill the server.
  HttpResult TryRequest(const std::string& method, const std::string& path,
                        const std::optional<std::string>& token, const std::string& body = "",
                        const std::string& content_type = "application/json",
                        const std::map<std::string, std::string>& headers = {}) {
    return HttpCall(url(), method, path, token, body, content_type, headers);
  }
};

class AdminCenterProcess : public AdminCenter {
 public:
  // `init_args` go to `admincenter init` (e.g. --database URL), `run_args`
  // to every `admincenter run`.
  explicit AdminCenterProcess(std::string name, std::vector<std::string> run_args = {},
                              std::vector<std::string> init_args = {})
      : run_args_(std::move(run_args)), dir_(Dir(name)) {
    std::vector<std::string> init = {CUSTODIAN_ADMINCENTER, "init", "--data-dir", data_dir()};
    init.insert(init.end(), init_args.begin(), init_args.end());
    Init(init);
    Start();
  }
  // Another replica of a database that `first` initialised: no init; it
  // runs with `run_args` (the shared database and key directory).
  struct Replica {
    const AdminCenterProcess& first;
  };
  AdminCenterProcess(std::string name, std::vector<std::string> run_args, Replica replica)
      : run_args_(std::move(run_args)), dir_(Dir(name)), token_(replica.first.token_) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Start();
  }

 private:
  static std::filesystem::path Dir(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           ("custodian-" + name + "-" + std::to_string(getpid()));
  }
  void Init(const std::vector<std::string>& init_command) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const pid_t init =
        Spawn(init_command, (dir_ / "init.out").string(), (dir_ / "init.err").string());
    int status = 0;
    waitpid(init, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << Slurp((dir_ / "init.err").string());
    token_ = Slurp((dir_ / "init.out").string());
    while (!token_.empty() && token_.back() == '\n') token_.pop_back();
  }

 public:
  ~AdminCenterProcess() override {
    Kill(SIGTERM);
    std::filesystem::remove_all(dir_);
  }

  // Starts `admincenter run` (again) and waits until it listens.
  void Start() {
    const std::string log = (dir_ / ("run" + std::to_string(++runs_) + ".err")).string();
    std::vector<std::string> args = {CUSTODIAN_ADMINCENTER,
                                     "run",
                                     "--data-dir",
                                     data_dir(),
                                     "--listen",
                                     "127.0.0.1:" + std::to_string(port_)};
    args.insert(args.end(), run_args_.begin(), run_args_.end());
    pid_ = Spawn(args, (dir_ / "run.out").string(), log);
    log_ = log;
    const auto m =
        WaitForLogLine(log, std::regex(R"(listening","detail":"(https?)://127\.0\.0\.1:(\d+))"));
    if (m) {
      scheme_ = (*m)[1];
      port_ = static_cast<uint16_t>(std::stoi((*m)[2]));
      return;
    }
    ADD_FAILURE() << "admincenter did not start: " << Slurp(log);
  }

  // Sends `signal` and waits for the process; returns its wait status.
  int Kill(int signal) override { return StopProcess(pid_, signal); }

  std::string url() const override { return scheme_ + "://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return Slurp(log_); }
  std::string data_dir() const { return (dir_ / "data").string(); }
  const std::string& master_token() const override { return token_; }
  uint16_t port() const { return port_; }
  std::filesystem::path dir() const override { return dir_; }

 private:
  std::vector<std::string> run_args_;
  std::filesystem::path dir_;
  std::string token_;
  std::string scheme_ = "http";
  std::string log_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int runs_ = 0;
};

}  // namespace custodian::testing
