// bench/loyalty_bench.cc
//
// The loyalty engine's speed (SPEC L1-L6): posting one sale in-process, the
// way a till's POST /api/v1/sales reaches service::Loyalty once the access
// layer has resolved the actor, and reading a member's tier metrics. Runs
// against the database named by VIPCARE_BENCH_LOYALTY_DB, a scratch copy of
// a `vipcare demo` database (members with two years of purchase history;
// bench/run.sh makes it): the posting benchmarks add sales to it.
//
// The benchmarks are registered only when VIPCARE_BENCH_LOYALTY_DB is set, so
// the lookup run of vipcare_bench (VIPCARE_BENCH_DB) does not list them.
// Every benchmark times each call on its own and reports p50_us, p99_us and
// max_us of the last run besides Google Benchmark's mean.
//
// The service clock stands at 2026-11-23 12:00 Shanghai, the demo's "today"
// in bench/run.sh, so tier rules see the same months on every run whatever
// the real date; each sale's occurred_at is that instant.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/clock.h"
#include "domain/card.h"
#include "domain/tiers.h"
#include "service/context.h"
#include "service/loyalty.h"
#include "service/loyalty_core.h"
#include "store/store.h"
#include "latency_recorder.h"

namespace vipcare::bench {
namespace {

using nlohmann::json;

constexpr const char* kDbEnvVar = "VIPCARE_BENCH_LOYALTY_DB";
constexpr size_t kPoolSize = 2;
constexpr size_t kSampleSize = 5'000;
constexpr uint64_t kSampleSeed = 20261123;
constexpr double kMinSeconds = 2.0;
// 2026-11-23 04:00:00Z = 12:00 in Shanghai.
constexpr int64_t kBenchNow = 1'795'406'400;

struct Shopper {
  MemberId id;
  std::string card_no;
  StoreId store;
  StaffId associate;
};

// The database, the service and the sampled members, opened once per
// process. Not thread-safe; the benchmarks are single-threaded.
class Fixture {
 public:
  static Fixture* Get(std::string& error) {
    static std::string open_error;
    static std::unique_ptr<Fixture> fixture = [] {
      std::unique_ptr<Fixture> f;
      const char* path = std::getenv(kDbEnvVar);
      try {
        f.reset(new Fixture(path == nullptr ? "" : path));
      } catch (const std::exception& e) {
        open_error = std::string("cannot prepare the loyalty benchmark database: ") + e.what();
      }
      return f;
    }();
    error = open_error;
    return fixture.get();
  }

  service::Loyalty& loyalty() { return *loyalty_; }
  store::Store& store() { return *store_; }
  const service::Env& env() const { return env_; }
  const service::Actor& actor() const { return actor_; }
  const std::vector<Shopper>& shoppers() const { return shoppers_; }
  // A fresh external id: unique across runs of the process on one database.
  std::string NextExternalId() {
    return "BENCH-" + std::to_string(run_id_) + "-" + std::to_string(++posted_);
  }

 private:
  explicit Fixture(const std::string& path)
      : clock_(FromEpochSeconds(kBenchNow)),
        store_(store::Store::Open(path, LoadKeys(path), kPoolSize, /*migrate=*/false)),
        env_{*store_, clock_, LoadZone()},
        loyalty_(std::make_unique<service::Loyalty>(env_)),
        actor_(service::Actor::CommandLine()),
        run_id_(uint64_t(std::chrono::system_clock::now().time_since_epoch().count()) ^
                uint64_t(getpid())) {
    LoadShoppers();
  }

  static store::KeyringPtr LoadKeys(const std::string& path) {
    const char* env = std::getenv("VIPCARE_KEYS");
    auto keys = env != nullptr && *env != '\0' ? store::Keyring::ParseEnv(env)
                                               : store::Keyring::LoadFile(path + ".key");
    if (!keys.ok()) throw std::runtime_error(keys.error().field + ": " + keys.error().message);
    return *keys;
  }

  static TimeZone LoadZone() {
    auto tz = TimeZone::Load("Asia/Shanghai");
    if (!tz.ok()) throw std::runtime_error("time zone Asia/Shanghai is not installed");
    return *tz;
  }

  // Up to kSampleSize formal members with an active card, drawn with a
  // fixed seed, with their home store and associate.
  void LoadShoppers() {
    auto max_id = store_->Read([](store::Repository& repo) -> Result<int64_t> {
      return repo.ListMembers({}, {1, 0}).total;
    });
    if (!max_id.ok() || *max_id == 0) throw std::runtime_error("the database has no members");
    std::mt19937_64 rng(kSampleSeed);
    std::uniform_int_distribution<int64_t> pick(1, *max_id);
    for (size_t draws = 0; draws < kSampleSize * 4 && shoppers_.size() < kSampleSize; ++draws) {
      const MemberId id(pick(rng));
      auto s = store_->Read([&](store::Repository& repo) -> Result<Shopper> {
        // Formal members only: a temporary member's card is replaced by a
        // formal one when a sale qualifies them (M4), which would leave the
        // card benchmark with numbers that no longer work.
        auto m = repo.GetMember(id);
        if (!m || m->status != domain::MemberStatus::kFormal) return Error::NotFound("member");
        for (const auto& c : repo.ListCards(id)) {
          if (domain::IsActive(c.status)) return Shopper{id, c.card_no, m->home_store_id, m->associate_id};
        }
        return Error::NotFound("card");
      });
      if (s.ok()) shoppers_.push_back(*s);
    }
    if (shoppers_.empty()) throw std::runtime_error("no live member with an active card");
  }

  FixedClock clock_;
  std::unique_ptr<store::Store> store_;
  service::Env env_;
  std::unique_ptr<service::Loyalty> loyalty_;
  service::Actor actor_;
  uint64_t run_id_;
  uint64_t posted_ = 0;
  std::vector<Shopper> shoppers_;
};

Fixture* FixtureOrSkip(benchmark::State& state) {
  std::string error;
  Fixture* f = Fixture::Get(error);
  if (f == nullptr) state.SkipWithError(error.c_str());
  return f;
}

enum class Who { kMemberId, kCardNo, kNobody };

// A till's sale: two lines (one at full price, one discounted), at the
// member's home store with their associate.
json SaleBody(Fixture& f, const Shopper& s, Who who) {
  const auto now = FormatTimestamp(FromEpochSeconds(kBenchNow));
  json body = {{"external_id", f.NextExternalId()},
               {"store_id", s.store.value},
               {"occurred_at", now},
               {"payment_method", "wechat"},
               {"lines",
                {{{"sku", "NZ-2481"},
                  {"category", "女装"},
                  {"brand", "云裳"},
                  {"quantity", 1},
                  {"list_price_fen", 129900},
                  {"paid_fen", 116900}},
                 {{"sku", "PS-1024"},
                  {"category", "配饰"},
                  {"brand", "拾光"},
                  {"quantity", 2},
                  {"list_price_fen", 19900},
                  {"paid_fen", 39800}}}}};
  if (s.associate) body["associate_id"] = s.associate.value;
  if (who == Who::kMemberId) body["member_id"] = s.id.value;
  if (who == Who::kCardNo) body["card_no"] = s.card_no;
  return body;
}

// Loyalty::PostSale of a new sale per call, cycling through the members.
void RunPost(benchmark::State& state, Who who) {
  Fixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  const auto& shoppers = f->shoppers();
  size_t next = 0;
  LatencyRecorder latency(state);
  for (auto _ : state) {
    // Building the body is in Google Benchmark's mean, not in p50/p99.
    const json body = SaleBody(*f, shoppers[next], who);
    next = (next + 1) % shoppers.size();
    const auto start = std::chrono::steady_clock::now();
    auto r = f->loyalty().PostSale(f->actor(), body);
    latency.Add(std::chrono::steady_clock::now() - start);
    if (!r.ok() || r->repeat) {
      state.SkipWithError(r.ok() ? "a new sale was taken for a repeat" : r.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}

void BM_LoyaltyPostSaleByMemberId(benchmark::State& state) { RunPost(state, Who::kMemberId); }
void BM_LoyaltyPostSaleByCard(benchmark::State& state) { RunPost(state, Who::kCardNo); }
void BM_LoyaltyPostNonMemberSale(benchmark::State& state) { RunPost(state, Who::kNobody); }

// The same external id again (a till retrying): the first answer, nothing written.
void BM_LoyaltyPostSaleRepeat(benchmark::State& state) {
  Fixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  const json body = SaleBody(*f, f->shoppers()[0], Who::kMemberId);
  if (auto first = f->loyalty().PostSale(f->actor(), body); !first.ok()) {
    state.SkipWithError(first.error().message.c_str());
    return;
  }
  LatencyRecorder latency(state);
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto r = f->loyalty().PostSale(f->actor(), body);
    latency.Add(std::chrono::steady_clock::now() - start);
    if (!r.ok() || !r->repeat) {
      state.SkipWithError(r.ok() ? "a repeat was posted again" : r.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}

// What every posted sale and every tier screen reads for the tier rules: the
// member's loyalty state and monthly buckets (at most 24 rows), and the L6
// metrics and progress to the next tier computed from them.
void BM_LoyaltyTierMetrics(benchmark::State& state) {
  Fixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  const auto& shoppers = f->shoppers();
  const Date today = f->env().Today();
  size_t next = 0;
  int64_t with_progress = 0;
  {
    LatencyRecorder latency(state);
    for (auto _ : state) {
      const MemberId id = shoppers[next].id;
      next = (next + 1) % shoppers.size();
      const auto start = std::chrono::steady_clock::now();
      auto r = f->store().Read([&](store::Repository& repo) -> Result<bool> {
        auto& l = repo.loyalty();
        const auto s = service::loyalty_core::StateOf(l, id);
        const domain::Program program = service::loyalty_core::ProgramOf(l, s);
        auto metrics = domain::ComputeMetrics(
            program, service::loyalty_core::ActivityOf(l, s, today), today);
        if (!metrics.ok()) return metrics.error();
        return domain::ProgressToNextTier(program, *metrics, s.tier_code).has_value();
      });
      latency.Add(std::chrono::steady_clock::now() - start);
      if (!r.ok()) {
        state.SkipWithError(r.error().message.c_str());
        break;
      }
      with_progress += *r;
    }
  }
  state.counters["with_next_tier"] =
      benchmark::Counter(static_cast<double>(with_progress), benchmark::Counter::kAvgIterations);
}

// The member's points and tier page (Loyalty::MemberPoints): balance, tier,
// progress, open lots, a page of 20 ledger rows and the tier history.
void BM_LoyaltyMemberPoints(benchmark::State& state) {
  Fixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  const auto& shoppers = f->shoppers();
  size_t next = 0;
  LatencyRecorder latency(state);
  for (auto _ : state) {
    const MemberId id = shoppers[next].id;
    next = (next + 1) % shoppers.size();
    const auto start = std::chrono::steady_clock::now();
    auto r = f->loyalty().MemberPoints(f->actor(), id, {20, 0});
    latency.Add(std::chrono::steady_clock::now() - start);
    if (!r.ok()) {
      state.SkipWithError(r.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(r);
  }
}

// Registered only when the database is named (see the top of the file).
const bool kRegistered = [] {
  const char* path = std::getenv(kDbEnvVar);
  if (path == nullptr || *path == '\0') return false;
  for (auto [name, fn] : std::initializer_list<std::pair<const char*, void (*)(benchmark::State&)>>{
           {"BM_LoyaltyPostSaleByMemberId", BM_LoyaltyPostSaleByMemberId},
           {"BM_LoyaltyPostSaleByCard", BM_LoyaltyPostSaleByCard},
           {"BM_LoyaltyPostNonMemberSale", BM_LoyaltyPostNonMemberSale},
           {"BM_LoyaltyPostSaleRepeat", BM_LoyaltyPostSaleRepeat},
           {"BM_LoyaltyTierMetrics", BM_LoyaltyTierMetrics},
           {"BM_LoyaltyMemberPoints", BM_LoyaltyMemberPoints}}) {
    benchmark::RegisterBenchmark(name, fn)
        ->UseRealTime()
        ->MinTime(kMinSeconds)
        ->Unit(benchmark::kMicrosecond);
  }
  return true;
}();

}  // namespace
}  // namespace vipcare::bench
