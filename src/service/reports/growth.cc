// R1 member growth: new temporary and formal members per month and home
// store, by source and referral, and the conversion temporary -> formal (M4).
//
// Answer: {"columns", "rows": [{"month", "store_id", "store_name",
// "new_temporary", "new_formal", "converted", "referred"}] (one per month and
// home store with any figure, by month then store id), "totals": {the four
// counts}, "sources": [{"source", "name", "members"}] (members who joined in
// the period, most first), "funnel": {"temporary", "converted",
// "formal_direct", "conversion_bp"}}.
//   new_temporary / new_formal  files registered in the month that joined as
//       a temporary / formal member (their first card's kind; prospects
//       without a card are not members yet);
//   converted  members whose first formal card (M4) was issued in the month,
//       whenever they registered;
//   referred   of the month's new members, those with a referrer;
//   funnel     of the members who joined as temporary in the period, how many
//       were formal by the period's last day (conversion_bp = that share).
// Erased and merged files count in the month they registered: they were new
// members then, and the tombstone keeps the store, source and dates. (An
// erased file loses its referrer, so it drops out of "referred".)
// The queries and how they scale: store/reports/growth.h.
#include <algorithm>
#include <map>
#include <utility>

#include "core/clock.h"
#include "service/reports/report_fns.h"
#include "store/reports/growth.h"

namespace vipcare::service::reports {

using json = nlohmann::json;

namespace {

const char* SourceName(const std::string& source) {
  if (source == "walk_in") return "到店登记";
  if (source == "referral") return "会员推荐";
  if (source == "event") return "活动";
  if (source == "online") return "线上";
  if (source == "import") return "批量导入";
  return "其他";
}

struct MonthStore {
  int64_t new_temporary = 0;
  int64_t new_formal = 0;
  int64_t converted = 0;
  int64_t referred = 0;
};

}  // namespace

ReportResult MemberGrowth(const ReportQuery& q, store::Repository& repo) {
  const TimeZone* zone = &q.tz;

  // Month i of the period is [bounds[i], bounds[i+1]) in company time.
  const std::vector<std::string> months = MonthsBetween(q.from, q.to);
  std::vector<Timestamp> bounds;
  for (const auto& m : months) bounds.push_back(zone->StartOfDay(*Date::Parse(m + "-01")));
  bounds.push_back(zone->StartOfDay(q.to_day.AddDays(1)));

  auto& r = repo.reports();
  std::map<std::pair<std::string, int64_t>, MonthStore> cells;
  std::map<std::string, int64_t> sources;
  int64_t joined_temporary = 0, converted_by_end = 0, joined_formal = 0;
  for (const auto& g : store::reports::NewMembersByMonth(r, bounds, q.to_day, q.scope)) {
    MonthStore& c = cells[{months[g.month], g.store_id.value}];
    if (g.joined_as == "formal") {
      c.new_formal += g.members;
      joined_formal += g.members;
    } else {
      c.new_temporary += g.members;
      joined_temporary += g.members;
      converted_by_end += g.formal_by;
    }
    c.referred += g.referred;
    sources[g.source] += g.members;
  }
  for (const auto& g : store::reports::ConversionsByMonth(r, q.from_day, q.to_day, q.scope)) {
    cells[{g.month, g.store_id.value}].converted += g.members;
  }

  json rows = json::array();
  MonthStore total;
  for (const auto& [key, c] : cells) {
    auto name = q.store_names.find(key.second);
    rows.push_back({{"month", key.first},
                    {"store_id", key.second},
                    {"store_name", name == q.store_names.end() ? "" : name->second},
                    {"new_temporary", c.new_temporary},
                    {"new_formal", c.new_formal},
                    {"converted", c.converted},
                    {"referred", c.referred}});
    total.new_temporary += c.new_temporary;
    total.new_formal += c.new_formal;
    total.converted += c.converted;
    total.referred += c.referred;
  }

  std::vector<std::pair<std::string, int64_t>> by_source(sources.begin(), sources.end());
  std::stable_sort(by_source.begin(), by_source.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  json source_rows = json::array();
  for (const auto& [source, n] : by_source) {
    source_rows.push_back({{"source", source}, {"name", SourceName(source)}, {"members", n}});
  }

  return json{{"columns", ColumnsJson({{"month", "月份", "month"},
                                       {"store_name", "门店", "text"},
                                       {"new_temporary", "新增临时会员"},
                                       {"new_formal", "新增正式会员"},
                                       {"converted", "临时转正式"},
                                       {"referred", "其中会员推荐"}})},
              {"rows", rows},
              {"totals",
               {{"new_temporary", total.new_temporary},
                {"new_formal", total.new_formal},
                {"converted", total.converted},
                {"referred", total.referred}}},
              {"sources", source_rows},
              {"funnel",
               {{"temporary", joined_temporary},
                {"converted", converted_by_end},
                {"formal_direct", joined_formal},
                {"conversion_bp", ShareBp(converted_by_end, joined_temporary)}}}};
}

}  // namespace vipcare::service::reports
