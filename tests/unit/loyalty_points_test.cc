// Earning (L3), refund reversal and the ledger's lot rules (L2, L4, L5),
// referral rewards (L9). Every number below is worked by hand in a comment.
#include <gtest/gtest.h>

#include "domain/points.h"
#include "domain/presets.h"

namespace vipcare::domain {
namespace {

const Date kToday = Date::FromYmd(2026, 6, 1);

SaleLine Line(std::string category, int64_t paid, bool promo = false) {
  SaleLine l;
  l.sku = "SKU-" + category;
  l.category = std::move(category);
  l.paid = Fen(paid);
  l.list_price = Fen(paid);
  l.promo = promo;
  return l;
}

// 1 point per yuan; 化妆品 x2, 食品 earns nothing; 金卡 x1.5; birthday x2;
// 国庆 campaign: 服装 x3 and 50 bonus points from 1,000 yuan of 服装.
Program Rich() {
  auto p = ParseProgramText(R"({
    "code": "rich", "name": "多规则",
    "earning": {
      "fen_per_step": 100, "points_per_step": 1,
      "category_multipliers": [{"category": "化妆品", "multiplier_bp": 20000},
                               {"category": "食品", "multiplier_bp": 0}],
      "birthday_multiplier_bp": 20000,
      "campaigns": [{"code": "national_day", "name": "国庆", "from": "2026-10-01",
                     "to": "2026-10-07", "multiplier_bp": 30000, "bonus_points": 50,
                     "min_spend_fen": 100000, "categories": ["服装"]}]
    },
    "tiers": [
      {"code": "normal", "name": "普卡",
       "qualify": {"any_of": [{"all_of": [{"metric": "spend_12m", "op": ">=", "value": 0}]}]}},
      {"code": "gold", "name": "金卡", "points_multiplier_bp": 15000,
       "qualify": {"any_of": [{"all_of": [{"metric": "spend_12m", "op": ">=", "value": 1}]}]}}
    ]
  })");
  EXPECT_TRUE(p.ok()) << p.error().field << " " << p.error().message;
  return *p;
}

Earning MustEarn(const Program& p, const EarnInput& in) {
  auto e = Earn(p, in);
  EXPECT_TRUE(e.ok()) << e.error().field << " " << e.error().message;
  return e.ok() ? *e : Earning{};
}

TEST(LoyaltyEarnTest, L3PerTransactionDropsTheRest) {
  const Program& store = *FindPreset("department_store");  // 1 point per yuan
  Earning e = MustEarn(store, {"normal", false, kToday, Fen(0), {Line("服装", 12345)}});
  EXPECT_EQ(e.points, Points(123));  // 123.45 yuan
  EXPECT_EQ(e.remainder, Fen(0));

  const Program& premium = *FindPreset("premium_goods");  // 1 point per 100 yuan
  e = MustEarn(premium, {"normal", false, kToday, Fen(9999), {Line("燕窝", 29999)}});
  EXPECT_EQ(e.points, Points(2));  // the offered remainder is ignored per transaction
  EXPECT_EQ(e.remainder, Fen(0));
}

TEST(LoyaltyEarnTest, L3CarryRemainderAccumulates) {
  const Program& cosmetics = *FindPreset("cosmetics");  // 1 point per 100 yuan, carried
  // 250 yuan: 2 points, 50 yuan carried.
  Earning e = MustEarn(cosmetics, {"vip", false, kToday, Fen(0), {Line("护肤", 25000)}});
  EXPECT_EQ(e.points, Points(2));
  EXPECT_EQ(e.remainder, Fen(5000));
  // Then 60 yuan: 50 + 60 = 110 yuan -> 1 point, 10 yuan carried.
  e = MustEarn(cosmetics, {"vip", false, kToday, e.remainder, {Line("护肤", 6000)}});
  EXPECT_EQ(e.points, Points(1));
  EXPECT_EQ(e.remainder, Fen(1000));
  // The same 60 yuan per transaction would earn nothing.
  Program per_tx = cosmetics;
  per_tx.earning.rounding = Rounding::kPerTransaction;
  EXPECT_EQ(MustEarn(per_tx, {"vip", false, kToday, Fen(5000), {Line("护肤", 6000)}}).points,
            Points(0));
}

TEST(LoyaltyEarnTest, L3MultipliersPromoLinesAndPerLineBreakdown) {
  Program p = Rich();
  EarnInput in{
      "gold",
      false,
      kToday,
      Fen(0),
      {Line("化妆品", 10000), Line("食品", 5000), Line("服装", 8000, true), Line("服装", 3333)}};
  Earning e = MustEarn(p, in);
  ASSERT_EQ(e.lines.size(), 4u);
  // 100 yuan x2 (category) x1.5 (金卡) = 300 yuan of base.
  EXPECT_EQ(e.lines[0].earn_base, Fen(30000));
  EXPECT_EQ(e.lines[0].multiplier_bp, 30000);
  EXPECT_NE(e.lines[0].note.find("金卡"), std::string::npos);
  EXPECT_EQ(e.lines[1].earn_base, Fen(0));  // 食品 x0
  EXPECT_NE(e.lines[1].note.find("不积分"), std::string::npos);
  EXPECT_EQ(e.lines[2].earn_base, Fen(0));  // promotion line
  EXPECT_EQ(e.lines[2].note, "特价/促销商品不积分");
  EXPECT_EQ(e.lines[3].earn_base, Fen(4999));  // 33.33 x1.5 = 49.995, rounded down
  EXPECT_EQ(e.earn_base, Fen(34999));
  EXPECT_EQ(e.points, Points(349));

  // The same sale on the member's birthday: everything x2.
  in.birthday = true;
  e = MustEarn(p, in);
  EXPECT_EQ(e.lines[0].earn_base, Fen(60000));
  EXPECT_EQ(e.lines[3].earn_base, Fen(9999));  // 33.33 x3 = 99.99
  EXPECT_EQ(e.points, Points(699));

  // A program whose promotion lines earn.
  p.earning.promo_lines_earn = true;
  in.birthday = false;
  EXPECT_EQ(MustEarn(p, in).lines[2].earn_base, Fen(12000));  // 80 x1.5
}

TEST(LoyaltyEarnTest, L3CampaignWindowMultiplierAndBonus) {
  Program p = Rich();
  EarnInput in{"normal", false, Date::FromYmd(2026, 9, 30), Fen(0), {Line("服装", 40000)}};
  EXPECT_EQ(MustEarn(p, in).points, Points(400));  // the day before the campaign
  in.on = Date::FromYmd(2026, 10, 1);
  Earning e = MustEarn(p, in);
  EXPECT_EQ(e.points, Points(1200));  // x3; 400 yuan is below the bonus minimum
  EXPECT_EQ(e.bonus_points, Points(0));
  in.on = Date::FromYmd(2026, 10, 7);  // last day, inclusive
  in.lines.push_back(Line("服装", 60000));
  in.lines.push_back(Line("化妆品", 100000));  // not a campaign category
  e = MustEarn(p, in);
  // 服装 1,000 yuan x3 = 3000; 化妆品 1,000 x2 = 2000; bonus 50 (服装 reaches 1,000 yuan).
  EXPECT_EQ(e.base_points, Points(5000));
  EXPECT_EQ(e.bonus_points, Points(50));
  EXPECT_EQ(e.points, Points(5050));
  EXPECT_EQ(e.notes.size(), 2u);
  in.on = Date::FromYmd(2026, 10, 8);
  EXPECT_EQ(MustEarn(p, in).points, Points(3000));
}

TEST(LoyaltyEarnTest, P10BadSaleInputIsNamed) {
  Program p = Rich();
  auto e = Earn(p, {"platinum", false, kToday, Fen(0), {Line("服装", 100)}});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "tier");
  SaleLine zero = Line("服装", 100);
  zero.quantity = 0;
  e = Earn(p, {"", false, kToday, Fen(0), {Line("服装", 100), zero}});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "lines[1].quantity");
  SaleLine negative = Line("服装", 100);
  negative.paid = Fen(-1);
  e = Earn(p, {"", false, kToday, Fen(0), {negative}});
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().field, "lines[0].paid_fen");
}

TEST(LoyaltyRefundTest, L2PartialRefundsAddUpToTheSale) {
  const Program& store = *FindPreset("department_store");  // 1 point per yuan
  // Sale: A 300 yuan, B 100 yuan -> 400 points.
  RefundInput in{
      Points(400),
      Points(0),
      Points(0),
      Fen(0),
      {{Fen(30000), Fen(30000), Fen(0), Fen(10000)}, {Fen(10000), Fen(10000), Fen(0), Fen(0)}}};
  auto r = ReverseForRefund(store, in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->points, Points(100));  // 100 of 400 yuan of base
  in.reversed_before = Points(100);
  in.lines[0].refunded_before = Fen(10000);
  in.lines[0].refunded_now = Fen(20000);
  EXPECT_EQ(ReverseForRefund(store, in)->points, Points(200));
  in.reversed_before = Points(300);
  in.lines[0].refunded_before = Fen(30000);
  in.lines[0].refunded_now = Fen(0);
  in.lines[1].refunded_now = Fen(10000);
  EXPECT_EQ(ReverseForRefund(store, in)->points, Points(100));  // 400 in all, never more
}

TEST(LoyaltyRefundTest, L2RoundingNeverLeavesTheMemberAhead) {
  const Program& store = *FindPreset("department_store");
  // 3.33 yuan earned 3 points; refunding 1 yuan of it takes 1 point (0.9 rounded up).
  RefundInput in{Points(3), Points(0), Points(0), Fen(0), {{Fen(333), Fen(333), Fen(0), Fen(100)}}};
  EXPECT_EQ(ReverseForRefund(store, in)->points, Points(1));
  // A line that earned nothing (promotion) takes nothing back when refunded.
  in = RefundInput{
      Points(100),
      Points(0),
      Points(0),
      Fen(0),
      {{Fen(10000), Fen(10000), Fen(0), Fen(0)}, {Fen(5000), Fen(0), Fen(0), Fen(5000)}}};
  EXPECT_EQ(ReverseForRefund(store, in)->points, Points(0));
}

TEST(LoyaltyRefundTest, L2CarryRemainderIsRestoredExactly) {
  const Program& cosmetics = *FindPreset("cosmetics");  // 1 point per 100 yuan, carried
  // Remainder 90 yuan, sale 20 yuan -> 1 point, 10 yuan left. A full refund
  // takes the point back and restores the 90 yuan.
  RefundInput in{
      Points(1), Points(0), Points(0), Fen(1000), {{Fen(2000), Fen(2000), Fen(0), Fen(2000)}}};
  auto r = ReverseForRefund(cosmetics, in);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->points, Points(1));
  EXPECT_EQ(r->remainder, Fen(9000));
  // Remainder 0, sale 150 yuan -> 1 point, 50 left; full refund -> 1 point, 0 left.
  in = RefundInput{
      Points(1), Points(0), Points(0), Fen(5000), {{Fen(15000), Fen(15000), Fen(0), Fen(15000)}}};
  r = ReverseForRefund(cosmetics, in);
  EXPECT_EQ(r->points, Points(1));
  EXPECT_EQ(r->remainder, Fen(0));
  // Refunding 30 of those 150 yuan only shrinks the remainder.
  in.lines[0].refunded_now = Fen(3000);
  r = ReverseForRefund(cosmetics, in);
  EXPECT_EQ(r->points, Points(0));
  EXPECT_EQ(r->remainder, Fen(2000));
}

TEST(LoyaltyRefundTest, P10RefundingMoreThanPaidIsRefused) {
  const Program& store = *FindPreset("department_store");
  RefundInput in{
      Points(10), Points(0), Points(0), Fen(0), {{Fen(1000), Fen(1000), Fen(600), Fen(500)}}};
  auto r = ReverseForRefund(store, in);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "lines[0].refunded_now_fen");
}

TEST(LoyaltyExpiryTest, L4RollingMonthsIncludingLeapDays) {
  ExpiryRule twelve{ExpiryMode::kRollingMonths, 12, 0, 30};
  EXPECT_EQ(ExpiryDate(twelve, Date::FromYmd(2026, 3, 5)), Date::FromYmd(2027, 3, 4));
  EXPECT_EQ(ExpiryDate(twelve, Date::FromYmd(2024, 2, 29)), Date::FromYmd(2025, 2, 28));
  EXPECT_EQ(ExpiryDate(twelve, Date::FromYmd(2023, 2, 28)), Date::FromYmd(2024, 2, 27));
  EXPECT_EQ(ExpiryDate(twelve, Date::FromYmd(2026, 1, 1)), Date::FromYmd(2026, 12, 31));
  ExpiryRule one{ExpiryMode::kRollingMonths, 1, 0, 30};
  EXPECT_EQ(ExpiryDate(one, Date::FromYmd(2024, 1, 31)), Date::FromYmd(2024, 2, 29));
  EXPECT_EQ(ExpiryDate(one, Date::FromYmd(2025, 1, 31)), Date::FromYmd(2025, 2, 28));
  ExpiryRule two_years{ExpiryMode::kRollingMonths, 24, 0, 30};
  EXPECT_EQ(ExpiryDate(two_years, Date::FromYmd(2024, 2, 29)), Date::FromYmd(2026, 2, 28));
}

TEST(LoyaltyExpiryTest, L4YearEndAndNever) {
  ExpiryRule next_year{ExpiryMode::kYearEnd, 0, 1, 30};
  EXPECT_EQ(ExpiryDate(next_year, Date::FromYmd(2024, 2, 29)), Date::FromYmd(2025, 12, 31));
  EXPECT_EQ(ExpiryDate(next_year, Date::FromYmd(2026, 12, 31)), Date::FromYmd(2027, 12, 31));
  ExpiryRule same_year{ExpiryMode::kYearEnd, 0, 0, 30};
  EXPECT_EQ(ExpiryDate(same_year, Date::FromYmd(2026, 1, 1)), Date::FromYmd(2026, 12, 31));
  EXPECT_EQ(ExpiryDate(ExpiryRule{}, Date::FromYmd(2026, 1, 1)), std::nullopt);
}

std::vector<PointsLot> SomeLots() {
  return {
      {1, Points(100), Date::FromYmd(2025, 3, 1), Date::FromYmd(2026, 12, 31)},
      {2, Points(50), Date::FromYmd(2025, 1, 10), Date::FromYmd(2026, 12, 31)},
      {3, Points(200), Date::FromYmd(2026, 2, 1), Date::FromYmd(2027, 12, 31)},
      {4, Points(30), Date::FromYmd(2024, 5, 1), std::nullopt},
      {5, Points(70), Date::FromYmd(2024, 6, 1), Date::FromYmd(2025, 12, 31)},  // expired
      {6, Points(0), Date::FromYmd(2024, 1, 1), Date::FromYmd(2026, 1, 31)},    // spent
  };
}

TEST(LoyaltyLedgerTest, L5RedemptionTakesOldestExpiryFirst) {
  auto lots = SomeLots();
  EXPECT_EQ(Balance(lots, Points(0), kToday), Points(380));
  auto plan = PlanRedemption(lots, Points(0), Points(170), kToday);
  ASSERT_TRUE(plan.ok());
  // Lots 1 and 2 expire together: the older earned (2) goes first; then 3.
  EXPECT_EQ(*plan,
            (std::vector<LotDraw>{{1, 2, Points(50)}, {0, 1, Points(100)}, {2, 3, Points(20)}}));
  // Everything: the never-expiring lot last.
  plan = PlanRedemption(lots, Points(0), Points(380), kToday);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan->back(), (LotDraw{3, 4, Points(30)}));
}

TEST(LoyaltyLedgerTest, L5ShortBalanceFailsClearly) {
  auto lots = SomeLots();
  auto plan = PlanRedemption(lots, Points(0), Points(381), kToday);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(plan.error().field, "points");
  EXPECT_NE(plan.error().message.find("可用 380 分"), std::string::npos);
  plan = PlanRedemption(lots, Points(0), Points(0), kToday);
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().code, ErrorCode::kInvalidArgument);
}

TEST(LoyaltyLedgerTest, L2NegativeBalanceBlocksRedemptionUntilRepaid) {
  // 100 earned with the sale's lot 9, 80 already redeemed: 20 left.
  std::vector<PointsLot> lots = {
      {8, Points(40), Date::FromYmd(2026, 1, 5), Date::FromYmd(2027, 12, 31)},
      {9, Points(20), Date::FromYmd(2026, 5, 1), Date::FromYmd(2027, 12, 31)}};
  // The sale is refunded: its 100 points come back from lot 9 first, then lot 8.
  ReversalPlan rev = PlanReversal(lots, 9, Points(100), kToday);
  EXPECT_EQ(rev.draws, (std::vector<LotDraw>{{1, 9, Points(20)}, {0, 8, Points(40)}}));
  EXPECT_EQ(rev.new_debt, Points(40));
  lots[0].remaining = Points(0);
  lots[1].remaining = Points(0);
  EXPECT_EQ(Balance(lots, rev.new_debt, kToday), Points(-40));
  auto blocked = PlanRedemption(lots, rev.new_debt, Points(1), kToday);
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(blocked.error().field, "points");
  // The next 50 points pay the 40 of debt; 10 become a lot.
  EarnPlan earn = PlanEarn(rev.new_debt, Points(50));
  EXPECT_EQ(earn.pays_debt, Points(40));
  EXPECT_EQ(earn.new_lot, Points(10));
  lots.push_back({10, earn.new_lot, kToday, Date::FromYmd(2027, 12, 31)});
  EXPECT_TRUE(PlanRedemption(lots, Points(0), Points(10), kToday).ok());
  // Smaller earnings only shrink the debt.
  EXPECT_EQ(PlanEarn(Points(40), Points(15)).new_lot, Points(0));
}

TEST(LoyaltyLedgerTest, L4ExpiryOnADayAndWarnings) {
  auto lots = SomeLots();
  EXPECT_EQ(ExpiredLots(lots, kToday), (std::vector<LotDraw>{{4, 5, Points(70)}}));
  // The last valid day is still usable; the day after it expires.
  EXPECT_TRUE(ExpiredLots(lots, Date::FromYmd(2026, 12, 31)).size() == 1u);
  EXPECT_EQ(ExpiredLots(lots, Date::FromYmd(2027, 1, 1)).size(), 3u);
  EXPECT_EQ(LotsExpiringWithin(lots, Date::FromYmd(2026, 12, 1), 30),
            (std::vector<LotDraw>{{0, 1, Points(100)}, {1, 2, Points(50)}}));
  EXPECT_TRUE(LotsExpiringWithin(lots, Date::FromYmd(2026, 11, 30), 30).empty());
  EXPECT_FALSE(IsUsable(lots[4], kToday));
}

TEST(LoyaltyLedgerTest, L5CashBackEveryFullStep) {
  const Program& apparel = *FindPreset("apparel_abc");  // every 500 points -> 20 yuan
  CashBackPlan cb = CashBackFor(apparel, Points(1250));
  EXPECT_EQ(cb.vouchers, 2);
  EXPECT_EQ(cb.points, Points(1000));
  EXPECT_EQ(cb.value, Fen(4000));
  EXPECT_EQ(CashBackFor(apparel, Points(499)).vouchers, 0);
  EXPECT_EQ(CashBackFor(apparel, Points(-20)).vouchers, 0);
  EXPECT_EQ(CashBackFor(*FindPreset("cosmetics"), Points(5000)).vouchers, 0);  // no cash-back
  // Of a balance of 1,250 only the lots still usable today count: 700 points
  // past their expiry (not yet expired by the daily job) leave 550, one voucher.
  const Date today = Date::FromYmd(2026, 12, 2);
  const std::vector<PointsLot> lots = {{1, Points(700), Date::FromYmd(2024, 1, 5), Date::FromYmd(2026, 11, 30)},
                                       {2, Points(550), Date::FromYmd(2026, 11, 1), std::nullopt}};
  EXPECT_EQ(CashBackFor(apparel, Points(1250), lots, today).vouchers, 1);
  EXPECT_EQ(CashBackFor(apparel, Points(400), lots, today).vouchers, 0);  // the balance caps it
}

TEST(LoyaltyReferralTest, L9RewardOnAQualifyingFirstPurchase) {
  const Program& apparel = *FindPreset("apparel_abc");  // 100 points from 200 yuan
  EXPECT_EQ(ReferralReward(apparel, Fen(20000)), Points(100));
  EXPECT_EQ(ReferralReward(apparel, Fen(19999)), Points(0));
  EXPECT_EQ(ReferralReward(*FindPreset("department_store"), Fen(100000)), Points(0));
}

}  // namespace
}  // namespace vipcare::domain
