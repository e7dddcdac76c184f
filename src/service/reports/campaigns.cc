// R9 events and campaigns. Events (SPEC S3: invitations, RSVP, attendance)
// do not exist yet, so the report covers the campaign bonus windows of the
// company's loyalty program (L3) and has no invited / attended columns; they
// join the rows when S3 records who was invited and who came.
#include "store/reports/campaigns.h"

#include <algorithm>
#include <map>
#include <set>

#include "service/loyalty_core.h"
#include "service/reports/report_fns.h"

namespace vipcare::service::reports {

using json = nlohmann::json;

namespace {

// (part - base) / base in basis points, rounded half away from zero; null
// when there is no base to compare with.
json ChangeBp(int64_t part, int64_t base) {
  if (base <= 0) return nullptr;
  const int64_t diff = part - base;
  const int64_t magnitude = ((diff < 0 ? -diff : diff) * 20000 / base + 1) / 2;
  return diff < 0 ? -magnitude : magnitude;
}

// Every campaign the company's program has had, by code: a campaign edited
// later reads as its newest version has it, and one dropped from the
// program since still shows for the window it ran.
std::vector<domain::Campaign> CompanyCampaigns(store::LoyaltyRepository& l) {
  const domain::Program current = loyalty_core::LoadProgram(l);
  std::vector<domain::Campaign> out = current.earning.campaigns;
  std::set<std::string> seen;
  for (const auto& c : out) seen.insert(c.code);
  for (const auto& v : l.ListProgramVersions(current.code)) {
    if (v.version == current.version) continue;
    auto rec = l.GetProgram(current.code, v.version);
    if (!rec) continue;
    for (const auto& c : loyalty_core::ParseStoredProgram(*rec).earning.campaigns) {
      if (seen.insert(c.code).second) out.push_back(c);
    }
  }
  return out;
}

}  // namespace

// One row per campaign window overlapping the period, each over its whole
// window (not cut to the period), at the stores (and tier) of the scope:
//   buyers        members with a sale in the window
//   sales_fen     what members paid in the window, less refunds made in it
//   baseline_fen  the same for as many days right before the window
//   uplift_bp     (sales - baseline) / baseline; null without a baseline
ReportResult Campaigns(const ReportQuery& q, store::Repository& repo) {
  std::vector<domain::Campaign> campaigns = CompanyCampaigns(repo.loyalty());
  std::erase_if(campaigns,
                [&](const domain::Campaign& c) { return c.to < q.from_day || c.from > q.to_day; });
  std::sort(campaigns.begin(), campaigns.end(), [](const auto& a, const auto& b) {
    return a.from != b.from ? a.from < b.from : a.code < b.code;
  });
  json rows = json::array();
  int64_t sales = 0, baseline = 0;
  for (const auto& c : campaigns) {
    const int days = DaysBetween(c.from, c.to) + 1;
    const auto in = store::reports::MemberSalesBetween(repo.reports(), c.from, c.to, q.scope);
    const auto before = store::reports::MemberSalesBetween(repo.reports(), c.from.AddDays(-days),
                                                           c.from.AddDays(-1), q.scope);
    rows.push_back({{"campaign", c.code},
                    {"name", c.name},
                    {"from", c.from.ToString()},
                    {"to", c.to.ToString()},
                    {"days", days},
                    {"multiplier_bp", c.multiplier_bp},
                    {"bonus_points", c.bonus_points.value},
                    {"buyers", in.buyers},
                    {"purchases", in.sales},
                    {"sales_fen", in.sales_fen.value},
                    {"baseline_fen", before.sales_fen.value},
                    {"uplift_bp", ChangeBp(in.sales_fen.value, before.sales_fen.value)}});
    sales += in.sales_fen.value;
    baseline += before.sales_fen.value;
  }
  return json{{"columns", ColumnsJson({{"campaign", "活动代码", "text"},
                                       {"name", "活动", "text"},
                                       {"from", "开始", "date"},
                                       {"to", "结束", "date"},
                                       {"buyers", "购买会员"},
                                       {"purchases", "购买笔数"},
                                       {"sales_fen", "活动期会员销售额", "fen"},
                                       {"baseline_fen", "活动前同期天数销售额", "fen"},
                                       {"uplift_bp", "提升", "bp"}})},
              {"rows", rows},
              {"totals",
               {{"sales_fen", sales},
                {"baseline_fen", baseline},
                {"uplift_bp", ChangeBp(sales, baseline)}}}};
}

}  // namespace vipcare::service::reports
