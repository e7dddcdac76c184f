#include "service/reports.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "service/access.h"

namespace vipcare::service {

using json = nlohmann::json;

namespace {

constexpr const char* kMemberSales = "member_sales";

// A month "YYYY-MM" from the query, or `fallback`.
Result<std::string> MonthParam(const QueryMap& q, const std::string& name,
                               const std::string& fallback) {
  auto text = Param(q, name);
  if (text.empty()) return fallback;
  if (!Date::Parse(text + "-01") || text.size() != 7) {
    return Error::Invalid(name, "must be a month YYYY-MM");
  }
  return text;
}

std::string MonthOf(Date d) { return d.ToString().substr(0, 7); }

// Member share of sales in basis points (10000 = 100 %), rounded half up;
// null when there were no sales.
json ShareBp(Fen part, Fen whole) {
  if (whole.value <= 0) return nullptr;
  return (part.value * 20000 / whole.value + 1) / 2;
}

}  // namespace

Result<json> Reports::List(const Actor& actor) {
  VIPCARE_TRY(Authorize(actor, Permission::kReportRead));
  json member_sales = {{"name", kMemberSales},
                       {"title", "会员销售贡献"},
                       {"spec", "R2"},
                       {"description", "会员消费额占全部销售额的比例，按门店和月份（扣除退货）"},
                       {"filters", {"from", "to", "store_id", "region_id"}}};
  return json{{"items", json::array({member_sales})}};
}

Result<json> Reports::Get(const Actor& actor, const std::string& name, const QueryMap& q) {
  VIPCARE_TRY(Authorize(actor, Permission::kReportRead));
  if (name == kMemberSales) return MemberSales(actor, q);
  return Error::NotFound("no report has that name (GET /api/v1/reports lists them)", "name");
}

Result<json> Reports::MemberSales(const Actor& actor, const QueryMap& q) {
  for (const auto& [key, value] : q) {
    if (key != "from" && key != "to" && key != "store_id" && key != "region_id") {
      return Error::Invalid(key, "is not a filter of this report");
    }
  }
  const Date today = env_.Today();
  auto to = MonthParam(q, "to", MonthOf(today));
  if (!to.ok()) return to.error();
  auto from = MonthParam(q, "from", MonthOf(Date::FromYmd(today.year(), today.month(), 1).AddMonths(-11)));
  if (!from.ok()) return from.error();
  if (*from > *to) return Error::Invalid("from", "must not be after to");
  auto store = IdParam(q, "store_id");
  if (!store.ok()) return store.error();
  auto region = IdParam(q, "region_id");
  if (!region.ok()) return region.error();
  std::optional<StoreId> store_id;
  std::optional<RegionId> region_id;
  if (*store) store_id = StoreId(**store);
  if (*region) region_id = RegionId(**region);
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    // Scope: a manager's store, a supervisor's region (P2; aggregates only).
    if (actor.role == domain::Role::kStoreManager) {
      if (store_id && *store_id != actor.store_id) return Error::Forbidden("another store's figures");
      if (region_id) return Error::Forbidden("a store manager sees their own store");
      store_id = actor.store_id;
    } else if (actor.role == domain::Role::kRegionalSupervisor) {
      if (region_id && *region_id != actor.region_id) {
        return Error::Forbidden("another region's figures");
      }
      if (store_id) {
        auto s = repo.GetStore(*store_id);
        if (!s) return Error::Invalid("store_id", "no store has that id");
        if (s->region_id != actor.region_id) return Error::Forbidden("a store of another region");
      }
      region_id = actor.region_id;
    } else if (store_id && !repo.GetStore(*store_id)) {
      return Error::Invalid("store_id", "no store has that id");
    }
    std::map<int64_t, std::string> names;
    for (const auto& s : repo.ListStores(std::nullopt, {100000, 0}).items) names[s.id.value] = s.name;
    json rows = json::array();
    Fen all{0}, members{0};
    int64_t sales = 0, member_sales = 0;
    for (const auto& r : repo.reports().SalesByStoreMonth(*from, *to, store_id, region_id)) {
      rows.push_back({{"month", r.month},
                      {"store_id", r.store_id.value},
                      {"store_name", names[r.store_id.value]},
                      {"sales_fen", r.all.value},
                      {"member_sales_fen", r.members.value},
                      {"member_share_bp", ShareBp(r.members, r.all)},
                      {"transactions", r.sales},
                      {"member_transactions", r.member_sales}});
      all = all + r.all;
      members = members + r.members;
      sales += r.sales;
      member_sales += r.member_sales;
    }
    return json{{"name", kMemberSales},
                {"title", "会员销售贡献"},
                {"from", *from},
                {"to", *to},
                {"rows", rows},
                {"totals",
                 {{"sales_fen", all.value},
                  {"member_sales_fen", members.value},
                  {"member_share_bp", ShareBp(members, all)},
                  {"transactions", sales},
                  {"member_transactions", member_sales}}}};
  });
}

}  // namespace vipcare::service
