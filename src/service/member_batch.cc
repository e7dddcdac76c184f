#include "service/member_batch.h"

#include <algorithm>
#include <iterator>

#include "service/loyalty_core.h"
#include "store/bulk_import.h"

namespace vipcare::service {

using loyalty_core::YearMonth;

int64_t FirstMonth(Date day) { return YearMonth(day.AddMonths(-int(domain::kMaxBuckets) + 1)); }

std::optional<domain::Metrics> MetricsFrom(const store::LoyaltyState& s,
                                           std::span<const store::MonthBucket> months,
                                           const domain::Program& p, Date day) {
  domain::MemberActivity a;
  loyalty_core::FillActivity(s, months, day, a);
  auto m = domain::ComputeMetrics(p, a, day);
  if (!m.ok()) return std::nullopt;
  return *m;
}

std::optional<domain::Metrics> MetricsOf(store::LoyaltyRepository& l, const store::LoyaltyState& s,
                                         const domain::Program& p, Date day) {
  return MetricsFrom(s, l.ListMonths(s.member_id, FirstMonth(day)), p, day);
}

void MemberBatch::Read(store::Db& db, const std::vector<MemberId>& ids, Date day) {
  states_.clear();
  months_.clear();
  members_.clear();
  if (ids.empty()) return;
  const int64_t from_month = FirstMonth(day);
  if (ids.back().value - ids.front().value < 2 * int64_t(ids.size())) {
    store::bulk::LoyaltyStatesBetween(db, ids.front(), ids.back(), states_);
    store::bulk::MonthsBetween(db, ids.front(), ids.back(), from_month, months_);
  } else {
    std::vector<int64_t> keys;
    keys.reserve(ids.size());
    for (MemberId id : ids) keys.push_back(id.value);
    auto states = store::bulk::LoyaltyStates(db, keys);
    states_.insert(states_.end(), std::make_move_iterator(states.begin()),
                   std::make_move_iterator(states.end()));
    std::sort(states_.begin(), states_.end(),
              [](const store::LoyaltyState& a, const store::LoyaltyState& b) {
                return a.member_id.value < b.member_id.value;
              });
    auto months = store::bulk::Months(db, keys, from_month);
    months_.insert(months_.end(), months.begin(), months.end());
    std::stable_sort(months_.begin(), months_.end(),
                     [](const store::MonthBucket& a, const store::MonthBucket& b) {
                       return a.member_id.value < b.member_id.value;
                     });
  }
  // States, ids and buckets are all in member id order now: one merge.
  size_t next_id = 0, next_month = 0;
  for (auto& s : states_) {
    const int64_t member = s.member_id.value;
    while (next_id < ids.size() && ids[next_id].value < member) ++next_id;
    if (next_id == ids.size()) break;
    if (ids[next_id].value != member) continue;  // between the batch's members
    while (next_month < months_.size() && months_[next_month].member_id.value < member) {
      ++next_month;
    }
    const size_t first = next_month;
    while (next_month < months_.size() && months_[next_month].member_id.value == member) {
      ++next_month;
    }
    members_.push_back({&s, std::span(months_).subspan(first, next_month - first)});
  }
}

}  // namespace vipcare::service
