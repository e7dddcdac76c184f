// src/store/reports/top.h
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "store/report_repository.h"

// The query of SPEC R6 (top-N tracking), over ReportRepository::db().
//
// Spend is read from the monthly buckets (member_months: paid net of
// refunds, by company-local calendar month), never from transactions: a
// member's 12-month spend "as of" a day is the sum of the 12 calendar months
// up to and including that day's month, which is exact on a month's last
// day (the report's period ends) and includes the whole current month
// otherwise.
//
// Scale (1M members): one pass over the member_months rows of the two
// windows (the table is keyed by member then month, so this scans the
// table: at most 24M rows at 1M members with two years of buckets), a join
// to members and member_loyalty by primary key for the scope, two sorts of
// the members with spend for the ranks, and at most 2 * limit rows back.
namespace vipcare::store::reports {

// One member in the current or the previous top N (or both).
struct TopMember {
  MemberId member_id;
  std::string member_no;
  StoreId home_store_id;
  std::string tier_code;  // "" = no tier
  Fen spend{0};           // 12 months up to the current window's end
  Fen previous_spend{0};  // 12 months up to the previous window's end
  std::optional<int64_t> rank;           // 1..limit in the current top N
  std::optional<int64_t> previous_rank;  // 1..limit in the previous top N
};

// The open members (not closed, merged or erased) of `scope` (home store;
// current tier when `scope.tier` is given) ranked by spend over the months
// [from_month, to_month] and over [previous_from, previous_to] (yyyymm),
// each ranking keeping the first `limit` members with positive spend, by
// spend descending and member id ascending on ties. Returns the members of
// either top N, those in the current top N first by rank, then those only in
// the previous one by previous rank.
std::vector<TopMember> TopMembersBySpend(ReportRepository& r, int64_t from_month,
                                         int64_t to_month, int64_t previous_from,
                                         int64_t previous_to, int64_t limit,
                                         const ReportScope& scope);

}  // namespace vipcare::store::reports
