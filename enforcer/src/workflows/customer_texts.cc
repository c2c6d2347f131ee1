#include "enforcer/customer_texts.h"

#include <date/date.h>

#include <boost/date_time/gregorian/gregorian.hpp>
#include <vector>

#include "policy/codec.h"

namespace custodian::enforcer {
namespace {

struct Texts {
  const char* confirm;      // at_connection: technician, schedule
  const char* credentials;  // at_setup: technician, schedule
  const char* windows;      // R9/R14: technician
  const char* notice;       // R15
  const char* revoked;      // R12
};
const Texts kEnglish{
    "Technician {} asks for unattended access to this computer ({}). An administrator's "
    "credentials will be needed at every connection. Allow?",
    "Technician {} asks for unattended access to this computer ({}), using your Windows "
    "credentials. Enter your Windows user name and password to allow it.",
    "Technician {} asks to use your Windows credentials during this session only, to restart or "
    "unlock this computer. Your user name and domain are filled in; enter only your password.",
    "Your credentials are stored encrypted on this computer. The technician can now unlock or "
    "restart this computer during this session. You can revoke the credentials at any time.",
    "Your credentials were deleted. The technician can no longer use them.",
};
const Texts kGerman{
    "Techniker {} bittet um unbeaufsichtigten Zugriff auf diesen Computer ({}). Bei jeder "
    "Verbindung werden Administrator-Anmeldedaten benötigt. Erlauben?",
    "Techniker {} bittet um unbeaufsichtigten Zugriff auf diesen Computer ({}) mit Ihren "
    "Windows-Anmeldedaten. Geben Sie Ihren Windows-Benutzernamen und Ihr Kennwort ein, um ihn zu "
    "erlauben.",
    "Techniker {} möchte Ihre Windows-Anmeldedaten nur während dieser Sitzung verwenden, um "
    "diesen Computer neu zu starten oder zu entsperren. Benutzername und Domäne sind "
    "vorausgefüllt; geben Sie nur Ihr Kennwort ein.",
    "Ihre Anmeldedaten sind verschlüsselt auf diesem Computer gespeichert. Der Techniker kann "
    "diesen Computer während dieser Sitzung jetzt entsperren oder neu starten. Sie können die "
    "Anmeldedaten jederzeit widerrufen.",
    "Ihre Anmeldedaten wurden gelöscht. Der Techniker kann sie nicht mehr verwenden.",
};
const Texts& TextsFor(Language l) { return l == Language::kGerman ? kGerman : kEnglish; }

std::string Format(const char* pattern, const std::vector<std::string>& args) {
  std::string out;
  std::size_t next = 0;
  for (const char* p = pattern; *p; ++p) {
    if (p[0] == '{' && p[1] == '}' && next < args.size()) {
      out += args[next++];
      ++p;
    } else {
      out += *p;
    }
  }
  return out;
}

// A local time for the customer: "2026-12-15 10:03" (English) or
// "15.12.2026 10:03" (German).
std::string LocalTime(policy::Instant t, const policy::TimeZone& zone, Language l) {
  const auto local = zone.ToLocal(t);
  return date::format(l == Language::kGerman ? "%d.%m.%Y %H:%M" : "%Y-%m-%d %H:%M", local);
}

std::string Daily(const policy::DailyWindow& w, bool de) {
  return (de ? ", täglich " : ", daily ") + policy::FormatDailyTime(w.from) + "–" +
         policy::FormatDailyTime(w.to);
}

}  // namespace

std::string UnattendedPromptText(Language l, policy::AuthMode mode, const std::string& technician,
                                 const std::string& what) {
  const Texts& t = TextsFor(l);
  return Format(mode == policy::AuthMode::kAtSetup ? t.credentials : t.confirm, {technician, what});
}

std::string WindowsPromptText(Language l, const std::string& technician) {
  return Format(TextsFor(l).windows, {technician});
}

std::string StoredNotice(Language l) { return TextsFor(l).notice; }
std::string RevokedNotice(Language l) { return TextsFor(l).revoked; }

std::string DescribeSchedule(const policy::Schedule& s, Language l) {
  const bool de = l == Language::kGerman;
  std::string out;
  switch (s.kind) {
    case policy::Schedule::Kind::kDays:
      out = std::to_string(s.days) + (de ? " Tage" : " days");
      break;
    case policy::Schedule::Kind::kRange:
      out = boost::gregorian::to_iso_extended_string(s.first_day) + (de ? " bis " : " to ") +
            boost::gregorian::to_iso_extended_string(s.last_day);
      break;
    case policy::Schedule::Kind::kUnlimited:
      out = de ? "unbegrenzt" : "unlimited";
      break;
  }
  if (s.daily) out += Daily(*s.daily, de);
  return out;
}

std::string DescribeGrant(const policy::EffectiveSchedule& g, const policy::TimeZone& zone,
                          policy::Instant now, Language l) {
  const bool de = l == Language::kGerman;
  std::string out = g.start <= now + std::chrono::minutes(1)
                        ? (de ? "ab jetzt" : "from now")
                        : (de ? "ab " : "from ") + LocalTime(g.start, zone, l);
  if (g.end) {
    const auto days = std::chrono::duration_cast<std::chrono::hours>(*g.end - g.start).count() / 24;
    out += (de ? " bis " : " until ") + LocalTime(*g.end, zone, l) + " (" + std::to_string(days) +
           (de ? (days == 1 ? " Tag)" : " Tage)") : (days == 1 ? " day)" : " days)"));
  } else {
    out += de ? ", ohne Enddatum" : ", with no end date";
  }
  if (g.daily) {
    out += Daily(*g.daily, de);
    if (g.zone && g.zone->name() != zone.name()) {
      out += de ? " (Zeitzone " + g.zone->name() + ")" : " (" + g.zone->name() + " time)";
    }
  }
  return out + (de ? "; Zeiten in " : "; times in ") + zone.name();
}

}  // namespace custodian::enforcer
