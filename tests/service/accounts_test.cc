// tests/service/accounts_test.cc
//
// Accounts and server-side sessions through service::Accounts (SPEC P1, P8)
// on the backend VIPCARE_TEST_BACKEND selects. Every Argon2id hash or check
// costs ~50-100 ms, so these tests keep the number of logins small.
#include "service/accounts.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "testing/fixtures.h"

namespace vipcare::service {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using vipcare::testing::kTestPassword;

class AccountsTest : public ::testing::Test {
 protected:
  std::string MustLogin(const std::string& user = "admin",
                        const std::string& password = kTestPassword) {
    auto r = accounts_.Login(user, password, "10.0.0.8");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->token : "";
  }
  bool SignedIn(const std::string& token) { return accounts_.Authenticate(token, "10.0.0.8").ok(); }
  int64_t CountSessions() {
    auto lease = fx_.store().Acquire();
    return lease.db().QueryOne("SELECT COUNT(*) FROM sessions")->Int(0);
  }
  store::UserRecord User(const std::string& name) {
    return *fx_.store().Read([&](store::Repository& repo) -> Result<store::UserRecord> {
      auto u = repo.FindUserByName(name);
      if (!u) return Error::NotFound("no user " + name);
      return *u;
    });
  }

  vipcare::testing::ServiceFixture fx_;
  Accounts accounts_{fx_.env()};
};

TEST_F(AccountsTest, P1_RightPasswordGivesATokenThatSignsIn) {
  auto r = accounts_.Login("admin", kTestPassword, "10.0.0.8");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GE(r->token.size(), 32u);
  EXPECT_EQ(r->actor.username, "admin");
  EXPECT_EQ(r->actor.role, domain::Role::kAdmin);
  EXPECT_EQ(r->actor.user_id, fx_.admin().user_id);
  EXPECT_FALSE(r->must_change_password);
  EXPECT_EQ(FormatTimestamp(r->expires_at), "2026-11-23T14:00:00Z");  // 12 h absolute

  auto actor = accounts_.Authenticate(r->token, "10.0.0.9");
  ASSERT_TRUE(actor.ok()) << actor.error().message;
  EXPECT_EQ(actor->user_id, fx_.admin().user_id);
  EXPECT_EQ(actor->username, "admin");
  EXPECT_EQ(actor->address, "10.0.0.9");

  // The store keeps only a hash of the token.
  auto lease = fx_.store().Acquire();
  auto row = lease.db().QueryOne("SELECT token_hash FROM sessions");
  ASSERT_TRUE(row.has_value());
  EXPECT_NE(row->Text(0), r->token);
  EXPECT_EQ(row->Text(0), HashToken(r->token));
  EXPECT_EQ(fx_.CountAudit("login"), 1);
}

TEST_F(AccountsTest, P1_ActorOfAStoreAccountCarriesItsStoreAndRegion) {
  fx_.AddUser("zhangli", domain::Role::kAssociate, fx_.org().associate_sh01);
  auto r = accounts_.Login("zhangli", kTestPassword, "10.0.0.8");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->actor.role, domain::Role::kAssociate);
  EXPECT_EQ(r->actor.staff_id, fx_.org().associate_sh01);
  EXPECT_EQ(r->actor.store_id, fx_.org().sh01);
  EXPECT_EQ(r->actor.region_id, fx_.org().east);
}

TEST_F(AccountsTest, P1_WrongPasswordAndUnknownUserGetTheSame401AndAreAudited) {
  auto wrong = accounts_.Login("admin", "Not-the-password-1", "10.0.0.8");
  auto unknown = accounts_.Login("nobody", "Not-the-password-1", "10.0.0.8");
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(unknown.error().code, ErrorCode::kUnauthenticated);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
  EXPECT_EQ(wrong.error().field, unknown.error().field);
  EXPECT_EQ(CountSessions(), 0);

  auto audit = fx_.Audit();
  int failed = 0;
  for (const auto& e : audit) {
    if (e.action != "login_failed") continue;
    ++failed;
    EXPECT_EQ(e.address, "10.0.0.8");
    EXPECT_EQ(FormatTimestamp(e.at), "2026-11-23T02:00:00Z");
  }
  EXPECT_EQ(failed, 2);
  EXPECT_EQ(fx_.CountAudit("login"), 0);
}

// P1 "login throttling": guessing passwords must be slowed down; after ten
// wrong passwords in a row the next attempt is refused with 429.
TEST_F(AccountsTest, P1_RepeatedWrongPasswordsAreThrottled) {
  bool throttled = false;
  for (int i = 0; i < 11 && !throttled; ++i) {
    auto r = accounts_.Login("admin", "Guess-number-" + std::to_string(i), "10.0.0.66");
    ASSERT_FALSE(r.ok());
    throttled = r.error().code == ErrorCode::kTooManyRequests;
  }
  EXPECT_TRUE(throttled) << "11 wrong passwords in a row were all answered 401; no throttling";
}

// P1 throttling details: five failures lock the account for the rest of the
// 15-minute window, even for the right password; the lock lifts by itself, and
// a success clears the count. Another account from another address is unaffected.
TEST_F(AccountsTest, P1_ThrottleLocksForTheWindowThenLiftsByItself) {
  for (int i = 0; i < 5; ++i) {
    auto r = accounts_.Login("admin", "Wrong-pass-" + std::to_string(i), "10.0.0.70");
    ASSERT_EQ(r.error().code, ErrorCode::kUnauthenticated) << "attempt " << i;
  }
  auto locked = accounts_.Login("admin", kTestPassword, "10.0.0.71");
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, ErrorCode::kTooManyRequests);
  EXPECT_GT(locked.error().retry_after_seconds, 0);
  EXPECT_LE(locked.error().retry_after_seconds, 15 * 60);
  fx_.clock().Advance(std::chrono::minutes(15) + std::chrono::seconds(1));
  auto again = accounts_.Login("admin", kTestPassword, "10.0.0.71");
  ASSERT_TRUE(again.ok()) << again.error().message;
  // The success cleared the count: one new failure does not lock.
  EXPECT_EQ(accounts_.Login("admin", "Wrong-again-1", "10.0.0.71").error().code,
            ErrorCode::kUnauthenticated);
  EXPECT_TRUE(accounts_.Login("admin", kTestPassword, "10.0.0.71").ok());
}

TEST_F(AccountsTest, P1_ThrottleCountsFailuresPerAddressAcrossAccounts) {
  // 20 failures spread over unknown names from one address lock that address.
  for (int i = 0; i < 20; ++i) {
    auto r = accounts_.Login("ghost" + std::to_string(i), "Wrong-pass-1", "10.9.9.9");
    ASSERT_EQ(r.error().code, ErrorCode::kUnauthenticated) << "attempt " << i;
  }
  EXPECT_EQ(accounts_.Login("admin", kTestPassword, "10.9.9.9").error().code,
            ErrorCode::kTooManyRequests);
  EXPECT_TRUE(accounts_.Login("admin", kTestPassword, "10.0.0.8").ok());
}

TEST_F(AccountsTest, P1_LogoutEndsTheSession) {
  const std::string token = MustLogin();
  const std::string other = MustLogin();
  ASSERT_TRUE(SignedIn(token));
  ASSERT_TRUE(accounts_.Logout(token).ok());
  auto r = accounts_.Authenticate(token, "10.0.0.8");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  EXPECT_TRUE(SignedIn(other)) << "logging out one session ended another";
  EXPECT_FALSE(SignedIn(""));
  EXPECT_FALSE(SignedIn("not-a-token"));
}

TEST_F(AccountsTest, P1_SessionEndsAfterTwoIdleHoursButActivityKeepsItAlive) {
  const std::string token = MustLogin();
  fx_.clock().Advance(hours(1) + minutes(59));
  ASSERT_TRUE(SignedIn(token));  // activity restarts the idle window
  fx_.clock().Advance(hours(1) + minutes(59));
  ASSERT_TRUE(SignedIn(token));
  fx_.clock().Advance(hours(2) + seconds(1));
  EXPECT_FALSE(SignedIn(token));
  // Expired stays expired, even if the clock were to come back.
  fx_.clock().Set(vipcare::testing::FixtureStart() + hours(4));
  EXPECT_FALSE(SignedIn(token));
}

TEST_F(AccountsTest, P1_SessionEndsAfterTwelveHoursEvenWhenActive) {
  const std::string token = MustLogin();
  for (int h = 1; h <= 11; ++h) {
    fx_.clock().Advance(hours(1));
    ASSERT_TRUE(SignedIn(token)) << "after " << h << " h";
  }
  fx_.clock().Advance(minutes(59) + seconds(59));
  EXPECT_TRUE(SignedIn(token));
  fx_.clock().Advance(seconds(1));
  EXPECT_FALSE(SignedIn(token));
}

TEST_F(AccountsTest, P8_DisablingTheAccountEndsItsSessionsAtOnce) {
  const std::string token = MustLogin();
  ASSERT_TRUE(SignedIn(token));
  auto st = fx_.store().Write([&](store::Repository& repo) -> Status {
    auto u = repo.FindUserByName("admin");
    if (!u) return Error::NotFound("admin");
    u->active = false;
    repo.UpdateUser(*u);
    return OkStatus();
  });
  ASSERT_TRUE(st.ok());
  EXPECT_FALSE(SignedIn(token));
  auto again = accounts_.Login("admin", kTestPassword, "10.0.0.8");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kUnauthenticated);
}

TEST_F(AccountsTest, P1_ChangingThePasswordNeedsTheOldOne) {
  const Actor& admin = fx_.admin();
  auto wrong_old = accounts_.ChangePassword(admin, "Wrong-old-pass", "New-pass-2027");
  ASSERT_FALSE(wrong_old.ok());
  EXPECT_EQ(wrong_old.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(wrong_old.error().field, "old_password");

  for (const char* weak : {"short", "1234567890", ""}) {
    auto r = accounts_.ChangePassword(admin, kTestPassword, weak);
    ASSERT_FALSE(r.ok()) << weak;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << weak;
    EXPECT_EQ(r.error().field, "new_password") << weak;
  }
  const std::string hash_before = User("admin").password_hash;

  ASSERT_TRUE(accounts_.ChangePassword(admin, kTestPassword, "New-pass-2027").ok());
  EXPECT_NE(User("admin").password_hash, hash_before);
  EXPECT_FALSE(accounts_.Login("admin", kTestPassword, "10.0.0.8").ok());
  EXPECT_TRUE(accounts_.Login("admin", "New-pass-2027", "10.0.0.8").ok());
  EXPECT_EQ(fx_.CountAudit("password_change"), 1);
}

TEST_F(AccountsTest, P1_StoredHashIsArgon2idAndNeverThePassword) {
  const std::string hash = User("admin").password_hash;
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_EQ(hash.find(kTestPassword), std::string::npos);
  EXPECT_TRUE(VerifyPassword(hash, kTestPassword));
  EXPECT_FALSE(VerifyPassword(hash, "vip-care-2026"));
  // The same password hashes differently each time (salted).
  EXPECT_NE(HashPassword(kTestPassword), hash);
}

TEST_F(AccountsTest, P1_NewAccountsNeedAStrongPasswordAUniqueNameAndAnAdmin) {
  NewUser u;
  u.username = "chenjing";
  u.role = domain::Role::kAssociate;
  u.staff_id = fx_.org().associate_sh02;
  const std::vector<std::string> weak_passwords = {"abc123", "1234567890123",
                                                   std::string(129, 'a')};
  for (const auto& weak : weak_passwords) {
    u.password = weak;
    auto r = accounts_.CreateUser(fx_.admin(), u);
    ASSERT_FALSE(r.ok()) << weak;
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(r.error().field, "password");
  }
  u.password = "Chen-jing-2026";
  u.username = "Chen Jing";
  auto bad_name = accounts_.CreateUser(fx_.admin(), u);
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.error().field, "username");

  u.username = "admin";
  auto taken = accounts_.CreateUser(fx_.admin(), u);
  ASSERT_FALSE(taken.ok());
  EXPECT_EQ(taken.error().code, ErrorCode::kConflict);
  EXPECT_EQ(taken.error().field, "username");

  u.username = "chenjing";
  u.role = domain::Role::kStoreManager;  // the staff record says associate
  auto wrong_role = accounts_.CreateUser(fx_.admin(), u);
  ASSERT_FALSE(wrong_role.ok());
  EXPECT_EQ(wrong_role.error().field, "role");

  u.role = domain::Role::kAssociate;
  Actor associate = fx_.admin();
  associate.role = domain::Role::kAssociate;
  auto not_admin = accounts_.CreateUser(associate, u);
  ASSERT_FALSE(not_admin.ok());
  EXPECT_EQ(not_admin.error().code, ErrorCode::kForbidden);

  auto ok = accounts_.CreateUser(fx_.admin(), u);
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_TRUE(User("chenjing").must_change_password);
  auto login = accounts_.Login("chenjing", "Chen-jing-2026", "10.0.0.8");
  ASSERT_TRUE(login.ok());
  EXPECT_TRUE(login->must_change_password);
  EXPECT_EQ(login->actor.store_id, fx_.org().sh02);
}

}  // namespace
}  // namespace vipcare::service
