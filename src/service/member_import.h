// src/service/member_import.h
#pragma once
#include <cstddef>
#include <functional>
#include <istream>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/types.h"
#include "store/store.h"

namespace vipcare::service {

struct ImportOptions {
  // "utf-8", "gbk", or "auto" (UTF-8 if the bytes are valid UTF-8, else GBK).
  std::string encoding = "auto";
  bool skip_bad = false;  // load the good rows even if some are bad
  Date today;             // for validation (birthdays not in the future) and card dates
  UserId actor;           // who runs it (0 = command line)
  // created_at of the new members and time of the audit entry; the epoch
  // (default) means the system clock.
  Timestamp now{};
};

// One rejected row. `line` is the CSV record number counting every record,
// blank ones included (the header is line 1), which is the row number a
// spreadsheet shows. `field` is the column name as written in the header
// (empty for a problem with the row as a whole). Messages never quote the
// row's personal data.
struct ImportRowError {
  size_t line;
  std::string field;
  std::string message;
};

struct ImportReport {
  size_t rows_read = 0;    // data rows, blank rows not counted
  size_t rows_loaded = 0;  // 0 when bad rows made the import load nothing
  std::vector<ImportRowError> errors;
};

// Reads a members CSV (SPEC I4), validates every row, and loads them in one
// transaction: nothing if any row is bad (unless skip_bad), otherwise all good
// rows, each with a new issued card (or the row's card_no) and one audit entry
// (P10). Bad rows are not an error of the call: they are listed in the
// report, with rows_loaded 0 unless skip_bad.
//
// Returns kInvalidArgument (nothing loaded) if the file cannot be read as a
// whole: an unknown encoding option, bytes that are not text in the encoding,
// malformed CSV quoting, an unknown or repeated column or a missing required
// one (line 1, `field` names the column). Returns kConflict if a mobile or
// card number was registered by someone else while the import ran.
// `progress(rows_done)` is called every 10,000 rows. Throws store::DbError only
// for infrastructure failures.
Result<ImportReport> ImportMembersCsv(store::Store& store, std::istream& in,
                                      const ImportOptions& opt,
                                      const std::function<void(size_t rows_done)>& progress = {});

// Runs fn(Repository&) in one write transaction like Store::Write (commit if
// ok, roll back on an error or exception, which is rethrown), on a connection
// tuned for loading many rows: on SQLite, statement journals kept in memory
// and a 256 MiB page cache for the duration, restored afterwards. Without it
// every insert of a big transaction copies its pages to a temporary file,
// which made loading 5-10x slower. Used by the import and `vipcare demo`.
Status WriteBulk(store::Store& store, const std::function<Status(store::Repository&)>& fn);

}  // namespace vipcare::service
