// Posting sales through service::Loyalty (SPEC L1-L3, L6) on the backend
// VIPCARE_TEST_BACKEND selects: idempotency, earning, the ledger, monthly
// buckets and tier upgrades of the department-store preset (SPEC §10.2),
// which a company runs until it chooses another program.
#include "service/loyalty.h"

#include <gtest/gtest.h>

#include "domain/presets.h"
#include "domain/program.h"
#include "service/members.h"
#include "service/programs.h"
#include "testing/fixtures.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;
using std::chrono::hours;

class LoyaltyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& o = fx_.org();
    assoc_ = fx_.AddUser("assoc.a", Role::kAssociate, o.associate_sh01);
    json body = fx_.MemberBody("王芳", o.sh01);
    body["associate_id"] = o.associate_sh01.value;
    auto m = members_.Create(fx_.admin(), body);
    ASSERT_TRUE(m.ok()) << m.error().message;
    member_ = m->member.id;
    card_no_ = m->cards.at(0).card_no;
  }

  json Sale(const std::string& external_id, int64_t paid_yuan) {
    json sale = fx_.SaleBody(external_id, member_, paid_yuan);
    sale["associate_id"] = fx_.org().associate_sh01.value;
    sale["payment_method"] = "card";
    return sale;
  }

  json MustPost(const json& sale) {
    auto r = loyalty_.PostSale(assoc_, sale);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + ": " + r.error().message);
    return r.ok() ? r->Body() : json();
  }

  json Points() {
    auto p = loyalty_.MemberPoints(assoc_, member_, {50, 0});
    EXPECT_TRUE(p.ok()) << (p.ok() ? "" : p.error().message);
    return p.ok() ? *p : json();
  }

  vipcare::testing::ServiceFixture fx_;
  Members members_{fx_.env()};
  Loyalty loyalty_{fx_.env()};
  Actor assoc_;
  MemberId member_;
  std::string card_no_;
};

TEST_F(LoyaltyTest, L1TheSameExternalIdIsPostedOnceAndADifferentBodyIsAConflict) {
  json first = MustPost(Sale("POS-SH01-0001", 600));
  EXPECT_EQ(first["points"], 600);  // 1 point per yuan paid
  auto again = loyalty_.PostSale(assoc_, Sale("POS-SH01-0001", 600));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->repeat);
  EXPECT_EQ(again->Body(), first);
  auto changed = loyalty_.PostSale(assoc_, Sale("POS-SH01-0001", 700));
  ASSERT_FALSE(changed.ok());
  EXPECT_EQ(changed.error().code, ErrorCode::kConflict);
  EXPECT_EQ(changed.error().field, "external_id");
  EXPECT_EQ(Points()["points_balance"], 600);
  EXPECT_EQ(Points()["balance"], 600);  // issue 5's name for it
  EXPECT_EQ(Points()["ledger"]["total"], 1);
  EXPECT_EQ(fx_.CountAudit("sale_post"), 1);
}

TEST_F(LoyaltyTest, L1ANonMemberSaleIsRecordedWithoutPoints) {
  json sale = Sale("POS-SH01-0002", 300);
  sale.erase("member_id");
  json r = MustPost(sale);
  EXPECT_TRUE(r["member_id"].is_null());
  EXPECT_EQ(r["points"], 0);
  EXPECT_EQ(r["paid_total_fen"], 30000);
  EXPECT_EQ(fx_.CountAudit("sale_post"), 1);
}

TEST_F(LoyaltyTest, L1TheCardNumberFindsTheMember) {
  json sale = Sale("POS-SH01-0003", 200);
  sale.erase("member_id");
  sale["card_no"] = card_no_;
  EXPECT_EQ(MustPost(sale)["member_id"], member_.value);
}

// PostSale reads the member's file before its write transaction (outside the
// group commit's serial part) and writes with it only while its version is
// still the stored one: a file changed in between is read again.
TEST_F(LoyaltyTest, L3ABirthdayRecordedBetweenTheReadAndTheWriteEarnsTheBirthdayRate) {
  Programs programs(fx_.env());
  json p = domain::ProgramToJson(*domain::FindPreset("department_store"));
  p["earning"]["birthday_multiplier_bp"] = 20000;
  ASSERT_TRUE(programs.Put(fx_.admin(), "department_store", p).ok());
  ASSERT_TRUE(programs.Choose(fx_.admin(), "department_store").ok());

  auto read = loyalty_.ReadSale(assoc_, Sale("POS-SH01-0100", 600));
  ASSERT_TRUE(read.ok()) << read.error().message;
  const std::string today = fx_.env().Today().ToString();
  auto updated = members_.Update(fx_.admin(), member_,
                                 {{"birthday", "1990" + today.substr(4)},
                                  {"birthday_calendar", "solar"}});
  ASSERT_TRUE(updated.ok()) << updated.error().field << ": " << updated.error().message;

  auto posted = loyalty_.PostReadSale(assoc_, **read);
  ASSERT_TRUE(posted.ok()) << posted.error().message;
  EXPECT_EQ(posted->Body()["points"], 1200);  // ×2 on the birthday now on file
  EXPECT_EQ(Points()["points_balance"], 1200);
}

TEST_F(LoyaltyTest, L1AFileClosedBetweenTheReadAndTheWriteTakesNoSale) {
  auto read = loyalty_.ReadSale(assoc_, Sale("POS-SH01-0101", 600));
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_TRUE(members_.ChangeStatus(fx_.admin(), member_, "closed", "会员申请注销").ok());

  auto posted = loyalty_.PostReadSale(assoc_, **read);
  ASSERT_FALSE(posted.ok());
  EXPECT_EQ(posted.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(posted.error().field, "member_id");
  EXPECT_EQ(fx_.CountAudit("sale_post"), 0);
  EXPECT_EQ(Points()["ledger"]["total"], 0);
}

TEST_F(LoyaltyTest, L1AnUnchangedFileIsNotReadAgainForTheWrite) {
  auto read = loyalty_.ReadSale(assoc_, Sale("POS-SH01-0102", 600));
  ASSERT_TRUE(read.ok()) << read.error().message;
  // The stored status changes without the file's version (no service does
  // that). Posting from the start reads the file: closed.
  {
    auto lease = fx_.store().Acquire();
    ASSERT_EQ(lease.db().Exec("UPDATE members SET status = 'closed' WHERE id = ?",
                              {member_.value}),
              1);
  }
  auto fresh = loyalty_.PostSale(assoc_, Sale("POS-SH01-0103", 600));
  ASSERT_FALSE(fresh.ok());
  EXPECT_EQ(fresh.error().field, "member_id");
  // The sale read before goes by the file it read, which its version says is
  // current.
  auto posted = loyalty_.PostReadSale(assoc_, **read);
  ASSERT_TRUE(posted.ok()) << posted.error().message;
  EXPECT_EQ(posted->Body()["points"], 600);
}

TEST_F(LoyaltyTest, P10BadSalesNameTheFieldAndChangeNothing) {
  struct Case {
    std::function<void(json&)> edit;
    std::string field;
  };
  const Case cases[] = {
      {[](json& s) { s.erase("external_id"); }, "external_id"},
      {[](json& s) { s["lines"][0]["paid_fen"] = -1; }, "lines[0].paid_fen"},
      {[](json& s) { s["lines"][0]["quantity"] = 0; }, "lines[0].quantity"},
      {[](json& s) { s["lines"][0]["discount"] = 5; }, "lines[0].discount"},
      {[](json& s) { s["lines"] = json::array(); }, "lines"},
      {[](json& s) { s["occurred_at"] = "yesterday"; }, "occurred_at"},
      {[](json& s) { s["member_id"] = 999999; }, "member_id"},
      {[](json& s) { s["card_no"] = "6200000000000000"; s.erase("member_id"); }, "card_no"},
      {[](json& s) { s["associate_id"] = 999999; }, "associate_id"},
      {[](json& s) { s["kind"] = "exchange"; }, "kind"},
      {[](json& s) { s["kind"] = "refund"; }, "associate_id"},  // a refund has no associate
      // Issue 5's bad input: zero amounts, paid above the list price without
      // a reason, lines that do not add up to the till's total.
      {[](json& s) { s["lines"][0]["list_price_fen"] = 0; }, "lines[0].list_price_fen"},
      {[](json& s) { s["lines"][0]["paid_fen"] = 0; }, "lines"},
      {[](json& s) { s["lines"][0]["paid_fen"] = 10001; }, "lines[0].paid_fen"},
      {[](json& s) {
         s["lines"][0]["paid_fen"] = 10001;
         s["lines"][0]["above_list_reason"] = " ";
       },
       "lines[0].above_list_reason"},
      {[](json& s) { s["paid_total_fen"] = 9999; }, "paid_total_fen"},
      {[](json& s) { s["paid_total_fen"] = "10000"; }, "paid_total_fen"},
      // A sale dated after tomorrow is a till's wrong date.
      {[](json& s) { s["occurred_at"] = "2099-11-23T10:00:00+08:00"; }, "occurred_at"},
  };
  for (const auto& c : cases) {
    json sale = Sale("POS-BAD", 100);
    c.edit(sale);
    auto r = loyalty_.PostSale(assoc_, sale);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.error().field, c.field) << r.error().message;
  }
  EXPECT_EQ(fx_.CountAudit("sale_post"), 0);
  EXPECT_EQ(Points()["points_balance"], 0);
}

TEST_F(LoyaltyTest, L1AnAssociatePostsOnlyForTheirOwnStore) {
  json sale = Sale("POS-GZ01-0001", 100);
  sale["store_id"] = fx_.org().gz01.value;
  sale.erase("associate_id");
  auto r = loyalty_.PostSale(assoc_, sale);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  Actor cc = fx_.AddUser("cc1", Role::kCallCenter);
  EXPECT_EQ(loyalty_.PostSale(cc, Sale("POS-SH01-0009", 100)).error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(loyalty_.PostSale(fx_.admin(), sale).ok());
}

// SPEC §10.2 walked with dated purchases: 600 yuan first purchase -> 普卡;
// 3,000 in six months -> 银卡; 40,000 in twelve months -> 钻石卡 at once and
// 紫金钻石卡 waiting for the store manager's approval.
TEST_F(LoyaltyTest, L6DepartmentStoreLadderUpgradesOnPostingAndQueuesTheApprovalTier) {
  json r = MustPost(Sale("POS-1", 600));
  ASSERT_FALSE(r["tier_change"].is_null());
  EXPECT_EQ(r["tier"]["name"], "普卡");
  EXPECT_NE(r["tier_change"]["reason"].get<std::string>().find("¥600"), std::string::npos)
      << r["tier_change"]["reason"];

  fx_.clock().Advance(hours(24 * 30));
  r = MustPost(Sale("POS-2", 2400));
  EXPECT_EQ(r["tier"]["name"], "银卡");
  EXPECT_EQ(r["points_balance"], 3000);

  fx_.clock().Advance(hours(24 * 30));
  r = MustPost(Sale("POS-3", 37000));
  EXPECT_EQ(r["tier"]["name"], "钻石卡");
  ASSERT_FALSE(r["pending_approval"].is_null());
  EXPECT_EQ(r["pending_approval"]["tier"]["name"], "紫金钻石卡");

  json p = Points();
  EXPECT_EQ(p["points_balance"], 40000);
  EXPECT_EQ(p["growth_points"], 40000);
  EXPECT_EQ(p["spend_12m_fen"], 4000000);
  EXPECT_EQ(p["pending_approval"]["tier"]["code"], "purple_diamond");
  ASSERT_EQ(p["tier_history"].size(), 4u);  // 普卡, 银卡, 钻石卡, queued 紫金钻石卡
  EXPECT_EQ(p["tier_history"][0]["kind"], "approval_queued");
  EXPECT_EQ(p["ledger"]["items"][0]["balance_after"], 40000);
  ASSERT_EQ(p["lots"].size(), 3u);
  EXPECT_FALSE(p["lots"][0]["expires_on"].is_null());
}

TEST_F(LoyaltyTest, L6ProgressTellsWhatIsMissingForTheNextTier) {
  MustPost(Sale("POS-1", 600));
  json p = Points();
  ASSERT_FALSE(p["progress"].is_null());
  EXPECT_EQ(p["progress"]["next_tier"]["name"], "银卡");
  EXPECT_EQ(p["progress"]["text"], "再消费 ¥2,400 升级银卡");  // the 6-month ¥3,000 rule
  EXPECT_EQ(p["progress"]["percent"], 20);                   // ¥600 of it, not of ¥5,000
  MustPost(Sale("POS-2", 2400));
  p = Points();
  EXPECT_EQ(p["tier"]["name"], "银卡");
  EXPECT_EQ(p["progress"]["next_tier"]["name"], "金卡");
  EXPECT_TRUE(p["progress"]["percent"].is_number_integer()) << p["progress"];
}

TEST_F(LoyaltyTest, P2PointsFollowTheMemberFilesScope) {
  Actor other = fx_.AddUser("assoc.b", Role::kAssociate, fx_.org().associate_sh02);
  EXPECT_EQ(loyalty_.MemberPoints(other, member_, {50, 0}).error().code, ErrorCode::kForbidden);
  Actor hq = fx_.AddUser("hq1", Role::kHqAnalyst);
  EXPECT_EQ(loyalty_.MemberPoints(hq, member_, {50, 0}).error().code, ErrorCode::kForbidden);
}

static json Refund(const std::string& external_id, const std::string& original, int64_t yuan,
            StoreId store) {
  return {{"kind", "refund"},
          {"external_id", external_id},
          {"original_external_id", original},
          {"store_id", store.value},
          {"occurred_at", "2026-11-24T10:00:00+08:00"},
          {"lines", {{{"line_no", 1}, {"paid_fen", yuan * 100}}}}};
}

// L1/L2: partial refunds take back what the refunded part earned, the month
// loses the spend, a refund never exceeds what a line paid, and a repeat
// changes nothing.
TEST_F(LoyaltyTest, L2PartialRefundsReverseTheirShareOfThePoints) {
  MustPost(Sale("POS-1", 600));
  const StoreId sh01 = fx_.org().sh01;
  json r = MustPost(Refund("RF-1", "POS-1", 200, sh01));
  EXPECT_EQ(r["kind"], "refund");
  EXPECT_EQ(r["points"], -200);
  EXPECT_EQ(r["points_balance"], 400);
  auto again = loyalty_.PostSale(assoc_, Refund("RF-1", "POS-1", 200, sh01));
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->repeat);
  auto too_much = loyalty_.PostSale(assoc_, Refund("RF-2", "POS-1", 401, sh01));
  ASSERT_FALSE(too_much.ok());
  EXPECT_EQ(too_much.error().field, "lines[0].paid_fen");
  EXPECT_EQ(loyalty_.PostSale(assoc_, Refund("RF-3", "POS-404", 1, sh01)).error().field,
            "original_external_id");
  r = MustPost(Refund("RF-4", "POS-1", 400, sh01));
  EXPECT_EQ(r["points"], -400);
  json p = Points();
  EXPECT_EQ(p["points_balance"], 0);
  EXPECT_EQ(p["growth_points"], 0);
  EXPECT_EQ(p["spend_12m_fen"], 0);
  EXPECT_EQ(p["ledger"]["items"][0]["kind"], "reverse");
  EXPECT_TRUE(p["lots"].empty());
  // The tier stays until the scheduled review (L7: never a silent downgrade).
  EXPECT_EQ(p["tier"]["name"], "普卡");
  EXPECT_EQ(fx_.CountAudit("refund_post"), 2);
}

// Issue 5: a line paid above its list price (engraving, tailoring, gift
// wrap) is taken with the till's reason, which the purchases tab shows; a
// till's own total is checked against its lines.
TEST_F(LoyaltyTest, L1ALinePaidAboveItsListPriceIsTakenWithItsReason) {
  json sale = Sale("POS-1", 100);
  sale["lines"].push_back({{"sku", "ENGRAVE"},
                           {"category", "服务"},
                           {"quantity", 2},
                           {"list_price_fen", 1000},
                           {"paid_fen", 3000},
                           {"above_list_reason", "刻字加急"}});
  sale["paid_total_fen"] = 13000;
  json r = MustPost(sale);
  EXPECT_EQ(r["paid_total_fen"], 13000);
  EXPECT_EQ(r["list_total_fen"], 12000);
  auto list = loyalty_.MemberTransactions(assoc_, member_, {50, 0});
  ASSERT_TRUE(list.ok()) << list.error().message;
  const json& lines = (*list)["items"][0]["lines"];
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["above_list_reason"], "");
  EXPECT_EQ(lines[1]["above_list_reason"], "刻字加急");
  EXPECT_EQ(lines[1]["paid_fen"], 3000);
  // Posted again, the same sale is a repeat; without the till's total too
  // (it only repeats what the lines add up to).
  auto again = loyalty_.PostSale(assoc_, sale);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->repeat);
  sale.erase("paid_total_fen");
  auto without_total = loyalty_.PostSale(assoc_, sale);
  ASSERT_TRUE(without_total.ok()) << without_total.error().message;
  EXPECT_TRUE(without_total->repeat);
}

// Issue 5's API shape: a refund names its sale with "refund_of" (the older
// "original_external_id" means the same and posts the same refund), and every
// answer carries the points the transaction earned ("points_earned", negative
// for a refund's reversal).
TEST_F(LoyaltyTest, L1ARefundNamesItsSaleWithRefundOfAndAnswersPointsEarned) {
  json sale = MustPost(Sale("POS-1", 600));
  EXPECT_EQ(sale["points_earned"], 600);
  EXPECT_EQ(sale["points"], 600);
  const StoreId sh01 = fx_.org().sh01;
  json refund = Refund("RF-1", "POS-1", 200, sh01);
  refund.erase("original_external_id");
  refund["refund_of"] = "POS-1";
  json r = MustPost(refund);
  EXPECT_EQ(r["kind"], "refund");
  EXPECT_EQ(r["refund_of"], "POS-1");
  EXPECT_EQ(r["original_external_id"], "POS-1");
  EXPECT_EQ(r["points_earned"], -200);
  EXPECT_EQ(r["points_balance"], 400);
  // The same refund under the older name is a repeat, not a conflict.
  auto again = loyalty_.PostSale(assoc_, Refund("RF-1", "POS-1", 200, sh01));
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->repeat);
  EXPECT_EQ(again->Body(), r);

  json unknown = refund;
  unknown["external_id"] = "RF-2";
  unknown["refund_of"] = "POS-404";
  auto missing = loyalty_.PostSale(assoc_, unknown);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().field, "refund_of");
  json both = refund;
  both["external_id"] = "RF-3";
  both["original_external_id"] = "POS-1";
  auto twice = loyalty_.PostSale(assoc_, both);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().field, "refund_of");
  json neither = refund;
  neither["external_id"] = "RF-4";
  neither.erase("refund_of");
  auto none = loyalty_.PostSale(assoc_, neither);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().field, "refund_of");
  EXPECT_EQ(fx_.CountAudit("refund_post"), 1);
  EXPECT_EQ(Points()["points_balance"], 400);
}

// L6 "店长操作": the queued 紫金钻石卡 waits in the store manager's list until
// approved with a reason; a rejection clears it; other stores' managers
// neither see nor decide it.
TEST_F(LoyaltyTest, L6TheStoreManagerApprovesOrRejectsAQueuedTier) {
  Actor manager = fx_.AddUser("manager.sh01", Role::kStoreManager, fx_.org().manager_sh01);
  MustPost(Sale("POS-1", 40000));
  auto queue = loyalty_.PendingApprovals(manager, {50, 0});
  ASSERT_TRUE(queue.ok()) << queue.error().message;
  ASSERT_EQ((*queue)["total"], 1);
  EXPECT_EQ((*queue)["items"][0]["pending_tier"]["name"], "紫金钻石卡");
  EXPECT_EQ((*queue)["items"][0]["name"], "王芳");
  // Since when it waits, and by which program's ladder.
  EXPECT_EQ((*queue)["items"][0]["queued_at"], FormatTimestamp(fx_.clock().Now()));
  EXPECT_EQ((*queue)["items"][0]["program"]["code"], "department_store");
  EXPECT_EQ(loyalty_.PendingApprovals(assoc_, {50, 0}).error().code, ErrorCode::kForbidden);

  EXPECT_EQ(loyalty_.DecideApproval(manager, member_, true, "").error().field, "reason");
  auto ok = loyalty_.DecideApproval(manager, member_, true, "信用核查通过");
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ((*ok)["tier"]["name"], "紫金钻石卡");
  json p = Points();
  EXPECT_EQ(p["tier"]["code"], "purple_diamond");
  EXPECT_TRUE(p["pending_approval"].is_null());
  EXPECT_EQ(p["tier_history"][0]["kind"], "approved");
  EXPECT_NE(p["tier_history"][0]["reason"].get<std::string>().find("信用核查通过"), std::string::npos);
  EXPECT_EQ((*loyalty_.PendingApprovals(manager, {50, 0}))["total"], 0);
  EXPECT_EQ(loyalty_.DecideApproval(manager, member_, true, "again").error().code,
            ErrorCode::kUnprocessable);
  EXPECT_EQ(fx_.CountAudit("tier_approve"), 1);
}

// The store manager works the queue from the member who has waited longest,
// whatever their member number; a member rejected and queued again waits from
// the second time.
TEST_F(LoyaltyTest, L6TheQueueListsTheMemberWhoHasWaitedLongestFirst) {
  Actor manager = fx_.AddUser("manager.sh01", Role::kStoreManager, fx_.org().manager_sh01);
  ASSERT_TRUE(members_.Create(fx_.admin(), fx_.MemberBody("李娜", fx_.org().sh01)).ok());
  const MemberId later = members_.Search(fx_.admin(), {"李娜"})->items.at(0).id;
  ASSERT_GT(later.value, member_.value);
  json sale = Sale("POS-1", 40000);
  sale["member_id"] = later.value;
  ASSERT_TRUE(loyalty_.PostSale(fx_.admin(), sale).ok());
  const std::string first_at = FormatTimestamp(fx_.clock().Now());
  fx_.clock().Advance(hours(24));
  MustPost(Sale("POS-2", 40000));
  const std::string second_at = FormatTimestamp(fx_.clock().Now());
  // The member's points tab says since when the tier waits too.
  EXPECT_EQ(Points()["pending_approval"]["queued_at"], second_at);
  const auto names = [&] {
    json q = *loyalty_.PendingApprovals(manager, {50, 0});
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& item : q["items"]) out.emplace_back(item["name"], item["queued_at"]);
    return out;
  };
  using Queue = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(names(), (Queue{{"李娜", first_at}, {"王芳", second_at}}));

  ASSERT_TRUE(loyalty_.DecideApproval(manager, later, false, "信用记录不足").ok());
  fx_.clock().Advance(hours(24));
  sale["external_id"] = "POS-3";
  sale["occurred_at"] = FormatTimestamp(fx_.clock().Now());
  ASSERT_TRUE(loyalty_.PostSale(fx_.admin(), sale).ok());
  EXPECT_EQ(names(), (Queue{{"王芳", second_at}, {"李娜", FormatTimestamp(fx_.clock().Now())}}));
}

// A store manager decides several queued members at once with one reason:
// all or none — a member listed twice, another store's member or one with
// nothing waiting fails the request on that member's place and decides no one.
TEST_F(LoyaltyTest, L6TheStoreManagerDecidesSeveralQueuedMembersAtOnce) {
  Actor manager = fx_.AddUser("manager.sh01", Role::kStoreManager, fx_.org().manager_sh01);
  std::vector<MemberId> queued = {member_};
  for (const char* name : {"李娜", "张伟"}) {
    ASSERT_TRUE(members_.Create(fx_.admin(), fx_.MemberBody(name, fx_.org().sh01)).ok());
    queued.push_back(members_.Search(fx_.admin(), {name})->items.at(0).id);
  }
  ASSERT_TRUE(members_.Create(fx_.admin(), fx_.MemberBody("赵敏", fx_.org().sh02)).ok());
  const MemberId elsewhere = members_.Search(fx_.admin(), {"赵敏"})->items.at(0).id;
  ASSERT_TRUE(members_.Create(fx_.admin(), fx_.MemberBody("钱多", fx_.org().sh01)).ok());
  const MemberId idle = members_.Search(fx_.admin(), {"钱多"})->items.at(0).id;
  int n = 0;
  for (MemberId id : {queued[0], queued[1], queued[2], elsewhere}) {
    json sale = Sale("POS-" + std::to_string(++n), 40000);
    sale["member_id"] = id.value;
    if (id == elsewhere) {
      sale["store_id"] = fx_.org().sh02.value;
      sale.erase("associate_id");
    }
    ASSERT_TRUE(loyalty_.PostSale(fx_.admin(), sale).ok());
  }
  const auto waiting = [&] { return (*loyalty_.PendingApprovals(fx_.admin(), {50, 0}))["total"]; };
  ASSERT_EQ(waiting(), 4);

  const auto refused = [&](std::vector<MemberId> ids, const std::string& reason) {
    auto r = loyalty_.DecideApprovals(manager, ids, true, reason);
    EXPECT_FALSE(r.ok());
    return r.ok() ? Error{} : r.error();
  };
  EXPECT_EQ(refused({queued[0], queued[1], queued[0]}, "ok").field, "member_ids[2]");
  EXPECT_EQ(refused({queued[0], elsewhere}, "ok").field, "member_ids[1]");
  EXPECT_EQ(refused({queued[0], queued[1], idle}, "ok").field, "member_ids[2]");
  EXPECT_EQ(refused({queued[0]}, "").field, "reason");
  EXPECT_EQ(refused({}, "ok").field, "member_ids");
  EXPECT_EQ(waiting(), 4) << "a refused request decides no one";
  EXPECT_EQ(fx_.CountAudit("tier_approve"), 0);

  auto ok = loyalty_.DecideApprovals(manager, {queued[2], queued[0]}, true, "年度大客户，信用良好");
  ASSERT_TRUE(ok.ok()) << ok.error().field << ": " << ok.error().message;
  EXPECT_EQ((*ok)["decided"], 2);
  EXPECT_EQ((*ok)["items"][0]["member_id"], queued[2].value);
  EXPECT_EQ((*ok)["items"][1]["tier"]["name"], "紫金钻石卡");
  EXPECT_EQ(Points()["tier"]["code"], "purple_diamond");
  EXPECT_EQ(Points()["tier_history"][0]["kind"], "approved");
  EXPECT_EQ(fx_.CountAudit("tier_approve"), 2);
  auto no = loyalty_.DecideApprovals(manager, {queued[1]}, false, "信用记录不足");
  ASSERT_TRUE(no.ok());
  EXPECT_EQ((*no)["items"][0]["tier"]["name"], "钻石卡");
  // What is left waits in another store.
  auto left = *loyalty_.PendingApprovals(fx_.admin(), {50, 0});
  ASSERT_EQ(left["total"], 1);
  EXPECT_EQ(left["items"][0]["member_id"], elsewhere.value);
}

TEST_F(LoyaltyTest, L6ARejectedTierLeavesTheMemberWhereTheyAre) {
  MustPost(Sale("POS-1", 40000));
  auto no = loyalty_.DecideApproval(fx_.admin(), member_, false, "信用记录不足");
  ASSERT_TRUE(no.ok());
  json p = Points();
  EXPECT_EQ(p["tier"]["name"], "钻石卡");
  EXPECT_TRUE(p["pending_approval"].is_null());
  EXPECT_EQ(p["tier_history"][0]["kind"], "rejected");
  // Another store's manager may not decide for this member.
  json other = fx_.MemberBody("李娜", fx_.org().sh02);
  ASSERT_TRUE(members_.Create(fx_.admin(), other).ok());
  Actor manager = fx_.AddUser("manager.sh01", Role::kStoreManager, fx_.org().manager_sh01);
  json sale = Sale("POS-2", 40000);
  sale["member_id"] = members_.Search(fx_.admin(), {"李娜"})->items.at(0).id.value;
  sale["store_id"] = fx_.org().sh02.value;
  sale.erase("associate_id");
  ASSERT_TRUE(loyalty_.PostSale(fx_.admin(), sale).ok());
  EXPECT_EQ((*loyalty_.PendingApprovals(manager, {50, 0}))["total"], 0);
  EXPECT_EQ((*loyalty_.PendingApprovals(fx_.admin(), {50, 0}))["total"], 1);
  EXPECT_EQ(loyalty_.DecideApproval(manager, MemberId(sale["member_id"].get<int64_t>()), true, "ok")
                .error()
                .code,
            ErrorCode::kForbidden);
}

}  // namespace
}  // namespace vipcare::service
