// src/service/audit.h
#pragma once
#include <string>
#include <vector>

#include "core/result.h"
#include "service/context.h"
#include "store/repository.h"

namespace vipcare::service {

struct AuditProblem {
  int64_t id = 0;       // the first row concerned
  std::string what;     // "edited", "deleted", "chain broken", "head mismatch"
  std::string message;  // for people
};

struct AuditVerification {
  int64_t rows = 0;
  std::vector<AuditProblem> problems;  // empty: the log is intact
  bool ok() const { return problems.empty(); }
};

// Appends one audit row (P6) for `actor` inside the caller's transaction: who,
// when (the Env's clock), what, on which entity, from which address.
void RecordAudit(store::Repository& repo, const Env& env, const Actor& actor, std::string action,
                 std::string entity, std::string entity_id, std::string detail = {});

// The audit log (P6). Thread-safe.
class AuditLog {
 public:
  explicit AuditLog(Env env) : env_(env) {}
  // One page of the audit log, newest first, for auditors and admins.
  Result<store::PageOf<store::AuditEntry>> List(const Actor& actor, store::Page page);
  // Recomputes the hash chain of the whole log and reports every row that was
  // edited, every gap left by deleted rows, and rows deleted from the end (the
  // chain head remembers the last row). Reads in batches.
  AuditVerification Verify();

 private:
  Env env_;
};

}  // namespace vipcare::service
