#include "service/loyalty_jobs.h"

#include "service/staff_leave.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include "domain/card.h"
#include "domain/member.h"
#include "domain/program.h"
#include "domain/tiers.h"
#include "service/access.h"
#include "service/audit.h"
#include "service/churn_job.h"
#include "service/loyalty_core.h"
#include "service/member_batch.h"
#include "service/members.h"
#include "service/program_switch.h"
#include "service/redemption.h"
#include "service/report_rollups.h"
#include "store/bulk_import.h"

namespace vipcare::service {
namespace {

using nlohmann::json;
using namespace loyalty_core;

// The jobs of a day, in the order they run (see loyalty_jobs.h), and the row
// that says the whole day is done.
constexpr const char* kExpiryJob = "points_expiry";
constexpr const char* kRankJob = "rank";
constexpr const char* kReviewJob = "downgrade_review";
constexpr const char* kFormalJob = "temporary_to_formal";
constexpr const char* kWarningJob = "expiry_warning";
constexpr const char* kDayJob = "day";
constexpr const char* kCareJob = "care_tasks";
constexpr const char* kLeavesJob = "staff_leaves";
constexpr const char* kChurnJob = "churn_scores";
constexpr const char* kRollupJob = "report_rollups";

// The counters of a day's summary, all present (0) in every answer.
constexpr const char* kCounters[] = {"expired_points",
                                     "expired_lots",
                                     "expiry_notices",
                                     "downgrade_warned",
                                     "downgrade_applied",
                                     "downgrade_cancelled",
                                     "held",
                                     "holds_expired",
                                     "ranked",
                                     "upgraded",
                                     "approval_queued",
                                     "converted",
                                     "members_skipped",
                                     "churn_scored",
                                     "churn_high",
                                     "churn_changed",
                                     "rollups_built",
                                     "rollup_members",
                                     "rollups_dropped",
                                     "rollups_discarded",
                                     "care_tasks",
                                     "care_messages",
                                     "care_suppressed",
                                     "care_escalated",
                                     "care_sent",
                                     "leaves_started",
                                     "leaves_ended",
                                     "tasks_handed_over",
                                     "tasks_returned",
                                     "program_switched"};

// A batch that finds a member's state changed by a posting at the same moment
// is rolled back and run again.
constexpr int kBatchAttempts = 5;
// A claim whose heartbeat is older than this belongs to a run that died.
constexpr std::chrono::seconds kStaleAfter{15 * 60};
// Cards of a program whose cards never expire (CardRules::valid_months 0).
const Date kNoCardExpiry = Date::FromYmd(9999, 12, 31);

using Counts = std::map<std::string, int64_t>;

Error StateChanged() {
  return Error::Conflict("a member's loyalty state changed during the run", "member_id");
}
bool IsStateChanged(const Error& e) {
  return e.code == ErrorCode::kConflict && e.field == "member_id";
}
Error TakenOver() { return Error::Conflict("another run-jobs took this day's run over", "date"); }


bool UsesRank(const domain::Program& p) {
  for (const auto& t : p.tiers) {
    for (const auto& group : t.qualify.any_of) {
      for (const auto& c : group) {
        if (c.metric == domain::Metric::kRankPercentile) return true;
      }
    }
  }
  return false;
}

// The percentile of each rank among `n` members: rank 1 of 5 is the top 20%.
int Percentile(size_t rank, size_t n) { return int(std::max<size_t>(1, (rank * 100 + n - 1) / n)); }

// L6 like a posting: the highest tier that qualifies is applied now or queued
// for the store manager. True if the state changed.
bool ApplyUpgrade(store::LoyaltyRepository& l, const domain::Program& p, store::LoyaltyState& s,
                  const domain::UpgradeDecision& d, Timestamp now, UserId actor, Date day,
                  Counts& c) {
  bool changed = false;
  if (d.immediate) {
    const std::string to = p.tiers[d.immediate->tier].code;
    l.AppendTierChange(
        {0, s.member_id, now, "upgrade", s.tier_code, to, d.immediate->reason, actor});
    s.tier_code = to;
    s.tier_since = day;
    s.downgrade_warned_on.reset();
    s.downgrade_effective_on.reset();
    if (s.pending_tier == to) {
      s.pending_tier.clear();
      s.pending_reason.clear();
    }
    c["upgraded"] += 1;
    changed = true;
  }
  if (d.needs_approval) {
    const std::string to = p.tiers[d.needs_approval->tier].code;
    if (s.pending_tier != to) {
      l.AppendTierChange({0, s.member_id, now, "approval_queued", s.tier_code, to,
                          d.needs_approval->reason, actor});
      s.pending_tier = to;
      s.pending_reason = d.needs_approval->reason;
      s.pending_since = now;
      c["approval_queued"] += 1;
      changed = true;
    }
  }
  return changed;
}

// M4 with a program already loaded.
Result<bool> ConvertWith(store::Repository& repo, const Env& env, const Actor& actor,
                         const domain::Program& program, MemberId id, Date day,
                         std::vector<std::string>* vouchers_out = nullptr) {
  // The plain columns decide; the whole (sealed) file is read only to convert it.
  auto plain = repo.GetMemberPlain(id);
  if (!plain) return Error::NotFound("no member has that id", "id");
  if (plain->status != domain::MemberStatus::kTemporary || !program.temporary_to_formal) {
    return false;
  }
  auto& l = repo.loyalty();
  auto state = l.GetLoyaltyState(id);
  if (!state || !state->first_purchase_on) return false;
  auto metrics = MetricsOf(l, *state, program, day);
  if (!metrics) return false;
  auto why = domain::ShouldBecomeFormal(program, *metrics);
  if (!why) return false;
  auto member = repo.GetMember(id);
  if (!member) return Error::NotFound("no member has that id", "id");

  const Timestamp now = env.clock.Now();
  domain::Member after = *member;
  after.status = domain::MemberStatus::kFormal;
  after.updated_at = now;
  if (!repo.UpdateMember(after)) {
    return Error::Conflict("the member's file changed at the same time; retry", "member_id");
  }
  const std::string reason = "达到正式会员条件：" + *why;
  repo.AppendHistory({0, id, now, actor.user_id, "status",
                      json{{"status", {"temporary", "formal"}}, {"reason", reason}}.dump()});

  // The formal card is ordered; the temporary card it replaces stops working.
  // A member who already holds an active formal card keeps it.
  std::optional<domain::Card> active;
  for (const auto& c : repo.ListCards(id)) {
    if (domain::IsActive(c.status)) active = c;
  }
  std::optional<domain::Card> card;
  if (!active || active->kind == domain::CardKind::kTemporary) {
    domain::Card c = domain::NewCard(id, domain::CardKind::kFormal, day);
    c.expires_on =
        program.card.valid_months > 0 ? day.AddMonths(program.card.valid_months) : kNoCardExpiry;
    do {
      c.card_no = NewCardNumber();
    } while (repo.FindCardByNo(c.card_no));
    if (active) {
      active->status = domain::CardStatus::kReplaced;
      repo.UpdateCard(*active);
      c.replaces = active->id;
    }
    c.id = repo.InsertCard(c);
    repo.AppendHistory({0, id, now, actor.user_id, "card",
                        json{{"issued", c.card_no}, {"kind", "formal"}}.dump()});
    card = c;
  }
  // The threshold's cash-back voucher (M4): an automatic cash-back issues
  // what the points held now allow (the sale that converts has usually done
  // so already: its codes come in through `vouchers_out`); a cash-back on
  // request stays the member's choice.
  std::vector<std::string> vouchers;
  if (vouchers_out) vouchers = *vouchers_out;
  if (program.redemption.cash_back && program.redemption.cash_back->automatic) {
    auto codes = IssueCashBack(repo, env, actor, *state, program, day, member->home_store_id);
    if (!codes.ok()) return codes.error();
    if (!codes->empty()) {
      if (!l.SaveLoyaltyState(*state)) {
        return Error::Conflict("the member's points changed at the same time; retry", "member_id");
      }
      vouchers.insert(vouchers.end(), codes->begin(), codes->end());
    }
  }
  store::LoyaltyNotice notice;
  notice.member_id = id;
  notice.kind = "became_formal";
  notice.occasion = day.ToString();
  notice.due_on = day;
  notice.detail = json{
      {"card_id", card ? json(card->id.value) : json(nullptr)},
      {"pickup_due", card && card->pickup_due ? json(card->pickup_due->ToString()) : json(nullptr)},
      {"reason", reason},
      {"vouchers", vouchers}}.dump();
  notice.created_at = now;
  repo.loyalty_jobs().InsertNotice(notice);
  RecordAudit(repo, env, actor, "member_formal", "member", std::to_string(id.value),
              card ? fmt::format("card={}", card->id.value) : "card=kept");
  if (vouchers_out) *vouchers_out = std::move(vouchers);
  return true;
}

// One day's run: the claims it holds and the batches it walks.
class DayRun {
 public:
  DayRun(const Env& env, const Actor& actor, Date day, int64_t batch, ProgramBook programs)
      : env_(env),
        actor_(actor),
        day_(day),
        batch_(batch),
        programs_(std::move(programs)),
        owner_(NewRunToken()) {}

  // Runs `body` as job `job` unless it is done for the day already, holding
  // the job's claim while it runs; answers the job's counts.
  Result<Counts> Job(const std::string& job, const std::function<Status(Counts&)>& body) {
    auto done =
        env_.store.Read([&](store::Repository& repo) -> Result<std::optional<store::JobRun>> {
          return repo.loyalty_jobs().GetJobRun(job, day_);
        });
    if (!done.ok()) return done.error();
    if (*done && (*done)->status == "done") return CountsOf((*done)->summary);
    VIPCARE_TRY(Claim(job));
    Counts counts;
    Status st = OkStatus();
    try {
      st = body(counts);
    } catch (...) {
      Release(job);
      throw;
    }
    if (!st.ok()) {
      Release(job);
      return st.error();
    }
    auto finished = env_.store.Write([&](store::Repository& repo) -> Status {
      if (!repo.loyalty_jobs().FinishJobRun(job, day_, owner_, env_.clock.Now(),
                                            json(counts).dump())) {
        return TakenOver();
      }
      return OkStatus();
    });
    if (!finished.ok()) return finished.error();
    return counts;
  }

  // Marks the day done with its summary and the audit row, in one transaction.
  // Answers the summary stored by whoever finished the day.
  Result<json> Finish(const json& summary) {
    return env_.store.Write([&](store::Repository& repo) -> Result<json> {
      auto& j = repo.loyalty_jobs();
      const Timestamp now = env_.clock.Now();
      if (!j.ClaimJobRun(kDayJob, day_, owner_, now, now - kStaleAfter)) {
        auto run = j.GetJobRun(kDayJob, day_);
        if (run && run->status == "done") return json::parse(run->summary);
        return Error::Conflict("run-jobs is running for this day in another process", "date");
      }
      j.FinishJobRun(kDayJob, day_, owner_, now, summary.dump());
      RecordAudit(repo, env_, actor_, "loyalty_jobs_run", "loyalty_jobs", day_.ToString(),
                  summary.dump());
      return summary;
    });
  }

  Status ExpirePoints(Counts& total);
  Status Rank(Counts& total);
  Status ReviewDowngrades(Counts& total);
  Status ConvertTemporary(Counts& total);
  Status WarnOfExpiry(Counts& total);

 private:
  static Counts CountsOf(const std::string& summary) {
    Counts c;
    json j = json::parse(summary, nullptr, false);
    if (!j.is_object()) return c;
    for (const auto& [k, v] : j.items()) {
      if (v.is_number_integer()) c[k] = v.get<int64_t>();
    }
    return c;
  }

  Status Claim(const std::string& job) {
    return env_.store.Write([&](store::Repository& repo) -> Status {
      const Timestamp now = env_.clock.Now();
      if (!repo.loyalty_jobs().ClaimJobRun(job, day_, owner_, now, now - kStaleAfter)) {
        return Error::Conflict("run-jobs is running for this day in another process", "date");
      }
      return OkStatus();
    });
  }

  void Release(const std::string& job) noexcept {
    try {
      (void)env_.store.Write([&](store::Repository& repo) -> Status {
        repo.loyalty_jobs().ReleaseJobRun(job, day_, owner_);
        return OkStatus();
      });
    } catch (...) {
      // The claim goes stale by itself; the original failure is what matters.
    }
  }

  // Runs fn(repo, counts) in one transaction that also renews the job's
  // claim; the counts join `total` only once it commits. A batch that met a
  // concurrent change of a member's state runs again (every step re-reads).
  template <class F>
  Status Batch(const std::string& job, Counts& total, F&& fn) {
    for (int attempt = 1;; ++attempt) {
      Counts counts;
      Status st = env_.store.Write([&](store::Repository& repo) -> Status {
        if (!repo.loyalty_jobs().TouchJobRun(job, day_, owner_, env_.clock.Now())) {
          return TakenOver();
        }
        return fn(repo, counts);
      });
      if (st.ok()) {
        for (const auto& [k, v] : counts) total[k] += v;
        return st;
      }
      if (!IsStateChanged(st.error()) || attempt >= kBatchAttempts) return st;
    }
  }

  // Walks the members of `walk` in batches, calling fn(repo, members, counts)
  // with each batch's members as MemberBatch reads them (a retried batch
  // reads them again).
  template <class F>
  Status Walk(const std::string& job, store::LoyaltyWalk walk, Counts& total, F&& fn) {
    MemberId after;
    MemberBatch batch;
    for (;;) {
      size_t seen = 0;
      MemberId last;
      VIPCARE_TRY(Batch(job, total, [&](store::Repository& repo, Counts& c) -> Status {
        auto ids = repo.loyalty_jobs().LoyaltyMembersAfter(walk, after, batch_);
        seen = ids.size();
        if (ids.empty()) return OkStatus();
        last = ids.back();
        batch.Read(repo.reports().db(), ids, day_);
        return fn(repo, batch.members(), c);
      }));
      if (seen < size_t(batch_)) return OkStatus();
      after = last;
    }
  }

  Status ReviewOne(store::Repository& repo, store::LoyaltyState& s,
                   std::span<const store::MonthBucket> months, const std::string* warning,
                   Counts& c);

  const Env& env_;
  const Actor& actor_;
  Date day_;
  int64_t batch_;
  // Every member is evaluated by their own program (L6), each loaded once.
  ProgramBook programs_;
  std::string owner_;

  // Whether any program members are on does `what`.
  template <class Pred>
  bool AnyProgram(Pred what) const {
    for (const domain::Program* p : programs_.All()) {
      if (what(*p)) return true;
    }
    return false;
  }
};

// L4: what is left of lots past their last valid day expires; the balance
// loses it, but never below zero (points already spent after a refund are a
// debt, not something that can expire twice).
Status DayRun::ExpirePoints(Counts& total) {
  for (;;) {
    size_t seen = 0;
    VIPCARE_TRY(Batch(kExpiryJob, total, [&](store::Repository& repo, Counts& c) -> Status {
      auto& l = repo.loyalty();
      auto lots = l.LotsExpiringBefore(day_, batch_);
      seen = lots.size();
      std::map<int64_t, std::vector<store::PointsLotRecord>> by_member;
      for (auto& lot : lots) by_member[lot.member_id.value].push_back(std::move(lot));
      const Timestamp now = env_.clock.Now();
      for (auto& [member, member_lots] : by_member) {
        store::LoyaltyState s = StateOf(l, MemberId(member));
        // One ledger movement per expiry day.
        std::sort(member_lots.begin(), member_lots.end(),
                  [](const auto& a, const auto& b) { return *a.expires_on < *b.expires_on; });
        Points expired_total(0);
        for (size_t i = 0; i < member_lots.size();) {
          const Date expires_on = *member_lots[i].expires_on;
          Points expired(0);
          for (; i < member_lots.size() && *member_lots[i].expires_on == expires_on; ++i) {
            const auto& lot = member_lots[i];
            const Points take(std::clamp<int64_t>(s.points_balance.value - expired.value, 0,
                                                  lot.remaining.value));
            l.SetLotRemaining(lot.id, Points(0));
            expired = expired + take;
            c["expired_lots"] += 1;
          }
          if (expired.value == 0) continue;
          s.points_balance = s.points_balance - expired;
          expired_total = expired_total + expired;
          l.AppendLedger({0, s.member_id, now, "expire", -expired, s.points_balance, 0, 0,
                          fmt::format("积分过期（有效期至 {}）", expires_on.ToString()), UserId(),
                          actor_.user_id});
        }
        if (expired_total.value == 0) continue;
        c["expired_points"] += expired_total.value;
        if (!l.SaveLoyaltyState(s)) return StateChanged();
      }
      return OkStatus();
    }));
    if (seen < size_t(batch_)) return OkStatus();
  }
}

// L6 rank rules: percentiles by 12-month spend, then upgrades they earn.
Status DayRun::Rank(Counts& total) {
  if (!AnyProgram(UsesRank)) return OkStatus();
  struct Ranking {
    std::vector<store::MemberSpend> spend;
    std::vector<std::pair<MemberId, int>> before;
    std::vector<std::pair<MemberId, std::string>> own;
  };
  auto ranking = env_.store.Read([&](store::Repository& repo) -> Result<Ranking> {
    auto& j = repo.loyalty_jobs();
    return Ranking{j.SpendByMember(YearMonth(day_.AddMonths(-11)), YearMonth(day_)),
                   j.RankedMembers(), j.MembersOnOwnPrograms()};
  });
  if (!ranking.ok()) return ranking.error();
  // "Top 20 %" is among the members of one's own program: each program's
  // members (those following the company's under "") are ranked apart, in
  // the spend order SpendByMember gives.
  std::unordered_map<int64_t, const std::string*> own;
  for (const auto& [member, code] : ranking->own) own.emplace(member.value, &code);
  static const std::string kCompany;
  std::map<std::string_view, std::vector<const store::MemberSpend*>> by_program;
  for (const auto& s : ranking->spend) {
    auto it = own.find(s.member_id.value);
    by_program[it == own.end() ? std::string_view(kCompany) : std::string_view(*it->second)]
        .push_back(&s);
  }
  std::map<int64_t, int> now_ranked;
  for (const auto& [code, spend] : by_program) {
    size_t rank = 1;
    for (size_t i = 0; i < spend.size(); ++i) {
      if (i > 0 && spend[i]->spend != spend[i - 1]->spend) rank = i + 1;  // ties share a rank
      now_ranked[spend[i]->member_id.value] = Percentile(rank, spend.size());
    }
  }
  const auto& spend = ranking->spend;
  std::vector<std::pair<MemberId, std::optional<int>>> changes;
  std::map<int64_t, int> before;
  for (const auto& [member, pct] : ranking->before) {
    before[member.value] = pct;
    if (!now_ranked.count(member.value)) changes.emplace_back(member, std::nullopt);
  }
  for (const auto& [member, pct] : now_ranked) {
    auto it = before.find(member);
    if (it == before.end() || it->second != pct) changes.emplace_back(MemberId(member), pct);
  }
  total["ranked"] += int64_t(spend.size());
  for (size_t from = 0; from < changes.size(); from += size_t(batch_)) {
    const size_t to = std::min(changes.size(), from + size_t(batch_));
    VIPCARE_TRY(Batch(kRankJob, total, [&](store::Repository& repo, Counts&) -> Status {
      for (size_t i = from; i < to; ++i) {
        repo.loyalty_jobs().SetRankPercentile(changes[i].first, changes[i].second);
      }
      return OkStatus();
    }));
  }
  const Timestamp now = env_.clock.Now();
  return Walk(kRankJob, store::LoyaltyWalk::kRanked, total,
              [&](store::Repository& repo, std::vector<MemberBatch::Member>& members,
                  Counts& c) -> Status {
                auto& l = repo.loyalty();
                for (auto& [state, months] : members) {
                  store::LoyaltyState& s = *state;
                  const domain::Program& program = programs_.Of(l, s.program_code);
                  if (!UsesRank(program)) continue;
                  auto metrics = MetricsFrom(s, months, program, day_);
                  if (!metrics) {
                    c["members_skipped"] += 1;
                    continue;
                  }
                  auto decision = domain::DecideUpgrade(program, *metrics, s.tier_code);
                  if (!decision.ok()) continue;  // a tier of another program: left alone
                  if (ApplyUpgrade(l, program, s, *decision, now, actor_.user_id, day_, c) &&
                      !l.SaveLoyaltyState(s)) {
                    return StateChanged();
                  }
                }
                return OkStatus();
              });
}

Status DayRun::ReviewDowngrades(Counts& total) {
  return Walk(kReviewJob, store::LoyaltyWalk::kTiered, total,
              [&](store::Repository& repo, std::vector<MemberBatch::Member>& members,
                  Counts& c) -> Status {
                // The stored warnings of the batch's announced downgrades, by
                // member and day announced (ReviewOne applies a downgrade only
                // with its warning on file).
                std::vector<int64_t> announced;
                for (const auto& m : members) {
                  if (m.state->downgrade_warned_on && m.state->downgrade_effective_on) {
                    announced.push_back(m.state->member_id.value);
                  }
                }
                std::map<std::pair<int64_t, std::string>, std::string> warnings;
                if (!announced.empty()) {
                  for (auto& n : store::bulk::NoticesOf(repo.reports().db(), "downgrade_warning",
                                                        announced)) {
                    warnings.emplace(std::pair(n.member_id.value, std::move(n.occasion)),
                                     std::move(n.detail));
                  }
                }
                for (auto& [state, months] : members) {
                  const store::LoyaltyState& s = *state;
                  const std::string* warning = nullptr;
                  if (s.downgrade_warned_on && s.downgrade_effective_on) {
                    auto it = warnings.find({s.member_id.value, s.downgrade_warned_on->ToString()});
                    if (it != warnings.end()) warning = &it->second;
                  }
                  VIPCARE_TRY(ReviewOne(repo, *state, months, warning, c));
                }
                return OkStatus();
              });
}

// L7 for one member, from their state and buckets as read for the batch and
// the detail of the warning stored for their announced downgrade (nullptr:
// none on file): warn, cancel, apply one level down, or hold.
Status DayRun::ReviewOne(store::Repository& repo, store::LoyaltyState& s,
                         std::span<const store::MonthBucket> months, const std::string* warning,
                         Counts& c) {
  auto& l = repo.loyalty();
  auto& jobs = repo.loyalty_jobs();
  const domain::Program& program = programs_.Of(l, s.program_code);
  if (s.tier_code.empty() || !domain::FindTier(program, s.tier_code)) return OkStatus();
  const MemberId id = s.member_id;
  const Timestamp now = env_.clock.Now();
  const UserId actor = actor_.user_id;
  bool changed = false;
  if (!s.hold_reason.empty() && s.hold_until && *s.hold_until < day_) {
    l.AppendTierChange({0, id, now, "hold_released", s.tier_code, s.tier_code,
                        fmt::format("保级期限 {} 已到", s.hold_until->ToString()), actor});
    s.hold_until.reset();
    s.hold_reason.clear();
    c["holds_expired"] += 1;
    changed = true;
  }
  // A tier reached today is first reviewed tomorrow (and a rerun of the day
  // does not announce the next step down of a member lowered today).
  const bool reached_today = s.tier_since && *s.tier_since >= day_;
  if (!reached_today) {
    domain::DowngradeInput in;
    in.current_tier = s.tier_code;
    in.tier_since = s.tier_since.value_or(day_);
    bool warning_on_file = false;
    if (s.downgrade_warned_on && s.downgrade_effective_on) {
      domain::PendingDowngrade p{*s.downgrade_warned_on, *s.downgrade_effective_on, ""};
      if (warning) {
        warning_on_file = true;
        json detail = json::parse(*warning, nullptr, false);
        if (detail.is_object()) p.reason = detail.value("reason", "");
      }
      in.pending = p;
    }
    if (!s.hold_reason.empty()) in.hold = domain::TierHold{s.hold_until, s.hold_reason};
    auto metrics = MetricsFrom(s, months, program, day_);
    if (!metrics) {
      c["members_skipped"] += 1;
      if (changed && !l.SaveLoyaltyState(s)) return StateChanged();
      return OkStatus();
    }
    auto step = domain::ReviewDowngrade(program, *metrics, in, day_);
    if (!step.ok()) throw std::runtime_error("downgrade review: " + step.error().message);
    const std::string tier = s.tier_code;
    auto warn = [&](const std::string& to, Date effective_on, const std::string& reason) {
      s.downgrade_warned_on = day_;
      s.downgrade_effective_on = effective_on;
      l.AppendTierChange({0, id, now, "downgrade_warned", tier, to, reason, actor});
      store::LoyaltyNotice n;
      n.member_id = id;
      n.kind = "downgrade_warning";
      n.occasion = day_.ToString();
      n.due_on = day_;
      n.detail = json{
          {"from_tier", tier},
          {"to_tier", to},
          {"effective_on", effective_on.ToString()},
          {"reason",
           reason}}.dump();
      n.created_at = now;
      jobs.InsertNotice(n);
      c["downgrade_warned"] += 1;
      changed = true;
    };
    switch (step->action) {
      case domain::DowngradeAction::kWarn:
        warn(step->to_tier, *step->effective_on, step->reason);
        break;
      case domain::DowngradeAction::kApply: {
        if (!warning_on_file) {
          // Never silent: without the stored warning the member is warned now
          // and keeps the tier for the full notice period.
          const auto& r = program.tiers[*domain::FindTier(program, tier)].retention;
          const Date effective = std::max(*step->effective_on, day_.AddDays(r.warning_days));
          const auto* below = &program.tiers[*domain::FindTier(program, step->to_tier)];
          warn(step->to_tier, effective,
               fmt::format("{}，{}起由{}降为{}",
                           step->reason.empty() ? "保级条件未达到" : step->reason,
                           effective.ToString(), TierName(program, tier), below->name));
          break;
        }
        const std::string reason =
            fmt::format("{}（{} 已预告）", step->reason, s.downgrade_warned_on->ToString());
        l.AppendTierChange({0, id, now, "downgrade", tier, step->to_tier, reason, actor});
        s.tier_code = step->to_tier;
        s.tier_since = day_;
        s.downgrade_warned_on.reset();
        s.downgrade_effective_on.reset();
        store::LoyaltyNotice n;
        n.member_id = id;
        n.kind = "downgrade";
        n.occasion = day_.ToString();
        n.due_on = day_;
        n.detail = json{{"from_tier", tier}, {"to_tier", step->to_tier}, {"reason", reason}}.dump();
        n.created_at = now;
        jobs.InsertNotice(n);
        RecordAudit(repo, env_, actor_, "tier_downgrade", "member", std::to_string(id.value),
                    fmt::format("from={} to={}", tier, step->to_tier));
        c["downgrade_applied"] += 1;
        changed = true;
        break;
      }
      case domain::DowngradeAction::kCancel:
        l.AppendTierChange({0, id, now, "downgrade_cancelled", tier, tier, step->reason, actor});
        s.downgrade_warned_on.reset();
        s.downgrade_effective_on.reset();
        c["downgrade_cancelled"] += 1;
        changed = true;
        break;
      case domain::DowngradeAction::kHeld:
        c["held"] += 1;
        break;
      case domain::DowngradeAction::kNone:
      case domain::DowngradeAction::kPending:
        break;
    }
  }
  if (changed && !l.SaveLoyaltyState(s)) return StateChanged();
  return OkStatus();
}

Status DayRun::ConvertTemporary(Counts& total) {
  if (!AnyProgram([](const domain::Program& p) { return p.temporary_to_formal; })) {
    return OkStatus();
  }
  const std::string temporary = domain::ToString(domain::MemberStatus::kTemporary);
  MemberId after;
  for (;;) {
    size_t seen = 0;
    MemberId last;
    VIPCARE_TRY(Batch(kFormalJob, total, [&](store::Repository& repo, Counts& c) -> Status {
      auto ids = repo.loyalty_jobs().MembersWithStatusAfter(temporary, after, batch_);
      seen = ids.size();
      for (MemberId id : ids) {
        const domain::Program& program =
            programs_.Of(repo.loyalty(), StateOf(repo.loyalty(), id).program_code);
        auto converted = ConvertWith(repo, env_, actor_, program, id, day_);
        if (!converted.ok()) {
          if (converted.error().code == ErrorCode::kConflict) return StateChanged();
          return converted.error();
        }
        if (*converted) c["converted"] += 1;
      }
      if (!ids.empty()) last = ids.back();
      return OkStatus();
    }));
    if (seen < size_t(batch_)) return OkStatus();
    after = last;
  }
}

// L4 "warned before points expire": one notice per member and expiry day.
Status DayRun::WarnOfExpiry(Counts& total) {
  // The furthest any program warns ahead; each member's own program decides.
  int warn_days = -1;
  for (const domain::Program* p : programs_.All()) {
    if (p->expiry.mode != domain::ExpiryMode::kNever) warn_days = std::max(warn_days, p->expiry.warn_days);
  }
  if (warn_days < 0) return OkStatus();
  const bool one_program = programs_.All().size() == 1;
  const Date until = day_.AddDays(warn_days);
  MemberId after;
  for (;;) {
    size_t seen = 0;
    MemberId last;
    VIPCARE_TRY(Batch(kWarningJob, total, [&](store::Repository& repo, Counts& c) -> Status {
      auto& jobs = repo.loyalty_jobs();
      auto ids = jobs.LoyaltyMembersAfter(store::LoyaltyWalk::kAll, after, batch_);
      seen = ids.size();
      if (ids.empty()) return OkStatus();
      last = ids.back();
      const Timestamp now = env_.clock.Now();
      for (const auto& e : jobs.PointsExpiringBetween(ids.front(), ids.back(), day_, until)) {
        if (!one_program) {
          auto& l = repo.loyalty();
          const domain::Program& p = programs_.Of(l, StateOf(l, e.member_id).program_code);
          if (p.expiry.mode == domain::ExpiryMode::kNever ||
              e.expires_on > day_.AddDays(p.expiry.warn_days)) {
            continue;
          }
        }
        store::LoyaltyNotice n;
        n.member_id = e.member_id;
        n.kind = "points_expiry";
        n.occasion = e.expires_on.ToString();
        n.due_on = day_;
        n.detail = json{{"points", e.points.value}, {"expires_on", e.expires_on.ToString()}}.dump();
        n.created_at = now;
        if (jobs.InsertNotice(n)) c["expiry_notices"] += 1;
      }
      return OkStatus();
    }));
    if (seen < size_t(batch_)) return OkStatus();
    after = last;
  }
}

json Summary(Date day, const Counts& counts) {
  json out = {{"day", day.ToString()}};
  for (const char* key : kCounters) {
    auto it = counts.find(key);
    out[key] = it == counts.end() ? 0 : it->second;
  }
  return out;
}

}  // namespace

Result<json> LoyaltyJobs::RunDay(const Actor& actor, Date day) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  // A change of the company's program cut short is finished before anyone
  // is reviewed by the ladder they no longer hold a tier of.
  auto switched = FinishProgramSwitch(env_, actor, day, batch_size_);
  if (!switched.ok()) return switched.error();
  struct Before {
    std::optional<store::JobRun> run;
    std::optional<Date> last;
    ProgramBook programs;
  };
  auto before = env_.store.Read([&](store::Repository& repo) -> Result<Before> {
    auto& j = repo.loyalty_jobs();
    return Before{j.GetJobRun(kDayJob, day), j.LastDoneDay(kDayJob), ProgramBook(repo.loyalty())};
  });
  if (!before.ok()) return before.error();
  if (before->run && before->run->status == "done") {
    json out = json::parse(before->run->summary);
    out["skipped"] = true;
    return out;
  }
  if (before->last && day < *before->last) {
    return Error::Unprocessable(
        fmt::format("days run in order: {} has run already", before->last->ToString()), "date");
  }
  DayRun run(env_, actor, day, batch_size_, std::move(before->programs));
  Counts total;
  // Members put on the company's new program by this run.
  if (switched->is_object()) total["program_switched"] = (*switched)["members"].get<int64_t>();
  const std::pair<const char*, Status (DayRun::*)(Counts&)> jobs[] = {
      {kExpiryJob, &DayRun::ExpirePoints},     {kRankJob, &DayRun::Rank},
      {kReviewJob, &DayRun::ReviewDowngrades}, {kFormalJob, &DayRun::ConvertTemporary},
      {kWarningJob, &DayRun::WarnOfExpiry},
  };
  for (const auto& [name, body] : jobs) {
    auto counts = run.Job(name, [&, body = body](Counts& c) { return (run.*body)(c); });
    if (!counts.ok()) return counts.error();
    for (const auto& [k, v] : *counts) total[k] += v;
  }
  // R5 churn scores, before the care job, which turns a score that rose to
  // the churn_risk rule's threshold into a task.
  {
    auto counts = run.Job(kChurnJob, [&](Counts& c) {
      return ChurnJob(env_, batch_size_).RunDay(actor, day, c);
    });
    if (!counts.ok()) return counts.error();
    for (const auto& [k, v] : *counts) total[k] += v;
  }
  // R4/R6 report rollups of the months just closed (service/report_rollups.h).
  {
    auto counts = run.Job(kRollupJob, [&](Counts& c) { return ReportRollups(env_).RunDay(actor, day, c); });
    if (!counts.ok()) return counts.error();
    for (const auto& [k, v] : *counts) total[k] += v;
  }
  // Leaves start and end before the care job, so the day's tasks and the
  // overdue escalation see who is away (请假交接, C2).
  if (care_ != nullptr) {
    auto counts = run.Job(kLeavesJob, [&](Counts& c) { return StaffLeaves(env_).RunDay(actor, day, c); });
    if (!counts.ok()) return counts.error();
    for (const auto& [k, v] : *counts) total[k] += v;
  }
  // The care engine runs last: it reads the notices the jobs above left.
  if (care_ != nullptr) {
    auto counts = run.Job(kCareJob, [&](Counts& c) { return care_->GenerateDay(actor, day, c); });
    if (!counts.ok()) return counts.error();
    for (const auto& [k, v] : *counts) total[k] += v;
  }
  auto summary = run.Finish(Summary(day, total));
  if (!summary.ok()) return summary.error();
  json out = *summary;
  out["skipped"] = false;
  return out;
}

Result<json> LoyaltyJobs::RunThrough(const Actor& actor, Date day) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  auto last = env_.store.Read([&](store::Repository& repo) -> Result<std::optional<Date>> {
    return repo.loyalty_jobs().LastDoneDay(kDayJob);
  });
  if (!last.ok()) return last.error();
  const Date from = *last && *(*last) < day ? (*last)->AddDays(1) : day;
  json days = json::array();
  for (Date d = from; d <= day; d = d.AddDays(1)) {
    auto r = RunDay(actor, d);
    if (!r.ok()) return r.error();
    days.push_back(*r);
  }
  return json{{"from", from.ToString()}, {"to", day.ToString()}, {"days", days}};
}

std::string NewRunToken() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  unsigned char bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  char hex[sizeof bytes * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, bytes, sizeof bytes);
  return hex;
}

Result<bool> ConvertIfQualified(store::Repository& repo, const Env& env, const Actor& actor,
                                MemberId id, Date day, std::vector<std::string>* vouchers,
                                const domain::Program* program) {
  if (program) return ConvertWith(repo, env, actor, *program, id, day, vouchers);
  auto& l = repo.loyalty();
  return ConvertWith(repo, env, actor, ProgramOf(l, StateOf(l, id)), id, day, vouchers);
}

}  // namespace vipcare::service
