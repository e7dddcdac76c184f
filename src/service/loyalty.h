// src/service/loyalty.h
#pragma once
#include <functional>
#include <memory>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "service/context.h"
#include "store/repository.h"

namespace vipcare::service {

// The loyalty engine's use cases (SPEC L1-L9): posting sales, the points
// ledger and tiers. Each posting is one database transaction that writes the
// sale and its lines, the points lot and ledger movement, the member's
// monthly bucket and loyalty state, any tier change with its reason, and the
// audit row. Thread-safe.
class Loyalty {
 public:
  explicit Loyalty(Env env) : env_(env) {}

  // A posted sale or refund. Its answer is the JSON object stored with the
  // transaction, the same on every repeat of the external_id.
  struct Posted {
    std::string result;   // the stored answer, a JSON object without "id"
    int64_t id = 0;       // the transaction's
    bool repeat = false;  // true: this external_id was posted before, nothing changed
    // The answer as the API gives it: {"id": ..., then the stored answer's keys}.
    std::string Text() const;
    nlohmann::json Body() const;  // Text(), parsed
  };

  // Posts a sale (L1) from a till: {"external_id", "store_id", "occurred_at",
  // "lines": [{"sku", "category", "brand", "quantity", "list_price_fen",
  // "paid_fen", "promo"}], optional "member_id" or "card_no", "associate_id",
  // "payment_method"}. A member's sale earns points by the company's program
  // (L3), updates the monthly bucket and may raise the tier at once or queue
  // it for the store manager (L6). The same external_id again answers the
  // first result and changes nothing; with a different body it is kConflict
  // on "external_id". Bad input is kInvalidArgument naming the field; a store
  // outside the actor's reach is kForbidden.
  // A body with "kind": "refund" is a refund (see PostRefund).
  Result<Posted> PostSale(const Actor& actor, const nlohmann::json& body);
  // PostSale in its two steps. ReadSale checks the body, hashes it and reads
  // the member's plain columns (Repository::GetMemberPlain) in a read
  // transaction of its own, i.e. outside the serial part of the group commit
  // (Store::Write). PostReadSale then posts the sale, using what was read only
  // while the member's version is still the one read (else it reads again),
  // so its answer and rows are the ones PostSale of the same body would give
  // at that moment. PostSale is the two together; they are public for tests
  // of a file changed in between.
  struct SaleRead;
  Result<std::shared_ptr<const SaleRead>> ReadSale(const Actor& actor,
                                                   const nlohmann::json& body);
  Result<Posted> PostReadSale(const Actor& actor, const SaleRead& read);
  // PostSale for a caller that must not block (the HTTP server): the sale is
  // read on the calling thread, then written by the store's writer without
  // waiting for it (Store::WriteThen). `done(get)` runs once: on the writer
  // thread after the commit, or at once on the calling thread if the sale
  // fails before its write (bad body, a store out of reach) or is a refund
  // (posted by PostSale, waiting). `get()`
  // answers what PostSale would, or throws what it would; call it once, on
  // the thread that should do the rest of the work.
  using PostedThen = std::function<void(std::function<Result<Posted>()> get)>;
  void PostSaleThen(const Actor& actor, const nlohmann::json& body, PostedThen done);
  // PostSale and PostRefund inside the caller's transaction (a batch of
  // imported sales); a body with "kind": "refund" goes to PostRefundIn.
  Result<Posted> PostSaleIn(store::Repository& repo, const Actor& actor,
                            const nlohmann::json& body);

  // Posts a full or partial refund of a posted sale (L1, L2): {"kind":
  // "refund", "external_id", "original_external_id", "store_id",
  // "occurred_at", "lines": [{"line_no", "paid_fen"}]} where paid_fen is the
  // amount given back for that line of the sale. The points the refunded part
  // earned are taken back (from the sale's own lot first, then oldest first;
  // what was already spent leaves the balance negative, which blocks
  // redemption), the sale's month loses the refunded spend, and the tier is
  // left to the scheduled review (L7: never a silent downgrade). Refunds
  // beyond what a line paid are kInvalidArgument on "lines[i].paid_fen".
  // Idempotent on external_id like a sale.
  Result<Posted> PostRefund(const Actor& actor, const nlohmann::json& body);
  Result<Posted> PostRefundIn(store::Repository& repo, const Actor& actor,
                              const nlohmann::json& body);

  // The member's points and tier: balance, growth value, tier with its
  // progress to the next one, open lots and one page of the ledger and of
  // the tier history. Scope as for the member file (P2).
  Result<nlohmann::json> MemberPoints(const Actor& actor, MemberId member, store::Page page);

  // L6 "店长操作": the members of the actor's store (region for a supervisor,
  // all for an admin) whose next tier waits for approval, with the reason it
  // was queued. Needs member_admin.
  Result<nlohmann::json> PendingApprovals(const Actor& actor, store::Page page);

  // Approves or rejects a member's queued tier, with the manager's reason
  // (required, audited, kept in the tier history). Approval raises the
  // member to the queued tier from today. kUnprocessable on "member_id" if
  // nothing is queued; scope as for the member file.
  Result<nlohmann::json> DecideApproval(const Actor& actor, MemberId member, bool approve,
                                        const std::string& reason);
  // The same decision with one reason for several members at once (a store
  // manager working the queue page by page): all or none; an error names the
  // member's place, "member_ids[2]".
  static constexpr size_t kMaxDecisions = 200;
  Result<nlohmann::json> DecideApprovals(const Actor& actor, const std::vector<MemberId>& members,
                                         bool approve, const std::string& reason);

  // L8 benefits quote for a till: {"member_id" or "card_no" (optional: a
  // non-member pays list prices), "id_checked" (the clerk saw the ID card,
  // for a birthday discount that needs it), "lines": [{"sku", "category",
  // "brand", "quantity", "list_price_fen", "member_price_fen", "promo"}]}.
  // Answers each line's price with the single benefit applied and why, the
  // totals, the points the sale would earn, the tier's other perks and
  // notes. Needs sale_post (any member, like posting a sale). Bad input is
  // kInvalidArgument naming the field; changes nothing.
  Result<nlohmann::json> Quote(const Actor& actor, const nlohmann::json& body);

  // One page of a member's sales and refunds, newest first, with their
  // lines (the 360 page's purchases tab). Scope as for the member file (P2).
  Result<nlohmann::json> MemberTransactions(const Actor& actor, MemberId member,
                                            store::Page page);

  // The company's program: the stored one chosen by the company, else the
  // department-store preset of SPEC §10.
  Result<nlohmann::json> CurrentProgram(const Actor& actor);

 private:
  Result<Posted> PostSaleWith(store::Repository& repo, const Actor& actor, const SaleRead& read);

  Env env_;
};

}  // namespace vipcare::service
