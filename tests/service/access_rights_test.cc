// Grants (P2), revocation (P8), device allow-lists (P7), consent (P8),
// children's files (P8), data copy (P8) and audited exports (P4).
#include <gtest/gtest.h>

#include "service/accounts.h"
#include "service/grants.h"
#include "service/members.h"
#include "service/org.h"
#include "testing/fixtures.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;
using std::chrono::hours;
using vipcare::testing::kTestPassword;
using vipcare::testing::ServiceFixture;

class AccessRightsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& o = fx_.org();
    assoc_ = fx_.AddUser("assoc.a", Role::kAssociate, o.associate_sh01);
    manager_ = fx_.AddUser("manager.sh01", Role::kStoreManager, o.manager_sh01);
    callcenter_ = fx_.AddUser("cc1", Role::kCallCenter);
    hq_ = fx_.AddUser("hq1", Role::kHqAnalyst);
    json body = fx_.MemberBody("李雷", o.sh01);
    body["associate_id"] = o.associate_sh01.value;
    auto m = members_.Create(fx_.admin(), body);
    ASSERT_TRUE(m.ok()) << m.error().message;
    member_ = m->member;
  }

  NewGrant GrantFor(Timestamp from, Timestamp to) {
    return {callcenter_.user_id, {member_.id}, from, to, "回访任务 2026-11"};
  }

  std::string SignIn(const std::string& user, const std::string& address = "10.0.0.5",
                     const std::string& device = "") {
    auto r = accounts_.Login(user, kTestPassword, address, device);
    EXPECT_TRUE(r.ok()) << user << ": " << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->token : "";
  }

  ServiceFixture fx_;
  Members members_{fx_.env()};
  Grants grants_{fx_.env()};
  Accounts accounts_{fx_.env()};
  Org org_{fx_.env()};
  Actor assoc_, manager_, callcenter_, hq_;
  domain::Member member_;
};

TEST_F(AccessRightsTest, P2GrantOpensTheMemberOnlyInsideItsWindow) {
  const Timestamp now = fx_.clock().Now();
  EXPECT_EQ(members_.Get(callcenter_, member_.id).error().code, ErrorCode::kForbidden);
  auto g = grants_.Create(manager_, GrantFor(now + hours(1), now + hours(3)));
  ASSERT_TRUE(g.ok()) << g.error().field << ": " << g.error().message;
  EXPECT_EQ(g->member_count, 1);
  // Not yet started.
  EXPECT_EQ(members_.Get(callcenter_, member_.id).error().code, ErrorCode::kForbidden);
  MemberQuery q;
  EXPECT_EQ(members_.Search(callcenter_, q)->total, 0);
  fx_.clock().Advance(hours(2));
  auto view = members_.Get(callcenter_, member_.id);
  ASSERT_TRUE(view.ok()) << view.error().message;
  EXPECT_EQ(view->member.mobile.number, member_.mobile.number);  // grant holders see it unmasked
  EXPECT_EQ(members_.Search(callcenter_, q)->total, 1);
  // Lapsed: no job ran, the clock alone closes it.
  fx_.clock().Advance(hours(2));
  EXPECT_EQ(members_.Get(callcenter_, member_.id).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(members_.Search(callcenter_, q)->total, 0);
  EXPECT_EQ(fx_.CountAudit("grant_create"), 1);
}

TEST_F(AccessRightsTest, P2GrantsAreCheckedAndScoped) {
  const Timestamp now = fx_.clock().Now();
  // Only call-centre accounts receive grants; windows are bounded.
  auto bad = GrantFor(now, now + hours(1));
  bad.grantee = assoc_.user_id;
  EXPECT_EQ(grants_.Create(manager_, bad).error().field, "grantee_id");
  EXPECT_EQ(grants_.Create(manager_, GrantFor(now, now - hours(1))).error().field, "ends_at");
  EXPECT_EQ(grants_.Create(manager_, GrantFor(now, now + hours(24 * 40))).error().field, "ends_at");
  // A manager cannot hand out another store's member; associates give no grants.
  json other = fx_.MemberBody("韩梅梅", fx_.org().sh02);
  auto m2 = members_.Create(fx_.admin(), other);
  ASSERT_TRUE(m2.ok());
  auto g = GrantFor(now, now + hours(1));
  g.members = {m2->member.id};
  EXPECT_EQ(grants_.Create(manager_, g).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(grants_.Create(assoc_, GrantFor(now, now + hours(1))).error().code,
            ErrorCode::kForbidden);
}

// A store manager picks the grantee by name: they may list the call-centre
// accounts and no others; grants name their grantee and giver.
TEST_F(AccessRightsTest, P2GrantGiversListOnlyCallCentreAccounts) {
  auto list = accounts_.ListUsers(manager_, {50, 0});
  ASSERT_TRUE(list.ok()) << list.error().message;
  ASSERT_EQ(list->total, 1);
  EXPECT_EQ(list->items[0].username, "cc1");
  EXPECT_TRUE(list->items[0].password_hash.empty());
  EXPECT_EQ(accounts_.ListUsers(manager_, {50, 0}, Role::kAdmin).error().code,
            ErrorCode::kForbidden);
  EXPECT_EQ(accounts_.ListUsers(assoc_, {50, 0}).error().code, ErrorCode::kForbidden);
  auto all = accounts_.ListUsers(fx_.admin(), {50, 0});
  ASSERT_TRUE(all.ok());
  EXPECT_GT(all->total, 4);
  EXPECT_EQ(accounts_.ListUsers(fx_.admin(), {50, 0}, Role::kHqAnalyst)->total, 1);

  const Timestamp now = fx_.clock().Now();
  auto g = grants_.Create(manager_, GrantFor(now, now + hours(1)));
  ASSERT_TRUE(g.ok());
  auto got = grants_.Get(manager_, g->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->grantee_username, "cc1");
  EXPECT_EQ(got->created_by_username, "manager.sh01");
}

TEST_F(AccessRightsTest, P8RevokingAGrantEndsItAndTheGranteesSessionsAtOnce) {
  const Timestamp now = fx_.clock().Now();
  auto g = grants_.Create(fx_.admin(), GrantFor(now, now + hours(8)));
  ASSERT_TRUE(g.ok());
  const std::string token = SignIn("cc1");
  ASSERT_TRUE(accounts_.Authenticate(token, "10.0.0.5").ok());
  ASSERT_TRUE(members_.Get(callcenter_, member_.id).ok());
  ASSERT_TRUE(grants_.Revoke(fx_.admin(), g->id).ok());
  EXPECT_EQ(accounts_.Authenticate(token, "10.0.0.5").error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(members_.Get(callcenter_, member_.id).error().code, ErrorCode::kForbidden);
  EXPECT_EQ(grants_.Revoke(fx_.admin(), g->id).error().code, ErrorCode::kConflict);
  EXPECT_EQ(fx_.CountAudit("grant_revoke"), 1);
}

TEST_F(AccessRightsTest, P8DisablingOrReRolingAnAccountEndsItsSessions) {
  const std::string token = SignIn("assoc.a");
  ASSERT_TRUE(accounts_.Authenticate(token, "10.0.0.5").ok());
  Accounts::UserChange off;
  off.active = false;
  ASSERT_TRUE(accounts_.UpdateUser(fx_.admin(), assoc_.user_id, off).ok());
  EXPECT_EQ(accounts_.Authenticate(token, "10.0.0.5").error().code, ErrorCode::kUnauthenticated);
  EXPECT_FALSE(accounts_.Login("assoc.a", kTestPassword, "10.0.0.5").ok());

  const std::string mgr = SignIn("manager.sh01");
  Accounts::UserChange demote;
  demote.role = Role::kAssociate;  // the staff record says store_manager: refused, nothing changes
  EXPECT_EQ(accounts_.UpdateUser(fx_.admin(), manager_.user_id, demote).error().field, "role");
  EXPECT_TRUE(accounts_.Authenticate(mgr, "10.0.0.5").ok());
  Accounts::UserChange unlink;
  unlink.role = Role::kCallCenter;
  unlink.staff_id = StaffId();  // keep link: refused likewise
  EXPECT_FALSE(accounts_.UpdateUser(assoc_, manager_.user_id, unlink).ok());  // not an admin
  EXPECT_EQ(fx_.CountAudit("user_update"), 1);
}

TEST_F(AccessRightsTest, P7AStoreWithAnAllowListAcceptsOnlyListedClients) {
  const std::string token = SignIn("manager.sh01", "10.0.0.5");
  manager_.address = "10.1.2.9";  // the manager keeps the list from a listed till
  auto entry = org_.AddDevice(
      manager_, {{"store_id", fx_.org().sh01.value}, {"kind", "address"}, {"value", "10.1.2.0/24"}});
  ASSERT_TRUE(entry.ok()) << entry.error().message;
  EXPECT_EQ(accounts_.Authenticate(token, "10.0.0.5").error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(accounts_.Authenticate(token, "10.1.2.77").ok());
  EXPECT_EQ(accounts_.Login("assoc.a", kTestPassword, "10.0.0.5").error().code,
            ErrorCode::kForbidden);
  // A registered device id works from any address.
  ASSERT_TRUE(org_.AddDevice(manager_, {{"store_id", fx_.org().sh01.value},
                                        {"kind", "device"},
                                        {"value", "SH01-POS-0001"}})
                  .ok());
  EXPECT_TRUE(accounts_.Login("assoc.a", kTestPassword, "192.168.9.9", "SH01-POS-0001").ok());
  // Accounts without a store are not bound; bad entries name the field.
  EXPECT_TRUE(accounts_.Login("hq1", kTestPassword, "10.0.0.5").ok());
  auto bad = org_.AddDevice(manager_, {{"store_id", fx_.org().sh01.value},
                                       {"kind", "address"},
                                       {"value", "10.1.2.0/33"}});
  EXPECT_EQ(bad.error().field, "value");
  EXPECT_EQ(org_.AddDevice(manager_, {{"store_id", fx_.org().sh02.value},
                                      {"kind", "device"},
                                      {"value", "SH02-POS-0001"}})
                .error()
                .code,
            ErrorCode::kForbidden);
  // Switching the list off lets everyone in again.
  ASSERT_TRUE(org_.SetDeviceActive(fx_.admin(), entry->id, false).ok());
  EXPECT_EQ(accounts_.Authenticate(token, "10.0.0.5").error().code, ErrorCode::kForbidden);
  auto list = org_.ListDevices(manager_, std::nullopt);
  ASSERT_TRUE(list.ok());
  for (const auto& d : *list) ASSERT_TRUE(org_.SetDeviceActive(fx_.admin(), d.id, false).ok());
  EXPECT_TRUE(accounts_.Authenticate(token, "10.0.0.5").ok());
}

// A store manager cannot shut themselves out: a change that would leave an
// active list without the computer they work from is refused and changes
// nothing (only an admin could undo it).
TEST_F(AccessRightsTest, P7AManagerCannotLockThemselvesOut) {
  const json sh01 = fx_.org().sh01.value;
  manager_.address = "10.0.0.5";
  auto away = org_.AddDevice(manager_, {{"store_id", sh01}, {"kind", "address"}, {"value", "10.1.2.0/24"}});
  ASSERT_FALSE(away.ok());
  EXPECT_EQ(away.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(away.error().field, "value");
  EXPECT_NE(away.error().message.find("10.0.0.5"), std::string::npos) << away.error().message;
  EXPECT_TRUE(org_.ListDevices(manager_, std::nullopt)->empty());

  auto here = org_.AddDevice(manager_, {{"store_id", sh01}, {"kind", "address"}, {"value", "10.0.0.5"}});
  ASSERT_TRUE(here.ok()) << here.error().message;
  ASSERT_TRUE(org_.AddDevice(manager_, {{"store_id", sh01}, {"kind", "device"}, {"value", "SH01-POS-1"}}).ok());
  auto off = org_.SetDeviceActive(manager_, here->id, false);
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().field, "active");
  EXPECT_TRUE(org_.ListDevices(manager_, std::nullopt)->at(0).active);
  // From the registered till the same change is fine.
  manager_.device_id = "SH01-POS-1";
  EXPECT_TRUE(org_.SetDeviceActive(manager_, here->id, false).ok());
}

TEST_F(AccessRightsTest, P8WithdrawingMarketingConsentStopsMarketingAtOnce) {
  json withdraw = {{"purpose", "marketing"}, {"granted", false}, {"version", "2026.1"},
                   {"channel", "store"}};
  auto c = members_.RecordConsent(assoc_, member_.id, withdraw);
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_TRUE(members_.Get(fx_.admin(), member_.id)->member.preferences.marketing_opt_out);
  json give = withdraw;
  give["granted"] = true;
  ASSERT_TRUE(members_.RecordConsent(assoc_, member_.id, give).ok());
  EXPECT_FALSE(members_.Get(fx_.admin(), member_.id)->member.preferences.marketing_opt_out);
  auto list = members_.Consents(assoc_, member_.id);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_FALSE(list->at(0).granted);
  // Bad input names the field and records nothing.
  json bad = withdraw;
  bad["purpose"] = "lottery";
  EXPECT_EQ(members_.RecordConsent(assoc_, member_.id, bad).error().field, "purpose");
  bad = withdraw;
  bad.erase("granted");
  EXPECT_EQ(members_.RecordConsent(assoc_, member_.id, bad).error().field, "granted");
  EXPECT_EQ(members_.Consents(assoc_, member_.id)->size(), 2u);
  EXPECT_EQ(fx_.CountAudit("consent_withdraw"), 1);
}

TEST_F(AccessRightsTest, P8AChildsFileIsMaskedForAllButTheStoreManager) {
  json body = fx_.MemberBody("小明", fx_.org().sh01);
  body["associate_id"] = fx_.org().associate_sh01.value;
  body["birthday"] = "2016-03-01";
  auto child = members_.Create(fx_.admin(), body);
  ASSERT_TRUE(child.ok()) << child.error().message;
  const std::string mobile = body["mobile"];
  EXPECT_NE(members_.Get(assoc_, child->member.id)->member.mobile.number, mobile);
  EXPECT_EQ(members_.Get(manager_, child->member.id)->member.mobile.number, mobile);
  // The adult member of the same associate stays unmasked for them.
  EXPECT_EQ(members_.Get(assoc_, member_.id)->member.mobile.number, member_.mobile.number);
  // And the data copy of a child's file is for the manager only.
  EXPECT_EQ(members_.DataCopy(assoc_, child->member.id).error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(members_.DataCopy(manager_, child->member.id).ok());
}

TEST_F(AccessRightsTest, P8DataCopyHoldsTheWholeFileForTheMember) {
  ASSERT_TRUE(members_
                  .RecordConsent(assoc_, member_.id,
                                 {{"purpose", "service"}, {"granted", true}, {"version", "1"},
                                  {"channel", "paper"}})
                  .ok());
  auto copy = members_.DataCopy(assoc_, member_.id);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  EXPECT_EQ((*copy)["member"]["mobile"], member_.mobile.number);
  EXPECT_EQ((*copy)["cards"].size(), 1u);
  EXPECT_EQ((*copy)["consents"].size(), 1u);
  EXPECT_GE((*copy)["history"].size(), 1u);
  EXPECT_EQ(members_.DataCopy(hq_, member_.id).error().code, ErrorCode::kForbidden);
  // A grant lets the call centre read and call, not hand the file out.
  const Timestamp now = fx_.clock().Now();
  ASSERT_TRUE(grants_.Create(manager_, GrantFor(now, now + hours(1))).ok());
  ASSERT_TRUE(members_.Get(callcenter_, member_.id).ok());
  EXPECT_EQ(members_.DataCopy(callcenter_, member_.id).error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(members_.DataCopy(manager_, member_.id).ok());
  EXPECT_TRUE(members_.DataCopy(fx_.admin(), member_.id).ok());
  EXPECT_EQ(fx_.CountAudit("member_data_copy"), 3);
}

TEST_F(AccessRightsTest, P4ExportIsScopedMaskedAndAuditedWithItsRowCount) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(members_.Create(fx_.admin(), fx_.MemberBody("张" + std::to_string(i), fx_.org().sh02)).ok());
  }
  auto mine = members_.ExportList(manager_, {});
  ASSERT_TRUE(mine.ok());
  EXPECT_EQ(mine->rows, 1);  // only SH01's member
  EXPECT_EQ(mine->csv.rfind("\xEF\xBB\xBF", 0), 0u);  // BOM for Excel
  EXPECT_NE(mine->csv.find(member_.mobile.number), std::string::npos);
  // What an HQ analyst reads in Excel: labels and names, not codes and ids.
  const std::string line = mine->csv.substr(mine->csv.find("\r\n") + 2);
  EXPECT_NE(line.find(",女,"), std::string::npos) << line;
  EXPECT_NE(line.find(",临时会员,"), std::string::npos) << line;
  EXPECT_NE(line.find(",SH01 上海南京路店,"), std::string::npos) << line;
  EXPECT_NE(line.find(",导购张丽,"), std::string::npos) << line;
  EXPECT_NE(line.find(",2026-11-23\r\n"), std::string::npos) << line;
  auto all = members_.ExportList(fx_.admin(), {});
  EXPECT_EQ(all->rows, 4);
  auto rows = fx_.Audit();
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.front().action, "member_export");
  EXPECT_EQ(rows.front().detail, "rows=4 format=csv");
  EXPECT_EQ(fx_.CountAudit("member_export"), 2);
}

}  // namespace
}  // namespace vipcare::service

namespace vipcare::service {
namespace {

TEST_F(AccessRightsTest, P3HistoryShowsPersonalValuesOnlyToThoseWhoSeeTheFileUnmasked) {
  auto changed = members_.Update(assoc_, member_.id, {{"mobile", "13912345678"}, {"gender", "male"}});
  ASSERT_TRUE(changed.ok()) << changed.error().message;
  service::Org org(fx_.env());
  auto supervisor = org.CreateStaff(fx_.admin(), {{"employee_no", "R001"},
                                                  {"name", "区域主管"},
                                                  {"role", "regional_supervisor"},
                                                  {"region_id", fx_.org().east.value}});
  ASSERT_TRUE(supervisor.ok()) << supervisor.error().message;
  auto region = fx_.AddUser("region.east", Role::kRegionalSupervisor, supervisor->id);
  auto masked = members_.History(region, member_.id, {});
  ASSERT_TRUE(masked.ok()) << masked.error().message;
  const std::string seen = masked->items.at(0).changes;
  EXPECT_EQ(seen.find("13912345678"), std::string::npos) << seen;
  EXPECT_EQ(seen.find(member_.mobile.number), std::string::npos) << seen;
  EXPECT_NE(seen.find("\"mobile\""), std::string::npos) << seen;  // which field changed stays visible
  auto plain = members_.History(manager_, member_.id, {});
  EXPECT_NE(plain->items.at(0).changes.find("13912345678"), std::string::npos);
}

}  // namespace
}  // namespace vipcare::service
