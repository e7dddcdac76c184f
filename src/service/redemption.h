// src/service/redemption.h
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/points.h"
#include "domain/program.h"
#include "service/context.h"
#include "store/repository.h"

namespace vipcare::service {

// The spending side of the loyalty engine: the gift catalogue, redeeming
// points for gifts and cash vouchers (现金券) and the automatic cash-back
// (SPEC L5), and points adjustments with a reason and a second person's
// approval (L2). Every use case that changes data is one database
// transaction with its audit row. A redemption is irreversible: there is no
// cancel and points never come back (L5 不可取消). Thread-safe.
//
// Errors (HTTP status in brackets): kInvalidArgument (400) names the bad
// request field; kNotFound (404); kForbidden (403) for a missing permission
// or a member outside the actor's scope (P2); kConflict (409) when the
// member's points changed at the same moment (the till retries) or a gift
// code is taken; kUnprocessable (422) when the request is well-formed but the
// state forbids it (points or stock short, voucher used, decided twice).
//
// JSON shapes used below:
//   Gift       {"id", "code", "name", "description", "points_price", "stock", "active"}
//   Voucher    {"id", "code", "value_fen", "min_spend_fen", "valid_from", "valid_to"
//               (days "YYYY-MM-DD", both inclusive), "source" ("redeem"|"cashback"),
//               "status" ("usable"|"used"|"expired"|"not_yet_valid", on today),
//               "used_at" (RFC 3339 or null), "used_transaction_id" (or null),
//               "created_at"}
//   Adjustment {"id", "member": {"id", "member_no", "name"}, "points", "reason",
//               "status" ("pending"|"approved"|"rejected"),
//               "requested_by": {"id", "username"}, "requested_at",
//               "decided_by": {"id", "username"} or null, "decided_at" or null,
//               "decision_reason"}
// A list answers {"items": [...], "total": n}; `page.limit` must be 1-200
// (kInvalidArgument on "limit").
class Redemption {
 public:
  explicit Redemption(Env env) : env_(env) {}

  // ---- Gift catalogue (L5) ----

  // One page of the catalogue by code: active gifts for anyone with
  // sale_post or program_admin; inactive ones too when `include_inactive`
  // and the actor has program_admin (kForbidden otherwise).
  Result<nlohmann::json> ListGifts(const Actor& actor, bool include_inactive, store::Page page);

  // Adds a gift: {"code" (1-32 of A-Z a-z 0-9 - _), "name" (1-100 bytes),
  // "description" (optional, <= 500 bytes), "points_price" (1-100,000,000),
  // "stock" (0-1,000,000,000), "active" (optional bool, default true)}.
  // Needs program_admin. Answers the Gift (201). A code already in the
  // catalogue is kConflict on "code". Audited "gift_create".
  Result<nlohmann::json> CreateGift(const Actor& actor, const nlohmann::json& body);

  // Changes a gift: any subset of the CreateGift fields; "stock" sets the
  // counted stock. Needs program_admin. Answers the Gift. kNotFound on "id";
  // kConflict on "code". Audited "gift_update".
  Result<nlohmann::json> UpdateGift(const Actor& actor, int64_t id, const nlohmann::json& body);

  // ---- Redeeming (L5) ----

  // Redeems points for a gift at a till: {"gift_id", "quantity" (1-100,
  // default 1), "store_id"}. Needs sale_post at that store (kForbidden on
  // "store_id" elsewhere) and the member in the actor's scope. The stock is
  // taken in one conditional statement, so concurrent redemptions never take
  // more than there is (kUnprocessable on "quantity": "礼品库存不足：剩余 N
  // 件"); points are spent oldest lot first; a short or negative balance is
  // kUnprocessable on "points". An inactive gift is kUnprocessable on
  // "gift_id", an unknown one kInvalidArgument on "gift_id"; a closed, merged
  // or erased member kUnprocessable on "member_id"; kNotFound if no member has
  // the id. kConflict when the member's points changed meanwhile: retry.
  // Answers (201) {"id", "member_id", "kind": "gift", "gift": {"id", "code",
  // "name"}, "quantity", "points", "points_balance", "store_id", "at"}.
  // Audited "redeem_gift".
  Result<nlohmann::json> RedeemGift(const Actor& actor, MemberId member,
                                    const nlohmann::json& body);

  // Turns points into one cash voucher at the program's cash-back rate
  // (每满 every_points 分返 voucher_fen): {"value_fen", "store_id"}; value_fen
  // must be a positive multiple of the program's voucher value, at most 100
  // of them (kInvalidArgument on "value_fen"), and costs value_fen /
  // voucher_fen * every_points points. The voucher's minimum spend and
  // validity (from today, valid_days days) come from the program. A program
  // without cash-back is kUnprocessable on "value_fen". Same permission,
  // scope, points and retry rules as RedeemGift. Answers (201) {"id",
  // "member_id", "kind": "voucher", "voucher": Voucher, "points",
  // "points_balance", "store_id", "at"}. Audited "redeem_voucher".
  Result<nlohmann::json> RedeemVoucher(const Actor& actor, MemberId member,
                                       const nlohmann::json& body);

  // One page of the member's vouchers, newest first, each with its status on
  // today. Needs member_read and the member in scope (a call-centre account
  // through an active grant).
  Result<nlohmann::json> ListMemberVouchers(const Actor& actor, MemberId member, store::Page page);

  // ---- Adjustments (L2: with reason and approver) ----

  // Asks for a correction of the member's points: {"points" (non-zero,
  // |points| <= 1,000,000), "reason" (1-200 bytes)}. Needs member_write and
  // the member in scope. A deduction larger than the member's balance is
  // kUnprocessable on "points" (积分不足). Nothing moves until someone else
  // approves it. Answers the Adjustment (201, status "pending"). Audited
  // "points_adjust_request".
  Result<nlohmann::json> RequestAdjustment(const Actor& actor, MemberId member,
                                           const nlohmann::json& body);

  // One page of adjustment requests, newest first; `status` "" for all or
  // "pending" / "approved" / "rejected" (kInvalidArgument on "status").
  // Needs member_admin: a store manager sees their store's members'
  // requests, a supervisor their region's, an admin all.
  Result<nlohmann::json> ListAdjustments(const Actor& actor, const std::string& status,
                                         store::Page page);

  // Approves or rejects a pending request with the decider's `reason`
  // (required to reject, optional to approve; <= 200 bytes, kInvalidArgument
  // on "reason"). Needs member_admin and the member in scope; the decider
  // must be another account than the requester (four eyes: kForbidden on
  // "approver"). Approval credits a positive adjustment as a new lot (source
  // "adjust", not growth value) or takes a negative one oldest lot first
  // (kUnprocessable on "points" if the balance no longer covers it; the
  // request stays pending); the ledger row (kind "adjust") carries the
  // request's reason and the approver. kNotFound on "id"; a request decided
  // already is kUnprocessable on "status"; kConflict when the member's points
  // changed meanwhile. Answers the Adjustment plus "points_balance" (the
  // member's balance after it). Audited "points_adjust_approve" /
  // "points_adjust_reject".
  Result<nlohmann::json> DecideAdjustment(const Actor& actor, int64_t id, bool approve,
                                          const std::string& reason);

 private:
  Env env_;
};

// ---- Inside another use case's transaction ----

// Uses the cash vouchers `codes` on a member's sale (call after the sale's
// transactions row is inserted: `transaction_id` is its id, or 0 for none).
// Each code must belong to `member` (kInvalidArgument on "voucher_codes[i]"
// otherwise, without saying whose it is), be unused (kUnprocessable
// "voucher_codes[i]", also when a concurrent sale used it first), be valid on
// `day` (kUnprocessable: expired / not yet valid), and `paid_total` must
// reach its minimum spend (kUnprocessable). A code listed twice is
// kInvalidArgument; more than 20 codes is kInvalidArgument on
// "voucher_codes". Marks them used (used_at = `now`, used_transaction_id).
// On an error the caller must roll back its transaction: vouchers checked
// before the bad one may already be marked.
Status UseVouchers(store::Repository& repo, MemberId member, const std::vector<std::string>& codes,
                   Fen paid_total, Date day, int64_t transaction_id, Timestamp now);

// L5 "每满XX分返XX元": turns as many whole `every_points` of the member's
// usable balance as there are into vouchers of the program's voucher value
// (source "cashback", one redemption row and one "cashback" ledger movement
// each, minimum spend and validity from the program, valid from `today`) and
// answers their codes (empty when the program has no cash-back or the
// balance is short). The caller decides when (after a sale, if
// program.redemption.cash_back->automatic) and saves `state` afterwards.
// `store` is recorded on the redemption rows when given. Audited
// "cashback_issue" when vouchers are issued.
Result<std::vector<std::string>> IssueCashBack(store::Repository& repo, const Env& env,
                                               const Actor& actor, store::LoyaltyState& state,
                                               const domain::Program& program, Date today,
                                               StoreId store = {});

// One voucher of an automatic cash-back as IssueCashBack makes it, not yet
// stored: the voucher (code given), its redemption row and the "cashback"
// ledger movement that pays for it. The redemption's voucher_id and the
// movement's redemption_id are for the caller to set once the rows have ids;
// the movement's member, points and balance after once every_points of the
// member's lots are spent.
struct CashBackRows {
  store::VoucherRecord voucher;
  store::RedemptionRecord redemption;
  store::LedgerEntry movement;
};
CashBackRows CashBackRowsOf(const Actor& actor, const domain::Program& program, MemberId member,
                            std::string code, Date today, StoreId store, Timestamp now);
// A fresh voucher code ("V" and 10 random digits), not looked up.
std::string NewVoucherCode();
// The detail of the "cashback_issue" audit row of an issue.
std::string CashBackAuditDetail(const domain::CashBackPlan& plan);

}  // namespace vipcare::service
