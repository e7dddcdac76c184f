#include "service/report_rollups.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "service/access.h"
#include "service/audit.h"
#include "service/loyalty_core.h"
#include "service/loyalty_jobs.h"
#include "store/reports/rollups.h"

namespace vipcare::service {

namespace sr = store::reports;

Status ReportRollups::RunDay(const Actor& actor, Date day, std::map<std::string, int64_t>& counts) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  const Date first = Date::FromYmd(day.year(), day.month(), 1);
  const std::vector<int64_t> wanted = {loyalty_core::YearMonth(first.AddMonths(-2)),
                                       loyalty_core::YearMonth(first.AddMonths(-1))};
  // The instant each month ends: the next month begins, company time.
  auto ends_at = [&](int64_t month) {
    const Date first_day = Date::FromYmd(int(month / 100), unsigned(month % 100), 1);
    return env_.tz.StartOfDay(first_day.AddMonths(1));
  };
  const std::string token = NewRunToken();
  // Drop the stale months the job does not build, and begin the builds.
  std::vector<int64_t> build;
  int64_t dropped = 0;
  auto begun = env_.store.Write([&](store::Repository& repo) -> Status {
    build.clear();
    dropped = 0;
    auto& db = repo.reports().db();
    for (const auto& [month, state] : sr::ListRollups(db)) {
      const bool want = std::find(wanted.begin(), wanted.end(), month) != wanted.end();
      if (!want && state != "ready") {
        sr::DropRollup(db, month);
        ++dropped;
      }
    }
    for (int64_t m : wanted) {
      if (!sr::RollupReady(db, m)) build.push_back(m);
    }
    for (int64_t m : build) sr::BeginRollup(db, m, token, env_.clock.Now(), ends_at(m));
    return OkStatus();
  });
  if (!begun.ok()) return begun.error();
  counts["rollups_dropped"] += dropped;
  if (build.empty()) return OkStatus();

  auto figures = env_.store.Read(
      [&](store::Repository& repo) -> Result<std::vector<std::vector<sr::MemberRollup>>> {
        std::vector<Timestamp> ends;
        for (int64_t m : build) ends.push_back(ends_at(m));
        return sr::ComputeRollups(repo.reports().db(), build, ends);
      });
  if (!figures.ok()) return figures.error();
  for (size_t i = 0; i < build.size(); ++i) {
    const auto& rows = (*figures)[i];
    for (size_t at = 0; at < rows.size(); at += kRowsPerBatch) {
      auto st = env_.store.Write([&](store::Repository& repo) -> Status {
        sr::InsertRollups(repo.reports().db(), build[i], rows, at, kRowsPerBatch);
        return OkStatus();
      });
      if (!st.ok()) return st.error();
    }
  }
  int64_t built = 0, members = 0, discarded = 0;
  auto finished = env_.store.Write([&](store::Repository& repo) -> Status {
    auto& db = repo.reports().db();
    built = members = discarded = 0;
    std::string months;
    for (size_t i = 0; i < build.size(); ++i) {
      const int64_t n = int64_t((*figures)[i].size());
      if (sr::FinishRollup(db, build[i], token, n)) {
        ++built;
        members += n;
        months += fmt::format("{}{}={}", months.empty() ? "" : ",", build[i], n);
      } else {
        ++discarded;
      }
    }
    if (built > 0) {
      RecordAudit(repo, env_, actor, "report_rollups_built", "report_rollups", day.ToString(),
                  months);
    }
    return OkStatus();
  });
  if (!finished.ok()) return finished.error();
  counts["rollups_built"] += built;
  counts["rollup_members"] += members;
  counts["rollups_discarded"] += discarded;
  return OkStatus();
}

}  // namespace vipcare::service
