#include "service/staff_leave.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>
#include <unordered_map>

#include "service/access.h"
#include "service/query_params.h"
#include "service/audit.h"
#include "service/loyalty_core.h"

namespace vipcare::service {
namespace {

using json = nlohmann::json;
using loyalty_core::IntField;
using loyalty_core::OnlyFields;
using loyalty_core::TextField;

RegionId RegionOfStore(store::Repository& repo, StoreId store) {
  if (!store) return RegionId();
  auto s = repo.GetStore(store);
  return s ? s->region_id : RegionId();
}

// Whether `actor` may register and end leaves of `s`: a manager for the
// associates of their store, a supervisor for the associates and managers of
// their region, an admin for anyone.
bool InReach(store::Repository& repo, const Actor& actor, const domain::Staff& s) {
  switch (actor.role) {
    case domain::Role::kAdmin:
      return true;
    case domain::Role::kStoreManager:
      return actor.store_id && s.role == domain::Role::kAssociate && s.store_id == actor.store_id;
    case domain::Role::kRegionalSupervisor:
      return actor.region_id &&
             (s.role == domain::Role::kAssociate || s.role == domain::Role::kStoreManager) &&
             RegionOfStore(repo, s.store_id) == actor.region_id;
    default:
      return false;
  }
}

// Whether `actor` may name `cover` to cover a leave: someone of their store
// (a manager, themselves included), of their region (a supervisor, themselves
// included), anyone (an admin).
bool CoverInReach(store::Repository& repo, const Actor& actor, const domain::Staff& cover) {
  switch (actor.role) {
    case domain::Role::kAdmin:
      return true;
    case domain::Role::kStoreManager:
      return actor.store_id && cover.store_id == actor.store_id;
    case domain::Role::kRegionalSupervisor:
      return actor.region_id && (cover.id == actor.staff_id ||
                                 RegionOfStore(repo, cover.store_id) == actor.region_id);
    default:
      return false;
  }
}

// The days a leave actually keeps its staff member away: [from_on, to_on],
// cut short on the day it was ended (they are back that day). Empty (last <
// first) for a leave cancelled before it began.
struct Span {
  Date first, last;
};
Span Effective(const store::StaffLeave& l, const TimeZone& tz) {
  Span s{l.from_on, l.to_on};
  if (l.ended_at) s.last = std::min(s.last, tz.LocalDate(*l.ended_at).AddDays(-1));
  return s;
}

bool Overlaps(const Span& a, Date from, Date to) {
  return a.first <= a.last && a.first <= to && from <= a.last;
}

std::string StatusOf(const store::StaffLeave& l, Date today) {
  if (l.ended_at || l.to_on < today) return "ended";
  if (l.from_on > today) return "scheduled";
  return "active";
}

struct Names {
  std::unordered_map<int64_t, std::optional<domain::Staff>> cache;
  const std::optional<domain::Staff>& Of(store::Repository& repo, StaffId id) {
    auto it = cache.find(id.value);
    if (it != cache.end()) return it->second;
    return cache[id.value] = id ? repo.GetStaff(id) : std::nullopt;
  }
};

json LeaveJson(store::Repository& repo, Names& names, const store::StaffLeave& l, Date today) {
  const auto& staff = names.Of(repo, l.staff_id);
  const auto& cover = names.Of(repo, l.covered_by);
  return {{"id", l.id},
          {"staff_id", l.staff_id.value},
          {"staff_name", staff ? staff->name : ""},
          {"store_id", staff && staff->store_id ? json(staff->store_id.value) : json(nullptr)},
          {"from", l.from_on.ToString()},
          {"to", l.to_on.ToString()},
          {"covered_by", l.covered_by ? json(l.covered_by.value) : json(nullptr)},
          {"covered_by_name", cover ? cover->name : ""},
          {"status", StatusOf(l, today)},
          {"created_at", FormatTimestamp(l.created_at)},
          {"ended_at", l.ended_at ? json(FormatTimestamp(*l.ended_at)) : json(nullptr)}};
}

// The active store manager of `store` (none: 0).
StaffId StoreManagerOf(store::Repository& repo, StoreId store) {
  if (!store) return StaffId();
  for (const auto& s :
       repo.ListStaff(store, domain::Role::kStoreManager, {1000, 0}).items) {
    if (s.active) return s.id;
  }
  return StaffId();
}

// Moves every pending task assigned to the staff member on leave `l` to the
// cover. A task that was itself covering someone else's leave keeps that
// owner as the one it goes back to.
int64_t HandOver(store::Repository& repo, const Actor& actor, const store::StaffLeave& l,
                 Timestamp now) {
  if (!l.covered_by || l.covered_by == l.staff_id) return 0;
  const std::string note =
      fmt::format("请假交接（{} 至 {}）", l.from_on.ToString(), l.to_on.ToString());
  int64_t n = 0;
  for (auto t : repo.care().PendingTasksOf(l.staff_id)) {
    t.assignee_id = l.covered_by;
    if (!t.away_assignee_id) t.away_assignee_id = l.staff_id;
    t.updated_at = now;
    repo.care().UpdateTask(t);
    repo.care().AppendTaskEvent(
        {0, t.id, now, actor.user_id, "handed_over", l.staff_id, l.covered_by, note});
    ++n;
  }
  return n;
}

// Gives the still-pending tasks handed over from the staff member of `l`
// back to them. Tasks escalated as overdue during the leave stay with the
// store manager (C2 escalation), and nothing goes back to someone who has
// left the company; either way the task no longer waits for a return.
int64_t GiveBack(store::Repository& repo, const Actor& actor, const store::StaffLeave& l,
                 Timestamp now) {
  auto staff = repo.GetStaff(l.staff_id);
  const bool active = staff && staff->active;
  int64_t n = 0;
  for (auto t : repo.care().PendingTasksAwayFrom(l.staff_id)) {
    const bool escalated = t.escalated_on && *t.escalated_on >= l.from_on;
    const StaffId from = t.assignee_id;
    t.away_assignee_id = StaffId();
    t.updated_at = now;
    if (!escalated && active && from != l.staff_id) {
      t.assignee_id = l.staff_id;
      repo.care().AppendTaskEvent({0, t.id, now, actor.user_id, "returned", from, l.staff_id,
                                   "销假，任务交回"});
      ++n;
    }
    repo.care().UpdateTask(t);
  }
  return n;
}

Result<Date> DateField(const json& body, const std::string& field) {
  auto text = TextField(body, field, 10, true);
  if (!text.ok()) return text.error();
  auto d = Date::Parse(*text);
  if (!d) return Error::Invalid(field, "must be a date YYYY-MM-DD");
  return *d;
}

}  // namespace

Result<json> StaffLeaves::Start(const Actor& actor, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskManage));
  VIPCARE_TRY(OnlyFields(body, {"staff_id", "from", "to", "covered_by"}, "a leave"));
  auto staff_id = IntField(body, "staff_id", 1, std::numeric_limits<int64_t>::max(), std::nullopt);
  if (!staff_id.ok()) return staff_id.error();
  auto from = DateField(body, "from");
  if (!from.ok()) return from.error();
  auto to = DateField(body, "to");
  if (!to.ok()) return to.error();
  const Date today = env_.Today();
  if (*to < *from) return Error::Invalid("to", "must not be before from");
  if (*to < today) return Error::Invalid("to", "the leave is already over");
  if (DaysBetween(*from, *to) + 1 > kMaxDays) {
    return Error::Invalid("to", fmt::format("a leave covers at most {} days", kMaxDays));
  }
  auto cover_id =
      IntField(body, "covered_by", 1, std::numeric_limits<int64_t>::max(), int64_t(0));
  if (!cover_id.ok()) return cover_id.error();

  int64_t handed = 0;
  auto id = env_.store.Write([&](store::Repository& repo) -> Result<int64_t> {
    auto staff = repo.GetStaff(StaffId(*staff_id));
    if (!staff) return Error::Invalid("staff_id", "no staff member has that id");
    if (!InReach(repo, actor, *staff)) {
      return Error::Forbidden("只能为本店导购（店长）或本片区员工（片区主管）登记请假");
    }
    if (!staff->active) return Error::Invalid("staff_id", "the staff member has left");
    StaffId cover(*cover_id);
    if (!cover) {
      cover = StoreManagerOf(repo, staff->store_id);
      if (!cover || cover == staff->id) {
        return Error::Invalid("covered_by", "请指定代班人：该员工没有可代班的店长");
      }
    }
    if (cover == staff->id) return Error::Invalid("covered_by", "代班人不能是请假人本人");
    auto c = repo.GetStaff(cover);
    if (!c) return Error::Invalid("covered_by", "no staff member has that id");
    if (!c->active) return Error::Unprocessable("代班人已离职", "covered_by");
    if (!CoverInReach(repo, actor, *c)) {
      return Error::Unprocessable("代班人须是本店（本片区）的员工", "covered_by");
    }
    for (const auto& l : repo.care().LeavesOf(staff->id)) {
      if (Overlaps(Effective(l, env_.tz), *from, *to)) {
        return Error::Conflict(fmt::format("该员工在 {} 至 {} 已有请假", l.from_on.ToString(),
                                           l.to_on.ToString()),
                               "from");
      }
    }
    for (const auto& l : repo.care().LeavesOf(cover)) {
      if (Overlaps(Effective(l, env_.tz), *from, *to)) {
        return Error::Unprocessable("代班人在此期间也在请假", "covered_by");
      }
    }
    const Timestamp now = env_.clock.Now();
    store::StaffLeave l;
    l.staff_id = staff->id;
    l.from_on = *from;
    l.to_on = *to;
    l.covered_by = cover;
    l.created_at = now;
    l.created_by = actor.user_id;
    l.id = repo.care().InsertLeave(l);
    if (*from <= today) handed = HandOver(repo, actor, l, now);
    RecordAudit(repo, env_, actor, "leave_start", "staff_leave", std::to_string(l.id),
                fmt::format("staff={} from={} to={} covered_by={} tasks={}", l.staff_id.value,
                            l.from_on.ToString(), l.to_on.ToString(), cover.value, handed));
    return l.id;
  });
  if (!id.ok()) return id.error();
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto l = repo.care().GetLeave(*id);
    if (!l) return Error::NotFound("no leave has that id", "id");
    Names names;
    json out = LeaveJson(repo, names, *l, today);
    out["tasks_handed_over"] = handed;
    return out;
  });
}

Result<json> StaffLeaves::End(const Actor& actor, int64_t leave_id) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskManage));
  const Date today = env_.Today();
  int64_t returned = 0;
  auto st = env_.store.Write([&](store::Repository& repo) -> Status {
    auto l = repo.care().GetLeave(leave_id);
    if (!l) return Error::NotFound("no leave has that id", "id");
    auto staff = repo.GetStaff(l->staff_id);
    if (!staff || !InReach(repo, actor, *staff)) {
      return Error::Forbidden("this leave is outside your store or region");
    }
    if (l->ended_at) return Error::Conflict("the leave has already ended", "id");
    const Timestamp now = env_.clock.Now();
    returned = GiveBack(repo, actor, *l, now);
    repo.care().EndLeave(l->id, now);
    RecordAudit(repo, env_, actor, "leave_end", "staff_leave", std::to_string(l->id),
                fmt::format("staff={} tasks={}", l->staff_id.value, returned));
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto l = repo.care().GetLeave(leave_id);
    if (!l) return Error::NotFound("no leave has that id", "id");
    Names names;
    json out = LeaveJson(repo, names, *l, today);
    out["tasks_returned"] = returned;
    return out;
  });
}

Result<json> StaffLeaves::List(const Actor& actor, const std::map<std::string, std::string>& q,
                               store::Page page) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskManage));
  for (const auto& [key, value] : q) {
    if (key != "staff_id" && key != "store_id" && key != "status") {
      return Error::Invalid(key, "is not a filter of the leave list");
    }
  }
  store::CareRepository::LeaveQuery f;
  f.today = env_.Today();
  auto staff = IdParam(q, "staff_id");
  if (!staff.ok()) return staff.error();
  if (*staff) f.staff = StaffId(**staff);
  auto store_id = IdParam(q, "store_id");
  if (!store_id.ok()) return store_id.error();
  if (*store_id) f.store = StoreId(**store_id);
  f.status = Param(q, "status");
  if (!f.status.empty() && f.status != "scheduled" && f.status != "active" &&
      f.status != "ended") {
    return Error::Invalid("status", "must be scheduled, active or ended");
  }
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    switch (actor.role) {
      case domain::Role::kAdmin:
        break;
      case domain::Role::kStoreManager:
        if (f.store && *f.store != actor.store_id) {
          return Error::Forbidden("another store's leaves");
        }
        f.store = actor.store_id;
        break;
      case domain::Role::kRegionalSupervisor:
        if (f.store && RegionOfStore(repo, *f.store) != actor.region_id) {
          return Error::Forbidden("that store is not in your region");
        }
        f.region = actor.region_id;
        break;
      default:
        return Error::Forbidden("your role may not see leaves");
    }
    auto leaves = repo.care().ListLeaves(f, page);
    Names names;
    json out = {{"items", json::array()}, {"total", leaves.total}};
    for (const auto& l : leaves.items) out["items"].push_back(LeaveJson(repo, names, l, f.today));
    return out;
  });
}

Status StaffLeaves::RunDay(const Actor& actor, Date day, std::map<std::string, int64_t>& counts) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  // Leaves whose last day has passed: tasks back, one transaction each.
  auto to_end = env_.store.Read([&](store::Repository& repo) -> Result<std::vector<store::StaffLeave>> {
    return repo.care().LeavesToEnd(day);
  });
  if (!to_end.ok()) return to_end.error();
  for (const auto& candidate : *to_end) {
    auto st = env_.store.Write([&](store::Repository& repo) -> Status {
      auto l = repo.care().GetLeave(candidate.id);
      if (!l || l->ended_at) return OkStatus();  // ended meanwhile
      const Timestamp now = env_.clock.Now();
      const int64_t n = GiveBack(repo, actor, *l, now);
      repo.care().EndLeave(l->id, now);
      RecordAudit(repo, env_, actor, "leave_end", "staff_leave", std::to_string(l->id),
                  fmt::format("staff={} tasks={} schedule={}", l->staff_id.value, n,
                              day.ToString()));
      counts["leaves_ended"] += 1;
      counts["tasks_returned"] += n;
      return OkStatus();
    });
    if (!st.ok()) return st.error();
  }
  // Everyone on leave on `day`: their pending tasks go to the cover.
  auto active = env_.store.Read([&](store::Repository& repo) -> Result<std::vector<store::StaffLeave>> {
    return repo.care().ActiveLeaves(day);
  });
  if (!active.ok()) return active.error();
  for (const auto& l : *active) {
    auto st = env_.store.Write([&](store::Repository& repo) -> Status {
      const Timestamp now = env_.clock.Now();
      const int64_t n = HandOver(repo, actor, l, now);
      // Registered before its first day: this run is what starts it (a
      // leave registered on or after its first day started then).
      const bool starts = l.from_on == day && env_.tz.LocalDate(l.created_at) < l.from_on;
      if (starts) counts["leaves_started"] += 1;
      counts["tasks_handed_over"] += n;
      if (starts || n > 0) {
        RecordAudit(repo, env_, actor, "leave_handover", "staff_leave", std::to_string(l.id),
                    fmt::format("staff={} tasks={} schedule={}", l.staff_id.value, n,
                                day.ToString()));
      }
      return OkStatus();
    });
    if (!st.ok()) return st.error();
  }
  return OkStatus();
}

}  // namespace vipcare::service
