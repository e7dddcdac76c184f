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
#include <sstream>
#include <string>

#include "service/loyalty.h"
#include "service/members.h"
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
  EXPECT_EQ(fx_.CountAudit("sale_post"), 4);
  EXPECT_EQ(fx_.CountAudit("refund_post"), 1);
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

TEST_F(TransactionImportTest, L1ImportingTheSameFileAgainChangesNothing) {
  const std::string file = GoodFile();
  MustImport(file);
  const json before_a = Points(a_.id);
  const int64_t audit_before = fx_.CountAudit("sale_post");

  auto again = MustImport(file);
  EXPECT_TRUE(again.errors.empty()) << Errors(again);
  EXPECT_EQ(again.transactions, 5u);
  EXPECT_EQ(again.posted, 0u);
  EXPECT_EQ(again.repeats, 5u);
  EXPECT_EQ(Points(a_.id), before_a);
  EXPECT_EQ(Points(b_.id)["points_balance"], 2599);
  EXPECT_EQ(CountPosted({"POS-SH01-0001", "POS-SH01-0002", "POS-SH02-0001", "POS-GZ01-0001", "POS-SH01-0003"}), 5);
  EXPECT_EQ(fx_.CountAudit("sale_post"), audit_before);
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
  EXPECT_EQ(fx_.CountAudit("sale_post"), 0);
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
  // A second file: the rest of line 2 (¥99 of ¥199 is left), then too much.
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
      "S-9,sale,,SH01,,2026-11-20 14:05,NZ-1,1,100,100,maybe\n");
  const std::vector<std::pair<size_t, std::string>> want = {
      {2, "kind"},         {3, "mobile"},   {4, "associate_no"}, {5, "occurred_at"},
      {6, "sku"},          {7, "quantity"}, {8, "list_price"},   {9, "paid"},
      {10, "promo"}};
  ASSERT_EQ(r.errors.size(), want.size()) << Errors(r);
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(r.errors[i].line, want[i].first) << Errors(r);
    EXPECT_EQ(r.errors[i].field, want[i].second) << Errors(r);
  }
  EXPECT_EQ(CountPosted({"S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7", "S-8", "S-9"}), 0);
}

}  // namespace
}  // namespace vipcare::service
