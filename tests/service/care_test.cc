// The care engine (SPEC C1-C5) through service::Care and the daily schedule
// (service::LoyaltyJobs with the care job) on the backend
// VIPCARE_TEST_BACKEND selects. The company runs the department-store preset:
// tiers from the top 紫金钻石卡 (grade A), 钻石卡 (B), 金卡 (C), 银卡 (D),
// 普卡 (E). 中秋 2027 is Wednesday 15 September.
#include "service/care.h"

#include <gtest/gtest.h>

#include "domain/care_rules.h"
#include "service/loyalty_core.h"
#include "testing/loyalty_scenario.h"
#include "testing/sms_gateway.h"
#include "testing/smtp_server.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }
const Date kEveOfMidAutumn = D(2027, 9, 14);

class CareTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  CareTest() {
    associate_ = fx_.AddUser("assoc.sh01", Role::kAssociate, fx_.org().associate_sh01);
    other_associate_ = fx_.AddUser("assoc.sh02", Role::kAssociate, fx_.org().associate_sh02);
    // The brand the seed texts sign with ({brand}).
    auto st = fx_.store().Write([&](store::Repository& repo) -> Status {
      repo.SaveCompany({"恒久百货", "Asia/Shanghai"});
      return OkStatus();
    });
    EXPECT_TRUE(st.ok());
  }

  // A member of SH01 looked after by the SH01 associate, reachable by
  // mobile, e-mail and post, with `tier` ("" = none).
  MemberId Member(const std::string& name, const std::string& tier, json extra = json::object()) {
    json body = fx_.MemberBody(name, fx_.org().sh01);
    body["associate_id"] = fx_.org().associate_sh01.value;
    body["email"] = "m" + fx_.NextMobile() + "@example.com";
    body["addresses"] = {{{"label", "home"},
                          {"province", "上海市"},
                          {"city", "上海市"},
                          {"district", "黄浦区"},
                          {"detail", "南京东路100号"}}};
    body["status"] = "formal";
    body.update(extra);
    auto m = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(m.ok()) << m.error().field << ": " << m.error().message;
    if (!m.ok()) return MemberId();
    const MemberId id = m->member.id;
    if (!tier.empty()) SetTier(id, tier);
    return id;
  }

  // The schedule (loyalty jobs + care) for `day`, with the clock at 01:00 of it.
  json RunCare(Date day) {
    fx_.clock().Set(fx_.env().tz.StartOfDay(day) + std::chrono::hours(1));
    auto r = care_jobs_.RunThrough(fx_.admin(), day);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  std::vector<store::CareTaskRecord> Tasks(MemberId m) {
    auto r = fx_.store().Read([&](store::Repository& repo) -> Result<std::vector<store::CareTaskRecord>> {
      store::CareTaskFilter f;
      f.member = m;
      return repo.care().ListTasks(f, {500, 0}).items;
    });
    return r.ok() ? *r : std::vector<store::CareTaskRecord>();
  }
  std::optional<store::CareTaskRecord> Task(MemberId m, const std::string& occasion) {
    for (const auto& t : Tasks(m)) {
      if (t.occasion == occasion) return t;
    }
    return std::nullopt;
  }
  std::vector<store::OutboxMessage> Outbox(MemberId m) {
    auto r = fx_.store().Read([&](store::Repository& repo) -> Result<std::vector<store::OutboxMessage>> {
      store::OutboxFilter f;
      f.member = m;
      return repo.care().ListOutbox(f, {500, 0}).items;
    });
    return r.ok() ? *r : std::vector<store::OutboxMessage>();
  }

  Care care_{fx_.env()};
  LoyaltyJobs care_jobs_{fx_.env(), LoyaltyJobs::kBatchSize, &care_};
  Actor associate_, other_associate_;
};

TEST_F(CareTest, C1_DayBeforeMidAutumn2027GivesEachTierItsOwnActions) {
  const MemberId top = Member("甲顶级", "purple_diamond");  // A: phone + e-mail + visit + gift
  const MemberId second = Member("乙二级", "diamond");      // B: SMS + e-mail + gift in store
  const MemberId plain = Member("丙普通", "");              // default: SMS + e-mail + card
  auto summary = RunCare(kEveOfMidAutumn);
  EXPECT_GE(summary["days"][0]["care_tasks"].get<int64_t>(), 3);

  auto a = Task(top, "mid_autumn");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->occasion_key, "mid_autumn:2027");
  EXPECT_EQ(a->channel, "phone");
  EXPECT_EQ(a->channels, "phone,email,visit,gift");
  EXPECT_EQ(a->assignee_id, fx_.org().associate_sh01);
  EXPECT_EQ(a->status, "open");
  EXPECT_EQ(a->occasion_on, D(2027, 9, 15));

  auto b = Task(second, "mid_autumn");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->channels, "sms,email,gift");
  EXPECT_EQ(b->channel, "gift");  // the person's part: the gift handed over in store

  auto c = Task(plain, "mid_autumn");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->channels, "sms,email,mail");
  EXPECT_EQ(c->channel, "mail");

  // The greeting SMS is rendered for the member, to go out on the due day.
  bool greeted = false;
  for (const auto& m : Outbox(second)) {
    if (m.channel == "sms" && m.status == "queued") {
      greeted = true;
      // The seed text of the mid-autumn SMS, signed with the brand and store.
      EXPECT_NE(m.text.find("庆中秋"), std::string::npos) << m.text;
      EXPECT_NE(m.text.find("恒久百货上海南京路店"), std::string::npos) << m.text;
    }
  }
  EXPECT_TRUE(greeted);
  // No SMS was asked for the A member's greeting: a phone call instead.
  for (const auto& m : Outbox(top)) EXPECT_NE(m.channel, "sms");
}

// L6 with C1: a member's grade is their tier's rank in their own program's
// ladder. With members on the key-accounts program (C级, B级, A级), the
// company's 钻石卡 is still grade B, and key accounts' B级 is grade B too.
TEST_F(CareTest, C1_EachMembersGradeIsTheirTiersRankInTheirOwnProgram) {
  const MemberId diamond = Member("丁钻石", "diamond");
  const MemberId b = Member("戊大客户", "");
  const MemberId a = Member("己大客户", "");
  for (MemberId id : {a, b}) {
    auto moved = members_.Update(fx_.admin(), id, json{{"program_id", "key-accounts"}});
    ASSERT_TRUE(moved.ok()) << moved.error().field << ": " << moved.error().message;
  }
  SetTier(b, "b");
  SetTier(a, "a");
  ASSERT_EQ(State(b).program_code, "key_accounts");
  RunCare(kEveOfMidAutumn);
  auto t = Task(diamond, "mid_autumn");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->channels, "sms,email,gift");  // B, not the default of a longer ladder
  t = Task(b, "mid_autumn");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->channels, "sms,email,gift");
  t = Task(a, "mid_autumn");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->channels, "phone,email,visit,gift");
}

TEST_F(CareTest, C1_RerunsAndTheNextDayNeverGiveASecondTaskForOneOccasion) {
  const MemberId m = Member("丁会员", "gold");
  RunCare(kEveOfMidAutumn);
  const size_t first = Tasks(m).size();
  ASSERT_GE(first, 1u);
  // The same day again is recorded as run and changes nothing.
  auto again = RunCare(kEveOfMidAutumn);
  EXPECT_TRUE(again["days"][0]["skipped"].get<bool>());
  // The festival itself is still in the occasion's window: same key, no new task.
  RunCare(D(2027, 9, 15));
  int mid_autumn = 0;
  for (const auto& t : Tasks(m)) mid_autumn += t.occasion == "mid_autumn";
  EXPECT_EQ(mid_autumn, 1);
}

TEST_F(CareTest, C1_DaysTheScheduleMissedAreCaughtUp) {
  const MemberId m = Member("戊买家", "");
  RunCare(D(2027, 3, 1));
  Buy(m, 800, D(2027, 3, 1));
  // The server was down from the 2nd to the 5th: the next run walks every day.
  auto r = RunCare(D(2027, 3, 6));
  EXPECT_EQ(r["from"], "2027-03-02");
  auto d1 = Task(m, "post_purchase_d1");
  ASSERT_TRUE(d1) << "day-1 SMS of the 1.3.5 plan";
  EXPECT_EQ(d1->occasion_key, "post_purchase_d1:2027-03-01");
  auto d3 = Task(m, "post_purchase_d3");
  ASSERT_TRUE(d3) << "day-3 satisfaction call of the 1.3.5 plan";
  EXPECT_EQ(d3->due_on, D(2027, 3, 4));
  EXPECT_EQ(d3->channel, "phone");
}

TEST_F(CareTest, C2_AnAssociateCompletesTheirTaskOnlyWithItsContactEntry) {
  const MemberId m = Member("己会员", "diamond");
  RunCare(kEveOfMidAutumn);
  auto t = Task(m, "mid_autumn");
  ASSERT_TRUE(t);

  // Someone else's task: refused, nothing changed.
  auto foreign = care_.CompleteTask(other_associate_, t->id,
                                    {{"outcome", "done"}, {"summary", "已问候"}});
  ASSERT_FALSE(foreign.ok());
  EXPECT_EQ(foreign.error().code, ErrorCode::kForbidden);
  // No summary: the field is named, nothing changed.
  auto bare = care_.CompleteTask(associate_, t->id, {{"outcome", "done"}});
  ASSERT_FALSE(bare.ok());
  EXPECT_EQ(bare.error().field, "summary");
  auto bad = care_.CompleteTask(associate_, t->id,
                                {{"outcome", "done"}, {"summary", "好"}, {"satisfaction", 9}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "satisfaction");
  EXPECT_EQ(Task(m, "mid_autumn")->status, "open");

  auto done = care_.CompleteTask(associate_, t->id,
                                 {{"outcome", "done"},
                                  {"summary", "顾客到店领取月饼，很满意"},
                                  {"satisfaction", 5},
                                  {"follow_up", "国庆新品到店时通知"}});
  ASSERT_TRUE(done.ok()) << done.error().field << ": " << done.error().message;
  EXPECT_EQ((*done)["status"], "done");
  auto contacts = care_.MemberContacts(associate_, m, {50, 0});
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ((*contacts)["total"], 1);
  EXPECT_EQ((*contacts)["items"][0]["summary"], "顾客到店领取月饼，很满意");
  EXPECT_EQ((*contacts)["items"][0]["satisfaction"], 5);
  EXPECT_EQ((*contacts)["items"][0]["task_id"], t->id);
  // Done once: a second completion is a conflict.
  auto twice = care_.CompleteTask(associate_, t->id, {{"outcome", "done"}, {"summary", "再次"}});
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);
  EXPECT_EQ(fx_.CountAudit("task_complete"), 1);
}

TEST_F(CareTest, C2_AManagerForwardsOnlyToTheirOwnAssociates) {
  const MemberId m = Member("庚会员", "purple_diamond");
  RunCare(kEveOfMidAutumn);
  auto t = Task(m, "mid_autumn");
  ASSERT_TRUE(t);
  // An associate of another store is not the SH01 manager's subordinate.
  auto wrong = care_.ForwardTask(manager_, t->id, {{"to_staff_id", fx_.org().associate_sh02.value}});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().field, "to_staff_id");
  // An associate has no subordinates.
  auto upward = care_.ForwardTask(associate_, t->id, {{"to_staff_id", fx_.org().manager_sh01.value}});
  ASSERT_FALSE(upward.ok());
  EXPECT_EQ(upward.error().field, "to_staff_id");
  // Assign to the manager, then forward down to the associate.
  auto assigned = care_.AssignTask(manager_, t->id, {{"staff_id", fx_.org().manager_sh01.value}});
  ASSERT_TRUE(assigned.ok()) << assigned.error().message;
  auto mine = care_.ListTasks(associate_, {{"occasion", "mid_autumn"}}, {50, 0});
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ((*mine)["total"], 0) << "assigned away from the associate";
  auto fwd = care_.ForwardTask(manager_, t->id, {{"to_staff_id", fx_.org().associate_sh01.value},
                                                 {"note", "请上门送月饼"}});
  ASSERT_TRUE(fwd.ok()) << fwd.error().field << ": " << fwd.error().message;
  EXPECT_EQ((*fwd)["status"], "forwarded");
  mine = care_.ListTasks(associate_, {{"status", "pending"}, {"occasion", "mid_autumn"}}, {50, 0});
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ((*mine)["total"], 1);
  EXPECT_EQ((*mine)["items"][0]["id"], t->id);
  auto one = care_.GetTask(manager_, t->id);
  ASSERT_TRUE(one.ok());
  ASSERT_EQ((*one)["events"].size(), 2u);
  EXPECT_EQ((*one)["events"][1]["kind"], "forwarded");
  EXPECT_EQ((*one)["events"][1]["note"], "请上门送月饼");
}

TEST_F(CareTest, C2_AnOverdueTaskGoesToTheStoreManagerOnce) {
  const MemberId m = Member("辛会员", "purple_diamond");
  RunCare(kEveOfMidAutumn);
  auto t = Task(m, "mid_autumn");
  ASSERT_TRUE(t);
  // Not done by the end of its window: the next day's run escalates it.
  RunCare(t->overdue_after.AddDays(1));
  auto late = Task(m, "mid_autumn");
  ASSERT_TRUE(late);
  EXPECT_EQ(late->assignee_id, fx_.org().manager_sh01);
  ASSERT_TRUE(late->escalated_on);
  auto listed = care_.ListTasks(manager_, {{"overdue", "true"}}, {50, 0});
  ASSERT_TRUE(listed.ok());
  EXPECT_GE((*listed)["total"].get<int64_t>(), 1);
  EXPECT_TRUE((*listed)["items"][0]["overdue"].get<bool>());
}

TEST_F(CareTest, C3_AContactForAnErasedMemberIsRefused) {
  const MemberId m = Member("壬会员", "");
  ASSERT_TRUE(members_.Erase(fx_.admin(), m, "顾客要求删除").ok());
  auto r = care_.LogContact(fx_.admin(), m, {{"channel", "phone"}, {"summary", "回访"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().field, "member_id");
  auto contacts = care_.MemberContacts(fx_.admin(), m, {50, 0});
  ASSERT_TRUE(contacts.ok());
  EXPECT_EQ((*contacts)["total"], 0);
}

TEST_F(CareTest, C4_AnInvalidNumberGetsACollectNumberTaskInsteadOfAnSms) {
  const MemberId m = Member("癸会员", "diamond", {{"mobile_valid", false}});
  RunCare(kEveOfMidAutumn);
  auto collect = Task(m, "collect_number");
  ASSERT_TRUE(collect) << "收集新号码";
  auto festival = Task(m, "mid_autumn");
  ASSERT_TRUE(festival);
  EXPECT_EQ(festival->channels.find("sms"), std::string::npos);
  EXPECT_NE(festival->dropped.find("sms"), std::string::npos);
  for (const auto& msg : Outbox(m)) EXPECT_NE(msg.channel, "sms");
}

TEST_F(CareTest, C4_OptedOutMembersGetServiceCallsButNoMarketing) {
  const MemberId m =
      Member("赵退订", "diamond", {{"preferences", {{"marketing_opt_out", true}}}});
  RunCare(D(2027, 9, 9));
  Buy(m, 500, D(2027, 9, 10));
  RunCare(kEveOfMidAutumn);
  EXPECT_FALSE(Task(m, "mid_autumn")) << "a festival greeting is marketing";
  EXPECT_TRUE(Task(m, "post_purchase_d3")) << "the satisfaction call is service";
}

TEST_F(CareTest, C5_TheGreetingGoesThroughTheSmsGatewayOnItsDay) {
  vipcare::testing::SmsGateway gateway;
  SmsGatewayConfig config;
  config.url = gateway.url();
  config.account = "vipcare-test";
  config.secret = "test-secret";
  config.signature = "南京路店";
  Care care(fx_.env(), std::make_shared<HttpSmsGatewaySender>(config, &fx_.clock()));
  LoyaltyJobs jobs(fx_.env(), LoyaltyJobs::kBatchSize, &care);
  const MemberId m = Member("钱二级", "diamond");
  fx_.clock().Set(fx_.env().tz.StartOfDay(kEveOfMidAutumn) + std::chrono::hours(1));
  ASSERT_TRUE(jobs.RunDay(fx_.admin(), kEveOfMidAutumn).ok());
  EXPECT_TRUE(gateway.Messages().empty()) << "not before 10:00 of the due day";
  // Later that morning the queued messages go out.
  fx_.clock().Set(fx_.env().tz.StartOfDay(kEveOfMidAutumn) + std::chrono::hours(11));
  auto sent = care.SendDue(fx_.admin());
  ASSERT_TRUE(sent.ok());
  EXPECT_GE((*sent)["sent"].get<int64_t>(), 1);
  auto received = gateway.Messages();
  ASSERT_FALSE(received.empty());
  bool found = false;
  for (const auto& r : received) {
    if (r.text.find("庆中秋") != std::string::npos) {
      found = true;
      EXPECT_EQ(r.text.rfind("【南京路店】", 0), 0u) << r.text;
    }
  }
  EXPECT_TRUE(found);
  for (const auto& msg : Outbox(m)) {
    if (msg.channel == "sms") {
      EXPECT_EQ(msg.status, "sent");
      EXPECT_EQ(msg.sender, "sms_gateway");
    }
  }
}

TEST_F(CareTest, C5_TheFestivalEmailWithThePointsGoesThroughSmtp) {
  vipcare::testing::SmtpServer smtp;
  SmtpConfig config;
  config.url = smtp.url();
  config.from_address = "care@hengjiu.test";
  config.from_name = "恒久百货会员中心";
  Care care(fx_.env(), nullptr, std::make_shared<SmtpEmailSender>(config, &fx_.clock()));
  LoyaltyJobs jobs(fx_.env(), LoyaltyJobs::kBatchSize, &care);
  const MemberId m = Member("周二级", "diamond");
  fx_.clock().Set(fx_.env().tz.StartOfDay(kEveOfMidAutumn) + std::chrono::hours(1));
  ASSERT_TRUE(jobs.RunDay(fx_.admin(), kEveOfMidAutumn).ok());
  fx_.clock().Set(fx_.env().tz.StartOfDay(kEveOfMidAutumn) + std::chrono::hours(11));
  auto sent = care.SendDue(fx_.admin());
  ASSERT_TRUE(sent.ok());
  auto mails = smtp.WaitFor(1);
  ASSERT_EQ(mails.size(), 1u);
  EXPECT_EQ(mails[0].subject, "恒久百货祝您中秋节快乐");
  EXPECT_NE(mails[0].body.find("周女士"), std::string::npos) << mails[0].body;
  EXPECT_NE(mails[0].body.find("您目前的积分是0分"), std::string::npos) << mails[0].body;
  bool recorded = false;
  for (const auto& msg : Outbox(m)) {
    if (msg.channel == "email") {
      recorded = true;
      EXPECT_EQ(msg.status, "sent");
      EXPECT_EQ(msg.sender, "smtp");
    } else {
      EXPECT_EQ(msg.status, "kept") << "SMS stay in the outbox without a gateway";
    }
  }
  EXPECT_TRUE(recorded);
}

TEST_F(CareTest, C5_WithoutASenderMessagesAreKeptInTheOutbox) {
  const MemberId m = Member("孙二级", "diamond");
  RunCare(kEveOfMidAutumn);
  fx_.clock().Set(fx_.env().tz.StartOfDay(kEveOfMidAutumn) + std::chrono::hours(11));
  ASSERT_TRUE(care_.SendDue(fx_.admin()).ok());
  bool kept = false;
  for (const auto& msg : Outbox(m)) kept = kept || (msg.channel == "sms" && msg.status == "kept");
  EXPECT_TRUE(kept);
}

TEST_F(CareTest, C1_RuleEditsAreValidatedVersionedAndApplyFromTheNextRun) {
  auto bad = care_.PutRules(fx_.admin(), {{"rules", {{{"code", "x"},
                                                      {"name", "x"},
                                                      {"trigger", {{"type", "full_moon"}}},
                                                      {"actions", {{"default", {{"channels", {"sms"}}}}}}}}}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "rules[0].trigger.type");
  auto current = care_.GetRules(fx_.admin());
  ASSERT_TRUE(current.ok());
  EXPECT_EQ((*current)["version"], 0);
  // Switch the mid-autumn greeting off.
  json set = (*current)["rule_set"];
  for (auto& r : set["rules"]) {
    if (r["code"] == "mid_autumn") r["enabled"] = false;
  }
  auto saved = care_.PutRules(fx_.admin(), set);
  ASSERT_TRUE(saved.ok()) << saved.error().field << ": " << saved.error().message;
  EXPECT_EQ((*saved)["version"], 1);
  EXPECT_EQ(fx_.CountAudit("care_rules_update"), 1);
  const MemberId m = Member("李会员", "diamond");
  RunCare(kEveOfMidAutumn);
  EXPECT_FALSE(Task(m, "mid_autumn"));
  // Only admins edit rules.
  auto refused = care_.GetRules(manager_);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kForbidden);
}

}  // namespace
}  // namespace vipcare::service
