// src/store/reports/mix.h
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/types.h"
#include "store/report_repository.h"

// The queries of SPEC R7 (category / brand / price band; age and gender),
// over ReportRepository::db().
//
// Sales are the transactions of the days [from, to] (company-local
// local_day) at the stores of `scope` (transactions.store_id), net of
// refunds: a refund counts, negative, on the day it was made, under the
// category, brand and price band of the sale line it returns. Member sales
// are those with a member_id; `scope.tier` keeps the members whose tier NOW
// is that code ("none" = without a tier). Members are counted by home store
// (members.home_store_id) and are the open files (not closed, merged or
// erased) registered before the period's end.
//
// Birthday and gender are plain columns of members (P5 seals names, phones,
// ID number, addresses and the profile document, not these), so they are
// grouped in SQL without opening anything; the age band is worked out by the
// caller from each distinct (birthday, calendar) — a lunar birthday needs the
// Chinese calendar to find the solar day of birth, which SQL cannot do. That
// returns one row per distinct birthday and gender (some 50 000 rows at 1M
// members: about 70 birth years x 365 days x 2), never one per member.
//
// Indexes and scale (20M transactions, 1M members): sales are selected as
// "store_id IN (the scope's stores) AND local_day in the period", which both
// engines serve with transactions_store_day (store_id, local_day, kind,
// member_id, paid_total, original_id, id; migration 7): one range scan per store of the
// scope, also for every store, so only the period's transactions are read
// (about 870,000 a month at 20M over two years). MemberSalesMix joins the
// lines by their primary key (transaction_id, line_no), a refund line's sale
// line likewise, and groups the rows in memory in one pass (the buyer ids of
// each key, counted once at the end: distinct buyers do not add up). BuyersByProfile (without a
// tier) reads the period's member transactions from the index alone, sums
// them per member in memory, then reads every member's birthday and gender
// from members_report_profile alone: two narrow scans instead of a probe into
// the wide members rows per sale. With a tier filter both join
// member_loyalty per transaction (slower, asked now and then).
namespace vipcare::store::reports {

// What a member sales mix is grouped by.
enum class MixBy { kCategory, kBrand, kPriceBand };

// Price bands on a line's unit paid price (paid / quantity; a refund line
// takes its sale line's): keys "0-199", "200-499", "500-999", "1000-1999",
// "2000-4999", "5000+" (yuan; "0-199" is below 200 yuan).
inline constexpr const char* kPriceBands[] = {"0-199",     "200-499",   "500-999",
                                             "1000-1999", "2000-4999", "5000+"};

// Member sales under one key (a category, a brand, a price band).
struct MixRow {
  std::string key;    // '' = none given on the lines
  Fen sales{0};       // paid, net of refunds
  int64_t quantity = 0;  // units sold (refunds return money, not counted units)
  int64_t members = 0;   // distinct members with a sale line under the key
  int64_t lines = 0;     // sale lines
};

// Member sales of the period by `by`, most sales first, then by key, and
// the same over every key (members distinct over all of them, key '').
struct MemberMix {
  std::vector<MixRow> groups;
  MixRow total;
};
MemberMix MemberSalesMix(ReportRepository& r, MixBy by, Date from, Date to,
                         const ReportScope& scope);
// Every sale of the period at the scope's stores, members or not, net of
// refunds (the tier filter does not apply: walk-ins have no tier).
Fen AllSales(ReportRepository& r, Date from, Date to, const ReportScope& scope);

// Members or buyers of one birthday (as stored: "YYYY-MM-DD", a trailing "L"
// for a lunar leap month, '' = none), calendar ("solar" / "lunar") and
// gender ("male", "female", "unknown").
struct ProfileGroup {
  std::string birthday;
  std::string calendar;
  std::string gender;
  int64_t members = 0;  // MembersByProfile
  int64_t buyers = 0;   // BuyersByProfile: distinct members with a sale
  Fen sales{0};         // BuyersByProfile: net of refunds
};

// The open members of the scope registered before `registered_before`.
std::vector<ProfileGroup> MembersByProfile(ReportRepository& r, Timestamp registered_before,
                                           const ReportScope& scope);
// The members who bought at the scope's stores in the period (any file,
// also one erased or closed since: its sales stay, under an unknown profile
// if erased), with their sales there.
std::vector<ProfileGroup> BuyersByProfile(ReportRepository& r, Date from, Date to,
                                          const ReportScope& scope);

}  // namespace vipcare::store::reports
