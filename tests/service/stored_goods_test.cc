// Stored goods (存货领用提醒, SPEC C6) through service::StoredGoods, and the
// pickup reminders the daily schedule (service::LoyaltyJobs with the care
// job) gives until the goods are collected, on the backend
// VIPCARE_TEST_BACKEND selects. The default care rule `stored_goods`
// reminds every 7 days after the day the oldest goods were stored.
#include "service/stored_goods.h"

#include <gtest/gtest.h>

#include "service/care.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class StoredGoodsTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  StoredGoodsTest() {
    associate_ = fx_.AddUser("assoc.sh01", Role::kAssociate, fx_.org().associate_sh01);
    other_associate_ = fx_.AddUser("assoc.sh02", Role::kAssociate, fx_.org().associate_sh02);
    // The brand the seed texts sign with ({brand}).
    auto st = fx_.store().Write([&](store::Repository& repo) -> Status {
      repo.SaveCompany({"恒久百货", "Asia/Shanghai"});
      return OkStatus();
    });
    EXPECT_TRUE(st.ok());
  }

  // A formal member of SH01 looked after by the SH01 associate.
  MemberId Member(const std::string& name) {
    json body = fx_.MemberBody(name, fx_.org().sh01);
    body["associate_id"] = fx_.org().associate_sh01.value;
    body["status"] = "formal";
    auto m = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(m.ok()) << m.error().field << ": " << m.error().message;
    return m.ok() ? m->member.id : MemberId();
  }

  json MustStore(const Actor& a, MemberId m, const json& body) {
    auto r = goods_.Store(a, m, body);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  json Listed(MemberId m, bool include_collected) {
    auto r = goods_.List(fx_.admin(), m, include_collected, {50, 0});
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  // The schedule (loyalty jobs + care) for `day`, with the clock at 01:00 of it.
  void RunCare(Date day) {
    fx_.clock().Set(fx_.env().tz.StartOfDay(day) + std::chrono::hours(1));
    auto r = care_jobs_.RunThrough(fx_.admin(), day);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  }

  std::vector<store::CareTaskRecord> GoodsTasks(MemberId m) {
    auto r = fx_.store().Read(
        [&](store::Repository& repo) -> Result<std::vector<store::CareTaskRecord>> {
          store::CareTaskFilter f;
          f.member = m;
          f.occasion = "stored_goods";
          return repo.care().ListTasks(f, {500, 0}).items;
        });
    return r.ok() ? *r : std::vector<store::CareTaskRecord>();
  }
  std::vector<store::OutboxMessage> Outbox(MemberId m) {
    auto r = fx_.store().Read(
        [&](store::Repository& repo) -> Result<std::vector<store::OutboxMessage>> {
          store::OutboxFilter f;
          f.member = m;
          return repo.care().ListOutbox(f, {500, 0}).items;
        });
    return r.ok() ? *r : std::vector<store::OutboxMessage>();
  }

  StoredGoods goods_{fx_.env()};
  Care care_{fx_.env()};
  LoyaltyJobs care_jobs_{fx_.env(), LoyaltyJobs::kBatchSize, &care_};
  Actor associate_, other_associate_;
};

TEST_F(StoredGoodsTest, C6_GoodsLeftInStoreAreListedUntilCollected) {
  const MemberId m = Member("甲寄存");
  const Date today = fx_.env().Today();
  auto stored = MustStore(associate_, m,
                          {{"description", "羊绒大衣1件"},
                           {"quantity", 1},
                           {"pickup_by", today.AddDays(14).ToString()}});
  EXPECT_EQ(stored["member_id"], m.value);
  EXPECT_EQ(stored["store_id"], fx_.org().sh01.value);
  EXPECT_EQ(stored["store_name"], "上海南京路店");
  EXPECT_EQ(stored["description"], "羊绒大衣1件");
  EXPECT_EQ(stored["stored_on"], today.ToString());
  EXPECT_EQ(stored["pickup_by"], today.AddDays(14).ToString());
  EXPECT_EQ(stored["status"], "stored");
  EXPECT_TRUE(stored["collected_on"].is_null());
  MustStore(associate_, m, {{"description", "皮鞋2双"}, {"quantity", 2}});

  auto list = Listed(m, false);
  EXPECT_EQ(list["total"], 2);
  EXPECT_EQ(list["awaiting"], 2);
  EXPECT_EQ(list["items"][0]["description"], "羊绒大衣1件");

  auto collected = goods_.Collect(associate_, m, stored["id"].get<int64_t>());
  ASSERT_TRUE(collected.ok()) << collected.error().message;
  EXPECT_EQ((*collected)["status"], "collected");
  EXPECT_EQ((*collected)["collected_on"], today.ToString());
  EXPECT_EQ((*collected)["collected_by"], associate_.user_id.value);

  list = Listed(m, false);
  ASSERT_EQ(list["total"], 1);
  EXPECT_EQ(list["items"][0]["description"], "皮鞋2双");
  list = Listed(m, true);
  EXPECT_EQ(list["total"], 2);
  EXPECT_EQ(list["awaiting"], 1);
  // Awaiting pickup first, then what was handed over.
  EXPECT_EQ(list["items"][0]["status"], "stored");
  EXPECT_EQ(list["items"][1]["status"], "collected");
  EXPECT_EQ(fx_.CountAudit("goods_store"), 2);
  EXPECT_EQ(fx_.CountAudit("goods_collect"), 1);
}

TEST_F(StoredGoodsTest, C6_CollectingTheSameGoodsTwiceIsAConflict) {
  const MemberId m = Member("乙寄存");
  auto stored = MustStore(associate_, m, {{"description", "真丝围巾1条"}, {"quantity", 1}});
  const int64_t id = stored["id"].get<int64_t>();
  ASSERT_TRUE(goods_.Collect(associate_, m, id).ok());
  fx_.clock().Set(fx_.clock().Now() + std::chrono::hours(24));
  auto again = goods_.Collect(manager_, m, id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(again.error().field, "goods_id");
  // The first handover stands.
  auto list = Listed(m, true);
  EXPECT_EQ(list["items"][0]["collected_on"], fx_.env().Today().AddDays(-1).ToString());
  EXPECT_EQ(list["items"][0]["collected_by"], associate_.user_id.value);
  EXPECT_EQ(fx_.CountAudit("goods_collect"), 1);
}

TEST_F(StoredGoodsTest, C6_GoodsOfAnErasedMemberAreRefused) {
  const MemberId m = Member("丙寄存");
  ASSERT_TRUE(members_.Erase(fx_.admin(), m, "顾客要求删除").ok());
  auto r = goods_.Store(fx_.admin(), m, {{"description", "羊绒大衣1件"}, {"quantity", 1}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(r.error().field, "member_id");
  EXPECT_EQ(Listed(m, true)["total"], 0);
  EXPECT_EQ(fx_.CountAudit("goods_store"), 0);
}

TEST_F(StoredGoodsTest, C6_AnotherStoresAssociateMayNotStoreListOrCollect) {
  const MemberId m = Member("丁寄存");
  auto foreign = goods_.Store(other_associate_, m, {{"description", "羊绒大衣1件"}, {"quantity", 1}});
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(Listed(m, true)["total"], 0);

  auto stored = MustStore(associate_, m, {{"description", "羊绒大衣1件"}, {"quantity", 1}});
  const int64_t id = stored["id"].get<int64_t>();
  auto list = goods_.List(other_associate_, m, true, {50, 0});
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.error().code, ErrorCode::kForbidden);
  auto collect = goods_.Collect(other_associate_, m, id);
  ASSERT_FALSE(collect.ok());
  EXPECT_EQ(collect.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(Listed(m, false)["total"], 1);

  // An associate keeps goods at their own store only.
  auto elsewhere = goods_.Store(associate_, m, {{"description", "手袋1个"},
                                                {"quantity", 1},
                                                {"store_id", fx_.org().sh02.value}});
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_EQ(elsewhere.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(elsewhere.error().field, "store_id");
  // Goods an admin put in SH02 are handed over there, not by SH01's associate.
  auto at_sh02 = MustStore(fx_.admin(), m, {{"description", "手袋1个"},
                                            {"quantity", 1},
                                            {"store_id", fx_.org().sh02.value}});
  EXPECT_EQ(at_sh02["store_id"], fx_.org().sh02.value);
  auto handover = goods_.Collect(associate_, m, at_sh02["id"].get<int64_t>());
  ASSERT_FALSE(handover.ok());
  EXPECT_EQ(handover.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(Listed(m, false)["total"], 2);
}

TEST_F(StoredGoodsTest, C6_BadInputNamesTheFieldAndStoresNothing) {
  const MemberId m = Member("戊寄存");
  const MemberId other = Member("己寄存");
  auto other_sale = Buy(other, 800, fx_.env().Today());
  const json good = {{"description", "羊绒大衣1件"}, {"quantity", 1}};
  struct Case {
    json patch;
    std::string field;
    ErrorCode code;
  };
  const Case cases[] = {
      {{{"description", nullptr}}, "description", ErrorCode::kInvalidArgument},
      {{{"description", "   "}}, "description", ErrorCode::kInvalidArgument},
      {{{"description", std::string(201, 'x')}}, "description", ErrorCode::kInvalidArgument},
      {{{"quantity", 0}}, "quantity", ErrorCode::kInvalidArgument},
      {{{"quantity", "1"}}, "quantity", ErrorCode::kInvalidArgument},
      {{{"pickup_by", "2026-02-30"}}, "pickup_by", ErrorCode::kInvalidArgument},
      {{{"pickup_by", fx_.env().Today().AddDays(-1).ToString()}}, "pickup_by",
       ErrorCode::kInvalidArgument},
      {{{"colour", "red"}}, "colour", ErrorCode::kInvalidArgument},
      {{{"transaction_id", 999999}}, "transaction_id", ErrorCode::kNotFound},
      {{{"transaction_id", other_sale["id"]}}, "transaction_id", ErrorCode::kUnprocessable},
      {{{"store_id", 999999}}, "store_id", ErrorCode::kNotFound},
  };
  for (const auto& c : cases) {
    json body = good;
    body.update(c.patch);
    if (c.patch.contains("description") && c.patch["description"].is_null()) {
      body.erase("description");
    }
    auto r = goods_.Store(fx_.admin(), m, body);
    ASSERT_FALSE(r.ok()) << body.dump();
    EXPECT_EQ(r.error().field, c.field) << body.dump();
    EXPECT_EQ(r.error().code, c.code) << body.dump();
  }
  EXPECT_EQ(Listed(m, true)["total"], 0);
  EXPECT_EQ(fx_.CountAudit("goods_store"), 0);
}

TEST_F(StoredGoodsTest, C6_TheSaleTheGoodsCameFromIsKeptWithThem) {
  const MemberId m = Member("庚寄存");
  auto sale = Buy(m, 2600, fx_.env().Today());
  ASSERT_TRUE(sale.contains("id"));
  auto stored = MustStore(associate_, m, {{"description", "羊绒大衣1件"},
                                          {"quantity", 1},
                                          {"transaction_id", sale["id"]}});
  EXPECT_EQ(stored["transaction_id"], sale["id"]);
  EXPECT_EQ(Listed(m, false)["items"][0]["transaction_id"], sale["id"]);
}

TEST_F(StoredGoodsTest, C6_TheDailyJobReadsTheOldestGoodsAwaitingPickup) {
  const MemberId m = Member("辛寄存");
  const MemberId none = Member("壬无寄存");
  At(D(2027, 3, 1));
  auto coat = MustStore(associate_, m, {{"description", "羊绒大衣1件"}, {"quantity", 1}});
  At(D(2027, 3, 5));
  MustStore(associate_, m, {{"description", "皮鞋2双"}, {"quantity", 2}});
  auto read = [&] {
    return fx_.store().Read(
        [&](store::Repository& repo)
            -> Result<std::pair<std::vector<std::pair<MemberId, Date>>, std::string>> {
          return std::make_pair(repo.care().OldestUncollectedGoodsBetween(m, none),
                                repo.care().UncollectedGoodsText(m));
        });
  };
  auto before = read();
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->first.size(), 1u);  // nothing for the member without goods
  EXPECT_EQ(before->first[0].first, m);
  EXPECT_EQ(before->first[0].second, D(2027, 3, 1));
  EXPECT_EQ(before->second, "羊绒大衣1件、皮鞋2双");
  ASSERT_TRUE(goods_.Collect(associate_, m, coat["id"].get<int64_t>()).ok());
  auto after = read();
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->first.size(), 1u);
  EXPECT_EQ(after->first[0].second, D(2027, 3, 5));
  EXPECT_EQ(after->second, "皮鞋2双");
}

// Needs Care::GenerateDay to read OldestUncollectedGoodsBetween into
// MemberFacts::stored_goods_since and UncollectedGoodsText into {goods}.
TEST_F(StoredGoodsTest, C6_StoredGoodsAreRemindedEveryWeekUntilCollected) {
  const MemberId collects = Member("癸寄存");
  const MemberId waits = Member("子寄存");
  const Date stored_on = D(2027, 3, 1);
  RunCare(stored_on);
  auto coat = MustStore(associate_, collects, {{"description", "羊绒大衣1件"}, {"quantity", 1}});
  MustStore(associate_, waits, {{"description", "真丝围巾1条"}, {"quantity", 1}});

  // Nothing before the first week is out.
  RunCare(stored_on.AddDays(6));
  EXPECT_TRUE(GoodsTasks(collects).empty());

  RunCare(stored_on.AddDays(7));
  auto first = GoodsTasks(collects);
  ASSERT_EQ(first.size(), 1u) << "存货领用提醒 7 days after storing";
  EXPECT_EQ(first[0].occasion_key, "stored_goods:2027-03-01:1");
  EXPECT_EQ(first[0].occasion_on, stored_on.AddDays(7));
  EXPECT_EQ(first[0].channel, "phone");
  EXPECT_EQ(first[0].assignee_id, fx_.org().associate_sh01);
  bool texted = false;
  for (const auto& msg : Outbox(collects)) {
    if (msg.task_id != first[0].id || msg.channel != "sms") continue;
    texted = true;
    EXPECT_EQ(msg.status, "queued") << msg.reason << " " << msg.detail;
    EXPECT_NE(msg.text.find("羊绒大衣1件"), std::string::npos) << msg.text;
  }
  EXPECT_TRUE(texted) << "the pickup SMS names the goods";

  At(stored_on.AddDays(8));
  ASSERT_TRUE(goods_.Collect(associate_, collects, coat["id"].get<int64_t>()).ok());
  RunCare(stored_on.AddDays(14));
  EXPECT_EQ(GoodsTasks(collects).size(), 1u) << "no reminder after collection";
  // Goods still waiting get their second weekly reminder.
  auto waiting = GoodsTasks(waits);
  ASSERT_EQ(waiting.size(), 2u);
  EXPECT_EQ(waiting[1].occasion_key, "stored_goods:2027-03-01:2");
}

// M6 + C6: goods the absorbed file left in store follow the member to the
// surviving file, so the survivor is reminded and can collect them.
TEST_F(StoredGoodsTest, C6_MergedMembersGoodsMoveToTheSurvivor) {
  const MemberId survivor = Member("吴留存");
  const MemberId absorbed = Member("吴重复");
  auto stored = MustStore(fx_.admin(), absorbed, {{"description", "皮鞋1双"}, {"quantity", 1}});
  ASSERT_TRUE(members_.Merge(fx_.admin(), survivor, absorbed).ok());
  auto listed = Listed(survivor, false);
  ASSERT_EQ(listed["total"], 1) << listed.dump();
  EXPECT_EQ(listed["items"][0]["description"], "皮鞋1双");
  EXPECT_TRUE(goods_.Collect(fx_.admin(), survivor, stored["id"].get<int64_t>()).ok());
}

}  // namespace
}  // namespace vipcare::service
