// src/http/yearly_report_api.h
#pragma once
#include "http/router.h"
#include "service/yearly_report.h"

namespace vipcare::http {

// GET /api/v1/members/{id}/yearly-report?year=YYYY (SPEC R10): one Platinum
// member's yearly consumption analysis (service/yearly_report.h); needs
// member_read, the service applies the member scope, masking and audit.
// `yearly_reports` must outlive the router.
void AddYearlyReportRoutes(Router& router, service::YearlyReports& yearly_reports);

}  // namespace vipcare::http
