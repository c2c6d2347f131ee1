// The OS faked for process tests of the enforcer: a verifier script that
// accepts "administrator" with one password (it holds only its SHA-256),
// an OS-action script that appends "operation user domain sha256(stdin)"
// to a log, and an enforcer configuration that uses both. Neither script
// ever holds or writes the secret itself.
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/crypto.h"

namespace custodian::testing {

inline std::string Sha256Hex(const std::string& s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : crypto::Sha256(s)) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}

struct FakeOs {
  std::filesystem::path actions_log;  // what the OS action was asked to do
  // An enforcer configuration file using the fakes (its own path per name).
  std::string Config(const std::string& name) const {
    const std::string path = (dir / (name + ".json")).string();
    std::ofstream(path) << R"({"admin_verifier":"command","admin_verifier_command":["/bin/sh",")"
                        << (dir / "verify.sh").string() << R"("],"os_action":["/bin/sh",")"
                        << (dir / "os-action.sh").string()
                        << R"("],"windows_user":"anna","windows_domain":"HOME",)"
                        << R"("warning_minutes":5})";
    return path;
  }
  std::filesystem::path dir;
};

inline FakeOs MakeFakeOs(const std::filesystem::path& dir, const std::string& admin_password) {
  auto write = [](const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path) << text;
    ::chmod(path.c_str(), 0700);
  };
  FakeOs os{dir / "os-actions.log", dir};
  write(dir / "verify.sh",
        "#!/bin/sh\n[ \"$1\" = administrator ] || exit 1\n"
        "[ \"$(cat | sha256sum | cut -d' ' -f1)\" = " +
            Sha256Hex(admin_password) + " ]\n");
  write(dir / "os-action.sh",
        "#!/bin/sh\necho \"$1 $2 $3 $(cat | sha256sum | cut -d' ' -f1)\" >> " +
            os.actions_log.string() + "\n");
  return os;
}

}  // namespace custodian::testing
