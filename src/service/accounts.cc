#include "service/accounts.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <optional>
#include <stdexcept>

#include "service/access.h"

namespace vipcare::service {
namespace {

void EnsureSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

std::string RandomToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  char out[sizeof bytes * 2 + 1];
  sodium_bin2hex(out, sizeof out, bytes, sizeof bytes);
  return out;
}

// The actor of account `u`, without its store and region.
Actor ActorOf(const store::UserRecord& u, const std::string& address) {
  Actor a;
  a.user_id = u.id;
  a.username = u.username;
  a.role = u.role;
  a.staff_id = u.staff_id;
  a.address = address;
  a.must_change_password = u.must_change_password;
  return a;
}

// The actor of account `u`, with where its staff record works.
Actor ActorOf(store::Repository& repo, const store::UserRecord& u, const std::string& address) {
  Actor a = ActorOf(u, address);
  if (u.staff_id) {
    if (auto s = repo.GetStaff(u.staff_id)) {
      a.store_id = s->store_id;
      a.region_id = s->region_id;
      if (!a.region_id && a.store_id) {
        if (auto st = repo.GetStore(a.store_id)) a.region_id = st->region_id;
      }
    }
  }
  return a;
}

// P7: whether a store account's client is on its store's allow-list (or the
// store keeps none).
bool DeviceAllowed(store::Repository& repo, const Actor& a) {
  return !a.store_id || ClientAllowed(a, repo.ListDevices(a.store_id));
}

Error DeviceRefused() {
  return Error::Forbidden(
      "this computer is not registered for your store; ask the store manager to add its address "
      "or device id");
}

}  // namespace

std::string HashPassword(std::string_view password) {
  EnsureSodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("out of memory hashing a password");
  }
  return out;
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  EnsureSodium();
  std::string h(hash);
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

Status CheckPasswordStrength(std::string_view password, const std::string& field) {
  if (password.size() < 8) return Error::Invalid(field, "must be at least 8 characters");
  if (password.size() > 128) return Error::Invalid(field, "must be at most 128 characters");
  if (std::all_of(password.begin(), password.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return Error::Invalid(field, "must not be digits only");
  }
  return OkStatus();
}

std::string HashToken(std::string_view token) {
  EnsureSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char out[sizeof digest * 2 + 1];
  sodium_bin2hex(out, sizeof out, digest, sizeof digest);
  return out;
}

Result<LoginResult> Accounts::Login(const std::string& username, const std::string& password,
                                    const std::string& address, const std::string& device_id) {
  if (username.empty()) return Error::Invalid("username", "is required");
  if (password.empty()) return Error::Invalid("password", "is required");
  if (username.size() > 100) return Error::Invalid("username", "must be at most 100 characters");
  if (password.size() > 1024) return Error::Invalid("password", "must be at most 1024 bytes");
  const Timestamp now = env_.clock.Now();
  const Timestamp since = now - policy_.failure_window;
  struct Lookup {
    std::optional<store::UserRecord> user;
    int retry_after = 0;
  };
  auto found = env_.store.Read([&](store::Repository& repo) -> Result<Lookup> {
    Lookup l;
    // Throttle per account and per address before spending any hashing time.
    auto by_user = repo.CountLoginFailuresOfUser(username, since);
    auto by_addr = repo.CountLoginFailuresFrom(address, since);
    auto wait_for = [&](const store::Repository::FailureCount& c) {
      return int(std::max<int64_t>(1, (c.oldest + policy_.failure_window - now).count()));
    };
    if (by_user.count >= policy_.max_failures_per_account) {
      l.retry_after = wait_for(by_user);
    } else if (by_addr.count >= policy_.max_failures_per_address) {
      l.retry_after = wait_for(by_addr);
    }
    l.user = repo.FindUserByName(username);
    return l;
  });
  if (!found.ok()) return found.error();
  if (found->retry_after > 0) {
    Error e{ErrorCode::kTooManyRequests,
            "too many failed sign-ins; try again in " + std::to_string(found->retry_after) +
                " seconds",
            ""};
    e.retry_after_seconds = found->retry_after;
    return e;
  }
  const auto& user = found->user;
  // Verify outside any transaction: Argon2id takes tens of milliseconds. An
  // unknown user is checked against a dummy hash so the answer takes as long
  // as a wrong password and does not reveal which accounts exist.
  static const std::string kDummyHash = HashPassword("vipcare-no-such-user");
  bool ok = VerifyPassword(user ? user->password_hash : kDummyHash, password) && user &&
            user->active;
  LoginResult result;
  bool refused = false;
  auto st = env_.store.Write([&](store::Repository& repo) -> Status {
    Actor client;
    if (ok) {
      client = ActorOf(repo, *user, address);
      client.device_id = device_id;
    }
    if (ok && !DeviceAllowed(repo, client)) {
      refused = true;
      repo.AppendAudit({0, now, user->id, "login_refused_device", "user",
                        std::to_string(user->id.value), "", address});
      return OkStatus();
    }
    repo.AppendAudit({0, now, user ? user->id : UserId(), ok ? "login" : "login_failed", "user",
                      user ? std::to_string(user->id.value) : "", "", address});
    if (!ok) {
      repo.RecordLoginFailure(username, address, now);
      return OkStatus();  // commit the audit row and the failure of the attempt
    }
    repo.ClearLoginFailures(username);
    result.token = RandomToken();
    result.actor = client;
    result.must_change_password = user->must_change_password;
    result.expires_at = now + policy_.absolute_timeout;
    repo.InsertSession({HashToken(result.token), user->id, now, now, result.expires_at, address});
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  if (!ok) return Error{ErrorCode::kUnauthenticated, "wrong username or password", ""};
  if (refused) return DeviceRefused();
  return result;
}

Result<Actor> Accounts::Authenticate(const std::string& token, const std::string& address,
                                     const std::string& device_id) {
  const Error unauthenticated{ErrorCode::kUnauthenticated,
                              "not signed in, or the session has expired", ""};
  if (token.empty()) return unauthenticated;
  const Timestamp now = env_.clock.Now();
  const std::string hash = HashToken(token);
  enum class Follow { kNone, kTouch, kDelete } follow = Follow::kNone;
  auto actor = env_.store.Read([&](store::Repository& repo) -> Result<Actor> {
    // One statement for session, account, store, region and device rule:
    // this runs before every request.
    auto p = repo.GetSessionPrincipal(hash);
    if (!p) return unauthenticated;
    const store::SessionRecord& s = p->session;
    if (now >= s.expires_at || now - s.last_seen_at >= policy_.idle_timeout) {
      follow = Follow::kDelete;
      return unauthenticated;
    }
    if (!p->user.active) return unauthenticated;
    // Only write when the idle clock moved noticeably: a till lookup should not
    // turn every read into a write.
    if (now - s.last_seen_at >= std::chrono::seconds(60)) follow = Follow::kTouch;
    Actor a = ActorOf(p->user, address);
    a.store_id = p->store_id;
    a.region_id = p->region_id;
    a.device_id = device_id;
    if (p->store_restricts_devices && !DeviceAllowed(repo, a)) {
      follow = Follow::kNone;
      return DeviceRefused();
    }
    return a;
  });
  if (follow != Follow::kNone) {
    auto st = env_.store.Write([&](store::Repository& repo) -> Status {
      if (follow == Follow::kDelete) {
        repo.DeleteSession(hash);
      } else {
        repo.TouchSession(hash, now);
      }
      return OkStatus();
    });
    if (!st.ok()) return st.error();
  }
  return actor;
}

Status Accounts::Logout(const std::string& token) {
  const std::string hash = HashToken(token);
  return env_.store.Write([&](store::Repository& repo) -> Status {
    repo.DeleteSession(hash);
    return OkStatus();
  });
}

Status Accounts::ChangePassword(const Actor& actor, const std::string& old_password,
                                const std::string& new_password) {
  VIPCARE_TRY(CheckPasswordStrength(new_password, "new_password"));
  auto user = env_.store.Read([&](store::Repository& repo) -> Result<store::UserRecord> {
    auto u = repo.GetUser(actor.user_id);
    if (!u) return Error::NotFound("no such user");
    return *u;
  });
  if (!user.ok()) return user.error();
  if (!VerifyPassword(user->password_hash, old_password)) {
    return Error::Invalid("old_password", "is not the current password");
  }
  std::string hash = HashPassword(new_password);
  return env_.store.Write([&](store::Repository& repo) -> Status {
    auto u = repo.GetUser(actor.user_id);
    if (!u) return Error::NotFound("no such user");
    u->password_hash = hash;
    u->must_change_password = false;
    repo.UpdateUser(*u);
    repo.AppendAudit({0, env_.clock.Now(), actor.user_id, "password_change", "user",
                      std::to_string(actor.user_id.value), "", actor.address});
    return OkStatus();
  });
}

Result<UserId> Accounts::CreateUser(const Actor& actor, const NewUser& u) {
  if (actor.role != domain::Role::kAdmin) return Error::Forbidden("only an admin may add users");
  if (u.username.size() < 3 || u.username.size() > 40) {
    return Error::Invalid("username", "must be 3-40 characters");
  }
  for (char c : u.username) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return Error::Invalid("username", "may contain only a-z, 0-9, '.', '_' and '-'");
  }
  VIPCARE_TRY(CheckPasswordStrength(u.password));
  std::string hash = HashPassword(u.password);
  return env_.store.Write([&](store::Repository& repo) -> Result<UserId> {
    if (repo.FindUserByName(u.username)) {
      return Error::Conflict("that username is taken", "username");
    }
    if (u.staff_id) {
      auto s = repo.GetStaff(u.staff_id);
      if (!s) return Error::Invalid("staff_id", "no staff member has that id");
      if (s->role != u.role) {
        return Error::Invalid("role", "must match the staff member's role");
      }
    }
    store::UserRecord rec;
    rec.username = u.username;
    rec.staff_id = u.staff_id;
    rec.role = u.role;
    rec.password_hash = hash;
    rec.must_change_password = u.must_change_password;
    rec.created_at = env_.clock.Now();
    UserId id = repo.InsertUser(rec);
    repo.AppendAudit({0, rec.created_at, actor.user_id, "user_add", "user",
                      std::to_string(id.value), std::string("role=") + domain::ToString(u.role),
                      actor.address});
    return id;
  });
}

Result<store::PageOf<store::UserRecord>> Accounts::ListUsers(const Actor& actor,
                                                            store::Page page,
                                                            std::optional<domain::Role> role) {
  if (!RoleHas(actor.role, Permission::kUserAdmin)) {
    if (!RoleHas(actor.role, Permission::kGrantAdmin)) {
      return Error::Forbidden("only an admin may list users");
    }
    if (role && *role != domain::Role::kCallCenter) {
      return Error::Forbidden("only call-centre accounts (the grantees) may be listed");
    }
    role = domain::Role::kCallCenter;
  }
  if (page.limit < 1 || page.limit > 200) return Error::Invalid("limit", "must be between 1 and 200");
  return env_.store.Read([&](store::Repository& repo) -> Result<store::PageOf<store::UserRecord>> {
    auto out = repo.ListUsers(page, role);
    for (auto& u : out.items) u.password_hash.clear();
    return out;
  });
}

Result<store::UserRecord> Accounts::UpdateUser(const Actor& actor, UserId id,
                                               const UserChange& change) {
  if (actor.role != domain::Role::kAdmin) return Error::Forbidden("only an admin may change users");
  if (id == actor.user_id && (change.active == false || (change.role && *change.role != actor.role))) {
    return Error::Unprocessable("you cannot disable or demote your own account", "id");
  }
  return env_.store.Write([&](store::Repository& repo) -> Result<store::UserRecord> {
    auto u = repo.GetUser(id);
    if (!u) return Error::NotFound("no user has that id", "id");
    store::UserRecord after = *u;
    if (change.role) after.role = *change.role;
    if (change.staff_id) after.staff_id = *change.staff_id;
    if (change.active) after.active = *change.active;
    if (after.staff_id) {
      auto s = repo.GetStaff(after.staff_id);
      if (!s) return Error::Invalid("staff_id", "no staff member has that id");
      if (s->role != after.role) return Error::Invalid("role", "must match the staff member's role");
    }
    const bool changed = after.role != u->role || after.staff_id != u->staff_id ||
                         after.active != u->active;
    if (!changed) {
      after.password_hash.clear();
      return after;
    }
    repo.UpdateUser(after);
    // Revocation takes effect at once: the account signs in again with its new rights.
    repo.DeleteSessionsOf(id);
    repo.AppendAudit({0, env_.clock.Now(), actor.user_id, "user_update", "user",
                      std::to_string(id.value),
                      fmt::format("role={} active={} sessions_ended=1", domain::ToString(after.role),
                                  after.active ? 1 : 0),
                      actor.address});
    after.password_hash.clear();
    return after;
  });
}

}  // namespace vipcare::service
