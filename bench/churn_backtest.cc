// bench/churn_backtest.cc
//
// The churn early warning (SPEC R5, docs/CHURN.md) measured two ways:
//
//   churn_backtest backtest <db> <day> [horizon_days=90 [control db]]
//     Scores every member of a `vipcare demo` database as the daily job would
//     have on <day>, from the sales up to that day only (monthly figures and
//     the last purchase rebuilt from `transactions`, a pending downgrade from
//     `tier_history`), then counts per level, per reason and per purchase
//     band who made no purchase in the <horizon_days> after <day>. Read-only.
//     Choose a day far enough before the demo's date that the horizon is
//     inside the history (demo --date 2026-11-27: day 2026-05-31 or earlier).
//     With a control (the same demo made with `demo ... steady`, whose
//     members have the same ids), also counts who was lost to churn: bought
//     in the horizon in the control, not in <db> (they drifted away).
//
//   churn_backtest scale <new sqlite file> <members> <day>
//     Creates a database with <members> synthetic members who all have
//     purchases (member_loyalty + 12 monthly buckets each; the demo gives at
//     most 20,000 members a history), then times service::ChurnJob::RunDay on
//     <day> (every row new), again on <day> (nothing changes) and on the next
//     day. Refuses an existing file.
//
//   churn_backtest job <db> <day>
//     Times service::ChurnJob::RunDay on <day> on an existing database (a
//     scratch copy: it writes member_churn), with the key file <db>.key.
//
//   churn_backtest demo <new sqlite file> <members> <today> [steady]
//     Creates the demo chain as `vipcare demo --members <members> --date
//     <today>` does (same seed, same data; without the care tasks of the
//     day), with a new key file <db>.key. `steady` turns the demo's churn off
//     (service::DemoOptions::churn): the same members buying on the same
//     days, nobody drifting away, the control for the back-test.
//
// None is a test; the numbers go to docs/CHURN.md with the command.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "domain/churn.h"
#include "service/churn_job.h"
#include "service/context.h"
#include "service/demo_data.h"
#include "store/db.h"
#include "store/keyring.h"
#include "store/migrations.h"
#include "store/store.h"

namespace vipcare::bench {
namespace {

// ---- backtest ----

constexpr std::string_view kLastSales =
    "SELECT t.member_id, MAX(t.local_day) FROM transactions t JOIN members m ON m.id = t.member_id "
    "WHERE t.kind = 'sale' AND t.local_day <= ? AND m.status NOT IN ('closed', 'merged', 'erased') "
    "GROUP BY t.member_id";
// Sales and refunds by the month they were posted in (a refund counts
// against its own month here, against its sale's month in member_months).
constexpr std::string_view kMonths =
    "SELECT member_id, substr(local_day, 1, 7), SUM(CASE WHEN kind = 'sale' THEN 1 ELSE 0 END), "
    "SUM(paid_total) FROM transactions WHERE member_id IS NOT NULL AND local_day >= ? "
    "AND local_day <= ? GROUP BY member_id, substr(local_day, 1, 7)";
constexpr std::string_view kBoughtBetween =
    "SELECT DISTINCT member_id FROM transactions WHERE kind = 'sale' AND member_id IS NOT NULL "
    "AND local_day > ? AND local_day <= ?";
constexpr std::string_view kTierEvents =
    "SELECT member_id, kind FROM tier_history WHERE at < ? AND kind IN ('downgrade_warned', "
    "'downgrade', 'downgrade_cancelled', 'upgrade') ORDER BY member_id, id";

struct Tally {
  int64_t members = 0;
  int64_t lapsed = 0;  // no purchase in the horizon
  int64_t lost = 0;    // of them, bought in the horizon in the control
  void Add(bool no_purchase, bool lost_to_churn) {
    ++members;
    if (no_purchase) ++lapsed;
    if (lost_to_churn) ++lost;
  }
  static std::string Percent(int64_t part, int64_t whole) {
    if (whole == 0) return "-";
    return fmt::format("{:.1f}%", 100.0 * double(part) / double(whole));
  }
  std::string Share() const { return Percent(lapsed, members); }
};

constexpr std::string_view kMemberTimes = "SELECT id, created_at FROM members ORDER BY id";

int Backtest(const std::string& path, Date day, int horizon, const std::string& control_path) {
  auto db = store::OpenDb(path);
  auto tz = TimeZone::Load("Asia/Shanghai");
  if (!tz.ok()) throw std::runtime_error(tz.error().message);
  const Date first_month = Date::FromYmd(day.year(), day.month(), 1).AddMonths(-11);

  std::unordered_map<int64_t, Date> last_sale;
  for (const auto& r : db->Query(kLastSales, {day.ToString()})) {
    last_sale[r.Int(0)] = *Date::Parse(r.Text(1));
  }
  std::unordered_map<int64_t, std::vector<domain::MonthlyBucket>> months;
  for (const auto& r : db->Query(kMonths, {first_month.ToString(), day.ToString()})) {
    auto m = Date::Parse(r.Text(1) + "-01");
    domain::MonthlyBucket b;
    b.year = m->year();
    b.month = m->month();
    b.purchases = int(r.Int(2));
    b.spend = Fen(r.Int(3));
    months[r.Int(0)].push_back(b);
  }
  std::unordered_set<int64_t> bought;
  for (const auto& r :
       db->Query(kBoughtBetween, {day.ToString(), day.AddDays(horizon).ToString()})) {
    bought.insert(r.Int(0));
  }
  // Who bought in the horizon in the control: the same members (same ids,
  // checked by their creation times) without churn.
  std::optional<std::unordered_set<int64_t>> control_bought;
  if (!control_path.empty()) {
    auto control = store::OpenDb(control_path);
    auto mine = db->Query(kMemberTimes);
    auto theirs = control->Query(kMemberTimes);
    bool same = mine.size() == theirs.size();
    for (size_t i = 0; same && i < mine.size(); ++i) {
      same = mine[i].Int(0) == theirs[i].Int(0) && mine[i].Int(1) == theirs[i].Int(1);
    }
    if (!same) throw std::runtime_error("the control is not the same demo (members differ)");
    control_bought.emplace();
    for (const auto& r :
         control->Query(kBoughtBetween, {day.ToString(), day.AddDays(horizon).ToString()})) {
      control_bought->insert(r.Int(0));
    }
  }
  std::unordered_map<int64_t, bool> pending;
  for (const auto& r : db->Query(kTierEvents, {ToEpochSeconds(tz->StartOfDay(day.AddDays(1)))})) {
    pending[r.Int(0)] = r.Text(1) == "downgrade_warned";
  }

  std::map<domain::ChurnLevel, Tally> by_level;
  std::map<domain::ChurnReason, Tally> by_reason;
  // Purchases in the 12 months before the day, in bands, split by flagged
  // (high) or not: what the score tells beyond how often a member buys.
  const std::vector<std::pair<int, std::string>> bands = {{0, "0"},   {1, "1"},   {2, "2"},
                                                          {3, "3-4"}, {5, "5-9"}, {10, "10+"}};
  std::map<std::pair<size_t, bool>, Tally> by_band;
  std::map<std::pair<size_t, domain::ChurnLevel>, Tally> by_band_level;
  Tally all, flagged, not_flagged;
  for (const auto& [id, last] : last_sale) {
    const auto& ms = months[id];
    auto in = domain::ChurnInputsFrom(ms, last, day);
    if (!in) continue;
    in->downgrade_pending = pending.count(id) && pending[id];
    const auto score = domain::ScoreChurn(*in);
    const bool lapsed = !bought.count(id);
    const bool lost = lapsed && control_bought && control_bought->count(id);
    all.Add(lapsed, lost);
    by_level[score.level].Add(lapsed, lost);
    const bool high = score.level == domain::ChurnLevel::kHigh;
    (high ? flagged : not_flagged).Add(lapsed, lost);
    for (const auto& r : score.reasons) by_reason[r.reason].Add(lapsed, lost);
    int n = 0;
    for (const auto& b : ms) n += b.purchases;
    size_t band = 0;
    for (size_t i = 0; i < bands.size(); ++i) {
      if (n >= bands[i].first) band = i;
    }
    by_band[{band, high}].Add(lapsed, lost);
    by_band_level[{band, score.level}].Add(lapsed, lost);
  }

  fmt::print(
      "back-test on {}: scored {} members with a purchase up to {}; no purchase in the "
      "following {} days ({} .. {})\n\n",
      path, all.members, day.ToString(), horizon, day.AddDays(1).ToString(),
      day.AddDays(horizon).ToString());
  const bool with_control = control_bought.has_value();
  if (with_control) {
    fmt::print("control {}: \"lost\" = no purchase here but one in the control (drifted away)\n\n",
               control_path);
  }
  fmt::print("{:<22} {:>9} {:>12} {:>8}", "group", "members", "no purchase", "share");
  if (with_control) fmt::print(" {:>8} {:>8}", "lost", "share");
  fmt::print("\n");
  auto line = [&](const std::string& name, const Tally& t) {
    fmt::print("{:<22} {:>9} {:>12} {:>8}", name, t.members, t.lapsed, t.Share());
    if (with_control) fmt::print(" {:>8} {:>8}", t.lost, Tally::Percent(t.lost, t.members));
    fmt::print("\n");
  };
  line("all scored", all);
  line("flagged (high)", flagged);
  line("not flagged", not_flagged);
  for (auto level :
       {domain::ChurnLevel::kHigh, domain::ChurnLevel::kMedium, domain::ChurnLevel::kLow}) {
    line(fmt::format("level {}", domain::ChurnLevelCode(level)), by_level[level]);
  }
  fmt::print("\nby reason (a member counts under each of their reasons)\n");
  for (auto reason : domain::AllChurnReasons()) {
    if (by_reason[reason].members == 0) continue;
    line(std::string(domain::ChurnReasonCode(reason)), by_reason[reason]);
  }
  fmt::print("\nby purchases in the 12 months up to the day, flagged vs not flagged\n");
  for (size_t i = 0; i < bands.size(); ++i) {
    line(fmt::format("{} purchases, high", bands[i].second), by_band[{i, true}]);
    line(fmt::format("{} purchases, other", bands[i].second), by_band[{i, false}]);
  }
  fmt::print("\nby purchases in the 12 months up to the day and level\n");
  for (size_t i = 0; i < bands.size(); ++i) {
    for (auto level :
         {domain::ChurnLevel::kHigh, domain::ChurnLevel::kMedium, domain::ChurnLevel::kLow}) {
      const Tally& t = by_band_level[{i, level}];
      if (t.members == 0) continue;
      line(fmt::format("{} purchases, {}", bands[i].second, domain::ChurnLevelCode(level)), t);
    }
  }
  if (all.lapsed > 0 && flagged.members > 0 && all.members > 0) {
    const double base = double(all.lapsed) / double(all.members);
    const double precision = double(flagged.lapsed) / double(flagged.members);
    fmt::print(
        "\n\"high\" as a prediction of no purchase: precision {:.1f}% (base rate {:.1f}%, lift "
        "{:.2f}), recall {:.1f}% (flagged members are that share of all who made no purchase)\n",
        100.0 * precision, 100.0 * base, precision / base,
        100.0 * double(flagged.lapsed) / double(all.lapsed));
  }
  if (with_control && all.lost > 0 && flagged.members > 0) {
    const double base = double(all.lost) / double(all.members);
    const double precision = double(flagged.lost) / double(flagged.members);
    fmt::print(
        "\"high\" as a prediction of lost to churn: precision {:.1f}% (base rate {:.1f}%, lift "
        "{:.2f}), recall {:.1f}% (flagged members are that share of all lost)\n",
        100.0 * precision, 100.0 * base, precision / base,
        100.0 * double(flagged.lost) / double(all.lost));
  }
  return 0;
}

// ---- scale ----

constexpr std::string_view kInsertRegion =
    "INSERT INTO regions (id, code, name) VALUES (1, 'R1', 'bench')";
constexpr std::string_view kInsertStore =
    "INSERT INTO stores (id, code, name, region_id) VALUES (1, 'S1', 'bench', 1)";
constexpr std::string_view kMemberTuple = "(?, 'formal', 'x', 'female', 'walk_in', 1, '{}', 0, 0)";
constexpr std::string_view kMemberHead =
    "INSERT INTO members (id, status, name_enc, gender, source, home_store_id, profile_enc, "
    "created_at, updated_at) VALUES ";
constexpr std::string_view kLoyaltyTuple = "(?, 'department_store', ?, ?, ?)";
constexpr std::string_view kLoyaltyHead =
    "INSERT INTO member_loyalty (member_id, program_code, tier_code, last_purchase_on, "
    "downgrade_warned_on) VALUES ";
constexpr std::string_view kMonthTuple = "(?, ?, ?, ?)";
constexpr std::string_view kMonthHead =
    "INSERT INTO member_months (member_id, month, spend, purchases) VALUES ";
constexpr size_t kRowsPerStatement = 64;

// Inserts rows of `width` values, kRowsPerStatement per statement; Flush
// sends what is left.
class BulkInserter {
 public:
  BulkInserter(store::Db& db, std::string_view head, std::string_view tuple, size_t width)
      : db_(db), head_(head), tuple_(tuple), width_(width) {}
  void Add(std::vector<store::Value> row) {
    for (auto& v : row) params_.push_back(std::move(v));
    if (params_.size() == kRowsPerStatement * width_) Flush();
  }
  void Flush() {
    if (params_.empty()) return;
    const size_t n = params_.size() / width_;
    std::string sql(head_);
    for (size_t i = 0; i < n; ++i) sql += (i ? ", " : "") + std::string(tuple_);
    db_.Exec(sql, params_);
    params_.clear();
  }

 private:
  store::Db& db_;
  std::string_view head_, tuple_;
  size_t width_;
  std::vector<store::Value> params_;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Runs the job on `day` with the clock at 03:00 of it and prints the time.
void TimeJob(store::Store& st, const std::string& what, Date day) {
  auto tz = TimeZone::Load("Asia/Shanghai");
  FixedClock clock(tz->StartOfDay(day) + std::chrono::hours(3));
  const service::Env env{st, clock, *tz};
  std::map<std::string, int64_t> counts;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = service::ChurnJob(env).RunDay(service::Actor::CommandLine(), day, counts);
  const double secs = Seconds(t0);
  if (!r.ok()) throw std::runtime_error(r.error().message);
  fmt::print("{:<34} {:>7.2f} s  scored {} high {} changed {}\n", what, secs,
             counts["churn_scored"], counts["churn_high"], counts["churn_changed"]);
}

int Job(const std::string& path, Date day) {
  auto keys = store::Keyring::LoadFile(path + ".key");
  if (!keys.ok()) throw std::runtime_error(keys.error().message);
  auto st = store::Store::Open(path, *keys, 2);
  TimeJob(*st, "churn_scores " + day.ToString(), day);
  return 0;
}

int Scale(const std::string& path, int64_t members, Date day) {
  if (std::filesystem::exists(path)) {
    fmt::print(stderr, "{} exists: give a new file\n", path);
    return 2;
  }
  auto started = std::chrono::steady_clock::now();
  {
    auto db = store::OpenDb(path);
    store::Migrate(*db);
    db->Begin(true);
    db->Exec(kInsertRegion);
    db->Exec(kInsertStore);
    std::mt19937_64 rng(20261128);
    const int now = day.year() * 12 + int(day.month()) - 1;
    {
      BulkInserter m(*db, kMemberHead, kMemberTuple, 1);
      for (int64_t id = 1; id <= members; ++id) m.Add({id});
      m.Flush();
      BulkInserter l(*db, kLoyaltyHead, kLoyaltyTuple, 4);
      BulkInserter mm(*db, kMonthHead, kMonthTuple, 4);
      for (int64_t id = 1; id <= members; ++id) {
        // A monthly rate of 0.2-4 purchases; a third of the members stop
        // buying some months ago (so every reason occurs).
        const double rate = 0.2 + double(rng() % 380) / 100.0;
        const int stop = rng() % 3 == 0 ? int(rng() % 13) : -1;
        std::optional<Date> last;
        for (int back = 12; back >= 0; --back) {
          if (stop >= 0 && back < stop) continue;
          std::poisson_distribution<int> visits(rate);
          const int n = visits(rng);
          if (n == 0) continue;
          const int idx = now - back;
          const Date first = Date::FromYmd(idx / 12, unsigned(idx % 12 + 1), 1);
          const int span = back == 0 ? int(day.day()) : DaysBetween(first, first.AddMonths(1));
          last = first.AddDays(int(rng() % uint64_t(span)));
          mm.Add({id, int64_t((idx / 12) * 100 + idx % 12 + 1), int64_t(n) * 30000, int64_t(n)});
        }
        if (!last) last = day.AddDays(-400);
        l.Add({id, rng() % 2 ? "silver" : "", last->ToString(),
               rng() % 20 == 0 ? store::Value(day.AddDays(-3).ToString()) : store::Value()});
      }
      l.Flush();
      mm.Flush();
    }
    db->Commit();
  }
  fmt::print("created {} members with purchases in {:.1f} s\n", members, Seconds(started));

  auto st = store::Store::Open(path, store::Keyring::Generate(), 2);
  TimeJob(*st, fmt::format("churn_scores {} (all new)", day.ToString()), day);
  TimeJob(*st, fmt::format("churn_scores {} again", day.ToString()), day);
  TimeJob(*st, fmt::format("churn_scores {}", day.AddDays(1).ToString()), day.AddDays(1));
  return 0;
}

// ---- demo ----

int Demo(const std::string& path, size_t members, Date today, bool churn) {
  if (std::filesystem::exists(path)) {
    fmt::print(stderr, "{} exists: give a new file\n", path);
    return 2;
  }
  {
    auto db = store::OpenDb(path);
    store::Migrate(*db);
  }
  auto keys = store::Keyring::Generate();
  if (auto st = keys->WriteFile(path + ".key", true); !st.ok()) {
    throw std::runtime_error(st.error().message);
  }
  auto st = store::Store::Open(path, keys, 2);
  service::DemoOptions opt;
  opt.members = members;
  opt.today = today;
  opt.churn = churn;
  const auto t0 = std::chrono::steady_clock::now();
  auto r = service::GenerateDemo(*st, opt);
  if (!r.ok()) throw std::runtime_error(r.error().message);
  fmt::print("demo{} in {}: {} members, {} sales, {} members bought; {:.1f} s\n",
             churn ? "" : " (steady: no churn)", path, r->members, r->sales,
             r->members_with_sales, Seconds(t0));
  return 0;
}

int Usage() {
  fmt::print(stderr,
             "usage: churn_backtest backtest <db> <day YYYY-MM-DD> [horizon_days [control db]]\n"
             "       churn_backtest scale <new sqlite file> <members> <day YYYY-MM-DD>\n"
             "       churn_backtest job <db> <day YYYY-MM-DD>\n"
             "       churn_backtest demo <new sqlite file> <members> <today YYYY-MM-DD> "
             "[steady]\n");
  return 2;
}

}  // namespace
}  // namespace vipcare::bench

int main(int argc, char** argv) {
  using namespace vipcare;
  if (argc < 4) return bench::Usage();
  const std::string mode = argv[1];
  try {
    if (mode == "backtest") {
      auto day = Date::Parse(argv[3]);
      if (!day) return bench::Usage();
      return bench::Backtest(argv[2], *day, argc > 4 ? std::atoi(argv[4]) : 90,
                             argc > 5 ? argv[5] : "");
    }
    if (mode == "job" && argc == 4) {
      auto day = Date::Parse(argv[3]);
      if (!day) return bench::Usage();
      return bench::Job(argv[2], *day);
    }
    if (mode == "demo" && (argc == 5 || (argc == 6 && std::string(argv[5]) == "steady"))) {
      auto day = Date::Parse(argv[4]);
      if (!day) return bench::Usage();
      return bench::Demo(argv[2], size_t(std::atoll(argv[3])), *day, argc == 5);
    }
    if (mode == "scale" && argc == 5) {
      auto day = Date::Parse(argv[4]);
      if (!day) return bench::Usage();
      return bench::Scale(argv[2], std::atoll(argv[3]), *day);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 1;
  }
  return bench::Usage();
}
