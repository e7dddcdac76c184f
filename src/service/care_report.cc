#include "service/care_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "service/access.h"
#include "service/audit.h"
#include "service/loyalty_core.h"
#include "store/reports/scope_members.h"

namespace vipcare::service {
namespace {

using json = nlohmann::json;

constexpr int64_t kBasisPoints = 10000;
// The report lists channels in this order (person-to-person first); any
// other channel follows by name.
constexpr const char* kChannelOrder[] = {"phone", "visit", "wechat", "sms",
                                         "email", "mail",  "gift"};

// A calendar month "YYYY-MM".
struct Month {
  Date first, last;
  std::string text;
  int64_t key = 0;  // YYYYMM, as member_months.month
};

Result<Month> ParseMonth(const std::string& text) {
  auto bad = [] { return Error::Invalid("month", "must be a month YYYY-MM"); };
  if (text.size() != 7 || text[4] != '-') return bad();
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (text[i] < '0' || text[i] > '9') return bad();
  }
  const int year = std::stoi(text.substr(0, 4));
  const unsigned month = unsigned(std::stoi(text.substr(5, 2)));
  if (year < 1970 || month < 1 || month > 12) return bad();
  Month m;
  m.first = Date::FromYmd(year, month, 1);
  m.last = m.first.AddMonths(1).AddDays(-1);
  m.text = text;
  m.key = int64_t(year) * 100 + month;
  return m;
}

std::string MonthText(Date d) { return d.ToString().substr(0, 7); }

bool Pending(const std::string& status) { return status == "open" || status == "forwarded"; }

// The counts of one cell of the report.
struct Cell {
  int64_t planned = 0, done = 0, failed = 0, skipped = 0, pending = 0, on_time = 0, overdue = 0;
  int64_t visited = 0;  // members with a done task (totals and tiers only)
  Points points{0};     // their points earned in the month

  void Add(const store::CareReportRow& r, const TimeZone& tz, Date today) {
    ++planned;
    if (Pending(r.status)) {
      ++pending;
      if (r.overdue_after < today) ++overdue;
    } else if (r.status == "done") {
      ++done;
      if (!r.completed_at || tz.LocalDate(*r.completed_at) <= r.overdue_after) {
        ++on_time;
      } else {
        ++overdue;
      }
    } else if (r.status == "failed") {
      ++failed;
    } else if (r.status == "skipped") {
      ++skipped;
    }
  }
  json Json(bool with_visits) const {
    json out = {{"planned", planned}, {"done", done},       {"failed", failed},
                {"skipped", skipped}, {"pending", pending}, {"on_time", on_time},
                {"overdue", overdue}};
    // Half up, in integers: never a floating-point rate.
    out["on_time_rate_bp"] =
        planned == 0 ? json(nullptr) : json((on_time * kBasisPoints * 2 + planned) / (2 * planned));
    if (with_visits) {
      out["visited_members"] = visited;
      out["points_growth"] = points.value;
    }
    return out;
  }
};

struct Figures {
  Cell totals;
  std::map<std::string, Cell> by_channel;
  std::map<std::string, Cell> by_tier;
};

// The figures of `store` for month `m`, as of `today`; tiers keyed as the
// reports key them (a program of the member's own told apart from the
// company's, `company`).
Figures FiguresOf(store::Repository& repo, const TimeZone& tz, StoreId store, const Month& m,
                  Date today, const std::string& company) {
  Figures f;
  std::unordered_map<int64_t, std::string> tier_of;
  std::set<int64_t> visited;
  for (const auto& r : repo.care().TasksDueInStoreWithTier(store, m.first, m.last)) {
    const std::string tier = store::reports::TierKey(r.program, r.tier, company);
    f.totals.Add(r, tz, today);
    f.by_channel[r.channel].Add(r, tz, today);
    f.by_tier[tier].Add(r, tz, today);
    tier_of[r.member_id.value] = tier;
    if (r.status == "done" && visited.insert(r.member_id.value).second) {
      f.totals.visited += 1;
      f.by_tier[tier].visited += 1;
    }
  }
  for (const auto& [member, points] : repo.care().VisitedMemberPoints(store, m.first, m.last, m.key)) {
    f.totals.points += points;
    f.by_tier[tier_of[member.value]].points += points;
  }
  return f;
}

json ChannelRows(const Figures& f) {
  json out = json::array();
  std::set<std::string> listed;
  for (const char* c : kChannelOrder) {
    auto it = f.by_channel.find(c);
    if (it == f.by_channel.end()) continue;
    json row = it->second.Json(false);
    row["channel"] = c;
    out.push_back(row);
    listed.insert(c);
  }
  for (const auto& [channel, cell] : f.by_channel) {
    if (listed.contains(channel)) continue;
    json row = cell.Json(false);
    row["channel"] = channel;
    out.push_back(row);
  }
  return out;
}

// Tiers from the top of the company's program down, then those of the other
// programs members are on (loyalty_core::ProgramBook::Ladder), then codes no
// program has, then members without a tier.
json TierRows(const Figures& f, const domain::Program& program) {
  json out = json::array();
  std::set<std::string> listed;
  auto add = [&](const std::string& code, const Cell& cell) {
    json row = cell.Json(true);
    row["tier_code"] = code;
    const std::string name = loyalty_core::TierName(program, code);
    row["tier_name"] = code.empty() ? "无等级" : (name.empty() ? code : name);
    out.push_back(row);
    listed.insert(code);
  };
  // The ladder holds each program's tiers lowest first, program after
  // program ("program:code" keys): each program top down, in that order.
  size_t end = 0;
  while (end < program.tiers.size()) {
    const size_t begin = end;
    const auto prefix = [&](size_t i) {
      return store::reports::SplitTierKey(program.tiers[i].code).program;
    };
    while (end < program.tiers.size() && prefix(end) == prefix(begin)) ++end;
    for (size_t i = end; i-- > begin;) {
      const std::string& code = program.tiers[i].code;
      if (auto c = f.by_tier.find(code); c != f.by_tier.end()) add(code, c->second);
    }
  }
  for (const auto& [code, cell] : f.by_tier) {
    if (!code.empty() && !listed.contains(code)) add(code, cell);
  }
  if (auto c = f.by_tier.find(""); c != f.by_tier.end()) add("", c->second);
  return out;
}

// Whether `actor` may read the figures of store `s` (aggregates only).
Status CheckReportScope(const Actor& actor, const domain::Store& s) {
  switch (actor.role) {
    case domain::Role::kAdmin:
    case domain::Role::kHqAnalyst:
      return OkStatus();
    case domain::Role::kStoreManager:
      if (actor.store_id && s.id == actor.store_id) return OkStatus();
      return Error::Forbidden("店长只能查看本店的回访月报");
    case domain::Role::kRegionalSupervisor:
      if (actor.region_id && s.region_id == actor.region_id) return OkStatus();
      return Error::Forbidden("片区主管只能查看本片区门店的回访月报");
    default:
      return Error::Forbidden("your role may not see visit reports");
  }
}

// Who may write a store's plan: its manager, its region's supervisor, admins.
Status CheckPlanScope(const Actor& actor, const domain::Store& s) {
  switch (actor.role) {
    case domain::Role::kAdmin:
      return OkStatus();
    case domain::Role::kStoreManager:
      if (actor.store_id && s.id == actor.store_id) return OkStatus();
      return Error::Forbidden("店长只能填写本店的回访计划");
    case domain::Role::kRegionalSupervisor:
      if (actor.region_id && s.region_id == actor.region_id) return OkStatus();
      return Error::Forbidden("片区主管只能填写本片区门店的回访计划");
    default:
      return Error::Forbidden("your role may not write visit plans");
  }
}

json PlanJson(store::Repository& repo, StoreId store, const std::string& month) {
  auto text = repo.care().GetPlan(store, month);
  return {{"month", month}, {"text", text ? json(*text) : json(nullptr)}};
}

json StoreJson(const domain::Store& s) {
  return {{"id", s.id.value}, {"code", s.code}, {"name", s.name}, {"region_id", s.region_id.value}};
}

}  // namespace

Result<json> CareReports::MonthlyReport(const Actor& actor, StoreId store,
                                        const std::string& month) {
  VIPCARE_TRY(Authorize(actor, Permission::kCareReport));
  if (!store && actor.role == domain::Role::kStoreManager) store = actor.store_id;
  if (!store) return Error::Invalid("store_id", "choose a store");
  auto m = ParseMonth(month);
  if (!m.ok()) return m.error();
  const Date today = env_.Today();
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto s = repo.GetStore(store);
    if (!s) return Error::NotFound("no store has that id", "store_id");
    VIPCARE_TRY(CheckReportScope(actor, *s));
    if (m->first > today) return Error::Unprocessable("该月尚未开始，没有回访数据", "month");
    const auto program = loyalty_core::ProgramBook(repo.loyalty()).Ladder();
    const Figures f = FiguresOf(repo, env_.tz, store, *m, today, program.code);
    return json{{"store", StoreJson(*s)},
                {"month", m->text},
                {"from", m->first.ToString()},
                {"to", m->last.ToString()},
                {"as_of", today.ToString()},
                {"complete", m->last < today},
                {"totals", f.totals.Json(true)},
                {"by_channel", ChannelRows(f)},
                {"by_tier", TierRows(f, program)},
                {"plan", PlanJson(repo, store, m->text)},
                {"next_plan", PlanJson(repo, store, MonthText(m->last.AddDays(1)))}};
  });
}

Result<json> CareReports::PutPlan(const Actor& actor, StoreId store, const std::string& month,
                                  const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskManage));
  if (!store && actor.role == domain::Role::kStoreManager) store = actor.store_id;
  if (!store) return Error::Invalid("store_id", "choose a store");
  auto m = ParseMonth(month);
  if (!m.ok()) return m.error();
  VIPCARE_TRY(loyalty_core::OnlyFields(body, {"text"}, "a visit plan"));
  auto text = loyalty_core::TextField(body, "text", kMaxPlanText, true);
  if (!text.ok()) return text.error();
  if (text->find_first_not_of(" \t\r\n") == std::string::npos) {
    return Error::Invalid("text", "write the plan (回访计划)");
  }
  const Date today = env_.Today();
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto s = repo.GetStore(store);
    if (!s) return Error::NotFound("no store has that id", "store_id");
    VIPCARE_TRY(CheckPlanScope(actor, *s));
    if (m->last < today) return Error::Unprocessable("该月已结束，计划不能再修改", "month");
    const Timestamp now = env_.clock.Now();
    repo.care().PutPlan(store, m->text, *text, now, actor.user_id);
    RecordAudit(repo, env_, actor, "care_plan_save", "care_plan",
                fmt::format("{}/{}", store.value, m->text),
                fmt::format("store={} month={} bytes={}", store.value, m->text, text->size()));
    return json{{"store_id", store.value}, {"month", m->text}, {"text", *text}};
  });
}

Result<json> CareReports::RegionalSummary(const Actor& actor, RegionId region,
                                          const std::string& month) {
  VIPCARE_TRY(Authorize(actor, Permission::kCareReport));
  if (actor.role != domain::Role::kAdmin && actor.role != domain::Role::kHqAnalyst &&
      actor.role != domain::Role::kRegionalSupervisor) {
    return Error::Forbidden("片区汇总仅供片区主管、总部分析和管理员查看");
  }
  if (!region) {
    if (actor.role != domain::Role::kRegionalSupervisor) {
      return Error::Invalid("region_id", "choose a region");
    }
    region = actor.region_id;
  }
  auto m = ParseMonth(month);
  if (!m.ok()) return m.error();
  const Date today = env_.Today();
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto r = repo.GetRegion(region);
    if (!r) return Error::NotFound("no region has that id", "region_id");
    if (actor.role == domain::Role::kRegionalSupervisor && region != actor.region_id) {
      return Error::Forbidden("片区主管只能查看本片区的汇总");
    }
    if (m->last >= today) {
      return Error::Unprocessable("该月尚未结束，片区汇总自次月1日起提供（the month has not ended）",
                                  "month");
    }
    const std::string next = MonthText(m->last.AddDays(1));
    Cell total;
    json stores = json::array();
    for (const auto& s : repo.ListStores(region, {100000, 0}).items) {
      const Figures f = FiguresOf(repo, env_.tz, s.id, *m, today, /*company=*/"");  // totals only
      json row = f.totals.Json(true);
      row["store_id"] = s.id.value;
      row["code"] = s.code;
      row["name"] = s.name;
      row["active"] = s.active;
      row["next_plan_written"] = repo.care().GetPlan(s.id, next).has_value();
      stores.push_back(row);
      const Cell& c = f.totals;
      total.planned += c.planned;
      total.done += c.done;
      total.failed += c.failed;
      total.skipped += c.skipped;
      total.pending += c.pending;
      total.on_time += c.on_time;
      total.overdue += c.overdue;
      total.visited += c.visited;  // per store: a member who moved may count twice
      total.points += c.points;
    }
    return json{{"region", {{"id", r->id.value}, {"code", r->code}, {"name", r->name}}},
                {"month", m->text},
                {"from", m->first.ToString()},
                {"to", m->last.ToString()},
                {"next_month", next},
                {"stores", stores},
                {"totals", total.Json(true)}};
  });
}

}  // namespace vipcare::service
