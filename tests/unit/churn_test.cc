// The churn early warning's score (SPEC R5, docs/CHURN.md): each key moment
// with its threshold and weight, the cap, the levels, and the inputs read
// from monthly buckets, every figure worked out by hand in the comments.
#include "domain/churn.h"

#include <gtest/gtest.h>

#include <set>

namespace vipcare::domain {
namespace {

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

MonthlyBucket Month(int y, unsigned m, int purchases, int64_t fen) {
  MonthlyBucket b;
  b.year = y;
  b.month = m;
  b.purchases = purchases;
  b.spend = Fen(fen);
  return b;
}

// A member who bought recently and steadily: nothing to report.
ChurnInputs Steady() {
  ChurnInputs in;
  in.days_since_last_purchase = 5;
  in.purchases_recent_3m = in.purchases_previous_3m = 3;
  in.purchases_recent_6m = in.purchases_previous_6m = 6;
  in.spend_recent_6m = in.spend_previous_6m = Fen(600000);
  return in;
}

std::vector<std::string> Texts(const ChurnScore& s) {
  std::vector<std::string> out;
  for (const auto& r : s.reasons) out.push_back(r.text);
  return out;
}

TEST(ChurnScore, R5SteadyMemberScoresZeroAndLow) {
  auto s = ScoreChurn(Steady());
  EXPECT_EQ(s.score, 0);
  EXPECT_EQ(s.level, ChurnLevel::kLow);
  EXPECT_TRUE(s.reasons.empty());
  EXPECT_EQ(s.reason_bits(), 0u);
}

// Recency: 60 days 15 points, 90 days 30, 180 days 45, 365 days 70; only the
// longest absence reached counts.
TEST(ChurnScore, R5RecencyStepsAtSixtyNinetyOneEightyAndThreeSixtyFiveDays) {
  struct Case {
    int days;
    int score;
    std::vector<std::string> reasons;
    ChurnLevel level;
  };
  const Case cases[] = {
      {59, 0, {}, ChurnLevel::kLow},
      {60, 15, {"近60天未消费"}, ChurnLevel::kLow},
      {89, 15, {"近60天未消费"}, ChurnLevel::kLow},
      {90, 30, {"近90天未消费"}, ChurnLevel::kLow},
      {179, 30, {"近90天未消费"}, ChurnLevel::kLow},
      {180, 45, {"近180天未消费"}, ChurnLevel::kMedium},
      {364, 45, {"近180天未消费"}, ChurnLevel::kMedium},
      {365, 70, {"近365天未消费"}, ChurnLevel::kHigh},
      {1000, 70, {"近365天未消费"}, ChurnLevel::kHigh},
  };
  for (const auto& c : cases) {
    ChurnInputs in = Steady();
    in.days_since_last_purchase = c.days;
    auto s = ScoreChurn(in);
    EXPECT_EQ(s.score, c.score) << c.days << " days";
    EXPECT_EQ(Texts(s), c.reasons) << c.days << " days";
    EXPECT_EQ(s.level, c.level) << c.days << " days";
  }
  ChurnInputs in = Steady();
  in.days_since_last_purchase = 120;
  EXPECT_EQ(ScoreChurn(in).reason_bits(), uint32_t(ChurnReason::kNoPurchase90));
}

// Frequency, equal windows: 5 purchases before, 2 now = 60 % fewer (>= 50 %:
// 25 points); 10 -> 7 = 30 % (>= 30 %: 15 points); 10 -> 8 = 20 %: nothing.
TEST(ChurnScore, R5FrequencyDropThirtyAndFiftyPercent) {
  ChurnInputs in = Steady();
  in.purchases_previous_3m = 5;
  in.purchases_recent_3m = 2;
  auto s = ScoreChurn(in);
  EXPECT_EQ(s.score, 25);
  EXPECT_EQ(Texts(s), std::vector<std::string>{"消费频次下降60%"});
  EXPECT_EQ(s.reason_bits(), uint32_t(ChurnReason::kFrequencyDrop));

  in.purchases_previous_3m = 10;
  in.purchases_recent_3m = 7;
  s = ScoreChurn(in);
  EXPECT_EQ(s.score, 15);
  EXPECT_EQ(Texts(s), std::vector<std::string>{"消费频次下降30%"});

  in.purchases_recent_3m = 8;
  EXPECT_EQ(ScoreChurn(in).score, 0);
}

// The larger of the 3- and 6-month drops counts, once: 3 months 6 -> 4
// (33 %), 6 months 12 -> 3 (75 %) -> "消费频次下降75%", 25 points.
TEST(ChurnScore, R5FrequencyTakesTheSteeperOfThreeAndSixMonths) {
  ChurnInputs in = Steady();
  in.purchases_previous_3m = 6;
  in.purchases_recent_3m = 4;
  in.purchases_previous_6m = 12;
  in.purchases_recent_6m = 3;
  auto s = ScoreChurn(in);
  EXPECT_EQ(s.score, 25);
  EXPECT_EQ(Texts(s), std::vector<std::string>{"消费频次下降75%"});
}

// One purchase before and none now is an occasional shopper's rhythm: the
// previous window needs 2 purchases for a frequency drop.
TEST(ChurnScore, R5FrequencyNeedsTwoPurchasesBefore) {
  ChurnInputs in = Steady();
  in.purchases_previous_3m = 1;
  in.purchases_recent_3m = 0;
  in.purchases_previous_6m = 1;
  in.purchases_recent_6m = 0;
  EXPECT_EQ(ScoreChurn(in).score, 0);
  in.purchases_previous_6m = 2;
  auto s = ScoreChurn(in);
  EXPECT_EQ(Texts(s), std::vector<std::string>{"消费频次下降100%"});
  EXPECT_EQ(s.score, 25);
}

// Windows of different length compare purchases per day: 2 in 45 days is the
// rate of 4 in 90 days (no drop); 1 in 45 days against 4 in 90 is 50 % fewer.
TEST(ChurnScore, R5TrendsCompareRatesPerDay) {
  ChurnInputs in = Steady();
  in.purchases_previous_3m = 4;
  in.days_previous_3m = 90;
  in.purchases_recent_3m = 2;
  in.days_recent_3m = 45;
  EXPECT_EQ(ScoreChurn(in).score, 0);
  in.purchases_recent_3m = 1;
  EXPECT_EQ(Texts(ScoreChurn(in)), std::vector<std::string>{"消费频次下降50%"});
}

// Spend over 6 months: 10,000 -> 5,500 yuan is 45 % less (10 points),
// 10,000 -> 5,000 is 50 % (20 points), 10,000 -> 7,100 is 29 %: nothing.
TEST(ChurnScore, R5SpendDropOverSixMonths) {
  ChurnInputs in = Steady();
  in.spend_previous_6m = Fen(1000000);
  in.spend_recent_6m = Fen(550000);
  auto s = ScoreChurn(in);
  EXPECT_EQ(s.score, 10);
  EXPECT_EQ(Texts(s), std::vector<std::string>{"近6个月消费额下降45%"});
  EXPECT_EQ(s.reason_bits(), uint32_t(ChurnReason::kSpendDrop));

  in.spend_recent_6m = Fen(500000);
  s = ScoreChurn(in);
  EXPECT_EQ(s.score, 20);
  EXPECT_EQ(Texts(s), std::vector<std::string>{"近6个月消费额下降50%"});

  in.spend_recent_6m = Fen(710000);
  EXPECT_EQ(ScoreChurn(in).score, 0);

  // Refunds beyond the purchases (negative spend) count as nothing spent.
  in.spend_recent_6m = Fen(-20000);
  EXPECT_EQ(Texts(ScoreChurn(in)), std::vector<std::string>{"近6个月消费额下降100%"});
}

// Downgrade pending 15, an open complaint 20, a detractor 15.
TEST(ChurnScore, R5DowngradeComplaintAndDetractorWeights) {
  ChurnInputs in = Steady();
  in.downgrade_pending = true;
  auto s = ScoreChurn(in);
  EXPECT_EQ(s.score, 15);
  EXPECT_EQ(Texts(s), std::vector<std::string>{"等级即将下调"});

  in = Steady();
  in.open_complaints = 2;
  s = ScoreChurn(in);
  EXPECT_EQ(s.score, 20);
  EXPECT_EQ(Texts(s), std::vector<std::string>{"有未结投诉"});

  in = Steady();
  in.detractor = true;
  s = ScoreChurn(in);
  EXPECT_EQ(s.score, 15);
  EXPECT_EQ(Texts(s), std::vector<std::string>{"近期评分为贬损者"});
}

// Everything at once: 70 + 25 + 20 + 20 + 15 + 15 = 165, capped at 100. The
// key moments come most points first; equal points keep the enum's order
// (spend before complaint, downgrade before detractor).
TEST(ChurnScore, R5ScoreIsCappedAtOneHundredWithReasonsByWeight) {
  ChurnInputs in;
  in.days_since_last_purchase = 400;
  in.purchases_previous_6m = 4;
  in.spend_previous_6m = Fen(400000);
  in.downgrade_pending = true;
  in.open_complaints = 1;
  in.detractor = true;
  auto s = ScoreChurn(in);
  EXPECT_EQ(s.score, 100);
  EXPECT_EQ(s.level, ChurnLevel::kHigh);
  EXPECT_EQ(Texts(s),
            (std::vector<std::string>{"近365天未消费", "消费频次下降100%", "近6个月消费额下降100%",
                                      "有未结投诉", "等级即将下调", "近期评分为贬损者"}));
  std::vector<int> points;
  for (const auto& r : s.reasons) points.push_back(r.points);
  EXPECT_EQ(points, (std::vector<int>{70, 25, 20, 20, 15, 15}));
  EXPECT_EQ(s.reason_bits(), 0x1f8u);  // every bit but the three shorter absences
}

// 90 days away (30) with 3 -> 1 purchases (67 %, 25) and 6 months' spend
// halved (20) = 75: high, the shipped care rule's threshold is 70.
TEST(ChurnScore, R5TypicalLapsingRegularIsHigh) {
  ChurnInputs in = Steady();
  in.days_since_last_purchase = 95;
  in.purchases_previous_3m = 3;
  in.purchases_recent_3m = 1;
  in.spend_previous_6m = Fen(600000);
  in.spend_recent_6m = Fen(300000);
  auto s = ScoreChurn(in);
  EXPECT_EQ(s.score, 75);
  EXPECT_EQ(s.level, ChurnLevel::kHigh);
  EXPECT_EQ(Texts(s),
            (std::vector<std::string>{"近90天未消费", "消费频次下降66%", "近6个月消费额下降50%"}));
}

TEST(ChurnScore, R5LevelsAtFortyAndSeventy) {
  EXPECT_EQ(ChurnLevelOf(0), ChurnLevel::kLow);
  EXPECT_EQ(ChurnLevelOf(39), ChurnLevel::kLow);
  EXPECT_EQ(ChurnLevelOf(40), ChurnLevel::kMedium);
  EXPECT_EQ(ChurnLevelOf(69), ChurnLevel::kMedium);
  EXPECT_EQ(ChurnLevelOf(70), ChurnLevel::kHigh);
  EXPECT_EQ(ChurnLevelOf(100), ChurnLevel::kHigh);
  for (auto l : {ChurnLevel::kLow, ChurnLevel::kMedium, ChurnLevel::kHigh}) {
    EXPECT_EQ(ParseChurnLevel(ChurnLevelCode(l)), l);
  }
  EXPECT_EQ(ParseChurnLevel("severe"), std::nullopt);
}

TEST(ChurnInputs, R5MembersWhoNeverBoughtAreNotScored) {
  EXPECT_EQ(ChurnInputsFrom({}, std::nullopt, D(2027, 5, 10)), std::nullopt);
}

// On 2027-05-10 the windows are
//   recent 3 months   2027-03-01 .. 05-10   31+30+10 =  71 days
//   previous 3 months 2026-12-01 .. 02-28   31+31+28 =  90 days
//   recent 6 months   2026-12-01 .. 05-10   90+71    = 161 days
//   previous 6 months 2026-06-01 .. 11-30   30+31+31+30+31+30 = 183 days
// Buckets: 2027-06 (a later month, ignored), 05: 1 / ¥100, 03: 1 / ¥100,
// 02: 2 / ¥200, 01: 1 / ¥100, 2026-12: 1 / ¥100 | 11: 2 / ¥300, 08: 3 / ¥300,
// 06: 1 / ¥100 | 2026-05 (12 months back, ignored).
//   3 months: 2 against 4 -> (4*71 - 2*90) / (4*71) = 104/284 = 36 % fewer
//   6 months: 6 against 6 over 161 against 183 days -> more, no drop
//   spend: ¥600 against ¥700 -> (700*161 - 600*183) / (700*161) = 2 %: no
// Last purchase 2027-05-03: 7 days. Score: "消费频次下降36%" = 15.
TEST(ChurnInputs, R5WindowsFromMonthlyBucketsEndOnTheScoringDay) {
  const std::vector<MonthlyBucket> months = {
      Month(2027, 6, 5, 50000),  Month(2027, 5, 1, 10000), Month(2027, 3, 1, 10000),
      Month(2027, 2, 2, 20000),  Month(2027, 1, 1, 10000), Month(2026, 12, 1, 10000),
      Month(2026, 11, 2, 30000), Month(2026, 8, 3, 30000), Month(2026, 6, 1, 10000),
      Month(2026, 5, 4, 40000),
  };
  auto in = ChurnInputsFrom(months, D(2027, 5, 3), D(2027, 5, 10));
  ASSERT_NE(in, std::nullopt);
  EXPECT_EQ(in->days_since_last_purchase, 7);
  EXPECT_EQ(in->purchases_recent_3m, 2);
  EXPECT_EQ(in->purchases_previous_3m, 4);
  EXPECT_EQ(in->days_recent_3m, 71);
  EXPECT_EQ(in->days_previous_3m, 90);
  EXPECT_EQ(in->purchases_recent_6m, 6);
  EXPECT_EQ(in->purchases_previous_6m, 6);
  EXPECT_EQ(in->days_recent_6m, 161);
  EXPECT_EQ(in->days_previous_6m, 183);
  EXPECT_EQ(in->spend_recent_6m, Fen(60000));
  EXPECT_EQ(in->spend_previous_6m, Fen(70000));
  auto s = ScoreChurn(*in);
  EXPECT_EQ(s.score, 15);
  EXPECT_EQ(Texts(s), std::vector<std::string>{"消费频次下降36%"});
}

// On the 1st of a month the month has barely begun: a member who bought once
// a month through April has 2 purchases in Mar..May 1 (62 days) against 3 in
// Dec..Feb (90 days): (3*62 - 2*90) / (3*62) = 3 % fewer, no drop (counted
// as 2 against 3 it would read as 33 %).
TEST(ChurnInputs, R5AMonthInProgressIsNotADrop) {
  std::vector<MonthlyBucket> months;
  for (unsigned m = 11; m <= 12; ++m) months.push_back(Month(2026, m, 1, 10000));
  for (unsigned m = 1; m <= 4; ++m) months.push_back(Month(2027, m, 1, 10000));
  auto in = ChurnInputsFrom(months, D(2027, 4, 20), D(2027, 5, 1));
  ASSERT_NE(in, std::nullopt);
  EXPECT_EQ(in->days_recent_3m, 62);
  EXPECT_EQ(in->purchases_recent_3m, 2);
  EXPECT_EQ(in->purchases_previous_3m, 3);
  EXPECT_EQ(ScoreChurn(*in).score, 0);
}

// A purchase after the scoring day (a back-test on later data) is not a
// negative absence.
TEST(ChurnInputs, R5LastPurchaseAfterTheDayCountsAsToday) {
  auto in = ChurnInputsFrom({}, D(2027, 6, 1), D(2027, 5, 10));
  ASSERT_NE(in, std::nullopt);
  EXPECT_EQ(in->days_since_last_purchase, 0);
}

TEST(ChurnReasons, R5EveryReasonHasADistinctBitCodeAndLabel) {
  uint32_t bits = 0;
  std::set<std::string_view> codes, labels;
  for (auto r : AllChurnReasons()) {
    EXPECT_EQ(bits & uint32_t(r), 0u);
    bits |= uint32_t(r);
    codes.insert(ChurnReasonCode(r));
    labels.insert(ChurnReasonLabel(r));
  }
  EXPECT_EQ(AllChurnReasons().size(), 9u);
  EXPECT_EQ(codes.size(), 9u);
  EXPECT_EQ(labels.size(), 9u);
}

}  // namespace
}  // namespace vipcare::domain
