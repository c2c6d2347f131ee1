#include "admin_commands.h"

#include <functional>
#include <iostream>
#include <map>
#include <memory>

#include "common/files.h"
#include "online.h"
#include "policy_commands.h"

namespace custodian::cli {
namespace {

using web::json::value;

// Runs `then` on the answer of a successful call; prints the problem
// otherwise. Returns the exit code.
int Run(const ConnectionOptions& o, const std::string& method, const std::string& path,
        const std::optional<value>& body, const std::function<void(const value&)>& then) {
  const auto c = Resolve(o, std::cerr);
  if (!c) return kExitBadInput;
  const Answer a = Call(*c, method, path, body);
  if (a.status < 200 || a.status >= 300) return ReportFailure(a, std::cerr);
  if (o.json) {
    std::cout << a.text << (a.text.empty() || a.text.back() == '\n' ? "" : "\n");
  } else {
    then(a.body);
  }
  return kExitOk;
}

std::string Granted(const value& group) {
  std::string out;
  if (group.has_field("permissions")) {
    for (const auto& [k, v] : group.at("permissions").as_object()) {
      if (v.is_boolean()) out += (out.empty() ? "" : ",") + (v.as_bool() ? k : "-" + k);
    }
  }
  return out.empty() ? "-" : out;
}

std::string MaxDays(const value& group) {
  if (!group.has_field("unattended") || !group.at("unattended").has_field("max_days")) return "-";
  return Cell(group.at("unattended").at("max_days"));
}

void AddGroups(CLI::App& app, int* exit_code) {
  CLI::App* groups = app.add_subcommand("groups", "Technician groups (admins)");
  groups->require_subcommand(1);

  auto list_options = std::make_shared<ConnectionOptions>();
  CLI::App* list = groups->add_subcommand("list", "Groups you may see, as a table");
  AddConnectionOptions(list, *list_options);
  list->callback([list_options, exit_code] {
    *exit_code = Run(*list_options, "GET", "/v1/groups", std::nullopt, [](const value& v) {
      std::vector<std::vector<std::string>> rows;
      for (const value& g : v.at("items").as_array()) {
        rows.push_back({g.at("id").as_string(), g.at("name").as_string(), Cell(g.at("parent_id")),
                        Granted(g), MaxDays(g)});
      }
      PrintTable(std::cout, {"ID", "NAME", "PARENT", "PERMISSIONS SET", "MAX DAYS"}, rows);
    });
  });

  auto tree_options = std::make_shared<ConnectionOptions>();
  CLI::App* tree = groups->add_subcommand("tree", "Groups as a tree");
  AddConnectionOptions(tree, *tree_options);
  tree->callback([tree_options, exit_code] {
    *exit_code = Run(*tree_options, "GET", "/v1/groups", std::nullopt, [](const value& v) {
      std::multimap<std::string, const value*> children;  // parent id ("" for roots)
      std::map<std::string, bool> known;
      for (const value& g : v.at("items").as_array()) known[g.at("id").as_string()] = true;
      for (const value& g : v.at("items").as_array()) {
        const std::string parent =
            g.at("parent_id").is_string() ? g.at("parent_id").as_string() : "";
        // A parent outside the caller's scope: show the group as a root.
        children.emplace(known.count(parent) ? parent : "", &g);
      }
      std::function<void(const std::string&, int)> print = [&](const std::string& id, int depth) {
        auto [from, to] = children.equal_range(id);
        for (auto it = from; it != to; ++it) {
          const value& g = *it->second;
          std::cout << std::string(static_cast<std::size_t>(depth) * 2, ' ')
                    << g.at("name").as_string() << " (" << g.at("id").as_string() << ")  "
                    << Granted(g) << "\n";
          print(g.at("id").as_string(), depth + 1);
        }
      };
      print("", 0);
    });
  });

  auto show_options = std::make_shared<ConnectionOptions>();
  auto show_id = std::make_shared<std::string>();
  CLI::App* show = groups->add_subcommand("show", "One group as stored");
  show->add_option("id", *show_id, "Group id")->required();
  AddConnectionOptions(show, *show_options);
  show->callback([show_options, show_id, exit_code] {
    *exit_code = Run(*show_options, "GET", "/v1/groups/" + *show_id, std::nullopt,
                     [](const value& v) { std::cout << v.serialize() << "\n"; });
  });

  struct CreateOptions {
    ConnectionOptions connection;
    std::string id, name;
    std::optional<std::string> parent;
    std::vector<std::string> allow, deny;
    std::optional<int> max_days;
  };
  auto create_options = std::make_shared<CreateOptions>();
  CLI::App* create = groups->add_subcommand("create", "Create a group");
  create->add_option("--id", create_options->id, "Group id (default: generated)");
  create->add_option("--name", create_options->name, "Display name")->required();
  create->add_option("--parent", create_options->parent, "Parent group id");
  create->add_option("--allow", create_options->allow, "Grant a permission (repeatable)");
  create->add_option("--deny", create_options->deny, "Refuse a permission (repeatable)");
  create->add_option("--max-days", create_options->max_days,
                     "Cap on unattended access with customer credentials");
  AddConnectionOptions(create, create_options->connection);
  create->callback([create_options, exit_code] {
    const CreateOptions& o = *create_options;
    value body = value::object(true);
    if (!o.id.empty()) body["id"] = value::string(o.id);
    body["name"] = value::string(o.name);
    if (o.parent) body["parent_id"] = value::string(*o.parent);
    if (!o.allow.empty() || !o.deny.empty()) {
      value p = value::object(true);
      for (const auto& a : o.allow) p[a] = value::boolean(true);
      for (const auto& d : o.deny) p[d] = value::boolean(false);
      body["permissions"] = p;
    }
    if (o.max_days) {
      value u = value::object(true);
      u["max_days"] = value::number(*o.max_days);
      body["unattended"] = u;
    }
    *exit_code = Run(o.connection, "POST", "/v1/groups", body, [](const value& v) {
      std::cout << "created group " << v.at("id").as_string() << "\n";
    });
  });

  auto effective_options = std::make_shared<ConnectionOptions>();
  auto effective_id = std::make_shared<std::string>();
  CLI::App* effective =
      groups->add_subcommand("effective", "Effective settings with where each comes from");
  effective->add_option("id", *effective_id, "Group id")->required();
  AddConnectionOptions(effective, *effective_options);
  effective->callback([effective_options, effective_id, exit_code] {
    *exit_code = Run(*effective_options, "GET", "/v1/groups/" + *effective_id + "/effective",
                     std::nullopt, [](const value& v) {
                       std::vector<std::vector<std::string>> rows;
                       auto add = [&](const std::string& name, const value& e) {
                         rows.push_back({name, Cell(e.at("value")), Cell(e.at("source")),
                                         Cell(e.at("locked_by"))});
                       };
                       for (const auto& [k, e] : v.at("permissions").as_object()) {
                         add("permissions." + k, e);
                       }
                       for (const auto& [k, e] : v.at("unattended").as_object()) {
                         add("unattended." + k, e);
                       }
                       PrintTable(std::cout, {"SETTING", "VALUE", "FROM", "LOCKED BY"}, rows);
                     });
  });
}

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
}

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
    const auto password = ReadFile(o->password_file);
    value body = value::object(true);
    body["name"] = value::string(o->name);
    std::string p = password.value_or("");
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r')) p.pop_back();
    body["password"] = value::string(p);
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
}

}  // namespace

void AddAdminCommands(CLI::App& app, int* exit_code) {
  AddGroups(app, exit_code);
  AddEndpoints(app, exit_code);
  AddPrincipals(app, exit_code, "technicians", "/v1/technicians");
  AddPrincipals(app, exit_code, "admins", "/v1/admins");
  AddPrincipals(app, exit_code, "auditors", "/v1/auditors");
  AddSettings(app, exit_code);
}

}  // namespace custodian::cli
