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

// Aggregates for the reports (SPEC R1-R10), read inside the transaction of
// the Repository that hands it out (Repository::reports()). Not thread-safe.
class ReportRepository {
 public:
  virtual ~ReportRepository() = default;
  // Months [from, to] ("YYYY-MM"), one row per store and month with sales;
  // only `store` / stores of `region` when given.
  virtual std::vector<StoreMonthSales> SalesByStoreMonth(const std::string& from,
                                                         const std::string& to,
                                                         std::optional<StoreId> store,
                                                         std::optional<RegionId> region) = 0;
};

std::unique_ptr<ReportRepository> MakeSqlReportRepository(Db& db);

}  // namespace vipcare::store
