// Row scope (SPEC P2) and masking (P3) of member files, by role, through every
// member use case: read, list, search, update, status, cards, history, erasure.
#include <gtest/gtest.h>

#include "domain/mask.h"
#include "service/members.h"
#include "testing/fixtures.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;
using vipcare::testing::ServiceFixture;

class ScopeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto& o = fx_.org();
    assoc_a_ = fx_.AddUser("assoc.a", Role::kAssociate, o.associate_sh01);
    assoc_b_ = fx_.AddUser("assoc.b", Role::kAssociate, o.associate_sh02);
    manager_ = fx_.AddUser("manager.sh01", Role::kStoreManager, o.manager_sh01);
    callcenter_ = fx_.AddUser("cc1", Role::kCallCenter);
    // A's member at SH01, B's member at SH02 (same region), and one in the south.
    mine_ = Create(fx_.MemberBody("王芳", o.sh01), o.associate_sh01);
    theirs_ = Create(fx_.MemberBody("王小明", o.sh02), o.associate_sh02);
    south_ = Create(fx_.MemberBody("王南", o.gz01), o.associate_gz01);
  }

  MemberView Create(json body, StaffId associate) {
    body["associate_id"] = associate.value;
    body["email"] = "someone@example.com";
    body["id_number"] = "11010519491231002X";
    auto r = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return *r;
  }

  static ErrorCode CodeOf(const Status& s) { return s.ok() ? ErrorCode::kInternal : s.error().code; }
  template <class T>
  static ErrorCode CodeOf(const Result<T>& r) {
    return r.ok() ? ErrorCode::kInternal : r.error().code;
  }

  ServiceFixture fx_;
  Members members_{fx_.env()};
  Actor assoc_a_, assoc_b_, manager_, callcenter_;
  MemberView mine_, theirs_, south_;
};

TEST_F(ScopeTest, P2AssociateReadsOwnMemberUnmasked) {
  auto r = members_.Get(assoc_a_, mine_.member.id);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->member.mobile.number, mine_.member.mobile.number);
  EXPECT_EQ(r->member.id_number, "11010519491231002X");
}

TEST_F(ScopeTest, P2AssociateCannotReachAnotherAssociatesMemberByAnyRoute) {
  const MemberId id = theirs_.member.id;
  const std::string card = theirs_.cards.at(0).card_no;
  EXPECT_EQ(CodeOf(members_.Get(assoc_a_, id)), ErrorCode::kForbidden);
  EXPECT_EQ(CodeOf(members_.Update(assoc_a_, id, json{{"notes", "x"}})), ErrorCode::kForbidden);
  EXPECT_EQ(CodeOf(members_.History(assoc_a_, id, {})), ErrorCode::kForbidden);
  EXPECT_EQ(CodeOf(members_.ChangeStatus(assoc_a_, id, "suspended", "test")),
            ErrorCode::kForbidden);
  EXPECT_EQ(CodeOf(members_.IssueCard(assoc_a_, id, "formal")), ErrorCode::kForbidden);
  EXPECT_EQ(CodeOf(members_.ReportLost(assoc_a_, card)), ErrorCode::kForbidden);
  EXPECT_EQ(CodeOf(members_.Reissue(assoc_a_, card)), ErrorCode::kForbidden);
  EXPECT_EQ(CodeOf(members_.GetCard(assoc_a_, card)), ErrorCode::kForbidden);
  // Lists and name search return only the associate's own members.
  MemberQuery q;
  q.q = "王";
  auto page = members_.Search(assoc_a_, q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->total, 1);
  EXPECT_EQ(page->items[0].id, mine_.member.id);
  q.q = "";
  q.store = fx_.org().sh02;  // asking for the other store changes nothing
  EXPECT_EQ(members_.Search(assoc_a_, q)->total, 0);
  // A member number is not a till lookup: it stays out of scope.
  q = {};
  q.q = theirs_.member.member_no;
  EXPECT_EQ(members_.Search(assoc_a_, q)->total, 0);
  // Nothing was changed by the refused attempts.
  auto after = members_.Get(fx_.admin(), id);
  EXPECT_EQ(after->member.version, theirs_.member.version);
  EXPECT_EQ(after->cards.at(0).status, theirs_.cards.at(0).status);
}

TEST_F(ScopeTest, P3TillLookupByMobileOrCardFindsAnyMemberButMasked) {
  MemberQuery q;
  q.q = theirs_.member.mobile.number;
  auto r = members_.Search(assoc_a_, q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->total, 1);
  const auto& m = r->items[0];
  EXPECT_EQ(m.name, "王小明");  // the clerk can greet the customer
  EXPECT_EQ(m.mobile.number, domain::MaskPhone(theirs_.member.mobile.number));
  EXPECT_NE(m.mobile.number.find("****"), std::string::npos);
  EXPECT_EQ(m.id_number, "110105********002X");
  EXPECT_EQ(m.email, "s***@example.com");
  q.q = theirs_.cards.at(0).card_no;
  r = members_.Search(assoc_a_, q);
  ASSERT_EQ(r->total, 1);
  EXPECT_EQ(r->items[0].id, theirs_.member.id);
  EXPECT_NE(r->items[0].mobile.number, theirs_.member.mobile.number);
}

TEST_F(ScopeTest, P2StoreManagerSeesOwnStoreOnly) {
  EXPECT_TRUE(members_.Get(manager_, mine_.member.id).ok());
  EXPECT_EQ(CodeOf(members_.Get(manager_, theirs_.member.id)), ErrorCode::kForbidden);
  MemberQuery q;
  auto page = members_.Search(manager_, q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 1);
  // The manager of the member's store sees it unmasked (P3).
  EXPECT_EQ(members_.Get(manager_, mine_.member.id)->member.mobile.number,
            mine_.member.mobile.number);
  // A manager cannot move a member to another store.
  auto moved = members_.Update(manager_, mine_.member.id,
                               json{{"store_id", fx_.org().sh02.value}, {"associate_id", nullptr}});
  EXPECT_EQ(CodeOf(moved), ErrorCode::kForbidden);
}

TEST_F(ScopeTest, P2SupervisorSeesTheRegionMasked) {
  const auto& o = fx_.org();
  Actor supervisor = fx_.AddUser("sup.east", Role::kRegionalSupervisor);
  supervisor.region_id = o.east;
  MemberQuery q;
  auto page = members_.Search(supervisor, q);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->total, 2);  // SH01 and SH02, not GZ01
  for (const auto& m : page->items) EXPECT_NE(m.mobile.number.find("****"), std::string::npos);
  EXPECT_TRUE(members_.Get(supervisor, theirs_.member.id).ok());
  EXPECT_EQ(CodeOf(members_.Get(supervisor, south_.member.id)), ErrorCode::kForbidden);
}

// A supervisor edits a file they see masked: sending back what they were shown
// (the masked e-mail, ID number, family name) is refused naming the field and
// changes nothing; a full new value is accepted.
TEST_F(ScopeTest, P3MaskedTextSentBackIsRefusedAndChangesNothing) {
  Actor supervisor = fx_.AddUser("sup.east", Role::kRegionalSupervisor);
  supervisor.region_id = fx_.org().east;
  const MemberId id = theirs_.member.id;
  ASSERT_TRUE(members_.Update(fx_.admin(), id, {{"family", {{{"relation", "spouse"}, {"name", "李娜"}}}}}).ok());
  auto shown = members_.Get(supervisor, id);
  ASSERT_TRUE(shown.ok());
  const domain::Member& m = shown->member;
  ASSERT_NE(m.email, "someone@example.com");
  struct Case {
    json patch;
    std::string field;
  };
  const Case cases[] = {
      {{{"email", m.email}}, "email"},
      {{{"id_number", m.id_number}}, "id_number"},
      {{{"family", {{{"relation", "spouse"}, {"name", m.family.at(0).name}}}}}, "family[0].name"},
  };
  for (const auto& c : cases) {
    auto r = members_.Update(supervisor, id, c.patch);
    ASSERT_FALSE(r.ok()) << c.patch.dump();
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.patch.dump();
    EXPECT_EQ(r.error().field, c.field);
  }
  auto real = members_.Get(fx_.admin(), id);
  EXPECT_EQ(real->member.email, "someone@example.com");
  EXPECT_EQ(real->member.id_number, "11010519491231002X");
  EXPECT_EQ(real->member.family.at(0).name, "李娜");
  // A real new value from the same viewer goes through.
  auto ok = members_.Update(supervisor, id, {{"email", "new.address@example.com"}});
  ASSERT_TRUE(ok.ok()) << ok.error().field << ": " << ok.error().message;
  EXPECT_EQ(members_.Get(fx_.admin(), id)->member.email, "new.address@example.com");
}

TEST_F(ScopeTest, P2CallCentreWithoutAGrantSeesNobody) {
  EXPECT_EQ(CodeOf(members_.Get(callcenter_, mine_.member.id)), ErrorCode::kForbidden);
  MemberQuery q;
  EXPECT_EQ(members_.Search(callcenter_, q)->total, 0);
  q.q = mine_.member.mobile.number;
  EXPECT_EQ(members_.Search(callcenter_, q)->total, 0);
}

TEST_F(ScopeTest, P2AssociateRegistersOnlyIntoTheirOwnReach) {
  auto body = fx_.MemberBody("新客", fx_.org().sh01);
  auto r = members_.Create(assoc_a_, body);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->member.associate_id, fx_.org().associate_sh01);  // defaults to the clerk
  auto other = fx_.MemberBody("别人的客", fx_.org().sh02);
  other["associate_id"] = fx_.org().associate_sh02.value;
  const auto before = fx_.CountMembers();
  EXPECT_EQ(CodeOf(members_.Create(assoc_a_, other)), ErrorCode::kForbidden);
  EXPECT_EQ(fx_.CountMembers(), before);
  // Nor may an associate hand their own member to someone else.
  EXPECT_EQ(CodeOf(members_.Update(assoc_a_, mine_.member.id,
                                   json{{"associate_id", fx_.org().associate_sh02.value}})),
            ErrorCode::kForbidden);
}

TEST(MaskTest, P3MaskFormats) {
  EXPECT_EQ(domain::MaskPhone("13812345678"), "138****5678");
  EXPECT_EQ(domain::MaskPhone("021-62345678"), "****5678");
  EXPECT_EQ(domain::MaskPhone(""), "");
  EXPECT_EQ(domain::MaskIdNumber("11010519491231002X"), "110105********002X");
  EXPECT_EQ(domain::MaskEmail("wang.fang@example.com"), "w***@example.com");
  EXPECT_EQ(domain::MaskText("李明"), "李****");
  domain::Member m;
  m.mobile.number = "13812345678";
  m.addresses.push_back({"home", "上海市", "上海市", "黄浦区", "南京东路100号", "200001"});
  m.family.push_back({"陈小宝", "child", std::nullopt, "", ""});
  domain::MaskMember(m);
  EXPECT_EQ(m.addresses[0].district, "黄浦区");  // shortened, not removed
  EXPECT_EQ(m.addresses[0].detail, "****");
  EXPECT_EQ(m.family[0].name, "陈****");
}

}  // namespace
}  // namespace vipcare::service
