// What the customer reads (R7, R14, R15), in English and German: the
// prompts' messages and the notices after an answer. Pure.
#pragma once

#include <string>

#include "policy/request.h"
#include "policy/time.h"

namespace custodian::enforcer {

enum class Language { kEnglish, kGerman };

// The message of an unattended-access prompt: at_connection asks for
// consent, at_setup for the customer's Windows user name and password.
// `what` is DescribeGrant's or DescribeSchedule's text.
std::string UnattendedPromptText(Language language, policy::AuthMode mode,
                                 const std::string& technician, const std::string& what);
// R9/R14: the Windows-credentials prompt.
std::string WindowsPromptText(Language language, const std::string& technician);
// R15: after the customer stored their credentials.
std::string StoredNotice(Language language);
// R12: after the customer revoked them.
std::string RevokedNotice(Language language);

// The schedule as asked: "7 days", "2026-12-01 to 2026-12-07",
// "unlimited", "…, daily 08:00–18:00".
std::string DescribeSchedule(const policy::Schedule& schedule, Language language);
// Exactly what approving creates (R7), in the customer's time and zone:
// "from now until 2026-12-15 10:03 (14 days), daily 09:00–17:00
// (Europe/Berlin time); times in Europe/Vienna". A start within a minute
// of `now` is "now": approving starts the grant when the customer answers.
std::string DescribeGrant(const policy::EffectiveSchedule& grant, const policy::TimeZone& zone,
                          policy::Instant now, Language language);

}  // namespace custodian::enforcer
