// R6 top-N tracking (VIP top 500).
//
// The top N by 12-month spend as of min(today, the last day of `to`) is
// compared with the top N as of the day before `from` (the previous
// period): who entered, who stayed, who left, and how their spend changed.
// Spend comes from the monthly buckets (store/reports/top.h): the 12
// calendar months up to the as-of day's month, exact on a month's end.
//
// Member rows reveal individual members (SPEC §1, P2, P9), so there are two
// answers: TopMembersCounts (aggregates, for roles without member_read such as
// the HQ analyst) and TopMembersRows (one row per member, names masked, for
// admins, store managers and regional supervisors, whose scope ResolveQuery
// has already narrowed to their store or region).
#include <algorithm>
#include <charconv>
#include <map>

#include "domain/mask.h"
#include "domain/program.h"
#include "service/loyalty_core.h"
#include "service/reports/report_fns.h"
#include "store/reports/top.h"

namespace vipcare::service::reports {

using json = nlohmann::json;

ReportResult TopMembersCounts(const ReportQuery& q, store::Repository& repo);
ReportResult TopMembersRows(const ReportQuery& q, store::Repository& repo);

namespace {

constexpr int64_t kDefaultLimit = 500;
constexpr int64_t kMaxLimit = 5000;
constexpr int kWindowMonths = 12;

Result<int64_t> LimitParam(const ReportQuery& q) {
  const std::string text = Param(q.params, "limit");
  if (text.empty()) return kDefaultLimit;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 1 || n > kMaxLimit) {
    return Error::Invalid("limit", "must be a whole number from 1 to 5000");
  }
  return n;
}

// The first and last month (yyyymm) of the 12 months up to `day`'s month.
std::pair<int64_t, int64_t> Window(Date day) {
  const Date first = Date::FromYmd(day.year(), day.month(), 1).AddMonths(1 - kWindowMonths);
  return {loyalty_core::YearMonth(first), loyalty_core::YearMonth(day)};
}

struct Top {
  int64_t limit = 0;
  Date as_of;
  Date previous_as_of;
  domain::Program program;
  std::vector<store::reports::TopMember> members;  // current top first, then those who left
  json summary;
};

Result<Top> LoadTop(const ReportQuery& q, store::Repository& repo) {
  auto limit = LimitParam(q);
  if (!limit.ok()) return limit.error();
  Top t;
  t.limit = *limit;
  t.program = loyalty_core::ProgramBook(repo.loyalty()).Ladder();
  if (q.scope.tier && !domain::FindTier(t.program, *q.scope.tier)) {
    return Error::Invalid("tier", "is not a tier code of the programs members are on");
  }
  t.as_of = std::min(q.today, q.to_day);
  t.previous_as_of = std::min(q.today, q.from_day.AddDays(-1));
  const auto [from, to] = Window(t.as_of);
  const auto [previous_from, previous_to] = Window(t.previous_as_of);
  t.members = store::reports::TopMembersBySpend(repo.reports(), from, to, previous_from,
                                                previous_to, t.limit, q.scope);
  int64_t entered = 0, left = 0, stayed = 0, in_top = 0, spend = 0, previous_spend = 0;
  json threshold = nullptr;
  for (const auto& m : t.members) {
    if (m.rank) {
      ++in_top;
      spend += m.spend.value;
      threshold = m.spend.value;  // ranked first, so the last one is the N-th
      ++(m.previous_rank ? stayed : entered);
    } else {
      ++left;
    }
    if (m.previous_rank) previous_spend += m.previous_spend.value;
  }
  t.summary = {{"limit", t.limit},
               {"as_of", t.as_of.ToString()},
               {"previous_as_of", t.previous_as_of.ToString()},
               {"members", in_top},
               {"entered", entered},
               {"stayed", stayed},
               {"left", left},
               {"threshold_fen", threshold},
               {"spend_fen", spend},
               {"previous_spend_fen", previous_spend}};
  return t;
}

json Columns() {
  return ColumnsJson({{"rank", "排名"},
                      {"member_no", "会员号", "text"},
                      {"name", "姓名", "text"},
                      {"store_name", "门店", "text"},
                      {"tier_name", "等级", "text"},
                      {"spend_fen", "近12个月消费额", "fen"},
                      {"previous_rank", "上期排名"},
                      {"previous_spend_fen", "上期近12个月消费额", "fen"},
                      {"change_fen", "消费变化", "fen"},
                      {"status_name", "变动", "text"}});
}

json OptRank(const std::optional<int64_t>& r) { return r ? json(*r) : json(); }

}  // namespace

ReportResult TopMembersCounts(const ReportQuery& q, store::Repository& repo) {
  auto top = LoadTop(q, repo);
  if (!top.ok()) return top.error();
  return json{{"columns", Columns()}, {"rows", json::array()}, {"summary", top->summary}};
}

ReportResult TopMembersRows(const ReportQuery& q, store::Repository& repo) {
  auto top = LoadTop(q, repo);
  if (!top.ok()) return top.error();
  std::map<std::string, std::string> tier_names;
  for (const auto& tier : top->program.tiers) tier_names[tier.code] = tier.name;
  json rows = json::array();
  json left = json::array();
  for (const auto& m : top->members) {
    // Only the name is read from the sealed file; it is shown masked (P3):
    // a top-N list is a bulk view (and an export), so it identifies the
    // member by number and surname initial; the file itself is one click
    // (and one audited read) away for those who may open it.
    auto member = repo.GetMember(m.member_id);
    auto store = q.store_names.find(m.home_store_id.value);
    auto tier = tier_names.find(m.tier_code);
    const char* status = !m.rank ? "left" : m.previous_rank ? "stayed" : "entered";
    const char* status_name = !m.rank ? "退出" : m.previous_rank ? "保持" : "新进";
    json row = {{"rank", OptRank(m.rank)},
                {"member_id", m.member_id.value},
                {"member_no", m.member_no},
                {"name", member ? domain::MaskText(member->name) : ""},
                {"store_name", store == q.store_names.end() ? "" : store->second},
                {"tier_name", tier == tier_names.end() ? m.tier_code : tier->second},
                {"spend_fen", m.spend.value},
                {"previous_rank", OptRank(m.previous_rank)},
                {"previous_spend_fen", m.previous_spend.value},
                {"change_fen", m.spend.value - m.previous_spend.value},
                {"status", status},
                {"status_name", status_name}};
    (m.rank ? rows : left).push_back(std::move(row));
  }
  return json{{"columns", Columns()},
              {"rows", rows},
              {"left", left},
              {"summary", top->summary}};
}

// Until the report query says whether the caller may see members, the
// catalogue's entry answers aggregates only (never reveals a member).
ReportResult TopMembers(const ReportQuery& q, store::Repository& repo) {
  return q.member_rows ? TopMembersRows(q, repo) : TopMembersCounts(q, repo);
}

}  // namespace vipcare::service::reports
