#include "admin_commands.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>

#include "common/crypto.h"
#include "common/files.h"
#include "online.h"
#include "policy_commands.h"

namespace custodian::cli {
namespace {

using web::json::value;

void AddEndpoints(CLI::App& app, int* exit_code) {
  auto code_options = std::make_shared<ConnectionOptions>();
  auto ttl = std::make_shared<std::optional<int>>();
  CLI::App* codes = app.add_subcommand("enrollment-codes", "One-time codes to enroll endpoints");
  codes->require_subcommand(1);
  CLI::App* create = codes->add_subcommand("create", "A new code (shown once)");
  create->add_option("--ttl-minutes", *ttl, "Minutes it stays valid (default 60)");
  AddConnectionOptions(create, *code_options);
  create->callback([code_options, ttl, exit_code] {
    value body = value::object(true);
    if (*ttl) body["ttl_minutes"] = value::number(**ttl);
    *exit_code = Run(*code_options, "POST", "/v1/enrollment-codes", body, [](const value& v) {
      std::cout << v.at("code").as_string() << "  (valid until " << v.at("expires_at").as_string()
                << ", once)\n";
    });
  });

  auto list_options = std::make_shared<ConnectionOptions>();
  CLI::App* endpoints = app.add_subcommand("endpoints", "Enrolled endpoints");
  endpoints->require_subcommand(1);
  CLI::App* list = endpoints->add_subcommand("list", "Endpoints with last contact and bundle");
  AddConnectionOptions(list, *list_options);
  list->callback([list_options, exit_code] {
    *exit_code = Run(*list_options, "GET", "/v1/endpoints", std::nullopt, [](const value& v) {
      std::vector<std::vector<std::string>> rows;
      for (const value& e : v.at("items").as_array()) {
        rows.push_back({e.at("id").as_string(), e.at("name").as_string(), e.at("os").as_string(),
                        e.at("time_zone").as_string(), Cell(e.at("last_seen")),
                        Cell(e.at("bundle_version"))});
      }
      PrintTable(std::cout, {"ID", "NAME", "OS", "ZONE", "LAST SEEN", "BUNDLE"}, rows);
    });
  });
  // sync: a command the endpoint's long-poll gets at once; it then fetches
  // the policy and reports its events.
  auto sync_options = std::make_shared<ConnectionOptions>();
  auto sync_id = std::make_shared<std::string>();
  CLI::App* sync =
      endpoints->add_subcommand("sync", "Have an endpoint fetch the policy and report now");
  sync->add_option("id", *sync_id, "Endpoint id")->required();
  AddConnectionOptions(sync, *sync_options);
  sync->callback([sync_options, sync_id, exit_code] {
    value body = value::object(true);
    body["type"] = value::string("sync");
    *exit_code = Run(*sync_options, "POST", "/v1/endpoints/" + *sync_id + "/commands", body,
                     [&](const value& v) {
                       std::cout << "sync queued for " << *sync_id << " (command "
                                 << Cell(v.at("id")) << ")\n";
                     });
  });
}

}  // namespace

std::string ReadPasswordFile(const std::string& path) {
  std::string password = ReadFile(path).value_or("");
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) {
    password.pop_back();
  }
  return password;
}

namespace {

// `technicians`, `admins`, `auditors`: list and create. A password is read
// from a file (--password-file), never taken from the command line.
void AddPrincipals(CLI::App& app, int* exit_code, const std::string& noun,
                   const std::string& path) {
  CLI::App* cmd = app.add_subcommand(noun, "The " + noun + " you may manage");
  cmd->require_subcommand(1);
  auto list_options = std::make_shared<ConnectionOptions>();
  CLI::App* list = cmd->add_subcommand("list", "As a table");
  AddConnectionOptions(list, *list_options);
  list->callback([list_options, path, exit_code] {
    *exit_code = Run(*list_options, "GET", path, std::nullopt, [](const value& v) {
      std::vector<std::vector<std::string>> rows;
      for (const value& p : v.at("items").as_array()) {
        std::string scope = p.has_field("group_id") ? Cell(p.at("group_id")) : "";
        if (p.has_field("scopes")) {
          for (const value& s : p.at("scopes").as_array()) {
            scope += (scope.empty() ? "" : ",") + s.as_string();
          }
        }
        rows.push_back({p.at("id").as_string(), p.at("name").as_string(), p.at("role").as_string(),
                        scope.empty() ? "-" : scope,
                        p.has_field("time_zone") ? Cell(p.at("time_zone")) : "-",
                        p.at("disabled").as_bool() ? "disabled" : "enabled"});
      }
      PrintTable(std::cout, {"ID", "NAME", "ROLE", "GROUP / SCOPES", "ZONE", "STATE"}, rows);
    });
  });
  struct CreateOptions {
    ConnectionOptions connection;
    std::string name, password_file;
    std::optional<std::string> group, zone;
    std::vector<std::string> scopes;
  };
  auto o = std::make_shared<CreateOptions>();
  CLI::App* create = cmd->add_subcommand("create", "Create one");
  create->add_option("--name", o->name, "Login name")->required();
  create->add_option("--password-file", o->password_file, "File holding the password")
      ->required()
      ->check(CLI::ExistingFile);
  if (noun == "technicians") {
    create->add_option("--group", o->group, "The technician's group")->required();
    create->add_option("--time-zone", o->zone, "The technician's IANA zone")->required();
  }
  if (noun == "admins") {
    create->add_option("--scope", o->scopes, "A group subtree it may act in (repeatable)")
        ->required();
  }
  AddConnectionOptions(create, o->connection);
  create->callback([o, path, exit_code] {
    value body = value::object(true);
    body["name"] = value::string(o->name);
    body["password"] = value::string(ReadPasswordFile(o->password_file));
    if (o->group) body["group_id"] = value::string(*o->group);
    if (o->zone) body["time_zone"] = value::string(*o->zone);
    if (!o->scopes.empty()) {
      value scopes = value::array();
      for (std::size_t i = 0; i < o->scopes.size(); ++i) scopes[i] = value::string(o->scopes[i]);
      body["scopes"] = scopes;
    }
    *exit_code = Run(o->connection, "POST", path, body, [](const value& v) {
      std::cout << "created " << v.at("role").as_string() << " " << v.at("name").as_string() << " ("
                << v.at("id").as_string() << ")\n";
    });
  });
  // disable / enable: a disabled principal's tokens stop working at once.
  for (const bool disable : {true, false}) {
    auto options = std::make_shared<ConnectionOptions>();
    auto id = std::make_shared<std::string>();
    CLI::App* cmd_state = cmd->add_subcommand(
        disable ? "disable" : "enable",
        disable ? "Disable one (its tokens are revoked at once)" : "Enable one again");
    cmd_state->add_option("id", *id, "Principal id")->required();
    AddConnectionOptions(cmd_state, *options);
    cmd_state->callback([options, id, path, disable, exit_code] {
      value body = value::object(true);
      body["disabled"] = value::boolean(disable);
      *exit_code = Run(*options, "PATCH", path + "/" + *id, body, [](const value& v) {
        std::cout << v.at("name").as_string() << " is "
                  << (v.at("disabled").as_bool() ? "disabled" : "enabled") << "\n";
      });
    });
  }
  // password: sets another's password (PATCH {"password"}), from a file.
  struct PasswordOptions {
    ConnectionOptions connection;
    std::string id, password_file;
  };
  auto po = std::make_shared<PasswordOptions>();
  CLI::App* password = cmd->add_subcommand("password", "Set one's password, read from a file");
  password->add_option("id", po->id, "Principal id")->required();
  password->add_option("--password-file", po->password_file, "File holding the new password")
      ->required()
      ->check(CLI::ExistingFile);
  AddConnectionOptions(password, po->connection);
  password->callback([po, path, exit_code] {
    value body = value::object(true);
    body["password"] = value::string(ReadPasswordFile(po->password_file));
    *exit_code = Run(po->connection, "PATCH", path + "/" + po->id, body, [](const value& v) {
      std::cout << "password of " << v.at("name").as_string() << " set\n";
    });
  });
}

void AddSettings(CLI::App& app, int* exit_code) {
  CLI::App* settings = app.add_subcommand("settings", "Global settings");
  settings->require_subcommand(1);
  auto o = std::make_shared<ConnectionOptions>();
  CLI::App* show = settings->add_subcommand("show", "The global settings");
  AddConnectionOptions(show, *o);
  show->callback([o, exit_code] {
    *exit_code = Run(*o, "GET", "/v1/settings", std::nullopt, [](const value& v) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& [section, fields] : v.as_object()) {
        for (const auto& [k, x] : fields.as_object()) rows.push_back({section + "." + k, Cell(x)});
      }
      PrintTable(std::cout, {"SETTING", "VALUE"}, rows);
    });
  });
  // set SECTION.KEY=VALUE…: read, change, write back (PUT takes the whole
  // document). VALUE is JSON when it parses as JSON, else a string.
  struct SetOptions {
    ConnectionOptions connection;
    std::vector<std::string> assignments;
  };
  auto so = std::make_shared<SetOptions>();
  CLI::App* set = settings->add_subcommand(
      "set", "Change settings, e.g. unattended.request_ttl_minutes=30 (master admins)");
  set->add_option("assignments", so->assignments, "SECTION.KEY=VALUE (VALUE as JSON, or text)")
      ->required();
  AddConnectionOptions(set, so->connection);
  set->callback([so, exit_code] {
    const auto c = Resolve(so->connection, std::cerr);
    if (!c) {
      *exit_code = kExitBadInput;
      return;
    }
    const Answer current = Call(*c, "GET", "/v1/settings");
    if (current.status != 200) {
      *exit_code = ReportFailure(current, std::cerr);
      return;
    }
    value doc = current.body;
    for (const std::string& a : so->assignments) {
      const std::size_t eq = a.find('=');
      const std::size_t dot = a.find('.');
      if (eq == std::string::npos || dot == std::string::npos || dot > eq) {
        std::cerr << a << ": must be SECTION.KEY=VALUE\n";
        *exit_code = kExitBadInput;
        return;
      }
      std::error_code ec;
      value v = value::parse(a.substr(eq + 1), ec);
      if (ec) v = value::string(a.substr(eq + 1));
      const std::string section = a.substr(0, dot);
      if (!doc.has_field(section)) doc[section] = value::object(true);
      doc[section][a.substr(dot + 1, eq - dot - 1)] = v;
    }
    // Only over what was read: a change made in between is not undone.
    *exit_code = Run(
        so->connection, "PUT", "/v1/settings", doc,
        [](const value&) { std::cout << "settings saved\n"; }, IfMatch(current));
  });
}

// password set: one's own password, from files, never the command line.
void AddPassword(CLI::App& app, int* exit_code) {
  struct PasswordOptions {
    ConnectionOptions connection;
    std::string password_file;
    std::optional<std::string> current_file;
  };
  auto o = std::make_shared<PasswordOptions>();
  CLI::App* password = app.add_subcommand("password", "One's own password");
  password->require_subcommand(1);
  CLI::App* set = password->add_subcommand(
      "set", "Set your own password (the current one is asked for once one is set)");
  set->add_option("--password-file", o->password_file, "File holding the new password")
      ->required()
      ->check(CLI::ExistingFile);
  set->add_option("--current-password-file", o->current_file,
                  "File holding the current password (not needed for the first one)")
      ->check(CLI::ExistingFile);
  AddConnectionOptions(set, o->connection);
  set->callback([o, exit_code] {
    value body = value::object(true);
    body["password"] = value::string(ReadPasswordFile(o->password_file));
    if (o->current_file)
      body["current_password"] = value::string(ReadPasswordFile(*o->current_file));
    *exit_code = Run(o->connection, "POST", "/v1/me/password", body,
                     [](const value&) { std::cout << "password set\n"; });
  });
}

// login: name and a password from a file to a token, written to a file of
// its own (mode 0600) so that later commands take it with --token-file or
// the config file, never from the command line.
void AddKeys(CLI::App& app, int* exit_code) {
  CLI::App* keys = app.add_subcommand("keys", "Policy signing keys");
  keys->require_subcommand(1);
  // Offline: a new Ed25519 key pair.
  auto out = std::make_shared<std::string>();
  CLI::App* gen = keys->add_subcommand("gen", "Generate an Ed25519 key pair (offline)");
  gen->add_option("--private-key", *out, "File for the private key (PEM, created with mode 0600)")
      ->required();
  gen->callback([out, exit_code] {
    const crypto::Ed25519KeyPair pair = crypto::GenerateEd25519();
    std::string error;
    if (!WriteNewFile(*out, pair.private_pem, 0600, &error)) {
      std::cerr << error << "\n";
      *exit_code = kExitBadInput;
      return;
    }
    std::cout << "key_id " << crypto::KeyId(pair.public_raw) << "\npublic_key "
              << crypto::Base64(pair.public_raw) << "\n";
  });
  auto list_options = std::make_shared<ConnectionOptions>();
  CLI::App* list = keys->add_subcommand("list", "The admin center's signing keys");
  AddConnectionOptions(list, *list_options);
  list->callback([list_options, exit_code] {
    *exit_code = Run(*list_options, "GET", "/v1/policy/keys", std::nullopt, [](const value& v) {
      std::vector<std::vector<std::string>> rows;
      for (const value& k : v.at("items").as_array()) {
        rows.push_back({k.at("key_id").as_string(), k.at("state").as_string(),
                        k.has_field("created_at") ? Cell(k.at("created_at")) : "-",
                        k.has_field("retired_at") ? Cell(k.at("retired_at")) : "-",
                        Cell(k.at("public_key"))});
      }
      // The public key is what `audit verify --public-key` pins.
      PrintTable(std::cout, {"KEY ID", "STATE", "CREATED", "RETIRED", "PUBLIC KEY"}, rows);
    });
  });
  auto rotate_options = std::make_shared<ConnectionOptions>();
  CLI::App* rotate = keys->add_subcommand(
      "rotate", "A new key signs; the old one stays listed until retired (master admins)");
  AddConnectionOptions(rotate, *rotate_options);
  rotate->callback([rotate_options, exit_code] {
    *exit_code = Run(*rotate_options, "POST", "/v1/policy/keys", std::nullopt, [](const value& v) {
      std::cout << "new active key " << v.at("key_id").as_string() << "\n";
    });
  });
  auto retire_options = std::make_shared<ConnectionOptions>();
  auto retire_id = std::make_shared<std::string>();
  CLI::App* retire = keys->add_subcommand("retire", "Retire a listed key (master admins)");
  retire->add_option("key_id", *retire_id, "Key id")->required();
  AddConnectionOptions(retire, *retire_options);
  retire->callback([retire_options, retire_id, exit_code] {
    *exit_code = Run(*retire_options, "DELETE", "/v1/policy/keys/" + *retire_id, std::nullopt,
                     [&](const value&) { std::cout << "retired " << *retire_id << "\n"; });
  });
}

// tokens revoke: one's own token, or any (master admins); the same as a
// logout where that token is used.
void AddTokens(CLI::App& app, int* exit_code) {
  CLI::App* tokens = app.add_subcommand("tokens", "Bearer tokens");
  tokens->require_subcommand(1);
  auto options = std::make_shared<ConnectionOptions>();
  auto id = std::make_shared<std::string>();
  CLI::App* revoke = tokens->add_subcommand(
      "revoke", "Revoke a token by its id (yours, or any for a master admin)");
  revoke->add_option("id", *id, "Token id (from login, or the audit log)")->required();
  AddConnectionOptions(revoke, *options);
  revoke->callback([options, id, exit_code] {
    *exit_code = Run(*options, "DELETE", "/v1/tokens/" + *id, std::nullopt,
                     [&](const value&) { std::cout << "token " << *id << " revoked\n"; });
  });
}

}  // namespace

void AddAdminCommands(CLI::App& app, int* exit_code) {
  AddGroups(app, exit_code);
  AddEndpoints(app, exit_code);
  AddPrincipals(app, exit_code, "technicians", "/v1/technicians");
  AddPrincipals(app, exit_code, "admins", "/v1/admins");
  AddPrincipals(app, exit_code, "auditors", "/v1/auditors");
  AddSettings(app, exit_code);
  AddKeys(app, exit_code);
  AddProfileCommands(app, exit_code);
  AddPassword(app, exit_code);
  AddTokens(app, exit_code);
}

}  // namespace custodian::cli
