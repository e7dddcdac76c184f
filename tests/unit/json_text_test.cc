// JSON written as text (service/json_text.h) and a sale's stored answer
// (loyalty_core::SaleAnswerText): the bytes nlohmann::json's dump() writes for
// the same object, so answers stored by either way read back the same (L1).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "domain/presets.h"
#include "service/json_text.h"
#include "service/loyalty.h"
#include "service/loyalty_core.h"

namespace vipcare::service {
namespace {

using nlohmann::json;

TEST(JsonTextTest, StringsAreEscapedAsDumpEscapesThem) {
  const std::string samples[] = {
      "",
      "plain",
      "王小明 银卡",
      "quote \" backslash \\ slash /",
      std::string("controls \b\f\n\r\t \x01\x1f end"),
      std::string("nul \0 inside", 12),
      "delete \x7f stays",
  };
  for (const auto& s : samples) {
    std::string out;
    AppendJsonString(out, s);
    EXPECT_EQ(out, json(s).dump()) << s;
  }
}

TEST(JsonTextTest, NestedObjectsAndArraysMatchDump) {
  JsonText j;
  j.Begin();
  j.Key("a").BeginArray().EndArray();
  j.Key("b").Begin().End();
  j.Key("c").BeginArray().Int(-1).Str("x").Bool(false).Null().Begin().Key("k").Int(0).End().EndArray();
  j.Key("d").Int(INT64_MIN);
  j.End();
  const json expected = {{"a", json::array()},
                         {"b", json::object()},
                         {"c", {-1, "x", false, nullptr, {{"k", 0}}}},
                         {"d", INT64_MIN}};
  EXPECT_EQ(j.Take(), expected.dump());
}

// The answer as Loyalty::PostSale built it with nlohmann::json before it was
// written as text (with "points_earned", issue 5's name for "points", since):
// the reference the text must match byte for byte.
json AnswerAsObject(const loyalty_core::SaleAnswer& a, const domain::Program& p) {
  json answer = {{"external_id", a.external_id},
                 {"kind", "sale"},
                 {"store_id", a.store_id},
                 {"occurred_at", a.occurred_at},
                 {"local_day", a.local_day},
                 {"list_total_fen", a.list_total.value},
                 {"paid_total_fen", a.paid_total.value},
                 {"member_id", nullptr},
                 {"points", 0},
                 {"points_earned", 0}};
  if (!a.member) return answer;
  answer["member_id"] = a.member.value;
  answer["points"] = a.points.value;
  answer["points_earned"] = a.points.value;
  answer["points_balance"] = a.points_balance.value;
  answer["growth_points"] = a.growth_points.value;
  answer["tier"] = loyalty_core::TierJson(p, a.tier);
  answer["tier_change"] =
      a.upgrade ? json{{"kind", "upgrade"},
                       {"from", loyalty_core::TierJson(p, a.upgrade->from)},
                       {"to", loyalty_core::TierJson(p, a.upgrade->to)},
                       {"reason", a.upgrade->reason}}
                : json(nullptr);
  answer["pending_approval"] =
      a.pending_tier
          ? json{{"tier", loyalty_core::TierJson(p, *a.pending_tier)}, {"reason", a.pending_reason}}
          : json(nullptr);
  answer["notes"] = a.notes;
  answer["program"] = {{"code", a.program_code}, {"version", a.program_version}};
  answer["referral"] = a.referral.value > 0 ? json{{"referrer_member_id", a.referrer.value},
                                                   {"points", a.referral.value}}
                                            : json(nullptr);
  if (!a.vouchers_used.empty()) answer["vouchers_used"] = a.vouchers_used;
  if (!a.cashback_vouchers.empty()) answer["cashback_vouchers"] = a.cashback_vouchers;
  if (a.became_formal) answer["became_formal"] = true;
  return answer;
}

class SaleAnswerTextTest : public ::testing::Test {
 protected:
  const domain::Program& program_ = *domain::FindPreset("department_store");
  loyalty_core::SaleAnswer Base() {
    loyalty_core::SaleAnswer a;
    a.external_id = "POS-001-\"引号\"";
    a.store_id = 3;
    a.occurred_at = "2026-11-23T10:00:00+08:00";
    a.local_day = "2026-11-23";
    a.list_total = Fen(59900);
    a.paid_total = Fen(49900);
    return a;
  }
};

TEST_F(SaleAnswerTextTest, L1ANonMemberSaleIsWhatDumpWrites) {
  const auto a = Base();
  EXPECT_EQ(loyalty_core::SaleAnswerText(a, program_), AnswerAsObject(a, program_).dump());
}

TEST_F(SaleAnswerTextTest, L1AMemberSaleWithoutTierChangeIsWhatDumpWrites) {
  auto a = Base();
  a.member = MemberId(42);
  a.points = Points(499);
  a.points_balance = Points(-20);
  a.growth_points = Points(12000);
  a.program_code = "department_store";
  a.program_version = 3;
  EXPECT_EQ(loyalty_core::SaleAnswerText(a, program_), AnswerAsObject(a, program_).dump());
}

TEST_F(SaleAnswerTextTest, L1L6L9M4EveryPartOfAnAnswerIsWhatDumpWrites) {
  auto a = Base();
  a.member = MemberId(42);
  a.points = Points(998);
  a.points_balance = Points(5000);
  a.growth_points = Points(40000);
  a.tier = "gold";
  a.upgrade = loyalty_core::SaleAnswer::Upgrade{"silver", "gold", "近6个月消费满 ¥30,000"};
  a.pending_tier = "purple_diamond";
  a.pending_reason = "近12个月消费满 ¥400,000\n待店长审批";
  a.notes = {"生日双倍积分", "促销商品不积分"};
  a.program_code = "department_store";
  a.program_version = 7;
  a.referral = Points(100);
  a.referrer = MemberId(7);
  a.became_formal = true;
  a.cashback_vouchers = {"CB-1", "CB-2"};
  a.vouchers_used = {"V-9"};
  const std::string text = loyalty_core::SaleAnswerText(a, program_);
  EXPECT_EQ(text, AnswerAsObject(a, program_).dump());
  const json back = json::parse(text);
  EXPECT_EQ(back["tier_change"]["to"]["name"], "金卡");
  EXPECT_EQ(back["pending_approval"]["tier"]["name"], "紫金钻石卡");
}

TEST(PostedTest, L1TheApiAnswerIsTheStoredAnswerWithItsIdFirst) {
  Loyalty::Posted p{R"({"external_id":"A","points":5})", 17, false};
  EXPECT_EQ(p.Text(), R"({"id":17,"external_id":"A","points":5})");
  EXPECT_EQ(p.Body(), json({{"id", 17}, {"external_id", "A"}, {"points", 5}}));
}

}  // namespace
}  // namespace vipcare::service
