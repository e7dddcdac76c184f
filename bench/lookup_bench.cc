// bench/lookup_bench.cc
//
// Issue 2 speed target: a till looks a member up by card number or exact
// mobile in under 1 ms (p99, in-process) at 1,000,000 members on SQLite. Each
// benchmark runs service::Members::Search, the path a GET /api/v1/members?q=
// request takes once the access layer has resolved the actor, against the
// database named by VIPCARE_BENCH_DB (bench/run.sh prepares it with
// `vipcare demo --members 1000000`). The Baseline benchmarks run the bare
// indexed statement through store::Db, so the difference is our overhead.
//
// Besides Google Benchmark's mean, every benchmark times each lookup on its own
// and reports p50_us, p99_us and max_us of the last run.
//
// The Layer benchmarks measure what the access layer (issue 3: session check,
// permission, row scope, masking) adds: the same lookup or change with the
// layer (a bearer token resolved by Accounts::Authenticate, then the use case
// as the demo's store manager `store1`) and without it (the use case as the
// command-line actor, for which scope and masking are no-ops). Both write the
// same audit row on a change (an audit row is never optional). The change
// benchmarks rewrite the `notes` of members of store1's store, so they alter
// the benchmark database (a scratch copy bench/run.sh makes).
//
// VIPCARE_BENCH_PRAGMAS (optional, for what-if runs only) is a script of
// PRAGMA statements run on every pooled connection before the benchmarks, e.g.
// "PRAGMA mmap_size=4294967296;", to measure a connection setting before it is
// proposed for store/sqlite_db.cc. bench/run.sh never sets it.
//
// `vipcare_bench --write-http-keys FILE` writes the same sample's keys (card
// numbers and mobiles, opened with the database's key file) for wrk's
// bench/http_lookup.lua and runs no benchmark: they are sealed in the
// database, so only vipcare's own code can read them.
// `vipcare_bench --write-sealed-keys FILE` writes every member's mobile and
// every card number ("mobile N" / "card N" lines), for
// bench/make_members_csv.py to avoid (meant for the small organisation
// database).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/clock.h"
#include "service/accounts.h"
#include "service/context.h"
#include "service/members.h"
#include "store/keys.h"
#include "store/sealer.h"
#include "store/store.h"
#include "latency_recorder.h"

namespace vipcare::bench {
namespace {

constexpr const char* kDbEnvVar = "VIPCARE_BENCH_DB";
constexpr const char* kPragmasEnvVar = "VIPCARE_BENCH_PRAGMAS";
// Connections in the benchmark's pool: one for the service, one for baselines.
constexpr size_t kPoolSize = 2;
constexpr size_t kSampleSize = 10'000;
// Fixed so that two runs on the same database look up the same members.
constexpr uint64_t kSampleSeed = 20261123;
// A till search shows one screen of names.
constexpr int64_t kNamePageLimit = 20;
// Long enough for tens of thousands of timed lookups, so p99 is not one outlier.
constexpr double kMinSeconds = 2.0;

constexpr std::string_view kMaxMemberId = "SELECT COALESCE(MAX(id), 0) FROM members";
constexpr std::string_view kAllMemberIds = "SELECT id FROM members ORDER BY id";
// One live member with a mobile and its newest card; nothing if the id is a
// gap, a merged or erased file, or a member without a card.
// The baseline: what an indexed SQLite lookup costs without any of our code
// (the blind index of the mobile, computed beforehand).
constexpr std::string_view kBareMobileLookup = "SELECT id FROM members WHERE mobile_bidx = ?";

struct Sample {
  std::string mobile;
  std::string mobile_bidx;
  std::string member_no;
  std::string card_no;
  std::string name_1;  // the first character of the name (the surname, mostly)
  std::string name_2;  // the first two characters
};

// The first `chars` UTF-8 characters of `s`.
std::string Utf8Prefix(const std::string& s, size_t chars) {
  size_t i = 0;
  for (size_t n = 0; n < chars && i < s.size(); ++n) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  }
  return s.substr(0, i);
}

// VIPCARE_KEYS, or the key file `vipcare init` created beside the database.
store::KeyringPtr LoadBenchKeys(const std::string& path) {
  const char* env = std::getenv("VIPCARE_KEYS");
  auto keys = env != nullptr && *env != '\0' ? store::Keyring::ParseEnv(env)
                                             : store::Keyring::LoadFile(path + ".key");
  if (!keys.ok()) throw std::runtime_error(keys.error().field + ": " + keys.error().message);
  return *keys;
}

// The database, the services over it and the sampled keys, opened once for
// every benchmark of the process. Not thread-safe; the benchmarks are
// single-threaded.
class Fixture {
 public:
  // nullptr (with `error` set) if VIPCARE_BENCH_DB is unset or holds no members.
  static Fixture* Get(std::string& error) {
    static std::string open_error;
    static std::unique_ptr<Fixture> fixture = [] {
      std::unique_ptr<Fixture> f;
      const char* path = std::getenv(kDbEnvVar);
      if (path == nullptr || *path == '\0') {
        open_error = std::string(kDbEnvVar) + " is not set (bench/run.sh sets it)";
        return f;
      }
      try {
        f.reset(new Fixture(path));
      } catch (const std::exception& e) {
        open_error = std::string("cannot prepare the benchmark database: ") + e.what();
      }
      return f;
    }();
    error = open_error;
    return fixture.get();
  }

  service::Members& members() { return *members_; }
  service::Accounts& accounts() { return *accounts_; }
  store::Store& store() { return *store_; }
  const std::vector<Sample>& samples() const { return samples_; }
  const service::Actor& actor() const { return actor_; }

  // A signed-in store manager (`store1` of the demo) and members of their
  // store; signs in on first use (one Argon2id verification).
  const std::string& ManagerToken() {
    if (manager_token_.empty()) {
      auto login = accounts_->Login("store1", "vipcare-demo", "127.0.0.1");
      if (!login.ok()) throw std::runtime_error("store1 cannot sign in: " + login.error().message);
      manager_token_ = login->token;
      store::MemberFilter f;
      f.store = login->actor.store_id;
      auto page = store_->Read([&](store::Repository& repo) -> Result<store::PageOf<domain::Member>> {
        return repo.ListMembers(f, {200, 0});
      });
      if (!page.ok() || page->items.empty()) throw std::runtime_error("store1's store has no members");
      for (const auto& m : page->items) store_members_.push_back(m.id);
    }
    return manager_token_;
  }
  const std::vector<MemberId>& StoreMembers() {
    ManagerToken();
    return store_members_;
  }

 private:
  explicit Fixture(const std::string& path)
      : store_(store::Store::Open(path, LoadBenchKeys(path), kPoolSize, /*migrate=*/false)),
        env_{*store_, clock_, LoadZone()},
        members_(std::make_unique<service::Members>(env_)),
        accounts_(std::make_unique<service::Accounts>(env_)),
        actor_(service::Actor::CommandLine()) {
    ApplyPragmas();
    LoadSamples();
  }

  // Runs VIPCARE_BENCH_PRAGMAS on every connection of the pool: all of them are
  // leased at once so that each one is opened and gets the settings.
  void ApplyPragmas() {
    const char* pragmas = std::getenv(kPragmasEnvVar);
    if (pragmas == nullptr || *pragmas == '\0') return;
    std::vector<store::Store::Lease> leases;
    for (size_t i = 0; i < kPoolSize; ++i) {
      leases.push_back(store_->Acquire());
      leases.back().db().ExecScript(pragmas);
    }
  }

  static TimeZone LoadZone() {
    auto tz = TimeZone::Load("Asia/Shanghai");
    if (!tz.ok()) throw std::runtime_error("time zone Asia/Shanghai is not installed");
    return *tz;
  }

  // Draws up to kSampleSize distinct member ids with a seeded generator and
  // keeps those that exist, are live and have a mobile and a card.
  void LoadSamples() {
    int64_t max_id = 0;
    uint32_t index_key = 0;
    {
      auto lease = store_->Acquire();
      max_id = lease.db().QueryOne(kMaxMemberId)->Int(0);
      index_key = store::RecordedIndexKey(lease.db()).value_or(0);
    }
    const store::Sealer sealer(store_->keys(), index_key);
    if (max_id == 0) throw std::runtime_error("the database has no members");
    std::mt19937_64 rng(kSampleSeed);
    std::uniform_int_distribution<int64_t> pick(1, max_id);
    std::unordered_set<int64_t> tried;
    // A bounded number of draws: a sparse database must not loop forever.
    const size_t max_draws = kSampleSize * 4;
    for (size_t draws = 0; draws < max_draws && samples_.size() < kSampleSize; ++draws) {
      const int64_t id = pick(rng);
      if (!tried.insert(id).second) continue;
      auto sample = store_->Read([&](store::Repository& repo) -> Result<Sample> {
        auto m = repo.GetMember(MemberId(id));
        if (!m || m->mobile.number.empty() || m->status == domain::MemberStatus::kMerged ||
            m->status == domain::MemberStatus::kErased) {
          return Error::NotFound("member");
        }
        auto cards = repo.ListCards(m->id);
        if (cards.empty()) return Error::NotFound("card");
        return Sample{m->mobile.number, std::get<std::string>(sealer.MobileIndex(m->mobile.number)),
                      m->member_no, cards.back().card_no, Utf8Prefix(m->name, 1),
                      Utf8Prefix(m->name, 2)};
      });
      if (sample.ok()) samples_.push_back(*sample);
    }
    if (samples_.empty()) throw std::runtime_error("no live member with a card was found");
  }

  SystemClock clock_;
  std::unique_ptr<store::Store> store_;
  service::Env env_;
  std::unique_ptr<service::Members> members_;
  std::unique_ptr<service::Accounts> accounts_;
  service::Actor actor_;
  std::vector<Sample> samples_;
  std::string manager_token_;
  std::vector<MemberId> store_members_;
};

// The shared fixture, or nullptr after marking `state` skipped with the reason.
Fixture* FixtureOrSkip(benchmark::State& state) {
  std::string error;
  Fixture* f = Fixture::Get(error);
  if (f == nullptr) state.SkipWithError(error.c_str());
  return f;
}

using KeyOf = const std::string& (*)(const Sample&);

const std::string& CardOf(const Sample& s) { return s.card_no; }
const std::string& MobileOf(const Sample& s) { return s.mobile; }
const std::string& MemberNoOf(const Sample& s) { return s.member_no; }
const std::string& Name1Of(const Sample& s) { return s.name_1; }
const std::string& Name2Of(const Sample& s) { return s.name_2; }

// Members::Search with q = key(sample), cycling through the samples.
// `exact` lookups must answer exactly one member; a miss means the sample or
// the search is broken, and the benchmark reports an error instead of a time.
void RunSearch(benchmark::State& state, KeyOf key, bool exact) {
  Fixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  const auto& samples = f->samples();
  service::MemberQuery q;
  if (!exact) q.page.limit = kNamePageLimit;
  size_t next = 0;
  int64_t found = 0;
  {
    LatencyRecorder latency(state, "lookups");
    for (auto _ : state) {
      q.q = key(samples[next]);
      next = (next + 1) % samples.size();
      const auto start = std::chrono::steady_clock::now();
      auto result = f->members().Search(f->actor(), q);
      latency.Add(std::chrono::steady_clock::now() - start);
      if (!result.ok()) {
        state.SkipWithError(result.error().message.c_str());
        break;
      }
      found += static_cast<int64_t>(result->items.size());
      if (exact && result->items.size() != 1) {
        state.SkipWithError("an exact lookup did not answer exactly one member");
        break;
      }
      benchmark::DoNotOptimize(result);
    }
  }
  state.counters["rows_per_lookup"] =
      benchmark::Counter(static_cast<double>(found), benchmark::Counter::kAvgIterations);
}

void BM_SearchByCard(benchmark::State& state) { RunSearch(state, CardOf, true); }
void BM_SearchByMobile(benchmark::State& state) { RunSearch(state, MobileOf, true); }
void BM_SearchByMemberNo(benchmark::State& state) { RunSearch(state, MemberNoOf, true); }
// The first two characters of a name, as a cashier types "王丽".
void BM_SearchByNamePrefix2(benchmark::State& state) { RunSearch(state, Name2Of, false); }
// The surname alone: the widest prefix a till sends.
void BM_SearchByNamePrefix1(benchmark::State& state) { RunSearch(state, Name1Of, false); }

// The bare indexed statement on a pooled connection: no transaction, no
// member row, no parsing. What SQLite itself costs.
void BM_BaselineBareMobileSelect(benchmark::State& state) {
  Fixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  const auto& samples = f->samples();
  auto lease = f->store().Acquire();
  store::Db& db = lease.db();
  size_t next = 0;
  {
    LatencyRecorder latency(state, "lookups");
    std::vector<store::Value> params(1);
    for (auto _ : state) {
      params[0] = samples[next].mobile_bidx;
      next = (next + 1) % samples.size();
      const auto start = std::chrono::steady_clock::now();
      auto row = db.QueryOne(kBareMobileLookup, params);
      latency.Add(std::chrono::steady_clock::now() - start);
      if (!row) {
        state.SkipWithError("the bare lookup found no member");
        break;
      }
      benchmark::DoNotOptimize(row);
    }
  }
}

// The same statement inside BEGIN ... ROLLBACK, as Store::Read runs every
// service read: the cost of the transaction alone.
void BM_BaselineMobileSelectInTransaction(benchmark::State& state) {
  Fixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  const auto& samples = f->samples();
  auto lease = f->store().Acquire();
  store::Db& db = lease.db();
  size_t next = 0;
  {
    LatencyRecorder latency(state, "lookups");
    std::vector<store::Value> params(1);
    for (auto _ : state) {
      params[0] = samples[next].mobile_bidx;
      next = (next + 1) % samples.size();
      const auto start = std::chrono::steady_clock::now();
      db.Begin(/*write=*/false);
      auto row = db.QueryOne(kBareMobileLookup, params);
      db.Rollback();
      latency.Add(std::chrono::steady_clock::now() - start);
      if (!row) {
        state.SkipWithError("the bare lookup found no member");
        break;
      }
      benchmark::DoNotOptimize(row);
    }
  }
}

// ---- The access layer's cost (issue 3) ----

// The actor a request would carry: the command-line actor (layer off) or the
// store manager's bearer token resolved anew for every call (layer on).
using ActorFor = Result<service::Actor> (*)(Fixture&);

Result<service::Actor> WithoutLayer(Fixture& f) { return f.actor(); }
Result<service::Actor> WithLayer(Fixture& f) {
  return f.accounts().Authenticate(f.ManagerToken(), "127.0.0.1");
}

// A till lookup by mobile. With the layer most members are outside store1's
// store: the scope check runs and the answer is masked (P3).
void RunLayerLookup(benchmark::State& state, ActorFor actor_for) {
  Fixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  const auto& samples = f->samples();
  f->ManagerToken();
  service::MemberQuery q;
  size_t next = 0;
  LatencyRecorder latency(state, "lookups");
  for (auto _ : state) {
    q.q = samples[next].mobile;
    next = (next + 1) % samples.size();
    const auto start = std::chrono::steady_clock::now();
    auto actor = actor_for(*f);
    auto result = actor.ok() ? f->members().Search(*actor, q) : actor.error();
    latency.Add(std::chrono::steady_clock::now() - start);
    if (!result.ok() || result->items.size() != 1) {
      state.SkipWithError(result.ok() ? "the lookup did not answer one member"
                                      : result.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(result);
  }
}

// A member file change (PATCH of the notes) of a member of store1's store:
// one write transaction with the history and the audit row.
void RunLayerUpdate(benchmark::State& state, ActorFor actor_for) {
  Fixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  const auto& ids = f->StoreMembers();
  size_t next = 0;
  int64_t n = 0;
  LatencyRecorder latency(state, "lookups");
  for (auto _ : state) {
    const MemberId id = ids[next];
    next = (next + 1) % ids.size();
    const nlohmann::json patch = {{"notes", "bench " + std::to_string(++n)}};
    const auto start = std::chrono::steady_clock::now();
    auto actor = actor_for(*f);
    auto result = actor.ok() ? f->members().Update(*actor, id, patch) : actor.error();
    latency.Add(std::chrono::steady_clock::now() - start);
    if (!result.ok()) {
      state.SkipWithError(result.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(result);
  }
}

// The session check alone: the bearer token to the actor.
void BM_LayerAuthenticate(benchmark::State& state) {
  Fixture* f = FixtureOrSkip(state);
  if (f == nullptr) return;
  f->ManagerToken();
  LatencyRecorder latency(state, "lookups");
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    auto actor = WithLayer(*f);
    latency.Add(std::chrono::steady_clock::now() - start);
    if (!actor.ok()) {
      state.SkipWithError(actor.error().message.c_str());
      break;
    }
    benchmark::DoNotOptimize(actor);
  }
}

void BM_LayerOffLookupByMobile(benchmark::State& state) { RunLayerLookup(state, WithoutLayer); }
void BM_LayerOnLookupByMobile(benchmark::State& state) { RunLayerLookup(state, WithLayer); }
void BM_LayerOffUpdate(benchmark::State& state) { RunLayerUpdate(state, WithoutLayer); }
void BM_LayerOnUpdate(benchmark::State& state) { RunLayerUpdate(state, WithLayer); }

BENCHMARK(BM_BaselineBareMobileSelect)->UseRealTime()->MinTime(kMinSeconds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_BaselineMobileSelectInTransaction)->UseRealTime()->MinTime(kMinSeconds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchByCard)->UseRealTime()->MinTime(kMinSeconds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchByMobile)->UseRealTime()->MinTime(kMinSeconds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchByMemberNo)->UseRealTime()->MinTime(kMinSeconds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchByNamePrefix2)->UseRealTime()->MinTime(kMinSeconds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_SearchByNamePrefix1)->UseRealTime()->MinTime(kMinSeconds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LayerAuthenticate)->UseRealTime()->MinTime(kMinSeconds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LayerOffLookupByMobile)->UseRealTime()->MinTime(kMinSeconds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LayerOnLookupByMobile)->UseRealTime()->MinTime(kMinSeconds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LayerOffUpdate)->UseRealTime()->MinTime(kMinSeconds)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LayerOnUpdate)->UseRealTime()->MinTime(kMinSeconds)->Unit(benchmark::kMicrosecond);

}  // namespace

int WriteHttpKeys(const std::string& path) {
  std::string error;
  Fixture* f = Fixture::Get(error);
  if (f == nullptr) {
    std::fprintf(stderr, "%s\n", error.c_str());
    return 1;
  }
  std::ofstream out(path, std::ios::trunc);
  size_t written = 0;
  for (const auto& s : f->samples()) {
    // Half card numbers, half mobiles, as a till sends them.
    out << (written % 2 == 0 ? s.card_no : s.mobile) << '\n';
    ++written;
  }
  out.close();
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", path.c_str());
    return 1;
  }
  std::printf("%zu keys (card numbers and mobiles) written to %s\n", written, path.c_str());
  return 0;
}

int WriteSealedKeys(const std::string& path) {
  const char* db = std::getenv(kDbEnvVar);
  if (db == nullptr || *db == '\0') {
    std::fprintf(stderr, "%s is not set\n", kDbEnvVar);
    return 1;
  }
  try {
    auto store = store::Store::Open(db, LoadBenchKeys(db), 1, /*migrate=*/false);
    std::ofstream out(path, std::ios::trunc);
    size_t mobiles = 0, cards = 0;
    std::vector<int64_t> ids;
    {
      auto lease = store->Acquire();
      for (const auto& row : lease.db().Query(kAllMemberIds)) ids.push_back(row.Int(0));
    }
    auto st = store->Read([&](store::Repository& repo) -> Status {
      for (const int64_t id : ids) {
        auto m = repo.GetMember(MemberId(id));
        if (!m) continue;
        if (!m->mobile.number.empty()) {
          out << "mobile " << m->mobile.number << '\n';
          ++mobiles;
        }
        for (const auto& c : repo.ListCards(m->id)) {
          out << "card " << c.card_no << '\n';
          ++cards;
        }
      }
      return OkStatus();
    });
    out.close();
    if (!st.ok() || !out) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      return 1;
    }
    std::printf("%zu mobiles and %zu card numbers written to %s\n", mobiles, cards, path.c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
}

}  // namespace vipcare::bench
