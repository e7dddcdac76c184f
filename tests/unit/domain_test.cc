// Domain rules of SPEC M1-M3: validation, lifecycle, card numbers, JSON form.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "domain/card.h"
#include "domain/member.h"
#include "domain/member_json.h"
#include "domain/org.h"

namespace vipcare::domain {
namespace {

using nlohmann::json;

const Date kToday = Date::FromYmd(2026, 11, 23);

Member ValidMember() {
  Member m;
  m.name = "王芳";
  m.mobile.number = "13812345678";
  m.home_store_id = StoreId(1);
  m.birthday = CalendarDate{1988, 6, 15, Calendar::kSolar, false};
  return m;
}

std::string FieldOf(const Member& m) {
  auto st = ValidateMember(m, kToday);
  return st.ok() ? "" : st.error().field;
}

TEST(MemberValidationTest, M1AcceptsACompleteFile) {
  Member m = ValidMember();
  m.email = "wang.fang@example.com";
  m.id_number = "11010519491231002X";
  m.family.push_back({"李明", "spouse", CalendarDate{1986, 8, 15, Calendar::kLunar, false}, "钓鱼", ""});
  m.anniversaries.push_back({"wedding", "结婚纪念日", CalendarDate{2012, 10, 1, Calendar::kSolar, false}});
  m.preferences.preferred_channels = {"sms", "wechat"};
  m.preferences.dnd_start = "21:00";
  m.preferences.dnd_end = "09:00";
  m.preferences.special_needs = "温水，瓷杯";
  EXPECT_TRUE(ValidateMember(m, kToday).ok());
}

TEST(MemberValidationTest, P10EachBadFieldIsNamed) {
  Member m = ValidMember();
  m.name = "";
  EXPECT_EQ(FieldOf(m), "name");
  m = ValidMember();
  m.name = std::string(41 * 3, 'a');
  EXPECT_EQ(FieldOf(m), "name");
  m = ValidMember();
  m.mobile.number = "12812345678";  // no mainland mobile starts with 12
  EXPECT_EQ(FieldOf(m), "mobile");
  m = ValidMember();
  m.mobile.number = "";
  EXPECT_EQ(FieldOf(m), "mobile");
  m.status = MemberStatus::kProspect;  // a prospect may have no number yet
  EXPECT_EQ(FieldOf(m), "");
  m = ValidMember();
  m.email = "not-an-email";
  EXPECT_EQ(FieldOf(m), "email");
  m = ValidMember();
  m.id_number = "110105194912310021";  // wrong check character
  EXPECT_EQ(FieldOf(m), "id_number");
  m = ValidMember();
  m.birthday = CalendarDate{2030, 1, 1, Calendar::kSolar, false};
  EXPECT_EQ(FieldOf(m), "birthday");
  m = ValidMember();
  m.family.push_back({"小明", "child", CalendarDate{2015, 13, 1, Calendar::kLunar, false}, "", ""});
  EXPECT_EQ(FieldOf(m), "family[0].birthday");
  m = ValidMember();
  m.preferences.preferred_channels = {"sms", "pigeon"};
  EXPECT_EQ(FieldOf(m), "preferences.preferred_channels[1]");
  m = ValidMember();
  m.preferences.dnd_start = "25:00";
  m.preferences.dnd_end = "08:00";
  EXPECT_EQ(FieldOf(m), "preferences.dnd_start");
  m = ValidMember();
  m.business.credit_limit = Fen(-1);
  EXPECT_EQ(FieldOf(m), "business.credit_limit_fen");
  m = ValidMember();
  m.home_store_id = StoreId();
  EXPECT_EQ(FieldOf(m), "store_id");
  m = ValidMember();
  m.name = "\xE7\x8E";  // truncated UTF-8
  EXPECT_EQ(FieldOf(m), "name");
}

TEST(MemberValidationTest, PhoneAndIdNumberRules) {
  EXPECT_TRUE(IsValidMobile("19912345678"));
  EXPECT_FALSE(IsValidMobile("1381234567"));
  EXPECT_FALSE(IsValidMobile("138123456789"));
  EXPECT_FALSE(IsValidMobile("1381234567a"));
  EXPECT_TRUE(IsValidPhone("021-62345678"));
  EXPECT_TRUE(IsValidPhone("+86 21 6234 5678"));
  EXPECT_FALSE(IsValidPhone("12ab5678"));
  EXPECT_TRUE(IsValidIdNumber("11010519491231002X"));
  EXPECT_TRUE(IsValidIdNumber("11010519491231002x"));
  EXPECT_FALSE(IsValidIdNumber("11010519491231002"));
  EXPECT_EQ(Utf8Length("王小明"), 3);
}

TEST(MemberLifecycleTest, M2TransitionsFollowTheLifecycle) {
  EXPECT_TRUE(CanTransition(MemberStatus::kProspect, MemberStatus::kTemporary));
  EXPECT_TRUE(CanTransition(MemberStatus::kTemporary, MemberStatus::kFormal));
  EXPECT_TRUE(CanTransition(MemberStatus::kFormal, MemberStatus::kSuspended));
  EXPECT_TRUE(CanTransition(MemberStatus::kSuspended, MemberStatus::kFormal));
  EXPECT_FALSE(CanTransition(MemberStatus::kFormal, MemberStatus::kProspect));
  EXPECT_FALSE(CanTransition(MemberStatus::kErased, MemberStatus::kFormal));
  EXPECT_FALSE(CanTransition(MemberStatus::kMerged, MemberStatus::kFormal));
  EXPECT_FALSE(CanTransition(MemberStatus::kFormal, MemberStatus::kFormal));
}

TEST(CardTest, M3NumbersHaveALuhnCheckDigitAndDoNotRepeat) {
  std::mt19937 gen(7);
  std::set<std::string> seen;
  for (int i = 0; i < 2000; ++i) {
    auto n = MakeCardNumber([&] { return int(gen() % 10); });
    ASSERT_EQ(n.size(), 16u);
    ASSERT_TRUE(IsValidCardNumber(n)) << n;
    seen.insert(n);
    // Any single changed digit is caught by the check digit.
    std::string typo = n;
    typo[5] = typo[5] == '9' ? '0' : char(typo[5] + 1);
    ASSERT_FALSE(IsValidCardNumber(typo));
  }
  EXPECT_EQ(seen.size(), 2000u);
  EXPECT_EQ(LuhnCheckDigit("7992739871"), '3');  // the textbook example
  EXPECT_FALSE(IsValidCardNumber("8abc000000000000"));
}

TEST(CardTest, M3NewCardExpiresInTwoYearsWithPickupDueInFiveDays) {
  Card c = NewCard(MemberId(9), CardKind::kFormal, kToday);
  EXPECT_EQ(c.expires_on.ToString(), "2028-11-23");
  EXPECT_EQ(c.pickup_due->ToString(), "2026-11-28");
  EXPECT_EQ(c.status, CardStatus::kPendingPickup);
}

TEST(CardTest, M3StatusTransitions) {
  EXPECT_TRUE(CheckCardTransition(CardStatus::kPendingPickup, CardStatus::kIssued).ok());
  EXPECT_TRUE(CheckCardTransition(CardStatus::kIssued, CardStatus::kLost).ok());
  EXPECT_TRUE(CheckCardTransition(CardStatus::kLost, CardStatus::kReplaced).ok());
  auto bad = CheckCardTransition(CardStatus::kLost, CardStatus::kIssued);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "status");
  EXPECT_FALSE(CheckCardTransition(CardStatus::kExpired, CardStatus::kIssued).ok());
}

TEST(MemberJsonTest, M1FullFileRoundTripsThroughJson) {
  json body = {
      {"name", "陈静"},
      {"mobile", "13900001111"},
      {"gender", "female"},
      {"birthday", "1980-08-30"},
      {"birthday_calendar", "lunar"},
      {"birthday_leap_month", true},
      {"store_id", 3},
      {"family", {{{"name", "陈小宝"}, {"relation", "child"}, {"birthday", "2016-05-01"}}}},
      {"anniversaries", {{{"kind", "wedding"}, {"date", "2010-05-20"}}}},
      {"preferences", {{"colours", {"红", "黑"}}, {"special_needs", "不喝冰水"}}},
      {"business", {{"credit_rating", "A"}, {"credit_limit_fen", 50000000}}},
      {"tags", {"高净值"}},
  };
  Member m;
  ASSERT_TRUE(ApplyMemberJson(body, m, ApplyMode::kCreate).ok());
  ASSERT_TRUE(m.birthday);
  EXPECT_EQ(m.birthday->calendar, Calendar::kLunar);
  EXPECT_TRUE(m.birthday->leap_month);
  EXPECT_EQ(m.birthday->day, 30u);  // a lunar day 30 exists even where the solar one would not
  EXPECT_EQ(m.business.credit_limit.value, 50000000);
  // The stored profile document restores what it holds.
  Member back;
  back.name = m.name;
  ProfileFromJson(ProfileToJson(m), back);
  EXPECT_EQ(back.family.size(), 1u);
  EXPECT_EQ(back.family[0].birthday->year, 2016);
  EXPECT_EQ(back.preferences.colours, (std::vector<std::string>{"红", "黑"}));
  EXPECT_EQ(back.preferences.special_needs, "不喝冰水");
  EXPECT_EQ(back.anniversaries[0].date.month, 5u);
  json out = MemberToJson(m);
  EXPECT_EQ(out["birthday"], "1980-08-30");
  EXPECT_EQ(out["birthday_calendar"], "lunar");
}

// C1/C4: the care engine's quick read of a stored profile gives the same
// contact fields, anniversaries, opt-out and business figures as the full one.
TEST(MemberJsonTest, C1CareProfileReadMatchesTheFullReadOnWhatCareUses) {
  Member m;
  m.office_phone = {"021-66661234", false};
  m.home_phone = {"021-55551234", true};
  m.email = "chen@example.com";
  m.wechat_id = "chen_wx";
  m.addresses = {{"home", "上海市", "上海市", "黄浦区", "南京东路1号", "200001"}, {"office", "", "", "", "", ""}};
  m.anniversaries = {{"wedding", "结婚纪念日", {2010, 5, 20, Calendar::kLunar, false}}};
  m.preferences.marketing_opt_out = true;
  m.preferences.dnd_start = "22:00";
  m.preferences.dnd_end = "08:00";
  m.preferences.colours = {"红"};
  m.business.sales_region = "华东";
  m.business.credit_limit = Fen(50000000);
  m.family = {{"陈小宝", "child", std::nullopt, "", ""}};
  const std::string stored = ProfileToJson(m);
  Member full, quick;
  ProfileFromJson(stored, full);
  CareProfileFromJson(stored, quick);
  EXPECT_EQ(quick.office_phone.number, full.office_phone.number);
  EXPECT_EQ(quick.office_phone.valid, full.office_phone.valid);
  EXPECT_EQ(quick.home_phone.number, full.home_phone.number);
  EXPECT_EQ(quick.email, full.email);
  EXPECT_EQ(quick.wechat_id, full.wechat_id);
  ASSERT_EQ(quick.addresses.size(), 2u);
  EXPECT_EQ(quick.addresses[0].detail, "南京东路1号");
  EXPECT_EQ(quick.addresses[1].detail, "");
  ASSERT_EQ(quick.anniversaries.size(), 1u);
  EXPECT_EQ(quick.anniversaries[0].kind, "wedding");
  EXPECT_EQ(quick.anniversaries[0].date.calendar, Calendar::kLunar);
  EXPECT_EQ(quick.anniversaries[0].date.month, 5u);
  EXPECT_EQ(quick.preferences.marketing_opt_out, full.preferences.marketing_opt_out);
  EXPECT_EQ(quick.preferences.dnd_start, "22:00");
  EXPECT_EQ(quick.preferences.dnd_end, "08:00");
  EXPECT_EQ(quick.business.credit_limit, full.business.credit_limit);
  EXPECT_EQ(quick.business.sales_region, "华东");
  EXPECT_TRUE(quick.family.empty()) << "not read: care does not use it";
}

TEST(MemberJsonTest, P10TypeErrorsNameTheField) {
  auto field_of = [](const json& body, ApplyMode mode = ApplyMode::kCreate) {
    Member m;
    auto st = ApplyMemberJson(body, m, mode);
    return st.ok() ? std::string("ok") : st.error().field;
  };
  EXPECT_EQ(field_of({{"gender", 1}}), "gender");
  EXPECT_EQ(field_of({{"gender", "robot"}}), "gender");
  EXPECT_EQ(field_of({{"birthday", "1990-02-30"}}), "birthday");
  EXPECT_EQ(field_of({{"name", 5}}), "name");
  EXPECT_EQ(field_of({{"nickname", "x"}}), "nickname");
  EXPECT_EQ(field_of({{"store_id", "3"}}), "store_id");
  EXPECT_EQ(field_of({{"family", {{{"relation", "child"}, {"age", 3}}}}}), "family[0].age");
  EXPECT_EQ(field_of({{"preferences", {{"colours", {"red", 7}}}}}), "preferences.colours[1]");
  EXPECT_EQ(field_of({{"id", 5}}, ApplyMode::kUpdate), "id");
  EXPECT_EQ(field_of({{"status", "formal"}}, ApplyMode::kUpdate), "status");
  EXPECT_EQ(field_of({{"status", "erased"}}), "status");
}

TEST(OrgTest, StaffNeedsAStoreOrRegionByRole) {
  Staff s;
  s.employee_no = "E001";
  s.name = "张三";
  s.role = Role::kAssociate;
  auto st = ValidateStaff(s);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().field, "store_id");
  s.role = Role::kRegionalSupervisor;
  EXPECT_EQ(ValidateStaff(s).error().field, "region_id");
  s.role = Role::kHqAnalyst;
  EXPECT_TRUE(ValidateStaff(s).ok());
  s.employee_no = "E 001";
  EXPECT_EQ(ValidateStaff(s).error().field, "employee_no");
  for (Role r : AllRoles()) EXPECT_EQ(ParseRole(ToString(r)), r);
}

}  // namespace
}  // namespace vipcare::domain
