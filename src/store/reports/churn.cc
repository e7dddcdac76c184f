// The SQL of the churn early warning (SPEC R5), shared by SQLite and
// PostgreSQL. Every statement is a named constant with `?` parameters; the
// multi-row upsert repeats one constant tuple.
#include "store/reports/churn.h"

#include <array>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include "store/reports/scope_members.h"

namespace vipcare::store::reports {
namespace {

// Closed, merged and erased files are never scored (their rows are removed
// by the next run) nor counted by the report.
constexpr std::string_view kCandidatesAfter =
    "SELECT l.member_id, l.last_purchase_on, l.downgrade_warned_on FROM member_loyalty l "
    "JOIN members m ON m.id = l.member_id "
    "WHERE m.status NOT IN ('closed', 'merged', 'erased') AND l.last_purchase_on IS NOT NULL "
    "AND l.member_id > ? ORDER BY l.member_id LIMIT ?";
constexpr std::string_view kMonthsBetween =
    "SELECT member_id, month, spend, purchases FROM member_months "
    "WHERE member_id >= ? AND member_id <= ? AND month >= ? ORDER BY member_id, month";

#define VIPCARE_CHURN_COLUMNS \
  "SELECT member_id, day, score, level, reason_bits, reasons, previous_score FROM member_churn "
constexpr std::string_view kScoresBetween =
    VIPCARE_CHURN_COLUMNS "WHERE member_id > ? AND member_id <= ? ORDER BY member_id";
constexpr std::string_view kGetScore = VIPCARE_CHURN_COLUMNS "WHERE member_id = ?";
#undef VIPCARE_CHURN_COLUMNS
constexpr std::string_view kUpsertHead =
    "INSERT INTO member_churn (member_id, day, score, level, reason_bits, reasons, "
    "previous_score) VALUES ";
constexpr std::string_view kUpsertTuple = "(?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kUpsertTail =
    " ON CONFLICT (member_id) DO UPDATE SET day = excluded.day, score = excluded.score, "
    "level = excluded.level, reason_bits = excluded.reason_bits, reasons = excluded.reasons, "
    "previous_score = excluded.previous_score";
constexpr size_t kUpsertWidth = 7;
constexpr size_t kUpsertRows = 64;
constexpr std::string_view kDeleteScore = "DELETE FROM member_churn WHERE member_id = ?";
constexpr std::string_view kDeleteScoresAfter = "DELETE FROM member_churn WHERE member_id > ?";
constexpr std::string_view kAlertsBetween =
    "SELECT member_id, score, reasons FROM member_churn "
    "WHERE member_id >= ? AND member_id <= ? AND day = ? "
    "AND (previous_score IS NULL OR score > previous_score) ORDER BY member_id";

// The report's cells: every stored score, grouped in memory by the member's
// home store and tier (scope_members.h: the scope's open members and tiers
// in arrays by id), level and reasons; no join per score (2.8 s -> ~0.9 s
// for 980,000 scores at 1M members).
constexpr std::string_view kScores = "SELECT member_id, reason_bits, level FROM member_churn";

std::optional<Date> ReadDay(const Row& row, size_t i) {
  if (row.IsNull(i)) return std::nullopt;
  return Date::Parse(row.Text(i));
}

StoredChurn ReadScore(const Row& row) {
  StoredChurn s;
  s.member_id = MemberId(row.Int(0));
  s.day = ReadDay(row, 1).value_or(Date());
  s.score = int(row.Int(2));
  s.level = row.Text(3);
  s.reason_bits = uint32_t(row.Int(4));
  s.reasons = row.Text(5);
  if (auto p = row.OptInt(6)) s.previous_score = int(*p);
  return s;
}

// The upsert of `count` rows (1..kUpsertRows); built once per size.
const std::string& UpsertSql(size_t count) {
  static const std::array<std::string, kUpsertRows + 1> texts = [] {
    std::array<std::string, kUpsertRows + 1> out;
    for (size_t n = 1; n <= kUpsertRows; ++n) {
      std::string sql(kUpsertHead);
      for (size_t i = 0; i < n; ++i) {
        if (i) sql += ", ";
        sql += kUpsertTuple;
      }
      sql += kUpsertTail;
      out[n] = std::move(sql);
    }
    return out;
  }();
  return texts[count];
}

}  // namespace

std::vector<ChurnCandidate> ChurnCandidatesAfter(ReportRepository& r, MemberId after,
                                                 int64_t limit) {
  std::vector<ChurnCandidate> out;
  for (const auto& row : r.db().Query(kCandidatesAfter, {after.value, limit})) {
    auto last = ReadDay(row, 1);
    if (!last) continue;  // not a day: never written by the loyalty engine
    out.push_back({MemberId(row.Int(0)), *last, !row.IsNull(2)});
  }
  return out;
}

std::vector<ChurnMonth> ChurnMonthsBetween(ReportRepository& r, MemberId first, MemberId last,
                                           int64_t from_month) {
  std::vector<ChurnMonth> out;
  for (const auto& row : r.db().Query(kMonthsBetween, {first.value, last.value, from_month})) {
    ChurnMonth m;
    m.member = MemberId(row.Int(0));
    const int64_t month = row.Int(1);
    m.bucket.year = int(month / 100);
    m.bucket.month = unsigned(month % 100);
    m.bucket.spend = Fen(row.Int(2));
    m.bucket.purchases = int(row.Int(3));
    out.push_back(m);
  }
  return out;
}

std::vector<StoredChurn> ChurnScoresBetween(ReportRepository& r, MemberId after, MemberId last) {
  std::vector<StoredChurn> out;
  for (const auto& row : r.db().Query(kScoresBetween, {after.value, last.value})) {
    out.push_back(ReadScore(row));
  }
  return out;
}

std::optional<StoredChurn> GetChurnScore(ReportRepository& r, MemberId member) {
  auto row = r.db().QueryOne(kGetScore, {member.value});
  if (!row) return std::nullopt;
  return ReadScore(*row);
}

void SaveChurnScores(ReportRepository& r, const std::vector<StoredChurn>& rows) {
  std::vector<Value> params;
  params.reserve(kUpsertRows * kUpsertWidth);
  for (size_t start = 0; start < rows.size(); start += kUpsertRows) {
    const size_t count = std::min(kUpsertRows, rows.size() - start);
    params.clear();
    for (size_t i = start; i < start + count; ++i) {
      const StoredChurn& s = rows[i];
      params.emplace_back(std::in_place_type<int64_t>, s.member_id.value);
      params.emplace_back(std::in_place_type<std::string>, s.day.ToString());
      params.emplace_back(std::in_place_type<int64_t>, s.score);
      params.emplace_back(std::in_place_type<std::string>, s.level);
      params.emplace_back(std::in_place_type<int64_t>, s.reason_bits);
      params.emplace_back(std::in_place_type<std::string>, s.reasons);
      if (s.previous_score) {
        params.emplace_back(std::in_place_type<int64_t>, *s.previous_score);
      } else {
        params.emplace_back();  // NULL
      }
    }
    r.db().Exec(UpsertSql(count), params);
  }
}

int64_t DeleteChurnScores(ReportRepository& r, const std::vector<MemberId>& members) {
  int64_t n = 0;
  for (MemberId m : members) n += r.db().Exec(kDeleteScore, {m.value});
  return n;
}

int64_t DeleteChurnScoresAfter(ReportRepository& r, MemberId after) {
  return r.db().Exec(kDeleteScoresAfter, {after.value});
}

std::vector<ChurnAlert> ChurnAlertsBetween(ReportRepository& r, MemberId first, MemberId last,
                                           Date day) {
  std::vector<ChurnAlert> out;
  for (const auto& row : r.db().Query(kAlertsBetween, {first.value, last.value, day.ToString()})) {
    out.push_back({MemberId(row.Int(0)), int(row.Int(1)), row.Text(2)});
  }
  return out;
}

std::vector<ChurnCell> ChurnCells(ReportRepository& r, const ReportScope& scope) {
  const ScopeMembers m = LoadScopeMembers(r.db(), scope, /*with_loyalty=*/true);
  std::map<std::tuple<int64_t, uint16_t, uint32_t, std::string>, int64_t> counts;
  r.db().QueryEach(kScores, {}, [&](const Row& row) {
    const int64_t id = row.Int(0);
    if (!m.In(id)) return;
    counts[{m.store[size_t(id)], m.tier[size_t(id)], uint32_t(row.Int(1)), row.Text(2)}] += 1;
  });
  std::vector<ChurnCell> out;
  for (const auto& [key, members] : counts) {
    const auto& [store, tier, bits, level] = key;
    out.push_back({StoreId(store), m.codes[tier], bits, level, members});
  }
  return out;
}

namespace {

void AddLevel(const ChurnCell& c, int64_t& high, int64_t& medium, int64_t& low) {
  if (c.level == "high") high += c.members;
  if (c.level == "medium") medium += c.members;
  if (c.level == "low") low += c.members;
}

}  // namespace

std::vector<ChurnStoreCounts> ChurnByStore(const std::vector<ChurnCell>& cells) {
  std::map<int64_t, ChurnStoreCounts> by;
  for (const auto& c : cells) {
    auto& s = by.try_emplace(c.store.value, ChurnStoreCounts{c.store}).first->second;
    s.scored += c.members;
    AddLevel(c, s.high, s.medium, s.low);
  }
  std::vector<ChurnStoreCounts> out;
  for (auto& [id, s] : by) out.push_back(s);
  return out;
}

std::vector<ChurnTierCounts> ChurnByTier(const std::vector<ChurnCell>& cells) {
  std::map<std::string, ChurnTierCounts> by;
  for (const auto& c : cells) {
    auto& t = by.try_emplace(c.tier_code, ChurnTierCounts{c.tier_code}).first->second;
    AddLevel(c, t.high, t.medium, t.low);
  }
  std::vector<ChurnTierCounts> out;
  for (auto& [code, t] : by) out.push_back(t);
  return out;
}

std::vector<ChurnReasonMix> ChurnReasonMixes(const std::vector<ChurnCell>& cells) {
  std::map<std::pair<uint32_t, std::string>, int64_t> by;
  for (const auto& c : cells) by[{c.reason_bits, c.level}] += c.members;
  std::vector<ChurnReasonMix> out;
  for (const auto& [key, members] : by) out.push_back({key.first, key.second, members});
  return out;
}

}  // namespace vipcare::store::reports
