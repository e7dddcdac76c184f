// R2 member sales contribution.
#include "service/reports/report_fns.h"

namespace vipcare::service::reports {

using json = nlohmann::json;

ReportResult MemberSales(const ReportQuery& q, store::Repository& repo) {
  json rows = json::array();
  int64_t all = 0, members = 0, sales = 0, member_sales = 0;
  for (const auto& r : repo.reports().SalesByStoreMonth(q.from, q.to, q.scope)) {
    auto name = q.store_names.find(r.store_id.value);
    rows.push_back({{"month", r.month},
                    {"store_id", r.store_id.value},
                    {"store_name", name == q.store_names.end() ? "" : name->second},
                    {"sales_fen", r.all.value},
                    {"member_sales_fen", r.members.value},
                    {"member_share_bp", ShareBp(r.members.value, r.all.value)},
                    {"transactions", r.sales},
                    {"member_transactions", r.member_sales}});
    all += r.all.value;
    members += r.members.value;
    sales += r.sales;
    member_sales += r.member_sales;
  }
  return json{{"columns", ColumnsJson({{"month", "月份", "month"},
                                       {"store_name", "门店", "text"},
                                       {"sales_fen", "销售额", "fen"},
                                       {"member_sales_fen", "会员销售额", "fen"},
                                       {"member_share_bp", "会员占比", "bp"},
                                       {"transactions", "销售笔数"},
                                       {"member_transactions", "会员笔数"}})},
              {"rows", rows},
              {"totals",
               {{"sales_fen", all},
                {"member_sales_fen", members},
                {"member_share_bp", ShareBp(members, all)},
                {"transactions", sales},
                {"member_transactions", member_sales}}}};
}

}  // namespace vipcare::service::reports
