#!/usr/bin/env python3
"""Writes the golden corpus (case_*.json) of the policy engine.

The expected effects and reasons below are written by hand from DESIGN.md's
rules; the expected effective schedules are computed here with Python's
zoneinfo on the system tzdata, an implementation independent of the C++
engine. Run it again after editing a case: `python3 tests/corpus/make_cases.py`.
Each case: policy (a file under policies/ or inline), request, now, and the
expected effect, reasons (code and rule) and obligations.
"""
import datetime as dt
import json
import os
import zoneinfo

HERE = os.path.dirname(os.path.abspath(__file__))
UTC = dt.timezone.utc
TECH_ZONES = {"t-anna": "Europe/Berlin", "t-ben": "America/New_York", "t-ida": "Europe/Berlin",
              "t-hal": "Australia/Sydney", "t-kiran": "Asia/Kolkata"}


def z(s):
    return s.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(s):
    return dt.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def local_to_utc(naive, zone):
    # Corpus cases avoid DST gaps; in an overlap the earlier instant (fold=0).
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(zone), fold=0).astimezone(UTC)


def days_schedule(now, n, zone, daily=None):
    local = parse(now).astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)
    end = local_to_utc(local + dt.timedelta(days=n), zone)
    return sched(now, z(end), zone, daily)


def range_schedule(first, last, zone, daily=None):
    d0 = dt.datetime.strptime(first, "%Y-%m-%d")
    d1 = dt.datetime.strptime(last, "%Y-%m-%d") + dt.timedelta(days=1)
    return sched(z(local_to_utc(d0, zone)), z(local_to_utc(d1, zone)), zone, daily)


def sched(start, end, zone, daily):
    d = None
    if daily:
        d = {"from": daily[0], "to": daily[1], "time_zone": zone}
    return {"start": start, "end": end, "daily": d}


def allow(prompt=None, admin=False, schedule=None):
    o = {}
    if prompt:
        o["customer_prompt"] = prompt
    o["admin_credentials_required"] = admin
    if schedule is not None:
        o["effective_schedule"] = schedule
    return o


CHAT = {"type": "instant_chat", "mode": "full", "active": True}
WIN_NY = {"os": "windows", "time_zone": "America/New_York"}
NOW = "2026-03-01T10:00:00Z"


def unattended(tech, mode, schedule, session=CHAT, endpoint=WIN_NY):
    return {"action": "unattended.request", "technician_id": tech, "session": session,
            "endpoint": endpoint, "credential_mode": mode, "schedule": schedule}


def grant(tech, mode="at_connection", state="active", zone="Europe/Berlin",
          daily=("08:00", "18:00"), start="2026-03-01T00:00:00Z", end="2026-03-10T00:00:00Z"):
    g = {"credential_mode": mode, "technician_id": tech, "state": state,
         "effective_schedule": {"start": start, "end": end,
                                "daily": {"from": daily[0], "to": daily[1], "time_zone": zone}
                                if daily else None}}
    return g


def connect(tech, g):
    return {"action": "unattended.connect", "technician_id": tech, "grant": g}


def creds(action, tech, session, os_name="windows", **extra):
    r = {"action": action, "technician_id": tech, "session": session,
         "endpoint": {"os": os_name}}
    r.update(extra)
    return r


VIEWING = {"type": "applet", "active": True, "screen_viewing": True}
GRANT_SCHEDULE = {"start": "2026-03-01T00:00:00Z", "end": "2026-03-10T00:00:00Z",
                  "daily": {"from": "08:00", "to": "18:00", "time_zone": "Europe/Berlin"}}

cases = []


def case(name, request, effect, reasons=(), obligations=None, now=NOW, policy="standard"):
    cases.append({
        "name": name,
        "policy": f"policies/{policy}.json",
        "request": request,
        "now": now,
        "expected": {
            "effect": effect,
            "reasons": [{"code": c, "rule": r} for c, r in reasons],
            "obligations": obligations if obligations is not None else {},
        },
    })


# --- unattended.request: the seed's story and R1–R7
case("seed_chat_only_customer_credentials_20_days",
     unattended("t-anna", "at_setup",
                {"kind": "days", "days": 20, "time_reference": "customer",
                 "daily": {"from": "08:00", "to": "18:00"}},
                session={"type": "instant_chat", "mode": "chat_only", "active": True,
                         "screen_viewing": False}),
     "deny", [("session_type_blocked", "R2"), ("duration_exceeds_cap", "R6")])
case("customer_credentials_20_days_from_full_chat",
     unattended("t-anna", "at_setup", {"kind": "days", "days": 20}),
     "deny", [("duration_exceeds_cap", "R6")])
case("customer_credentials_7_days_customer_time_across_us_dst",
     unattended("t-anna", "at_setup", {"kind": "days", "days": 7, "time_reference": "customer",
                                       "daily": {"from": "08:00", "to": "18:00"}}),
     "allow", [], allow("windows_credentials", False,
                        days_schedule(NOW, 7, "America/New_York", ("08:00", "18:00"))))
case("customer_credentials_exactly_14_days",
     unattended("t-anna", "at_setup", {"kind": "days", "days": 14}),
     "allow", [], allow("windows_credentials", False, days_schedule(NOW, 14, "Europe/Berlin")))
case("customer_credentials_15_days",
     unattended("t-anna", "at_setup", {"kind": "days", "days": 15}),
     "deny", [("duration_exceeds_cap", "R6")])
case("customer_credentials_unlimited",
     unattended("t-anna", "at_setup", {"kind": "unlimited"}),
     "deny", [("unlimited_not_allowed", "R6")])
case("customer_credentials_range_of_15_days",
     unattended("t-anna", "at_setup", {"kind": "range", "start": "2026-03-02", "end": "2026-03-16"}),
     "deny", [("duration_exceeds_cap", "R6")])
case("admin_credentials_7_days_across_eu_dst",
     unattended("t-anna", "at_connection", {"kind": "days", "days": 7}),
     "allow", [], allow("confirm", False, days_schedule("2026-03-25T10:00:00Z", 7, "Europe/Berlin")),
     now="2026-03-25T10:00:00Z")
case("admin_credentials_unlimited_over_group_cap",
     unattended("t-anna", "at_connection", {"kind": "unlimited"}),
     "deny", [("duration_exceeds_cap", "R4")])
case("admin_credentials_unlimited_without_cap",
     unattended("t-hal", "at_connection", {"kind": "unlimited"}),
     "allow", [], allow("confirm", False, {"start": NOW, "end": None, "daily": None}))
case("group_narrowed_auth_modes",
     unattended("t-hal", "at_setup", {"kind": "days", "days": 3}),
     "deny", [("auth_mode_not_allowed", "R3")])
case("group_overrides_unattended_access_to_false",
     unattended("t-ida", "at_connection", {"kind": "days", "days": 3}),
     "deny", [("permission_missing", "R1")])
case("mobile_applet_is_blocked",
     unattended("t-anna", "at_connection", {"kind": "days", "days": 3},
                session={"type": "mobile_applet", "active": True}),
     "deny", [("session_type_blocked", "R2")])
case("admin_blocked_calling_card",
     unattended("t-anna", "at_connection", {"kind": "days", "days": 3},
                session={"type": "calling_card", "active": True}),
     "deny", [("session_type_blocked", "R2")])
case("request_from_an_applet_session",
     unattended("t-anna", "at_connection", {"kind": "days", "days": 3},
                session={"type": "applet", "active": True}),
     "allow", [], allow("confirm", False, days_schedule(NOW, 3, "Europe/Berlin")))
case("request_after_the_session_ended",
     unattended("t-anna", "at_connection", {"kind": "days", "days": 3},
                session={"type": "applet", "active": False}),
     "deny", [("session_not_active", "R2")])
case("range_across_eu_dst_in_technician_time",
     unattended("t-anna", "at_connection", {"kind": "range", "start": "2026-03-28", "end": "2026-03-30"}),
     "allow", [], allow("confirm", False, range_schedule("2026-03-28", "2026-03-30", "Europe/Berlin")))
case("range_across_sydney_dst_end_in_customer_time",
     unattended("t-anna", "at_connection",
                {"kind": "range", "start": "2026-04-04", "end": "2026-04-05", "time_reference": "customer"},
                endpoint={"os": "windows", "time_zone": "Australia/Sydney"}),
     "allow", [], allow("confirm", False, range_schedule("2026-04-04", "2026-04-05", "Australia/Sydney")))
case("range_in_nuuk_whose_rules_changed_recently",
     unattended("t-anna", "at_connection",
                {"kind": "range", "start": "2026-03-27", "end": "2026-03-29", "time_reference": "customer",
                 "daily": {"from": "21:00", "to": "02:00"}},
                endpoint={"os": "linux", "time_zone": "America/Nuuk"}),
     "allow", [], allow("confirm", False, range_schedule("2026-03-27", "2026-03-29", "America/Nuuk",
                                                         ("21:00", "02:00"))))
case("days_in_kolkata_customer_time_crossing_midnight_window",
     unattended("t-kiran", "at_connection",
                {"kind": "days", "days": 10, "time_reference": "customer",
                 "daily": {"from": "22:00", "to": "06:00"}},
                endpoint={"os": "windows", "time_zone": "Asia/Kolkata"}),
     "allow", [], allow("confirm", False, days_schedule(NOW, 10, "Asia/Kolkata", ("22:00", "06:00"))))
case("reversed_range", unattended("t-anna", "at_connection",
                                  {"kind": "range", "start": "2026-03-10", "end": "2026-03-05"}),
     "deny", [("invalid_schedule", "R4")])
case("range_in_the_past", unattended("t-anna", "at_connection",
                                     {"kind": "range", "start": "2026-02-01", "end": "2026-02-05"}),
     "deny", [("invalid_schedule", "R4")])
case("empty_daily_window", unattended("t-anna", "at_connection",
                                      {"kind": "days", "days": 2, "daily": {"from": "09:00", "to": "09:00"}}),
     "deny", [("invalid_schedule", "R4")])
case("zero_days", unattended("t-anna", "at_connection", {"kind": "days", "days": 0}),
     "deny", [("invalid_schedule", "R4")])
case("unknown_customer_zone",
     unattended("t-anna", "at_connection", {"kind": "days", "days": 2, "time_reference": "customer"},
                endpoint={"os": "windows", "time_zone": "Europe/Atlantis"}),
     "deny", [("unknown_time_zone", "R5")])
case("customer_time_without_customer_zone",
     unattended("t-anna", "at_connection", {"kind": "days", "days": 2, "time_reference": "customer"},
                endpoint={"os": "windows"}),
     "deny", [("unknown_time_zone", "R5")])
case("over_the_group_cap_of_7",
     unattended("t-ben", "at_connection", {"kind": "days", "days": 8}),
     "deny", [("duration_exceeds_cap", "R4")])
case("customer_credentials_under_a_lower_group_cap",
     unattended("t-ben", "at_setup", {"kind": "days", "days": 10}),
     "deny", [("duration_exceeds_cap", "R4")])
case("customer_credentials_on_macos",
     unattended("t-anna", "at_setup", {"kind": "days", "days": 3},
                endpoint={"os": "macos", "time_zone": "Europe/Paris"}),
     "deny", [("platform_not_supported", "R7")])
case("unknown_technician",
     unattended("t-zed", "at_connection", {"kind": "days", "days": 3}),
     "deny", [("technician_unknown", "R16")])
case("everything_wrong_at_once",
     unattended("t-ida", "at_setup", {"kind": "unlimited", "time_reference": "customer"},
                session={"type": "mobile_applet", "active": False},
                endpoint={"os": "linux", "time_zone": "Nowhere/Nothing"}),
     "deny", [("permission_missing", "R1"), ("session_not_active", "R2"),
              ("session_type_blocked", "R2"), ("platform_not_supported", "R7"),
              ("unknown_time_zone", "R5"), ("unlimited_not_allowed", "R6")])
# --- cap_behavior clamp
case("clamp_customer_credentials_to_14_days",
     unattended("t-anna", "at_setup", {"kind": "days", "days": 20}),
     "allow", [("duration_capped", "R6")],
     allow("windows_credentials", False, days_schedule(NOW, 14, "Europe/Berlin")), policy="clamp")
case("clamp_range_to_group_cap",
     unattended("t-ben", "at_connection", {"kind": "range", "start": "2026-03-02", "end": "2026-03-31"}),
     "allow", [("duration_capped", "R4")],
     allow("confirm", False, range_schedule("2026-03-02", "2026-03-08", "America/New_York")),
     policy="clamp")
case("clamp_unlimited_to_group_cap",
     unattended("t-anna", "at_connection", {"kind": "unlimited"}),
     "allow", [("duration_capped", "R4")],
     allow("confirm", False, days_schedule(NOW, 30, "Europe/Berlin")), policy="clamp")
# --- unattended.connect
case("connect_inside_window", connect("t-anna", grant("t-anna")), "allow", [],
     allow(None, True, GRANT_SCHEDULE), now="2026-03-02T07:00:00Z")
case("connect_just_before_window", connect("t-anna", grant("t-anna")), "deny",
     [("outside_time_window", "R4")], now="2026-03-02T06:59:59Z")
case("connect_with_customer_credentials_needs_no_admin_credentials",
     connect("t-anna", grant("t-anna", mode="at_setup")), "allow", [],
     allow(None, False, GRANT_SCHEDULE), now="2026-03-02T16:59:59Z")
case("connect_in_window_crossing_midnight",
     connect("t-kiran", grant("t-kiran", zone="Asia/Kolkata", daily=("22:00", "06:00"))),
     "allow", [], allow(None, True, {"start": "2026-03-01T00:00:00Z", "end": "2026-03-10T00:00:00Z",
                                     "daily": {"from": "22:00", "to": "06:00",
                                               "time_zone": "Asia/Kolkata"}}),
     now="2026-03-03T18:00:00Z")
case("connect_revoked", connect("t-anna", grant("t-anna", state="revoked")), "deny",
     [("grant_revoked", "R8")], now="2026-03-02T09:00:00Z")
case("connect_expired", connect("t-anna", grant("t-anna", daily=None)), "deny",
     [("grant_expired", "R8")], now="2026-03-10T00:00:00Z")
case("connect_before_start", connect("t-anna", grant("t-anna", daily=None)), "deny",
     [("grant_not_active", "R8")], now="2026-02-28T12:00:00Z")
case("connect_after_permission_withdrawn", connect("t-ida", grant("t-ida")), "deny",
     [("permission_missing", "R1")], now="2026-03-02T09:00:00Z")
case("connect_mode_no_longer_allowed", connect("t-hal", grant("t-hal", mode="at_setup")), "deny",
     [("auth_mode_not_allowed", "R3")], now="2026-03-02T09:00:00Z")
case("connect_unknown_window_zone", connect("t-anna", grant("t-anna", zone="Moon/Tranquility")),
     "deny", [("unknown_time_zone", "R5")], now="2026-03-02T09:00:00Z")
case("connect_with_another_technicians_grant", connect("t-anna", grant("t-ben")), "deny",
     [("grant_not_active", "R8")], now="2026-03-02T09:00:00Z")
# --- Windows credentials
case("credentials_request_with_screen_viewing",
     creds("credentials.request", "t-anna", VIEWING), "allow", [], allow("windows_credentials"))
case("credentials_request_without_screen_viewing",
     creds("credentials.request", "t-anna", {"type": "applet", "active": True, "screen_viewing": False}),
     "deny", [("screen_viewing_inactive", "R13")])
case("credentials_request_on_linux",
     creds("credentials.request", "t-anna", VIEWING, "linux"), "deny", [("platform_not_supported", "R9")])
case("credentials_request_without_permission",
     creds("credentials.request", "t-kiran", VIEWING), "deny", [("permission_missing", "R9")])
case("credentials_request_outside_a_session",
     creds("credentials.request", "t-anna", {"type": "applet", "active": False}),
     "deny", [("session_not_active", "R9"), ("screen_viewing_inactive", "R13")])
case("credentials_apply_unlock",
     creds("credentials.apply", "t-anna", VIEWING, operation="unlock", credentials_stored=True),
     "allow", [], allow())
case("credentials_apply_restart_after_revoke",
     creds("credentials.apply", "t-anna", VIEWING, operation="restart", credentials_stored=False),
     "deny", [("credentials_not_stored", "R12")])
case("credentials_apply_after_session_end",
     creds("credentials.apply", "t-anna", {"type": "applet", "active": False},
           operation="restart", credentials_stored=True),
     "deny", [("session_not_active", "R10")])
# R8 with the grant's stored state: one the endpoint's timers ended stays
# ended at a clock that puts it inside its schedule, and is listed once.
case("connect_on_a_grant_the_endpoint_ended",
     connect("t-anna", grant("t-anna", state="expired")), "deny",
     [("grant_expired", "R8")], now="2026-03-02T09:00:00Z")
case("connect_on_an_ended_grant_past_its_schedule",
     connect("t-anna", grant("t-anna", state="expired", daily=None)), "deny",
     [("grant_expired", "R8")], now="2026-03-11T09:00:00Z")

for old in os.listdir(HERE):
    if old.startswith("case_") and old.endswith(".json"):
        os.remove(os.path.join(HERE, old))
for i, c in enumerate(cases, 1):
    with open(os.path.join(HERE, f"case_{i:03d}_{c['name']}.json"), "w") as f:
        json.dump(c, f, indent=2)
        f.write("\n")
print(f"{len(cases)} cases")
