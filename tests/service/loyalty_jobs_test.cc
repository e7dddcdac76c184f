// The loyalty engine's daily schedule (`vipcare run-jobs`) and a manager's
// tier hold and override through service::LoyaltyJobs and service::TierAdmin
// on the backend VIPCARE_TEST_BACKEND selects: points expiry and its warning
// (L4), the rank rule (L6), announced downgrades (L7), temporary -> formal
// (M4), idempotent re-runs and the catch-up of missed days (I1, D2). The
// company runs the department-store preset (SPEC §10.2): 1 point per yuan,
// points valid to the end of the next year, 12 months without a purchase
// lowers a tier one level after 30 days' notice.
#include "service/loyalty_jobs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <thread>

#include "domain/presets.h"
#include "domain/program.h"
#include "service/loyalty.h"
#include "service/members.h"
#include "service/tier_admin.h"
#include "testing/fixtures.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;
using std::chrono::hours;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class LoyaltyJobsTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  template <class T, class F>
  T Read(F&& fn) {
    auto r = fx_.store().Read([&](store::Repository& repo) -> Result<T> { return fn(repo); });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : T();
  }

  // The member's tier events, newest first.
  std::vector<store::TierChange> Tiers(MemberId m) {
    return Read<std::vector<store::TierChange>>([&](store::Repository& repo) {
      return repo.loyalty().ListTierChanges(m, {200, 0}).items;
    });
  }
  std::vector<std::string> TierKinds(MemberId m) {
    std::vector<std::string> kinds;
    for (const auto& c : Tiers(m)) kinds.push_back(c.kind);
    return kinds;
  }

  std::vector<store::LedgerEntry> Ledger(MemberId m) {
    return Read<std::vector<store::LedgerEntry>>([&](store::Repository& repo) {
      return repo.loyalty().ListLedger(m, {200, 0}).items;
    });
  }

  std::vector<store::LoyaltyNotice> Notices(const std::string& kind, Date from, Date to) {
    return Read<std::vector<store::LoyaltyNotice>>([&](store::Repository& repo) {
      return repo.loyalty_jobs().ListNotices(kind, from, to, {200, 0}).items;
    });
  }

  // The department-store program without its temporary stage: members stay
  // temporary whatever they buy, until the company runs the preset again.
  void UseProgramWithoutTemporaryStage() {
    domain::Program p = *domain::FindPreset("department_store");
    p.code = "dept_no_temporary";
    p.temporary_to_formal.reset();
    UseProgram(p);
  }

  // A silver member (3,000 yuan on 2026-11-23) who never buys again: the
  // 12 months without a purchase end on 2027-11-23.
  MemberId InactiveSilver() {
    MemberId m = NewMember("王芳");
    EXPECT_EQ(Buy(m, 3000, D(2026, 11, 23))["tier"]["code"], "silver");
    return m;
  }

  TierAdmin tiers_{fx_.env()};
};

TEST_F(LoyaltyJobsTest, L4PointsExpireTheDayAfterTheirLastValidDayOnly) {
  MemberId m = NewMember("王芳");
  Buy(m, 600, D(2026, 11, 23));  // valid to 2027-12-31 (end of the next year)
  json r = Run(D(2027, 12, 31));
  EXPECT_EQ(r["expired_points"], 0);
  EXPECT_EQ(State(m).points_balance, Points(600));

  r = Run(D(2028, 1, 1));
  EXPECT_EQ(r["expired_points"], 600);
  EXPECT_EQ(r["expired_lots"], 1);
  EXPECT_EQ(State(m).points_balance, Points(0));
  auto ledger = Ledger(m);
  ASSERT_EQ(ledger.size(), 2u);
  EXPECT_EQ(ledger[0].kind, "expire");
  EXPECT_EQ(ledger[0].points, Points(-600));
  EXPECT_EQ(ledger[0].balance_after, Points(0));
  EXPECT_NE(ledger[0].reason.find("2027-12-31"), std::string::npos) << ledger[0].reason;
  EXPECT_TRUE(Read<std::vector<store::PointsLotRecord>>([&](store::Repository& repo) {
                return repo.loyalty().ListOpenLots(m);
              }).empty());
}

// L2/L4: a refund that already took back an expired lot's points (leaving a
// debt against it) is not charged again when the lot expires.
TEST_F(LoyaltyJobsTest, L4ExpiryNeverPushesABalanceBelowZero) {
  MemberId m = NewMember("王芳");
  Buy(m, 600, D(2026, 11, 23));
  At(D(2028, 1, 5));  // the lot is past its last day but the job has not run yet
  json refund = fx_.RefundBody("RF-1", "POS-1", 600);
  ASSERT_TRUE(loyalty_.PostSale(fx_.admin(), refund).ok());
  ASSERT_EQ(State(m).points_balance, Points(0));
  json r = Run(D(2028, 1, 5));
  EXPECT_EQ(r["expired_lots"], 1);
  EXPECT_EQ(r["expired_points"], 0);
  EXPECT_EQ(State(m).points_balance, Points(0));
  EXPECT_EQ(Ledger(m)[0].kind, "reverse");  // no "expire" movement
}

TEST_F(LoyaltyJobsTest, L4AMemberIsWarnedOnceBeforePointsExpire) {
  MemberId m = NewMember("王芳");
  Buy(m, 600, D(2026, 11, 23));  // valid to 2027-12-31; warned 30 days before
  EXPECT_EQ(Run(D(2027, 11, 30))["expiry_notices"], 0);
  EXPECT_EQ(Run(D(2027, 12, 1))["expiry_notices"], 1);
  EXPECT_EQ(Run(D(2027, 12, 2))["expiry_notices"], 0);
  auto notices = Notices("points_expiry", D(2027, 11, 1), D(2027, 12, 31));
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].member_id, m);
  EXPECT_EQ(notices[0].due_on, D(2027, 12, 1));
  EXPECT_EQ(notices[0].occasion, "2027-12-31");
  json detail = json::parse(notices[0].detail);
  EXPECT_EQ(detail["points"], 600);
  EXPECT_EQ(detail["expires_on"], "2027-12-31");
}

// I1: running a day again changes nothing and answers the first summary.
TEST_F(LoyaltyJobsTest, L7RunningADayTwiceChangesNothing) {
  MemberId m = InactiveSilver();
  MemberId other = NewMember("李娜");
  Buy(other, 600, D(2027, 12, 20));
  json first = Run(D(2027, 12, 24));
  EXPECT_EQ(first["skipped"], false);
  EXPECT_EQ(first["downgrade_warned"], 1);
  EXPECT_EQ(first["expiry_notices"], 1);
  auto snapshot = [&] {
    return std::tuple(
        Tiers(m).size(), Ledger(m).size(), Ledger(other).size(), State(m).version,
        State(other).version, Notices("points_expiry", D(2027, 1, 1), D(2028, 12, 31)).size(),
        Notices("downgrade_warning", D(2027, 1, 1), D(2028, 12, 31)).size(), fx_.Audit().size());
  };
  auto before = snapshot();
  json again = Run(D(2027, 12, 24));
  EXPECT_EQ(again["skipped"], true);
  // Another server's run of the same day finds it done too.
  LoyaltyJobs second_server(fx_.env());
  auto third = second_server.RunDay(fx_.admin(), D(2027, 12, 24));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ((*third)["skipped"], true);
  EXPECT_EQ(snapshot(), before);
  again.erase("skipped");
  first.erase("skipped");
  EXPECT_EQ(again, first);
}

// I1: days the server missed are run in order, never skipped; an earlier day
// than the last one run is refused.
TEST_F(LoyaltyJobsTest, I1CatchUpRunsEveryMissedDayInOrder) {
  MemberId m = NewMember("王芳");
  Buy(m, 600, D(2026, 11, 23));
  auto first = jobs_.RunThrough(fx_.admin(), D(2027, 12, 29));
  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_EQ((*first)["days"].size(), 1u);  // the first run ever: that day only
  EXPECT_EQ((*first)["days"][0]["day"], "2027-12-29");

  auto caught_up = jobs_.RunThrough(fx_.admin(), D(2028, 1, 2));
  ASSERT_TRUE(caught_up.ok()) << caught_up.error().message;
  const json& days = (*caught_up)["days"];
  ASSERT_EQ(days.size(), 4u);
  EXPECT_EQ(days[0]["day"], "2027-12-30");
  EXPECT_EQ(days[1]["day"], "2027-12-31");
  EXPECT_EQ(days[2]["day"], "2028-01-01");
  EXPECT_EQ(days[3]["day"], "2028-01-02");
  EXPECT_EQ(days[1]["expired_points"], 0);
  EXPECT_EQ(days[2]["expired_points"], 600);  // on the day they expired, not later
  EXPECT_EQ(State(m).points_balance, Points(0));

  EXPECT_EQ(Run(D(2027, 12, 31))["skipped"], true);
  auto again = jobs_.RunThrough(fx_.admin(), D(2028, 1, 2));
  ASSERT_TRUE(again.ok());
  ASSERT_EQ((*again)["days"].size(), 1u);
  EXPECT_EQ((*again)["days"][0]["skipped"], true);
  auto old = jobs_.RunDay(fx_.admin(), D(2027, 12, 15));
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(old.error().field, "date");
}

// L7: the first review after the 12 months without a purchase warns (30
// days' notice even though the grace period has passed); the tier goes down
// one level on the announced day, with the reason, and the member is told.
TEST_F(LoyaltyJobsTest, L7ADowngradeIsAnnouncedFirstAndAppliedOneLevelOnTheDay) {
  MemberId m = InactiveSilver();
  json r = Run(D(2027, 12, 24));
  EXPECT_EQ(r["downgrade_warned"], 1);
  EXPECT_EQ(r["downgrade_applied"], 0);
  auto s = State(m);
  EXPECT_EQ(s.tier_code, "silver");
  EXPECT_EQ(s.downgrade_warned_on, D(2027, 12, 24));
  EXPECT_EQ(s.downgrade_effective_on, D(2028, 1, 23));
  auto history = Tiers(m);
  ASSERT_EQ(history[0].kind, "downgrade_warned");
  EXPECT_EQ(history[0].to_tier, "normal");
  EXPECT_NE(history[0].reason.find("2028-01-23"), std::string::npos) << history[0].reason;
  auto warnings = Notices("downgrade_warning", D(2027, 12, 24), D(2027, 12, 24));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(json::parse(warnings[0].detail)["effective_on"], "2028-01-23");

  EXPECT_EQ(Run(D(2028, 1, 22))["downgrade_applied"], 0);
  EXPECT_EQ(State(m).tier_code, "silver");
  r = Run(D(2028, 1, 23));
  EXPECT_EQ(r["downgrade_applied"], 1);
  s = State(m);
  EXPECT_EQ(s.tier_code, "normal");  // one level, not to nothing
  EXPECT_EQ(s.tier_since, D(2028, 1, 23));
  EXPECT_FALSE(s.downgrade_effective_on);
  EXPECT_EQ(TierKinds(m), (std::vector<std::string>{"downgrade", "downgrade_warned", "upgrade"}));
  EXPECT_EQ(Tiers(m)[0].from_tier, "silver");
  EXPECT_EQ(Notices("downgrade", D(2028, 1, 23), D(2028, 1, 23)).size(), 1u);
  EXPECT_EQ(fx_.CountAudit("tier_downgrade"), 1);
  // 普卡 is the lowest tier: nothing further.
  EXPECT_EQ(Run(D(2028, 3, 1))["downgrade_warned"], 0);
}

// L7 "never silently": a downgrade due without its stored warning (the state
// says one was announced, nothing was recorded) is announced now instead.
TEST_F(LoyaltyJobsTest, L7ADueDowngradeWithoutAStoredWarningIsAnnouncedNotApplied) {
  MemberId m = InactiveSilver();
  auto st = fx_.store().Write([&](store::Repository& repo) -> Status {
    auto s = *repo.loyalty().GetLoyaltyState(m);
    s.downgrade_warned_on = D(2027, 11, 1);
    s.downgrade_effective_on = D(2027, 12, 24);
    EXPECT_TRUE(repo.loyalty().SaveLoyaltyState(s));
    return OkStatus();
  });
  ASSERT_TRUE(st.ok());
  json r = Run(D(2027, 12, 24));
  EXPECT_EQ(r["downgrade_applied"], 0);
  EXPECT_EQ(r["downgrade_warned"], 1);
  auto s = State(m);
  EXPECT_EQ(s.tier_code, "silver");
  EXPECT_EQ(s.downgrade_warned_on, D(2027, 12, 24));
  EXPECT_EQ(s.downgrade_effective_on, D(2028, 1, 23));
  EXPECT_EQ(Tiers(m)[0].kind, "downgrade_warned");
}

// L7: a purchase in the notice period cancels the announced downgrade.
TEST_F(LoyaltyJobsTest, L7ReQualifyingInTheGracePeriodCancelsTheDowngrade) {
  MemberId m = InactiveSilver();
  Run(D(2027, 12, 24));
  ASSERT_TRUE(State(m).downgrade_effective_on);
  Buy(m, 100, D(2028, 1, 10));
  json r = Run(D(2028, 1, 11));
  EXPECT_EQ(r["downgrade_cancelled"], 1);
  auto s = State(m);
  EXPECT_EQ(s.tier_code, "silver");
  EXPECT_FALSE(s.downgrade_warned_on);
  EXPECT_FALSE(s.downgrade_effective_on);
  auto history = Tiers(m);
  EXPECT_EQ(history[0].kind, "downgrade_cancelled");
  EXPECT_NE(history[0].reason.find("重新达标"), std::string::npos) << history[0].reason;
  EXPECT_EQ(Run(D(2028, 1, 23))["downgrade_applied"], 0);
  EXPECT_EQ(State(m).tier_code, "silver");
}

// L7: a manager's hold keeps the tier (reported as held), cancels an
// announced downgrade at once, and ends by itself on its last day.
TEST_F(LoyaltyJobsTest, L7AManagersHoldKeepsTheTierUntilItEnds) {
  MemberId m = InactiveSilver();
  auto held = tiers_.HoldTier(manager_, m, {{"until", nullptr}, {"reason", "老客户，店长保级"}});
  ASSERT_TRUE(held.ok()) << held.error().field << ": " << held.error().message;
  EXPECT_EQ((*held)["hold"]["reason"], "老客户，店长保级");
  EXPECT_TRUE((*held)["hold"]["until"].is_null());
  json r = Run(D(2027, 12, 24));
  EXPECT_EQ(r["held"], 1);
  EXPECT_EQ(r["downgrade_warned"], 0);
  EXPECT_EQ(Tiers(m)[0].kind, "hold");

  ASSERT_TRUE(tiers_.ReleaseHold(manager_, m, "保级结束").ok());
  EXPECT_EQ(Run(D(2027, 12, 25))["downgrade_warned"], 1);
  ASSERT_TRUE(State(m).downgrade_effective_on);

  held = tiers_.HoldTier(manager_, m, {{"until", "2028-01-30"}, {"reason", "春节前保级"}});
  ASSERT_TRUE(held.ok());
  EXPECT_TRUE((*held)["downgrade"].is_null());  // the announced downgrade is off at once
  EXPECT_EQ(TierKinds(m)[0], "downgrade_cancelled");
  EXPECT_EQ(Run(D(2028, 1, 30))["held"], 1);
  EXPECT_EQ(State(m).tier_code, "silver");
  r = Run(D(2028, 1, 31));
  EXPECT_EQ(r["holds_expired"], 1);
  EXPECT_EQ(r["downgrade_warned"], 1);
  auto s = State(m);
  EXPECT_TRUE(s.hold_reason.empty());
  EXPECT_EQ(s.tier_code, "silver");
  EXPECT_EQ(s.downgrade_effective_on, D(2028, 3, 1));
  EXPECT_EQ(fx_.CountAudit("tier_hold"), 2);
  EXPECT_EQ(fx_.CountAudit("tier_hold_release"), 1);
}

TEST_F(LoyaltyJobsTest, L7HoldAndOverrideNeedAManagerInScopeAndNameBadFields) {
  MemberId m = InactiveSilver();
  Actor assoc = fx_.AddUser("assoc.a", Role::kAssociate, fx_.org().associate_sh01);
  Actor other_store = fx_.AddUser("manager.sh02", Role::kStoreManager, fx_.org().associate_sh02);
  const json hold = {{"reason", "保级"}};
  EXPECT_EQ(tiers_.HoldTier(assoc, m, hold).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(tiers_.HoldTier(other_store, m, hold).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(tiers_.OverrideTier(other_store, m, {{"tier", "gold"}, {"reason", "x"}}).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(tiers_.HoldTier(manager_, MemberId(999999), hold).error().code, ErrorCode::kNotFound);
  struct Case {
    json body;
    std::string field;
  };
  const Case holds[] = {
      {{{"until", "2020-01-01"}, {"reason", "保级"}}, "until"},
      {{{"until", "next month"}, {"reason", "保级"}}, "until"},
      {{{"until", nullptr}}, "reason"},
      {{{"reason", ""}}, "reason"},
      {{{"reason", "保级"}, {"level", 2}}, "level"},
  };
  for (const auto& c : holds) {
    auto r = tiers_.HoldTier(manager_, m, c.body);
    ASSERT_FALSE(r.ok()) << c.field;
    EXPECT_EQ(r.error().field, c.field) << r.error().message;
  }
  EXPECT_EQ(tiers_.OverrideTier(manager_, m, {{"tier", "platinum"}, {"reason", "x"}}).error().field,
            "tier");
  EXPECT_EQ(tiers_.OverrideTier(manager_, m, {{"tier", "silver"}, {"reason", "x"}}).error().field,
            "tier");
  EXPECT_EQ(tiers_.OverrideTier(manager_, m, {{"tier", "gold"}}).error().field, "reason");
  EXPECT_EQ(tiers_.ReleaseHold(manager_, m, "x").error().code, ErrorCode::kUnprocessable);
  MemberId no_tier = NewMember("李娜");
  EXPECT_EQ(tiers_.HoldTier(manager_, no_tier, hold).error().field, "member_id");
  // Nothing changed.
  EXPECT_EQ(TierKinds(m), (std::vector<std::string>{"upgrade"}));
  EXPECT_TRUE(State(m).hold_reason.empty());
  EXPECT_EQ(fx_.CountAudit("tier_hold") + fx_.CountAudit("tier_override"), 0);
}

// L7: an override sets the tier by hand, with the reason, audited; it drops
// an announced downgrade.
TEST_F(LoyaltyJobsTest, L7AManagerOverridesATierWithAReason) {
  MemberId m = InactiveSilver();
  Run(D(2027, 12, 24));  // announces silver -> normal
  At(D(2027, 12, 26));
  auto r = tiers_.OverrideTier(manager_, m, {{"tier", "gold"}, {"reason", "大客户特批"}});
  ASSERT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
  EXPECT_EQ((*r)["tier"]["code"], "gold");
  EXPECT_EQ((*r)["tier_since"], "2027-12-26");
  EXPECT_TRUE((*r)["downgrade"].is_null());
  auto history = Tiers(m);
  ASSERT_GE(history.size(), 2u);
  EXPECT_EQ(history[1].kind, "override");
  EXPECT_EQ(history[1].from_tier, "silver");
  EXPECT_EQ(history[1].to_tier, "gold");
  EXPECT_NE(history[1].reason.find("大客户特批"), std::string::npos);
  EXPECT_EQ(history[0].kind, "downgrade_cancelled");
  EXPECT_EQ(fx_.CountAudit("tier_override"), 1);
  // The new tier is kept at least through its qualification period (L7).
  EXPECT_EQ(Run(D(2028, 6, 1))["downgrade_applied"], 0);
  EXPECT_EQ(State(m).tier_code, "gold");
}

// L6 "top 20% = A": members are ranked by 12-month spend each day and the
// rank rule upgrades those in it.
TEST_F(LoyaltyJobsTest, L6TheTopTwentyPercentByRankEarnTheirTier) {
  domain::Program p = *domain::FindPreset("department_store");
  p.code = "dept_rank";
  p.tiers[3].qualify.any_of.push_back(
      {domain::Condition{domain::Metric::kRankPercentile, domain::Op::kAtMost, 20}});
  UseProgram(p);
  std::vector<MemberId> m;
  for (int i = 1; i <= 5; ++i) {
    m.push_back(NewMember("会员" + std::to_string(i)));
    Buy(m.back(), 1000 * i, D(2026, 11, 23));
  }
  ASSERT_EQ(State(m[4]).tier_code, "gold");  // 6 months >= 5,000
  json r = Run(D(2026, 11, 24));
  EXPECT_EQ(r["ranked"], 5);
  EXPECT_EQ(r["upgraded"], 1);
  EXPECT_EQ(State(m[4]).tier_code, "diamond");
  EXPECT_EQ(State(m[4]).rank_percentile, 20);
  EXPECT_EQ(State(m[3]).rank_percentile, 40);
  EXPECT_EQ(State(m[0]).rank_percentile, 100);
  EXPECT_EQ(State(m[3]).tier_code, "silver");
  auto history = Tiers(m[4]);
  EXPECT_EQ(history[0].kind, "upgrade");
  EXPECT_NE(history[0].reason.find("排名"), std::string::npos) << history[0].reason;
  EXPECT_EQ(Run(D(2026, 11, 25))["upgraded"], 0);
}

// L6 with a batch of 2: the rank job walks the ranked members in batches and
// each gets what a posting would give. Spend 1,000 ... 5,000 yuan: ranks
// 100, 80, 60, 40, 20. Rank <= 40 earns 钻石卡 at once; rank <= 20 also
// queues 紫金钻石卡 (it needs a manager's approval).
TEST_F(LoyaltyJobsTest, L6RankUpgradesAreTheSameWhenTheRankJobWalksInBatches) {
  domain::Program p = *domain::FindPreset("department_store");
  p.code = "dept_rank_batches";
  p.tiers[3].qualify.any_of.push_back(
      {domain::Condition{domain::Metric::kRankPercentile, domain::Op::kAtMost, 40}});
  p.tiers[4].qualify.any_of.push_back(
      {domain::Condition{domain::Metric::kRankPercentile, domain::Op::kAtMost, 20}});
  UseProgram(p);
  std::vector<MemberId> m;
  for (int i = 1; i <= 5; ++i) {
    m.push_back(NewMember("会员" + std::to_string(i)));
    Buy(m.back(), 1000 * i, D(2026, 11, 23));
  }
  LoyaltyJobs small_batches(fx_.env(), 2);
  auto r = small_batches.RunDay(fx_.admin(), D(2026, 11, 24));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["ranked"], 5);
  EXPECT_EQ((*r)["upgraded"], 2);
  EXPECT_EQ((*r)["approval_queued"], 1);
  const char* tiers[] = {"normal", "normal", "silver", "diamond", "diamond"};
  const int ranks[] = {100, 80, 60, 40, 20};
  for (size_t i = 0; i < m.size(); ++i) {
    auto s = State(m[i]);
    EXPECT_EQ(s.tier_code, tiers[i]) << i;
    EXPECT_EQ(s.rank_percentile, ranks[i]) << i;
    EXPECT_EQ(s.pending_tier, i == 4 ? "purple_diamond" : "") << i;
  }
  EXPECT_EQ(TierKinds(m[4])[0], "approval_queued");
  EXPECT_EQ(TierKinds(m[4])[1], "upgrade");
  EXPECT_EQ(TierKinds(m[3])[0], "upgrade");
  EXPECT_EQ(TierKinds(m[2]), (std::vector<std::string>{"upgrade"}));  // its sale's silver only
  // The next day nothing is new: no second upgrade, no second queueing.
  r = small_batches.RunDay(fx_.admin(), D(2026, 11, 25));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["upgraded"], 0);
  EXPECT_EQ((*r)["approval_queued"], 0);
}

// L7 over a mixed member base walked in batches of 3 (the review reads each
// batch's states, months and warnings at once: nobody may get someone
// else's). Silver is 3,000 yuan, gold 5,000; the preset lowers a tier one
// level after 12 months without a purchase, announced 30 days ahead, the
// effective day being the latest of break + 30 days, the review + 30 days
// and the end of the 12-month qualification period.
//   b, c, d, e, h  silver, bought 2026-10-20 (break 2027-10-20)
//   g              gold, bought 2026-12-01 (break 2027-12-01)
//   a, f           silver, bought 2027-01-10 (break 2028-01-10)
//   i              silver, bought 2027-11-20 (active)
//   n              500 yuan, 普卡 (the lowest tier: never lowered)
//   z, y1-y4       100 yuan, no tier (not reviewed)
// In member id order b c z d e h g a f y1-y4 n i, so the batches are
// [b c d] (z among them), [e h g], [a f n] (four untiered members between f
// and n) and [i].
// d is held by the manager without end, e until 2027-12-24 (both set on
// 2027-11-01).
// 2027-11-25: b, c, h warned (effective 2027-12-25), g warned (effective
// 2027-12-31); d, e held; a, f not yet at risk (break beyond 30 days).
// Then c buys on 2027-12-10; h's state is made to say it was warned on
// 2027-11-20 (no warning was stored that day); f is set to gold by the
// manager on 2027-12-25 before the run.
// 2027-12-25: a warned (effective 2028-02-09); b lowered to 普卡; c
// cancelled (re-qualified); d held; e's hold released and e warned
// (effective 2028-01-24); f reached its tier today: not reviewed; g still
// pending; h's due downgrade has no stored warning: warned again (effective
// 2028-01-24), not lowered; i, n nothing.
TEST_F(LoyaltyJobsTest, L7AMixedBatchReviewGivesEachMemberTheirOwnOutcome) {
  MemberId b = NewMember("会员b"), c = NewMember("会员c"), z = NewMember("会员z"),
           d = NewMember("会员d"), e = NewMember("会员e"), h = NewMember("会员h"),
           g = NewMember("会员g"), a = NewMember("会员a"), f = NewMember("会员f");
  std::vector<MemberId> y;
  for (int k = 1; k <= 4; ++k) y.push_back(NewMember("会员y" + std::to_string(k)));
  MemberId n = NewMember("会员n"), i = NewMember("会员i");
  for (MemberId m : {b, c, d, e, h}) Buy(m, 3000, D(2026, 10, 20));
  EXPECT_EQ(Buy(g, 5000, D(2026, 12, 1))["tier"]["code"], "gold");
  for (MemberId m : {a, f}) Buy(m, 3000, D(2027, 1, 10));
  Buy(n, 500, D(2027, 1, 10));
  Buy(z, 100, D(2027, 1, 10));
  for (MemberId m : y) Buy(m, 100, D(2027, 1, 10));
  At(D(2027, 11, 1));
  ASSERT_TRUE(tiers_.HoldTier(manager_, d, {{"until", nullptr}, {"reason", "老客户"}}).ok());
  ASSERT_TRUE(tiers_.HoldTier(manager_, e, {{"until", "2027-12-24"}, {"reason", "春节前"}}).ok());
  Buy(i, 3000, D(2027, 11, 20));
  for (MemberId m : {a, b, c, d, e, f, h, i}) ASSERT_EQ(State(m).tier_code, "silver");
  ASSERT_EQ(State(n).tier_code, "normal");
  for (MemberId m : {z, y[0], y[1], y[2], y[3]}) ASSERT_EQ(State(m).tier_code, "");

  LoyaltyJobs small_batches(fx_.env(), 3);
  At(D(2027, 11, 25));
  auto r = small_batches.RunDay(fx_.admin(), D(2027, 11, 25));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["downgrade_warned"], 4);
  EXPECT_EQ((*r)["held"], 2);
  EXPECT_EQ((*r)["downgrade_applied"], 0);
  EXPECT_EQ((*r)["downgrade_cancelled"], 0);
  EXPECT_EQ((*r)["holds_expired"], 0);
  EXPECT_EQ((*r)["members_skipped"], 0);
  for (MemberId m : {b, c, h}) EXPECT_EQ(State(m).downgrade_effective_on, D(2027, 12, 25));
  EXPECT_EQ(State(g).downgrade_effective_on, D(2027, 12, 31));
  for (MemberId m : {a, d, e, f, i, n}) EXPECT_FALSE(State(m).downgrade_warned_on);

  Buy(c, 100, D(2027, 12, 10));
  auto st = fx_.store().Write([&](store::Repository& repo) -> Status {
    auto s = *repo.loyalty().GetLoyaltyState(h);
    s.downgrade_warned_on = D(2027, 11, 20);
    EXPECT_TRUE(repo.loyalty().SaveLoyaltyState(s));
    return OkStatus();
  });
  ASSERT_TRUE(st.ok());
  At(D(2027, 12, 25));
  ASSERT_TRUE(tiers_.OverrideTier(manager_, f, {{"tier", "gold"}, {"reason", "大客户特批"}}).ok());
  const auto audits_before = fx_.CountAudit("tier_downgrade");

  r = small_batches.RunDay(fx_.admin(), D(2027, 12, 25));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["downgrade_warned"], 3);  // a, e, h
  EXPECT_EQ((*r)["downgrade_applied"], 1);  // b
  EXPECT_EQ((*r)["downgrade_cancelled"], 1);  // c
  EXPECT_EQ((*r)["held"], 1);  // d
  EXPECT_EQ((*r)["holds_expired"], 1);  // e
  EXPECT_EQ((*r)["members_skipped"], 0);

  auto sa = State(a);
  EXPECT_EQ(sa.tier_code, "silver");
  EXPECT_EQ(sa.downgrade_warned_on, D(2027, 12, 25));
  EXPECT_EQ(sa.downgrade_effective_on, D(2028, 2, 9));
  EXPECT_EQ(TierKinds(a), (std::vector<std::string>{"downgrade_warned", "upgrade"}));

  auto sb = State(b);
  EXPECT_EQ(sb.tier_code, "normal");
  EXPECT_EQ(sb.tier_since, D(2027, 12, 25));
  EXPECT_FALSE(sb.downgrade_warned_on);
  EXPECT_EQ(TierKinds(b),
            (std::vector<std::string>{"downgrade", "downgrade_warned", "upgrade"}));
  EXPECT_NE(Tiers(b)[0].reason.find("2027-11-25 已预告"), std::string::npos) << Tiers(b)[0].reason;
  EXPECT_EQ(fx_.CountAudit("tier_downgrade"), audits_before + 1);

  auto sc = State(c);
  EXPECT_EQ(sc.tier_code, "silver");
  EXPECT_FALSE(sc.downgrade_warned_on);
  EXPECT_FALSE(sc.downgrade_effective_on);
  EXPECT_EQ(TierKinds(c)[0], "downgrade_cancelled");

  auto sd = State(d);
  EXPECT_EQ(sd.tier_code, "silver");
  EXPECT_FALSE(sd.downgrade_warned_on);
  EXPECT_EQ(sd.hold_reason, "老客户");

  auto se = State(e);
  EXPECT_EQ(se.tier_code, "silver");
  EXPECT_TRUE(se.hold_reason.empty());
  EXPECT_FALSE(se.hold_until);
  EXPECT_EQ(se.downgrade_effective_on, D(2028, 1, 24));
  EXPECT_EQ(TierKinds(e)[0], "downgrade_warned");
  EXPECT_EQ(TierKinds(e)[1], "hold_released");

  auto sf = State(f);
  EXPECT_EQ(sf.tier_code, "gold");
  EXPECT_FALSE(sf.downgrade_warned_on);
  EXPECT_EQ(TierKinds(f)[0], "override");

  auto sg = State(g);
  EXPECT_EQ(sg.tier_code, "gold");
  EXPECT_EQ(sg.downgrade_warned_on, D(2027, 11, 25));
  EXPECT_EQ(sg.downgrade_effective_on, D(2027, 12, 31));
  EXPECT_EQ(TierKinds(g), (std::vector<std::string>{"downgrade_warned", "upgrade"}));

  auto sh = State(h);
  EXPECT_EQ(sh.tier_code, "silver");
  EXPECT_EQ(sh.downgrade_warned_on, D(2027, 12, 25));
  EXPECT_EQ(sh.downgrade_effective_on, D(2028, 1, 24));
  EXPECT_EQ(TierKinds(h)[0], "downgrade_warned");

  EXPECT_EQ(TierKinds(i), (std::vector<std::string>{"upgrade"}));
  EXPECT_EQ(TierKinds(n), (std::vector<std::string>{"upgrade"}));
  EXPECT_EQ(State(n).tier_code, "normal");
  for (MemberId m : {z, y[0], y[1], y[2], y[3]}) EXPECT_TRUE(TierKinds(m).empty());

  // The member is told: today's warnings name their own member and day, and
  // b's downgrade notice is b's.
  auto warnings = Notices("downgrade_warning", D(2027, 12, 25), D(2027, 12, 25));
  std::vector<int64_t> warned;
  for (const auto& w : warnings) warned.push_back(w.member_id.value);
  std::sort(warned.begin(), warned.end());
  std::vector<int64_t> expected{a.value, e.value, h.value};
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(warned, expected);
  for (const auto& w : warnings) {
    const std::string eff = json::parse(w.detail)["effective_on"];
    EXPECT_EQ(eff, w.member_id == a ? "2028-02-09" : "2028-01-24");
  }
  auto lowered = Notices("downgrade", D(2027, 12, 25), D(2027, 12, 25));
  ASSERT_EQ(lowered.size(), 1u);
  EXPECT_EQ(lowered[0].member_id, b);
  EXPECT_EQ(json::parse(lowered[0].detail)["to_tier"], "normal");
}

// M4: the threshold reached at a sale, a temporary member becomes formal at
// once (the sale calls ConvertIfQualified) with a formal card to pick up
// within 5 days, and the care engine is told.
TEST_F(LoyaltyJobsTest, M4ATemporaryMemberBecomesFormalAtTheSaleWithACardToPickUp) {
  MemberId m = NewMember("王芳");
  MemberId below = NewMember("李娜");
  EXPECT_EQ(Buy(m, 600, D(2026, 11, 23)).value("became_formal", false), true);  // >= 500
  EXPECT_FALSE(Buy(below, 300, D(2026, 11, 23)).contains("became_formal"));
  auto v = members_.Get(fx_.admin(), m);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->member.status, domain::MemberStatus::kFormal);
  ASSERT_EQ(v->cards.size(), 2u);
  int formal = 0;
  for (const auto& c : v->cards) {
    if (c.kind == domain::CardKind::kFormal) {
      ++formal;
      EXPECT_EQ(c.status, domain::CardStatus::kPendingPickup);
      EXPECT_EQ(c.pickup_due, D(2026, 11, 28));
      EXPECT_EQ(c.expires_on, D(2028, 11, 23));  // the program's 24 months
    } else {
      EXPECT_EQ(c.status, domain::CardStatus::kReplaced);
    }
  }
  EXPECT_EQ(formal, 1);
  auto notices = Notices("became_formal", D(2026, 11, 23), D(2026, 11, 23));
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0].member_id, m);
  EXPECT_EQ(json::parse(notices[0].detail)["pickup_due"], "2026-11-28");
  EXPECT_EQ(fx_.CountAudit("member_formal"), 1);
  EXPECT_EQ(members_.Get(fx_.admin(), below)->member.status, domain::MemberStatus::kTemporary);
  EXPECT_EQ(Run(D(2026, 11, 24))["converted"], 0);
  auto again = fx_.store().Write([&](store::Repository& repo) {
    return ConvertIfQualified(repo, fx_.env(), fx_.admin(), m, D(2026, 11, 24));
  });
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(*again);
  EXPECT_EQ(fx_.CountAudit("member_formal"), 1);
}

// M4 "您已经获得了咱们XX分返XX元的现金": the threshold's cash-back voucher comes
// with the conversion and the care engine's notice names it for the SMS.
// Apparel A/B/C: formal at 500 points, 每满500分返20元 automatic: 600 yuan =
// 600 points -> formal, one 20-yuan voucher for 500 points, 100 points left.
// A program whose cash-back is on request leaves the points to the member.
TEST_F(LoyaltyJobsTest, M4BecomingFormalComesWithTheThresholdsCashBackVoucher) {
  UseProgram(*domain::FindPreset("apparel_abc"));
  MemberId m = NewMember("王芳");
  json sale = Buy(m, 600, D(2026, 11, 23));
  EXPECT_EQ(sale.value("became_formal", false), true) << sale.dump();
  ASSERT_EQ(sale["cashback_vouchers"].size(), 1u) << sale.dump();
  EXPECT_EQ(sale["points_balance"], 100);
  EXPECT_EQ(State(m).points_balance, Points(100));
  auto notices = Notices("became_formal", D(2026, 11, 23), D(2026, 11, 23));
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(json::parse(notices[0].detail)["vouchers"], sale["cashback_vouchers"]);
  auto vouchers = Read<std::vector<store::VoucherRecord>>([&](store::Repository& repo) {
    return repo.rewards().ListMemberVouchers(m, {10, 0}).items;
  });
  ASSERT_EQ(vouchers.size(), 1u);
  EXPECT_EQ(vouchers[0].value, Fen(2000));
  EXPECT_EQ(vouchers[0].source, "cashback");
  EXPECT_EQ(vouchers[0].code, sale["cashback_vouchers"][0]);

  domain::Program p = *domain::FindPreset("apparel_abc");
  p.code = "apparel_cash_back_on_request";
  p.redemption.cash_back->automatic = false;
  UseProgram(p);
  MemberId asks = NewMember("李娜");
  json kept = Buy(asks, 600, D(2026, 11, 24));
  EXPECT_EQ(kept.value("became_formal", false), true);
  EXPECT_FALSE(kept.contains("cashback_vouchers"));
  EXPECT_EQ(State(asks).points_balance, Points(600));
  auto told = Notices("became_formal", D(2026, 11, 24), D(2026, 11, 24));
  ASSERT_EQ(told.size(), 1u);
  EXPECT_TRUE(json::parse(told[0].detail)["vouchers"].empty());
}

// M4 in the daily run: members who meet the rule without a sale to convert
// them (here: the company took up a program with a temporary stage) become
// formal on the next run.
TEST_F(LoyaltyJobsTest, M4TheDailyRunConvertsTemporaryMembersWhoQualify) {
  UseProgramWithoutTemporaryStage();
  MemberId m = NewMember("王芳");
  MemberId below = NewMember("李娜");
  EXPECT_FALSE(Buy(m, 600, D(2026, 11, 23)).contains("became_formal"));
  Buy(below, 300, D(2026, 11, 23));
  EXPECT_EQ(Run(D(2026, 11, 24))["converted"], 0);  // no temporary stage
  UseProgram(*domain::FindPreset("department_store"));
  EXPECT_EQ(Run(D(2026, 11, 25))["converted"], 1);
  auto v = members_.Get(fx_.admin(), m);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->member.status, domain::MemberStatus::kFormal);
  EXPECT_EQ(std::count_if(v->cards.begin(), v->cards.end(),
                          [](const domain::Card& c) {
                            return c.kind == domain::CardKind::kFormal &&
                                   c.pickup_due == D(2026, 11, 30);
                          }),
            1);
  EXPECT_EQ(Notices("became_formal", D(2026, 11, 25), D(2026, 11, 25)).size(), 1u);
  EXPECT_EQ(members_.Get(fx_.admin(), below)->member.status, domain::MemberStatus::kTemporary);
  EXPECT_EQ(Run(D(2026, 11, 26))["converted"], 0);
}

// A large member base is walked in batches: every member is reached.
TEST_F(LoyaltyJobsTest, L4EveryMemberIsReachedWhenTheJobsWalkInBatches) {
  LoyaltyJobs small_batches(fx_.env(), 2);
  UseProgramWithoutTemporaryStage();
  for (int i = 0; i < 5; ++i) Buy(NewMember("会员" + std::to_string(i)), 600, D(2026, 11, 23));
  UseProgram(*domain::FindPreset("department_store"));
  auto r = small_batches.RunDay(fx_.admin(), D(2027, 12, 1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["expiry_notices"], 5);
  EXPECT_EQ((*r)["converted"], 5);
  r = small_batches.RunDay(fx_.admin(), D(2028, 1, 1));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["expired_lots"], 5);
  EXPECT_EQ((*r)["expired_points"], 3000);
}

// D2: two servers starting the same day at once do its work once; the one
// that finds the other at work is told so (409 on "date") or finds the day
// done.
TEST_F(LoyaltyJobsTest, D2TwoServersRunningTheSameDayDoItsWorkOnce) {
  std::vector<MemberId> m;
  for (int i = 0; i < 6; ++i) {
    m.push_back(NewMember("会员" + std::to_string(i)));
    Buy(m.back(), 600, D(2026, 11, 23));
  }
  LoyaltyJobs a(fx_.env(), 2), b(fx_.env(), 2);
  std::optional<Result<json>> ra, rb;
  std::thread ta([&] { ra = a.RunDay(fx_.admin(), D(2028, 1, 1)); });
  std::thread tb([&] { rb = b.RunDay(fx_.admin(), D(2028, 1, 1)); });
  ta.join();
  tb.join();
  int done = 0;
  for (const auto* r : {&*ra, &*rb}) {
    if (r->ok()) {
      done += (**r)["skipped"] == false;
    } else {
      EXPECT_EQ(r->error().code, ErrorCode::kConflict) << r->error().message;
      EXPECT_EQ(r->error().field, "date");
    }
  }
  EXPECT_GE(done, 1);
  json after = Run(D(2028, 1, 1));  // finishes whatever the loser left
  EXPECT_EQ(after["expired_points"], 3600);
  for (MemberId id : m) {
    EXPECT_EQ(State(id).points_balance, Points(0));
    auto ledger = Ledger(id);
    EXPECT_EQ(std::count_if(ledger.begin(), ledger.end(),
                            [](const auto& e) { return e.kind == "expire"; }),
              1);
  }
  EXPECT_EQ(fx_.CountAudit("loyalty_jobs_run"), 1);
}

TEST_F(LoyaltyJobsTest, I1OnlyAnAdministratorRunsTheSchedule) {
  auto r = jobs_.RunDay(manager_, D(2026, 11, 24));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  EXPECT_EQ(jobs_.RunThrough(manager_, D(2026, 11, 24)).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(Run(D(2026, 11, 24))["skipped"], false);  // not marked done by the refusals
}

}  // namespace
}  // namespace vipcare::service
