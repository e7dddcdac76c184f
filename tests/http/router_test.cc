// Router: which route a method and path reach, and the path's parameters.
#include "http/router.h"

#include <gtest/gtest.h>

namespace vipcare::http {
namespace {

Route R(std::string method, std::string pattern) {
  Route r;
  r.method = std::move(method);
  r.pattern = std::move(pattern);
  r.handler = [](const Request&, const service::Actor*) { return Response{}; };
  return r;
}

class RouterTest : public ::testing::Test {
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

TEST_F(RouterTest, ALiteralRouteAddedFirstWinsOverAParameter) {
  auto m = router_.Find("GET", "/api/v1/members/search");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/members/search");
  EXPECT_TRUE(m.params.empty());
}

TEST_F(RouterTest, ParametersAreTakenFromTheirSegments) {
  auto m = router_.Find("POST", "/api/v1/members/42/cards/8800123/replace");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/members/{id}/cards/{card}/replace");
  EXPECT_EQ(m.params, (std::map<std::string, std::string>{{"id", "42"}, {"card", "8800123"}}));

  m = router_.Find("PATCH", "/api/v1/members/7");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->method, "PATCH");
  EXPECT_EQ(m.params.at("id"), "7");
}

TEST_F(RouterTest, AKnownPathWithAnotherMethodIsToldApartFromAnUnknownPath) {
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

TEST_F(RouterTest, EmptySegmentsAndATrailingSlashAreIgnored) {
  auto m = router_.Find("POST", "//api/v1//transactions/");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->pattern, "/api/v1/transactions");
  EXPECT_EQ(router_.Find("GET", "/").route, nullptr);
  EXPECT_EQ(router_.Find("GET", "").route, nullptr);
}

}  // namespace
}  // namespace vipcare::http
