// Enrollment and the command queue as JSON (openapi.json's
// EnrollmentCodeInput, EnrollmentCode, EnrollInput, Enrollment, Endpoint,
// CommandInput, Command, CommandAck, CommandAckResult): bodies decoded with
// every problem at its JSON pointer, answers encoded.
#pragma once

#include <cpprest/json.h>

#include <string>
#include <vector>

#include "admincenter/distribution.h"
#include "common/result.h"

namespace custodian::admincenter {

inline constexpr int kDefaultCodeMinutes = 60;
inline constexpr int kMaxCodeMinutes = 7 * 24 * 60;  // a week: enough to ship a machine
// What one upload may carry: bounded work per request.
inline constexpr std::size_t kMaxEventsPerBatch = 1000;

// {ttl_minutes?}: how long the code stays valid.
Result<int> DecodeEnrollmentCodeInput(const web::json::value& body);
// {code, name, os, time_zone} (one of `zones`).
Result<EnrollInput> DecodeEnrollInput(const web::json::value& body, const policy::TimeZones& zones);
// {type}: "sync".
Result<std::string> DecodeCommandInput(const web::json::value& body);
// {ids}: the commands the endpoint carried out.
Result<std::vector<std::string>> DecodeCommandAck(const web::json::value& body);

// {events}: records of the endpoint's chain (docs/audit-format.md), each
// of the record format with its own hash right, at most
// kMaxEventsPerBatch.
Result<std::vector<ChainRecord>> DecodeEventBatch(const web::json::value& body);

// [{key_id, public_key}]: what bundles list and enrollment pins.
web::json::value PublicKeys(const std::vector<SigningKey>& keys);

web::json::value Encode(const EnrollmentCode& code);
web::json::value Encode(const Enrollment& enrollment);
web::json::value Encode(const EndpointRecord& endpoint);
web::json::value Encode(const CommandRecord& command);
web::json::value Encode(const Acked& acked);
web::json::value Encode(const EventBatchResult& result);
// A signing key as GET /v1/policy/keys lists it (never its file).
web::json::value Encode(const KeyRecord& key);

}  // namespace custodian::admincenter
