// R3 tier distribution and migration.
#include "service/reports/report_fns.h"

namespace vipcare::service::reports {

ReportResult TierMix(const ReportQuery&, store::Repository&) {
  return Error::NotFound("this report is not built yet", "name");
}

}  // namespace vipcare::service::reports
