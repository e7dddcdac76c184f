// src/domain/points.h
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/types.h"
#include "domain/program.h"

namespace vipcare::domain {

// Earning (L3), refund reversal (L2), the points ledger's lot rules (L2, L4,
// L5) and referral rewards (L9). Pure functions; the service stores the lots
// and movements these plans describe.

// One line of a posted sale.
struct SaleLine {
  std::string sku;
  std::string category;
  std::string brand;
  int64_t quantity = 1;
  Fen list_price;      // per unit
  Fen paid;            // the line's paid amount (实付金额), all units
  bool promo = false;  // promotion or special price (特价)
};

struct EarnInput {
  std::string tier;       // the member's tier code; "" = none (e.g. a temporary card)
  bool birthday = false;  // today is the member's birthday (see lunar.h)
  Date on;                // the sale's day: selects campaigns
  Fen remainder;          // carried from earlier sales (carry_remainder only)
  std::vector<SaleLine> lines;
};

struct LineEarning {
  BasisPoints multiplier_bp = 0;  // category x tier x birthday x campaign; 0 = earns nothing
  Fen earn_base;                  // paid x multiplier, rounded down to the fen
  std::string note;               // why a line earns nothing or more, in Chinese
};

struct Earning {
  Points base_points;              // from the earning base
  Points bonus_points;             // fixed campaign bonuses
  Points points;                   // base + bonus
  Fen earn_base;                   // sum of the lines' earn_base
  Fen remainder;                   // to carry to the next sale; 0 for per_transaction
  std::vector<LineEarning> lines;  // one per input line
  std::vector<std::string> notes;  // campaigns applied, in Chinese
};

// Points for a sale (L3). Each line's earn base is its paid amount times the
// product of its category, tier, birthday and best campaign multipliers,
// rounded down to the fen; promotion lines earn nothing unless the program
// says so. Points = floor((base [+ remainder]) / fen_per_step) x
// points_per_step, plus the fixed bonus of every campaign whose eligible spend
// reaches its minimum. Fails with kInvalidArgument naming "tier",
// "lines[i].quantity", "lines[i].paid_fen", ... on bad input.
[[nodiscard]] Result<Earning> Earn(const Program& program, const EarnInput& in);

// A line of the original sale in a refund: what it paid and earned, how much
// of it earlier refunds took back and how much this one does.
struct RefundLine {
  Fen paid;
  Fen earn_base;  // LineEarning::earn_base of the sale
  Fen refunded_before;
  Fen refunded_now;
};
struct RefundInput {
  Points base_points;      // Earning::base_points of the sale
  Points bonus_points;     // Earning::bonus_points of the sale
  Points reversed_before;  // points earlier refunds of the sale reversed
  Fen remainder;           // the member's carried remainder now (carry_remainder)
  std::vector<RefundLine> lines;
};
struct Reversal {
  Points points;  // to reverse now (may exceed the balance: see PlanReversal)
  Fen remainder;  // the member's carried remainder afterwards
};
// Points to take back for a full or partial refund, never leaving the member
// better off than without the sale: each line's refunded earn base is its
// earn base x refunded / paid rounded up. per_transaction: the sale's points x
// refunded base / total base, rounded up, cumulative over refunds and capped at
// the points earned. carry_remainder: the refunded base comes off the carried
// remainder first, then whole steps of points (so a full refund restores the
// remainder exactly); bonuses as per_transaction. Fails with kInvalidArgument
// ("lines[i].refunded_now_fen") when refunds exceed a line's paid amount.
[[nodiscard]] Result<Reversal> ReverseForRefund(const Program& program, const RefundInput& in);

// One lot of earned points. Lots are consumed oldest expiry first.
struct PointsLot {
  int64_t id = 0;  // the store's id; 0 before it is stored
  Points remaining;
  Date earned_on;
  std::optional<Date> expires_on;  // last valid day; nullopt = never
};

// The last day points earned on `earned_on` can be used, or nullopt if they
// never expire. Rolling N months: the day before the same day N months later
// (earned 5 Mar -> valid to 4 Mar; earned 29 Feb, or 31 Mar into a month with
// no 31st -> the last day of the target month). Year end: 31 Dec of the year N
// years after.
std::optional<Date> ExpiryDate(const ExpiryRule& rule, Date earned_on);

// True if `lot` can still be used on `today`.
bool IsUsable(const PointsLot& lot, Date today);

// Usable points on `today` minus `debt` (reversed points already spent): may be
// negative after a refund (L2).
Points Balance(std::span<const PointsLot> lots, Points debt, Date today);

// Points taken from one lot (index into the input span, and its id).
struct LotDraw {
  size_t index = 0;
  int64_t lot_id = 0;
  Points points;
  bool operator==(const LotDraw&) const = default;
};

// L5: the lots a redemption of `cost` consumes, oldest expiry first (FIFO; lots
// that never expire last). Fails with kInvalidArgument field "points" if cost
// is not positive, and kUnprocessable field "points" if the balance is
// negative (redemption blocked until it is positive again) or below `cost`.
[[nodiscard]] Result<std::vector<LotDraw>> PlanRedemption(std::span<const PointsLot> lots,
                                                          Points debt, Points cost, Date today);

// L2 refund: takes `points` from the sale's own lot (`own_lot_id`, if still
// usable) first, then FIFO; what the lots cannot cover becomes new debt, the
// negative balance that blocks redemption.
struct ReversalPlan {
  std::vector<LotDraw> draws;
  Points new_debt;
};
ReversalPlan PlanReversal(std::span<const PointsLot> lots, int64_t own_lot_id, Points points,
                          Date today);

// Newly earned points pay off debt first; the rest makes a new lot.
struct EarnPlan {
  Points pays_debt;
  Points new_lot;
};
EarnPlan PlanEarn(Points debt, Points earned);

// L4: lots with points left whose last valid day is before `today`: their
// remaining points expire now.
std::vector<LotDraw> ExpiredLots(std::span<const PointsLot> lots, Date today);
// Lots with points left that expire within `days` days from `today`
// (inclusive): the members to warn.
std::vector<LotDraw> LotsExpiringWithin(std::span<const PointsLot> lots, Date today, int days);

// L5 "每满XX分返XX元": how many vouchers a balance triggers.
struct CashBackPlan {
  int64_t vouchers = 0;
  Points points;  // to redeem for them
  Fen value;      // total voucher value
};
// Zero when the program has no cash-back or the balance is not positive.
CashBackPlan CashBackFor(const Program& program, Points balance);
// The same for the usable balance of a member holding `balance` and the open
// `lots` on `today`: lots past their expiry that the daily job has not yet
// expired do not count.
CashBackPlan CashBackFor(const Program& program, Points balance, std::span<const PointsLot> lots,
                         Date today);

// L9: the referrer's reward when the referred member's first sale paid `paid`;
// 0 if below the program's minimum or the program has no reward.
Points ReferralReward(const Program& program, Fen paid);

}  // namespace vipcare::domain
