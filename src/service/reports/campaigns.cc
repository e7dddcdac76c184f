// R9 events and campaigns.
#include "service/reports/report_fns.h"

namespace vipcare::service::reports {

ReportResult Campaigns(const ReportQuery&, store::Repository&) {
  return Error::NotFound("this report is not built yet", "name");
}

}  // namespace vipcare::service::reports
