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

  // set: a JSON merge patch on the group; `locked` is replaced whole, so
  // --lock/--unlock read the current list first.
  struct SetOptions {
    ConnectionOptions connection;
    std::string id;
    std::optional<std::string> name;
    std::vector<std::string> allow, deny, inherit, lock, unlock;
    std::optional<std::string> auth_modes;
    std::optional<int> max_days;
    bool inherit_auth_modes = false, inherit_max_days = false;
  };
  auto set_options = std::make_shared<SetOptions>();
  CLI::App* set = groups->add_subcommand(
      "set", "Set, inherit or lock permissions and authentication modes of a group");
  set->add_option("id", set_options->id, "Group id")->required();
  set->add_option("--name", set_options->name, "New display name");
  set->add_option("--allow", set_options->allow, "Grant a permission (repeatable)");
  set->add_option("--deny", set_options->deny, "Refuse a permission (repeatable)");
  set->add_option("--inherit", set_options->inherit, "Let a permission inherit again (repeatable)");
  set->add_option("--auth-modes", set_options->auth_modes,
                  "Authentication modes it allows: at_connection,at_setup (narrows, never widens)");
  set->add_flag("--inherit-auth-modes", set_options->inherit_auth_modes,
                "Let the authentication modes inherit again");
  set->add_option("--max-days", set_options->max_days, "Cap on unattended access (days)");
  set->add_flag("--inherit-max-days", set_options->inherit_max_days, "Let the cap inherit again");
  set->add_option("--lock", set_options->lock,
                  "Force a setting on the subtree: permissions.NAME, unattended.auth_modes, "
                  "unattended.max_days (repeatable; master admins)");
  set->add_option("--unlock", set_options->unlock, "Lift a lock (repeatable; master admins)");
  AddConnectionOptions(set, set_options->connection);
  set->callback([set_options, exit_code] {
    const SetOptions& o = *set_options;
    value patch = value::object(true);
    if (o.name) patch["name"] = value::string(*o.name);
    if (!o.allow.empty() || !o.deny.empty() || !o.inherit.empty()) {
      value p = value::object(true);
      for (const auto& a : o.allow) p[a] = value::boolean(true);
      for (const auto& d : o.deny) p[d] = value::boolean(false);
      for (const auto& i : o.inherit) p[i] = value::null();
      patch["permissions"] = p;
    }
    value u = value::object(true);
    if (o.auth_modes) {
      value modes = value::array();
      std::size_t n = 0, start = 0;
      while (start <= o.auth_modes->size()) {
        const std::size_t comma = o.auth_modes->find(',', start);
        const std::string m =
            o.auth_modes->substr(start, comma == std::string::npos ? comma : comma - start);
        if (!m.empty()) modes[n++] = value::string(m);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      u["auth_modes"] = modes;
    }
    if (o.inherit_auth_modes) u["auth_modes"] = value::null();
    if (o.max_days) u["max_days"] = value::number(*o.max_days);
    if (o.inherit_max_days) u["max_days"] = value::null();
    if (u.size() > 0) patch["unattended"] = u;
    Headers if_match;
    if (!o.lock.empty() || !o.unlock.empty()) {
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
      for (const auto& l : o.lock) {
        if (std::find(locked.begin(), locked.end(), l) == locked.end()) locked.push_back(l);
      }
      for (const auto& l : o.unlock)
        locked.erase(std::remove(locked.begin(), locked.end(), l), locked.end());
      value names = value::array();
      for (std::size_t i = 0; i < locked.size(); ++i) names[i] = value::string(locked[i]);
      patch["locked"] = locked.empty() ? value::null() : names;
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
        [](const value& v) {
          std::cout << "updated group " << v.at("id").as_string() << ": " << Granted(v) << "\n";
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
