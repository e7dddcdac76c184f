// tests/service/member_import_test.cc
//
// `vipcare import members` (SPEC I4, P10, M1, M3, M6) on whichever backend
// VIPCARE_TEST_BACKEND selects; ctest runs the binary once per backend.
#include "service/member_import.h"

#include <gtest/gtest.h>
#include <iconv.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "domain/card.h"
#include "domain/member.h"
#include "domain/member_json.h"
#include "domain/org.h"
#include "store/store.h"
#include "testing/test_db.h"

namespace vipcare::service {
namespace {

const Date kToday = Date::FromYmd(2026, 11, 23);

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

std::string ReadFixture(const std::string& name) {
  std::ifstream f(std::string(VIPCARE_SOURCE_DIR) + "/tests/data/" + name, std::ios::binary);
  EXPECT_TRUE(f) << name;
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

class MemberImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = store::Store::Open(db_.url(), vipcare::testing::TestKeys());
    auto org = store_->Write([&](store::Repository& repo) -> Status {
      RegionId east = repo.InsertRegion({RegionId(), "EAST", "华东片区"});
      RegionId south = repo.InsertRegion({RegionId(), "SOUTH", "华南片区"});
      domain::Store sh;
      sh.code = "SH01";
      sh.name = "上海南京路店";
      sh.region_id = east;
      sh.city = "上海市";
      sh01_ = repo.InsertStore(sh);
      domain::Store gz = sh;
      gz.code = "GZ01";
      gz.name = "广州天河店";
      gz.region_id = south;
      gz.city = "广州市";
      gz01_ = repo.InsertStore(gz);
      domain::Staff a;
      a.employee_no = "E001";
      a.name = "导购甲";
      a.role = domain::Role::kAssociate;
      a.store_id = sh01_;
      e001_ = repo.InsertStaff(a);
      domain::Staff b = a;
      b.employee_no = "E002";
      b.name = "导购乙";
      b.store_id = gz01_;
      repo.InsertStaff(b);
      return OkStatus();
    });
    ASSERT_TRUE(org.ok());
  }

  Result<ImportReport> Import(const std::string& csv, ImportOptions opt = {}) {
    std::istringstream in(csv);
    opt.today = kToday;
    return ImportMembersCsv(*store_, in, opt);
  }

  std::optional<domain::Member> ByMobile(const std::string& mobile) {
    return store_
        ->Read([&](store::Repository& repo) -> Result<std::optional<domain::Member>> {
          return repo.FindMemberByMobile(mobile);
        })
        .value();
  }

  std::vector<domain::Card> CardsOf(MemberId id) {
    return store_
        ->Read([&](store::Repository& repo) -> Result<std::vector<domain::Card>> {
          return repo.ListCards(id);
        })
        .value();
  }

  int64_t MemberCount() {
    return store_
        ->Read([](store::Repository& repo) -> Result<int64_t> {
          return repo.ListMembers({}, {1, 0}).total;
        })
        .value();
  }

  std::vector<store::AuditEntry> Audit() {
    return store_
        ->Read([](store::Repository& repo) -> Result<std::vector<store::AuditEntry>> {
          return repo.ListAudit({100, 0}).items;
        })
        .value();
  }

  testing::TestDatabase db_;
  std::unique_ptr<store::Store> store_;
  StoreId sh01_, gz01_;
  StaffId e001_;
};

// I4, M1, M3: a clean UTF-8 file (BOM, CRLF, as Excel's "CSV UTF-8" writes)
// loads every row, each with one issued card of the right kind.
TEST_F(MemberImportTest, I4_GoodUtf8FileLoadsAllRowsWithCards) {
  auto r = Import(ReadFixture("members_good.csv"));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->errors.empty()) << r->errors[0].line << " " << r->errors[0].message;
  EXPECT_EQ(r->rows_read, 3u);
  EXPECT_EQ(r->rows_loaded, 3u);

  auto wang = ByMobile("13800138001");
  ASSERT_TRUE(wang);
  EXPECT_EQ(wang->name, "王芳");
  EXPECT_EQ(wang->gender, domain::Gender::kFemale);
  EXPECT_EQ(wang->status, domain::MemberStatus::kFormal);
  EXPECT_EQ(wang->home_store_id, sh01_);
  EXPECT_EQ(wang->associate_id, e001_);
  EXPECT_EQ(wang->source, domain::MemberSource::kReferral);
  ASSERT_TRUE(wang->birthday);
  EXPECT_EQ(domain::FormatCalendarDate(*wang->birthday), "1985-03-07");     // written 1985/3/7
  EXPECT_EQ(wang->occupation, "teacher");                                   // written 教师
  EXPECT_EQ(wang->tags, (std::vector<std::string>{"新品偏好", "高净值"}));  // ';' and '；'
  ASSERT_EQ(wang->addresses.size(), 1u);
  EXPECT_EQ(wang->addresses[0].detail, "上海市黄浦区南京东路1号");

  auto li = ByMobile("13900139002");
  ASSERT_TRUE(li);
  EXPECT_EQ(li->status, domain::MemberStatus::kTemporary);
  EXPECT_EQ(li->source, domain::MemberSource::kImport);
  ASSERT_TRUE(li->birthday);
  EXPECT_EQ(li->birthday->calendar, domain::Calendar::kLunar);

  for (const auto* m : {&*wang, &*li}) {
    auto cards = CardsOf(m->id);
    ASSERT_EQ(cards.size(), 1u);
    EXPECT_TRUE(domain::IsValidCardNumber(cards[0].card_no));
    EXPECT_EQ(cards[0].status, domain::CardStatus::kIssued);
    EXPECT_EQ(cards[0].issued_on, kToday);
    EXPECT_EQ(cards[0].expires_on, kToday.AddYears(2));
    EXPECT_EQ(cards[0].kind, m->status == domain::MemberStatus::kFormal
                                 ? domain::CardKind::kFormal
                                 : domain::CardKind::kTemporary);
  }
  // The third row brings its own card number (M3).
  auto zhang = ByMobile("13700137003");
  ASSERT_TRUE(zhang);
  auto cards = CardsOf(zhang->id);
  ASSERT_EQ(cards.size(), 1u);
  EXPECT_EQ(cards[0].card_no, "8123456789012340");

  // One audit entry, with counts and no personal data (P6).
  auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "import");
  EXPECT_EQ(audit[0].entity, "members");
  EXPECT_NE(audit[0].detail.find("\"rows_loaded\":3"), std::string::npos);
  EXPECT_EQ(audit[0].detail.find("138"), std::string::npos);
  EXPECT_EQ(audit[0].detail.find("王"), std::string::npos);
}

// I4: Chinese Excel writes GBK; Chinese headers are accepted and names come
// back as UTF-8, with the encoding detected or given.
TEST_F(MemberImportTest, I4_GbkFileWithChineseHeaders) {
  const std::string utf8 =
      "姓名,手机,性别,生日,历法,门店编码,导购工号,会员类型,职业,标签,备注\r\n"
      "欧阳娜娜,13600136001,女,1992-08-15,公历,SH01,E001,正式,医生,高净值,喜欢瓷杯\r\n"
      "司马光,13600136002,男,1970/1/1,农历,GZ01,,临时,,,\r\n";
  const std::string gbk = ToGbk(utf8);
  ASSERT_NE(gbk, utf8);

  auto r = Import(gbk);  // encoding auto
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->errors.empty());
  EXPECT_EQ(r->rows_loaded, 2u);
  auto a = ByMobile("13600136001");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "欧阳娜娜");
  EXPECT_EQ(a->occupation, "medical");
  EXPECT_EQ(a->notes, "喜欢瓷杯");
  auto b = ByMobile("13600136002");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->name, "司马光");
  EXPECT_EQ(b->gender, domain::Gender::kMale);
  EXPECT_EQ(b->home_store_id, gz01_);

  // The same bytes declared as UTF-8 are refused, naming the encoding.
  ImportOptions utf8_opt;
  utf8_opt.encoding = "utf-8";
  auto wrong = Import(gbk, utf8_opt);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(wrong.error().field, "encoding");
  EXPECT_NE(wrong.error().message.find("line 1"), std::string::npos);
}

TEST_F(MemberImportTest, I4_GbkGivenExplicitly) {
  ImportOptions opt;
  opt.encoding = "gbk";
  auto r = Import(ToGbk("姓名,手机,门店编码\n张伟,13500135001,SH01\n"), opt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->rows_loaded, 1u);
  ASSERT_TRUE(ByMobile("13500135001"));
  EXPECT_EQ(ByMobile("13500135001")->name, "张伟");
}

// P10: two bad rows (bad mobile, unknown store): nothing is loaded by default
// and each bad row is reported with its line and column.
TEST_F(MemberImportTest, P10_BadRowsLoadNothingAndAreReported) {
  const std::string csv = ReadFixture("members_two_bad.csv");
  auto r = Import(csv);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->rows_read, 4u);
  EXPECT_EQ(r->rows_loaded, 0u);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].line, 3u);
  EXPECT_EQ(r->errors[0].field, "mobile");
  EXPECT_EQ(r->errors[1].line, 5u);
  EXPECT_EQ(r->errors[1].field, "store_code");
  // Messages never quote the personal data of the row.
  for (const auto& e : r->errors) {
    EXPECT_EQ(e.message.find("1380013"), std::string::npos) << e.message;
    EXPECT_EQ(e.message.find("赵"), std::string::npos) << e.message;
  }
  EXPECT_EQ(MemberCount(), 0);
  EXPECT_TRUE(Audit().empty());

  // P10: with skip_bad the good rows are loaded, the bad ones still reported.
  ImportOptions skip;
  skip.skip_bad = true;
  auto s = Import(csv, skip);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rows_read, 4u);
  EXPECT_EQ(s->rows_loaded, 2u);
  EXPECT_EQ(s->errors.size(), 2u);
  EXPECT_EQ(MemberCount(), 2);
  EXPECT_TRUE(ByMobile("13800138001"));
  EXPECT_TRUE(ByMobile("13800138004"));
  auto audit = Audit();
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_NE(audit[0].detail.find("\"rows_rejected\":2"), std::string::npos);
}

// M6: a mobile may appear once in the file and must not be registered yet.
TEST_F(MemberImportTest, M6_DuplicateMobileInFileAndInDatabase) {
  auto first = Import("name,mobile,store_code\n钱多多,13800138000,SH01\n");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->rows_loaded, 1u);

  auto r = Import(
      "name,mobile,store_code\n"
      "孙一,13800138000,SH01\n"      // line 2: already in the database
      "孙二,13811138111,SH01\n"      // line 3
      "孙三,138-1113-8111,GZ01\n");  // line 4: line 3's mobile, typed with dashes
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows_loaded, 0u);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].line, 2u);
  EXPECT_EQ(r->errors[0].field, "mobile");
  EXPECT_NE(r->errors[0].message.find("already registered"), std::string::npos);
  EXPECT_EQ(r->errors[1].line, 4u);
  EXPECT_EQ(r->errors[1].field, "mobile");
  EXPECT_NE(r->errors[1].message.find("line 3"), std::string::npos) << r->errors[1].message;
  EXPECT_EQ(MemberCount(), 1);
}

// M6, M3: the same checks when the file is much larger than the database and
// the existing mobiles and card numbers are read up front instead of looked
// up row by row.
TEST_F(MemberImportTest, M6_DuplicatesAgainstPreloadedDatabase) {
  auto first = Import(
      "name,mobile,store_code,card_no\n"
      "钱一,13800138000,SH01,8000000000000003\n"
      "钱二,13800138009,SH01,\n");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->rows_loaded, 2u);

  std::string csv = "name,mobile,store_code,card_no\n";
  for (int i = 0; i < 30; ++i) {
    std::string mobile = std::to_string(13900000000LL + i);
    std::string card;
    if (i == 3) mobile = "13800138000";     // line 5: registered
    if (i == 5) card = "8000000000000003";  // line 7: card registered
    csv += "孙" + std::to_string(i) + "," + mobile + ",GZ01," + card + "\n";
  }
  auto r = Import(csv);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows_loaded, 0u);
  ASSERT_EQ(r->errors.size(), 2u);
  EXPECT_EQ(r->errors[0].line, 5u);
  EXPECT_EQ(r->errors[0].field, "mobile");
  EXPECT_NE(r->errors[0].message.find("already registered"), std::string::npos);
  EXPECT_EQ(r->errors[1].line, 7u);
  EXPECT_EQ(r->errors[1].field, "card_no");
  EXPECT_NE(r->errors[1].message.find("already registered"), std::string::npos);

  ImportOptions skip;
  skip.skip_bad = true;
  auto s = Import(csv, skip);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->rows_loaded, 28u);
  EXPECT_EQ(MemberCount(), 30);
}

// I4: quoted fields with commas, quotes and line breaks; a record spanning two
// text lines is one line of the report, as in a spreadsheet.
TEST_F(MemberImportTest, I4_QuotedFieldsWithCommasAndNewlines) {
  auto r = Import(
      "name,mobile,store_code,address,notes\n"
      "\"周, 杰\",13800138001,SH01,\"上海市徐汇区, "
      "漕溪北路88号\",\"第一行\n第二行，\"\"引号\"\"\"\n"
      "吴二,13800138002,SH01,,\n"
      "吴三,12345,SH01,,\n");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].line, 4u);
  EXPECT_EQ(r->errors[0].field, "mobile");

  ImportOptions skip;
  skip.skip_bad = true;
  r = Import(
      "name,mobile,store_code,address,notes\n"
      "\"周, 杰\",13800138001,SH01,\"上海市徐汇区, "
      "漕溪北路88号\",\"第一行\n第二行，\"\"引号\"\"\"\n",
      skip);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows_loaded, 1u);
  auto m = ByMobile("13800138001");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->name, "周, 杰");
  ASSERT_EQ(m->addresses.size(), 1u);
  EXPECT_EQ(m->addresses[0].detail, "上海市徐汇区, 漕溪北路88号");
  EXPECT_EQ(m->notes, "第一行\n第二行，\"引号\"");
}

// P10: an unknown column rejects the whole file, naming the column on line 1.
TEST_F(MemberImportTest, P10_UnknownColumnRejected) {
  auto r = Import("name,mobile,store_code,shoe_size\n王五,13800138001,SH01,42\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().field, "shoe_size");
  EXPECT_NE(r.error().message.find("line 1"), std::string::npos);
  EXPECT_EQ(MemberCount(), 0);
}

TEST_F(MemberImportTest, P10_MissingRequiredColumnRejected) {
  auto r = Import("姓名,门店编码\n王五,SH01\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "手机");  // named in the header's language
  EXPECT_NE(r.error().message.find("line 1"), std::string::npos);

  auto dup = Import("name,mobile,store_code,Mobile\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().field, "Mobile");
}

TEST_F(MemberImportTest, P10_MalformedQuotingRejected) {
  auto r = Import("name,mobile,store_code\n王五,13800138001,SH01\n\"赵六,13800138002,SH01\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("line 3"), std::string::npos) << r.error().message;
  EXPECT_EQ(MemberCount(), 0);
}

// M1 rules come from domain::ValidateMember; the error names the CSV column as
// written in the header.
TEST_F(MemberImportTest, M1_MemberRulesNameTheHeaderColumn) {
  auto r = Import(
      "姓名,手机,门店编码,邮箱,生日,性别,会员类型\n"
      "甲,13800138001,SH01,not-an-email,,,\n"  // line 2
      "乙,13800138002,SH01,,2030-01-01,,\n"    // line 3: in the future
      "丙,13800138003,SH01,,1990-02-30,,\n"    // line 4: no such day
      "丁,13800138004,SH01,,,其它,\n"          // line 5
      "戊,13800138005,SH01,,,,VIP\n"           // line 6
      ",13800138006,SH01,,,,\n");              // line 7: no name
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 6u);
  const std::vector<std::pair<size_t, std::string>> expected = {
      {2, "邮箱"}, {3, "生日"}, {4, "生日"}, {5, "性别"}, {6, "会员类型"}, {7, "姓名"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(r->errors[i].line, expected[i].first) << i;
    EXPECT_EQ(r->errors[i].field, expected[i].second) << i;
  }
}

// M3: card numbers in the file must be valid and unique; associates must
// belong to the row's store.
TEST_F(MemberImportTest, M3_CardNumbersAndAssociatesChecked) {
  auto first = Import("name,mobile,store_code,card_no\n甲,13800138001,SH01,8000000000000003\n");
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->rows_loaded, 1u);

  auto r = Import(
      "name,mobile,store_code,card_no,associate_no\n"
      "乙,13800138002,SH01,8000000000000004,\n"  // line 2: bad check digit
      "丙,13800138003,SH01,8000000000000003,\n"  // line 3: in the database
      "丁,13800138004,SH01,8000000000000011,\n"  // line 4: fine
      "戊,13800138005,SH01,8000000000000011,\n"  // line 5: same as line 4
      "己,13800138006,SH01,,E002\n"              // line 6: E002 works at GZ01
      "庚,13800138007,SH01,,E999\n");            // line 7: no such staff
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->errors.size(), 5u);
  EXPECT_EQ(r->errors[0].line, 2u);
  EXPECT_EQ(r->errors[0].field, "card_no");
  EXPECT_EQ(r->errors[1].line, 3u);
  EXPECT_EQ(r->errors[1].field, "card_no");
  EXPECT_EQ(r->errors[2].line, 5u);
  EXPECT_NE(r->errors[2].message.find("line 4"), std::string::npos);
  EXPECT_EQ(r->errors[3].line, 6u);
  EXPECT_EQ(r->errors[3].field, "associate_no");
  EXPECT_EQ(r->errors[4].line, 7u);
  EXPECT_EQ(r->errors[4].field, "associate_no");
}

// I1: progress every 10,000 rows; blank rows are skipped but keep their numbers.
TEST_F(MemberImportTest, I1_ProgressAndBlankRows) {
  std::string csv = "name,mobile,store_code\n\n,,\n";
  for (int i = 0; i < 10001; ++i) {
    csv += "会员," + std::to_string(15000000000LL + i) + ",SH01\n";
  }
  csv += "坏,1,SH01\n";
  std::vector<size_t> calls;
  std::istringstream in(csv);
  ImportOptions opt;
  opt.today = kToday;
  opt.skip_bad = true;
  auto r = ImportMembersCsv(*store_, in, opt, [&](size_t done) { calls.push_back(done); });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows_read, 10002u);
  EXPECT_EQ(r->rows_loaded, 10001u);
  EXPECT_EQ(calls, std::vector<size_t>{10000});
  ASSERT_EQ(r->errors.size(), 1u);
  EXPECT_EQ(r->errors[0].line, 10005u);  // header, 2 blank rows, 10,001 members
  EXPECT_EQ(MemberCount(), 10001);
}

}  // namespace
}  // namespace vipcare::service
