#include "enforcer/os.h"

#include <fcntl.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace custodian::enforcer {

bool RunWithSecretOnStdin(const std::vector<std::string>& argv, const SecretBytes& secret,
                          std::string* detail) {
  if (argv.empty()) {
    *detail = "no command configured";
    return false;
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *detail = std::string("pipe: ") + std::strerror(errno);
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[0]);
  if (rc != 0) {
    ::close(fds[1]);
    *detail = argv[0] + ": " + std::strerror(rc);
    return false;
  }
  // A child that exits without reading must not kill us with SIGPIPE.
  struct sigaction ignore = {}, old = {};
  ignore.sa_handler = SIG_IGN;
  ::sigaction(SIGPIPE, &ignore, &old);
  std::size_t written = 0;
  while (written < secret.size()) {
    const ssize_t n = ::write(fds[1], secret.data() + written, secret.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  ::close(fds[1]);
  ::sigaction(SIGPIPE, &old, nullptr);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return true;
  *detail = WIFEXITED(status) ? argv[0] + " exited with " + std::to_string(WEXITSTATUS(status))
                              : argv[0] + " was killed by a signal";
  return false;
}

namespace {

class Command final : public AdminVerifier, public OsActions {
 public:
  explicit Command(std::vector<std::string> argv) : argv_(std::move(argv)) {}
  bool Verify(const std::string& user, const SecretBytes& password) override {
    std::vector<std::string> argv = argv_;
    argv.push_back(user);
    std::string detail;
    return RunWithSecretOnStdin(argv, password, &detail);
  }
  bool Run(const std::string& operation, const std::string& user, const std::string& domain,
           const SecretBytes& secret, std::string* detail) override {
    if (argv_.empty()) {
      *detail = "no OS action configured (os_action)";
      return false;
    }
    std::vector<std::string> argv = argv_;
    argv.insert(argv.end(), {operation, user, domain});
    return RunWithSecretOnStdin(argv, secret, detail);
  }

 private:
  std::vector<std::string> argv_;
};

// PAM asks through a conversation function; the only answer we have is
// the password, copied into memory PAM frees (and which it zeroes itself
// in the modules that handle passwords).
int Converse(int n, const pam_message** messages, pam_response** responses, void* data) {
  const auto* password = static_cast<const SecretBytes*>(data);
  auto* out =
      static_cast<pam_response*>(std::calloc(static_cast<std::size_t>(n), sizeof(pam_response)));
  if (!out) return PAM_BUF_ERR;
  for (int i = 0; i < n; ++i) {
    if (messages[i]->msg_style == PAM_PROMPT_ECHO_OFF) {
      char* copy = static_cast<char*>(std::calloc(password->size() + 1, 1));
      if (!copy) {
        std::free(out);
        return PAM_BUF_ERR;
      }
      std::memcpy(copy, password->data(), password->size());
      out[i].resp = copy;
    }
  }
  *responses = out;
  return PAM_SUCCESS;
}

class Pam final : public AdminVerifier {
 public:
  explicit Pam(std::string service) : service_(std::move(service)) {}
  bool Verify(const std::string& user, const SecretBytes& password) override {
    pam_conv conv{Converse, const_cast<SecretBytes*>(&password)};
    pam_handle_t* handle = nullptr;
    if (pam_start(service_.c_str(), user.c_str(), &conv, &handle) != PAM_SUCCESS) return false;
    int rc = pam_authenticate(handle, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    if (rc == PAM_SUCCESS) rc = pam_acct_mgmt(handle, PAM_SILENT);
    pam_end(handle, rc);
    return rc == PAM_SUCCESS;
  }

 private:
  std::string service_;
};

}  // namespace

std::unique_ptr<AdminVerifier> CommandVerifier(std::vector<std::string> argv) {
  return std::make_unique<Command>(std::move(argv));
}
std::unique_ptr<AdminVerifier> PamVerifier(std::string service) {
  return std::make_unique<Pam>(std::move(service));
}
std::unique_ptr<OsActions> CommandOsActions(std::vector<std::string> argv) {
  return std::make_unique<Command>(std::move(argv));
}

std::string HostName() {
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  return host;
}

}  // namespace custodian::enforcer
