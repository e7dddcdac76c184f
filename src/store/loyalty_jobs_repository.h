// src/store/loyalty_jobs_repository.h
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/types.h"
#include "store/db.h"
#include "store/page.h"

namespace vipcare::store {

// One job of the daily schedule for one day (`vipcare run-jobs`). A run is
// claimed ("running", with an owner token, started_at and a heartbeat)
// before it starts and marked "done" with its summary when it ends, so two
// instances never run the same job for the same day at once (D2), and a run
// that died is taken over once its heartbeat is stale.
struct JobRun {
  std::string job;
  Date day;
  std::string status;  // "running" or "done"
  std::string owner;
  Timestamp started_at{};           // claimed (ran_at - started_at: how long it ran)
  std::optional<Timestamp> ran_at;  // finished
  std::string summary;              // JSON, when done
};

// Something the daily jobs found that a member should be told about, for the
// care engine to turn into a task or a message (SPEC C1 "points about to
// expire", "upcoming downgrade"). One per member, kind and occasion.
struct LoyaltyNotice {
  int64_t id = 0;
  MemberId member_id;
  // "points_expiry", "downgrade_warning", "downgrade", "became_formal"
  std::string kind;
  std::string occasion;  // what makes it unique per member: a day "YYYY-MM-DD"
  Date due_on;           // when the member should hear of it
  std::string detail;    // JSON, see service/loyalty_jobs.h
  Timestamp created_at{};
};

// A member's points that expire on one day (L4).
struct ExpiringPoints {
  MemberId member_id;
  Date expires_on;
  Points points{0};
};

// A member's paid spend over a window of months, for the L6 rank rules.
struct MemberSpend {
  MemberId member_id;
  Fen spend{0};
};

// Which members a walk over member_loyalty visits.
enum class LoyaltyWalk {
  kAll,     // every member with a loyalty state
  kTiered,  // members with a tier
  kRanked,  // members with a rank percentile
  kFollowers,  // members who follow the company's program (with a tier or not)
};

// Persistence of the loyalty engine's daily schedule (SPEC L4, L6, L7, M4,
// `vipcare run-jobs`): which job ran for which day, the notices it left for
// the care engine, and the member batches it walks. Inside the transaction of
// the Repository that hands it out (Repository::loyalty_jobs()); constraint
// violations throw DbError. Not thread-safe.
class LoyaltyJobsRepository {
 public:
  virtual ~LoyaltyJobsRepository() = default;

  // ---- job runs ----
  virtual std::optional<JobRun> GetJobRun(const std::string& job, Date day) = 0;
  // Claims (job, day) for `owner`: true if there was no run yet, or a
  // "running" one whose heartbeat is older than `stale_before` (taken over).
  // False if it is done or another owner is running it.
  virtual bool ClaimJobRun(const std::string& job, Date day, const std::string& owner,
                           Timestamp now, Timestamp stale_before) = 0;
  // Moves the heartbeat of `owner`'s running claim to `now`; false if the
  // claim is no longer `owner`'s (taken over after a stall).
  virtual bool TouchJobRun(const std::string& job, Date day, const std::string& owner,
                           Timestamp now) = 0;
  // Marks `owner`'s claim done with its summary; false if it is not theirs.
  virtual bool FinishJobRun(const std::string& job, Date day, const std::string& owner,
                            Timestamp now, const std::string& summary) = 0;
  // Drops `owner`'s unfinished claim (the run failed), so the next run may
  // start at once.
  virtual void ReleaseJobRun(const std::string& job, Date day, const std::string& owner) = 0;
  // The latest day `job` is done for, if any.
  virtual std::optional<Date> LastDoneDay(const std::string& job) = 0;

  // ---- member walks ----
  // Up to `limit` member ids after `after` (0 = from the start), in id order;
  // closed, merged and erased files are left out.
  virtual std::vector<MemberId> LoyaltyMembersAfter(LoyaltyWalk walk, MemberId after,
                                                    int64_t limit) = 0;
  // Members with a loyalty state whose file has `status` (e.g. "temporary"),
  // after `after`, in id order, up to `limit`.
  virtual std::vector<MemberId> MembersWithStatusAfter(const std::string& status, MemberId after,
                                                       int64_t limit) = 0;

  // ---- points (L4) ----
  // Points of members `first`..`last` (inclusive) in open lots whose last
  // valid day is in [from, to], summed per member and expiry day, in member
  // and day order.
  virtual std::vector<ExpiringPoints> PointsExpiringBetween(MemberId first, MemberId last,
                                                            Date from, Date to) = 0;

  // ---- rank (L6) ----
  // Every member's paid spend in months [from_month, to_month] (yyyymm) where
  // it is positive, highest first, then by member id; closed, merged and
  // erased files are left out.
  virtual std::vector<MemberSpend> SpendByMember(int64_t from_month, int64_t to_month) = 0;
  // Members with a rank percentile now, with it, in member id order.
  virtual std::vector<std::pair<MemberId, int>> RankedMembers() = 0;
  // Members on a program of their own (member_loyalty.program_code not
  // ""), with its code, in member id order: the rank job ranks each
  // program's members among themselves.
  virtual std::vector<std::pair<MemberId, std::string>> MembersOnOwnPrograms() = 0;
  // Sets (or clears) a member's rank percentile and bumps the state's
  // version, so a concurrent save of stale state fails instead of undoing it.
  // False if the member has no loyalty state.
  virtual bool SetRankPercentile(MemberId member, std::optional<int> percentile) = 0;

  // ---- notices ----
  // Inserts the notice unless the member already has one of that kind for
  // that occasion; true if inserted (n.id is then set).
  virtual bool InsertNotice(LoyaltyNotice& n) = 0;
  virtual std::optional<LoyaltyNotice> FindNotice(MemberId member, const std::string& kind,
                                                  const std::string& occasion) = 0;
  // Notices of `kind` due on days in [from, to], by due day then id: what the
  // care engine reads each day.
  virtual PageOf<LoyaltyNotice> ListNotices(const std::string& kind, Date from, Date to,
                                            Page page) = 0;
  // A member's notices, newest first.
  virtual std::vector<LoyaltyNotice> MemberNotices(MemberId member) = 0;
};

// The SQL implementation over `db` (SQLite and PostgreSQL alike).
std::unique_ptr<LoyaltyJobsRepository> MakeSqlLoyaltyJobsRepository(Db& db);

}  // namespace vipcare::store
