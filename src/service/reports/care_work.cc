// R8 care work and staff goals (SPEC C3, S4): aggregates of the care engine's
// tasks and of each associate's work; no member appears in them.
#include "store/reports/care_work.h"

#include <algorithm>
#include <map>

#include "service/reports/report_fns.h"

namespace vipcare::service::reports {

using json = nlohmann::json;

namespace {

// Channels person-to-person first, as in the monthly store report; any other
// channel follows by name.
constexpr std::pair<const char*, const char*> kChannels[] = {
    {"phone", "电话"}, {"visit", "上门拜访"}, {"wechat", "微信"}, {"sms", "短信"},
    {"email", "邮件"}, {"mail", "邮寄"},      {"gift", "礼品"}};

size_t ChannelRank(const std::string& channel) {
  for (size_t i = 0; i < std::size(kChannels); ++i) {
    if (channel == kChannels[i].first) return i;
  }
  return std::size(kChannels);
}

std::string ChannelName(const std::string& channel) {
  const size_t rank = ChannelRank(channel);
  return rank < std::size(kChannels) ? kChannels[rank].second : channel;
}

std::string StoreName(const ReportQuery& q, StoreId id) {
  auto it = q.store_names.find(id.value);
  return it == q.store_names.end() ? "" : it->second;
}

}  // namespace

// Rows per month x store x channel of the tasks due in the period, counted as
// the monthly store report counts them (store/reports/care_work.h,
// CareWorkCell); done_share_bp = done / planned. Channels in the order of the
// monthly report.
ReportResult CareWork(const ReportQuery& q, store::Repository& repo) {
  auto cells =
      store::reports::CareWorkCells(repo.reports(), q.from_day, q.to_day, q.today, q.scope);
  std::stable_sort(cells.begin(), cells.end(), [](const auto& a, const auto& b) {
    if (a.month != b.month) return a.month < b.month;
    if (a.store_id != b.store_id) return a.store_id.value < b.store_id.value;
    const size_t ra = ChannelRank(a.channel), rb = ChannelRank(b.channel);
    if (ra != rb) return ra < rb;
    return a.channel < b.channel;
  });
  json rows = json::array();
  store::reports::CareWorkCell total;
  for (const auto& c : cells) {
    rows.push_back({{"month", c.month},
                    {"store_id", c.store_id.value},
                    {"store_name", StoreName(q, c.store_id)},
                    {"channel", c.channel},
                    {"channel_name", ChannelName(c.channel)},
                    {"planned", c.planned},
                    {"done", c.done},
                    {"on_time", c.on_time},
                    {"overdue", c.overdue},
                    {"failed", c.failed},
                    {"skipped", c.skipped},
                    {"pending", c.pending},
                    {"done_share_bp", ShareBp(c.done, c.planned)}});
    total.planned += c.planned;
    total.done += c.done;
    total.on_time += c.on_time;
    total.overdue += c.overdue;
    total.failed += c.failed;
    total.skipped += c.skipped;
    total.pending += c.pending;
  }
  return json{{"columns", ColumnsJson({{"month", "月份", "month"},
                                       {"store_name", "门店", "text"},
                                       {"channel_name", "渠道", "text"},
                                       {"planned", "计划"},
                                       {"done", "完成"},
                                       {"on_time", "按时完成"},
                                       {"overdue", "逾期"},
                                       {"failed", "未成功"},
                                       {"skipped", "跳过"},
                                       {"pending", "待办"},
                                       {"done_share_bp", "完成率", "bp"}})},
              {"rows", rows},
              {"totals",
               {{"planned", total.planned},
                {"done", total.done},
                {"on_time", total.on_time},
                {"overdue", total.overdue},
                {"failed", total.failed},
                {"skipped", total.skipped},
                {"pending", total.pending},
                {"done_share_bp", ShareBp(total.done, total.planned)}}}};
}

// S4 per associate over the period (store/reports/care_work.h,
// StaffGoalRow): members recruited, profile completeness of the members
// assigned to them, care tasks due (up to today) and done on time, and the
// sales they made. The seeds' rule "根据每天各店销量，各店店长每天应交于客户资源部
// 相同数量VIP客户资料" — every sale comes with a customer file — is read here as:
// a sale comes with a file when it is posted to a member (found at the till or
// registered on the spot), so sales_files_bp = member sales / all sales, and
// sales_without_file counts the sales that lacked one. A report, not a fine
// (S4). Rows: every associate of a store in scope, and any other staff member
// of one with a figure in the period.
ReportResult StaffGoals(const ReportQuery& q, store::Repository& repo) {
  const TimeZone& tz = q.tz;
  auto figures =
      store::reports::StaffGoalRows(repo.reports(), q.from_day, q.to_day, tz.StartOfDay(q.from_day),
                                    tz.StartOfDay(q.to_day.AddDays(1)), q.today, q.scope);
  json rows = json::array();
  store::reports::StaffGoalRow total;
  for (const auto& g : figures) {
    const bool busy = g.recruited || g.tasks_due || g.sales || g.member_sales_fen.value;
    if (g.role != "associate" && !busy) continue;
    if (!g.active && !busy) continue;
    rows.push_back({{"staff_id", g.staff_id.value},
                    {"staff_name", g.name},
                    {"store_id", g.store_id.value},
                    {"store_name", StoreName(q, g.store_id)},
                    {"recruited", g.recruited},
                    {"members", g.members},
                    {"profile_complete_bp", ShareBp(g.profile_complete, g.members)},
                    {"tasks_due", g.tasks_due},
                    {"tasks_on_time", g.tasks_on_time},
                    {"on_time_bp", ShareBp(g.tasks_on_time, g.tasks_due)},
                    {"member_sales", g.member_sales},
                    {"member_sales_fen", g.member_sales_fen.value},
                    {"sales", g.sales},
                    {"sales_files_bp", ShareBp(g.member_sales, g.sales)},
                    {"sales_without_file", g.sales - g.member_sales}});
    total.recruited += g.recruited;
    total.members += g.members;
    total.profile_complete += g.profile_complete;
    total.tasks_due += g.tasks_due;
    total.tasks_on_time += g.tasks_on_time;
    total.member_sales += g.member_sales;
    total.member_sales_fen += g.member_sales_fen;
    total.sales += g.sales;
  }
  return json{{"columns", ColumnsJson({{"staff_name", "导购", "text"},
                                       {"store_name", "门店", "text"},
                                       {"recruited", "新招募会员"},
                                       {"members", "负责会员"},
                                       {"profile_complete_bp", "档案完整率", "bp"},
                                       {"tasks_due", "到期任务"},
                                       {"tasks_on_time", "按时完成"},
                                       {"on_time_bp", "按时完成率", "bp"},
                                       {"member_sales", "会员销售笔数"},
                                       {"member_sales_fen", "会员销售额", "fen"},
                                       {"sales", "销售笔数"},
                                       {"sales_files_bp", "销量资料对应率", "bp"},
                                       {"sales_without_file", "缺资料笔数"}})},
              {"rows", rows},
              {"totals",
               {{"recruited", total.recruited},
                {"members", total.members},
                {"profile_complete_bp", ShareBp(total.profile_complete, total.members)},
                {"tasks_due", total.tasks_due},
                {"tasks_on_time", total.tasks_on_time},
                {"on_time_bp", ShareBp(total.tasks_on_time, total.tasks_due)},
                {"member_sales", total.member_sales},
                {"member_sales_fen", total.member_sales_fen.value},
                {"sales", total.sales},
                {"sales_files_bp", ShareBp(total.member_sales, total.sales)},
                {"sales_without_file", total.sales - total.member_sales}}}};
}

}  // namespace vipcare::service::reports
