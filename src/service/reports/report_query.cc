#include "service/reports/report_query.h"

#include <algorithm>

#include "service/access.h"
#include "service/loyalty_core.h"
#include "service/reports/report_fns.h"

namespace vipcare::service::reports {

using json = nlohmann::json;

namespace {

// A month "YYYY-MM" from the query, or `fallback`.
Result<std::string> MonthParam(const QueryMap& q, const std::string& name,
                               const std::string& fallback) {
  auto text = Param(q, name);
  if (text.empty()) return fallback;
  if (text.size() != 7 || !Date::Parse(text + "-01")) {
    return Error::Invalid(name, "must be a month YYYY-MM");
  }
  return text;
}

}  // namespace

const std::vector<ReportSpec>& Catalog() {
  static const std::vector<ReportSpec> catalog = {
      {"member_growth", "会员增长", "R1",
       "每月新增临时会员与正式会员，按门店、来源、推荐；临时卡转正式卡的转化", {}, MemberGrowth},
      {"member_sales", "会员销售贡献", "R2", "会员消费额占全部销售额的比例，按门店和月份（扣除退货）",
       {}, MemberSales},
      {"tier_mix", "等级分布与迁移", "R3", "各等级会员人数，期间内升降级的迁移矩阵及原因", {"tier"},
       TierMix},
      {"activity", "会员活跃度", "R4", "活跃（近90天有消费）、沉睡（180天/365天无消费），按门店",
       {"tier"}, Activity},
      {"rfm", "RFM 分析", "R4", "最近一次消费、消费频次、消费金额五分位打分与会员分群", {"tier"}, Rfm},
      {"churn_risk", "流失预警", "R5", "流失风险分布与主要原因（关键时刻），按门店和等级", {"tier"},
       ChurnRisk},
      {"top_members", "VIP 前500名跟踪", "R6", "近12个月消费前N名：新进、退出、消费变化",
       {"tier", "limit"}, TopMembers},
      {"category_mix", "品类/品牌/价格带", "R7", "会员消费按品类、品牌和价格带的构成", {"tier", "by"},
       CategoryMix},
      {"member_profile", "会员年龄与性别", "R7", "会员的年龄段与性别构成及其消费", {"tier"},
       MemberProfile},
      {"care_work", "回访工作", "R8", "关怀任务计划/完成/逾期，按门店和渠道（月报与区域汇总）", {},
       CareWork},
      {"staff_goals", "导购目标", "R8", "每位导购的招募会员数、档案完整度、按时完成任务、会员销售", {},
       StaffGoals},
      {"campaigns", "活动与促销效果", "R9", "活动期内参与会员的消费与同期对比的提升", {}, Campaigns},
  };
  return catalog;
}

const ReportSpec* FindReport(std::string_view name) {
  for (const auto& spec : Catalog()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

json ColumnsJson(const std::vector<Column>& columns) {
  json out = json::array();
  for (const auto& c : columns) out.push_back({{"key", c.key}, {"title", c.title}, {"kind", c.kind}});
  return out;
}

json ShareBp(int64_t part, int64_t whole) {
  if (whole <= 0) return nullptr;
  return (part * 20000 / whole + 1) / 2;
}

std::string MonthOf(Date d) { return d.ToString().substr(0, 7); }

std::vector<std::string> MonthsBetween(const std::string& from, const std::string& to) {
  std::vector<std::string> out;
  auto day = Date::Parse(from + "-01");
  while (day && MonthOf(*day) <= to) {
    out.push_back(MonthOf(*day));
    day = day->AddMonths(1);
  }
  return out;
}

Result<ReportQuery> ResolveQuery(const Actor& actor, const ReportSpec& spec,
                                 const QueryMap& params, store::Repository& repo, Date today,
                                 const TimeZone& tz) {
  for (const auto& [key, value] : params) {
    const bool common = key == "from" || key == "to" || key == "store_id" || key == "region_id";
    if (!common && std::find(spec.extra_filters.begin(), spec.extra_filters.end(), key) ==
                       spec.extra_filters.end()) {
      return Error::Invalid(key, "is not a filter of this report");
    }
  }
  ReportQuery q;
  q.today = today;
  q.tz = tz;
  q.params = params;
  auto to = MonthParam(params, "to", MonthOf(today));
  if (!to.ok()) return to.error();
  auto from = MonthParam(params, "from",
                         MonthOf(Date::FromYmd(today.year(), today.month(), 1).AddMonths(-11)));
  if (!from.ok()) return from.error();
  if (*from > *to) return Error::Invalid("from", "must not be after to");
  q.from = *from;
  q.to = *to;
  q.from_day = *Date::Parse(q.from + "-01");
  q.to_day = Date::Parse(q.to + "-01")->AddMonths(1).AddDays(-1);
  auto store = IdParam(params, "store_id");
  if (!store.ok()) return store.error();
  auto region = IdParam(params, "region_id");
  if (!region.ok()) return region.error();
  if (*store) q.scope.store = StoreId(**store);
  if (*region) q.scope.region = RegionId(**region);
  auto tier = Param(params, "tier");
  if (!tier.empty()) q.scope.tier = tier;
  // Tiers of the company's program are keyed by their plain code, those of a
  // member's own program by "program:code" (store/reports/scope_members.h).
  q.scope.company_program = loyalty_core::CompanyProgramCode(repo.loyalty());

  // Scope: a manager's store, a supervisor's region (P2; aggregates only).
  if (q.scope.store && !repo.GetStore(*q.scope.store)) {
    return Error::Invalid("store_id", "no store has that id");
  }
  if (actor.role == domain::Role::kStoreManager) {
    if (q.scope.store && *q.scope.store != actor.store_id) {
      return Error::Forbidden("another store's figures");
    }
    if (q.scope.region) return Error::Forbidden("a store manager sees their own store");
    q.scope.store = actor.store_id;
  } else if (actor.role == domain::Role::kRegionalSupervisor) {
    if (q.scope.region && *q.scope.region != actor.region_id) {
      return Error::Forbidden("another region's figures");
    }
    if (q.scope.store && repo.GetStore(*q.scope.store)->region_id != actor.region_id) {
      return Error::Forbidden("a store of another region");
    }
    q.scope.region = actor.region_id;
  }
  q.member_rows = RoleHas(actor.role, Permission::kMemberRead);
  for (const auto& s : repo.ListStores(std::nullopt, {100000, 0}).items) {
    q.store_names[s.id.value] = s.name;
  }
  return q;
}

}  // namespace vipcare::service::reports
