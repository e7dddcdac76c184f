// The analysis reports (SPEC R1-R10) through service::Reports on the backend
// VIPCARE_TEST_BACKEND selects, each on a small hand-built data set whose
// figures are worked out below.
//
// R2 member sales contribution (net of refunds, company-local months):
//   SH01 2027-03: member 甲 100 yuan (03-02), member 乙 200 (03-05), a
//     walk-in 300 (03-06), 50 of 甲's sale refunded (03-10)
//     -> all 100+200+300-50 = 550 yuan, members 100+200-50 = 250 yuan,
//        share 250/550 = 45.45 % = 4545 bp, 3 sales of which 2 by members.
//   SH02 2027-04: member 丙 100 yuan (04-03) -> 100 / 100 = 10000 bp, 1 of 1.
//   Both: 650 yuan, members 350 -> 350/650 = 53.846 % = 5385 bp, 4 sales, 3 by members.
#include "service/reports.h"

#include "service/audit.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class ReportsTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  ReportsTest() {
    const MemberId jia = NewMember("甲会员");
    const MemberId yi = NewMember("乙会员");
    json body = fx_.MemberBody("丙会员", fx_.org().sh02);
    auto bing = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(bing.ok());
    auto first = Buy(jia, 100, D(2027, 3, 2));
    Buy(yi, 200, D(2027, 3, 5));
    Post(fx_.SaleBody("WALK-IN-1", MemberId(), 300), D(2027, 3, 6));
    Post(fx_.RefundBody("REFUND-1", first["external_id"], 50), D(2027, 3, 10));
    Post(fx_.SaleBody("SH02-1", bing->member.id, 100, fx_.org().sh02), D(2027, 4, 3));
    analyst_ = fx_.AddUser("hq", Role::kHqAnalyst);
    associate_ = fx_.AddUser("assoc.sh01", Role::kAssociate, fx_.org().associate_sh01);
    At(D(2027, 4, 20));
  }

  void Post(json body, Date day) {
    At(day);
    body["occurred_at"] = FormatTimestamp(fx_.clock().Now());
    auto r = loyalty_.PostSale(fx_.admin(), body);
    ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  }

  json Get(const Actor& a, QueryMap q) {
    auto r = reports_.Get(a, "member_sales", q);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  Reports reports_{fx_.env()};
  Actor analyst_, associate_;
};

TEST_F(ReportsTest, R2MemberShareOfSalesByStoreAndMonthIsNetOfRefunds) {
  auto r = Get(analyst_, {{"from", "2027-03"}, {"to", "2027-04"}});
  ASSERT_EQ(r["rows"].size(), 2u) << r.dump();
  const json& march = r["rows"][0];
  EXPECT_EQ(march["month"], "2027-03");
  EXPECT_EQ(march["store_id"], fx_.org().sh01.value);
  EXPECT_EQ(march["store_name"], "上海南京路店");
  EXPECT_EQ(march["sales_fen"], 55000);
  EXPECT_EQ(march["member_sales_fen"], 25000);
  EXPECT_EQ(march["member_share_bp"], 4545);
  EXPECT_EQ(march["transactions"], 3);
  EXPECT_EQ(march["member_transactions"], 2);
  const json& april = r["rows"][1];
  EXPECT_EQ(april["month"], "2027-04");
  EXPECT_EQ(april["store_id"], fx_.org().sh02.value);
  EXPECT_EQ(april["member_share_bp"], 10000);
  EXPECT_EQ(r["totals"]["sales_fen"], 65000);
  EXPECT_EQ(r["totals"]["member_sales_fen"], 35000);
  EXPECT_EQ(r["totals"]["member_share_bp"], 5385);
  EXPECT_EQ(r["totals"]["transactions"], 4);
  EXPECT_EQ(r["totals"]["member_transactions"], 3);
  // One month only.
  auto april_only = Get(analyst_, {{"from", "2027-04"}, {"to", "2027-04"}});
  ASSERT_EQ(april_only["rows"].size(), 1u);
  EXPECT_EQ(april_only["totals"]["sales_fen"], 10000);
}

TEST_F(ReportsTest, R2AStoreManagerSeesOnlyTheirStoreAndClerksNoReport) {
  auto mine = Get(manager_, {{"from", "2027-03"}, {"to", "2027-04"}});
  ASSERT_EQ(mine["rows"].size(), 1u);
  EXPECT_EQ(mine["rows"][0]["store_id"], fx_.org().sh01.value);
  EXPECT_EQ(mine["totals"]["sales_fen"], 55000);
  auto other = reports_.Get(manager_, "member_sales",
                            {{"store_id", std::to_string(fx_.org().sh02.value)}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);
  auto clerk = reports_.List(associate_);
  ASSERT_FALSE(clerk.ok());
  EXPECT_EQ(clerk.error().code, ErrorCode::kForbidden);
  // The catalogue names each report with its SPEC id.
  auto list = reports_.List(analyst_);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["items"][1]["name"], "member_sales");
  EXPECT_EQ((*list)["items"][1]["spec"], "R2");
}

TEST_F(ReportsTest, R2BadFiltersAndUnknownReportsNameTheField) {
  auto bad_month = reports_.Get(analyst_, "member_sales", {{"from", "2027-13"}});
  ASSERT_FALSE(bad_month.ok());
  EXPECT_EQ(bad_month.error().field, "from");
  auto reversed = reports_.Get(analyst_, "member_sales", {{"from", "2027-05"}, {"to", "2027-04"}});
  ASSERT_FALSE(reversed.ok());
  EXPECT_EQ(reversed.error().field, "from");
  auto unknown_filter = reports_.Get(analyst_, "member_sales", {{"colour", "red"}});
  ASSERT_FALSE(unknown_filter.ok());
  EXPECT_EQ(unknown_filter.error().field, "colour");
  auto unknown = reports_.Get(analyst_, "astrology", {});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().field, "name");
}

// The last audit row's action and detail.
std::pair<std::string, std::string> LastAudit(const Env& env, const Actor& admin) {
  AuditLog log(env);
  auto page = log.List(admin, {1000, 0});
  EXPECT_TRUE(page.ok());
  if (!page.ok() || page->items.empty()) return {};
  const auto& last = *std::max_element(page->items.begin(), page->items.end(),
                                       [](const auto& a, const auto& b) { return a.id < b.id; });
  return {last.action, last.detail};
}

TEST_F(ReportsTest, P4ExportAsCsvOpensInExcelWithYuanAndPercentAndIsAudited) {
  auto file = reports_.Export(analyst_, "member_sales",
                              {{"from", "2027-03"}, {"to", "2027-04"}, {"format", "csv"}});
  ASSERT_TRUE(file.ok()) << file.error().field << ": " << file.error().message;
  EXPECT_EQ(file->rows, 2);
  EXPECT_EQ(file->filename, "member_sales-2027-03-2027-04.csv");
  EXPECT_EQ(file->content_type, "text/csv; charset=utf-8");
  const std::string& csv = file->body;
  ASSERT_EQ(csv.rfind("\xEF\xBB\xBF月份,门店,销售额,会员销售额,会员占比,销售笔数,会员笔数\r\n", 0), 0u)
      << csv;
  EXPECT_NE(csv.find("2027-03,上海南京路店,550.00,250.00,45.45%,3,2\r\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("合计,,650.00,350.00,53.85%,4,3\r\n"), std::string::npos) << csv;
  auto [action, detail] = LastAudit(fx_.env(), fx_.admin());
  EXPECT_EQ(action, "report_export");
  EXPECT_EQ(detail, "rows=2 format=csv from=2027-03 to=2027-04");
}

TEST_F(ReportsTest, P4ExportAsGbkCsvAndXlsx) {
  auto gbk = reports_.Export(analyst_, "member_sales",
                             {{"from", "2027-03"}, {"to", "2027-04"}, {"format", "csv"},
                              {"encoding", "gbk"}});
  ASSERT_TRUE(gbk.ok()) << gbk.error().message;
  // 月份 in GBK is D4 C2 B7 DD; no byte order mark.
  ASSERT_GE(gbk->body.size(), 4u);
  EXPECT_EQ(gbk->body.substr(0, 4), std::string("\xD4\xC2\xB7\xDD"));
  EXPECT_EQ(gbk->content_type, "text/csv; charset=gbk");
  auto xlsx = reports_.Export(manager_, "member_sales",
                              {{"from", "2027-03"}, {"to", "2027-04"}, {"format", "xlsx"}});
  ASSERT_TRUE(xlsx.ok()) << xlsx.error().message;
  EXPECT_EQ(xlsx->rows, 1);  // the manager's store only
  ASSERT_GT(xlsx->body.size(), 1000u);
  EXPECT_EQ(xlsx->body.substr(0, 4), std::string("PK\x03\x04"));  // a zip: the xlsx container
  EXPECT_EQ(xlsx->filename, "member_sales-2027-03-2027-04.xlsx");
}

TEST_F(ReportsTest, P4ExportNeedsThePermissionAndAValidFormatAndAuditsNothingOtherwise) {
  const auto before = LastAudit(fx_.env(), fx_.admin());
  auto clerk = reports_.Export(associate_, "member_sales", {{"format", "csv"}});
  ASSERT_FALSE(clerk.ok());
  EXPECT_EQ(clerk.error().code, ErrorCode::kForbidden);
  auto no_format = reports_.Export(analyst_, "member_sales", {});
  ASSERT_FALSE(no_format.ok());
  EXPECT_EQ(no_format.error().field, "format");
  auto pdf = reports_.Export(analyst_, "member_sales", {{"format", "pdf"}});
  ASSERT_FALSE(pdf.ok());
  EXPECT_EQ(pdf.error().field, "format");
  auto latin = reports_.Export(analyst_, "member_sales", {{"format", "csv"}, {"encoding", "latin1"}});
  ASSERT_FALSE(latin.ok());
  EXPECT_EQ(latin.error().field, "encoding");
  auto bad_filter = reports_.Export(analyst_, "member_sales", {{"format", "csv"}, {"from", "x"}});
  ASSERT_FALSE(bad_filter.ok());
  EXPECT_EQ(bad_filter.error().field, "from");
  EXPECT_EQ(LastAudit(fx_.env(), fx_.admin()), before);
}

}  // namespace
}  // namespace vipcare::service
