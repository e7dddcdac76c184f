#include "service/reports.h"

#include <fmt/format.h>

#include "service/access.h"
#include "service/audit.h"
#include "service/loyalty_core.h"
#include "service/reports/report_query.h"

namespace vipcare::service {

using json = nlohmann::json;

namespace {

json ScopeJson(const store::ReportScope& s) {
  json out = json::object();
  out["store_id"] = s.store ? json(s.store->value) : json();
  out["region_id"] = s.region ? json(s.region->value) : json();
  out["tier"] = s.tier ? json(*s.tier) : json();
  return out;
}

Result<json> Run(const Env& env, const Actor& actor, const std::string& name, const QueryMap& q,
                 store::Repository& repo) {
  const reports::ReportSpec* spec = reports::FindReport(name);
  if (!spec) return Error::NotFound("no report has that name (GET /api/v1/reports lists them)", "name");
  auto query = reports::ResolveQuery(actor, *spec, q, repo, env.Today(), env.tz);
  if (!query.ok()) return query.error();
  auto body = spec->run(*query, repo);
  if (!body.ok()) return body.error();
  json out = {{"name", spec->name},    {"title", spec->title}, {"spec", spec->spec},
              {"from", query->from},   {"to", query->to},      {"scope", ScopeJson(query->scope)}};
  out.update(*body);
  return out;
}

}  // namespace

Result<json> Reports::List(const Actor& actor) {
  VIPCARE_TRY(Authorize(actor, Permission::kReportRead));
  json items = json::array();
  for (const auto& spec : reports::Catalog()) {
    json filters = {"from", "to", "store_id", "region_id"};
    for (const auto& f : spec.extra_filters) filters.push_back(f);
    items.push_back({{"name", spec.name},
                     {"title", spec.title},
                     {"spec", spec.spec},
                     {"description", spec.description},
                     {"filters", filters}});
  }
  // The tiers the "tier" filter takes: the company's by code, then those of
  // every other program members are on or stores run, keyed by program.
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    json tiers = json::array();
    const domain::Program ladder = loyalty_core::ProgramBook(repo.loyalty()).Ladder();
    for (const auto& t : ladder.tiers) tiers.push_back({{"code", t.code}, {"name", t.name}});
    return json{{"items", items}, {"tiers", tiers}};
  });
}

Result<json> Reports::Get(const Actor& actor, const std::string& name, const QueryMap& q) {
  VIPCARE_TRY(Authorize(actor, Permission::kReportRead));
  return env_.store.Read(
      [&](store::Repository& repo) -> Result<json> { return Run(env_, actor, name, q, repo); });
}

Result<reports::ExportFile> Reports::Export(const Actor& actor, const std::string& name, QueryMap q) {
  VIPCARE_TRY(Authorize(actor, Permission::kReportRead));
  VIPCARE_TRY(Authorize(actor, Permission::kReportExport));
  std::string format = Param(q, "format");
  std::string encoding = Param(q, "encoding");
  q.erase("format");
  q.erase("encoding");
  if (format.empty()) return Error::Invalid("format", "is required: csv or xlsx");
  // The report is read and rendered outside the write transaction (a big
  // report must not hold up the tills' postings); the file is handed out
  // only once its audit row is stored.
  auto report = env_.store.Read(
      [&](store::Repository& repo) -> Result<json> { return Run(env_, actor, name, q, repo); });
  if (!report.ok()) return report.error();
  auto file = reports::RenderExport(*report, format, encoding);
  if (!file.ok()) return file.error();
  VIPCARE_TRY(env_.store.Write([&](store::Repository& repo) -> Status {
    RecordAudit(repo, env_, actor, "report_export", "report", name,
                fmt::format("rows={} format={} from={} to={}", file->rows, format,
                            (*report)["from"].get<std::string>(),
                            (*report)["to"].get<std::string>()));
    return OkStatus();
  }));
  return file;
}

}  // namespace vipcare::service
