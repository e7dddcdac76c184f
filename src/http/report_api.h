// src/http/report_api.h
#pragma once
#include "http/api.h"

namespace vipcare::http {

// GET /api/v1/reports and /api/v1/reports/{name} (SPEC R1-R10).
void AddReportRoutes(Router& router, Services s);

}  // namespace vipcare::http
