#include "policy/commands.h"

#include <gtest/gtest.h>

namespace custodian::policy {
namespace {

using web::json::value;
using workflow::Event;

Command Full(Event type) {
  Command c;
  c.type = type;
  c.session_id = "ses_1";
  c.request_id = "ureq_1";
  c.grant_id = "grant_1";
  c.connection_id = "conn_1";
  c.operation_id = "cop_1";
  c.technician_id = "t-anna";
  c.technician_name = "Anna Šimková";
  c.session = {SessionType::kInstantChat, true, true, true};
  c.credential_mode = AuthMode::kAtSetup;
  c.schedule.kind = Schedule::Kind::kRange;
  c.schedule.first_day = boost::gregorian::date(2026, 3, 1);
  c.schedule.last_day = boost::gregorian::date(2026, 3, 7);
  c.schedule.daily = DailyWindow{8 * 60, 18 * 60};
  c.schedule.time_reference = TimeReference::kCustomer;
  c.expires_at = *ParseRfc3339("2026-03-01T10:15:00Z");
  c.by = "admin";
  c.operation = Operation::kUnlock;
  return c;
}

TEST(Commands, EveryCommandRoundTripsThroughItsWireForm) {
  int commands = 0;
  for (std::size_t i = 0; i < workflow::kEventCount; ++i) {
    const auto type = static_cast<Event>(i);
    const std::string name(workflow::EventName(type));
    const DecodedCommand d = ParseCommand(name, EncodeCommand(Full(type)));
    if (workflow::SideOf(type) == workflow::Side::kEndpoint) {
      EXPECT_FALSE(d.command) << name << " is the endpoint's event, no command";
      continue;
    }
    ++commands;
    ASSERT_TRUE(d.command) << name;
    EXPECT_TRUE(d.errors.empty()) << name << ": " << d.errors.at(0).pointer;
    // Encoding what was read gives the same body again.
    EXPECT_EQ(EncodeCommand(*d.command).serialize(), EncodeCommand(Full(type)).serialize()) << name;
  }
  EXPECT_EQ(commands, 8);
}

TEST(Commands, WhatIsWrongIsReportedAtItsPointerAndTheIdsReadStaySet) {
  value body = EncodeCommand(Full(Event::kRequestUnattended));
  body["schedule"]["days"] = value::number(3);  // a range has no day count
  body["credential_mode"] = value::string("whenever");
  body.erase("expires_at");
  const DecodedCommand d = ParseCommand("unattended.request", body);
  ASSERT_TRUE(d.command);
  EXPECT_EQ(d.command->request_id, "ureq_1");
  std::vector<std::string> pointers;
  for (const FieldError& e : d.errors) pointers.push_back(e.pointer);
  EXPECT_EQ(pointers,
            (std::vector<std::string>{"/credential_mode", "/schedule/days", "/expires_at"}));
  EXPECT_FALSE(ParseCommand("format.disk", body).command);
  EXPECT_EQ(
      ParseCommand("grant.revoke", value::parse(R"({"grant_id":"../x","by":"me"})")).errors.size(),
      2u);
}

}  // namespace
}  // namespace custodian::policy
