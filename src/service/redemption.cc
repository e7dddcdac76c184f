#include "service/redemption.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <set>
#include <stdexcept>

#include "domain/points.h"
#include "service/access.h"
#include "service/audit.h"
#include "service/loyalty_core.h"

namespace vipcare::service {

// "V" and 10 random digits (libsodium's generator, unbiased per half), not
// guessable from earlier codes.
std::string NewVoucherCode() {
  return fmt::format("V{:05}{:05}", randombytes_uniform(100000), randombytes_uniform(100000));
}

namespace {

using nlohmann::json;
using namespace loyalty_core;

constexpr int64_t kMaxPointsPrice = 100'000'000;
constexpr int64_t kMaxStock = 1'000'000'000;
constexpr int64_t kMaxQuantity = 100;
constexpr int64_t kMaxVoucherUnits = 100;
constexpr int64_t kMaxAdjustment = 1'000'000;
constexpr size_t kMaxGiftCode = 32;
constexpr size_t kMaxGiftName = 100;
constexpr size_t kMaxGiftDescription = 500;
constexpr size_t kMaxReason = 200;
constexpr size_t kMaxVoucherCodes = 20;
constexpr int64_t kMaxPageLimit = 200;
// Fresh voucher codes tried before giving up; with 10^10 codes a second try
// is already rare.
constexpr int kVoucherCodeAttempts = 8;
constexpr const char* kCodeTaken = "礼品编码已存在";

Status CheckPage(store::Page page) {
  if (page.limit < 1 || page.limit > kMaxPageLimit) {
    return Error::Invalid("limit", fmt::format("must be between 1 and {}", kMaxPageLimit));
  }
  if (page.offset < 0) return Error::Invalid("offset", "must not be negative");
  return OkStatus();
}

// Runs a write transaction; a duplicate key becomes kConflict on
// `unique_field`, and a transaction the engine aborted to resolve a clash
// (deadlock, busy) becomes kConflict asking to retry. On PostgreSQL the failed
// transaction has been rolled back by the Store before this sees the error.
template <class F>
auto GuardedWrite(store::Store& store, const char* unique_field, const char* unique_message,
                  F&& fn) -> decltype(store.Write(fn)) {
  try {
    return store.Write(std::forward<F>(fn));
  } catch (const store::DbError& e) {
    if (e.kind() == store::DbError::Kind::kUniqueViolation && unique_field != nullptr) {
      return Error::Conflict(unique_message, unique_field);
    }
    if (e.kind() == store::DbError::Kind::kSerialization) {
      return Error::Conflict("系统繁忙，本次操作未生效，请重试");
    }
    throw;
  }
}

Error PointsChangedMeanwhile() {
  return Error::Conflict("该会员的积分刚被其他操作修改，本次操作未生效，请重试", "member_id");
}

json GiftJson(const store::GiftRecord& g) {
  return {{"id", g.id},
          {"code", g.code},
          {"name", g.name},
          {"description", g.description},
          {"points_price", g.points_price.value},
          {"stock", g.stock},
          {"active", g.active}};
}

std::string VoucherStatus(const store::VoucherRecord& v, Date today) {
  if (v.used_at) return "used";
  if (today > v.valid_to) return "expired";
  if (today < v.valid_from) return "not_yet_valid";
  return "usable";
}

json VoucherJson(const store::VoucherRecord& v, Date today) {
  return {{"id", v.id},
          {"code", v.code},
          {"value_fen", v.value.value},
          {"min_spend_fen", v.min_spend.value},
          {"valid_from", v.valid_from.ToString()},
          {"valid_to", v.valid_to.ToString()},
          {"source", v.source},
          {"status", VoucherStatus(v, today)},
          {"used_at", v.used_at ? json(FormatTimestamp(*v.used_at)) : json(nullptr)},
          {"used_transaction_id",
           v.used_transaction_id ? json(v.used_transaction_id) : json(nullptr)},
          {"created_at", FormatTimestamp(v.created_at)}};
}

json UserJson(store::Repository& repo, UserId id) {
  if (!id) return nullptr;
  auto u = repo.GetUser(id);
  return {{"id", id.value}, {"username", u ? u->username : ""}};
}

json AdjustmentJson(store::Repository& repo, const store::AdjustmentRecord& a) {
  json member = {{"id", a.member_id.value}, {"member_no", ""}, {"name", ""}};
  if (auto m = repo.GetMember(a.member_id)) {
    member["member_no"] = m->member_no;
    member["name"] = m->name;
  }
  return {{"id", a.id},
          {"member", member},
          {"points", a.points.value},
          {"reason", a.reason},
          {"status", a.status},
          {"requested_by", UserJson(repo, a.requested_by)},
          {"requested_at", FormatTimestamp(a.requested_at)},
          {"decided_by", UserJson(repo, a.decided_by)},
          {"decided_at", a.decided_at ? json(FormatTimestamp(*a.decided_at)) : json(nullptr)},
          {"decision_reason", a.decision_reason}};
}

std::string UniqueVoucherCode(store::RewardsRepository& r) {
  for (int i = 0; i < kVoucherCodeAttempts; ++i) {
    std::string code = NewVoucherCode();
    if (!r.FindVoucherByCode(code)) return code;
  }
  throw std::runtime_error("could not find a free voucher code; the code space is exhausted");
}


// Closed, merged and erased files hold no points to spend or correct; a
// suspended membership may not redeem either.
Status CheckMemberActive(const domain::Member& m, bool redeeming) {
  using domain::MemberStatus;
  if (m.status == MemberStatus::kClosed || m.status == MemberStatus::kMerged ||
      m.status == MemberStatus::kErased) {
    return Error::Unprocessable("该会员档案已关闭、合并或注销", "member_id");
  }
  if (redeeming && m.status == MemberStatus::kSuspended) {
    return Error::Unprocessable("该会员资格已暂停，不能兑换", "member_id");
  }
  return OkStatus();
}

bool IsGiftCodeChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_';
}

// Applies the fields present in `body` to `g`; on create, code, name,
// points_price and stock are required.
Status ApplyGiftFields(const json& body, store::GiftRecord& g, bool creating) {
  VIPCARE_TRY(OnlyFields(body, {"code", "name", "description", "points_price", "stock", "active"},
                         "a gift"));
  const auto present = [&](const char* f) {
    auto it = body.find(f);
    return creating || (it != body.end() && !it->is_null());
  };
  if (present("code")) {
    auto code = TextField(body, "code", kMaxGiftCode, true);
    if (!code.ok()) return code.error();
    if (!std::all_of(code->begin(), code->end(), IsGiftCodeChar)) {
      return Error::Invalid("code", "may hold only letters, digits, - and _");
    }
    g.code = *code;
  }
  if (present("name")) {
    auto name = TextField(body, "name", kMaxGiftName, true);
    if (!name.ok()) return name.error();
    g.name = *name;
  }
  if (body.contains("description")) {
    auto d = TextField(body, "description", kMaxGiftDescription, false);
    if (!d.ok()) return d.error();
    g.description = *d;
  }
  if (present("points_price")) {
    auto price = IntField(body, "points_price", 1, kMaxPointsPrice, std::nullopt);
    if (!price.ok()) return price.error();
    g.points_price = Points(*price);
  }
  if (present("stock")) {
    auto stock = IntField(body, "stock", 0, kMaxStock, std::nullopt);
    if (!stock.ok()) return stock.error();
    g.stock = *stock;
  }
  if (auto it = body.find("active"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return Error::Invalid("active", "must be true or false");
    g.active = it->get<bool>();
  }
  return OkStatus();
}

store::LedgerEntry Movement(Timestamp at, std::string kind, std::string reason, UserId by) {
  store::LedgerEntry e;
  e.at = at;
  e.kind = std::move(kind);
  e.reason = std::move(reason);
  e.created_by = by;
  return e;
}

// A voucher of `value` with `code` from the program's voucher rules, valid
// from `today`, not stored.
store::VoucherRecord VoucherOf(const domain::Program& program, MemberId member, Fen value,
                               std::string code, const std::string& source, Date today,
                               Timestamp now, UserId by) {
  store::VoucherRecord v;
  v.code = std::move(code);
  v.member_id = member;
  v.value = value;
  v.min_spend = program.redemption.voucher.min_spend;
  v.valid_from = today;
  v.valid_to = today.AddDays(std::max(1, program.redemption.voucher.valid_days) - 1);
  v.source = source;
  v.created_at = now;
  v.created_by = by;
  return v;
}

// VoucherOf with a code no voucher has, stored.
store::VoucherRecord NewVoucher(store::RewardsRepository& r, const domain::Program& program,
                                MemberId member, Fen value, const std::string& source, Date today,
                                Timestamp now, UserId by) {
  store::VoucherRecord v =
      VoucherOf(program, member, value, UniqueVoucherCode(r), source, today, now, by);
  r.InsertVoucher(v);
  return v;
}

struct RedeemRequest {
  int64_t gift_id = 0;
  int64_t quantity = 1;
  Fen value;
  StoreId store_id;
};

}  // namespace

// ---- Gift catalogue ----

Result<json> Redemption::ListGifts(const Actor& actor, bool include_inactive, store::Page page) {
  const bool admin = RoleHas(actor.role, Permission::kProgramAdmin);
  if (!admin && !RoleHas(actor.role, Permission::kSalePost)) {
    return Error::Forbidden("your role may not do this (needs sale_post or program_admin)");
  }
  if (include_inactive && !admin) {
    Error e = Error::Forbidden("only program admins see gifts taken off the catalogue");
    e.field = "include_inactive";
    return e;
  }
  VIPCARE_TRY(CheckPage(page));
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto gifts = repo.rewards().ListGifts(include_inactive, page);
    json items = json::array();
    for (const auto& g : gifts.items) items.push_back(GiftJson(g));
    return json{{"items", items}, {"total", gifts.total}};
  });
}

Result<json> Redemption::CreateGift(const Actor& actor, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  store::GiftRecord g;
  VIPCARE_TRY(ApplyGiftFields(body, g, true));
  return GuardedWrite(env_.store, "code", kCodeTaken, [&](store::Repository& repo) -> Result<json> {
    auto& r = repo.rewards();
    if (r.FindGiftByCode(g.code)) return Error::Conflict(kCodeTaken, "code");
    r.InsertGift(g);
    RecordAudit(repo, env_, actor, "gift_create", "gift", std::to_string(g.id),
                fmt::format("code={} points_price={} stock={}", g.code, g.points_price.value,
                            g.stock));
    return GiftJson(g);
  });
}

Result<json> Redemption::UpdateGift(const Actor& actor, int64_t id, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  {
    store::GiftRecord scratch;  // checks the body before touching the database
    VIPCARE_TRY(ApplyGiftFields(body, scratch, false));
  }
  return GuardedWrite(env_.store, "code", kCodeTaken, [&](store::Repository& repo) -> Result<json> {
    auto& r = repo.rewards();
    auto g = r.GetGift(id);
    if (!g) return Error::NotFound("no gift has that id", "id");
    const std::string old_code = g->code;
    VIPCARE_TRY(ApplyGiftFields(body, *g, false));
    if (g->code != old_code) {
      if (auto other = r.FindGiftByCode(g->code); other && other->id != id) {
        return Error::Conflict(kCodeTaken, "code");
      }
    }
    r.UpdateGift(*g);
    RecordAudit(repo, env_, actor, "gift_update", "gift", std::to_string(id),
                fmt::format("code={} points_price={} stock={} active={}", g->code,
                            g->points_price.value, g->stock, g->active ? 1 : 0));
    return GiftJson(*g);
  });
}

// ---- Redeeming ----

Result<json> Redemption::RedeemGift(const Actor& actor, MemberId member, const json& body) {
  VIPCARE_TRY(OnlyFields(body, {"gift_id", "quantity", "store_id"}, "a gift redemption"));
  RedeemRequest req;
  auto gift_id = IntField(body, "gift_id", 1, INT64_MAX, std::nullopt);
  if (!gift_id.ok()) return gift_id.error();
  auto quantity = IntField(body, "quantity", 1, kMaxQuantity, 1);
  if (!quantity.ok()) return quantity.error();
  auto store = IntField(body, "store_id", 1, INT64_MAX, std::nullopt);
  if (!store.ok()) return store.error();
  req.gift_id = *gift_id;
  req.quantity = *quantity;
  req.store_id = StoreId(*store);
  VIPCARE_TRY(CheckSaleStore(actor, req.store_id));
  const Timestamp now = env_.clock.Now();
  const Date today = env_.Today();
  return GuardedWrite(env_.store, nullptr, "", [&](store::Repository& repo) -> Result<json> {
    auto m = MemberInScope(repo, actor, member, env_.clock.Now(), "member_id");
    if (!m.ok()) return m.error();
    VIPCARE_TRY(CheckMemberActive(*m, true));
    if (!repo.GetStore(req.store_id)) return Error::Invalid("store_id", "no store has that id");
    auto& r = repo.rewards();
    auto gift = r.GetGift(req.gift_id);
    if (!gift) return Error::Invalid("gift_id", "no gift has that id");
    if (!gift->active) return Error::Unprocessable("该礼品已下架，不能兑换", "gift_id");
    const Points cost(gift->points_price.value * req.quantity);

    if (!r.TakeGiftStock(gift->id, req.quantity)) {
      // Re-read: on PostgreSQL this sees what the redemption that won committed.
      auto now_gift = r.GetGift(gift->id);
      if (now_gift && !now_gift->active) {
        return Error::Unprocessable("该礼品已下架，不能兑换", "gift_id");
      }
      return Error::Unprocessable(
          fmt::format("礼品库存不足：剩余 {} 件", now_gift ? now_gift->stock : 0), "quantity");
    }
    // The state is read after the stock is taken: two redemptions of one
    // gift by one member then queue on the gift row instead of conflicting.
    auto& l = repo.loyalty();
    store::LoyaltyState state = StateOf(l, member);
    const domain::Program program = ProgramOf(l, state);
    store::RedemptionRecord rec;
    rec.member_id = member;
    rec.kind = "gift";
    rec.gift_id = gift->id;
    rec.quantity = req.quantity;
    rec.points = cost;
    rec.store_id = req.store_id;
    rec.at = now;
    rec.created_by = actor.user_id;
    r.InsertRedemption(rec);
    store::LedgerEntry move = Movement(
        now, "redeem", fmt::format("兑换礼品 {} ×{}", gift->name, req.quantity), actor.user_id);
    move.redemption_id = rec.id;
    VIPCARE_TRY(SpendPoints(l, state, cost, today, move));
    if (!l.SaveLoyaltyState(state)) return PointsChangedMeanwhile();
    RecordAudit(repo, env_, actor, "redeem_gift", "redemption", std::to_string(rec.id),
                fmt::format("member={} gift={} quantity={} points={}", member.value, gift->id,
                            req.quantity, cost.value));
    return json{{"id", rec.id},
                {"member_id", member.value},
                {"kind", "gift"},
                {"gift", {{"id", gift->id}, {"code", gift->code}, {"name", gift->name}}},
                {"quantity", req.quantity},
                {"points", cost.value},
                {"points_balance", state.points_balance.value},
                {"store_id", req.store_id.value},
                {"at", FormatTimestamp(now)}};
  });
}

Result<json> Redemption::RedeemVoucher(const Actor& actor, MemberId member, const json& body) {
  VIPCARE_TRY(OnlyFields(body, {"value_fen", "store_id"}, "a voucher redemption"));
  auto value = IntField(body, "value_fen", 1, INT64_MAX, std::nullopt);
  if (!value.ok()) return value.error();
  auto store = IntField(body, "store_id", 1, INT64_MAX, std::nullopt);
  if (!store.ok()) return store.error();
  const StoreId store_id(*store);
  VIPCARE_TRY(CheckSaleStore(actor, store_id));
  const Timestamp now = env_.clock.Now();
  const Date today = env_.Today();
  return GuardedWrite(env_.store, nullptr, "", [&](store::Repository& repo) -> Result<json> {
    auto m = MemberInScope(repo, actor, member, env_.clock.Now(), "member_id");
    if (!m.ok()) return m.error();
    VIPCARE_TRY(CheckMemberActive(*m, true));
    if (!repo.GetStore(store_id)) return Error::Invalid("store_id", "no store has that id");
    auto& l = repo.loyalty();
    store::LoyaltyState state = StateOf(l, member);
    const domain::Program program = ProgramOf(l, state);
    const auto& cb = program.redemption.cash_back;
    if (!cb || cb->voucher.value <= 0 || cb->every_points.value <= 0) {
      return Error::Unprocessable("本积分方案没有积分兑换现金券", "value_fen");
    }
    const int64_t units = *value / cb->voucher.value;
    if (*value % cb->voucher.value != 0 || units > kMaxVoucherUnits) {
      return Error::Invalid("value_fen",
                            fmt::format("must be a multiple of {} fen, at most {} fen",
                                        cb->voucher.value, cb->voucher.value * kMaxVoucherUnits));
    }
    const Points cost(units * cb->every_points.value);
    auto& r = repo.rewards();
    store::VoucherRecord v =
        NewVoucher(r, program, member, Fen(*value), "redeem", today, now, actor.user_id);
    store::RedemptionRecord rec;
    rec.member_id = member;
    rec.kind = "voucher";
    rec.points = cost;
    rec.voucher_id = v.id;
    rec.store_id = store_id;
    rec.at = now;
    rec.created_by = actor.user_id;
    r.InsertRedemption(rec);
    store::LedgerEntry move = Movement(
        now, "redeem", fmt::format("兑换现金券 {} 元", FormatYuan(v.value)), actor.user_id);
    move.redemption_id = rec.id;
    VIPCARE_TRY(SpendPoints(l, state, cost, today, move));
    if (!l.SaveLoyaltyState(state)) return PointsChangedMeanwhile();
    RecordAudit(repo, env_, actor, "redeem_voucher", "redemption", std::to_string(rec.id),
                fmt::format("member={} voucher={} value_fen={} points={}", member.value, v.id,
                            v.value.value, cost.value));
    return json{{"id", rec.id},
                {"member_id", member.value},
                {"kind", "voucher"},
                {"voucher", VoucherJson(v, today)},
                {"points", cost.value},
                {"points_balance", state.points_balance.value},
                {"store_id", store_id.value},
                {"at", FormatTimestamp(now)}};
  });
}

Result<json> Redemption::ListMemberVouchers(const Actor& actor, MemberId member,
                                            store::Page page) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberRead));
  VIPCARE_TRY(CheckPage(page));
  const Date today = env_.Today();
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto m = MemberInScope(repo, actor, member, env_.clock.Now(), "member_id");
    if (!m.ok()) return m.error();
    auto vouchers = repo.rewards().ListMemberVouchers(member, page);
    json items = json::array();
    for (const auto& v : vouchers.items) items.push_back(VoucherJson(v, today));
    return json{{"items", items}, {"total", vouchers.total}};
  });
}

// ---- Adjustments ----

Result<json> Redemption::RequestAdjustment(const Actor& actor, MemberId member, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberWrite));
  VIPCARE_TRY(OnlyFields(body, {"points", "reason"}, "a points adjustment"));
  auto points = IntField(body, "points", -kMaxAdjustment, kMaxAdjustment, std::nullopt);
  if (!points.ok()) return points.error();
  if (*points == 0) return Error::Invalid("points", "must not be 0");
  auto reason = TextField(body, "reason", kMaxReason, true);
  if (!reason.ok()) return reason.error();
  const Timestamp now = env_.clock.Now();
  return GuardedWrite(env_.store, nullptr, "", [&](store::Repository& repo) -> Result<json> {
    auto m = MemberInScope(repo, actor, member, env_.clock.Now(), "member_id");
    if (!m.ok()) return m.error();
    VIPCARE_TRY(CheckMemberActive(*m, false));
    if (*points < 0) {
      auto state = repo.loyalty().GetLoyaltyState(member);
      const Points balance = state ? state->points_balance : Points(0);
      if (balance.value < -*points) {
        return Error::Unprocessable(
            fmt::format("积分不足：可用 {} 分，不能扣减 {} 分", balance.value, -*points), "points");
      }
    }
    store::AdjustmentRecord a;
    a.member_id = member;
    a.points = Points(*points);
    a.reason = *reason;
    a.status = "pending";
    a.requested_by = actor.user_id;
    a.requested_at = now;
    repo.rewards().InsertAdjustment(a);
    RecordAudit(repo, env_, actor, "points_adjust_request", "points_adjustment",
                std::to_string(a.id), fmt::format("member={} points={}", member.value, *points));
    return AdjustmentJson(repo, a);
  });
}

Result<json> Redemption::ListAdjustments(const Actor& actor, const std::string& status,
                                         store::Page page) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberAdmin));
  if (!status.empty() && status != "pending" && status != "approved" && status != "rejected") {
    return Error::Invalid("status", "must be pending, approved or rejected");
  }
  VIPCARE_TRY(CheckPage(page));
  store::AdjustmentFilter f;
  f.status = status;
  switch (actor.role) {
    case domain::Role::kAdmin:
      break;
    case domain::Role::kStoreManager:
      if (!actor.store_id) return json{{"items", json::array()}, {"total", 0}};
      f.store = actor.store_id;
      break;
    case domain::Role::kRegionalSupervisor:
      if (!actor.region_id) return json{{"items", json::array()}, {"total", 0}};
      f.region = actor.region_id;
      break;
    default:
      // A role given member_admin later sees nothing until its scope is defined here.
      return json{{"items", json::array()}, {"total", 0}};
  }
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto list = repo.rewards().ListAdjustments(f, page);
    json items = json::array();
    for (const auto& a : list.items) items.push_back(AdjustmentJson(repo, a));
    return json{{"items", items}, {"total", list.total}};
  });
}

Result<json> Redemption::DecideAdjustment(const Actor& actor, int64_t id, bool approve,
                                          const std::string& reason) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberAdmin));
  if (reason.size() > kMaxReason) {
    return Error::Invalid("reason", fmt::format("must be at most {} bytes", kMaxReason));
  }
  if (!approve && reason.empty()) return Error::Invalid("reason", "is required to reject");
  const Timestamp now = env_.clock.Now();
  const Date today = env_.Today();
  return GuardedWrite(env_.store, nullptr, "", [&](store::Repository& repo) -> Result<json> {
    auto& r = repo.rewards();
    auto a = r.GetAdjustment(id);
    if (!a) return Error::NotFound("no adjustment request has that id", "id");
    auto m = MemberInScope(repo, actor, a->member_id, env_.clock.Now(), "member_id");
    if (!m.ok()) return m.error();
    if (a->status != "pending") {
      return Error::Unprocessable(fmt::format("该调整申请已处理（{}），不能再次审批", a->status),
                                  "status");
    }
    if (a->requested_by == actor.user_id) {
      Error e = Error::Forbidden("积分调整须由申请人以外的另一位管理人员审批");
      e.field = "approver";
      return e;
    }
    if (approve) VIPCARE_TRY(CheckMemberActive(*m, false));
    a->status = approve ? "approved" : "rejected";
    a->decided_by = actor.user_id;
    a->decided_at = now;
    a->decision_reason = reason;
    // The conditional update first: of two deciders at once, the second
    // waits here and then finds the request decided.
    if (!r.DecideAdjustment(*a)) {
      return Error::Unprocessable("该调整申请已处理，不能再次审批", "status");
    }
    json out;
    if (approve) {
      auto& l = repo.loyalty();
      store::LoyaltyState state = StateOf(l, a->member_id);
      const domain::Program program = ProgramOf(l, state);
      store::LedgerEntry move = Movement(now, "adjust", a->reason, a->requested_by);
      move.approved_by = actor.user_id;
      if (a->points.value > 0) {
        CreditPoints(l, state, program, a->points, "adjust", today, /*growth=*/false, move);
      } else {
        VIPCARE_TRY(SpendPoints(l, state, -a->points, today, move));
      }
      if (!l.SaveLoyaltyState(state)) return PointsChangedMeanwhile();
      out = AdjustmentJson(repo, *a);
      out["points_balance"] = state.points_balance.value;
    } else {
      out = AdjustmentJson(repo, *a);
      auto state = repo.loyalty().GetLoyaltyState(a->member_id);
      out["points_balance"] = state ? state->points_balance.value : 0;
    }
    RecordAudit(repo, env_, actor, approve ? "points_adjust_approve" : "points_adjust_reject",
                "points_adjustment", std::to_string(a->id),
                fmt::format("member={} points={}", a->member_id.value, a->points.value));
    return out;
  });
}

// ---- Inside another use case's transaction ----

Status UseVouchers(store::Repository& repo, MemberId member, const std::vector<std::string>& codes,
                   Fen paid_total, Date day, int64_t transaction_id, Timestamp now) {
  if (codes.size() > kMaxVoucherCodes) {
    return Error::Invalid("voucher_codes", fmt::format("at most {} vouchers per sale",
                                                       kMaxVoucherCodes));
  }
  auto& r = repo.rewards();
  std::set<std::string> seen;
  for (size_t i = 0; i < codes.size(); ++i) {
    const std::string field = fmt::format("voucher_codes[{}]", i);
    if (!seen.insert(codes[i]).second) return Error::Invalid(field, "is listed twice");
    auto v = r.FindVoucherByCode(codes[i]);
    if (!v || v->member_id != member) {
      return Error::Invalid(field, "this member has no voucher with that code");
    }
    if (v->used_at) return Error::Unprocessable("该现金券已使用过", field);
    if (day < v->valid_from) {
      return Error::Unprocessable(
          fmt::format("该现金券 {} 起才能使用", v->valid_from.ToString()), field);
    }
    if (day > v->valid_to) {
      return Error::Unprocessable(fmt::format("该现金券已于 {} 过期", v->valid_to.ToString()),
                                  field);
    }
    if (paid_total < v->min_spend) {
      return Error::Unprocessable(
          fmt::format("未达到该现金券的最低消费 {} 元", FormatYuan(v->min_spend)), field);
    }
    if (!r.MarkVoucherUsed(v->id, now, transaction_id)) {
      return Error::Unprocessable("该现金券已使用过", field);
    }
  }
  return OkStatus();
}

Result<std::vector<std::string>> IssueCashBack(store::Repository& repo, const Env& env,
                                               const Actor& actor, store::LoyaltyState& state,
                                               const domain::Program& program, Date today,
                                               StoreId store) {
  std::vector<std::string> codes;
  const auto& cb = program.redemption.cash_back;
  if (!cb || cb->every_points.value <= 0 || state.points_balance.value <= 0) return codes;
  auto& l = repo.loyalty();
  std::vector<domain::PointsLot> lots;
  for (const auto& lot : l.ListOpenLots(state.member_id)) {
    lots.push_back({lot.id, lot.remaining, lot.earned_on, lot.expires_on});
  }
  const domain::CashBackPlan plan = domain::CashBackFor(program, state.points_balance, lots, today);
  if (plan.vouchers <= 0) return codes;
  auto& r = repo.rewards();
  for (int64_t i = 0; i < plan.vouchers; ++i) {
    CashBackRows rows = CashBackRowsOf(actor, program, state.member_id, UniqueVoucherCode(r),
                                       today, store, env.clock.Now());
    rows.redemption.voucher_id = r.InsertVoucher(rows.voucher);
    rows.movement.redemption_id = r.InsertRedemption(rows.redemption);
    VIPCARE_TRY(SpendPoints(l, state, cb->every_points, today, std::move(rows.movement)));
    codes.push_back(std::move(rows.voucher.code));
  }
  RecordAudit(repo, env, actor, "cashback_issue", "member", std::to_string(state.member_id.value),
              CashBackAuditDetail(plan));
  return codes;
}

CashBackRows CashBackRowsOf(const Actor& actor, const domain::Program& program, MemberId member,
                            std::string code, Date today, StoreId store, Timestamp now) {
  const domain::CashBack& cb = *program.redemption.cash_back;
  CashBackRows out;
  out.voucher = VoucherOf(program, member, cb.voucher, std::move(code), "cashback", today, now,
                          actor.user_id);
  out.redemption.member_id = member;
  out.redemption.kind = "cashback";
  out.redemption.points = cb.every_points;
  out.redemption.store_id = store;
  out.redemption.at = now;
  out.redemption.created_by = actor.user_id;
  out.movement = Movement(now, "cashback",
                          fmt::format("每满 {} 分返 {} 元现金券", cb.every_points.value,
                                      FormatYuan(cb.voucher)),
                          actor.user_id);
  return out;
}

std::string CashBackAuditDetail(const domain::CashBackPlan& plan) {
  return fmt::format("vouchers={} points={} value_fen={}", plan.vouchers, plan.points.value,
                     plan.value.value);
}

}  // namespace vipcare::service
