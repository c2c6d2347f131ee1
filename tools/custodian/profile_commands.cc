// `custodian login|logout|whoami|profile`: sessions that remember. A login
// keeps the admin center's address and the token in a profile beside the
// config file (profiles/NAME.json and NAME.token, 0600, in a 0700 folder)
// and makes it the current one, so later commands need neither --url nor
// --token-file; `logout` revokes the token and forgets it.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <regex>

#include "admin_commands.h"
#include "common/files.h"
#include "online.h"
#include "policy_commands.h"

namespace custodian::cli {
namespace {

using web::json::value;
namespace fs = std::filesystem;

bool ValidProfileName(const std::string& name) {
  static const std::regex kName(R"([A-Za-z0-9_-][A-Za-z0-9_.-]{0,63})");
  return std::regex_match(name, kName);
}

bool WriteJson(const std::string& path, const value& v, std::string* error) {
  return WriteFileAtomically(path, v.serialize() + "\n", 0600, error);
}

// config.json with "profile" set to `name` (its other keys kept).
bool MakeCurrent(const std::string& name, std::string* error) {
  std::optional<value> config = ReadSettingsFile(ConfigPath(), kConfigKeys, false, std::cerr);
  if (!config) {
    *error = "the config file must be fixed first";
    return false;
  }
  // Paths were made absolute on reading; write back what the file said.
  value raw = value::object(true);
  if (const auto text = ReadFile(ConfigPath())) raw = value::parse(*text);
  raw["profile"] = value::string(name);
  std::error_code ec;
  fs::create_directories(fs::path(ConfigPath()).parent_path(), ec);
  return WriteJson(ConfigPath(), raw, error);
}

std::string CurrentProfile() {
  const auto config = ReadSettingsFile(ConfigPath(), kConfigKeys, false, std::cerr);
  return config && config->has_field("profile") ? config->at("profile").as_string() : "";
}

void AddLogin(CLI::App& app, int* exit_code) {
  struct LoginOptions {
    ConnectionOptions connection;
    std::string name, password_file, profile = "default";
    std::optional<std::string> token_out;
  };
  auto o = std::make_shared<LoginOptions>();
  CLI::App* login = app.add_subcommand(
      "login", "Log in: keep the token in a profile (or --token-out) for later commands");
  login->add_option("--name", o->name, "Login name")->required();
  login->add_option("--password-file", o->password_file, "File holding the password")
      ->required()
      ->check(CLI::ExistingFile);
  login->add_option("--profile", o->profile, "Profile to keep the login in (default: default)");
  login->add_option("--token-out", o->token_out,
                    "Write the token to this file (mode 0600) instead of a profile");
  AddConnectionOptions(login, o->connection);
  login->callback([o, exit_code] {
    if (!o->token_out && !ValidProfileName(o->profile)) {
      std::cerr << "--profile: letters, digits, '_', '-' and '.' only\n";
      *exit_code = kExitBadInput;
      return;
    }
    const auto c = Resolve(o->connection, std::cerr);
    if (!c) {
      *exit_code = kExitBadInput;
      return;
    }
    value body = value::object(true);
    body["name"] = value::string(o->name);
    body["password"] = value::string(ReadPasswordFile(o->password_file));
    Connection anonymous = *c;
    anonymous.token.clear();
    const Answer a = Call(anonymous, "POST", "/v1/tokens", body);
    if (a.status != 201) {
      *exit_code = ReportFailure(a, std::cerr);
      return;
    }
    // The token goes to a file, never to stdout.
    const std::string token = a.body.at("token").as_string();
    const std::string token_id = a.body.at("id").as_string();
    const std::string who = a.body.at("principal").at("name").as_string();
    std::string error, kept;
    if (o->token_out) {
      std::filesystem::remove(*o->token_out);
      if (!WriteNewFile(*o->token_out, token + "\n", 0600, &error)) {
        std::cerr << error << "\n";
        *exit_code = kExitBadInput;
        return;
      }
      kept = "token " + token_id + " in " + *o->token_out;
    } else {
      const fs::path profile = ProfilePath(o->profile);
      std::error_code ec;
      fs::create_directories(profile.parent_path(), ec);
      fs::permissions(profile.parent_path(), fs::perms::owner_all, ec);
      value p = value::object(true);
      p["url"] = value::string(c->url);
      p["token_file"] = value::string(o->profile + ".token");
      p["token_id"] = value::string(token_id);
      p["principal"] = value::string(who);
      if (c->tls.ca_file) p["ca_file"] = value::string(fs::absolute(*c->tls.ca_file).string());
      if (c->tls.pinned_sha256) p["pin_sha256"] = value::string(*c->tls.pinned_sha256);
      if (!WriteFileAtomically((profile.parent_path() / (o->profile + ".token")).string(),
                               token + "\n", 0600, &error) ||
          !WriteJson(profile.string(), p, &error) || !MakeCurrent(o->profile, &error)) {
        std::cerr << error << "\n";
        *exit_code = kExitUnavailable;
        return;
      }
      kept = "token " + token_id + " in profile " + o->profile + " (now current)";
    }
    std::cout << "logged in as " << who << " (" << a.body.at("principal").at("role").as_string()
              << ") at " << c->url << "; " << kept << ", valid until "
              << a.body.at("expires_at").as_string() << "\n";
    *exit_code = kExitOk;
  });
}

void AddLogout(CLI::App& app, int* exit_code) {
  auto profile = std::make_shared<std::string>();
  CLI::App* logout =
      app.add_subcommand("logout", "Revoke a profile's token and forget it (default: current)");
  logout->add_option("--profile", *profile, "The profile (default: the current one)");
  logout->callback([profile, exit_code] {
    const std::string name = profile->empty() ? CurrentProfile() : *profile;
    if (name.empty()) {
      std::cerr << "no current profile: custodian login first, or give --profile\n";
      *exit_code = kExitBadInput;
      return;
    }
    const auto p = ReadSettingsFile(ProfilePath(name), kProfileKeys, true, std::cerr);
    if (!p) {
      *exit_code = kExitBadInput;
      return;
    }
    if (!p->has_field("token_id") || !p->has_field("token_file")) {
      std::cout << "profile " << name << " is logged out already\n";
      *exit_code = kExitOk;
      return;
    }
    ConnectionOptions options;
    options.url = p->at("url").as_string();
    options.token_file = p->at("token_file").as_string();
    if (p->has_field("ca_file")) options.ca_file = p->at("ca_file").as_string();
    if (p->has_field("pin_sha256")) options.pin_sha256 = p->at("pin_sha256").as_string();
    const auto c = Resolve(options, std::cerr);
    if (!c) {
      *exit_code = kExitBadInput;
      return;
    }
    const std::string id = p->at("token_id").as_string();
    const Answer a = Call(*c, "DELETE", "/v1/tokens/" + id);
    // 401: the token no longer works (expired, revoked, its principal
    // disabled): nothing is left to revoke.
    if (a.status != 204 && a.status != 401) {
      *exit_code = ReportFailure(a, std::cerr);
      return;
    }
    value kept = value::parse(*ReadFile(ProfilePath(name)));
    kept.erase("token_id");
    kept.erase("token_file");
    std::string error;
    std::error_code ec;
    fs::remove(p->at("token_file").as_string(), ec);
    if (!WriteJson(ProfilePath(name), kept, &error)) {
      std::cerr << error << "\n";
      *exit_code = kExitUnavailable;
      return;
    }
    std::cout << "logged out of " << name << " (token " << id
              << (a.status == 204 ? " revoked" : " was no longer valid") << ")\n";
    *exit_code = kExitOk;
  });
}

void AddWhoami(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ConnectionOptions>();
  CLI::App* whoami = app.add_subcommand("whoami", "Who the token in use belongs to, and where");
  AddConnectionOptions(whoami, *options);
  whoami->callback([options, exit_code] {
    const auto c = Resolve(*options, std::cerr);
    if (!c) {
      *exit_code = kExitBadInput;
      return;
    }
    const std::string url = c->url;
    *exit_code = Run(*options, "GET", "/v1/console/session", std::nullopt, [&](const value& v) {
      const value& p = v.at("principal");
      const std::string profile = CurrentProfile();
      std::cout << p.at("name").as_string() << " (" << p.at("role").as_string() << ", "
                << p.at("id").as_string() << ") at " << url
                << (profile.empty() ? "" : ", profile " + profile) << "\n";
    });
  });
}

void AddProfiles(CLI::App& app, int* exit_code) {
  CLI::App* profiles = app.add_subcommand("profile", "Saved logins (custodian login --profile)");
  profiles->require_subcommand(1);
  CLI::App* list = profiles->add_subcommand("list", "The saved profiles; * marks the current");
  list->callback([exit_code] {
    const fs::path dir = fs::path(ProfilePath("x")).parent_path();
    const std::string current = CurrentProfile();
    std::vector<std::vector<std::string>> rows;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      if (entry.path().extension() != ".json") continue;
      const std::string name = entry.path().stem().string();
      const auto p = ReadSettingsFile(entry.path().string(), kProfileKeys, true, std::cerr);
      if (!p) continue;
      auto field = [&](const char* k) { return p->has_field(k) ? p->at(k).as_string() : "-"; };
      rows.push_back({name == current ? "*" : "", name, field("url"), field("principal"),
                      p->has_field("token_id") ? "logged in" : "logged out"});
    }
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a[1] < b[1]; });
    PrintTable(std::cout, {"", "PROFILE", "URL", "AS", "STATE"}, rows);
    *exit_code = kExitOk;
  });
  auto name = std::make_shared<std::string>();
  CLI::App* use = profiles->add_subcommand("use", "Make a saved profile the current one");
  use->add_option("name", *name, "Profile name")->required();
  use->callback([name, exit_code] {
    if (!ValidProfileName(*name) || !fs::exists(ProfilePath(*name))) {
      std::cerr << "no profile \"" << *name << "\" (custodian profile list)\n";
      *exit_code = kExitBadInput;
      return;
    }
    std::string error;
    if (!MakeCurrent(*name, &error)) {
      std::cerr << error << "\n";
      *exit_code = kExitUnavailable;
      return;
    }
    std::cout << "profile " << *name << " is now current\n";
    *exit_code = kExitOk;
  });
}

}  // namespace

void AddProfileCommands(CLI::App& app, int* exit_code) {
  AddLogin(app, exit_code);
  AddLogout(app, exit_code);
  AddWhoami(app, exit_code);
  AddProfiles(app, exit_code);
}

}  // namespace custodian::cli
