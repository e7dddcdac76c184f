// src/store/bulk_import.h
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/types.h"
#include "domain/card.h"
#include "domain/member.h"
#include "store/db.h"
#include "store/loyalty_repository.h"
#include "store/rewards_repository.h"

// Set-based reads and writes for bulk loads of sales (`vipcare import
// transactions`, service/transaction_import.h): many keys per statement,
// many rows per INSERT without RETURNING, ids reserved up front. Every
// function runs on `db` inside the caller's transaction, with the same SQL
// on SQLite and PostgreSQL; constraint violations throw DbError like any
// statement. Row meanings are those of loyalty_repository.h. Not thread-safe
// (one Db, one thread).
namespace vipcare::store::bulk {

// An external id already posted, with what the import compares.
struct PostedRef {
  std::string external_id;
  int64_t id = 0;
  std::string body_hash;
  std::string kind;  // "sale" or "refund"
  MemberId member_id;
};
// The transactions among `external_ids` that exist (any order).
std::vector<PostedRef> FindPosted(Db& db, const std::vector<std::string>& external_ids);

// Transactions by external id, with their lines (any order).
std::vector<TransactionRecord> TransactionsByExternalId(Db& db,
                                                        const std::vector<std::string>& external_ids);
// The refunds posted against any of `sale_ids`, with their lines, in id order.
std::vector<TransactionRecord> RefundsOf(Db& db, const std::vector<int64_t>& sale_ids);

// What posting a sale needs of a member file: no sealed column is read.
struct MemberFacts {
  MemberId id;
  std::string member_no;
  domain::MemberStatus status = domain::MemberStatus::kTemporary;
  std::optional<domain::CalendarDate> birthday;
  MemberId referrer_id;
  StoreId home_store_id;  // whose default program a member without loyalty record starts on
};
std::vector<MemberFacts> MembersByNo(Db& db, const std::vector<std::string>& member_nos);
std::vector<MemberFacts> MembersById(Db& db, const std::vector<int64_t>& ids);

// Loyalty states and monthly buckets (month >= from_month) of many members.
std::vector<LoyaltyState> LoyaltyStates(Db& db, const std::vector<int64_t>& member_ids);
std::vector<MonthBucket> Months(Db& db, const std::vector<int64_t>& member_ids, int64_t from_month);

// Inserts `n` rows with `head` (... VALUES ), `tuple` ("(?, ?)") per row and
// `tail`, as many rows per statement as both engines take; `row(i, params)`
// appends row i's `width` values. Answers the rows changed. `head` and
// `tail` must outlive the process (the statements are cached by them).
int64_t InsertMany(Db& db, std::string_view head, std::string_view tuple, size_t width,
                   std::string_view tail, size_t n,
                   const std::function<void(size_t, std::vector<Value>&)>& row);

// `n` new ids for rows of `table` ("transactions", "points_lots",
// "vouchers" or "redemptions"), in
// increasing order. SQLite: the ids after the largest used (the write
// transaction holds the database's lock); PostgreSQL: drawn from the table's
// sequence.
std::vector<int64_t> ReserveIds(Db& db, std::string_view table, size_t n);

// Inserts sales and refunds with their ids already set (ReserveIds), and
// their lines. Moves the text out of `rows`.
void InsertTransactions(Db& db, std::vector<TransactionRecord>& rows);
// Lots with their ids already set. Moves the text out of `lots`.
void InsertLots(Db& db, std::vector<PointsLotRecord>& lots);
// Vouchers and redemptions with their ids already set (ReserveIds). Moves
// the text out of `vouchers`.
void InsertVouchers(Db& db, std::vector<VoucherRecord>& vouchers);
void InsertRedemptions(Db& db, const std::vector<RedemptionRecord>& rows);
// Of `codes`, those a stored voucher has (any order).
std::vector<std::string> TakenVoucherCodes(Db& db, const std::vector<std::string>& codes);
// Ledger movements, numbered by the database in the order given.
void InsertLedger(Db& db, std::vector<LedgerEntry>& entries);
// Tier events, numbered by the database in the order given.
void InsertTierChanges(Db& db, std::vector<TierChange>& changes);
// Adds each bucket to the member's month exactly like
// LoyaltyRepository::AddToMonth; at most one bucket per (member, month).
void AddToMonths(Db& db, const std::vector<MonthBucket>& deltas);
// SaveLoyaltyState for many members: version 0 inserts (a state another
// writer inserted meanwhile is a unique violation), else the stored row is
// updated only if its version is still `version`. Versions are bumped in
// `states`. False if some member's state changed meanwhile (nothing is
// rolled back here: the caller's transaction must be).
// `balance_only[i]` says that of the stored row only the balance, growth
// value, carried remainder, first and last purchase and the referral flag
// changed: then the indexed tier columns are left alone.
bool SaveLoyaltyStates(Db& db, std::vector<LoyaltyState>& states,
                       const std::vector<bool>& balance_only);
void SetLotsRemaining(Db& db, const std::vector<std::pair<int64_t, Points>>& lots);

// M4 temporary -> formal for many members.
struct CardRef {
  CardId id;
  MemberId member_id;
  domain::CardKind kind = domain::CardKind::kTemporary;
  domain::CardStatus status = domain::CardStatus::kPendingPickup;
};
// The cards of `member_ids`, by card id.
std::vector<CardRef> CardsOf(Db& db, const std::vector<int64_t>& member_ids);
// Sets a temporary member formal (status, updated_at, version); false if the
// member is no longer temporary.
bool MarkFormal(Db& db, MemberId member, Timestamp now);
void MarkCardReplaced(Db& db, CardId card, Timestamp now);

// Turns SQLite's foreign key checks off on `db` while it lives (outside any
// transaction), for a bulk load that has itself checked every reference
// against rows that are never deleted; restores them when destroyed. Nothing
// on PostgreSQL.
class ForeignKeyChecksOff {
 public:
  explicit ForeignKeyChecksOff(Db& db);
  ~ForeignKeyChecksOff();
  ForeignKeyChecksOff(const ForeignKeyChecksOff&) = delete;
  ForeignKeyChecksOff& operator=(const ForeignKeyChecksOff&) = delete;

 private:
  Db& db_;
  bool off_ = false;
};

}  // namespace vipcare::store::bulk

// ---- the nightly tier review (service/loyalty_jobs.cc) ----
namespace vipcare::store::bulk {

// What the tier review reads of a stored notice (LoyaltyNotice in
// loyalty_jobs_repository.h).
struct NoticeRef {
  MemberId member_id;
  std::string occasion;
  std::string detail;  // JSON
};
// The notices of `kind` of any of `member_ids`, every occasion (any order).
std::vector<NoticeRef> NoticesOf(Db& db, const std::string& kind,
                                 const std::vector<int64_t>& member_ids);

// LoyaltyStates and Months of every member whose id is in [first, last],
// appended to `out` in member id order (buckets by member, then month): one
// range scan each, for a batch of a walk in member id order whose ids lie
// close together; `out` is the caller's, to reuse batch after batch.
void LoyaltyStatesBetween(Db& db, MemberId first, MemberId last, std::vector<LoyaltyState>& out);
void MonthsBetween(Db& db, MemberId first, MemberId last, int64_t from_month,
                   std::vector<MonthBucket>& out);

}  // namespace vipcare::store::bulk
