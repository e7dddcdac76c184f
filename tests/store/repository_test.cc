// The repository contract (SPEC D1-D3): the same tests on SQLite and
// PostgreSQL, selected by VIPCARE_TEST_BACKEND.
#include <gtest/gtest.h>

#include "domain/member_json.h"
#include "store/migrations.h"
#include "store/store.h"
#include "testing/test_db.h"

namespace vipcare::store {
namespace {

class RepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = Store::Open(db_.url(), vipcare::testing::TestKeys(), 4);
    auto st = store_->Write([&](Repository& repo) -> Status {
      region_ = repo.InsertRegion({RegionId(), "EAST", "华东片区"});
      domain::Store s;
      s.code = "SH01";
      s.name = "上海南京路店";
      s.region_id = region_;
      store_a_ = repo.InsertStore(s);
      s.code = "SH02";
      s.name = "上海徐家汇店";
      store_b_ = repo.InsertStore(s);
      return OkStatus();
    });
    ASSERT_TRUE(st.ok());
  }

  domain::Member NewMember(const std::string& name, const std::string& mobile, StoreId store) {
    domain::Member m;
    m.name = name;
    m.mobile.number = mobile;
    m.home_store_id = store;
    m.status = domain::MemberStatus::kFormal;
    return m;
  }

  MemberId Insert(const domain::Member& m) {
    MemberId id;
    auto st = store_->Write([&](Repository& repo) -> Status {
      id = repo.InsertMember(m);
      return OkStatus();
    });
    EXPECT_TRUE(st.ok());
    return id;
  }

  testing::TestDatabase db_;
  std::unique_ptr<Store> store_;
  RegionId region_;
  StoreId store_a_, store_b_;
};

TEST_F(RepositoryTest, D3MigrationsAreVersionedAndRerunnable) {
  auto db = db_.Connect();
  int v = SchemaVersion(*db);
  EXPECT_EQ(v, AllMigrations().back().version);
  EXPECT_EQ(Migrate(*db), v);  // nothing left to do
}

TEST_F(RepositoryTest, M1MemberFileRoundTripsWithNestedParts) {
  auto m = NewMember("陈静", "13900001111", store_a_);
  m.birthday = domain::CalendarDate{1980, 8, 30, domain::Calendar::kLunar, true};
  m.family.push_back({"陈小宝", "child", domain::CalendarDate{2016, 5, 1, domain::Calendar::kSolar, false}, "画画", ""});
  m.preferences.special_needs = "温水，瓷杯";
  m.business.credit_limit = Fen(50000000);
  m.tags = {"高净值", "新品偏好"};
  MemberId id = Insert(m);
  auto got = store_->Read([&](Repository& repo) -> Result<domain::Member> {
    return *repo.GetMember(id);
  });
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->member_no, "M" + std::string(8 - std::to_string(id.value).size(), '0') +
                                std::to_string(id.value));
  EXPECT_EQ(got->name, "陈静");
  ASSERT_TRUE(got->birthday);
  EXPECT_EQ(got->birthday->calendar, domain::Calendar::kLunar);
  EXPECT_TRUE(got->birthday->leap_month);
  EXPECT_EQ(got->family.at(0).name, "陈小宝");
  EXPECT_EQ(got->preferences.special_needs, "温水，瓷杯");
  EXPECT_EQ(got->business.credit_limit.value, 50000000);
  EXPECT_EQ(got->tags, (std::vector<std::string>{"新品偏好", "高净值"}));
  EXPECT_EQ(got->version, 1);
}

// A sale's posting reads the plain columns only, and the version alone to
// know whether a file it read is still current.
TEST_F(RepositoryTest, M1ThePlainReadHasTheUnsealedColumnsAndTheVersionTracksChanges) {
  auto m = NewMember("陈静", "13900001112", store_a_);
  m.birthday = domain::CalendarDate{1980, 8, 30, domain::Calendar::kLunar, true};
  m.preferences.special_needs = "温水，瓷杯";
  m.tags = {"高净值"};
  MemberId id = Insert(m);
  auto st = store_->Write([&](Repository& repo) -> Status {
    auto full = *repo.GetMember(id);
    auto plain = repo.GetMemberPlain(id);
    EXPECT_TRUE(plain);
    if (!plain) return OkStatus();
    EXPECT_EQ(plain->member_no, full.member_no);
    EXPECT_EQ(plain->status, full.status);
    EXPECT_TRUE(plain->birthday && plain->birthday->year == 1980 && plain->birthday->month == 8 &&
                plain->birthday->day == 30 && plain->birthday->leap_month &&
                plain->birthday->calendar == domain::Calendar::kLunar);
    EXPECT_EQ(plain->home_store_id, full.home_store_id);
    EXPECT_EQ(plain->referrer_id, full.referrer_id);
    EXPECT_EQ(plain->version, full.version);
    EXPECT_EQ(plain->name, "");  // sealed fields and tags are not read
    EXPECT_EQ(plain->mobile.number, "");
    EXPECT_EQ(plain->preferences.special_needs, "");
    EXPECT_TRUE(plain->tags.empty());
    EXPECT_FALSE(repo.GetMemberPlain(MemberId(id.value + 1000)));

    EXPECT_EQ(repo.MemberVersion(id), 1);
    full.name = "陈静静";
    EXPECT_TRUE(repo.UpdateMember(full));
    EXPECT_EQ(repo.MemberVersion(id), 2);
    EXPECT_FALSE(repo.MemberVersion(MemberId(id.value + 1000)));
    return OkStatus();
  });
  ASSERT_TRUE(st.ok());
}

TEST_F(RepositoryTest, M6MobileIsUniqueAcrossMembers) {
  Insert(NewMember("王芳", "13812345678", store_a_));
  EXPECT_THROW(
      {
        auto r = store_->Write([&](Repository& repo) -> Status {
          repo.InsertMember(NewMember("王芳二", "13812345678", store_b_));
          return OkStatus();
        });
        (void)r;
      },
      DbError);
  // A member without a mobile (a prospect) never collides.
  auto p1 = NewMember("无号一", "", store_a_);
  auto p2 = NewMember("无号二", "", store_a_);
  p1.status = p2.status = domain::MemberStatus::kProspect;
  Insert(p1);
  Insert(p2);
}

TEST_F(RepositoryTest, UpdateChecksTheVersion) {
  MemberId id = Insert(NewMember("李雷", "13700000001", store_a_));
  auto st = store_->Write([&](Repository& repo) -> Status {
    auto m = *repo.GetMember(id);
    m.name = "李雷雷";
    EXPECT_TRUE(repo.UpdateMember(m));   // version 1 -> 2
    EXPECT_FALSE(repo.UpdateMember(m));  // still says version 1: refused
    EXPECT_EQ(repo.GetMember(id)->version, 2);
    return OkStatus();
  });
  ASSERT_TRUE(st.ok());
}

TEST_F(RepositoryTest, M5ListFiltersByStoreStatusPrefixAndTag) {
  auto a = NewMember("王芳", "13800000001", store_a_);
  a.tags = {"VIP"};
  Insert(a);
  Insert(NewMember("王小明", "13800000002", store_b_));
  Insert(NewMember("汪洋", "13800000003", store_a_));
  auto t = NewMember("王五", "13800000004", store_a_);
  t.status = domain::MemberStatus::kTemporary;
  Insert(t);
  auto list = [&](MemberFilter f, Page p = {}) {
    return *store_->Read([&](Repository& repo) -> Result<PageOf<domain::Member>> {
      return repo.ListMembers(f, p);
    });
  };
  MemberFilter f;
  f.name_prefix = "王";
  auto wang = list(f);
  EXPECT_EQ(wang.total, 3);
  for (const auto& m : wang.items) EXPECT_EQ(m.name.substr(0, 3), "王");
  f.store = store_a_;
  EXPECT_EQ(list(f).total, 2);
  f.status = domain::MemberStatus::kFormal;
  EXPECT_EQ(list(f).total, 1);
  MemberFilter by_tag;
  by_tag.tag = "VIP";
  auto tagged = list(by_tag);
  ASSERT_EQ(tagged.total, 1);
  EXPECT_EQ(tagged.items[0].name, "王芳");
  MemberFilter region;
  region.region = region_;
  auto page = list(region, Page{2, 2});
  EXPECT_EQ(page.total, 4);
  EXPECT_EQ(page.items.size(), 2u);
}

TEST_F(RepositoryTest, D2WriteRollsBackOnAnErrorResult) {
  auto r = store_->Write([&](Repository& repo) -> Status {
    repo.InsertMember(NewMember("回滚", "13600000000", store_a_));
    return Error::Invalid("x", "abandon");
  });
  EXPECT_FALSE(r.ok());
  auto found = store_->Read([&](Repository& repo) -> Result<bool> {
    return repo.FindMemberByMobile("13600000000").has_value();
  });
  EXPECT_FALSE(*found);
}

TEST_F(RepositoryTest, M3CardsAndSessionsRoundTrip) {
  MemberId id = Insert(NewMember("赵敏", "13500000000", store_a_));
  auto st = store_->Write([&](Repository& repo) -> Status {
    auto c = domain::NewCard(id, domain::CardKind::kTemporary, Date::FromYmd(2026, 11, 23));
    c.card_no = "8000000000000002";
    c.id = repo.InsertCard(c);
    auto got = repo.FindCardByNo("8000000000000002");
    EXPECT_TRUE(got);
    EXPECT_EQ(got->member_id, id);
    EXPECT_EQ(got->expires_on.ToString(), "2028-11-23");
    got->status = domain::CardStatus::kLost;
    repo.UpdateCard(*got);
    EXPECT_EQ(repo.ListCards(id).at(0).status, domain::CardStatus::kLost);

    UserRecord u;
    u.username = "zhao";
    u.role = domain::Role::kAssociate;
    u.password_hash = "$argon2id$x";
    u.created_at = FromEpochSeconds(1700000000);
    u.id = repo.InsertUser(u);
    repo.InsertSession({"hash1", u.id, u.created_at, u.created_at, u.created_at + std::chrono::hours(1), "127.0.0.1"});
    EXPECT_TRUE(repo.GetSession("hash1"));
    repo.DeleteSessionsOf(u.id);
    EXPECT_FALSE(repo.GetSession("hash1"));
    return OkStatus();
  });
  ASSERT_TRUE(st.ok());
}

// What every request's access check reads in one statement: the session, the
// account, where its staff record works and whether that store binds devices.
TEST_F(RepositoryTest, P1SessionPrincipalCarriesAccountStoreRegionAndDeviceRule) {
  auto st = store_->Write([&](Repository& repo) -> Status {
    domain::Staff staff;
    staff.employee_no = "E100";
    staff.name = "导购";
    staff.role = domain::Role::kAssociate;
    staff.store_id = store_a_;
    staff.id = repo.InsertStaff(staff);
    UserRecord u;
    u.username = "assoc";
    u.role = domain::Role::kAssociate;
    u.staff_id = staff.id;
    u.password_hash = "$argon2id$x";
    u.created_at = FromEpochSeconds(1700000000);
    u.id = repo.InsertUser(u);
    UserRecord admin = u;
    admin.username = "root";
    admin.role = domain::Role::kAdmin;
    admin.staff_id = StaffId();
    admin.id = repo.InsertUser(admin);
    const Timestamp t = u.created_at;
    repo.InsertSession({"s-assoc", u.id, t, t, t + std::chrono::hours(1), "10.0.0.1"});
    repo.InsertSession({"s-admin", admin.id, t, t, t + std::chrono::hours(1), "10.0.0.2"});

    auto p = repo.GetSessionPrincipal("s-assoc");
    EXPECT_TRUE(p);
    if (!p) return OkStatus();
    EXPECT_EQ(p->session.user_id, u.id);
    EXPECT_EQ(p->session.address, "10.0.0.1");
    EXPECT_EQ(p->user.username, "assoc");
    EXPECT_EQ(p->user.role, domain::Role::kAssociate);
    EXPECT_TRUE(p->user.password_hash.empty());
    EXPECT_EQ(p->store_id, store_a_);
    EXPECT_EQ(p->region_id, region_);
    EXPECT_FALSE(p->store_restricts_devices);
    repo.InsertDevice({0, store_a_, "address", "10.0.0.1", "till", true, admin.id, t});
    EXPECT_TRUE(repo.GetSessionPrincipal("s-assoc")->store_restricts_devices);

    auto a = repo.GetSessionPrincipal("s-admin");
    EXPECT_TRUE(a);
    if (a) {
      EXPECT_EQ(a->user.role, domain::Role::kAdmin);
      EXPECT_FALSE(a->store_id);
      EXPECT_FALSE(a->store_restricts_devices);
    }
    EXPECT_FALSE(repo.GetSessionPrincipal("no-such-session"));
    return OkStatus();
  });
  ASSERT_TRUE(st.ok());
}

TEST_F(RepositoryTest, M6ReassignMovesCardsHistoryTagsAndReferrals) {
  auto a = NewMember("甲", "13400000001", store_a_);
  auto b = NewMember("乙", "13400000002", store_a_);
  b.tags = {"团购客户"};
  MemberId ia = Insert(a), ib = Insert(b);
  auto c = NewMember("丙", "13400000003", store_a_);
  c.referrer_id = ib;
  MemberId ic = Insert(c);
  auto st = store_->Write([&](Repository& repo) -> Status {
    auto card = domain::NewCard(ib, domain::CardKind::kFormal, Date::FromYmd(2026, 1, 1));
    card.card_no = "8000000000000010";
    repo.InsertCard(card);
    repo.AppendHistory({0, ib, FromEpochSeconds(1), UserId(), "update", "{}", ""});
    repo.ReassignMember(ib, ia);
    EXPECT_EQ(repo.ListCards(ia).size(), 1u);
    EXPECT_EQ(repo.ListHistory(ia, Page{}).total, 1);
    EXPECT_EQ(repo.GetMember(ia)->tags, std::vector<std::string>{"团购客户"});
    EXPECT_TRUE(repo.GetMember(ib)->tags.empty());
    EXPECT_EQ(repo.GetMember(ic)->referrer_id, ia);
    return OkStatus();
  });
  ASSERT_TRUE(st.ok());
}

}  // namespace
}  // namespace vipcare::store
