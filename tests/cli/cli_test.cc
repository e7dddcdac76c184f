// The `vipcare` command as a user runs it (SPEC I1, I4, P10).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "store/db.h"
#include "store/migrations.h"
#include "testing/http_client.h"
#include "testing/test_db.h"

namespace vipcare {
namespace {

struct Run {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs the built binary with `args` in `dir`.
Run Vipcare(const std::string& dir, const std::string& args, const std::string& input = "",
            const std::string& env = "") {
  std::string cmd = "cd '" + dir + "' && ";
  if (!input.empty()) cmd += "printf '%s\\n' '" + input + "' | ";
  cmd += env + " " + std::string(VIPCARE_BINARY) + " " + args + " 2>&1";
  Run r;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) r.output.append(buf.data(), n);
  int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

int HttpGetStatus(unsigned short port, const std::string& target) {
  namespace beast = boost::beast;
  namespace http = beast::http;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket sock(ioc);
  boost::system::error_code ec;
  sock.connect({boost::asio::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) return -1;
  http::request<http::string_body> req(http::verb::get, target, 11);
  req.set(http::field::host, "127.0.0.1");
  http::write(sock, req, ec);
  if (ec) return -1;
  beast::flat_buffer buf;
  http::response<http::string_body> res;
  http::read(sock, buf, res, ec);
  return ec ? -1 : int(res.result_int());
}

unsigned short FreePort() {
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();
}

// Starts `vipcare serve` in `dir` and waits (bounded) until it answers.
pid_t StartServer(const std::string& dir, unsigned short port) {
  pid_t pid = fork();
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(127);
    std::string p = std::to_string(port);
    execl(VIPCARE_BINARY, VIPCARE_BINARY, "serve", "--port", p.c_str(), nullptr);
    _exit(127);
  }
  for (int i = 0; i < 100 && HttpGetStatus(port, "/healthz") != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return pid;
}

class CliTest : public ::testing::Test {
 protected:
  testing::TempDir dir_;
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
};

TEST_F(CliTest, I1InitCreatesTheDatabaseAndIsRerunnable) {
  auto r = Vipcare(dir_.path(), "init");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  const std::string latest = std::to_string(store::AllMigrations().back().version);
  EXPECT_NE(r.output.find("schema version " + latest + " (was 0)"), std::string::npos) << r.output;
  EXPECT_TRUE(std::ifstream(Path("vipcare.db")).good());  // the default path
  // P5: the data key file is created beside it, readable by the owner only.
  struct stat st {};
  ASSERT_EQ(stat(Path("vipcare.db.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  r = Vipcare(dir_.path(), "init");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.output.find("(was " + latest + ")"), std::string::npos) << r.output;
}

TEST_F(CliTest, I1DemoFillsOnceAndRefusesAFilledDatabase) {
  ASSERT_EQ(Vipcare(dir_.path(), "init").exit_code, 0);
  auto r = Vipcare(dir_.path(), "demo --members 300 --date 2026-11-23");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("8 stores, 40 staff, 300 members"), std::string::npos) << r.output;
  // One login per role is printed (issue 3's demo accounts).
  for (const char* login : {"admin", "hq", "region1", "store1", "assoc1", "callcenter1", "auditor"}) {
    EXPECT_NE(r.output.find(std::string("  ") + login + " "), std::string::npos) << login;
  }
  r = Vipcare(dir_.path(), "demo --members 300 --date 2026-11-23");
  EXPECT_NE(r.exit_code, 0);
}

TEST_F(CliTest, I4ImportReportsBadRowsWithLineNumbersAndLoadsNothing) {
  ASSERT_EQ(Vipcare(dir_.path(), "init").exit_code, 0);
  ASSERT_EQ(Vipcare(dir_.path(), "demo --members 5 --date 2026-11-23").exit_code, 0);
  WriteFile(Path("m.csv"),
            "姓名,手机,性别,生日,门店编码\n"
            "周杰,13911112222,男,1985-03-04,SH01\n"
            "吴敏,1391111,女,1990-01-01,SH01\n"
            "郑爽,13911113333,女,1992-02-30,SH01\n"
            "孙丽,13911114444,女,1993-05-05,SH01\n");
  auto r = Vipcare(dir_.path(), "import members m.csv --date 2026-11-23");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("line 3: 手机"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("line 4: 生日"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("4 rows read, 0 loaded, 2 bad"), std::string::npos) << r.output;
  r = Vipcare(dir_.path(), "import members m.csv --skip-bad --date 2026-11-23");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("4 rows read, 2 loaded, 2 bad"), std::string::npos) << r.output;
  // The same good rows again are now duplicates of registered mobiles (M6).
  r = Vipcare(dir_.path(), "import members m.csv --skip-bad --date 2026-11-23");
  EXPECT_NE(r.output.find("0 loaded"), std::string::npos) << r.output;
}

TEST_F(CliTest, I4ImportReadsGbkFilesFromChineseExcel) {
  ASSERT_EQ(Vipcare(dir_.path(), "init").exit_code, 0);
  ASSERT_EQ(Vipcare(dir_.path(), "demo --members 5 --date 2026-11-23").exit_code, 0);
  WriteFile(Path("utf8.csv"), "姓名,手机,门店编码\n欧阳娜娜,13922223333,SZ01\n");
  ASSERT_EQ(std::system(("iconv -f UTF-8 -t GBK '" + Path("utf8.csv") + "' > '" +
                         Path("gbk.csv") + "'").c_str()),
            0);
  auto r = Vipcare(dir_.path(), "import members gbk.csv --date 2026-11-23");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("1 rows read, 1 loaded, 0 bad"), std::string::npos) << r.output;
}

TEST_F(CliTest, P10BadArgumentsAreNamed) {
  ASSERT_EQ(Vipcare(dir_.path(), "init").exit_code, 0);
  auto r = Vipcare(dir_.path(), "user add --username boss --role emperor --password longenough1");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--role"), std::string::npos) << r.output;
  r = Vipcare(dir_.path(), "user add --username boss --role admin --password short");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("password"), std::string::npos) << r.output;
  r = Vipcare(dir_.path(), "--timezone Mars/Base init");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("--timezone"), std::string::npos) << r.output;
  WriteFile(Path("vipcare.toml"), "[server]\nport = 99999\n");
  r = Vipcare(dir_.path(), "init");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("server.port"), std::string::npos) << r.output;
}

TEST_F(CliTest, UserAddCreatesAnAccountOnce) {
  ASSERT_EQ(Vipcare(dir_.path(), "init").exit_code, 0);
  auto r = Vipcare(dir_.path(), "user add --username boss --role admin --password-stdin", "s3cret-pass");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("user boss (admin) added"), std::string::npos) << r.output;
  r = Vipcare(dir_.path(), "user add --username boss --role admin --password s3cret-pass");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("username"), std::string::npos) << r.output;
}

TEST_F(CliTest, ConfigFileAndEnvironmentChooseTheDatabase) {
  WriteFile(Path("vipcare.toml"), "[database]\nurl = \"from-file.db\"\n");
  ASSERT_EQ(Vipcare(dir_.path(), "init").exit_code, 0);
  EXPECT_TRUE(std::ifstream(Path("from-file.db")).good());
  ASSERT_EQ(Vipcare(dir_.path(), "--db from-flag.db init").exit_code, 0);
  EXPECT_TRUE(std::ifstream(Path("from-flag.db")).good());
  // The environment beats the file; the flag beats both.
  auto r = Vipcare(dir_.path(), "init", "", "VIPCARE_DB=from-env.db");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::ifstream(Path("from-env.db")).good());
  r = Vipcare(dir_.path(), "init");
  EXPECT_NE(r.output.find("from-file.db"), std::string::npos) << r.output;
}

TEST_F(CliTest, D2InitAndDemoWorkOnPostgresql) {
  const char* url = std::getenv("VIPCARE_TEST_PG_URL");
  ASSERT_NE(url, nullptr) << "VIPCARE_TEST_PG_URL must name the test PostgreSQL server";
  testing::TestDatabase::ResetPostgres(url);
  auto r = Vipcare(dir_.path(), std::string("--db ") + url + " init");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  r = Vipcare(dir_.path(), std::string("--db ") + url + " demo --members 200 --date 2026-11-23");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("200 members"), std::string::npos) << r.output;
  testing::TestDatabase::ResetPostgres(url);
}

TEST_F(CliTest, I1ServeAnswersAndStopsOnSigterm) {
  ASSERT_EQ(Vipcare(dir_.path(), "init").exit_code, 0);
  const unsigned short port = FreePort();
  const pid_t pid = StartServer(dir_.path(), port);
  ASSERT_GT(pid, 0);
  EXPECT_EQ(HttpGetStatus(port, "/healthz"), 200);
  EXPECT_EQ(HttpGetStatus(port, "/api/v1/members"), 401);
  kill(pid, SIGTERM);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  EXPECT_TRUE(WIFEXITED(wstatus));
  EXPECT_EQ(WEXITSTATUS(wstatus), 0);
}

}  // namespace
}  // namespace vipcare

namespace vipcare {
namespace {

TEST(CliAuditTest, P6VerifyAuditFindsAnEditedRow) {
  testing::TempDir dir;
  ASSERT_EQ(Vipcare(dir.path(), "init").exit_code, 0);
  ASSERT_EQ(Vipcare(dir.path(), "demo --members 20 --date 2026-11-23").exit_code, 0);
  auto r = Vipcare(dir.path(), "verify-audit");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("audit log intact"), std::string::npos) << r.output;
  auto db = store::OpenDb(dir.path() + "/vipcare.db");
  db->ExecScript("UPDATE audit_log SET address = 'elsewhere' WHERE id = 1");
  db.reset();
  r = Vipcare(dir.path(), "verify-audit");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("audit row 1: row 1 was changed"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace vipcare

namespace vipcare {
namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Everything SQLite keeps on disk for a database: the file and its WAL.
std::string RawDatabase(const std::string& path) {
  return ReadAll(path) + ReadAll(path + "-wal");
}

class CliKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(Vipcare(dir_.path(), "init").exit_code, 0);
    ASSERT_EQ(Vipcare(dir_.path(), "demo --members 30 --date 2026-11-23").exit_code, 0);
    WriteFile(Path("m.csv"),
              "姓名,手机,性别,生日,门店编码,身份证号,地址,邮箱,微信\n"
              "欧阳娜娜,13977778888,女,1991-05-06,SH01,11010519491231002X,"
              "静安区南京西路1788号,nana@example.com,nana_wx\n");
    auto r = Vipcare(dir_.path(), "import members m.csv --date 2026-11-23");
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  std::string Path(const std::string& name) const { return dir_.path() + "/" + name; }
  testing::TempDir dir_;
};

TEST_F(CliKeysTest, P5RawDatabaseFileHoldsNoPlaintextPersonalData) {
  const std::string raw = RawDatabase(Path("vipcare.db"));
  ASSERT_GT(raw.size(), 10000u);
  for (const char* secret : {"欧阳娜娜", "13977778888", "11010519491231002X", "南京西路1788",
                             "nana@example.com", "nana_wx"}) {
    EXPECT_EQ(raw.find(secret), std::string::npos) << secret << " is stored in plaintext";
  }
  // Nor is the key itself anywhere in the database.
  const std::string key_file = ReadAll(Path("vipcare.db.key"));
  const auto at = key_file.find("key 1 ");
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(raw.find(key_file.substr(at + 6, 64)), std::string::npos);
}

TEST_F(CliKeysTest, P5RotationReSealsEverythingAndLookupsStillWork) {
  const std::string before = RawDatabase(Path("vipcare.db"));
  auto r = Vipcare(dir_.path(), "keys rotate --retire");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("re-sealed 31 members"), std::string::npos) << r.output;
  const std::string keys = ReadAll(Path("vipcare.db.key"));
  EXPECT_EQ(keys.find("key 1 "), std::string::npos) << "the old key was not retired";
  EXPECT_NE(keys.find("key 2 "), std::string::npos);
  r = Vipcare(dir_.path(), "keys status");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("indexed with key 2"), std::string::npos) << r.output;
  // The blind index was rebuilt under the new key: the same mobile again is a duplicate.
  r = Vipcare(dir_.path(), "import members m.csv --date 2026-11-23");
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("is already registered"), std::string::npos) << r.output;
  EXPECT_EQ(RawDatabase(Path("vipcare.db")).find("13977778888"), std::string::npos);
}

TEST_F(CliKeysTest, P5AWrongOrExposedKeyFileIsRefused) {
  testing::TempDir other;
  ASSERT_EQ(Vipcare(other.path(), "init").exit_code, 0);
  const std::string mine = ReadAll(Path("vipcare.db.key"));
  WriteFile(Path("vipcare.db.key"), ReadAll(other.path() + "/vipcare.db.key"));
  auto r = Vipcare(dir_.path(), "keys status");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("not the key this database was sealed with"), std::string::npos)
      << r.output;
  r = Vipcare(dir_.path(), "verify-audit");
  EXPECT_NE(r.exit_code, 0) << r.output;
  WriteFile(Path("vipcare.db.key"), mine);
  chmod(Path("vipcare.db.key").c_str(), 0644);
  r = Vipcare(dir_.path(), "keys status");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("chmod 600"), std::string::npos) << r.output;
  chmod(Path("vipcare.db.key").c_str(), 0600);
  r = Vipcare(dir_.path(), "keys status");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // The keys may come from the environment instead of a file.
  const auto at = mine.find("key 1 ");
  r = Vipcare(dir_.path(), "--key-file /nonexistent keys status", "",
              "VIPCARE_KEYS=1:" + mine.substr(at + 6, 64));
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// I1 `run-jobs`: the daily schedule runs a day once, catches up the days
// missed since the last run in order, and refuses a bad or earlier day.
TEST_F(CliTest, I1RunJobsRunsEachDayOnceAndCatchesUpMissedDays) {
  ASSERT_EQ(Vipcare(dir_.path(), "init").exit_code, 0);
  ASSERT_EQ(Vipcare(dir_.path(), "demo --members 20 --date 2026-11-23").exit_code, 0);
  auto r = Vipcare(dir_.path(), "run-jobs --date 2026-11-24");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("2026-11-24: points expired"), std::string::npos) << r.output;
  r = Vipcare(dir_.path(), "run-jobs --date 2026-11-24");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("2026-11-24 (already run)"), std::string::npos) << r.output;
  r = Vipcare(dir_.path(), "run-jobs --date 2026-11-26 --json");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto at25 = r.output.find("\"day\": \"2026-11-25\"");
  const auto at26 = r.output.find("\"day\": \"2026-11-26\"");
  ASSERT_NE(at25, std::string::npos) << r.output;
  ASSERT_NE(at26, std::string::npos) << r.output;
  EXPECT_LT(at25, at26);
  r = Vipcare(dir_.path(), "run-jobs --date 2026-11-20");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("date"), std::string::npos) << r.output;
  r = Vipcare(dir_.path(), "run-jobs --date 2026-02-30");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--date"), std::string::npos) << r.output;
  // A mistyped future day is refused (it would block the runs until then)...
  r = Vipcare(dir_.path(), "run-jobs --date 2099-11-27");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--allow-future"), std::string::npos) << r.output;
  // ... and changed nothing: the next day still runs.
  r = Vipcare(dir_.path(), "run-jobs --date 2026-11-27");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("2026-11-27: points expired"), std::string::npos) << r.output;
  r = Vipcare(dir_.path(), "verify-audit");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

}  // namespace
}  // namespace vipcare

namespace vipcare {
namespace {

// L1 `import transactions`: bad rows are reported with line and column and
// nothing is posted; --skip-bad posts the rest; a second import of the same
// file posts nothing (every transaction is already posted).
TEST_F(CliTest, L1ImportTransactionsReportsBadRowsAndIsIdempotent) {
  ASSERT_EQ(Vipcare(dir_.path(), "init").exit_code, 0);
  ASSERT_EQ(Vipcare(dir_.path(), "demo --members 5 --date 2026-11-23").exit_code, 0);
  WriteFile(Path("m.csv"), "姓名,手机,门店编码\n周杰,13911112222,SH01\n");
  ASSERT_EQ(Vipcare(dir_.path(), "import members m.csv --date 2026-11-23").exit_code, 0);
  WriteFile(Path("t.csv"),
            "单号,手机,门店编码,交易时间,商品编码,品类,吊牌价,实付金额,特价\n"
            "CLI-1,13911112222,SH01,2026-11-20 14:05,NZ-1,女装,1299.00,1199.00,否\n"
            "CLI-1,,,,PS-2,配饰,99,99,是\n"
            "CLI-2,,SH01,2026-11-20 15:00,NZ-2,女装,299,299,否\n"
            "CLI-3,13911112222,SH01,2026-11-20 16:00,NZ-3,女装,abc,100,否\n");
  auto r = Vipcare(dir_.path(), "import transactions t.csv");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("line 5: 吊牌价"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("4 rows read, 3 transactions: 0 posted"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nothing was posted"), std::string::npos) << r.output;
  r = Vipcare(dir_.path(), "import transactions t.csv --skip-bad");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("2 posted (1 non-member sales), 0 already posted, 1 bad"),
            std::string::npos)
      << r.output;
  r = Vipcare(dir_.path(), "import transactions t.csv --skip-bad");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("0 posted (0 non-member sales), 2 already posted, 1 bad"),
            std::string::npos)
      << r.output;
  r = Vipcare(dir_.path(), "import transactions missing.csv");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = Vipcare(dir_.path(), "verify-audit");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// Issue 6 "done when": on the demo chain, run-jobs for the day before 中秋 2027
// gives each member one mid-autumn task with the actions of their tier (C1):
// 紫金钻石卡 (A) a call, an e-mail, a visit and a gift; 钻石卡 (B) an SMS, an
// e-mail and a gift in store; everyone else an SMS, an e-mail and a mailed
// card. Channels a member cannot receive are dropped (C4), so the task's
// channels plus its dropped ones are the tier's action.
TEST_F(CliTest, C1RunJobsTheDayBeforeMidAutumn2027GivesEachTierItsActions) {
  ASSERT_EQ(Vipcare(dir_.path(), "init").exit_code, 0);
  ASSERT_EQ(Vipcare(dir_.path(), "demo --members 3000 --date 2027-09-13").exit_code, 0);
  auto r = Vipcare(dir_.path(), "run-jobs --date 2027-09-14 --allow-future");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("care tasks"), std::string::npos) << r.output;
  auto db = store::OpenDb(dir_.path() + "/vipcare.db");
  const std::map<std::string, std::set<std::string>> action = {
      {"purple_diamond", {"phone", "email", "visit", "gift"}},
      {"diamond", {"sms", "email", "gift"}},
      {"", {"sms", "email", "mail"}}};
  std::map<std::string, int> per_tier;
  int tasks = 0;
  for (const auto& row : db->Query(
           "SELECT COALESCE(l.tier_code, ''), t.channels, t.dropped, t.occasion_key, t.due_on "
           "FROM care_tasks t LEFT JOIN member_loyalty l ON l.member_id = t.member_id "
           "WHERE t.occasion = 'mid_autumn'")) {
    ++tasks;
    const std::string tier = row.Text(0);
    const std::string key = action.contains(tier) ? tier : "";
    ++per_tier[key];
    std::set<std::string> channels;
    for (const auto& list : {row.Text(1), row.Text(2)}) {
      std::stringstream in(list);
      for (std::string c; std::getline(in, c, ',');) {
        if (!c.empty()) channels.insert(c);
      }
    }
    EXPECT_EQ(channels, action.at(key)) << "tier " << tier;
    EXPECT_EQ(row.Text(3), "mid_autumn:2027");
    EXPECT_EQ(row.Text(4), "2027-09-14") << "due the day before the festival";
  }
  // Every member but those who opted out of marketing (about one in ten in
  // the demo) or whose file is closed gets the greeting; each exactly once.
  auto members = db->QueryOne("SELECT COUNT(*) FROM members")->Int(0);
  EXPECT_GT(tasks, members * 7 / 10) << tasks << " of " << members;
  auto distinct = db->QueryOne(
      "SELECT COUNT(DISTINCT member_id) FROM care_tasks WHERE occasion = 'mid_autumn'")->Int(0);
  EXPECT_EQ(distinct, tasks);
  EXPECT_GT(per_tier["diamond"], 0);
  EXPECT_GT(per_tier[""], 0);
  // Running the day again adds nothing.
  r = Vipcare(dir_.path(), "run-jobs --date 2027-09-14 --allow-future");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(db->QueryOne("SELECT COUNT(*) FROM care_tasks WHERE occasion = 'mid_autumn'")->Int(0),
            tasks);
}

}  // namespace
}  // namespace vipcare

namespace vipcare {
namespace {

// L1, issue 5: "an acknowledged purchase must still survive a crash of the
// process". Eight tills post sales to `vipcare serve` as fast as it answers;
// the server is killed (SIGKILL) in the middle, three times at different
// moments. Every sale it answered must then be in the database with the
// points it answered, and the database must pass SQLite's integrity check.
TEST_F(CliTest, L1EverySaleAnsweredBeforeTheServerIsKilledIsStored) {
  ASSERT_EQ(Vipcare(dir_.path(), "init").exit_code, 0);
  ASSERT_EQ(Vipcare(dir_.path(), "demo --members 60 --date 2026-11-23").exit_code, 0);
  constexpr int kTills = 8;
  size_t answered_total = 0;
  for (int round = 0; round < 3; ++round) {
    const unsigned short port = FreePort();
    const pid_t pid = StartServer(dir_.path(), port);
    ASSERT_GT(pid, 0);
    auto login = testing::Request(port, "POST", "/api/v1/auth/login",
                                  R"({"username":"admin","password":"vipcare-demo"})");
    ASSERT_EQ(login.status, 200) << login.body;
    const std::string token = login.Json()["token"];
    std::atomic<bool> killed{false};
    std::vector<std::vector<std::pair<std::string, int64_t>>> answered(kTills);
    std::vector<std::thread> tills;
    for (int t = 0; t < kTills; ++t) {
      tills.emplace_back([&, t] {
        for (int n = 0; !killed; ++n) {
          const std::string id = fmt::format("KILL-{}-{}-{}", round, t, n);
          const nlohmann::json sale = {
              {"external_id", id},
              {"member_id", 1 + (n * kTills + t) % 60},
              {"store_id", 1},
              {"occurred_at", "2026-11-23T10:00:00+08:00"},
              {"lines",
               {{{"sku", "W-001"}, {"category", "女装"}, {"list_price_fen", 59900},
                 {"paid_fen", 59900 - 100 * (n % 7)}}}}};
          try {
            auto r = testing::Request(port, "POST", "/api/v1/transactions", sale.dump(),
                                      {{"Authorization", "Bearer " + token}});
            if (r.status == 201) answered[t].emplace_back(id, r.Json()["points"].get<int64_t>());
          } catch (const boost::system::system_error&) {
            // The server is gone: this sale was not answered.
          }
        }
      });
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(400 + 300 * round));
    kill(pid, SIGKILL);
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    killed = true;
    for (auto& till : tills) till.join();
    EXPECT_TRUE(WIFSIGNALED(wstatus)) << "the server ended before it was killed";

    auto db = store::OpenDb(Path("vipcare.db"));
    size_t answered_round = 0;
    for (const auto& till : answered) {
      for (const auto& [id, points] : till) {
        auto row = db->QueryOne("SELECT points FROM transactions WHERE external_id = ?", {id});
        ASSERT_TRUE(row.has_value()) << "round " << round << ": " << id
                                     << " was answered but is not stored";
        EXPECT_EQ(row->Int(0), points) << id;
        ++answered_round;
      }
    }
    EXPECT_GT(answered_round, 0u) << "round " << round << " posted nothing before the kill";
    EXPECT_EQ(db->QueryOne("PRAGMA integrity_check")->Text(0), "ok");
    answered_total += answered_round;
  }
  // Every member's balance is still the sum of its ledger, and the audit chain is whole.
  auto db = store::OpenDb(Path("vipcare.db"));
  EXPECT_EQ(db->QueryOne("SELECT COUNT(*) FROM member_loyalty ml WHERE points_balance <> "
                         "(SELECT COALESCE(SUM(points), 0) FROM points_ledger l "
                         "WHERE l.member_id = ml.member_id)")
                ->Int(0),
            0);
  db.reset();
  auto r = Vipcare(dir_.path(), "verify-audit");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  std::cout << "sales answered before the kills: " << answered_total << "\n";
}

}  // namespace
}  // namespace vipcare
