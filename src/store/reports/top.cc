// The SQL of the R6 report, shared by SQLite and PostgreSQL.
#include "store/reports/top.h"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/reports/rollups.h"
#include "store/reports/scope_members.h"

namespace vipcare::store::reports {
namespace {

// The spend of the months [lowest, highest] by member and month, in member
// order (the table's key on both engines' plans: no sort on SQLite; `+month`
// keeps SQLite off member_months_month, whose order would need one).
// Parameters: lowest, highest.
constexpr std::string_view kSpendByMonth =
    "SELECT member_id, month, spend FROM member_months WHERE +month >= ? AND +month <= ? "
    "ORDER BY member_id, month";

// How many candidates are checked against the scope per statement; a last
// short batch repeats its last id (harmless in IN) so there is one SQL text.
constexpr size_t kCheckBatch = 256;

// The members among a batch of candidates who are in the scope: open files of
// its home stores, on its tier when one is asked. Parameters: store x2,
// region x2, the tier filter's 5 (scope_members.h), then kCheckBatch member
// ids.
std::string ScopeCheckSql() {
  std::string sql =
      "SELECT m.id, m.member_no, m.home_store_id, COALESCE(ml.tier_code, ''), "
      "COALESCE(ml.program_code, '') "
      "FROM members m LEFT JOIN member_loyalty ml ON ml.member_id = m.id "
      "WHERE m.status NOT IN ('closed', 'merged', 'erased') "
      "AND (? = 0 OR m.home_store_id = ?) "
      "AND (? = 0 OR m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)) "
      "AND (? = 0 OR " VIPCARE_TIER_FILTER("ml") ") AND m.id IN (";
  for (size_t i = 0; i < kCheckBatch; ++i) sql += i ? ", ?" : "?";
  return sql + ")";
}

struct Spend {
  int64_t member_id = 0;
  int64_t current = 0;
  int64_t previous = 0;
};

// A member's scope check: in scope with these facts, or not (member_id 0).
using Checked = std::unordered_map<int64_t, TopMember>;

// Checks `ids` against the scope, adding every answer to `checked`.
void Check(Db& db, const std::vector<int64_t>& ids, const ReportScope& scope, Checked& checked) {
  static const std::string sql = ScopeCheckSql();
  const int64_t s = scope.store ? scope.store->value : 0;
  const int64_t g = scope.region ? scope.region->value : 0;
  std::vector<Value> p = {s, s, g, g};
  AppendOptionalTierFilter(p, scope);
  for (size_t i = 0; i < kCheckBatch; ++i) p.emplace_back(ids[std::min(i, ids.size() - 1)]);
  for (int64_t id : ids) checked.emplace(id, TopMember{});  // not in scope unless answered
  for (const auto& row : db.Query(sql, p)) {
    TopMember& t = checked[row.Int(0)];
    t.member_id = MemberId(row.Int(0));
    t.member_no = row.Text(1);
    t.home_store_id = StoreId(row.Int(2));
    t.tier_code = TierKey(row.Text(4), row.Text(3), scope.company_program);
  }
}

// The first `limit` members of the scope with positive spend by `spend_of`,
// in ranking order (spend descending, member id ascending).
template <class SpendOf>
std::vector<int64_t> Ranked(Db& db, const std::vector<Spend>& spends, SpendOf spend_of,
                            int64_t limit, const ReportScope& scope, Checked& checked) {
  std::vector<const Spend*> order;
  for (const auto& s : spends) {
    if (spend_of(s) > 0) order.push_back(&s);
  }
  std::sort(order.begin(), order.end(), [&](const Spend* a, const Spend* b) {
    return spend_of(*a) != spend_of(*b) ? spend_of(*a) > spend_of(*b)
                                        : a->member_id < b->member_id;
  });
  std::vector<int64_t> top;
  for (size_t at = 0; at < order.size() && int64_t(top.size()) < limit;) {
    // The next batch of candidates not checked yet, then the walk in order.
    std::vector<int64_t> batch;
    for (size_t i = at; i < order.size() && batch.size() < kCheckBatch; ++i) {
      if (!checked.count(order[i]->member_id)) batch.push_back(order[i]->member_id);
    }
    if (!batch.empty()) Check(db, batch, scope, checked);
    for (; at < order.size() && int64_t(top.size()) < limit; ++at) {
      auto it = checked.find(order[at]->member_id);
      if (it == checked.end()) break;  // beyond the batch: check the next one
      if (it->second.member_id) top.push_back(order[at]->member_id);
    }
  }
  return top;
}

}  // namespace

std::vector<TopMember> TopMembersBySpend(ReportRepository& r, int64_t from_month,
                                         int64_t to_month, int64_t previous_from,
                                         int64_t previous_to, int64_t limit,
                                         const ReportScope& scope) {
  std::vector<Spend> spends;
  auto cur_window = WindowFromRollups(r.db(), from_month, to_month);
  auto pre_window =
      cur_window ? WindowFromRollups(r.db(), previous_from, previous_to) : std::nullopt;
  if (cur_window && pre_window) {
    // Both windows from the rollups (rollups.h), merged by member.
    const auto& cur = *cur_window;
    const auto& pre = *pre_window;
    spends.reserve(std::max(cur.size(), pre.size()));
    size_t c = 0, p = 0;
    while (c < cur.size() || p < pre.size()) {
      if (p == pre.size() || (c < cur.size() && cur[c].member_id < pre[p].member_id)) {
        spends.push_back({cur[c].member_id, cur[c].spend, 0});
        ++c;
      } else if (c == cur.size() || pre[p].member_id < cur[c].member_id) {
        spends.push_back({pre[p].member_id, 0, pre[p].spend});
        ++p;
      } else {
        spends.push_back({cur[c].member_id, cur[c].spend, pre[p].spend});
        ++c, ++p;
      }
    }
  } else {
    const int64_t lowest = std::min(from_month, previous_from);
    const int64_t highest = std::max(to_month, previous_to);
    r.db().QueryEach(kSpendByMonth, {lowest, highest}, [&](const Row& row) {
      const int64_t id = row.Int(0), month = row.Int(1), spend = row.Int(2);
      if (spends.empty() || spends.back().member_id != id) spends.push_back({id});
      Spend& s = spends.back();
      if (month >= from_month && month <= to_month) s.current += spend;
      if (month >= previous_from && month <= previous_to) s.previous += spend;
    });
  }
  Checked checked;
  const auto current = Ranked(r.db(), spends, [](const Spend& s) { return s.current; }, limit,
                              scope, checked);
  const auto previous = Ranked(r.db(), spends, [](const Spend& s) { return s.previous; }, limit,
                               scope, checked);
  std::unordered_map<int64_t, const Spend*> spend_of;
  for (int64_t id : current) spend_of[id] = nullptr;
  for (int64_t id : previous) spend_of[id] = nullptr;
  for (const auto& s : spends) {
    auto it = spend_of.find(s.member_id);
    if (it != spend_of.end()) it->second = &s;
  }
  std::vector<TopMember> out;
  std::unordered_map<int64_t, size_t> at;  // member -> index in out
  auto add = [&](int64_t id) -> TopMember& {
    auto [it, added] = at.try_emplace(id, out.size());
    if (added) {
      out.push_back(checked.at(id));
      out.back().spend = Fen(spend_of.at(id)->current);
      out.back().previous_spend = Fen(spend_of.at(id)->previous);
    }
    return out[it->second];
  };
  for (size_t i = 0; i < current.size(); ++i) add(current[i]).rank = int64_t(i + 1);
  for (size_t i = 0; i < previous.size(); ++i) add(previous[i]).previous_rank = int64_t(i + 1);
  return out;
}

}  // namespace vipcare::store::reports
