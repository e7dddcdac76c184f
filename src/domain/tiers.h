// src/domain/tiers.h
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"
#include "domain/program.h"

namespace vipcare::domain {

// Tier evaluation, upgrades and downgrades (SPEC L6, L7, M4). Pure functions
// of a program, a member's metrics and `today`.

// One calendar month of a member's purchases. The service keeps at most
// kMaxBuckets per member and updates them as sales and refunds post
// (RecordSale / RecordRefund), so every rolling window and frequency rule reads
// at most 24 small rows, never the transaction history.
struct MonthlyBucket {
  int year = 0;
  unsigned month = 0;    // 1-12
  Fen spend;             // paid amount of the month's sales, net of their refunds
  int purchases = 0;     // sales posted in the month (a refund does not uncount one)
  Fen largest_purchase;  // the largest single sale
  Points points_earned;  // growth value earned, net of reversals
  bool operator==(const MonthlyBucket&) const = default;
};
inline constexpr size_t kMaxBuckets = 24;

// Adds a sale of `paid` earning `earned` on `on`, keeping the buckets sorted
// and dropping those 24 or more months before `on`.
void RecordSale(std::vector<MonthlyBucket>& months, Date on, Fen paid, Points earned);
// Takes a refund of a sale made on `sale_on` off that sale's month (clamped at
// zero); nothing if the month is no longer kept. The largest purchase is not
// lowered: pass `largest_after` when the caller knows the month's new largest.
void RecordRefund(std::vector<MonthlyBucket>& months, Date sale_on, Fen refunded, Points reversed,
                  std::optional<Fen> largest_after = std::nullopt);

// What the service knows of a member besides the buckets.
struct MemberActivity {
  std::vector<MonthlyBucket> months;  // at most kMaxBuckets, any order
  std::optional<Fen> first_purchase;  // amount of the first sale, if any
  std::optional<Date> last_purchase_on;
  Points growth_lifetime;  // points ever earned, net of reversals
  Points points_balance;
  std::optional<int> rank_percentile;  // 1 = top 1% of the member base; nullopt = unranked
};

// The metrics of L6 on one day. N-month windows are the N calendar months
// ending with today's month, so "spend_3m" on 10 May covers 1 Mar - 10 May.
struct Metrics {
  Fen spend_3m, spend_6m, spend_12m;
  std::optional<Fen> first_purchase;
  Fen largest_purchase_12m;
  int purchases_month = 0;    // this calendar month
  int purchases_quarter = 0;  // last 3 calendar months
  int purchases_last_6m = 0;  // months 0-5 back, for the frequency-drop rule
  int purchases_prev_6m = 0;  // months 6-11 back
  Points growth_period;       // last `period_months` calendar months
  Points growth_lifetime;
  Points points_balance;
  std::optional<int> rank_percentile;
  std::optional<Date> last_purchase_on;
  int period_months = 12;  // the program's qualification period
};

// Computes the metrics on `today`. Fails with kInvalidArgument naming the bad
// input ("months[3].month", "months[2]" for a duplicate or future month,
// "months" for more than 24, "rank_percentile") and changes nothing.
[[nodiscard]] Result<Metrics> ComputeMetrics(const Program& program, const MemberActivity& activity,
                                             Date today);

// The value a condition on `metric` compares; nullopt when unknown (no first
// purchase yet, unranked), in which case the condition fails.
std::optional<int64_t> MetricValue(const Metrics& m, Metric metric);

// If `q` holds, why, in Chinese ("近6个月消费 ¥3,200 ≥ ¥3,000"); else nullopt.
std::optional<std::string> Qualifies(const Qualification& q, const Metrics& m);

struct TierMatch {
  size_t tier = 0;  // index into Program::tiers
  std::string reason;
};

// The highest tier whose qualification holds, ignoring approval; nullopt if none.
std::optional<TierMatch> Evaluate(const Program& program, const Metrics& m);

// What to do after a sale posts (L6). `immediate` is applied now (自动升级);
// `needs_approval` is queued for the store manager: the tier needs approval
// or the program's upgrade mode is manager_approval. Both may be set (金卡 ->
// 钻石卡 now, 紫金钻石卡 waiting). Neither is set when no tier above the
// current one qualifies.
struct UpgradeDecision {
  std::optional<TierMatch> immediate;
  std::optional<TierMatch> needs_approval;
};
// `current_tier` "" means none; `approved_tier` is a tier code a manager has
// approved (then it no longer waits). Fails with kInvalidArgument field
// "current_tier" if the code is not in the program.
[[nodiscard]] Result<UpgradeDecision> DecideUpgrade(const Program& program, const Metrics& m,
                                                    std::string_view current_tier,
                                                    std::string_view approved_tier = {});

// M4: why a temporary member is now formal, or nullopt (also when the program
// has no temporary stage).
std::optional<std::string> ShouldBecomeFormal(const Program& program, const Metrics& m);

// The end of the qualification period of a tier reached on `tier_since`:
// the tier is held at least until then (L7).
Date QualificationPeriodEnd(const Program& program, Date tier_since);

// L7: downgrades are scheduled, announced and cancellable, never silent.
struct PendingDowngrade {
  Date warned_on;
  Date effective_on;
  std::string reason;
};
struct TierHold {             // a manager's hold on the current tier, with a reason (audited)
  std::optional<Date> until;  // nullopt = until lifted
  std::string reason;
};
struct DowngradeInput {
  std::string current_tier;  // tier code
  Date tier_since;           // when the member reached it
  std::optional<PendingDowngrade> pending;
  std::optional<TierHold> hold;
};
enum class DowngradeAction {
  kNone,     // nothing at risk
  kWarn,     // record a pending downgrade effective `effective_on`, tell the member
  kPending,  // already warned; still at risk, not yet due
  kCancel,   // drop the pending downgrade: re-qualified, held, or nothing below
  kApply,    // lower the member to `to_tier`, one level, now
  kHeld,     // at risk, but a manager's hold keeps the tier
};
const char* ToString(DowngradeAction a);
struct DowngradeStep {
  DowngradeAction action = DowngradeAction::kNone;
  std::string to_tier;               // kWarn / kPending / kApply: one level below
  std::optional<Date> effective_on;  // kWarn / kPending / kApply
  std::string reason;                // Chinese, for the member, the log and the UI
};
// The next step of the daily downgrade review. A rule at risk is: no purchase
// for retention.inactivity_months (announced warning_days before it breaks),
// purchases of the last 6 months below frequency_drop_bp of the 6 before, or
// with `requalify`, the tier's own rules failing after the qualification
// period. The effective day is the latest of: the break + grace_days, today +
// warning_days, and (hold_until_period_end) the end of the qualification
// period. A pending downgrade with no rule at risk any more is cancelled. The
// lowest tier is never lowered. Fails with kInvalidArgument field
// "current_tier" for an unknown tier.
[[nodiscard]] Result<DowngradeStep> ReviewDowngrade(const Program& program, const Metrics& m,
                                                    const DowngradeInput& in, Date today);

// The UI's "progress to next tier": the tier above `current_tier` ("" = none)
// and what is missing in the simplest terms ("再消费 ¥1,200 升级金卡"), from
// the group of conditions closest to being met. nullopt at the top tier or for
// an unknown tier code. `percent` is how far the member is along that same
// group (the mean of its conditions' shares, each have ÷ target, a met one
// 100 %, one that is met at once or never — a first purchase, a single
// purchase, a rank — 0 %), so the bar and the text speak of one path; 100
// when already met; nullopt when no group can be reached or the group is
// only such all-at-once conditions, none met (no bar to draw).
struct TierProgress {
  std::string next_tier;
  std::string next_tier_name;
  bool already_met = false;  // waiting for approval or the next evaluation
  bool needs_approval = false;
  std::string text;
  std::optional<int> percent;
};
std::optional<TierProgress> ProgressToNextTier(const Program& program, const Metrics& m,
                                               std::string_view current_tier);

}  // namespace vipcare::domain
