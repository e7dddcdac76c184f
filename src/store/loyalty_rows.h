// src/store/loyalty_rows.h
#pragma once
// The loyalty tables' column lists and row readers, shared by the repository
// (sql_loyalty_repository.cc) and the bulk import (bulk_import.cc) so a
// column added to one is added to both. Internal to store/.
#include <optional>
#include <vector>

#include "store/db.h"
#include "store/loyalty_repository.h"

namespace vipcare::store::rows {

// A day column ('YYYY-MM-DD' or NULL) as a parameter and as a value.
Value OptDay(const std::optional<Date>& d);
std::optional<Date> ReadDay(const Row& r, size_t i);

// "SELECT <every transactions column ReadTransaction reads> FROM transactions ",
// a literal so statements append their WHERE to it at compile time.
#define VIPCARE_TRANSACTION_SELECT                                                           \
  "SELECT id, external_id, body_hash, kind, original_id, member_id, store_id, associate_id, " \
  "occurred_at, local_day, list_total, paid_total, points, payment_method, result, "         \
  "created_by, created_at, base_points, bonus_points FROM transactions "
TransactionRecord ReadTransaction(const Row& r);  // without its lines

// "SELECT <every member_loyalty column ReadLoyaltyState reads> FROM member_loyalty "
#define VIPCARE_LOYALTY_STATE_SELECT                                                            \
  "SELECT member_id, program_code, tier_code, tier_since, points_balance, growth_lifetime, "    \
  "carry_fen, first_purchase_fen, first_purchase_on, last_purchase_on, pending_tier, "         \
  "pending_reason, downgrade_warned_on, downgrade_effective_on, hold_until, hold_reason, "     \
  "version, rank_percentile, referral_rewarded, pending_since FROM member_loyalty "
LoyaltyState ReadLoyaltyState(const Row& r);  // with its stored_index_key
// pending_since as stored: NULL while no tier waits.
Value PendingSince(const LoyaltyState& s);
// Appends the state's columns in this order, without the version: program_code
// 0, tier_code 1, tier_since, points_balance, growth_lifetime, carry_fen,
// first_purchase_fen, first_purchase_on, last_purchase_on, pending_tier 9,
// pending_reason, downgrade_warned_on, downgrade_effective_on, hold_until,
// hold_reason, rank_percentile 15, referral_rewarded, pending_since 17,
// member_id 18.
void AppendStateParams(std::vector<Value>& p, const LoyaltyState& s);
// The state's indexed columns as one comparable text (stored_index_key).
std::string IndexKeyOf(const LoyaltyState& s);

// "SELECT <every member_months column ReadMonthBucket reads> FROM member_months "
#define VIPCARE_MONTH_SELECT \
  "SELECT member_id, month, spend, purchases, largest, points, last_day FROM member_months "
MonthBucket ReadMonthBucket(const Row& r);
// The upsert that adds a bucket to the stored one (MonthBucket::Add), as
// "INSERT ... VALUES" head, one row's tuple, and the ON CONFLICT tail; CASE
// instead of MAX()/GREATEST(), the one spelling both engines accept.
#define VIPCARE_MONTH_INSERT \
  "INSERT INTO member_months (member_id, month, spend, purchases, largest, points, last_day) VALUES "
#define VIPCARE_MONTH_TUPLE "(?, ?, ?, ?, ?, ?, ?)"
#define VIPCARE_MONTH_UPSERT                                                             \
  " ON CONFLICT (member_id, month) DO UPDATE SET "                                       \
  "spend = member_months.spend + excluded.spend, "                                       \
  "purchases = member_months.purchases + excluded.purchases, "                           \
  "largest = CASE WHEN excluded.largest > member_months.largest THEN excluded.largest "  \
  "ELSE member_months.largest END, "                                                     \
  "points = member_months.points + excluded.points, "                                    \
  "last_day = CASE WHEN member_months.last_day IS NULL OR excluded.last_day > "          \
  "member_months.last_day THEN COALESCE(excluded.last_day, member_months.last_day) "      \
  "ELSE member_months.last_day END"
constexpr size_t kMonthWidth = 7;
// Appends the bucket's VIPCARE_MONTH_TUPLE parameters.
void AddMonthParams(std::vector<Value>& p, const MonthBucket& b);

}  // namespace vipcare::store::rows
