// src/store/reports/yearly.h
#pragma once
// The queries of R10, one member's year of purchases, points and contacts
// (service/yearly_report.h), over the open transaction of a
// ReportRepository. One SQL text for SQLite and PostgreSQL.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "store/loyalty_repository.h"
#include "store/report_repository.h"

namespace vipcare::store::reports {

// The member's monthly buckets (spend net of refunds, purchases, largest
// purchase, points earned) for months [from_month, to_month] (yyyymm), oldest
// first; months without a bucket are absent.
std::vector<MonthBucket> MemberMonths(ReportRepository& r, MemberId member, int64_t from_month,
                                      int64_t to_month);

// What the member paid for one category or brand ("" when the line had
// none), net of refunds, which count with the sale they return (as the
// monthly buckets do), and the quantity bought.
struct SpendShare {
  std::string key;
  Fen spend{0};
  int64_t quantity = 0;
};
// By category / by brand, of the member's sales on the local days [from, to],
// largest spend first (then by key).
std::vector<SpendShare> MemberSpendByCategory(ReportRepository& r, MemberId member, Date from,
                                              Date to);
std::vector<SpendShare> MemberSpendByBrand(ReportRepository& r, MemberId member, Date from,
                                           Date to);

// The member's largest sale on the local days [from, to] (the earliest of
// equal ones), with what has been refunded of it since.
struct LargestSale {
  int64_t transaction_id = 0;
  Date day;
  StoreId store_id;
  Fen paid{0};
  Fen refunded{0};
  int64_t lines = 0;
};
std::optional<LargestSale> MemberLargestSale(ReportRepository& r, MemberId member, Date from,
                                             Date to);

// Days in [from, to] on which the member bought something (store visits).
int64_t MemberPurchaseDays(ReportRepository& r, MemberId member, Date from, Date to);

// The member's points movements in [from_at, to_at), summed by ledger kind
// (earn, reverse, referral, redeem, cashback, expire, adjust, merge; signed).
std::map<std::string, Points> MemberLedgerByKind(ReportRepository& r, MemberId member,
                                                 Timestamp from_at, Timestamp to_at);

// The member's contact log entries (C3) on the local days [from, to], by
// channel.
std::map<std::string, int64_t> MemberContactsByChannel(ReportRepository& r, MemberId member,
                                                       Date from, Date to);

// The member's tier events in [from_at, to_at), oldest first.
std::vector<TierChange> MemberTierChanges(ReportRepository& r, MemberId member, Timestamp from_at,
                                          Timestamp to_at);

}  // namespace vipcare::store::reports
