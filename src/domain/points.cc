#include "domain/points.h"

#include <fmt/format.h>

#include <algorithm>
#include <numeric>

namespace vipcare::domain {
namespace {

using Wide = __int128;  // products of an amount and up to four rates

int64_t CeilDiv(Wide a, Wide b) { return int64_t((a + b - 1) / b); }

// "×1.5" for 15000.
std::string Times(BasisPoints bp) {
  std::string s = fmt::format("{}.{:04d}", bp / kFullRate, bp % kFullRate);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return "×" + s;
}

bool InCategories(const std::vector<std::string>& categories, const std::string& category) {
  return categories.empty() ||
         std::find(categories.begin(), categories.end(), category) != categories.end();
}

BasisPoints CategoryRate(const EarningRules& e, const std::string& category) {
  for (const auto& c : e.category_multipliers) {
    if (c.category == category) return c.multiplier_bp;
  }
  return kFullRate;
}

// Usable lots in the order redemptions consume them: earliest expiry first,
// never-expiring last, then oldest earned.
std::vector<size_t> FifoOrder(std::span<const PointsLot> lots, Date today) {
  std::vector<size_t> order;
  for (size_t i = 0; i < lots.size(); ++i) {
    if (IsUsable(lots[i], today)) order.push_back(i);
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const PointsLot& x = lots[a];
    const PointsLot& y = lots[b];
    if (x.expires_on.has_value() != y.expires_on.has_value()) return x.expires_on.has_value();
    if (x.expires_on != y.expires_on) return *x.expires_on < *y.expires_on;
    if (x.earned_on != y.earned_on) return x.earned_on < y.earned_on;
    return x.id < y.id;
  });
  return order;
}

// Draws up to `points` from the lots in `order`; returns what is left to draw.
Points Draw(std::span<const PointsLot> lots, const std::vector<size_t>& order, Points points,
            std::vector<LotDraw>& draws) {
  for (size_t i : order) {
    if (points.value <= 0) break;
    Points take = std::min(points, lots[i].remaining);
    draws.push_back(LotDraw{i, lots[i].id, take});
    points -= take;
  }
  return points;
}

}  // namespace

Result<Earning> Earn(const Program& program, const EarnInput& in) {
  const EarningRules& rules = program.earning;
  BasisPoints tier_bp = kFullRate;
  std::string tier_name;
  if (!in.tier.empty()) {
    auto t = FindTier(program, in.tier);
    if (!t)
      return Error::Invalid("tier", fmt::format("\"{}\" is not a tier of the program", in.tier));
    tier_bp = program.tiers[*t].points_multiplier_bp;
    tier_name = program.tiers[*t].name;
  }
  if (in.remainder.value < 0) return Error::Invalid("remainder_fen", "must not be negative");
  for (size_t i = 0; i < in.lines.size(); ++i) {
    const SaleLine& l = in.lines[i];
    if (l.quantity < 1)
      return Error::Invalid(fmt::format("lines[{}].quantity", i), "must be at least 1");
    if (l.list_price.value < 0) {
      return Error::Invalid(fmt::format("lines[{}].list_price_fen", i), "must not be negative");
    }
    if (l.paid.value < 0) {
      return Error::Invalid(fmt::format("lines[{}].paid_fen", i), "must not be negative");
    }
  }
  const BasisPoints birthday_bp = in.birthday ? rules.birthday_multiplier_bp : kFullRate;
  std::vector<const Campaign*> active;
  for (const auto& c : rules.campaigns) {
    if (c.from <= in.on && in.on <= c.to) active.push_back(&c);
  }

  Earning out;
  std::vector<Fen> eligible_paid(active.size());
  std::vector<bool> campaign_used(active.size());
  for (const SaleLine& l : in.lines) {
    LineEarning le;
    if (l.promo && !rules.promo_lines_earn) {
      le.note = "特价/促销商品不积分";
      out.lines.push_back(std::move(le));
      continue;
    }
    BasisPoints category_bp = CategoryRate(rules, l.category);
    if (category_bp == 0) {
      le.note = fmt::format("「{}」类商品不积分", l.category);
      out.lines.push_back(std::move(le));
      continue;
    }
    // The best campaign multiplier for the line; campaigns never multiply each other.
    BasisPoints campaign_bp = kFullRate;
    const Campaign* best = nullptr;
    for (size_t k = 0; k < active.size(); ++k) {
      if (!InCategories(active[k]->categories, l.category)) continue;
      eligible_paid[k] += l.paid;
      if (active[k]->multiplier_bp > campaign_bp) {
        campaign_bp = active[k]->multiplier_bp;
        best = active[k];
      }
    }
    Wide product = Wide(category_bp) * tier_bp * birthday_bp * campaign_bp;
    const Wide scale = Wide(kFullRate) * kFullRate * kFullRate * kFullRate;
    le.earn_base = Fen(int64_t(Wide(l.paid.value) * product / scale));
    le.multiplier_bp = BasisPoints(product / (Wide(kFullRate) * kFullRate * kFullRate));
    std::vector<std::string> why;
    if (category_bp != kFullRate) why.push_back(fmt::format("类别{}", Times(category_bp)));
    if (tier_bp != kFullRate) why.push_back(fmt::format("{}{}", tier_name, Times(tier_bp)));
    if (birthday_bp != kFullRate) why.push_back(fmt::format("生日{}", Times(birthday_bp)));
    if (best) {
      why.push_back(fmt::format("{}{}", best->name, Times(campaign_bp)));
      campaign_used[size_t(std::find(active.begin(), active.end(), best) - active.begin())] = true;
    }
    for (const auto& w : why) le.note += (le.note.empty() ? "" : "，") + w;
    out.earn_base += le.earn_base;
    out.lines.push_back(std::move(le));
  }

  const int64_t step = rules.fen_per_step.value;
  int64_t total = out.earn_base.value;
  if (rules.rounding == Rounding::kCarryRemainder) total += in.remainder.value;
  out.base_points = Points(total / step * rules.points_per_step.value);
  out.remainder = rules.rounding == Rounding::kCarryRemainder ? Fen(total % step) : Fen(0);
  for (size_t k = 0; k < active.size(); ++k) {
    const Campaign& c = *active[k];
    if (campaign_used[k])
      out.notes.push_back(fmt::format("{}：积分{}", c.name, Times(c.multiplier_bp)));
    if (c.bonus_points.value > 0 && eligible_paid[k].value > 0 && eligible_paid[k] >= c.min_spend) {
      out.bonus_points += c.bonus_points;
      out.notes.push_back(fmt::format("{}：赠送 {} 分", c.name, c.bonus_points.value));
    }
  }
  out.points = out.base_points + out.bonus_points;
  return out;
}

Result<Reversal> ReverseForRefund(const Program& program, const RefundInput& in) {
  Wide base_total = 0, paid_total = 0;
  Wide base_before = 0, base_after = 0, paid_before = 0, paid_after = 0;
  for (size_t i = 0; i < in.lines.size(); ++i) {
    const RefundLine& l = in.lines[i];
    if (l.paid.value < 0 || l.earn_base.value < 0 || l.refunded_before.value < 0 ||
        l.refunded_now.value < 0) {
      return Error::Invalid(fmt::format("lines[{}]", i), "amounts must not be negative");
    }
    if (l.refunded_before + l.refunded_now > l.paid) {
      return Error::Invalid(fmt::format("lines[{}].refunded_now_fen", i),
                            "refunds must not exceed the line's paid amount");
    }
    base_total += l.earn_base.value;
    paid_total += l.paid.value;
    paid_before += l.refunded_before.value;
    paid_after += l.refunded_before.value + l.refunded_now.value;
    if (l.paid.value > 0) {
      // Rounded up per line: the member never keeps a fraction of a refunded fen.
      base_before += CeilDiv(Wide(l.earn_base.value) * l.refunded_before.value, l.paid.value);
      base_after += CeilDiv(Wide(l.earn_base.value) * (l.refunded_before + l.refunded_now).value,
                            l.paid.value);
    }
  }
  if (in.base_points.value < 0 || in.bonus_points.value < 0 || in.reversed_before.value < 0 ||
      in.remainder.value < 0) {
    return Error::Invalid("points", "points and remainder must not be negative");
  }
  // Share of `points` the refunds up to now cover, rounded against the member.
  auto share = [&](Points points, Wide weight) -> int64_t {
    Wide whole = base_total > 0 ? base_total : paid_total;
    if (whole == 0 || points.value == 0) return 0;
    return std::min(points.value, CeilDiv(Wide(points.value) * weight, whole));
  };
  const bool by_base = base_total > 0;
  Reversal r;
  r.remainder = in.remainder;
  if (program.earning.rounding == Rounding::kPerTransaction) {
    int64_t total = share(in.base_points + in.bonus_points, by_base ? base_after : paid_after);
    r.points = Points(std::max<int64_t>(0, total - in.reversed_before.value));
    return r;
  }
  // carry_remainder: the refunded base leaves the remainder first, then whole steps.
  const int64_t step = program.earning.fen_per_step.value;
  int64_t refunded_base = int64_t(base_after - base_before);
  int64_t left = in.remainder.value - refunded_base;
  int64_t steps = left < 0 ? CeilDiv(-left, step) : 0;
  r.remainder = Fen(left + steps * step);
  int64_t bonus = share(in.bonus_points, by_base ? base_after : paid_after) -
                  share(in.bonus_points, by_base ? base_before : paid_before);
  r.points = Points(steps * program.earning.points_per_step.value + bonus);
  return r;
}

std::optional<Date> ExpiryDate(const ExpiryRule& rule, Date earned_on) {
  switch (rule.mode) {
    case ExpiryMode::kNever:
      return std::nullopt;
    case ExpiryMode::kYearEnd:
      return Date::FromYmd(earned_on.year() + rule.years, 12, 31);
    case ExpiryMode::kRollingMonths: {
      Date same_day = earned_on.AddMonths(rule.months);       // clamped to the month's end
      if (same_day.day() < earned_on.day()) return same_day;  // no such day: its month's last
      return same_day.AddDays(-1);
    }
  }
  return std::nullopt;
}

bool IsUsable(const PointsLot& lot, Date today) {
  return lot.remaining.value > 0 && (!lot.expires_on || today <= *lot.expires_on);
}

Points Balance(std::span<const PointsLot> lots, Points debt, Date today) {
  Points sum;
  for (const auto& lot : lots) {
    if (IsUsable(lot, today)) sum += lot.remaining;
  }
  return sum - debt;
}

Result<std::vector<LotDraw>> PlanRedemption(std::span<const PointsLot> lots, Points debt,
                                            Points cost, Date today) {
  if (cost.value <= 0) return Error::Invalid("points", "must be a positive number of points");
  if (debt.value > 0) {
    return Error::Unprocessable(
        fmt::format("积分余额为负（-{} 分，退货冲回），补足前不能兑换", debt.value), "points");
  }
  Points balance = Balance(lots, debt, today);
  if (balance < cost) {
    return Error::Unprocessable(
        fmt::format("积分不足：可用 {} 分，需要 {} 分", balance.value, cost.value), "points");
  }
  std::vector<LotDraw> draws;
  Draw(lots, FifoOrder(lots, today), cost, draws);
  return draws;
}

ReversalPlan PlanReversal(std::span<const PointsLot> lots, int64_t own_lot_id, Points points,
                          Date today) {
  ReversalPlan plan;
  if (points.value <= 0) return plan;
  std::vector<size_t> order = FifoOrder(lots, today);
  auto own = std::find_if(order.begin(), order.end(),
                          [&](size_t i) { return own_lot_id != 0 && lots[i].id == own_lot_id; });
  if (own != order.end()) std::rotate(order.begin(), own, own + 1);
  plan.new_debt = Draw(lots, order, points, plan.draws);
  return plan;
}

EarnPlan PlanEarn(Points debt, Points earned) {
  EarnPlan plan;
  if (earned.value <= 0) return plan;
  plan.pays_debt = std::clamp(debt, Points(0), earned);
  plan.new_lot = earned - plan.pays_debt;
  return plan;
}

std::vector<LotDraw> ExpiredLots(std::span<const PointsLot> lots, Date today) {
  std::vector<LotDraw> out;
  for (size_t i = 0; i < lots.size(); ++i) {
    const PointsLot& lot = lots[i];
    if (lot.remaining.value > 0 && lot.expires_on && *lot.expires_on < today) {
      out.push_back(LotDraw{i, lot.id, lot.remaining});
    }
  }
  return out;
}

std::vector<LotDraw> LotsExpiringWithin(std::span<const PointsLot> lots, Date today, int days) {
  std::vector<LotDraw> out;
  const Date last = today.AddDays(days);
  for (size_t i = 0; i < lots.size(); ++i) {
    const PointsLot& lot = lots[i];
    if (lot.remaining.value > 0 && lot.expires_on && today <= *lot.expires_on &&
        *lot.expires_on <= last) {
      out.push_back(LotDraw{i, lot.id, lot.remaining});
    }
  }
  return out;
}

CashBackPlan CashBackFor(const Program& program, Points balance) {
  CashBackPlan plan;
  const auto& cb = program.redemption.cash_back;
  if (!cb || balance.value <= 0) return plan;
  plan.vouchers = balance.value / cb->every_points.value;
  plan.points = Points(plan.vouchers * cb->every_points.value);
  plan.value = Fen(plan.vouchers * cb->voucher.value);
  return plan;
}

CashBackPlan CashBackFor(const Program& program, Points balance, std::span<const PointsLot> lots,
                         Date today) {
  return CashBackFor(program, std::min(balance, Balance(lots, Points(0), today)));
}

Points ReferralReward(const Program& program, Fen paid) {
  const Referral& r = program.referral;
  if (r.reward_points.value <= 0 || paid.value <= 0 || paid < r.min_purchase) return Points(0);
  return r.reward_points;
}

}  // namespace vipcare::domain
