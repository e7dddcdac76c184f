// tests/service/members_test.cc
//
// Member files and cards through service::Members (SPEC M1, M2, M3, M5, M6) on
// whichever backend VIPCARE_TEST_BACKEND selects; ctest runs the binary once
// per backend.
#include "service/members.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <latch>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "domain/card.h"
#include "domain/member_json.h"
#include "testing/fixtures.h"

namespace vipcare::service {
namespace {

using domain::Card;
using domain::CardKind;
using domain::CardStatus;
using domain::MemberStatus;
using nlohmann::json;

class MembersTest : public ::testing::Test {
 protected:
  // Creates a member that must be accepted.
  MemberView MustCreate(const json& body) {
    auto r = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().field + ": " + r.error().message);
    if (!r.ok()) throw std::runtime_error("create failed");
    return *r;
  }
  MemberView MustGet(MemberId id) {
    auto r = members_.Get(fx_.admin(), id);
    if (!r.ok()) throw std::runtime_error("get failed: " + r.error().message);
    return *r;
  }
  json GetJson(MemberId id) { return domain::MemberToJson(MustGet(id).member); }
  static int ActiveCards(const std::vector<Card>& cards) {
    return int(std::count_if(cards.begin(), cards.end(),
                             [](const Card& c) { return domain::IsActive(c.status); }));
  }
  std::vector<std::string> Names(const MemberQuery& q) {
    auto r = members_.Search(fx_.admin(), q);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& m : r->items) out.push_back(m.name);
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  MemberQuery Query(const std::string& q, int64_t limit = 50, int64_t offset = 0) {
    MemberQuery query;
    query.q = q;
    query.page = {limit, offset};
    return query;
  }

  vipcare::testing::ServiceFixture fx_;
  Members members_{fx_.env()};
};

// ---------------------------------------------------------------- M1

TEST_F(MembersTest, M1_FullMemberFileWithFamilyAndLunarBirthdayReadsBackIdentically) {
  MemberView referrer = MustCreate(fx_.MemberBody("赵敏"));
  json body = fx_.FullMemberBody("王芳", referrer.member.id);
  MemberView created = MustCreate(body);

  json got = GetJson(created.member.id);
  for (const auto& [key, value] : body.items()) {
    EXPECT_EQ(got[key], value) << "field " << key;
  }
  EXPECT_EQ(got["status"], "temporary");
  EXPECT_EQ(got["member_no"], created.member.member_no);
  EXPECT_FALSE(created.member.member_no.empty());
  EXPECT_EQ(got["version"], 1);
  EXPECT_EQ(got["created_at"], "2026-11-23T02:00:00Z");
  // The lunar leap-month birthday survives as lunar, not as a solar date.
  const auto& m = MustGet(created.member.id).member;
  ASSERT_TRUE(m.birthday.has_value());
  EXPECT_EQ(m.birthday->calendar, domain::Calendar::kLunar);
  EXPECT_TRUE(m.birthday->leap_month);
  ASSERT_EQ(m.family.size(), 2u);
  ASSERT_TRUE(m.family[1].birthday.has_value());
  EXPECT_EQ(m.family[1].birthday->calendar, domain::Calendar::kLunar);
}

TEST_F(MembersTest, M1_PatchChangesOneFieldAndHistoryRecordsWhoWhenOldAndNew) {
  MemberView v = MustCreate(fx_.FullMemberBody("王芳"));
  json before = GetJson(v.member.id);
  Actor manager = fx_.AddUser("liuqiang", domain::Role::kStoreManager, fx_.org().manager_sh01);
  fx_.clock().Advance(std::chrono::hours(3));

  auto r = members_.Update(manager, v.member.id, {{"email", "fang.wang@example.cn"}});
  ASSERT_TRUE(r.ok()) << r.error().message;

  json after = GetJson(v.member.id);
  EXPECT_EQ(after["email"], "fang.wang@example.cn");
  EXPECT_EQ(after["version"], 2);
  EXPECT_EQ(after["updated_at"], "2026-11-23T05:00:00Z");
  for (const auto& [key, value] : before.items()) {
    if (key == "email" || key == "version" || key == "updated_at") continue;
    EXPECT_EQ(after[key], value) << "field " << key << " changed by a patch of email";
  }

  auto history = members_.History(fx_.admin(), v.member.id, {50, 0});
  ASSERT_TRUE(history.ok());
  ASSERT_GE(history->items.size(), 2u);
  const auto& latest = history->items.front();  // newest first
  EXPECT_EQ(latest.action, "update");
  EXPECT_EQ(latest.changed_by, manager.user_id);
  EXPECT_EQ(FormatTimestamp(latest.changed_at), "2026-11-23T05:00:00Z");
  EXPECT_EQ(json::parse(latest.changes),
            json({{"email", {"wangfang@example.com", "fang.wang@example.cn"}}}));
  EXPECT_EQ(history->items.back().action, "create");
  EXPECT_EQ(history->items.back().changed_by, fx_.admin().user_id);
}

TEST_F(MembersTest, M1_StaleVersionIsRefusedAsConflictOnVersionAndKeepsTheFirstEdit) {
  MemberView v = MustCreate(fx_.MemberBody("王芳"));
  const int64_t version = v.member.version;
  auto first =
      members_.Update(fx_.admin(), v.member.id, {{"occupation", "medical"}, {"version", version}});
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->member.version, version + 1);

  // A second clerk still holding the old version.
  auto second =
      members_.Update(fx_.admin(), v.member.id, {{"occupation", "military"}, {"version", version}});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.error().code, ErrorCode::kConflict);
  EXPECT_EQ(second.error().field, "version");
  EXPECT_EQ(MustGet(v.member.id).member.occupation, "medical");
}

TEST_F(MembersTest, M1_InvalidPatchNamesTheFieldAndChangesNothing) {
  MemberView v = MustCreate(fx_.FullMemberBody("王芳"));
  json before = GetJson(v.member.id);
  struct Case {
    json patch;
    std::string field;
  };
  const std::vector<Case> cases = {
      {{{"email", "not-an-email"}}, "email"},
      {{{"mobile", "12345"}}, "mobile"},
      {{{"birthday", "1990-02-30"}, {"birthday_calendar", "solar"}}, "birthday"},
      {{{"family",
         json::array({{{"name", "李强"}, {"relation", "spouse"}, {"birthday", "2031-01-01"}}})}},
       "family[0].birthday"},
      {{{"status", "formal"}}, "status"},
      {{{"member_no", "M00000099"}}, "member_no"},
      {{{"shoe_colour", "red"}}, "shoe_colour"},
      {{{"store_id", 9999}}, "store_id"},
      {{{"associate_id", fx_.org().associate_gz01.value}}, "associate_id"},
  };
  for (const auto& c : cases) {
    auto r = members_.Update(fx_.admin(), v.member.id, c.patch);
    ASSERT_FALSE(r.ok()) << c.patch.dump();
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.patch.dump();
    EXPECT_EQ(r.error().field, c.field) << c.patch.dump();
  }
  EXPECT_EQ(GetJson(v.member.id), before);
}

// ---------------------------------------------------------------- M2

TEST_F(MembersTest, M2_StatusChangesFollowTheLifecycleAndRefuseTheRest) {
  MemberView v = MustCreate(fx_.MemberBody("王芳"));
  const MemberId id = v.member.id;
  auto to = [&](const std::string& status) {
    return members_.ChangeStatus(fx_.admin(), id, status, "店长确认");
  };
  ASSERT_TRUE(to("formal").ok());
  EXPECT_EQ(MustGet(id).member.status, MemberStatus::kFormal);

  auto back = to("temporary");
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(back.error().field, "status");
  EXPECT_EQ(MustGet(id).member.status, MemberStatus::kFormal);

  ASSERT_TRUE(to("suspended").ok());
  ASSERT_TRUE(to("closed").ok());
  ASSERT_TRUE(to("formal").ok());

  for (const char* bad : {"merged", "erased", "vip", ""}) {
    auto r = to(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << bad;
    EXPECT_EQ(r.error().field, "status") << bad;
  }
  auto no_reason = members_.ChangeStatus(fx_.admin(), id, "suspended", "");
  ASSERT_FALSE(no_reason.ok());
  EXPECT_EQ(no_reason.error().field, "reason");
  EXPECT_EQ(MustGet(id).member.status, MemberStatus::kFormal);

  auto history = members_.History(fx_.admin(), id, {50, 0});
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->items.front().action, "status");
  EXPECT_EQ(json::parse(history->items.front().changes)["status"], json({"closed", "formal"}));
}

TEST_F(MembersTest, M2_ErasureReplacesPersonalFieldsRetiresCardsAndWritesDestructionRecord) {
  json body = fx_.FullMemberBody("王芳");
  const std::string mobile = body["mobile"];
  MemberView v = MustCreate(body);
  const MemberId id = v.member.id;
  ASSERT_TRUE(members_.Update(fx_.admin(), id, {{"email", "fang2@example.com"}}).ok());
  fx_.clock().Advance(std::chrono::hours(1));

  auto rec = members_.Erase(fx_.admin(), id, "会员本人书面申请注销 (PIPL)");
  ASSERT_TRUE(rec.ok()) << rec.error().message;
  EXPECT_EQ(rec->member_id, id);
  EXPECT_EQ(rec->member_no, v.member.member_no);
  EXPECT_EQ(rec->erased_by, fx_.admin().user_id);
  EXPECT_EQ(FormatTimestamp(rec->erased_at), "2026-11-23T03:00:00Z");

  // The file keeps its number, store and dates; the person is gone.
  const auto m = MustGet(id).member;
  EXPECT_EQ(m.status, MemberStatus::kErased);
  EXPECT_EQ(m.name, "已注销会员");
  EXPECT_EQ(m.mobile.number, "");
  EXPECT_EQ(m.email, "");
  EXPECT_EQ(m.wechat_id, "");
  EXPECT_EQ(m.id_number, "");
  EXPECT_EQ(m.spouse_name, "");
  EXPECT_FALSE(m.birthday.has_value());
  EXPECT_TRUE(m.addresses.empty());
  EXPECT_TRUE(m.family.empty());
  EXPECT_TRUE(m.anniversaries.empty());
  EXPECT_EQ(m.office_phone.number, "");
  EXPECT_EQ(m.home_phone.number, "");
  EXPECT_EQ(m.notes, "");
  EXPECT_EQ(m.member_no, v.member.member_no);
  EXPECT_EQ(m.home_store_id, fx_.org().sh01);

  // No card of an erased member can be used at the till.
  const auto cards = MustGet(id).cards;
  ASSERT_FALSE(cards.empty());
  EXPECT_EQ(ActiveCards(cards), 0);

  // The destruction record (销毁记录) lists what was destroyed.
  auto records = members_.DestructionRecords(fx_.admin(), {50, 0});
  ASSERT_TRUE(records.ok());
  ASSERT_EQ(records->total, 1);
  json fields = json::parse(records->items[0].fields);
  for (const char* f : {"name", "mobile", "email", "addresses", "family", "birthday", "id_number",
                        "spouse_name", "anniversaries", "wechat_id"}) {
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f;
  }
  EXPECT_EQ(std::find(fields.begin(), fields.end(), "status"), fields.end());

  // History keeps who and when but no old personal values.
  auto history = members_.History(fx_.admin(), id, {50, 0});
  ASSERT_TRUE(history.ok());
  ASSERT_GE(history->items.size(), 3u);
  EXPECT_EQ(history->items.front().action, "erase");
  for (const auto& h : history->items) {
    for (const std::string& secret :
         {std::string("王芳"), mobile, std::string("wangfang@example.com"),
          std::string("fang2@example.com")}) {
      EXPECT_EQ(h.changes.find(secret), std::string::npos)
          << h.action << " history still holds " << secret;
    }
  }
  EXPECT_EQ(fx_.CountAudit("member_erase"), 1);

  // Lookups no longer find the person...
  EXPECT_TRUE(Names(Query("王")).empty());
  EXPECT_TRUE(Names(Query(mobile)).empty());
  // ...and the freed mobile can register again.
  json again = fx_.MemberBody("王芳");
  again["mobile"] = mobile;
  auto r = members_.Create(fx_.admin(), again);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_NE(r->member.id, id);
}

TEST_F(MembersTest, M2_ErasedMemberCannotBeEditedReactivatedOrGivenACard) {
  MemberView v = MustCreate(fx_.MemberBody("王芳"));
  ASSERT_TRUE(members_.Erase(fx_.admin(), v.member.id, "本人申请").ok());

  auto edit = members_.Update(fx_.admin(), v.member.id, {{"name", "王芳"}});
  ASSERT_FALSE(edit.ok());
  EXPECT_EQ(edit.error().code, ErrorCode::kUnprocessable);
  auto status = members_.ChangeStatus(fx_.admin(), v.member.id, "formal", "恢复");
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kUnprocessable);
  auto card = members_.IssueCard(fx_.admin(), v.member.id, "formal");
  ASSERT_FALSE(card.ok());
  EXPECT_EQ(card.error().code, ErrorCode::kUnprocessable);
  auto twice = members_.Erase(fx_.admin(), v.member.id, "again");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(MustGet(v.member.id).member.name, "已注销会员");
  EXPECT_EQ(MustGet(v.member.id).cards.size(), 1u);
}

// ---------------------------------------------------------------- M3

TEST_F(MembersTest, M3_TemporaryMemberGetsATemporaryCardValidTwoYearsPickupInFiveDays) {
  MemberView v = MustCreate(fx_.MemberBody("王芳"));
  ASSERT_EQ(v.cards.size(), 1u);
  const Card& c = v.cards[0];
  EXPECT_EQ(c.kind, CardKind::kTemporary);
  EXPECT_EQ(c.status, CardStatus::kPendingPickup);
  EXPECT_TRUE(domain::IsValidCardNumber(c.card_no)) << c.card_no;
  EXPECT_EQ(c.issued_on, Date::FromYmd(2026, 11, 23));
  EXPECT_EQ(c.expires_on, Date::FromYmd(2028, 11, 23));
  ASSERT_TRUE(c.pickup_due.has_value());
  EXPECT_EQ(*c.pickup_due, Date::FromYmd(2026, 11, 28));
  EXPECT_EQ(c.member_id, v.member.id);

  auto stored = members_.GetCard(fx_.admin(), c.card_no);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->id, c.id);
}

TEST_F(MembersTest, M3_CardDatesUseShanghaiDayNotUtcDay) {
  // 2026-11-23T17:00Z is already 01:00 on the 24th in Shanghai.
  fx_.clock().Set(*ParseTimestamp("2026-11-23T17:00:00Z"));
  MemberView v = MustCreate(fx_.MemberBody("王芳"));
  ASSERT_EQ(v.cards.size(), 1u);
  EXPECT_EQ(v.cards[0].issued_on, Date::FromYmd(2026, 11, 24));
  EXPECT_EQ(*v.cards[0].pickup_due, Date::FromYmd(2026, 11, 29));
}

TEST_F(MembersTest, M3_FormalAndProspectMembersGetTheRightCard) {
  json formal = fx_.MemberBody("王芳");
  formal["status"] = "formal";
  MemberView f = MustCreate(formal);
  ASSERT_EQ(f.cards.size(), 1u);
  EXPECT_EQ(f.cards[0].kind, CardKind::kFormal);

  json prospect = fx_.MemberBody("王小明");
  prospect["status"] = "prospect";
  MemberView p = MustCreate(prospect);
  EXPECT_TRUE(p.cards.empty());
}

TEST_F(MembersTest, M3_IssuingAFormalCardReplacesTheTemporaryOne) {
  MemberView v = MustCreate(fx_.MemberBody("王芳"));
  const Card temp = v.cards.at(0);
  auto formal = members_.IssueCard(fx_.admin(), v.member.id, "formal");
  ASSERT_TRUE(formal.ok()) << formal.error().message;
  EXPECT_EQ(formal->kind, CardKind::kFormal);
  EXPECT_EQ(formal->status, CardStatus::kPendingPickup);
  EXPECT_EQ(formal->replaces, temp.id);
  EXPECT_NE(formal->card_no, temp.card_no);
  EXPECT_TRUE(domain::IsValidCardNumber(formal->card_no));

  const auto cards = MustGet(v.member.id).cards;
  ASSERT_EQ(cards.size(), 2u);
  EXPECT_EQ(ActiveCards(cards), 1);
  auto old = members_.GetCard(fx_.admin(), temp.card_no);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->status, CardStatus::kReplaced);
  auto stored = members_.GetCard(fx_.admin(), formal->card_no);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->replaces, temp.id);

  // A second card while one is active is refused.
  auto again = members_.IssueCard(fx_.admin(), v.member.id, "formal");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  auto temp_again = members_.IssueCard(fx_.admin(), v.member.id, "temporary");
  ASSERT_FALSE(temp_again.ok());
  EXPECT_EQ(temp_again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(MustGet(v.member.id).cards.size(), 2u);
}

TEST_F(MembersTest, M3_LostCardIsReissuedWithANewNumberAndTheOldOneIsReplaced) {
  json body = fx_.MemberBody("王芳");
  body["status"] = "formal";
  MemberView v = MustCreate(body);
  const Card old = v.cards.at(0);
  ASSERT_TRUE(members_.SetCardStatus(fx_.admin(), old.card_no, "issued").ok());

  auto lost = members_.ReportLost(fx_.admin(), old.card_no);
  ASSERT_TRUE(lost.ok()) << lost.error().message;
  EXPECT_EQ(lost->status, CardStatus::kLost);
  EXPECT_EQ(ActiveCards(MustGet(v.member.id).cards), 0);

  fx_.clock().Advance(std::chrono::hours(24 * 3));
  auto fresh = members_.Reissue(fx_.admin(), old.card_no);
  ASSERT_TRUE(fresh.ok()) << fresh.error().message;
  EXPECT_NE(fresh->card_no, old.card_no);
  EXPECT_TRUE(domain::IsValidCardNumber(fresh->card_no));
  EXPECT_EQ(fresh->kind, CardKind::kFormal);
  EXPECT_EQ(fresh->replaces, old.id);
  EXPECT_EQ(fresh->member_id, v.member.id);
  EXPECT_EQ(fresh->issued_on, Date::FromYmd(2026, 11, 26));

  auto old_now = members_.GetCard(fx_.admin(), old.card_no);
  ASSERT_TRUE(old_now.ok());
  EXPECT_EQ(old_now->status, CardStatus::kReplaced);
  const auto cards = MustGet(v.member.id).cards;
  EXPECT_EQ(cards.size(), 2u);
  EXPECT_EQ(ActiveCards(cards), 1);

  // The new card finds the member at the till.
  EXPECT_EQ(Names(Query(fresh->card_no)), std::vector<std::string>{"王芳"});
  // A replaced card cannot be reissued a second time.
  auto twice = members_.Reissue(fx_.admin(), old.card_no);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(MustGet(v.member.id).cards.size(), 2u);
}

TEST_F(MembersTest, M3_InvalidCardTransitionsAreRefusedAndChangeNothing) {
  MemberView v = MustCreate(fx_.MemberBody("王芳"));
  const std::string no = v.cards.at(0).card_no;
  ASSERT_TRUE(members_.ReportLost(fx_.admin(), no).ok());

  // A lost card never becomes usable again: it is frozen until reissued.
  for (const char* to : {"issued", "mailed", "pending_pickup"}) {
    auto r = members_.SetCardStatus(fx_.admin(), no, to);
    ASSERT_FALSE(r.ok()) << to;
    EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable) << to;
    EXPECT_EQ(r.error().field, "status") << to;
  }
  auto replaced = members_.SetCardStatus(fx_.admin(), no, "replaced");
  ASSERT_FALSE(replaced.ok());
  EXPECT_EQ(replaced.error().code, ErrorCode::kInvalidArgument);
  auto bogus = members_.SetCardStatus(fx_.admin(), no, "stolen");
  ASSERT_FALSE(bogus.ok());
  EXPECT_EQ(bogus.error().field, "status");
  EXPECT_EQ(members_.GetCard(fx_.admin(), no)->status, CardStatus::kLost);

  auto fresh = members_.Reissue(fx_.admin(), no);
  ASSERT_TRUE(fresh.ok());
  auto after = members_.SetCardStatus(fx_.admin(), no, "lost");
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, ErrorCode::kUnprocessable);

  auto unknown = members_.ReportLost(fx_.admin(), "8000000000000000");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().field, "card_no");
  auto bad_kind = members_.IssueCard(fx_.admin(), v.member.id, "gold");
  ASSERT_FALSE(bad_kind.ok());
  EXPECT_EQ(bad_kind.error().field, "kind");
}

// M3 "a member has one active card", whatever order the clerk does things in:
// a lost card replaced by a newly issued card must not also be reissued.
TEST_F(MembersTest, M3_ReissuingALostCardAfterANewCardWasIssuedNeverGivesTwoActiveCards) {
  MemberView v = MustCreate(fx_.MemberBody("王芳"));
  const std::string lost_no = v.cards.at(0).card_no;
  ASSERT_TRUE(members_.ReportLost(fx_.admin(), lost_no).ok());
  auto second = members_.IssueCard(fx_.admin(), v.member.id, "temporary");
  ASSERT_TRUE(second.ok()) << second.error().message;
  ASSERT_EQ(ActiveCards(MustGet(v.member.id).cards), 1);

  auto reissued = members_.Reissue(fx_.admin(), lost_no);
  const auto cards = MustGet(v.member.id).cards;
  EXPECT_EQ(ActiveCards(cards), 1) << "reissue " << (reissued.ok() ? "succeeded" : "was refused")
                                   << " and left " << ActiveCards(cards) << " active cards";
}

TEST(CardNumbersTest, M3_ThousandNewNumbersAreUniqueValidAndAnyOneDigitTypoFails) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string no = NewCardNumber();
    ASSERT_EQ(no.size(), 16u) << no;
    EXPECT_EQ(no[0], '8') << no;
    EXPECT_TRUE(domain::IsValidCardNumber(no)) << no;
    EXPECT_TRUE(seen.insert(no).second) << "duplicate " << no;
    for (size_t pos = 0; pos < no.size(); ++pos) {
      for (char d = '0'; d <= '9'; ++d) {
        if (d == no[pos]) continue;
        std::string typo = no;
        typo[pos] = d;
        ASSERT_FALSE(domain::IsValidCardNumber(typo)) << no << " -> " << typo;
      }
    }
  }
  EXPECT_EQ(seen.size(), 1000u);
  // The 14 random digits are not a counter: both halves of the digit range
  // turn up in every position.
  for (size_t pos = 1; pos < 15; ++pos) {
    std::set<char> digits;
    for (const auto& no : seen) digits.insert(no[pos]);
    EXPECT_GE(digits.size(), 8u) << "position " << pos;
  }
}

// ---------------------------------------------------------------- M5

class MemberSearchTest : public MembersTest {
 protected:
  void SetUp() override {
    wang_fang_ = MustCreate(fx_.MemberBody("王芳"));
    json xiaoming = fx_.MemberBody("王小明", fx_.org().sh02);
    xiaoming["status"] = "formal";
    wang_xiaoming_ = MustCreate(xiaoming);
    wang_yang_ = MustCreate(fx_.MemberBody("汪洋"));
    li_na_ = MustCreate(fx_.MemberBody("李娜", fx_.org().gz01));
  }
  MemberView wang_fang_, wang_xiaoming_, wang_yang_, li_na_;
};

TEST_F(MemberSearchTest, M5_CardNumberMobileAndMemberNumberEachFindExactlyThatMember) {
  auto one = [&](const std::string& q) {
    auto r = members_.Search(fx_.admin(), Query(q));
    EXPECT_TRUE(r.ok()) << q;
    return r.ok() ? *r : store::PageOf<domain::Member>{};
  };
  auto by_card = one(wang_yang_.cards.at(0).card_no);
  ASSERT_EQ(by_card.items.size(), 1u);
  EXPECT_EQ(by_card.items[0].id, wang_yang_.member.id);
  EXPECT_EQ(by_card.total, 1);

  auto by_mobile = one(li_na_.member.mobile.number);
  ASSERT_EQ(by_mobile.items.size(), 1u);
  EXPECT_EQ(by_mobile.items[0].id, li_na_.member.id);

  auto by_no = one(wang_xiaoming_.member.member_no);
  ASSERT_EQ(by_no.items.size(), 1u);
  EXPECT_EQ(by_no.items[0].id, wang_xiaoming_.member.id);

  // Mobile lookup is exact: a prefix of it finds nobody.
  EXPECT_EQ(one(li_na_.member.mobile.number.substr(0, 7)).total, 0);
  EXPECT_EQ(one("13999999999").total, 0);
  EXPECT_EQ(one("M99999999").total, 0);
}

TEST_F(MemberSearchTest, M5_ChineseNamePrefixFindsWangFangAndWangXiaomingButNotWangYang) {
  EXPECT_EQ(Names(Query("王")), (std::vector<std::string>{"王小明", "王芳"}));
  EXPECT_EQ(Names(Query("王小")), std::vector<std::string>{"王小明"});
  EXPECT_EQ(Names(Query("汪")), std::vector<std::string>{"汪洋"});
  EXPECT_TRUE(Names(Query("张")).empty());
  EXPECT_EQ(Names(Query("")).size(), 4u);
}

TEST_F(MemberSearchTest, M5_PagesHaveLimitOffsetAndTheTotal) {
  for (const char* n : {"王一", "王二", "王三"}) MustCreate(fx_.MemberBody(n));
  std::vector<MemberId> seen;
  for (int64_t offset = 0; offset < 6; offset += 2) {
    auto r = members_.Search(fx_.admin(), Query("王", 2, offset));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->total, 5);
    EXPECT_EQ(r->items.size(), offset < 4 ? 2u : 1u) << "offset " << offset;
    for (const auto& m : r->items) seen.push_back(m.id);
  }
  std::set<MemberId> distinct(seen.begin(), seen.end());
  EXPECT_EQ(seen.size(), 5u);
  EXPECT_EQ(distinct.size(), 5u);
  auto past_end = members_.Search(fx_.admin(), Query("王", 2, 10));
  ASSERT_TRUE(past_end.ok());
  EXPECT_EQ(past_end->total, 5);
  EXPECT_TRUE(past_end->items.empty());

  for (int64_t bad : {0, 201, -1}) {
    auto r = members_.Search(fx_.admin(), Query("王", bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().field, "limit");
  }
  auto neg = members_.Search(fx_.admin(), Query("王", 10, -1));
  ASSERT_FALSE(neg.ok());
  EXPECT_EQ(neg.error().field, "offset");
}

// The dashboard's "new members this month": registration days are the
// company's local days, so 23:30 and 00:30 in Shanghai (15:30 and 16:30 UTC)
// fall on two days.
TEST_F(MemberSearchTest, JoinedFromAndToCountLocalRegistrationDays) {
  fx_.clock().Set(*ParseTimestamp("2026-11-30T15:30:00Z"));
  MustCreate(fx_.MemberBody("赵一"));
  fx_.clock().Set(*ParseTimestamp("2026-11-30T16:30:00Z"));
  MustCreate(fx_.MemberBody("赵二"));
  MemberQuery december = Query("赵");
  december.joined_from = Date::Parse("2026-12-01");
  EXPECT_EQ(Names(december), std::vector<std::string>{"赵二"});
  MemberQuery november = Query("赵");
  november.joined_from = Date::Parse("2026-11-01");
  november.joined_to = Date::Parse("2026-11-30");
  EXPECT_EQ(Names(november), std::vector<std::string>{"赵一"});
}

TEST_F(MemberSearchTest, M5_StoreAndStatusFiltersNarrowTheList) {
  MemberQuery q = Query("王");
  q.store = fx_.org().sh02;
  EXPECT_EQ(Names(q), std::vector<std::string>{"王小明"});

  q = Query("");
  q.store = fx_.org().sh01;
  EXPECT_EQ(Names(q), (std::vector<std::string>{"汪洋", "王芳"}));

  q = Query("");
  q.status = MemberStatus::kFormal;
  EXPECT_EQ(Names(q), std::vector<std::string>{"王小明"});

  q = Query("王");
  q.status = MemberStatus::kTemporary;
  EXPECT_EQ(Names(q), std::vector<std::string>{"王芳"});

  // An exact lookup still honours the filters.
  q = Query(li_na_.member.mobile.number);
  q.store = fx_.org().sh01;
  EXPECT_TRUE(Names(q).empty());
  q.store = fx_.org().gz01;
  EXPECT_EQ(Names(q), std::vector<std::string>{"李娜"});
}

TEST_F(MemberSearchTest, M5_TagFilterFindsTaggedMembers) {
  ASSERT_TRUE(
      members_.Update(fx_.admin(), wang_yang_.member.id, {{"tags", {"VIP", "生日月"}}}).ok());
  MemberQuery q = Query("");
  q.tag = "VIP";
  EXPECT_EQ(Names(q), std::vector<std::string>{"汪洋"});
}

// ---------------------------------------------------------------- M6

TEST_F(MembersTest, M6_SameMobileCannotRegisterTwice) {
  json body = fx_.MemberBody("王芳");
  MustCreate(body);
  const int64_t count = fx_.CountMembers();
  json dup = fx_.MemberBody("王芳芳", fx_.org().gz01);
  dup["mobile"] = body["mobile"];
  auto r = members_.Create(fx_.admin(), dup);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kConflict);
  EXPECT_EQ(r.error().field, "mobile");
  EXPECT_EQ(fx_.CountMembers(), count);

  // Nor can another file be edited to carry it.
  MemberView other = MustCreate(fx_.MemberBody("李娜"));
  auto edit = members_.Update(fx_.admin(), other.member.id, {{"mobile", body["mobile"]}});
  ASSERT_FALSE(edit.ok());
  EXPECT_EQ(edit.error().code, ErrorCode::kConflict);
  EXPECT_EQ(edit.error().field, "mobile");
  EXPECT_EQ(MustGet(other.member.id).member.mobile.number, other.member.mobile.number);
}

TEST_F(MembersTest, M6_EightSimultaneousRegistrationsOfOneMobileLetExactlyOneThrough) {
  constexpr int kThreads = 8;
  const json body = fx_.MemberBody("王芳");
  const int64_t before = fx_.CountMembers();
  std::latch start(kThreads);
  std::vector<std::optional<Error>> errors(kThreads);
  std::vector<std::string> exceptions(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      try {
        auto r = members_.Create(fx_.admin(), body);
        if (!r.ok()) errors[i] = r.error();
      } catch (const std::exception& e) {
        exceptions[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();

  int ok = 0, conflicts = 0;
  for (int i = 0; i < kThreads; ++i) {
    EXPECT_EQ(exceptions[i], "") << "thread " << i << " threw instead of answering 409";
    if (!exceptions[i].empty()) continue;
    if (!errors[i]) {
      ++ok;
    } else {
      EXPECT_EQ(errors[i]->code, ErrorCode::kConflict) << errors[i]->message;
      EXPECT_EQ(errors[i]->field, "mobile");
      ++conflicts;
    }
  }
  EXPECT_EQ(ok, 1);
  EXPECT_EQ(conflicts, kThreads - 1);
  EXPECT_EQ(fx_.CountMembers(), before + 1);
  EXPECT_EQ(Names(Query(body["mobile"].get<std::string>())), std::vector<std::string>{"王芳"});
}

TEST_F(MembersTest, M6_MergeMovesCardsHistoryTagsFillsGapsAndFreesTheMobile) {
  json survivor_body = fx_.MemberBody("王芳");
  survivor_body["tags"] = {"VIP"};
  MemberView survivor = MustCreate(survivor_body);
  json absorbed_body = fx_.MemberBody("王芳");  // registered twice under two numbers
  absorbed_body["email"] = "wf@example.com";
  absorbed_body["occupation"] = "teacher";
  absorbed_body["birthday"] = "1985-03-15";
  absorbed_body["tags"] = {"老客户"};
  absorbed_body["gender"] = "unknown";
  MemberView absorbed = MustCreate(absorbed_body);
  ASSERT_TRUE(members_.Update(fx_.admin(), absorbed.member.id, {{"notes", "常买羊绒"}}).ok());
  const std::string absorbed_mobile = absorbed.member.mobile.number;
  const int64_t merge_audits = fx_.CountAudit("member_merge");

  auto merged = members_.Merge(fx_.admin(), survivor.member.id, absorbed.member.id);
  ASSERT_TRUE(merged.ok()) << merged.error().message;

  const auto s = MustGet(survivor.member.id);
  EXPECT_EQ(s.member.name, "王芳");
  EXPECT_EQ(s.member.mobile.number, survivor.member.mobile.number);  // the survivor's own wins
  EXPECT_EQ(s.member.gender, domain::Gender::kFemale);
  EXPECT_EQ(s.member.email, "wf@example.com");  // filled from the other
  EXPECT_EQ(s.member.occupation, "teacher");
  ASSERT_TRUE(s.member.birthday.has_value());
  EXPECT_EQ(domain::FormatCalendarDate(*s.member.birthday), "1985-03-15");
  EXPECT_EQ(s.member.notes, "常买羊绒");
  EXPECT_EQ(s.member.tags, (std::vector<std::string>{"VIP", "老客户"}));
  // Both cards now belong to the survivor, only one of them active.
  ASSERT_EQ(s.cards.size(), 2u);
  EXPECT_EQ(ActiveCards(s.cards), 1);
  for (const auto& c : s.cards) EXPECT_EQ(c.member_id, survivor.member.id);
  auto absorbed_card = members_.GetCard(fx_.admin(), absorbed.cards.at(0).card_no);
  ASSERT_TRUE(absorbed_card.ok());
  EXPECT_EQ(absorbed_card->member_id, survivor.member.id);
  EXPECT_EQ(absorbed_card->status, CardStatus::kReplaced);

  // The absorbed file is marked, not deleted, and points at the survivor.
  const auto a = MustGet(absorbed.member.id);
  EXPECT_EQ(a.member.status, MemberStatus::kMerged);
  EXPECT_EQ(a.member.merged_into, survivor.member.id);
  EXPECT_EQ(a.member.mobile.number, "");
  EXPECT_TRUE(a.cards.empty());

  // Its history travelled with it.
  auto history = members_.History(fx_.admin(), survivor.member.id, {50, 0});
  ASSERT_TRUE(history.ok());
  int creates = 0, merges = 0, updates = 0;
  for (const auto& h : history->items) {
    creates += h.action == "create";
    merges += h.action == "merge";
    updates += h.action == "update";
  }
  EXPECT_EQ(creates, 2);
  EXPECT_EQ(merges, 1);
  EXPECT_EQ(updates, 1);
  EXPECT_EQ(fx_.CountAudit("member_merge"), merge_audits + 1);

  // Lookups by the absorbed mobile no longer find a file, and it may register anew.
  EXPECT_TRUE(Names(Query(absorbed_mobile)).empty());
  EXPECT_EQ(Names(Query("王")), std::vector<std::string>{"王芳"});
  json again = fx_.MemberBody("王芳的女儿");
  again["mobile"] = absorbed_mobile;
  EXPECT_TRUE(members_.Create(fx_.admin(), again).ok());
}

TEST_F(MembersTest, M6_MergeRefusesItselfAndAlreadyMergedFiles) {
  MemberView a = MustCreate(fx_.MemberBody("王芳"));
  MemberView b = MustCreate(fx_.MemberBody("王芳"));
  auto self = members_.Merge(fx_.admin(), a.member.id, a.member.id);
  ASSERT_FALSE(self.ok());
  EXPECT_EQ(self.error().code, ErrorCode::kInvalidArgument);
  ASSERT_TRUE(members_.Merge(fx_.admin(), a.member.id, b.member.id).ok());
  auto again = members_.Merge(fx_.admin(), a.member.id, b.member.id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(again.error().field, "from_member_id");
  auto into_merged = members_.Merge(fx_.admin(), b.member.id, a.member.id);
  ASSERT_FALSE(into_merged.ok());
  EXPECT_EQ(into_merged.error().code, ErrorCode::kNotFound);
  // A merged file cannot be edited either.
  auto edit = members_.Update(fx_.admin(), b.member.id, {{"notes", "x"}});
  ASSERT_FALSE(edit.ok());
  EXPECT_EQ(edit.error().code, ErrorCode::kUnprocessable);
}

}  // namespace
}  // namespace vipcare::service
