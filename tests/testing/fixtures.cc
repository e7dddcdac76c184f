// tests/testing/fixtures.cc
#include "testing/fixtures.h"

#include <atomic>
#include <stdexcept>

#include "service/org.h"
#include "store/reports/rollups.h"

namespace vipcare::testing {
namespace {

using nlohmann::json;

// Seeding must work; a failure here is a broken fixture, not a test result.
template <class T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    throw std::runtime_error(std::string("fixture: ") + what + " failed: " + r.error().message +
                             " (field " + r.error().field + ")");
  }
  return std::move(r).value();
}

}  // namespace

Timestamp FixtureStart() { return *ParseTimestamp("2026-11-23T02:00:00Z"); }

Date FixtureToday() { return Date::FromYmd(2026, 11, 23); }

ServiceFixture::ServiceFixture() : clock_(FixtureStart()) {
  store_ = store::Store::Open(db_.url(), vipcare::testing::TestKeys());
  auto tz = TimeZone::Load("Asia/Shanghai");
  if (!tz.ok()) throw std::runtime_error("fixture: no Asia/Shanghai time zone");
  env_ = std::make_unique<service::Env>(service::Env{*store_, clock_, *tz});

  const service::Actor cli = service::Actor::CommandLine();
  service::Org org(*env_);
  org_.east = Must(org.CreateRegion(cli, {{"code", "EAST"}, {"name", "华东片区"}}), "region").id;
  org_.south = Must(org.CreateRegion(cli, {{"code", "SOUTH"}, {"name", "华南片区"}}), "region").id;
  auto store = [&](const char* code, const char* name, RegionId region, const char* city) {
    json body = {{"code", code},
                 {"name", name},
                 {"region_id", region.value},
                 {"city", city},
                 {"phone", "021-62345678"},
                 {"opened_on", "2019-05-01"}};
    return Must(org.CreateStore(cli, body), "store").id;
  };
  org_.sh01 = store("SH01", "上海南京路店", org_.east, "上海市");
  org_.sh02 = store("SH02", "上海徐家汇店", org_.east, "上海市");
  org_.gz01 = store("GZ01", "广州天河店", org_.south, "广州市");
  auto staff = [&](const char* no, const char* name, const char* role, StoreId store_id) {
    json body = {{"employee_no", no}, {"name", name}, {"role", role}};
    if (store_id) body["store_id"] = store_id.value;
    return Must(org.CreateStaff(cli, body), "staff").id;
  };
  org_.associate_sh01 = staff("E001", "导购张丽", "associate", org_.sh01);
  org_.associate_sh02 = staff("E002", "导购陈静", "associate", org_.sh02);
  org_.associate_gz01 = staff("E003", "导购黄敏", "associate", org_.gz01);
  org_.manager_sh01 = staff("M001", "店长刘强", "store_manager", org_.sh01);
  org_.admin_staff = staff("A001", "系统管理员", "admin", StoreId());

  admin_ = AddUser("admin", domain::Role::kAdmin, org_.admin_staff);
}

ServiceFixture::~ServiceFixture() = default;

service::Actor ServiceFixture::AddUser(const std::string& username, domain::Role role,
                                       StaffId staff) {
  // Argon2id costs ~50-200 ms a hash; one hash of kTestPassword serves every
  // account of the process (each test still gets a fresh database).
  static const std::string hash = service::HashPassword(kTestPassword);
  service::Actor a;
  a.username = username;
  a.role = role;
  a.staff_id = staff;
  a.address = "127.0.0.1";
  a.user_id = Must(store_->Write([&](store::Repository& repo) -> Result<UserId> {
    store::UserRecord u;
    u.username = username;
    u.staff_id = staff;
    u.role = role;
    u.password_hash = hash;
    u.must_change_password = false;
    u.created_at = clock_.Now();
    if (staff) {
      auto s = repo.GetStaff(staff);
      if (!s) return Error::NotFound("no staff record", "staff_id");
      a.store_id = s->store_id;
      a.region_id = s->region_id;
    }
    return repo.InsertUser(u);
  }),
                   "user");
  return a;
}

std::string ServiceFixture::NextMobile() {
  static std::atomic<int64_t> next{0};
  return std::to_string(13800000000LL + next.fetch_add(1));
}

json ServiceFixture::MemberBody(const std::string& name, StoreId store) const {
  return {{"name", name},
          {"gender", "female"},
          {"mobile", NextMobile()},
          {"store_id", (store ? store : org_.sh01).value}};
}

json ServiceFixture::SaleBody(const std::string& external_id, MemberId member, int64_t yuan,
                              StoreId store) const {
  json sale = {{"external_id", external_id},
               {"store_id", (store ? store : org_.sh01).value},
               {"occurred_at", FormatTimestamp(clock_.Now())},
               {"lines",
                {{{"sku", "W-001"},
                  {"category", "女装"},
                  {"quantity", 1},
                  {"list_price_fen", yuan * 100},
                  {"paid_fen", yuan * 100}}}}};
  if (member) sale["member_id"] = member.value;
  return sale;
}

json ServiceFixture::RefundBody(const std::string& external_id, const std::string& original,
                                int64_t yuan, StoreId store) const {
  return {{"kind", "refund"},
          {"external_id", external_id},
          {"original_external_id", original},
          {"store_id", (store ? store : org_.sh01).value},
          {"occurred_at", FormatTimestamp(clock_.Now())},
          {"lines", {{{"line_no", 1}, {"paid_fen", yuan * 100}}}}};
}

json ServiceFixture::FullMemberBody(const std::string& name, MemberId referrer) const {
  json body = {
      {"name", name},
      {"gender", "female"},
      {"status", "temporary"},
      {"birthday", "1985-04-15"},
      {"birthday_calendar", "lunar"},
      {"birthday_leap_month", true},
      {"mobile", NextMobile()},
      {"mobile_valid", true},
      {"office_phone", "021-63501234"},
      {"office_phone_valid", true},
      {"home_phone", "021-54321098"},
      {"home_phone_valid", false},
      {"email", "wangfang@example.com"},
      {"wechat_id", "wangfang_85"},
      {"addresses", json::array({{{"label", "home"},
                                  {"province", "上海市"},
                                  {"city", "上海市"},
                                  {"district", "静安区"},
                                  {"detail", "南京西路1266号恒隆广场12楼"},
                                  {"postcode", "200040"}},
                                 {{"label", "office"},
                                  {"province", "上海市"},
                                  {"city", "上海市"},
                                  {"district", "浦东新区"},
                                  {"detail", "世纪大道100号"},
                                  {"postcode", "200120"}}})},
      {"occupation", "teacher"},
      {"company", "上海市第一中学"},
      {"job_title", "高级教师"},
      {"id_number", "310104198503151231"},
      {"spouse_name", "李强"},
      {"family", json::array({{{"name", "李强"},
                               {"relation", "spouse"},
                               {"birthday", "1983-09-02"},
                               {"birthday_calendar", "solar"},
                               {"hobbies", "钓鱼"},
                               {"notes", ""}},
                              {{"name", "李小宝"},
                               {"relation", "child"},
                               {"birthday", "2015-08-15"},
                               {"birthday_calendar", "lunar"},
                               {"hobbies", "钢琴"},
                               {"notes", "对花生过敏"}}})},
      {"anniversaries", json::array({{{"kind", "wedding"},
                                      {"label", "结婚纪念日"},
                                      {"date", "2010-10-10"},
                                      {"calendar", "solar"}}})},
      {"preferences",
       {{"hobbies", json::array({"瑜伽", "茶艺"})},
        {"clothing_size", "M"},
        {"shoe_size", "37"},
        {"colours", json::array({"米白", "藏青"})},
        {"brands", json::array({"ERDOS"})},
        {"categories", json::array({"羊绒", "丝巾"})},
        {"special_needs", "温水，瓷杯"},
        {"preferred_channels", json::array({"wechat", "phone"})},
        {"dnd_start", "21:30"},
        {"dnd_end", "08:30"},
        {"marketing_opt_out", false}}},
      {"business",
       {{"sales_region", "华东"},
        {"credit_rating", "A"},
        {"credit_limit_fen", 50000000},
        {"outstanding_debt_fen", 1234500},
        {"repayment_record", "2025年按期还款"},
        {"key_decision_maker", "王总"}}},
      {"source", "referral"},
      {"store_id", org_.sh01.value},
      {"associate_id", org_.associate_sh01.value},
      {"tags", json::array({"VIP", "高净值"})},
      {"notes", "喜欢周末下午来店"},
  };
  if (referrer) body["referrer_id"] = referrer.value;
  return body;
}

int64_t ServiceFixture::CountMembers() {
  auto lease = store_->Acquire();
  return lease.db().QueryOne("SELECT COUNT(*) FROM members")->Int(0);
}

std::vector<store::AuditEntry> ServiceFixture::Audit() {
  return Must(store_->Read([](store::Repository& repo) -> Result<std::vector<store::AuditEntry>> {
    return repo.ListAudit({500, 0}).items;
  }),
              "audit");
}

int64_t ServiceFixture::CountAudit(const std::string& action) {
  int64_t n = 0;
  for (const auto& e : Audit()) n += e.action == action ? 1 : 0;
  return n;
}

bool ServiceFixture::RollupReady(int64_t month) {
  return store()
      .Read([&](store::Repository& repo) -> Result<bool> {
        return store::reports::RollupReady(repo.reports().db(), month);
      })
      .value();
}

}  // namespace vipcare::testing
