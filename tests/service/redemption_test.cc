// Redeeming points through service::Redemption (SPEC L5: gifts with stock,
// cash vouchers, automatic cash-back; L2: adjustments with a reason and a
// second person's approval) on the backend VIPCARE_TEST_BACKEND selects.
// Points are earned by posting sales under the department-store preset
// (1 point per yuan; 每满 1000 分返 10 元) unless a test picks another program.
#include "service/redemption.h"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "domain/presets.h"
#include "service/loyalty.h"
#include "service/loyalty_core.h"
#include "service/members.h"
#include "testing/fixtures.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;
using std::chrono::hours;

std::string Why(const Error& e) { return e.field + ": " + e.message; }

class RedemptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& o = fx_.org();
    assoc_ = fx_.AddUser("assoc.a", Role::kAssociate, o.associate_sh01);
    manager_ = fx_.AddUser("manager.sh01", Role::kStoreManager, o.manager_sh01);
    member_ = NewMember("王芳", o.sh01, o.associate_sh01);
  }

  MemberId NewMember(const std::string& name, StoreId store, StaffId associate) {
    json body = fx_.MemberBody(name, store);
    body["associate_id"] = associate.value;
    auto m = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(m.ok()) << (m.ok() ? "" : Why(m.error()));
    return m.ok() ? m->member.id : MemberId();
  }

  // Posts a sale of `yuan` for `member` at its till: earns `yuan` points under
  // the default program. Answers the sale's transaction id.
  int64_t Earn(MemberId member, int64_t yuan, StoreId store = {}) {
    json sale = fx_.SaleBody("POS-" + std::to_string(++sales_), member, yuan, store);
    auto r = loyalty_.PostSale(fx_.admin(), sale);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : Why(r.error()));
    return r.ok() ? r->Body()["id"].get<int64_t>() : 0;
  }

  json Points(MemberId member) {
    auto p = loyalty_.MemberPoints(fx_.admin(), member, {50, 0});
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : Why(p.error()));
    return p.ok() ? *p : json();
  }
  int64_t Balance(MemberId member) { return Points(member)["points_balance"].get<int64_t>(); }
  // What the member's open lots hold; always equal to a non-negative balance.
  int64_t LotsTotal(MemberId member) {
    int64_t sum = 0;
    const json points = Points(member);
    for (const auto& lot : points["lots"]) sum += lot["points"].get<int64_t>();
    return sum;
  }

  json MustGift(const std::string& code, int64_t price, int64_t stock) {
    json body = {{"code", code}, {"name", "礼品" + code}, {"points_price", price}};
    body["stock"] = stock;
    auto g = redemption_.CreateGift(fx_.admin(), body);
    EXPECT_TRUE(g.ok()) << (g.ok() ? "" : Why(g.error()));
    return g.ok() ? *g : json();
  }
  int64_t Stock(int64_t gift_id) {
    auto list = redemption_.ListGifts(fx_.admin(), true, {200, 0});
    EXPECT_TRUE(list.ok());
    for (const auto& g : (*list)["items"]) {
      if (g["id"] == gift_id) return g["stock"].get<int64_t>();
    }
    return -1;
  }

  json GiftBody(int64_t gift_id, int64_t quantity, StoreId store = {}) {
    return {{"gift_id", gift_id},
            {"quantity", quantity},
            {"store_id", (store ? store : fx_.org().sh01).value}};
  }

  // Makes `p` the company's program.
  void UseProgram(const domain::Program& p) {
    auto st = fx_.store().Write([&](store::Repository& repo) -> Status {
      auto& l = repo.loyalty();
      l.InsertProgramVersion({0, p.code, 1, p.name, domain::ProgramToJson(p).dump(), UserId(),
                              fx_.clock().Now()});
      l.SetCompanyProgram(p.code);
      return OkStatus();
    });
    ASSERT_TRUE(st.ok());
  }

  Status Use(MemberId member, const std::vector<std::string>& codes, Fen paid, Date day,
             int64_t transaction_id) {
    return fx_.store().Write([&](store::Repository& repo) -> Status {
      return UseVouchers(repo, member, codes, paid, day, transaction_id, fx_.clock().Now());
    });
  }

  std::vector<store::LedgerEntry> Ledger(MemberId member) {
    std::vector<store::LedgerEntry> out;
    auto st = fx_.store().Read([&](store::Repository& repo) -> Status {
      out = repo.loyalty().ListLedger(member, {100, 0}).items;
      return OkStatus();
    });
    EXPECT_TRUE(st.ok());
    return out;
  }

  vipcare::testing::ServiceFixture fx_;
  Members members_{fx_.env()};
  Loyalty loyalty_{fx_.env()};
  Redemption redemption_{fx_.env()};
  Actor assoc_;
  Actor manager_;
  MemberId member_;
  int sales_ = 0;
};

// ---- gift catalogue ----

TEST_F(RedemptionTest, L5TheGiftCatalogueIsKeptByProgramAdminsAndShownToTills) {
  json kettle = {{"code", "KETTLE-01"},
                 {"name", "电热水壶"},
                 {"description", "1.7L 不锈钢"},
                 {"points_price", 3000},
                 {"stock", 10}};
  auto denied = redemption_.CreateGift(assoc_, kettle);
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kForbidden);

  auto created = redemption_.CreateGift(fx_.admin(), kettle);
  ASSERT_TRUE(created.ok()) << Why(created.error());
  EXPECT_EQ((*created)["code"], "KETTLE-01");
  EXPECT_EQ((*created)["description"], "1.7L 不锈钢");
  EXPECT_EQ((*created)["points_price"], 3000);
  EXPECT_EQ((*created)["stock"], 10);
  EXPECT_EQ((*created)["active"], true);
  const int64_t id = (*created)["id"];

  auto dup = redemption_.CreateGift(fx_.admin(), kettle);
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.error().code, ErrorCode::kConflict);
  EXPECT_EQ(dup.error().field, "code");

  MustGift("UMBRELLA", 800, 5);
  auto off = redemption_.UpdateGift(fx_.admin(), id, {{"active", false}, {"stock", 7}});
  ASSERT_TRUE(off.ok()) << Why(off.error());
  EXPECT_EQ((*off)["active"], false);
  EXPECT_EQ((*off)["stock"], 7);
  EXPECT_EQ((*off)["name"], "电热水壶");  // fields not sent stay as they were

  auto till = redemption_.ListGifts(assoc_, false, {50, 0});
  ASSERT_TRUE(till.ok()) << Why(till.error());
  ASSERT_EQ((*till)["total"], 1);
  EXPECT_EQ((*till)["items"][0]["code"], "UMBRELLA");
  EXPECT_EQ(redemption_.ListGifts(assoc_, true, {50, 0}).error().code, ErrorCode::kForbidden);
  EXPECT_EQ((*redemption_.ListGifts(fx_.admin(), true, {50, 0}))["total"], 2);
  Actor supervisor = fx_.AddUser("sup.east", Role::kRegionalSupervisor);
  EXPECT_EQ(redemption_.ListGifts(supervisor, false, {50, 0}).error().code,
            ErrorCode::kForbidden);

  EXPECT_EQ(redemption_.UpdateGift(fx_.admin(), 9999, {{"stock", 1}}).error().code,
            ErrorCode::kNotFound);
  auto taken = redemption_.UpdateGift(fx_.admin(), id, {{"code", "UMBRELLA"}});
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  EXPECT_EQ(taken.error().field, "code");
  EXPECT_EQ(fx_.CountAudit("gift_create"), 2);
  EXPECT_EQ(fx_.CountAudit("gift_update"), 1);
}

TEST_F(RedemptionTest, P10BadGiftsNameTheFieldAndChangeNothing) {
  struct Case {
    std::function<void(json&)> edit;
    std::string field;
  };
  const Case cases[] = {
      {[](json& g) { g.erase("code"); }, "code"},
      {[](json& g) { g["code"] = "水壶 01"; }, "code"},
      {[](json& g) { g["code"] = std::string(33, 'A'); }, "code"},
      {[](json& g) { g.erase("name"); }, "name"},
      {[](json& g) { g["points_price"] = 0; }, "points_price"},
      {[](json& g) { g["points_price"] = "100"; }, "points_price"},
      {[](json& g) { g["stock"] = -1; }, "stock"},
      {[](json& g) { g["active"] = "yes"; }, "active"},
      {[](json& g) { g["description"] = std::string(501, 'x'); }, "description"},
      {[](json& g) { g["colour"] = "red"; }, "colour"},
  };
  for (const auto& c : cases) {
    json gift = {{"code", "KETTLE"}, {"name", "水壶"}, {"points_price", 100}, {"stock", 1}};
    c.edit(gift);
    auto r = redemption_.CreateGift(fx_.admin(), gift);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.field;
    EXPECT_EQ(r.error().field, c.field) << r.error().message;
  }
  json gift = MustGift("KETTLE", 100, 1);
  auto bad = redemption_.UpdateGift(fx_.admin(), gift["id"], {{"stock", -5}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "stock");
  EXPECT_EQ(Stock(gift["id"]), 1);
  EXPECT_EQ(fx_.CountAudit("gift_create"), 1);
  EXPECT_EQ(fx_.CountAudit("gift_update"), 0);
}

// ---- redeeming gifts ----

TEST_F(RedemptionTest, L5RedeemingAGiftTakesStockAndSpendsTheOldestPointsFirst) {
  Earn(member_, 600);
  fx_.clock().Advance(hours(24 * 40));
  Earn(member_, 500);
  json gift = MustGift("KETTLE", 300, 4);
  auto r = redemption_.RedeemGift(assoc_, member_, GiftBody(gift["id"], 2));
  ASSERT_TRUE(r.ok()) << Why(r.error());
  EXPECT_EQ((*r)["kind"], "gift");
  EXPECT_EQ((*r)["gift"]["code"], "KETTLE");
  EXPECT_EQ((*r)["quantity"], 2);
  EXPECT_EQ((*r)["points"], 600);
  EXPECT_EQ((*r)["points_balance"], 500);
  EXPECT_EQ((*r)["member_id"], member_.value);
  EXPECT_EQ(Stock(gift["id"]), 2);

  json p = Points(member_);
  EXPECT_EQ(p["points_balance"], 500);
  EXPECT_EQ(p["growth_points"], 1100);  // redeeming never lowers growth value (L6)
  ASSERT_EQ(p["lots"].size(), 1u);      // the older lot of 600 was used up first
  EXPECT_EQ(p["lots"][0]["points"], 500);
  EXPECT_EQ(p["ledger"]["items"][0]["kind"], "redeem");
  EXPECT_EQ(p["ledger"]["items"][0]["points"], -600);
  EXPECT_EQ(p["ledger"]["items"][0]["balance_after"], 500);
  EXPECT_EQ(Ledger(member_).at(0).redemption_id, (*r)["id"].get<int64_t>());
  EXPECT_EQ(fx_.CountAudit("redeem_gift"), 1);
}

TEST_F(RedemptionTest, L5ShortPointsOrStockFailClearlyAndChangeNothing) {
  Earn(member_, 1000);
  json gift = MustGift("KETTLE", 300, 1);
  auto stock = redemption_.RedeemGift(assoc_, member_, GiftBody(gift["id"], 2));
  ASSERT_FALSE(stock.ok());
  EXPECT_EQ(stock.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(stock.error().field, "quantity");
  EXPECT_EQ(stock.error().message, "礼品库存不足：剩余 1 件");

  json dear = MustGift("TV", 5000, 3);
  auto points = redemption_.RedeemGift(assoc_, member_, GiftBody(dear["id"], 1));
  ASSERT_FALSE(points.ok());
  EXPECT_EQ(points.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(points.error().field, "points");
  EXPECT_NE(points.error().message.find("积分不足"), std::string::npos) << points.error().message;
  EXPECT_EQ(Stock(dear["id"]), 3);  // the stock taken before the points failed is back

  ASSERT_TRUE(redemption_.UpdateGift(fx_.admin(), gift["id"], {{"active", false}}).ok());
  auto inactive = redemption_.RedeemGift(assoc_, member_, GiftBody(gift["id"], 1));
  ASSERT_FALSE(inactive.ok());
  EXPECT_EQ(inactive.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(inactive.error().field, "gift_id");

  struct Case {
    json body;
    ErrorCode code;
    std::string field;
  };
  const Case cases[] = {
      {GiftBody(9999, 1), ErrorCode::kInvalidArgument, "gift_id"},
      {GiftBody(dear["id"], 0), ErrorCode::kInvalidArgument, "quantity"},
      {GiftBody(dear["id"], 101), ErrorCode::kInvalidArgument, "quantity"},
      {{{"gift_id", dear["id"]}}, ErrorCode::kInvalidArgument, "store_id"},
      {{{"gift_id", dear["id"]}, {"store_id", fx_.org().sh01.value}, {"points", 1}},
       ErrorCode::kInvalidArgument, "points"},
      {GiftBody(dear["id"], 1, fx_.org().gz01), ErrorCode::kForbidden, "store_id"},
  };
  for (const auto& c : cases) {
    auto r = redemption_.RedeemGift(assoc_, member_, c.body);
    ASSERT_FALSE(r.ok()) << c.body.dump();
    EXPECT_EQ(r.error().code, c.code) << c.body.dump() << " " << Why(r.error());
    EXPECT_EQ(r.error().field, c.field) << c.body.dump() << " " << r.error().message;
  }
  EXPECT_EQ(Balance(member_), 1000);
  EXPECT_EQ(fx_.CountAudit("redeem_gift"), 0);
}

TEST_F(RedemptionTest, P2OnlyStaffInTheMembersScopeRedeemForThem) {
  Earn(member_, 1000);
  json gift = MustGift("KETTLE", 100, 10);
  const auto& o = fx_.org();
  Actor other = fx_.AddUser("assoc.b", Role::kAssociate, o.associate_sh02);
  auto r = redemption_.RedeemGift(other, member_, GiftBody(gift["id"], 1, o.sh02));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  Actor cc = fx_.AddUser("cc.1", Role::kCallCenter);
  EXPECT_EQ(redemption_.RedeemGift(cc, member_, GiftBody(gift["id"], 1)).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(redemption_.RedeemGift(assoc_, MemberId(99999), GiftBody(gift["id"], 1)).error().code,
            ErrorCode::kNotFound);
  EXPECT_TRUE(redemption_.RedeemGift(manager_, member_, GiftBody(gift["id"], 1)).ok());
  EXPECT_EQ(Balance(member_), 900);
}

TEST_F(RedemptionTest, L2ANegativeBalanceAfterARefundBlocksRedemption) {
  const int64_t sale = Earn(member_, 600);
  json gift = MustGift("KETTLE", 500, 10);
  ASSERT_TRUE(redemption_.RedeemGift(assoc_, member_, GiftBody(gift["id"], 1)).ok());
  json refund = {{"kind", "refund"},
                 {"external_id", "POS-R-1"},
                 {"original_external_id", "POS-1"},
                 {"store_id", fx_.org().sh01.value},
                 {"occurred_at", FormatTimestamp(fx_.clock().Now())},
                 {"lines", {{{"line_no", 1}, {"paid_fen", 60000}}}}};
  ASSERT_GT(sale, 0);
  auto r = loyalty_.PostSale(fx_.admin(), refund);
  ASSERT_TRUE(r.ok()) << Why(r.error());
  EXPECT_EQ(Balance(member_), -500);
  Earn(member_, 300);  // pays part of the debt: still negative
  EXPECT_EQ(Balance(member_), -200);
  json cheap = MustGift("PEN", 1, 10);
  auto blocked = redemption_.RedeemGift(assoc_, member_, GiftBody(cheap["id"], 1));
  ASSERT_FALSE(blocked.ok());
  EXPECT_EQ(blocked.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(blocked.error().field, "points");
  EXPECT_EQ(Stock(cheap["id"]), 10);
  EXPECT_EQ(Balance(member_), -200);
}

// Eight tills redeem the last five pieces at once; each retries a conflict as
// a till would. Exactly five get one, the stock ends at zero, never below.
TEST_F(RedemptionTest, L5GiftStockNeverGoesNegativeUnderConcurrentRedemptions) {
  constexpr int kTills = 8;
  constexpr int kStock = 5;
  std::vector<MemberId> buyers;
  for (int i = 0; i < kTills; ++i) {
    MemberId m = NewMember("会员" + std::to_string(i), fx_.org().sh01, fx_.org().associate_sh01);
    Earn(m, 1000);
    buyers.push_back(m);
  }
  json gift = MustGift("KETTLE", 300, kStock);
  const int64_t gift_id = gift["id"];

  std::latch start(kTills);
  // The final answer each till got: nullopt = redeemed.
  std::vector<std::optional<Error>> outcome(kTills);
  std::vector<std::string> crashed(kTills);
  std::vector<std::thread> tills;
  for (int i = 0; i < kTills; ++i) {
    tills.emplace_back([&, i] {
      const size_t at = size_t(i);
      start.arrive_and_wait();
      try {
        for (int attempt = 0; attempt < 100; ++attempt) {
          auto r = redemption_.RedeemGift(assoc_, buyers[at], GiftBody(gift_id, 1));
          if (r.ok()) {
            outcome[at].reset();
            return;
          }
          outcome[at] = r.error();
          if (r.error().code != ErrorCode::kConflict) return;
        }
      } catch (const std::exception& e) {
        crashed[at] = e.what();
      }
    });
  }
  for (auto& t : tills) t.join();

  int won = 0;
  for (size_t i = 0; i < size_t(kTills); ++i) {
    ASSERT_EQ(crashed[i], "") << "till " << i;
    if (!outcome[i]) {
      ++won;
      EXPECT_EQ(Balance(buyers[i]), 700) << "till " << i;
      continue;
    }
    EXPECT_EQ(outcome[i]->code, ErrorCode::kUnprocessable) << Why(*outcome[i]);
    EXPECT_EQ(outcome[i]->field, "quantity") << Why(*outcome[i]);
    EXPECT_EQ(outcome[i]->message, "礼品库存不足：剩余 0 件");
    EXPECT_EQ(Balance(buyers[i]), 1000) << "till " << i;
  }
  EXPECT_EQ(won, kStock);
  EXPECT_EQ(Stock(gift_id), 0);
  EXPECT_EQ(fx_.CountAudit("redeem_gift"), kStock);
}

// One member at two tills at once, each redemption worth more than half the
// balance: one wins, the other finds the points short; never below zero.
TEST_F(RedemptionTest, L5AMemberCannotSpendTheSamePointsAtTwoTillsAtOnce) {
  json kettle = MustGift("KETTLE", 1000, 100);
  int64_t expected = 0;
  for (int round = 0; round < 4; ++round) {
    Earn(member_, round == 0 ? 1500 : 1000);
    expected += round == 0 ? 1500 : 1000;
    std::latch start(2);
    Result<json> results[2] = {Error::Conflict(""), Error::Conflict("")};
    std::string crashed[2];
    const auto till = [&](int i) {
      start.arrive_and_wait();
      try {
        for (int attempt = 0; attempt < 100; ++attempt) {
          // One till takes a gift, the other a 10-yuan voucher: both 1000 points.
          results[i] = i == 0 ? redemption_.RedeemGift(assoc_, member_, GiftBody(kettle["id"], 1))
                              : redemption_.RedeemVoucher(
                                    assoc_, member_,
                                    {{"value_fen", 1000}, {"store_id", fx_.org().sh01.value}});
          if (results[i].ok() || results[i].error().code != ErrorCode::kConflict) return;
        }
      } catch (const std::exception& e) {
        crashed[i] = e.what();
      }
    };
    std::thread a(till, 0), b(till, 1);
    a.join();
    b.join();
    ASSERT_EQ(crashed[0], "");
    ASSERT_EQ(crashed[1], "");
    const int ok = int(results[0].ok()) + int(results[1].ok());
    ASSERT_EQ(ok, 1) << "round " << round;
    const Result<json>& lost = results[0].ok() ? results[1] : results[0];
    EXPECT_EQ(lost.error().code, ErrorCode::kUnprocessable) << Why(lost.error());
    EXPECT_EQ(lost.error().field, "points");
    expected -= 1000;
    EXPECT_EQ(Balance(member_), expected);
    EXPECT_GE(Balance(member_), 0);
    EXPECT_EQ(LotsTotal(member_), expected);
  }
}

// ---- vouchers ----

TEST_F(RedemptionTest, L5VouchersCostPointsAtTheCashBackRateAndAreUsedOnce) {
  domain::Program program = *domain::FindPreset("department_store");
  program.redemption.voucher.min_spend = Fen(10000);  // 满 100 元可用
  program.redemption.voucher.valid_days = 30;
  UseProgram(program);
  Earn(member_, 2500);
  auto r = redemption_.RedeemVoucher(assoc_, member_,
                                     {{"value_fen", 2000}, {"store_id", fx_.org().sh01.value}});
  ASSERT_TRUE(r.ok()) << Why(r.error());
  EXPECT_EQ((*r)["kind"], "voucher");
  EXPECT_EQ((*r)["points"], 2000);  // 每满 1000 分返 10 元: 20 元 costs 2000 points
  EXPECT_EQ((*r)["points_balance"], 500);
  const json v = (*r)["voucher"];
  EXPECT_EQ(v["value_fen"], 2000);
  EXPECT_EQ(v["min_spend_fen"], 10000);
  EXPECT_EQ(v["valid_from"], "2026-11-23");
  EXPECT_EQ(v["valid_to"], "2026-12-22");  // 30 days, today included
  EXPECT_EQ(v["source"], "redeem");
  EXPECT_EQ(v["status"], "usable");
  const std::string code = v["code"];
  ASSERT_EQ(code.size(), 11u);
  EXPECT_EQ(code[0], 'V');
  EXPECT_EQ(Points(member_)["ledger"]["items"][0]["kind"], "redeem");

  for (int64_t bad : {1500, 0, -1000, 101 * 1000}) {
    auto e = redemption_.RedeemVoucher(assoc_, member_,
                                       {{"value_fen", bad}, {"store_id", fx_.org().sh01.value}});
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(e.error().field, "value_fen") << bad;
  }
  auto short_points = redemption_.RedeemVoucher(
      assoc_, member_, {{"value_fen", 1000}, {"store_id", fx_.org().sh01.value}});
  ASSERT_FALSE(short_points.ok());
  EXPECT_EQ(short_points.error().field, "points");
  EXPECT_EQ(Balance(member_), 500);

  const Date today = vipcare::testing::FixtureToday();
  const int64_t sale = Earn(member_, 150);
  // Below the minimum spend, at another member's sale, not yet valid.
  Status low = Use(member_, {code}, Fen(9999), today, sale);
  ASSERT_FALSE(low.ok());
  EXPECT_EQ(low.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(low.error().field, "voucher_codes[0]");
  MemberId stranger = NewMember("李娜", fx_.org().sh01, fx_.org().associate_sh01);
  Status theirs = Use(stranger, {code}, Fen(50000), today, 0);
  ASSERT_FALSE(theirs.ok());
  EXPECT_EQ(theirs.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(theirs.error().field, "voucher_codes[0]");
  EXPECT_EQ(Use(member_, {code}, Fen(50000), today.AddDays(-1), sale).error().field,
            "voucher_codes[0]");
  Status twice = Use(member_, {code, code}, Fen(50000), today, sale);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().field, "voucher_codes[1]");
  auto list = redemption_.ListMemberVouchers(assoc_, member_, {50, 0});
  EXPECT_EQ((*list)["items"][0]["status"], "usable");  // nothing above used it

  Status used = Use(member_, {code}, Fen(15000), today, sale);
  ASSERT_TRUE(used.ok()) << Why(used.error());
  list = redemption_.ListMemberVouchers(assoc_, member_, {50, 0});
  ASSERT_TRUE(list.ok()) << Why(list.error());
  ASSERT_EQ((*list)["total"], 1);
  EXPECT_EQ((*list)["items"][0]["status"], "used");
  EXPECT_EQ((*list)["items"][0]["used_transaction_id"], sale);
  Status again = Use(member_, {code}, Fen(15000), today, sale);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(again.error().field, "voucher_codes[0]");
  EXPECT_EQ(fx_.CountAudit("redeem_voucher"), 1);
}

TEST_F(RedemptionTest, L5AVoucherExpiresAfterItsValidDays) {
  Earn(member_, 1000);
  auto r = redemption_.RedeemVoucher(assoc_, member_,
                                     {{"value_fen", 1000}, {"store_id", fx_.org().sh01.value}});
  ASSERT_TRUE(r.ok()) << Why(r.error());
  const std::string code = (*r)["voucher"]["code"];
  EXPECT_EQ((*r)["voucher"]["valid_to"], "2027-02-20");  // the preset's 90 days
  fx_.clock().Advance(hours(24 * 90));
  auto list = redemption_.ListMemberVouchers(assoc_, member_, {50, 0});
  EXPECT_EQ((*list)["items"][0]["status"], "expired");
  Status late = Use(member_, {code}, Fen(100000), Date::FromYmd(2027, 2, 21), 0);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(late.error().field, "voucher_codes[0]");
  EXPECT_TRUE(Use(member_, {code}, Fen(100000), Date::FromYmd(2027, 2, 20), 0).ok());
}

TEST_F(RedemptionTest, L5AProgramWithoutCashBackHasNoVouchers) {
  UseProgram(*domain::FindPreset("cosmetics"));
  Earn(member_, 5000);
  const int64_t before = Balance(member_);
  auto r = redemption_.RedeemVoucher(assoc_, member_,
                                     {{"value_fen", 1000}, {"store_id", fx_.org().sh01.value}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(r.error().field, "value_fen");
  EXPECT_EQ(Balance(member_), before);
}

// The apparel preset: 每满 500 分返 20 元, issued automatically by the sale
// that brings the balance to a full step.
TEST_F(RedemptionTest, L5CashBackTurnsEveryFullStepOfPointsIntoAVoucher) {
  UseProgram(*domain::FindPreset("apparel_abc"));
  Earn(member_, 1200);
  json p = Points(member_);
  EXPECT_EQ(p["points_balance"], 200);
  EXPECT_EQ(p["growth_points"], 1200);
  EXPECT_EQ(p["ledger"]["items"][0]["kind"], "cashback");
  EXPECT_EQ(p["ledger"]["items"][0]["points"], -500);
  EXPECT_EQ(p["ledger"]["items"][1]["kind"], "cashback");
  EXPECT_EQ(p["ledger"]["items"][2]["kind"], "earn");
  auto list = redemption_.ListMemberVouchers(assoc_, member_, {50, 0});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ((*list)["total"], 2);
  EXPECT_NE((*list)["items"][0]["code"], (*list)["items"][1]["code"]);
  for (const auto& v : (*list)["items"]) {
    EXPECT_EQ(v["value_fen"], 2000);
    EXPECT_EQ(v["source"], "cashback");
    EXPECT_EQ(v["status"], "usable");
  }
  Earn(member_, 200);  // 400 points: not a full step
  EXPECT_EQ(Balance(member_), 400);
  EXPECT_EQ(fx_.CountAudit("cashback_issue"), 1);
}

// The department store's cash-back waits for the member to ask (automatic
// false): IssueCashBack turns the full steps into vouchers when called.
TEST_F(RedemptionTest, L5CashBackOnRequestIssuesOnlyWhenAsked) {
  Earn(member_, 2500);  // 每满 1000 分返 10 元
  EXPECT_EQ(Balance(member_), 2500);
  const auto issue = [&] {
    return fx_.store().Write([&](store::Repository& repo) -> Result<std::vector<std::string>> {
      auto& l = repo.loyalty();
      const domain::Program program = loyalty_core::LoadProgram(l);
      store::LoyaltyState state = loyalty_core::StateOf(l, member_);
      auto codes = IssueCashBack(repo, fx_.env(), fx_.admin(), state, program, fx_.env().Today(),
                                 fx_.org().sh01);
      if (codes.ok() && !l.SaveLoyaltyState(state)) return Error::Conflict("state");
      return codes;
    });
  };
  auto codes = issue();
  ASSERT_TRUE(codes.ok()) << Why(codes.error());
  EXPECT_EQ(codes->size(), 2u);
  EXPECT_EQ(Balance(member_), 500);
  auto none = issue();
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
  EXPECT_EQ(Balance(member_), 500);
}

// ---- adjustments ----

TEST_F(RedemptionTest, L2AnAdjustmentNeedsAReasonAndAnotherPersonsApproval) {
  Earn(member_, 500);
  struct Case {
    json body;
    std::string field;
  };
  const Case bad[] = {
      {{{"points", 0}, {"reason", "补录"}}, "points"},
      {{{"points", 1'000'001}, {"reason", "补录"}}, "points"},
      {{{"points", "10"}, {"reason", "补录"}}, "points"},
      {{{"points", 10}}, "reason"},
      {{{"points", 10}, {"reason", std::string(201, 'x')}}, "reason"},
      {{{"points", 10}, {"reason", "补录"}, {"approver", 1}}, "approver"},
  };
  for (const auto& c : bad) {
    auto r = redemption_.RequestAdjustment(assoc_, member_, c.body);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.field;
    EXPECT_EQ(r.error().field, c.field) << r.error().message;
  }

  auto req = redemption_.RequestAdjustment(manager_, member_,
                                           {{"points", 300}, {"reason", "小票遗失，补录积分"}});
  ASSERT_TRUE(req.ok()) << Why(req.error());
  EXPECT_EQ((*req)["status"], "pending");
  EXPECT_EQ((*req)["points"], 300);
  EXPECT_EQ((*req)["requested_by"]["username"], "manager.sh01");
  EXPECT_EQ(Balance(member_), 500);  // nothing moves before approval
  const int64_t id = (*req)["id"];

  auto own = redemption_.DecideAdjustment(manager_, id, true, "");
  ASSERT_FALSE(own.ok());
  EXPECT_EQ(own.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(own.error().field, "approver");
  EXPECT_EQ(redemption_.DecideAdjustment(assoc_, id, true, "").error().code,
            ErrorCode::kForbidden);  // associates hold no member_admin

  auto ok = redemption_.DecideAdjustment(fx_.admin(), id, true, "凭证已核");
  ASSERT_TRUE(ok.ok()) << Why(ok.error());
  EXPECT_EQ((*ok)["status"], "approved");
  EXPECT_EQ((*ok)["decided_by"]["username"], "admin");
  EXPECT_EQ((*ok)["decision_reason"], "凭证已核");
  EXPECT_EQ((*ok)["points_balance"], 800);
  json p = Points(member_);
  EXPECT_EQ(p["points_balance"], 800);
  EXPECT_EQ(p["growth_points"], 500);  // a correction is not growth value
  auto ledger = Ledger(member_);
  EXPECT_EQ(ledger.at(0).kind, "adjust");
  EXPECT_EQ(ledger.at(0).points.value, 300);
  EXPECT_EQ(ledger.at(0).reason, "小票遗失，补录积分");
  EXPECT_EQ(ledger.at(0).approved_by, fx_.admin().user_id);
  EXPECT_EQ(ledger.at(0).created_by, manager_.user_id);

  auto twice = redemption_.DecideAdjustment(fx_.admin(), id, false, "重复");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(twice.error().field, "status");
  EXPECT_EQ(Balance(member_), 800);
  EXPECT_EQ(redemption_.DecideAdjustment(fx_.admin(), 9999, true, "").error().code,
            ErrorCode::kNotFound);
  EXPECT_EQ(fx_.CountAudit("points_adjust_request"), 1);
  EXPECT_EQ(fx_.CountAudit("points_adjust_approve"), 1);
}

TEST_F(RedemptionTest, L2ADeductionNeverTakesMorePointsThanTheMemberHas) {
  Earn(member_, 500);
  auto too_big = redemption_.RequestAdjustment(assoc_, member_,
                                               {{"points", -501}, {"reason", "误积分冲回"}});
  ASSERT_FALSE(too_big.ok());
  EXPECT_EQ(too_big.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(too_big.error().field, "points");

  auto req = redemption_.RequestAdjustment(assoc_, member_,
                                           {{"points", -400}, {"reason", "误积分冲回"}});
  ASSERT_TRUE(req.ok()) << Why(req.error());
  // The member spends in the meantime: the deduction no longer fits.
  json gift = MustGift("PEN", 200, 5);
  ASSERT_TRUE(redemption_.RedeemGift(assoc_, member_, GiftBody(gift["id"], 1)).ok());
  auto late = redemption_.DecideAdjustment(manager_, (*req)["id"], true, "");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(late.error().field, "points");
  EXPECT_NE(late.error().message.find("积分不足"), std::string::npos) << late.error().message;
  EXPECT_EQ(Balance(member_), 300);
  auto pending = redemption_.ListAdjustments(manager_, "pending", {50, 0});
  EXPECT_EQ((*pending)["total"], 1);  // still waiting: the failed approval changed nothing

  EXPECT_EQ(redemption_.DecideAdjustment(manager_, (*req)["id"], false, "").error().field,
            "reason");
  auto rejected = redemption_.DecideAdjustment(manager_, (*req)["id"], false, "余额不足，作废");
  ASSERT_TRUE(rejected.ok()) << Why(rejected.error());
  EXPECT_EQ((*rejected)["status"], "rejected");
  EXPECT_EQ((*rejected)["points_balance"], 300);
  EXPECT_EQ(Balance(member_), 300);

  // A smaller deduction goes through, oldest points first.
  auto fits = redemption_.RequestAdjustment(assoc_, member_,
                                            {{"points", -100}, {"reason", "误积分冲回"}});
  ASSERT_TRUE(fits.ok());
  ASSERT_TRUE(redemption_.DecideAdjustment(manager_, (*fits)["id"], true, "").ok());
  EXPECT_EQ(Balance(member_), 200);
  EXPECT_EQ(LotsTotal(member_), 200);
  EXPECT_EQ(fx_.CountAudit("points_adjust_reject"), 1);
}

TEST_F(RedemptionTest, P2AdjustmentRequestsAreListedAndDecidedWithinTheApproversScope) {
  const auto& o = fx_.org();
  MemberId sh02 = NewMember("陈静会员", o.sh02, o.associate_sh02);
  MemberId gz01 = NewMember("黄敏会员", o.gz01, o.associate_gz01);
  Actor assoc_sh02 = fx_.AddUser("assoc.sh02", Role::kAssociate, o.associate_sh02);
  Actor assoc_gz01 = fx_.AddUser("assoc.gz01", Role::kAssociate, o.associate_gz01);
  const json body = {{"points", 50}, {"reason", "活动补偿"}};
  ASSERT_TRUE(redemption_.RequestAdjustment(assoc_, member_, body).ok());
  auto at_sh02 = redemption_.RequestAdjustment(assoc_sh02, sh02, body);
  ASSERT_TRUE(at_sh02.ok());
  ASSERT_TRUE(redemption_.RequestAdjustment(assoc_gz01, gz01, body).ok());
  EXPECT_EQ(redemption_.RequestAdjustment(assoc_, sh02, body).error().code,
            ErrorCode::kForbidden);

  auto store = redemption_.ListAdjustments(manager_, "", {50, 0});
  ASSERT_TRUE(store.ok()) << Why(store.error());
  ASSERT_EQ((*store)["total"], 1);
  EXPECT_EQ((*store)["items"][0]["member"]["id"], member_.value);
  Actor supervisor = fx_.AddUser("sup.east", Role::kRegionalSupervisor);
  supervisor.region_id = o.east;
  EXPECT_EQ((*redemption_.ListAdjustments(supervisor, "pending", {50, 0}))["total"], 2);
  EXPECT_EQ((*redemption_.ListAdjustments(fx_.admin(), "", {50, 0}))["total"], 3);
  EXPECT_EQ((*redemption_.ListAdjustments(fx_.admin(), "approved", {50, 0}))["total"], 0);
  EXPECT_EQ(redemption_.ListAdjustments(assoc_, "", {50, 0}).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(redemption_.ListAdjustments(fx_.admin(), "done", {50, 0}).error().field, "status");
  EXPECT_EQ(redemption_.ListAdjustments(fx_.admin(), "", {0, 0}).error().field, "limit");

  // The SH01 manager may not decide for an SH02 member; the supervisor may.
  const int64_t id = (*at_sh02)["id"];
  EXPECT_EQ(redemption_.DecideAdjustment(manager_, id, true, "").error().code,
            ErrorCode::kForbidden);
  auto ok = redemption_.DecideAdjustment(supervisor, id, true, "");
  ASSERT_TRUE(ok.ok()) << Why(ok.error());
  EXPECT_EQ(Balance(sh02), 50);
}

// A voucher pays part of a sale once: the sale names it (voucher_codes), a
// second sale with the same code is refused and posts nothing.
TEST_F(RedemptionTest, L5AVoucherIsUsedByTheSaleThatNamesItAndNeverAgain) {
  Earn(member_, 2000);
  auto r = redemption_.RedeemVoucher(assoc_, member_,
                                     {{"value_fen", 1000}, {"store_id", fx_.org().sh01.value}});
  ASSERT_TRUE(r.ok()) << Why(r.error());
  const std::string code = (*r)["voucher"]["code"];
  const auto sale = [&](const std::string& id) {
    return json{{"external_id", id},
                {"member_id", member_.value},
                {"store_id", fx_.org().sh01.value},
                {"occurred_at", FormatTimestamp(fx_.clock().Now())},
                {"voucher_codes", {code}},
                {"lines", {{{"sku", "W-002"}, {"list_price_fen", 30000}, {"paid_fen", 29000}}}}};
  };
  auto first = loyalty_.PostSale(assoc_, sale("POS-V1"));
  ASSERT_TRUE(first.ok()) << Why(first.error());
  EXPECT_EQ(first->Body()["vouchers_used"], json::array({code}));
  auto list = redemption_.ListMemberVouchers(assoc_, member_, {50, 0});
  ASSERT_TRUE(list.ok());
  EXPECT_EQ((*list)["items"][0]["status"], "used");
  auto replay = loyalty_.PostSale(assoc_, sale("POS-V1"));
  ASSERT_TRUE(replay.ok());
  EXPECT_TRUE(replay->repeat);
  EXPECT_EQ(replay->Body()["vouchers_used"], json::array({code}));
  const int64_t balance = Balance(member_);
  auto second = loyalty_.PostSale(assoc_, sale("POS-V2"));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().field, "voucher_codes[0]");
  EXPECT_EQ(Balance(member_), balance);
  auto other = loyalty_.PostSale(assoc_, {{"external_id", "POS-V3"},
                                          {"store_id", fx_.org().sh01.value},
                                          {"occurred_at", FormatTimestamp(fx_.clock().Now())},
                                          {"voucher_codes", {code}},
                                          {"lines", {{{"sku", "W-3"}, {"list_price_fen", 100}, {"paid_fen", 100}}}}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().field, "voucher_codes");
}

}  // namespace
}  // namespace vipcare::service
