// The five shipped programs of SPEC §10, each walked with dated purchases
// posted through service::Loyalty and the daily schedule (LoyaltyJobs) run on
// the days that matter: how members climb the ladder (L6, M4), when they are
// warned and lowered one level (L7), and when points expire (L4). Runs on the
// backend VIPCARE_TEST_BACKEND selects.
#include <gtest/gtest.h>

#include "domain/presets.h"
#include "domain/program.h"
#include "service/loyalty.h"
#include "service/loyalty_jobs.h"
#include "service/members.h"
#include "testing/fixtures.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;
using std::chrono::hours;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class PresetLadderTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  // The company runs preset `code` from now on.
  void UseProgram(const std::string& code) {
    const domain::Program* p = domain::FindPreset(code);
    ASSERT_NE(p, nullptr) << code;
    LoyaltyScenarioTest::UseProgram(*p);
  }

  // The store manager approves the queued tier on `day`.
  void Approve(MemberId m, Date day) {
    At(day);
    auto r = loyalty_.DecideApproval(manager_, m, true, "店长确认");
    ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  }

  // Tier events, oldest first, as "kind:from>to".
  std::vector<std::string> TierEvents(MemberId m) {
    auto r =
        fx_.store().Read([&](store::Repository& repo) -> Result<std::vector<store::TierChange>> {
          return repo.loyalty().ListTierChanges(m, {200, 0}).items;
        });
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (auto it = r->rbegin(); it != r->rend(); ++it) {
      out.push_back(it->kind + ":" + it->from_tier + ">" + it->to_tier);
    }
    return out;
  }

  std::string LastReason(MemberId m) {
    auto r = fx_.store().Read([&](store::Repository& repo) -> Result<std::string> {
      return repo.loyalty().ListTierChanges(m, {1, 0}).items.at(0).reason;
    });
    return r.ok() ? *r : "";
  }

  domain::MemberStatus FileStatus(MemberId m) {
    auto v = members_.Get(fx_.admin(), m);
    EXPECT_TRUE(v.ok());
    return v.ok() ? v->member.status : domain::MemberStatus::kProspect;
  }

};

// §10.1 服装专卖店 A/B/C: a temporary card until 500 points; C from 500
// points, B from 2,000 and A from 5,000 points in 12 months, every step
// confirmed by the store manager; a clear drop in purchase frequency lowers
// one level, but not before the qualification period ends.
TEST_F(PresetLadderTest, Preset1ApparelAbcClimbsByPointsWithTheManagerAndDropsOneLevel) {
  UseProgram("apparel_abc");
  MemberId m = NewMember("王芳");
  EXPECT_FALSE(Buy(m, 300, D(2026, 11, 23)).contains("became_formal"));
  Run(D(2026, 11, 24));
  EXPECT_EQ(FileStatus(m), domain::MemberStatus::kTemporary);  // 300 points: temporary card

  json r = Buy(m, 400, D(2026, 12, 5));  // 700 points
  EXPECT_EQ(r.value("became_formal", false), true);
  EXPECT_TRUE(r["tier"].is_null());
  EXPECT_EQ(r["pending_approval"]["tier"]["code"], "c");
  EXPECT_EQ(FileStatus(m), domain::MemberStatus::kFormal);
  Run(D(2026, 12, 6));
  Approve(m, D(2026, 12, 6));
  EXPECT_EQ(State(m).tier_code, "c");

  EXPECT_EQ(Buy(m, 1500, D(2027, 2, 1))["pending_approval"]["tier"]["code"], "b");  // 2,200
  Approve(m, D(2027, 2, 2));
  EXPECT_EQ(Buy(m, 3000, D(2027, 4, 1))["pending_approval"]["tier"]["code"], "a");  // 5,200
  EXPECT_EQ(State(m).tier_code, "b");  // waits for the manager
  Approve(m, D(2027, 4, 2));
  EXPECT_EQ(State(m).tier_code, "a");

  // No purchase from May to October after four in the six months before.
  r = Run(D(2027, 10, 15));
  EXPECT_EQ(r["downgrade_warned"], 1);
  EXPECT_EQ(State(m).downgrade_effective_on, D(2028, 4, 2));  // A is held for its 12 months
  EXPECT_NE(LastReason(m).find("近6个月消费 0 次"), std::string::npos) << LastReason(m);
  EXPECT_EQ(Run(D(2028, 4, 1))["downgrade_applied"], 0);
  EXPECT_EQ(Run(D(2028, 4, 2))["downgrade_applied"], 1);
  EXPECT_EQ(State(m).tier_code, "b");
  EXPECT_EQ(TierEvents(m),
            (std::vector<std::string>{"approval_queued:>c", "approved:>c", "approval_queued:c>b",
                                      "approved:c>b", "approval_queued:b>a", "approved:b>a",
                                      "downgrade_warned:a>b", "downgrade:a>b"}));
}

// §10.2 百货 card ladder: first purchase 600 -> 普卡; 3,000 in 6 months ->
// 银卡; 40,000 in 12 months -> 钻石卡 at once and 紫金钻石卡 after the
// manager's approval; a year without purchases is announced, a purchase in
// the notice period cancels it, another silent year lowers one level.
TEST_F(PresetLadderTest, Preset2DepartmentStoreLadderUpAndOneLevelDown) {
  UseProgram("department_store");
  MemberId m = NewMember("王芳");
  json r = Buy(m, 600, D(2026, 11, 23));
  EXPECT_EQ(r["tier"]["name"], "普卡");
  EXPECT_EQ(r.value("became_formal", false), true);
  EXPECT_EQ(FileStatus(m), domain::MemberStatus::kFormal);
  Run(D(2026, 11, 24));
  EXPECT_EQ(Buy(m, 2400, D(2027, 1, 10))["tier"]["name"], "银卡");
  r = Buy(m, 37000, D(2027, 3, 15));
  EXPECT_EQ(r["tier"]["name"], "钻石卡");
  EXPECT_EQ(r["pending_approval"]["tier"]["name"], "紫金钻石卡");
  Run(D(2027, 3, 16));
  EXPECT_EQ(State(m).tier_code, "diamond");
  EXPECT_EQ(State(m).pending_tier, "purple_diamond");  // waits for the store manager
  Approve(m, D(2027, 3, 17));
  EXPECT_EQ(State(m).tier_code, "purple_diamond");

  // The last purchase was on 2027-03-15: 12 months end on 2028-03-15.
  r = Run(D(2028, 2, 20));
  EXPECT_EQ(r["downgrade_warned"], 1);
  EXPECT_EQ(r["expired_points"], 600);  // earned in 2026, valid to the end of 2027
  EXPECT_EQ(State(m).downgrade_effective_on, D(2028, 4, 14));  // + 30 days' grace
  Buy(m, 500, D(2028, 3, 1));
  EXPECT_EQ(Run(D(2028, 3, 2))["downgrade_cancelled"], 1);
  EXPECT_EQ(Run(D(2028, 4, 14))["downgrade_applied"], 0);
  EXPECT_EQ(State(m).tier_code, "purple_diamond");

  // Then a year without purchases: warned 30 days before, lowered one level.
  r = Run(D(2029, 2, 1));
  EXPECT_EQ(r["downgrade_warned"], 1);
  EXPECT_EQ(State(m).downgrade_effective_on, D(2029, 3, 31));
  EXPECT_EQ(Run(D(2029, 3, 30))["downgrade_applied"], 0);
  EXPECT_EQ(Run(D(2029, 3, 31))["downgrade_applied"], 1);
  EXPECT_EQ(State(m).tier_code, "diamond");
  EXPECT_EQ(TierEvents(m),
            (std::vector<std::string>{
                "upgrade:>normal", "upgrade:normal>silver", "upgrade:silver>diamond",
                "approval_queued:diamond>purple_diamond", "approved:diamond>purple_diamond",
                "downgrade_warned:purple_diamond>diamond",
                "downgrade_cancelled:purple_diamond>purple_diamond",
                "downgrade_warned:purple_diamond>diamond", "downgrade:purple_diamond>diamond"}));
}

// §10.3 化妆品: VIP on one purchase of 1,000 or 2,000 in 6 months; 1 point
// per 100 yuan with the remainder carried; points valid 24 months; VIP is
// the only level, so nobody is lowered from it.
TEST_F(PresetLadderTest, Preset3CosmeticsVipByOnePurchaseOrSixMonthsAndRollingExpiry) {
  UseProgram("cosmetics");
  MemberId m = NewMember("王芳");
  json r = Buy(m, 850, D(2026, 11, 23));
  EXPECT_TRUE(r["tier"].is_null());
  EXPECT_EQ(r["points"], 8);  // 50 yuan carried
  EXPECT_FALSE(r.contains("became_formal"));
  Run(D(2026, 11, 24));
  EXPECT_EQ(FileStatus(m), domain::MemberStatus::kTemporary);
  r = Buy(m, 1250, D(2027, 1, 15));  // 2,100 in 6 months
  EXPECT_EQ(r["tier"]["name"], "VIP");
  EXPECT_EQ(r["points"], 13);  // 1,250 + the 50 carried
  EXPECT_EQ(r.value("became_formal", false), true);
  EXPECT_EQ(FileStatus(m), domain::MemberStatus::kFormal);

  // The 8 points of 2026-11-23 are valid through 2028-11-22.
  EXPECT_EQ(Run(D(2028, 10, 22))["expiry_notices"], 0);
  EXPECT_EQ(Run(D(2028, 10, 23))["expiry_notices"], 1);
  EXPECT_EQ(Run(D(2028, 11, 22))["expired_points"], 0);
  EXPECT_EQ(Run(D(2028, 11, 23))["expired_points"], 8);
  EXPECT_EQ(State(m).points_balance, Points(13));
  EXPECT_EQ(Run(D(2029, 2, 1))["downgrade_warned"], 0);
  EXPECT_EQ(State(m).tier_code, "vip");
  EXPECT_EQ(TierEvents(m), (std::vector<std::string>{"upgrade:>vip"}));
}

// §10.4 高端商品: 普卡 on one purchase of 2,000, 金卡 8,000, 钻卡 20,000 (or
// 20,000 in 12 months); a drop in purchases lowers 钻卡 to 金卡 when its
// qualification period ends, and 金卡 is then held for its own period.
TEST_F(PresetLadderTest, Preset4PremiumGoodsBySinglePurchaseAndHeldThroughThePeriod) {
  UseProgram("premium_goods");
  MemberId m = NewMember("王芳");
  json r = Buy(m, 2500, D(2026, 11, 23));
  EXPECT_EQ(r["tier"]["name"], "普卡");
  EXPECT_EQ(r.value("became_formal", false), true);
  EXPECT_EQ(Buy(m, 9000, D(2027, 2, 1))["tier"]["name"], "金卡");
  EXPECT_EQ(Buy(m, 7000, D(2027, 5, 1))["tier"]["name"], "金卡");  // 18,500 in 12 months
  EXPECT_EQ(Buy(m, 4000, D(2027, 6, 1))["tier"]["name"], "钻卡");  // 22,500

  r = Run(D(2027, 12, 10));  // none since June after three in the half-year before
  EXPECT_EQ(r["downgrade_warned"], 1);
  EXPECT_EQ(State(m).downgrade_effective_on, D(2028, 6, 1));
  EXPECT_EQ(Run(D(2028, 5, 31))["downgrade_applied"], 0);
  EXPECT_EQ(Run(D(2028, 6, 1))["downgrade_applied"], 1);
  EXPECT_EQ(State(m).tier_code, "gold");
  // One level only: 金卡 is announced next, for the end of its own period.
  r = Run(D(2028, 6, 2));
  EXPECT_EQ(r["downgrade_warned"], 1);
  EXPECT_EQ(State(m).tier_code, "gold");
  EXPECT_EQ(State(m).downgrade_effective_on, D(2029, 6, 1));
  EXPECT_EQ(TierEvents(m),
            (std::vector<std::string>{"upgrade:>normal", "upgrade:normal>gold",
                                      "upgrade:gold>diamond", "downgrade_warned:diamond>gold",
                                      "downgrade:diamond>gold", "downgrade_warned:gold>normal"}));
}

// §10.5 大客户 A/B/C: levels by yearly sales, each confirmed by the manager
// (credit); after its 12 months a level must be earned again or it goes down
// one.
TEST_F(PresetLadderTest, Preset5KeyAccountsByYearlySalesRequalifyAfterThePeriod) {
  UseProgram("key_accounts");
  MemberId m = NewMember("上海某贸易公司", "formal");
  json r = Buy(m, 120000, D(2026, 11, 23));
  EXPECT_TRUE(r["tier"].is_null());
  EXPECT_EQ(r["pending_approval"]["tier"]["code"], "c");
  Approve(m, D(2026, 11, 23));
  EXPECT_EQ(Run(D(2026, 11, 24))["converted"], 0);  // no temporary stage
  EXPECT_EQ(Buy(m, 400000, D(2027, 3, 1))["pending_approval"]["tier"]["code"], "b");  // 520k
  Approve(m, D(2027, 3, 2));
  EXPECT_EQ(State(m).tier_code, "b");
  Buy(m, 50000, D(2027, 9, 1));
  Buy(m, 50000, D(2028, 1, 10));

  Run(D(2028, 3, 1));  // still inside B's 12 months
  EXPECT_FALSE(State(m).downgrade_effective_on);
  r = Run(D(2028, 3, 5));  // 100k in the last 12 months: not B any more
  EXPECT_EQ(r["downgrade_warned"], 1);
  EXPECT_EQ(State(m).downgrade_effective_on, D(2028, 4, 4));
  EXPECT_NE(LastReason(m).find("资格期已满"), std::string::npos) << LastReason(m);
  EXPECT_EQ(Run(D(2028, 4, 4))["downgrade_applied"], 1);
  EXPECT_EQ(State(m).tier_code, "c");
  EXPECT_EQ(TierEvents(m),
            (std::vector<std::string>{"approval_queued:>c", "approved:>c", "approval_queued:c>b",
                                      "approved:c>b", "downgrade_warned:b>c", "downgrade:b>c"}));
}

}  // namespace
}  // namespace vipcare::service
