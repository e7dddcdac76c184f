// Tier metrics from monthly buckets, evaluation, upgrades (L6, M4), downgrades
// that are never silent (L7) and the "progress to next tier" hint. Each
// preset's ladder is walked with dated purchases.
#include <gtest/gtest.h>

#include "domain/presets.h"
#include "domain/tiers.h"

namespace vipcare::domain {
namespace {

struct Sale {
  Date on;
  int64_t fen;
};

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

// The activity the service would hold on `today` after `sales` (earning
// `points_per_yuan_div` fen per point, as the presets do).
MemberActivity ActivityOn(const std::vector<Sale>& sales, Date today, int64_t fen_per_point) {
  MemberActivity a;
  for (const Sale& s : sales) {
    if (s.on > today) continue;
    Points earned(s.fen / fen_per_point);
    RecordSale(a.months, s.on, Fen(s.fen), earned);
    if (!a.first_purchase) a.first_purchase = Fen(s.fen);
    a.last_purchase_on = s.on;
    a.growth_lifetime += earned;
    a.points_balance += earned;
  }
  return a;
}

Metrics MetricsOn(const Program& p, const std::vector<Sale>& sales, Date today) {
  auto m = ComputeMetrics(
      p, ActivityOn(sales, today, p.earning.fen_per_step.value / p.earning.points_per_step.value),
      today);
  EXPECT_TRUE(m.ok()) << m.error().field << " " << m.error().message;
  return m.ok() ? *m : Metrics{};
}

std::string TierCode(const Program& p, const std::optional<TierMatch>& m) {
  return m ? p.tiers[m->tier].code : "";
}

UpgradeDecision Decide(const Program& p, const Metrics& m, std::string_view current,
                       std::string_view approved = {}) {
  auto d = DecideUpgrade(p, m, current, approved);
  EXPECT_TRUE(d.ok());
  return d.ok() ? *d : UpgradeDecision{};
}

DowngradeStep Review(const Program& p, const Metrics& m, const DowngradeInput& in, Date today) {
  auto s = ReviewDowngrade(p, m, in, today);
  EXPECT_TRUE(s.ok()) << s.error().message;
  return s.ok() ? *s : DowngradeStep{};
}

// ---- metrics from buckets ------------------------------------------------

TEST(LoyaltyMetricsTest, L6RollingWindowsAreCalendarMonths) {
  const Program& p = *FindPreset("department_store");
  MemberActivity a;
  auto bucket = [](int y, unsigned m, int64_t spend, int purchases) {
    return MonthlyBucket{y, m, Fen(spend), purchases, Fen(spend), Points(spend)};
  };
  a.months = {bucket(2026, 5, 100, 2),  bucket(2026, 3, 200, 1),  bucket(2026, 2, 400, 1),
              bucket(2025, 11, 800, 3), bucket(2025, 6, 1600, 1), bucket(2025, 5, 3200, 1)};
  auto m = ComputeMetrics(p, a, D(2026, 5, 10));
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->spend_3m, Fen(300));    // Mar-May
  EXPECT_EQ(m->spend_6m, Fen(700));    // Dec-May
  EXPECT_EQ(m->spend_12m, Fen(3100));  // Jun 2025-May 2026
  EXPECT_EQ(m->largest_purchase_12m, Fen(1600));
  EXPECT_EQ(m->purchases_month, 2);
  EXPECT_EQ(m->purchases_quarter, 3);
  EXPECT_EQ(m->purchases_last_6m, 4);
  EXPECT_EQ(m->purchases_prev_6m, 4);  // Jun-Nov 2025
  EXPECT_EQ(m->growth_period, Points(3100));
}

TEST(LoyaltyMetricsTest, P10BadBucketsAreNamed) {
  const Program& p = *FindPreset("department_store");
  MemberActivity a;
  a.months = {{2026, 5, Fen(1), 1, Fen(1), Points(0)}, {2026, 5, Fen(2), 1, Fen(2), Points(0)}};
  EXPECT_EQ(ComputeMetrics(p, a, D(2026, 5, 10)).error().field, "months[1]");
  a.months = {{2026, 6, Fen(1), 1, Fen(1), Points(0)}};
  EXPECT_EQ(ComputeMetrics(p, a, D(2026, 5, 10)).error().field, "months[0]");
  a.months = {{2026, 13, Fen(1), 1, Fen(1), Points(0)}};
  EXPECT_EQ(ComputeMetrics(p, a, D(2026, 5, 10)).error().field, "months[0].month");
  a.months.assign(25, MonthlyBucket{});
  EXPECT_EQ(ComputeMetrics(p, a, D(2026, 5, 10)).error().field, "months");
  a.months.clear();
  a.rank_percentile = 0;
  EXPECT_EQ(ComputeMetrics(p, a, D(2026, 5, 10)).error().field, "rank_percentile");
}

TEST(LoyaltyMetricsTest, L6BucketsKeepTwentyFourMonths) {
  std::vector<MonthlyBucket> months;
  RecordSale(months, D(2024, 6, 15), Fen(100), Points(1));
  RecordSale(months, D(2026, 5, 1), Fen(300), Points(3));
  RecordSale(months, D(2026, 5, 20), Fen(500), Points(5));
  ASSERT_EQ(months.size(), 2u);  // June 2024 is 23 months before May 2026
  EXPECT_EQ(months[1], (MonthlyBucket{2026, 5, Fen(800), 2, Fen(500), Points(8)}));
  RecordSale(months, D(2026, 6, 1), Fen(50), Points(0));
  ASSERT_EQ(months.size(), 2u);  // now 24 months: dropped
  EXPECT_EQ(months[0].year, 2026);
  RecordRefund(months, D(2026, 5, 20), Fen(500), Points(5), Fen(300));
  EXPECT_EQ(months[0], (MonthlyBucket{2026, 5, Fen(300), 2, Fen(300), Points(3)}));
  RecordRefund(months, D(2020, 1, 1), Fen(500), Points(5));  // month no longer kept
  EXPECT_EQ(months[0].spend, Fen(300));
}

// ---- department store ladder (第7篇) ---------------------------------------

const std::vector<Sale> kStoreSales = {
    {D(2025, 1, 10), 60000},                              // first purchase 600 yuan
    {D(2025, 2, 15), 100000},  {D(2025, 3, 20), 140000},  // 6 months: 3,000
    {D(2025, 9, 1), 3500000},                             // 12 months: 38,000
    {D(2025, 11, 11), 200000},                            // 12 months: 40,000
};

TEST(LoyaltyLadderTest, L6DepartmentStoreWalksUpTheCards) {
  const Program& p = *FindPreset("department_store");
  Metrics m = MetricsOn(p, kStoreSales, D(2025, 1, 10));
  auto e = Evaluate(p, m);
  EXPECT_EQ(TierCode(p, e), "normal");
  EXPECT_EQ(e->reason, "首次消费 ¥600 ≥ ¥500");
  EXPECT_EQ(TierCode(p, Decide(p, m, "").immediate), "normal");

  m = MetricsOn(p, kStoreSales, D(2025, 2, 28));
  EXPECT_FALSE(Decide(p, m, "normal").immediate.has_value());  // 1,600 in 6 months

  m = MetricsOn(p, kStoreSales, D(2025, 3, 20));
  e = Evaluate(p, m);
  EXPECT_EQ(TierCode(p, e), "silver");
  EXPECT_EQ(e->reason, "近6个月消费 ¥3,000 ≥ ¥3,000");
  EXPECT_EQ(TierCode(p, Decide(p, m, "normal").immediate), "silver");

  m = MetricsOn(p, kStoreSales, D(2025, 9, 1));  // straight to 钻石卡, past 金卡
  UpgradeDecision d = Decide(p, m, "silver");
  EXPECT_EQ(TierCode(p, d.immediate), "diamond");
  EXPECT_EQ(d.immediate->reason, "近12个月消费 ¥38,000 ≥ ¥20,000");
  EXPECT_FALSE(d.needs_approval.has_value());
}

TEST(LoyaltyLadderTest, L6PurpleDiamondWaitsForApproval) {
  const Program& p = *FindPreset("department_store");
  Metrics m = MetricsOn(p, kStoreSales, D(2025, 11, 11));
  EXPECT_EQ(m.spend_12m, Fen(4000000));
  EXPECT_EQ(TierCode(p, Evaluate(p, m)), "purple_diamond");
  UpgradeDecision d = Decide(p, m, "diamond");
  EXPECT_FALSE(d.immediate.has_value());
  EXPECT_EQ(TierCode(p, d.needs_approval), "purple_diamond");
  EXPECT_EQ(d.needs_approval->reason, "近12个月消费 ¥40,000 ≥ ¥40,000（需店长审批）");
  // From 金卡: 钻石卡 at once, 紫金钻石卡 queued.
  d = Decide(p, m, "gold");
  EXPECT_EQ(TierCode(p, d.immediate), "diamond");
  EXPECT_EQ(TierCode(p, d.needs_approval), "purple_diamond");
  // Once the manager approves (credit check done) it applies.
  d = Decide(p, m, "diamond", "purple_diamond");
  EXPECT_EQ(TierCode(p, d.immediate), "purple_diamond");
  EXPECT_FALSE(d.needs_approval.has_value());
  EXPECT_FALSE(DecideUpgrade(p, m, "platinum").ok());
  EXPECT_EQ(DecideUpgrade(p, m, "platinum").error().field, "current_tier");
}

TEST(LoyaltyDowngradeTest, L7AYearWithoutPurchasesWarnsThenLowersOneLevel) {
  const Program& p = *FindPreset("department_store");
  DowngradeInput in{"diamond", D(2025, 9, 1), std::nullopt, std::nullopt};
  // The 12 months since the last purchase end on 2026-11-11; 30 days' notice.
  Metrics m = MetricsOn(p, kStoreSales, D(2026, 10, 11));
  EXPECT_EQ(Review(p, m, in, D(2026, 10, 11)).action, DowngradeAction::kNone);
  m = MetricsOn(p, kStoreSales, D(2026, 10, 12));
  DowngradeStep warn = Review(p, m, in, D(2026, 10, 12));
  EXPECT_EQ(warn.action, DowngradeAction::kWarn);
  EXPECT_EQ(warn.to_tier, "gold");  // one level, though nothing is qualified for any more
  // Grace of 30 days after the rule breaks on 2026-11-11.
  EXPECT_EQ(warn.effective_on, D(2026, 12, 11));
  EXPECT_EQ(warn.reason, "自 2025-11-11 起将满12个月无消费，2026-12-11起由钻石卡降为金卡");

  in.pending = PendingDowngrade{D(2026, 10, 12), *warn.effective_on, warn.reason};
  m = MetricsOn(p, kStoreSales, D(2026, 12, 10));
  EXPECT_EQ(Review(p, m, in, D(2026, 12, 10)).action, DowngradeAction::kPending);
  m = MetricsOn(p, kStoreSales, D(2026, 12, 11));
  DowngradeStep apply = Review(p, m, in, D(2026, 12, 11));
  EXPECT_EQ(apply.action, DowngradeAction::kApply);
  EXPECT_EQ(apply.to_tier, "gold");
  EXPECT_EQ(apply.reason, warn.reason);
}

TEST(LoyaltyDowngradeTest, L7BuyingDuringGraceCancels) {
  const Program& p = *FindPreset("department_store");
  DowngradeInput in{"diamond", D(2025, 9, 1),
                    PendingDowngrade{D(2026, 10, 12), D(2026, 12, 11), "将满12个月无消费"},
                    std::nullopt};
  auto sales = kStoreSales;
  sales.push_back({D(2026, 11, 20), 30000});  // inside the grace period
  DowngradeStep s = Review(p, MetricsOn(p, sales, D(2026, 11, 21)), in, D(2026, 11, 21));
  EXPECT_EQ(s.action, DowngradeAction::kCancel);
  EXPECT_EQ(s.reason, "已重新达标，保留钻石卡");
}

TEST(LoyaltyDowngradeTest, L7ManagerHoldKeepsTheTier) {
  const Program& p = *FindPreset("department_store");
  Metrics m = MetricsOn(p, kStoreSales, D(2026, 10, 12));
  DowngradeInput in{"diamond", D(2025, 9, 1), std::nullopt,
                    TierHold{D(2026, 12, 31), "老客户，店长担保"}};
  DowngradeStep s = Review(p, m, in, D(2026, 10, 12));
  EXPECT_EQ(s.action, DowngradeAction::kHeld);
  EXPECT_NE(s.reason.find("店长保级：老客户，店长担保"), std::string::npos);
  in.pending = PendingDowngrade{D(2026, 10, 12), D(2026, 12, 11), "x"};
  EXPECT_EQ(Review(p, m, in, D(2026, 10, 12)).action, DowngradeAction::kCancel);
  // An expired hold no longer protects.
  in.pending.reset();
  in.hold->until = D(2026, 10, 1);
  EXPECT_EQ(Review(p, m, in, D(2026, 10, 12)).action, DowngradeAction::kWarn);
}

TEST(LoyaltyDowngradeTest, L7FrequencyDropHeldUntilThePeriodEnds) {
  const Program& p = *FindPreset("department_store");
  std::vector<Sale> sales = {{D(2025, 10, 5), 150000},
                             {D(2025, 12, 5), 150000},
                             {D(2026, 1, 5), 150000},
                             {D(2026, 3, 1), 150000},
                             {D(2026, 5, 10), 150000}};
  Metrics m = MetricsOn(p, sales, D(2026, 9, 15));
  EXPECT_EQ(m.purchases_prev_6m, 4);
  EXPECT_EQ(m.purchases_last_6m, 1);
  DowngradeStep s =
      Review(p, m, {"gold", D(2026, 3, 1), std::nullopt, std::nullopt}, D(2026, 9, 15));
  EXPECT_EQ(s.action, DowngradeAction::kWarn);
  EXPECT_EQ(s.to_tier, "silver");
  EXPECT_EQ(s.effective_on, D(2027, 3, 1));  // 金卡 since 2026-03-01 is held for 12 months
  EXPECT_NE(s.reason.find("近6个月消费 1 次，低于之前6个月（4 次）的50%"), std::string::npos);
  // Half of the earlier frequency is enough.
  sales.push_back({D(2026, 9, 1), 10000});
  m = MetricsOn(p, sales, D(2026, 9, 15));
  EXPECT_EQ(
      Review(p, m, {"gold", D(2026, 3, 1), std::nullopt, std::nullopt}, D(2026, 9, 15)).action,
      DowngradeAction::kNone);
}

TEST(LoyaltyDowngradeTest, L7TheLowestTierIsNeverLowered) {
  const Program& p = *FindPreset("department_store");
  Metrics m = MetricsOn(p, kStoreSales, D(2028, 1, 1));
  DowngradeInput in{"normal", D(2025, 1, 10), std::nullopt, std::nullopt};
  EXPECT_EQ(Review(p, m, in, D(2028, 1, 1)).action, DowngradeAction::kNone);
  EXPECT_EQ(
      Review(p, m, {"silver", D(2025, 3, 20), std::nullopt, std::nullopt}, D(2028, 1, 1)).to_tier,
      "normal");
  EXPECT_FALSE(
      ReviewDowngrade(p, m, {"tin", D(2025, 1, 1), std::nullopt, std::nullopt}, D(2028, 1, 1))
          .ok());
}

// ---- apparel A/B/C (终端营运管理) -----------------------------------------

TEST(LoyaltyLadderTest, M4L6ApparelTemporaryCardThenManagerConfirmsEachBand) {
  const Program& p = *FindPreset("apparel_abc");  // 1 point per yuan
  std::vector<Sale> sales = {{D(2026, 1, 5), 30000},
                             {D(2026, 1, 20), 25000},
                             {D(2026, 3, 1), 150000},
                             {D(2026, 6, 1), 300000}};
  Metrics m = MetricsOn(p, sales, D(2026, 1, 5));
  EXPECT_FALSE(ShouldBecomeFormal(p, m).has_value());  // 300 points
  EXPECT_FALSE(Decide(p, m, "").needs_approval.has_value());

  m = MetricsOn(p, sales, D(2026, 1, 20));
  EXPECT_EQ(ShouldBecomeFormal(p, m), "累计积分 550 分 ≥ 500 分");
  UpgradeDecision d = Decide(p, m, "");
  EXPECT_FALSE(d.immediate.has_value());  // 店长操作
  EXPECT_EQ(TierCode(p, d.needs_approval), "c");
  EXPECT_EQ(TierCode(p, Decide(p, m, "", "c").immediate), "c");

  m = MetricsOn(p, sales, D(2026, 3, 1));
  d = Decide(p, m, "c");
  EXPECT_EQ(TierCode(p, d.needs_approval), "b");
  EXPECT_EQ(d.needs_approval->reason, "近12个月积分 2,050 分 ≥ 2,000 分（需店长审批）");

  m = MetricsOn(p, sales, D(2026, 6, 1));
  EXPECT_EQ(TierCode(p, Decide(p, m, "b").needs_approval), "a");
  EXPECT_EQ(TierCode(p, Decide(p, m, "b", "a").immediate), "a");

  // A year without purchases: warned a month ahead, down to B after the grace.
  DowngradeInput in{"a", D(2026, 6, 15), std::nullopt, std::nullopt};
  EXPECT_EQ(Review(p, MetricsOn(p, sales, D(2027, 5, 1)), in, D(2027, 5, 1)).action,
            DowngradeAction::kNone);
  DowngradeStep s = Review(p, MetricsOn(p, sales, D(2027, 5, 2)), in, D(2027, 5, 2));
  EXPECT_EQ(s.action, DowngradeAction::kWarn);
  EXPECT_EQ(s.to_tier, "b");
  EXPECT_EQ(s.effective_on, D(2027, 7, 1));
}

// ---- cosmetics VIP (第6篇) -------------------------------------------------

TEST(LoyaltyLadderTest, L6CosmeticsOnePurchaseOrHalfAYear) {
  const Program& p = *FindPreset("cosmetics");
  Metrics m = MetricsOn(p, {{D(2026, 3, 1), 99999}}, D(2026, 3, 1));
  EXPECT_FALSE(Evaluate(p, m).has_value());
  m = MetricsOn(p, {{D(2026, 3, 1), 100000}}, D(2026, 3, 1));
  EXPECT_EQ(Evaluate(p, m)->reason, "近12个月单笔消费 ¥1,000 ≥ ¥1,000");
  EXPECT_TRUE(ShouldBecomeFormal(p, m).has_value());

  std::vector<Sale> small = {
      {D(2026, 1, 10), 80000}, {D(2026, 3, 10), 70000}, {D(2026, 6, 9), 50000}};
  m = MetricsOn(p, small, D(2026, 6, 9));
  EXPECT_EQ(Evaluate(p, m)->reason, "近6个月消费 ¥2,000 ≥ ¥2,000");
  m = MetricsOn(p, small, D(2026, 7, 1));  // January has left the 6-month window
  EXPECT_FALSE(Evaluate(p, m).has_value());
}

// ---- premium goods (会员制管理规划) ------------------------------------------

TEST(LoyaltyLadderTest, L6PremiumGoodsBySinglePurchaseOrYear) {
  const Program& p = *FindPreset("premium_goods");
  EXPECT_FALSE(Evaluate(p, MetricsOn(p, {{D(2026, 4, 1), 199999}}, D(2026, 4, 1))).has_value());
  EXPECT_EQ(TierCode(p, Evaluate(p, MetricsOn(p, {{D(2026, 4, 1), 200000}}, D(2026, 4, 1)))),
            "normal");
  EXPECT_EQ(TierCode(p, Evaluate(p, MetricsOn(p, {{D(2026, 4, 1), 800000}}, D(2026, 4, 1)))),
            "gold");
  // Three purchases of 7,000: never 8,000 at once, but 21,000 in the year -> 钻卡.
  std::vector<Sale> sales = {
      {D(2026, 1, 5), 700000}, {D(2026, 4, 5), 700000}, {D(2026, 8, 5), 700000}};
  Metrics m = MetricsOn(p, sales, D(2026, 8, 5));
  UpgradeDecision d = Decide(p, m, "normal");
  EXPECT_EQ(TierCode(p, d.immediate), "diamond");
  EXPECT_EQ(d.immediate->reason, "近12个月消费 ¥21,000 ≥ ¥20,000");
}

// ---- key accounts (第2篇, vip維護分級管理制度) --------------------------------

TEST(LoyaltyLadderTest, L6KeyAccountsRatedByYearlySalesWithApproval) {
  const Program& p = *FindPreset("key_accounts");
  Metrics m = MetricsOn(p, {{D(2026, 2, 1), 60000000}}, D(2026, 2, 1));  // 60万
  UpgradeDecision d = Decide(p, m, "");
  EXPECT_FALSE(d.immediate.has_value());
  EXPECT_EQ(TierCode(p, d.needs_approval), "b");
  EXPECT_EQ(TierCode(p, Decide(p, m, "", "b").immediate), "b");
}

TEST(LoyaltyDowngradeTest, L7KeyAccountsAreReRatedAfterTheYear) {
  const Program& p = *FindPreset("key_accounts");
  std::vector<Sale> sales = {{D(2025, 6, 10), 40000000}};  // 40万 < 50万 for B
  DowngradeInput in{"b", D(2025, 1, 1), std::nullopt, std::nullopt};
  Metrics m = MetricsOn(p, sales, D(2025, 12, 20));
  EXPECT_EQ(Review(p, m, in, D(2025, 12, 20)).action, DowngradeAction::kNone);  // in the period
  m = MetricsOn(p, sales, D(2026, 1, 5));
  DowngradeStep s = Review(p, m, in, D(2026, 1, 5));
  EXPECT_EQ(s.action, DowngradeAction::kWarn);
  EXPECT_EQ(s.to_tier, "c");
  EXPECT_EQ(s.effective_on, D(2026, 2, 4));
  EXPECT_NE(s.reason.find("资格期已满，未再达到B级条件"), std::string::npos);
  sales.push_back({D(2025, 12, 1), 20000000});  // 60万 in the year
  EXPECT_EQ(Review(p, MetricsOn(p, sales, D(2026, 1, 5)), in, D(2026, 1, 5)).action,
            DowngradeAction::kNone);
}

// ---- progress to the next tier -----------------------------------------------

TEST(LoyaltyProgressTest, I3SimplestMissingPieceForTheNextTier) {
  const Program& p = *FindPreset("department_store");
  Metrics m = MetricsOn(p, {{D(2026, 3, 1), 180000}}, D(2026, 4, 1));
  auto next = ProgressToNextTier(p, m, "normal");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->next_tier, "silver");
  EXPECT_EQ(next->text, "再消费 ¥1,200 升级银卡");  // 3,000 in 6 months beats 5,000 in 12

  m = MetricsOn(p, {{D(2026, 3, 1), 3000000}}, D(2026, 4, 1));
  next = ProgressToNextTier(p, m, "diamond");
  EXPECT_EQ(next->text, "再消费 ¥10,000 升级紫金钻石卡（需店长审批）");
  EXPECT_TRUE(next->needs_approval);

  m = MetricsOn(p, {{D(2026, 3, 1), 4000000}}, D(2026, 4, 1));
  next = ProgressToNextTier(p, m, "diamond");
  EXPECT_TRUE(next->already_met);
  EXPECT_EQ(next->text, "已达到紫金钻石卡条件，待店长审批");
  EXPECT_FALSE(ProgressToNextTier(p, m, "purple_diamond").has_value());

  // Not yet a card holder: the first purchase is still to come.
  next = ProgressToNextTier(p, MetricsOn(p, {}, D(2026, 4, 1)), "");
  EXPECT_EQ(next->text, "首次消费满 ¥500 升级普卡");
  // The first purchase was small: it cannot be redone, so the 3-month rule.
  next = ProgressToNextTier(p, MetricsOn(p, {{D(2026, 3, 1), 30000}}, D(2026, 4, 1)), "");
  EXPECT_EQ(next->text, "再消费 ¥1,200 升级普卡");
}

// The bar under the text measures the same path the text names (I3): the
// 6-month rule of 银卡 at ¥1,800 of ¥3,000 is 60 %, not ¥1,800 of the 12-month
// rule's ¥5,000.
TEST(LoyaltyProgressTest, I3ThePercentFollowsThePathTheTextNames) {
  const Program& p = *FindPreset("department_store");
  auto next = ProgressToNextTier(p, MetricsOn(p, {{D(2026, 3, 1), 180000}}, D(2026, 4, 1)), "normal");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->text, "再消费 ¥1,200 升级银卡");
  EXPECT_EQ(next->percent, 60);

  next = ProgressToNextTier(p, MetricsOn(p, {{D(2026, 3, 1), 3000000}}, D(2026, 4, 1)), "diamond");
  EXPECT_EQ(next->percent, 75);  // ¥30,000 of ¥40,000
  next = ProgressToNextTier(p, MetricsOn(p, {{D(2026, 3, 1), 4000000}}, D(2026, 4, 1)), "diamond");
  EXPECT_EQ(next->percent, 100);  // met, waiting for the store manager
  // A first purchase is made at once or not at all: no bar.
  next = ProgressToNextTier(p, MetricsOn(p, {}, D(2026, 4, 1)), "");
  EXPECT_EQ(next->text, "首次消费满 ¥500 升级普卡");
  EXPECT_FALSE(next->percent.has_value());
  next = ProgressToNextTier(p, MetricsOn(p, {{D(2026, 3, 1), 30000}}, D(2026, 4, 1)), "");
  EXPECT_EQ(next->percent, 20);  // ¥300 of the 3-month ¥1,500
  // ¥2,999.99 of ¥3,000 is still short of it.
  next = ProgressToNextTier(p, MetricsOn(p, {{D(2026, 3, 1), 299999}}, D(2026, 4, 1)), "normal");
  EXPECT_EQ(next->percent, 99);

  // Premium goods' tiers are single purchases: no bar either.
  const Program& premium = *FindPreset("premium_goods");
  next = ProgressToNextTier(premium, MetricsOn(premium, {{D(2026, 3, 1), 300000}}, D(2026, 4, 1)),
                            "normal");
  EXPECT_EQ(next->text, "单笔消费满 ¥8,000 升级金卡");
  EXPECT_FALSE(next->percent.has_value());

  // A group of two conditions: the mean of their shares.
  Program two = p;
  two.tiers[1].qualify.any_of = {{{Metric::kSpend12m, Op::kAtLeast, 1000000},
                                  {Metric::kPurchasesQuarter, Op::kAtLeast, 4}}};
  next = ProgressToNextTier(
      two, MetricsOn(two, {{D(2026, 2, 1), 200000}, {D(2026, 3, 1), 200000}}, D(2026, 4, 1)),
      "normal");
  EXPECT_EQ(next->text, "再消费 ¥6,000，近3个月内再消费 2 次 升级银卡");
  EXPECT_EQ(next->percent, 45);  // (40 % + 50 %) / 2
  // A single purchase short of its mark beside a met spend: half way.
  two.tiers[1].qualify.any_of = {{{Metric::kSpend12m, Op::kAtLeast, 100000},
                                  {Metric::kLargestPurchase12m, Op::kAtLeast, 300000}}};
  next = ProgressToNextTier(two, MetricsOn(two, {{D(2026, 3, 1), 200000}}, D(2026, 4, 1)), "normal");
  EXPECT_EQ(next->text, "单笔消费满 ¥3,000 升级银卡");
  EXPECT_EQ(next->percent, 50);
  // No group can be reached: no bar.
  two.tiers[1].qualify.any_of = {{{Metric::kPointsBalance, Op::kAtMost, 10}}};
  next = ProgressToNextTier(two, MetricsOn(two, {{D(2026, 3, 1), 200000}}, D(2026, 4, 1)), "normal");
  EXPECT_EQ(next->text, "暂无可达成的银卡条件");
  EXPECT_FALSE(next->percent.has_value());
}

}  // namespace
}  // namespace vipcare::domain
