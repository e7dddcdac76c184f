// tests/http/care_report_api_test.cc
//
// Leave handover (SPEC C2) and the monthly visit report, plan and regional
// summary (C3, R8) over HTTP: /api/v1/staff-leaves and /api/v1/care-reports/*
// parse their query and body, answer the service's JSON with the right
// status and name the bad field (P10). A real vipcare::http::App on a free
// port with the fixture's clock; runs on the backend VIPCARE_TEST_BACKEND
// selects.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "http/app.h"
#include "service/care.h"
#include "testing/fixtures.h"
#include "testing/http_client.h"

namespace vipcare::http {
namespace {

using domain::Role;
using nlohmann::json;
using vipcare::testing::FixtureToday;
using vipcare::testing::HttpResponse;
using vipcare::testing::kTestPassword;

Timestamp MorningOf(Date day) { return *ParseTimestamp(day.ToString() + "T10:00:00+08:00"); }

void ExpectError(const HttpResponse& r, int status, const std::string& field) {
  EXPECT_EQ(r.status, status) << r.body;
  const json j = r.Json();
  ASSERT_TRUE(j.is_object() && j.contains("error")) << r.body;
  EXPECT_EQ(j["error"]["field"], field) << r.body;
}

class CareReportApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AppOptions options;
    options.db_url = fx_.url();
    options.keys = vipcare::testing::TestKeys();
    options.server.port = 0;
    app_ = std::make_unique<App>(options, &fx_.clock());
    app_->Start();
    fx_.AddUser("store", Role::kStoreManager, fx_.org().manager_sh01);
    fx_.AddUser("assoc", Role::kAssociate, fx_.org().associate_sh01);
    fx_.AddUser("hq", Role::kHqAnalyst);
  }
  void TearDown() override { app_->Stop(); }

  HttpResponse Call(const std::string& method, const std::string& target, const std::string& who,
                    const json& body = nullptr) {
    auto& [token, at] = tokens_[who];
    if (token.empty() || at != fx_.clock().Now()) {
      auto r = vipcare::testing::Request(
          app_->port(), "POST", "/api/v1/auth/login",
          json{{"username", who}, {"password", kTestPassword}}.dump(), {});
      EXPECT_EQ(r.status, 200) << who << ": " << r.body;
      token = r.status == 200 ? r.Json()["token"].get<std::string>() : "";
      at = fx_.clock().Now();
    }
    return vipcare::testing::Request(app_->port(), method, target,
                                     body.is_null() ? "" : body.dump(),
                                     {{"Authorization", "Bearer " + token}});
  }

  // A member of SH01 looked after by the SH01 associate who bought today;
  // the care schedule then runs through the third day, when the 1.3.5
  // plan's satisfaction call is due. Answers the member's id.
  int64_t MemberWithDayThreeCall() {
    json body = fx_.MemberBody("林会员", fx_.org().sh01);
    body["associate_id"] = fx_.org().associate_sh01.value;
    auto m = Call("POST", "/api/v1/members", "admin", body);
    EXPECT_EQ(m.status, 201) << m.body;
    const int64_t id = m.status == 201 ? m.Json()["id"].get<int64_t>() : 0;
    auto sale = Call("POST", "/api/v1/transactions", "admin", fx_.SaleBody("POS-1", MemberId(id), 600));
    EXPECT_EQ(sale.status, 201) << sale.body;
    service::Care care(app_->env());
    for (int n = 1; n <= 3; ++n) {
      const Date day = FixtureToday().AddDays(n);
      fx_.clock().Set(MorningOf(day));
      std::map<std::string, int64_t> counts;
      EXPECT_TRUE(care.GenerateDay(fx_.admin(), day, counts).ok());
    }
    return id;
  }

  int64_t PendingOf(const std::string& who) {
    auto r = Call("GET", "/api/v1/tasks?status=pending", who);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.status == 200 ? r.Json()["total"].get<int64_t>() : -1;
  }

  vipcare::testing::ServiceFixture fx_;
  std::unique_ptr<App> app_;
  std::map<std::string, std::pair<std::string, Timestamp>> tokens_;
};

TEST_F(CareReportApiTest, C2_ALeaveOverHttpHandsTheAssociatesTasksToTheManagerAndBack) {
  MemberWithDayThreeCall();  // the clock on 2026-11-26
  const int64_t pending = PendingOf("assoc");
  ASSERT_GE(pending, 1);
  const json leave = {{"staff_id", fx_.org().associate_sh01.value},
                      {"from", "2026-11-26"},
                      {"to", "2026-11-28"}};
  ExpectError(Call("POST", "/api/v1/staff-leaves", "store",
                   {{"staff_id", fx_.org().associate_sh01.value}, {"from", "26/11/2026"}, {"to", "2026-11-28"}}),
              400, "from");
  auto started = Call("POST", "/api/v1/staff-leaves", "store", leave);
  ASSERT_EQ(started.status, 201) << started.body;
  EXPECT_EQ(started.Json()["tasks_handed_over"], pending);
  EXPECT_EQ(started.Json()["covered_by"], fx_.org().manager_sh01.value);
  EXPECT_EQ(PendingOf("assoc"), 0);
  ExpectError(Call("POST", "/api/v1/staff-leaves", "store", leave), 409, "from");

  auto listed = Call("GET", "/api/v1/staff-leaves?status=active", "store");
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(listed.Json()["total"], 1);
  ExpectError(Call("GET", "/api/v1/staff-leaves?status=sick", "store"), 400, "status");

  const std::string end =
      "/api/v1/staff-leaves/" + std::to_string(started.Json()["id"].get<int64_t>()) + "/end";
  auto ended = Call("POST", end, "store");
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(ended.Json()["tasks_returned"], pending);
  EXPECT_EQ(ended.Json()["status"], "ended");
  EXPECT_EQ(PendingOf("assoc"), pending);
  ExpectError(Call("POST", end, "store"), 409, "id");
  ExpectError(Call("POST", "/api/v1/staff-leaves/999999/end", "store"), 404, "id");
}

TEST_F(CareReportApiTest, C3_MonthlyReportPlanAndRegionalSummaryOverHttp) {
  const int64_t member = MemberWithDayThreeCall();
  // Work the day-3 call the same day.
  auto tasks = Call("GET", "/api/v1/tasks?status=pending&member_id=" + std::to_string(member), "assoc");
  ASSERT_EQ(tasks.status, 200) << tasks.body;
  int64_t call = 0;
  const json items = tasks.Json()["items"];
  for (const auto& t : items) {
    if (t["occasion"] == "post_purchase_d3") call = t["id"].get<int64_t>();
  }
  ASSERT_NE(call, 0) << tasks.body;
  auto done = Call("POST", "/api/v1/tasks/" + std::to_string(call) + "/complete", "assoc",
                   {{"outcome", "done"}, {"summary", "顾客对新外套很满意"}, {"satisfaction", 5}});
  ASSERT_EQ(done.status, 200) << done.body;
  // Every task of SH01 due in November, as the task list counts them.
  auto all = Call("GET", "/api/v1/tasks?store_id=" + std::to_string(fx_.org().sh01.value) +
                             "&from=2026-11-01&to=2026-11-30&limit=1",
                  "admin");
  ASSERT_EQ(all.status, 200) << all.body;

  // The store manager's own store without naming it.
  auto report = Call("GET", "/api/v1/care-reports/monthly?month=2026-11", "store");
  ASSERT_EQ(report.status, 200) << report.body;
  const json r = report.Json();
  EXPECT_EQ(r["store"]["code"], "SH01");
  EXPECT_EQ(r["complete"], false);
  EXPECT_EQ(r["totals"]["planned"], all.Json()["total"]);
  EXPECT_GE(r["totals"]["done"].get<int64_t>(), 1);
  EXPECT_EQ(r["totals"]["visited_members"], 1);
  // 600 yuan at 1 point per yuan, earned in November by the visited member.
  EXPECT_EQ(r["totals"]["points_growth"], 600);

  const std::string sh01 = std::to_string(fx_.org().sh01.value);
  auto hq = Call("GET", "/api/v1/care-reports/monthly?store_id=" + sh01 + "&month=2026-11", "hq");
  ASSERT_EQ(hq.status, 200) << hq.body;
  EXPECT_EQ(hq.Json()["totals"], r["totals"]);
  ExpectError(Call("GET", "/api/v1/care-reports/monthly?store_id=abc&month=2026-11", "hq"), 400,
              "store_id");
  ExpectError(Call("GET", "/api/v1/care-reports/monthly?store_id=" + sh01 + "&month=2026-1", "hq"),
              400, "month");

  const std::string text = "12月：圣诞节前一周电话邀约A类会员到店。";
  auto plan = Call("PUT", "/api/v1/care-reports/plan?month=2026-12", "store", {{"text", text}});
  ASSERT_EQ(plan.status, 200) << plan.body;
  EXPECT_EQ(plan.Json()["store_id"], fx_.org().sh01.value);
  ExpectError(Call("PUT", "/api/v1/care-reports/plan?month=2026-12", "store", {{"txt", text}}), 400,
              "txt");
  auto again = Call("GET", "/api/v1/care-reports/monthly?month=2026-11", "store");
  EXPECT_EQ(again.Json()["next_plan"]["text"], text);

  const std::string east = "/api/v1/care-reports/regional?region_id=" +
                           std::to_string(fx_.org().east.value) + "&month=2026-11";
  ExpectError(Call("GET", east, "hq"), 422, "month");
  fx_.clock().Set(MorningOf(Date::FromYmd(2026, 12, 1)));
  auto summary = Call("GET", east, "hq");
  ASSERT_EQ(summary.status, 200) << summary.body;
  ASSERT_EQ(summary.Json()["stores"].size(), 2u);
  EXPECT_EQ(summary.Json()["stores"][0]["planned"], r["totals"]["planned"]);
  EXPECT_EQ(summary.Json()["stores"][0]["next_plan_written"], true);
  EXPECT_EQ(summary.Json()["stores"][1]["next_plan_written"], false);
}

}  // namespace
}  // namespace vipcare::http
