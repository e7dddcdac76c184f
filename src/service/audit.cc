#include "service/audit.h"

#include <fmt/format.h>

#include "service/access.h"

namespace vipcare::service {

void RecordAudit(store::Repository& repo, const Env& env, const Actor& actor, std::string action,
                 std::string entity, std::string entity_id, std::string detail) {
  repo.AppendAudit({0, env.clock.Now(), actor.user_id, std::move(action), std::move(entity),
                    std::move(entity_id), std::move(detail), actor.address});
}

AuditVerification AuditLog::Verify() {
  AuditVerification v;
  auto st = env_.store.Read([&](store::Repository& repo) -> Status {
    constexpr int64_t kBatch = 5000;
    int64_t expected_id = 1;
    std::string prev_hash;
    for (;;) {
      auto rows = repo.AuditRowsAfter(expected_id - 1, kBatch);
      if (rows.empty()) break;
      for (const auto& row : rows) {
        ++v.rows;
        if (row.id != expected_id) {
          v.problems.push_back({expected_id, "deleted",
                                fmt::format("rows {} to {} are missing (deleted)", expected_id,
                                            row.id - 1)});
        } else if (row.prev_hash != prev_hash) {
          v.problems.push_back({row.id, "chain broken",
                                fmt::format("row {} does not follow the row before it", row.id)});
        }
        if (store::AuditRowHash(row) != row.hash) {
          v.problems.push_back(
              {row.id, "edited", fmt::format("row {} was changed after it was written", row.id)});
        }
        prev_hash = row.hash;
        expected_id = row.id + 1;
      }
    }
    auto [last_id, last_hash] = repo.AuditHead();
    if (last_id > expected_id - 1) {
      v.problems.push_back({expected_id, "deleted",
                            fmt::format("rows {} to {} at the end are missing (deleted)",
                                        expected_id, last_id)});
    } else if (last_id == expected_id - 1 && last_hash != prev_hash) {
      v.problems.push_back({last_id, "head mismatch",
                            fmt::format("the last row {} is not the one the chain recorded",
                                        last_id)});
    }
    return OkStatus();
  });
  (void)st;
  return v;
}

Result<store::PageOf<store::AuditEntry>> AuditLog::List(const Actor& actor, store::Page page) {
  VIPCARE_TRY(Authorize(actor, Permission::kAuditRead));
  return env_.store.Read([&](store::Repository& repo) -> Result<store::PageOf<store::AuditEntry>> {
    return repo.ListAudit(page);
  });
}

}  // namespace vipcare::service
