#include "http/api.h"

#include <fmt/format.h>

#include "domain/member_json.h"
#include "domain/presets.h"
#include "http/care_api.h"
#include "http/handler_util.h"
#include "http/care_report_api.h"
#include "http/report_api.h"
#include "http/yearly_report_api.h"
#include "http/stored_goods_api.h"

namespace vipcare::http {
namespace {

using nlohmann::json;
using service::Actor;
using service::Permission;

// For Reply: a service that already answers JSON.
json Same(const json& j) { return j; }

template <class T>
json PageJson(const store::PageOf<T>& page, const std::function<json(const T&)>& item) {
  json items = json::array();
  for (const auto& x : page.items) items.push_back(item(x));
  return {{"items", items}, {"total", page.total}};
}

json CardJson(const domain::Card& c) {
  return {{"id", c.id.value},
          {"card_no", c.card_no},
          {"member_id", c.member_id.value},
          {"kind", domain::ToString(c.kind)},
          {"status", domain::ToString(c.status)},
          {"issued_on", c.issued_on.ToString()},
          {"expires_on", c.expires_on.ToString()},
          {"pickup_due", c.pickup_due ? json(c.pickup_due->ToString()) : json(nullptr)},
          {"replaces", c.replaces ? json(c.replaces.value) : json(nullptr)}};
}

json MemberViewJson(const service::MemberView& v) {
  json j = domain::MemberToJson(v.member);
  json cards = json::array();
  for (const auto& c : v.cards) cards.push_back(CardJson(c));
  j["cards"] = cards;
  const service::MemberLoyalty& l = v.loyalty;
  j["program_id"] = std::string(domain::ProgramId(l.program_code));
  j["program"] = {{"code", l.program_code}, {"version", l.program_version}};
  j["program_name"] = l.program_name;
  j["program_assigned"] = l.program_assigned;
  j["tier"] = l.tier_code.empty()
                  ? json(nullptr)
                  : json{{"code", l.tier_code},
                         {"name", l.tier_name},
                         {"since", l.tier_since ? json(l.tier_since->ToString()) : json(nullptr)}};
  j["points_balance"] = l.points_balance.value;
  j["growth_points"] = l.growth_points.value;
  return j;
}

// Summary row of a member list: enough to pick the right person at the till.
json MemberRowJson(const domain::Member& m) {
  return {{"id", m.id.value},
          {"member_no", m.member_no},
          {"name", m.name},
          {"gender", domain::ToString(m.gender)},
          {"mobile", m.mobile.number},
          {"status", domain::ToString(m.status)},
          {"store_id", m.home_store_id.value},
          {"associate_id", m.associate_id ? json(m.associate_id.value) : json(nullptr)},
          {"tags", m.tags}};
}

json DestructionJson(const store::DestructionRecord& d) {
  return {{"id", d.id},
          {"member_id", d.member_id.value},
          {"member_no", d.member_no},
          {"erased_at", FormatTimestamp(d.erased_at)},
          {"erased_by", d.erased_by ? json(d.erased_by.value) : json(nullptr)},
          {"erased_by_username", d.erased_by_username},
          {"reason", d.reason},
          {"fields", json::parse(d.fields, nullptr, false)}};
}

json HistoryJson(const store::HistoryEntry& h) {
  return {{"id", h.id},
          {"changed_at", FormatTimestamp(h.changed_at)},
          {"changed_by", h.changed_by ? json(h.changed_by.value) : json(nullptr)},
          {"changed_by_username", h.changed_by_username},
          {"action", h.action},
          {"changes", json::parse(h.changes, nullptr, false)}};
}

json ActorJson(const Actor& a) {
  return {{"user_id", a.user_id.value},
          {"username", a.username},
          {"role", domain::ToString(a.role)},
          {"staff_id", a.staff_id ? json(a.staff_id.value) : json(nullptr)},
          {"store_id", a.store_id ? json(a.store_id.value) : json(nullptr)},
          {"region_id", a.region_id ? json(a.region_id.value) : json(nullptr)},
          // What the device allow-list (P7) sees of this client.
          {"client_address", a.address},
          {"device_id", a.device_id}};
}

// Runs `fn` if `r` is ok and answers with it, else answers the error.
template <class T, class F>
Response Reply(const Result<T>& r, F&& fn, int status = 200) {
  if (!r.ok()) return Response::FromError(r.error());
  return Response::Json(fn(*r), status);
}

// The optional `role` query parameter (a role name such as `call_centre`).
Result<std::optional<domain::Role>> QueryRole(const Request& req) {
  auto it = req.query.find("role");
  if (it == req.query.end() || it->second.empty()) return std::optional<domain::Role>{};
  auto role = domain::ParseRole(it->second);
  if (!role) return Error::Invalid("role", "is not a known role");
  return std::optional<domain::Role>(role);
}

// Reads a required string field of a JSON body.
Result<std::string> StringField(const json& body, const std::string& name, bool required = true) {
  auto it = body.find(name);
  if (it == body.end() || it->is_null()) {
    if (required) return Error::Invalid(name, "is required");
    return std::string();
  }
  if (!it->is_string()) return Error::Invalid(name, "must be a string");
  return it->get<std::string>();
}

// The filters of a member list (GET /api/v1/members and its export).
Result<service::MemberQuery> MemberQueryOf(const Request& req) {
  service::MemberQuery q;
  auto page = PageOf(req);
  if (!page.ok()) return page.error();
  q.page = *page;
  if (auto it = req.query.find("q"); it != req.query.end()) q.q = it->second;
  if (auto it = req.query.find("tag"); it != req.query.end()) q.tag = it->second;
  auto store = req.QueryInt("store_id", 0, 0, INT64_MAX);
  if (!store.ok()) return store.error();
  if (*store) q.store = StoreId(*store);
  auto assoc = req.QueryInt("associate_id", 0, 0, INT64_MAX);
  if (!assoc.ok()) return assoc.error();
  if (*assoc) q.associate = StaffId(*assoc);
  if (auto it = req.query.find("status"); it != req.query.end() && !it->second.empty()) {
    q.status = domain::ParseMemberStatus(it->second);
    if (!q.status || *q.status == domain::MemberStatus::kMerged ||
        *q.status == domain::MemberStatus::kErased) {
      return Error::Invalid("status", "must be one of prospect, temporary, formal, suspended, closed");
    }
  }
  for (auto [name, into] : {std::pair{"joined_from", &q.joined_from}, std::pair{"joined_to", &q.joined_to}}) {
    auto it = req.query.find(name);
    if (it == req.query.end() || it->second.empty()) continue;
    *into = Date::Parse(it->second);
    if (!*into) return Error::Invalid(name, "must be a date like 2026-11-01");
  }
  return q;
}

void AddAuthRoutes(Router& router, Services s) {
  router.Add({"POST", "/api/v1/auth/login", false, Permission::kNone,
              [s](const Request& req, const Actor*) {
                VIPCARE_PARSE(body, req.Json());
                VIPCARE_PARSE(username, StringField(body, "username"));
                VIPCARE_PARSE(password, StringField(body, "password"));
                auto r = s.accounts.Login(username, password, req.client_address,
                                          req.Header("x-device-id"));
                if (!r.ok()) return Response::FromError(r.error());
                // The CSRF token is derived from the session token, so it needs
                // no storage and is unguessable without the session.
                const std::string csrf = service::HashToken("csrf:" + r->token);
                Response res = Response::Json({{"token", r->token},
                                               {"csrf_token", csrf},
                                               {"expires_at", FormatTimestamp(r->expires_at)},
                                               {"must_change_password", r->must_change_password},
                                               {"user", ActorJson(r->actor)}});
                res.headers.push_back(
                    {"Set-Cookie", "vipcare_session=" + r->token +
                                       "; Path=/; HttpOnly; SameSite=Strict"});
                res.headers.push_back(
                    {"Set-Cookie", "vipcare_csrf=" + csrf + "; Path=/; SameSite=Strict"});
                return res;
              }});
  router.Add({"POST", "/api/v1/auth/logout", true, Permission::kNone,
              [s](const Request& req, const Actor*) {
                auto st = s.accounts.Logout(SessionToken(req));
                if (!st.ok()) return Response::FromError(st.error());
                Response res = Response::Json({{"ok", true}});
                res.headers.push_back({"Set-Cookie", "vipcare_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"});
                return res;
              }});
  router.Add({"GET", "/api/v1/auth/me", true, Permission::kNone,
              [](const Request&, const Actor* a) { return Response::Json(ActorJson(*a)); }});
  router.Add({"POST", "/api/v1/auth/password", true, Permission::kNone,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                VIPCARE_PARSE(old_pw, StringField(body, "old_password"));
                VIPCARE_PARSE(new_pw, StringField(body, "new_password"));
                auto st = s.accounts.ChangePassword(*a, old_pw, new_pw);
                return Reply(st, [](auto&) { return json{{"ok", true}}; });
              }});
  router.Add({"POST", "/api/v1/users", true, Permission::kUserAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                service::NewUser u;
                VIPCARE_PARSE(username, StringField(body, "username"));
                VIPCARE_PARSE(password, StringField(body, "password"));
                VIPCARE_PARSE(role, StringField(body, "role"));
                auto parsed_role = domain::ParseRole(role);
                if (!parsed_role) {
                  return Response::FromError(Error::Invalid("role", "is not a known role"));
                }
                u.username = username;
                u.password = password;
                u.role = *parsed_role;
                if (auto it = body.find("staff_id"); it != body.end() && !it->is_null()) {
                  if (!it->is_number_integer() || it->get<int64_t>() <= 0) {
                    return Response::FromError(
                        Error::Invalid("staff_id", "must be a positive integer id"));
                  }
                  u.staff_id = StaffId(it->get<int64_t>());
                }
                auto r = s.accounts.CreateUser(*a, u);
                return Reply(r, [&](const UserId& id) {
                  return json{{"id", id.value}, {"username", u.username},
                              {"role", domain::ToString(u.role)}};
                }, 201);
              }});
}

void AddOrgRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/company", true, Permission::kOrgRead,
              [s](const Request&, const Actor*) {
                return Reply(s.org.GetCompany(), [](const domain::Company& c) {
                  return json{{"name", c.name}, {"timezone", c.timezone}};
                });
              }});
  router.Add({"PUT", "/api/v1/company", true, Permission::kOrgAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.org.SetCompany(*a, body), [](const domain::Company& c) {
                  return json{{"name", c.name}, {"timezone", c.timezone}};
                });
              }});
  router.Add({"GET", "/api/v1/regions", true, Permission::kOrgRead,
              [s](const Request&, const Actor*) {
                return Reply(s.org.ListRegions(), [](const std::vector<domain::Region>& rs) {
                  json items = json::array();
                  for (const auto& r : rs) items.push_back(service::ToJson(r));
                  return json{{"items", items}, {"total", items.size()}};
                });
              }});
  router.Add({"POST", "/api/v1/regions", true, Permission::kOrgAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.org.CreateRegion(*a, body),
                             [](const domain::Region& r) { return service::ToJson(r); }, 201);
              }});
  router.Add({"GET", "/api/v1/stores", true, Permission::kOrgRead,
              [s](const Request& req, const Actor*) {
                VIPCARE_PARSE(page, PageOf(req));
                VIPCARE_PARSE(region, req.QueryInt("region_id", 0, 0, INT64_MAX));
                auto r = s.org.ListStores(region ? std::optional(RegionId(region)) : std::nullopt,
                                          page);
                return Reply(r, [](const store::PageOf<domain::Store>& p) {
                  return PageJson<domain::Store>(p, [](const auto& x) { return service::ToJson(x); });
                });
              }});
  router.Add({"POST", "/api/v1/stores", true, Permission::kOrgAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.org.CreateStore(*a, body),
                             [](const domain::Store& x) { return service::ToJson(x); }, 201);
              }});
  router.Add({"GET", "/api/v1/stores/{id}", true, Permission::kOrgRead,
              [s](const Request& req, const Actor*) {
                VIPCARE_PARSE(id, req.PathId("id"));
                return Reply(s.org.GetStore(StoreId(id)),
                             [](const domain::Store& x) { return service::ToJson(x); });
              }});
  router.Add({"PATCH", "/api/v1/stores/{id}", true, Permission::kOrgAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.org.UpdateStore(*a, StoreId(id), body),
                             [](const domain::Store& x) { return service::ToJson(x); });
              }});
  router.Add({"GET", "/api/v1/staff", true, Permission::kOrgRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                VIPCARE_PARSE(store, req.QueryInt("store_id", 0, 0, INT64_MAX));
                VIPCARE_PARSE(role, QueryRole(req));
                auto r = s.org.ListStaff(*a, store ? std::optional(StoreId(store)) : std::nullopt,
                                         role, page);
                return Reply(r, [](const store::PageOf<domain::Staff>& p) {
                  return PageJson<domain::Staff>(p, [](const auto& x) { return service::ToJson(x); });
                });
              }});
  router.Add({"POST", "/api/v1/staff", true, Permission::kOrgAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.org.CreateStaff(*a, body),
                             [](const domain::Staff& x) { return service::ToJson(x); }, 201);
              }});
  router.Add({"GET", "/api/v1/staff/{id}", true, Permission::kOrgRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                return Reply(s.org.GetStaff(*a, StaffId(id)),
                             [](const domain::Staff& x) { return service::ToJson(x); });
              }});
  router.Add({"PATCH", "/api/v1/staff/{id}", true, Permission::kOrgAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.org.UpdateStaff(*a, StaffId(id), body),
                             [](const domain::Staff& x) { return service::ToJson(x); });
              }});
}

void AddMemberRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/members", true, Permission::kMemberRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(q, MemberQueryOf(req));
                return Reply(s.members.Search(*a, q), [](const store::PageOf<domain::Member>& p) {
                  return PageJson<domain::Member>(p, MemberRowJson);
                });
              }});
  router.Add({"POST", "/api/v1/members", true, Permission::kMemberWrite,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.members.Create(*a, body), MemberViewJson, 201);
              }});
  router.Add({"GET", "/api/v1/members/{id}", true, Permission::kMemberRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                return Reply(s.members.Get(*a, MemberId(id)), MemberViewJson);
              }});
  router.Add({"PATCH", "/api/v1/members/{id}", true, Permission::kMemberWrite,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.members.Update(*a, MemberId(id), body), MemberViewJson);
              }});
  router.Add({"GET", "/api/v1/members/{id}/history", true, Permission::kMemberRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(page, PageOf(req));
                return Reply(s.members.History(*a, MemberId(id), page),
                             [](const store::PageOf<store::HistoryEntry>& p) {
                               return PageJson<store::HistoryEntry>(p, HistoryJson);
                             });
              }});
  router.Add({"POST", "/api/v1/members/{id}/status", true, Permission::kMemberWrite,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                VIPCARE_PARSE(status, StringField(body, "status"));
                VIPCARE_PARSE(reason, StringField(body, "reason"));
                return Reply(s.members.ChangeStatus(*a, MemberId(id), status, reason),
                             MemberViewJson);
              }});
  router.Add({"POST", "/api/v1/members/{id}/erasure", true, Permission::kMemberAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                VIPCARE_PARSE(reason, StringField(body, "reason"));
                return Reply(s.members.Erase(*a, MemberId(id), reason), DestructionJson, 201);
              }});
  router.Add({"POST", "/api/v1/members/{id}/merge", true, Permission::kMemberAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                auto it = body.find("from_member_id");
                if (it == body.end() || !it->is_number_integer() || it->get<int64_t>() <= 0) {
                  return Response::FromError(
                      Error::Invalid("from_member_id", "must be a positive integer id"));
                }
                return Reply(s.members.Merge(*a, MemberId(id), MemberId(it->get<int64_t>())),
                             MemberViewJson);
              }});
  router.Add({"GET", "/api/v1/members/{id}/cards", true, Permission::kMemberRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                return Reply(s.members.Get(*a, MemberId(id)), [](const service::MemberView& v) {
                  json items = json::array();
                  for (const auto& c : v.cards) items.push_back(CardJson(c));
                  return json{{"items", items}, {"total", items.size()}};
                });
              }});
  router.Add({"POST", "/api/v1/members/{id}/cards", true, Permission::kMemberWrite,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                VIPCARE_PARSE(kind, StringField(body, "kind"));
                return Reply(s.members.IssueCard(*a, MemberId(id), kind), CardJson, 201);
              }});
  router.Add({"GET", "/api/v1/cards/{card_no}", true, Permission::kMemberRead,
              [s](const Request& req, const Actor* a) {
                return Reply(s.members.GetCard(*a, req.params.at("card_no")), CardJson);
              }});
  router.Add({"POST", "/api/v1/cards/{card_no}/lost", true, Permission::kMemberWrite,
              [s](const Request& req, const Actor* a) {
                return Reply(s.members.ReportLost(*a, req.params.at("card_no")), CardJson);
              }});
  router.Add({"POST", "/api/v1/cards/{card_no}/reissue", true, Permission::kMemberWrite,
              [s](const Request& req, const Actor* a) {
                return Reply(s.members.Reissue(*a, req.params.at("card_no")), CardJson, 201);
              }});
  router.Add({"POST", "/api/v1/cards/{card_no}/status", true, Permission::kMemberWrite,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                VIPCARE_PARSE(status, StringField(body, "status"));
                return Reply(s.members.SetCardStatus(*a, req.params.at("card_no"), status),
                             CardJson);
              }});
  router.Add({"GET", "/api/v1/destruction-records", true, Permission::kAuditRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                return Reply(s.members.DestructionRecords(*a, page),
                             [](const store::PageOf<store::DestructionRecord>& p) {
                               return PageJson<store::DestructionRecord>(p, DestructionJson);
                             });
              }});
}

json AuditJson(const store::AuditEntry& e) {
  return {{"id", e.id},
          {"at", FormatTimestamp(e.at)},
          {"user_id", e.user_id ? json(e.user_id.value) : json(nullptr)},
          {"username", e.username},
          {"action", e.action},
          {"entity", e.entity},
          {"entity_id", e.entity_id},
          {"detail", e.detail},
          {"address", e.address},
          {"hash", e.hash}};
}

json UserJson(const store::UserRecord& u) {
  return {{"id", u.id.value},
          {"username", u.username},
          {"role", domain::ToString(u.role)},
          {"staff_id", u.staff_id ? json(u.staff_id.value) : json(nullptr)},
          {"active", u.active},
          {"must_change_password", u.must_change_password},
          {"created_at", FormatTimestamp(u.created_at)}};
}

json GrantJson(const store::GrantRecord& g) {
  json members = json::array();
  for (MemberId m : g.members) members.push_back(m.value);
  return {{"id", g.id},
          {"grantee_id", g.grantee.value},
          {"grantee_username", g.grantee_username},
          {"created_by_username", g.created_by_username},
          {"purpose", g.purpose},
          {"starts_at", FormatTimestamp(g.starts_at)},
          {"ends_at", FormatTimestamp(g.ends_at)},
          {"created_by", g.created_by ? json(g.created_by.value) : json(nullptr)},
          {"created_at", FormatTimestamp(g.created_at)},
          {"revoked_at", g.revoked_at ? json(FormatTimestamp(*g.revoked_at)) : json(nullptr)},
          {"member_count", g.member_count},
          {"member_ids", members}};
}

json DeviceJson(const store::DeviceRecord& d) {
  return {{"id", d.id},          {"store_id", d.store_id.value}, {"kind", d.kind},
          {"value", d.value},    {"label", d.label},             {"active", d.active},
          {"created_at", FormatTimestamp(d.created_at)}};
}

json ConsentJson(const store::ConsentRecord& c) {
  return {{"id", c.id},           {"purpose", c.purpose}, {"granted", c.granted},
          {"version", c.version}, {"channel", c.channel}, {"at", FormatTimestamp(c.at)},
          {"recorded_by", c.recorded_by ? json(c.recorded_by.value) : json(nullptr)},
          {"recorded_by_username", c.recorded_by_username}};
}

Result<Timestamp> TimeField(const json& body, const std::string& name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return Error::Invalid(name, "is required (RFC 3339 time)");
  auto t = ParseTimestamp(it->get<std::string>());
  if (!t) return Error::Invalid(name, "must be an RFC 3339 time like 2026-11-23T09:00:00+08:00");
  return *t;
}

void AddAccessRoutes(Router& router, Services s) {
  // Admins list all accounts; grant givers list the call-centre accounts.
  router.Add({"GET", "/api/v1/users", true, Permission::kGrantAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                VIPCARE_PARSE(role, QueryRole(req));
                return Reply(s.accounts.ListUsers(*a, page, role),
                             [](const store::PageOf<store::UserRecord>& p) {
                               return PageJson<store::UserRecord>(p, UserJson);
                             });
              }});
  router.Add({"PATCH", "/api/v1/users/{id}", true, Permission::kUserAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                service::Accounts::UserChange c;
                if (auto it = body.find("role"); it != body.end()) {
                  auto role = it->is_string() ? domain::ParseRole(it->get<std::string>())
                                              : std::nullopt;
                  if (!role) return Response::FromError(Error::Invalid("role", "is not a known role"));
                  c.role = role;
                }
                if (auto it = body.find("active"); it != body.end()) {
                  if (!it->is_boolean()) {
                    return Response::FromError(Error::Invalid("active", "must be true or false"));
                  }
                  c.active = it->get<bool>();
                }
                if (auto it = body.find("staff_id"); it != body.end()) {
                  if (!it->is_number_integer() || it->get<int64_t>() <= 0) {
                    return Response::FromError(Error::Invalid("staff_id", "must be a positive id"));
                  }
                  c.staff_id = StaffId(it->get<int64_t>());
                }
                return Reply(s.accounts.UpdateUser(*a, UserId(id), c), UserJson);
              }});

  router.Add({"GET", "/api/v1/grants", true, Permission::kNone,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                VIPCARE_PARSE(grantee, req.QueryInt("grantee_id", 0, 0, INT64_MAX));
                std::optional<UserId> who;
                if (grantee) who = UserId(grantee);
                return Reply(s.grants.List(*a, who, page),
                             [](const store::PageOf<store::GrantRecord>& p) {
                               return PageJson<store::GrantRecord>(p, GrantJson);
                             });
              }});
  router.Add({"POST", "/api/v1/grants", true, Permission::kGrantAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                service::NewGrant g;
                if (auto it = body.find("grantee_id"); it != body.end() && it->is_number_integer()) {
                  g.grantee = UserId(it->get<int64_t>());
                }
                auto ids = body.find("member_ids");
                if (ids == body.end() || !ids->is_array()) {
                  return Response::FromError(Error::Invalid("member_ids", "must be a list of member ids"));
                }
                for (size_t i = 0; i < ids->size(); ++i) {
                  if (!(*ids)[i].is_number_integer() || (*ids)[i].get<int64_t>() <= 0) {
                    return Response::FromError(Error::Invalid(
                        "member_ids[" + std::to_string(i) + "]", "must be a positive id"));
                  }
                  g.members.emplace_back((*ids)[i].get<int64_t>());
                }
                VIPCARE_PARSE(starts, TimeField(body, "starts_at"));
                VIPCARE_PARSE(ends, TimeField(body, "ends_at"));
                VIPCARE_PARSE(purpose, StringField(body, "purpose"));
                g.starts_at = starts;
                g.ends_at = ends;
                g.purpose = purpose;
                return Reply(s.grants.Create(*a, g), GrantJson, 201);
              }});
  router.Add({"GET", "/api/v1/grants/{id}", true, Permission::kNone,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                return Reply(s.grants.Get(*a, id), GrantJson);
              }});
  router.Add({"POST", "/api/v1/grants/{id}/revoke", true, Permission::kGrantAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                return Reply(s.grants.Revoke(*a, id), GrantJson);
              }});

  router.Add({"GET", "/api/v1/devices", true, Permission::kDeviceAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(store, req.QueryInt("store_id", 0, 0, INT64_MAX));
                std::optional<StoreId> which;
                if (store) which = StoreId(store);
                return Reply(s.org.ListDevices(*a, which),
                             [](const std::vector<store::DeviceRecord>& list) {
                               json items = json::array();
                               for (const auto& d : list) items.push_back(DeviceJson(d));
                               return json{{"items", items}, {"total", items.size()}};
                             });
              }});
  router.Add({"POST", "/api/v1/devices", true, Permission::kDeviceAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.org.AddDevice(*a, body), DeviceJson, 201);
              }});
  router.Add({"PATCH", "/api/v1/devices/{id}", true, Permission::kDeviceAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                auto it = body.find("active");
                if (it == body.end() || !it->is_boolean()) {
                  return Response::FromError(Error::Invalid("active", "must be true or false"));
                }
                return Reply(s.org.SetDeviceActive(*a, id, it->get<bool>()), DeviceJson);
              }});

  router.Add({"GET", "/api/v1/members/{id}/consents", true, Permission::kMemberRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                return Reply(s.members.Consents(*a, MemberId(id)),
                             [](const std::vector<store::ConsentRecord>& list) {
                               json items = json::array();
                               for (const auto& c : list) items.push_back(ConsentJson(c));
                               return json{{"items", items}, {"total", items.size()}};
                             });
              }});
  router.Add({"POST", "/api/v1/members/{id}/consents", true, Permission::kMemberWrite,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.members.RecordConsent(*a, MemberId(id), body), ConsentJson, 201);
              }});
  router.Add({"GET", "/api/v1/members/{id}/data-copy", true, Permission::kMemberRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                return Reply(s.members.DataCopy(*a, MemberId(id)), Same);
              }});
  router.Add({"GET", "/api/v1/exports/members", true, Permission::kExport,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(q, MemberQueryOf(req));
                auto r = s.members.ExportList(*a, q);
                if (!r.ok()) return Response::FromError(r.error());
                Response res;
                res.content_type = "text/csv; charset=utf-8";
                res.body = std::move(r->csv);
                res.headers.push_back(
                    {"Content-Disposition", "attachment; filename=\"members.csv\""});
                res.headers.push_back({"X-Row-Count", std::to_string(r->rows)});
                return res;
              },
              nullptr, /*slow=*/true});
}

void AddAuditRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/audit", true, Permission::kAuditRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                return Reply(s.audit.List(*a, page), [](const store::PageOf<store::AuditEntry>& p) {
                  return PageJson<store::AuditEntry>(p, AuditJson);
                });
              }});
}

}  // namespace

// Sales and points (SPEC L1-L3, L6).
// A yes/no query parameter: "true"/"1" or "false"/"0"; `fallback` if absent.
Result<bool> QueryFlag(const Request& req, const std::string& name, bool fallback) {
  auto it = req.query.find(name);
  if (it == req.query.end() || it->second.empty()) return fallback;
  if (it->second == "true" || it->second == "1") return true;
  if (it->second == "false" || it->second == "0") return false;
  return Error::Invalid(name, "must be true or false");
}

// {"approve": bool, "reason": text} of a decision.
Result<std::pair<bool, std::string>> Decision(const json& body, bool reason_required) {
  auto approve = body.find("approve");
  if (approve == body.end() || !approve->is_boolean()) {
    return Error::Invalid("approve", "must be true or false");
  }
  auto reason = StringField(body, "reason", reason_required);
  if (!reason.ok()) return reason.error();
  return std::make_pair(approve->get<bool>(), *reason);
}

// "member_ids": a list of member ids (each a positive integer).
Result<std::vector<MemberId>> MemberIds(const json& body) {
  auto list = body.find("member_ids");
  if (list == body.end() || !list->is_array()) {
    return Error::Invalid("member_ids", "must be a list of member ids");
  }
  std::vector<MemberId> out;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& v = (*list)[i];
    if (!v.is_number_integer() || v.get<int64_t>() < 1) {
      return Error::Invalid(fmt::format("member_ids[{}]", i), "must be a member id");
    }
    out.emplace_back(v.get<int64_t>());
  }
  return out;
}

void AddLoyaltyRoutes(Router& router, Services s) {
  // A repeat of an external_id answers the first result, 200.
  const auto posted = [](const Result<service::Loyalty::Posted>& r) {
    if (!r.ok()) return Response::FromError(r.error());
    Response res;
    res.status = r->repeat ? 200 : 201;
    res.body = r->Text();
    return res;
  };
  router.Add({"POST", "/api/v1/transactions", true, Permission::kSalePost,
              [s, posted](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return posted(s.loyalty.PostSale(*a, body));
              },
              // The server's way: no thread waits for the group commit.
              [s, posted](const Request& req, const Actor* a, AsyncReply reply) {
                auto body = req.Json();
                if (!body.ok()) {
                  reply([error = body.error()] { return Response::FromError(error); });
                  return;
                }
                s.loyalty.PostSaleThen(*a, *body, [reply, posted](auto get) {
                  reply([get = std::move(get), posted] { return posted(get()); });
                });
              }});
  router.Add({"GET", "/api/v1/members/{id}/points", true, Permission::kMemberRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(page, PageOf(req));
                return Reply(s.loyalty.MemberPoints(*a, MemberId(id), page),
                             Same);
              }});
  router.Add({"GET", "/api/v1/tier-approvals", true, Permission::kMemberAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                return Reply(s.loyalty.PendingApprovals(*a, page), Same);
              }});
  router.Add({"POST", "/api/v1/tier-approvals/decisions", true, Permission::kMemberAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                VIPCARE_PARSE(ids, MemberIds(body));
                VIPCARE_PARSE(d, Decision(body, true));
                return Reply(s.loyalty.DecideApprovals(*a, ids, d.first, d.second), Same);
              }});
  router.Add({"POST", "/api/v1/members/{id}/tier-approval", true, Permission::kMemberAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                VIPCARE_PARSE(d, Decision(body, true));
                return Reply(s.loyalty.DecideApproval(*a, MemberId(id), d.first, d.second), Same);
              }});
  router.Add({"GET", "/api/v1/programs/current", true, Permission::kOrgRead,
              [s](const Request&, const Actor* a) {
                return Reply(s.loyalty.CurrentProgram(*a), Same);
              }});
  router.Add({"GET", "/api/v1/members/{id}/transactions", true, Permission::kMemberRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(page, PageOf(req));
                return Reply(s.loyalty.MemberTransactions(*a, MemberId(id), page), Same);
              }});
  router.Add({"POST", "/api/v1/quote", true, Permission::kSalePost,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.loyalty.Quote(*a, body), Same);
              }});
}

void AddProgramRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/programs", true, Permission::kOrgRead,
              [s](const Request&, const Actor* a) { return Reply(s.programs.List(*a), Same); }});
  router.Add({"GET", "/api/v1/programs/{code}", true, Permission::kOrgRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(version, req.QueryInt("version", 0, 1, INT32_MAX));
                return Reply(s.programs.Get(*a, req.params.at("code"), version), Same);
              }});
  router.Add({"PUT", "/api/v1/programs/{code}", true, Permission::kProgramAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.programs.Put(*a, req.params.at("code"), body), Same);
              }});
  router.Add({"POST", "/api/v1/programs/{code}/choose", true, Permission::kProgramAdmin,
              [s](const Request& req, const Actor* a) {
                return Reply(s.programs.Choose(*a, req.params.at("code")), Same);
              }});
  router.Add({"GET", "/api/v1/categories", true, Permission::kNone,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(all, QueryFlag(req, "include_inactive", false));
                return Reply(s.programs.ListCategories(*a, all), Same);
              }});
  router.Add({"GET", "/api/v1/categories/sold", true, Permission::kProgramAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(days, req.QueryInt("days", 90, 1, 366));
                return Reply(s.programs.CategoriesSold(*a, days), Same);
              }});
  router.Add({"POST", "/api/v1/categories", true, Permission::kProgramAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.programs.AddCategory(*a, body), Same, 201);
              }});
  router.Add({"PATCH", "/api/v1/categories/{id}", true, Permission::kProgramAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.programs.UpdateCategory(*a, id, body), Same);
              }});
}

void AddRedemptionRoutes(Router& router, Services s) {
  router.Add({"GET", "/api/v1/gifts", true, Permission::kSalePost,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                VIPCARE_PARSE(all, QueryFlag(req, "include_inactive", false));
                return Reply(s.redemption.ListGifts(*a, all, page), Same);
              }});
  router.Add({"POST", "/api/v1/gifts", true, Permission::kProgramAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.redemption.CreateGift(*a, body), Same, 201);
              }});
  router.Add({"PATCH", "/api/v1/gifts/{id}", true, Permission::kProgramAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.redemption.UpdateGift(*a, id, body), Same);
              }});
  router.Add({"POST", "/api/v1/members/{id}/redemptions", true, Permission::kSalePost,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                const json kind = body.value("kind", json());
                json rest = body;
                rest.erase("kind");
                if (kind == "gift") {
                  return Reply(s.redemption.RedeemGift(*a, MemberId(id), rest), Same, 201);
                }
                if (kind == "voucher") {
                  return Reply(s.redemption.RedeemVoucher(*a, MemberId(id), rest), Same, 201);
                }
                return Response::FromError(Error::Invalid("kind", "must be gift or voucher"));
              }});
  router.Add({"GET", "/api/v1/members/{id}/vouchers", true, Permission::kMemberRead,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(page, PageOf(req));
                return Reply(s.redemption.ListMemberVouchers(*a, MemberId(id), page), Same);
              }});
  router.Add({"POST", "/api/v1/members/{id}/points-adjustments", true, Permission::kMemberWrite,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.redemption.RequestAdjustment(*a, MemberId(id), body), Same, 201);
              }});
  router.Add({"GET", "/api/v1/points-adjustments", true, Permission::kMemberAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(page, PageOf(req));
                auto it = req.query.find("status");
                const std::string status = it == req.query.end() ? "" : it->second;
                return Reply(s.redemption.ListAdjustments(*a, status, page), Same);
              }});
  router.Add({"POST", "/api/v1/points-adjustments/{id}/decision", true, Permission::kMemberAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                VIPCARE_PARSE(d, Decision(body, false));
                return Reply(s.redemption.DecideAdjustment(*a, id, d.first, d.second), Same);
              }});
}

void AddTierAdminRoutes(Router& router, Services s) {
  router.Add({"POST", "/api/v1/members/{id}/tier-hold", true, Permission::kMemberAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.tier_admin.HoldTier(*a, MemberId(id), body), Same);
              }});
  router.Add({"POST", "/api/v1/members/{id}/tier-hold/release", true, Permission::kMemberAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                VIPCARE_PARSE(reason, StringField(body, "reason"));
                return Reply(s.tier_admin.ReleaseHold(*a, MemberId(id), reason), Same);
              }});
  router.Add({"POST", "/api/v1/members/{id}/tier-override", true, Permission::kMemberAdmin,
              [s](const Request& req, const Actor* a) {
                VIPCARE_PARSE(id, req.PathId("id"));
                VIPCARE_PARSE(body, req.Json());
                return Reply(s.tier_admin.OverrideTier(*a, MemberId(id), body), Same);
              }});
}

void RegisterApi(Router& router, Services s) {
  router.Add({"GET", "/healthz", false, Permission::kNone,
              [](const Request&, const Actor*) { return Response::Json({{"status", "ok"}}); }});
  router.Add({"GET", "/api/v1/openapi.json", false, Permission::kNone,
              [](const Request&, const Actor*) {
                Response r;
                r.body = std::string(kOpenApiJson);
                return r;
              }});
  AddAuthRoutes(router, s);
  AddOrgRoutes(router, s);
  AddMemberRoutes(router, s);
  AddAuditRoutes(router, s);
  AddAccessRoutes(router, s);
  AddLoyaltyRoutes(router, s);
  AddProgramRoutes(router, s);
  AddRedemptionRoutes(router, s);
  AddTierAdminRoutes(router, s);
  AddCareRoutes(router, s);
  AddCareReportRoutes(router, s);
  AddStoredGoodsRoutes(router, s);
  AddReportRoutes(router, s);
  AddYearlyReportRoutes(router, s.yearly_reports);
}

}  // namespace vipcare::http
