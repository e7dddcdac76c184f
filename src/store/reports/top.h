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
// Scale (1M members, 20M transactions): one pass over the member_months
// rows of the two windows in key order (the table is keyed by member then
// month, so this reads most of the table: ~13M rows at 1M members with two
// years of buckets), summed per member in memory; the members with spend
// are sorted by each window's spend and checked against the scope in
// batches of 256 by primary key, best first, until `limit` are found (a
// store's scope checks more candidates than the chain's). No row per member
// leaves the database twice, and no join is made for every member.
namespace vipcare::store::reports {

// One member in the current or the previous top N (or both).
struct TopMember {
  MemberId member_id;
  std::string member_no;
  StoreId home_store_id;
  std::string tier_code;  // tier key (scope_members.h TierKey); "" = no tier
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
