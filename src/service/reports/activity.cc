// R4 activity and RFM.
#include "service/reports/report_fns.h"

namespace vipcare::service::reports {

ReportResult Activity(const ReportQuery&, store::Repository&) {
  return Error::NotFound("this report is not built yet", "name");
}

ReportResult Rfm(const ReportQuery&, store::Repository&) {
  return Error::NotFound("this report is not built yet", "name");
}

}  // namespace vipcare::service::reports
