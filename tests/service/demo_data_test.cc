// tests/service/demo_data_test.cc
//
// `vipcare demo` (SPEC I1): a reproducible synthetic chain whose members obey
// the member rules (M1), one card each (M3), unique mobiles (M6).
#include "service/demo_data.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "domain/card.h"
#include "domain/member.h"
#include "domain/member_json.h"
#include "domain/org.h"
#include "service/accounts.h"
#include "store/store.h"
#include "testing/test_db.h"

namespace vipcare::service {
namespace {

const Date kToday = Date::FromYmd(2026, 11, 23);
constexpr size_t kMembers = 300;

DemoOptions Options(uint64_t seed = 20261123) {
  DemoOptions opt;
  opt.seed = seed;
  opt.members = kMembers;
  opt.today = kToday;
  return opt;
}

// What must come out the same for the same seed.
struct MemberSnapshot {
  std::string name;
  std::string mobile;
  std::string birthday;  // "YYYY-MM-DD solar|lunar" or empty
  std::string card_no;   // empty for prospects
  auto operator<=>(const MemberSnapshot&) const = default;
};

struct Loaded {
  std::vector<domain::Member> members;
  std::map<int64_t, std::vector<domain::Card>> cards;  // by member id
};

Loaded LoadAll(store::Store& s) {
  return s
      .Read([](store::Repository& repo) -> Result<Loaded> {
        Loaded out;
        for (int64_t offset = 0;; offset += 200) {
          auto page = repo.ListMembers({}, {200, offset});
          for (auto& m : page.items) {
            out.cards[m.id.value] = repo.ListCards(m.id);
            out.members.push_back(std::move(m));
          }
          if (page.items.size() < 200) break;
        }
        return out;
      })
      .value();
}

std::vector<MemberSnapshot> Snapshot(const Loaded& all) {
  std::vector<MemberSnapshot> out;
  for (const auto& m : all.members) {
    MemberSnapshot s{m.name, m.mobile.number, "", ""};
    if (m.birthday) {
      s.birthday =
          domain::FormatCalendarDate(*m.birthday) + " " + domain::ToString(m.birthday->calendar);
    }
    const auto& cards = all.cards.at(m.id.value);
    if (!cards.empty()) s.card_no = cards[0].card_no;
    out.push_back(s);
  }
  return out;
}

std::vector<MemberSnapshot> GenerateAndSnapshot(uint64_t seed) {
  testing::TestDatabase db;
  auto store = store::Store::Open(db.url(), vipcare::testing::TestKeys());
  auto r = GenerateDemo(*store, Options(seed));
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return Snapshot(LoadAll(*store));
}

// I1: the same seed gives the same members, mobiles, birthdays and card
// numbers (the generator avoids std:: distributions, whose output differs
// between standard libraries). On PostgreSQL the test databases share one
// server database, so the runs are sequential.
TEST(DemoDataTest, I1_SameSeedSameData) {
  auto first = GenerateAndSnapshot(20261123);
  auto second = GenerateAndSnapshot(20261123);
  ASSERT_EQ(first.size(), kMembers);
  EXPECT_EQ(first, second);
}

// I1, M1, M3, M6, P1: the organisation, accounts and members of the demo.
TEST(DemoDataTest, I1_ChainAccountsAndValidMembers) {
  testing::TestDatabase db;
  auto store = store::Store::Open(db.url(), vipcare::testing::TestKeys());
  std::vector<std::pair<size_t, size_t>> progress;
  auto r = GenerateDemo(*store, Options(),
                        [&](size_t done, size_t total) { progress.emplace_back(done, total); });
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->regions, 2u);
  EXPECT_EQ(r->stores, 8u);
  EXPECT_EQ(r->staff, 40u);
  EXPECT_EQ(r->members, kMembers);
  ASSERT_EQ(r->logins.size(), 40u);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(kMembers, kMembers));

  std::map<std::string, int> roles;
  std::set<std::string> usernames;
  for (const auto& l : r->logins) {
    // The logins the README and `make demo` name: store1 manages the first
    // store and assoc1 works there; region1 supervises the first region.
    if (l.username == "store1" || l.username == "assoc1") EXPECT_EQ(l.store, "SH01");
    if (l.username == "region1") EXPECT_EQ(l.store, "EAST");
    ++roles[l.role];
    usernames.insert(l.username);
  }
  EXPECT_EQ(usernames.size(), 40u);
  EXPECT_EQ(roles["admin"], 1);
  EXPECT_EQ(roles["auditor"], 1);
  EXPECT_EQ(roles["hq_analyst"], 1);
  EXPECT_EQ(roles["call_center"], 2);
  EXPECT_EQ(roles["regional_supervisor"], 2);
  EXPECT_EQ(roles["store_manager"], 8);
  EXPECT_EQ(roles["associate"], 25);
  for (const char* name :
       {"admin", "auditor", "hq", "callcenter1", "callcenter2", "region1", "region2", "store1",
        "store8", "assoc1", "assoc25"}) {
    EXPECT_TRUE(usernames.count(name)) << name;
  }

  struct Org {
    std::vector<domain::Region> regions;
    std::vector<domain::Store> stores;
    std::vector<domain::Staff> staff;
    std::optional<domain::Company> company;
    std::optional<store::UserRecord> admin;
  };
  auto org = store
                 ->Read([](store::Repository& repo) -> Result<Org> {
                   Org o;
                   o.regions = repo.ListRegions();
                   o.stores = repo.ListStores(std::nullopt, {100, 0}).items;
                   o.staff = repo.ListStaff(std::nullopt, std::nullopt, {100, 0}).items;
                   o.company = repo.GetCompany();
                   o.admin = repo.FindUserByName("admin");
                   return o;
                 })
                 .value();
  EXPECT_EQ(org.regions.size(), 2u);
  EXPECT_EQ(org.stores.size(), 8u);
  EXPECT_EQ(org.staff.size(), 40u);
  ASSERT_TRUE(org.company);
  EXPECT_EQ(org.company->name, "示例零售集团");
  EXPECT_EQ(org.company->timezone, "Asia/Shanghai");
  ASSERT_TRUE(org.admin);
  EXPECT_FALSE(org.admin->must_change_password);
  EXPECT_TRUE(VerifyPassword(org.admin->password_hash, "vipcare-demo"));  // P1: Argon2id
  std::map<int64_t, int> associates_per_store;
  std::map<int64_t, domain::Staff> staff_by_id;
  for (const auto& s : org.staff) {
    EXPECT_TRUE(domain::ValidateStaff(s).ok()) << s.employee_no;
    staff_by_id[s.id.value] = s;
    if (s.role == domain::Role::kAssociate) ++associates_per_store[s.store_id.value];
  }
  ASSERT_EQ(associates_per_store.size(), 8u);
  for (const auto& [store_id, n] : associates_per_store) {
    EXPECT_GE(n, 3);
    EXPECT_LE(n, 4);
  }

  auto all = LoadAll(*store);
  ASSERT_EQ(all.members.size(), kMembers);
  std::set<std::string> mobiles;
  std::set<std::string> card_numbers;
  size_t lunar = 0, formal = 0, temporary = 0, referred = 0, cards = 0;
  for (const auto& m : all.members) {
    auto valid = domain::ValidateMember(m, kToday);
    EXPECT_TRUE(valid.ok()) << m.member_no << " " << valid.error().field << ": "
                            << valid.error().message;
    EXPECT_TRUE(mobiles.insert(m.mobile.number).second);  // M6
    ASSERT_TRUE(m.birthday);
    EXPECT_GE(m.birthday->year, 1955);
    EXPECT_LE(m.birthday->year, 2006);
    if (m.birthday->calendar == domain::Calendar::kLunar) {
      ++lunar;
      EXPECT_LE(m.birthday->day, 29u);
    }
    // Created over the three years before today.
    EXPECT_LT(m.created_at, Timestamp(kToday.days()));
    EXPECT_GT(m.created_at, Timestamp(kToday.AddYears(-3).AddDays(-2).days()));
    // The associate works at the member's home store.
    ASSERT_TRUE(staff_by_id.count(m.associate_id.value));
    EXPECT_EQ(staff_by_id[m.associate_id.value].store_id, m.home_store_id);
    ASSERT_EQ(m.addresses.size(), 1u);
    if (m.referrer_id) {
      ++referred;
      EXPECT_LT(m.referrer_id, m.id);
    }
    const auto& member_cards = all.cards.at(m.id.value);
    if (m.status == domain::MemberStatus::kProspect) {
      EXPECT_TRUE(member_cards.empty());
      continue;
    }
    ASSERT_EQ(member_cards.size(), 1u) << m.member_no;  // M3: one active card
    const auto& c = member_cards[0];
    ++cards;
    EXPECT_TRUE(domain::IsValidCardNumber(c.card_no));
    EXPECT_TRUE(card_numbers.insert(c.card_no).second);
    EXPECT_EQ(c.status, domain::CardStatus::kIssued);
    EXPECT_GT(c.expires_on, kToday);
    EXPECT_LE(c.issued_on, kToday);
    if (m.status == domain::MemberStatus::kTemporary) {
      ++temporary;
      EXPECT_EQ(c.kind, domain::CardKind::kTemporary);
    } else {
      EXPECT_EQ(c.kind, domain::CardKind::kFormal);
      if (m.status == domain::MemberStatus::kFormal) ++formal;
    }
  }
  EXPECT_EQ(cards, r->cards);
  // ~15% lunar, ~35% temporary, ~60% formal; wide bounds for 300 members.
  EXPECT_GE(lunar, kMembers * 5 / 100);
  EXPECT_LE(lunar, kMembers * 30 / 100);
  EXPECT_GE(temporary, kMembers * 20 / 100);
  EXPECT_LE(temporary, kMembers * 50 / 100);
  EXPECT_GE(formal, kMembers * 45 / 100);
  EXPECT_LE(formal, kMembers * 75 / 100);
  EXPECT_GE(referred, kMembers * 2 / 100);  // ~10% referrals (M1 referrer)
  EXPECT_LE(referred, kMembers * 20 / 100);

  // A second run on a filled database is refused and changes nothing.
  auto again = GenerateDemo(*store, Options());
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_EQ(LoadAll(*store).members.size(), kMembers);
}

TEST(DemoDataTest, RequiresToday) {
  testing::TestDatabase db;
  auto store = store::Store::Open(db.url(), vipcare::testing::TestKeys());
  DemoOptions opt;
  opt.members = 1;
  auto r = GenerateDemo(*store, opt);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().field, "today");
}

}  // namespace
}  // namespace vipcare::service
