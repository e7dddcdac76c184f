#include "store/loyalty_rows.h"

namespace vipcare::store::rows {

Value OptDay(const std::optional<Date>& d) { return d ? Value(d->ToString()) : Value(); }

std::optional<Date> ReadDay(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return Date::Parse(r.Text(i));
}

TransactionRecord ReadTransaction(const Row& r) {
  TransactionRecord t;
  t.id = r.Int(0);
  t.external_id = r.Text(1);
  t.body_hash = r.Text(2);
  t.kind = r.Text(3);
  t.original_id = r.Int(4);
  t.member_id = MemberId(r.Int(5));
  t.store_id = StoreId(r.Int(6));
  t.associate_id = StaffId(r.Int(7));
  t.occurred_at = FromEpochSeconds(r.Int(8));
  t.local_day = ReadDay(r, 9).value_or(Date());
  t.list_total = Fen(r.Int(10));
  t.paid_total = Fen(r.Int(11));
  t.points = Points(r.Int(12));
  t.payment_method = r.Text(13);
  t.result = r.Text(14);
  t.created_by = UserId(r.Int(15));
  t.created_at = FromEpochSeconds(r.Int(16));
  t.base_points = Points(r.Int(17));
  t.bonus_points = Points(r.Int(18));
  return t;
}

LoyaltyState ReadLoyaltyState(const Row& r) {
  LoyaltyState s;
  s.member_id = MemberId(r.Int(0));
  s.program_code = r.Text(1);
  s.tier_code = r.Text(2);
  s.tier_since = ReadDay(r, 3);
  s.points_balance = Points(r.Int(4));
  s.growth_lifetime = Points(r.Int(5));
  s.carry_fen = Fen(r.Int(6));
  s.first_purchase = Fen(r.Int(7));
  s.first_purchase_on = ReadDay(r, 8);
  s.last_purchase_on = ReadDay(r, 9);
  s.pending_tier = r.Text(10);
  s.pending_reason = r.Text(11);
  s.downgrade_warned_on = ReadDay(r, 12);
  s.downgrade_effective_on = ReadDay(r, 13);
  s.hold_until = ReadDay(r, 14);
  s.hold_reason = r.Text(15);
  s.version = r.Int(16);
  if (auto rank = r.OptInt(17)) s.rank_percentile = int(*rank);
  s.referral_rewarded = r.Int(18) != 0;
  if (auto since = r.OptInt(19)) s.pending_since = FromEpochSeconds(*since);
  s.stored_index_key = IndexKeyOf(s);
  return s;
}

std::string IndexKeyOf(const LoyaltyState& s) {
  // Unit separators keep ("a", "bc") apart from ("ab", "c").
  std::string key = s.program_code;
  key += '\x1f';
  key += s.tier_code;
  key += '\x1f';
  key += s.pending_tier;
  key += '\x1f';
  if (const Value since = PendingSince(s); auto* at = std::get_if<int64_t>(&since)) {
    key += std::to_string(*at);
  }
  key += '\x1f';
  if (s.rank_percentile) key += std::to_string(*s.rank_percentile);
  return key;
}

Value PendingSince(const LoyaltyState& s) {
  if (s.pending_tier.empty() || !s.pending_since) return Value();
  return Value(ToEpochSeconds(*s.pending_since));
}

void AppendStateParams(std::vector<Value>& p, const LoyaltyState& s) {
  p.emplace_back(s.program_code);
  p.emplace_back(s.tier_code);
  p.push_back(OptDay(s.tier_since));
  p.emplace_back(s.points_balance.value);
  p.emplace_back(s.growth_lifetime.value);
  p.emplace_back(s.carry_fen.value);
  p.emplace_back(s.first_purchase.value);
  p.push_back(OptDay(s.first_purchase_on));
  p.push_back(OptDay(s.last_purchase_on));
  p.emplace_back(s.pending_tier);
  p.emplace_back(s.pending_reason);
  p.push_back(OptDay(s.downgrade_warned_on));
  p.push_back(OptDay(s.downgrade_effective_on));
  p.push_back(OptDay(s.hold_until));
  p.emplace_back(s.hold_reason);
  p.push_back(s.rank_percentile ? Value(int64_t(*s.rank_percentile)) : Value());
  p.emplace_back(int64_t(s.referral_rewarded ? 1 : 0));
  p.push_back(PendingSince(s));
  p.emplace_back(s.member_id.value);
}

MonthBucket ReadMonthBucket(const Row& r) {
  return {MemberId(r.Int(0)), r.Int(1),        Fen(r.Int(2)), r.Int(3),
          Fen(r.Int(4)),      Points(r.Int(5)), ReadDay(r, 6)};
}

void AddMonthParams(std::vector<Value>& p, const MonthBucket& b) {
  p.emplace_back(b.member_id.value);
  p.emplace_back(b.month);
  p.emplace_back(b.spend.value);
  p.emplace_back(b.purchases);
  p.emplace_back(b.largest.value);
  p.emplace_back(b.points.value);
  p.push_back(OptDay(b.last_day));
}

}  // namespace vipcare::store::rows
