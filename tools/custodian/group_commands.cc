// `custodian groups …`: the group tree, its settings, inheritance and locks.
#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>

#include "admin_commands.h"
#include "common/crypto.h"
#include "common/files.h"
#include "online.h"
#include "policy/model.h"
#include "policy_commands.h"

namespace custodian::cli {
namespace {

using web::json::value;

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

// What a merge patch changed, as the group now has it:
// "unattended.auth_modes=["at_setup"], permissions.reboot=inherited".
std::string Changes(const value& patch, const value& group) {
  std::string out;
  auto add = [&](const std::string& setting, const value* now) {
    out += (out.empty() ? "" : ", ") + setting + "=" +
           (now == nullptr || now->is_null() ? std::string("inherited") : Cell(*now));
  };
  for (const auto& [k, v] : patch.as_object()) {
    const value* section = group.has_field(k) ? &group.at(k) : nullptr;
    if (k == "locked") {  // none left is an empty list, not inheritance
      out += (out.empty() ? "" : ", ") + std::string("locked=") + (section ? Cell(*section) : "[]");
    } else if (v.is_object()) {
      for (const auto& [sub, ignored] : v.as_object()) {
        add(k + "." + sub, section && section->is_object() && section->has_field(sub)
                               ? &section->at(sub)
                               : nullptr);
      }
    } else {
      add(k, section);
    }
  }
  return out;
}

// The wire names of an enum of policy/model.h, for checks and help.
template <typename E>
std::vector<std::string> Names(std::size_t count, std::string_view (*name)(E)) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) out.emplace_back(name(static_cast<E>(i)));
  return out;
}

std::vector<std::string> SettingNames() {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < policy::kSettingCount; ++i) {
    out.push_back(policy::SettingName(static_cast<policy::SettingKey>(i)));
  }
  return out;
}

// What `groups create` sets and `groups set` changes.
struct GroupValues {
  std::optional<std::string> name;
  std::vector<std::string> allow, deny, auth_modes, lock;
  CLI::Option* auth_modes_option = nullptr;  // given (an empty list is a value)
  std::optional<int> max_days;
};

void AddValueOptions(CLI::App* cmd, GroupValues& v) {
  // CLI::IsMember checks the names and lists them in --help.
  static const std::vector<std::string> permissions =
      Names(policy::kPermissionCount, policy::PermissionName);
  static const std::vector<std::string> modes = Names(policy::kAuthModeCount, policy::AuthModeName);
  static const std::vector<std::string> settings = SettingNames();
  cmd->add_option("--allow", v.allow, "Grant a permission (repeatable)")
      ->check(CLI::IsMember(permissions));
  cmd->add_option("--deny", v.deny, "Refuse a permission (repeatable)")
      ->check(CLI::IsMember(permissions));
  v.auth_modes_option = cmd->add_option("--auth-modes", v.auth_modes,
                                        "Authentication modes it allows, comma-separated "
                                        "(narrows what it inherits, never widens)")
                            ->delimiter(',')
                            ->check(CLI::IsMember(modes));
  cmd->add_option("--max-days", v.max_days,
                  "Cap on unattended access with customer credentials (days)");
  cmd->add_option("--lock", v.lock, "Force a setting on the subtree (repeatable; master admins)")
      ->check(CLI::IsMember(settings));
}

value Strings(const std::vector<std::string>& names) {
  value out = value::array();
  for (std::size_t i = 0; i < names.size(); ++i) out[i] = value::string(names[i]);
  return out;
}

// Adds the values given to `body`, a group or a merge patch on one (the
// locks aside: a patch replaces the whole list).
void PutValues(const GroupValues& v, value& body) {
  if (v.name) body["name"] = value::string(*v.name);
  if (!v.allow.empty() || !v.deny.empty()) {
    value& p = body["permissions"];
    if (!p.is_object()) p = value::object(true);
    for (const auto& a : v.allow) p[a] = value::boolean(true);
    for (const auto& d : v.deny) p[d] = value::boolean(false);
  }
  if (v.auth_modes_option->count() > 0 || v.max_days) {
    value& u = body["unattended"];
    if (!u.is_object()) u = value::object(true);
    if (v.auth_modes_option->count() > 0) u["auth_modes"] = Strings(v.auth_modes);
    if (v.max_days) u["max_days"] = value::number(*v.max_days);
  }
}

}  // namespace

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
        const value* u = g.has_field("unattended") ? &g.at("unattended") : nullptr;
        rows.push_back({g.at("id").as_string(), g.at("name").as_string(), Cell(g.at("parent_id")),
                        Granted(g), MaxDays(g),
                        u && u->has_field("auth_modes") ? Cell(u->at("auth_modes")) : "-",
                        g.has_field("locked") ? Cell(g.at("locked")) : "-"});
      }
      PrintTable(std::cout,
                 {"ID",
                  "NAME",
                  "PARENT",
                  "PERMISSIONS SET",
                  "MAX DAYS",
                  {"AUTH MODES", true},
                  {"LOCKED", true}},
                 rows);
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
  CLI::App* show = groups->add_subcommand("show", "One group as stored (what it sets itself)");
  show->add_option("id", *show_id, "Group id")->required();
  AddConnectionOptions(show, *show_options);
  show->callback([show_options, show_id, exit_code] {
    *exit_code =
        Run(*show_options, "GET", "/v1/groups/" + *show_id, std::nullopt, [](const value& v) {
          // Each field a row; what it does not set inherits.
          std::vector<std::vector<std::string>> rows;
          for (const auto& [k, f] : v.as_object()) {
            if (f.is_object()) {
              for (const auto& [sub, x] : f.as_object()) {
                rows.push_back({k + "." + sub, Cell(x)});
              }
            } else {
              rows.push_back({k, Cell(f)});
            }
          }
          PrintTable(std::cout, {"FIELD", "VALUE"}, rows);
        });
  });

  struct CreateOptions {
    ConnectionOptions connection;
    std::string id, name;
    std::optional<std::string> parent;
    GroupValues values;
  };
  auto create_options = std::make_shared<CreateOptions>();
  CLI::App* create = groups->add_subcommand("create", "Create a group");
  create->add_option("--id", create_options->id, "Group id (default: generated)");
  create->add_option("--name", create_options->name, "Display name")->required();
  create->add_option("--parent", create_options->parent, "Parent group id");
  AddValueOptions(create, create_options->values);
  AddConnectionOptions(create, create_options->connection);
  create->callback([create_options, exit_code] {
    const CreateOptions& o = *create_options;
    value body = value::object(true);
    if (!o.id.empty()) body["id"] = value::string(o.id);
    body["name"] = value::string(o.name);
    if (o.parent) body["parent_id"] = value::string(*o.parent);
    PutValues(o.values, body);
    if (!o.values.lock.empty()) body["locked"] = Strings(o.values.lock);
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

  // set: a JSON merge patch on the group; `locked` is replaced whole, so
  // --lock/--unlock read the current list first.
  struct SetOptions {
    ConnectionOptions connection;
    std::string id;
    GroupValues values;
    std::vector<std::string> inherit, unlock;
    bool inherit_auth_modes = false, inherit_max_days = false;
  };
  auto set_options = std::make_shared<SetOptions>();
  CLI::App* set = groups->add_subcommand(
      "set", "Set, inherit or lock permissions and authentication modes of a group");
  set->add_option("id", set_options->id, "Group id")->required();
  set->add_option("--name", set_options->values.name, "New display name");
  AddValueOptions(set, set_options->values);
  set->add_option("--inherit", set_options->inherit, "Let a permission inherit again (repeatable)")
      ->check(CLI::IsMember(Names(policy::kPermissionCount, policy::PermissionName)));
  set->add_flag("--inherit-auth-modes", set_options->inherit_auth_modes,
                "Let the authentication modes inherit again");
  set->add_flag("--inherit-max-days", set_options->inherit_max_days, "Let the cap inherit again");
  set->add_option("--unlock", set_options->unlock, "Lift a lock (repeatable; master admins)")
      ->check(CLI::IsMember(SettingNames()));
  AddConnectionOptions(set, set_options->connection);
  set->callback([set_options, exit_code] {
    const SetOptions& o = *set_options;
    value patch = value::object(true);
    PutValues(o.values, patch);
    if (!o.inherit.empty()) {
      value& p = patch["permissions"];
      if (!p.is_object()) p = value::object(true);
      for (const auto& i : o.inherit) p[i] = value::null();
    }
    if (o.inherit_auth_modes || o.inherit_max_days) {
      value& u = patch["unattended"];
      if (!u.is_object()) u = value::object(true);
      if (o.inherit_auth_modes) u["auth_modes"] = value::null();
      if (o.inherit_max_days) u["max_days"] = value::null();
    }
    Headers if_match;
    if (!o.values.lock.empty() || !o.unlock.empty()) {
      const auto c = Resolve(o.connection, std::cerr);
      if (!c) {
        *exit_code = kExitBadInput;
        return;
      }
      const Answer current = Call(*c, "GET", "/v1/groups/" + o.id);
      if (current.status != 200) {
        *exit_code = ReportFailure(current, std::cerr);
        return;
      }
      std::vector<std::string> locked;
      if (current.body.has_field("locked")) {
        for (const value& l : current.body.at("locked").as_array()) locked.push_back(l.as_string());
      }
      for (const auto& l : o.values.lock) {
        if (std::find(locked.begin(), locked.end(), l) == locked.end()) locked.push_back(l);
      }
      for (const auto& l : o.unlock)
        locked.erase(std::remove(locked.begin(), locked.end(), l), locked.end());
      patch["locked"] = locked.empty() ? value::null() : Strings(locked);
      // The list is replaced whole: only over the one read.
      if_match = IfMatch(current);
    }
    if (patch.size() == 0) {
      std::cerr << "nothing to change: give --allow, --deny, --inherit, --auth-modes, "
                   "--max-days, --lock, --unlock or --name\n";
      *exit_code = kExitBadInput;
      return;
    }
    *exit_code = Run(
        o.connection, "PATCH", "/v1/groups/" + o.id, patch,
        [&patch](const value& v) {
          std::cout << "updated group " << v.at("id").as_string() << ": " << Changes(patch, v)
                    << "\n";
        },
        if_match);
  });

  struct MoveOptions {
    ConnectionOptions connection;
    std::string id;
    std::optional<std::string> parent;
    bool root = false;
  };
  auto move_options = std::make_shared<MoveOptions>();
  CLI::App* move = groups->add_subcommand("move", "Move a group under another, or to the top");
  move->add_option("id", move_options->id, "Group id")->required();
  auto* parent = move->add_option("--parent", move_options->parent, "New parent group id");
  auto* root = move->add_flag("--root", move_options->root, "Make it a top-level group");
  parent->excludes(root);
  AddConnectionOptions(move, move_options->connection);
  move->callback([move_options, exit_code] {
    const MoveOptions& o = *move_options;
    if (!o.parent && !o.root) {
      std::cerr << "give --parent GROUP or --root\n";
      *exit_code = kExitBadInput;
      return;
    }
    value patch = value::object(true);
    patch["parent_id"] = o.parent ? value::string(*o.parent) : value::null();
    *exit_code = Run(o.connection, "PATCH", "/v1/groups/" + o.id, patch, [](const value& v) {
      std::cout << "moved group " << v.at("id").as_string() << " under " << Cell(v.at("parent_id"))
                << "\n";
    });
  });

  auto delete_options = std::make_shared<ConnectionOptions>();
  auto delete_id = std::make_shared<std::string>();
  CLI::App* remove = groups->add_subcommand("delete", "Delete an empty group");
  remove->add_option("id", *delete_id, "Group id")->required();
  AddConnectionOptions(remove, *delete_options);
  remove->callback([delete_options, delete_id, exit_code] {
    *exit_code = Run(*delete_options, "DELETE", "/v1/groups/" + *delete_id, std::nullopt,
                     [&](const value&) { std::cout << "deleted group " << *delete_id << "\n"; });
  });
}

}  // namespace custodian::cli
