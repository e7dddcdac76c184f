// R1 member growth through service::Reports on the backend
// VIPCARE_TEST_BACKEND selects, on a small hand-built data set. The company
// runs the department-store preset: a temporary member becomes formal (M4)
// on a first purchase of at least 500 yuan, which orders the formal card that
// day. Times are Shanghai time.
//
//   G  SH01 temporary walk_in, registered 2026-12-15; buys 600 on 2027-01-15
//      -> converted in January (registered before the period: not new)
//   A  SH01 temporary walk_in 2027-01-05; buys 800 on 2027-02-05 -> converted Feb
//   H  GZ01 temporary walk_in 2027-01-08
//   B  SH01 temporary, source referral, referrer A, 2027-01-10; buys 100 -> stays
//   C  SH01 registered formal directly, source event, 2027-01-20
//   D  SH02 temporary online 2027-01-25; buys 500 on 2027-03-02 (after the period)
//   I  SH02 temporary walk_in at 23:30 on 2027-01-31 (15:30 UTC) -> January
//   E  SH01 temporary walk_in at 00:10 on 2027-02-01 (16:10 UTC on 01-31) ->
//      February; erased on 2027-02-20, still counted in February
//   F  SH01 prospect 2027-02-10: no card, not a member yet -> not counted
//
// Period 2027-01..2027-02, every store (HQ analyst):
//   2027-01 SH01: new_temporary 2 (A, B), new_formal 1 (C), converted 1 (G), referred 1 (B)
//   2027-01 SH02: new_temporary 2 (D, I)
//   2027-01 GZ01: new_temporary 1 (H)
//   2027-02 SH01: new_temporary 1 (E), converted 1 (A)
//   totals: new_temporary 6, new_formal 1, converted 2, referred 1
//   sources: walk_in 4 (A, H, I, E), then event, online, referral 1 each
//   funnel: 6 joined temporary, 1 of them (A) formal by 2027-02-28, 1 formal
//     directly; conversion 1/6 = 1667 bp.
// SH01's manager: the two SH01 rows; totals 3, 1, 2, 1; funnel 3 temporary,
// 1 converted (3333 bp). Region SOUTH: GZ01's January row only.
// Period 2027-01..2027-03: D converts in March at SH02; funnel converted 2.
// Period 2026-01..2027-02: G adds 2026-12 SH01 new_temporary 1; totals 7, 1, 2, 1.
#include <gtest/gtest.h>

#include "service/reports.h"
#include "testing/loyalty_scenario.h"

namespace vipcare::service {
namespace {

using domain::Role;
using nlohmann::json;

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }

class ReportsGrowthTest : public vipcare::testing::LoyaltyScenarioTest {
 protected:
  ReportsGrowthTest() {
    const auto& org = fx_.org();
    const MemberId g = Join("G会员", Local(D(2026, 12, 15), 10, 0), org.sh01);
    const MemberId a = Join("A会员", Local(D(2027, 1, 5), 10, 0), org.sh01);
    Join("H会员", Local(D(2027, 1, 8), 10, 0), org.gz01);
    const MemberId b = Join("B会员", Local(D(2027, 1, 10), 10, 0), org.sh01,
                            {{"source", "referral"}, {"referrer_id", a.value}});
    Join("C会员", Local(D(2027, 1, 20), 10, 0), org.sh01, {{"status", "formal"}, {"source", "event"}});
    const MemberId d = Join("D会员", Local(D(2027, 1, 25), 10, 0), org.sh02, {{"source", "online"}});
    Join("I会员", Local(D(2027, 1, 31), 23, 30), org.sh02);
    const MemberId e = Join("E会员", Local(D(2027, 2, 1), 0, 10), org.sh01);
    Join("F会员", Local(D(2027, 2, 10), 10, 0), org.sh01, {{"status", "prospect"}});

    Buy(b, 100, D(2027, 1, 12));
    Buy(g, 600, D(2027, 1, 15));
    Buy(a, 800, D(2027, 2, 5));
    At(D(2027, 2, 20));
    auto erased = members_.Erase(fx_.admin(), e, "本人要求注销");
    EXPECT_TRUE(erased.ok()) << erased.error().message;
    Buy(d, 500, D(2027, 3, 2));
    analyst_ = fx_.AddUser("hq", Role::kHqAnalyst);
    At(D(2027, 4, 20));
  }

  Timestamp Local(Date day, int hour, int minute) {
    return fx_.env().tz.StartOfDay(day) + std::chrono::hours(hour) + std::chrono::minutes(minute);
  }

  // Registers a member at `at` (the clock moves there).
  MemberId Join(const std::string& name, Timestamp at, StoreId store, const json& extra = {}) {
    fx_.clock().Set(at);
    json body = fx_.MemberBody(name, store);
    if (!extra.is_null()) body.update(extra);
    auto m = members_.Create(fx_.admin(), body);
    EXPECT_TRUE(m.ok()) << name << ": " << m.error().field << ": " << m.error().message;
    return m.ok() ? m->member.id : MemberId();
  }

  json Get(const Actor& a, QueryMap q) {
    auto r = reports_.Get(a, "member_growth", q);
    EXPECT_TRUE(r.ok()) << r.error().field << ": " << r.error().message;
    return r.ok() ? *r : json();
  }

  static json Row(const json& report, const std::string& month, StoreId store) {
    for (const auto& row : report["rows"]) {
      if (row["month"] == month && row["store_id"] == store.value) return row;
    }
    return json();
  }

  static void ExpectCounts(const json& row, int64_t new_temporary, int64_t new_formal,
                           int64_t converted, int64_t referred) {
    ASSERT_TRUE(row.is_object()) << "no such row";
    EXPECT_EQ(row["new_temporary"], new_temporary) << row.dump();
    EXPECT_EQ(row["new_formal"], new_formal) << row.dump();
    EXPECT_EQ(row["converted"], converted) << row.dump();
    EXPECT_EQ(row["referred"], referred) << row.dump();
  }

  Reports reports_{fx_.env()};
  Actor analyst_;
};

TEST_F(ReportsGrowthTest, R1NewMembersByMonthStoreSourceAndReferralWithConversions) {
  const auto& org = fx_.org();
  auto r = Get(analyst_, {{"from", "2027-01"}, {"to", "2027-02"}});
  ASSERT_EQ(r["rows"].size(), 4u) << r.dump(2);
  ExpectCounts(Row(r, "2027-01", org.sh01), 2, 1, 1, 1);
  ExpectCounts(Row(r, "2027-01", org.sh02), 2, 0, 0, 0);
  ExpectCounts(Row(r, "2027-01", org.gz01), 1, 0, 0, 0);
  ExpectCounts(Row(r, "2027-02", org.sh01), 1, 0, 1, 0);
  EXPECT_EQ(Row(r, "2027-01", org.sh01)["store_name"], "上海南京路店");
  EXPECT_EQ(r["rows"][0]["month"], "2027-01");  // by month, then store
  EXPECT_EQ(r["rows"][3]["month"], "2027-02");
  ExpectCounts(r["totals"], 6, 1, 2, 1);

  ASSERT_EQ(r["sources"].size(), 4u) << r["sources"].dump();
  EXPECT_EQ(r["sources"][0], (json{{"source", "walk_in"}, {"name", "到店登记"}, {"members", 4}}));
  for (const char* s : {"event", "online", "referral"}) {
    bool found = false;
    for (const auto& row : r["sources"]) {
      if (row["source"] == s) {
        found = true;
        EXPECT_EQ(row["members"], 1) << s;
      }
    }
    EXPECT_TRUE(found) << s;
  }
  EXPECT_EQ(r["funnel"], (json{{"temporary", 6},
                               {"converted", 1},
                               {"formal_direct", 1},
                               {"conversion_bp", 1667}}));

  // One month further: D converted in March, at their home store SH02.
  auto q1 = Get(analyst_, {{"from", "2027-01"}, {"to", "2027-03"}});
  ExpectCounts(Row(q1, "2027-03", org.sh02), 0, 0, 1, 0);
  EXPECT_EQ(q1["funnel"]["converted"], 2);
  EXPECT_EQ(q1["totals"]["converted"], 3);

  // Fourteen months (read twelve at a time): G joins them in 2026-12.
  auto long_period = Get(analyst_, {{"from", "2026-01"}, {"to", "2027-02"}});
  ASSERT_EQ(long_period["rows"].size(), 5u) << long_period.dump(2);
  ExpectCounts(Row(long_period, "2026-12", org.sh01), 1, 0, 0, 0);
  ExpectCounts(long_period["totals"], 7, 1, 2, 1);

  // The columns read in Chinese for the table and the exports.
  ASSERT_EQ(r["columns"].size(), 6u);
  EXPECT_EQ(r["columns"][2], (json{{"key", "new_temporary"}, {"title", "新增临时会员"}, {"kind", "int"}}));
}

TEST_F(ReportsGrowthTest, R1AStoreManagerSeesTheirStoreAndARegionItsStores) {
  const auto& org = fx_.org();
  auto mine = Get(manager_, {{"from", "2027-01"}, {"to", "2027-02"}});
  ASSERT_EQ(mine["rows"].size(), 2u) << mine.dump(2);
  for (const auto& row : mine["rows"]) EXPECT_EQ(row["store_id"], org.sh01.value);
  ExpectCounts(mine["totals"], 3, 1, 2, 1);
  EXPECT_EQ(mine["funnel"]["temporary"], 3);
  EXPECT_EQ(mine["funnel"]["converted"], 1);
  EXPECT_EQ(mine["funnel"]["conversion_bp"], 3333);
  EXPECT_EQ(mine["scope"]["store_id"], org.sh01.value);

  auto other = reports_.Get(manager_, "member_growth",
                            {{"store_id", std::to_string(org.sh02.value)}});
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, ErrorCode::kForbidden);

  auto south = Get(analyst_, {{"from", "2027-01"},
                              {"to", "2027-02"},
                              {"region_id", std::to_string(org.south.value)}});
  ASSERT_EQ(south["rows"].size(), 1u) << south.dump(2);
  ExpectCounts(Row(south, "2027-01", org.gz01), 1, 0, 0, 0);
  EXPECT_EQ(south["sources"], (json::array({{{"source", "walk_in"}, {"name", "到店登记"}, {"members", 1}}})));
}

TEST_F(ReportsGrowthTest, R1BadFiltersNameTheField) {
  auto tier = reports_.Get(analyst_, "member_growth", {{"tier", "gold"}});
  ASSERT_FALSE(tier.ok());
  EXPECT_EQ(tier.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(tier.error().field, "tier");
  auto store = reports_.Get(analyst_, "member_growth", {{"store_id", "999999"}});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().field, "store_id");
  auto month = reports_.Get(analyst_, "member_growth", {{"to", "2027-2"}});
  ASSERT_FALSE(month.ok());
  EXPECT_EQ(month.error().field, "to");
}

}  // namespace
}  // namespace vipcare::service
