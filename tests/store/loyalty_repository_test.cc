// The loyalty tables' contract (SPEC L1, L2, L6, L7): the same tests on SQLite
// and PostgreSQL, selected by VIPCARE_TEST_BACKEND.
#include <gtest/gtest.h>

#include <map>

#include "store/store.h"
#include "testing/test_db.h"

namespace vipcare::store {
namespace {

class LoyaltyRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::Open(db_.url(), vipcare::testing::TestKeys(), 4);
    Must([&](Repository& repo) {
      repo.SaveCompany({"测试百货", "Asia/Shanghai"});
      RegionId region = repo.InsertRegion({RegionId(), "EAST", "华东片区"});
      domain::Store s;
      s.code = "SH01";
      s.name = "上海南京路店";
      s.region_id = region;
      store_id_ = repo.InsertStore(s);
      for (const char* mobile : {"13500000001", "13500000002"}) AddMember(repo, mobile);
    });
  }

  // A formal member of the test store, appended to members_.
  void AddMember(Repository& repo, const char* mobile) {
    domain::Member m;
    m.name = "会员";
    m.mobile.number = mobile;
    m.home_store_id = store_id_;
    m.status = domain::MemberStatus::kFormal;
    members_.push_back(repo.InsertMember(m));
  }

  template <class F>
  void Must(F&& fn) {
    auto st = store_->Write([&](Repository& repo) -> Status {
      fn(repo);
      return OkStatus();
    });
    ASSERT_TRUE(st.ok());
  }

  TransactionRecord Sale(const std::string& external_id, MemberId member, int64_t paid_yuan) {
    TransactionRecord t;
    t.external_id = external_id;
    t.body_hash = "h-" + external_id;
    t.kind = "sale";
    t.member_id = member;
    t.store_id = store_id_;
    t.occurred_at = *ParseTimestamp("2026-11-23T02:00:00Z");
    t.local_day = Date::FromYmd(2026, 11, 23);
    t.list_total = Fen(paid_yuan * 100 + 5000);
    t.paid_total = Fen(paid_yuan * 100);
    t.points = Points(paid_yuan / 100 + 2);
    t.base_points = Points(paid_yuan / 100);
    t.bonus_points = Points(2);
    t.result = R"({"points":1})";
    t.lines = {{1, 0, "SKU-1", "女装", "品牌A", 1, Fen(paid_yuan * 100 + 5000), Fen(paid_yuan * 100),
                false, Fen(paid_yuan * 100)},
               {2, 0, "SKU-2", "配饰", "", 2, Fen(1000), Fen(0), true, Fen(0)}};
    return t;
  }

  testing::TestDatabase db_;
  std::unique_ptr<Store> store_;
  StoreId store_id_;
  std::vector<MemberId> members_;
};

TEST_F(LoyaltyRepositoryTest, L6ProgramVersionsAreKeptAndTheNewestIsCurrent) {
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    EXPECT_EQ(l.CompanyProgram(), "");
    l.InsertProgramVersion({0, "dept", 1, "百货卡", R"({"v":1})", UserId(), FromEpochSeconds(1)});
    l.InsertProgramVersion({0, "dept", 2, "百货卡", R"({"v":2})", UserId(), FromEpochSeconds(2)});
    l.InsertProgramVersion({0, "cosmetics", 1, "化妆品", R"({"v":1})", UserId(), FromEpochSeconds(3)});
    EXPECT_EQ(l.GetProgram("dept")->version, 2);
    EXPECT_EQ(l.GetProgram("dept", 1)->body, R"({"v":1})");
    EXPECT_FALSE(l.GetProgram("dept", 3));
    EXPECT_FALSE(l.GetProgram("nope"));
    auto all = l.ListPrograms();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].code, "cosmetics");
    EXPECT_EQ(all[1].version, 2);
    l.SetCompanyProgram("dept");
    EXPECT_EQ(l.CompanyProgram(), "dept");
  });
}

// L6: a change of the company's program is kept, with its progress, until it
// is cleared; one at a time.
TEST_F(LoyaltyRepositoryTest, L6AProgramSwitchUnderWayIsKeptWithItsProgress) {
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    EXPECT_FALSE(l.PendingProgramSwitch());
    l.SetPendingProgramSwitch({"department_store", "apparel_abc", MemberId(), FromEpochSeconds(100),
                               UserId(7)});
  });
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    auto s = l.PendingProgramSwitch();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->from_code, "department_store");
    EXPECT_EQ(s->to_code, "apparel_abc");
    EXPECT_EQ(s->after, MemberId());
    EXPECT_EQ(s->at, FromEpochSeconds(100));
    EXPECT_EQ(s->by, UserId(7));
    s->after = MemberId(42);
    l.SetPendingProgramSwitch(*s);
    EXPECT_EQ(l.PendingProgramSwitch()->after, MemberId(42));
    EXPECT_EQ(l.PendingProgramSwitch()->to_code, "apparel_abc");
    l.ClearPendingProgramSwitch();
    EXPECT_FALSE(l.PendingProgramSwitch());
  });
}

TEST_F(LoyaltyRepositoryTest, L1TransactionsKeepTheirLinesAndAreFoundByExternalId) {
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    TransactionRecord sale = Sale("POS-1", members_[0], 600);
    l.InsertTransaction(sale);
    EXPECT_GT(sale.id, 0);
    auto got = l.FindTransaction("POS-1");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->id, sale.id);
    EXPECT_EQ(got->paid_total, Fen(60000));
    EXPECT_EQ(got->points, Points(8));
    EXPECT_EQ(got->base_points, Points(6));
    EXPECT_EQ(got->bonus_points, Points(2));
    EXPECT_EQ(got->lines[0].earn_base, Fen(60000));
    EXPECT_EQ(got->local_day, Date::FromYmd(2026, 11, 23));
    EXPECT_EQ(got->result, R"({"points":1})");
    ASSERT_EQ(got->lines.size(), 2u);
    EXPECT_EQ(got->lines[0].category, "女装");
    EXPECT_TRUE(got->lines[1].promo);
    EXPECT_EQ(got->lines[1].quantity, 2);
    EXPECT_FALSE(l.FindTransaction("POS-404"));

    TransactionRecord refund = Sale("POS-1-R", members_[0], 100);
    refund.kind = "refund";
    refund.original_id = sale.id;
    refund.lines = {{1, 1, "SKU-1", "女装", "品牌A", 1, Fen(0), Fen(-10000), false, Fen(-10000)}};
    l.InsertTransaction(refund);
    auto refunds = l.ListRefundsOf(sale.id);
    ASSERT_EQ(refunds.size(), 1u);
    EXPECT_EQ(refunds[0].lines.at(0).original_line_no, 1);
    EXPECT_EQ(refunds[0].lines.at(0).paid, Fen(-10000));
    EXPECT_EQ(l.GetTransaction(refund.id)->original_id, sale.id);

    // A non-member sale counts for the store, not for any member.
    TransactionRecord walk_in = Sale("POS-2", MemberId(), 50);
    l.InsertTransaction(walk_in);
    EXPECT_FALSE(l.GetTransaction(walk_in.id)->member_id);
    auto page = l.ListMemberTransactions(members_[0], {10, 0});
    EXPECT_EQ(page.total, 2);
  });
}

TEST_F(LoyaltyRepositoryTest, L1AnExternalIdIsPostedOnce) {
  Must([&](Repository& repo) {
    TransactionRecord t = Sale("POS-9", members_[0], 100);
    repo.loyalty().InsertTransaction(t);
  });
  // The unique key is the last line of defence of idempotency: a second row
  // with the same id is refused and the transaction rolls back whole.
  EXPECT_THROW(store_->Write([&](Repository& repo) -> Status {
    repo.loyalty().AddToMonth({members_[1], 202611, Fen(20000), 1, Fen(20000), Points(2)});
    TransactionRecord t = Sale("POS-9", members_[1], 200);
    repo.loyalty().InsertTransaction(t);
    return OkStatus();
  }),
               DbError);
  Must([&](Repository& repo) {
    EXPECT_EQ(repo.loyalty().FindTransaction("POS-9")->member_id, members_[0]);
    EXPECT_TRUE(repo.loyalty().ListMonths(members_[1], 0).empty());
  });
}

TEST_F(LoyaltyRepositoryTest, L6StateIsSavedWithOptimisticVersions) {
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    EXPECT_FALSE(l.GetLoyaltyState(members_[0]));
    LoyaltyState s;
    s.member_id = members_[0];
    s.program_code = "dept";
    s.tier_code = "silver";
    s.tier_since = Date::FromYmd(2026, 5, 1);
    s.points_balance = Points(-30);
    s.growth_lifetime = Points(5200);
    s.carry_fen = Fen(99);
    s.downgrade_warned_on = Date::FromYmd(2026, 11, 1);
    EXPECT_TRUE(l.SaveLoyaltyState(s));
    EXPECT_EQ(s.version, 1);
    auto got = l.GetLoyaltyState(members_[0]);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->tier_code, "silver");
    EXPECT_EQ(got->points_balance, Points(-30));
    EXPECT_EQ(got->carry_fen, Fen(99));
    EXPECT_EQ(got->tier_since, Date::FromYmd(2026, 5, 1));
    EXPECT_EQ(got->downgrade_warned_on, Date::FromYmd(2026, 11, 1));
    EXPECT_FALSE(got->downgrade_effective_on);

    LoyaltyState stale = *got;
    got->tier_code = "gold";
    EXPECT_TRUE(l.SaveLoyaltyState(*got));
    EXPECT_EQ(got->version, 2);
    stale.tier_code = "normal";
    EXPECT_FALSE(l.SaveLoyaltyState(stale));  // someone else changed it
    EXPECT_EQ(l.GetLoyaltyState(members_[0])->tier_code, "gold");
  });
}

TEST_F(LoyaltyRepositoryTest, L6ProgramsInUseAreTheMembersOwnAndTheStoresDefaults) {
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    EXPECT_TRUE(l.ProgramsInUse().empty());
    EXPECT_EQ(l.HomeStoreProgram(members_[0]), "");
    // A member following the company's program ("") is not a program in use.
    LoyaltyState s;
    s.member_id = members_[0];
    ASSERT_TRUE(l.SaveLoyaltyState(s));
    EXPECT_TRUE(l.ProgramsInUse().empty());
    s.program_code = "cosmetics";
    ASSERT_TRUE(l.SaveLoyaltyState(s));
    auto st = repo.GetStore(store_id_);
    ASSERT_TRUE(st);
    st->program_code = "key_accounts";
    repo.UpdateStore(*st);
    EXPECT_EQ(repo.GetStore(store_id_)->program_code, "key_accounts");
    EXPECT_EQ(l.HomeStoreProgram(members_[1]), "key_accounts");
    EXPECT_EQ(l.ProgramsInUse(), (std::vector<std::string>{"cosmetics", "key_accounts"}));
  });
}

// Issue 5, bad input "unknown SKUs' categories": the catalogue the lines are
// checked against, in the order it was built, switched off but never removed.
TEST_F(LoyaltyRepositoryTest, L1TheCategoryCatalogueKeepsItsOrderAndSwitchesOff) {
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    EXPECT_FALSE(l.HasCategories());
    EXPECT_TRUE(l.ListCategories().empty());
    CategoryRecord a{0, "女装", true, UserId(0), FromEpochSeconds(1000), FromEpochSeconds(1000)};
    CategoryRecord b{0, "Beauty 美妆", true, UserId(0), FromEpochSeconds(2000),
                     FromEpochSeconds(2000)};
    l.InsertCategory(a);
    l.InsertCategory(b);
    EXPECT_GT(b.id, a.id);
    EXPECT_TRUE(l.HasCategories());
    b.active = false;
    b.updated_at = FromEpochSeconds(3000);
    EXPECT_TRUE(l.UpdateCategory(b));
    CategoryRecord missing = b;
    missing.id = b.id + 100;
    EXPECT_FALSE(l.UpdateCategory(missing));
    auto all = l.ListCategories();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "女装");
    EXPECT_TRUE(all[0].active);
    EXPECT_EQ(all[1].name, "Beauty 美妆");
    EXPECT_FALSE(all[1].active);
    EXPECT_EQ(all[1].created_at, FromEpochSeconds(2000));
    EXPECT_EQ(all[1].updated_at, FromEpochSeconds(3000));
    EXPECT_EQ(l.FindCategory("女装")->id, a.id);
    EXPECT_FALSE(l.FindCategory("女"));
    EXPECT_EQ(l.GetCategory(b.id)->name, "Beauty 美妆");
  });
  // A name is listed once.
  EXPECT_THROW(store_->Write([&](Repository& repo) -> Status {
                 CategoryRecord again{0, "女装", true, UserId(0), FromEpochSeconds(1),
                                      FromEpochSeconds(1)};
                 repo.loyalty().InsertCategory(again);
                 return OkStatus();
               }),
               DbError);
}

// What the tills sent since a day: sale lines per category, most first;
// refunds, blank categories and earlier days left out.
TEST_F(LoyaltyRepositoryTest, L1CategoriesSoldCountSaleLinesSinceADay) {
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    for (int i = 0; i < 3; ++i) {
      TransactionRecord t = Sale("S-" + std::to_string(i), members_[0], 100);
      t.lines[1].category = i == 2 ? "" : "配饰";
      l.InsertTransaction(t);
    }
    TransactionRecord old = Sale("S-old", members_[1], 100);
    old.local_day = Date::FromYmd(2026, 10, 1);
    old.lines[0].category = "童装";
    l.InsertTransaction(old);
    TransactionRecord refund = Sale("R-1", members_[0], 100);
    refund.kind = "refund";
    refund.lines[0].category = "鞋履";
    l.InsertTransaction(refund);
    using Sold = std::vector<std::pair<std::string, int64_t>>;
    EXPECT_EQ(l.CategoriesSold(Date::FromYmd(2026, 11, 1)), (Sold{{"女装", 3}, {"配饰", 2}}));
    // (Ties come in either order: the engines sort names differently.)
    const Sold since_october = l.CategoriesSold(Date::FromYmd(2026, 10, 1));
    using Counts = std::map<std::string, int64_t>;
    const Counts expected{{"女装", 3}, {"配饰", 3}, {"童装", 1}};
    EXPECT_EQ(Counts(since_october.begin(), since_october.end()), expected);
    ASSERT_EQ(since_october.size(), 3u);
    EXPECT_EQ(since_october[2].first, "童装");
    EXPECT_TRUE(l.CategoriesSold(Date::FromYmd(2026, 11, 24)).empty());
  });
}

TEST_F(LoyaltyRepositoryTest, L6SavesThatKeepOrChangeTheIndexedColumnsBothStick) {
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    LoyaltyState s;
    s.member_id = members_[0];
    s.program_code = "dept";
    s.tier_code = "silver";
    ASSERT_TRUE(l.SaveLoyaltyState(s));
    // A sale's save: balances and dates only.
    auto got = l.GetLoyaltyState(members_[0]);
    got->points_balance = Points(120);
    got->last_purchase_on = Date::FromYmd(2026, 11, 23);
    ASSERT_TRUE(l.SaveLoyaltyState(*got));
    // Then, on the same copy, a queued approval and a rank.
    got->pending_tier = "gold";
    got->pending_reason = "12-month spend";
    got->rank_percentile = 3;
    ASSERT_TRUE(l.SaveLoyaltyState(*got));
    // And balances alone again, after the indexed columns changed.
    got->points_balance = Points(150);
    ASSERT_TRUE(l.SaveLoyaltyState(*got));
    EXPECT_EQ(got->version, 4);
    auto now = l.GetLoyaltyState(members_[0]);
    EXPECT_EQ(now->points_balance, Points(150));
    EXPECT_EQ(now->last_purchase_on, Date::FromYmd(2026, 11, 23));
    EXPECT_EQ(now->tier_code, "silver");
    EXPECT_EQ(now->pending_tier, "gold");
    EXPECT_EQ(now->pending_reason, "12-month spend");
    EXPECT_EQ(now->rank_percentile, 3);
    EXPECT_EQ(now->version, 4);
    // The pending queue (read through its index) lists the member.
    auto queue = l.ListPendingApprovals(std::nullopt, std::nullopt, Page{50, 0});
    ASSERT_EQ(queue.items.size(), 1u);
    EXPECT_EQ(queue.items[0].member_id, members_[0]);
    // A stale copy still loses on either path.
    got->version = 3;
    got->points_balance = Points(1);
    EXPECT_FALSE(l.SaveLoyaltyState(*got));
    got->tier_code = "gold";
    EXPECT_FALSE(l.SaveLoyaltyState(*got));
    EXPECT_EQ(l.GetLoyaltyState(members_[0])->points_balance, Points(150));
  });
}

// The store manager's queue lists the longest-waiting member first, each with
// the time their waiting tier was queued; a member queued, rejected and queued
// again waits from the second time (the caller sets pending_since with the
// pending tier), and a cleared queue entry keeps no time.
TEST_F(LoyaltyRepositoryTest, L6TheApprovalQueueListsTheLongestWaitingFirst) {
  Must([&](Repository& repo) {
    for (const char* mobile : {"13500000003", "13500000004"}) AddMember(repo, mobile);
    auto& l = repo.loyalty();
    const auto at = [](int64_t s) { return FromEpochSeconds(1790000000 + s); };
    // members_[0] queued at 500, then again at 2000; [1] at 1000; [2] with no
    // time (queued before the time was kept); [3] at 1000 too, a later id.
    const std::optional<Timestamp> since[] = {at(500), at(1000), std::nullopt, at(1000)};
    for (size_t i = 0; i < members_.size(); ++i) {
      LoyaltyState s;
      s.member_id = members_[i];
      s.tier_code = "silver";
      s.pending_tier = "gold";
      s.pending_since = since[i];
      ASSERT_TRUE(l.SaveLoyaltyState(s));
    }
    auto first = l.GetLoyaltyState(members_[0]);
    EXPECT_EQ(first->pending_since, at(500));
    first->pending_tier.clear();  // rejected
    ASSERT_TRUE(l.SaveLoyaltyState(*first));
    EXPECT_FALSE(l.GetLoyaltyState(members_[0])->pending_since.has_value());
    EXPECT_EQ(l.ListPendingApprovals(std::nullopt, std::nullopt, Page{50, 0}).total, 3);
    first->pending_tier = "gold";  // queued again
    first->pending_since = at(2000);
    ASSERT_TRUE(l.SaveLoyaltyState(*first));

    auto queue = l.ListPendingApprovals(std::nullopt, std::nullopt, Page{50, 0});
    ASSERT_EQ(queue.items.size(), 4u);
    EXPECT_EQ(queue.total, 4);
    const MemberId order[] = {members_[2], members_[1], members_[3], members_[0]};
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(queue.items[i].member_id, order[i]) << i;
      EXPECT_EQ(queue.items[i].pending_tier, "gold");
    }
    EXPECT_FALSE(queue.items[0].pending_since.has_value());
    EXPECT_EQ(queue.items[1].pending_since, at(1000));
    EXPECT_EQ(queue.items[2].pending_since, at(1000));
    EXPECT_EQ(queue.items[3].pending_since, at(2000));
    auto second = l.ListPendingApprovals(std::nullopt, std::nullopt, Page{1, 1});
    ASSERT_EQ(second.items.size(), 1u);
    EXPECT_EQ(second.items[0].member_id, members_[1]);
    EXPECT_EQ(second.items[0].pending_since, at(1000));
  });
}

TEST_F(LoyaltyRepositoryTest, L6R4MonthlyBucketsAddUpAndKeepTheLargestPurchaseAndLastSaleDay) {
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    l.AddToMonth({members_[0], 202610, Fen(50000), 1, Fen(50000), Points(5)});
    l.AddToMonth({members_[0], 202611, Fen(30000), 1, Fen(30000), Points(3),
                  Date::FromYmd(2026, 11, 20)});
    l.AddToMonth({members_[0], 202611, Fen(80000), 1, Fen(80000), Points(8),
                  Date::FromYmd(2026, 11, 6)});  // posted late: an earlier day
    l.AddToMonth({members_[0], 202611, Fen(-10000), 0, Fen(0), Points(-1)});  // a refund
    l.AddToMonth({members_[1], 202611, Fen(100), 1, Fen(100), Points(0)});
    auto months = l.ListMonths(members_[0], 202601);
    ASSERT_EQ(months.size(), 2u);
    EXPECT_EQ(months[0].month, 202610);
    EXPECT_EQ(months[1].spend, Fen(100000));
    EXPECT_EQ(months[1].purchases, 2);
    EXPECT_EQ(months[1].largest, Fen(80000));
    EXPECT_EQ(months[1].points, Points(10));
    // R4/R5: the month's last sale day, kept however late the sales come.
    EXPECT_EQ(months[1].last_day, Date::FromYmd(2026, 11, 20));
    EXPECT_EQ(months[0].last_day, std::nullopt);
    EXPECT_EQ(l.ListMonths(members_[0], 202611).size(), 1u);
  });
}

TEST_F(LoyaltyRepositoryTest, L2OpenLotsComeSoonestExpiryFirstAndTheLedgerNewestFirst) {
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    const MemberId m = members_[0];
    int64_t never = l.InsertLot({0, m, "adjust", 0, Points(10), Points(10),
                                 Date::FromYmd(2026, 1, 5), std::nullopt});
    int64_t late = l.InsertLot({0, m, "earn", 0, Points(20), Points(20), Date::FromYmd(2026, 3, 1),
                                Date::FromYmd(2027, 12, 31)});
    int64_t soon = l.InsertLot({0, m, "earn", 0, Points(30), Points(30), Date::FromYmd(2026, 6, 1),
                                Date::FromYmd(2026, 12, 31)});
    auto lots = l.ListOpenLots(m);
    ASSERT_EQ(lots.size(), 3u);
    EXPECT_EQ(lots[0].id, soon);
    EXPECT_EQ(lots[1].id, late);
    EXPECT_EQ(lots[2].id, never);
    EXPECT_FALSE(lots[2].expires_on);
    l.SetLotRemaining(soon, Points(0));
    EXPECT_EQ(l.ListOpenLots(m).size(), 2u);
    auto expiring = l.LotsExpiringBefore(Date::FromYmd(2028, 1, 1), 100);
    ASSERT_EQ(expiring.size(), 1u);
    EXPECT_EQ(expiring[0].id, late);

    l.AppendLedger({0, m, FromEpochSeconds(100), "earn", Points(30), Points(30), 0, 0, "", UserId(),
                    UserId()});
    l.AppendLedger({0, m, FromEpochSeconds(200), "redeem", Points(-30), Points(0), 0, 0, "礼品",
                    UserId(), UserId()});
    auto ledger = l.ListLedger(m, {10, 0});
    EXPECT_EQ(ledger.total, 2);
    EXPECT_EQ(ledger.items.at(0).kind, "redeem");
    EXPECT_EQ(ledger.items.at(0).balance_after, Points(0));
    EXPECT_EQ(ledger.items.at(0).reason, "礼品");

    l.AppendTierChange({0, m, FromEpochSeconds(300), "upgrade", "", "normal",
                        "首次消费 ¥600 ≥ ¥500", UserId()});
    l.AppendTierChange({0, m, FromEpochSeconds(400), "approval_queued", "gold", "purple",
                        "近12个月消费 ¥40,000，待店长审批", UserId()});
    auto tiers = l.ListTierChanges(m, {10, 0});
    EXPECT_EQ(tiers.total, 2);
    EXPECT_EQ(tiers.items.at(0).to_tier, "purple");
    EXPECT_EQ(tiers.items.at(1).reason, "首次消费 ¥600 ≥ ¥500");
  });
}

}  // namespace
}  // namespace vipcare::store
