// The benefits quote (L8) and the Chinese calendar behind lunar birthdays.
// Lunar dates are checked against well-known festival days.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "domain/lunar.h"
#include "domain/presets.h"
#include "domain/quote.h"

namespace vipcare::domain {
namespace {

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }
CalendarDate Lunar(int y, unsigned m, unsigned d, bool leap = false) {
  return CalendarDate{y, m, d, Calendar::kLunar, leap};
}
CalendarDate Solar(int y, unsigned m, unsigned d) {
  return CalendarDate{y, m, d, Calendar::kSolar, false};
}

CartLine Item(std::string sku, int64_t unit, int64_t qty = 1, bool promo = false) {
  CartLine l;
  l.sku = std::move(sku);
  l.category = "护肤";
  l.quantity = qty;
  l.list_price = Fen(unit);
  l.promo = promo;
  return l;
}

Quote MustQuote(const Program& p, const QuoteInput& in, Date today) {
  auto q = QuoteCart(p, in, today);
  EXPECT_TRUE(q.ok()) << q.error().field << " " << q.error().message;
  return q.ok() ? *q : Quote{};
}

// ---- the lunar calendar ----------------------------------------------------

TEST(LoyaltyLunarTest, L8KnownFestivalDays) {
  EXPECT_EQ(LunarToSolar(2026, 1, 1, false), D(2026, 2, 17));    // 春节 2026
  EXPECT_EQ(LunarToSolar(2026, 8, 15, false), D(2026, 9, 25));   // 中秋 2026
  EXPECT_EQ(LunarToSolar(2027, 8, 15, false), D(2027, 9, 15));   // 中秋 2027
  EXPECT_EQ(LunarToSolar(1990, 8, 15, false), D(1990, 10, 3));   // 中秋 1990
  EXPECT_EQ(LunarToSolar(2025, 12, 29, false), D(2026, 2, 16));  // 除夕 2026 is 腊月廿九
  EXPECT_EQ(LunarToSolar(2025, 6, 1, true), D(2025, 7, 25));     // 闰六月初一 2025
  EXPECT_EQ(LunarToSolar(2023, 2, 1, true), D(2023, 3, 22));     // 闰二月初一 2023
}

TEST(LoyaltyLunarTest, L8DaysAYearLacksAreRefused) {
  EXPECT_EQ(LunarToSolar(2026, 6, 1, true), std::nullopt);     // no 闰六月 in 2026
  EXPECT_EQ(LunarToSolar(2025, 12, 30, false), std::nullopt);  // 腊月 2025 has 29 days
  EXPECT_EQ(LunarToSolar(1800, 1, 1, false), std::nullopt);
  EXPECT_EQ(LunarToSolar(2026, 13, 1, false), std::nullopt);
}

TEST(LoyaltyLunarTest, L8KeptAnswersStayRightAcrossThreads) {
  // Answers are kept for the process: asked again, from several threads at
  // once, a day converts to the same solar day and a missing day stays missing.
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 3; ++round) {
        if (LunarToSolar(2031, 1, 1, false) != D(2031, 1, 23)) ++wrong;   // 春节 2031
        if (LunarToSolar(2030, 8, 15, false) != D(2030, 9, 12)) ++wrong;  // 中秋 2030
        if (LunarToSolar(2030, 6, 1, true) != std::nullopt) ++wrong;      // no 闰六月 in 2030
        if (LunarToSolar(1925, 1, 1, false) != D(1925, 1, 24)) ++wrong;   // 春节 1925
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST(LoyaltyLunarTest, L8BirthdaysMoveToTheNearestEarlierDay) {
  // 腊月三十 in a year whose 腊月 has 29 days: celebrated on 除夕, 腊月廿九.
  EXPECT_EQ(BirthdayInYear(Lunar(1980, 12, 30), 2025), D(2026, 2, 16));
  // Born in 闰六月: the ordinary 六月 in a year without the leap month.
  EXPECT_EQ(BirthdayInYear(Lunar(2025, 6, 1, true), 2025), D(2025, 7, 25));
  EXPECT_EQ(BirthdayInYear(Lunar(2025, 6, 1, true), 2026), LunarToSolar(2026, 6, 1, false));
  // 29 February in a common year.
  EXPECT_EQ(BirthdayInYear(Solar(2000, 2, 29), 2026), D(2026, 2, 28));
  EXPECT_EQ(BirthdayInYear(Solar(2000, 2, 29), 2028), D(2028, 2, 29));
}

TEST(LoyaltyLunarTest, L8IsBirthdayAcrossTheSolarNewYear) {
  // A 腊月 birthday falls in January/February of the next solar year.
  EXPECT_TRUE(IsBirthday(Lunar(1985, 12, 29), D(2026, 2, 16)));
  EXPECT_FALSE(IsBirthday(Lunar(1985, 12, 29), D(2026, 2, 17)));
  EXPECT_TRUE(IsBirthday(Lunar(1988, 8, 15), D(2026, 9, 25)));
  EXPECT_EQ(NextBirthday(Lunar(1988, 8, 15), D(2026, 9, 26)), D(2027, 9, 15));
  EXPECT_EQ(NextBirthday(Solar(1988, 3, 8), D(2026, 3, 8)), D(2026, 3, 8));
  // Kept on the solar day of birth instead (born on 中秋 1990, 3 Oct).
  EXPECT_EQ(SolarDateOfBirth(Lunar(1990, 8, 15)), D(1990, 10, 3));
  EXPECT_TRUE(IsBirthday(Lunar(1990, 8, 15), D(2026, 10, 3), true));
  EXPECT_FALSE(IsBirthday(Lunar(1990, 8, 15), D(2026, 9, 25), true));
  EXPECT_TRUE(IsBirthday(Lunar(1990, 8, 15), D(2026, 9, 25), false));
  // Without a birth year the solar day is unknown: as filed.
  EXPECT_TRUE(IsBirthday(Lunar(0, 8, 15), D(2026, 9, 25), true));
}

// ---- cosmetics: the best single discount -----------------------------------

QuoteInput CosmeticsCart(bool id_checked, int64_t balance) {
  QuoteInput in;
  in.tier = "vip";
  in.birthday = Lunar(1988, 8, 15);  // 中秋: 25 Sep 2026
  in.id_checked = id_checked;
  in.points_balance = Points(balance);
  in.lines = {Item("面霜", 38000, 2), Item("特价口红", 9900, 1, true)};
  return in;
}

TEST(LoyaltyQuoteTest, L8LunarBirthdayWithIdGetsSixZhe) {
  const Program& p = *FindPreset("cosmetics");
  Quote q = MustQuote(p, CosmeticsCart(true, 35), D(2026, 9, 25));
  EXPECT_TRUE(q.birthday);
  ASSERT_EQ(q.lines.size(), 2u);
  // 760 yuan: 9折 684, 积分 8.5折 646, 生日 6折 456 -> the best one, alone.
  EXPECT_EQ(q.lines[0].list_total, Fen(76000));
  EXPECT_EQ(q.lines[0].total, Fen(45600));
  EXPECT_EQ(q.lines[0].benefit, PriceBenefit::kBirthdayDiscount);
  EXPECT_EQ(q.lines[0].why, "生日当天6折（已核验身份证）");
  // The special-price lipstick gets no member discount at all.
  EXPECT_EQ(q.lines[1].total, Fen(9900));
  EXPECT_EQ(q.lines[1].benefit, PriceBenefit::kPromo);
  EXPECT_EQ(q.total, Fen(55500));
  EXPECT_EQ(q.saving, Fen(30400));
  // Points: 456 yuan earns 4 (carried: 56 yuan); the promotion line earns nothing.
  EXPECT_EQ(q.points, Points(4));
  EXPECT_EQ(q.remainder, Fen(5600));
}

TEST(LoyaltyQuoteTest, L8BirthdayWithoutIdFallsBackAndSaysWhy) {
  const Program& p = *FindPreset("cosmetics");
  Quote q = MustQuote(p, CosmeticsCart(false, 35), D(2026, 9, 25));
  EXPECT_EQ(q.lines[0].total, Fen(64600));  // 8.5折 from 30 points, not 9折 x 8.5折
  EXPECT_EQ(q.lines[0].benefit, PriceBenefit::kPointsDiscount);
  EXPECT_EQ(q.lines[0].why, "积分满 30 分享8.5折");
  ASSERT_EQ(q.notes.size(), 1u);
  EXPECT_EQ(q.notes[0], "今天是会员生日：出示身份证原件可享生日6折");
  EXPECT_EQ(q.points, Points(6));
  EXPECT_EQ(q.remainder, Fen(4600));
}

TEST(LoyaltyQuoteTest, L8OrdinaryDayTierRateOnly) {
  const Program& p = *FindPreset("cosmetics");
  Quote q = MustQuote(p, CosmeticsCart(true, 20), D(2026, 9, 24));
  EXPECT_FALSE(q.birthday);
  EXPECT_EQ(q.lines[0].total, Fen(68400));
  EXPECT_EQ(q.lines[0].why, "VIP9折");
  EXPECT_TRUE(q.notes.empty());
  // A temporary member without a tier pays list price but still earns.
  QuoteInput none = CosmeticsCart(true, 20);
  none.tier = "";
  q = MustQuote(p, none, D(2026, 9, 24));
  EXPECT_EQ(q.lines[0].total, Fen(76000));
  EXPECT_EQ(q.lines[0].benefit, PriceBenefit::kNone);
  EXPECT_EQ(q.points, Points(7));
}

TEST(LoyaltyQuoteTest, L8MemberPriceRoundingAndBirthdayGift) {
  const Program& p = *FindPreset("premium_goods");
  QuoteInput in;
  in.tier = "diamond";
  in.birthday = Solar(1975, 5, 20);
  CartLine bird_nest = Item("燕窝", 100000);
  bird_nest.member_price = Fen(80000);  // below 8.5折 (85,000)
  CartLine tea = Item("茶", 10000);
  tea.member_price = Fen(9500);  // above 8.5折 (8,500)
  in.lines = {bird_nest, tea};
  Quote q = MustQuote(p, in, D(2026, 5, 20));
  EXPECT_EQ(q.lines[0].total, Fen(80000));
  EXPECT_EQ(q.lines[0].benefit, PriceBenefit::kMemberPrice);
  EXPECT_EQ(q.lines[0].why, "会员价 ¥800");
  EXPECT_EQ(q.lines[1].total, Fen(8500));
  EXPECT_EQ(q.lines[1].why, "生日当天8.5折");  // 钻卡 needs no ID check
  EXPECT_EQ(q.points, Points(8));              // 885 yuan, 1 point per 100
  EXPECT_NE(std::find(q.perks.items.begin(), q.perks.items.end(), "生日礼：生日礼物"),
            q.perks.items.end());
  EXPECT_TRUE(q.perks.free_delivery);

  // 金卡 9.5折 of 10.10 yuan is 9.595: rounded half up to 9.60.
  in.tier = "gold";
  in.birthday.reset();
  in.lines = {Item("糖", 1010)};
  q = MustQuote(p, in, D(2026, 5, 20));
  EXPECT_EQ(q.lines[0].total, Fen(960));
  // 9.8折 of 9.99 yuan is 9.7902: 9.79.
  in.tier = "normal";
  in.lines = {Item("糖", 999)};
  EXPECT_EQ(MustQuote(p, in, D(2026, 5, 20)).lines[0].total, Fen(979));
}

TEST(LoyaltyQuoteTest, L8NonPriceBenefitsAreListed) {
  const Program& store = *FindPreset("department_store");
  QuoteInput in;
  in.tier = "purple_diamond";
  in.lines = {Item("大衣", 500000)};
  Quote q = MustQuote(store, in, D(2026, 5, 20));
  EXPECT_EQ(q.tier_name, "紫金钻石卡");
  EXPECT_EQ(q.lines[0].total, Fen(500000));  // the store gives no price discount
  EXPECT_EQ(q.perks.parking_hours, 6);
  EXPECT_EQ(q.perks.alliance_discount_bp, 8000);
  EXPECT_EQ(q.perks.items[0], "免费停车 6 小时");
  EXPECT_EQ(q.perks.items[1], "联盟商家8折");
  EXPECT_EQ(q.points, Points(5000));

  const Program& key = *FindPreset("key_accounts");
  in.tier = "a";
  q = MustQuote(key, in, D(2026, 5, 20));
  EXPECT_EQ(q.perks.credit_min, Fen(50000000));
  EXPECT_NE(std::find(q.perks.items.begin(), q.perks.items.end(), "赊欠额度 ¥500,000 以上"),
            q.perks.items.end());
  in.tier = "b";
  q = MustQuote(key, in, D(2026, 5, 20));
  EXPECT_NE(std::find(q.perks.items.begin(), q.perks.items.end(), "赊欠额度 ¥300,000–¥500,000"),
            q.perks.items.end());
}

TEST(LoyaltyQuoteTest, P10BadCartsAreNamed) {
  const Program& p = *FindPreset("cosmetics");
  QuoteInput in = CosmeticsCart(true, 0);
  in.tier = "gold";
  EXPECT_EQ(QuoteCart(p, in, D(2026, 1, 1)).error().field, "tier");
  in = CosmeticsCart(true, 0);
  in.lines[1].quantity = 0;
  EXPECT_EQ(QuoteCart(p, in, D(2026, 1, 1)).error().field, "lines[1].quantity");
  in = CosmeticsCart(true, 0);
  in.lines[0].member_price = Fen(-1);
  EXPECT_EQ(QuoteCart(p, in, D(2026, 1, 1)).error().field, "lines[0].member_price_fen");
  in.lines.clear();
  EXPECT_EQ(QuoteCart(p, in, D(2026, 1, 1)).error().field, "lines");
}

}  // namespace
}  // namespace vipcare::domain
