// Changes as they travel between replicas: "policy", "principals", "keys",
// "commands:<endpoint id>", "everything".
#include "admincenter/storage.h"
#include "admincenter/storage/sql.h"

namespace custodian::admincenter {
namespace {

constexpr std::pair<Change::Kind, std::string_view> kNames[] = {
    {Change::Kind::kPolicy, "policy"},
    {Change::Kind::kPrincipals, "principals"},
    {Change::Kind::kKeys, "keys"},
    {Change::Kind::kCommands, "commands"},
    {Change::Kind::kEverything, "everything"},
};

}  // namespace

std::string EncodeChange(const Change& change) {
  for (const auto& [kind, name] : kNames) {
    if (kind != change.kind) continue;
    std::string out(name);
    if (!change.subject.empty()) out += ":" + change.subject;
    return out;
  }
  return "everything";
}

std::optional<Change> DecodeChange(std::string_view text) {
  const std::size_t colon = text.find(':');
  const std::string_view name = text.substr(0, colon);
  for (const auto& [kind, known] : kNames) {
    if (known != name) continue;
    Change c{kind, colon == std::string_view::npos ? "" : std::string(text.substr(colon + 1))};
    if ((kind == Change::Kind::kCommands) == c.subject.empty()) return std::nullopt;
    return c;
  }
  return std::nullopt;
}

void Announce(sql::Connection& db, const Change& change) {
  if (change.kind != Change::Kind::kCommands) {
    // Read by every replica before a request (Storage::CatchUp); the
    // notification below is only the early word.
    sql::BindAll(*db.Prepare("UPDATE change_counters SET seq = seq + 1 WHERE kind = ?"),
                 EncodeChange(change))
        .Run();
  }
  db.Notify(kChangeChannel, EncodeChange(change));
}

}  // namespace custodian::admincenter
