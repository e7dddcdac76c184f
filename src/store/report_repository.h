// src/store/report_repository.h
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/types.h"
#include "store/db.h"

namespace vipcare::store {

// Sales of one store in one month (R2), net of refunds.
struct StoreMonthSales {
  std::string month;  // "YYYY-MM", company-local
  StoreId store_id;
  Fen all{0};      // every sale, members or not
  Fen members{0};  // sales to members
  int64_t sales = 0;         // sale transactions
  int64_t member_sales = 0;  // of them to members
};

// Where a report's rows may come from (SPEC P2, P9): the stores of one
// region, one store, or every store. The service resolves it from the
// caller's role and the filters; queries only apply it.
struct ReportScope {
  std::optional<StoreId> store;
  std::optional<RegionId> region;
  // Members on this tier only (R3, R4 ...), when given: a tier key as
  // reports::TierKey makes it ("none" = members without a tier).
  std::optional<std::string> tier;
  // The company's program code: its members' tiers are keyed by their plain
  // code (reports::TierKey).
  std::string company_program;
};

// Aggregates for the reports (SPEC R1-R10), read inside the transaction of
// the Repository that hands it out (Repository::reports()). The queries of
// each report area live beside it in store/reports/*.h as functions over
// this object; they share one SQL text for SQLite and PostgreSQL and read
// through db(). Not thread-safe.
class ReportRepository {
 public:
  explicit ReportRepository(Db& db) : db_(db) {}
  // Months [from, to] ("YYYY-MM"), one row per store and month with sales.
  std::vector<StoreMonthSales> SalesByStoreMonth(const std::string& from, const std::string& to,
                                                 const ReportScope& scope);
  // The open read transaction, for the queries in store/reports/.
  Db& db() { return db_; }

 private:
  Db& db_;
};

std::unique_ptr<ReportRepository> MakeSqlReportRepository(Db& db);

}  // namespace vipcare::store
