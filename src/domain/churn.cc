#include "domain/churn.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace vipcare::domain {
namespace {

// ---- weights (docs/CHURN.md explains each) ----
// Recency: the longest absence reached counts, once. A year without a
// purchase is high risk by itself.
struct RecencyStep {
  int days;
  int points;
  ChurnReason reason;
};
constexpr std::array<RecencyStep, 4> kRecency = {{
    {365, 70, ChurnReason::kNoPurchase365},
    {180, 45, ChurnReason::kNoPurchase180},
    {90, 30, ChurnReason::kNoPurchase90},
    {60, 15, ChurnReason::kNoPurchase60},
}};
// A trend counts when the recent window's daily rate is at least this many
// percent below the previous window's.
constexpr int kSteepDropPercent = 50;
constexpr int kDropPercent = 30;
constexpr int kFrequencySteepPoints = 25;
constexpr int kFrequencyPoints = 15;
constexpr int kSpendSteepPoints = 20;
constexpr int kSpendPoints = 10;
// Frequency is compared only when the previous window had this many
// purchases: one purchase then and none now is an occasional shopper's
// rhythm, which recency already covers.
constexpr int kMinPreviousPurchases = 2;
constexpr int kDowngradePoints = 15;
constexpr int kComplaintPoints = 20;
constexpr int kDetractorPoints = 15;
constexpr int kMaxScore = 100;

constexpr std::array<ChurnReason, 9> kAll = {
    ChurnReason::kNoPurchase60,     ChurnReason::kNoPurchase90,  ChurnReason::kNoPurchase180,
    ChurnReason::kNoPurchase365,    ChurnReason::kFrequencyDrop, ChurnReason::kSpendDrop,
    ChurnReason::kDowngradePending, ChurnReason::kOpenComplaint, ChurnReason::kDetractor,
};

// How many percent the recent window's rate per day is below the previous
// window's, rounded down; 0 when it is not lower or there is nothing to
// compare with.
int DropPercent(int64_t recent, int64_t previous, int recent_days, int previous_days) {
  if (previous <= 0 || recent_days <= 0 || previous_days <= 0) return 0;
  recent = std::max<int64_t>(recent, 0);
  const int64_t expected = previous * recent_days;  // the previous rate over the recent days
  const int64_t got = recent * previous_days;
  if (got >= expected) return 0;
  return int((expected - got) * 100 / expected);
}

int MonthIndex(int year, unsigned month) { return year * 12 + int(month) - 1; }

Date FirstOfMonthsBack(Date day, int back) {
  return Date::FromYmd(day.year(), day.month(), 1).AddMonths(-back);
}

}  // namespace

std::span<const ChurnReason> AllChurnReasons() { return kAll; }

std::string_view ChurnReasonCode(ChurnReason r) {
  switch (r) {
    case ChurnReason::kNoPurchase60:
      return "no_purchase_60";
    case ChurnReason::kNoPurchase90:
      return "no_purchase_90";
    case ChurnReason::kNoPurchase180:
      return "no_purchase_180";
    case ChurnReason::kNoPurchase365:
      return "no_purchase_365";
    case ChurnReason::kFrequencyDrop:
      return "frequency_drop";
    case ChurnReason::kSpendDrop:
      return "spend_drop";
    case ChurnReason::kDowngradePending:
      return "downgrade_pending";
    case ChurnReason::kOpenComplaint:
      return "open_complaint";
    case ChurnReason::kDetractor:
      return "detractor";
  }
  return "";
}

std::string_view ChurnReasonLabel(ChurnReason r) {
  switch (r) {
    case ChurnReason::kNoPurchase60:
      return "近60天未消费";
    case ChurnReason::kNoPurchase90:
      return "近90天未消费";
    case ChurnReason::kNoPurchase180:
      return "近180天未消费";
    case ChurnReason::kNoPurchase365:
      return "近365天未消费";
    case ChurnReason::kFrequencyDrop:
      return "消费频次下降";
    case ChurnReason::kSpendDrop:
      return "近6个月消费额下降";
    case ChurnReason::kDowngradePending:
      return "等级即将下调";
    case ChurnReason::kOpenComplaint:
      return "有未结投诉";
    case ChurnReason::kDetractor:
      return "近期评分为贬损者";
  }
  return "";
}

std::string_view ChurnLevelCode(ChurnLevel l) {
  switch (l) {
    case ChurnLevel::kHigh:
      return "high";
    case ChurnLevel::kMedium:
      return "medium";
    case ChurnLevel::kLow:
      return "low";
  }
  return "low";
}

std::optional<ChurnLevel> ParseChurnLevel(std::string_view code) {
  for (ChurnLevel l : {ChurnLevel::kLow, ChurnLevel::kMedium, ChurnLevel::kHigh}) {
    if (ChurnLevelCode(l) == code) return l;
  }
  return std::nullopt;
}

ChurnLevel ChurnLevelOf(int score) {
  if (score >= kChurnHighScore) return ChurnLevel::kHigh;
  if (score >= kChurnMediumScore) return ChurnLevel::kMedium;
  return ChurnLevel::kLow;
}

std::optional<ChurnInputs> ChurnInputsFrom(std::span<const MonthlyBucket> months,
                                           std::optional<Date> last_purchase_on, Date day) {
  if (!last_purchase_on) return std::nullopt;
  ChurnInputs in;
  in.days_since_last_purchase = std::max(0, DaysBetween(*last_purchase_on, day));
  const int now = MonthIndex(day.year(), day.month());
  for (const auto& b : months) {
    const int back = now - MonthIndex(b.year, b.month);
    if (back < 0 || back > 11) continue;
    if (back < 3) in.purchases_recent_3m += b.purchases;
    if (back >= 3 && back < 6) in.purchases_previous_3m += b.purchases;
    if (back < 6) {
      in.purchases_recent_6m += b.purchases;
      in.spend_recent_6m += b.spend;
    } else {
      in.purchases_previous_6m += b.purchases;
      in.spend_previous_6m += b.spend;
    }
  }
  in.days_recent_3m = DaysBetween(FirstOfMonthsBack(day, 2), day) + 1;
  in.days_previous_3m = DaysBetween(FirstOfMonthsBack(day, 5), FirstOfMonthsBack(day, 2));
  in.days_recent_6m = DaysBetween(FirstOfMonthsBack(day, 5), day) + 1;
  in.days_previous_6m = DaysBetween(FirstOfMonthsBack(day, 11), FirstOfMonthsBack(day, 5));
  return in;
}

uint32_t ChurnScore::reason_bits() const {
  uint32_t bits = 0;
  for (const auto& r : reasons) bits |= uint32_t(r.reason);
  return bits;
}

ChurnScore ScoreChurn(const ChurnInputs& in) {
  ChurnScore out;
  auto add = [&](ChurnReason r, int points, std::string text) {
    out.reasons.push_back({r, points, std::move(text)});
  };
  for (const auto& step : kRecency) {
    if (in.days_since_last_purchase >= step.days) {
      add(step.reason, step.points, std::string(ChurnReasonLabel(step.reason)));
      break;
    }
  }
  const int drop_3m = in.purchases_previous_3m >= kMinPreviousPurchases
                          ? DropPercent(in.purchases_recent_3m, in.purchases_previous_3m,
                                        in.days_recent_3m, in.days_previous_3m)
                          : 0;
  const int drop_6m = in.purchases_previous_6m >= kMinPreviousPurchases
                          ? DropPercent(in.purchases_recent_6m, in.purchases_previous_6m,
                                        in.days_recent_6m, in.days_previous_6m)
                          : 0;
  const int frequency = std::max(drop_3m, drop_6m);
  if (frequency >= kDropPercent) {
    add(ChurnReason::kFrequencyDrop,
        frequency >= kSteepDropPercent ? kFrequencySteepPoints : kFrequencyPoints,
        fmt::format("消费频次下降{}%", frequency));
  }
  const int spend = DropPercent(in.spend_recent_6m.value, in.spend_previous_6m.value,
                                in.days_recent_6m, in.days_previous_6m);
  if (spend >= kDropPercent) {
    add(ChurnReason::kSpendDrop, spend >= kSteepDropPercent ? kSpendSteepPoints : kSpendPoints,
        fmt::format("近6个月消费额下降{}%", spend));
  }
  if (in.downgrade_pending) {
    add(ChurnReason::kDowngradePending, kDowngradePoints,
        std::string(ChurnReasonLabel(ChurnReason::kDowngradePending)));
  }
  if (in.open_complaints > 0) {
    add(ChurnReason::kOpenComplaint, kComplaintPoints,
        std::string(ChurnReasonLabel(ChurnReason::kOpenComplaint)));
  }
  if (in.detractor) {
    add(ChurnReason::kDetractor, kDetractorPoints,
        std::string(ChurnReasonLabel(ChurnReason::kDetractor)));
  }
  int total = 0;
  for (const auto& r : out.reasons) total += r.points;
  out.score = std::min(total, kMaxScore);
  out.level = ChurnLevelOf(out.score);
  // Added in enum order, so a stable sort keeps that order among equals.
  std::stable_sort(
      out.reasons.begin(), out.reasons.end(),
      [](const ChurnKeyMoment& a, const ChurnKeyMoment& b) { return a.points > b.points; });
  return out;
}

}  // namespace vipcare::domain
