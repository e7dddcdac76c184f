// R3 tier distribution and migration.
//
// Answer: {"columns", "rows": [{"tier_code", "tier_name", "members",
// "share_bp", "upgraded_in", "downgraded_in"}] (one per tier of the company's
// program's ladder, lowest first, after "none" 未入级 for members without a
// tier; codes no longer in the program follow under their code),
// "totals": {"members", "share_bp", "upgraded_in", "downgraded_in"},
// "by_month": [{"month", "tier_code", "members"}] (every tier at each month's
// end, or today for the current month; months after this one are left out),
// Tiers are keyed by program: a member on a program of their own (L6) is on
// "program:code" ("key_accounts:b", named "大客户 A/B/C 分级·B级"), listed
// after the company's ladder, program after program (two programs may name
// their tiers alike); the tier filter takes these keys.
// "matrix": {"tiers": [codes], "names": [names], "cells": [{"from", "to",
// "members"}]} (non-empty cells only, in ladder order), "reasons":
// [{"direction": "up"|"down", "reason", "members"}] (up first, most first),
// "as_of": "YYYY-MM-DD"}.
//   members      open members of the scope on that tier as of min(today, the
//                period's last day) ("as_of");
//   upgraded_in / downgraded_in  members who moved up / down INTO that tier
//                within the period (distinct members; totals: distinct
//                members who moved up / down at all); a move to another
//                program is neither (the matrix and by_month show it);
//   matrix       each member once: their tier at the end of the day before
//                the period (none if they registered during it) -> their
//                tier as of "as_of";
//   reasons      the period's moves by direction and reason, the reason being
//                the rule or the action, never a member's own figures or a
//                manager's free text (an aggregate must not identify anyone):
//                "达标升级：近6个月消费 ≥ ¥3,000", "店长审批升级", "店长调整等级",
//                "会员合并", and for L7 downgrades "长期无消费",
//                "消费频次明显下降", "资格期满未再达标" or "未达保级条件".
// Up and down follow the ladder order. The tier filter keeps the members
// whose tier NOW is that code ("none" = without a tier); the report then
// shows where they came from. How past tiers are found and how the queries
// scale: store/reports/tiers.h (the month-end mixes are computed here from
// one read of the period's tier events, not one query per month).
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "core/clock.h"
#include "service/loyalty_core.h"
#include "store/reports/scope_members.h"
#include "service/reports/report_fns.h"
#include "store/reports/tiers.h"

namespace vipcare::service::reports {

using json = nlohmann::json;
using store::reports::TierEvent;
using store::reports::TierMover;

namespace {

constexpr std::string_view kNone = "none";

// The tiers in ladder order: none first, then the program's, lowest first,
// then codes found in the data that the program no longer has.
class Ladder {
 public:
  explicit Ladder(const domain::Program& p) {
    Add("", "未入级");
    for (const auto& t : p.tiers) Add(t.code, t.name);
    known_ = codes_.size();
  }
  // Adds `code` at the end if it is not on the ladder yet.
  void Add(const std::string& code, const std::string& name) {
    if (rank_.count(code)) return;
    rank_[code] = codes_.size();
    codes_.push_back(code);
    names_.push_back(name);
  }
  void AddUnknown(const std::string& code) { Add(code, code); }
  size_t size() const { return codes_.size(); }
  const std::string& code(size_t i) const { return codes_[i]; }
  const std::string& name(size_t i) const { return names_[i]; }
  size_t rank(const std::string& code) const { return rank_.at(code); }
  bool known(const std::string& code) const { return rank_.at(code) < known_; }
  // The code as the report shows it: "none" for no tier.
  static std::string Shown(const std::string& code) {
    return code.empty() ? std::string(kNone) : code;
  }

 private:
  std::vector<std::string> codes_;
  std::vector<std::string> names_;
  std::map<std::string, size_t> rank_;
  size_t known_ = 0;
};

// Up if the event raises the member on the ladder; for a code the program no
// longer has, by the kind of event.
bool IsUp(const Ladder& ladder, const TierEvent& e) {
  if (ladder.known(e.from_tier) && ladder.known(e.to_tier)) {
    return ladder.rank(e.to_tier) > ladder.rank(e.from_tier);
  }
  return e.kind != "downgrade";
}

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// The rule an automatic upgrade met, without the member's own figures:
// "近6个月消费 ¥3,200 ≥ ¥3,000" -> "近6个月消费 ≥ ¥3,000" (domain/tiers.cc
// writes each condition as "<label> <value> <op> <threshold>", several
// joined by "，"). Clauses in any other form are left out.
std::string RuleOf(const std::string& reason) {
  static const std::string kComma = "，";
  std::string out;
  size_t start = 0;
  while (start <= reason.size()) {
    size_t end = reason.find(kComma, start);
    if (end == std::string::npos) end = reason.size();
    const std::string clause = reason.substr(start, end - start);
    size_t op = clause.find(" ≥ ");
    if (op == std::string::npos) op = clause.find(" ≤ ");
    const size_t label_end = clause.find(' ');
    if (op != std::string::npos && label_end != std::string::npos && label_end < op) {
      if (!out.empty()) out += kComma;
      out += clause.substr(0, label_end) + clause.substr(op);
    }
    start = end + kComma.size();
  }
  return out;
}

std::string ReasonOf(const TierEvent& e) {
  if (e.kind == "override") return "店长调整等级";
  if (e.kind == "merge") return "会员合并";
  if (e.kind == "approved") return "店长审批升级";
  if (e.kind == "downgrade") {
    // The L7 risks of domain/tiers.cc FirstRisk.
    if (Contains(e.reason, "无消费")) return "长期无消费";
    if (Contains(e.reason, "低于之前")) return "消费频次明显下降";
    if (Contains(e.reason, "未再达到")) return "资格期满未再达标";
    return "未达保级条件";
  }
  const std::string rule = RuleOf(e.reason);
  return rule.empty() ? "达标升级" : "达标升级：" + rule;
}

// The movers with their tiers as ladder ranks, worked out once: a month-end
// mix asks every mover for their tier at an instant.
class RankedMovers {
 public:
  RankedMovers(const std::vector<TierMover>& movers, const Ladder& ladder) {
    starts_.reserve(movers.size() + 1);
    for (const auto& m : movers) {
      starts_.push_back(events_.size());
      created_.push_back(m.created_at);
      current_.push_back(ladder.rank(m.current_tier));
      for (const auto& e : m.events) events_.push_back({e.at, ladder.rank(e.from_tier)});
    }
    starts_.push_back(events_.size());
  }
  size_t size() const { return current_.size(); }
  size_t current(size_t i) const { return current_[i]; }
  // Mover i's tier at `t`: the from tier of their first event at or after
  // it, else their tier now; none if they registered at or after `t`.
  std::optional<size_t> At(size_t i, Timestamp t) const {
    if (created_[i] >= t) return std::nullopt;
    for (size_t e = starts_[i]; e < starts_[i + 1]; ++e) {
      if (events_[e].first >= t) return events_[e].second;
    }
    return current_[i];
  }

 private:
  std::vector<size_t> starts_;  // mover i's events are [starts_[i], starts_[i + 1])
  std::vector<Timestamp> created_;
  std::vector<size_t> current_;
  std::vector<std::pair<Timestamp, size_t>> events_;  // (at, from tier rank)
};

// How many distinct ids `ids` holds (sorted and made unique in place).
int64_t Distinct(std::vector<int64_t>& ids) {
  std::sort(ids.begin(), ids.end());
  return int64_t(std::unique(ids.begin(), ids.end()) - ids.begin());
}

}  // namespace

ReportResult TierMix(const ReportQuery& q, store::Repository& repo) {
  domain::Program program = loyalty_core::ProgramBook(repo.loyalty()).Ladder();
  if (q.scope.tier && *q.scope.tier != kNone && !domain::FindTier(program, *q.scope.tier)) {
    return Error::Invalid("tier", fmt::format("\"{}\" is not a tier of the programs members are on ({}) "
                                              "(\"none\" = members without a tier)",
                                              *q.scope.tier, program.code));
  }
  const TimeZone* zone = &q.tz;

  const Date as_of = std::min(q.today, q.to_day);
  const Timestamp end = zone->StartOfDay(as_of.AddDays(1));
  const Timestamp start = std::min(zone->StartOfDay(q.from_day), end);

  auto& r = repo.reports();
  const auto picture = store::reports::TierPictureSince(r, start, end, q.scope);
  const auto& current = picture.current;
  const auto& movers = picture.movers;

  // Earlier tiers of a program nobody is on any more (the one a program
  // change left, the company's before it chose another) are listed and
  // named by that program, after the programs in use.
  auto name_program_of = [&](const std::string& key) {
    if (key.empty() || domain::FindTier(program, key)) return;
    const auto parts = store::reports::SplitTierKey(key);
    if (!parts.program.empty()) {
      loyalty_core::AppendProgramTiers(repo.loyalty(), program, std::string(parts.program));
    }
  };
  for (const auto& c : current) name_program_of(c.tier_code);
  for (const auto& m : movers) {
    for (const auto& e : m.events) {
      name_program_of(e.from_tier);
      name_program_of(e.to_tier);
    }
  }
  Ladder ladder(program);
  for (const auto& c : current) ladder.AddUnknown(c.tier_code);
  for (const auto& m : movers) {
    for (const auto& e : m.events) {
      ladder.AddUnknown(e.from_tier);
      ladder.AddUnknown(e.to_tier);
    }
  }
  const size_t n = ladder.size();

  // Members who registered before the period and changed nothing since keep
  // today's tier throughout: today's counts without the movers.
  const RankedMovers ranked(movers, ladder);
  std::vector<int64_t> stable(n, 0);
  for (const auto& c : current) stable[ladder.rank(c.tier_code)] += c.members;
  for (size_t i = 0; i < ranked.size(); ++i) stable[ranked.current(i)] -= 1;
  auto mix_at = [&](Timestamp t) {
    std::vector<int64_t> mix = stable;
    for (size_t i = 0; i < ranked.size(); ++i) {
      if (auto tier = ranked.At(i, t)) mix[*tier] += 1;
    }
    return mix;
  };

  // Moves within the period: the members of each kind of move, with repeats
  // (a member moving twice), counted once at the end.
  std::vector<std::vector<int64_t>> up_into(n), down_into(n);
  std::vector<int64_t> up_any, down_any;
  std::map<std::pair<bool, std::string>, std::vector<int64_t>> reasons;
  std::unordered_map<std::string, std::string> rules;  // kind + reason -> ReasonOf, once each
  for (const auto& m : movers) {
    for (const auto& e : m.events) {
      if (e.at < start || e.at >= end) continue;
      // A move to another program's ladder is neither (the matrix shows it).
      if (e.kind == "program_change") continue;
      const bool up = IsUp(ladder, e);
      (up ? up_into : down_into)[ladder.rank(e.to_tier)].push_back(m.member_id.value);
      (up ? up_any : down_any).push_back(m.member_id.value);
      auto [rule, added] = rules.try_emplace(e.kind + '\n' + e.reason);
      if (added) rule->second = ReasonOf(e);
      reasons[{up, rule->second}].push_back(m.member_id.value);
    }
  }

  const std::vector<int64_t> now = mix_at(end);
  int64_t total = 0;
  for (int64_t v : now) total += v;
  json rows = json::array();
  for (size_t i = 0; i < n; ++i) {
    rows.push_back({{"tier_code", Ladder::Shown(ladder.code(i))},
                    {"tier_name", ladder.name(i)},
                    {"members", now[i]},
                    {"share_bp", ShareBp(now[i], total)},
                    {"upgraded_in", Distinct(up_into[i])},
                    {"downgraded_in", Distinct(down_into[i])}});
  }

  json by_month = json::array();
  for (const auto& month : MonthsBetween(q.from, std::min(q.to, MonthOf(q.today)))) {
    const Date last = Date::Parse(month + "-01")->AddMonths(1).AddDays(-1);
    const std::vector<int64_t> mix = mix_at(zone->StartOfDay(std::min(last, q.today).AddDays(1)));
    for (size_t i = 0; i < n; ++i) {
      by_month.push_back(
          {{"month", month}, {"tier_code", Ladder::Shown(ladder.code(i))}, {"members", mix[i]}});
    }
  }

  // Matrix: stable members stay on their tier; movers from their tier before
  // the period (none if they registered during it) to their tier as of as_of.
  std::vector<std::vector<int64_t>> cells(n, std::vector<int64_t>(n, 0));
  for (size_t i = 0; i < n; ++i) cells[i][i] = stable[i];
  for (size_t i = 0; i < ranked.size(); ++i) {
    auto to = ranked.At(i, end);
    if (!to) continue;
    cells[ranked.At(i, start).value_or(ladder.rank(""))][*to] += 1;
  }
  json matrix_cells = json::array();
  json codes = json::array(), names = json::array();
  for (size_t i = 0; i < n; ++i) {
    codes.push_back(Ladder::Shown(ladder.code(i)));
    names.push_back(ladder.name(i));
    for (size_t j = 0; j < n; ++j) {
      if (cells[i][j] == 0) continue;
      matrix_cells.push_back({{"from", Ladder::Shown(ladder.code(i))},
                              {"to", Ladder::Shown(ladder.code(j))},
                              {"members", cells[i][j]}});
    }
  }

  std::vector<std::tuple<bool, std::string, int64_t>> reason_list;
  for (auto& [key, members] : reasons) {
    reason_list.emplace_back(key.first, key.second, Distinct(members));
  }
  std::stable_sort(reason_list.begin(), reason_list.end(), [](const auto& a, const auto& b) {
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a);
    return std::get<2>(a) > std::get<2>(b);
  });
  json reason_rows = json::array();
  for (const auto& [up, reason, members] : reason_list) {
    reason_rows.push_back({{"direction", up ? "up" : "down"}, {"reason", reason}, {"members", members}});
  }

  return json{{"columns", ColumnsJson({{"tier_name", "等级", "text"},
                                       {"members", "会员数"},
                                       {"share_bp", "占比", "bp"},
                                       {"upgraded_in", "期间升入"},
                                       {"downgraded_in", "期间降入"}})},
              {"rows", rows},
              {"totals",
               {{"members", total},
                {"share_bp", ShareBp(total, total)},
                {"upgraded_in", Distinct(up_any)},
                {"downgraded_in", Distinct(down_any)}}},
              {"by_month", by_month},
              {"matrix", {{"tiers", codes}, {"names", names}, {"cells", matrix_cells}}},
              {"reasons", reason_rows},
              {"as_of", as_of.ToString()}};
}

}  // namespace vipcare::service::reports
