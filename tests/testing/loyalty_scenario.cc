#include "testing/loyalty_scenario.h"

#include "service/loyalty_core.h"
#include "service/report_rollups.h"
#include "store/report_repository.h"

namespace vipcare::testing {

using nlohmann::json;

LoyaltyScenarioTest::LoyaltyScenarioTest() {
  manager_ = fx_.AddUser("manager.sh01", domain::Role::kStoreManager, fx_.org().manager_sh01);
}

MemberId LoyaltyScenarioTest::NewMember(const std::string& name, const std::string& status) {
  json body = fx_.MemberBody(name, fx_.org().sh01);
  if (!status.empty()) body["status"] = status;
  auto m = members_.Create(fx_.admin(), body);
  EXPECT_TRUE(m.ok()) << m.error().field << ": " << m.error().message;
  return m.ok() ? m->member.id : MemberId();
}

void LoyaltyScenarioTest::At(Date day) {
  fx_.clock().Set(fx_.env().tz.StartOfDay(day) + std::chrono::hours(10));
}

json LoyaltyScenarioTest::Buy(MemberId m, int64_t yuan, Date day) {
  At(day);
  auto r = loyalty_.PostSale(fx_.admin(), fx_.SaleBody("POS-" + std::to_string(++sales_), m, yuan));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + ": " + r.error().message);
  return r.ok() ? r->Body() : json();
}

json LoyaltyScenarioTest::BuyLate(MemberId m, int64_t yuan, Date day) {
  json body = fx_.SaleBody("POS-" + std::to_string(++sales_), m, yuan);
  body["occurred_at"] = FormatTimestamp(fx_.env().tz.StartOfDay(day) + std::chrono::hours(10));
  auto r = loyalty_.PostSale(fx_.admin(), body);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + ": " + r.error().message);
  return r.ok() ? r->Body() : json();
}

std::map<std::string, int64_t> LoyaltyScenarioTest::BuildRollups(Date day) {
  std::map<std::string, int64_t> counts;
  auto st = service::ReportRollups(fx_.env()).RunDay(fx_.admin(), day, counts);
  EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().field + ": " + st.error().message);
  return counts;
}

void LoyaltyScenarioTest::ExecSql(const std::string& sql) {
  auto st = fx_.store().Write([&](store::Repository& repo) -> Status {
    repo.reports().db().Exec(sql);
    return OkStatus();
  });
  EXPECT_TRUE(st.ok());
}

json LoyaltyScenarioTest::Run(Date day) {
  auto r = jobs_.RunDay(fx_.admin(), day);
  EXPECT_TRUE(r.ok()) << day.ToString() << ": "
                      << (r.ok() ? "" : r.error().field + ": " + r.error().message);
  return r.ok() ? *r : json();
}

store::LoyaltyState LoyaltyScenarioTest::State(MemberId m) {
  auto r = fx_.store().Read([&](store::Repository& repo) -> Result<store::LoyaltyState> {
    auto s = repo.loyalty().GetLoyaltyState(m);
    if (!s) return Error::NotFound("no loyalty state", "member_id");
    return *s;
  });
  EXPECT_TRUE(r.ok());
  return r.ok() ? *r : store::LoyaltyState();
}

void LoyaltyScenarioTest::UseProgram(const domain::Program& p) {
  auto st = fx_.store().Write([&](store::Repository& repo) -> Status {
    repo.loyalty().InsertProgramVersion(
        {0, p.code, 1, p.name, domain::ProgramToJson(p).dump(), UserId(), fx_.clock().Now()});
    repo.loyalty().SetCompanyProgram(p.code);
    return OkStatus();
  });
  ASSERT_TRUE(st.ok());
}

void LoyaltyScenarioTest::SetTier(MemberId m, const std::string& tier) {
  auto st = fx_.store().Write([&](store::Repository& repo) -> Status {
    auto& l = repo.loyalty();
    auto s = service::loyalty_core::StateOf(l, m);
    s.tier_code = tier;
    s.tier_since = fx_.env().Today();
    if (!l.SaveLoyaltyState(s)) return Error::Conflict("the member's state changed meanwhile");
    return OkStatus();
  });
  EXPECT_TRUE(st.ok());
}

}  // namespace vipcare::testing
