// src/service/yearly_report.h
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "domain/program.h"
#include "service/context.h"

namespace vipcare::service {

// Index in p.tiers (lowest first) of the lowest tier that counts as
// "Platinum and above" for R10: the lowest tier whose name holds 白金 or whose
// code or name holds "platinum" (any case); a ladder without one gives its
// top two tiers (its only tier if it has one). p.tiers.size() if the program
// has no tiers at all.
size_t PlatinumFloor(const domain::Program& p);
// Whether tier `code` of `p` is at or above PlatinumFloor(p); false for ""
// (no tier) and for a code the program does not have.
bool IsPlatinumOrAbove(const domain::Program& p, const std::string& code);

// R10, the yearly consumption analysis (年度消费分析报告), a benefit of the
// Platinum tier (SPEC C1 "Platinum: ... a yearly consumption analysis
// report") and up: one member's calendar year of purchases, points, tier
// events and contacts beside the year before, for a printable page.
// Thread-safe (holds only the Env).
class YearlyReports {
 public:
  explicit YearlyReports(Env env) : env_(env) {}

  // The report of member `id` for calendar `year` (0 = this year, figures so
  // far). Read like the member's file (member_read; an associate their own
  // members, a store manager their store, a supervisor their region, the
  // call centre with an active grant, admins every member), with the
  // member's contact fields masked (P3) for a viewer who sees the file
  // masked, and audited as a read of the member's details ("member_read").
  // Answers
  //   {"year", "from", "to", "as_of", "complete", "masked",
  //    "program": {code, name},
  //    "member": {id, member_no, name, mobile, status, store: {id, name},
  //               tier: {code, name, since}},
  //    "summary": Figures, "previous": Figures (the year before, "year"),
  //    "change": {"spend_bp", "purchases_bp", "average_ticket_bp",
  //               "points_earned_bp", "purchase_days_bp", "contacts_bp"},
  //    "by_month": [12 x {month, spend_fen, purchases, points,
  //                       previous_spend_fen, previous_purchases}],
  //    "by_category": [top 5 {category, spend_fen, quantity, share_bp}],
  //    "by_brand": [top 5 {brand, spend_fen, quantity, share_bp}],
  //    "largest_purchase": {day, store_id, store_name, paid_fen,
  //                         refunded_fen, lines} | null,
  //    "tier_history": [{at, day, kind, from: {code, name}|null,
  //                      to: {code, name}|null, reason}],
  //    "contacts": {total, visits, by_channel: [{channel, count}]}}
  // where Figures = {spend_fen (net of refunds, which count in their sale's
  // month), purchases, average_ticket_fen (null without purchases),
  // largest_purchase_fen, purchase_days, active_months, points_earned (on
  // purchases, less refund reversals), points_redeemed (gifts, vouchers,
  // cash-back), points_expired, contacts, visits (contacts in person)}, and
  // each change is (this - previous) / previous in basis points, null when
  // the previous year has nothing to compare with.
  // Errors: kForbidden without member_read or outside the actor's scope;
  // kNotFound on "id"; kInvalidArgument on "year" before 2000 or after this
  // year; kUnprocessable on "member_id" when the member's tier is below
  // Platinum (PlatinumFloor) in the company's program.
  Result<nlohmann::json> Get(const Actor& actor, MemberId id, int year);

  // The earliest year a report can be asked for.
  static constexpr int kFirstYear = 2000;

 private:
  Env env_;
};

}  // namespace vipcare::service
