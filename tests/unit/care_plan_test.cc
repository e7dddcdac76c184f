// Which care occasions are due (SPEC C1) and the good manners of C4, with the
// shipped default rules on the apparel A/B/C ladder and the department store's
// five cards.
#include "domain/care_plan.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "domain/lunar.h"

namespace vipcare::domain {
namespace {

using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

const std::vector<std::string> kApparel = {"c", "b", "a"};  // lowest first
const std::vector<std::string> kDepartment = {"normal", "silver", "gold", "diamond",
                                              "purple_diamond"};

const CareCalendar& Calendar2027() {
  static const CareCalendar cal(2025, 2029);
  return cal;
}

// A formal member every channel reaches, with nothing else on file.
MemberFacts Reachable(std::string_view tier = "c") {
  MemberFacts m;
  m.status = MemberStatus::kFormal;
  m.tier_code = tier;
  m.joined_on = D(2020, 1, 1);
  m.last_purchase_on = D(2027, 1, 5);
  m.mobile_ok = m.phone_ok = m.email_ok = m.wechat_ok = m.address_ok = true;
  return m;
}

std::vector<DueOccasion> Due(const CarePlanner& p, const MemberFacts& m, Date day) {
  std::vector<DueOccasion> out;
  p.Evaluate(m, day, out);
  return out;
}

// A copy, so that Find(Due(...), code) outlives the temporary vector.
std::optional<DueOccasion> Find(const std::vector<DueOccasion>& v, std::string_view code) {
  for (const auto& o : v) {
    if (o.code == code) return o;
  }
  return std::nullopt;
}

std::set<std::string> Codes(const std::vector<DueOccasion>& v) {
  std::set<std::string> out;
  for (const auto& o : v) out.insert(std::string(o.code));
  return out;
}

std::vector<std::string> Channels(const std::optional<DueOccasion>& o) {
  return o ? ChannelNames(o->channels) : std::vector<std::string>{"<none>"};
}

class CarePlanTest : public ::testing::Test {
 protected:
  CarePlanner apparel_{DefaultCareRules(), kApparel, Calendar2027()};
  CarePlanner department_{DefaultCareRules(), kDepartment, Calendar2027()};
};

// ---- C1 triggers -------------------------------------------------------------

TEST_F(CarePlanTest, C1Plan135SmsDay1CallDay3CardPickupDay5) {
  MemberFacts m = Reachable();
  std::vector<Date> purchases = {D(2027, 9, 10)};
  m.purchase_days = purchases;
  m.last_purchase_on = D(2027, 9, 10);
  m.became_formal_on = D(2027, 9, 10);
  m.card_awaiting_pickup = true;
  EXPECT_GE(apparel_.PurchaseLookBackDays(), 5);

  auto day1 = Due(apparel_, m, D(2027, 9, 11));
  auto sms = Find(day1, "post_purchase_d1");
  ASSERT_NE(sms, std::nullopt);
  EXPECT_EQ(sms->key, "post_purchase_d1:2027-09-10");
  EXPECT_EQ(sms->due_on, D(2027, 9, 11));
  EXPECT_EQ(Channels(sms), (std::vector<std::string>{"sms"}));
  EXPECT_EQ(sms->purpose, Purpose::kService);
  EXPECT_EQ(Find(day1, "post_purchase_d3"), std::nullopt);

  auto day3 = Due(apparel_, m, D(2027, 9, 13));
  auto call = Find(day3, "post_purchase_d3");
  ASSERT_NE(call, std::nullopt);
  EXPECT_EQ(call->key, "post_purchase_d3:2027-09-10");
  EXPECT_EQ(call->due_on, D(2027, 9, 13));
  EXPECT_EQ(call->overdue_after, D(2027, 9, 15));
  EXPECT_EQ(Channels(call), (std::vector<std::string>{"phone"}));
  EXPECT_EQ(call->assignee, Assignee::kAssociate);
  // A day late the same call is still created (same key), never after its window.
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 9, 14)), "post_purchase_d3")->key, call->key);
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 9, 16)), "post_purchase_d3"), std::nullopt);

  auto day5 = Due(apparel_, m, D(2027, 9, 15));
  auto pickup = Find(day5, "card_pickup_d5");
  ASSERT_NE(pickup, std::nullopt);
  EXPECT_EQ(pickup->key, "card_pickup_d5:2027-09-10");
  EXPECT_EQ(Channels(pickup), (std::vector<std::string>{"phone"}));
  // Card already collected: no pickup call.
  m.card_awaiting_pickup = false;
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 9, 15)), "card_pickup_d5"), std::nullopt);
  // Prospects have bought nothing: no 1.3.5 tasks.
  m.status = MemberStatus::kProspect;
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 9, 11)), "post_purchase_d1"), std::nullopt);
}

TEST_F(CarePlanTest, C1SpringFestivalActionsByTier) {
  const Date day = D(2027, 2, 3);  // 春节 2027-02-06, due the day before
  auto a = Due(apparel_, Reachable("a"), day);
  auto sf = Find(a, "spring_festival");
  ASSERT_NE(sf, std::nullopt);
  EXPECT_EQ(sf->key, "spring_festival:2027");
  EXPECT_EQ(sf->occasion_on, D(2027, 2, 6));
  EXPECT_EQ(sf->due_on, D(2027, 2, 5));
  EXPECT_EQ(sf->action_key, "A");
  EXPECT_EQ(Channels(sf),
            (std::vector<std::string>{"phone", "visit", "gift"}));  // 电话祝福，上门赠送
  EXPECT_EQ(sf->text, "电话祝福，上门赠送春节礼品");

  EXPECT_EQ(Channels(Find(Due(apparel_, Reachable("b"), day), "spring_festival")),
            (std::vector<std::string>{"sms", "gift"}));  // 短信祝福，邀请到店领礼品
  EXPECT_EQ(Channels(Find(Due(apparel_, Reachable("c"), day), "spring_festival")),
            (std::vector<std::string>{"sms", "email", "mail"}));  // 短信+贺卡+E-mail积分
  EXPECT_EQ(Channels(Find(Due(apparel_, Reachable(""), day), "spring_festival")),
            (std::vector<std::string>{"sms", "email", "mail"}));  // no tier yet: as C

  // The same rules on five cards: 紫金钻石卡 is A, 钻石卡 B, 金卡 and below C.
  EXPECT_EQ(Find(Due(department_, Reachable("purple_diamond"), day), "spring_festival")->action_key,
            "A");
  EXPECT_EQ(Find(Due(department_, Reachable("diamond"), day), "spring_festival")->action_key, "B");
  EXPECT_EQ(Find(Due(department_, Reachable("gold"), day), "spring_festival")->action_key,
            "default");
  // Outside the creation window: nothing.
  EXPECT_EQ(Find(Due(apparel_, Reachable("a"), D(2027, 2, 1)), "spring_festival"), std::nullopt);
  EXPECT_EQ(Find(Due(apparel_, Reachable("a"), D(2027, 2, 7)), "spring_festival"), std::nullopt);
}

TEST_F(CarePlanTest, C1LunarFestivalsFollowTheChineseCalendar) {
  auto dragon = Find(Due(apparel_, Reachable("a"), D(2028, 5, 26)), "dragon_boat");
  ASSERT_NE(dragon, std::nullopt);
  EXPECT_EQ(dragon->key, "dragon_boat:2028");
  EXPECT_EQ(dragon->occasion_on, D(2028, 5, 28));
  EXPECT_EQ(Channels(dragon), (std::vector<std::string>{"phone", "email", "visit", "gift"}));
  auto autumn = Find(Due(apparel_, Reachable("b"), D(2028, 10, 1)), "mid_autumn");
  ASSERT_NE(autumn, std::nullopt);
  EXPECT_EQ(autumn->key, "mid_autumn:2028");
  EXPECT_EQ(autumn->due_on, D(2028, 10, 2));
  // Unified greetings of the other holidays go out by SMS through the call centre.
  auto christmas = Find(Due(apparel_, Reachable("a"), D(2027, 12, 23)), "christmas");
  ASSERT_NE(christmas, std::nullopt);
  EXPECT_EQ(Channels(christmas), (std::vector<std::string>{"sms"}));
  EXPECT_EQ(christmas->assignee, Assignee::kCallCentre);
}

TEST_F(CarePlanTest, C1OccupationFestivalsOnlyForTeachersAndMilitary) {
  MemberFacts teacher = Reachable();
  teacher.occupation = "中学教师";
  MemberFacts english_teacher = Reachable();
  english_teacher.occupation = "Teacher";
  MemberFacts officer = Reachable();
  officer.occupation = "军人";
  MemberFacts clerk = Reachable();
  clerk.occupation = "会计";

  const Date sep8 = D(2027, 9, 8);  // 教师节 9-10, due 9-9
  auto t = Find(Due(apparel_, teacher, sep8), "teachers_day");
  ASSERT_NE(t, std::nullopt);
  EXPECT_EQ(t->key, "teachers_day:2027");
  EXPECT_EQ(t->due_on, D(2027, 9, 9));
  EXPECT_NE(Find(Due(apparel_, english_teacher, sep8), "teachers_day"), std::nullopt);
  EXPECT_EQ(Find(Due(apparel_, clerk, sep8), "teachers_day"), std::nullopt);
  EXPECT_EQ(Find(Due(apparel_, officer, sep8), "teachers_day"), std::nullopt);

  const Date jul30 = D(2027, 7, 30);  // 建军节 8-1
  EXPECT_NE(Find(Due(apparel_, officer, jul30), "army_day"), std::nullopt);
  EXPECT_EQ(Find(Due(apparel_, teacher, jul30), "army_day"), std::nullopt);
}

TEST_F(CarePlanTest, C1LunarBirthdayOnTheMembersOwnCalendar) {
  MemberFacts m = Reachable("a");
  m.birthday = CalendarDate{1980, 8, 15, Calendar::kLunar, false};  // 八月十五
  auto y2027 = Find(Due(apparel_, m, D(2027, 9, 10)), "birthday");
  ASSERT_NE(y2027, std::nullopt);
  EXPECT_EQ(y2027->key, "birthday:2027");
  EXPECT_EQ(y2027->due_on, D(2027, 9, 15));
  EXPECT_EQ(Channels(y2027),
            (std::vector<std::string>{"sms", "visit", "gift"}));  // 蛋糕+鲜花+登门+短信
  auto y2028 = Find(Due(apparel_, m, D(2028, 9, 30)), "birthday");
  ASSERT_NE(y2028, std::nullopt);
  EXPECT_EQ(y2028->key, "birthday:2028");
  EXPECT_EQ(y2028->due_on, D(2028, 10, 3));  // a different solar day every year
  // The solar day of 2027's lunar birthday is not a birthday in 2028.
  EXPECT_EQ(Find(Due(apparel_, m, D(2028, 9, 12)), "birthday"), std::nullopt);

  // With the program's solar-of-birth option the member's solar birth day is used.
  m.birthday_solar_of_birth = true;
  auto solar = Find(Due(apparel_, m, D(2027, 9, 20)), "birthday");
  ASSERT_NE(solar, std::nullopt);
  EXPECT_EQ(solar->due_on, D(2027, 9, 23));  // 1980 中秋 = 1980-09-23
  EXPECT_EQ(solar->key, "birthday:2027");

  // C = card + call + SMS.
  MemberFacts c = Reachable("c");
  c.birthday = CalendarDate{1990, 5, 20, Calendar::kSolar, false};
  EXPECT_EQ(Channels(Find(Due(apparel_, c, D(2027, 5, 20)), "birthday")),
            (std::vector<std::string>{"sms", "phone", "mail"}));
}

TEST_F(CarePlanTest, C1LeapMonthAndLateLunarYearBirthdays) {
  // Born in 闰六月 2025: in 2026, which has no leap sixth month, on 六月十五.
  MemberFacts m = Reachable("b");
  m.birthday = CalendarDate{2025, 6, 15, Calendar::kLunar, true};
  Date d2026 = *LunarToSolar(2026, 6, 15, false);
  auto o = Find(Due(apparel_, m, d2026), "birthday");
  ASSERT_NE(o, std::nullopt);
  EXPECT_EQ(o->due_on, d2026);
  EXPECT_EQ(o->key, "birthday:2026");

  // 腊月二十 of lunar year 2026 falls in January 2027: keyed by the lunar year,
  // so the 腊月 birthday of lunar 2027 (in 2028) is a different occasion.
  m.birthday = CalendarDate{1985, 12, 20, Calendar::kLunar, false};
  Date late = *Calendar2027().BirthdayInYear(*m.birthday, 2026);
  ASSERT_EQ(late.year(), 2027);
  auto first = Find(Due(apparel_, m, late), "birthday");
  ASSERT_NE(first, std::nullopt);
  EXPECT_EQ(first->key, "birthday:2026");
  Date next = *Calendar2027().BirthdayInYear(*m.birthday, 2027);
  auto second = Find(Due(apparel_, m, next), "birthday");
  ASSERT_NE(second, std::nullopt);
  EXPECT_EQ(second->key, "birthday:2027");
}

TEST_F(CarePlanTest, C1WeddingAnniversaryEveryYearButNotTheWeddingDay) {
  std::vector<Anniversary> anns = {
      {"wedding", "结婚纪念日", CalendarDate{2015, 5, 20, Calendar::kSolar, false}}};
  MemberFacts m = Reachable("b");
  m.anniversaries = anns;
  auto o = Find(Due(apparel_, m, D(2027, 5, 15)), "anniversary");
  ASSERT_NE(o, std::nullopt);
  EXPECT_EQ(o->key, "anniversary:wedding:2027");
  EXPECT_EQ(o->due_on, D(2027, 5, 20));
  EXPECT_EQ(Find(Due(apparel_, m, D(2015, 5, 20)), "anniversary"), std::nullopt);
}

TEST_F(CarePlanTest, C1NewSeasonPhoneForAAndBSmsForC) {
  auto a = Find(Due(apparel_, Reachable("a"), D(2027, 2, 26)), "new_season");
  ASSERT_NE(a, std::nullopt);
  EXPECT_EQ(a->key, "new_season:2027-03");
  EXPECT_EQ(a->due_on, D(2027, 3, 1));
  EXPECT_EQ(Channels(a), (std::vector<std::string>{"phone"}));
  EXPECT_EQ(Channels(Find(Due(apparel_, Reachable("b"), D(2027, 3, 1)), "new_season")),
            (std::vector<std::string>{"phone"}));
  EXPECT_EQ(Channels(Find(Due(apparel_, Reachable("c"), D(2027, 3, 8)), "new_season")),
            (std::vector<std::string>{"sms"}));
  EXPECT_EQ(Find(Due(apparel_, Reachable("c"), D(2027, 3, 9)), "new_season"), std::nullopt);
}

CareRuleSet Rules(const std::string& rules_json, std::vector<std::string> codes = {}) {
  auto r = ParseCareRulesText(R"({"rules": )" + rules_json + "}", codes);
  EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  return r.ok() ? *r : CareRuleSet{};
}

TEST_F(CarePlanTest, C1SpecialEventAWeekBeforeForItsStores) {
  // The shipped special_event rule waits for a date: disabled.
  EXPECT_EQ(Find(Due(apparel_, Reachable("a"), D(2027, 10, 11)), "special_event"), std::nullopt);

  CarePlanner p(Rules(R"([{"code":"store_events","name":"开业拜访",
      "trigger":{"type":"special_event","events":[
        {"code":"nanjing_rd","name":"南京路店开业","date":"2027-10-18","stores":[7]},
        {"code":"anniversary","name":"周年庆","date":"2026-11-08","yearly":true}]},
      "actions":{"default":{"channels":["phone"],"text":"电话邀请"}},
      "due":{"offset_days":-7,"lead_days":3,"window_days":3}}])"),
                kApparel, Calendar2027());
  MemberFacts m = Reachable();
  m.home_store = StoreId(7);
  auto v = Due(p, m, D(2027, 10, 9));
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].key, "store_events:nanjing_rd");
  EXPECT_EQ(v[0].due_on, D(2027, 10, 11));  // one week before
  m.home_store = StoreId(8);
  EXPECT_TRUE(Due(p, m, D(2027, 10, 9)).empty());
  // A yearly event, every store.
  auto yearly = Due(p, m, D(2027, 11, 1));
  ASSERT_EQ(yearly.size(), 1u);
  EXPECT_EQ(yearly[0].key, "store_events:anniversary:2027");
  EXPECT_EQ(yearly[0].due_on, D(2027, 11, 1));
}

TEST_F(CarePlanTest, C1TierCadenceDiamondMonthlyPlatinumQuarterlyGoldHalfYearlySilverQuarterly) {
  // Apparel: a = A (monthly), b = B (quarterly), c = C (half-yearly).
  auto a = Find(Due(apparel_, Reachable("a"), D(2027, 9, 1)), "tier_cadence");
  ASSERT_NE(a, std::nullopt);
  EXPECT_EQ(a->key, "tier_cadence:2027-09");
  EXPECT_EQ(a->due_on, D(2027, 9, 15));
  EXPECT_EQ(Find(Due(apparel_, Reachable("a"), D(2027, 9, 20)), "tier_cadence")->key,
            "tier_cadence:2027-09");
  EXPECT_EQ(Find(Due(apparel_, Reachable("b"), D(2027, 7, 1)), "tier_cadence")->key,
            "tier_cadence:2027-07");
  EXPECT_EQ(Find(Due(apparel_, Reachable("b"), D(2027, 8, 1)), "tier_cadence"), std::nullopt);
  EXPECT_EQ(Find(Due(apparel_, Reachable("c"), D(2027, 7, 1)), "tier_cadence")->key,
            "tier_cadence:2027-07");
  EXPECT_EQ(Find(Due(apparel_, Reachable("c"), D(2027, 10, 1)), "tier_cadence"), std::nullopt);
  // Department store: 银卡 is D (quarterly); 普卡, below the ladder of four, gets none.
  EXPECT_NE(Find(Due(department_, Reachable("silver"), D(2027, 10, 1)), "tier_cadence"),
            std::nullopt);
  EXPECT_EQ(Find(Due(department_, Reachable("normal"), D(2027, 10, 1)), "tier_cadence"),
            std::nullopt);
  EXPECT_EQ(Find(Due(apparel_, Reachable(""), D(2027, 10, 1)), "tier_cadence"), std::nullopt);

  // Diamond: a senior visit every six months, by the store manager.
  auto visit = Find(Due(apparel_, Reachable("a"), D(2027, 7, 1)), "senior_visit");
  ASSERT_NE(visit, std::nullopt);
  EXPECT_EQ(visit->key, "senior_visit:2027-07");
  EXPECT_EQ(visit->assignee, Assignee::kStoreManager);
  EXPECT_EQ(Find(Due(apparel_, Reachable("b"), D(2027, 7, 1)), "senior_visit"), std::nullopt);
  // Platinum and above: the yearly consumption analysis report.
  auto report = Find(Due(apparel_, Reachable("b"), D(2027, 1, 5)), "analysis_report");
  ASSERT_NE(report, std::nullopt);
  EXPECT_EQ(report->key, "analysis_report:2027-01");
  EXPECT_EQ(report->purpose, Purpose::kService);
  EXPECT_EQ(Find(Due(apparel_, Reachable("c"), D(2027, 1, 5)), "analysis_report"), std::nullopt);
}

TEST_F(CarePlanTest, C1InactivityDowngradePointsExpiryChurn) {
  MemberFacts m = Reachable("a");
  m.last_purchase_on = D(2027, 3, 1);
  auto ina = Find(Due(apparel_, m, D(2027, 8, 28)), "inactivity");  // 180 days
  ASSERT_NE(ina, std::nullopt);
  EXPECT_EQ(ina->key, "inactivity:2027-03-01");
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 8, 27)), "inactivity"), std::nullopt);
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 9, 12)), "inactivity"), std::nullopt);

  m.downgrade_effective_on = D(2027, 10, 1);
  auto dg = Find(Due(apparel_, m, D(2027, 9, 1)), "downgrade_warning");
  ASSERT_NE(dg, std::nullopt);
  EXPECT_EQ(dg->key, "downgrade_warning:2027-10-01");
  EXPECT_EQ(dg->due_on, D(2027, 9, 17));
  EXPECT_EQ(dg->assignee, Assignee::kStoreManager);  // A's override
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 10, 1)), "downgrade_warning"), std::nullopt);

  m.points_expire_on = D(2027, 12, 31);
  m.points_expiring = Points(600);
  auto px = Find(Due(apparel_, m, D(2027, 11, 24)), "points_expiry");
  ASSERT_NE(px, std::nullopt);
  EXPECT_EQ(px->key, "points_expiry:2027-12-31");
  EXPECT_EQ(px->due_on, D(2027, 12, 1));
  m.points_expiring = Points(50);  // below the rule's 100
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 11, 24)), "points_expiry"), std::nullopt);

  m.churn_score = 80;
  auto churn = Find(Due(apparel_, m, D(2027, 9, 10)), "churn_risk");
  ASSERT_NE(churn, std::nullopt);
  EXPECT_EQ(churn->key, "churn_risk:2027-09");
  m.churn_score = 50;
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 9, 10)), "churn_risk"), std::nullopt);
}

TEST_F(CarePlanTest, C6StoredGoodsRemindedEveryWeekUntilCollected) {
  MemberFacts m = Reachable("c");
  m.stored_goods_since = D(2027, 9, 1);
  auto first = Find(Due(apparel_, m, D(2027, 9, 9)), "stored_goods");
  ASSERT_NE(first, std::nullopt);
  EXPECT_EQ(first->key, "stored_goods:2027-09-01:1");
  EXPECT_EQ(first->due_on, D(2027, 9, 8));
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 9, 12)), "stored_goods"), std::nullopt);
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 9, 15)), "stored_goods")->key,
            "stored_goods:2027-09-01:2");
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 12, 29)), "stored_goods")->key,
            "stored_goods:2027-09-01:17");
  m.stored_goods_since.reset();  // collected
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 9, 15)), "stored_goods"), std::nullopt);
}

TEST_F(CarePlanTest, C1MostSpecificTierKeyWinsAndAudienceFilters) {
  CarePlanner p(Rules(R"([{"code":"bd","name":"生日","trigger":{"type":"birthday"},
      "actions":{"gold":{"channels":["visit"],"text":"金卡登门"},
                 "C":{"channels":["phone"],"text":"C电话"},
                 "none":{"skip":true},
                 "default":{"channels":["sms"],"text":"短信"}}},
     {"code":"b2b","name":"大客户","trigger":{"type":"birthday"},
      "audience":{"member_types":["business"],"tiers":["A"]},
      "actions":{"default":{"channels":["phone"],"text":"客户经理电话"}}}])",
                      kDepartment),
                kDepartment, Calendar2027());
  MemberFacts m = Reachable("gold");
  m.birthday = CalendarDate{1980, 6, 1, Calendar::kSolar, false};
  const Date day = D(2027, 6, 1);
  EXPECT_EQ(Find(Due(p, m, day), "bd")->action_key, "gold");  // code beats grade "C"
  m.tier_code = "silver";
  EXPECT_EQ(Find(Due(p, m, day), "bd")->action_key, "default");
  m.tier_code = "";
  EXPECT_EQ(Find(Due(p, m, day), "bd"), std::nullopt);  // "none" is skipped
  m.tier_code = "retired_tier";                         // not in the ladder: as no tier
  EXPECT_EQ(Find(Due(p, m, day), "bd"), std::nullopt);

  m.tier_code = "purple_diamond";
  EXPECT_EQ(Find(Due(p, m, day), "b2b"), std::nullopt);  // individual
  m.member_type = MemberType::kBusiness;
  EXPECT_NE(Find(Due(p, m, day), "b2b"), std::nullopt);
  m.tier_code = "diamond";  // B: outside the audience
  EXPECT_EQ(Find(Due(p, m, day), "b2b"), std::nullopt);
}

// ---- C4 good manners ---------------------------------------------------------

TEST_F(CarePlanTest, C4NoSmsOrCallToAnInvalidNumberCollectANewNumberInstead) {
  MemberFacts m = Reachable("c");
  m.mobile_ok = m.phone_ok = false;
  m.wechat_ok = false;
  std::vector<Date> purchases = {D(2027, 1, 31)};
  m.purchase_days = purchases;
  m.birthday = CalendarDate{1990, 2, 1, Calendar::kSolar, false};

  auto v = Due(apparel_, m, D(2027, 2, 1));
  EXPECT_EQ(Find(v, "post_purchase_d1"), std::nullopt);  // SMS only: nothing left
  auto birthday = Find(v, "birthday");
  ASSERT_NE(birthday, std::nullopt);  // card still mailed; SMS and call dropped
  EXPECT_EQ(Channels(birthday), (std::vector<std::string>{"mail"}));
  EXPECT_EQ(ChannelNames(birthday->dropped), (std::vector<std::string>{"sms", "phone"}));
  // One collect-a-new-number task, however many rules lost their number.
  int collect = 0;
  for (const auto& o : v) collect += o.code == kCollectNumberCode;
  EXPECT_EQ(collect, 1);
  auto c = Find(v, kCollectNumberCode);
  ASSERT_NE(c, std::nullopt);
  EXPECT_EQ(c->key, "collect_number:2027-02");
  EXPECT_EQ(c->rule, nullptr);
  EXPECT_EQ(c->purpose, Purpose::kService);
  EXPECT_EQ(Channels(c), (std::vector<std::string>{"email", "visit"}));  // no WeChat on file
  EXPECT_EQ(c->due_on, D(2027, 2, 8));

  // An e-mail that bounces is dropped too, but asks for no new phone number.
  MemberFacts e = Reachable("c");
  e.email_ok = false;
  auto sf = Due(apparel_, e, D(2027, 2, 3));
  EXPECT_EQ(Channels(Find(sf, "spring_festival")), (std::vector<std::string>{"sms", "mail"}));
  EXPECT_EQ(Find(sf, kCollectNumberCode), std::nullopt);
  // Nothing due that day: no collect task either.
  EXPECT_TRUE(Due(apparel_, m, D(2027, 4, 20)).empty());
}

TEST_F(CarePlanTest, C4MarketingOptOutStopsGreetingsButNotServiceContacts) {
  MemberFacts m = Reachable("a");
  m.marketing_opt_out = true;
  std::vector<Date> purchases = {D(2027, 9, 10)};
  m.purchase_days = purchases;
  m.birthday = CalendarDate{1980, 9, 11, Calendar::kSolar, false};
  m.points_expire_on = D(2027, 10, 11);
  m.points_expiring = Points(500);
  auto codes = Codes(Due(apparel_, m, D(2027, 9, 11)));
  EXPECT_TRUE(codes.count("post_purchase_d1"));  // points notice: service
  EXPECT_TRUE(codes.count("points_expiry"));
  EXPECT_FALSE(codes.count("birthday"));  // greeting: marketing
  EXPECT_FALSE(codes.count("tier_cadence"));
  m.marketing_opt_out = false;
  EXPECT_TRUE(Codes(Due(apparel_, m, D(2027, 9, 11))).count("birthday"));
}

TEST_F(CarePlanTest, C4ThreeContactsWithoutPointsGrowthFallBackToQuarterly) {
  MemberFacts m = Reachable("a");
  m.birthday = CalendarDate{1980, 8, 3, Calendar::kSolar, false};
  EXPECT_NE(Find(Due(apparel_, m, D(2027, 8, 1)), "tier_cadence"), std::nullopt);  // monthly
  m.contacts_without_growth = 3;
  auto aug = Due(apparel_, m, D(2027, 8, 1));
  EXPECT_EQ(Find(aug, "tier_cadence"), std::nullopt);  // August is no quarter start
  EXPECT_NE(Find(aug, "birthday"), std::nullopt);      // personal occasions stay
  auto oct = Find(Due(apparel_, m, D(2027, 10, 1)), "tier_cadence");
  ASSERT_NE(oct, std::nullopt);
  EXPECT_EQ(oct->key, "tier_cadence:2027-10");  // the monthly key of October: no repeat
  EXPECT_EQ(Find(Due(apparel_, m, D(2027, 9, 14)), "mid_autumn"),
            std::nullopt);  // routine greeting
  EXPECT_NE(Find(Due(apparel_, m, D(2027, 2, 26)), "new_season"),
            std::nullopt);  // the quarterly visit
  m.contacts_without_growth = 2;
  EXPECT_NE(Find(Due(apparel_, m, D(2027, 9, 14)), "mid_autumn"), std::nullopt);
}

TEST_F(CarePlanTest, C4ClosedSuspendedAndErasedMembersGetNothing) {
  MemberFacts m = Reachable("a");
  std::vector<Date> purchases = {D(2027, 2, 2)};
  m.purchase_days = purchases;
  ASSERT_FALSE(Due(apparel_, m, D(2027, 2, 3)).empty());
  for (MemberStatus s : {MemberStatus::kSuspended, MemberStatus::kClosed, MemberStatus::kMerged,
                         MemberStatus::kErased}) {
    m.status = s;
    EXPECT_TRUE(Due(apparel_, m, D(2027, 2, 3)).empty()) << ToString(s);
  }
  m.status = MemberStatus::kProspect;  // walk-ins get the holiday greeting (seed)
  EXPECT_NE(Find(Due(apparel_, m, D(2027, 2, 3)), "spring_festival"), std::nullopt);
}

TEST_F(CarePlanTest, C4IdempotencyKeysAreStableAcrossGenerationDays) {
  MemberFacts m = Reachable("a");
  m.occupation = "教师";
  m.birthday = CalendarDate{1982, 12, 20, Calendar::kLunar, false};
  std::vector<Anniversary> anns = {
      {"wedding", "", CalendarDate{2010, 10, 2, Calendar::kSolar, false}}};
  m.anniversaries = anns;
  std::vector<Date> purchases;
  m.stored_goods_since = D(2027, 3, 1);
  m.points_expire_on = D(2027, 12, 31);
  m.points_expiring = Points(300);
  m.downgrade_effective_on = D(2028, 4, 1);
  m.last_purchase_on = D(2027, 5, 1);

  struct Seen {
    DueOccasion first;
    Date first_day, last_day;
    int days = 0;
  };
  std::map<std::string, Seen> seen;
  std::vector<DueOccasion> out;
  for (Date day = D(2027, 1, 1); day <= D(2028, 12, 31); day = day.AddDays(1)) {
    // A purchase every 10 days, passed as the service would (the look-back only).
    if (DaysBetween(D(2027, 1, 1), day) % 10 == 0) purchases.push_back(day);
    std::vector<Date> recent;
    for (Date p : purchases) {
      if (DaysBetween(p, day) <= apparel_.PurchaseLookBackDays()) recent.push_back(p);
    }
    m.purchase_days = recent;
    out.clear();
    apparel_.Evaluate(m, day, out);
    std::set<std::string> today;
    for (const DueOccasion& o : out) {
      ASSERT_TRUE(today.insert(o.key).second)
          << "two occasions " << o.key << " on " << day.ToString();
      ASSERT_EQ(o.key.rfind(std::string(o.code) + ":", 0), 0u) << o.key;
      ASSERT_FALSE(o.channels.empty());
      auto [it, inserted] = seen.try_emplace(o.key, Seen{o, day, day, 0});
      Seen& s = it->second;
      // The same occasion on every day it is generated...
      EXPECT_EQ(o.occasion_on, s.first.occasion_on) << o.key;
      EXPECT_EQ(o.due_on, s.first.due_on) << o.key;
      EXPECT_EQ(o.channels, s.first.channels) << o.key;
      // ...on consecutive days only.
      if (!inserted) {
        EXPECT_EQ(DaysBetween(s.last_day, day), 1) << o.key;
      }
      s.last_day = day;
      ++s.days;
    }
  }
  auto count = [&](std::string_view prefix) {
    int n = 0;
    for (const auto& [key, s] : seen) n += key.rfind(prefix, 0) == 0;
    return n;
  };
  EXPECT_EQ(count("birthday:"), 2);  // once per (lunar) year
  EXPECT_EQ(count("spring_festival:"), 2);
  EXPECT_EQ(count("teachers_day:"), 2);
  EXPECT_EQ(count("anniversary:wedding:"), 2);
  EXPECT_EQ(count("tier_cadence:"), 24);  // monthly for a diamond (A)
  EXPECT_EQ(count("senior_visit:"), 4);
  EXPECT_EQ(count("analysis_report:"), 2);
  EXPECT_EQ(count("new_season:"), 8);
  EXPECT_EQ(count("points_expiry:"), 1);
  EXPECT_EQ(count("downgrade_warning:"), 1);
  EXPECT_EQ(count("post_purchase_d1:"), 73);  // every purchase
  EXPECT_EQ(count("post_purchase_d3:"), 73);
  EXPECT_EQ(count("army_day:"), 0);
}

TEST_F(CarePlanTest, C1EvaluateRuleAndDisabledRules) {
  MemberFacts m = Reachable("a");
  const auto& rules = apparel_.rules().rules;
  size_t sf = 0;
  while (rules[sf].code != "spring_festival") ++sf;
  std::vector<DueOccasion> out;
  apparel_.EvaluateRule(sf, m, D(2027, 2, 3), out);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].key, "spring_festival:2027");
  EXPECT_EQ(out[0].name, "春节问候");

  CareRuleSet off = DefaultCareRules();
  for (auto& r : off.rules) r.enabled = false;
  CarePlanner none(off, kApparel, Calendar2027());
  EXPECT_TRUE(Due(none, m, D(2027, 2, 3)).empty());
  EXPECT_EQ(apparel_.LevelFromTop("a"), 0);
  EXPECT_EQ(apparel_.LevelFromTop("c"), 2);
  EXPECT_EQ(apparel_.LevelFromTop(""), -1);
}

}  // namespace
}  // namespace vipcare::domain
