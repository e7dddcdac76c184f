#include "service/churn_job.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "domain/churn.h"
#include "service/access.h"
#include "service/loyalty_core.h"
#include "store/reports/churn.h"

namespace vipcare::service {
namespace {

using nlohmann::json;
namespace sr = store::reports;

// The stored form of a member's score on `day`.
sr::StoredChurn Stored(MemberId id, Date day, const domain::ChurnScore& s) {
  json texts = json::array();
  for (const auto& r : s.reasons) texts.push_back(r.text);
  sr::StoredChurn out;
  out.member_id = id;
  out.day = day;
  out.score = s.score;
  out.level = std::string(domain::ChurnLevelCode(s.level));
  out.reason_bits = s.reason_bits();
  out.reasons = texts.dump();
  return out;
}

bool SameScore(const sr::StoredChurn& a, const sr::StoredChurn& b) {
  return a.score == b.score && a.level == b.level && a.reason_bits == b.reason_bits &&
         a.reasons == b.reasons;
}

}  // namespace

Status ChurnJob::RunDay(const Actor& actor, Date day, std::map<std::string, int64_t>& counts) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  // The buckets of the 12 months ending with the day's month: the recent and
  // previous six-month windows (domain::ChurnInputsFrom).
  const int64_t from_month =
      loyalty_core::YearMonth(Date::FromYmd(day.year(), day.month(), 1).AddMonths(-11));
  MemberId after;
  for (;;) {
    size_t seen = 0;
    MemberId last;
    std::map<std::string, int64_t> batch_counts;
    auto st = env_.store.Write([&](store::Repository& repo) -> Status {
      batch_counts.clear();
      auto& r = repo.reports();
      const auto members = sr::ChurnCandidatesAfter(r, after, batch_size_);
      seen = members.size();
      if (members.empty()) {
        sr::DeleteChurnScoresAfter(r, after);
        return OkStatus();
      }
      last = members.back().id;
      const auto months = sr::ChurnMonthsBetween(r, members.front().id, last, from_month);
      const auto stored = sr::ChurnScoresBetween(r, after, last);
      std::vector<sr::StoredChurn> changed;
      std::vector<MemberId> gone;
      std::vector<domain::MonthlyBucket> buckets;
      size_t mi = 0, si = 0;  // both lists are in member id order, like `members`
      for (const auto& m : members) {
        buckets.clear();
        while (mi < months.size() && months[mi].member < m.id) ++mi;
        for (; mi < months.size() && months[mi].member == m.id; ++mi) {
          buckets.push_back(months[mi].bucket);
        }
        for (; si < stored.size() && stored[si].member_id < m.id; ++si) {
          gone.push_back(stored[si].member_id);
        }
        const sr::StoredChurn* before =
            si < stored.size() && stored[si].member_id == m.id ? &stored[si++] : nullptr;

        auto in = domain::ChurnInputsFrom(buckets, m.last_purchase_on, day);
        if (!in) continue;
        in->downgrade_pending = m.downgrade_pending;
        // SPEC S1 complaints and S2 NPS do not exist yet: open_complaints and
        // detractor stay 0 / false (docs/CHURN.md).
        const domain::ChurnScore score = domain::ScoreChurn(*in);
        batch_counts["churn_scored"] += 1;
        if (score.level == domain::ChurnLevel::kHigh) batch_counts["churn_high"] += 1;

        sr::StoredChurn row = Stored(m.id, day, score);
        if (before && SameScore(*before, row)) continue;
        if (before) {
          // Run again on the same day (after an interruption), the change
          // still counts from the score the day started with.
          row.previous_score =
              before->day == day ? before->previous_score : std::optional<int>(before->score);
        }
        changed.push_back(std::move(row));
      }
      for (; si < stored.size(); ++si) gone.push_back(stored[si].member_id);
      sr::SaveChurnScores(r, changed);
      sr::DeleteChurnScores(r, gone);
      if (seen < size_t(batch_size_)) sr::DeleteChurnScoresAfter(r, last);
      batch_counts["churn_changed"] += int64_t(changed.size());
      return OkStatus();
    });
    if (!st.ok()) return st.error();
    for (const auto& [k, v] : batch_counts) counts[k] += v;
    if (seen < size_t(batch_size_)) return OkStatus();
    after = last;
  }
}

}  // namespace vipcare::service
