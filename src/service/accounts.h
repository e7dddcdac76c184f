// src/service/accounts.h
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "service/context.h"
#include "store/repository.h"

namespace vipcare::service {

// Argon2id (libsodium crypto_pwhash, interactive limits) in the standard
// encoded form "$argon2id$v=19$m=...". Thread-safe.
std::string HashPassword(std::string_view password);
bool VerifyPassword(std::string_view hash, std::string_view password);
// Minimum rules for a new password: 8-128 bytes, not all digits.
Status CheckPasswordStrength(std::string_view password, const std::string& field = "password");

struct SessionPolicy {
  std::chrono::seconds idle_timeout{std::chrono::hours(2)};
  std::chrono::seconds absolute_timeout{std::chrono::hours(12)};
  // Throttling (P1): after this many failed sign-ins within `failure_window`,
  // further attempts answer 429 until the oldest failure leaves the window.
  int max_failures_per_account = 5;
  int max_failures_per_address = 20;
  std::chrono::seconds failure_window{std::chrono::minutes(15)};
};

struct LoginResult {
  std::string token;  // opaque; only its hash is stored
  Actor actor;
  bool must_change_password = false;
  Timestamp expires_at{};
};

struct NewUser {
  std::string username;
  std::string password;
  domain::Role role = domain::Role::kAssociate;
  StaffId staff_id;  // optional link to a staff record (gives store / region)
  bool must_change_password = true;
};

// Accounts and server-side sessions (SPEC P1). Thread-safe.
class Accounts {
 public:
  explicit Accounts(Env env, SessionPolicy policy = {}) : env_(env), policy_(policy) {}

  // Checks the password and opens a session. A wrong user or password both
  // answer kUnauthenticated with the same message; each attempt is audited.
  // A store account signing in from a client its store's allow-list does not
  // name (P7) is refused with kForbidden (and audited).
  Result<LoginResult> Login(const std::string& username, const std::string& password,
                            const std::string& address, const std::string& device_id = "");
  // Resolves a bearer token to its actor, extending the idle window.
  // kUnauthenticated if unknown, expired or the account is disabled.
  // kForbidden if the store's device allow-list does not name the client (P7).
  Result<Actor> Authenticate(const std::string& token, const std::string& address,
                             const std::string& device_id = "");
  Status Logout(const std::string& token);
  Status ChangePassword(const Actor& actor, const std::string& old_password,
                        const std::string& new_password);
  Result<UserId> CreateUser(const Actor& actor, const NewUser& u);
  // Admins list every account (of `role`, if given); holders of the grant
  // permission list call-centre accounts only, the people they may grant to.
  Result<store::PageOf<store::UserRecord>> ListUsers(const Actor& actor, store::Page page,
                                                     std::optional<domain::Role> role = {});
  // Changes an account's role, staff link or active flag (admin). Any such
  // change ends the account's sessions at once (P8): the next request of a
  // disabled or re-roled account is answered 401.
  struct UserChange {
    std::optional<domain::Role> role;
    std::optional<StaffId> staff_id;
    std::optional<bool> active;
  };
  Result<store::UserRecord> UpdateUser(const Actor& actor, UserId id, const UserChange& change);

 private:
  Env env_;
  SessionPolicy policy_;
};

// SHA-256 of a session token, hex; what the sessions table stores.
std::string HashToken(std::string_view token);

}  // namespace vipcare::service
