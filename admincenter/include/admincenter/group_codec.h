// Groups, settings and the policy document as JSON (openapi.json's
// GroupInput, GroupPatch, Group, Settings, Effective, PolicyDocument),
// through the policy library's codec: bodies decoded with every problem at
// its JSON pointer, answers encoded.
#pragma once

#include <cpprest/json.h>

#include <memory>

#include "admincenter/service.h"
#include "common/result.h"

namespace custodian::admincenter {

// A new group; one without an id gets a fresh one.
Result<policy::Group> DecodeGroupInput(const web::json::value& body);
// A JSON merge patch (RFC 7396) of a group, to apply to it as it stands.
Result<GroupPatch> DecodeGroupPatch(const web::json::value& body);
Result<policy::GlobalSettings> DecodeSettings(const web::json::value& body);

web::json::value Encode(const policy::Group& group);
web::json::value Encode(const policy::GlobalSettings& settings);
web::json::value Encode(const GroupEffective& effective);
web::json::value Encode(const std::shared_ptr<const PolicySnapshot>& snapshot);  // the document

}  // namespace custodian::admincenter
