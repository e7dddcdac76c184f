// src/store/reports/campaigns.h
#pragma once
// The queries of R9 (campaigns) over the open read transaction of a
// ReportRepository. One SQL text for SQLite and PostgreSQL.
#include "core/types.h"
#include "store/report_repository.h"

namespace vipcare::store::reports {

// Member sales of the local days [from, to] in a scope.
struct MemberSalesWindow {
  int64_t buyers = 0;  // distinct members with a sale
  int64_t sales = 0;   // sale transactions to members
  Fen sales_fen{0};    // what members paid, less refunds made in the window
};

// Sales to members on the days [from, to] at the stores of `scope` (and by
// members of its tier, when given).
MemberSalesWindow MemberSalesBetween(ReportRepository& r, Date from, Date to,
                                     const ReportScope& scope);

}  // namespace vipcare::store::reports
