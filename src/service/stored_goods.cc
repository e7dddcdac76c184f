#include "service/stored_goods.h"

#include <fmt/format.h>

#include <limits>
#include <optional>
#include <string>
#include <unordered_map>

#include "service/access.h"
#include "service/audit.h"
#include "service/loyalty_core.h"

namespace vipcare::service {
namespace {

using json = nlohmann::json;
using loyalty_core::IntField;
using loyalty_core::OnlyFields;
using loyalty_core::TextField;
using Goods = store::CareRepository::StoredGoodsRecord;

constexpr int64_t kMaxId = std::numeric_limits<int64_t>::max();

bool ClosedFile(const domain::Member& m) {
  return m.status == domain::MemberStatus::kErased || m.status == domain::MemberStatus::kMerged ||
         m.status == domain::MemberStatus::kClosed;
}

Error ForbiddenOn(std::string field, std::string message) {
  Error e = Error::Forbidden(std::move(message));
  e.field = std::move(field);
  return e;
}

// Whether `actor` may keep or hand over goods at `store` (in region
// `region`): associates and managers at their own store, a supervisor in
// their region, an admin anywhere; the call centre keeps no goods.
bool StoreInReach(const Actor& actor, StoreId store, RegionId region) {
  switch (actor.role) {
    case domain::Role::kAdmin:
      return true;
    case domain::Role::kAssociate:
    case domain::Role::kStoreManager:
      return actor.store_id && actor.store_id == store;
    case domain::Role::kRegionalSupervisor:
      return actor.region_id && actor.region_id == region;
    default:
      return false;
  }
}

bool Blank(const std::string& s) {
  return s.find_first_not_of(" \t\r\n") == std::string::npos;
}

// The request body of Store, checked without the database.
struct GoodsInput {
  std::string description;
  int64_t quantity = 1;
  int64_t transaction_id = 0;
  std::optional<Date> pickup_by;
  StoreId store_id;
};

Result<GoodsInput> ParseGoods(const json& body, Date today) {
  VIPCARE_TRY(OnlyFields(body, {"description", "quantity", "transaction_id", "pickup_by", "store_id"},
                         "stored goods"));
  GoodsInput in;
  auto description = TextField(body, "description", StoredGoods::kMaxDescriptionBytes, true);
  if (!description.ok()) return description.error();
  if (Blank(*description)) return Error::Invalid("description", "请填写寄存商品的名称和件数");
  in.description = *description;
  auto quantity = IntField(body, "quantity", 1, StoredGoods::kMaxQuantity, std::nullopt);
  if (!quantity.ok()) return quantity.error();
  in.quantity = *quantity;
  auto transaction = IntField(body, "transaction_id", 1, kMaxId, int64_t(0));
  if (!transaction.ok()) return transaction.error();
  in.transaction_id = *transaction;
  auto pickup = TextField(body, "pickup_by", 10, false);
  if (!pickup.ok()) return pickup.error();
  if (!pickup->empty()) {
    auto d = Date::Parse(*pickup);
    if (!d) return Error::Invalid("pickup_by", "must be a date YYYY-MM-DD");
    if (*d < today) return Error::Invalid("pickup_by", "领取期限不能早于今天");
    in.pickup_by = d;
  }
  auto store = IntField(body, "store_id", 1, kMaxId, int64_t(0));
  if (!store.ok()) return store.error();
  in.store_id = StoreId(*store);
  return in;
}

json GoodsJson(const Goods& g, const std::string& store_name, Date today) {
  const bool collected = g.collected_on.has_value();
  return {{"id", g.id},
          {"member_id", g.member_id.value},
          {"store_id", g.store_id.value},
          {"store_name", store_name},
          {"description", g.description},
          {"quantity", g.quantity},
          {"transaction_id", g.transaction_id ? json(g.transaction_id) : json(nullptr)},
          {"stored_on", g.stored_on.ToString()},
          {"pickup_by", g.pickup_by ? json(g.pickup_by->ToString()) : json(nullptr)},
          {"collected_on", collected ? json(g.collected_on->ToString()) : json(nullptr)},
          {"collected_by", g.collected_by ? json(g.collected_by.value) : json(nullptr)},
          {"status", collected ? "collected" : "stored"},
          {"overdue", !collected && g.pickup_by && *g.pickup_by < today},
          {"created_at", FormatTimestamp(g.created_at)}};
}

std::string StoreName(store::Repository& repo, StoreId id) {
  auto s = repo.GetStore(id);
  return s ? s->name : "";
}

}  // namespace

Result<json> StoredGoods::Store(const Actor& actor, MemberId member, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberWrite));
  const Timestamp now = env_.clock.Now();
  const Date today = env_.Today();
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    // The member's scope first, so nobody learns from validation what a
    // member outside it would accept.
    auto m = MemberInScope(repo, actor, member, now, "member_id");
    if (!m.ok()) return m.error();
    auto in = ParseGoods(body, today);
    if (!in.ok()) return in.error();
    if (ClosedFile(*m)) {
      return Error::Unprocessable("该会员档案已关闭、合并或注销，不能登记寄存商品", "member_id");
    }
    StoreId store = in->store_id;
    if (in->transaction_id) {
      auto t = repo.loyalty().GetTransaction(in->transaction_id);
      if (!t) return Error::NotFound("no sale has that id", "transaction_id");
      if (t->member_id != member) {
        return Error::Unprocessable("这笔消费不是该会员的", "transaction_id");
      }
      if (t->kind != "sale") return Error::Unprocessable("退货单不能寄存商品", "transaction_id");
      if (!store && actor.role != domain::Role::kAssociate &&
          actor.role != domain::Role::kStoreManager) {
        store = t->store_id;
      }
    }
    if (!store) {
      const bool store_bound = actor.role == domain::Role::kAssociate ||
                               actor.role == domain::Role::kStoreManager;
      store = store_bound ? actor.store_id : m->home_store_id;
    }
    auto s = repo.GetStore(store);
    if (!s) return Error::NotFound("no store has that id", "store_id");
    if (!StoreInReach(actor, s->id, s->region_id)) {
      return ForbiddenOn("store_id", "只能在本人所在门店（本片区门店）登记寄存商品");
    }
    if (!s->active) return Error::Unprocessable("该门店已停业", "store_id");
    Goods g;
    g.member_id = member;
    g.store_id = s->id;
    g.description = in->description;
    g.quantity = in->quantity;
    g.transaction_id = in->transaction_id;
    g.stored_on = today;
    g.pickup_by = in->pickup_by;
    g.created_at = now;
    g.created_by = actor.user_id;
    g.id = repo.care().InsertStoredGoods(g);
    RecordAudit(repo, env_, actor, "goods_store", "stored_goods", std::to_string(g.id),
                fmt::format("member={} store={} quantity={}", member.value, g.store_id.value,
                            g.quantity));
    return GoodsJson(g, s->name, today);
  });
}

Result<json> StoredGoods::Collect(const Actor& actor, MemberId member, int64_t goods_id) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberWrite));
  const Timestamp now = env_.clock.Now();
  const Date today = env_.Today();
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto m = MemberInScope(repo, actor, member, now, "member_id");
    if (!m.ok()) return m.error();
    auto g = repo.care().GetStoredGoods(goods_id);
    if (!g || g->member_id != member) {
      return Error::NotFound("该会员没有这件寄存商品", "goods_id");
    }
    auto s = repo.GetStore(g->store_id);
    if (!StoreInReach(actor, g->store_id, s ? s->region_id : RegionId())) {
      return ForbiddenOn("goods_id", "寄存商品在其他门店，只能由该门店办理领取");
    }
    if (!repo.care().MarkCollected(g->id, today, actor.user_id)) {
      return Error::Conflict(
          fmt::format("该寄存商品已于 {} 领取",
                      g->collected_on ? g->collected_on->ToString() : today.ToString()),
          "goods_id");
    }
    g->collected_on = today;
    g->collected_by = actor.user_id;
    RecordAudit(repo, env_, actor, "goods_collect", "stored_goods", std::to_string(g->id),
                fmt::format("member={} store={}", member.value, g->store_id.value));
    return GoodsJson(*g, s ? s->name : "", today);
  });
}

Result<json> StoredGoods::List(const Actor& actor, MemberId member, bool include_collected,
                               store::Page page) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberRead));
  const Timestamp now = env_.clock.Now();
  const Date today = env_.Today();
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto m = MemberInScope(repo, actor, member, now, "member_id");
    if (!m.ok()) return m.error();
    auto goods = repo.care().ListStoredGoods(member, include_collected, page);
    const int64_t awaiting =
        include_collected ? repo.care().ListStoredGoods(member, false, {1, 0}).total
                          : goods.total;
    std::unordered_map<int64_t, std::string> names;
    json out = {{"items", json::array()}, {"total", goods.total}, {"awaiting", awaiting}};
    for (const auto& g : goods.items) {
      auto it = names.find(g.store_id.value);
      if (it == names.end()) it = names.emplace(g.store_id.value, StoreName(repo, g.store_id)).first;
      out["items"].push_back(GoodsJson(g, it->second, today));
    }
    return out;
  });
}

}  // namespace vipcare::service
