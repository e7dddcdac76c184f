// The daily schedule's tables (SPEC L4, L6, L7, D2): job claims, notices for
// the care engine, member walks and the figures the jobs read. The same tests
// on SQLite and PostgreSQL, selected by VIPCARE_TEST_BACKEND.
#include <gtest/gtest.h>

#include "store/store.h"
#include "testing/test_db.h"

namespace vipcare::store {
namespace {

const Date kDay = Date::FromYmd(2026, 11, 23);

class LoyaltyJobsRepositoryTest : public ::testing::Test {
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
      StoreId store = repo.InsertStore(s);
      for (int i = 0; i < 6; ++i) {
        domain::Member m;
        m.name = "会员";
        m.mobile.number = "1350000000" + std::to_string(i);
        m.home_store_id = store;
        m.status = i < 2 ? domain::MemberStatus::kTemporary : domain::MemberStatus::kFormal;
        if (i == 5) m.status = domain::MemberStatus::kClosed;  // a file that has ended
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

  void SaveState(MemberId id, const std::string& tier, std::optional<int> rank = {},
                 const std::string& program = "department_store", const std::string& pending = "") {
    Must([&](Repository& repo) {
      LoyaltyState s;
      s.member_id = id;
      s.program_code = program;
      s.tier_code = tier;
      s.rank_percentile = rank;
      s.pending_tier = pending;
      ASSERT_TRUE(repo.loyalty().SaveLoyaltyState(s));
    });
  }

  testing::TestDatabase db_;
  std::unique_ptr<Store> store_;
  std::vector<MemberId> members_;
};

Timestamp At(int64_t s) { return FromEpochSeconds(1'800'000'000 + s); }

// D2: a job of a day is claimed by one run at a time; a finished one is never
// claimed again; a run that stopped beating is taken over.
TEST_F(LoyaltyJobsRepositoryTest, D2AJobRunIsClaimedOnceAndTakenOverOnlyWhenStale) {
  Must([&](Repository& repo) {
    auto& j = repo.loyalty_jobs();
    EXPECT_FALSE(j.GetJobRun("points_expiry", kDay));
    EXPECT_TRUE(j.ClaimJobRun("points_expiry", kDay, "A", At(100), At(0)));
    EXPECT_FALSE(j.ClaimJobRun("points_expiry", kDay, "B", At(110), At(50)));  // A is alive
    EXPECT_TRUE(j.TouchJobRun("points_expiry", kDay, "A", At(200)));
    EXPECT_FALSE(j.TouchJobRun("points_expiry", kDay, "B", At(200)));
    EXPECT_TRUE(j.ClaimJobRun("points_expiry", kDay, "B", At(900), At(300)));  // A went quiet
    EXPECT_FALSE(j.FinishJobRun("points_expiry", kDay, "A", At(901), "{}"));
    EXPECT_TRUE(j.FinishJobRun("points_expiry", kDay, "B", At(902), R"({"expired_lots":3})"));
    auto run = j.GetJobRun("points_expiry", kDay);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->status, "done");
    EXPECT_EQ(run->owner, "B");
    EXPECT_EQ(run->summary, R"({"expired_lots":3})");
    ASSERT_TRUE(run->ran_at);
    EXPECT_EQ(*run->ran_at, At(902));
    EXPECT_FALSE(j.ClaimJobRun("points_expiry", kDay, "C", At(99999), At(99999)));
    EXPECT_EQ(j.LastDoneDay("points_expiry"), kDay);
    EXPECT_FALSE(j.LastDoneDay("rank"));
  });
}

// A heartbeat keeps the run alive without moving its start: a finished job
// says how long it ran (ran_at - started_at), and staleness is counted from
// the last beat.
TEST_F(LoyaltyJobsRepositoryTest, D2AHeartbeatKeepsTheStartAndCountsForStaleness) {
  Must([&](Repository& repo) {
    auto& j = repo.loyalty_jobs();
    ASSERT_TRUE(j.ClaimJobRun("churn_scores", kDay, "A", At(100), At(0)));
    EXPECT_TRUE(j.TouchJobRun("churn_scores", kDay, "A", At(700)));
    // Started long ago, but beat at 700: not stale before 600.
    EXPECT_FALSE(j.ClaimJobRun("churn_scores", kDay, "B", At(800), At(600)));
    EXPECT_TRUE(j.TouchJobRun("churn_scores", kDay, "A", At(1000)));
    EXPECT_TRUE(j.FinishJobRun("churn_scores", kDay, "A", At(1100), "{}"));
    auto run = j.GetJobRun("churn_scores", kDay);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->started_at, At(100));
    ASSERT_TRUE(run->ran_at);
    EXPECT_EQ(*run->ran_at - run->started_at, std::chrono::seconds(1000));
  });
}

TEST_F(LoyaltyJobsRepositoryTest, D2AReleasedClaimCanBeTakenAtOnceAndLastDoneDayIsTheLatest) {
  Must([&](Repository& repo) {
    auto& j = repo.loyalty_jobs();
    ASSERT_TRUE(j.ClaimJobRun("day", kDay, "A", At(0), At(-1)));
    j.ReleaseJobRun("day", kDay, "A");
    EXPECT_TRUE(j.ClaimJobRun("day", kDay, "B", At(1), At(0)));
    EXPECT_TRUE(j.FinishJobRun("day", kDay, "B", At(2), "{}"));
    ASSERT_TRUE(j.ClaimJobRun("day", kDay.AddDays(2), "B", At(3), At(0)));
    ASSERT_TRUE(j.FinishJobRun("day", kDay.AddDays(2), "B", At(4), "{}"));
    ASSERT_TRUE(j.ClaimJobRun("day", kDay.AddDays(5), "B", At(5), At(0)));  // still running
    EXPECT_EQ(j.LastDoneDay("day"), kDay.AddDays(2));
  });
}

// L4/C1: one notice per member, kind and occasion; the care engine lists them
// by due day.
TEST_F(LoyaltyJobsRepositoryTest, L4NoticesAreUniquePerOccasionAndListedByDueDay) {
  Must([&](Repository& repo) {
    auto& j = repo.loyalty_jobs();
    auto notice = [&](MemberId m, const std::string& occasion, Date due) {
      LoyaltyNotice n;
      n.member_id = m;
      n.kind = "points_expiry";
      n.occasion = occasion;
      n.due_on = due;
      n.detail = R"({"points":600})";
      n.created_at = At(0);
      return n;
    };
    auto a = notice(members_[0], "2027-12-31", kDay);
    EXPECT_TRUE(j.InsertNotice(a));
    EXPECT_GT(a.id, 0);
    auto again = notice(members_[0], "2027-12-31", kDay.AddDays(1));
    EXPECT_FALSE(j.InsertNotice(again));
    auto b = notice(members_[1], "2027-12-31", kDay.AddDays(1));
    auto c = notice(members_[0], "2028-12-31", kDay.AddDays(3));
    EXPECT_TRUE(j.InsertNotice(b));
    EXPECT_TRUE(j.InsertNotice(c));
    LoyaltyNotice other = notice(members_[0], "2026-11-23", kDay);
    other.kind = "downgrade_warning";
    EXPECT_TRUE(j.InsertNotice(other));

    auto page = j.ListNotices("points_expiry", kDay, kDay.AddDays(1), {50, 0});
    EXPECT_EQ(page.total, 2);
    ASSERT_EQ(page.items.size(), 2u);
    EXPECT_EQ(page.items[0].member_id, members_[0]);
    EXPECT_EQ(page.items[0].due_on, kDay);
    EXPECT_EQ(page.items[0].detail, R"({"points":600})");
    EXPECT_EQ(page.items[1].member_id, members_[1]);
    auto second = j.ListNotices("points_expiry", kDay, kDay.AddDays(10), {1, 1});
    EXPECT_EQ(second.total, 3);
    ASSERT_EQ(second.items.size(), 1u);
    EXPECT_EQ(second.items[0].member_id, members_[1]);
    EXPECT_EQ(j.ListNotices("downgrade_warning", kDay, kDay, {50, 0}).total, 1);

    auto found = j.FindNotice(members_[0], "downgrade_warning", "2026-11-23");
    ASSERT_TRUE(found);
    EXPECT_EQ(found->kind, "downgrade_warning");
    EXPECT_FALSE(j.FindNotice(members_[1], "downgrade_warning", "2026-11-23"));
    EXPECT_EQ(j.MemberNotices(members_[0]).size(), 3u);
  });
}

// L6: after the company changes its program, the members who follow it
// ("") and hold a tier or wait for one are put on the new ladder; members on
// a program of their own, members without either, and ended files are not.
TEST_F(LoyaltyJobsRepositoryTest, L6TheFollowersWalkVisitsEveryOpenMemberOnTheCompanysProgram) {
  SaveState(members_[0], "", {}, "");             // follows, no tier yet
  SaveState(members_[1], "normal", {}, "");       // follows with a tier
  SaveState(members_[2], "gold", {}, "cosmetics");  // a program of their own: not visited
  SaveState(members_[3], "", {}, "", "gold");     // follows, waits for gold
  SaveState(members_[4], "silver", {}, "");       // follows with a tier
  SaveState(members_[5], "gold", {}, "");         // closed: never walked
  Must([&](Repository& repo) {
    auto& j = repo.loyalty_jobs();
    EXPECT_EQ(j.LoyaltyMembersAfter(LoyaltyWalk::kFollowers, MemberId(), 10),
              (std::vector<MemberId>{members_[0], members_[1], members_[3], members_[4]}));
    EXPECT_EQ(j.LoyaltyMembersAfter(LoyaltyWalk::kFollowers, MemberId(), 2),
              (std::vector<MemberId>{members_[0], members_[1]}));
    EXPECT_EQ(j.LoyaltyMembersAfter(LoyaltyWalk::kFollowers, members_[1], 10),
              (std::vector<MemberId>{members_[3], members_[4]}));
  });
}

TEST_F(LoyaltyJobsRepositoryTest, L7WalksVisitMembersInIdOrderByWhatTheyHave) {
  SaveState(members_[0], "");
  SaveState(members_[1], "normal");
  SaveState(members_[2], "silver", 20);
  SaveState(members_[3], "");
  SaveState(members_[4], "gold", 80);
  SaveState(members_[5], "gold", 10);  // closed: never walked
  Must([&](Repository& repo) {
    auto& j = repo.loyalty_jobs();
    auto all = j.LoyaltyMembersAfter(LoyaltyWalk::kAll, MemberId(), 3);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0], members_[0]);
    auto rest = j.LoyaltyMembersAfter(LoyaltyWalk::kAll, all.back(), 3);
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_EQ(rest[1], members_[4]);
    EXPECT_EQ(j.LoyaltyMembersAfter(LoyaltyWalk::kTiered, MemberId(), 10),
              (std::vector<MemberId>{members_[1], members_[2], members_[4]}));
    EXPECT_EQ(j.LoyaltyMembersAfter(LoyaltyWalk::kRanked, members_[2], 10),
              (std::vector<MemberId>{members_[4]}));
    // A company program switch re-places the members who follow the
    // company's program: none here (all are on the department store's).
    EXPECT_TRUE(j.LoyaltyMembersAfter(LoyaltyWalk::kFollowers, MemberId(), 10).empty());
    // M4: temporary members who have bought (have a loyalty state).
    EXPECT_EQ(j.MembersWithStatusAfter("temporary", MemberId(), 10),
              (std::vector<MemberId>{members_[0], members_[1]}));
    EXPECT_EQ(j.MembersWithStatusAfter("temporary", members_[0], 10),
              (std::vector<MemberId>{members_[1]}));
  });
}

TEST_F(LoyaltyJobsRepositoryTest, L4PointsExpiringInAWindowAreSummedPerMemberAndDay) {
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    const Date dec31 = Date::FromYmd(2027, 12, 31);
    l.InsertLot({0, members_[0], "earn", 0, Points(600), Points(600), kDay, dec31});
    l.InsertLot({0, members_[0], "earn", 0, Points(400), Points(150), kDay, dec31});
    l.InsertLot({0, members_[0], "earn", 0, Points(50), Points(0), kDay, dec31});  // spent
    l.InsertLot({0, members_[1], "earn", 0, Points(70), Points(70), kDay, dec31.AddDays(1)});
    l.InsertLot({0, members_[2], "earn", 0, Points(10), Points(10), kDay, dec31});
    l.InsertLot({0, members_[3], "earn", 0, Points(99), Points(99), kDay, std::nullopt});
    auto& j = repo.loyalty_jobs();
    auto got = j.PointsExpiringBetween(members_[0], members_[1], dec31.AddDays(-30), dec31);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0].member_id, members_[0]);
    EXPECT_EQ(got[0].expires_on, dec31);
    EXPECT_EQ(got[0].points, Points(750));
    got = j.PointsExpiringBetween(members_[0], members_[4], dec31, dec31.AddDays(1));
    ASSERT_EQ(got.size(), 3u);
    EXPECT_EQ(got[1].member_id, members_[1]);
    EXPECT_EQ(got[2].member_id, members_[2]);
  });
}

// L6 rank: spend over a window of months, highest first; setting a rank
// bumps the state's version so a stale save cannot undo it.
TEST_F(LoyaltyJobsRepositoryTest, L6SpendIsRankedHighestFirstAndARankBumpsTheVersion) {
  SaveState(members_[0], "");
  Must([&](Repository& repo) {
    auto& l = repo.loyalty();
    l.AddToMonth({members_[0], 202611, Fen(100000), 1, Fen(100000), Points(1000)});
    l.AddToMonth({members_[0], 202512, Fen(900000), 1, Fen(900000), Points(9000)});  // too old
    l.AddToMonth({members_[1], 202610, Fen(300000), 1, Fen(300000), Points(3000)});
    l.AddToMonth({members_[2], 202601, Fen(100000), 1, Fen(100000), Points(1000)});
    l.AddToMonth({members_[3], 202605, Fen(0), 1, Fen(0), Points(0)});
    l.AddToMonth({members_[5], 202605, Fen(900000), 1, Fen(900000), Points(0)});  // closed
    auto& j = repo.loyalty_jobs();
    auto spend = j.SpendByMember(202601, 202611);
    ASSERT_EQ(spend.size(), 3u);
    EXPECT_EQ(spend[0].member_id, members_[1]);
    EXPECT_EQ(spend[0].spend, Fen(300000));
    EXPECT_EQ(spend[1].member_id, members_[0]);  // a tie goes by member id
    EXPECT_EQ(spend[2].member_id, members_[2]);

    auto before = l.GetLoyaltyState(members_[0]);
    EXPECT_TRUE(j.SetRankPercentile(members_[0], 34));
    EXPECT_FALSE(j.SetRankPercentile(members_[1], 1));  // no loyalty state
    auto after = l.GetLoyaltyState(members_[0]);
    EXPECT_EQ(after->rank_percentile, 34);
    EXPECT_EQ(after->version, before->version + 1);
    EXPECT_FALSE(l.SaveLoyaltyState(*before));
    EXPECT_EQ(j.RankedMembers(), (std::vector<std::pair<MemberId, int>>{{members_[0], 34}}));
    EXPECT_TRUE(j.SetRankPercentile(members_[0], std::nullopt));
    EXPECT_TRUE(j.RankedMembers().empty());
  });
}

}  // namespace
}  // namespace vipcare::store
