// Data steps of the schema migrations that came after a release (SPEC D3):
// a database left at an earlier version with rows in it is migrated in place.
// Runs on both engines.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/migrations.h"
#include "testing/test_db.h"

namespace vipcare::store {
namespace {

using vipcare::testing::OlderDatabase;

// Two members' sales and refunds as version 6 stored them: member 1 bought on
// 2026-03-05 and 2026-03-20 and returned something on 2026-03-28 (a refund is
// not a purchase), and bought once in April; member 2 bought on 2026-03-31
// only, and a walk-in sale has no member.
void FillVersion6(Db& db) {
  db.ExecScript(
      "INSERT INTO regions (code, name) VALUES ('E', '华东');"
      "INSERT INTO stores (code, name, region_id) VALUES ('SH01', '上海店', 1);"
      "INSERT INTO members (member_no, status, name_enc, gender, source, home_store_id, "
      "profile_enc, created_at, updated_at) VALUES "
      "('M1', 'formal', 'x', 'female', 'store', 1, 'x', 0, 0), "
      "('M2', 'formal', 'x', 'male', 'store', 1, 'x', 0, 0);");
  const char* sales[][4] = {{"s1", "sale", "1", "2026-03-05"},  {"s2", "sale", "1", "2026-03-20"},
                            {"r1", "refund", "1", "2026-03-28"}, {"s3", "sale", "1", "2026-04-02"},
                            {"s4", "sale", "2", "2026-03-31"},   {"s5", "sale", "", "2026-03-31"}};
  for (const auto& s : sales) {
    db.Exec(
        "INSERT INTO transactions (external_id, body_hash, kind, member_id, store_id, "
        "occurred_at, local_day, list_total, paid_total, points, result, created_at) "
        "VALUES (?, '', ?, ?, 1, 0, ?, 100, 100, 0, '{}', 0)",
        {std::string(s[0]), std::string(s[1]),
         s[2][0] ? Value(int64_t(std::stoi(s[2]))) : Value(), std::string(s[3])});
  }
  db.ExecScript(
      "INSERT INTO member_months (member_id, month, spend, purchases, largest, points) VALUES "
      "(1, 202603, 100, 2, 100, 0), (1, 202604, 100, 1, 100, 0), (2, 202603, 100, 1, 100, 0);");
}

std::optional<std::string> LastDay(Db& db, int64_t member, int64_t month) {
  auto r = db.QueryOne("SELECT last_day FROM member_months WHERE member_id = ? AND month = ?",
                       {member, month});
  if (!r || r->IsNull(0)) return std::nullopt;
  return r->Text(0);
}

TEST(MigrationTest, R4R5MigrationSevenFillsEachBucketsLastSaleDayFromTheStoredSales) {
  OlderDatabase v6(6);
  auto db = OpenDb(v6.url());
  FillVersion6(*db);
  EXPECT_EQ(Migrate(*db), AllMigrations().back().version);
  EXPECT_EQ(LastDay(*db, 1, 202603), "2026-03-20");  // the refund of the 28th is not a sale
  EXPECT_EQ(LastDay(*db, 1, 202604), "2026-04-02");
  EXPECT_EQ(LastDay(*db, 2, 202603), "2026-03-31");
}

// L6: version 13 gives every member waiting for an upgrade approval the time
// of their latest approval_queued event, so the queue lists the
// longest-waiting first from then on; a member not waiting keeps none, and one
// waiting without such an event is listed first.
TEST(MigrationTest, L6MigrationThirteenDatesTheWaitingMembersFromTheirTierHistory) {
  OlderDatabase v12(12);
  auto db = OpenDb(v12.url());
  db->ExecScript(
      "INSERT INTO regions (code, name) VALUES ('E', '华东');"
      "INSERT INTO stores (code, name, region_id) VALUES ('SH01', '上海店', 1);"
      "INSERT INTO members (member_no, status, name_enc, gender, source, home_store_id, "
      "profile_enc, created_at, updated_at) VALUES "
      "('M1', 'formal', 'x', 'female', 'store', 1, 'x', 0, 0), "
      "('M2', 'formal', 'x', 'male', 'store', 1, 'x', 0, 0), "
      "('M3', 'formal', 'x', 'male', 'store', 1, 'x', 0, 0), "
      "('M4', 'formal', 'x', 'male', 'store', 1, 'x', 0, 0);"
      "INSERT INTO member_loyalty (member_id, program_code, tier_code, pending_tier) VALUES "
      "(1, '', 'silver', 'gold'), (2, '', 'silver', 'gold'), (3, '', 'silver', ''), "
      "(4, '', 'silver', 'gold');"
      "INSERT INTO tier_history (member_id, at, kind, from_tier, to_tier, reason) VALUES "
      "(1, 500, 'approval_queued', 'silver', 'gold', 'r'), "
      "(1, 600, 'rejected', 'silver', 'silver', 'r'), "
      "(1, 2000, 'approval_queued', 'silver', 'gold', 'r'), "
      "(2, 1000, 'approval_queued', 'silver', 'gold', 'r'), "
      "(3, 700, 'approval_queued', 'silver', 'gold', 'r'), "
      "(3, 800, 'approved', 'silver', 'gold', 'r'), "
      "(2, 1500, 'upgrade', 'normal', 'silver', 'r');");
  EXPECT_EQ(Migrate(*db), AllMigrations().back().version);
  std::vector<std::pair<int64_t, std::optional<int64_t>>> got;
  for (const auto& r : db->Query("SELECT member_id, pending_since FROM member_loyalty "
                                 "ORDER BY member_id")) {
    got.emplace_back(r.Int(0), r.OptInt(1));
  }
  const std::vector<std::pair<int64_t, std::optional<int64_t>>> expected = {
      {1, 2000}, {2, 1000}, {3, std::nullopt}, {4, std::nullopt}};
  EXPECT_EQ(got, expected);
}

}  // namespace
}  // namespace vipcare::store
