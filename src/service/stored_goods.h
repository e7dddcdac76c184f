// src/service/stored_goods.h
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "service/context.h"
#include "store/page.h"

namespace vipcare::service {

// Stored goods (存货领用提醒, SPEC C6): goods a customer bought but left in
// store. While any are awaiting pickup the daily care job reminds the member
// (the `stored_goods` care rule, every N days from the day the oldest was
// stored, keyed `stored_goods:<day stored>:<n>`); marking them collected
// stops the reminders.
//
// Who may act (P2): the member must be in the actor's scope (MemberInScope).
// Goods are kept at a store: associates and store managers store and hand
// over goods at their own store only, a regional supervisor at the stores of
// their region, an admin anywhere; the call centre, which keeps no goods, may
// only list them. Thread-safe.
class StoredGoods {
 public:
  explicit StoredGoods(Env env) : env_(env) {}

  // Records goods left in store by `member` today: {"description" (1-200
  // bytes, "羊绒大衣1件"), "quantity" (1-9999), "transaction_id" (optional:
  // the member's sale they came from), "pickup_by" (optional YYYY-MM-DD, not
  // before today), "store_id" (optional: an associate's or manager's own
  // store; default their store, else the sale's store, else the member's home
  // store)}. Answers the goods (see List's items).
  // kInvalidArgument naming the field; kNotFound on member_id, or on
  // transaction_id/store_id for an unknown one; kForbidden outside the
  // member's scope or for a store outside the actor's (field store_id);
  // kUnprocessable on member_id for a closed, merged or erased file, on
  // transaction_id for a refund or another member's sale. Audited
  // ("goods_store").
  Result<nlohmann::json> Store(const Actor& actor, MemberId member, const nlohmann::json& body);

  // Marks goods `goods_id` of `member` collected today by the actor.
  // kNotFound on member_id, or on goods_id for goods that are not the
  // member's; kForbidden outside the member's scope or at another store;
  // kConflict on goods_id if already collected. Audited ("goods_collect").
  Result<nlohmann::json> Collect(const Actor& actor, MemberId member, int64_t goods_id);

  // The member's goods, awaiting pickup first: {"items": [{"id",
  // "member_id", "store_id", "store_name", "description", "quantity",
  // "transaction_id", "stored_on", "pickup_by", "collected_on",
  // "collected_by", "status" (stored, collected), "overdue" (past pickup_by
  // and not collected), "created_at"}], "total", "awaiting"}; collected goods
  // only if `include_collected`. kNotFound / kForbidden as Collect.
  Result<nlohmann::json> List(const Actor& actor, MemberId member, bool include_collected,
                              store::Page page);

  static constexpr int64_t kMaxQuantity = 9999;
  static constexpr size_t kMaxDescriptionBytes = 200;

 private:
  Env env_;
};

}  // namespace vipcare::service
