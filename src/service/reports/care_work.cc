// R8 care work and staff goals.
#include "service/reports/report_fns.h"

namespace vipcare::service::reports {

ReportResult CareWork(const ReportQuery&, store::Repository&) {
  return Error::NotFound("this report is not built yet", "name");
}

ReportResult StaffGoals(const ReportQuery&, store::Repository&) {
  return Error::NotFound("this report is not built yet", "name");
}

}  // namespace vipcare::service::reports
