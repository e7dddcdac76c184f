// The `vipcare` command (SPEC I1).
#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <signal.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/config.h"
#include "cli/progress.h"
#include "http/app.h"
#include "service/accounts.h"
#include "service/audit.h"
#include "service/demo_data.h"
#include "service/loyalty_jobs.h"
#include "service/member_import.h"
#include "service/transaction_import.h"
#include "store/keys.h"
#include "store/migrations.h"
#include "store/store.h"

namespace {

using namespace vipcare;

int Fail(const Error& e) {
  if (e.field.empty()) {
    fmt::print(stderr, "error: {}\n", e.message);
  } else {
    fmt::print(stderr, "error: {}: {}\n", e.field, e.message);
  }
  return e.code == ErrorCode::kInternal ? 70 : 2;
}

std::string Redacted(const std::string& url) {
  // Never print a PostgreSQL password.
  auto at = url.find('@');
  auto scheme = url.find("://");
  if (at == std::string::npos || scheme == std::string::npos) return url;
  auto colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "****" + url.substr(at);
}

Result<Date> TodayIn(const std::string& tz_name, const std::string& date_flag) {
  if (!date_flag.empty()) {
    auto d = Date::Parse(date_flag);
    if (!d) return Error::Invalid("--date", "must be a date YYYY-MM-DD");
    return *d;
  }
  auto tz = TimeZone::Load(tz_name);
  if (!tz.ok()) return tz.error();
  return tz->LocalDate(SystemClock().Now());
}

bool KeysFromEnvironment() {
  const char* v = std::getenv("VIPCARE_KEYS");
  return v != nullptr && *v != '\0';
}

// The data keys (P5): VIPCARE_KEYS if set, else the key file.
Result<store::KeyringPtr> LoadKeys(const cli::Config& c) {
  if (KeysFromEnvironment()) return store::Keyring::ParseEnv(std::getenv("VIPCARE_KEYS"));
  return store::Keyring::LoadFile(cli::KeyFilePath(c));
}

// Opens the configured database with its keys; throws with the reason if it cannot.
std::unique_ptr<store::Store> OpenStore(const cli::Config& c, size_t pool) {
  auto keys = LoadKeys(c);
  if (!keys.ok()) {
    throw std::runtime_error(keys.error().field + ": " + keys.error().message);
  }
  return store::Store::Open(c.db, *keys, pool);
}

int RunInit(const cli::Config& c) {
  const std::string key_path = cli::KeyFilePath(c);
  if (!KeysFromEnvironment() && !std::filesystem::exists(key_path)) {
    auto st = store::Keyring::Generate()->WriteFile(key_path, /*exclusive=*/true);
    if (!st.ok()) return Fail(st.error());
    fmt::print("created the data key file {} (mode 0600). Back it up apart from the database: "
               "without it the customer data cannot be read.\n",
               key_path);
  }
  auto keys = LoadKeys(c);
  if (!keys.ok()) return Fail(keys.error());
  auto db = store::OpenDb(c.db);
  int before = store::SchemaVersion(*db);
  int after = store::Migrate(*db, keys->get());
  db->Begin(true);
  store::ClaimOrCheckIndexKey(*db, **keys);
  db->Commit();
  fmt::print("database {} at schema version {} (was {})\n", Redacted(c.db), after, before);
  return 0;
}

// Re-seals everything with a new key (P5). The file gets the new key first,
// so a crash at any point leaves a database its key file can open.
int RunKeysRotate(const cli::Config& c, bool retire) {
  if (KeysFromEnvironment()) {
    return Fail(Error::Invalid("VIPCARE_KEYS",
                               "rotation writes the key file; unset VIPCARE_KEYS and use "
                               "--key-file, then pass the new keys the same way as before"));
  }
  const std::string key_path = cli::KeyFilePath(c);
  auto old_keys = store::Keyring::LoadFile(key_path);
  if (!old_keys.ok()) return Fail(old_keys.error());
  auto db = store::OpenDb(c.db);
  if (store::SchemaVersion(*db) < 2) {
    return Fail(Error::Invalid("--db", "run `vipcare init` first"));
  }
  db->Begin(false);
  store::ClaimOrCheckIndexKey(*db, **old_keys);
  db->Rollback();
  auto new_keys = (*old_keys)->WithNewKey();
  if (auto st = new_keys->WriteFile(key_path, false); !st.ok()) return Fail(st.error());
  const auto started = std::chrono::steady_clock::now();
  cli::ProgressBar bar("re-seal members", 0);
  db->Begin(true);
  store::ResealCounts counts;
  try {
    counts = store::ResealAll(*db, *new_keys, /*plaintext=*/false,
                              [&](int64_t done, int64_t) { bar.Update(size_t(done)); });
    db->Commit();
  } catch (...) {
    db->Rollback();
    throw;
  }
  bar.Finish();
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  fmt::print("re-sealed {} members, {} cards, {} history rows with key {} in {:.1f} s\n",
             counts.members, counts.cards, counts.history, new_keys->current_id(), secs);
  if (retire) {
    auto kept = new_keys->Without(new_keys->current_id());
    if (auto st = kept->WriteFile(key_path, false); !st.ok()) return Fail(st.error());
    fmt::print("older keys removed from {}\n", key_path);
  } else {
    fmt::print("older keys stay in {} until `vipcare keys rotate --retire` or manual removal; "
               "restart running servers now\n",
               key_path);
  }
  return 0;
}

int RunKeysStatus(const cli::Config& c) {
  auto keys = LoadKeys(c);
  if (!keys.ok()) return Fail(keys.error());
  auto db = store::OpenDb(c.db);
  std::string ids;
  for (auto id : (*keys)->ids()) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
  fmt::print("keys available: {} (current {})\n", ids, (*keys)->current_id());
  auto recorded = store::SchemaVersion(*db) >= 2 ? store::RecordedIndexKey(*db) : std::nullopt;
  if (!recorded) {
    fmt::print("the database records no key yet\n");
    return 0;
  }
  db->Begin(false);
  store::ClaimOrCheckIndexKey(*db, **keys);
  db->Rollback();
  fmt::print("the database is sealed and indexed with key {}: the key file fits\n", *recorded);
  return 0;
}

// The care engine's senders from the configuration (nullptr: outbox only).
std::shared_ptr<service::MessageSender> SmsSender(const cli::Config& c) {
  if (!c.sms_gateway) return nullptr;
  return std::make_shared<service::HttpSmsGatewaySender>(*c.sms_gateway);
}
std::shared_ptr<service::MessageSender> EmailSender(const cli::Config& c) {
  if (!c.smtp) return nullptr;
  return std::make_shared<service::SmtpEmailSender>(*c.smtp);
}

int RunServe(const cli::Config& c) {
  http::AppOptions opt;
  opt.db_url = c.db;
  auto keys = LoadKeys(c);
  if (!keys.ok()) return Fail(keys.error());
  opt.keys = *keys;
  opt.timezone = c.timezone;
  opt.server.host = c.host;
  opt.server.port = static_cast<unsigned short>(c.port);
  opt.server.threads = c.threads;
  opt.server.web_root = std::filesystem::is_directory(c.web_root) ? c.web_root : "";
  // A connection for each connection thread and slow-route thread, and two to spare.
  opt.db_pool = static_cast<size_t>(c.threads + opt.server.slow_threads) + 2;
  opt.sms_sender = SmsSender(c);
  opt.email_sender = EmailSender(c);
  opt.send_interval = std::chrono::seconds(60);
  // Block the stop signals in every thread; the main thread waits for them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  http::App app(opt);
  app.Start();
  spdlog::info("vipcare serving http://{}:{}/ (database {}, {} threads{})", c.host, app.port(),
               Redacted(c.db), c.threads,
               opt.server.web_root.empty() ? ", no web UI build found" : "");
  int sig = 0;
  sigwait(&signals, &sig);
  spdlog::info("stopping on signal {}", sig);
  app.Stop();
  return 0;
}

// One login per role, as the README lists them.
void PrintDemoLogins(const std::vector<service::DemoLogin>& logins) {
  static const char* kShown[] = {"admin",  "hq",          "region1", "store1",
                                 "assoc1", "callcenter1", "auditor"};
  for (const char* name : kShown) {
    for (const auto& l : logins) {
      if (l.username == name) fmt::print("  {:<12} {:<20} {}\n", l.username, l.role, l.store);
    }
  }
}

int RunDemo(const cli::Config& c, size_t members, uint64_t seed, const std::string& date) {
  auto today = TodayIn(c.timezone, date);
  if (!today.ok()) return Fail(today.error());
  auto st = OpenStore(c, 2);
  service::DemoOptions opt;
  opt.members = members;
  opt.seed = seed;
  opt.today = *today;
  cli::ProgressBar bar("demo members", members);
  std::optional<cli::ProgressBar> sales_bar;
  auto report = service::GenerateDemo(
      *st, opt, [&](size_t done, size_t) { bar.Update(done); },
      [&](size_t done, size_t total) {
        if (!sales_bar) {
          bar.Finish();
          sales_bar.emplace("demo sales", total);
        }
        sales_bar->Update(done);
      });
  if (sales_bar) {
    sales_bar->Finish();
  } else {
    bar.Finish();
  }
  if (!report.ok()) return Fail(report.error());
  fmt::print("demo chain created in {}: {} regions, {} stores, {} staff, {} members, {} cards\n",
             Redacted(c.db), report->regions, report->stores, report->staff, report->members,
             report->cards);
  fmt::print("purchase history: {} sales ({} without a member), {} refunds, {} members bought, "
             "{} points earned; {} members with a tier ({} above the first), {} waiting for "
             "a store manager's approval\n",
             report->sales, report->non_member_sales, report->refunds,
             report->members_with_sales, report->points_earned, report->members_with_tier,
             report->members_above_normal, report->pending_approvals);
  fmt::print("programs: {} corporate buyers of {} on {} as their own program; {} starts its new "
             "members on {}\n",
             report->members_own_program, report->store_with_default, "key_accounts",
             report->store_with_default, report->store_default_program);
  // The care engine's tasks for the demo day, so the task screens have work.
  {
    auto tz = TimeZone::Load(c.timezone);
    if (!tz.ok()) return Fail(tz.error());
    SystemClock clock;
    service::Care care(service::Env{*st, clock, *tz});
    std::map<std::string, int64_t> counts;
    auto care_st = care.GenerateDay(service::Actor::CommandLine(), *today, counts);
    if (!care_st.ok()) return Fail(care_st.error());
    fmt::print("care tasks for {}: {} tasks, {} messages in the outbox\n", today->ToString(),
               counts["care_tasks"], counts["care_messages"]);
  }
  fmt::print("every demo account has the password \"{}\"; for example:\n", opt.password);
  PrintDemoLogins(report->logins);
  return 0;
}

int RunImportMembers(const cli::Config& c, const std::string& path, const std::string& encoding,
                     bool skip_bad, const std::string& date) {
  auto today = TodayIn(c.timezone, date);
  if (!today.ok()) return Fail(today.error());
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::Invalid(path, "cannot open the file"));
  std::error_code ec;
  auto bytes = std::filesystem::file_size(path, ec);
  auto st = OpenStore(c, 2);
  service::ImportOptions opt;
  opt.encoding = encoding;
  opt.skip_bad = skip_bad;
  opt.today = *today;
  // Rows are about 80 bytes; the bar's total is an estimate from the file size.
  cli::ProgressBar bar("import members", ec ? 0 : bytes / 80 + 1);
  auto report = service::ImportMembersCsv(*st, in, opt, [&](size_t rows) { bar.Update(rows); });
  bar.Finish();
  if (!report.ok()) return Fail(report.error());
  for (const auto& e : report->errors) {
    fmt::print(stderr, "line {}: {}{}{}\n", e.line, e.field, e.field.empty() ? "" : ": ",
               e.message);
  }
  fmt::print("{} rows read, {} loaded, {} bad\n", report->rows_read, report->rows_loaded,
             report->errors.size());
  if (!report->errors.empty() && !skip_bad) {
    fmt::print(stderr, "nothing was loaded because of the bad rows; fix them or use --skip-bad\n");
    return 1;
  }
  return 0;
}

// Sales and refunds from a till's CSV export (SPEC L1), posted as the
// command-line administrator with today's clock for the tier rules.
int RunImportTransactions(const cli::Config& c, const std::string& path,
                          const std::string& encoding, bool skip_bad) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::Invalid(path, "cannot open the file"));
  auto tz = TimeZone::Load(c.timezone);
  if (!tz.ok()) return Fail(tz.error());
  auto st = OpenStore(c, 2);
  SystemClock clock;
  service::TransactionImport importer(service::Env{*st, clock, *tz});
  service::TransactionImportOptions opt;
  opt.encoding = encoding;
  opt.skip_bad = skip_bad;
  std::optional<cli::ProgressBar> bar;  // the total is known once the file is checked
  auto report = importer.Run(service::Actor::CommandLine(), in, opt,
                             [&](size_t done, size_t total) {
                               if (!bar) bar.emplace("import transactions", total);
                               bar->Update(done);
                             });
  if (bar) bar->Finish();
  if (!report.ok()) return Fail(report.error());
  for (const auto& e : report->errors) {
    fmt::print(stderr, "line {}: {}{}{}\n", e.line, e.field, e.field.empty() ? "" : ": ",
               e.message);
  }
  fmt::print("{} rows read, {} transactions: {} posted ({} non-member sales), {} already posted, "
             "{} bad, {:.1f} s\n",
             report->rows_read, report->transactions, report->posted, report->non_member_sales,
             report->repeats, report->errors.size(),
             std::chrono::duration<double>(report->elapsed).count());
  if (!report->errors.empty() && !skip_bad) {
    if (report->posted == 0) {
      fmt::print(stderr,
                 "nothing was posted because of the bad rows; fix them or use --skip-bad\n");
    } else {
      fmt::print(stderr,
                 "the import stopped at a transaction that could not be posted; those before it "
                 "were posted, and importing the file again posts the rest\n");
    }
    return 1;
  }
  return 0;
}

int RunUserAdd(const cli::Config& c, const std::string& username, const std::string& role,
               int64_t staff_id, std::string password, bool password_stdin, bool must_change) {
  if (password_stdin) std::getline(std::cin, password);
  if (password.empty()) return Fail(Error::Invalid("--password", "is required"));
  auto r = domain::ParseRole(role);
  if (!r) {
    return Fail(Error::Invalid("--role",
                               "must be one of associate, store_manager, regional_supervisor, "
                               "call_center, hq_analyst, admin, auditor"));
  }
  auto st = OpenStore(c, 2);
  auto tz = TimeZone::Load(c.timezone);
  if (!tz.ok()) return Fail(tz.error());
  SystemClock clock;
  service::Accounts accounts(service::Env{*st, clock, *tz});
  service::NewUser u{username, password, *r, StaffId(staff_id), must_change};
  auto id = accounts.CreateUser(service::Actor::CommandLine(), u);
  if (!id.ok()) return Fail(id.error());
  fmt::print("user {} ({}) added with id {}\n", username, role, id->value);
  return 0;
}

int RunVerifyAudit(const cli::Config& c) {
  auto st = OpenStore(c, 1);
  auto tz = TimeZone::Load(c.timezone);
  if (!tz.ok()) return Fail(tz.error());
  SystemClock clock;
  service::AuditLog log(service::Env{*st, clock, *tz});
  auto v = log.Verify();
  for (const auto& p : v.problems) fmt::print("audit row {}: {} ({})\n", p.id, p.message, p.what);
  if (v.ok()) {
    fmt::print("audit log intact: {} rows, hash chain verified\n", v.rows);
    return 0;
  }
  fmt::print("audit log TAMPERED: {} problem(s) in {} rows\n", v.problems.size(), v.rows);
  return 1;
}

// The daily schedule (SPEC I1, L4, L6, L7, M4): every day since the last run
// through `date` (today in the company zone by default), in order, one line
// per day; the JSON summaries with --json.
int RunJobs(const cli::Config& c, const std::string& date, bool as_json, bool allow_future) {
  auto day = TodayIn(c.timezone, date);
  if (!day.ok()) return Fail(day.error());
  // Days run in order, so a mistyped future day would block every daily run
  // until it comes.
  auto today = TodayIn(c.timezone, "");
  if (!today.ok()) return Fail(today.error());
  if (*day > *today && !allow_future) {
    return Fail(Error::Invalid(
        "--date", fmt::format("{} is after today ({}): days run in order, so running it now "
                              "would hold back the daily runs until then; pass --allow-future "
                              "to run it anyway",
                              day->ToString(), today->ToString())));
  }
  auto tz = TimeZone::Load(c.timezone);
  if (!tz.ok()) return Fail(tz.error());
  auto st = OpenStore(c, 2);
  SystemClock clock;
  const service::Env env{*st, clock, *tz};
  service::Care care(env, SmsSender(c), EmailSender(c));
  service::LoyaltyJobs jobs(env, service::LoyaltyJobs::kBatchSize, &care);
  auto r = jobs.RunThrough(service::Actor::CommandLine(), *day);
  if (!r.ok()) return Fail(r.error());
  if (as_json) {
    fmt::print("{}\n", r->dump(2));
    return 0;
  }
  for (const auto& d : (*r)["days"]) {
    const auto n = [&](const char* key) { return d.value(key, int64_t(0)); };
    fmt::print("{}{}: points expired {} ({} lots), expiry notices {}, downgrades warned {} / "
               "applied {} / cancelled {}, held {}, ranked {}, upgraded {}, queued for approval "
               "{}, became formal {}, churn scored {} (high {}), report rollups built {}; care "
               "tasks {}, messages {} (sent {}, suppressed {}), escalated {}\n",
               d.value("day", ""), d.value("skipped", false) ? " (already run)" : "",
               n("expired_points"), n("expired_lots"), n("expiry_notices"), n("downgrade_warned"),
               n("downgrade_applied"), n("downgrade_cancelled"), n("held"), n("ranked"),
               n("upgraded"), n("approval_queued"), n("converted"), n("churn_scored"),
               n("churn_high"), n("rollups_built"), n("care_tasks"),
               n("care_messages"), n("care_sent"), n("care_suppressed"), n("care_escalated"));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"vipcare — VIP customer management (VIP客户管理系统)"};
  app.require_subcommand(1);
  std::string config_path;
  std::string db_flag, tz_flag;
  app.add_option("--config", config_path, "TOML configuration file (default ./vipcare.toml)");
  app.add_option("--db", db_flag,
                 "database: a SQLite file path (default vipcare.db) or postgresql://...");
  app.add_option("--timezone", tz_flag, "company time zone (default Asia/Shanghai)");

  auto* init = app.add_subcommand("init", "create or migrate the database");
  auto* serve = app.add_subcommand("serve", "serve the web UI and the API");
  std::string host_flag;
  int port_flag = 0, threads_flag = 0;
  std::string web_flag;
  serve->add_option("--host", host_flag, "address to listen on (default 127.0.0.1)");
  serve->add_option("--port", port_flag, "port (default 8080)")->check(CLI::Range(1, 65535));
  serve->add_option("--threads", threads_flag, "connection threads (default: one per CPU, at least 2)")->check(CLI::Range(1, 256));
  serve->add_option("--web-root", web_flag, "folder of the built UI (default web/dist)");

  auto* demo = app.add_subcommand("demo", "fill an empty database with a demo chain");
  size_t demo_members = 50000;
  uint64_t demo_seed = 20261123;
  std::string demo_date;
  demo->add_option("--members", demo_members, "number of members (default 50000)")
      ->check(CLI::Range(size_t(1), size_t(5'000'000)));
  demo->add_option("--seed", demo_seed, "random seed (default 20261123)");
  demo->add_option("--date", demo_date, "today's date YYYY-MM-DD (default: today)");

  auto* import = app.add_subcommand("import", "import data from CSV");
  import->require_subcommand(1);
  auto* import_members = import->add_subcommand("members", "import members from a CSV file");
  std::string import_path, import_encoding = "auto", import_date;
  bool skip_bad = false;
  import_members->add_option("csv", import_path, "the CSV file")->required();
  import_members->add_option("--encoding", import_encoding, "utf-8, gbk or auto (default)")
      ->check(CLI::IsMember({"auto", "utf-8", "gbk"}));
  import_members->add_flag("--skip-bad", skip_bad, "load the good rows even if some are bad");
  import_members->add_option("--date", import_date, "today's date YYYY-MM-DD (default: today)");
  auto* import_transactions = import->add_subcommand(
      "transactions", "import sales and refunds from a CSV file (posted like till sales)");
  std::string transactions_path, transactions_encoding = "auto";
  bool transactions_skip_bad = false;
  import_transactions->add_option("csv", transactions_path, "the CSV file")->required();
  import_transactions->add_option("--encoding", transactions_encoding, "utf-8, gbk or auto (default)")
      ->check(CLI::IsMember({"auto", "utf-8", "gbk"}));
  import_transactions->add_flag("--skip-bad", transactions_skip_bad,
                                "post the good transactions even if some rows are bad");

  auto* user = app.add_subcommand("user", "manage accounts");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand("add", "add an account");
  std::string username, role, password;
  int64_t staff_id = 0;
  bool password_stdin = false, no_change = false;
  user_add->add_option("--username", username, "login name")->required();
  user_add->add_option("--role", role, "role")->required();
  user_add->add_option("--staff-id", staff_id, "the staff record this account belongs to");
  user_add->add_option("--password", password, "initial password");
  user_add->add_flag("--password-stdin", password_stdin, "read the password from standard input");
  user_add->add_flag("--no-change-required", no_change,
                     "do not require a password change at first login");

  std::string key_flag;
  app.add_option("--key-file", key_flag,
                 "data key file (default <db>.key beside a SQLite file, ./vipcare.key for "
                 "PostgreSQL; VIPCARE_KEYS overrides it)");
  auto* keys_cmd = app.add_subcommand("keys", "manage the data keys (encryption at rest)");
  keys_cmd->require_subcommand(1);
  auto* keys_rotate = keys_cmd->add_subcommand(
      "rotate", "add a new key and re-seal all customer data with it (stop servers first)");
  bool retire = false;
  keys_rotate->add_flag("--retire", retire, "remove the older keys from the file afterwards");
  auto* keys_status =
      keys_cmd->add_subcommand("status", "show the keys and whether they fit the database");

  auto* verify_audit =
      app.add_subcommand("verify-audit", "check the audit log's hash chain for edits and deletions");

  auto* run_jobs = app.add_subcommand(
      "run-jobs", "run the daily schedule (points expiry, tier review, temporary -> formal, "
                  "churn scores, care tasks and messages), catching up every day missed since "
                  "the last run");
  std::string jobs_date;
  bool jobs_json = false;
  bool jobs_future = false;
  run_jobs->add_option("--date", jobs_date, "the day to run through, YYYY-MM-DD (default: today)");
  run_jobs->add_flag("--json", jobs_json, "print the summaries as JSON");
  run_jobs->add_flag("--allow-future", jobs_future,
                     "run a day after today (testing and rehearsals only)");

  CLI11_PARSE(app, argc, argv);

  cli::Config config;
  if (config_path.empty()) {
    if (const char* p = std::getenv("VIPCARE_CONFIG"); p && *p) config_path = p;
  }
  if (config_path.empty() && std::filesystem::exists("vipcare.toml")) config_path = "vipcare.toml";
  if (!config_path.empty()) {
    if (auto st = cli::LoadConfigFile(config_path, config); !st.ok()) return Fail(st.error());
  }
  if (auto st = cli::ApplyEnvironment(config); !st.ok()) return Fail(st.error());
  if (!db_flag.empty()) config.db = db_flag;
  if (!tz_flag.empty()) config.timezone = tz_flag;
  if (!host_flag.empty()) config.host = host_flag;
  if (port_flag) config.port = port_flag;
  if (threads_flag) config.threads = threads_flag;
  if (!web_flag.empty()) config.web_root = web_flag;
  if (!key_flag.empty()) config.key_file = key_flag;
  if (auto tz = TimeZone::Load(config.timezone, "--timezone"); !tz.ok()) return Fail(tz.error());

  try {
    if (*init) return RunInit(config);
    if (*serve) return RunServe(config);
    if (*verify_audit) return RunVerifyAudit(config);
    if (*run_jobs) return RunJobs(config, jobs_date, jobs_json, jobs_future);
    if (*keys_rotate) return RunKeysRotate(config, retire);
    if (*keys_status) return RunKeysStatus(config);
    if (*demo) return RunDemo(config, demo_members, demo_seed, demo_date);
    if (*import_members) {
      return RunImportMembers(config, import_path, import_encoding, skip_bad, import_date);
    }
    if (*import_transactions) {
      return RunImportTransactions(config, transactions_path, transactions_encoding,
                                   transactions_skip_bad);
    }
    if (*user_add) {
      return RunUserAdd(config, username, role, staff_id, password, password_stdin, !no_change);
    }
  } catch (const std::exception& e) {
    fmt::print(stderr, "error: {}\n", e.what());
    return 70;
  }
  return 0;
}
