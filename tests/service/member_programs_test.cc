// Programs per member and per store (L6, issue 5 "a member's program is set
// with PATCH /api/v1/members/{id} {"program_id"} or by the store's default
// program"), through the services on the backend VIPCARE_TEST_BACKEND selects.
#include <gtest/gtest.h>

#include <tuple>

#include "domain/presets.h"
#include "service/org.h"
#include "service/loyalty_jobs.h"
#include "service/programs.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class MemberProgramsTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  // PATCH {"program_id": id} by `actor`; the member file answered.
  Result<MemberView> Put(const Actor& actor, MemberId m, const json& id) {
    return members_.Update(actor, m, json{{"program_id", id}});
  }
  MemberView MustPut(MemberId m, const json& id) {
    auto v = Put(fx_.admin(), m, id);
    EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.error().field + ": " + v.error().message);
    return v.ok() ? *v : MemberView{};
  }
  MemberLoyalty File(MemberId m) {
    auto v = members_.Get(fx_.admin(), m);
    EXPECT_TRUE(v.ok());
    return v.ok() ? v->loyalty : MemberLoyalty{};
  }
  std::vector<store::TierChange> Tiers(MemberId m) {
    auto r = fx_.store().Read([&](store::Repository& repo) -> Result<std::vector<store::TierChange>> {
      return repo.loyalty().ListTierChanges(m, {200, 0}).items;
    });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : std::vector<store::TierChange>{};
  }
  int64_t AuditCount(const std::string& action) {
    auto r = fx_.store().Read([&](store::Repository& repo) -> Result<int64_t> {
      return repo.reports().db().QueryOne("SELECT COUNT(*) FROM audit_log WHERE action = ?",
                                          {action})->Int(0);
    });
    EXPECT_TRUE(r.ok());
    return r.ok() ? *r : -1;
  }
  Result<domain::Store> SetStoreProgram(const json& id) {
    return org_.UpdateStore(fx_.admin(), fx_.org().sh01, json{{"program_id", id}});
  }

  Org org_{fx_.env()};
  Programs programs_{fx_.env()};
};

TEST_F(MemberProgramsTest, L6AMemberPutOnAProgramOfTheirOwnEarnsAndIsTieredByIt) {
  const MemberId a = NewMember("王芳");
  const MemberId b = NewMember("李娜");
  // Both start on the company's program (the department store's preset).
  json sale = Buy(a, 600, D(2026, 3, 2));
  EXPECT_EQ(sale["points"], 600);
  EXPECT_EQ(sale["tier"]["code"], "normal");
  EXPECT_FALSE(File(a).program_assigned);

  // Premium goods has 普卡 too: the member keeps it, and the move is on file.
  MemberView moved = MustPut(a, "premium-goods");
  EXPECT_EQ(moved.loyalty.program_code, "premium_goods");
  EXPECT_EQ(moved.loyalty.program_name, "高档消费品会员制");
  EXPECT_TRUE(moved.loyalty.program_assigned);
  EXPECT_EQ(moved.loyalty.tier_code, "normal");
  auto history = Tiers(a);
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.front().kind, "program_change");
  EXPECT_NE(history.front().reason.find("百货商场五级会员卡"), std::string::npos)
      << history.front().reason;
  EXPECT_NE(history.front().reason.find("高档消费品会员制"), std::string::npos);

  // The same 1,000 yuan earns by each member's own program: 1 point per
  // 100 yuan on premium goods, 1 per yuan on the department store's.
  sale = Buy(a, 1000, D(2026, 3, 9));
  EXPECT_EQ(sale["points"], 10);
  EXPECT_EQ(sale["program"]["code"], "premium_goods");
  sale = Buy(b, 1000, D(2026, 3, 9));
  EXPECT_EQ(sale["points"], 1000);
  EXPECT_EQ(sale["program"]["code"], "department_store");

  // Cosmetics has no 普卡: the member is placed on its ladder by their
  // record (a single purchase of 1,000 yuan makes VIP at once).
  moved = MustPut(a, "cosmetics");
  EXPECT_EQ(moved.loyalty.tier_code, "vip");
  EXPECT_EQ(State(a).tier_since, D(2026, 3, 9));
  history = Tiers(a);
  EXPECT_EQ(history.front().kind, "program_change");
  EXPECT_EQ(history.front().from_tier, "normal");
  EXPECT_EQ(history.front().to_tier, "vip");
  // Putting them on it again changes nothing.
  const size_t rows = Tiers(a).size();
  MustPut(a, "cosmetics");
  EXPECT_EQ(Tiers(a).size(), rows);

  // The company moves to the key-accounts program: members who follow it
  // move, a member on a program of their own stays.
  ASSERT_TRUE(programs_.Choose(fx_.admin(), "key-accounts").ok());
  EXPECT_EQ(File(b).program_code, "key_accounts");
  EXPECT_EQ(File(a).program_code, "cosmetics");
  EXPECT_EQ(Buy(a, 2000, D(2026, 3, 16))["program"]["code"], "cosmetics");

  // Back to the company's program: key accounts has no VIP and the member's
  // 3,600 yuan reach none of its tiers.
  moved = MustPut(a, nullptr);
  EXPECT_FALSE(moved.loyalty.program_assigned);
  EXPECT_EQ(moved.loyalty.program_code, "key_accounts");
  EXPECT_EQ(moved.loyalty.tier_code, "");
  EXPECT_EQ(Tiers(a).front().to_tier, "");
}

// L6: when the company chooses another program, the members who follow it
// and hold a tier are put on the new ladder at once, as a move to a program
// of their own puts them: premium goods has 普卡 and 金卡 but no 银卡, and
// grants its tiers by the largest single purchase (普卡 >= 2,000, 金卡 >=
// 8,000), at once.
//   A  600 -> 普卡, kept
//   B  one purchase of 3,000 -> 银卡; premium goods places them on 普卡
//   C  three purchases of 1,000 -> 银卡; premium goods grants them nothing
//   D  on cosmetics of their own: stays as is
//   E  follows, never bought: nothing to place
TEST_F(MemberProgramsTest, L6WhenTheCompanyChoosesAnotherProgramItsTieredFollowersArePlacedAtOnce) {
  const MemberId a = NewMember("王芳");
  const MemberId b = NewMember("李娜");
  const MemberId c = NewMember("张敏");
  const MemberId d = NewMember("赵雷");
  const MemberId e = NewMember("钱多");
  EXPECT_EQ(Buy(a, 600, D(2026, 3, 2))["tier"]["code"], "normal");
  EXPECT_EQ(Buy(b, 3000, D(2026, 3, 2))["tier"]["code"], "silver");
  Buy(c, 1000, D(2026, 3, 2));
  Buy(c, 1000, D(2026, 3, 3));
  EXPECT_EQ(Buy(c, 1000, D(2026, 3, 4))["tier"]["code"], "silver");
  MustPut(d, "cosmetics");
  EXPECT_EQ(Buy(d, 1000, D(2026, 3, 4))["tier"]["code"], "vip");
  const auto d_before = State(d);
  const size_t d_rows = Tiers(d).size();
  At(D(2026, 3, 10));

  auto chosen = programs_.Choose(fx_.admin(), "premium-goods");
  ASSERT_TRUE(chosen.ok()) << chosen.error().message;
  const json& sw = (*chosen)["switch"];
  EXPECT_EQ(sw["from"], "department_store") << chosen->dump();
  EXPECT_EQ(sw["to"], "premium_goods");
  EXPECT_EQ(sw["members"], 3);
  EXPECT_EQ(sw["tier_kept"], 1);
  EXPECT_EQ(sw["tier_changed"], 2);
  EXPECT_EQ(sw["approval_queued"], 0);
  EXPECT_EQ(sw["finished"], true);

  EXPECT_EQ(State(a).tier_code, "normal");
  EXPECT_EQ(State(b).tier_code, "normal");
  EXPECT_EQ(State(b).tier_since, D(2026, 3, 10));
  EXPECT_EQ(State(c).tier_code, "");
  EXPECT_EQ(State(d).tier_code, "vip");
  EXPECT_EQ(State(d).version, d_before.version);
  // The member file names the new program's tier.
  EXPECT_EQ(File(b).program_code, "premium_goods");
  EXPECT_EQ(File(b).tier_name, "普卡");
  EXPECT_TRUE(Tiers(e).empty());
  EXPECT_EQ(Tiers(d).size(), d_rows);

  // Each follower's history names the program left, for the reports.
  for (const auto& [m, from, to] : {std::tuple{a, "normal", "normal"},
                                    std::tuple{b, "silver", "normal"},
                                    std::tuple{c, "silver", ""}}) {
    const auto h = Tiers(m);
    ASSERT_FALSE(h.empty());
    EXPECT_EQ(h.front().kind, "program_change");
    EXPECT_EQ(h.front().from_tier, from);
    EXPECT_EQ(h.front().to_tier, to);
    EXPECT_EQ(h.front().from_program, "department_store");
    EXPECT_NE(h.front().reason.find("高档消费品会员制"), std::string::npos) << h.front().reason;
  }
  EXPECT_NE(Tiers(c).front().reason.find("新方案下暂无等级"), std::string::npos);
  EXPECT_EQ(AuditCount("program_switch"), 1);

  // Choosing the program the company runs already moves nobody.
  const size_t rows = Tiers(a).size();
  chosen = programs_.Choose(fx_.admin(), "premium-goods");
  ASSERT_TRUE(chosen.ok());
  EXPECT_TRUE((*chosen)["switch"].is_null()) << chosen->dump();
  EXPECT_EQ(Tiers(a).size(), rows);
  EXPECT_EQ(AuditCount("program_switch"), 1);
}

// A follower without a tier whose record earns one on the new ladder gets it
// at the switch, as a move to a program of their own gives it; one whose
// record earns nothing is left as they are, without a history row.
TEST_F(MemberProgramsTest, L6FollowersWithoutATierWhomTheNewLadderGivesOneArePlacedAtOnce) {
  const MemberId f = NewMember("孙丽");
  const MemberId g = NewMember("周强");
  Buy(f, 400, D(2025, 12, 1));  // first purchase under ¥500
  EXPECT_EQ(Buy(f, 1000, D(2026, 3, 2))["tier"], nullptr);  // ¥1,000 in 3 months
  EXPECT_EQ(Buy(g, 300, D(2026, 3, 2))["tier"], nullptr);
  const auto g_before = State(g);
  At(D(2026, 3, 10));

  auto chosen = programs_.Choose(fx_.admin(), "cosmetics");  // VIP: one purchase of ¥1,000
  ASSERT_TRUE(chosen.ok()) << chosen.error().message;
  const json& sw = (*chosen)["switch"];
  EXPECT_EQ(sw["members"], 1) << chosen->dump();
  EXPECT_EQ(sw["tier_changed"], 1);
  EXPECT_EQ(sw["untiered_checked"], 2);
  EXPECT_EQ(State(f).tier_code, "vip");
  EXPECT_EQ(State(f).tier_since, D(2026, 3, 10));
  const auto h = Tiers(f);
  ASSERT_FALSE(h.empty());
  EXPECT_EQ(h.front().kind, "program_change");
  EXPECT_EQ(h.front().from_tier, "");
  EXPECT_EQ(h.front().to_tier, "vip");
  EXPECT_EQ(h.front().from_program, "department_store");
  EXPECT_EQ(State(g).tier_code, "");
  EXPECT_EQ(State(g).version, g_before.version);
  EXPECT_TRUE(Tiers(g).empty());
}

// Apparel's upgrades wait for the store manager: a 普卡 holder whose record
// reaches C级 (growth 600 >= 500) has no apparel tier until it is approved,
// and is queued for it. They buy as before.
TEST_F(MemberProgramsTest, L6FollowersWhomTheNewLadderQueuesWaitForTheStoreManager) {
  const MemberId a = NewMember("王芳");
  const MemberId u = NewMember("孙丽");
  EXPECT_EQ(Buy(a, 600, D(2026, 3, 2))["tier"]["code"], "normal");
  Buy(u, 400, D(2025, 12, 1));
  EXPECT_EQ(Buy(u, 400, D(2026, 3, 2))["tier"], nullptr);  // growth 800, no 普卡
  auto chosen = programs_.Choose(fx_.admin(), "apparel-abc");
  ASSERT_TRUE(chosen.ok());
  const json& sw = (*chosen)["switch"];
  EXPECT_EQ(sw["approval_queued"], 2) << chosen->dump();
  EXPECT_EQ(sw["members"], 2);
  EXPECT_EQ(sw["tier_changed"], 1);  // 普卡 to none
  EXPECT_EQ(sw["tier_kept"], 0);     // the member without a tier kept nothing
  EXPECT_EQ(sw["untiered_checked"], 1);
  EXPECT_EQ(State(u).pending_tier, "c");
  EXPECT_EQ(State(a).tier_code, "");
  EXPECT_EQ(State(a).pending_tier, "c");
  auto history = Tiers(a);
  ASSERT_GE(history.size(), 2u);
  EXPECT_EQ(history[0].kind, "approval_queued");
  EXPECT_EQ(history[0].to_tier, "c");
  EXPECT_EQ(history[1].kind, "program_change");
  EXPECT_EQ(history[1].from_tier, "normal");
  EXPECT_EQ(history[1].to_tier, "");
  json sale = Buy(a, 300, D(2026, 3, 9));
  EXPECT_EQ(sale["program"]["code"], "apparel_abc") << sale.dump();
  EXPECT_EQ(sale["points_earned"], 300);
  EXPECT_EQ(State(a).pending_tier, "c");
}

// A switch cut short (the process stopped after the company's program was
// written) leaves followers on tiers the program lacks. They are still sold
// to: the sale earns without a tier multiplier and places them by their
// record (L6; quotes alike). The next run-jobs finishes the switch before
// its jobs, batch by batch from where it stopped.
TEST_F(MemberProgramsTest, L6AProgramSwitchCutShortIsFinishedByTheNextRun) {
  const MemberId a = NewMember("王芳");
  const MemberId b = NewMember("李娜");
  const MemberId c = NewMember("张敏");
  EXPECT_EQ(Buy(a, 600, D(2026, 3, 2))["tier"]["code"], "normal");
  EXPECT_EQ(Buy(b, 600, D(2026, 3, 2))["tier"]["code"], "normal");
  EXPECT_EQ(Buy(c, 3000, D(2026, 3, 2))["tier"]["code"], "silver");
  // As a switch to apparel leaves it before its first batch.
  auto cut = fx_.store().Write([&](store::Repository& repo) -> Status {
    repo.loyalty().SetCompanyProgram("apparel_abc");
    repo.loyalty().SetPendingProgramSwitch(
        {"department_store", "apparel_abc", MemberId(), fx_.env().clock.Now(), UserId()});
    return OkStatus();
  });
  ASSERT_TRUE(cut.ok());
  EXPECT_EQ(State(a).tier_code, "normal");

  auto quote = loyalty_.Quote(
      fx_.admin(),
      json{{"member_id", a.value}, {"lines", {{{"sku", "Q-1"}, {"list_price_fen", 30000}}}}});
  ASSERT_TRUE(quote.ok()) << quote.error().field << ": " << quote.error().message;
  EXPECT_EQ((*quote)["points"], 300) << quote->dump();
  json sale = Buy(a, 300, D(2026, 3, 9));
  EXPECT_EQ(sale["program"]["code"], "apparel_abc") << sale.dump();
  EXPECT_EQ(sale["points_earned"], 300);
  EXPECT_EQ(State(a).pending_tier, "c") << sale.dump();
  auto history = Tiers(a);
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.front().kind, "approval_queued");
  EXPECT_EQ(history.front().from_tier, "normal");

  // One member per batch: the first batch is done, then the process stops.
  auto first = fx_.store().Write([&](store::Repository& repo) -> Status {
    auto sw = repo.loyalty().PendingProgramSwitch();
    sw->after = a;  // as if a's batch had been committed
    repo.loyalty().SetPendingProgramSwitch(*sw);
    return OkStatus();
  });
  ASSERT_TRUE(first.ok());
  const size_t a_rows = Tiers(a).size();
  auto day = LoyaltyJobs(fx_.env(), 1).RunDay(fx_.admin(), D(2026, 3, 10));
  ASSERT_TRUE(day.ok()) << day.error().message;
  EXPECT_EQ((*day)["program_switched"], 2) << day->dump();
  EXPECT_EQ(Tiers(a).size(), a_rows);  // not placed twice
  // Apparel queues B's C级 (growth 600) and C's B级 (growth 3,000).
  for (const auto& [m, queued] : {std::pair{b, "c"}, std::pair{c, "b"}}) {
    EXPECT_EQ(State(m).tier_code, "");
    EXPECT_EQ(State(m).pending_tier, queued);
    EXPECT_EQ(Tiers(m)[1].kind, "program_change");
    EXPECT_EQ(Tiers(m)[1].from_program, "department_store");
  }
  EXPECT_EQ(AuditCount("program_switch"), 2);  // one per batch
  auto pending = fx_.store().Read([&](store::Repository& repo) -> Result<bool> {
    return repo.loyalty().PendingProgramSwitch().has_value();
  });
  ASSERT_TRUE(pending.ok());
  EXPECT_FALSE(*pending);
  auto next = LoyaltyJobs(fx_.env(), 1).RunDay(fx_.admin(), D(2026, 3, 11));
  ASSERT_TRUE(next.ok());
  EXPECT_EQ((*next)["program_switched"], 0);
}

TEST_F(MemberProgramsTest, L6AProgramChangeIsAnAdminsAndAnUnknownProgramChangesNothing) {
  const MemberId a = NewMember("王芳");
  Buy(a, 600, D(2026, 3, 2));
  const auto before = State(a);
  auto bad = Put(fx_.admin(), a, "no-such-program");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(bad.error().field, "program_id");
  bad = Put(fx_.admin(), a, 7);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(bad.error().field, "program_id");
  // Together with a good field, nothing of the patch is kept.
  bad = members_.Update(fx_.admin(), a, json{{"program_id", "nope"}, {"occupation", "教师"}});
  ASSERT_FALSE(bad.ok());
  // A store manager edits the member's file but not their program.
  auto denied = Put(manager_, a, "cosmetics");
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.error().code, ErrorCode::kForbidden);
  const auto after = State(a);
  EXPECT_EQ(after.program_code, before.program_code);
  EXPECT_EQ(after.version, before.version);
  auto file = members_.Get(fx_.admin(), a);
  ASSERT_TRUE(file.ok());
  EXPECT_NE(file->member.occupation, "教师");
}

TEST_F(MemberProgramsTest, L6AStoresDefaultProgramStartsItsMembersOnIt) {
  auto bad = SetStoreProgram("no-such-program");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "program_id");
  auto store = SetStoreProgram("cosmetics");
  ASSERT_TRUE(store.ok()) << store.error().message;
  EXPECT_EQ(store->program_code, "cosmetics");
  EXPECT_EQ(ToJson(*store)["program_id"], "cosmetics");

  // A member of the store is on its program before and after they first earn.
  const MemberId c = NewMember("张敏");
  EXPECT_EQ(File(c).program_code, "cosmetics");
  EXPECT_TRUE(File(c).program_assigned);
  json sale = Buy(c, 1500, D(2026, 4, 1));
  EXPECT_EQ(sale["program"]["code"], "cosmetics");
  EXPECT_EQ(sale["points"], 15);  // 1 point per 100 yuan
  EXPECT_EQ(sale["tier"]["code"], "vip");

  // The store goes back to the company's program: a member who has earned
  // keeps theirs; a member who has not follows the store.
  const MemberId d = NewMember("赵雷");
  store = SetStoreProgram(nullptr);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(ToJson(*store)["program_id"], nullptr);
  EXPECT_EQ(File(c).program_code, "cosmetics");
  EXPECT_EQ(File(d).program_code, "department_store");
  EXPECT_EQ(Buy(d, 600, D(2026, 4, 2))["points"], 600);
}

TEST_F(MemberProgramsTest, L4TheDailyRunWarnsEachMemberByTheirOwnProgramsExpiry) {
  // Department store points expire at the year's end; cosmetics points 24
  // months after they were earned.
  const MemberId dept = NewMember("王芳");
  const MemberId cos = NewMember("李娜");
  MustPut(cos, "cosmetics");
  Buy(dept, 600, D(2026, 3, 2));
  Buy(cos, 1500, D(2026, 3, 2));
  // 30 days before 2027-12-31 only the department store member is warned.
  json day = Run(D(2027, 12, 5));
  EXPECT_EQ(day["expiry_notices"], 1);
  // On 2028-01-01 the department store points are gone, the cosmetics ones not.
  Run(D(2028, 1, 1));
  EXPECT_EQ(State(dept).points_balance.value, 0);
  EXPECT_EQ(State(cos).points_balance.value, 15);
  // 30 days before 2028-03-02 the cosmetics member is warned in turn.
  day = Run(D(2028, 2, 5));
  EXPECT_EQ(day["expiry_notices"], 1);
}

TEST_F(MemberProgramsTest, L7TheDailyReviewJudgesEachMemberByTheirOwnProgram) {
  // A key-accounts member at B级 who buys nothing for twelve months: the
  // company's department-store ladder has no B级, so only their own program
  // can judge them.
  const MemberId k = NewMember("王总");
  MustPut(k, "key-accounts");
  Buy(k, 1000, D(2026, 1, 5));
  SetTier(k, "b");
  for (Date day = D(2027, 1, 11); day <= D(2027, 3, 1); day = day.AddDays(7)) Run(day);
  // Twelve months without a purchase: warned, then one level down on its own ladder.
  std::vector<std::string> kinds;
  for (const auto& c : Tiers(k)) kinds.push_back(c.kind + " " + c.from_tier + ">" + c.to_tier);
  EXPECT_EQ(kinds, (std::vector<std::string>{"downgrade b>c", "downgrade_warned b>c",
                                             "program_change >"}));
  EXPECT_EQ(State(k).tier_code, "c");
}

// L6 "top 20 %": ranked among the members of one's own program.
TEST_F(MemberProgramsTest, L6RanksAreAmongTheMembersOfOnesOwnProgram) {
  domain::Program p = *domain::FindPreset("department_store");
  p.code = "dept_rank";
  p.tiers[3].qualify.any_of.push_back(
      {domain::Condition{domain::Metric::kRankPercentile, domain::Op::kAtMost, 25}});
  UseProgram(p);
  std::vector<MemberId> m;
  for (int i = 1; i <= 4; ++i) {
    m.push_back(NewMember("会员" + std::to_string(i)));
    Buy(m.back(), 1000 * i, D(2026, 11, 23));
  }
  // The biggest spender of all is on the cosmetics program.
  const MemberId k = NewMember("王总");
  MustPut(k, "cosmetics");
  Buy(k, 9000, D(2026, 11, 23));
  json r = Run(D(2026, 11, 24));
  EXPECT_EQ(r["ranked"], 5);
  // Among the company program's four: 25, 50, 75, 100 (among all five the
  // top one would be 40 and miss the rule).
  EXPECT_EQ(State(m[3]).rank_percentile, 25);
  EXPECT_EQ(State(m[2]).rank_percentile, 50);
  EXPECT_EQ(State(m[0]).rank_percentile, 100);
  EXPECT_EQ(State(m[3]).tier_code, "diamond");
  EXPECT_EQ(State(k).rank_percentile, 100);  // alone on cosmetics
  EXPECT_EQ(State(k).tier_code, "vip");
}

// The programs list says who runs each program besides the company.
TEST_F(MemberProgramsTest, L6TheProgramsListCountsMembersAndStoresOnEachProgram) {
  const MemberId a = NewMember("王芳");
  const MemberId b = NewMember("李娜");
  MustPut(a, "cosmetics");
  MustPut(b, "cosmetics");
  ASSERT_TRUE(org_.UpdateStore(fx_.admin(), fx_.org().sh02, json{{"program_id", "key-accounts"}}).ok());
  auto list = programs_.List(fx_.admin());
  ASSERT_TRUE(list.ok());
  std::map<std::string, json> by_code;
  for (const auto& item : (*list)["items"]) by_code[item["code"]] = item;
  EXPECT_EQ(by_code["cosmetics"]["members_own"], 2);
  EXPECT_EQ(by_code["cosmetics"]["stores"], json::array());
  EXPECT_EQ(by_code["key_accounts"]["members_own"], 0);
  ASSERT_EQ(by_code["key_accounts"]["stores"].size(), 1u);
  EXPECT_EQ(by_code["key_accounts"]["stores"][0]["id"], fx_.org().sh02.value);
  EXPECT_EQ(by_code["department_store"]["members_own"], 0);
  EXPECT_TRUE(by_code["department_store"]["current"]);
  // Back to the company's program: no longer counted.
  MustPut(b, nullptr);
  list = programs_.List(fx_.admin());
  ASSERT_TRUE(list.ok());
  for (const auto& item : (*list)["items"]) {
    if (item["code"] == "cosmetics") EXPECT_EQ(item["members_own"], 1);
  }
}

}  // namespace
}  // namespace vipcare::service
