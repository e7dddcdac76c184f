// Encryption at rest (SPEC P5): sealed columns, blind indexes, name tokens,
// and migration 2 sealing a version-1 database. Runs on both engines.
#include <gtest/gtest.h>

#include "domain/member_json.h"
#include "store/keys.h"
#include "store/migrations.h"
#include "store/sealer.h"
#include "store/store.h"
#include "testing/test_db.h"

namespace vipcare::store {
namespace {

using vipcare::testing::TestKeys;

// A database URL at schema version 1 (as the first release left it).
class Version1Database : public vipcare::testing::OlderDatabase {
 public:
  Version1Database() : OlderDatabase(1) {}
};

void FillVersion1(Db& db) {
  db.ExecScript(
      "INSERT INTO regions (code, name) VALUES ('E', '华东');"
      "INSERT INTO stores (code, name, region_id) VALUES ('SH01', '上海店', 1);"
      "INSERT INTO members (member_no, status, name, gender, mobile, source, home_store_id, "
      "profile, created_at, updated_at) VALUES ('M00000001', 'formal', '欧阳娜娜', 'female', "
      "'13977778888', 'store', 1, '{\"id_number\":\"11010519491231002X\",\"email\":"
      "\"nana@example.com\"}', 0, 0);"
      "INSERT INTO cards (card_no, member_id, kind, status, issued_on, expires_on, updated_at) "
      "VALUES ('6200000000000012', 1, 'formal', 'active', '2026-01-01', '2029-01-01', 0);"
      "INSERT INTO member_history (member_id, changed_at, action, changes) VALUES (1, 0, "
      "'update', '{\"mobile\":[\"13900000000\",\"13977778888\"]}');");
}

TEST(SealingTest, P5MigrationTwoSealsAVersionOneDatabaseInPlace) {
  Version1Database v1;
  {
    auto db = OpenDb(v1.url());
    FillVersion1(*db);
    // Without the keys the stored data cannot be sealed: nothing changes.
    EXPECT_THROW(Migrate(*db), std::runtime_error);
    EXPECT_EQ(SchemaVersion(*db), 1);
  }
  auto store = Store::Open(v1.url(), TestKeys(), 2);
  auto db = OpenDb(v1.url());
  EXPECT_EQ(SchemaVersion(*db), AllMigrations().back().version);
  auto raw = db->QueryOne(
      "SELECT m.name_enc, m.mobile_enc, m.profile_enc, c.card_no_enc, h.changes_enc "
      "FROM members m, cards c, member_history h");
  ASSERT_TRUE(raw);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(raw->Text(i).rfind("k1.", 0), 0u) << "column " << i << ": " << raw->Text(i);
  }
  auto st = store->Read([&](Repository& repo) -> Status {
    auto m = repo.FindMemberByMobile("13977778888");
    EXPECT_TRUE(m);
    if (!m) return OkStatus();
    EXPECT_EQ(m->name, "欧阳娜娜");
    EXPECT_EQ(m->email, "nana@example.com");
    EXPECT_EQ(repo.FindMembersByIdNumber("11010519491231002x").size(), 1u);
    auto card = repo.FindCardByNo("6200000000000012");
    EXPECT_TRUE(card && card->member_id == m->id);
    EXPECT_EQ(repo.ListHistory(m->id, {}).items.at(0).changes,
              R"({"mobile":["13900000000","13977778888"]})");
    MemberFilter f;
    f.name_prefix = "欧阳";
    EXPECT_EQ(repo.ListMembers(f, {}).total, 1);
    return OkStatus();
  });
  EXPECT_TRUE(st.ok());
}

TEST(SealingTest, P5AStoreRefusesKeysThatDoNotFitItsData) {
  vipcare::testing::TestDatabase db;
  { auto store = Store::Open(db.url(), TestKeys(), 1); }
  EXPECT_THROW(Store::Open(db.url(), Keyring::Generate(), 1), std::runtime_error);
  // A ring that still holds the recorded key (e.g. mid-rotation) opens it.
  EXPECT_NO_THROW(Store::Open(db.url(), TestKeys()->WithNewKey(), 1));
}

TEST(SealingTest, P5SealedValuesAreBoundToTheirColumnAndDetectTampering) {
  auto keys = TestKeys();
  const std::string sealed = keys->Seal(kSealedName, "张三");
  EXPECT_EQ(keys->Open(kSealedName, sealed), "张三");
  EXPECT_NE(keys->Seal(kSealedName, "张三"), sealed);  // a fresh nonce each time
  EXPECT_THROW(keys->Open(kSealedMobile, sealed), std::runtime_error);
  std::string altered = sealed;
  altered[altered.size() - 3] = altered[altered.size() - 3] == 'A' ? 'B' : 'A';
  EXPECT_THROW(keys->Open(kSealedName, altered), std::runtime_error);
  EXPECT_THROW(Keyring::Generate()->Open(kSealedName, sealed), std::runtime_error);
}

TEST(SealingTest, P5NameTokensFindPrefixesOnly) {
  Sealer s(*TestKeys(), 1);
  auto tokens = s.NameTokens("Anna Lee");
  auto has = [&](std::string_view q) {
    return std::find(tokens.begin(), tokens.end(), s.NameQueryToken(q)) != tokens.end();
  };
  EXPECT_TRUE(has("a"));
  EXPECT_TRUE(has("ANNA"));
  EXPECT_TRUE(has("annal"));  // whitespace is ignored
  EXPECT_FALSE(has("lee"));   // not a prefix
  auto zh = s.NameTokens("欧阳娜娜");
  EXPECT_EQ(zh.size(), 4u);
  EXPECT_EQ(zh, s.NameTokens("欧阳 娜娜"));
  // Different index keys give unrelated tokens.
  const auto rotated = TestKeys()->WithNewKey();
  Sealer other(*rotated, 2);
  EXPECT_NE(other.NameQueryToken("欧阳"), s.NameQueryToken("欧阳"));
  EXPECT_NE(other.MobileIndex("13977778888"), s.MobileIndex("13977778888"));
}

TEST(SealingTest, P5KeyFileParsingNamesTheBadLine) {
  auto bad = Keyring::Parse("# comment\nkey 1 abc\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "key file line 2");
  auto dup = Keyring::Parse(std::string("key 1 ") + std::string(64, 'a') + "\nkey 1 " +
                            std::string(64, 'b') + "\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_NE(dup.error().message.find("repeats"), std::string::npos);
  auto two = Keyring::ParseEnv(std::string("2:") + std::string(64, 'a') + ",1:" +
                               std::string(64, 'b'));
  ASSERT_TRUE(two.ok());
  EXPECT_EQ((*two)->current_id(), 2u);
  auto round = Keyring::Parse((*two)->Serialize());
  ASSERT_TRUE(round.ok());
  EXPECT_EQ((*round)->KeyCheck(1), (*two)->KeyCheck(1));
}

}  // namespace
}  // namespace vipcare::store
