// The category catalogue (商品类别; issue 5, bad input "unknown stores/
// members/SKUs' categories"): while it lists any category, sales, quotes and
// program rules must name one of its categories, and nothing is stored
// otherwise. Through the services on the backend VIPCARE_TEST_BACKEND selects.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include "domain/presets.h"
#include "service/programs.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class CategoryCatalogueTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  json MustAdd(const std::string& name) {
    auto r = programs_.AddCategory(fx_.admin(), json{{"name", name}});
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + ": " + r.error().message);
    return r.ok() ? *r : json();
  }
  json List(bool all = false) {
    auto r = programs_.ListCategories(manager_, all);
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : json();
  }
  // A one-member sale of ¥300 whose only line is of `category`.
  Result<service::Loyalty::Posted> Sell(const std::string& id, MemberId m,
                                        const std::string& category) {
    json body = fx_.SaleBody(id, m, 300);
    body["lines"][0]["category"] = category;
    return loyalty_.PostSale(fx_.admin(), body);
  }
  int64_t Balance(MemberId m) { return State(m).points_balance.value; }
  bool Posted(const std::string& external_id) {
    auto r = fx_.store().Read([&](store::Repository& repo) -> Result<bool> {
      return repo.loyalty().FindTransaction(external_id).has_value();
    });
    return r.ok() && *r;
  }

  Programs programs_{fx_.env()};
};

TEST_F(CategoryCatalogueTest, L1AnEmptyCatalogueChecksNothingAndTheFirstCategoryChecksEverySale) {
  const MemberId m = NewMember("王芳");
  At(D(2026, 11, 20));
  // No catalogue yet: any category goes, as before.
  EXPECT_FALSE(List()["checked"]);
  ASSERT_TRUE(Sell("C-1", m, "随便写").ok());

  json added = MustAdd("女装");
  EXPECT_EQ(added["name"], "女装");
  EXPECT_EQ(added["active"], true);
  MustAdd("配饰");
  json list = List();
  EXPECT_TRUE(list["checked"]);
  ASSERT_EQ(list["items"].size(), 2u);
  EXPECT_EQ(list["items"][0]["name"], "女装");
  EXPECT_EQ(list["items"][1]["name"], "配饰");
  EXPECT_EQ(fx_.CountAudit("category_add"), 2);

  // Now a category the catalogue does not list is refused on its line, and
  // nothing is stored: no transaction, no points.
  const int64_t before = Balance(m);
  json body = fx_.SaleBody("C-2", m, 300);
  body["lines"].push_back(body["lines"][0]);
  body["lines"][1]["sku"] = "X-2";
  body["lines"][1]["category"] = "女士鞋";
  auto refused = loyalty_.PostSale(fx_.admin(), body);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(refused.error().field, "lines[1].category");
  EXPECT_NE(refused.error().message.find("商品类别"), std::string::npos) << refused.error().message;
  EXPECT_FALSE(Posted("C-2"));
  EXPECT_EQ(Balance(m), before);

  // Listed categories and a blank one (an uncategorised line) are posted.
  auto ok = Sell("C-3", m, "配饰");
  ASSERT_TRUE(ok.ok()) << ok.error().field << ": " << ok.error().message;
  EXPECT_EQ(Balance(m), before + 300);
  ASSERT_TRUE(Sell("C-4", m, "").ok());

  // The sale made before the catalogue is answered again as a repeat, though
  // its category is not listed: what was acknowledged stays acknowledged.
  auto again = Sell("C-1", m, "随便写");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->repeat);
}

TEST_F(CategoryCatalogueTest, L1ACategorySwitchedOffIsRefusedOnNewLinesAndKeptOnOldOnes) {
  const MemberId m = NewMember("李娜");
  At(D(2026, 11, 20));
  MustAdd("女装");
  const int64_t id = MustAdd("童装")["id"];
  ASSERT_TRUE(Sell("S-1", m, "童装").ok());

  auto off = programs_.UpdateCategory(fx_.admin(), id, json{{"active", false}});
  ASSERT_TRUE(off.ok());
  EXPECT_EQ((*off)["active"], false);
  EXPECT_EQ(fx_.CountAudit("category_off"), 1);
  // The till's list leaves it out; the admin's list shows it.
  EXPECT_EQ(List()["items"].size(), 1u);
  EXPECT_EQ(List(true)["items"].size(), 2u);

  auto refused = Sell("S-2", m, "童装");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "lines[0].category");
  EXPECT_NE(refused.error().message.find("switched off"), std::string::npos);
  EXPECT_FALSE(Posted("S-2"));
  // The quote refuses it alike, naming the line.
  auto quote = loyalty_.Quote(fx_.admin(), json{{"member_id", m.value},
                                                {"lines",
                                                 {{{"sku", "T-1"},
                                                   {"category", "童装"},
                                                   {"list_price_fen", 10000}}}}});
  ASSERT_FALSE(quote.ok());
  EXPECT_EQ(quote.error().field, "lines[0].category");
  // The sale posted while it was on keeps it.
  auto history = loyalty_.MemberTransactions(fx_.admin(), m, {10, 0});
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)["items"][0]["lines"][0]["category"], "童装");

  // Switched on again, it is accepted again; a second "on" changes nothing.
  ASSERT_TRUE(programs_.UpdateCategory(fx_.admin(), id, json{{"active", true}}).ok());
  ASSERT_TRUE(programs_.UpdateCategory(fx_.admin(), id, json{{"active", true}}).ok());
  EXPECT_EQ(fx_.CountAudit("category_on"), 1);
  EXPECT_TRUE(Sell("S-3", m, "童装").ok());
}

TEST_F(CategoryCatalogueTest, L1BadCatalogueChangesNameTheirFieldAndChangeNothing) {
  MustAdd("女装");
  const auto field_of = [](const Result<json>& r) { return r.ok() ? "" : r.error().field; };
  const auto code_of = [](const Result<json>& r) {
    return r.ok() ? ErrorCode::kInternal : r.error().code;
  };
  auto twice = programs_.AddCategory(fx_.admin(), json{{"name", "女装"}});
  EXPECT_EQ(code_of(twice), ErrorCode::kConflict);
  EXPECT_EQ(field_of(twice), "name");
  for (const json& bad : {json{{"name", ""}}, json{{"name", "   "}}, json{{"name", " 男装"}},
                          json{{"name", std::string(65, 'x')}}, json{{"name", 3}},
                          json::object()}) {
    auto r = programs_.AddCategory(fx_.admin(), bad);
    EXPECT_EQ(code_of(r), ErrorCode::kInvalidArgument) << bad.dump();
    EXPECT_EQ(field_of(r), "name") << bad.dump();
  }
  EXPECT_EQ(field_of(programs_.AddCategory(fx_.admin(), json{{"name", "男装"}, {"code", "M"}})),
            "code");
  // A store manager may read the catalogue but not change it.
  EXPECT_EQ(code_of(programs_.AddCategory(manager_, json{{"name", "男装"}})),
            ErrorCode::kForbidden);
  const int64_t id = List()["items"][0]["id"];
  EXPECT_EQ(code_of(programs_.UpdateCategory(manager_, id, json{{"active", false}})),
            ErrorCode::kForbidden);
  EXPECT_EQ(field_of(programs_.UpdateCategory(fx_.admin(), id, json{{"active", "no"}})), "active");
  EXPECT_EQ(field_of(programs_.UpdateCategory(fx_.admin(), id, json{{"name", "女士"}})), "name");
  EXPECT_EQ(code_of(programs_.UpdateCategory(fx_.admin(), id + 99, json{{"active", false}})),
            ErrorCode::kNotFound);
  json list = List(true);
  ASSERT_EQ(list["items"].size(), 1u);
  EXPECT_EQ(list["items"][0]["name"], "女装");
  EXPECT_EQ(list["items"][0]["active"], true);
  EXPECT_EQ(fx_.CountAudit("category_add"), 1);
}

TEST_F(CategoryCatalogueTest, L1AdminsAddingOneNameAtOnceGetOneCategoryAndConflictsNamingIt) {
  // The store's writer runs writes one after another on both engines, so the
  // name check inside each sees the one before it: a 409 on "name", never
  // the unique index's error of the database.
  constexpr int kThreads = 8;
  std::atomic<int> ready{0};
  std::vector<std::optional<Result<json>>> answers(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      try {
        answers[size_t(i)] = programs_.AddCategory(fx_.admin(), json{{"name", "童装"}});
      } catch (const std::exception& e) {
        ADD_FAILURE() << "AddCategory threw: " << e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  int added = 0, refused = 0;
  for (const auto& a : answers) {
    ASSERT_TRUE(a.has_value());
    if (a->ok()) {
      ++added;
      continue;
    }
    EXPECT_EQ(a->error().code, ErrorCode::kConflict) << a->error().message;
    EXPECT_EQ(a->error().field, "name");
    ++refused;
  }
  EXPECT_EQ(added, 1);
  EXPECT_EQ(refused, kThreads - 1);
  EXPECT_EQ(List()["total"], 1);
}

TEST_F(CategoryCatalogueTest, L3AProgramsCategoryRulesNameCategoriesOfTheCatalogue) {
  auto program = programs_.Get(fx_.admin(), "department-store");
  ASSERT_TRUE(program.ok());
  json doc = *program;
  doc["earning"]["category_multipliers"] = {{{"category", "美妆"}, {"multiplier_bp", 20000}}};
  // Without a catalogue the rule names what it likes.
  ASSERT_TRUE(programs_.Put(fx_.admin(), "department-store", doc).ok());
  MustAdd("女装");
  const int64_t version = (*programs_.Get(fx_.admin(), "department-store"))["version"];

  auto refused = programs_.Put(fx_.admin(), "department-store", doc);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "earning.category_multipliers[0].category");
  doc["earning"]["category_multipliers"][0]["category"] = "女装";
  doc["earning"]["campaigns"] = {{{"code", "double11"},
                                  {"name", "双十一"},
                                  {"from", "2026-11-11"},
                                  {"to", "2026-11-11"},
                                  {"multiplier_bp", 20000},
                                  {"categories", {"女装", "箱包"}}}};
  refused = programs_.Put(fx_.admin(), "department-store", doc);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "earning.campaigns[0].categories[1]");
  EXPECT_EQ((*programs_.Get(fx_.admin(), "department-store"))["version"], version);

  MustAdd("箱包");
  auto saved = programs_.Put(fx_.admin(), "department-store", doc);
  ASSERT_TRUE(saved.ok()) << saved.error().field << ": " << saved.error().message;
  EXPECT_EQ((*saved)["version"], version + 1);
}

// Building the catalogue from what the tills send: the categories of the
// last N days' sale lines, and which the catalogue lists already.
TEST_F(CategoryCatalogueTest, L1TheCategoriesSoldShowWhatTheCatalogueLacks) {
  const MemberId m = NewMember("赵敏");
  At(D(2026, 10, 1));
  ASSERT_TRUE(Sell("O-1", m, "童装").ok());  // 61 days before the 30th of November
  At(D(2026, 11, 20));
  ASSERT_TRUE(Sell("N-1", m, "女装").ok());
  ASSERT_TRUE(Sell("N-2", m, "女装").ok());
  ASSERT_TRUE(Sell("N-3", m, "配饰").ok());
  MustAdd("女装");
  At(D(2026, 11, 30));
  auto sold = programs_.CategoriesSold(fx_.admin(), 60);
  ASSERT_TRUE(sold.ok());
  EXPECT_EQ((*sold)["from"], "2026-10-02");
  EXPECT_EQ((*sold)["items"],
            json::parse(R"([{"name":"女装","lines":2,"listed":true,"active":true},
                            {"name":"配饰","lines":1,"listed":false,"active":false}])"));
  EXPECT_EQ((*programs_.CategoriesSold(fx_.admin(), 61))["items"].size(), 3u);
  EXPECT_EQ(programs_.CategoriesSold(fx_.admin(), 0).error().field, "days");
  EXPECT_EQ(programs_.CategoriesSold(manager_, 30).error().code, ErrorCode::kForbidden);
}

}  // namespace
}  // namespace vipcare::service
