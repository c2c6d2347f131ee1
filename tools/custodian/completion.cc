#include "completion.h"

#include <iostream>
#include <map>
#include <memory>
#include <string>

namespace custodian::cli {
namespace {

// A word list as a shell word in single quotes.
std::string Quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The values an option lists in its type ("TEXT:{a,b} ..."; CLI::IsMember).
std::string ListedValues(const CLI::Option* option) {
  const std::string type = option->get_type_name();
  const std::size_t open = type.find(":{");
  const std::size_t close = type.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return "";
  std::string values = type.substr(open + 2, close - open - 2);
  for (char& c : values) c = c == ',' ? ' ' : c;
  return values;
}

// "custodian groups set" -> its subcommands, options and the values its
// positionals list; "custodian groups set --allow" -> the values that
// option lists.
void Collect(const CLI::App* app, const std::string& path,
             std::map<std::string, std::string>& words) {
  std::string& mine = words[path];
  for (const CLI::App* sub : app->get_subcommands([](const CLI::App*) { return true; })) {
    mine += (mine.empty() ? "" : " ") + sub->get_name();
    Collect(sub, path + " " + sub->get_name(), words);
  }
  for (const CLI::Option* o : app->get_options()) {
    if (o->get_positional() && o->get_lnames().empty()) {  // a value the command lists
      if (const std::string values = ListedValues(o); !values.empty()) {
        mine += (mine.empty() ? "" : " ") + values;
      }
    }
    for (const std::string& name : o->get_lnames()) {
      mine += (mine.empty() ? "--" : " --") + name;
      if (const std::string values = ListedValues(o); !values.empty()) {
        words[path + " --" + name] = values;
      }
    }
  }
}

void PrintScript(const CLI::App& app, bool zsh, std::ostream& out) {
  std::map<std::string, std::string> words;
  Collect(&app, app.get_name(), words);
  out << "# " << (zsh ? "zsh" : "bash") << " completion for " << app.get_name() << ": eval \"$("
      << app.get_name() << " completion " << (zsh ? "zsh" : "bash") << ")\"\n";
  if (zsh) out << "autoload -U +X bashcompinit && bashcompinit\n";
  out << "_custodian() {\n"
         "  [[ -n ${ZSH_VERSION-} ]] && setopt localoptions ksharrays\n"
         "  local -A _custodian_words\n";
  for (const auto& [path, list] : words) {
    out << "  _custodian_words[" << Quoted(path) << "]=" << Quoted(list) << "\n";
  }
  // Follow the subcommands typed so far; after an option that lists its
  // values, offer those.
  out << "  local path=" << Quoted(app.get_name())
      << " i w\n"
         "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
         "    w=${COMP_WORDS[i]}\n"
         "    [[ $w != -* && -n ${_custodian_words[\"$path $w\"]+set} ]] && path=\"$path $w\"\n"
         "  done\n"
         "  local prev=${COMP_WORDS[COMP_CWORD-1]} list=${_custodian_words[\"$path\"]}\n"
         "  [[ $prev == --* && -n ${_custodian_words[\"$path $prev\"]+set} ]] &&\n"
         "    list=${_custodian_words[\"$path $prev\"]}\n"
         "  COMPREPLY=($(compgen -W \"$list\" -- \"${COMP_WORDS[COMP_CWORD]}\"))\n"
         "}\n"
         "complete -F _custodian "
      << app.get_name() << "\n";
}

}  // namespace

void AddCompletion(CLI::App& app, int* exit_code) {
  auto shell = std::make_shared<std::string>();
  CLI::App* completion = app.add_subcommand(
      "completion", "Print a shell completion script: eval \"$(custodian completion bash)\"");
  completion->add_option("shell", *shell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));
  completion->callback([&app, shell, exit_code] {
    PrintScript(app, *shell == "zsh", std::cout);
    *exit_code = 0;
  });
}

}  // namespace custodian::cli
