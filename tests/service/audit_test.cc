// The tamper-evident audit log (SPEC P6): every change is audited, rows are
// hash-chained, and verification names the edited or deleted rows.
#include <gtest/gtest.h>

#include <thread>

#include "service/audit.h"
#include "service/members.h"
#include "testing/fixtures.h"

namespace vipcare::service {
namespace {

using vipcare::testing::ServiceFixture;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < 5; ++i) {
      auto r = members_.Create(fx_.admin(), fx_.MemberBody("审计" + std::to_string(i)));
      ASSERT_TRUE(r.ok()) << r.error().message;
    }
  }
  void Raw(const std::string& sql) {
    auto db = store::OpenDb(fx_.url());
    db->ExecScript(sql);
  }
  int64_t Rows() { return log_.Verify().rows; }

  ServiceFixture fx_;
  Members members_{fx_.env()};
  AuditLog log_{fx_.env()};
};

TEST_F(AuditTest, P6AnUntouchedLogVerifies) {
  auto v = log_.Verify();
  EXPECT_TRUE(v.ok()) << v.problems.at(0).message;
  EXPECT_GE(v.rows, 5);  // the seeded organisation's changes and the 5 registrations
  auto page = log_.List(fx_.admin(), {3, 0});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items.size(), 3u);
  EXPECT_EQ(page->items[0].action, "member_create");  // newest first
  EXPECT_EQ(page->items[0].prev_hash, page->items[1].hash);
}

// Rows appended many at once (a bulk import's) join the same chain, in
// order, between rows appended one by one.
TEST_F(AuditTest, P6RowsAppendedTogetherContinueTheChain) {
  const int64_t before = Rows();
  auto st = fx_.store().Write([&](store::Repository& repo) -> Status {
    std::vector<store::AuditEntry> rows;
    for (int i = 0; i < 300; ++i) {
      rows.push_back({0, fx_.env().clock.Now(), UserId(), "cashback_issue", "member",
                      std::to_string(i), "vouchers=1", ""});
    }
    repo.AppendAudits(rows);
    repo.AppendAudits({});
    return OkStatus();
  });
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(members_.Create(fx_.admin(), fx_.MemberBody("审计后")).ok());
  auto v = log_.Verify();
  EXPECT_TRUE(v.ok()) << v.problems.at(0).message;
  EXPECT_EQ(v.rows, before + 301);
  auto page = log_.List(fx_.admin(), {3, 0});
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->items[0].action, "member_create");
  EXPECT_EQ(page->items[1].entity_id, "299");
  EXPECT_EQ(page->items[2].entity_id, "298");
  EXPECT_EQ(page->items[0].id, before + 301);
}

TEST_F(AuditTest, P6AnEditedRowIsNamed) {
  Raw("UPDATE audit_log SET detail = 'nothing happened' WHERE id = 3");
  auto v = log_.Verify();
  ASSERT_FALSE(v.ok());
  ASSERT_EQ(v.problems.size(), 1u);
  EXPECT_EQ(v.problems[0].id, 3);
  EXPECT_EQ(v.problems[0].what, "edited");
}

TEST_F(AuditTest, P6AnEditedRowWithARecomputedHashBreaksTheChainAtTheNextRow) {
  auto rows = *fx_.store().Read([](store::Repository& repo) -> Result<std::vector<store::AuditEntry>> {
    return repo.AuditRowsAfter(0, 100);
  });
  auto forged = rows.at(1);  // id 2
  forged.action = "login";
  forged.hash = store::AuditRowHash(forged);
  Raw("UPDATE audit_log SET action = 'login', hash = '" + forged.hash + "' WHERE id = 2");
  auto v = log_.Verify();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.problems[0].id, 3);
  EXPECT_EQ(v.problems[0].what, "chain broken");
}

TEST_F(AuditTest, P6DeletedRowsInTheMiddleOrAtTheEndAreFound) {
  const int64_t n = Rows();
  Raw("DELETE FROM audit_log WHERE id = 2");
  auto v = log_.Verify();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.problems[0].id, 2);
  EXPECT_EQ(v.problems[0].what, "deleted");
  Raw("DELETE FROM audit_log WHERE id = " + std::to_string(n));
  v = log_.Verify();
  bool end_found = false;
  for (const auto& p : v.problems) end_found |= p.id == n && p.what == "deleted";
  EXPECT_TRUE(end_found);
}

TEST_F(AuditTest, P6ConcurrentWritersKeepOneUnbrokenChain) {
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        auto r = members_.Create(fx_.admin(),
                                 fx_.MemberBody("并发" + std::to_string(t) + "-" + std::to_string(i)));
        EXPECT_TRUE(r.ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto v = log_.Verify();
  EXPECT_TRUE(v.ok()) << (v.ok() ? "" : v.problems[0].message);
}

TEST_F(AuditTest, P6OnlyAuditorsAndAdminsReadTheLog) {
  auto associate = fx_.AddUser("clerk", domain::Role::kAssociate, fx_.org().associate_sh01);
  auto r = log_.List(associate, {10, 0});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kForbidden);
  auto auditor = fx_.AddUser("auditor1", domain::Role::kAuditor);
  EXPECT_TRUE(log_.List(auditor, {10, 0}).ok());
}

}  // namespace
}  // namespace vipcare::service
