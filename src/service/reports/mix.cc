// R7 category / brand / price band; age and gender.
#include "service/reports/report_fns.h"

namespace vipcare::service::reports {

ReportResult CategoryMix(const ReportQuery&, store::Repository&) {
  return Error::NotFound("this report is not built yet", "name");
}

ReportResult MemberProfile(const ReportQuery&, store::Repository&) {
  return Error::NotFound("this report is not built yet", "name");
}

}  // namespace vipcare::service::reports
