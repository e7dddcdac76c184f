// src/store/loyalty_repository.h
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "store/db.h"
#include "store/page.h"

namespace vipcare::store {

// One version of a loyalty program (SPEC L6): the program's JSON document as
// the domain parses it. Versions are never changed, only added.
struct ProgramRecord {
  int64_t id = 0;
  std::string code;
  int64_t version = 0;
  std::string name;
  std::string body;  // JSON
  UserId created_by;
  Timestamp created_at{};
};

// One category of the company's catalogue (商品类别). A category is switched
// off, never renamed or removed: lines and reports keep naming it.
struct CategoryRecord {
  int64_t id = 0;
  std::string name;
  bool active = true;
  UserId created_by;
  Timestamp created_at{};
  Timestamp updated_at{};
};

// One line of a sale or refund (L1). Money in fen; `paid` is the line total.
struct TransactionLine {
  int64_t line_no = 0;
  int64_t original_line_no = 0;  // a refund line: the sale's line it returns
  std::string sku;
  std::string category;
  std::string brand;
  int64_t quantity = 1;
  Fen list_price{0};  // per unit
  Fen paid{0};
  bool promo = false;  // promotion or special price (特价)
  Fen earn_base{0};    // the part of `paid` that earned points, after multipliers
  // A sale line paid above list_price × quantity: the till's reason (issue 5).
  std::string above_list_reason;
};

// A posted sale or refund. `result` is the JSON answer given when it was
// posted, replayed when the same external_id comes again (idempotency).
struct TransactionRecord {
  int64_t id = 0;
  std::string external_id;
  std::string body_hash;  // of the request, to tell a repeat from a conflict
  std::string kind;       // "sale" or "refund"
  int64_t original_id = 0;
  MemberId member_id;  // none for a non-member sale
  StoreId store_id;
  StaffId associate_id;
  Timestamp occurred_at{};
  Date local_day;  // in the company's time zone
  Fen list_total{0};
  Fen paid_total{0};
  Points points{0};  // earned (sale) or reversed (refund, negative)
  Points base_points{0};   // of `points`: from the earning base
  Points bonus_points{0};  // of `points`: fixed campaign bonuses
  std::string payment_method;
  std::string result;
  UserId created_by;
  Timestamp created_at{};
  std::vector<TransactionLine> lines;  // read by GetTransaction / FindTransaction
};

// A member's loyalty state: program, tier, balance, growth value and the
// pending decisions (approval queue, announced downgrade, manager hold).
struct LoyaltyState {
  MemberId member_id;
  std::string program_code;
  std::string tier_code;  // "" = no tier yet
  std::optional<Date> tier_since;
  Points points_balance{0};   // spendable; may be negative after a refund (L2)
  Points growth_lifetime{0};  // points ever earned (成长值); redeeming never lowers it
  Fen carry_fen{0};           // paid amount not yet turned into points (carry mode)
  Fen first_purchase{0};
  std::optional<Date> first_purchase_on;
  std::optional<Date> last_purchase_on;
  std::string pending_tier;  // waiting for a store manager's approval
  std::string pending_reason;
  // When pending_tier was queued (its approval_queued event); the approval
  // queue lists the longest-waiting first. Stored only while a tier waits.
  std::optional<Timestamp> pending_since;
  std::optional<Date> downgrade_warned_on;
  std::optional<Date> downgrade_effective_on;
  std::optional<Date> hold_until;
  std::string hold_reason;
  std::optional<int> rank_percentile;  // 1 = top 1% (L6 rank rules), set by the daily jobs
  bool referral_rewarded = false;      // L9: the referrer got their reward for this member
  int64_t version = 0;  // 0 = not stored yet
  // The indexed columns (program, tier, pending tier and since, rank) as stored, kept
  // by the repository when it reads or saves the state. A save that leaves
  // them as they were writes only the other columns: SQLite rewrites an
  // index whenever an UPDATE assigns its columns, even to the same values,
  // and a sale's usual save changes balances and dates only.
  std::string stored_index_key;
};

// A member's figures for one calendar month (company time zone): rolling
// 3/6/12-month spend and monthly/quarterly purchase counts are sums over at
// most 24 of these rows, never a scan of the member's transactions.
struct MonthBucket {
  MemberId member_id;
  int64_t month = 0;  // yyyymm
  Fen spend{0};       // paid, net of refunds
  int64_t purchases = 0;
  Fen largest{0};    // largest single purchase
  Points points{0};  // points earned (growth)
  // The day of the month's last sale (a refund leaves it as it is): what the
  // reports (R4, R5) take as the last purchase as of a past month's end.
  std::optional<Date> last_day;

  // Adds `d` to this bucket as the store's upsert does.
  void Add(const MonthBucket& d) {
    spend += d.spend;
    purchases += d.purchases;
    if (d.largest > largest) largest = d.largest;
    points += d.points;
    if (d.last_day && (!last_day || *d.last_day > *last_day)) last_day = d.last_day;
  }
};

// A lot of earned points (L2); redemptions consume the oldest-expiring first.
struct PointsLotRecord {
  int64_t id = 0;
  MemberId member_id;
  std::string source;  // "earn", "adjust", "referral", "bonus"
  int64_t transaction_id = 0;
  Points points{0};
  Points remaining{0};
  Date earned_on;
  std::optional<Date> expires_on;  // none = never expires
};

// One signed movement of the append-only ledger (L2).
struct LedgerEntry {
  int64_t id = 0;
  MemberId member_id;
  Timestamp at{};
  std::string kind;  // earn, redeem, expire, adjust, reverse, cashback, referral
  Points points{0};
  Points balance_after{0};
  int64_t transaction_id = 0;
  int64_t redemption_id = 0;
  std::string reason;
  UserId approved_by;
  UserId created_by;
};

// One tier event with its reason (L6, L7): upgrade, approval_queued, approved,
// rejected, downgrade_warned, downgrade, downgrade_cancelled, hold, override.
struct TierChange {
  int64_t id = 0;
  MemberId member_id;
  Timestamp at{};
  std::string kind;
  std::string from_tier;
  std::string to_tier;
  std::string reason;
  UserId actor;
  // A program change (kind "program_change") only: the code of the program
  // the member left, in which `from_tier` is a tier ("" in rows written before
  // a company's program was named by its code: the company's, read as the
  // company's program now).
  std::optional<std::string> from_program;
};

// A change of the company's program whose followers (members on "", the
// company's program) are still being put on the new ladder (L6): the program
// left and the one chosen (codes), the last member done (members are done in
// id order, a batch at a time) and who chose it when.
struct ProgramSwitch {
  std::string from_code;
  std::string to_code;
  MemberId after;
  Timestamp at{};
  UserId by;
};

// Persistence of the loyalty engine, inside the transaction of the Repository
// that hands it out (Repository::loyalty()). Same failure rules: constraint
// violations throw DbError, "not found" is an empty optional. Not thread-safe.
class LoyaltyRepository {
 public:
  virtual ~LoyaltyRepository() = default;

  // Programs: versions are appended; version 0 asks for the newest.
  virtual int64_t InsertProgramVersion(const ProgramRecord& p) = 0;
  virtual std::optional<ProgramRecord> GetProgram(const std::string& code, int64_t version = 0) = 0;
  // The newest version of every program, by code.
  virtual std::vector<ProgramRecord> ListPrograms() = 0;
  // Every version of one program, newest first, without bodies.
  virtual std::vector<ProgramRecord> ListProgramVersions(const std::string& code) = 0;
  // The program the company runs ("" if none chosen yet).
  virtual std::string CompanyProgram() = 0;
  virtual void SetCompanyProgram(const std::string& code) = 0;
  // The company's program switch still under way, if any (one at a time);
  // Set writes it (a new one or the progress of the current), Clear ends it.
  virtual std::optional<ProgramSwitch> PendingProgramSwitch() = 0;
  virtual void SetPendingProgramSwitch(const ProgramSwitch& s) = 0;
  virtual void ClearPendingProgramSwitch() = 0;
  // The default program of the member's home store ("" = the company's).
  virtual std::string HomeStoreProgram(MemberId member) = 0;
  // The programs members were put on and stores run by default, each once
  // (never "": the company's program is not in the list).
  virtual std::vector<std::string> ProgramsInUse() = 0;
  // How many members are on each program of their own (by code, never "").
  virtual std::vector<std::pair<std::string, int64_t>> MembersByOwnProgram() = 0;

  // The category catalogue, by name. InsertCategory sets c.id; a name
  // already listed throws DbError. UpdateCategory writes `active` and
  // `updated_at`; false if no category has the id.
  virtual std::vector<CategoryRecord> ListCategories() = 0;
  virtual std::optional<CategoryRecord> GetCategory(int64_t id) = 0;
  virtual std::optional<CategoryRecord> FindCategory(const std::string& name) = 0;
  virtual void InsertCategory(CategoryRecord& c) = 0;
  virtual bool UpdateCategory(const CategoryRecord& c) = 0;
  // Whether the catalogue lists any category at all (only then are lines
  // checked against it).
  virtual bool HasCategories() = 0;
  // The categories named by sale lines of days `from` onwards (store-local
  // days), with how many lines named each, most lines first; blank ones left
  // out. What the tills send, for building the catalogue from.
  virtual std::vector<std::pair<std::string, int64_t>> CategoriesSold(Date from) = 0;

  // Transactions. InsertTransaction writes the lines too and sets t.id.
  virtual int64_t InsertTransaction(TransactionRecord& t) = 0;
  virtual std::optional<TransactionRecord> FindTransaction(const std::string& external_id) = 0;
  // Replaces the stored answer of a transaction posted in this same unit of
  // work (what happened after the row went in: vouchers issued...).
  virtual void SetTransactionResult(int64_t id, const std::string& result) = 0;
  virtual std::optional<TransactionRecord> GetTransaction(int64_t id) = 0;
  // A member's transactions, newest first, without lines.
  virtual PageOf<TransactionRecord> ListMemberTransactions(MemberId member, Page page) = 0;
  // The refunds posted against a sale, with their lines, oldest first.
  virtual std::vector<TransactionRecord> ListRefundsOf(int64_t original_id) = 0;

  // Loyalty state: Save inserts (version 0) or updates when `s.version` is the
  // stored one, then bumps it; false if someone else changed it meanwhile.
  virtual std::optional<LoyaltyState> GetLoyaltyState(MemberId member) = 0;
  virtual bool SaveLoyaltyState(LoyaltyState& s) = 0;

  // The loyalty states of the members with a tier waiting for approval (L6),
  // the longest-waiting first (pending_since, then member id; a wait of
  // unknown start first), narrowed to a store's or a region's members when
  // given.
  virtual PageOf<LoyaltyState> ListPendingApprovals(std::optional<StoreId> store,
                                                    std::optional<RegionId> region,
                                                    Page page) = 0;

  // Monthly buckets: adds spend, purchases and points to the member's month
  // and keeps the larger `largest`.
  virtual void AddToMonth(const MonthBucket& delta) = 0;
  // The member's months from `from_month` (yyyymm) on, oldest first.
  virtual std::vector<MonthBucket> ListMonths(MemberId member, int64_t from_month) = 0;

  // Points lots and ledger.
  virtual int64_t InsertLot(const PointsLotRecord& lot) = 0;
  // Lots with points left, soonest expiry first (never-expiring last), then id.
  virtual std::vector<PointsLotRecord> ListOpenLots(MemberId member) = 0;
  virtual void SetLotRemaining(int64_t lot_id, Points remaining) = 0;
  // Open lots of every member that expire before `day`, by expiry then id.
  virtual std::vector<PointsLotRecord> LotsExpiringBefore(Date day, int64_t limit) = 0;
  virtual int64_t AppendLedger(const LedgerEntry& e) = 0;
  // A member's ledger, newest first.
  virtual PageOf<LedgerEntry> ListLedger(MemberId member, Page page) = 0;

  // Member merge (M6): the absorbed member's sales and refunds, open lots,
  // unused vouchers and monthly buckets (added into the survivor's months)
  // become the survivor's. Ledger and tier history stay with the file they
  // happened to; the caller moves the balance with a ledger entry on each.
  virtual void MoveLoyalty(MemberId from, MemberId into) = 0;

  // Tier history, newest first.
  virtual void AppendTierChange(const TierChange& c) = 0;
  virtual PageOf<TierChange> ListTierChanges(MemberId member, Page page) = 0;
};

// The SQL implementation over `db` (SQLite and PostgreSQL alike).
std::unique_ptr<LoyaltyRepository> MakeSqlLoyaltyRepository(Db& db);

}  // namespace vipcare::store
