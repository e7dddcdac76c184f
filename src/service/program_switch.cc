#include "service/program_switch.h"

#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

#include "domain/tiers.h"
#include "service/audit.h"
#include "service/loyalty_core.h"
#include "service/member_batch.h"
#include "service/tier_admin.h"

namespace vipcare::service {

using nlohmann::json;

namespace {

// A batch that met a posting changing one of its members is run again.
constexpr int kAttempts = 5;

Error Changed() {
  return Error::Conflict("a member's loyalty state changed during the program switch",
                         "member_id");
}

}  // namespace

Result<json> FinishProgramSwitch(const Env& env, const Actor& actor, Date today, int64_t batch) {
  std::map<std::string, int64_t> total;
  std::optional<store::ProgramSwitch> seen;
  MemberBatch members;
  for (bool done = false; !done;) {
    std::map<std::string, int64_t> counts;
    Status st = OkStatus();
    for (int attempt = 1; attempt <= kAttempts; ++attempt) {
      counts.clear();
      st = env.store.Write([&](store::Repository& repo) -> Status {
        auto& l = repo.loyalty();
        auto sw = l.PendingProgramSwitch();
        if (!sw) {
          done = true;
          return OkStatus();
        }
        if (!seen) seen = sw;
        auto ids = repo.loyalty_jobs().LoyaltyMembersAfter(store::LoyaltyWalk::kFollowers,
                                                           sw->after, batch);
        if (ids.empty()) {
          l.ClearPendingProgramSwitch();
          done = true;
          return OkStatus();
        }
        const domain::Program from = loyalty_core::LoadProgram(l, sw->from_code);
        const domain::Program to = loyalty_core::LoadProgram(l, sw->to_code);
        const Timestamp now = env.clock.Now();
        members.Read(repo.reports().db(), ids, today);
        for (auto& [state, months] : members.members()) {
          store::LoyaltyState& s = *state;
          auto metrics = MetricsFrom(s, months, to, today);
          if (!metrics) {
            counts["members_skipped"] += 1;
            continue;
          }
          // A follower without a tier (or one waiting) is placed only when
          // the new ladder gives them one at once or queues one; otherwise
          // nothing about them changes and nothing is written.
          const bool untiered = s.tier_code.empty() && s.pending_tier.empty();
          if (untiered) {
            counts["untiered_checked"] += 1;
            auto first = domain::DecideUpgrade(to, *metrics, "");
            if (!first.ok()) return first.error();
            if (!first->immediate && !first->needs_approval) continue;
          }
          auto placed = PlaceOnProgram(l, s, from, sw->from_code, to, *metrics, now, today,
                                       actor.user_id);
          if (!placed.ok()) return placed.error();
          if (!l.SaveLoyaltyState(s)) return Changed();
          counts["members"] += 1;
          // A member without a tier who is only queued kept nothing.
          if (placed->tier_changed) {
            counts["tier_changed"] += 1;
          } else if (!untiered) {
            counts["tier_kept"] += 1;
          }
          if (placed->queued) counts["approval_queued"] += 1;
        }
        RecordAudit(repo, env, actor, "program_switch", "program", sw->to_code,
                    fmt::format("from={} members={}..{} placed={} changed={} queued={}",
                                sw->from_code, ids.front().value, ids.back().value,
                                counts["members"], counts["tier_changed"],
                                counts["approval_queued"]));
        sw->after = ids.back();
        l.SetPendingProgramSwitch(*sw);
        return OkStatus();
      });
      if (st.ok() || !(st.error().code == ErrorCode::kConflict && st.error().field == "member_id")) {
        break;
      }
    }
    if (!st.ok()) return st.error();
    for (const auto& [k, v] : counts) total[k] += v;
  }
  if (!seen) return json(nullptr);
  json out{{"from", seen->from_code}, {"to", seen->to_code}, {"finished", true}};
  for (const char* key :
       {"members", "tier_kept", "tier_changed", "approval_queued", "members_skipped",
        "untiered_checked"}) {
    out[key] = total[key];
  }
  return out;
}

}  // namespace vipcare::service
