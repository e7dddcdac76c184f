#include "service/programs.h"

#include <fmt/format.h>

#include <map>

#include "domain/presets.h"
#include "domain/program.h"
#include "service/access.h"
#include "service/audit.h"
#include "service/loyalty_core.h"
#include "service/program_switch.h"

namespace vipcare::service {
namespace {

using nlohmann::json;
using namespace loyalty_core;

constexpr size_t kMaxCodeBytes = 40;
constexpr int64_t kMaxStoresListed = 10000;

bool ValidCode(const std::string& code) {
  if (code.empty() || code.size() > kMaxCodeBytes) return false;
  for (char c : code) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

json TierNames(const domain::Program& p) {
  json names = json::array();
  for (const auto& t : p.tiers) names.push_back(t.name);
  return names;
}

// The program `code` as stored (newest, or `version`), else the preset.
std::optional<domain::Program> Find(store::LoyaltyRepository& l, const std::string& code,
                                    int64_t version, bool* stored) {
  if (auto rec = l.GetProgram(code, version)) {
    *stored = true;
    return ParseStoredProgram(*rec);
  }
  *stored = false;
  if (version > 1) return std::nullopt;
  if (const domain::Program* preset = domain::FindPreset(code)) return *preset;
  return std::nullopt;
}

json Describe(store::Repository& repo, const domain::Program& p, bool stored) {
  auto& l = repo.loyalty();
  const std::string current = CompanyProgramCode(l);
  json out = domain::ProgramToJson(p);
  out["id"] = std::string(domain::ProgramId(p.code));
  out["version"] = p.version;
  out["current"] = p.code == current;
  out["preset"] = domain::FindPreset(p.code) != nullptr;
  out["stored"] = stored;
  json versions = json::array();
  std::map<int64_t, std::string> usernames;
  for (const auto& v : l.ListProgramVersions(p.code)) {
    std::string who;
    if (v.created_by) {
      if (!usernames.count(v.created_by.value)) {
        auto u = repo.GetUser(v.created_by);
        usernames[v.created_by.value] = u ? u->username : "";
      }
      who = usernames[v.created_by.value];
    }
    versions.push_back({{"version", v.version},
                        {"name", v.name},
                        {"created_at", FormatTimestamp(v.created_at)},
                        {"created_by_username", who}});
  }
  out["versions"] = versions;
  return out;
}

// A program's category rules name categories of the catalogue (issue 5)
// while it lists any; switched-off ones too (such a rule just never applies).
Status CategoriesListed(store::LoyaltyRepository& l, const domain::Program& p) {
  const CategoryCatalogue catalogue(l);
  if (!catalogue.checked()) return OkStatus();
  const auto& e = p.earning;
  for (size_t i = 0; i < e.category_multipliers.size(); ++i) {
    if (!catalogue.Lists(e.category_multipliers[i].category)) {
      return Error::Invalid(fmt::format("earning.category_multipliers[{}].category", i),
                            std::string(kCategoryNotListed));
    }
  }
  for (size_t i = 0; i < e.campaigns.size(); ++i) {
    const auto& names = e.campaigns[i].categories;
    for (size_t k = 0; k < names.size(); ++k) {
      if (!catalogue.Lists(names[k])) {
        return Error::Invalid(fmt::format("earning.campaigns[{}].categories[{}]", i, k),
                              std::string(kCategoryNotListed));
      }
    }
  }
  return OkStatus();
}

json CategoryJson(const store::CategoryRecord& c) {
  return {{"id", c.id},
          {"name", c.name},
          {"active", c.active},
          {"created_at", FormatTimestamp(c.created_at)},
          {"updated_at", FormatTimestamp(c.updated_at)}};
}

}  // namespace

Result<json> Programs::List(const Actor& actor) {
  VIPCARE_TRY(Authorize(actor, Permission::kOrgRead));
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto& l = repo.loyalty();
    const std::string current = CompanyProgramCode(l);
    std::map<std::string, json> by_code;
    for (const auto& p : domain::Presets()) {
      by_code[p.code] = {{"code", p.code}, {"name", p.name},      {"version", p.version},
                         {"preset", true}, {"stored", false},     {"tiers", TierNames(p)},
                         {"description", p.description},
                         {"id", std::string(domain::ProgramId(p.code))}};
    }
    for (const auto& rec : l.ListPrograms()) {
      auto p = domain::ParseProgramText(rec.body);
      if (!p.ok()) continue;
      by_code[rec.code] = {{"code", rec.code},
                           {"id", std::string(domain::ProgramId(rec.code))},
                           {"name", p->name},
                           {"version", rec.version},
                           {"preset", domain::FindPreset(rec.code) != nullptr},
                           {"stored", true},
                           {"tiers", TierNames(*p)},
                           {"description", p->description}};
    }
    // Who runs each program besides the company: members put on it (or
    // started on a store's default) and the stores whose default it is.
    std::map<std::string, int64_t> own;
    for (const auto& [code, n] : l.MembersByOwnProgram()) own[code] = n;
    std::map<std::string, json> stores;
    for (const auto& st : repo.ListStores(std::nullopt, {kMaxStoresListed, 0}).items) {
      if (st.program_code.empty()) continue;
      stores[st.program_code].push_back({{"id", st.id.value}, {"code", st.code}, {"name", st.name}});
    }
    json items = json::array();
    for (auto& [code, item] : by_code) {
      item["current"] = code == current;
      item["members_own"] = own.count(code) ? own[code] : 0;
      item["stores"] = stores.count(code) ? stores[code] : json::array();
      items.push_back(item);
    }
    return json{{"items", items}, {"total", items.size()}};
  });
}

Result<json> Programs::Get(const Actor& actor, const std::string& code, int64_t version) {
  VIPCARE_TRY(Authorize(actor, Permission::kOrgRead));
  if (version < 0) return Error::Invalid("version", "must be a positive version number");
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    bool stored = false;
    auto p = Find(repo.loyalty(), ProgramCodeOf(repo.loyalty(), code), version, &stored);
    if (!p) return Error::NotFound("no program has that code and version", "code");
    return Describe(repo, *p, stored);
  });
}

Result<json> Programs::Put(const Actor& actor, const std::string& id, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  if (!ValidCode(id)) {
    return Error::Invalid("code", "must be 1-40 lower-case letters, digits, _ or -");
  }
  if (!body.is_object()) return Error::Invalid("body", "must be a program as a JSON object");
  // A preset's stable id in the address edits that preset.
  std::string code = id;
  if (!domain::PresetCodeOfId(id).empty()) {
    auto resolved = env_.store.Read(
        [&](store::Repository& repo) -> Result<std::string> { return ProgramCodeOf(repo.loyalty(), id); });
    if (!resolved.ok()) return resolved.error();
    code = *resolved;
  }
  json doc = body;
  if (auto it = doc.find("code"); it != doc.end() && *it != json(code) && *it != json(id)) {
    return Error::Invalid("code", "must be the program's code in the address (" + code + ")");
  }
  doc["code"] = code;
  // The server numbers versions; what the editor read is not an input.
  for (const char* k : {"version", "current", "preset", "stored", "versions", "id"}) doc.erase(k);
  auto parsed = domain::ParseProgram(doc);
  if (!parsed.ok()) return parsed.error();
  const Timestamp now = env_.clock.Now();
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto& l = repo.loyalty();
    VIPCARE_TRY(CategoriesListed(l, *parsed));
    // A preset counts as the version before the first stored edit of it.
    int64_t next = 1;
    if (auto newest = l.GetProgram(code)) {
      next = newest->version + 1;
    } else if (const domain::Program* preset = domain::FindPreset(code)) {
      next = preset->version + 1;
    }
    domain::Program p = *parsed;
    p.version = next;
    store::ProgramRecord rec;
    rec.code = code;
    rec.version = next;
    rec.name = p.name;
    rec.body = domain::ProgramToJson(p).dump();
    rec.created_by = actor.user_id;
    rec.created_at = now;
    p.id = l.InsertProgramVersion(rec);
    RecordAudit(repo, env_, actor, "program_update", "program", code,
                fmt::format("version={}", next));
    return Describe(repo, p, true);
  });
}

Result<json> Programs::Choose(const Actor& actor, const std::string& code) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  const Timestamp now = env_.clock.Now();
  const Date today = env_.Today();
  // A switch cut short (the process stopped) is finished first: its
  // followers still hold the tiers of the program it left.
  auto earlier = FinishProgramSwitch(env_, actor, today);
  if (!earlier.ok()) return earlier.error();
  bool switched = false;
  auto chosen = env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto& l = repo.loyalty();
    const std::string code_of = ProgramCodeOf(l, code);
    bool stored = false;
    auto p = Find(l, code_of, 0, &stored);
    if (!p) return Error::NotFound("no program has that code", "code");
    if (!stored) {
      store::ProgramRecord rec;
      rec.code = code_of;
      rec.version = 1;
      rec.name = p->name;
      rec.body = domain::ProgramToJson(*p).dump();
      rec.created_by = actor.user_id;
      rec.created_at = now;
      p->id = l.InsertProgramVersion(rec);
      p->version = 1;
      stored = true;
    }
    const std::string before = CompanyProgramCode(l);
    l.SetCompanyProgram(code_of);
    if (before != code_of) {
      l.SetPendingProgramSwitch({before, code_of, MemberId(), now, actor.user_id});
      switched = true;
    }
    RecordAudit(repo, env_, actor, "program_choose", "program", code_of,
                fmt::format("version={} before={}", p->version, before));
    return Describe(repo, *p, stored);
  });
  if (!chosen.ok() || !switched) {
    if (chosen.ok()) (*chosen)["switch"] = nullptr;
    return chosen;
  }
  auto placed = FinishProgramSwitch(env_, actor, today);
  if (placed.ok()) {
    (*chosen)["switch"] = *placed;
  } else {
    // The program is the company's; the next run-jobs (or choice) finishes
    // putting its followers on the new ladder.
    (*chosen)["switch"] = json{{"finished", false}, {"error", placed.error().message}};
  }
  return chosen;
}

// ---- the category catalogue ----

Result<json> Programs::ListCategories(const Actor&, bool include_inactive) {
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    const auto all = repo.loyalty().ListCategories();
    json items = json::array();
    for (const auto& c : all) {
      if (c.active || include_inactive) items.push_back(CategoryJson(c));
    }
    return json{{"items", items}, {"total", items.size()}, {"checked", !all.empty()}};
  });
}

Result<json> Programs::AddCategory(const Actor& actor, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  if (!body.is_object()) return Error::Invalid("body", "must be a JSON object");
  VIPCARE_TRY(OnlyFields(body, {"name"}, "a category"));
  // As long as a line's category may be (TextField(…, "category", 64, …)).
  auto name = TextField(body, "name", 64, true);
  if (!name.ok()) return name.error();
  if (IsBlank(*name)) return Error::Invalid("name", "must not be blank");
  if (std::isspace(static_cast<unsigned char>(name->front())) ||
      std::isspace(static_cast<unsigned char>(name->back()))) {
    return Error::Invalid("name", "must not begin or end with a space");
  }
  const Timestamp now = env_.clock.Now();
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto& l = repo.loyalty();
    if (l.FindCategory(*name)) return Error::Conflict("the catalogue lists this category", "name");
    store::CategoryRecord c{0, *name, true, actor.user_id, now, now};
    l.InsertCategory(c);
    RecordAudit(repo, env_, actor, "category_add", "category", std::to_string(c.id),
                "name=" + c.name);
    return CategoryJson(c);
  });
}

Result<json> Programs::UpdateCategory(const Actor& actor, int64_t id, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  if (!body.is_object()) return Error::Invalid("body", "must be a JSON object");
  VIPCARE_TRY(OnlyFields(body, {"active"}, "a category change"));
  auto active = body.find("active");
  if (active == body.end() || !active->is_boolean()) {
    return Error::Invalid("active", "must be true or false");
  }
  const Timestamp now = env_.clock.Now();
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto& l = repo.loyalty();
    auto c = l.GetCategory(id);
    if (!c) return Error::NotFound("no category has that id", "id");
    if (c->active == active->get<bool>()) return CategoryJson(*c);
    c->active = active->get<bool>();
    c->updated_at = now;
    l.UpdateCategory(*c);
    RecordAudit(repo, env_, actor, c->active ? "category_on" : "category_off", "category",
                std::to_string(c->id), "name=" + c->name);
    return CategoryJson(*c);
  });
}

Result<json> Programs::CategoriesSold(const Actor& actor, int64_t days) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  if (days < 1 || days > 366) return Error::Invalid("days", "must be 1-366");
  const Date from = env_.Today().AddDays(-static_cast<int>(days - 1));
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto& l = repo.loyalty();
    const CategoryCatalogue catalogue(l);
    json items = json::array();
    for (const auto& [name, lines] : l.CategoriesSold(from)) {
      items.push_back({{"name", name},
                       {"lines", lines},
                       {"listed", catalogue.Lists(name)},
                       {"active", catalogue.Active(name)}});
    }
    return json{{"from", from.ToString()}, {"items", items}};
  });
}

}  // namespace vipcare::service
