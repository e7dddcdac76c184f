// src/domain/churn.h
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "domain/tiers.h"

namespace vipcare::domain {

// Churn early warning (SPEC R5, 流失预警): a 0-100 risk score per member with
// the "key moments" (关键时刻) behind it, from recency, frequency and spend
// trends, a pending downgrade, open complaints and detractor scores. Pure
// functions; the weights are in churn.cc and explained in docs/CHURN.md.

enum class ChurnLevel { kLow, kMedium, kHigh };

// A score at or above kChurnHighScore is "high" (the shipped care rule
// churn_risk fires at 70); at or above kChurnMediumScore "medium".
inline constexpr int kChurnHighScore = 70;
inline constexpr int kChurnMediumScore = 40;

// Why a member scored, one bit each so a stored column can count the members
// per reason. A member has at most one of the kNoPurchase* reasons.
enum class ChurnReason : uint32_t {
  kNoPurchase60 = 1u << 0,      // 近60天未消费
  kNoPurchase90 = 1u << 1,      // 近90天未消费
  kNoPurchase180 = 1u << 2,     // 近180天未消费
  kNoPurchase365 = 1u << 3,     // 近365天未消费
  kFrequencyDrop = 1u << 4,     // 消费频次下降60%
  kSpendDrop = 1u << 5,         // 近6个月消费额下降45%
  kDowngradePending = 1u << 6,  // 等级即将下调
  kOpenComplaint = 1u << 7,     // 有未结投诉
  kDetractor = 1u << 8,         // 近期评分为贬损者
};

// Every reason, in the order of the enum.
std::span<const ChurnReason> AllChurnReasons();
// "no_purchase_90", "frequency_drop", ... (API and export keys).
std::string_view ChurnReasonCode(ChurnReason r);
// The reason without its figure, for counting: "近90天未消费", "消费频次下降".
std::string_view ChurnReasonLabel(ChurnReason r);
// "low", "medium", "high"; ParseChurnLevel is its inverse (nullopt otherwise).
std::string_view ChurnLevelCode(ChurnLevel l);
std::optional<ChurnLevel> ParseChurnLevel(std::string_view code);
ChurnLevel ChurnLevelOf(int score);

// What the score reads. The recent N-month window is the N calendar months
// ending with the scoring day's month, up to that day (as the L6 metrics
// count them), the previous window the N whole months before it; the
// comparisons are per day elapsed, so a month in progress is not a drop.
struct ChurnInputs {
  int days_since_last_purchase = 0;
  // "last 90 days vs the 90 before": purchases in the last 3 months.
  int purchases_recent_3m = 0;
  int purchases_previous_3m = 0;
  int days_recent_3m = 90;
  int days_previous_3m = 90;
  // "last 180 days vs the 180 before", purchases and spend.
  int purchases_recent_6m = 0;
  int purchases_previous_6m = 0;
  Fen spend_recent_6m;
  Fen spend_previous_6m;
  int days_recent_6m = 180;
  int days_previous_6m = 180;
  // L7: a downgrade announced and not yet applied or cancelled.
  bool downgrade_pending = false;
  // SPEC S1 complaints and S2 NPS are not built yet: the service always
  // passes 0 / false until their tables exist (docs/CHURN.md).
  int open_complaints = 0;
  bool detractor = false;  // the member's latest NPS answer was 0-6
};

// The inputs on `day` from a member's monthly buckets (any order; months
// after `day`'s month are ignored, so a past day can be scored on today's
// data) and last purchase day. nullopt when the member never bought: such a
// member is not scored. The caller sets downgrade_pending, open_complaints
// and detractor.
std::optional<ChurnInputs> ChurnInputsFrom(std::span<const MonthlyBucket> months,
                                           std::optional<Date> last_purchase_on, Date day);

// One key moment behind a score.
struct ChurnKeyMoment {
  ChurnReason reason;
  int points = 0;    // what it added to the score (before the cap at 100)
  std::string text;  // Chinese, with its figure: "消费频次下降60%"
};

struct ChurnScore {
  int score = 0;  // 0-100
  ChurnLevel level = ChurnLevel::kLow;
  // Most points first; ties in the order of ChurnReason.
  std::vector<ChurnKeyMoment> reasons;
  uint32_t reason_bits() const;
};

// The score of `in`: the sum of the points of its key moments, capped at 100.
// Negative figures count as zero.
ChurnScore ScoreChurn(const ChurnInputs& in);

}  // namespace vipcare::domain
