// GET /api/v1/members/{id}/yearly-report (SPEC R10): the route as
// AddYearlyReportRoutes builds it — its permission, how it reads the path and
// the year, and the statuses its answers map to (I2) — called through the
// router on the backend VIPCARE_TEST_BACKEND selects. The figures themselves
// are tested in tests/service/yearly_report_test.cc.
#include "http/yearly_report_api.h"

#include <gtest/gtest.h>

#include "testing/loyalty_scenario.h"

namespace vipcare::http {
namespace {

using domain::Role;
using nlohmann::json;

class YearlyReportApiTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  YearlyReportApiTest() {
    AddYearlyReportRoutes(router_, yearly_);
    analyst_ = fx_.AddUser("hq", Role::kHqAnalyst);
    top_ = NewMember("甲会员");
    gold_ = NewMember("乙会员");
    Buy(top_, 800, Date::FromYmd(2027, 3, 15));
    At(Date::FromYmd(2027, 6, 1));
    SetTier(top_, "purple_diamond");
    SetTier(gold_, "gold");
  }

  Response Get(const service::Actor& a, MemberId m, std::map<std::string, std::string> query) {
    const std::string path = "/api/v1/members/" + std::to_string(m.value) + "/yearly-report";
    auto match = router_.Find("GET", path);
    EXPECT_NE(match.route, nullptr) << path;
    if (!match.route) return Response();
    Request req;
    req.method = "GET";
    req.path = path;
    req.params = match.params;
    req.query = std::move(query);
    return match.route->handler(req, &a);
  }

  Router router_;
  service::YearlyReports yearly_{fx_.env()};
  service::Actor analyst_;
  MemberId top_, gold_;
};

TEST_F(YearlyReportApiTest, R10RouteNeedsMemberReadAndAnswersTheReport) {
  auto match = router_.Find("GET", "/api/v1/members/7/yearly-report");
  ASSERT_NE(match.route, nullptr);
  EXPECT_TRUE(match.route->authenticated);
  EXPECT_EQ(match.route->permission, service::Permission::kMemberRead);
  EXPECT_EQ(match.params["id"], "7");

  Response ok = Get(manager_, top_, {{"year", "2027"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  json body = json::parse(ok.body);
  EXPECT_EQ(body["year"], 2027);
  EXPECT_EQ(body["summary"]["spend_fen"], 80000);
  // Without a year: this year so far.
  Response now = Get(manager_, top_, {});
  ASSERT_EQ(now.status, 200) << now.body;
  EXPECT_EQ(json::parse(now.body)["complete"], false);
}

TEST_F(YearlyReportApiTest, R10ErrorsMapTo400_403_404And422WithTheField) {
  auto field = [](const Response& r) { return json::parse(r.body)["error"]["field"]; };
  Response gold = Get(manager_, gold_, {{"year", "2027"}});
  EXPECT_EQ(gold.status, 422) << gold.body;
  EXPECT_EQ(field(gold), "member_id");
  Response word = Get(manager_, top_, {{"year", "last"}});
  EXPECT_EQ(word.status, 400);
  EXPECT_EQ(field(word), "year");
  Response early = Get(manager_, top_, {{"year", "1999"}});
  EXPECT_EQ(early.status, 400);
  EXPECT_EQ(field(early), "year");
  Response hq = Get(analyst_, top_, {{"year", "2027"}});
  EXPECT_EQ(hq.status, 403);
  Response missing = Get(manager_, MemberId(987654), {{"year", "2027"}});
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(field(missing), "id");
}

}  // namespace
}  // namespace vipcare::http
