// Care rules as data (SPEC C1): the shipped defaults, the JSON round trip and
// validation that names the bad field (P10).
#include "domain/care_rules.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "domain/presets.h"

namespace vipcare::domain {
namespace {

using nlohmann::json;

// One valid rule; tests break one field at a time.
json ValidRuleJson(std::string code = "spring_festival") {
  json r = json::parse(R"({
    "name": "春节问候",
    "trigger": {"type": "holiday", "holiday": "spring_festival"},
    "actions": {
      "A": {"channels": ["phone", "gift"], "text": "电话祝福，上门赠送春节礼品"},
      "default": {"channels": ["sms"], "text": "短信祝福"}
    },
    "due": {"offset_days": -1, "lead_days": 3, "window_days": 1}
  })");
  r["code"] = code;
  return r;
}

json Doc(std::vector<json> rules) { return json{{"rules", rules}}; }

// The field of the error ParseCareRules gives, or "ok".
std::string FieldOf(const json& doc, std::vector<std::string> tier_codes = {}) {
  auto r = ParseCareRules(doc, tier_codes);
  return r.ok() ? "ok" : r.error().field;
}

TEST(CareRulesTest, C1DefaultRulesShipEveryRuleTheSeedsDescribe) {
  const CareRuleSet& d = DefaultCareRules();
  for (const char* code :
       {"post_purchase_d1", "post_purchase_d3", "card_pickup_d5",    "new_year",
        "spring_festival",  "valentines",       "labour_day",        "fathers_day",
        "dragon_boat",      "army_day",         "teachers_day",      "mid_autumn",
        "national_day",     "christmas",        "birthday",          "anniversary",
        "new_season",       "special_event",    "tier_cadence",      "senior_visit",
        "analysis_report",  "inactivity",       "downgrade_warning", "points_expiry",
        "stored_goods",     "churn_risk"}) {
    const CareRule* r = FindCareRule(d, code);
    ASSERT_NE(r, nullptr) << code;
    EXPECT_FALSE(r->name.empty()) << code;
    EXPECT_FALSE(r->description.empty()) << code;
  }
  EXPECT_EQ(d.settings.routine_fallback_after_contacts, 3);  // C4 seed rule
  EXPECT_EQ(d.settings.routine_fallback_every_months, 3);

  // 春节: C = SMS + mailed card + e-mail of points; B = SMS + gift in store;
  // A = phone call + gift delivered.
  const CareRule* sf = FindCareRule(d, "spring_festival");
  ASSERT_NE(sf, nullptr);
  EXPECT_EQ(sf->trigger.type, TriggerType::kHoliday);
  EXPECT_EQ(sf->due.offset_days, -1);  // the day before
  std::map<std::string, std::vector<std::string>> channels;
  for (const auto& e : sf->actions) channels[e.key] = ChannelNames(e.action.channels);
  EXPECT_EQ(channels["A"], (std::vector<std::string>{"phone", "visit", "gift"}));
  EXPECT_EQ(channels["B"], (std::vector<std::string>{"sms", "gift"}));
  EXPECT_EQ(channels["default"], (std::vector<std::string>{"sms", "email", "mail"}));

  // Tier cadence: Diamond monthly, Platinum quarterly, Gold half-yearly, Silver quarterly.
  const CareRule* tc = FindCareRule(d, "tier_cadence");
  ASSERT_NE(tc, nullptr);
  std::map<std::string, int> every;
  for (const auto& e : tc->actions) every[e.key] = e.action.every_months;
  EXPECT_EQ(every, (std::map<std::string, int>{{"A", 1}, {"B", 3}, {"C", 6}, {"D", 3}}));
  EXPECT_EQ(FindCareRule(d, "senior_visit")->assignee, Assignee::kStoreManager);

  // Teachers and the military get their own festivals only.
  EXPECT_FALSE(FindCareRule(d, "teachers_day")->audience.occupations.empty());
  EXPECT_FALSE(FindCareRule(d, "army_day")->audience.occupations.empty());
}

TEST(CareRulesTest, C1DefaultRulesRoundTripAndSuitEveryPreset) {
  const CareRuleSet& d = DefaultCareRules();
  auto again = ParseCareRules(CareRulesToJson(d));
  ASSERT_TRUE(again.ok()) << again.error().field << ": " << again.error().message;
  EXPECT_EQ(*again, d);
  for (const Program& p : Presets()) {
    std::vector<std::string> codes;
    for (const Tier& t : p.tiers) codes.push_back(t.code);
    auto r = ParseCareRulesText(DefaultCareRulesText(), codes);
    EXPECT_TRUE(r.ok()) << p.code;
  }
}

TEST(CareRulesTest, C1EveryTriggerRoundTrips) {
  json doc = Doc({
      json::parse(R"({"code":"d1","name":"n","trigger":{"type":"after_purchase","days":1},
        "actions":{"default":{"channels":["sms"],"text":"t","template":"post_purchase_d1_formal"}}})"),
      json::parse(
          R"({"code":"d5","name":"n","trigger":{"type":"became_formal","days":5,"card_pending_only":true},
        "actions":{"default":{"channels":["phone"],"text":"t"}}})"),
      json::parse(R"({"code":"bd","name":"n","trigger":{"type":"birthday"},
        "actions":{"diamond":{"channels":["visit"],"text":"t","assignee":"store_manager"},
                   "none":{"skip":true},"default":{"channels":["sms"],"text":"t"}}})"),
      json::parse(R"({"code":"ann","name":"n","trigger":{"type":"anniversary","kinds":["wedding"]},
        "actions":{"default":{"channels":["sms"],"text":"t"}}})"),
      json::parse(
          R"({"code":"ns","name":"n","trigger":{"type":"new_season","dates":["09-01","03-01"]},
        "actions":{"default":{"channels":["sms"],"text":"t"}}})"),
      json::parse(R"({"code":"ev","name":"n","trigger":{"type":"special_event","events":[
          {"code":"opening","name":"开业","date":"2027-10-18","stores":[3,4]}]},
        "actions":{"default":{"channels":["sms"],"text":"t"}},"due":{"offset_days":-7}})"),
      json::parse(R"({"code":"tc","name":"n","routine":true,"trigger":{"type":"tier_cadence"},
        "actions":{"A":{"channels":["phone"],"text":"t","every_months":1}}})"),
      json::parse(R"({"code":"ina","name":"n","trigger":{"type":"inactivity","days":180},
        "actions":{"default":{"channels":["sms"],"text":"t"}}})"),
      json::parse(
          R"({"code":"dg","name":"n","purpose":"service","trigger":{"type":"downgrade_warning"},
        "actions":{"default":{"channels":["phone"],"text":"t"}}})"),
      json::parse(
          R"({"code":"px","name":"n","purpose":"service","trigger":{"type":"points_expiry","min_points":100},
        "actions":{"default":{"channels":["sms"],"text":"t"}}})"),
      json::parse(
          R"({"code":"sg","name":"n","trigger":{"type":"stored_goods","every_days":7,"max_reminders":4},
        "actions":{"default":{"channels":["phone"],"text":"t"}}})"),
      json::parse(R"({"code":"cr","name":"n","trigger":{"type":"churn_risk","min_score":80},
        "audience":{"statuses":["formal"],"tiers":["A","gold"],"occupations":["教师"],"member_types":["business"]},
        "actions":{"default":{"channels":["phone"],"text":"t"}},"assignee":"call_centre"})"),
  });
  std::vector<std::string> codes = {"normal", "gold", "diamond"};
  auto s = ParseCareRules(doc, codes);
  ASSERT_TRUE(s.ok()) << s.error().field << ": " << s.error().message;
  ASSERT_EQ(s->rules.size(), 12u);
  EXPECT_EQ(s->rules[4].trigger.season_dates,
            (std::vector<std::pair<unsigned, unsigned>>{{3, 1}, {9, 1}}));
  EXPECT_EQ(s->rules[5].trigger.events[0].stores, (std::vector<StoreId>{StoreId(3), StoreId(4)}));
  EXPECT_EQ(s->rules[0].purpose, Purpose::kMarketing);  // omitted purpose: the cautious one
  EXPECT_EQ(s->rules[11].assignee, Assignee::kCallCentre);
  auto again = ParseCareRules(CareRulesToJson(*s), codes);
  ASSERT_TRUE(again.ok()) << again.error().field << ": " << again.error().message;
  EXPECT_EQ(*again, *s);
}

TEST(CareRulesTest, P10BadRulesNameTheField) {
  // Unknown trigger type.
  json r = ValidRuleJson();
  r["trigger"]["type"] = "full_moon";
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].trigger.type");
  // Unknown holiday.
  r = ValidRuleJson();
  r["trigger"]["holiday"] = "qingming";
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].trigger.holiday");
  // A parameter of another trigger type.
  r = ValidRuleJson();
  r["trigger"]["days"] = 3;
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].trigger.days");
  // Unknown tier key; the same key is fine once it is a tier code of the company.
  r = ValidRuleJson();
  r["actions"]["platinum"] = {{"channels", {"phone"}}, {"text", "电话"}};
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].actions.platinum");
  EXPECT_EQ(FieldOf(Doc({r}), {"gold", "platinum"}), "ok");
  // Unknown channel, named by its index.
  r = ValidRuleJson();
  r["actions"]["A"]["channels"] = json::array({"phone", "fax"});
  EXPECT_EQ(FieldOf(Doc({ValidRuleJson("x"), r})), "rules[1].actions.A.channels[1]");
  // No channel.
  r = ValidRuleJson();
  r["actions"]["A"]["channels"] = json::array();
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].actions.A.channels");
  // No text.
  r = ValidRuleJson();
  r["actions"]["A"].erase("text");
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].actions.A.text");
  // Unknown assignee.
  r = ValidRuleJson();
  r["assignee"] = "intern";
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].assignee");
  // every_months outside tier_cadence, and a bad one inside.
  r = ValidRuleJson();
  r["actions"]["A"]["every_months"] = 1;
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].actions.A.every_months");
  r = ValidRuleJson();
  r["trigger"] = {{"type", "tier_cadence"}};
  r["actions"] = {{"A", {{"channels", {"phone"}}, {"text", "t"}, {"every_months", 5}}}};
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].actions.A.every_months");
  r["actions"]["A"].erase("every_months");
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].actions.A.every_months");
  // Audience: statuses that never get care, "default" as an audience tier.
  r = ValidRuleJson();
  r["audience"] = {{"statuses", json::array({"formal", "closed"})}};
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].audience.statuses[1]");
  r = ValidRuleJson();
  r["audience"] = {{"tiers", {"default"}}};
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].audience.tiers[0]");
  r = ValidRuleJson();
  r["audience"] = {{"member_types", {"vip"}}};
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].audience.member_types[0]");
  // Due window out of range.
  r = ValidRuleJson();
  r["due"]["lead_days"] = -1;
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].due.lead_days");
  r = ValidRuleJson();
  r["due"]["offset_days"] = 400;
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].due.offset_days");
  // Unknown fields anywhere.
  r = ValidRuleJson();
  r["colour"] = "red";
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].colour");
  r = ValidRuleJson();
  r["actions"]["A"]["colour"] = "red";
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].actions.A.colour");
  // Codes: duplicate, malformed, reserved.
  EXPECT_EQ(FieldOf(Doc({ValidRuleJson("a"), ValidRuleJson("b"), ValidRuleJson("a")})),
            "rules[2].code");
  EXPECT_EQ(FieldOf(Doc({ValidRuleJson("Spring Festival")})), "rules[0].code");
  EXPECT_EQ(FieldOf(Doc({ValidRuleJson("collect_number")})), "rules[0].code");
  // Only skipped actions.
  r = ValidRuleJson();
  r["actions"] = {{"A", {{"skip", true}}}};
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].actions");
  r["actions"] = {{"A", {{"skip", true}, {"channels", {"sms"}}}}};
  EXPECT_EQ(FieldOf(Doc({r})), "rules[0].actions.A.channels");
}

TEST(CareRulesTest, P10BadTriggerParametersNameTheField) {
  auto with_trigger = [](json trigger) {
    json r = ValidRuleJson();
    r["trigger"] = std::move(trigger);
    return Doc({r});
  };
  EXPECT_EQ(FieldOf(with_trigger({{"type", "after_purchase"}})), "rules[0].trigger.days");
  EXPECT_EQ(FieldOf(with_trigger({{"type", "after_purchase"}, {"days", 0}})),
            "rules[0].trigger.days");
  EXPECT_EQ(
      FieldOf(with_trigger({{"type", "new_season"}, {"dates", json::array({"03-01", "13-01"})}})),
      "rules[0].trigger.dates[1]");
  EXPECT_EQ(
      FieldOf(with_trigger({{"type", "new_season"}, {"dates", json::array({"03-01", "03-15"})}})),
      "rules[0].trigger.dates[1]");
  EXPECT_EQ(FieldOf(with_trigger({{"type", "new_season"}, {"dates", {"02-29"}}})),
            "rules[0].trigger.dates[0]");
  EXPECT_EQ(FieldOf(with_trigger({{"type", "special_event"}, {"events", json::array()}})),
            "rules[0].trigger.events");
  EXPECT_EQ(FieldOf(with_trigger(
                {{"type", "special_event"},
                 {"events", {{{"code", "x"}, {"name", "开业"}, {"date", "2027-13-01"}}}}})),
            "rules[0].trigger.events[0].date");
  EXPECT_EQ(FieldOf(with_trigger(
                {{"type", "special_event"},
                 {"events",
                  {{{"code", "x"}, {"name", "开业"}, {"date", "2027-10-01"}, {"stores", {0}}}}}})),
            "rules[0].trigger.events[0].stores[0]");
  EXPECT_EQ(FieldOf(with_trigger({{"type", "churn_risk"}, {"min_score", 101}})),
            "rules[0].trigger.min_score");
  EXPECT_EQ(FieldOf(with_trigger({{"type", "stored_goods"}, {"every_days", 0}})),
            "rules[0].trigger.every_days");
  EXPECT_EQ(FieldOf(with_trigger({{"type", "points_expiry"}, {"min_points", -5}})),
            "rules[0].trigger.min_points");
}

TEST(CareRulesTest, P10BadDocumentsNameTheField) {
  EXPECT_EQ(FieldOf(json::array()), "");
  EXPECT_EQ(FieldOf(json::object()), "rules");
  EXPECT_EQ(FieldOf(json{{"rules", {1}}}), "rules[0]");
  EXPECT_EQ(FieldOf(json{{"rules", json::array()}, {"extra", 1}}), "extra");
  EXPECT_EQ(FieldOf(json{{"rules", json::array()},
                         {"settings", {{"collect_number", {{"channels", {"sms"}}}}}}}),
            "settings.collect_number.channels");
  EXPECT_EQ(
      FieldOf(json{{"rules", json::array()}, {"settings", {{"routine_fallback_every_months", 5}}}}),
      "settings.routine_fallback_every_months");
  auto bad = ParseCareRulesText("{\"rules\": [");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().field, "");
  auto empty = ParseCareRules(json{{"rules", json::array()}});
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->rules.empty());
  EXPECT_EQ(ChannelNames(empty->settings.collect_number.channels),
            (std::vector<std::string>{"visit"}));
}

TEST(CareRulesTest, C1GradeLettersRankFromTheTop) {
  EXPECT_EQ(GradeOf(0), "A");
  EXPECT_EQ(GradeOf(3), "D");
  EXPECT_EQ(GradeOf(10), "");
  EXPECT_EQ(GradeOf(-1), "");
  EXPECT_TRUE(IsGradeKey("A"));
  EXPECT_TRUE(IsGradeKey("J"));
  EXPECT_FALSE(IsGradeKey("a"));
  EXPECT_FALSE(IsGradeKey("K"));
  EXPECT_FALSE(IsGradeKey("AB"));
}

}  // namespace
}  // namespace vipcare::domain
