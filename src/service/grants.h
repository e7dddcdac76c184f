// src/service/grants.h
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "service/context.h"
#include "store/repository.h"

namespace vipcare::service {

struct NewGrant {
  UserId grantee;                 // a call-centre account
  std::vector<MemberId> members;  // 1..kMaxGrantMembers
  Timestamp starts_at{};
  Timestamp ends_at{};            // after starts_at, at most kMaxGrantDays later
  std::string purpose;            // e.g. "回访任务 2026-11"
};

inline constexpr size_t kMaxGrantMembers = 5000;
inline constexpr int kMaxGrantDays = 31;

// Time-limited grants (定时授权, SPEC P2): a call-centre account sees the
// granted members only between start and end; nothing has to run for a grant
// to lapse, the scope check compares with the clock. Given and revoked by
// admins, and by store managers and supervisors for members in their scope.
// Every grant and revocation is audited. Thread-safe.
class Grants {
 public:
  explicit Grants(Env env) : env_(env) {}

  Result<store::GrantRecord> Create(const Actor& actor, const NewGrant& g);
  // Admins see every grant; managers and supervisors the ones they gave;
  // a call-centre account its own.
  Result<store::PageOf<store::GrantRecord>> List(const Actor& actor,
                                                 std::optional<UserId> grantee, store::Page page);
  Result<store::GrantRecord> Get(const Actor& actor, int64_t id);
  // Ends the grant now and ends the grantee's sessions (P8).
  Result<store::GrantRecord> Revoke(const Actor& actor, int64_t id);

 private:
  Env env_;
};

}  // namespace vipcare::service
