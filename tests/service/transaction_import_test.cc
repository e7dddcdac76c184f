// tests/service/transaction_import_test.cc
//
// Sales and refunds imported from CSV (SPEC L1 "imported from CSV"), posted
// like till sales (L2 points, L6 tiers), on the backend VIPCARE_TEST_BACKEND
// selects. The fixture company runs the department-store preset: 1 point per
// yuan paid, promotion lines earn nothing, 普卡 from a first purchase of ¥500.
#include "service/transaction_import.h"

#include <gtest/gtest.h>
#include <iconv.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "domain/lunar.h"
#include "domain/presets.h"
#include "domain/program.h"
#include "service/loyalty.h"
#include "service/loyalty_core.h"
#include "service/members.h"
#include "service/org.h"
#include "service/programs.h"
#include "service/redemption.h"
#include "service/report_rollups.h"
#include "testing/fixtures.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

std::string ReadFixture(const std::string& name) {
  std::ifstream f(std::string(VIPCARE_SOURCE_DIR) + "/tests/data/" + name, std::ios::binary);
  EXPECT_TRUE(f) << name;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void Replace(std::string& text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// The same text in GBK, as Chinese Excel saves "CSV (逗号分隔)".
std::string ToGbk(const std::string& utf8) {
  iconv_t cd = iconv_open("GBK", "UTF-8");
  EXPECT_NE(cd, reinterpret_cast<iconv_t>(-1));
  std::string out(utf8.size() * 2 + 16, '\0');
  char* in_ptr = const_cast<char*>(utf8.data());
  size_t in_left = utf8.size();
  char* out_ptr = out.data();
  size_t out_left = out.size();
  EXPECT_NE(iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left), size_t(-1));
  iconv_close(cd);
  out.resize(size_t(out_ptr - out.data()));
  return out;
}

class TransactionImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = AddMember("王芳", "13911110001");
    b_ = AddMember("李娜", "13911110002");
  }

  struct Added {
    MemberId id;
    std::string member_no;
    std::string card_no;
  };
  Added AddMember(const std::string& name, const std::string& mobile) {
    json body = fx_.MemberBody(name, fx_.org().sh01);
    body["mobile"] = mobile;
    auto m = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().message);
    if (!m.ok()) return {};
    return {m->member.id, m->member.member_no, m->cards.at(0).card_no};
  }

  // transactions_good.csv with this database's card and member numbers.
  std::string GoodFile() {
    std::string text = ReadFixture("transactions_good.csv");
    Replace(text, "{CARD_B}", b_.card_no);
    Replace(text, "{MEMBER_NO_A}", a_.member_no);
    return text;
  }

  Result<TransactionImportReport> Import(const std::string& csv, bool skip_bad = false,
                                         const Actor* actor = nullptr) {
    std::istringstream in(csv);
    TransactionImportOptions opt;
    opt.skip_bad = skip_bad;
    opt.batch_size = 2;  // several batches even for a small file
    return importer_.Run(actor ? *actor : fx_.admin(), in, opt);
  }

  TransactionImportReport MustImport(const std::string& csv, bool skip_bad = false) {
    auto r = Import(csv, skip_bad);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + ": " + r.error().message);
    return r.ok() ? *r : TransactionImportReport{};
  }

  json Points(MemberId id) {
    auto p = loyalty_.MemberPoints(fx_.admin(), id, {50, 0});
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    return p.ok() ? *p : json();
  }

  // The company put on the apparel preset (every 500 points a ¥20 voucher,
  // L5), then a file of one sale of `yuan` by member A imported.
  TransactionImportReport ImportASaleOnApparel(const std::string& external_id, int yuan) {
    Programs programs(fx_.env());
    EXPECT_TRUE(programs.Choose(fx_.admin(), "apparel_abc").ok());
    const std::string amount = std::to_string(yuan);
    auto r = MustImport("external_id,member_no,store_code,occurred_at,sku,list_price,paid\n" +
                        external_id + "," + a_.member_no + ",SH01,2026-11-20 14:05,NZ-1," +
                        amount + "," + amount + "\n");
    EXPECT_TRUE(r.errors.empty()) << Errors(r);
    EXPECT_EQ(r.posted, 1u);
    return r;
  }

  // How many of these external ids are posted (sales and refunds alike).
  int CountPosted(const std::vector<std::string>& external_ids) {
    return fx_.store()
        .Read([&](store::Repository& repo) -> Result<int> {
          int n = 0;
          for (const auto& id : external_ids) n += repo.loyalty().FindTransaction(id).has_value();
          return n;
        })
        .value();
  }

  static std::string Errors(const TransactionImportReport& r) {
    std::string out;
    for (const auto& e : r.errors) {
      out += "line " + std::to_string(e.line) + " " + e.field + ": " + e.message + "\n";
    }
    return out;
  }

  vipcare::testing::ServiceFixture fx_;
  Members members_{fx_.env()};
  Loyalty loyalty_{fx_.env()};
  TransactionImport importer_{fx_.env()};
  Added a_, b_;
};

// L6: with a member on a program of their own, every transaction is posted
// as the till posts it, by its member's program.
TEST_F(TransactionImportTest, L6AMemberOnTheirOwnProgramEarnsByItInAnImport) {
  auto moved = members_.Update(fx_.admin(), b_.id, json{{"program_id", "premium-goods"}});
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  auto r = MustImport(GoodFile());
  EXPECT_TRUE(r.errors.empty()) << Errors(r);
  EXPECT_EQ(r.posted, 5u);
  EXPECT_EQ(Points(a_.id)["points_balance"], 1268);  // the company's: 1 point a yuan
  json b = Points(b_.id);
  EXPECT_EQ(b["points_balance"], 25);  // premium goods: 1 point per 100 yuan of ¥2,599
  EXPECT_EQ(b["program"]["code"], "premium_goods");
  EXPECT_EQ(b["tier"]["code"], "normal");  // 普卡: one purchase of ¥2,000 or more
  // Loaded set-wise (one audit row per batch), not posted one by one.
  EXPECT_GT(fx_.CountAudit("sale_import"), 0);
  EXPECT_EQ(fx_.CountAudit("sale_post"), 0);
}

TEST_F(TransactionImportTest, L1ImportedSalesEarnPointsLikeTillSales) {
  std::vector<std::pair<size_t, size_t>> progress;
  std::istringstream in(GoodFile());
  TransactionImportOptions opt;
  opt.batch_size = 2;
  auto r = importer_.Run(fx_.admin(), in, opt, [&](size_t done, size_t total) {
    progress.emplace_back(done, total);
  });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->errors.empty()) << Errors(*r);
  EXPECT_EQ(r->rows_read, 6u);
  EXPECT_EQ(r->transactions, 5u);  // the first sale has two lines
  EXPECT_EQ(r->posted, 5u);
  EXPECT_EQ(r->repeats, 0u);
  EXPECT_EQ(r->non_member_sales, 1u);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(size_t(6), size_t(6)));

  // A: ¥1,169 + ¥199 on two lines, a promotion at SH02 (no points, L3), and
  // ¥100 of the second line brought back (L2 reversal): 1368 - 100.
  json a = Points(a_.id);
  EXPECT_EQ(a["points_balance"], 1268);
  EXPECT_EQ(a["growth_points"], 1268);
  EXPECT_EQ(a["tier"]["code"], "normal");  // 普卡: first purchase ≥ ¥500 (L6)
  // B, found by card number: ¥2,599.
  EXPECT_EQ(Points(b_.id)["points_balance"], 2599);
  EXPECT_EQ(CountPosted({"POS-SH01-0001", "POS-SH01-0002", "POS-SH02-0001", "POS-GZ01-0001", "POS-SH01-0003"}), 5);
  // One audit row per batch of two transactions (P6), and one for the import.
  EXPECT_EQ(fx_.CountAudit("sale_import"), 3);
  EXPECT_EQ(fx_.CountAudit("sale_post"), 0);
  EXPECT_EQ(fx_.CountAudit("import"), 1);

  // The amounts became fen exactly and the times are the company's.
  auto sale = fx_.store()
                  .Read([](store::Repository& repo) -> Result<store::TransactionRecord> {
                    auto t = repo.loyalty().FindTransaction("POS-SH02-0001");
                    if (!t) return Error::NotFound("transaction");
                    return *t;
                  })
                  .value();
  EXPECT_EQ(sale.member_id, a_.id);
  EXPECT_EQ(sale.store_id, fx_.org().sh02);
  EXPECT_EQ(sale.associate_id, fx_.org().associate_sh02);
  EXPECT_EQ(sale.paid_total, Fen(35070));
  EXPECT_EQ(sale.list_total, Fen(38970));  // 3 × ¥129.90
  ASSERT_EQ(sale.lines.size(), 1u);
  EXPECT_TRUE(sale.lines[0].promo);
  EXPECT_EQ(sale.lines[0].brand, "花颜");
  EXPECT_EQ(FormatTimestamp(sale.occurred_at), "2026-11-22T01:15:00Z");  // 09:15 in Shanghai
  EXPECT_EQ(sale.payment_method, "unionpay");
}

TEST_F(TransactionImportTest, R4AnImportedSaleInAClosedMonthMakesItsRollupStale) {
  // The report rollups of October and November 2026 are built on
  // 2026-12-15; the file's sales are dated in November (SPEC R4, R6).
  std::map<std::string, int64_t> counts;
  ASSERT_TRUE(ReportRollups(fx_.env()).RunDay(fx_.admin(), Date::FromYmd(2026, 12, 15), counts).ok());
  EXPECT_EQ(counts["rollups_built"], 2);
  EXPECT_TRUE(fx_.RollupReady(202610));
  EXPECT_TRUE(fx_.RollupReady(202611));
  MustImport(GoodFile());
  EXPECT_TRUE(fx_.RollupReady(202610));
  EXPECT_FALSE(fx_.RollupReady(202611));
}

TEST_F(TransactionImportTest, L1ImportingTheSameFileAgainChangesNothing) {
  const std::string file = GoodFile();
  MustImport(file);
  const json before_a = Points(a_.id);
  const int64_t audit_before = fx_.CountAudit("sale_import");

  auto again = MustImport(file);
  EXPECT_TRUE(again.errors.empty()) << Errors(again);
  EXPECT_EQ(again.transactions, 5u);
  EXPECT_EQ(again.posted, 0u);
  EXPECT_EQ(again.repeats, 5u);
  EXPECT_EQ(Points(a_.id), before_a);
  EXPECT_EQ(Points(b_.id)["points_balance"], 2599);
  EXPECT_EQ(CountPosted({"POS-SH01-0001", "POS-SH01-0002", "POS-SH02-0001", "POS-GZ01-0001", "POS-SH01-0003"}), 5);
  EXPECT_EQ(fx_.CountAudit("sale_import"), audit_before);
}

TEST_F(TransactionImportTest, L1BadRowsAreAllReportedWithLineAndColumnAndNothingIsPosted) {
  auto r = MustImport(ReadFixture("transactions_two_bad.csv"));
  ASSERT_EQ(r.errors.size(), 2u) << Errors(r);
  EXPECT_EQ(r.errors[0].line, 3u);
  EXPECT_EQ(r.errors[0].field, "实付金额");  // 59.999: more than two decimals
  EXPECT_EQ(r.errors[1].line, 5u);
  EXPECT_EQ(r.errors[1].field, "门店编码");  // BJ09 is no store of the company
  EXPECT_EQ(r.rows_read, 5u);
  EXPECT_EQ(r.posted, 0u);
  EXPECT_EQ(CountPosted({"T-001", "T-002", "T-003", "T-004", "T-005"}), 0);
  EXPECT_EQ(Points(a_.id)["points_balance"], 0);
  EXPECT_EQ(fx_.CountAudit("sale_import"), 0);
  EXPECT_EQ(fx_.CountAudit("import"), 0);
}

TEST_F(TransactionImportTest, L1SkipBadPostsTheGoodTransactions) {
  auto r = MustImport(ReadFixture("transactions_two_bad.csv"), /*skip_bad=*/true);
  EXPECT_EQ(r.errors.size(), 2u) << Errors(r);
  EXPECT_EQ(r.posted, 3u);  // T-001, T-003 (no member) and T-005
  EXPECT_EQ(r.non_member_sales, 1u);
  EXPECT_EQ(CountPosted({"T-001", "T-003", "T-005"}), 3);
  EXPECT_EQ(Points(a_.id)["points_balance"], 599);
  EXPECT_EQ(Points(b_.id)["points_balance"], 899);
  // The fixed file, imported afterwards, posts only what is missing.
  std::string fixed = ReadFixture("transactions_two_bad.csv");
  Replace(fixed, "59.999", "599");
  Replace(fixed, "BJ09", "SH01");
  auto rest = MustImport(fixed);
  EXPECT_TRUE(rest.errors.empty()) << Errors(rest);
  EXPECT_EQ(rest.posted, 2u);
  EXPECT_EQ(rest.repeats, 3u);
  EXPECT_EQ(Points(a_.id)["points_balance"], 599 + 599);
}

TEST_F(TransactionImportTest, L1GbkFilesFromChineseExcelAreRead) {
  const std::string csv =
      "单号,手机,门店编码,导购工号,交易时间,商品编码,品类,品牌,数量,吊牌价,实付金额,特价,支付方式\n"
      "G-001,13911110001,SH01,E001,2026-11-20 14:05,NZ-9,女装,锦澜,1,888.00,800.00,否,微信\n"
      "G-001,,,,,XB-1,箱包,旅人,1,1299,1299,否,\n";
  auto r = MustImport(ToGbk(csv));
  EXPECT_TRUE(r.errors.empty()) << Errors(r);
  EXPECT_EQ(r.posted, 1u);
  EXPECT_EQ(Points(a_.id)["points_balance"], 2099);
  auto sale = fx_.store()
                  .Read([](store::Repository& repo) -> Result<store::TransactionRecord> {
                    return *repo.loyalty().FindTransaction("G-001");
                  })
                  .value();
  ASSERT_EQ(sale.lines.size(), 2u);
  EXPECT_EQ(sale.lines[0].brand, "锦澜");  // decoded, not mojibake
  EXPECT_EQ(sale.lines[1].category, "箱包");
  EXPECT_EQ(sale.payment_method, "微信");
}

TEST_F(TransactionImportTest, L1ARefundAfterItsSaleTakesItsPointsBack) {
  MustImport(GoodFile());
  ASSERT_EQ(Points(a_.id)["points_balance"], 1268);
  // A second file the next day: the rest of line 2 (¥99 of ¥199 is left),
  // then too much.
  fx_.clock().Advance(std::chrono::hours(24));
  const std::string header = "external_id,kind,original_external_id,store_code,occurred_at,paid,line_no\n";
  auto too_much = MustImport(header +
                             "R-2,refund,POS-SH01-0001,SH01,2026-11-24 10:00,99.00,2\n"
                             "R-3,refund,POS-SH01-0001,SH01,2026-11-24 11:00,0.01,2\n");
  ASSERT_EQ(too_much.errors.size(), 1u) << Errors(too_much);
  EXPECT_EQ(too_much.errors[0].line, 3u);
  EXPECT_EQ(too_much.errors[0].field, "paid");
  EXPECT_EQ(too_much.posted, 0u);

  auto r = MustImport(header + "R-2,refund,POS-SH01-0001,SH01,2026-11-24 10:00,99.00,2\n"
                               "R-4,退货,POS-SH01-0001,SH01,2026-11-24 11:00,1169,1\n");
  EXPECT_TRUE(r.errors.empty()) << Errors(r);
  EXPECT_EQ(r.posted, 2u);
  // Only the promotion (no points) is left of A's purchases.
  EXPECT_EQ(Points(a_.id)["points_balance"], 0);
  // A refund before its sale in the file, and of a sale nobody posted.
  auto order = MustImport(
      "external_id,kind,original_external_id,mobile,store_code,occurred_at,sku,list_price,paid,line_no\n"
      "R-9,refund,S-9,,SH01,2026-11-24 10:00,,,10,1\n"
      "S-9,sale,,13911110002,SH01,2026-11-24 09:00,NZ-1,100,100,\n"
      "R-10,refund,NO-SUCH-SALE,,SH01,2026-11-24 10:00,,,10,1\n");
  ASSERT_EQ(order.errors.size(), 2u) << Errors(order);
  EXPECT_EQ(order.errors[0].line, 2u);
  EXPECT_EQ(order.errors[0].field, "original_external_id");
  EXPECT_NE(order.errors[0].message.find("line 3"), std::string::npos) << order.errors[0].message;
  EXPECT_EQ(order.errors[1].line, 4u);
  EXPECT_EQ(order.posted, 0u);
}

// As POST /api/v1/transactions's paid_total_fen: a till's own total (实收合计)
// must be what the transaction's rows add up to.
TEST_F(TransactionImportTest, L1ATillsTotalMustBeWhatItsRowsAddUpTo) {
  const std::string file =
      "external_id,mobile,store_code,occurred_at,sku,list_price,paid,paid_total\n"
      "T-1,13911110001,SH01,2026-11-20 14:05,NZ-1,100,100,150.00\n"
      "T-1,,,,NZ-2,50,50,150.00\n"
      "T-2,13911110002,SH01,2026-11-20 14:06,NZ-3,100,100,99.99\n";
  auto r = MustImport(file);
  ASSERT_EQ(r.errors.size(), 1u) << Errors(r);
  EXPECT_EQ(r.errors[0].line, 4u);
  EXPECT_EQ(r.errors[0].field, "paid_total");
  EXPECT_EQ(CountPosted({"T-1", "T-2"}), 0);
  auto skipped = MustImport(file, /*skip_bad=*/true);
  EXPECT_EQ(skipped.posted, 1u);
  EXPECT_EQ(CountPosted({"T-1", "T-2"}), 1);
}

TEST_F(TransactionImportTest, L1TheRowsOfATransactionAreConsecutiveAndAgree) {
  auto r = MustImport(
      "external_id,mobile,store_code,occurred_at,sku,list_price,paid\n"
      "S-1,13911110001,SH01,2026-11-20 14:05,NZ-1,100,100\n"
      "S-2,13911110002,SH01,2026-11-20 14:06,NZ-2,100,100\n"
      "S-1,,,,NZ-3,100,100\n"                               // S-1 again, not consecutive
      "S-3,13911110002,SH01,2026-11-20 14:07,NZ-4,100,100\n"
      "S-3,13911110001,,,NZ-5,100,100\n");                  // another member
  ASSERT_EQ(r.errors.size(), 2u) << Errors(r);
  EXPECT_EQ(r.errors[0].line, 4u);
  EXPECT_EQ(r.errors[0].field, "external_id");
  EXPECT_EQ(r.errors[1].line, 6u);
  EXPECT_EQ(r.errors[1].field, "mobile");
  EXPECT_EQ(CountPosted({"S-1", "S-2", "S-3"}), 0);
}

TEST_F(TransactionImportTest, L1AnExternalIdPostedWithOtherContentIsABadRow) {
  json till = {{"external_id", "S-1"},
               {"member_id", a_.id.value},
               {"store_id", fx_.org().sh01.value},
               {"occurred_at", "2026-11-20T06:05:00Z"},
               {"lines", {{{"sku", "NZ-1"}, {"list_price_fen", 10000}, {"paid_fen", 10000}}}}};
  ASSERT_TRUE(loyalty_.PostSale(fx_.admin(), till).ok());
  auto r = MustImport(
      "external_id,mobile,store_code,occurred_at,sku,list_price,paid\n"
      "S-1,13911110001,SH01,2026-11-20 14:05,NZ-1,100,90\n");
  ASSERT_EQ(r.errors.size(), 1u) << Errors(r);
  EXPECT_EQ(r.errors[0].line, 2u);
  EXPECT_EQ(r.errors[0].field, "external_id");
  EXPECT_EQ(Points(a_.id)["points_balance"], 100);
}

TEST_F(TransactionImportTest, L1AStoreAccountImportsOnlyItsOwnStoresSales) {
  Actor manager = fx_.AddUser("mgr", Role::kStoreManager, fx_.org().manager_sh01);
  auto r = Import(
      "external_id,store_code,occurred_at,sku,list_price,paid\n"
      "S-1,SH01,2026-11-20 14:05,NZ-1,100,100\n"
      "S-2,GZ01,2026-11-20 14:05,NZ-1,100,100\n",
      false, &manager);
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->errors.size(), 1u) << Errors(*r);
  EXPECT_EQ(r->errors[0].line, 3u);
  EXPECT_EQ(r->errors[0].field, "store_code");
  Actor cc = fx_.AddUser("cc", Role::kCallCenter);
  auto denied = Import("external_id,store_code,occurred_at,paid\n", false, &cc);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kForbidden);
}

TEST_F(TransactionImportTest, P10AFileThatCannotBeReadIsRefusedNamingTheColumn) {
  auto unknown = Import("external_id,store_code,occurred_at,paid,discount\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(unknown.error().field, "discount");
  auto missing = Import("单号,门店编码,交易时间\nS-1,SH01,2026-11-20 14:05\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().field, "实付金额");
  auto quoting = Import("external_id,store_code,occurred_at,paid\n\"S-1,SH01,2026-11-20 14:05,1\n");
  ASSERT_FALSE(quoting.ok());
  EXPECT_EQ(CountPosted({"S-1"}), 0);
}

TEST_F(TransactionImportTest, L1MalformedValuesNameTheirColumn) {
  auto r = MustImport(
      "external_id,kind,mobile,store_code,associate_no,occurred_at,sku,quantity,list_price,paid,promo\n"
      "S-1,exchange,13911110001,SH01,,2026-11-20 14:05,NZ-1,1,100,100,0\n"
      "S-2,sale,139111,SH01,,2026-11-20 14:05,NZ-1,1,100,100,0\n"
      "S-3,sale,,SH01,E003,2026-11-20 14:05,NZ-1,1,100,100,0\n"
      "S-4,sale,,SH01,,yesterday,NZ-1,1,100,100,0\n"
      "S-5,sale,,SH01,,2026-11-20 14:05,,1,100,100,0\n"
      "S-6,sale,,SH01,,2026-11-20 14:05,NZ-1,0,100,100,0\n"
      "S-7,sale,,SH01,,2026-11-20 14:05,NZ-1,1,-5,100,0\n"
      "S-8,sale,,SH01,,2026-11-20 14:05,NZ-1,1,100,1e3,0\n"
      "S-9,sale,,SH01,,2026-11-20 14:05,NZ-1,1,100,100,maybe\n"
      // Issue 5: a zero list price, paid above list price × quantity without
      // a reason, a sale paid nothing.
      "S-10,sale,,SH01,,2026-11-20 14:05,NZ-1,1,0,100,0\n"
      "S-11,sale,,SH01,,2026-11-20 14:05,NZ-1,2,100,200.01,0\n"
      "S-12,sale,,SH01,,2026-11-20 14:05,NZ-1,1,100,0,0\n"
      "S-13,sale,,SH01,,2099-11-20 14:05,NZ-1,1,100,100,0\n");
  const std::vector<std::pair<size_t, std::string>> want = {
      {2, "kind"},         {3, "mobile"},   {4, "associate_no"}, {5, "occurred_at"},
      {6, "sku"},          {7, "quantity"}, {8, "list_price"},   {9, "paid"},
      {10, "promo"},       {11, "list_price"}, {12, "paid"},     {13, "paid"},
      {14, "occurred_at"}};
  ASSERT_EQ(r.errors.size(), want.size()) << Errors(r);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(r.errors[i].line, want[i].first) << Errors(r);
    EXPECT_EQ(r.errors[i].field, want[i].second) << Errors(r);
  }
  EXPECT_EQ(CountPosted({"S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7", "S-8", "S-9", "S-10",
                         "S-11", "S-12", "S-13"}),
            0);
}

// ---------------------------------------------------------------- bulk = one by one
//
// The import loads sales set-wise (a batch's figures in memory, multi-row
// statements); what it stores must be exactly what posting the same sales one
// by one through Loyalty::PostSale stores. The scenario runs on a fresh
// database in each mode and every loyalty table is compared row by row, ids
// and stored answers included. The program is the department-store preset
// edited to use every earning rule: 1 point per ¥10 with the remainder
// carried (L3), 银卡 ×1.2 and 金卡 ×1.5, birthday ×2, an October 美妆
// campaign (×1.5 and 30 bonus points from ¥500), and 88 points to a referrer
// on the referred member's first purchase of ¥100 or more (L9). The members:
//   0 周一 formal, buys her way to 钻石卡 and then into the approval queue for
//          紫金钻石卡 (L6), with a purchase 26 months old (outside the window)
//   1 吴二 temporary, solar birthday on a sale day: becomes formal (M4)
//   2 王四 formal, referrer of 3; before the import she bought ¥3,000 and spent
//          280 of its 300 points on a gift, so the refund of that sale in the
//          file leaves her balance negative and her next sale pays it off (L2)
//   3 郑三 temporary, referred by 2: ¥50 (no reward), ¥300 (reward), ¥1,500
//          (formal, 普卡)
//   4 冯五 formal, lunar birthday: a sale on it in 2026 earns double
//   5 陈六 formal: refunds of a promotion line, of a sale two batches back,
//          twice of one line
// plus sales without a member and a refund of one. Imports run in batches of
// three transactions, so refunds meet sales in the same batch, in an earlier
// batch and from before the import.

struct SpecLine {
  std::string sku, category, brand;
  int64_t quantity = 1;
  int64_t list_fen = 0;
  int64_t paid_fen = 0;  // refunds: the amount given back
  bool promo = false;
  int64_t line_no = 0;  // refunds: the sale's line
  std::string reason;   // above_list_reason
};

struct Spec {
  std::string external_id;
  bool refund = false;
  std::string original;
  int member = -1;  // index into the scenario's members; -1 = none
  bool sh02 = false;
  bool associate = false;
  std::string at;  // RFC 3339 UTC
  std::string payment;
  std::vector<SpecLine> lines;
};

std::string Yuan(int64_t fen) { return std::to_string(fen / 100) + "." + (fen % 100 < 10 ? "0" : "") + std::to_string(fen % 100); }

SpecLine Item(const std::string& sku, const std::string& category, int64_t list_fen,
              int64_t paid_fen, int64_t quantity = 1, bool promo = false) {
  return {sku, category, "品牌" + category, quantity, list_fen, paid_fen, promo, 0};
}

Spec Sale(const std::string& ext, int member, const std::string& at, std::vector<SpecLine> lines,
          bool sh02 = false) {
  Spec s;
  s.external_id = ext;
  s.member = member;
  s.at = at;
  s.sh02 = sh02;
  s.associate = true;
  s.payment = "wechat";
  s.lines = std::move(lines);
  return s;
}

Spec Refund(const std::string& ext, const std::string& original, const std::string& at,
            std::vector<std::pair<int64_t, int64_t>> lines) {
  Spec s;
  s.external_id = ext;
  s.refund = true;
  s.original = original;
  s.at = at;
  for (auto [no, fen] : lines) s.lines.push_back({"", "", "", 1, 0, fen, false, no});
  return s;
}

// The day member 4's lunar birthday (八月十五) falls on in 2026.
std::string LunarBirthday2026() {
  domain::CalendarDate b{1988, 8, 15, domain::Calendar::kLunar, false};
  return domain::BirthdayInYear(b, 2026)->ToString();
}

std::vector<Spec> ScenarioSpecs() {
  const std::string lunar = LunarBirthday2026();
  std::vector<Spec> v;
  v.push_back(Sale("B-001", 0, "2024-09-20T03:00:00Z", {Item("NZ-1", "女装", 80000, 80000)}));
  v.push_back(Sale("B-002", 1, "2026-10-08T02:00:00Z",  // 吴二's birthday
                   {Item("MC-1", "美妆", 60000, 60000), Item("PS-1", "配饰", 9950, 9950, 2)}));
  v.push_back(Sale("B-003", 3, "2026-09-03T04:00:00Z", {Item("JJ-1", "家居", 5000, 5000)}));
  v.push_back(Refund("B-004", "S-0", "2026-09-05T05:00:00Z", {{1, 200000}}));  // 王四: debt
  v.push_back(Sale("B-005", 0, "2026-09-10T06:00:00Z",
                   {Item("NZ-2", "女装", 350000, 320000), Item("XL-1", "鞋履", 120000, 84000, 1, true)},
                   true));
  v.push_back(Sale("B-006", 3, "2026-09-12T07:00:00Z", {Item("MZ-1", "男装", 30000, 30000)}));
  v.push_back(Sale("B-007", -1, "2026-09-12T08:00:00Z", {Item("PS-2", "配饰", 19900, 19900)}));
  v.push_back(Sale("B-008", 2, "2026-09-15T02:30:00Z", {Item("NZ-3", "女装", 250000, 250000)}));
  v.push_back(Sale("B-009", 5, "2026-09-20T03:30:00Z",
                   {Item("MC-2", "美妆", 40000, 28000, 1, true), Item("NZ-4", "女装", 99900, 99900)}));
  v.push_back(Sale("B-010", 0, "2026-10-02T04:30:00Z",
                   {Item("MC-3", "美妆", 300000, 300000), Item("NZ-5", "女装", 500000, 450000)}));
  v.push_back(Refund("B-011", "B-007", "2026-10-03T05:30:00Z", {{1, 19900}}));
  v.push_back(Sale("B-012", 4, lunar + "T06:30:00Z", {Item("NZ-6", "女装", 128800, 128800)}));
  v.push_back(Refund("B-013", "B-009", "2026-10-05T02:00:00Z", {{1, 28000}}));  // the promotion line
  v.push_back(Sale("B-014", 3, "2026-10-06T03:00:00Z", {Item("NZ-7", "女装", 150000, 150000)}));
  v.push_back(Refund("B-015", "B-009", "2026-10-07T04:00:00Z", {{2, 30000}}));
  v.push_back(Sale("B-016", 0, "2026-10-20T05:00:00Z",
                   {Item("NZ-8", "女装", 900000, 880000), Item("MC-4", "美妆", 100000, 100000)}));
  v.push_back(Refund("B-017", "B-009", "2026-10-21T06:00:00Z", {{2, 69900}}));
  v.push_back(Sale("B-018", 2, "2026-10-25T07:00:00Z", {Item("XL-2", "鞋履", 66600, 66600)}));
  v.push_back(Sale("B-019", 0, "2026-11-02T08:00:00Z", {Item("NZ-9", "女装", 2600000, 2500000)}, true));
  v.push_back(Refund("B-020", "B-016", "2026-11-03T02:00:00Z", {{2, 50000}, {1, 100000}}));
  v.push_back(Sale("B-021", 1, "2026-11-10T03:00:00Z", {Item("PS-3", "配饰", 12345, 12345, 3)}));
  v.push_back(Sale("B-022", -1, "2026-11-11T04:00:00Z", {Item("JJ-2", "家居", 88800, 88800)}));
  v.push_back(Sale("B-023", 5, "2026-11-12T05:00:00Z", {Item("NZ-10", "女装", 45600, 45600)}));
  SpecLine engraving = Item("KZ-1", "服务", 2000, 5000);  // paid above list, with the reason
  engraving.reason = "刻字加急";
  v.push_back(Sale("B-024", 1, "2026-11-13T06:00:00Z", {Item("PS-4", "配饰", 9900, 9900), engraving}));
  return v;
}

struct ScenarioMembers {
  std::vector<MemberId> ids;
  std::vector<std::string> numbers;
};

std::string ScenarioCsv(const std::vector<Spec>& specs, const ScenarioMembers& m) {
  std::string csv =
      "external_id,kind,original_external_id,member_no,store_code,associate_no,occurred_at,sku,"
      "category,brand,quantity,list_price,paid,promo,payment_method,line_no,above_list_reason\n";
  for (const auto& s : specs) {
    for (size_t i = 0; i < s.lines.size(); ++i) {
      const SpecLine& l = s.lines[i];
      std::vector<std::string> f(17);
      f[0] = s.external_id;
      if (i == 0) {
        f[1] = s.refund ? "refund" : "sale";
        f[2] = s.original;
        f[3] = s.member >= 0 ? m.numbers[size_t(s.member)] : "";
        f[4] = s.sh02 ? "SH02" : "SH01";
        f[5] = s.associate ? (s.sh02 ? "E002" : "E001") : "";
        f[6] = s.at;
        f[14] = s.payment;
      }
      if (s.refund) {
        f[12] = Yuan(l.paid_fen);
        f[15] = std::to_string(l.line_no);
      } else {
        f[7] = l.sku;
        f[8] = l.category;
        f[9] = l.brand;
        f[10] = std::to_string(l.quantity);
        f[11] = Yuan(l.list_fen);
        f[12] = Yuan(l.paid_fen);
        f[13] = l.promo ? "1" : "0";
        f[16] = l.reason;
      }
      for (size_t k = 0; k < f.size(); ++k) csv += (k ? "," : "") + f[k];
      csv += "\n";
    }
  }
  return csv;
}

// The body a till posts for `s` (the keys the import's BodyText writes, but a
// refund names its sale with refund_of, which hashes as the import's name).
json ScenarioBody(const Spec& s, const ScenarioMembers& m, const testing::SeededOrg& org) {
  json body = {{"external_id", s.external_id},
               {"store_id", (s.sh02 ? org.sh02 : org.sh01).value},
               {"occurred_at", s.at}};
  json lines = json::array();
  if (s.refund) {
    body["kind"] = "refund";
    body["refund_of"] = s.original;
    for (const auto& l : s.lines) lines.push_back({{"line_no", l.line_no}, {"paid_fen", l.paid_fen}});
  } else {
    if (s.member >= 0) body["member_id"] = m.ids[size_t(s.member)].value;
    if (s.associate) body["associate_id"] = (s.sh02 ? org.associate_sh02 : org.associate_sh01).value;
    if (!s.payment.empty()) body["payment_method"] = s.payment;
    for (const auto& l : s.lines) {
      lines.push_back({{"sku", l.sku},
                       {"category", l.category},
                       {"brand", l.brand},
                       {"quantity", l.quantity},
                       {"list_price_fen", l.list_fen},
                       {"paid_fen", l.paid_fen},
                       {"promo", l.promo}});
      if (!l.reason.empty()) lines.back()["above_list_reason"] = l.reason;
    }
  }
  body["lines"] = lines;
  return body;
}

enum class Mode { kPostOneByOne, kImport, kImportInTwoRuns };

// Everything the scenario stored that a user or a later posting can see.
struct Outcome {
  std::map<std::string, std::vector<std::string>> tables;
  std::vector<json> points;  // Loyalty::MemberPoints of each member
  std::vector<std::string> history;  // member history, card numbers blanked
  int64_t batch_audits = 0;
  TransactionImportReport report;
};

std::map<std::string, std::vector<std::string>> DumpTables(store::Store& st) {
  static const std::vector<std::pair<std::string, std::string>> kQueries = {
      {"transactions",
       "SELECT id, external_id, body_hash, kind, original_id, member_id, store_id, associate_id, "
       "occurred_at, local_day, list_total, paid_total, points, base_points, bonus_points, "
       "payment_method, result, created_by, created_at FROM transactions ORDER BY id"},
      {"transaction_lines", "SELECT * FROM transaction_lines ORDER BY transaction_id, line_no"},
      {"member_loyalty",
       "SELECT member_id, program_code, tier_code, tier_since, points_balance, growth_lifetime, "
       "carry_fen, first_purchase_fen, first_purchase_on, last_purchase_on, pending_tier, "
       "pending_reason, downgrade_warned_on, downgrade_effective_on, hold_until, hold_reason, "
       "rank_percentile, referral_rewarded, pending_since FROM member_loyalty ORDER BY member_id"},
      {"member_months", "SELECT * FROM member_months ORDER BY member_id, month"},
      {"points_lots", "SELECT * FROM points_lots ORDER BY id"},
      {"points_ledger", "SELECT * FROM points_ledger ORDER BY id"},
      {"tier_history", "SELECT * FROM tier_history ORDER BY id"},
      {"members", "SELECT id, member_no, status, updated_at, version FROM members ORDER BY id"},
      {"cards",
       "SELECT id, member_id, kind, status, issued_on, expires_on, pickup_due, replaces FROM cards "
       "ORDER BY id"},
      {"loyalty_notices", "SELECT * FROM loyalty_notices ORDER BY id"},
      {"vouchers", "SELECT * FROM vouchers ORDER BY id"},
      {"redemptions", "SELECT * FROM redemptions ORDER BY id"},
  };
  return st
      .Read([&](store::Repository& repo)
                -> Result<std::map<std::string, std::vector<std::string>>> {
        std::map<std::string, std::vector<std::string>> out;
        for (const auto& [name, sql] : kQueries) {
          auto& rows = out[name];
          for (const auto& r : repo.reports().db().Query(sql)) {
            std::string text;
            for (size_t i = 0; i < r.size(); ++i) text += (i ? "|" : "") + (r.IsNull(i) ? "NULL" : r.Text(i));
            rows.push_back(std::move(text));
          }
        }
        return out;
      })
      .value();
}

// `own_programs` (L6): SH01 runs the cosmetics preset by default, so every
// scenario member without a loyalty record starts on it, and 陈六 is put on
// premium goods as her own program; 王四, who bought before, stays on the
// company's.
// Voucher codes are drawn at random: each is replaced by its row's id
// ("<voucher 3>") wherever it appears (vouchers, stored answers, notices,
// the points pages), so two runs compare.
void NameVouchersById(store::Store& st, Outcome& out) {
  auto codes = st.Read([&](store::Repository& repo) -> Result<std::vector<std::pair<std::string, std::string>>> {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& r : repo.reports().db().Query("SELECT id, code FROM vouchers ORDER BY id")) {
      rows.emplace_back(r.Text(1), "<voucher " + r.Text(0) + ">");
    }
    return rows;
  });
  ASSERT_TRUE(codes.ok());
  auto rename = [&](std::string& text) {
    for (const auto& [code, name] : *codes) {
      for (size_t at = text.find(code); at != std::string::npos; at = text.find(code, at)) {
        text.replace(at, code.size(), name);
      }
    }
  };
  for (auto& [table, rows] : out.tables) {
    for (auto& row : rows) rename(row);
  }
  for (auto& points : out.points) {
    std::string text = points.dump();
    rename(text);
    points = json::parse(text);
  }
  for (auto& row : out.history) rename(row);
}

Outcome RunScenario(Mode mode, bool own_programs = false, bool cash_back = false) {
  Outcome out;
  testing::ServiceFixture fx;
  Members members(fx.env());
  Loyalty loyalty(fx.env());
  Programs programs(fx.env());
  Redemption redemption(fx.env());

  json p = domain::ProgramToJson(*domain::FindPreset("department_store"));
  p["earning"]["fen_per_step"] = 1000;
  p["earning"]["rounding"] = "carry_remainder";
  p["earning"]["birthday_multiplier_bp"] = 20000;
  p["earning"]["campaigns"] = json::array({{{"code", "autumn"},
                                            {"name", "秋季美妆节"},
                                            {"from", "2026-10-01"},
                                            {"to", "2026-10-31"},
                                            {"multiplier_bp", 15000},
                                            {"bonus_points", 30},
                                            {"min_spend_fen", 50000},
                                            {"categories", {"美妆"}}}});
  p["tiers"][1]["points_multiplier_bp"] = 12000;
  p["tiers"][2]["points_multiplier_bp"] = 15000;
  p["referral"] = {{"reward_points", 88}, {"min_purchase_fen", 10000}};
  auto put = programs.Put(fx.admin(), "department_store", p);
  EXPECT_TRUE(put.ok()) << (put.ok() ? "" : put.error().field + ": " + put.error().message);
  EXPECT_TRUE(programs.Choose(fx.admin(), "department_store").ok());

  ScenarioMembers m;
  auto add = [&](const std::string& name, const std::string& mobile, const char* status,
                 json extra) {
    json body = fx.MemberBody(name);
    body["mobile"] = mobile;
    body["status"] = status;
    for (auto& [k, v] : extra.items()) body[k] = v;
    auto r = members.Create(fx.admin(), body);
    EXPECT_TRUE(r.ok()) << name << ": " << (r.ok() ? "" : r.error().field + " " + r.error().message);
    m.ids.push_back(r.ok() ? r->member.id : MemberId());
    m.numbers.push_back(r.ok() ? r->member.member_no : "");
  };
  add("周一", "13700000001", "formal", json::object());
  add("吴二", "13700000002", "temporary", {{"birthday", "1990-10-08"}});
  add("王四", "13700000003", "formal", json::object());
  add("郑三", "13700000004", "temporary", {{"referrer_id", m.ids[2].value}});
  add("冯五", "13700000005", "formal",
      {{"birthday", "1988-08-15"}, {"birthday_calendar", "lunar"}});
  add("陈六", "13700000006", "formal", json::object());
  if (own_programs) {
    EXPECT_TRUE(members.Update(fx.admin(), m.ids[5], {{"program_id", "premium-goods"}}).ok());
  }

  // 王四 before the import: ¥3,000 (300 points), 280 of them spent on a gift.
  json s0 = {{"external_id", "S-0"},
             {"member_id", m.ids[2].value},
             {"store_id", fx.org().sh01.value},
             {"occurred_at", "2026-09-01T02:00:00Z"},
             {"lines", {{{"sku", "NZ-0"}, {"category", "女装"}, {"list_price_fen", 300000}, {"paid_fen", 300000}}}}};
  EXPECT_TRUE(loyalty.PostSale(fx.admin(), s0).ok());
  auto gift = redemption.CreateGift(
      fx.admin(), {{"code", "CUP"}, {"name", "保温杯"}, {"points_price", 280}, {"stock", 5}});
  EXPECT_TRUE(gift.ok());
  if (gift.ok()) {
    auto r = redemption.RedeemGift(fx.admin(), m.ids[2],
                                   {{"gift_id", (*gift)["id"]}, {"store_id", fx.org().sh01.value}});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  }

  if (own_programs) {
    Org org(fx.env());
    EXPECT_TRUE(org.UpdateStore(fx.admin(), fx.org().sh01, {{"program_id", "cosmetics"}}).ok());
  }
  if (cash_back) {
    // L5 "每满100分返10元", issued at once (from here on: 王四's gift above
    // was bought with her points first).
    p["redemption"]["cash_back"] = {{"every_points", 100}, {"voucher_fen", 1000}, {"automatic", true}};
    auto again = programs.Put(fx.admin(), "department_store", p);
    EXPECT_TRUE(again.ok()) << (again.ok() ? "" : again.error().field + ": " + again.error().message);
  }
  const std::vector<Spec> specs = ScenarioSpecs();
  TransactionImport importer(fx.env());
  auto import = [&](const std::vector<Spec>& part) {
    std::istringstream in(ScenarioCsv(part, m));
    TransactionImportOptions opt;
    opt.batch_size = 3;
    auto r = importer.Run(fx.admin(), in, opt);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + ": " + r.error().message);
    if (r.ok()) {
      for (const auto& e : r->errors) ADD_FAILURE() << "line " << e.line << " " << e.field << ": " << e.message;
      out.report = *r;
    }
  };
  switch (mode) {
    case Mode::kPostOneByOne:
      for (const auto& s : specs) {
        auto r = loyalty.PostSale(fx.admin(), ScenarioBody(s, m, fx.org()));
        EXPECT_TRUE(r.ok()) << s.external_id << ": " << (r.ok() ? "" : r.error().message);
      }
      break;
    case Mode::kImport:
      import(specs);
      break;
    case Mode::kImportInTwoRuns:
      // As after a crash that kept the first batches: the file again completes it.
      import(std::vector<Spec>(specs.begin(), specs.begin() + 10));
      import(specs);
      break;
  }

  out.tables = DumpTables(fx.store());
  const std::regex card_no("\\d{16}");
  for (MemberId id : m.ids) {
    auto points = loyalty.MemberPoints(fx.admin(), id, {200, 0});
    EXPECT_TRUE(points.ok());
    out.points.push_back(points.ok() ? *points : json());
    auto history = fx.store().Read([&](store::Repository& repo) -> Result<std::vector<std::string>> {
      std::vector<std::string> rows;
      for (const auto& h : repo.ListHistory(id, {200, 0}).items) {
        rows.push_back(h.action + " " + std::regex_replace(h.changes, card_no, "<card>"));
      }
      return rows;
    });
    for (auto& row : history.value()) out.history.push_back(std::to_string(id.value) + " " + row);
  }
  out.batch_audits = fx.CountAudit("sale_import");
  NameVouchersById(fx.store(), out);
  return out;
}

void ExpectSameTables(const Outcome& want, const Outcome& got) {
  for (const auto& [name, rows] : want.tables) {
    const auto& other = got.tables.at(name);
    EXPECT_EQ(rows.size(), other.size()) << name;
    for (size_t i = 0; i < std::min(rows.size(), other.size()); ++i) {
      EXPECT_EQ(rows[i], other[i]) << name << " row " << i;
    }
  }
  for (size_t i = 0; i < want.points.size(); ++i) {
    EXPECT_EQ(want.points[i], got.points[i]) << "MemberPoints of member " << i;
  }
  EXPECT_EQ(want.history, got.history);
}

size_t CountRows(const Outcome& o, const std::string& table, const std::string& needle) {
  size_t n = 0;
  for (const auto& row : o.tables.at(table)) n += row.find(needle) != std::string::npos;
  return n;
}

// The points column of the transaction `external_id`.
int64_t PointsOf(const Outcome& o, const std::string& external_id) {
  for (const auto& row : o.tables.at("transactions")) {
    std::vector<std::string> f;
    std::stringstream ss(row);
    for (std::string part; std::getline(ss, part, '|');) f.push_back(part);
    if (f.size() > 12 && f[1] == external_id) return std::stoll(f[12]);
  }
  ADD_FAILURE() << "no transaction " << external_id;
  return -1;
}

TEST(TransactionImportBulkTest, L1L2L6BulkImportStoresExactlyWhatPostingOneByOneStores) {
  const Outcome posted = RunScenario(Mode::kPostOneByOne);
  const Outcome imported = RunScenario(Mode::kImport);
  EXPECT_EQ(imported.report.posted, ScenarioSpecs().size());
  EXPECT_EQ(imported.report.non_member_sales, 2u);
  ExpectSameTables(posted, imported);

  // The scenario reaches every rule it is meant to (else the comparison
  // would prove little).
  EXPECT_EQ(CountRows(imported, "points_ledger", "|referral|88|"), 1u);
  EXPECT_GE(CountRows(imported, "tier_history", "|approval_queued|diamond|purple_diamond|"), 1u);
  EXPECT_GE(CountRows(imported, "tier_history", "|upgrade|gold|diamond|"), 1u);
  EXPECT_EQ(CountRows(imported, "loyalty_notices", "|became_formal|"), 2u);
  // Birthdays double the earning base (solar for 吴二, lunar for 冯五): 吴二's
  // ¥600 美妆 earns ×2 ×1.5 and her ¥99.50 配饰 ×2: 199 points + 30 bonus
  // (139 without the birthday); 冯五's ¥1,288 earns 257 points instead of 128.
  EXPECT_EQ(PointsOf(imported, "B-002"), 229);
  EXPECT_EQ(PointsOf(imported, "B-012"), 257);
  EXPECT_GE(CountRows(imported, "transactions", "赠送 30 分"), 1u);  // the campaign bonus
  bool negative = false;
  for (const auto& e : imported.points[2]["ledger"]["items"]) negative |= e["balance_after"] < 0;
  EXPECT_TRUE(negative) << "王四's refund should leave a debt";
  EXPECT_GT(imported.points[2]["points_balance"].get<int64_t>(), 0) << "paid off by her next sale";
  // P6: one audit row per batch of three transactions instead of one per sale.
  EXPECT_EQ(imported.batch_audits, 8);
  EXPECT_EQ(posted.batch_audits, 0);
}

// L6: the set-wise load evaluates each member by their own program (a store's
// default for a first record, a member's own) exactly as posting does.
TEST(TransactionImportBulkTest, L6BulkImportEvaluatesEachMemberByTheirOwnProgramAsPostingDoes) {
  const Outcome posted = RunScenario(Mode::kPostOneByOne, true);
  const Outcome imported = RunScenario(Mode::kImport, true);
  EXPECT_EQ(imported.report.posted, ScenarioSpecs().size());
  ExpectSameTables(posted, imported);
  EXPECT_GT(imported.batch_audits, 0) << "loaded set-wise, not posted one by one";
  // The programs the scenario means to reach.
  EXPECT_GE(CountRows(imported, "member_loyalty", "|cosmetics|"), 3u);
  EXPECT_EQ(CountRows(imported, "member_loyalty", "|premium_goods|"), 1u);
  size_t company = 0;  // member_id|program_code|...: 王四, on the company's
  for (const auto& row : imported.tables.at("member_loyalty")) {
    company += row.compare(row.find('|'), 2, "||") == 0;
  }
  EXPECT_EQ(company, 1u);
  EXPECT_GE(CountRows(imported, "transactions", R"("code":"cosmetics")"), 1u);
  EXPECT_GE(CountRows(imported, "transactions", R"("code":"premium_goods")"), 1u);
  // Not the same rows as with one program for all.
  const Outcome one = RunScenario(Mode::kImport);
  EXPECT_NE(one.tables.at("points_lots"), imported.tables.at("points_lots"));
}

// L5: under an automatic cash-back the set-wise load issues the vouchers a
// posting issues, sale by sale: vouchers, their redemption rows, the
// "cashback" movements and the lots they spend, the answers naming them, and
// the M4 notice of a sale that issued some.
TEST(TransactionImportBulkTest, L5BulkImportIssuesCashBackAsPostingDoes) {
  const Outcome posted = RunScenario(Mode::kPostOneByOne, false, true);
  const Outcome imported = RunScenario(Mode::kImport, false, true);
  EXPECT_EQ(imported.report.posted, ScenarioSpecs().size());
  ExpectSameTables(posted, imported);
  EXPECT_GT(imported.batch_audits, 0) << "loaded set-wise, not posted one by one";
  // What the scenario means to reach.
  EXPECT_GE(CountRows(imported, "vouchers", "|cashback|"), 5u);
  EXPECT_EQ(CountRows(imported, "vouchers", "|cashback|"), CountRows(imported, "redemptions", "|cashback|"));
  EXPECT_EQ(CountRows(imported, "points_ledger", "|cashback|-100|"),
            CountRows(imported, "vouchers", "|cashback|"));
  EXPECT_GE(CountRows(imported, "transactions", "cashback_vouchers"), 3u);
  EXPECT_GE(CountRows(imported, "loyalty_notices", R"("vouchers":["<voucher)"), 1u);
}

TEST(TransactionImportBulkTest, L1AnImportCutShortIsCompletedByImportingTheFileAgain) {
  const Outcome posted = RunScenario(Mode::kPostOneByOne);
  const Outcome twice = RunScenario(Mode::kImportInTwoRuns);
  EXPECT_EQ(twice.report.posted, ScenarioSpecs().size() - 10);
  EXPECT_EQ(twice.report.repeats, 10u);
  ExpectSameTables(posted, twice);
}

TEST_F(TransactionImportTest, L1ImportingAgainAddsNoRowAnywhere) {
  const std::string file = GoodFile();
  MustImport(file);
  const auto before = DumpTables(fx_.store());
  auto again = MustImport(file);
  EXPECT_EQ(again.posted, 0u);
  EXPECT_EQ(again.repeats, 5u);
  EXPECT_EQ(DumpTables(fx_.store()), before);
}

// A till posts one of the file's sales after the checks and before the load
// (the progress callback runs in between): the load's insert meets the
// external id, reads the batch's ids again and counts the same content as a
// repeat, other content as a bad row (L1).
class TransactionImportRaceTest : public TransactionImportTest {
 protected:
  TransactionImportReport ImportWhileTillPosts(int64_t paid_fen) {
    json till = {{"external_id", "POS-SH01-0002"},
                 {"store_id", fx_.org().sh01.value},
                 {"occurred_at", "2026-11-21T02:30:00Z"},
                 {"member_id", b_.id.value},
                 {"payment_method", "alipay"},
                 {"lines",
                  {{{"sku", "MZ-1001"},
                    {"category", "男装"},
                    {"brand", "北辰"},
                    {"quantity", 1},
                    {"list_price_fen", 259900},
                    {"paid_fen", paid_fen},
                    {"promo", false}}}}};
    std::istringstream in(GoodFile());
    TransactionImportOptions opt;
    opt.skip_bad = true;
    bool posted = false;
    auto r = importer_.Run(fx_.admin(), in, opt, [&](size_t, size_t) {
      if (posted) return;
      posted = true;
      auto p = loyalty_.PostSale(fx_.admin(), till);
      EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? *r : TransactionImportReport{};
  }
};

TEST_F(TransactionImportRaceTest, L1TheSameSalePostedByATillMeanwhileIsARepeat) {
  auto r = ImportWhileTillPosts(259900);
  EXPECT_TRUE(r.errors.empty()) << Errors(r);
  EXPECT_EQ(r.posted, 4u);
  EXPECT_EQ(r.repeats, 1u);
  EXPECT_EQ(Points(b_.id)["points_balance"], 2599);  // once, not twice
  EXPECT_EQ(Points(a_.id)["points_balance"], 1268);
}

TEST_F(TransactionImportRaceTest, L1OtherContentPostedByATillMeanwhileIsABadRow) {
  auto r = ImportWhileTillPosts(250000);
  ASSERT_EQ(r.errors.size(), 1u) << Errors(r);
  EXPECT_EQ(r.errors[0].line, 4u);
  EXPECT_EQ(r.errors[0].field, "external_id");
  EXPECT_EQ(r.posted, 4u);
  EXPECT_EQ(Points(b_.id)["points_balance"], 2500);  // the till's sale
  EXPECT_EQ(Points(a_.id)["points_balance"], 1268);
}

// L6: after the company chooses another program, a member holding a tier it
// lacks is imported as the till posts them: earning without a tier
// multiplier, placed on the new ladder by their record.
TEST_F(TransactionImportTest, L6AMemberWhoseTierTheNewProgramLacksIsImportedAsAtTheTill) {
  auto first = loyalty_.PostSale(fx_.admin(), fx_.SaleBody("POS-1", a_.id, 600));
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ(Points(a_.id)["tier"]["code"], "normal");
  ImportASaleOnApparel("C-2", 300);
  json a = Points(a_.id);
  // 600 + 300 points, of which 500 at once a ¥20 voucher (L5).
  EXPECT_EQ(a["points_balance"], 400) << a.dump();
  // 600 + 300 growth reaches apparel's C级, which waits for the manager.
  auto state = fx_.store().Read([&](store::Repository& repo) -> Result<store::LoyaltyState> {
    return loyalty_core::StateOf(repo.loyalty(), a_.id);
  });
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(state->pending_tier, "c");
}

TEST_F(TransactionImportTest, L5UnderAnAutomaticCashBackProgramImportedSalesIssueVouchers) {
  // The apparel preset turns every 500 points into a ¥20 voucher at once,
  // in the import as at the till (loaded set-wise all the same).
  ImportASaleOnApparel("C-1", 1200);
  json a = Points(a_.id);
  bool cashback = false;
  for (const auto& e : a["ledger"]["items"]) cashback |= e["kind"] == "cashback";
  EXPECT_TRUE(cashback) << a.dump();
  EXPECT_LT(a["points_balance"].get<int64_t>(), 500);
  EXPECT_EQ(fx_.CountAudit("cashback_issue"), 1);
  EXPECT_EQ(fx_.CountAudit("sale_import"), 1);
  EXPECT_EQ(fx_.CountAudit("sale_post"), 0);
}

// Issue 5, bad input "unknown SKUs' categories": with a catalogue, every row
// naming a category it does not list (or has switched off) is reported on
// its line and column, and nothing is posted; blank categories pass.
TEST_F(TransactionImportTest, L1RowsWithCategoriesTheCatalogueRefusesAreReportedOnTheirColumn) {
  Programs programs(fx_.env());
  for (const char* name : {"女装", "配饰", "男装", "美妆"}) {
    ASSERT_TRUE(programs.AddCategory(fx_.admin(), json{{"name", name}}).ok());
  }
  const int64_t sport = (*programs.AddCategory(fx_.admin(), json{{"name", "运动"}}))["id"];
  ASSERT_TRUE(programs.UpdateCategory(fx_.admin(), sport, json{{"active", false}}).ok());
  std::string file = GoodFile();
  Replace(file, ",配饰,", ",饰品,");  // line 3
  auto r = MustImport(file);
  // (and the refund of line 2's sale, which is not posted then)
  ASSERT_EQ(r.errors.size(), 3u) << Errors(r);
  EXPECT_EQ(r.errors[0].line, 3u);
  EXPECT_EQ(r.errors[0].field, "category");
  EXPECT_NE(r.errors[0].message.find("商品类别"), std::string::npos);
  EXPECT_EQ(r.errors[1].line, 6u);  // 运动 is switched off
  EXPECT_EQ(r.errors[1].field, "category");
  EXPECT_EQ(r.errors[2].field, "original_external_id");
  EXPECT_EQ(r.posted, 0u);
  EXPECT_EQ(CountPosted({"POS-SH01-0001", "POS-SH01-0002", "POS-SH02-0001"}), 0);

  // With the catalogue's names (and the refund's blank category) it goes in.
  Replace(file, ",饰品,", ",配饰,");
  Replace(file, ",运动,", ",,");
  auto ok = MustImport(file);
  EXPECT_TRUE(ok.errors.empty()) << Errors(ok);
  EXPECT_EQ(ok.posted, 5u);
}

}  // namespace
}  // namespace vipcare::service

