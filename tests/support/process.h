// Helpers for tests that run the daemons as processes: spawning, reading
// their logs, one HTTP exchange (cpprestsdk's http_client), and fresh
// temporary directories.
#pragma once

#include <cpprest/http_client.h>
#include <fcntl.h>
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
  // Everything allocated before the fork: the child of a threaded process
  // may only make async-signal-safe calls until execv (a malloc there can
  // wait forever on a lock another thread held, as ASan's did).
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const int out = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    const int err = ::open(err_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (out >= 0) ::dup2(out, STDOUT_FILENO);
    if (err >= 0) ::dup2(err, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// Sends `signal` to `pid` (if it runs) and waits for it; returns its wait
// status and forgets the pid.
inline int StopProcess(pid_t& pid, int signal) {
  if (pid <= 0) return 0;
  ::kill(pid, signal);
  int status = 0;
  waitpid(pid, &status, 0);
  pid = -1;
  return status;
}

struct CommandRun {
  int exit_code;
  std::string output;  // stdout and stderr together
};
// Runs a shell command line and collects what it prints.
inline CommandRun RunCommand(const std::string& command) {
  std::fflush(nullptr);
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
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

// Waits (up to 5 s) for `pattern` in the log file a daemon writes, e.g.
// its "listening" line; the submatches, or nothing.
inline std::optional<std::vector<std::string>> WaitForLogLine(const std::string& log,
                                                              const std::regex& pattern) {
  for (int i = 0; i < 500; ++i) {
    std::smatch m;
    const std::string text = Slurp(log);
    if (std::regex_search(text, m, pattern)) return std::vector<std::string>(m.begin(), m.end());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return std::nullopt;
}

// A new, empty directory under the temporary directory, named for the
// running test and this process.
// Polls `done` every 50 ms until it holds (true) or `limit` passes (false):
// for what another process does a moment later.
template <typename F>
bool Eventually(F done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// A self-signed certificate for localhost and 127.0.0.1 in `dir`
// (cert.pem, key.pem) with openssl; `key` is "ec" (P-256) or "rsa".
// Returns false when openssl fails.
inline bool MakeSelfSignedCertificate(const std::filesystem::path& dir, const std::string& key) {
  const std::string kind =
      key == "rsa" ? "-newkey rsa:2048" : "-newkey ec -pkeyopt ec_paramgen_curve:P-256";
  return RunCommand("openssl req -x509 " + kind +
                    " -nodes -subj /CN=localhost "
                    "-addext subjectAltName=DNS:localhost,IP:127.0.0.1 -days 1 -keyout " +
                    (dir / "key.pem").string() + " -out " + (dir / "cert.pem").string())
             .exit_code == 0;
}

inline std::filesystem::path FreshTestDir(const std::string& prefix) {
  const auto dir = std::filesystem::temp_directory_path() /
                   (prefix + "-" + std::to_string(getpid()) + "-" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace custodian::testing
