// tests/http/api_test.cc
//
// The HTTP JSON API end to end (SPEC I2, P1, P2, P9, P10, M1-M6): a real
// vipcare::http::App on a free port of 127.0.0.1 with a FixedClock, spoken to
// over TCP by tests/testing/http_client. Runs on the backend
// VIPCARE_TEST_BACKEND selects.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>

#include "domain/card.h"
#include "http/app.h"
#include "testing/fixtures.h"
#include "testing/http_client.h"

namespace vipcare::http {
namespace {

using nlohmann::json;
using vipcare::testing::HttpHeaders;
using vipcare::testing::HttpResponse;
using vipcare::testing::kTestPassword;
using vipcare::testing::UrlEncode;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AppOptions options;
    options.db_url = fx_.url();
    options.keys = vipcare::testing::TestKeys();
    options.server.port = 0;  // a free port
    app_ = std::make_unique<App>(options, &fx_.clock());
    app_->Start();
    ASSERT_NE(app_->port(), 0);
    token_ = Login("admin");
    ASSERT_FALSE(token_.empty());
  }
  void TearDown() override { app_->Stop(); }

  HttpResponse Call(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& token = "",
                    HttpHeaders headers = {}) {
    if (!token.empty()) headers.push_back({"Authorization", "Bearer " + token});
    return vipcare::testing::Request(app_->port(), method, target, body, headers);
  }
  // The same as the admin.
  HttpResponse Admin(const std::string& method, const std::string& target,
                     const std::string& body = "") {
    return Call(method, target, body, token_);
  }
  HttpResponse AdminJson(const std::string& method, const std::string& target, const json& body) {
    return Call(method, target, body.dump(), token_);
  }
  std::string Login(const std::string& user) {
    auto r = Call("POST", "/api/v1/auth/login",
                  json{{"username", user}, {"password", kTestPassword}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    auto j = r.Json();
    return j.is_object() && j.contains("token") ? j["token"].get<std::string>() : "";
  }
  json MustCreate(const json& body) {
    auto r = AdminJson("POST", "/api/v1/members", body);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json();
  }
  std::string MemberPath(const json& member) {
    return "/api/v1/members/" + std::to_string(member["id"].get<int64_t>());
  }

  vipcare::testing::ServiceFixture fx_;
  std::unique_ptr<App> app_;
  std::string token_;
};

// Checks the I2 error shape {"error": {"code", "message", "field"}}; `field`
// empty means the field must be null.
void ExpectError(const HttpResponse& r, int status, const std::string& field,
                 const std::string& context = "") {
  EXPECT_EQ(r.status, status) << context << "\n" << r.body;
  json j = r.Json();
  ASSERT_TRUE(j.is_object()) << context << " not JSON: " << r.body;
  ASSERT_TRUE(j.contains("error") && j["error"].is_object()) << context << "\n" << r.body;
  const json& e = j["error"];
  ASSERT_TRUE(e.contains("code") && e["code"].is_string()) << r.body;
  ASSERT_TRUE(e.contains("message") && e["message"].is_string()) << r.body;
  EXPECT_FALSE(e["message"].get<std::string>().empty()) << r.body;
  ASSERT_TRUE(e.contains("field")) << r.body;
  if (field.empty()) {
    EXPECT_TRUE(e["field"].is_null()) << context << "\n" << r.body;
  } else {
    EXPECT_EQ(e["field"], field) << context << "\n" << r.body;
  }
  EXPECT_TRUE(r.Header("Content-Type").starts_with("application/json")) << r.Header("Content-Type");
}

// ---------------------------------------------------------------- I2 / P1

TEST_F(ApiTest, I2_HealthzAnswers200WithoutSignIn) {
  auto r = Call("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Json(), json({{"status", "ok"}}));
}

TEST_F(ApiTest, I2_EveryApiRouteExceptLoginAnswers401WithoutAToken) {
  std::set<std::string> public_routes;
  int checked = 0;
  for (const Route& route : app_->router().routes()) {
    if (!route.pattern.starts_with("/api/v1/")) continue;
    const std::string name = route.method + " " + route.pattern;
    if (!route.authenticated) {
      public_routes.insert(name);
      continue;
    }
    std::string target = route.pattern;
    for (size_t open = target.find('{'); open != std::string::npos; open = target.find('{')) {
      target.replace(open, target.find('}', open) - open + 1, "1");
    }
    auto r = Call(route.method, target, "{}");
    ExpectError(r, 401, "", name);
    EXPECT_EQ(r.Json()["error"]["code"], "unauthenticated") << name;
    EXPECT_EQ(r.Header("Cache-Control"), "no-store") << name;
    auto forged = Call(route.method, target, "{}", std::string(64, 'a'));
    EXPECT_EQ(forged.status, 401) << name << " with a made-up token";
    ++checked;
  }
  EXPECT_GE(checked, 20);
  // Only signing in (and the public API description) works without a session.
  EXPECT_EQ(public_routes,
            (std::set<std::string>{"POST /api/v1/auth/login", "GET /api/v1/openapi.json"}));
}

TEST_F(ApiTest, P1_LoginSetsAStrictHttpOnlyCookieThatSignsInLikeTheToken) {
  auto r = Call("POST", "/api/v1/auth/login",
                json{{"username", "admin"}, {"password", kTestPassword}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.Json();
  const std::string token = j["token"];
  EXPECT_GE(token.size(), 32u);
  EXPECT_EQ(j["user"]["username"], "admin");
  EXPECT_EQ(j["user"]["role"], "admin");
  EXPECT_EQ(j["expires_at"], "2026-11-23T14:00:00Z");

  const std::string cookie = r.Header("Set-Cookie");
  EXPECT_NE(cookie.find("vipcare_session=" + token), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("SameSite=Strict"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("Path=/"), std::string::npos) << cookie;

  const HttpHeaders with_cookie = {{"Cookie", "vipcare_session=" + token}};
  auto me = Call("GET", "/api/v1/auth/me", "", "", with_cookie);
  ASSERT_EQ(me.status, 200) << me.body;
  EXPECT_EQ(me.Json()["username"], "admin");
  // The device allow-list page shows the manager what the server sees of them.
  EXPECT_EQ(me.Json()["client_address"], "127.0.0.1");
  auto from_till = Call("GET", "/api/v1/auth/me", "", "",
                        {{"Cookie", "vipcare_session=" + token}, {"X-Device-Id", "SH01-POS-7"}});
  EXPECT_EQ(from_till.Json()["device_id"], "SH01-POS-7");
  // The browser sends the other cookies of the site too.
  auto among_others = Call("GET", "/api/v1/auth/me", "", "",
                           {{"Cookie", "theme=dark; lang=zh-CN; vipcare_session=" + token}});
  EXPECT_EQ(among_others.status, 200) << among_others.body;
  auto stores = Call("GET", "/api/v1/stores", "", "", with_cookie);
  EXPECT_EQ(stores.status, 200);

  // A write signed in by cookie needs the CSRF header (double submit).
  const std::string csrf = j["csrf_token"];
  EXPECT_NE(cookie.find("vipcare_csrf=" + csrf), std::string::npos) << cookie;
  ExpectError(Call("POST", "/api/v1/auth/logout", "", "", with_cookie), 403, "");
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", "", with_cookie).status, 200);  // still signed in
  const HttpHeaders cookie_and_csrf = {
      {"Cookie", "vipcare_session=" + token + "; vipcare_csrf=" + csrf}, {"X-CSRF-Token", csrf}};

  // Signing out with the cookie ends that session, and only that one.
  auto out = Call("POST", "/api/v1/auth/logout", "", "", cookie_and_csrf);
  ASSERT_EQ(out.status, 200) << out.body;
  EXPECT_NE(out.Header("Set-Cookie").find("Max-Age=0"), std::string::npos);
  ExpectError(Call("GET", "/api/v1/auth/me", "", "", with_cookie), 401, "");
  EXPECT_EQ(Admin("GET", "/api/v1/auth/me").status, 200);
}

TEST_F(ApiTest, P1_WrongPasswordAndUnknownUserGetTheSame401) {
  auto wrong = Call("POST", "/api/v1/auth/login",
                    json{{"username", "admin"}, {"password", "Wrong-pass-1"}}.dump());
  auto unknown = Call("POST", "/api/v1/auth/login",
                      json{{"username", "ghost"}, {"password", "Wrong-pass-1"}}.dump());
  ExpectError(wrong, 401, "");
  ExpectError(unknown, 401, "");
  EXPECT_EQ(wrong.Json()["error"], unknown.Json()["error"]);
  EXPECT_EQ(wrong.Header("Set-Cookie"), "");
  EXPECT_EQ(fx_.CountAudit("login_failed"), 2);

  ExpectError(Call("POST", "/api/v1/auth/login", json{{"username", "admin"}}.dump()), 400,
              "password");
  ExpectError(
      Call("POST", "/api/v1/auth/login", json{{"username", 7}, {"password", kTestPassword}}.dump()),
      400, "username");
}

TEST_F(ApiTest, P1_SessionEndsAfterTwoIdleHoursOverHttp) {
  EXPECT_EQ(Admin("GET", "/api/v1/stores").status, 200);
  fx_.clock().Advance(std::chrono::hours(2) + std::chrono::seconds(1));
  ExpectError(Admin("GET", "/api/v1/stores"), 401, "");
}

// ---------------------------------------------------------------- P10 on POST /members

TEST_F(ApiTest, P10_BadMemberBodiesAre400NamingTheFieldAndAddNobody) {
  const int64_t before = fx_.CountMembers();
  auto base = [&] { return fx_.MemberBody("王芳"); };
  struct Case {
    std::string what;
    std::string body;
    std::string field;  // empty: the body as a whole
  };
  std::vector<Case> cases = {
      {"malformed JSON", R"({"name": "王芳", "mobile": )", ""},
      {"not an object", R"(["王芳", "13800000000"])", ""},
      {"a bare string", R"("王芳")", ""},
      {"empty body", "", ""},
  };
  auto with = [&](const std::string& what, const std::function<void(json&)>& edit,
                  const std::string& field) {
    json b = base();
    edit(b);
    cases.push_back({what, b.dump(), field});
  };
  with(
      "missing name", [](json& b) { b.erase("name"); }, "name");
  with(
      "empty name", [](json& b) { b["name"] = ""; }, "name");
  with(
      "gender as a number", [](json& b) { b["gender"] = 1; }, "gender");
  with(
      "unknown gender", [](json& b) { b["gender"] = "woman"; }, "gender");
  with(
      "ten-digit mobile", [](json& b) { b["mobile"] = "1380013800"; }, "mobile");
  with(
      "mobile with letters", [](json& b) { b["mobile"] = "1380013800x"; }, "mobile");
  with(
      "missing mobile", [](json& b) { b.erase("mobile"); }, "mobile");
  with(
      "30 February", [](json& b) { b["birthday"] = "1990-02-30"; }, "birthday");
  with(
      "birthday in the future", [](json& b) { b["birthday"] = "2027-01-01"; }, "birthday");
  with(
      "41-character name", [](json& b) { b["name"] = std::string(41, 'A'); }, "name");
  with(
      "41 Chinese characters",
      [](json& b) {
        std::string n;
        for (int i = 0; i < 41; ++i) n += "王";
        b["name"] = n;
      },
      "name");
  with(
      "unknown store", [](json& b) { b["store_id"] = 999; }, "store_id");
  with(
      "store id as text", [](json& b) { b["store_id"] = "1"; }, "store_id");
  with(
      "no store", [](json& b) { b.erase("store_id"); }, "store_id");
  with(
      "unknown field", [](json& b) { b["nickname"] = "小芳"; }, "nickname");
  with(
      "bad e-mail", [](json& b) { b["email"] = "wf@"; }, "email");
  with(
      "bad ID number", [](json& b) { b["id_number"] = "310104198503151230"; }, "id_number");
  with(
      "status erased", [](json& b) { b["status"] = "erased"; }, "status");
  with(
      "read-only id", [](json& b) { b["id"] = 5; }, "id");
  with(
      "associate of another store",
      [&](json& b) { b["associate_id"] = fx_.org().associate_gz01.value; }, "associate_id");
  with(
      "family birthday of 30 February",
      [](json& b) {
        b["family"] =
            json::array({{{"name", "李强"}, {"relation", "spouse"}, {"birthday", "1983-02-30"}}});
      },
      "family[0].birthday");
  with(
      "tags not a list", [](json& b) { b["tags"] = "VIP"; }, "tags");
  with(
      "unknown nested field",
      [](json& b) {
        b["preferences"] = {{"colour", "red"}};
      },
      "preferences.colour");
  with(
      "unknown address field",
      [](json& b) {
        b["addresses"] = json::array({{{"street", "南京西路"}}});
      },
      "addresses[0].street");
  with(
      "control character in the name", [](json& b) { b["name"] = "王\x01芳"; }, "name");
  with(
      "negative credit limit",
      [](json& b) {
        b["business"] = {{"credit_limit_fen", -1}};
      },
      "business.credit_limit_fen");
  with(
      "money as a decimal",
      [](json& b) {
        b["business"] = {{"credit_limit_fen", 12.5}};
      },
      "business.credit_limit_fen");

  for (const auto& c : cases) {
    auto r = Admin("POST", "/api/v1/members", c.body);
    ExpectError(r, 400, c.field, c.what);
    EXPECT_EQ(r.Json()["error"]["code"], "invalid_argument") << c.what;
    EXPECT_EQ(fx_.CountMembers(), before) << c.what << " added a member";
  }
}

TEST_F(ApiTest, M1_GoodMemberBodyIs201WithIdMemberNoAndATemporaryCard) {
  const int64_t before = fx_.CountMembers();
  json body = fx_.FullMemberBody("王芳");
  auto r = AdminJson("POST", "/api/v1/members", body);
  ASSERT_EQ(r.status, 201) << r.body;
  json m = r.Json();
  ASSERT_TRUE(m["id"].is_number_integer());
  EXPECT_GT(m["id"].get<int64_t>(), 0);
  const std::string member_no = m["member_no"];
  EXPECT_EQ(member_no.size(), 9u);
  EXPECT_EQ(member_no[0], 'M');
  ASSERT_EQ(m["cards"].size(), 1u);
  const json& card = m["cards"][0];
  EXPECT_TRUE(domain::IsValidCardNumber(card["card_no"].get<std::string>())) << card;
  EXPECT_EQ(card["kind"], "temporary");
  EXPECT_EQ(card["status"], "pending_pickup");
  EXPECT_EQ(card["issued_on"], "2026-11-23");
  EXPECT_EQ(card["expires_on"], "2028-11-23");
  EXPECT_EQ(card["pickup_due"], "2026-11-28");
  EXPECT_EQ(fx_.CountMembers(), before + 1);

  // Reading it back gives every field as sent.
  auto got = Admin("GET", MemberPath(m));
  ASSERT_EQ(got.status, 200) << got.body;
  json g = got.Json();
  for (const auto& [key, value] : body.items()) EXPECT_EQ(g[key], value) << key;
  EXPECT_EQ(g["cards"], m["cards"]);

  // A name of exactly 40 characters is still fine.
  json forty = fx_.MemberBody(std::string(40, 'A'));
  EXPECT_EQ(AdminJson("POST", "/api/v1/members", forty).status, 201);
}

TEST_F(ApiTest, M6_SecondRegistrationOfAMobileIs409NamingMobile) {
  json body = fx_.MemberBody("王芳");
  MustCreate(body);
  const int64_t before = fx_.CountMembers();
  body["name"] = "王芳芳";
  ExpectError(AdminJson("POST", "/api/v1/members", body), 409, "mobile");
  EXPECT_EQ(fx_.CountMembers(), before);
}

TEST_F(ApiTest, M1_PatchChangesTheFieldAndAStaleVersionIs409) {
  json m = MustCreate(fx_.MemberBody("王芳"));
  const int64_t v = m["version"];
  fx_.clock().Advance(std::chrono::minutes(30));
  auto ok = AdminJson("PATCH", MemberPath(m), json{{"occupation", "teacher"}, {"version", v}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["occupation"], "teacher");
  EXPECT_EQ(ok.Json()["version"], v + 1);

  ExpectError(AdminJson("PATCH", MemberPath(m), json{{"occupation", "military"}, {"version", v}}),
              409, "version");
  ExpectError(AdminJson("PATCH", MemberPath(m), json{{"email", "nope"}}), 400, "email");
  EXPECT_EQ(Admin("GET", MemberPath(m)).Json()["occupation"], "teacher");

  auto h = Admin("GET", MemberPath(m) + "/history");
  ASSERT_EQ(h.status, 200) << h.body;
  json latest = h.Json()["items"][0];
  EXPECT_EQ(latest["action"], "update");
  EXPECT_EQ(latest["changed_by"], fx_.admin().user_id.value);
  EXPECT_EQ(latest["changed_by_username"], "admin");
  EXPECT_EQ(latest["changed_at"], "2026-11-23T02:30:00Z");
  EXPECT_EQ(latest["changes"], json({{"occupation", {"", "teacher"}}}));

  // Consents and the audit log name the account too.
  auto c = AdminJson("POST", MemberPath(m) + "/consents",
                     json{{"purpose", "marketing"}, {"granted", true}, {"version", "2026-01"},
                          {"channel", "store"}});
  ASSERT_EQ(c.status, 201) << c.body;
  EXPECT_EQ(c.Json()["recorded_by_username"], "admin");
  EXPECT_EQ(Admin("GET", MemberPath(m) + "/consents").Json()["items"][0]["recorded_by_username"],
            "admin");
  EXPECT_EQ(Admin("GET", "/api/v1/audit?limit=1").Json()["items"][0]["username"], "admin");

  // So do destruction records, for the auditor who reads them.
  auto erased = AdminJson("POST", MemberPath(m) + "/erasure", json{{"reason", "本人申请删除"}});
  ASSERT_EQ(erased.status, 201) << erased.body;
  EXPECT_EQ(erased.Json()["erased_by_username"], "admin");
  EXPECT_EQ(Admin("GET", "/api/v1/destruction-records").Json()["items"][0]["erased_by_username"],
            "admin");
}

TEST_F(ApiTest, M2_RefusedStatusChangeIs422NamingStatus) {
  json body = fx_.MemberBody("王芳");
  body["status"] = "formal";
  json m = MustCreate(body);
  ExpectError(AdminJson("POST", MemberPath(m) + "/status",
                        json{{"status", "temporary"}, {"reason", "降级"}}),
              422, "status");
  ExpectError(AdminJson("POST", MemberPath(m) + "/status", json{{"status", "suspended"}}), 400,
              "reason");
  auto ok = AdminJson("POST", MemberPath(m) + "/status",
                      json{{"status", "suspended"}, {"reason", "欠款"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.Json()["status"], "suspended");
}

// ---------------------------------------------------------------- M5 / P10 on GET /members

TEST_F(ApiTest, M5_SearchWithAUrlEncodedChineseNameFindsThePrefixOnly) {
  for (const char* n : {"王芳", "王小明", "汪洋"}) MustCreate(fx_.MemberBody(n));
  auto r = Admin("GET", "/api/v1/members?q=" + UrlEncode("王"));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = r.Json();
  EXPECT_EQ(j["total"], 2);
  std::set<std::string> names;
  for (const auto& item : j["items"]) names.insert(item["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"王芳", "王小明"}));

  auto page = Admin("GET", "/api/v1/members?q=" + UrlEncode("王") + "&limit=1&offset=1");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.Json()["total"], 2);
  EXPECT_EQ(page.Json()["items"].size(), 1u);

  auto store = Admin("GET", "/api/v1/members?store_id=" + std::to_string(fx_.org().sh02.value));
  ASSERT_EQ(store.status, 200);
  EXPECT_EQ(store.Json()["total"], 0);
}

TEST_F(ApiTest, P10_LimitOutsideOneTo200Is400NamingLimit) {
  for (const char* q : {"limit=0", "limit=201", "limit=abc", "limit=-5", "limit=1e3"}) {
    ExpectError(Admin("GET", std::string("/api/v1/members?") + q), 400, "limit", q);
  }
  ExpectError(Admin("GET", "/api/v1/members?offset=-1"), 400, "offset");
  ExpectError(Admin("GET", "/api/v1/members?status=vip"), 400, "status");
  ExpectError(Admin("GET", "/api/v1/members?joined_from=2026-13-01"), 400, "joined_from");
  ExpectError(Admin("GET", "/api/v1/exports/members?joined_to=yesterday"), 400, "joined_to");
  EXPECT_EQ(Admin("GET", "/api/v1/members?limit=200").status, 200);
  EXPECT_EQ(Admin("GET", "/api/v1/members?limit=1").status, 200);
}

// P10: a query string that cannot be decoded must be refused, not ignored:
// ignoring it answers the unfiltered member list.
TEST_F(ApiTest, P10_UndecodableQueryStringIs400NotTheWholeMemberList) {
  for (const char* n : {"王芳", "李娜"}) MustCreate(fx_.MemberBody(n));
  for (const char* q : {"q=%E7%8E", "q=%ZZ", "limit=0&q=%"}) {
    auto r = Admin("GET", std::string("/api/v1/members?") + q);
    EXPECT_EQ(r.status, 400) << q << " answered: " << r.body;
    EXPECT_FALSE(r.Json().contains("items")) << q << " answered a member list";
    if (r.status == 400) {
      json e = r.Json()["error"];
      EXPECT_EQ(e["code"], "invalid_argument") << q;
      EXPECT_TRUE(e["message"].is_string()) << q;
    }
  }
}

TEST_F(ApiTest, P10_MemberIdInThePathMustBeAPositiveInteger) {
  ExpectError(Admin("GET", "/api/v1/members/abc"), 400, "id");
  ExpectError(Admin("GET", "/api/v1/members/0"), 400, "id");
  ExpectError(Admin("GET", "/api/v1/members/12abc"), 400, "id");
  auto missing = Admin("GET", "/api/v1/members/999");
  ExpectError(missing, 404, "id");
  EXPECT_EQ(missing.Json()["error"]["code"], "not_found");
}

TEST_F(ApiTest, I2_WrongMethodOnAKnownPathIs405AndUnknownPathIs404) {
  json m = MustCreate(fx_.MemberBody("王芳"));
  ExpectError(Admin("DELETE", MemberPath(m)), 405, "");
  ExpectError(Admin("PUT", "/api/v1/members", "{}"), 405, "");
  ExpectError(Admin("GET", "/api/v1/auth/login"), 405, "");
  ExpectError(Admin("GET", "/api/v1/no-such-thing"), 404, "");
  EXPECT_EQ(Admin("GET", MemberPath(m)).status, 200);  // nothing was deleted
}

// ---------------------------------------------------------------- P2 / P9 / limits

TEST_F(ApiTest, P2_AnalystIsRefusedAMemberFileButSeesStores) {
  json m = MustCreate(fx_.MemberBody("王芳"));
  fx_.AddUser("analyst", domain::Role::kHqAnalyst);
  const std::string analyst = Login("analyst");
  ASSERT_FALSE(analyst.empty());

  auto member = Call("GET", MemberPath(m), "", analyst);
  ExpectError(member, 403, "");
  EXPECT_EQ(member.Json()["error"]["code"], "forbidden");
  EXPECT_NE(member.body.find("member_read"), std::string::npos) << member.body;
  EXPECT_EQ(member.body.find("王芳"), std::string::npos);
  ExpectError(Call("GET", "/api/v1/members?q=" + UrlEncode("王"), "", analyst), 403, "");
  ExpectError(Call("POST", "/api/v1/members", fx_.MemberBody("李娜").dump(), analyst), 403, "");

  auto stores = Call("GET", "/api/v1/stores", "", analyst);
  ASSERT_EQ(stores.status, 200) << stores.body;
  EXPECT_EQ(stores.Json()["total"], 3);
  EXPECT_EQ(stores.Json()["items"].size(), 3u);
}

TEST_F(ApiTest, P9_ApiAnswersCarryCacheControlNoStore) {
  json m = MustCreate(fx_.MemberBody("王芳"));
  const std::vector<HttpResponse> answers = {
      Admin("GET", MemberPath(m)),
      Admin("GET", "/api/v1/members?q=" + UrlEncode("王")),
      Admin("GET", "/api/v1/members/abc"),
      Admin("GET", "/api/v1/members/999"),
      Call("GET", "/api/v1/members"),
      Call("POST", "/api/v1/auth/login",
           json{{"username", "admin"}, {"password", kTestPassword}}.dump()),
      AdminJson("POST", "/api/v1/members", fx_.MemberBody("李娜")),
  };
  for (const auto& r : answers) {
    EXPECT_EQ(r.Header("Cache-Control"), "no-store") << r.status << " " << r.body;
  }
}

TEST_F(ApiTest, P10_BodyOverOneMebibyteIs413AndTheServerCarriesOn) {
  const int64_t before = fx_.CountMembers();
  json body = fx_.MemberBody("王芳");
  body["notes"] = std::string((1 << 20) + 16, 'x');
  auto r = AdminJson("POST", "/api/v1/members", body);
  EXPECT_EQ(r.status, 413) << r.body.substr(0, 200);
  EXPECT_EQ(fx_.CountMembers(), before);
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
  EXPECT_EQ(AdminJson("POST", "/api/v1/members", fx_.MemberBody("王芳")).status, 201);
}

TEST_F(ApiTest, P10_DeeplyNestedJsonIs400AndTheServerCarriesOn) {
  const int depth = 200000;
  std::string body = "{\"name\":" + std::string(depth, '[') + std::string(depth, ']') + "}";
  auto r = Admin("POST", "/api/v1/members", body);
  EXPECT_EQ(r.status, 400) << r.body.substr(0, 200);
  EXPECT_EQ(Call("GET", "/healthz").status, 200);
}

TEST_F(ApiTest, M3_LostCardReissueOverHttp) {
  json m = MustCreate(fx_.MemberBody("王芳"));
  const std::string old_no = m["cards"][0]["card_no"];
  auto lost = Admin("POST", "/api/v1/cards/" + old_no + "/lost", "");
  ASSERT_EQ(lost.status, 200) << lost.body;
  EXPECT_EQ(lost.Json()["status"], "lost");
  ExpectError(AdminJson("POST", "/api/v1/cards/" + old_no + "/status", json{{"status", "issued"}}),
              422, "status");
  auto fresh = Admin("POST", "/api/v1/cards/" + old_no + "/reissue", "");
  ASSERT_EQ(fresh.status, 201) << fresh.body;
  json f = fresh.Json();
  EXPECT_NE(f["card_no"], old_no);
  EXPECT_EQ(f["replaces"], m["cards"][0]["id"]);
  EXPECT_EQ(Admin("GET", "/api/v1/cards/" + old_no).Json()["status"], "replaced");
  ExpectError(Admin("GET", "/api/v1/cards/8000000000000000"), 404, "card_no");
}

}  // namespace
}  // namespace vipcare::http

namespace vipcare::http {
namespace {

// P1: an account made with a temporary password (`vipcare user add` without
// --no-change-required, POST /users) can do nothing but change it.
TEST_F(ApiTest, P1TemporaryPasswordMustBeChangedBeforeAnythingElse) {
  auto created = AdminJson("POST", "/api/v1/users",
                           json{{"username", "newclerk"}, {"password", "Temp-pass-2026"},
                                {"role", "hq_analyst"}});
  ASSERT_EQ(created.status, 201) << created.body;
  auto login = Call("POST", "/api/v1/auth/login",
                    json{{"username", "newclerk"}, {"password", "Temp-pass-2026"}}.dump());
  ASSERT_EQ(login.status, 200) << login.body;
  EXPECT_EQ(login.Json()["must_change_password"], true);
  const std::string token = login.Json()["token"];
  ExpectError(Call("GET", "/api/v1/stores", "", token), 403, "");
  EXPECT_EQ(Call("GET", "/api/v1/auth/me", "", token).status, 200);
  auto changed = Call("POST", "/api/v1/auth/password",
                      json{{"old_password", "Temp-pass-2026"}, {"new_password", "Own-pass-2026"}}.dump(),
                      token);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Call("GET", "/api/v1/stores", "", token).status, 200);
}

// P1: cookie-authenticated writes need the X-CSRF-Token header; bearer
// clients (no ambient credentials) do not.
TEST_F(ApiTest, P1CookieWritesWithoutTheCsrfHeaderChangeNothing) {
  auto login = Call("POST", "/api/v1/auth/login",
                    json{{"username", "admin"}, {"password", kTestPassword}}.dump());
  const std::string token = login.Json()["token"];
  const std::string csrf = login.Json()["csrf_token"];
  const std::string cookies = "vipcare_session=" + token + "; vipcare_csrf=" + csrf;
  const auto before = fx_.CountMembers();
  const std::string body = fx_.MemberBody("跨站").dump();
  ExpectError(Call("POST", "/api/v1/members", body, "", {{"Cookie", cookies}}), 403, "");
  ExpectError(Call("POST", "/api/v1/members", body, "",
                   {{"Cookie", cookies}, {"X-CSRF-Token", "forged"}}),
              403, "");
  EXPECT_EQ(fx_.CountMembers(), before);
  auto ok = Call("POST", "/api/v1/members", body, "", {{"Cookie", cookies}, {"X-CSRF-Token", csrf}});
  EXPECT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(fx_.CountMembers(), before + 1);
}

// L1 over HTTP: a till posts a sale; a repeat of its external_id answers the
// first result with 200 and adds nothing; other content under the same id is 409.
TEST_F(ApiTest, L1_PostingASaleIsIdempotentOnItsExternalId) {
  json m = MustCreate(fx_.MemberBody("王芳"));
  const json sale = {{"external_id", "POS-SH01-20261123-0001"},
                     {"member_id", m["id"]},
                     {"store_id", fx_.org().sh01.value},
                     {"occurred_at", "2026-11-23T10:05:00+08:00"},
                     {"lines",
                      {{{"sku", "W-001"}, {"category", "女装"}, {"list_price_fen", 80000},
                        {"paid_fen", 60000}}}}};
  auto first = AdminJson("POST", "/api/v1/transactions", sale);
  ASSERT_EQ(first.status, 201) << first.body;
  EXPECT_EQ(first.Json()["points"], 600);
  EXPECT_EQ(first.Json()["local_day"], "2026-11-23");
  EXPECT_EQ(first.Json()["occurred_at"], "2026-11-23T02:05:00Z");
  auto again = AdminJson("POST", "/api/v1/transactions", sale);
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.Json(), first.Json());
  json other = sale;
  other["lines"][0]["paid_fen"] = 50000;
  ExpectError(AdminJson("POST", "/api/v1/transactions", other), 409, "external_id");
  json bad = sale;
  bad["external_id"] = "POS-2";
  bad["lines"][0]["paid_fen"] = "600";
  ExpectError(AdminJson("POST", "/api/v1/transactions", bad), 400, "lines[0].paid_fen");
  auto points = Admin("GET", MemberPath(m) + "/points");
  ASSERT_EQ(points.status, 200) << points.body;
  EXPECT_EQ(points.Json()["points_balance"], 600);
  EXPECT_EQ(points.Json()["tier"]["name"], "普卡");
  // The member file names the tier and the program it comes from.
  auto file = Admin("GET", MemberPath(m));
  ASSERT_EQ(file.status, 200) << file.body;
  EXPECT_EQ(file.Json()["tier"]["code"], "normal");
  EXPECT_EQ(file.Json()["tier"]["name"], "普卡");
  EXPECT_EQ(file.Json()["program"]["code"], "department_store");
  // Issue 5: program_id is the program's stable id, and the points answer
  // carries "balance".
  EXPECT_EQ(file.Json()["program_id"], "department-store");
  EXPECT_EQ(points.Json()["balance"], 600);
  EXPECT_EQ(file.Json()["points_balance"], 600);
  EXPECT_EQ(file.Json()["program_assigned"], false);
  EXPECT_EQ(file.Json()["program_name"], "百货商场五级会员卡");
  // PATCH {"program_id"} puts the member on a program of their own (L6):
  // cosmetics has no 普卡, so the member is placed on its ladder by record.
  auto moved = AdminJson("PATCH", MemberPath(m), {{"program_id", "cosmetics"}, {"name", "王芳芳"}});
  ASSERT_EQ(moved.status, 200) << moved.body;
  EXPECT_EQ(moved.Json()["program_id"], "cosmetics");
  EXPECT_EQ(moved.Json()["program_assigned"], true);
  EXPECT_EQ(moved.Json()["tier"], nullptr);  // 600 yuan once: not VIP
  EXPECT_EQ(moved.Json()["name"], "王芳芳");
  ExpectError(AdminJson("PATCH", MemberPath(m), {{"program_id", "nope"}, {"name", "王芳"}}), 422,
              "program_id");
  ExpectError(AdminJson("PATCH", MemberPath(m), {{"program_id", 7}}), 400, "program_id");
  EXPECT_EQ(Admin("GET", MemberPath(m)).Json()["name"], "王芳芳");
  auto back = AdminJson("PATCH", MemberPath(m), {{"program_id", nullptr}});
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(back.Json()["program_id"], "department-store");
  EXPECT_EQ(back.Json()["program_assigned"], false);
  EXPECT_EQ(back.Json()["tier"]["code"], "normal");
  // A store's default program (null = the company's).
  const std::string store = "/api/v1/stores/" + std::to_string(fx_.org().sh02.value);
  auto set = AdminJson("PATCH", store, {{"program_id", "key-accounts"}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.Json()["program_id"], "key-accounts");
  ExpectError(AdminJson("PATCH", store, {{"program_id", "nope"}}), 400, "program_id");
  EXPECT_EQ(Admin("GET", store).Json()["program_id"], "key-accounts");
  auto unset = AdminJson("PATCH", store, {{"program_id", nullptr}});
  ASSERT_EQ(unset.status, 200) << unset.body;
  EXPECT_EQ(unset.Json()["program_id"], nullptr);
}

// Issue 5, bad input "unknown SKUs' categories": the catalogue over HTTP.
TEST_F(ApiTest, L1_TheCategoryCatalogueChecksSaleLinesOverHttp) {
  fx_.AddUser("store1", domain::Role::kStoreManager, fx_.org().manager_sh01);
  const std::string manager = Login("store1");
  auto empty = Call("GET", "/api/v1/categories", "", manager);
  ASSERT_EQ(empty.status, 200) << empty.body;
  EXPECT_EQ(empty.Json()["checked"], false);
  auto added = AdminJson("POST", "/api/v1/categories", {{"name", "女装"}});
  ASSERT_EQ(added.status, 201) << added.body;
  ExpectError(AdminJson("POST", "/api/v1/categories", {{"name", "女装"}}), 409, "name");
  ExpectError(AdminJson("POST", "/api/v1/categories", {{"name", ""}}), 400, "name");
  ExpectError(Call("POST", "/api/v1/categories", json{{"name", "男装"}}.dump(), manager), 403, "");
  auto list = Call("GET", "/api/v1/categories", "", manager);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Json()["checked"], true);
  ASSERT_EQ(list.Json()["items"].size(), 1u);
  EXPECT_EQ(list.Json()["items"][0]["name"], "女装");

  json m = MustCreate(fx_.MemberBody("王芳"));
  json sale = {{"external_id", "POS-CAT-1"},
               {"member_id", m["id"]},
               {"store_id", fx_.org().sh01.value},
               {"occurred_at", "2026-11-23T10:05:00+08:00"},
               {"lines",
                {{{"sku", "W-001"}, {"category", "女装"}, {"list_price_fen", 80000},
                  {"paid_fen", 80000}},
                 {{"sku", "S-001"}, {"category", "鞋"}, {"list_price_fen", 20000},
                  {"paid_fen", 20000}}}}};
  ExpectError(AdminJson("POST", "/api/v1/transactions", sale), 400, "lines[1].category");
  json cart = sale["lines"];
  for (auto& line : cart) line.erase("paid_fen");
  ExpectError(AdminJson("POST", "/api/v1/quote", {{"member_id", m["id"]}, {"lines", cart}}), 400,
              "lines[1].category");
  EXPECT_EQ(Admin("GET", MemberPath(m) + "/points").Json()["points_balance"], 0);
  const std::string path = "/api/v1/categories/" + std::to_string(added.Json()["id"].get<int64_t>());
  ExpectError(AdminJson("PATCH", path, {{"active", "off"}}), 400, "active");
  auto off = AdminJson("PATCH", path, {{"active", false}});
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.Json()["active"], false);
  sale["lines"] = {{{"sku", "W-001"}, {"category", "女装"}, {"list_price_fen", 80000},
                    {"paid_fen", 80000}}};
  ExpectError(AdminJson("POST", "/api/v1/transactions", sale), 400, "lines[0].category");
  ASSERT_EQ(AdminJson("PATCH", path, {{"active", true}}).status, 200);
  auto posted = AdminJson("POST", "/api/v1/transactions", sale);
  ASSERT_EQ(posted.status, 201) << posted.body;
  EXPECT_EQ(posted.Json()["points"], 800);
}

TEST_F(ApiTest, L5_L8_ATillQuotesRedeemsAndAnAdjustmentNeedsASecondPerson) {
  fx_.AddUser("store1", domain::Role::kStoreManager, fx_.org().manager_sh01);
  const std::string manager = Login("store1");
  json body = fx_.MemberBody("王芳");
  body["associate_id"] = fx_.org().associate_sh01.value;
  json m = MustCreate(body);
  auto gift = AdminJson("POST", "/api/v1/gifts",
                        {{"code", "UMB-1"}, {"name", "晴雨伞"}, {"points_price", 500}, {"stock", 1}});
  ASSERT_EQ(gift.status, 201) << gift.body;
  auto quote = AdminJson("POST", "/api/v1/quote",
                         {{"member_id", m["id"]},
                          {"lines", {{{"sku", "W-1"}, {"quantity", 2}, {"list_price_fen", 40000}}}}});
  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_EQ(quote.Json()["points"], 800);
  auto sale = AdminJson("POST", "/api/v1/transactions",
                        {{"external_id", "POS-Q1"},
                         {"member_id", m["id"]},
                         {"store_id", fx_.org().sh01.value},
                         {"occurred_at", "2026-11-23T10:05:00+08:00"},
                         {"lines", {{{"sku", "W-1"}, {"quantity", 2}, {"list_price_fen", 40000},
                                     {"paid_fen", 80000}}}}});
  ASSERT_EQ(sale.status, 201) << sale.body;
  const std::string redeem = MemberPath(m) + "/redemptions";
  const json one = {{"kind", "gift"}, {"gift_id", gift.Json()["id"]}, {"store_id", fx_.org().sh01.value}};
  auto got = AdminJson("POST", redeem, one);
  ASSERT_EQ(got.status, 201) << got.body;
  EXPECT_EQ(got.Json()["points_balance"], 300);
  ExpectError(AdminJson("POST", redeem, one), 422, "quantity");  // out of stock
  ExpectError(AdminJson("POST", redeem, {{"kind", "cash"}}), 400, "kind");

  auto asked = Call("POST", MemberPath(m) + "/points-adjustments",
                    json{{"points", 50}, {"reason", "补录积分"}}.dump(), manager);
  ASSERT_EQ(asked.status, 201) << asked.body;
  const std::string decide =
      "/api/v1/points-adjustments/" + std::to_string(asked.Json()["id"].get<int64_t>()) + "/decision";
  ExpectError(Call("POST", decide, json{{"approve", true}}.dump(), manager), 403, "approver");
  auto approved = AdminJson("POST", decide, {{"approve", true}, {"reason", "核实无误"}});
  ASSERT_EQ(approved.status, 200) << approved.body;
  EXPECT_EQ(approved.Json()["points_balance"], 350);
}

}  // namespace
}  // namespace vipcare::http
