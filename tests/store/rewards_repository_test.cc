// The redemption tables' contract (SPEC L2 adjustments, L5 gifts, vouchers
// and redemptions): the same tests on SQLite and PostgreSQL, selected by
// VIPCARE_TEST_BACKEND.
#include <gtest/gtest.h>

#include "store/store.h"
#include "testing/test_db.h"

namespace vipcare::store {
namespace {

class RewardsRepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::Open(db_.url(), vipcare::testing::TestKeys(), 4);
    Must([&](Repository& repo) {
      repo.SaveCompany({"测试百货", "Asia/Shanghai"});
      east_ = repo.InsertRegion({RegionId(), "EAST", "华东片区"});
      south_ = repo.InsertRegion({RegionId(), "SOUTH", "华南片区"});
      const std::pair<const char*, RegionId> stores[] = {
          {"SH01", east_}, {"SH02", east_}, {"GZ01", south_}};
      for (const auto& [code, region] : stores) {
        domain::Store s;
        s.code = code;
        s.name = code;
        s.region_id = region;
        stores_.push_back(repo.InsertStore(s));
      }
      // One member per store.
      int n = 1;
      for (StoreId store : stores_) {
        domain::Member m;
        m.name = "会员";
        m.mobile.number = "1350000000" + std::to_string(n++);
        m.home_store_id = store;
        m.status = domain::MemberStatus::kFormal;
        members_.push_back(repo.InsertMember(m));
      }
    });
  }

  template <class F>
  void Must(F&& fn) {
    auto st = store_->Write([&](Repository& repo) -> Status {
      fn(repo);
      return OkStatus();
    });
    ASSERT_TRUE(st.ok());
  }

  static GiftRecord Gift(const std::string& code, int64_t price, int64_t stock) {
    GiftRecord g;
    g.code = code;
    g.name = "礼品" + code;
    g.description = "说明";
    g.points_price = Points(price);
    g.stock = stock;
    return g;
  }

  VoucherRecord Voucher(const std::string& code, MemberId member) {
    VoucherRecord v;
    v.code = code;
    v.member_id = member;
    v.value = Fen(2000);
    v.min_spend = Fen(10000);
    v.valid_from = Date::FromYmd(2026, 11, 23);
    v.valid_to = Date::FromYmd(2027, 2, 20);
    v.source = "cashback";
    v.created_at = FromEpochSeconds(1'790'000'000);
    return v;
  }

  AdjustmentRecord Adjustment(MemberId member, int64_t points, int64_t at) {
    AdjustmentRecord a;
    a.member_id = member;
    a.points = Points(points);
    a.reason = "补录积分";
    a.status = "pending";
    a.requested_at = FromEpochSeconds(at);
    return a;
  }

  vipcare::testing::TestDatabase db_;
  std::unique_ptr<Store> store_;
  RegionId east_, south_;
  std::vector<StoreId> stores_;
  std::vector<MemberId> members_;
};

TEST_F(RewardsRepositoryTest, L5GiftsAreListedByCodeAndInactiveOnesOnlyWhenAsked) {
  Must([&](Repository& repo) {
    auto& r = repo.rewards();
    GiftRecord kettle = Gift("KETTLE", 3000, 5);
    GiftRecord umbrella = Gift("UMBRELLA", 800, 0);
    GiftRecord bag = Gift("BAG", 1500, 2);
    bag.active = false;
    for (GiftRecord* g : {&kettle, &umbrella, &bag}) EXPECT_GT(r.InsertGift(*g), 0);
    auto got = r.GetGift(kettle.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->code, "KETTLE");
    EXPECT_EQ(got->description, "说明");
    EXPECT_EQ(got->points_price, Points(3000));
    EXPECT_EQ(got->stock, 5);
    EXPECT_TRUE(got->active);
    EXPECT_EQ(r.FindGiftByCode("BAG")->id, bag.id);
    EXPECT_FALSE(r.FindGiftByCode("NOPE"));
    EXPECT_FALSE(r.GetGift(9999));

    auto active = r.ListGifts(false, {10, 0});
    ASSERT_EQ(active.total, 2);
    EXPECT_EQ(active.items.at(0).code, "KETTLE");
    EXPECT_EQ(active.items.at(1).code, "UMBRELLA");
    auto all = r.ListGifts(true, {2, 0});
    EXPECT_EQ(all.total, 3);
    ASSERT_EQ(all.items.size(), 2u);
    EXPECT_EQ(all.items[0].code, "BAG");
    EXPECT_FALSE(all.items[0].active);

    umbrella.name = "折叠伞";
    umbrella.stock = 7;
    umbrella.active = false;
    EXPECT_TRUE(r.UpdateGift(umbrella));
    EXPECT_EQ(r.GetGift(umbrella.id)->name, "折叠伞");
    EXPECT_EQ(r.GetGift(umbrella.id)->stock, 7);
    EXPECT_EQ(r.ListGifts(false, {10, 0}).total, 1);
    GiftRecord ghost = Gift("GHOST", 1, 1);
    ghost.id = 9999;
    EXPECT_FALSE(r.UpdateGift(ghost));
  });
  EXPECT_THROW(store_->Write([&](Repository& repo) -> Status {
                 GiftRecord dup = Gift("KETTLE", 1, 1);
                 repo.rewards().InsertGift(dup);
                 return OkStatus();
               }),
               DbError);
}

TEST_F(RewardsRepositoryTest, L5StockIsTakenOnlyWhenThereIsEnoughOfAnActiveGift) {
  int64_t id = 0;
  Must([&](Repository& repo) {
    auto& r = repo.rewards();
    GiftRecord g = Gift("KETTLE", 3000, 3);
    id = r.InsertGift(g);
    EXPECT_TRUE(r.TakeGiftStock(id, 2));
    EXPECT_FALSE(r.TakeGiftStock(id, 2));
    EXPECT_EQ(r.GetGift(id)->stock, 1);
    EXPECT_TRUE(r.TakeGiftStock(id, 1));
    EXPECT_FALSE(r.TakeGiftStock(id, 1));
    EXPECT_EQ(r.GetGift(id)->stock, 0);
    g.stock = 4;
    g.active = false;
    r.UpdateGift(g);
    EXPECT_FALSE(r.TakeGiftStock(id, 1));
    EXPECT_EQ(r.GetGift(id)->stock, 4);
    EXPECT_FALSE(r.TakeGiftStock(9999, 1));
  });
  // The table itself refuses a negative stock.
  EXPECT_THROW(store_->Write([&](Repository& repo) -> Status {
                 GiftRecord g = *repo.rewards().GetGift(id);
                 g.stock = -1;
                 repo.rewards().UpdateGift(g);
                 return OkStatus();
               }),
               DbError);
}

TEST_F(RewardsRepositoryTest, L5AVoucherIsUsedOnceByOneSale) {
  Must([&](Repository& repo) {
    auto& r = repo.rewards();
    VoucherRecord first = Voucher("V0000000001", members_[0]);
    VoucherRecord second = Voucher("V0000000002", members_[0]);
    second.source = "redeem";
    VoucherRecord other = Voucher("V0000000003", members_[1]);
    for (VoucherRecord* v : {&first, &second, &other}) EXPECT_GT(r.InsertVoucher(*v), 0);
    auto got = r.FindVoucherByCode("V0000000001");
    ASSERT_TRUE(got);
    EXPECT_EQ(got->member_id, members_[0]);
    EXPECT_EQ(got->value, Fen(2000));
    EXPECT_EQ(got->min_spend, Fen(10000));
    EXPECT_EQ(got->valid_from, Date::FromYmd(2026, 11, 23));
    EXPECT_EQ(got->valid_to, Date::FromYmd(2027, 2, 20));
    EXPECT_EQ(got->source, "cashback");
    EXPECT_FALSE(got->used_at);
    EXPECT_EQ(got->used_transaction_id, 0);
    EXPECT_FALSE(r.FindVoucherByCode("V9999999999"));

    TransactionRecord sale;
    sale.external_id = "POS-1";
    sale.body_hash = "h";
    sale.kind = "sale";
    sale.member_id = members_[0];
    sale.store_id = stores_[0];
    sale.occurred_at = FromEpochSeconds(1'790'000'100);
    sale.local_day = Date::FromYmd(2026, 11, 24);
    sale.result = "{}";
    repo.loyalty().InsertTransaction(sale);
    EXPECT_TRUE(r.MarkVoucherUsed(first.id, FromEpochSeconds(1'790'000'100), sale.id));
    EXPECT_FALSE(r.MarkVoucherUsed(first.id, FromEpochSeconds(1'790'000'200), 0));
    auto used = r.GetVoucher(first.id);
    ASSERT_TRUE(used->used_at);
    EXPECT_EQ(*used->used_at, FromEpochSeconds(1'790'000'100));
    EXPECT_EQ(used->used_transaction_id, sale.id);

    auto mine = r.ListMemberVouchers(members_[0], {1, 0});
    EXPECT_EQ(mine.total, 2);
    ASSERT_EQ(mine.items.size(), 1u);
    EXPECT_EQ(mine.items[0].code, "V0000000002");  // newest first
    EXPECT_EQ(r.ListMemberVouchers(members_[2], {10, 0}).total, 0);
  });
  EXPECT_THROW(store_->Write([&](Repository& repo) -> Status {
                 VoucherRecord dup = Voucher("V0000000002", members_[2]);
                 repo.rewards().InsertVoucher(dup);
                 return OkStatus();
               }),
               DbError);
}

TEST_F(RewardsRepositoryTest, L5RedemptionsAreKeptPerMemberNewestFirst) {
  Must([&](Repository& repo) {
    auto& r = repo.rewards();
    GiftRecord g = Gift("KETTLE", 3000, 3);
    r.InsertGift(g);
    VoucherRecord v = Voucher("V0000000009", members_[0]);
    r.InsertVoucher(v);
    RedemptionRecord gift{0, members_[0], "gift", g.id, 2, Points(6000), 0, stores_[0],
                          FromEpochSeconds(100), UserId()};
    RedemptionRecord voucher{0, members_[0], "cashback", 0, 1, Points(500), v.id, StoreId(),
                             FromEpochSeconds(200), UserId()};
    EXPECT_GT(r.InsertRedemption(gift), 0);
    EXPECT_GT(r.InsertRedemption(voucher), gift.id);
    auto got = r.GetRedemption(gift.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->kind, "gift");
    EXPECT_EQ(got->gift_id, g.id);
    EXPECT_EQ(got->quantity, 2);
    EXPECT_EQ(got->points, Points(6000));
    EXPECT_EQ(got->voucher_id, 0);
    EXPECT_EQ(got->store_id, stores_[0]);
    EXPECT_EQ(got->at, FromEpochSeconds(100));
    auto list = r.ListMemberRedemptions(members_[0], {10, 0});
    ASSERT_EQ(list.total, 2);
    EXPECT_EQ(list.items[0].kind, "cashback");
    EXPECT_EQ(list.items[0].voucher_id, v.id);
    EXPECT_FALSE(list.items[0].store_id);
    EXPECT_EQ(r.ListMemberRedemptions(members_[1], {10, 0}).total, 0);
    EXPECT_FALSE(r.GetRedemption(9999));
  });
}

TEST_F(RewardsRepositoryTest, L2AdjustmentsAreDecidedOnceAndFilteredByStatusAndScope) {
  Must([&](Repository& repo) {
    auto& r = repo.rewards();
    AdjustmentRecord sh01 = Adjustment(members_[0], 300, 100);
    AdjustmentRecord sh02 = Adjustment(members_[1], -50, 200);
    AdjustmentRecord gz01 = Adjustment(members_[2], 1000, 300);
    for (AdjustmentRecord* a : {&sh01, &sh02, &gz01}) EXPECT_GT(r.InsertAdjustment(*a), 0);
    auto got = r.GetAdjustment(sh02.id);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->points, Points(-50));
    EXPECT_EQ(got->reason, "补录积分");
    EXPECT_EQ(got->status, "pending");
    EXPECT_FALSE(got->decided_at);
    EXPECT_FALSE(got->decided_by);

    sh02.status = "rejected";
    sh02.decided_at = FromEpochSeconds(400);
    sh02.decision_reason = "无凭证";
    EXPECT_TRUE(r.DecideAdjustment(sh02));
    sh02.status = "approved";
    EXPECT_FALSE(r.DecideAdjustment(sh02));  // decided already
    got = r.GetAdjustment(sh02.id);
    EXPECT_EQ(got->status, "rejected");
    EXPECT_EQ(got->decision_reason, "无凭证");
    EXPECT_EQ(*got->decided_at, FromEpochSeconds(400));

    auto all = r.ListAdjustments({}, {10, 0});
    ASSERT_EQ(all.total, 3);
    EXPECT_EQ(all.items[0].id, gz01.id);  // newest first
    auto pending = r.ListAdjustments({"pending", {}, {}, {}}, {10, 0});
    EXPECT_EQ(pending.total, 2);
    auto rejected = r.ListAdjustments({"rejected", {}, {}, {}}, {10, 0});
    ASSERT_EQ(rejected.total, 1);
    EXPECT_EQ(rejected.items[0].id, sh02.id);
    auto store = r.ListAdjustments({"", {}, stores_[0], {}}, {10, 0});
    ASSERT_EQ(store.total, 1);
    EXPECT_EQ(store.items[0].id, sh01.id);
    auto east = r.ListAdjustments({"", {}, {}, east_}, {10, 0});
    EXPECT_EQ(east.total, 2);
    auto south_pending = r.ListAdjustments({"pending", {}, {}, south_}, {1, 0});
    ASSERT_EQ(south_pending.total, 1);
    EXPECT_EQ(south_pending.items.at(0).id, gz01.id);
    auto member = r.ListAdjustments({"", members_[1], {}, {}}, {10, 0});
    ASSERT_EQ(member.total, 1);
    EXPECT_EQ(member.items[0].id, sh02.id);
    EXPECT_EQ(r.ListAdjustments({"approved", {}, {}, {}}, {10, 0}).total, 0);
  });
}

}  // namespace
}  // namespace vipcare::store
