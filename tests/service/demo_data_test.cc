// tests/service/demo_data_test.cc
//
// `vipcare demo` (SPEC I1): a reproducible synthetic chain whose members obey
// the member rules (M1), one active card each (M3), unique mobiles (M6), with
// two years of purchase history posted like till sales (L1-L6).
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
#include "service/audit.h"
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
  int64_t points = 0;    // balance after the purchase history
  std::string tier;
  auto operator<=>(const MemberSnapshot&) const = default;
};

struct Loaded {
  std::vector<domain::Member> members;
  std::map<int64_t, std::vector<domain::Card>> cards;  // by member id
  std::map<int64_t, store::LoyaltyState> loyalty;      // members who bought
};

Loaded LoadAll(store::Store& s) {
  return s
      .Read([](store::Repository& repo) -> Result<Loaded> {
        Loaded out;
        for (int64_t offset = 0;; offset += 200) {
          auto page = repo.ListMembers({}, {200, offset});
          for (auto& m : page.items) {
            out.cards[m.id.value] = repo.ListCards(m.id);
            if (auto s = repo.loyalty().GetLoyaltyState(m.id)) out.loyalty[m.id.value] = *s;
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
    MemberSnapshot s{m.name, m.mobile.number, "", "", 0, ""};
    if (auto it = all.loyalty.find(m.id.value); it != all.loyalty.end()) {
      s.points = it->second.points_balance.value;
      s.tier = it->second.tier_code;
    }
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

// I1: the same seed gives the same members, mobiles, birthdays, card
// numbers, points and tiers (the generator avoids std:: distributions, whose
// output differs between standard libraries). On PostgreSQL the test databases share one
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
  // `temporary` counts the members who joined with a temporary card.
  size_t lunar = 0, formal = 0, temporary = 0, referred = 0, cards = 0, converted_members = 0;
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
    // M3: one active card. A temporary member whose purchases qualified
    // became formal (M4): the temporary card was replaced by a formal one,
    // picked up unless ordered in the last two weeks.
    ASSERT_GE(member_cards.size(), 1u) << m.member_no;
    ASSERT_LE(member_cards.size(), 2u) << m.member_no;
    const bool converted = member_cards.size() == 2;
    if (converted) {
      EXPECT_EQ(member_cards[0].kind, domain::CardKind::kTemporary);
      EXPECT_EQ(member_cards[0].status, domain::CardStatus::kReplaced);
      EXPECT_EQ(m.status, domain::MemberStatus::kFormal) << m.member_no;
      ++converted_members;
    }
    const auto& c = member_cards.back();
    ++cards;
    EXPECT_TRUE(domain::IsValidCardNumber(c.card_no));
    EXPECT_TRUE(card_numbers.insert(member_cards[0].card_no).second);
    if (c.status == domain::CardStatus::kPendingPickup) {
      EXPECT_TRUE(converted);
      EXPECT_GE(c.issued_on, kToday.AddDays(-14));
    } else {
      EXPECT_EQ(c.status, domain::CardStatus::kIssued);
    }
    EXPECT_GT(c.expires_on, kToday);
    EXPECT_LE(c.issued_on, kToday);
    if (m.status == domain::MemberStatus::kTemporary || converted) ++temporary;
    if (m.status == domain::MemberStatus::kTemporary) {
      EXPECT_EQ(c.kind, domain::CardKind::kTemporary);
    } else {
      EXPECT_EQ(c.kind, domain::CardKind::kFormal);
      if (m.status == domain::MemberStatus::kFormal && !converted) ++formal;
    }
  }
  EXPECT_EQ(cards, r->cards);
  // Most temporary members made a first purchase of ¥500 (the department
  // store preset's rule for a formal card), but not all.
  EXPECT_GE(converted_members, temporary * 3 / 10);
  EXPECT_LT(converted_members, temporary);
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

// L1-L6 in the demo: two years of sales posted like till sales, so the UI
// has points, tiers, approvals and reports to show.
TEST(DemoDataTest, I1PurchaseHistoryEarnsPointsAndTiers) {
  testing::TestDatabase db;
  auto store = store::Store::Open(db.url(), vipcare::testing::TestKeys());
  std::vector<std::pair<size_t, size_t>> progress;
  auto r = GenerateDemo(*store, Options(), {},
                        [&](size_t done, size_t total) { progress.emplace_back(done, total); });
  ASSERT_TRUE(r.ok()) << r.error().message;
  // About three sales per card holder, one in eight without a member, one in
  // forty brought back.
  EXPECT_GE(r->sales, kMembers * 2);
  EXPECT_LE(r->sales, kMembers * 6);
  EXPECT_GE(r->non_member_sales, r->sales / 20);
  EXPECT_LE(r->non_member_sales, r->sales / 5);
  EXPECT_GE(r->refunds, 3u);
  EXPECT_LE(r->refunds, r->sales / 15);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back(), std::make_pair(r->sales + r->refunds, r->sales + r->refunds));
  EXPECT_GE(r->members_with_sales, kMembers / 2);
  EXPECT_GE(r->members_with_tier, kMembers / 3);
  EXPECT_GE(r->members_above_normal, 5u);  // 银卡 and up
  EXPECT_LT(r->members_above_normal, r->members_with_tier);
  EXPECT_GT(r->points_earned, 0);

  struct Seen {
    int64_t points = 0;
    size_t states = 0, with_tier = 0, tiered_before_today = 0, sales = 0;
    size_t history_rows = 0;
  };
  auto seen = store
                  ->Read([&](store::Repository& repo) -> Result<Seen> {
                    Seen s;
                    auto& l = repo.loyalty();
                    for (int64_t id = 1; id <= int64_t(kMembers); ++id) {
                      auto st = l.GetLoyaltyState(MemberId(id));
                      if (!st) continue;
                      ++s.states;
                      s.points += st->points_balance.value;
                      s.sales += size_t(l.ListMemberTransactions(MemberId(id), {1, 0}).total);
                      if (st->tier_code.empty()) continue;
                      ++s.with_tier;
                      // Tiers were reached when the sales happened, not today.
                      if (st->tier_since && *st->tier_since < kToday) ++s.tiered_before_today;
                      s.history_rows += size_t(l.ListTierChanges(MemberId(id), {1, 0}).total);
                    }
                    return s;
                  })
                  .value();
  EXPECT_EQ(seen.states, r->members_with_sales);
  EXPECT_EQ(seen.with_tier, r->members_with_tier);
  EXPECT_EQ(seen.points, r->points_earned);  // nothing spent or expired yet
  EXPECT_GE(seen.tiered_before_today, seen.with_tier * 9 / 10);
  EXPECT_GE(seen.history_rows, seen.with_tier);  // every tier has its reason (L6)
  EXPECT_GE(seen.sales, r->sales - r->non_member_sales);
  // P6: the sales' audit rows keep the chain intact.
  FixedClock clock(Timestamp(kToday.days()));
  AuditLog log(Env{*store, clock, TimeZone::Load("Asia/Shanghai").value()});
  auto verified = log.Verify();
  EXPECT_TRUE(verified.ok());
  EXPECT_GE(verified.rows, int64_t(r->sales + r->refunds));
}

// R5 in the demo: as in real retail, some members drift away (流失). The
// same chain without churn (DemoOptions::churn = false) is what they would
// have bought: the same members buying on the same days. Against it, on
// 1,000 members (a few dozen drift; a smaller chain has too few visits in
// the windows below to show a slowdown):
//   - most members buy exactly as in the control; the others ("drifting")
//     lose visits, never gain any, except one visit of those who come back
//     after a pause of two months or more;
//   - drifting members stop: many who bought in the control's last 180
//     days bought nothing then, while others bought in the last 30 days;
//   - before they stop they slow down: of the control's visits in the 120
//     days before their last purchase they made well under all (half of
//     those in the slowdown), of those in the 8 months before that nearly
//     all, and the visits they made up to their last purchase cost less.
TEST(DemoDataTest, R5SomeMembersSlowDownAndStopOthersKeepTheirRhythm) {
  constexpr size_t kChain = 1000;
  struct Visit {
    Date day;
    int64_t paid_fen = 0;  // the day's sales
  };
  using Histories = std::map<std::string, std::vector<Visit>>;  // by mobile, oldest first
  auto histories = [&](bool churn) {
    testing::TestDatabase db;
    auto store = store::Store::Open(db.url(), vipcare::testing::TestKeys());
    DemoOptions opt = Options();
    opt.members = kChain;
    opt.churn = churn;
    auto r = GenerateDemo(*store, opt);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return store
        ->Read([](store::Repository& repo) -> Result<Histories> {
          Histories out;
          for (int64_t offset = 0;; offset += 500) {
            auto page = repo.ListMembers({}, {500, offset});
            for (const auto& m : page.items) {
              auto sales = repo.loyalty().ListMemberTransactions(m.id, {10000, 0}).items;
              std::vector<Visit>& visits = out[m.mobile.number];
              for (auto it = sales.rbegin(); it != sales.rend(); ++it) {
                if (it->kind != "sale") continue;
                if (!visits.empty() && visits.back().day == it->local_day) {
                  visits.back().paid_fen += it->paid_total.value;
                } else {
                  visits.push_back({it->local_day, it->paid_total.value});
                }
              }
            }
            if (page.items.size() < 500) break;
          }
          return out;
        })
        .value();
  };
  const Histories churn = histories(true);
  const Histories control = histories(false);
  ASSERT_EQ(churn.size(), kChain);
  ASSERT_EQ(control.size(), kChain);

  auto find = [](const std::vector<Visit>& v, Date day) -> const Visit* {
    for (const auto& x : v) {
      if (x.day == day) return &x;
    }
    return nullptr;
  };
  size_t buyers = 0, drifting = 0, came_back = 0, stopped = 0, recent = 0;
  size_t late_kept = 0, late_all = 0, early_kept = 0, early_all = 0;
  int64_t late_paid = 0, late_paid_control = 0;
  for (const auto& [mobile, usual] : control) {
    if (usual.empty()) continue;
    ++buyers;
    const std::vector<Visit>& seen = churn.at(mobile);
    if (!seen.empty() && DaysBetween(seen.back().day, kToday) <= 30) ++recent;
    bool same = seen.size() == usual.size();
    for (size_t i = 0; same && i < seen.size(); ++i) same = seen[i].day == usual[i].day;
    if (same) continue;
    ++drifting;
    // Visits the control does not have: at most one, after a pause.
    std::vector<Visit> kept;
    bool back = false;
    for (size_t i = 0; i < seen.size(); ++i) {
      if (find(usual, seen[i].day)) {
        kept.push_back(seen[i]);
        continue;
      }
      ++came_back;
      back = true;
      EXPECT_EQ(i + 1, seen.size()) << mobile << ": only the last visit may be new";
      if (i > 0) EXPECT_GE(DaysBetween(seen[i - 1].day, seen[i].day), 60) << mobile;
    }
    // (One who lapsed after their last usual visit only has the new one.)
    EXPECT_TRUE(kept.size() < usual.size() || back) << mobile << ": drifting loses visits";
    if (kept.empty()) continue;
    const Date last = kept.back().day;
    if (DaysBetween(last, kToday) > 180 && DaysBetween(usual.back().day, kToday) <= 180) {
      ++stopped;
    }
    for (const auto& v : usual) {
      const int before = DaysBetween(v.day, last);
      const bool was_kept = find(kept, v.day) != nullptr;
      if (before > 0 && before <= 120) {
        ++late_all;
        late_kept += was_kept;
      } else if (before > 120 && before <= 365) {
        ++early_all;
        early_kept += was_kept;
      }
      if (before >= 0 && before <= 120 && was_kept) {
        late_paid += find(kept, v.day)->paid_fen;
        late_paid_control += v.paid_fen;
      }
    }
  }
  // About one member with a history in five lapses (some only after today,
  // some with no visit left to lose): 136 of 870 lose or gain a visit here.
  EXPECT_GE(drifting, buyers * 8 / 100) << drifting << " of " << buyers;
  EXPECT_LE(drifting, buyers * 30 / 100) << drifting << " of " << buyers;
  EXPECT_GE(came_back, drifting / 20);  // one in five of the lapsed
  EXPECT_LE(came_back, drifting / 3);
  EXPECT_GE(stopped, drifting / 5);  // 53
  EXPECT_GE(recent, buyers / 20);    // the others keep buying: 107 in the last 30 days
  // The slowdown: 46 of 64 visits kept in the 120 days, 64 of 67 before.
  ASSERT_GE(late_all, 30u);
  ASSERT_GE(early_all, 30u);
  EXPECT_LE(late_kept * 100, late_all * 85) << late_kept << " of " << late_all;
  EXPECT_GE(early_kept * 100, early_all * 90) << early_kept << " of " << early_all;
  // A third less per visit in the slowdown: 0.72 of the control's spend.
  EXPECT_LT(late_paid * 100, late_paid_control * 90) << late_paid << " vs " << late_paid_control;
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
