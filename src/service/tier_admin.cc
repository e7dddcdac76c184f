#include "service/tier_admin.h"

#include <fmt/format.h>

#include "domain/member.h"
#include "domain/program.h"
#include "service/access.h"
#include "service/audit.h"
#include "service/loyalty_core.h"

namespace vipcare::service {
namespace {

using nlohmann::json;
using namespace loyalty_core;

constexpr long kMaxReason = 200;

Result<std::string> Reason(const std::string& reason) {
  const long n = domain::Utf8Length(reason);
  if (n < 1 || n > kMaxReason) {
    return Error::Invalid("reason", fmt::format("is required, 1-{} characters", kMaxReason));
  }
  return reason;
}

Result<std::string> ReasonField(const json& body) {
  auto it = body.find("reason");
  if (it == body.end() || !it->is_string()) return Error::Invalid("reason", "is required text");
  return Reason(it->get<std::string>());
}

json StateJson(const domain::Program& p, const store::LoyaltyState& s) {
  return {
      {"member_id", s.member_id.value},
      {"tier", TierJson(p, s.tier_code)},
      {"tier_since", s.tier_since ? json(s.tier_since->ToString()) : json(nullptr)},
      {"hold", s.hold_reason.empty()
                   ? json(nullptr)
                   : json{{"until", s.hold_until ? json(s.hold_until->ToString()) : json(nullptr)},
                          {"reason", s.hold_reason}}},
      {"downgrade", s.downgrade_effective_on && s.downgrade_warned_on
                        ? json{{"warned_on", s.downgrade_warned_on->ToString()},
                               {"effective_on", s.downgrade_effective_on->ToString()}}
                        : json(nullptr)},
      {"pending_approval", PendingApprovalJson(p, s)}};
}

// The member's tier state for a change by `actor`: the member exists, is in
// scope and open, and has a loyalty state.
struct Target {
  domain::Program program;
  store::LoyaltyState state;
};
Result<Target> Load(store::Repository& repo, const Actor& actor, MemberId id) {
  auto m = repo.GetMember(id);
  if (!m) return Error::NotFound("no member has that id", "id");
  VIPCARE_TRY(CheckMemberScopeIn(repo, actor, *m, false));
  if (m->status == domain::MemberStatus::kClosed || m->status == domain::MemberStatus::kMerged ||
      m->status == domain::MemberStatus::kErased) {
    return Error::Unprocessable("the member's file is closed, merged or erased", "member_id");
  }
  auto& l = repo.loyalty();
  store::LoyaltyState state = StateOf(l, id);
  domain::Program program = ProgramOf(l, state);
  return Target{std::move(program), std::move(state)};
}

Status Save(store::LoyaltyRepository& l, store::LoyaltyState& s) {
  if (!l.SaveLoyaltyState(s)) {
    return Error::Conflict("the member's tier changed at the same time; reload and retry",
                           "member_id");
  }
  return OkStatus();
}

}  // namespace

Result<json> TierAdmin::HoldTier(const Actor& actor, MemberId id, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberAdmin));
  VIPCARE_TRY(OnlyFields(body, {"until", "reason"}, "a tier hold"));
  auto reason = ReasonField(body);
  if (!reason.ok()) return reason.error();
  const Date today = env_.Today();
  std::optional<Date> until;
  if (auto it = body.find("until"); it != body.end() && !it->is_null()) {
    if (!it->is_string() || !Date::Parse(it->get<std::string>())) {
      return Error::Invalid("until", "must be a date YYYY-MM-DD or null (until lifted)");
    }
    until = Date::Parse(it->get<std::string>());
    if (*until < today) return Error::Invalid("until", "must be today or later");
  }
  const Timestamp now = env_.clock.Now();
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto t = Load(repo, actor, id);
    if (!t.ok()) return t.error();
    store::LoyaltyState& s = t->state;
    if (s.tier_code.empty()) {
      return Error::Unprocessable("the member has no tier to hold", "member_id");
    }
    auto& l = repo.loyalty();
    const std::string why =
        fmt::format("店长保级{}：{}", until ? "至 " + until->ToString() : "（至解除）", *reason);
    l.AppendTierChange({0, id, now, "hold", s.tier_code, s.tier_code, why, actor.user_id});
    if (s.downgrade_warned_on || s.downgrade_effective_on) {
      l.AppendTierChange({0, id, now, "downgrade_cancelled", s.tier_code, s.tier_code,
                          "店长保级：" + *reason, actor.user_id});
      s.downgrade_warned_on.reset();
      s.downgrade_effective_on.reset();
    }
    s.hold_until = until;
    s.hold_reason = *reason;
    VIPCARE_TRY(Save(l, s));
    RecordAudit(repo, env_, actor, "tier_hold", "member", std::to_string(id.value),
                fmt::format("tier={} until={}", s.tier_code, until ? until->ToString() : "lifted"));
    return StateJson(t->program, s);
  });
}

Result<json> TierAdmin::ReleaseHold(const Actor& actor, MemberId id, const std::string& reason) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberAdmin));
  auto checked = Reason(reason);
  if (!checked.ok()) return checked.error();
  const Timestamp now = env_.clock.Now();
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto t = Load(repo, actor, id);
    if (!t.ok()) return t.error();
    store::LoyaltyState& s = t->state;
    if (s.hold_reason.empty()) {
      return Error::Unprocessable("the member's tier is not held", "member_id");
    }
    auto& l = repo.loyalty();
    l.AppendTierChange({0, id, now, "hold_released", s.tier_code, s.tier_code,
                        "解除保级：" + reason, actor.user_id});
    s.hold_until.reset();
    s.hold_reason.clear();
    VIPCARE_TRY(Save(l, s));
    RecordAudit(repo, env_, actor, "tier_hold_release", "member", std::to_string(id.value),
                "tier=" + s.tier_code);
    return StateJson(t->program, s);
  });
}

Result<json> TierAdmin::OverrideTier(const Actor& actor, MemberId id, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberAdmin));
  VIPCARE_TRY(OnlyFields(body, {"tier", "reason"}, "a tier override"));
  auto code = TextField(body, "tier", 64, true);
  if (!code.ok()) return code.error();
  auto reason = ReasonField(body);
  if (!reason.ok()) return reason.error();
  const Date today = env_.Today();
  const Timestamp now = env_.clock.Now();
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto t = Load(repo, actor, id);
    if (!t.ok()) return t.error();
    const domain::Program& p = t->program;
    auto to = domain::FindTier(p, *code);
    if (!to) {
      return Error::Invalid("tier",
                            fmt::format("\"{}\" is not a tier of the program {}", *code, p.code));
    }
    store::LoyaltyState& s = t->state;
    if (s.tier_code == *code) {
      return Error::Unprocessable("the member already has that tier", "tier");
    }
    auto& l = repo.loyalty();
    const std::string from = s.tier_code;
    l.AppendTierChange(
        {0, id, now, "override", from, *code, "店长调整等级：" + *reason, actor.user_id});
    if (s.downgrade_warned_on || s.downgrade_effective_on) {
      l.AppendTierChange({0, id, now, "downgrade_cancelled", from, from, "店长调整等级：" + *reason,
                          actor.user_id});
      s.downgrade_warned_on.reset();
      s.downgrade_effective_on.reset();
    }
    if (!s.pending_tier.empty()) {
      auto pending = domain::FindTier(p, s.pending_tier);
      if (!pending || *pending <= *to) {
        s.pending_tier.clear();
        s.pending_reason.clear();
      }
    }
    s.tier_code = *code;
    s.tier_since = today;
    VIPCARE_TRY(Save(l, s));
    RecordAudit(repo, env_, actor, "tier_override", "member", std::to_string(id.value),
                fmt::format("from={} to={}", from.empty() ? "none" : from, *code));
    return StateJson(p, s);
  });
}

Result<Placement> PlaceOnProgram(store::LoyaltyRepository& l, store::LoyaltyState& s,
                                 const domain::Program& from, const std::string& from_code,
                                 const domain::Program& to, const domain::Metrics& metrics,
                                 Timestamp now, Date today, UserId actor) {
  // The tier is kept when the new program has its code; otherwise the member
  // starts on the new ladder from their record, as a first evaluation would.
  const std::string old_tier = s.tier_code;
  const bool keeps_tier = !old_tier.empty() && domain::FindTier(to, old_tier).has_value();
  auto decision = domain::DecideUpgrade(to, metrics, keeps_tier ? old_tier : "");
  if (!decision.ok()) return decision.error();
  Placement out;
  std::string tier = keeps_tier ? old_tier : "";
  std::string why;
  if (decision->immediate) {
    tier = to.tiers[decision->immediate->tier].code;
    why = decision->immediate->reason;
  }
  const std::string change =
      fmt::format("积分方案由「{}」改为「{}」", from.name, to.name) +
      (tier == old_tier ? "，等级不变" : why.empty() ? "，新方案下暂无等级" : "：" + why);
  l.AppendTierChange({0, s.member_id, now, "program_change", old_tier, tier, change, actor,
                      from_code});
  if (tier != old_tier) {
    out.tier_changed = true;
    s.tier_code = tier;
    s.tier_since = tier.empty() ? std::nullopt : std::optional<Date>(today);
    s.hold_until.reset();
    s.hold_reason.clear();
    if (s.downgrade_warned_on || s.downgrade_effective_on) {
      l.AppendTierChange(
          {0, s.member_id, now, "downgrade_cancelled", tier, tier, change, actor});
    }
    s.downgrade_warned_on.reset();
    s.downgrade_effective_on.reset();
  }
  // An approval queued under the old program waits only if the new one has
  // that tier above the member's; the new ladder may queue its own.
  if (!s.pending_tier.empty()) {
    auto pending = domain::FindTier(to, s.pending_tier);
    auto now_at = domain::FindTier(to, s.tier_code);
    if (!pending || (now_at && *pending <= *now_at)) {
      s.pending_tier.clear();
      s.pending_reason.clear();
    }
  }
  if (decision->needs_approval) {
    const std::string queued = to.tiers[decision->needs_approval->tier].code;
    if (s.pending_tier != queued) {
      l.AppendTierChange({0, s.member_id, now, "approval_queued", s.tier_code, queued,
                          decision->needs_approval->reason, actor});
      s.pending_tier = queued;
      s.pending_reason = decision->needs_approval->reason;
      s.pending_since = now;
      out.queued = true;
    }
  }
  return out;
}

Result<bool> MoveToProgram(store::Repository& repo, const Env& env, const Actor& actor,
                           MemberId id, const std::string& code, Date today) {
  auto& l = repo.loyalty();
  store::LoyaltyState s = StateOf(l, id);
  if (s.version > 0 && s.program_code == code) return false;
  // The program left by its code, the company's too: "" would read as the
  // company's program of the day the history is read.
  const std::string from_code = s.program_code.empty() ? CompanyProgramCode(l) : s.program_code;
  const domain::Program from = ProgramOf(l, s);
  s.program_code = code;
  const domain::Program to = ProgramOf(l, s);
  auto metrics = domain::ComputeMetrics(to, ActivityOf(l, s, today), today);
  if (!metrics.ok()) throw std::runtime_error("monthly buckets: " + metrics.error().message);
  auto placed =
      PlaceOnProgram(l, s, from, from_code, to, *metrics, env.clock.Now(), today, actor.user_id);
  if (!placed.ok()) return placed.error();
  if (!l.SaveLoyaltyState(s)) {
    return Error::Conflict("the member's tier changed at the same time; reload and retry",
                           "program_id");
  }
  RecordAudit(repo, env, actor, "member_program", "member", std::to_string(id.value),
              fmt::format("from={} to={} tier={}", from.code, to.code,
                          s.tier_code.empty() ? "none" : s.tier_code));
  return true;
}

}  // namespace vipcare::service
