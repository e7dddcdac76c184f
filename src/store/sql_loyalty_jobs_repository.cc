// The SQL implementation of LoyaltyJobsRepository, shared by SQLite and
// PostgreSQL. Every statement is a named constant with `?` parameters.
#include "store/loyalty_jobs_repository.h"

namespace vipcare::store {
namespace {

// ---- job runs ----
constexpr std::string_view kGetJobRun =
    "SELECT job, day, status, owner, started_at, ran_at, summary FROM loyalty_job_runs "
    "WHERE job = ? AND day = ?";
constexpr std::string_view kInsertJobRun =
    "INSERT INTO loyalty_job_runs (job, day, status, owner, started_at, heartbeat_at) "
    "VALUES (?, ?, 'running', ?, ?, ?) ON CONFLICT (job, day) DO NOTHING";
constexpr std::string_view kTakeOverJobRun =
    "UPDATE loyalty_job_runs SET owner = ?, started_at = ?, heartbeat_at = ? "
    "WHERE job = ? AND day = ? AND status = 'running' "
    "AND COALESCE(heartbeat_at, started_at) < ?";
constexpr std::string_view kTouchJobRun =
    "UPDATE loyalty_job_runs SET heartbeat_at = ? "
    "WHERE job = ? AND day = ? AND status = 'running' AND owner = ?";
constexpr std::string_view kFinishJobRun =
    "UPDATE loyalty_job_runs SET status = 'done', ran_at = ?, summary = ? "
    "WHERE job = ? AND day = ? AND status = 'running' AND owner = ?";
constexpr std::string_view kReleaseJobRun =
    "DELETE FROM loyalty_job_runs WHERE job = ? AND day = ? AND status = 'running' AND owner = ?";
constexpr std::string_view kLastDoneDay =
    "SELECT MAX(day) FROM loyalty_job_runs WHERE job = ? AND status = 'done'";

// ---- member walks ----
// Closed, merged and erased files are never walked: nobody is warned,
// reviewed or ranked after their file has ended.
// The ended files are few and listed by the members_ended partial index
// (migration 7): no probe into the wide members rows per member walked
// (0.83 s -> 0.30 s for a walk over 1M members).
#define VIPCARE_OPEN_MEMBERS                                                      \
  "SELECT l.member_id FROM member_loyalty l WHERE l.member_id NOT IN "            \
  "(SELECT id FROM members WHERE status IN ('closed', 'merged', 'erased')) "      \
  "AND l.member_id > ? "
constexpr std::string_view kAllMembersAfter = VIPCARE_OPEN_MEMBERS "ORDER BY l.member_id LIMIT ?";
constexpr std::string_view kTieredMembersAfter =
    VIPCARE_OPEN_MEMBERS "AND l.tier_code <> '' ORDER BY l.member_id LIMIT ?";
constexpr std::string_view kRankedMembersAfter =
    VIPCARE_OPEN_MEMBERS "AND l.rank_percentile IS NOT NULL ORDER BY l.member_id LIMIT ?";
// `l.program_code || ''` (PostgreSQL has no unary + for text): walked in
// member order, not through member_loyalty_tier (whose '' entries are nearly
// every member: sorted again for each batch, a switch over 1,000,000 members
// took 8 minutes instead of seconds).
constexpr std::string_view kFollowersAfter =
    VIPCARE_OPEN_MEMBERS "AND l.program_code || '' = '' ORDER BY l.member_id LIMIT ?";
constexpr std::string_view kMembersWithStatusAfter =
    "SELECT l.member_id FROM member_loyalty l JOIN members m ON m.id = l.member_id "
    "WHERE m.status = ? AND l.member_id > ? ORDER BY l.member_id LIMIT ?";
#undef VIPCARE_OPEN_MEMBERS

// ---- points ----
constexpr std::string_view kPointsExpiringBetween =
    "SELECT member_id, expires_on, SUM(remaining) FROM points_lots "
    "WHERE member_id >= ? AND member_id <= ? AND remaining > 0 AND expires_on >= ? "
    "AND expires_on <= ? GROUP BY member_id, expires_on ORDER BY member_id, expires_on";

// ---- rank ----
// `+mm.month`: summed in the table's member order, not member_months_month's.
constexpr std::string_view kSpendByMember =
    "SELECT mm.member_id, SUM(mm.spend) AS total FROM member_months mm "
    "JOIN members m ON m.id = mm.member_id WHERE m.status NOT IN ('closed', 'merged', 'erased') "
    "AND +mm.month >= ? AND +mm.month <= ? GROUP BY mm.member_id HAVING SUM(mm.spend) > 0 "
    "ORDER BY total DESC, mm.member_id";
constexpr std::string_view kRankedMembers =
    "SELECT member_id, rank_percentile FROM member_loyalty WHERE rank_percentile IS NOT NULL "
    "ORDER BY member_id";
constexpr std::string_view kMembersOnOwnPrograms =
    "SELECT member_id, program_code FROM member_loyalty WHERE program_code > '' "
    "ORDER BY member_id";
constexpr std::string_view kSetRankPercentile =
    "UPDATE member_loyalty SET rank_percentile = ?, version = version + 1 WHERE member_id = ?";

// ---- notices ----
constexpr std::string_view kInsertNotice =
    "INSERT INTO loyalty_notices (member_id, kind, occasion, due_on, detail, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (member_id, kind, occasion) DO NOTHING RETURNING id";
#define VIPCARE_NOTICE_COLUMNS \
  "SELECT id, member_id, kind, occasion, due_on, detail, created_at FROM loyalty_notices "
constexpr std::string_view kFindNotice =
    VIPCARE_NOTICE_COLUMNS "WHERE member_id = ? AND kind = ? AND occasion = ?";
constexpr std::string_view kListNotices = VIPCARE_NOTICE_COLUMNS
    "WHERE kind = ? AND due_on >= ? AND due_on <= ? ORDER BY due_on, id LIMIT ? OFFSET ?";
constexpr std::string_view kMemberNotices =
    VIPCARE_NOTICE_COLUMNS "WHERE member_id = ? ORDER BY id DESC";
#undef VIPCARE_NOTICE_COLUMNS
constexpr std::string_view kCountNotices =
    "SELECT COUNT(*) FROM loyalty_notices WHERE kind = ? AND due_on >= ? AND due_on <= ?";

Date ReadDay(const Row& r, size_t i) { return Date::Parse(r.Text(i)).value_or(Date()); }

JobRun ReadJobRun(const Row& r) {
  JobRun j;
  j.job = r.Text(0);
  j.day = ReadDay(r, 1);
  j.status = r.Text(2);
  j.owner = r.Text(3);
  j.started_at = FromEpochSeconds(r.Int(4));
  if (!r.IsNull(5)) j.ran_at = FromEpochSeconds(r.Int(5));
  j.summary = r.Text(6);
  return j;
}

LoyaltyNotice ReadNotice(const Row& r) {
  return {r.Int(0),  MemberId(r.Int(1)),        r.Text(2), r.Text(3), ReadDay(r, 4),
          r.Text(5), FromEpochSeconds(r.Int(6))};
}

class SqlLoyaltyJobsRepository final : public LoyaltyJobsRepository {
 public:
  explicit SqlLoyaltyJobsRepository(Db& db) : db_(db) {}

  std::optional<JobRun> GetJobRun(const std::string& job, Date day) override {
    auto r = db_.QueryOne(kGetJobRun, {job, day.ToString()});
    if (!r) return std::nullopt;
    return ReadJobRun(*r);
  }

  bool ClaimJobRun(const std::string& job, Date day, const std::string& owner, Timestamp now,
                   Timestamp stale_before) override {
    const int64_t at = ToEpochSeconds(now);
    if (db_.Exec(kInsertJobRun, {job, day.ToString(), owner, at, at}) == 1) return true;
    return db_.Exec(kTakeOverJobRun, {owner, at, at, job, day.ToString(),
                                      ToEpochSeconds(stale_before)}) == 1;
  }

  bool TouchJobRun(const std::string& job, Date day, const std::string& owner,
                   Timestamp now) override {
    return db_.Exec(kTouchJobRun, {ToEpochSeconds(now), job, day.ToString(), owner}) == 1;
  }

  bool FinishJobRun(const std::string& job, Date day, const std::string& owner, Timestamp now,
                    const std::string& summary) override {
    return db_.Exec(kFinishJobRun, {ToEpochSeconds(now), summary, job, day.ToString(), owner}) == 1;
  }

  void ReleaseJobRun(const std::string& job, Date day, const std::string& owner) override {
    db_.Exec(kReleaseJobRun, {job, day.ToString(), owner});
  }

  std::optional<Date> LastDoneDay(const std::string& job) override {
    auto r = db_.QueryOne(kLastDoneDay, {job});
    if (!r || r->IsNull(0)) return std::nullopt;
    return Date::Parse(r->Text(0));
  }

  std::vector<MemberId> LoyaltyMembersAfter(LoyaltyWalk walk, MemberId after,
                                            int64_t limit) override {
    std::string_view sql = kAllMembersAfter;
    if (walk == LoyaltyWalk::kTiered) sql = kTieredMembersAfter;
    if (walk == LoyaltyWalk::kRanked) sql = kRankedMembersAfter;
    if (walk == LoyaltyWalk::kFollowers) sql = kFollowersAfter;
    std::vector<MemberId> out;
    for (const auto& r : db_.Query(sql, {after.value, limit})) out.emplace_back(r.Int(0));
    return out;
  }

  std::vector<MemberId> MembersWithStatusAfter(const std::string& status, MemberId after,
                                               int64_t limit) override {
    std::vector<MemberId> out;
    for (const auto& r : db_.Query(kMembersWithStatusAfter, {status, after.value, limit})) {
      out.emplace_back(r.Int(0));
    }
    return out;
  }

  std::vector<ExpiringPoints> PointsExpiringBetween(MemberId first, MemberId last, Date from,
                                                    Date to) override {
    std::vector<ExpiringPoints> out;
    for (const auto& r : db_.Query(kPointsExpiringBetween,
                                   {first.value, last.value, from.ToString(), to.ToString()})) {
      out.push_back({MemberId(r.Int(0)), ReadDay(r, 1), Points(r.Int(2))});
    }
    return out;
  }

  std::vector<MemberSpend> SpendByMember(int64_t from_month, int64_t to_month) override {
    std::vector<MemberSpend> out;
    for (const auto& r : db_.Query(kSpendByMember, {from_month, to_month})) {
      out.push_back({MemberId(r.Int(0)), Fen(r.Int(1))});
    }
    return out;
  }

  std::vector<std::pair<MemberId, int>> RankedMembers() override {
    std::vector<std::pair<MemberId, int>> out;
    for (const auto& r : db_.Query(kRankedMembers)) {
      out.emplace_back(MemberId(r.Int(0)), int(r.Int(1)));
    }
    return out;
  }
  std::vector<std::pair<MemberId, std::string>> MembersOnOwnPrograms() override {
    std::vector<std::pair<MemberId, std::string>> out;
    for (const auto& r : db_.Query(kMembersOnOwnPrograms)) {
      out.emplace_back(MemberId(r.Int(0)), r.Text(1));
    }
    return out;
  }

  bool SetRankPercentile(MemberId member, std::optional<int> percentile) override {
    return db_.Exec(kSetRankPercentile,
                    {percentile ? Value(int64_t(*percentile)) : Value(), member.value}) == 1;
  }

  bool InsertNotice(LoyaltyNotice& n) override {
    auto r =
        db_.QueryOne(kInsertNotice, {n.member_id.value, n.kind, n.occasion, n.due_on.ToString(),
                                     n.detail, ToEpochSeconds(n.created_at)});
    if (!r) return false;
    n.id = r->Int(0);
    return true;
  }

  std::optional<LoyaltyNotice> FindNotice(MemberId member, const std::string& kind,
                                          const std::string& occasion) override {
    auto r = db_.QueryOne(kFindNotice, {member.value, kind, occasion});
    if (!r) return std::nullopt;
    return ReadNotice(*r);
  }

  PageOf<LoyaltyNotice> ListNotices(const std::string& kind, Date from, Date to,
                                    Page page) override {
    PageOf<LoyaltyNotice> out;
    for (const auto& r :
         db_.Query(kListNotices, {kind, from.ToString(), to.ToString(), page.limit, page.offset})) {
      out.items.push_back(ReadNotice(r));
    }
    out.total = db_.QueryOne(kCountNotices, {kind, from.ToString(), to.ToString()})->Int(0);
    return out;
  }

  std::vector<LoyaltyNotice> MemberNotices(MemberId member) override {
    std::vector<LoyaltyNotice> out;
    for (const auto& r : db_.Query(kMemberNotices, {member.value})) out.push_back(ReadNotice(r));
    return out;
  }

 private:
  Db& db_;
};

}  // namespace

std::unique_ptr<LoyaltyJobsRepository> MakeSqlLoyaltyJobsRepository(Db& db) {
  return std::make_unique<SqlLoyaltyJobsRepository>(db);
}

}  // namespace vipcare::store
