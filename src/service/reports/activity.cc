// R4 activity and RFM.
//
// Both are as of min(today, the last day of `to`): a report on past months
// reads the members' purchases up to the end of that period, one on the
// current month up to today.
#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "domain/program.h"
#include "service/loyalty_core.h"
#include "service/reports/report_fns.h"
#include "store/reports/activity.h"

namespace vipcare::service::reports {

using json = nlohmann::json;

namespace {

constexpr int kWindowMonths = 12;  // RFM frequency and monetary window
constexpr int kHighScore = 4;      // a score of 4 or 5 is "high" for the segments
constexpr int kScores = 5;         // quintiles

Date AsOf(const ReportQuery& q) { return std::min(q.today, q.to_day); }

store::reports::AsOfDay AsOfDay(const ReportQuery& q, Date day) {
  return {day, q.tz.StartOfDay(Date::FromYmd(day.year(), day.month(), 1)),
          q.tz.StartOfDay(day.AddDays(1))};
}

// The `tier` filter must name a tier of a program members are on.
Status CheckTier(const ReportQuery& q, store::Repository& repo) {
  if (!q.scope.tier) return OkStatus();
  const domain::Program program = loyalty_core::ProgramBook(repo.loyalty()).Ladder();
  if (!domain::FindTier(program, *q.scope.tier)) {
    return Error::Invalid("tier", "is not a tier code of the programs members are on");
  }
  return OkStatus();
}

std::string StoreName(const ReportQuery& q, StoreId id) {
  auto it = q.store_names.find(id.value);
  return it == q.store_names.end() ? "" : it->second;
}

// a / b rounded half away from zero; null when b is not positive.
json RoundedDiv(int64_t a, int64_t b) {
  if (b <= 0) return nullptr;
  const int64_t q = (2 * (a < 0 ? -a : a) + b) / (2 * b);
  return a < 0 ? -q : q;
}

// The classic eight RFM segments: each measure is high (score >= 4) or low.
struct Segment {
  const char* code;
  const char* name;
  bool r_high, f_high, m_high;
};
constexpr std::array<Segment, 8> kSegments = {{
    {"important_value", "重要价值客户", true, true, true},
    {"important_develop", "重要发展客户", true, false, true},
    {"important_keep", "重要保持客户", false, true, true},
    {"important_winback", "重要挽留客户", false, false, true},
    {"general_value", "一般价值客户", true, true, false},
    {"general_develop", "一般发展客户", true, false, false},
    {"general_keep", "一般保持客户", false, true, false},
    {"general_winback", "一般挽留客户", false, false, false},
}};

size_t SegmentOf(const store::reports::RfmCell& c) {
  for (size_t i = 0; i < kSegments.size(); ++i) {
    const Segment& s = kSegments[i];
    if ((c.r >= kHighScore) == s.r_high && (c.f >= kHighScore) == s.f_high &&
        (c.m >= kHighScore) == s.m_high) {
      return i;
    }
  }
  return kSegments.size() - 1;  // unreachable: the eight cover every combination
}

}  // namespace

ReportResult Activity(const ReportQuery& q, store::Repository& repo) {
  VIPCARE_TRY(CheckTier(q, repo));
  const Date as_of = AsOf(q);
  json rows = json::array();
  store::reports::StoreActivity total;
  for (const auto& a :
       store::reports::ActivityByStore(repo.reports(), AsOfDay(q, as_of), q.scope)) {
    rows.push_back({{"store_id", a.store_id.value},
                    {"store_name", StoreName(q, a.store_id)},
                    {"members", a.members},
                    {"active_90", a.active_90},
                    {"dormant_180", a.dormant_180},
                    {"dormant_365", a.dormant_365},
                    {"never_bought", a.never_bought},
                    {"active_share_bp", ShareBp(a.active_90, a.members)}});
    total.members += a.members;
    total.active_90 += a.active_90;
    total.dormant_180 += a.dormant_180;
    total.dormant_365 += a.dormant_365;
    total.never_bought += a.never_bought;
  }
  return json{{"as_of", as_of.ToString()},
              {"columns", ColumnsJson({{"store_name", "门店", "text"},
                                       {"members", "会员数"},
                                       {"active_90", "活跃（近90天有消费）"},
                                       {"dormant_180", "沉睡（180天无消费）"},
                                       {"dormant_365", "沉睡（365天无消费）"},
                                       {"never_bought", "从未消费"},
                                       {"active_share_bp", "活跃率", "bp"}})},
              {"rows", rows},
              {"totals",
               {{"members", total.members},
                {"active_90", total.active_90},
                {"dormant_180", total.dormant_180},
                {"dormant_365", total.dormant_365},
                {"never_bought", total.never_bought},
                {"active_share_bp", ShareBp(total.active_90, total.members)}}}};
}

ReportResult Rfm(const ReportQuery& q, store::Repository& repo) {
  VIPCARE_TRY(CheckTier(q, repo));
  const Date as_of = AsOf(q);
  const Date first = Date::FromYmd(as_of.year(), as_of.month(), 1).AddMonths(1 - kWindowMonths);
  const auto cells =
      store::reports::RfmCells(repo.reports(), AsOfDay(q, as_of), loyalty_core::YearMonth(first),
                               q.scope);

  std::array<std::pair<int64_t, int64_t>, kSegments.size()> by_segment{};  // members, spend
  std::map<std::pair<int, int>, std::pair<int64_t, int64_t>> grid;         // (r, f) -> same
  int64_t buyers = 0, spend = 0;
  for (const auto& c : cells) {
    auto& s = by_segment[SegmentOf(c)];
    s.first += c.members;
    s.second += c.spend.value;
    auto& g = grid[{c.r, c.f}];
    g.first += c.members;
    g.second += c.spend.value;
    buyers += c.members;
    spend += c.spend.value;
  }
  json rows = json::array();
  for (size_t i = 0; i < kSegments.size(); ++i) {
    const auto [members, fen] = by_segment[i];
    rows.push_back({{"segment", kSegments[i].code},
                    {"segment_name", kSegments[i].name},
                    {"members", members},
                    {"share_bp", ShareBp(members, buyers)},
                    {"spend_fen", fen},
                    {"avg_spend_fen", RoundedDiv(fen, members)}});
  }
  json cells_json = json::array();
  for (int r = 1; r <= kScores; ++r) {
    for (int f = 1; f <= kScores; ++f) {
      const auto it = grid.find({r, f});
      const auto [members, fen] = it == grid.end() ? std::pair<int64_t, int64_t>{0, 0} : it->second;
      cells_json.push_back({{"r", r}, {"f", f}, {"members", members}, {"monetary_fen", fen}});
    }
  }
  return json{{"as_of", as_of.ToString()},
              {"window", {{"from", MonthOf(first)}, {"to", MonthOf(as_of)}}},
              {"columns", ColumnsJson({{"segment_name", "客户分群", "text"},
                                       {"members", "人数"},
                                       {"share_bp", "占比", "bp"},
                                       {"spend_fen", "近12个月消费额", "fen"},
                                       {"avg_spend_fen", "人均消费额", "fen"}})},
              {"rows", rows},
              {"totals",
               {{"members", buyers},
                {"share_bp", ShareBp(buyers, buyers)},
                {"spend_fen", spend},
                {"avg_spend_fen", RoundedDiv(spend, buyers)}}},
              {"grid", cells_json}};
}

}  // namespace vipcare::service::reports
