#include "service/org.h"

#include <functional>
#include <map>

#include "domain/mask.h"
#include "domain/member.h"
#include "domain/presets.h"
#include "service/access.h"
#include "service/audit.h"
#include "service/loyalty_core.h"

namespace vipcare::service {
namespace {

using nlohmann::json;
using Setter = std::function<Status(const json&)>;

Status ApplyObject(const json& body, const std::map<std::string, Setter, std::less<>>& setters) {
  if (!body.is_object()) return Error::Invalid("", "the body must be a JSON object");
  for (const auto& [key, value] : body.items()) {
    auto it = setters.find(key);
    if (it == setters.end()) return Error::Invalid(key, "is not a known field");
    VIPCARE_TRY(it->second(value));
  }
  return OkStatus();
}

Setter Text(std::string& out, std::string field) {
  return [&out, field](const json& v) -> Status {
    if (!v.is_string()) return Error::Invalid(field, "must be a string");
    out = v.get<std::string>();
    return OkStatus();
  };
}

template <class IdT>
Setter IdField(IdT& out, std::string field) {
  return [&out, field](const json& v) -> Status {
    if (v.is_null()) {
      out = IdT();
      return OkStatus();
    }
    if (!v.is_number_integer() || v.get<int64_t>() <= 0) {
      return Error::Invalid(field, "must be a positive integer id");
    }
    out = IdT(v.get<int64_t>());
    return OkStatus();
  };
}

Setter Flag(bool& out, std::string field) {
  return [&out, field](const json& v) -> Status {
    if (!v.is_boolean()) return Error::Invalid(field, "must be true or false");
    out = v.get<bool>();
    return OkStatus();
  };
}

Setter ReadOnly(std::string field) {
  return [field](const json&) -> Status { return Error::Invalid(field, "is read-only"); };
}

Status ApplyStore(const json& body, domain::Store& s) {
  return ApplyObject(body, {
      {"id", ReadOnly("id")},
      {"code", Text(s.code, "code")},
      {"name", Text(s.name, "name")},
      {"region_id", IdField(s.region_id, "region_id")},
      {"city", Text(s.city, "city")},
      {"address", Text(s.address, "address")},
      {"phone", Text(s.phone, "phone")},
      {"opened_on", [&s](const json& v) -> Status {
         if (v.is_null()) {
           s.opened_on.reset();
           return OkStatus();
         }
         auto d = v.is_string() ? Date::Parse(v.get<std::string>()) : std::nullopt;
         if (!d) return Error::Invalid("opened_on", "must be a date YYYY-MM-DD");
         s.opened_on = d;
         return OkStatus();
       }},
      {"active", Flag(s.active, "active")},
      // The id as given; ProgramOfStore turns it into a code.
      {"program_id", [&s](const json& v) -> Status {
         if (v.is_null()) {
           s.program_code.clear();
           return OkStatus();
         }
         if (!v.is_string()) {
           return Error::Invalid("program_id", "must be a program's id, or null for the company's");
         }
         s.program_code = v.get<std::string>();
         return OkStatus();
       }},
  });
}

// A store body's program_id (as ApplyStore kept it) as the program's code.
Status ProgramOfStore(store::Repository& repo, const json& body, domain::Store& s) {
  if (!body.is_object() || !body.contains("program_id") || s.program_code.empty()) {
    return OkStatus();
  }
  auto code = loyalty_core::ProgramCodeOfId(repo.loyalty(), s.program_code);
  if (!code) {
    return Error::Invalid("program_id", "no program has that id (GET /api/v1/programs lists them)");
  }
  s.program_code = *code;
  return OkStatus();
}

Status ApplyStaff(const json& body, domain::Staff& s) {
  return ApplyObject(body, {
      {"id", ReadOnly("id")},
      {"employee_no", Text(s.employee_no, "employee_no")},
      {"name", Text(s.name, "name")},
      {"role", [&s](const json& v) -> Status {
         auto r = v.is_string() ? domain::ParseRole(v.get<std::string>()) : std::nullopt;
         if (!r) {
           return Error::Invalid("role",
                                 "must be one of associate, store_manager, regional_supervisor, "
                                 "call_center, hq_analyst, admin, auditor");
         }
         s.role = *r;
         return OkStatus();
       }},
      {"store_id", IdField(s.store_id, "store_id")},
      {"region_id", IdField(s.region_id, "region_id")},
      {"mobile", Text(s.mobile, "mobile")},
      {"active", Flag(s.active, "active")},
  });
}

Error Duplicate(const char* field) {
  return Error::Conflict(std::string("another record already uses that ") + field, field);
}

template <class F>
auto GuardUnique(const char* field, F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const store::DbError& e) {
    if (e.kind() == store::DbError::Kind::kUniqueViolation) return Duplicate(field);
    throw;
  }
}

Status CheckStaffRefs(store::Repository& repo, domain::Staff& s) {
  if (s.store_id) {
    auto st = repo.GetStore(s.store_id);
    if (!st) return Error::Invalid("store_id", "no store has that id");
    if (!s.region_id) s.region_id = st->region_id;
    if (s.region_id != st->region_id) {
      return Error::Invalid("region_id", "the store is in another region");
    }
  }
  if (s.region_id && !repo.GetRegion(s.region_id)) {
    return Error::Invalid("region_id", "no region has that id");
  }
  return OkStatus();
}

void Audit(store::Repository& repo, const Env& env, const Actor& actor, const char* action,
           const char* entity, int64_t id) {
  RecordAudit(repo, env, actor, action, entity, std::to_string(id));
}

}  // namespace

json ToJson(const domain::Region& r) {
  return {{"id", r.id.value}, {"code", r.code}, {"name", r.name}};
}

json ToJson(const domain::Store& s) {
  return {{"id", s.id.value},
          {"code", s.code},
          {"name", s.name},
          {"region_id", s.region_id.value},
          {"city", s.city},
          {"address", s.address},
          {"phone", s.phone},
          {"opened_on", s.opened_on ? json(s.opened_on->ToString()) : json(nullptr)},
          {"active", s.active},
          {"program_id", s.program_code.empty() ? json(nullptr)
                                                : json(std::string(domain::ProgramId(s.program_code)))}};
}

json ToJson(const domain::Staff& s) {
  return {{"id", s.id.value},
          {"employee_no", s.employee_no},
          {"name", s.name},
          {"role", domain::ToString(s.role)},
          {"store_id", s.store_id ? json(s.store_id.value) : json(nullptr)},
          {"region_id", s.region_id ? json(s.region_id.value) : json(nullptr)},
          {"mobile", s.mobile},
          {"active", s.active}};
}

Result<domain::Company> Org::GetCompany() {
  return env_.store.Read([&](store::Repository& repo) -> Result<domain::Company> {
    return repo.GetCompany().value_or(domain::Company{"", env_.tz.name()});
  });
}

Result<domain::Company> Org::SetCompany(const Actor& actor, const json& body) {
  auto current = GetCompany();
  if (!current.ok()) return current.error();
  domain::Company c = *current;
  VIPCARE_TRY(ApplyObject(body, {{"name", Text(c.name, "name")},
                                 {"timezone", Text(c.timezone, "timezone")}}));
  if (c.name.empty()) return Error::Invalid("name", "is required");
  if (domain::Utf8Length(c.name) < 0 || domain::Utf8Length(c.name) > 100) {
    return Error::Invalid("name", "must be at most 100 characters");
  }
  auto tz = TimeZone::Load(c.timezone);
  if (!tz.ok()) return tz.error();
  return env_.store.Write([&](store::Repository& repo) -> Result<domain::Company> {
    repo.SaveCompany(c);
    Audit(repo, env_, actor, "company_update", "company", 1);
    return c;
  });
}

Result<domain::Region> Org::CreateRegion(const Actor& actor, const json& body) {
  domain::Region r;
  VIPCARE_TRY(ApplyObject(body, {{"code", Text(r.code, "code")}, {"name", Text(r.name, "name")}}));
  VIPCARE_TRY(domain::ValidateRegion(r));
  return GuardUnique("code", [&] {
    return env_.store.Write([&](store::Repository& repo) -> Result<domain::Region> {
      r.id = repo.InsertRegion(r);
      Audit(repo, env_, actor, "region_create", "region", r.id.value);
      return r;
    });
  });
}

Result<std::vector<domain::Region>> Org::ListRegions() {
  return env_.store.Read([&](store::Repository& repo) -> Result<std::vector<domain::Region>> {
    return repo.ListRegions();
  });
}

Result<domain::Store> Org::CreateStore(const Actor& actor, const json& body) {
  domain::Store s;
  VIPCARE_TRY(ApplyStore(body, s));
  VIPCARE_TRY(domain::ValidateStore(s));
  return GuardUnique("code", [&] {
    return env_.store.Write([&](store::Repository& repo) -> Result<domain::Store> {
      if (!repo.GetRegion(s.region_id)) return Error::Invalid("region_id", "no region has that id");
      VIPCARE_TRY(ProgramOfStore(repo, body, s));
      s.id = repo.InsertStore(s);
      Audit(repo, env_, actor, "store_create", "store", s.id.value);
      return s;
    });
  });
}

Result<domain::Store> Org::UpdateStore(const Actor& actor, StoreId id, const json& patch) {
  return GuardUnique("code", [&] {
    return env_.store.Write([&](store::Repository& repo) -> Result<domain::Store> {
      auto s = repo.GetStore(id);
      if (!s) return Error::NotFound("no store has that id", "id");
      VIPCARE_TRY(ApplyStore(patch, *s));
      VIPCARE_TRY(domain::ValidateStore(*s));
      if (!repo.GetRegion(s->region_id)) return Error::Invalid("region_id", "no region has that id");
      VIPCARE_TRY(ProgramOfStore(repo, patch, *s));
      repo.UpdateStore(*s);
      Audit(repo, env_, actor, "store_update", "store", id.value);
      return *s;
    });
  });
}

Result<domain::Store> Org::GetStore(StoreId id) {
  return env_.store.Read([&](store::Repository& repo) -> Result<domain::Store> {
    auto s = repo.GetStore(id);
    if (!s) return Error::NotFound("no store has that id", "id");
    return *s;
  });
}

Result<store::PageOf<domain::Store>> Org::ListStores(std::optional<RegionId> region,
                                                     store::Page page) {
  return env_.store.Read([&](store::Repository& repo) -> Result<store::PageOf<domain::Store>> {
    return repo.ListStores(region, page);
  });
}

Result<domain::Staff> Org::CreateStaff(const Actor& actor, const json& body) {
  domain::Staff s;
  VIPCARE_TRY(ApplyStaff(body, s));
  VIPCARE_TRY(domain::ValidateStaff(s));
  return GuardUnique("employee_no", [&] {
    return env_.store.Write([&](store::Repository& repo) -> Result<domain::Staff> {
      VIPCARE_TRY(CheckStaffRefs(repo, s));
      s.id = repo.InsertStaff(s);
      Audit(repo, env_, actor, "staff_create", "staff", s.id.value);
      return s;
    });
  });
}

Result<domain::Staff> Org::UpdateStaff(const Actor& actor, StaffId id, const json& patch) {
  return GuardUnique("employee_no", [&] {
    return env_.store.Write([&](store::Repository& repo) -> Result<domain::Staff> {
      auto s = repo.GetStaff(id);
      if (!s) return Error::NotFound("no staff member has that id", "id");
      VIPCARE_TRY(ApplyStaff(patch, *s));
      VIPCARE_TRY(domain::ValidateStaff(*s));
      VIPCARE_TRY(CheckStaffRefs(repo, *s));
      repo.UpdateStaff(*s);
      Audit(repo, env_, actor, "staff_update", "staff", id.value);
      return *s;
    });
  });
}

namespace {

// The region a staff member works in: their store's, or their own (supervisors).
RegionId StaffRegion(store::Repository& repo, const domain::Staff& s) {
  if (s.region_id) return s.region_id;
  if (s.store_id) {
    if (auto store = repo.GetStore(s.store_id)) return store->region_id;
  }
  return {};
}

domain::Staff Present(store::Repository& repo, const Actor& actor, domain::Staff s) {
  if (!SeesStaffContact(actor, s, StaffRegion(repo, s))) s.mobile = domain::MaskPhone(s.mobile);
  return s;
}

}  // namespace

Result<domain::Staff> Org::GetStaff(const Actor& actor, StaffId id) {
  return env_.store.Read([&](store::Repository& repo) -> Result<domain::Staff> {
    auto s = repo.GetStaff(id);
    if (!s) return Error::NotFound("no staff member has that id", "id");
    VIPCARE_TRY(CheckStaffScope(actor, *s, StaffRegion(repo, *s)));
    return Present(repo, actor, std::move(*s));
  });
}

Result<store::PageOf<domain::Staff>> Org::ListStaff(const Actor& actor,
                                                    std::optional<StoreId> store,
                                                    std::optional<domain::Role> role,
                                                    store::Page page) {
  return env_.store.Read([&](store::Repository& repo) -> Result<store::PageOf<domain::Staff>> {
    std::optional<RegionId> region;
    VIPCARE_TRY(ApplyStaffScope(repo, actor, store, region));
    auto out = repo.ListStaff(store, role, page, region);
    for (auto& s : out.items) s = Present(repo, actor, std::move(s));
    return out;
  });
}

namespace {

Status MayKeepDevices(const Actor& actor, StoreId store) {
  if (actor.role == domain::Role::kAdmin) return OkStatus();
  if (actor.role == domain::Role::kStoreManager && actor.store_id && actor.store_id == store) {
    return OkStatus();
  }
  return Error::Forbidden("only an admin or the store's manager may keep its device list");
}

// P7: a store's own staff may not change its list so that their own client
// would be refused at the next request (only an admin could undo it).
Status KeepsCallerIn(const Actor& actor, const std::vector<store::DeviceRecord>& after,
                     const std::string& field) {
  if (ClientAllowed(actor, after)) return OkStatus();
  std::string client = "address " + actor.address;
  if (!actor.device_id.empty()) client += " / device id " + actor.device_id;
  return Error::Unprocessable("this change would lock you out: the computer you work from (" +
                                  client + ") would no longer be on the list; add it first",
                              field);
}

}  // namespace

Result<store::DeviceRecord> Org::AddDevice(const Actor& actor, const json& body) {
  if (!body.is_object()) return Error::Invalid("body", "must be a JSON object");
  store::DeviceRecord d;
  if (!body.contains("store_id") || !body["store_id"].is_number_integer()) {
    return Error::Invalid("store_id", "is required");
  }
  d.store_id = StoreId(body["store_id"].get<int64_t>());
  for (auto [key, out] : {std::pair{"kind", &d.kind}, std::pair{"value", &d.value},
                          std::pair{"label", &d.label}}) {
    if (body.contains(key) && !body[key].is_string()) return Error::Invalid(key, "must be text");
    if (body.contains(key)) *out = body[key].get<std::string>();
  }
  VIPCARE_TRY(domain::ValidateDeviceEntry(d.kind, d.value));
  if (d.label.size() > 100) return Error::Invalid("label", "must be at most 100 bytes");
  VIPCARE_TRY(MayKeepDevices(actor, d.store_id));
  d.created_by = actor.user_id;
  d.created_at = env_.clock.Now();
  return env_.store.Write([&](store::Repository& repo) -> Result<store::DeviceRecord> {
    if (!repo.GetStore(d.store_id)) return Error::Invalid("store_id", "no store has that id");
    auto after = repo.ListDevices(d.store_id);
    after.push_back(d);
    VIPCARE_TRY(KeepsCallerIn(actor, after, "value"));
    d.id = repo.InsertDevice(d);
    Audit(repo, env_, actor, "device_add", "device", d.id);
    return d;
  });
}

Result<std::vector<store::DeviceRecord>> Org::ListDevices(const Actor& actor,
                                                          std::optional<StoreId> store) {
  if (actor.role != domain::Role::kAdmin) {
    if (store && *store != actor.store_id) return Error::Forbidden("another store's devices");
    VIPCARE_TRY(MayKeepDevices(actor, actor.store_id));
    store = actor.store_id;
  }
  return env_.store.Read([&](store::Repository& repo) -> Result<std::vector<store::DeviceRecord>> {
    return repo.ListDevices(store);
  });
}

Result<store::DeviceRecord> Org::SetDeviceActive(const Actor& actor, int64_t id, bool active) {
  return env_.store.Write([&](store::Repository& repo) -> Result<store::DeviceRecord> {
    auto d = repo.GetDevice(id);
    if (!d) return Error::NotFound("no device entry has that id", "id");
    VIPCARE_TRY(MayKeepDevices(actor, d->store_id));
    auto after = repo.ListDevices(d->store_id);
    for (auto& e : after) {
      if (e.id == id) e.active = active;
    }
    VIPCARE_TRY(KeepsCallerIn(actor, after, "active"));
    repo.SetDeviceActive(id, active);
    Audit(repo, env_, actor, active ? "device_enable" : "device_disable", "device", id);
    d->active = active;
    return *d;
  });
}

}  // namespace vipcare::service
