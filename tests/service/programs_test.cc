// Programs as data (issue 5 §8), the benefits quote (L8), the referral reward
// (L9) and the purchases list, through the services on the backend
// VIPCARE_TEST_BACKEND selects.
#include "service/programs.h"

#include <gtest/gtest.h>

#include "service/loyalty.h"
#include "service/members.h"
#include "testing/fixtures.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

class ProgramsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& o = fx_.org();
    assoc_ = fx_.AddUser("assoc.a", Role::kAssociate, o.associate_sh01);
    other_assoc_ = fx_.AddUser("assoc.b", Role::kAssociate, o.associate_sh02);
    member_ = NewMember("王芳", MemberId());
  }

  MemberId NewMember(const std::string& name, MemberId referrer) {
    json body = fx_.MemberBody(name, fx_.org().sh01);
    body["associate_id"] = fx_.org().associate_sh01.value;
    if (referrer) body["referrer_id"] = referrer.value;
    auto m = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(m.ok()) << m.error().field << ": " << m.error().message;
    return m.ok() ? m->member.id : MemberId();
  }

  json Sale(const std::string& external_id, MemberId member, int64_t paid_yuan) {
    return fx_.SaleBody(external_id, member, paid_yuan);
  }

  json MustPost(const json& sale) {
    auto r = loyalty_.PostSale(assoc_, sale);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + ": " + r.error().message);
    return r.ok() ? r->Body() : json();
  }

  int64_t Balance(MemberId m) {
    auto p = loyalty_.MemberPoints(fx_.admin(), m, {50, 0});
    EXPECT_TRUE(p.ok());
    return p.ok() ? (*p)["points_balance"].get<int64_t>() : -1;
  }

  void Choose(const std::string& code) {
    auto r = programs_.Choose(fx_.admin(), code);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }

  vipcare::testing::ServiceFixture fx_;
  Members members_{fx_.env()};
  Loyalty loyalty_{fx_.env()};
  Programs programs_{fx_.env()};
  Actor assoc_, other_assoc_;
  MemberId member_;
};

TEST_F(ProgramsTest, TheFivePresetsAreListedAndTheDepartmentStoreRunsUntilAnotherIsChosen) {
  auto list = programs_.List(assoc_);
  ASSERT_TRUE(list.ok());
  std::vector<std::string> codes;
  for (const auto& p : (*list)["items"]) {
    codes.push_back(p["code"]);
    EXPECT_EQ(p["current"], p["code"] == "department_store");
  }
  EXPECT_EQ(codes, (std::vector<std::string>{"apparel_abc", "cosmetics", "department_store",
                                             "key_accounts", "premium_goods"}));
  Choose("cosmetics");
  auto current = loyalty_.CurrentProgram(assoc_);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ((*current)["code"], "cosmetics");
  EXPECT_EQ(fx_.CountAudit("program_choose"), 1);
}

// Issue 5: the presets' stable ids are apparel-abc, department-store,
// cosmetics, premium-goods and key-accounts; each program says its id, and
// GET, PUT and choose take it as well as the code.
TEST_F(ProgramsTest, ThePresetsAnswerToTheirStableIds) {
  auto list = programs_.List(assoc_);
  ASSERT_TRUE(list.ok());
  std::vector<std::string> ids;
  for (const auto& p : (*list)["items"]) ids.push_back(p["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"apparel-abc", "cosmetics", "department-store",
                                           "key-accounts", "premium-goods"}));
  auto got = programs_.Get(assoc_, "department-store", 0);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ((*got)["code"], "department_store");
  EXPECT_EQ((*got)["id"], "department-store");
  EXPECT_EQ((*got)["tiers"].size(), 5u);

  Choose("key-accounts");
  auto current = loyalty_.CurrentProgram(assoc_);
  ASSERT_TRUE(current.ok());
  EXPECT_EQ((*current)["code"], "key_accounts");

  json edit = *programs_.Get(assoc_, "premium-goods", 0);
  edit["name"] = "高端商品会员（改）";
  auto put = programs_.Put(fx_.admin(), "premium-goods", edit);
  ASSERT_TRUE(put.ok()) << put.error().field << ": " << put.error().message;
  EXPECT_EQ((*put)["code"], "premium_goods");
  EXPECT_EQ((*put)["version"], 2);
  EXPECT_EQ((*programs_.Get(assoc_, "premium_goods", 0))["name"], "高端商品会员（改）");
  EXPECT_FALSE(programs_.Get(assoc_, "no-such-program", 0).ok());
}

TEST_F(ProgramsTest, AnEditIsValidatedNamingTheFieldAndChangesNothing) {
  auto before = programs_.Get(fx_.admin(), "department_store");
  ASSERT_TRUE(before.ok());
  json doc = *before;
  doc["tiers"][1]["qualify"]["any_of"][0]["all_of"][0]["value"] = -5;
  auto bad = programs_.Put(fx_.admin(), "department_store", doc);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().field, "tiers[1].qualify.any_of[0].all_of[0].value");
  auto after = programs_.Get(fx_.admin(), "department_store");
  ASSERT_TRUE(after.ok());
  EXPECT_EQ((*after)["stored"], false);
  EXPECT_EQ(fx_.CountAudit("program_update"), 0);

  json other = *before;
  other["code"] = "cosmetics";
  auto wrong_code = programs_.Put(fx_.admin(), "department_store", other);
  ASSERT_FALSE(wrong_code.ok());
  EXPECT_EQ(wrong_code.error().field, "code");

  auto clerk = programs_.Put(assoc_, "department_store", *before);
  ASSERT_FALSE(clerk.ok());
  EXPECT_EQ(clerk.error().code, ErrorCode::kForbidden);
}

TEST_F(ProgramsTest, EachEditIsANewVersionThatTheNextPostingUses) {
  auto doc = programs_.Get(fx_.admin(), "department_store");
  ASSERT_TRUE(doc.ok());
  // 1 point per yuan -> 2 points per yuan.
  json edited = *doc;
  edited["earning"]["points_per_step"] = 2;
  auto v1 = programs_.Put(fx_.admin(), "department_store", edited);
  ASSERT_TRUE(v1.ok()) << v1.error().field << ": " << v1.error().message;
  EXPECT_EQ((*v1)["version"], 2);  // the preset itself is version 1
  edited["earning"]["points_per_step"] = 3;
  auto v2 = programs_.Put(fx_.admin(), "department_store", edited);
  ASSERT_TRUE(v2.ok());
  EXPECT_EQ((*v2)["version"], 3);
  EXPECT_EQ((*v2)["versions"].size(), 2u);
  EXPECT_EQ((*v2)["versions"][0]["created_by_username"], "admin");
  EXPECT_EQ(fx_.CountAudit("program_update"), 2);

  json sale = MustPost(Sale("POS-1", member_, 100));
  EXPECT_EQ(sale["points"], 300);
  EXPECT_EQ(sale["program"]["version"], 3);
  auto old = programs_.Get(fx_.admin(), "department_store", 2);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ((*old)["earning"]["points_per_step"], 2);
}

TEST_F(ProgramsTest, L8AQuoteGivesTheBestSingleMemberDiscountAndNoneOnPromotions) {
  Choose("premium_goods");
  // A single purchase of 2,000 yuan makes 普卡 (9.8折, member prices).
  MustPost(Sale("POS-1", member_, 2000));
  json cart = {{"member_id", member_.value},
               {"lines",
                {{{"sku", "BAG-1"}, {"quantity", 1}, {"list_price_fen", 100000}},
                 {{"sku", "BAG-2"},
                  {"quantity", 2},
                  {"list_price_fen", 50000},
                  {"member_price_fen", 45000}},
                 {{"sku", "SALE-1"}, {"quantity", 1}, {"list_price_fen", 30000}, {"promo", true}}}}};
  auto q = loyalty_.Quote(assoc_, cart);
  ASSERT_TRUE(q.ok()) << q.error().field << ": " << q.error().message;
  EXPECT_EQ((*q)["tier"]["code"], "normal");
  const json& lines = (*q)["lines"];
  EXPECT_EQ(lines[0]["total_fen"], 98000);  // 9.8折
  EXPECT_EQ(lines[0]["benefit"], "tier_discount");
  EXPECT_EQ(lines[1]["total_fen"], 90000);  // member price beats 9.8折 (98,000)
  EXPECT_EQ(lines[1]["benefit"], "member_price");
  EXPECT_EQ(lines[2]["total_fen"], 30000);  // 特价除外
  EXPECT_EQ(lines[2]["benefit"], "promo");
  EXPECT_EQ((*q)["total_fen"], 218000);
  EXPECT_EQ((*q)["list_total_fen"], 230000);

  json stranger = cart;
  stranger.erase("member_id");
  auto list_price = loyalty_.Quote(assoc_, stranger);
  ASSERT_TRUE(list_price.ok());
  EXPECT_EQ((*list_price)["total_fen"], 230000);
  EXPECT_EQ((*list_price)["points"], 0);

  cart["lines"][1]["quantity"] = 0;
  auto bad = loyalty_.Quote(assoc_, cart);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "lines[1].quantity");
}

TEST_F(ProgramsTest, L9TheReferrerIsRewardedOnceOnTheFirstQualifyingPurchase) {
  Choose("apparel_abc");  // 100 points once the new member buys for 200 yuan or more
  const MemberId friend_id = NewMember("李娜", member_);
  MustPost(Sale("POS-1", friend_id, 150));
  EXPECT_EQ(Balance(member_), 0);
  json second = MustPost(Sale("POS-2", friend_id, 300));
  EXPECT_EQ(second["referral"]["points"], 100);
  EXPECT_EQ(second["referral"]["referrer_member_id"], member_.value);
  EXPECT_EQ(Balance(member_), 100);
  MustPost(Sale("POS-3", friend_id, 900));
  EXPECT_EQ(Balance(member_), 100);
  auto p = loyalty_.MemberPoints(fx_.admin(), member_, {50, 0});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)["ledger"]["items"][0]["kind"], "referral");
  EXPECT_EQ((*p)["growth_points"], 0);  // a reward is not spending
}

// A merge moves the absorbed file's referrals to the survivor and changes the
// referred members' files (their version): a sale whose file was read before
// the merge is written with the new referrer, who gets the reward.
TEST_F(ProgramsTest, L9AMergeBetweenTheSalesReadAndItsWriteRewardsTheSurvivor) {
  Choose("apparel_abc");
  const MemberId absorbed = NewMember("王芳芳", MemberId());
  const MemberId friend_id = NewMember("李娜", absorbed);
  auto read = loyalty_.ReadSale(assoc_, Sale("POS-1", friend_id, 300));
  ASSERT_TRUE(read.ok()) << read.error().message;
  auto merged = members_.Merge(fx_.admin(), member_, absorbed);
  ASSERT_TRUE(merged.ok()) << merged.error().message;

  auto posted = loyalty_.PostReadSale(assoc_, **read);
  ASSERT_TRUE(posted.ok()) << posted.error().message;
  EXPECT_EQ(posted->Body()["referral"]["referrer_member_id"], member_.value);
  EXPECT_EQ(posted->Body()["referral"]["points"], 100);
  EXPECT_EQ(Balance(member_), 100);
}

TEST_F(ProgramsTest, ThePurchasesTabListsSalesAndRefundsWithLinesInScopeOnly) {
  MustPost(Sale("POS-1", member_, 600));
  auto refund = loyalty_.PostSale(assoc_, fx_.RefundBody("RF-1", "POS-1", 100));
  ASSERT_TRUE(refund.ok()) << refund.error().message;
  auto list = loyalty_.MemberTransactions(assoc_, member_, {20, 0});
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ((*list)["total"], 2);
  const json& items = (*list)["items"];
  EXPECT_EQ(items[0]["kind"], "refund");
  EXPECT_EQ(items[0]["original_external_id"], "POS-1");
  EXPECT_EQ(items[0]["paid_total_fen"], -10000);
  EXPECT_EQ(items[1]["lines"][0]["sku"], "W-001");
  EXPECT_EQ(items[1]["points"], 600);
  auto other = loyalty_.MemberTransactions(other_assoc_, member_, {20, 0});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);
}

// M6 + L2: merging a duplicate file moves its purchases, points and tier to
// the survivor; nothing earned is lost and a refund of a moved sale still works.
TEST_F(ProgramsTest, M6MergingMovesPurchasesPointsAndTheHigherTier) {
  const MemberId duplicate = NewMember("王芳", MemberId());
  MustPost(Sale("POS-1", member_, 600));     // 普卡
  MustPost(Sale("POS-2", duplicate, 3200));  // 银卡 (6-month spend >= 3,000)
  auto merged = members_.Merge(fx_.admin(), member_, duplicate);
  ASSERT_TRUE(merged.ok()) << merged.error().field << ": " << merged.error().message;
  auto p = loyalty_.MemberPoints(fx_.admin(), member_, {50, 0});
  ASSERT_TRUE(p.ok());
  EXPECT_EQ((*p)["points_balance"], 3800);
  EXPECT_EQ((*p)["growth_points"], 3800);
  EXPECT_EQ((*p)["tier"]["code"], "silver");
  EXPECT_EQ((*p)["ledger"]["items"][0]["kind"], "merge");
  EXPECT_EQ((*p)["spend_12m_fen"], 380000);
  auto list = loyalty_.MemberTransactions(fx_.admin(), member_, {20, 0});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["total"], 2);
  auto refund = loyalty_.PostSale(assoc_, fx_.RefundBody("RF-2", "POS-2", 200));
  ASSERT_TRUE(refund.ok()) << refund.error().message;
  EXPECT_EQ(refund->Body()["member_id"], member_.value);
  EXPECT_EQ(Balance(member_), 3600);
}

}  // namespace
}  // namespace vipcare::service
