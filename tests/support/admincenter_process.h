// Starts the real admincenter binary on a loopback port for integration
// tests: `admincenter init` in a fresh temporary data directory, then
// `admincenter run --listen 127.0.0.1:0`, waiting for its "listening" log
// line to learn the port. A small synchronous HTTP client (cpprestsdk's
// http_client) talks to it.
#pragma once

#include <cpprest/http_client.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace custodian::testing {

struct HttpResult {
  unsigned status = 0;
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> headers;  // names as sent
  web::json::value json() const {
    std::error_code ec;
    auto v = web::json::value::parse(body, ec);
    return ec ? web::json::value::null() : v;
  }
};

inline pid_t Spawn(const std::vector<std::string>& args, const std::string& out_file,
                   const std::string& err_file) {
  std::fflush(nullptr);  // or the child would repeat what the parent buffered
  const pid_t pid = fork();
  if (pid == 0) {
    FILE* out = std::freopen(out_file.c_str(), "w", stdout);
    FILE* err = std::freopen(err_file.c_str(), "w", stderr);
    (void)out;
    (void)err;
    std::vector<char*> argv;
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

inline std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// One HTTP exchange; status 0 and the error in `body` when it failed.
inline HttpResult HttpCall(const std::string& base_url, const std::string& method,
                           const std::string& path, const std::optional<std::string>& token,
                           const std::string& body = "",
                           const std::string& content_type = "application/json",
                           const std::map<std::string, std::string>& headers = {}) {
  web::http::client::http_client_config config;
  config.set_timeout(std::chrono::seconds(30));
  config.set_validate_certificates(false);  // tests use a self-signed certificate
  web::http::client::http_client client(base_url, config);
  web::http::http_request req(method);
  req.set_request_uri(path);
  if (token) req.headers().add("Authorization", "Bearer " + *token);
  for (const auto& [name, value] : headers) req.headers().add(name, value);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req.set_body(body, content_type);
  }
  HttpResult r;
  try {
    web::http::http_response resp = client.request(req).get();
    r.status = resp.status_code();
    r.content_type = resp.headers().content_type();
    for (const auto& [name, value] : resp.headers()) r.headers[name] = value;
    r.body = resp.extract_string(true).get();
  } catch (const std::exception& e) {
    r.status = 0;
    r.body = e.what();
  }
  return r;
}

class AdminCenterProcess {
 public:
  explicit AdminCenterProcess(std::string name, std::vector<std::string> run_args = {})
      : run_args_(std::move(run_args)),
        dir_(std::filesystem::temp_directory_path() /
             ("custodian-" + name + "-" + std::to_string(getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    const pid_t init = Spawn({CUSTODIAN_ADMINCENTER, "init", "--data-dir", data_dir()},
                             (dir_ / "init.out").string(), (dir_ / "init.err").string());
    int status = 0;
    waitpid(init, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << Slurp((dir_ / "init.err").string());
    token_ = Slurp((dir_ / "init.out").string());
    while (!token_.empty() && token_.back() == '\n') token_.pop_back();
    Start();
  }
  ~AdminCenterProcess() {
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
    const std::regex listening(R"(listening","detail":"(https?)://127\.0\.0\.1:(\d+))");
    for (int i = 0; i < 500; ++i) {
      std::smatch m;
      const std::string text = Slurp(log);
      if (std::regex_search(text, m, listening)) {
        scheme_ = m[1];
        port_ = static_cast<uint16_t>(std::stoi(m[2]));
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ADD_FAILURE() << "admincenter did not start: " << Slurp(log);
  }

  // Sends `signal` and waits for the process; returns its wait status.
  int Kill(int signal) {
    if (pid_ <= 0) return 0;
    ::kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

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

  std::string url() const { return scheme_ + "://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return Slurp(log_); }
  std::string data_dir() const { return (dir_ / "data").string(); }
  const std::string& master_token() const { return token_; }
  uint16_t port() const { return port_; }
  std::filesystem::path dir() const { return dir_; }

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
