#include "technician_commands.h"

#include <iostream>
#include <memory>
#include <regex>

#include "online.h"
#include "policy_commands.h"

namespace custodian::cli {
namespace {

using web::json::value;

// A subcommand with connection options and positional arguments that sends
// one request, made by `request` after parsing, and prints its answer.
struct Spec {
  std::string method;
  std::string path;
  std::optional<value> body;
};
CLI::App* Command(CLI::App* parent, const std::string& name, const std::string& description,
                  int* exit_code,
                  const std::vector<std::pair<std::string, std::string>>& positional,
                  std::function<std::optional<Spec>(const std::vector<std::string>&)> request,
                  std::function<void(const value&)> print) {
  CLI::App* cmd = parent->add_subcommand(name, description);
  auto options = std::make_shared<ConnectionOptions>();
  auto args = std::make_shared<std::vector<std::string>>(positional.size());
  for (std::size_t i = 0; i < positional.size(); ++i) {
    cmd->add_option(positional[i].first, (*args)[i], positional[i].second)->required();
  }
  AddConnectionOptions(cmd, *options);
  cmd->callback([=] {
    const std::optional<Spec> spec = request(*args);
    if (!spec) {
      *exit_code = kExitBadInput;
      return;
    }
    *exit_code = Run(*options, spec->method, spec->path, spec->body, print);
  });
  return cmd;
}

// A list route printed as a table of `columns` (JSON keys, shown upper case).
void ListCommand(CLI::App* parent, const std::string& name, const std::string& description,
                 int* exit_code, const std::string& path, const std::vector<std::string>& columns) {
  Command(
      parent, name, description, exit_code, {},
      [path](const std::vector<std::string>&) {
        return Spec{"GET", path, std::nullopt};
      },
      [columns](const value& v) {
        std::vector<Column> header;
        for (const std::string& c : columns) {
          std::string h;
          for (char ch : c) h += ch == '_' ? ' ' : static_cast<char>(std::toupper(ch));
          header.emplace_back(std::move(h), false);
        }
        std::vector<std::vector<std::string>> rows;
        for (const value& item : v.at("items").as_array()) {
          std::vector<std::string> row;
          for (const std::string& c : columns) {
            row.push_back(item.has_field(c) ? Cell(item.at(c)) : "-");
          }
          rows.push_back(std::move(row));
        }
        PrintTable(std::cout, header, rows);
      });
}

// "start → end" of an effective schedule, with its daily window.
std::string DescribeEffective(const value& s) {
  std::string out =
      Cell(s.at("start")) + " → " + (s.at("end").is_null() ? "unlimited" : Cell(s.at("end")));
  if (s.has_field("daily") && s.at("daily").is_object()) {
    const value& d = s.at("daily");
    out += ", daily " + Cell(d.at("from")) + "–" + Cell(d.at("to")) + " " + Cell(d.at("time_zone"));
  }
  return out;
}

void AddSessions(CLI::App& app, int* exit_code) {
  CLI::App* sessions = app.add_subcommand("sessions", "Support sessions (technicians)");
  sessions->require_subcommand(1);
  struct OpenOptions {
    std::string endpoint, type;
    std::optional<std::string> mode;
    bool screen = false;
  };
  auto o = std::make_shared<OpenOptions>();
  CLI::App* open = Command(
      sessions, "open", "Open a session on an endpoint", exit_code, {},
      [o](const std::vector<std::string>&) -> std::optional<Spec> {
        value body = value::object(true);
        body["endpoint_id"] = value::string(o->endpoint);
        body["type"] = value::string(o->type);
        if (o->mode) body["mode"] = value::string(*o->mode);
        body["screen_viewing"] = value::boolean(o->screen);
        return Spec{"POST", "/v1/sessions", body};
      },
      [](const value& v) {
        std::cout << v.at("id").as_string() << "  (" << v.at("type").as_string()
                  << (v.at("mode").is_null() ? "" : ", " + v.at("mode").as_string())
                  << ", screen viewing " << (v.at("screen_viewing").as_bool() ? "on" : "off")
                  << ")\n";
      });
  open->add_option("--endpoint", o->endpoint, "Endpoint id")->required();
  open->add_option("--type", o->type, "applet, mobile_applet, instant_chat or calling_card")
      ->required();
  open->add_option("--mode", o->mode, "instant_chat only: chat_only or full")
      ->check(CLI::IsMember({"chat_only", "full"}));
  open->add_flag("--screen-viewing", o->screen, "Screen viewing is on from the start");
  ListCommand(sessions, "list", "Your sessions", exit_code, "/v1/sessions",
              {"id", "endpoint_id", "type", "mode", "screen_viewing", "state", "started_at"});
  Command(
      sessions, "screen", "Switch screen viewing on or off", exit_code,
      {{"session", "Session id"}, {"state", "on or off"}},
      [](const std::vector<std::string>& a) -> std::optional<Spec> {
        if (a[1] != "on" && a[1] != "off") {
          std::cerr << "state: must be on or off\n";
          return std::nullopt;
        }
        value body = value::object(true);
        body["screen_viewing"] = value::boolean(a[1] == "on");
        return Spec{"PATCH", "/v1/sessions/" + a[0], body};
      },
      [](const value& v) {
        std::cout << "screen viewing " << (v.at("screen_viewing").as_bool() ? "on" : "off") << "\n";
      });
  Command(
      sessions, "end", "End a session (stored customer credentials are wiped)", exit_code,
      {{"session", "Session id"}},
      [](const std::vector<std::string>& a) {
        return Spec{"POST", "/v1/sessions/" + a[0] + "/end", std::nullopt};
      },
      [](const value& v) { std::cout << "ended " << v.at("id").as_string() << "\n"; });
}

void AddUnattended(CLI::App& app, int* exit_code) {
  CLI::App* unattended = app.add_subcommand("unattended", "Unattended access (technicians)");
  unattended->require_subcommand(1);
  struct RequestOptions {
    std::string mode;
    std::optional<int> days;
    std::optional<std::string> from, to, daily, reference;
    bool unlimited = false;
  };
  auto o = std::make_shared<RequestOptions>();
  CLI::App* request = Command(
      unattended, "request", "Ask for unattended access from a running session", exit_code,
      {{"session", "Session id"}},
      [o](const std::vector<std::string>& a) -> std::optional<Spec> {
        value schedule = value::object(true);
        const int forms = (o->days ? 1 : 0) + (o->from || o->to ? 1 : 0) + (o->unlimited ? 1 : 0);
        if (forms != 1 || (o->from.has_value() != o->to.has_value())) {
          std::cerr << "schedule: give one of --days N, --from DATE --to DATE, --unlimited\n";
          return std::nullopt;
        }
        if (o->days) {
          schedule["kind"] = value::string("days");
          schedule["days"] = value::number(*o->days);
        } else if (o->from) {
          schedule["kind"] = value::string("range");
          schedule["start"] = value::string(*o->from);
          schedule["end"] = value::string(*o->to);
        } else {
          schedule["kind"] = value::string("unlimited");
        }
        if (o->daily) {
          static const std::regex kWindow(R"((\d\d:\d\d)-(\d\d:\d\d))");
          std::smatch m;
          if (!std::regex_match(*o->daily, m, kWindow)) {
            std::cerr << "--daily: must be HH:MM-HH:MM, e.g. 08:00-18:00\n";
            return std::nullopt;
          }
          value daily = value::object(true);
          daily["from"] = value::string(m[1]);
          daily["to"] = value::string(m[2]);
          schedule["daily"] = daily;
        }
        if (o->reference) schedule["time_reference"] = value::string(*o->reference);
        value body = value::object(true);
        body["credential_mode"] = value::string(o->mode);
        body["schedule"] = schedule;
        return Spec{"POST", "/v1/sessions/" + a[0] + "/unattended-requests", body};
      },
      [](const value& v) {
        const value& d = v.at("decision");
        std::cout << v.at("id").as_string() << "  pending: the customer is asked to "
                  << (v.at("credential_mode").as_string() == "at_setup"
                          ? "enter their Windows credentials"
                          : "confirm")
                  << "\n";
        if (d.at("obligations").has_field("effective_schedule")) {
          std::cout << "  schedule if approved now: "
                    << DescribeEffective(d.at("obligations").at("effective_schedule")) << "\n";
        }
        for (const value& r : d.at("reasons").as_array()) {
          std::cout << "  " << Cell(r.at("rule")) << " " << Cell(r.at("code")) << ": "
                    << Cell(r.at("message")) << "\n";
        }
        std::cout << "  expires unanswered at " << Cell(v.at("expires_at")) << "\n";
      });
  request->add_option("--mode", o->mode, "Credential mode")
      ->required()
      ->check(CLI::IsMember({"at_connection", "at_setup"}));
  request->add_option("--days", o->days, "Number of days from approval");
  request->add_option("--from", o->from, "First day (YYYY-MM-DD)");
  request->add_option("--to", o->to, "Last day (YYYY-MM-DD)");
  request->add_flag("--unlimited", o->unlimited, "No end (only with at_connection)");
  request->add_option("--daily", o->daily, "Daily window HH:MM-HH:MM");
  request->add_option("--time-reference", o->reference, "Whose zone: technician or customer")
      ->check(CLI::IsMember({"technician", "customer"}));
  ListCommand(unattended, "requests", "Your requests and what became of them", exit_code,
              "/v1/unattended-requests",
              {"id", "session_id", "credential_mode", "state", "grant_id", "expires_at"});

  CLI::App* grants = app.add_subcommand("grants", "Unattended-access grants");
  grants->require_subcommand(1);
  Command(
      grants, "list", "Grants with their schedules", exit_code, {},
      [](const std::vector<std::string>&) {
        return Spec{"GET", "/v1/grants", std::nullopt};
      },
      [](const value& v) {
        std::vector<std::vector<std::string>> rows;
        for (const value& g : v.at("items").as_array()) {
          rows.push_back({g.at("id").as_string(), g.at("endpoint_id").as_string(),
                          g.at("credential_mode").as_string(),
                          DescribeEffective(g.at("effective_schedule")), g.at("state").as_string(),
                          Cell(g.at("ended_by"))});
        }
        PrintTable(std::cout, {"ID", "ENDPOINT", "MODE", "SCHEDULE", "STATE", "ENDED BY"}, rows);
      });
  Command(
      grants, "connect", "Connect unattended with a grant", exit_code, {{"grant", "Grant id"}},
      [](const std::vector<std::string>& a) {
        return Spec{"POST", "/v1/grants/" + a[0] + "/connect", std::nullopt};
      },
      [](const value& v) {
        std::cout << v.at("id").as_string() << "  requested; the endpoint decides again";
        if (v.at("decision").at("obligations").has_field("admin_credentials_required") &&
            v.at("decision").at("obligations").at("admin_credentials_required").as_bool()) {
          std::cout << " and asks for administrator credentials";
        }
        std::cout << "\n";
      });
  Command(
      grants, "revoke", "Revoke a grant (yours, or as an admin any in scope)", exit_code,
      {{"grant", "Grant id"}},
      [](const std::vector<std::string>& a) {
        return Spec{"POST", "/v1/grants/" + a[0] + "/revoke", std::nullopt};
      },
      [](const value& v) { std::cout << "revoked " << v.at("id").as_string() << "\n"; });

  CLI::App* connections = app.add_subcommand("connections", "Unattended connections");
  connections->require_subcommand(1);
  ListCommand(connections, "list", "Connections and how they ended", exit_code, "/v1/connections",
              {"id", "grant_id", "state", "end_reason", "updated_at"});
}

void AddCredentials(CLI::App& app, int* exit_code) {
  CLI::App* credentials =
      app.add_subcommand("credentials", "The customer's Windows credentials (R9–R15)");
  credentials->require_subcommand(1);
  Command(
      credentials, "request", "Ask the customer for their Windows credentials for this session",
      exit_code, {{"session", "Session id"}},
      [](const std::vector<std::string>& a) {
        return Spec{"POST", "/v1/sessions/" + a[0] + "/credential-requests", std::nullopt};
      },
      [](const value& v) {
        std::cout << v.at("id").as_string()
                  << "  pending: the customer is asked for their password\n";
      });
  auto operation = std::make_shared<std::string>();
  CLI::App* apply = Command(
      credentials, "apply", "Restart or unlock with the stored credentials", exit_code,
      {{"session", "Session id"}},
      [operation](const std::vector<std::string>& a) {
        value body = value::object(true);
        body["operation"] = value::string(*operation);
        return Spec{"POST", "/v1/sessions/" + a[0] + "/credentials/apply", body};
      },
      [](const value& v) {
        std::cout << v.at("id").as_string() << "  " << v.at("operation").as_string()
                  << " requested; the endpoint decides again and reports the outcome\n";
      });
  apply->add_option("--operation", *operation, "restart or unlock")
      ->required()
      ->check(CLI::IsMember({"restart", "unlock"}));
  ListCommand(credentials, "list", "Credential requests and their state (never the secret)",
              exit_code, "/v1/credential-requests", {"id", "session_id", "state", "updated_at"});
}

}  // namespace

void AddTechnicianCommands(CLI::App& app, int* exit_code) {
  AddSessions(app, exit_code);
  AddUnattended(app, exit_code);
  AddCredentials(app, exit_code);
}

}  // namespace custodian::cli
