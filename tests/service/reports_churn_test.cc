// The churn early warning (SPEC R5) on the backend VIPCARE_TEST_BACKEND
// selects: the daily job churn_scores inside `run-jobs`, the churn_risk care
// task it leads to, and the report churn_risk.
//
// Job and care task. 甲 (SH01, the SH01 associate's member) buys ¥2,000 on
// 5 Jan, 5 Feb and 5 Mar 2027 and ¥500 on 5 Apr, 5 May and 5 Jun, then stops.
//   2027-09-02: 89 days since 5 Jun -> "近60天未消费" 15
//     3 months Jul 1..Sep 2 (64 days): 0 purchases against 3 in Apr..Jun
//       (91 days) -> 100 % fewer -> 25
//     6 months Apr 1..Sep 2 (155 days): ¥1,500 against ¥6,000 in Oct..Mar
//       (182 days) -> (6000*155 - 1500*182) / (6000*155) = 70 % less -> 20
//     (6 months' frequency: 3 in 155 days against 3 in 182: no drop)
//     = 60, medium: no task.
//   2027-09-03: 90 days -> "近90天未消费" 30; the rest as before (spend 70 %)
//     = 75, high: the shipped rule churn_risk (min_score 70) gives one task
//     "churn_risk:2027-09" to the associate (金卡 is grade C: default action
//     "查看流失预警原因，电话联系客户挽回"), whose task list shows the action
//     with the key moments, most points first:
//     "查看流失预警原因，电话联系客户挽回。原因：近90天未消费、消费频次下降100%、
//     近6个月消费额下降70%".
//   2027-09-04 .. 2027-10-01: still 75 (the spend figure moves a little each
//     day, 75 % on 30 Sep, 81 % on 1 Oct): the score does not rise again, so
//     no second task, not even in October.
// 乙 never bought: not scored.
//
// Report, on scores written directly (member, home store, tier, score, level,
// reason bits):
//   SH01 a gold   90 high   180天 + 频次 + 消费额
//        b gold   75 high   90天 + 频次 + 消费额
//        c silver 55 medium 90天 + 频次
//        d -      15 low    60天
//        e -       0 low    (none)
//   SH02 f silver 70 high   365天
//        g silver 45 medium 180天
//   GZ01 h gold   40 medium 90天 + 消费额
//        i gold   95 high   closed file: never counted
//   rows: SH01 scored 5, high 2, medium 1, low 2, 2/5 = 4000 bp
//         SH02 scored 2, high 1, medium 1, low 0, 1/2 = 5000 bp
//         GZ01 scored 1, high 0, medium 1, low 0, 0 bp
//   totals: 8 scored, 3 high, 3 medium, 2 low, 3/8 = 3750 bp
//   reasons (members, of them high), most members first, ties in reason order:
//     近90天未消费 3 (b c h; 1 high), 消费频次下降 3 (a b c; 2),
//     近6个月消费额下降 3 (a b h; 2), 近180天未消费 2 (a g; 1),
//     近60天未消费 1 (d; 0), 近365天未消费 1 (f; 1)
//   by tier in the program's order, then no tier:
//     银卡 high 1 (f) medium 2 (c g) low 0; 金卡 high 2 (a b) medium 1 (h);
//     未定级 low 2 (d e)
//   SH01's manager: one row (5 / 2 / 1 / 2); reasons 消费频次下降 3 (2 high),
//     近90天未消费 2 (1), 近6个月消费额下降 2 (2), 近60天未消费 1 (0),
//     近180天未消费 1 (1).
//   tier=gold: SH01 2 scored, 2 high (10000 bp); GZ01 1 scored, 1 medium.
//   region SOUTH: GZ01 only.
#include <gtest/gtest.h>

#include "domain/churn.h"
#include "service/care.h"
#include "service/churn_job.h"
#include "service/reports.h"
#include "store/reports/churn.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class ChurnJobTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  // A formal member of SH01 looked after by the SH01 associate.
  MemberId Member(const std::string& name) {
    json body = fx_.MemberBody(name, fx_.org().sh01);
    body["associate_id"] = fx_.org().associate_sh01.value;
    body["status"] = "formal";
    auto m = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(m.ok()) << m.error().field << ": " << m.error().message;
    return m.ok() ? m->member.id : MemberId();
  }

  // The schedule (loyalty jobs, churn scores, care) through `day`, the clock
  // at 01:00 of it; the summary of `day`.
  json RunCare(Date day) {
    fx_.clock().Set(fx_.env().tz.StartOfDay(day) + std::chrono::hours(1));
    auto r = care_jobs_.RunThrough(fx_.admin(), day);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? r->at("days").back() : json();
  }

  std::optional<store::reports::StoredChurn> Score(MemberId m) {
    auto r = fx_.store().Read(
        [&](store::Repository& repo) -> Result<std::optional<store::reports::StoredChurn>> {
          return store::reports::GetChurnScore(repo.reports(), m);
        });
    return r.ok() ? *r : std::nullopt;
  }

  std::vector<store::CareTaskRecord> ChurnTasks(MemberId m) {
    auto r = fx_.store().Read(
        [&](store::Repository& repo) -> Result<std::vector<store::CareTaskRecord>> {
          store::CareTaskFilter f;
          f.member = m;
          return repo.care().ListTasks(f, {500, 0}).items;
        });
    std::vector<store::CareTaskRecord> out;
    for (const auto& t : r.ok() ? *r : std::vector<store::CareTaskRecord>()) {
      if (t.occasion == "churn_risk") out.push_back(t);
    }
    return out;
  }

  Care care_{fx_.env()};
  LoyaltyJobs care_jobs_{fx_.env(), LoyaltyJobs::kBatchSize, &care_};
};

TEST_F(ChurnJobTest, R5CrossingSeventyGivesTheAssociateOneChurnRiskTask) {
  const MemberId jia = Member("甲会员");
  const MemberId yi = Member("乙会员");
  for (unsigned month = 1; month <= 3; ++month) Buy(jia, 2000, D(2027, month, 5));
  for (unsigned month = 4; month <= 6; ++month) Buy(jia, 500, D(2027, month, 5));

  auto before = RunCare(D(2027, 9, 2));
  auto medium = Score(jia);
  ASSERT_TRUE(medium);
  EXPECT_EQ(medium->score, 60);
  EXPECT_EQ(medium->level, "medium");
  EXPECT_EQ(json::parse(medium->reasons),
            json({"消费频次下降100%", "近6个月消费额下降70%", "近60天未消费"}));
  EXPECT_EQ(medium->day, D(2027, 9, 2));
  EXPECT_EQ(medium->previous_score, std::nullopt);
  EXPECT_EQ(Score(yi), std::nullopt);  // never bought
  EXPECT_EQ(before["churn_scored"], 1);
  EXPECT_EQ(before["churn_high"], 0);
  EXPECT_TRUE(ChurnTasks(jia).empty());

  auto crossing = RunCare(D(2027, 9, 3));
  auto high = Score(jia);
  ASSERT_TRUE(high);
  EXPECT_EQ(high->score, 75);
  EXPECT_EQ(high->level, "high");
  EXPECT_EQ(json::parse(high->reasons),
            json({"近90天未消费", "消费频次下降100%", "近6个月消费额下降70%"}));
  EXPECT_EQ(high->previous_score, 60);
  EXPECT_EQ(crossing["churn_high"], 1);
  auto tasks = ChurnTasks(jia);
  ASSERT_EQ(tasks.size(), 1u);
  EXPECT_EQ(tasks[0].occasion_key, "churn_risk:2027-09");
  EXPECT_EQ(tasks[0].assignee_id, fx_.org().associate_sh01);
  EXPECT_EQ(tasks[0].occasion_on, D(2027, 9, 3));
  EXPECT_EQ(tasks[0].due_on, D(2027, 9, 6));  // the rule's offset: 3 days
  EXPECT_EQ(tasks[0].status, "open");
  // The associate sees why in their task list.
  const Actor associate =
      fx_.AddUser("assoc.sh01", Role::kAssociate, fx_.org().associate_sh01);
  auto mine = care_.ListTasks(associate, {{"assignee", "me"}, {"occasion", "churn_risk"}}, {50, 0});
  ASSERT_TRUE(mine.ok()) << mine.error().field << ": " << mine.error().message;
  ASSERT_EQ((*mine)["total"], 1);
  EXPECT_EQ((*mine)["items"][0]["action"],
            "查看流失预警原因，电话联系客户挽回。原因：近90天未消费、消费频次下降100%、"
            "近6个月消费额下降70%");

  // The next days, into the next month: still high, never a second task.
  RunCare(D(2027, 9, 4));
  RunCare(D(2027, 10, 1));
  auto later = Score(jia);
  ASSERT_TRUE(later);
  EXPECT_EQ(later->score, 75);
  EXPECT_EQ(json::parse(later->reasons),
            json({"近90天未消费", "消费频次下降100%", "近6个月消费额下降81%"}));
  EXPECT_EQ(ChurnTasks(jia).size(), 1u);
}

TEST_F(ChurnJobTest, R5AClosedFileLosesItsScoreAndARerunChangesNothing) {
  const MemberId jia = Member("甲会员");
  const MemberId bing = Member("丙会员");
  Buy(jia, 800, D(2027, 1, 5));
  Buy(bing, 800, D(2027, 1, 6));
  At(D(2027, 9, 3));
  ChurnJob job(fx_.env(), /*batch_size=*/1);  // one member per transaction
  std::map<std::string, int64_t> counts;
  ASSERT_TRUE(job.RunDay(fx_.admin(), D(2027, 9, 3), counts).ok());
  EXPECT_EQ(counts["churn_scored"], 2);
  EXPECT_EQ(counts["churn_changed"], 2);
  // 241 days away: 45; nothing spent in Apr..Sep against ¥800 in Oct..Mar:
  // 100 % less, 20; frequency needs 2 purchases before. 65, medium.
  auto first = Score(jia);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->score, 65);
  EXPECT_EQ(json::parse(first->reasons), json({"近180天未消费", "近6个月消费额下降100%"}));

  counts.clear();
  ASSERT_TRUE(job.RunDay(fx_.admin(), D(2027, 9, 3), counts).ok());
  EXPECT_EQ(counts["churn_scored"], 2);
  EXPECT_EQ(counts["churn_changed"], 0);
  EXPECT_EQ(Score(jia), first);

  auto closed = members_.ChangeStatus(fx_.admin(), bing, "closed", "顾客要求注销");
  ASSERT_TRUE(closed.ok()) << closed.error().message;
  counts.clear();
  ASSERT_TRUE(job.RunDay(fx_.admin(), D(2027, 9, 4), counts).ok());
  EXPECT_EQ(counts["churn_scored"], 1);
  EXPECT_EQ(Score(bing), std::nullopt);
  EXPECT_TRUE(Score(jia));

  // Only an administrator's schedule scores.
  auto refused = job.RunDay(manager_, D(2027, 9, 4), counts);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
}

class ChurnReportTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  ChurnReportTest() {
    using R = domain::ChurnReason;
    const uint32_t d60 = uint32_t(R::kNoPurchase60), d90 = uint32_t(R::kNoPurchase90),
                   d180 = uint32_t(R::kNoPurchase180), d365 = uint32_t(R::kNoPurchase365),
                   freq = uint32_t(R::kFrequencyDrop), spend = uint32_t(R::kSpendDrop);
    const auto& o = fx_.org();
    Add("a", o.sh01, "gold", 90, "high", d180 | freq | spend);
    Add("b", o.sh01, "gold", 75, "high", d90 | freq | spend);
    Add("c", o.sh01, "silver", 55, "medium", d90 | freq);
    Add("d", o.sh01, "", 15, "low", d60);
    Add("e", o.sh01, "", 0, "low", 0);
    Add("f", o.sh02, "silver", 70, "high", d365);
    Add("g", o.sh02, "silver", 45, "medium", d180);
    Add("h", o.gz01, "gold", 40, "medium", d90 | spend);
    const MemberId i = Add("i", o.gz01, "gold", 95, "high", d365);
    auto closed = members_.ChangeStatus(fx_.admin(), i, "closed", "顾客要求注销");
    EXPECT_TRUE(closed.ok());
    analyst_ = fx_.AddUser("hq", Role::kHqAnalyst);
  }

  MemberId Add(const std::string& name, StoreId store, const std::string& tier, int score,
               const std::string& level, uint32_t bits) {
    auto m = members_.Create(fx_.admin(), fx_.MemberBody("会员" + name, store));
    EXPECT_TRUE(m.ok());
    const MemberId id = m->member.id;
    if (!tier.empty()) SetTier(id, tier);
    auto st = fx_.store().Write([&](store::Repository& repo) -> Status {
      store::reports::StoredChurn row;
      row.member_id = id;
      row.day = D(2026, 11, 23);
      row.score = score;
      row.level = level;
      row.reason_bits = bits;
      row.reasons = "[]";
      store::reports::SaveChurnScores(repo.reports(), {row});
      return OkStatus();
    });
    EXPECT_TRUE(st.ok());
    return id;
  }

  json Get(const Actor& a, QueryMap q = {}) {
    auto r = reports_.Get(a, "churn_risk", q);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  static json Row(const json& r, StoreId store) {
    for (const auto& row : r["rows"]) {
      if (row["store_id"] == store.value) return row;
    }
    return json();
  }

  Reports reports_{fx_.env()};
  Actor analyst_;
};

TEST_F(ChurnReportTest, R5RiskByStoreWithShareOfHighRisk) {
  auto r = Get(analyst_);
  ASSERT_EQ(r["rows"].size(), 3u) << r.dump();
  const json sh01 = Row(r, fx_.org().sh01);
  EXPECT_EQ(sh01["store_name"], "上海南京路店");
  EXPECT_EQ(sh01["scored"], 5);
  EXPECT_EQ(sh01["high"], 2);
  EXPECT_EQ(sh01["medium"], 1);
  EXPECT_EQ(sh01["low"], 2);
  EXPECT_EQ(sh01["high_share_bp"], 4000);
  const json sh02 = Row(r, fx_.org().sh02);
  EXPECT_EQ(sh02["scored"], 2);
  EXPECT_EQ(sh02["high"], 1);
  EXPECT_EQ(sh02["medium"], 1);
  EXPECT_EQ(sh02["high_share_bp"], 5000);
  const json gz01 = Row(r, fx_.org().gz01);
  EXPECT_EQ(gz01["scored"], 1);  // the closed file is not counted
  EXPECT_EQ(gz01["high"], 0);
  EXPECT_EQ(gz01["medium"], 1);
  EXPECT_EQ(gz01["high_share_bp"], 0);
  EXPECT_EQ(r["totals"],
            json({{"scored", 8}, {"high", 3}, {"medium", 3}, {"low", 2}, {"high_share_bp", 3750}}));
  EXPECT_EQ(r["name"], "churn_risk");
  EXPECT_EQ(r["spec"], "R5");
  EXPECT_EQ(r["as_of"], nullptr);  // the job has not run
  // Aggregates only: no member id or name anywhere in the answer.
  EXPECT_EQ(r.dump().find("会员a"), std::string::npos);
  EXPECT_EQ(r.dump().find("member_id"), std::string::npos);
}

TEST_F(ChurnReportTest, R5ReasonsMostFrequentFirst) {
  auto r = Get(analyst_);
  EXPECT_EQ(r["reasons"], json::parse(R"([
      {"reason": "近90天未消费", "code": "no_purchase_90", "members": 3, "high": 1},
      {"reason": "消费频次下降", "code": "frequency_drop", "members": 3, "high": 2},
      {"reason": "近6个月消费额下降", "code": "spend_drop", "members": 3, "high": 2},
      {"reason": "近180天未消费", "code": "no_purchase_180", "members": 2, "high": 1},
      {"reason": "近60天未消费", "code": "no_purchase_60", "members": 1, "high": 0},
      {"reason": "近365天未消费", "code": "no_purchase_365", "members": 1, "high": 1}
    ])"));
}

TEST_F(ChurnReportTest, R5RiskByTierInTheProgramsOrder) {
  auto r = Get(analyst_);
  EXPECT_EQ(r["by_tier"], json::parse(R"([
      {"tier_code": "silver", "tier_name": "银卡", "high": 1, "medium": 2, "low": 0},
      {"tier_code": "gold", "tier_name": "金卡", "high": 2, "medium": 1, "low": 0},
      {"tier_code": "", "tier_name": "未定级", "high": 0, "medium": 0, "low": 2}
    ])"));
}

TEST_F(ChurnReportTest, R5AManagerSeesTheirStoreAndFiltersNarrowTheCount) {
  auto mine = Get(manager_);
  ASSERT_EQ(mine["rows"].size(), 1u);
  EXPECT_EQ(mine["rows"][0]["store_id"], fx_.org().sh01.value);
  EXPECT_EQ(mine["totals"]["scored"], 5);
  EXPECT_EQ(mine["totals"]["high"], 2);
  EXPECT_EQ(mine["reasons"], json::parse(R"([
      {"reason": "消费频次下降", "code": "frequency_drop", "members": 3, "high": 2},
      {"reason": "近90天未消费", "code": "no_purchase_90", "members": 2, "high": 1},
      {"reason": "近6个月消费额下降", "code": "spend_drop", "members": 2, "high": 2},
      {"reason": "近60天未消费", "code": "no_purchase_60", "members": 1, "high": 0},
      {"reason": "近180天未消费", "code": "no_purchase_180", "members": 1, "high": 1}
    ])"));
  auto other =
      reports_.Get(manager_, "churn_risk", {{"store_id", std::to_string(fx_.org().sh02.value)}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);

  auto gold = Get(analyst_, {{"tier", "gold"}});
  ASSERT_EQ(gold["rows"].size(), 2u);
  EXPECT_EQ(Row(gold, fx_.org().sh01)["scored"], 2);
  EXPECT_EQ(Row(gold, fx_.org().sh01)["high_share_bp"], 10000);
  EXPECT_EQ(Row(gold, fx_.org().gz01)["medium"], 1);
  EXPECT_EQ(gold["by_tier"].size(), 1u);

  auto south = Get(analyst_, {{"region_id", std::to_string(fx_.org().south.value)}});
  ASSERT_EQ(south["rows"].size(), 1u);
  EXPECT_EQ(south["rows"][0]["store_id"], fx_.org().gz01.value);
}

// The report reads what the job wrote, as of the job's day.
TEST_F(ChurnJobTest, R5ReportCountsWhatTheJobScored) {
  const MemberId jia = Member("甲会员");
  for (unsigned month = 1; month <= 3; ++month) Buy(jia, 2000, D(2027, month, 5));
  for (unsigned month = 4; month <= 6; ++month) Buy(jia, 500, D(2027, month, 5));
  RunCare(D(2027, 9, 3));
  Reports reports(fx_.env());
  auto r = reports.Get(fx_.admin(), "churn_risk", {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ((*r)["as_of"], "2027-09-03");
  EXPECT_EQ((*r)["totals"]["high"], 1);
  EXPECT_EQ((*r)["reasons"].size(), 3u);
  EXPECT_EQ((*r)["by_tier"].size(), 1u);
}

}  // namespace
}  // namespace vipcare::service
