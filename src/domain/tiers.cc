#include "domain/tiers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <tuple>

namespace vipcare::domain {
namespace {

// Months since year 0, so that windows are integer ranges.
int MonthIndex(int year, unsigned month) { return year * 12 + int(month) - 1; }
int MonthIndex(Date d) { return MonthIndex(d.year(), d.month()); }

std::string Thousands(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out = v < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

bool IsMoney(Metric m) {
  return m == Metric::kSpend3m || m == Metric::kSpend6m || m == Metric::kSpend12m ||
         m == Metric::kFirstPurchase || m == Metric::kLargestPurchase12m;
}
bool IsCount(Metric m) { return m == Metric::kPurchasesMonth || m == Metric::kPurchasesQuarter; }

std::string Label(Metric metric, const Metrics& m) {
  switch (metric) {
    case Metric::kSpend3m:
      return "近3个月消费";
    case Metric::kSpend6m:
      return "近6个月消费";
    case Metric::kSpend12m:
      return "近12个月消费";
    case Metric::kFirstPurchase:
      return "首次消费";
    case Metric::kLargestPurchase12m:
      return "近12个月单笔消费";
    case Metric::kPurchasesMonth:
      return "本月消费";
    case Metric::kPurchasesQuarter:
      return "近3个月消费";
    case Metric::kGrowthPointsPeriod:
      return fmt::format("近{}个月积分", m.period_months);
    case Metric::kGrowthPointsLifetime:
      return "累计积分";
    case Metric::kRankPercentile:
      return "消费排名前";
    case Metric::kPointsBalance:
      return "积分余额";
  }
  return "";
}

std::string Amount(Metric metric, int64_t v) {
  if (IsMoney(metric)) return YuanText(Fen(v));
  if (IsCount(metric)) return fmt::format("{} 次", v);
  if (metric == Metric::kRankPercentile) return fmt::format("{}%", v);
  return fmt::format("{} 分", Thousands(v));
}

bool Holds(const Condition& c, int64_t value) {
  return c.op == Op::kAtLeast ? value >= c.value : value <= c.value;
}

// "近6个月消费 ¥3,200 ≥ ¥3,000", or nullopt if the group fails.
std::optional<std::string> GroupHolds(const std::vector<Condition>& all, const Metrics& m) {
  std::string why;
  for (const auto& c : all) {
    auto v = MetricValue(m, c.metric);
    if (!v || !Holds(c, *v)) return std::nullopt;
    if (!why.empty()) why += "，";
    why += fmt::format("{} {} {} {}", Label(c.metric, m), Amount(c.metric, *v),
                       c.op == Op::kAtLeast ? "≥" : "≤", Amount(c.metric, c.value));
  }
  return why;
}

bool NeedsApproval(const Program& p, size_t tier) {
  return p.upgrade_mode == UpgradeMode::kManagerApproval || p.tiers[tier].qualify.approval_required;
}

Error BadTier(std::string_view code) {
  return Error::Invalid("current_tier", fmt::format("\"{}\" is not a tier of the program", code));
}

// A rule of L7 that is broken or about to break.
struct Risk {
  Date breaks_on;
  std::string reason;
};

std::optional<Risk> FirstRisk(const Program& p, size_t tier, const Metrics& m,
                              const DowngradeInput& in, Date today) {
  const Retention& r = p.tiers[tier].retention;
  std::optional<Risk> risk;
  auto consider = [&](Risk candidate) {
    if (!risk || candidate.breaks_on < risk->breaks_on) risk = std::move(candidate);
  };
  if (r.inactivity_months > 0) {
    Date since = m.last_purchase_on.value_or(in.tier_since);
    Date breaks = since.AddMonths(r.inactivity_months);
    if (today.AddDays(r.warning_days) >= breaks) {
      consider({breaks, fmt::format("自 {} 起{}{}个月无消费", since.ToString(),
                                    today >= breaks ? "已满" : "将满", r.inactivity_months)});
    }
  }
  if (r.frequency_drop_bp > 0 && m.purchases_prev_6m >= r.frequency_min_prior &&
      int64_t(m.purchases_last_6m) * kFullRate <
          int64_t(m.purchases_prev_6m) * r.frequency_drop_bp) {
    consider(
        {today, fmt::format("近6个月消费 {} 次，低于之前6个月（{} 次）的{}%", m.purchases_last_6m,
                            m.purchases_prev_6m, r.frequency_drop_bp / 100)});
  }
  if (r.requalify && today >= QualificationPeriodEnd(p, in.tier_since) &&
      !Qualifies(p.tiers[tier].qualify, m)) {
    consider({today, fmt::format("资格期已满，未再达到{}条件", p.tiers[tier].name)});
  }
  return risk;
}

// One missing piece of a condition group, for the progress hint.
struct Gap {
  int rank = 0;  // lower is simpler to explain: money, then counts, then the rest
  int64_t amount = 0;
  std::string text;
  int64_t share_bp = 10000;  // of the condition met so far, in 1/10,000
  bool measured = true;      // false: met at once or not at all (no share to show)
};

std::optional<Gap> GapOf(const Condition& c, const Metrics& m) {
  auto v = MetricValue(m, c.metric);
  if (v && Holds(c, *v)) return Gap{};
  if (c.op == Op::kAtMost && c.metric != Metric::kRankPercentile) return std::nullopt;
  int64_t have = v.value_or(0);
  int64_t need = c.value - have;
  const int64_t share = c.value > 0 ? std::clamp(have, int64_t(0), c.value) * 10000 / c.value : 0;
  switch (c.metric) {
    case Metric::kSpend3m:
    case Metric::kSpend6m:
    case Metric::kSpend12m:
      return Gap{0, need, "再消费 " + YuanText(Fen(need)), share};
    case Metric::kFirstPurchase:
      if (v) return std::nullopt;  // the first purchase is history
      return Gap{0, c.value, "首次消费满 " + YuanText(Fen(c.value)), 0, false};
    case Metric::kLargestPurchase12m:
      return Gap{0, c.value, "单笔消费满 " + YuanText(Fen(c.value)), 0, false};
    case Metric::kPurchasesMonth:
      return Gap{1, need, fmt::format("本月再消费 {} 次", need), share};
    case Metric::kPurchasesQuarter:
      return Gap{1, need, fmt::format("近3个月内再消费 {} 次", need), share};
    case Metric::kGrowthPointsPeriod:
    case Metric::kGrowthPointsLifetime:
      return Gap{2, need, fmt::format("再获得 {} 积分", Thousands(need)), share};
    case Metric::kPointsBalance:
      return Gap{2, need, fmt::format("积分余额再增加 {} 分", Thousands(need)), share};
    case Metric::kRankPercentile:
      return Gap{3, 0, fmt::format("消费排名进入前 {}%", c.value), 0, false};
  }
  return std::nullopt;
}

}  // namespace

void RecordSale(std::vector<MonthlyBucket>& months, Date on, Fen paid, Points earned) {
  auto it = std::find_if(months.begin(), months.end(), [&](const MonthlyBucket& b) {
    return b.year == on.year() && b.month == on.month();
  });
  if (it == months.end()) {
    months.push_back(MonthlyBucket{on.year(), on.month(), {}, 0, {}, {}});
    it = months.end() - 1;
  }
  it->spend += paid;
  it->purchases += 1;
  it->largest_purchase = std::max(it->largest_purchase, paid);
  it->points_earned += earned;
  int now = MonthIndex(on);
  std::erase_if(months, [&](const MonthlyBucket& b) {
    return now - MonthIndex(b.year, b.month) >= int(kMaxBuckets);
  });
  std::sort(months.begin(), months.end(), [](const MonthlyBucket& a, const MonthlyBucket& b) {
    return MonthIndex(a.year, a.month) < MonthIndex(b.year, b.month);
  });
}

void RecordRefund(std::vector<MonthlyBucket>& months, Date sale_on, Fen refunded, Points reversed,
                  std::optional<Fen> largest_after) {
  for (auto& b : months) {
    if (b.year != sale_on.year() || b.month != sale_on.month()) continue;
    b.spend = std::max(Fen(0), b.spend - refunded);
    b.points_earned = std::max(Points(0), b.points_earned - reversed);
    if (largest_after) b.largest_purchase = *largest_after;
    return;
  }
}

Result<Metrics> ComputeMetrics(const Program& program, const MemberActivity& a, Date today) {
  if (a.months.size() > kMaxBuckets) {
    return Error::Invalid("months", fmt::format("must hold at most {} months", kMaxBuckets));
  }
  if (a.rank_percentile && (*a.rank_percentile < 1 || *a.rank_percentile > 100)) {
    return Error::Invalid("rank_percentile", "must be from 1 to 100");
  }
  if (a.first_purchase && a.first_purchase->value < 0) {
    return Error::Invalid("first_purchase", "must not be negative");
  }
  Metrics m;
  m.period_months = program.qualification_months;
  m.first_purchase = a.first_purchase;
  m.growth_lifetime = a.growth_lifetime;
  m.points_balance = a.points_balance;
  m.rank_percentile = a.rank_percentile;
  m.last_purchase_on = a.last_purchase_on;
  const int now = MonthIndex(today);
  std::set<int> seen;
  for (size_t i = 0; i < a.months.size(); ++i) {
    const MonthlyBucket& b = a.months[i];
    auto path = fmt::format("months[{}]", i);
    if (b.month < 1 || b.month > 12) return Error::Invalid(path + ".month", "must be 1-12");
    if (b.spend.value < 0 || b.largest_purchase.value < 0 || b.purchases < 0 ||
        b.points_earned.value < 0) {
      return Error::Invalid(path, "amounts and counts must not be negative");
    }
    int age = now - MonthIndex(b.year, b.month);
    if (age < 0) return Error::Invalid(path, "is after today's month");
    if (!seen.insert(age).second) return Error::Invalid(path, "repeats a month");
    if (age < 3) {
      m.spend_3m += b.spend;
      m.purchases_quarter += b.purchases;
    }
    if (age < 6) {
      m.spend_6m += b.spend;
      m.purchases_last_6m += b.purchases;
    } else if (age < 12) {
      m.purchases_prev_6m += b.purchases;
    }
    if (age < 12) {
      m.spend_12m += b.spend;
      m.largest_purchase_12m = std::max(m.largest_purchase_12m, b.largest_purchase);
    }
    if (age == 0) m.purchases_month = b.purchases;
    if (age < program.qualification_months) m.growth_period += b.points_earned;
  }
  return m;
}

std::optional<int64_t> MetricValue(const Metrics& m, Metric metric) {
  switch (metric) {
    case Metric::kSpend3m:
      return m.spend_3m.value;
    case Metric::kSpend6m:
      return m.spend_6m.value;
    case Metric::kSpend12m:
      return m.spend_12m.value;
    case Metric::kFirstPurchase:
      if (!m.first_purchase) return std::nullopt;
      return m.first_purchase->value;
    case Metric::kLargestPurchase12m:
      return m.largest_purchase_12m.value;
    case Metric::kPurchasesMonth:
      return m.purchases_month;
    case Metric::kPurchasesQuarter:
      return m.purchases_quarter;
    case Metric::kGrowthPointsPeriod:
      return m.growth_period.value;
    case Metric::kGrowthPointsLifetime:
      return m.growth_lifetime.value;
    case Metric::kRankPercentile:
      if (!m.rank_percentile) return std::nullopt;
      return *m.rank_percentile;
    case Metric::kPointsBalance:
      return m.points_balance.value;
  }
  return std::nullopt;
}

std::optional<std::string> Qualifies(const Qualification& q, const Metrics& m) {
  for (const auto& group : q.any_of) {
    if (auto why = GroupHolds(group, m)) return why;
  }
  return std::nullopt;
}

std::optional<TierMatch> Evaluate(const Program& program, const Metrics& m) {
  for (size_t i = program.tiers.size(); i-- > 0;) {
    if (auto why = Qualifies(program.tiers[i].qualify, m)) return TierMatch{i, *why};
  }
  return std::nullopt;
}

Result<UpgradeDecision> DecideUpgrade(const Program& program, const Metrics& m,
                                      std::string_view current_tier,
                                      std::string_view approved_tier) {
  size_t first_above = 0;
  if (!current_tier.empty()) {
    auto cur = FindTier(program, current_tier);
    if (!cur) return BadTier(current_tier);
    first_above = *cur + 1;
  }
  UpgradeDecision d;
  for (size_t i = program.tiers.size(); i-- > first_above;) {
    auto why = Qualifies(program.tiers[i].qualify, m);
    if (!why) continue;
    bool waits = NeedsApproval(program, i) && program.tiers[i].code != approved_tier;
    if (!waits) {
      d.immediate = TierMatch{i, *why};
      break;  // the highest tier applied now; nothing below matters
    }
    if (!d.needs_approval) d.needs_approval = TierMatch{i, *why + "（需店长审批）"};
  }
  return d;
}

std::optional<std::string> ShouldBecomeFormal(const Program& program, const Metrics& m) {
  if (!program.temporary_to_formal) return std::nullopt;
  return Qualifies(*program.temporary_to_formal, m);
}

Date QualificationPeriodEnd(const Program& program, Date tier_since) {
  return tier_since.AddMonths(program.qualification_months);
}

const char* ToString(DowngradeAction a) {
  switch (a) {
    case DowngradeAction::kNone:
      return "none";
    case DowngradeAction::kWarn:
      return "warn";
    case DowngradeAction::kPending:
      return "pending";
    case DowngradeAction::kCancel:
      return "cancel";
    case DowngradeAction::kApply:
      return "apply";
    case DowngradeAction::kHeld:
      return "held";
  }
  return "none";
}

Result<DowngradeStep> ReviewDowngrade(const Program& program, const Metrics& m,
                                      const DowngradeInput& in, Date today) {
  auto cur = FindTier(program, in.current_tier);
  if (!cur) return BadTier(in.current_tier);
  const Tier& tier = program.tiers[*cur];
  DowngradeStep step;
  if (in.hold && (!in.hold->until || today <= *in.hold->until)) {
    if (in.pending) {
      step.action = DowngradeAction::kCancel;
      step.reason = "店长保级：" + in.hold->reason;
    } else if (auto risk = FirstRisk(program, *cur, m, in, today)) {
      step.action = DowngradeAction::kHeld;
      step.reason = risk->reason + "；店长保级：" + in.hold->reason;
    }
    return step;
  }
  if (*cur == 0) {
    if (in.pending) {
      step.action = DowngradeAction::kCancel;
      step.reason = tier.name + "为最低等级，不再降级";
    }
    return step;
  }
  const Tier& below = program.tiers[*cur - 1];
  auto risk = FirstRisk(program, *cur, m, in, today);
  if (in.pending) {
    if (!risk) {
      step.action = DowngradeAction::kCancel;
      step.reason = fmt::format("已重新达标，保留{}", tier.name);
    } else {
      step.action =
          today >= in.pending->effective_on ? DowngradeAction::kApply : DowngradeAction::kPending;
      step.to_tier = below.code;
      step.effective_on = in.pending->effective_on;
      step.reason = in.pending->reason;
    }
    return step;
  }
  if (!risk) return step;
  const Retention& r = tier.retention;
  Date effective = std::max(risk->breaks_on.AddDays(r.grace_days), today.AddDays(r.warning_days));
  if (r.hold_until_period_end) {
    effective = std::max(effective, QualificationPeriodEnd(program, in.tier_since));
  }
  step.action = DowngradeAction::kWarn;
  step.to_tier = below.code;
  step.effective_on = effective;
  step.reason =
      fmt::format("{}，{}起由{}降为{}", risk->reason, effective.ToString(), tier.name, below.name);
  return step;
}

std::optional<TierProgress> ProgressToNextTier(const Program& program, const Metrics& m,
                                               std::string_view current_tier) {
  size_t next = 0;
  if (!current_tier.empty()) {
    auto cur = FindTier(program, current_tier);
    if (!cur) return std::nullopt;
    next = *cur + 1;
  }
  if (next >= program.tiers.size()) return std::nullopt;
  const Tier& t = program.tiers[next];
  TierProgress p;
  p.next_tier = t.code;
  p.next_tier_name = t.name;
  p.needs_approval = NeedsApproval(program, next);
  const std::string approval = p.needs_approval ? "（需店长审批）" : "";
  if (Qualifies(t.qualify, m)) {
    p.already_met = true;
    p.percent = 100;
    p.text = fmt::format("已达到{}条件{}", t.name,
                         p.needs_approval ? "，待店长审批" : "，下次评估时升级");
    return p;
  }
  // The group with the fewest missing pieces, then the simplest and smallest.
  std::optional<std::vector<Gap>> best;
  std::optional<int64_t> best_share_bp;  // the mean share of the best group's conditions
  auto key = [](const std::vector<Gap>& gaps) {
    int rank = 0;
    int64_t amount = 0;
    for (const auto& g : gaps) {
      rank = std::max(rank, g.rank);
      amount += g.amount;
    }
    return std::tuple(gaps.size(), rank, amount);
  };
  for (const auto& group : t.qualify.any_of) {
    std::vector<Gap> gaps;
    bool reachable = true;
    int64_t shares_bp = 0;
    bool measured = false;  // some condition is met or can be partly met
    for (const auto& c : group) {
      auto g = GapOf(c, m);
      if (!g) {
        reachable = false;
        break;
      }
      shares_bp += g->share_bp;
      measured = measured || g->measured;
      if (!g->text.empty()) gaps.push_back(*g);
    }
    if (reachable && (!best || key(gaps) < key(*best))) {
      best = std::move(gaps);
      best_share_bp.reset();
      if (measured && !group.empty()) best_share_bp = shares_bp / int64_t(group.size());
    }
  }
  if (!best) {
    p.text = fmt::format("暂无可达成的{}条件", t.name);
    return p;
  }
  std::string what;
  for (const auto& g : *best) {
    if (!what.empty()) what += "，";
    what += g.text;
  }
  p.text = fmt::format("{} 升级{}{}", what, t.name, approval);
  // Short of the target: never shown as 100 %.
  if (best_share_bp) p.percent = int(std::min<int64_t>(99, *best_share_bp / 100));
  return p;
}

}  // namespace vipcare::domain
