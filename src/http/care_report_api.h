// src/http/care_report_api.h
#pragma once
#include "http/api.h"
#include "http/router.h"

namespace vipcare::http {

// Adds the routes of leave handover (请假交接, SPEC C2) and of the monthly
// store visit report, the next month's plan and the regional summary (C3,
// R8): /api/v1/staff-leaves and /api/v1/care-reports/*. Handlers only parse,
// call service::StaffLeaves or service::CareReports and serialize; the
// services check scope (P2, P9). docs/openapi.json describes each route.
void AddCareReportRoutes(Router& router, Services s);

}  // namespace vipcare::http
