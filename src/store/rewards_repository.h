// src/store/rewards_repository.h
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "store/db.h"
#include "store/page.h"

namespace vipcare::store {

// A gift of the redemption catalogue (SPEC L5). `stock` never goes below zero:
// the table checks it and TakeGiftStock only takes what is there.
struct GiftRecord {
  int64_t id = 0;
  std::string code;  // unique
  std::string name;
  std::string description;
  Points points_price{0};  // per piece, > 0
  int64_t stock = 0;
  bool active = true;
};

// A cash voucher (现金券) a member got for points (L5). Used once: `used_at`
// and the sale it paid are set together by MarkVoucherUsed.
struct VoucherRecord {
  int64_t id = 0;
  std::string code;  // unique, not guessable
  MemberId member_id;
  Fen value{0};
  Fen min_spend{0};  // the sale's paid total must reach it
  Date valid_from;   // first and last day it can be used
  Date valid_to;
  std::string source;  // "redeem" (asked for) or "cashback" (automatic)
  std::optional<Timestamp> used_at;
  int64_t used_transaction_id = 0;
  Timestamp created_at{};
  UserId created_by;
};

// One redemption (L5): points turned into a gift or a voucher. Never undone.
struct RedemptionRecord {
  int64_t id = 0;
  MemberId member_id;
  std::string kind;  // "gift", "voucher" or "cashback"
  int64_t gift_id = 0;
  int64_t quantity = 1;
  Points points{0};  // spent, positive
  int64_t voucher_id = 0;
  StoreId store_id;  // none for an automatic cash-back
  Timestamp at{};
  UserId created_by;
};

// A request to correct a member's points (L2), decided by a second person.
struct AdjustmentRecord {
  int64_t id = 0;
  MemberId member_id;
  Points points{0};  // signed, never 0
  std::string reason;
  std::string status;  // "pending", "approved", "rejected"
  UserId requested_by;
  Timestamp requested_at{};
  UserId decided_by;
  std::optional<Timestamp> decided_at;
  std::string decision_reason;
};

// Narrows ListAdjustments; absent / empty parts do not filter.
struct AdjustmentFilter {
  std::string status;
  std::optional<MemberId> member;
  std::optional<StoreId> store;    // members whose home store it is
  std::optional<RegionId> region;  // members whose home store is in it
};

// Persistence of redemption (SPEC L5) and points adjustments (L2): the gift
// catalogue with its stock, vouchers, redemptions and adjustment requests.
// Inside the transaction of the Repository that hands it out
// (Repository::rewards()). Same failure rules as Repository: constraint
// violations (a duplicate gift or voucher code) throw DbError, "not found" is
// an empty optional. Not thread-safe.
class RewardsRepository {
 public:
  virtual ~RewardsRepository() = default;

  // Gifts. InsertGift sets g.id. UpdateGift writes every field of `g` and
  // returns false if no gift has its id.
  virtual int64_t InsertGift(GiftRecord& g) = 0;
  virtual bool UpdateGift(const GiftRecord& g) = 0;
  virtual std::optional<GiftRecord> GetGift(int64_t id) = 0;
  virtual std::optional<GiftRecord> FindGiftByCode(const std::string& code) = 0;
  // The catalogue by code; inactive gifts only when asked for.
  virtual PageOf<GiftRecord> ListGifts(bool include_inactive, Page page) = 0;
  // Takes `quantity` pieces of an active gift in one conditional statement, so
  // concurrent redemptions can never take more than there is. False (nothing
  // changed) if the gift is inactive or has fewer pieces.
  virtual bool TakeGiftStock(int64_t gift_id, int64_t quantity) = 0;

  // Vouchers. InsertVoucher sets v.id.
  virtual int64_t InsertVoucher(VoucherRecord& v) = 0;
  virtual std::optional<VoucherRecord> FindVoucherByCode(const std::string& code) = 0;
  virtual std::optional<VoucherRecord> GetVoucher(int64_t id) = 0;
  // A member's vouchers, newest first.
  virtual PageOf<VoucherRecord> ListMemberVouchers(MemberId member, Page page) = 0;
  // Marks an unused voucher used by sale `transaction_id` (0: none); false if
  // it was used already (also by a concurrent sale).
  virtual bool MarkVoucherUsed(int64_t voucher_id, Timestamp at, int64_t transaction_id) = 0;

  // Redemptions. InsertRedemption sets r.id.
  virtual int64_t InsertRedemption(RedemptionRecord& r) = 0;
  virtual std::optional<RedemptionRecord> GetRedemption(int64_t id) = 0;
  // A member's redemptions, newest first.
  virtual PageOf<RedemptionRecord> ListMemberRedemptions(MemberId member, Page page) = 0;

  // Adjustment requests. InsertAdjustment sets a.id.
  virtual int64_t InsertAdjustment(AdjustmentRecord& a) = 0;
  virtual std::optional<AdjustmentRecord> GetAdjustment(int64_t id) = 0;
  // Requests matching `f`, newest first.
  virtual PageOf<AdjustmentRecord> ListAdjustments(const AdjustmentFilter& f, Page page) = 0;
  // Records the decision on a pending request: `a.status`, decided_by,
  // decided_at and decision_reason. False if it was not pending any more
  // (decided meanwhile).
  virtual bool DecideAdjustment(const AdjustmentRecord& a) = 0;
};

// The SQL implementation over `db` (SQLite and PostgreSQL alike).
std::unique_ptr<RewardsRepository> MakeSqlRewardsRepository(Db& db);

}  // namespace vipcare::store
