// R6 top-N tracking.
#include "service/reports/report_fns.h"

namespace vipcare::service::reports {

ReportResult TopMembers(const ReportQuery&, store::Repository&) {
  return Error::NotFound("this report is not built yet", "name");
}

}  // namespace vipcare::service::reports
