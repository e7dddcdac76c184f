// tests/http/matrix_test.cc
//
// The authorization matrix (issue 3, SPEC P2, P9): every route of the API for
// every role, with the outcome each role must get. A route added to the
// router without a row here fails the test, so the table grows with the API.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>

#include "http/app.h"
#include "service/grants.h"
#include "service/org.h"
#include "testing/fixtures.h"
#include "testing/http_client.h"

namespace vipcare::http {
namespace {

using domain::Role;
using nlohmann::json;
using vipcare::testing::HttpResponse;
using vipcare::testing::kTestPassword;

// Roles in the column order of kMatrix.
constexpr const char* kRoles[] = {"admin", "hq", "region", "store", "assoc", "callcenter",
                                  "auditor"};

// Per route, one letter per role (kRoles order): 'y' = let through (any
// answer but 401/403: the request is then judged on its content), 'n' = 403.
// The member used is assoc's own member at their store (SH01, region EAST);
// the call centre holds no grant for it. Bodies are empty JSON objects except
// where kBodies gives a valid one, so the scope check, not validation, answers.
const std::map<std::string, std::string> kMatrix = {
    {"POST /api/v1/auth/logout", "yyyyyyy"},
    {"GET /api/v1/auth/me", "yyyyyyy"},
    {"POST /api/v1/auth/password", "yyyyyyy"},
    {"GET /api/v1/users", "ynyynnn"},
    {"POST /api/v1/users", "ynnnnnn"},
    {"PATCH /api/v1/users/{id}", "ynnnnnn"},
    {"GET /api/v1/company", "yyyyyyy"},
    {"PUT /api/v1/company", "ynnnnnn"},
    {"GET /api/v1/regions", "yyyyyyy"},
    {"POST /api/v1/regions", "ynnnnnn"},
    {"GET /api/v1/stores", "yyyyyyy"},
    {"POST /api/v1/stores", "ynnnnnn"},
    {"GET /api/v1/stores/{id}", "yyyyyyy"},
    {"PATCH /api/v1/stores/{id}", "ynnnnnn"},
    {"GET /api/v1/staff", "yyyyyyy"},
    {"POST /api/v1/staff", "ynnnnnn"},
    {"GET /api/v1/staff/{id}", "yyyyyyy"},
    {"PATCH /api/v1/staff/{id}", "ynnnnnn"},
    // Lists are filtered by scope (an empty page is an answer, not a 403).
    {"GET /api/v1/members", "ynyyyyn"},
    {"POST /api/v1/members", "ynyyyyn"},
    // Single files: HQ (aggregates only) and the auditor never; the call
    // centre only with a grant; the supervisor of another region never.
    {"GET /api/v1/members/{id}", "ynyyynn"},
    {"PATCH /api/v1/members/{id}", "ynyyynn"},
    {"GET /api/v1/members/{id}/history", "ynyyynn"},
    {"GET /api/v1/members/{id}/points", "ynyyynn"},
    {"POST /api/v1/transactions", "ynnyynn"},
    {"GET /api/v1/programs/current", "yyyyyyy"},
    {"GET /api/v1/members/{id}/transactions", "ynyyynn"},
    // A quote is a till's question: the roles that post sales.
    {"POST /api/v1/quote", "ynnyynn"},
    {"GET /api/v1/programs", "yyyyyyy"},
    {"GET /api/v1/programs/{code}", "yyyyyyy"},
    {"PUT /api/v1/programs/{code}", "ynnnnnn"},
    {"POST /api/v1/programs/{code}/choose", "ynnnnnn"},
    {"GET /api/v1/gifts", "ynnyynn"},
    {"POST /api/v1/gifts", "ynnnnnn"},
    {"PATCH /api/v1/gifts/{id}", "ynnnnnn"},
    // The category catalogue: anyone signed in reads it (the till, the
    // program editor, report filters); program admins change it.
    {"GET /api/v1/categories", "yyyyyyy"},
    {"GET /api/v1/categories/sold", "ynnnnnn"},
    {"POST /api/v1/categories", "ynnnnnn"},
    {"PATCH /api/v1/categories/{id}", "ynnnnnn"},
    {"POST /api/v1/members/{id}/redemptions", "ynnyynn"},
    {"GET /api/v1/members/{id}/vouchers", "ynyyynn"},
    {"POST /api/v1/members/{id}/points-adjustments", "ynyyynn"},
    {"GET /api/v1/points-adjustments", "ynyynnn"},
    {"POST /api/v1/points-adjustments/{id}/decision", "ynyynnn"},
    {"POST /api/v1/members/{id}/tier-hold", "ynyynnn"},
    {"POST /api/v1/members/{id}/tier-hold/release", "ynyynnn"},
    {"POST /api/v1/members/{id}/tier-override", "ynyynnn"},
    {"GET /api/v1/tier-approvals", "ynyynnn"},
    {"POST /api/v1/members/{id}/tier-approval", "ynyynnn"},
    {"POST /api/v1/tier-approvals/decisions", "ynyynnn"},
    {"POST /api/v1/members/{id}/status", "ynyyynn"},
    {"POST /api/v1/members/{id}/erasure", "ynyynnn"},
    {"POST /api/v1/members/{id}/merge", "ynyynnn"},
    {"GET /api/v1/members/{id}/cards", "ynyyynn"},
    {"POST /api/v1/members/{id}/cards", "ynyyynn"},
    {"GET /api/v1/members/{id}/consents", "ynyyynn"},
    {"POST /api/v1/members/{id}/consents", "ynyyynn"},
    // The supervisor sees the file masked: no data copy for them.
    {"GET /api/v1/members/{id}/data-copy", "ynnyynn"},
    {"GET /api/v1/cards/{card_no}", "ynyyynn"},
    {"POST /api/v1/cards/{card_no}/lost", "ynyyynn"},
    {"POST /api/v1/cards/{card_no}/reissue", "ynyyynn"},
    {"POST /api/v1/cards/{card_no}/status", "ynyyynn"},
    {"GET /api/v1/destruction-records", "ynnnnny"},
    {"GET /api/v1/audit", "ynnnnny"},
    {"GET /api/v1/grants", "yyyyyyy"},
    {"POST /api/v1/grants", "ynyynnn"},
    {"GET /api/v1/grants/{id}", "yyyyyyy"},
    {"POST /api/v1/grants/{id}/revoke", "ynyynnn"},
    {"GET /api/v1/devices", "ynnynnn"},
    {"POST /api/v1/devices", "ynnynnn"},
    {"PATCH /api/v1/devices/{id}", "ynnynnn"},
    {"GET /api/v1/exports/members", "ynyynnn"},
    // Care tasks (C2, P2): the list is filtered by scope (the call centre
    // sees its queue). No task 1 exists: a role with the permission gets
    // 400/404, one without it 403 before any lookup.
    {"GET /api/v1/tasks", "ynyyyyn"},
    {"GET /api/v1/tasks/{id}", "ynyyyyn"},
    {"POST /api/v1/tasks/{id}/complete", "ynyyyyn"},
    {"POST /api/v1/tasks/{id}/forward", "ynyyyyn"},
    {"POST /api/v1/tasks/{id}/assign", "ynyynnn"},
    // A member's tasks and contacts follow the member file's scope (C3).
    {"GET /api/v1/members/{id}/tasks", "ynyyynn"},
    {"GET /api/v1/members/{id}/contacts", "ynyyynn"},
    {"POST /api/v1/members/{id}/contacts", "ynyyynn"},
    // Rules and templates are the admin's (C1, C5); the outbox the managers'.
    {"GET /api/v1/care-rules", "ynnnnnn"},
    {"PUT /api/v1/care-rules", "ynnnnnn"},
    {"GET /api/v1/message-templates", "ynnnnnn"},
    {"PUT /api/v1/message-templates", "ynnnnnn"},
    {"GET /api/v1/outbox", "ynyynnn"},
    // Leave handover (C2): the managers of the staff member. No leave 1
    // exists: a role with the permission gets 404.
    {"POST /api/v1/staff-leaves", "ynyynnn"},
    {"GET /api/v1/staff-leaves", "ynyynnn"},
    {"POST /api/v1/staff-leaves/{id}/end", "ynyynnn"},
    // Visit reports (C3, R8): HQ reads the aggregates of every store; the
    // regional summary is not a store manager's; plans are the managers'.
    {"GET /api/v1/care-reports/monthly", "yyyynnn"},
    {"PUT /api/v1/care-reports/plan", "ynyynnn"},
    {"GET /api/v1/care-reports/regional", "yyynnnn"},
    // Stored goods (C6) follow the member file's scope; the call centre keeps
    // no goods and holds no grant for this member. Goods 1 is the one the
    // POST row stored (or none yet: 404).
    {"GET /api/v1/members/{id}/stored-goods", "ynyyynn"},
    {"GET /api/v1/reports", "yyyynnn"},
    {"GET /api/v1/reports/{name}", "yyyynnn"},
    // Report files: aggregates, so HQ may download them; never a clerk (P4).
    {"GET /api/v1/reports/{name}/export", "yyyynnn"},
    // R10 follows the member file's read scope (a member below Platinum: 422).
    {"GET /api/v1/members/{id}/yearly-report", "ynyyynn"},
    {"POST /api/v1/members/{id}/stored-goods", "ynyyynn"},
    {"POST /api/v1/members/{id}/stored-goods/{goods_id}/collect", "ynyyynn"},
};

// Valid bodies for routes that validate before they look the member up.
const std::map<std::string, std::string> kBodies = {
    {"POST /api/v1/members/{id}/status", R"({"status":"formal","reason":"矩阵测试"})"},
    {"POST /api/v1/members/{id}/cards", R"({"kind":"temporary"})"},
    {"POST /api/v1/members/{id}/consents",
     R"({"purpose":"service","granted":true,"version":"1","channel":"store"})"},
    {"POST /api/v1/cards/{card_no}/status", R"({"status":"issued"})"},
    {"POST /api/v1/members/{id}/points-adjustments", R"({"points":10,"reason":"矩阵测试"})"},
    {"POST /api/v1/members/{id}/contacts", R"({"channel":"phone","summary":"矩阵测试"})"},
    {"POST /api/v1/members/{id}/stored-goods", R"({"description":"矩阵测试1件","quantity":1})"},
};

class MatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AppOptions options;
    options.db_url = fx_.url();
    options.keys = vipcare::testing::TestKeys();
    options.server.port = 0;
    app_ = std::make_unique<App>(options, &fx_.clock());
    app_->Start();
    const auto& o = fx_.org();
    fx_.AddUser("hq", Role::kHqAnalyst);
    // The supervisor of region EAST, where the member's store is.
    service::Org org(fx_.env());
    auto supervisor = org.CreateStaff(fx_.admin(), {{"employee_no", "R001"},
                                                    {"name", "区域主管"},
                                                    {"role", "regional_supervisor"},
                                                    {"region_id", o.east.value}});
    ASSERT_TRUE(supervisor.ok()) << supervisor.error().message;
    fx_.AddUser("region", Role::kRegionalSupervisor, supervisor->id);
    fx_.AddUser("store", Role::kStoreManager, o.manager_sh01);
    fx_.AddUser("assoc", Role::kAssociate, o.associate_sh01);
    callcenter_ = fx_.AddUser("callcenter", Role::kCallCenter);
    fx_.AddUser("auditor", Role::kAuditor);
    spare_user_ = fx_.AddUser("spare", Role::kHqAnalyst).user_id;
    for (const char* role : kRoles) tokens_[role] = Login(role);

    json body = fx_.MemberBody("赵敏", o.sh01);
    body["associate_id"] = o.associate_sh01.value;
    auto created = Call("POST", "/api/v1/members", body.dump(), tokens_["admin"]);
    ASSERT_EQ(created.status, 201) << created.body;
    member_ = created.Json()["id"].get<int64_t>();
    card_no_ = created.Json()["cards"][0]["card_no"].get<std::string>();
    // A grant for another member, so the call centre's grant list is not empty.
    json other = fx_.MemberBody("周芷若", o.sh01);
    auto other_member = Call("POST", "/api/v1/members", other.dump(), tokens_["admin"]).Json();
    service::Grants grants(fx_.env());
    const Timestamp now = fx_.clock().Now();
    auto g = grants.Create(fx_.admin(), {callcenter_.user_id,
                                         {MemberId(other_member["id"].get<int64_t>())},
                                         now,
                                         now + std::chrono::hours(8),
                                         "回访"});
    ASSERT_TRUE(g.ok()) << g.error().message;
    grant_ = g->id;
    auto device = Call("POST", "/api/v1/devices",
                       json{{"store_id", o.sh02.value}, {"kind", "device"}, {"value", "SH02-POS-0001"}}
                           .dump(),
                       tokens_["admin"]);
    ASSERT_EQ(device.status, 201) << device.body;
    device_ = device.Json()["id"].get<int64_t>();
  }
  void TearDown() override { app_->Stop(); }

  HttpResponse Call(const std::string& method, const std::string& target, const std::string& body,
                    const std::string& token) {
    vipcare::testing::HttpHeaders headers;
    if (!token.empty()) headers.push_back({"Authorization", "Bearer " + token});
    return vipcare::testing::Request(app_->port(), method, target, body, headers);
  }
  std::string Login(const std::string& user) {
    auto r = Call("POST", "/api/v1/auth/login",
                  json{{"username", user}, {"password", kTestPassword}}.dump(), "");
    EXPECT_EQ(r.status, 200) << user << ": " << r.body;
    return r.status == 200 ? r.Json()["token"].get<std::string>() : "";
  }

  // The route pattern with its parameters filled in.
  std::string Target(const std::string& pattern) const {
    std::string id;
    if (pattern.find("/members/") != std::string::npos) id = std::to_string(member_);
    if (pattern.find("/stores/") != std::string::npos) id = std::to_string(fx_.org().sh01.value);
    if (pattern.find("/staff/") != std::string::npos) {
      id = std::to_string(fx_.org().associate_sh01.value);
    }
    if (pattern.find("/users/") != std::string::npos) id = std::to_string(spare_user_.value);
    if (pattern.find("/grants/") != std::string::npos) id = std::to_string(grant_);
    if (pattern.find("/devices/") != std::string::npos) id = std::to_string(device_);
    // No such gift or request: the permission check answers before the lookup.
    if (pattern.find("/gifts/") != std::string::npos) id = "1";
    if (pattern.find("/categories/") != std::string::npos) id = "1";
    if (pattern.find("/points-adjustments/") != std::string::npos) id = "1";
    if (pattern.starts_with("/api/v1/tasks/")) id = "1";
    if (pattern.starts_with("/api/v1/staff-leaves/")) id = "1";
    std::string out = pattern;
    if (auto at = out.find("{id}"); at != std::string::npos) out.replace(at, 4, id);
    if (auto at = out.find("{card_no}"); at != std::string::npos) out.replace(at, 9, card_no_);
    if (auto at = out.find("{goods_id}"); at != std::string::npos) out.replace(at, 10, "1");
    if (auto at = out.find("{name}"); at != std::string::npos) out.replace(at, 6, "member_sales");
    // The default program: choosing it again changes nothing.
    if (auto at = out.find("{code}"); at != std::string::npos) out.replace(at, 6, "department_store");
    return out;
  }

  vipcare::testing::ServiceFixture fx_;
  std::unique_ptr<App> app_;
  std::map<std::string, std::string> tokens_;
  service::Actor callcenter_;
  UserId spare_user_;
  int64_t member_ = 0;
  std::string card_no_;
  int64_t grant_ = 0;
  int64_t device_ = 0;
};

TEST_F(MatrixTest, P2EveryRouteForEveryRoleAnswersAsTheTableSays) {
  int checked = 0;
  for (const auto& route : app_->router().routes()) {
    if (!route.authenticated) continue;
    const std::string key = route.method + " " + route.pattern;
    auto row = kMatrix.find(key);
    ASSERT_NE(row, kMatrix.end()) << key << " has no row in the authorization matrix";
    // Without a session: 401 on every authenticated route.
    auto anonymous = Call(route.method, Target(route.pattern), "{}", "");
    EXPECT_EQ(anonymous.status, 401) << key << " without a session";
    if (key == "POST /api/v1/auth/logout") continue;  // checked last, it ends the session
    auto body = kBodies.find(key);
    for (size_t i = 0; i < std::size(kRoles); ++i) {
      // Revoking the grant ends the call centre's sessions (P8): sign in again.
      if (std::string(kRoles[i]) == "callcenter" &&
          Call("GET", "/api/v1/auth/me", "", tokens_["callcenter"]).status == 401) {
        tokens_["callcenter"] = Login("callcenter");
      }
      auto r = Call(route.method, Target(route.pattern),
                    body == kBodies.end() ? "{}" : body->second, tokens_[kRoles[i]]);
      if (row->second[i] == 'n') {
        EXPECT_EQ(r.status, 403) << key << " as " << kRoles[i] << ": " << r.body;
      } else {
        EXPECT_TRUE(r.status != 401 && r.status != 403)
            << key << " as " << kRoles[i] << " answered " << r.status << ": " << r.body;
      }
      ++checked;
    }
  }
  for (const char* role : kRoles) {
    EXPECT_EQ(Call("POST", "/api/v1/auth/logout", "{}", tokens_[role]).status, 200) << role;
    EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", tokens_[role]).status, 401) << role;
  }
  EXPECT_GT(checked, 40 * 7);
  // Every row of the table names a real route (no stale rows).
  for (const auto& [key, _] : kMatrix) {
    bool found = false;
    for (const auto& route : app_->router().routes()) {
      found = found || route.method + " " + route.pattern == key;
    }
    EXPECT_TRUE(found) << key << " is in the matrix but not a route";
  }
}

TEST_F(MatrixTest, P9MalformedTokensAndUnknownRolesChangeNothing) {
  const int64_t before = fx_.CountMembers();
  for (const std::string token : {std::string("garbage"), std::string(5000, 'a'),
                                  std::string("\x01\x02"), tokens_["assoc"] + "x"}) {
    auto r = Call("POST", "/api/v1/members", fx_.MemberBody("钱多多").dump(), token);
    // 400 for a header the HTTP parser rejects, 401 for a token it does not know.
    EXPECT_TRUE(r.status == 400 || r.status == 401) << r.status << " " << r.body;
  }
  auto r = Call("POST", "/api/v1/users",
                json{{"username", "newbie"}, {"password", "Long-enough-1"}, {"role", "emperor"}}.dump(),
                tokens_["admin"]);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()["error"]["field"], "role");
  r = Call("PATCH", Target("/api/v1/users/{id}"), json{{"role", "emperor"}}.dump(), tokens_["admin"]);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(fx_.CountMembers(), before);
}

}  // namespace
}  // namespace vipcare::http
