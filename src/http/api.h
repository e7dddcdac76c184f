// src/http/api.h
#pragma once
#include <string_view>

#include "http/router.h"
#include "service/accounts.h"
#include "service/audit.h"
#include "service/care.h"
#include "service/care_report.h"
#include "service/grants.h"
#include "service/loyalty.h"
#include "service/members.h"
#include "service/org.h"
#include "service/programs.h"
#include "service/redemption.h"
#include "service/staff_leave.h"
#include "service/reports.h"
#include "service/yearly_report.h"
#include "service/stored_goods.h"
#include "service/tier_admin.h"

namespace vipcare::http {

// The use cases the API exposes. References; the caller owns them.
struct Services {
  service::Accounts& accounts;
  service::Members& members;
  service::Org& org;
  service::AuditLog& audit;
  service::Grants& grants;
  service::Loyalty& loyalty;
  service::Programs& programs;
  service::Redemption& redemption;
  service::TierAdmin& tier_admin;
  service::Care& care;
  service::StaffLeaves& staff_leaves;
  service::CareReports& care_reports;
  service::StoredGoods& stored_goods;
  service::Reports& reports;
  service::YearlyReports& yearly_reports;
};

// Adds every /api/v1 route (and /healthz) to `router`. Handlers only parse,
// call a service and serialize; docs/openapi.json describes each route.
void RegisterApi(Router& router, Services services);

// The OpenAPI 3 document, compiled in from docs/openapi.json.
extern const std::string_view kOpenApiJson;

}  // namespace vipcare::http
