#include "service/grants.h"

#include <fmt/format.h>

#include <algorithm>

#include "service/access.h"

namespace vipcare::service {
namespace {

bool MayGive(const Actor& a) { return RoleHas(a.role, Permission::kGrantAdmin); }

bool MaySee(const Actor& actor, const store::GrantRecord& g) {
  return actor.role == domain::Role::kAdmin || g.created_by == actor.user_id ||
         g.grantee == actor.user_id;
}

}  // namespace

Result<store::GrantRecord> Grants::Create(const Actor& actor, const NewGrant& in) {
  if (!MayGive(actor)) return Error::Forbidden("your role may not give grants");
  if (!in.grantee) return Error::Invalid("grantee_id", "is required");
  if (in.members.empty() || in.members.size() > kMaxGrantMembers) {
    return Error::Invalid("member_ids",
                          fmt::format("must list 1 to {} member ids", kMaxGrantMembers));
  }
  if (in.ends_at <= in.starts_at) return Error::Invalid("ends_at", "must be after starts_at");
  if (in.ends_at - in.starts_at > std::chrono::hours(24 * kMaxGrantDays)) {
    return Error::Invalid("ends_at", fmt::format("a grant lasts at most {} days", kMaxGrantDays));
  }
  if (in.ends_at <= env_.clock.Now()) return Error::Invalid("ends_at", "is already past");
  if (in.purpose.empty() || in.purpose.size() > 200) {
    return Error::Invalid("purpose", "is required, at most 200 bytes");
  }
  std::vector<MemberId> members = in.members;
  std::sort(members.begin(), members.end());
  members.erase(std::unique(members.begin(), members.end()), members.end());
  return env_.store.Write([&](store::Repository& repo) -> Result<store::GrantRecord> {
    auto grantee = repo.GetUser(in.grantee);
    if (!grantee || !grantee->active) return Error::Invalid("grantee_id", "no active account has that id");
    if (grantee->role != domain::Role::kCallCenter) {
      return Error::Invalid("grantee_id", "grants are for call-centre accounts");
    }
    for (size_t i = 0; i < members.size(); ++i) {
      auto m = repo.GetMember(members[i]);
      const std::string field = fmt::format("member_ids[{}]", i);
      if (!m || m->status == domain::MemberStatus::kMerged ||
          m->status == domain::MemberStatus::kErased) {
        return Error::Invalid(field, "no live member has that id");
      }
      // A giver may only hand out members in their own scope (never via a grant).
      if (!CheckMemberScopeIn(repo, actor, *m, /*granted=*/false).ok()) {
        return Error::Forbidden("member " + std::to_string(m->id.value) + " is outside your scope");
      }
    }
    store::GrantRecord g;
    g.grantee = in.grantee;
    g.purpose = in.purpose;
    g.starts_at = in.starts_at;
    g.ends_at = in.ends_at;
    g.created_by = actor.user_id;
    g.created_at = env_.clock.Now();
    g.members = members;
    g.id = repo.InsertGrant(g);
    repo.AppendAudit({0, g.created_at, actor.user_id, "grant_create", "grant", std::to_string(g.id),
                      fmt::format("grantee={} members={} from={} to={}", g.grantee.value,
                                  members.size(), FormatTimestamp(g.starts_at),
                                  FormatTimestamp(g.ends_at)),
                      actor.address});
    return *repo.GetGrant(g.id);
  });
}

Result<store::PageOf<store::GrantRecord>> Grants::List(const Actor& actor,
                                                       std::optional<UserId> grantee,
                                                       store::Page page) {
  if (page.limit < 1 || page.limit > 200) return Error::Invalid("limit", "must be between 1 and 200");
  std::optional<UserId> created_by;
  if (actor.role == domain::Role::kCallCenter) {
    grantee = actor.user_id;
  } else if (actor.role != domain::Role::kAdmin) {
    created_by = actor.user_id;  // roles that give no grants get an empty list
  }
  return env_.store.Read([&](store::Repository& repo) -> Result<store::PageOf<store::GrantRecord>> {
    return repo.ListGrants(grantee, created_by, page);
  });
}

Result<store::GrantRecord> Grants::Get(const Actor& actor, int64_t id) {
  return env_.store.Read([&](store::Repository& repo) -> Result<store::GrantRecord> {
    auto g = repo.GetGrant(id);
    if (!g || !MaySee(actor, *g)) return Error::NotFound("no grant has that id", "id");
    return *g;
  });
}

Result<store::GrantRecord> Grants::Revoke(const Actor& actor, int64_t id) {
  if (!MayGive(actor)) return Error::Forbidden("your role may not revoke grants");
  return env_.store.Write([&](store::Repository& repo) -> Result<store::GrantRecord> {
    auto g = repo.GetGrant(id);
    if (!g || !MaySee(actor, *g)) return Error::NotFound("no grant has that id", "id");
    if (g->revoked_at) return Error::Conflict("the grant was already revoked", "id");
    const Timestamp now = env_.clock.Now();
    repo.RevokeGrant(id, now, actor.user_id);
    repo.DeleteSessionsOf(g->grantee);
    repo.AppendAudit({0, now, actor.user_id, "grant_revoke", "grant", std::to_string(id),
                      fmt::format("grantee={} sessions_ended=1", g->grantee.value), actor.address});
    return *repo.GetGrant(id);
  });
}

}  // namespace vipcare::service
