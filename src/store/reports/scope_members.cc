#include "store/reports/scope_members.h"

#include <map>
#include <optional>

namespace vipcare::store::reports {
namespace {

// "home_store_id IN (the scope's stores)" so that both engines read
// members_report_scope (home_store_id, created_at, status, ..., id) alone,
// one range per store. Parameters: store x2, region x2.
constexpr std::string_view kScopeMembers =
    "SELECT m.id, m.home_store_id, m.created_at FROM members m "
    "WHERE m.status NOT IN ('closed', 'merged', 'erased') "
    "AND m.home_store_id IN (SELECT s.id FROM stores s "
    "  WHERE (? = 0 OR s.id = ?) AND (? = 0 OR s.region_id = ?))";
constexpr std::string_view kLargestMemberId = "SELECT COALESCE(MAX(id), 0) FROM members";
constexpr std::string_view kLoyalty =
    "SELECT member_id, tier_code, last_purchase_on, program_code FROM member_loyalty";

}  // namespace

std::string TierKey(std::string_view program, std::string_view tier, std::string_view company) {
  if (tier.empty() || program.empty() || program == company) return std::string(tier);
  std::string key;
  key.reserve(program.size() + 1 + tier.size());
  key.append(program).append(":").append(tier);
  return key;
}

TierKeyParts SplitTierKey(std::string_view key) {
  const size_t colon = key.find(':');
  if (colon == std::string_view::npos) return {{}, key};
  return {key.substr(0, colon), key.substr(colon + 1)};
}

std::string FoldTierKey(std::string_view key, std::string_view company) {
  const TierKeyParts k = SplitTierKey(key);
  return TierKey(k.program, k.tier, company);
}

void AppendTierFilter(std::vector<Value>& p, const ReportScope& scope) {
  const std::string& key = scope.tier.value();
  if (key == "none") {
    p.insert(p.end(), {std::string(), int64_t(1), std::string(), std::string()});
    return;
  }
  const TierKeyParts k = SplitTierKey(key);
  const std::string tier(k.tier);
  if (k.program.empty() || k.program == scope.company_program) {
    p.insert(p.end(), {tier, int64_t(0), std::string(), scope.company_program});
  } else {
    const std::string program(k.program);
    p.insert(p.end(), {tier, int64_t(0), program, program});
  }
}

void AppendOptionalTierFilter(std::vector<Value>& p, const ReportScope& scope) {
  p.emplace_back(int64_t(scope.tier ? 1 : 0));
  if (scope.tier) {
    AppendTierFilter(p, scope);
  } else {
    p.insert(p.end(), {std::string(), int64_t(1), std::string(), std::string()});
  }
}

EventPrograms ProgramsOfEvents(const std::vector<uint32_t>& member_of,
                               const std::vector<uint16_t>& left, std::vector<uint16_t> now) {
  EventPrograms out;
  out.from.resize(member_of.size());
  out.to.resize(member_of.size());
  for (size_t i = member_of.size(); i-- > 0;) {
    const uint32_t id = member_of[i];
    const uint16_t after = id < now.size() ? now[id] : 0;
    out.to[i] = after;
    if (left[i] != kSameProgram && id < now.size()) now[id] = left[i];
    out.from[i] = id < now.size() ? now[id] : 0;
  }
  return out;
}

int64_t LargestMemberId(Db& db) { return db.QueryOne(kLargestMemberId)->Int(0); }

int32_t DayNumber(const Row& r, size_t i) {
  if (r.IsNull(i)) return 0;
  const std::string t = r.Text(i);
  if (t.size() < 10) return 0;
  auto digit = [&](size_t k) { return int32_t(t[k] - '0'); };
  const int32_t year = ((digit(0) * 10 + digit(1)) * 10 + digit(2)) * 10 + digit(3);
  return year * 10000 + (digit(5) * 10 + digit(6)) * 100 + digit(8) * 10 + digit(9);
}

int32_t DayNumber(Date d) { return int32_t(d.year() * 10000 + int(d.month()) * 100 + int(d.day())); }

ScopeMembers LoadScopeMembers(Db& db, const ReportScope& scope, bool with_loyalty) {
  const size_t size = size_t(LargestMemberId(db)) + 1;
  ScopeMembers m;
  m.store.assign(size, 0);
  m.created.assign(size, 0);
  const int64_t s = scope.store ? scope.store->value : 0;
  const int64_t g = scope.region ? scope.region->value : 0;
  db.QueryEach(kScopeMembers, {s, s, g, g}, [&](const Row& row) {
    const int64_t id = row.Int(0);
    if (id <= 0 || id >= int64_t(size)) return;
    m.store[size_t(id)] = row.Int(1);
    m.created[size_t(id)] = row.Int(2);
  });
  if (!with_loyalty && !scope.tier) return m;
  m.tier.assign(size, 0);
  m.last.assign(size, 0);
  m.program.assign(size, 0);
  db.QueryEach(kLoyalty, {}, [&](const Row& row) {
    const int64_t id = row.Int(0);
    if (id <= 0 || id >= int64_t(size)) return;
    const std::string program = row.Text(3);
    m.tier[size_t(id)] = m.codes.Of(TierKey(program, row.Text(1), scope.company_program));
    m.last[size_t(id)] = DayNumber(row, 2);
    m.program[size_t(id)] = m.programs.Of(program);
  });
  if (scope.tier) {  // "none" is the members without a tier, stored as ''
    const std::string only = *scope.tier != "none" ? *scope.tier : "";
    for (size_t id = 0; id < size; ++id) {
      if (m.codes[m.tier[id]] != only) m.store[id] = 0;
    }
  }
  return m;
}

}  // namespace vipcare::store::reports
