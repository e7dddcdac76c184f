// tests/http/openapi_test.cc
//
// SPEC I2: the HTTP API is documented as OpenAPI, served at
// /api/v1/openapi.json. These tests hold docs/openapi.json (compiled in as
// kOpenApiJson) to the router the server really builds: the same routes, the
// same path parameters, the same public/authenticated split. Runs on whichever
// backend VIPCARE_TEST_BACKEND selects (the App needs a database to start).
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "http/api.h"
#include "http/app.h"
#include "testing/test_db.h"

namespace vipcare::http {
namespace {

using nlohmann::json;

const std::set<std::string> kMethods = {"get", "put", "post", "delete", "options", "head", "patch",
                                        "trace"};
// Routes that answer without a session (SPEC I2, P1).
const std::set<std::string> kPublicRoutes = {"GET /healthz", "GET /api/v1/openapi.json",
                                             "POST /api/v1/auth/login"};

std::string Lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string Upper(std::string s) {
  for (auto& c : s) c = char(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// The names of the {name} segments of a route pattern, in order.
std::vector<std::string> PatternParams(const std::string& pattern) {
  std::vector<std::string> out;
  static const std::regex kParam("\\{([^}/]+)\\}");
  for (std::sregex_iterator it(pattern.begin(), pattern.end(), kParam), end; it != end; ++it) {
    out.push_back((*it)[1].str());
  }
  return out;
}

// The server's own options, on the test database.
AppOptions OnDatabase(const std::string& url) {
  AppOptions opt;
  opt.db_url = url;
  opt.keys = vipcare::testing::TestKeys();
  return opt;
}

class OpenApiTest : public ::testing::Test {
 protected:
  OpenApiTest() : app_(OnDatabase(db_.url())), doc_(json::parse(kOpenApiJson)) {}

  // Resolves a local "$ref" ("#/components/...") or returns `node` itself.
  const json& Resolve(const json& node) const {
    if (node.is_object() && node.contains("$ref")) {
      const std::string ref = node.at("$ref").get<std::string>();
      return doc_.at(json::json_pointer(ref.substr(1)));
    }
    return node;
  }

  // The operation object of a route; null json if the document lacks it.
  const json* Operation(const Route& r) const {
    const auto& paths = doc_.at("paths");
    auto p = paths.find(r.pattern);
    if (p == paths.end()) return nullptr;
    auto op = p->find(Lower(r.method));
    return op == p->end() ? nullptr : &*op;
  }

  vipcare::testing::TestDatabase db_;
  App app_;
  json doc_;
};

// SPEC I2: the document is OpenAPI 3.0.3 with the security schemes the server accepts.
TEST_F(OpenApiTest, I2_OpenApiDocumentHeaderAndSecuritySchemes) {
  EXPECT_EQ(doc_.at("openapi"), "3.0.3");
  EXPECT_EQ(doc_.at("info").at("title"), "vipcare");
  EXPECT_EQ(doc_.at("info").at("version"), "0.1.0");
  const auto& schemes = doc_.at("components").at("securitySchemes");
  EXPECT_EQ(schemes.at("bearerAuth").at("type"), "http");
  EXPECT_EQ(schemes.at("bearerAuth").at("scheme"), "bearer");
  EXPECT_EQ(schemes.at("cookieAuth").at("type"), "apiKey");
  EXPECT_EQ(schemes.at("cookieAuth").at("in"), "cookie");
  EXPECT_EQ(schemes.at("cookieAuth").at("name"), "vipcare_session");
  // Applied globally: either scheme is enough.
  EXPECT_EQ(doc_.at("security"), json::parse(R"([{"bearerAuth": []}, {"cookieAuth": []}])"));
}

// SPEC I2 (a): every route the server registers is documented under its exact pattern.
TEST_F(OpenApiTest, I2_EveryRouteIsInTheOpenApiDocument) {
  ASSERT_FALSE(app_.router().routes().empty());
  for (const auto& r : app_.router().routes()) {
    EXPECT_NE(Operation(r), nullptr) << r.method << " " << r.pattern << " is not in docs/openapi.json";
  }
}

// SPEC I2 (b): the document describes no route the server does not have.
TEST_F(OpenApiTest, I2_OpenApiDocumentHasNoPhantomRoutes) {
  std::set<std::string> routes;
  for (const auto& r : app_.router().routes()) routes.insert(r.method + " " + r.pattern);
  size_t operations = 0;
  for (const auto& [path, item] : doc_.at("paths").items()) {
    for (const auto& [key, op] : item.items()) {
      if (!kMethods.count(key)) continue;  // "parameters", "summary", ...
      ++operations;
      EXPECT_TRUE(routes.count(Upper(key) + " " + path))
          << Upper(key) << " " << path << " is documented but not routed";
    }
  }
  EXPECT_EQ(operations, app_.router().routes().size());
}

// SPEC I2 (c): each {param} of a route pattern is a declared path parameter.
TEST_F(OpenApiTest, I2_OpenApiDeclaresEveryPathParameter) {
  for (const auto& r : app_.router().routes()) {
    const json* op = Operation(r);
    if (!op) continue;  // reported by I2_EveryRouteIsInTheOpenApiDocument
    std::set<std::string> declared;
    auto collect = [&](const json& holder) {
      if (!holder.contains("parameters")) return;
      for (const auto& p : holder.at("parameters")) {
        const json& param = Resolve(p);
        if (param.at("in") == "path") {
          EXPECT_EQ(param.value("required", false), true)
              << r.method << " " << r.pattern << ": path parameter " << param.at("name")
              << " must be required";
          declared.insert(param.at("name").get<std::string>());
        }
      }
    };
    collect(doc_.at("paths").at(r.pattern));  // path-level parameters
    collect(*op);
    std::set<std::string> in_pattern;
    for (const auto& name : PatternParams(r.pattern)) {
      in_pattern.insert(name);
      EXPECT_TRUE(declared.count(name))
          << r.method << " " << r.pattern << " does not declare path parameter {" << name << "}";
    }
    for (const auto& name : declared) {
      EXPECT_TRUE(in_pattern.count(name))
          << r.method << " " << r.pattern << " declares path parameter " << name
          << " that the pattern lacks";
    }
  }
}

// SPEC I2 (d), P1: public routes say `security: []`; the others inherit the
// global bearer/cookie requirement and document 401 (and 403 if a permission
// beyond "signed in" is needed).
TEST_F(OpenApiTest, I2_OpenApiSecurityMatchesRouteAuthentication) {
  for (const auto& r : app_.router().routes()) {
    const json* op = Operation(r);
    if (!op) continue;
    const std::string name = r.method + " " + r.pattern;
    const bool open = op->contains("security") && op->at("security").empty();
    EXPECT_EQ(kPublicRoutes.count(name) == 1, !r.authenticated) << name;
    if (r.authenticated) {
      EXPECT_FALSE(open) << name << " needs a session but is documented as public";
      if (op->contains("security")) {
        EXPECT_EQ(op->at("security"), doc_.at("security")) << name;
      }
      EXPECT_TRUE(op->at("responses").contains("401")) << name << " lacks 401";
      EXPECT_EQ(op->at("responses").contains("403"),
                r.permission != service::Permission::kNone)
          << name << ": 403 documented iff the route needs a permission";
    } else {
      EXPECT_TRUE(open) << name << " is public but not documented with security: []";
    }
  }
}

// SPEC I2: every operation is usable by generated clients: a unique
// operationId, a summary, a tag and at least one 2xx answer.
TEST_F(OpenApiTest, I2_OpenApiOperationsAreComplete) {
  std::set<std::string> ids;
  for (const auto& r : app_.router().routes()) {
    const json* op = Operation(r);
    if (!op) continue;
    const std::string name = r.method + " " + r.pattern;
    ASSERT_TRUE(op->contains("operationId")) << name;
    EXPECT_TRUE(ids.insert(op->at("operationId").get<std::string>()).second)
        << name << ": duplicate operationId " << op->at("operationId");
    EXPECT_FALSE(op->value("summary", std::string()).empty()) << name;
    EXPECT_FALSE(op->value("tags", json::array()).empty()) << name;
    bool has_2xx = false;
    for (const auto& [code, resp] : op->at("responses").items()) {
      if (code.size() == 3 && code[0] == '2') has_2xx = true;
    }
    EXPECT_TRUE(has_2xx) << name;
  }
}

// SPEC I2: every local $ref of the document points at something.
TEST_F(OpenApiTest, I2_OpenApiReferencesResolve) {
  std::vector<std::string> broken;
  std::function<void(const json&)> walk = [&](const json& node) {
    if (node.is_object()) {
      if (auto it = node.find("$ref"); it != node.end() && it->is_string()) {
        const std::string ref = it->get<std::string>();
        if (ref.rfind("#/", 0) != 0 || !doc_.contains(json::json_pointer(ref.substr(1)))) {
          broken.push_back(ref);
        }
      }
      for (const auto& [k, v] : node.items()) walk(v);
    } else if (node.is_array()) {
      for (const auto& v : node) walk(v);
    }
  };
  walk(doc_);
  EXPECT_TRUE(broken.empty()) << "unresolved: " << json(broken).dump();
}

// SPEC I2: GET /api/v1/openapi.json answers the compiled-in document, without a session.
TEST_F(OpenApiTest, I2_ServesOpenApiJsonWithoutSession) {
  Request req;
  req.method = "GET";
  req.path = "/api/v1/openapi.json";
  Response res = app_.server().Dispatch(req);
  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.content_type.rfind("application/json", 0), 0u) << res.content_type;
  auto served = json::parse(res.body, nullptr, false);
  ASSERT_FALSE(served.is_discarded()) << "the served document is not JSON";
  EXPECT_EQ(served, doc_);
  EXPECT_EQ(res.body, std::string(kOpenApiJson));
}

}  // namespace
}  // namespace vipcare::http
