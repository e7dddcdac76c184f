// src/service/member_batch.h
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/types.h"
#include "domain/program.h"
#include "domain/tiers.h"
#include "store/db.h"
#include "store/loyalty_repository.h"

namespace vipcare::service {

// The first month of the buckets the metrics on `day` read (kMaxBuckets
// calendar months ending with the day's month).
int64_t FirstMonth(Date day);

// The member's L6 metrics on `day` from their state and monthly buckets
// (`months`: theirs from FirstMonth(day) on, in any order; a month after the
// day's, a sale dated after `day` under run-jobs --date, is left out),
// with their rank: what loyalty_core::ActivityOf gives, from buckets already
// read. nullopt if their monthly figures do not add up, and then the jobs
// leave the member alone (counted as members_skipped) rather than stop the
// whole schedule for everyone.
std::optional<domain::Metrics> MetricsFrom(const store::LoyaltyState& s,
                                           std::span<const store::MonthBucket> months,
                                           const domain::Program& p, Date day);

// MetricsFrom for one member, reading their buckets.
std::optional<domain::Metrics> MetricsOf(store::LoyaltyRepository& l, const store::LoyaltyState& s,
                                         const domain::Program& p, Date day);

// A batch of members as the daily jobs and a company program switch read
// them: their states and the buckets the metrics on the day read, a few
// statements per batch instead of two per member. A walk keeps one and
// refills it batch after batch, reusing its memory.
class MemberBatch {
 public:
  struct Member {
    store::LoyaltyState* state;
    std::span<const store::MonthBucket> months;  // from FirstMonth(day) on
  };

  // Reads `ids` (in increasing order, as the walks give them) for `day`;
  // members() is then theirs, in member id order, without those who have no
  // state. Ids close together (the usual batch: most members of a walk are
  // next to each other) are read with one range scan per table, and the rows
  // of members between them that are not in the batch are dropped; scattered
  // ids key by key, a few hundred per statement.
  void Read(store::Db& db, const std::vector<MemberId>& ids, Date day);

  std::vector<Member>& members() { return members_; }

 private:
  std::vector<store::LoyaltyState> states_;
  std::vector<store::MonthBucket> months_;
  std::vector<Member> members_;
};

}  // namespace vipcare::service
