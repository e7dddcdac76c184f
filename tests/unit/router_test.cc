// The router and request parsing under the API (SPEC I2, P10).
#include <gtest/gtest.h>

#include "http/router.h"

namespace vipcare::http {
namespace {

TEST(RouterTest, MatchesPatternsAndReportsWrongMethod) {
  Router r;
  auto h = [](const Request&, const service::Actor*) { return Response::Json({{"ok", true}}); };
  r.Add({"GET", "/api/v1/members/{id}", true, service::Permission::kMemberRead, h});
  r.Add({"GET", "/api/v1/members", true, service::Permission::kMemberRead, h});
  auto m = r.Find("GET", "/api/v1/members/42");
  ASSERT_TRUE(m.route);
  EXPECT_EQ(m.params.at("id"), "42");
  EXPECT_TRUE(r.Find("GET", "/api/v1/members/").route);  // trailing slash: the list
  auto wrong = r.Find("DELETE", "/api/v1/members/42");
  EXPECT_FALSE(wrong.route);
  EXPECT_TRUE(wrong.path_known);
  auto none = r.Find("GET", "/api/v1/nothing");
  EXPECT_FALSE(none.route);
  EXPECT_FALSE(none.path_known);
}

Route R(std::string method, std::string pattern) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.handler = [](const Request&, const service::Actor*) { return Response{}; };
  return r;
}

class RouterMatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.Add(R("GET", "/api/v1/members/search"));
    router_.Add(R("GET", "/api/v1/members/{id}"));
    router_.Add(R("PATCH", "/api/v1/members/{id}"));
    router_.Add(R("POST", "/api/v1/members/{id}/cards/{card}/replace"));
    router_.Add(R("POST", "/api/v1/transactions"));
  }
  Router router_;
};

TEST_F(RouterMatchTest, ALiteralRouteAddedFirstWinsOverAParameter) {
  auto m = router_.Find("GET", "/api/v1/members/search");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/members/search");
  EXPECT_TRUE(m.params.empty());
}

TEST_F(RouterMatchTest, ParametersAreTakenFromTheirSegments) {
  auto m = router_.Find("POST", "/api/v1/members/42/cards/8800123/replace");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/members/{id}/cards/{card}/replace");
  EXPECT_EQ(m.params, (std::map<std::string, std::string>{{"id", "42"}, {"card", "8800123"}}));

  m = router_.Find("PATCH", "/api/v1/members/7");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, "PATCH");
  EXPECT_EQ(m.params.at("id"), "7");
}

TEST_F(RouterMatchTest, AKnownPathWithAnotherMethodIsToldApartFromAnUnknownPath) {
  auto m = router_.Find("DELETE", "/api/v1/members/7");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_known);  // answered 405
  EXPECT_TRUE(m.params.empty());

  m = router_.Find("GET", "/api/v1/members/7/cards");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_known);  // answered 404
  m = router_.Find("GET", "/api/v1/member/7");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_known);
  m = router_.Find("POST", "/api/v1/members/42/cards/8800123/replace/again");
  EXPECT_EQ(m.route, nullptr);
}

TEST_F(RouterMatchTest, EmptySegmentsAndATrailingSlashAreIgnored) {
  auto m = router_.Find("POST", "//api/v1//transactions/");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/transactions");
  EXPECT_EQ(router_.Find("GET", "/").route, nullptr);
  EXPECT_EQ(router_.Find("GET", "").route, nullptr);
}

TEST(RouterTest, QueryStringsDecodeChineseAndRejectBadEscapes) {
  auto q = ParseQuery("q=%E7%8E%8B&limit=5&x=a+b");
  ASSERT_TRUE(q);
  EXPECT_EQ(q->at("q"), "王");
  EXPECT_EQ(q->at("x"), "a b");
  EXPECT_FALSE(ParseQuery("q=%E7%8"));
  EXPECT_FALSE(ParseQuery("q=%ZZ"));
  EXPECT_FALSE(ParseQuery("q=%E7"));  // not UTF-8
}

TEST(RequestTest, IntegerParametersAreRangeChecked) {
  Request req;
  req.query = {{"limit", "0"}, {"offset", "x"}};
  EXPECT_EQ(req.QueryInt("limit", 50, 1, 200).error().field, "limit");
  EXPECT_EQ(req.QueryInt("offset", 0, 0, 100).error().field, "offset");
  EXPECT_EQ(*req.QueryInt("absent", 50, 1, 200), 50);
  req.params = {{"id", "-3"}};
  EXPECT_EQ(req.PathId("id").error().field, "id");
  req.body = "{not json";
  EXPECT_FALSE(req.Json().ok());
  req.body = "[1,2]";
  EXPECT_FALSE(req.Json().ok());
}

TEST(ErrorMappingTest, EachCodeHasItsStatus) {
  EXPECT_EQ(StatusOf(ErrorCode::kInvalidArgument), 400);
  EXPECT_EQ(StatusOf(ErrorCode::kUnauthenticated), 401);
  EXPECT_EQ(StatusOf(ErrorCode::kForbidden), 403);
  EXPECT_EQ(StatusOf(ErrorCode::kNotFound), 404);
  EXPECT_EQ(StatusOf(ErrorCode::kConflict), 409);
  EXPECT_EQ(StatusOf(ErrorCode::kUnprocessable), 422);
  EXPECT_EQ(StatusOf(ErrorCode::kTooManyRequests), 429);
  auto r = Response::FromError(Error::Invalid("mobile", "must be 11 digits"));
  auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(j["error"]["code"], "invalid_argument");
  EXPECT_EQ(j["error"]["field"], "mobile");
  EXPECT_EQ(j["error"]["message"], "must be 11 digits");
}

}  // namespace
}  // namespace vipcare::http
