#include "service/care.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include "domain/care_calendar.h"
#include "domain/care_plan.h"
#include "domain/care_rules.h"
#include "domain/contact_policy.h"
#include "domain/message_template.h"
#include "domain/presets.h"
#include "service/access.h"
#include "service/query_params.h"
#include "service/audit.h"
#include "service/loyalty_core.h"
#include "store/reports/churn.h"

namespace vipcare::service {
namespace {

using json = nlohmann::json;
using loyalty_core::IntField;
using loyalty_core::OnlyFields;
using loyalty_core::TextField;

// Messages go out from this local hour of their due day (never at night).
constexpr int kSendHour = 10;
// Marketing messages per member per 7 days (C4 "cap messages per member per week").
constexpr int kWeeklyCap = 2;
// A transiently failed message is tried this often before it is failed.
constexpr int kMaxAttempts = 5;
constexpr auto kRetryDelay = std::chrono::minutes(10);
constexpr size_t kMaxSummary = 2000;
constexpr size_t kMaxNote = 500;
// How far back a run looks for the tasks members already have (longer than
// any occasion's window; older keys are still refused by the unique key).
constexpr int kKnownKeysDays = 62;

bool Pending(const std::string& status) { return status == "open" || status == "forwarded"; }

std::string JoinNames(domain::ChannelSet set) {
  std::string out;
  for (const auto& n : domain::ChannelNames(set)) {
    if (!out.empty()) out += ',';
    out += n;
  }
  return out;
}

json SplitNames(const std::string& s) {
  json out = json::array();
  size_t start = 0;
  while (start < s.size()) {
    auto comma = s.find(',', start);
    if (comma == std::string::npos) comma = s.size();
    if (comma > start) out.push_back(s.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

// Everything a generation run reads once.
struct CareSetup {
  domain::CareRuleSet rules;
  std::vector<domain::MessageTemplate> templates;
  // Every program in use by code as members hold it ("" = the company's):
  // a member's tier, its grade (A类 = their program's top tier) and
  // birthday calendar are read in their own program (L6).
  std::map<std::string, domain::Program> programs;
  std::string brand;
  std::unordered_map<int64_t, std::string> store_names;
  std::unordered_map<int64_t, std::string> store_addresses;
  std::unordered_map<int64_t, std::string> store_phones;
  std::unordered_map<int64_t, StaffId> store_managers;
  std::unordered_map<int64_t, bool> active_staff;
  std::unordered_map<int64_t, StaffId> covering;  // staff on leave -> who covers
};

domain::CareRuleSet LoadRules(store::Repository& repo) {
  if (auto doc = repo.care().LatestRuleSet()) {
    auto parsed = domain::ParseCareRulesText(doc->body);
    if (parsed.ok()) return *parsed;
    spdlog::error("stored care rules version {} do not parse; using the defaults", doc->version);
  }
  return domain::DefaultCareRules();
}

std::vector<domain::MessageTemplate> LoadTemplates(store::Repository& repo) {
  if (auto doc = repo.care().LatestTemplateSet()) {
    auto parsed = domain::ParseTemplates(json::parse(doc->body, nullptr, false));
    if (parsed.ok()) return *parsed;
    spdlog::error("stored message templates version {} do not parse; using the defaults",
                  doc->version);
  }
  return domain::DefaultTemplates();
}

// Every tier code a rule may name: the presets' and the stored programs'.
std::vector<std::string> KnownTierCodes(store::Repository& repo) {
  std::vector<std::string> out;
  auto add = [&](const domain::Program& p) {
    for (const auto& t : p.tiers) {
      if (std::find(out.begin(), out.end(), t.code) == out.end()) out.push_back(t.code);
    }
  };
  for (const auto& p : domain::Presets()) add(p);
  for (const auto& rec : repo.loyalty().ListPrograms()) {
    add(loyalty_core::ParseStoredProgram(rec));
  }
  return out;
}

CareSetup LoadSetup(store::Repository& repo, Date day) {
  CareSetup s;
  s.rules = LoadRules(repo);
  s.templates = LoadTemplates(repo);
  s.programs = loyalty_core::ProgramBook(repo.loyalty()).ByCode();
  if (auto c = repo.GetCompany()) s.brand = c->name;
  for (const auto& st : repo.ListStores(std::nullopt, {100000, 0}).items) {
    s.store_names[st.id.value] = st.name;
    s.store_addresses[st.id.value] = st.address;
    s.store_phones[st.id.value] = st.phone;
  }
  for (const auto& staff : repo.ListStaff(std::nullopt, std::nullopt, {100000, 0}).items) {
    s.active_staff[staff.id.value] = staff.active;
    if (staff.active && staff.role == domain::Role::kStoreManager && staff.store_id &&
        !s.store_managers.contains(staff.store_id.value)) {
      s.store_managers[staff.store_id.value] = staff.id;
    }
  }
  for (const auto& leave : repo.care().ActiveLeaves(day)) {
    s.covering[leave.staff_id.value] = leave.covered_by;
  }
  return s;
}

domain::MemberType TypeOf(const domain::Member& m) {
  return m.business.credit_limit.value > 0 || !m.business.sales_region.empty()
             ? domain::MemberType::kBusiness
             : domain::MemberType::kIndividual;
}

// Who works a task of `pool` for member `m`: the associate (or whoever covers
// their leave; the store manager when there is none), the store manager, or
// the call-centre queue (no one person).
struct Placement {
  StaffId assignee;
  StaffId away;
};
Placement Place(const CareSetup& s, domain::Assignee pool, const domain::Member& m) {
  Placement p;
  auto manager = [&]() -> StaffId {
    auto it = s.store_managers.find(m.home_store_id.value);
    return it == s.store_managers.end() ? StaffId() : it->second;
  };
  switch (pool) {
    case domain::Assignee::kCallCentre:
      return p;
    case domain::Assignee::kStoreManager:
      p.assignee = manager();
      break;
    case domain::Assignee::kAssociate: {
      auto active = s.active_staff.find(m.associate_id.value);
      if (m.associate_id && active != s.active_staff.end() && active->second) {
        p.assignee = m.associate_id;
      } else {
        p.assignee = manager();
      }
      break;
    }
  }
  if (auto cover = s.covering.find(p.assignee.value); cover != s.covering.end()) {
    p.away = p.assignee;
    p.assignee = cover->second ? cover->second : manager();
  }
  return p;
}

std::string StatusKey(domain::MemberStatus s) {
  switch (s) {
    case domain::MemberStatus::kProspect: return "prospect";
    case domain::MemberStatus::kTemporary: return "temporary";
    default: return "formal";
  }
}

// One member's facts for the planner, from the batch reads. The strings and
// spans point into `m` and the batch's vectors.
struct BatchFacts {
  std::unordered_map<int64_t, store::CareLoyaltyFacts> loyalty;
  std::unordered_map<int64_t, std::vector<Date>> purchase_days;
  std::unordered_map<int64_t, std::vector<store::CareNotice>> notices;
  std::unordered_map<int64_t, Date> goods_since;  // oldest goods awaiting pickup (C6)
};

// The program a member's care facts are read in: their own, else the
// company's (a member without a loyalty record has no tier either).
const domain::Program& ProgramOf(const CareSetup& s, const store::CareLoyaltyFacts* l) {
  if (l != nullptr) {
    if (auto it = s.programs.find(l->program_code); it != s.programs.end()) return it->second;
  }
  return s.programs.at("");
}

domain::MemberFacts FactsOf(const domain::Member& m, const BatchFacts& b, const CareSetup& s,
                            const TimeZone& tz) {
  auto li = b.loyalty.find(m.id.value);
  const domain::Program& program = ProgramOf(s, li == b.loyalty.end() ? nullptr : &li->second);
  domain::MemberFacts f;
  f.status = m.status;
  f.member_type = TypeOf(m);
  f.home_store = m.home_store_id;
  f.occupation = m.occupation;
  f.birthday = m.birthday;
  f.birthday_solar_of_birth =
      program.birthday_calendar == domain::BirthdayCalendar::kSolarOfBirth;
  f.anniversaries = m.anniversaries;
  f.joined_on = tz.LocalDate(m.created_at);
  if (li != b.loyalty.end()) {
    f.tier_code = li->second.tier_code;
    f.last_purchase_on = li->second.last_purchase_on;
    f.downgrade_effective_on = li->second.downgrade_effective_on;
  }
  if (auto it = b.purchase_days.find(m.id.value); it != b.purchase_days.end()) {
    f.purchase_days = it->second;
  }
  if (auto it = b.notices.find(m.id.value); it != b.notices.end()) {
    for (const auto& n : it->second) {
      if (n.kind == "points_expiry") {
        auto detail = json::parse(n.detail, nullptr, false);
        auto on = Date::Parse(n.occasion);
        if (on && (!f.points_expire_on || *on < *f.points_expire_on)) {
          f.points_expire_on = on;
          f.points_expiring = Points(detail.is_object() ? detail.value("points", int64_t(0)) : 0);
        }
      } else if (n.kind == "became_formal") {
        f.became_formal_on = Date::Parse(n.occasion);
        f.card_awaiting_pickup = true;
      }
    }
  }
  if (auto it = b.goods_since.find(m.id.value); it != b.goods_since.end()) {
    f.stored_goods_since = it->second;
  }
  f.mobile_ok = m.mobile.valid && domain::IsSmsMobile(m.mobile.number);
  f.phone_ok = f.mobile_ok || (m.office_phone.valid && !m.office_phone.number.empty()) ||
               (m.home_phone.valid && !m.home_phone.number.empty());
  f.email_ok = m.email.find('@') != std::string::npos;
  f.wechat_ok = !m.wechat_id.empty();
  f.address_ok = std::any_of(m.addresses.begin(), m.addresses.end(),
                             [](const domain::Address& a) { return !a.detail.empty(); });
  f.marketing_opt_out = m.preferences.marketing_opt_out;
  return f;
}

domain::MessageValues ValuesFor(const domain::Member& m, const domain::DueOccasion& o,
                                const CareSetup& s, const store::CareLoyaltyFacts* l,
                                const domain::MemberFacts& f) {
  domain::MessageValues v;
  v.member_name = m.name;
  v.gender = m.gender;
  v.brand = s.brand;
  if (auto it = s.store_names.find(m.home_store_id.value); it != s.store_names.end()) {
    v.store = it->second;
    v.store_address = s.store_addresses.at(m.home_store_id.value);
    v.store_phone = s.store_phones.at(m.home_store_id.value);
  }
  // The season a launch date opens (3 春, 6 夏, 9 秋, 12 冬 in the seeds).
  static const char* kSeasons[] = {"冬", "冬", "春", "春", "春", "夏", "夏", "夏", "秋", "秋", "秋", "冬"};
  v.season = kSeasons[o.occasion_on.month() - 1];
  v.date = o.occasion_on;
  v.points = l ? l->points_balance : Points(0);
  if (l) v.tier = loyalty_core::TierName(ProgramOf(s, l), l->tier_code);
  if (f.points_expire_on) {
    v.expiry_date = f.points_expire_on;
    v.expiring_points = f.points_expiring;
  }
  v.downgrade_date = f.downgrade_effective_on;
  if (f.became_formal_on) v.pickup_date = f.became_formal_on->AddDays(5);
  if (o.rule != nullptr && o.rule->trigger.type == domain::TriggerType::kHoliday) {
    if (auto h = domain::FindHoliday(o.rule->trigger.holiday)) {
      v.festival = std::string(domain::Holidays()[*h].name);
    }
  }
  return v;
}

// Stores one occasion as a task (and its messages); false if the member
// already has the task.
struct Made {
  bool task = false;
  int messages = 0;
  int suppressed = 0;
};
// `planner`: the one of the member's program (their tier's grade).
Made MakeTask(store::Repository& repo, const Env& env, const CareSetup& s,
              const domain::CarePlanner& planner,
              const domain::Member& m, const domain::DueOccasion& o,
              const store::CareLoyaltyFacts* l, const domain::MemberFacts& f) {
  // The placeholders' values, worked out once for the occasion's messages.
  std::optional<domain::MessageValues> cached;
  auto values = [&]() -> const domain::MessageValues& {
    if (cached) return *cached;
    auto& v = cached.emplace(ValuesFor(m, o, s, l, f));
    if (o.rule != nullptr && o.rule->trigger.type == domain::TriggerType::kAfterPurchase) {
      // {date} and {amount} of a purchase message are the purchase's.
      const Date bought = o.occasion_on.AddDays(-o.rule->trigger.days);
      v.date = bought;
      v.amount = repo.care().SpendOnDay(m.id, bought);
    }
    if (o.rule != nullptr && o.rule->trigger.type == domain::TriggerType::kStoredGoods) {
      v.goods = repo.care().UncollectedGoodsText(m.id);
      if (f.stored_goods_since) v.date = f.stored_goods_since;
    }
    return v;
  };
  Made made;
  const Timestamp now = env.clock.Now();
  store::CareTaskRecord t;
  t.member_id = m.id;
  t.store_id = m.home_store_id;
  t.rule_code = o.rule ? o.rule->code : std::string(o.code);
  t.occasion = std::string(o.code);
  t.occasion_key = o.key;
  t.name = std::string(o.name);
  t.occasion_on = o.occasion_on;
  t.due_on = o.due_on;
  t.overdue_after = o.overdue_after;
  // The task is done by its first person-to-person channel; a task of
  // messages only is done by the messages.
  domain::ChannelSet personal = o.channels;
  personal.Remove(domain::Channel::kSms);
  personal.Remove(domain::Channel::kEmail);
  auto names = domain::ChannelNames(personal.empty() ? o.channels : personal);
  t.channel = names.empty() ? "sms" : names.front();
  t.channels = JoinNames(o.channels);
  t.dropped = JoinNames(o.dropped);
  t.action_text = std::string(o.text);
  t.template_code = std::string(o.template_code);
  t.purpose = domain::ToString(o.purpose);
  t.pool = domain::ToString(o.assignee);
  auto place = Place(s, o.assignee, m);
  t.assignee_id = place.assignee;
  t.away_assignee_id = place.away;
  t.created_at = now;
  t.updated_at = now;
  // Messages of the occasion (C5), rendered now, sent from their due day.
  const std::string status = StatusKey(m.status);
  const std::string grade =
      l ? std::string(domain::GradeOf(planner.LevelFromTop(l->tier_code))) : std::string();
  const Timestamp send_from =
      std::max(now, env.tz.StartOfDay(o.due_on) + std::chrono::hours(kSendHour));
  std::vector<store::OutboxMessage> messages;
  int queued = 0, suppressed = 0;
  for (auto channel : {domain::Channel::kSms, domain::Channel::kEmail}) {
    if (!o.channels.Has(channel)) continue;
    const auto mc = channel == domain::Channel::kSms ? domain::MessageChannel::kSms
                                                     : domain::MessageChannel::kEmail;
    const auto* tpl = domain::SelectTemplate(
        s.templates, o.template_code.empty() ? o.code : o.template_code, mc, status,
        l ? l->tier_code : std::string(), grade);
    if (tpl == nullptr && !o.template_code.empty()) {
      tpl = domain::SelectTemplate(s.templates, o.code, mc, status,
                                   l ? l->tier_code : std::string(), grade);
    }
    if (tpl == nullptr) continue;
    store::OutboxMessage msg;
    msg.member_id = m.id;
    msg.channel = domain::ToString(channel);
    msg.purpose = domain::ToString(o.purpose);
    msg.template_code = tpl->code;
    msg.created_at = now;
    msg.not_before = send_from;
    auto rendered = domain::Render(*tpl, values());
    if (rendered.ok()) {
      msg.subject = rendered->subject;
      msg.text = rendered->text;
      ++queued;
    } else {
      msg.status = "suppressed";
      msg.reason = "missing_value";
      msg.detail = rendered.error().message;
      ++suppressed;
    }
    messages.push_back(std::move(msg));
  }
  if (personal.empty() && queued > 0) {
    // Nothing for a person to do: the task is done by its messages.
    t.status = "done";
    t.completed_at = now;
  }
  if (!repo.care().InsertTask(t)) return made;
  made.task = true;
  made.messages = queued;
  made.suppressed = suppressed;
  for (auto& msg : messages) {
    msg.task_id = t.id;
    repo.care().InsertOutbox(msg);
  }
  return made;
}

json TaskJson(const store::CareTaskRecord& t, const std::string& member_no,
              const std::string& member_name, const std::string& assignee_name, Date today) {
  return {{"id", t.id},
          {"member_id", t.member_id.value},
          {"member_no", member_no},
          {"member_name", member_name},
          {"store_id", t.store_id ? json(t.store_id.value) : json(nullptr)},
          {"rule_code", t.rule_code},
          {"occasion", t.occasion},
          {"occasion_key", t.occasion_key},
          {"name", t.name},
          {"occasion_on", t.occasion_on.ToString()},
          {"due_on", t.due_on.ToString()},
          {"overdue_after", t.overdue_after.ToString()},
          {"overdue", Pending(t.status) && t.overdue_after < today},
          {"channel", t.channel},
          {"channels", SplitNames(t.channels)},
          {"dropped_channels", SplitNames(t.dropped)},
          {"action", t.action_text},
          {"template_code", t.template_code},
          {"purpose", t.purpose},
          {"pool", t.pool},
          {"assignee_id", t.assignee_id ? json(t.assignee_id.value) : json(nullptr)},
          {"assignee_name", assignee_name},
          {"status", t.status},
          {"escalated_on", t.escalated_on ? json(t.escalated_on->ToString()) : json(nullptr)},
          {"created_at", FormatTimestamp(t.created_at)},
          {"completed_at", t.completed_at ? json(FormatTimestamp(*t.completed_at)) : json(nullptr)},
          {"contact_id", t.contact_id ? json(t.contact_id) : json(nullptr)}};
}

json ContactJson(const store::CareContact& c, const std::string& staff_name) {
  return {{"id", c.id},
          {"member_id", c.member_id.value},
          {"task_id", c.task_id ? json(c.task_id) : json(nullptr)},
          {"at", FormatTimestamp(c.at)},
          {"day", c.day.ToString()},
          {"channel", c.channel},
          {"outcome", c.outcome},
          {"summary", c.summary},
          {"satisfaction", c.satisfaction ? json(*c.satisfaction) : json(nullptr)},
          {"follow_up", c.follow_up},
          {"follow_up_on", c.follow_up_on ? json(c.follow_up_on->ToString()) : json(nullptr)},
          {"staff_id", c.staff_id ? json(c.staff_id.value) : json(nullptr)},
          {"staff_name", staff_name}};
}

json OutboxJson(const store::OutboxMessage& m) {
  return {{"id", m.id},
          {"member_id", m.member_id.value},
          {"task_id", m.task_id ? json(m.task_id) : json(nullptr)},
          {"channel", m.channel},
          {"purpose", m.purpose},
          {"template_code", m.template_code},
          {"subject", m.subject},
          {"text", m.text},
          {"status", m.status},
          {"reason", m.reason},
          {"detail", m.detail},
          {"not_before", FormatTimestamp(m.not_before)},
          {"attempts", m.attempts},
          {"sender", m.sender},
          {"created_at", FormatTimestamp(m.created_at)},
          {"sent_at", m.sent_at ? json(FormatTimestamp(*m.sent_at)) : json(nullptr)}};
}

std::string StaffName(store::Repository& repo, StaffId id,
                      std::unordered_map<int64_t, std::string>& cache) {
  if (!id) return "";
  if (auto it = cache.find(id.value); it != cache.end()) return it->second;
  auto s = repo.GetStaff(id);
  return cache[id.value] = s ? s->name : "";
}

// The region of a store (0 if unknown).
RegionId RegionOf(store::Repository& repo, StoreId store) {
  if (!store) return RegionId();
  auto s = repo.GetStore(store);
  return s ? s->region_id : RegionId();
}

// Whether `actor` may see and act on task `t` (the list scope, for one task).
bool TaskInScope(store::Repository& repo, const Actor& actor, const store::CareTaskRecord& t) {
  switch (actor.role) {
    case domain::Role::kAdmin: return true;
    case domain::Role::kAssociate: return actor.staff_id && t.assignee_id == actor.staff_id;
    case domain::Role::kStoreManager: return actor.store_id && t.store_id == actor.store_id;
    case domain::Role::kRegionalSupervisor:
      return actor.region_id && RegionOf(repo, t.store_id) == actor.region_id;
    case domain::Role::kCallCenter: return t.pool == "call_centre";
    default: return false;
  }
}

// Narrows `f` to the tasks `actor` may list; false if none.
bool ApplyTaskScope(const Actor& actor, store::CareTaskFilter& f) {
  switch (actor.role) {
    case domain::Role::kAdmin: return true;
    case domain::Role::kAssociate:
      if (!actor.staff_id) return false;
      f.assignee = actor.staff_id;
      return true;
    case domain::Role::kStoreManager:
      if (!actor.store_id) return false;
      if (f.store && *f.store != actor.store_id) return false;
      f.store = actor.store_id;
      return true;
    case domain::Role::kRegionalSupervisor:
      if (!actor.region_id) return false;
      f.region = actor.region_id;
      return true;
    case domain::Role::kCallCenter:
      f.pool = "call_centre";
      return true;
    default: return false;
  }
}

// The contact entry of a completion or a logged contact; `outcome_required`
// for completions (a logged contact is a "note").
struct ContactInput {
  std::string outcome;
  std::string channel;
  std::string summary;
  std::optional<int> satisfaction;
  std::string follow_up;
  std::optional<Date> follow_up_on;
};
Result<ContactInput> ParseContact(const json& body, bool completion, const std::string& fallback_channel,
                                  Date today) {
  if (!body.is_object()) return Error::Invalid("", "the body must be a JSON object");
  if (completion) {
    VIPCARE_TRY(OnlyFields(body,
                           {"outcome", "channel", "summary", "satisfaction", "follow_up",
                            "follow_up_on"},
                           "a task completion"));
  } else {
    VIPCARE_TRY(OnlyFields(body, {"channel", "summary", "satisfaction", "follow_up", "follow_up_on"},
                           "a contact"));
  }
  ContactInput in;
  if (completion) {
    auto outcome = TextField(body, "outcome", 20, true);
    if (!outcome.ok()) return outcome.error();
    if (*outcome != "done" && *outcome != "failed" && *outcome != "skipped") {
      return Error::Invalid("outcome", "must be done, failed or skipped");
    }
    in.outcome = *outcome;
  } else {
    in.outcome = "note";
  }
  auto channel = TextField(body, "channel", 20, !completion || fallback_channel.empty());
  if (!channel.ok()) return channel.error();
  in.channel = channel->empty() ? fallback_channel : *channel;
  if (!domain::ParseChannel(in.channel)) {
    return Error::Invalid("channel", "must be sms, phone, email, wechat, visit, mail or gift");
  }
  const bool summary_required = in.outcome != "skipped";
  auto summary = TextField(body, "summary", kMaxSummary, summary_required);
  if (!summary.ok()) return summary.error();
  if (summary_required && summary->find_first_not_of(" \t\r\n") == std::string::npos) {
    return Error::Invalid("summary", "write what was said (联系内容)");
  }
  in.summary = *summary;
  if (body.contains("satisfaction") && !body["satisfaction"].is_null()) {
    auto sat = IntField(body, "satisfaction", 1, 5, std::nullopt);
    if (!sat.ok()) return sat.error();
    in.satisfaction = int(*sat);
  }
  auto follow = TextField(body, "follow_up", kMaxNote, false);
  if (!follow.ok()) return follow.error();
  in.follow_up = *follow;
  if (body.contains("follow_up_on") && !body["follow_up_on"].is_null()) {
    auto text = TextField(body, "follow_up_on", 10, true);
    if (!text.ok()) return text.error();
    auto d = Date::Parse(*text);
    if (!d) return Error::Invalid("follow_up_on", "must be a date YYYY-MM-DD");
    if (*d < today) return Error::Invalid("follow_up_on", "must not be in the past");
    in.follow_up_on = d;
  }
  return in;
}

// The version after `latest` of a rule or template set.
store::VersionedDoc NextVersion(const std::optional<store::VersionedDoc>& latest, std::string body,
                                Timestamp now, UserId by) {
  return {latest ? latest->version + 1 : 1, std::move(body), now, by};
}

bool ClosedFile(const domain::Member& m) {
  return m.status == domain::MemberStatus::kErased || m.status == domain::MemberStatus::kMerged ||
         m.status == domain::MemberStatus::kClosed;
}

// R5: a churn_risk task's action with the key moments of the score, so the
// associate sees why: "查看流失预警原因，电话联系客户挽回。原因：近90天未消费、
// 消费频次下降60%". `reasons` is member_churn.reasons (a JSON array of texts).
std::string ChurnActionText(std::string_view action, const std::string& reasons) {
  const json texts = json::parse(reasons, nullptr, /*allow_exceptions=*/false);
  std::string why;
  if (texts.is_array()) {
    for (const auto& t : texts) {
      if (!t.is_string()) continue;
      if (!why.empty()) why += "、";
      why += t.get<std::string>();
    }
  }
  if (why.empty()) return std::string(action);
  std::string out(action);
  if (!out.empty() && !out.ends_with("。")) out += "。";
  return out + "原因：" + why;
}

}  // namespace

Care::Care(Env env, std::shared_ptr<MessageSender> sms, std::shared_ptr<MessageSender> email)
    : env_(env),
      sms_(sms ? std::move(sms) : std::make_shared<OutboxOnlySender>()),
      email_(email ? std::move(email) : std::make_shared<OutboxOnlySender>()) {}

// ---- daily schedule ----

Status Care::GenerateDay(const Actor& actor, Date day, std::map<std::string, int64_t>& counts) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  auto setup = env_.store.Read([&](store::Repository& repo) -> Result<CareSetup> {
    return LoadSetup(repo, day);
  });
  if (!setup.ok()) return setup.error();
  const CareSetup& s = *setup;
  const auto calendar = domain::CareCalendar::Around(day, day);
  // One planner per program in use: a member's actions follow their tier's
  // rank in their own program's ladder.
  std::map<std::string, domain::CarePlanner> planners;
  for (const auto& [code, program] : s.programs) {
    std::vector<std::string> tier_codes;
    for (const auto& t : program.tiers) tier_codes.push_back(t.code);
    planners.try_emplace(code, s.rules, std::move(tier_codes), calendar);
  }
  const domain::CarePlanner& company_planner = planners.at("");
  const Timestamp since =
      env_.tz.StartOfDay(day.AddDays(-company_planner.PurchaseLookBackDays() - 1));
  // Contacts-without-growth (C4 fallback) counts contacts since the last
  // purchase; members never contacted cost no query.
  MemberId after;
  std::vector<domain::DueOccasion> due;
  for (;;) {
    size_t seen = 0;
    auto st = env_.store.Write([&](store::Repository& repo) -> Status {
      auto members = repo.MembersAfter(after, kBatchSize, /*care_fields_only=*/true);
      seen = members.size();
      if (members.empty()) return OkStatus();
      const MemberId first = members.front().id, last = members.back().id;
      after = last;
      auto& care = repo.care();
      BatchFacts b;
      for (auto& l : care.LoyaltyFactsBetween(first, last)) b.loyalty[l.member_id.value] = l;
      for (auto& [id, d] : care.PurchaseDaysBetween(first, last, since)) {
        b.purchase_days[id.value].push_back(d);
      }
      for (auto& n : care.NoticesBetween(first, last, day.AddDays(-31))) {
        b.notices[n.member_id.value].push_back(n);
      }
      for (auto& [id, since] : care.OldestUncollectedGoodsBetween(first, last)) {
        b.goods_since[id.value] = since;
      }
      // R5: scores that rose today (the job churn_scores runs before this one),
      // so the churn_risk rule makes its task when a member climbs to it.
      std::unordered_map<int64_t, store::reports::ChurnAlert> churn;
      for (auto& a : store::reports::ChurnAlertsBetween(repo.reports(), first, last, day)) {
        churn[a.member.value] = std::move(a);
      }
      // Occasions the members already have a task for (most of a window's
      // days): skipped here instead of inserted and refused by the key.
      std::unordered_set<std::string> have;
      for (auto& [id, key] : care.TaskKeysBetween(first, last, day.AddDays(-kKnownKeysDays))) {
        have.insert(std::to_string(id.value) + ' ' + key);
      }
      for (const auto& m : members) {
        auto f = FactsOf(m, b, s, env_.tz);
        const auto alert = churn.find(m.id.value);
        if (alert != churn.end()) f.churn_score = alert->second.score;
        if (f.last_purchase_on) {
          f.contacts_without_growth = int(care.CountContactsSince(m.id, *f.last_purchase_on));
        }
        auto li = b.loyalty.find(m.id.value);
        const store::CareLoyaltyFacts* l = li == b.loyalty.end() ? nullptr : &li->second;
        auto own = l == nullptr ? planners.end() : planners.find(l->program_code);
        const domain::CarePlanner& planner = own == planners.end() ? company_planner : own->second;
        due.clear();
        planner.Evaluate(f, day, due);
        if (due.empty()) continue;
        const std::string prefix = std::to_string(m.id.value) + ' ';
        for (const auto& o : due) {
          if (have.contains(prefix + o.key)) continue;
          // R5: the churn_risk task carries the score's key moments.
          domain::DueOccasion with_reasons;
          std::string churn_text;
          const domain::DueOccasion* occasion = &o;
          if (alert != churn.end() && o.rule != nullptr &&
              o.rule->trigger.type == domain::TriggerType::kChurnRisk) {
            churn_text = ChurnActionText(o.text, alert->second.reasons);
            with_reasons = o;
            with_reasons.text = churn_text;
            occasion = &with_reasons;
          }
          auto made = MakeTask(repo, env_, s, planner, m, *occasion, l, f);
          if (made.task) {
            counts["care_tasks"] += 1;
            counts["care_messages"] += made.messages;
            counts["care_suppressed"] += made.suppressed;
          }
        }
      }
      return OkStatus();
    });
    if (!st.ok()) return st.error();
    if (seen < size_t(kBatchSize)) break;
  }
  // Overdue escalation (C2): a pending task past its window goes to the
  // store manager once.
  auto escalated = env_.store.Write([&](store::Repository& repo) -> Result<int64_t> {
    int64_t n = 0;
    const Timestamp now = env_.clock.Now();
    for (auto t : repo.care().OverdueUnescalated(day, 100000)) {
      auto manager = s.store_managers.find(t.store_id.value);
      const StaffId from = t.assignee_id;
      t.escalated_on = day;
      t.updated_at = now;
      if (manager != s.store_managers.end() && t.pool != "call_centre") {
        t.assignee_id = manager->second;
      }
      repo.care().UpdateTask(t);
      repo.care().AppendTaskEvent({0, t.id, now, actor.user_id, "escalated", from, t.assignee_id,
                                   "逾期未处理，升级至店长"});
      ++n;
    }
    return n;
  });
  if (!escalated.ok()) return escalated.error();
  counts["care_escalated"] += *escalated;
  // Send what is due now, in rounds, until a round finds less than a full load.
  constexpr int64_t kSendRound = 1000;
  for (;;) {
    auto sent = SendDue(actor, kSendRound);
    if (!sent.ok()) return sent.error();
    int64_t handled = 0;
    for (const auto& [k, v] : sent->items()) handled += v.get<int64_t>();
    counts["care_sent"] += sent->value("sent", int64_t(0)) + sent->value("kept", int64_t(0));
    const int64_t deferred = sent->value("deferred", int64_t(0)) + sent->value("retrying", int64_t(0));
    if (handled < kSendRound || deferred == handled) break;
  }
  return OkStatus();
}

Result<json> Care::SendDue(const Actor& actor, int64_t limit) {
  VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
  const Timestamp now = env_.clock.Now();
  auto due = env_.store.Read([&](store::Repository& repo) -> Result<std::vector<store::OutboxMessage>> {
    return repo.care().DueOutbox(now, limit);
  });
  if (!due.ok()) return due.error();
  json out = {{"sent", 0}, {"kept", 0}, {"deferred", 0}, {"suppressed", 0}, {"failed", 0},
              {"retrying", 0}};
  auto bump = [&](const char* key) { out[key] = out[key].get<int64_t>() + 1; };
  // One read for the checks of the whole round, the sending outside any
  // transaction (a gateway may be slow), one write for the outcomes.
  struct Check {
    domain::ContactDecision decision;
    std::string to;
    std::string name;
  };
  auto checks = env_.store.Read([&](store::Repository& repo) -> Result<std::vector<Check>> {
    std::vector<Check> all;
    all.reserve(due->size());
    for (const auto& msg : *due) {
      auto m = repo.GetMemberCareFields(msg.member_id);
      if (!m || ClosedFile(*m)) {
        all.push_back({{false, "closed", "会员档案已关闭", std::nullopt}, "", ""});
        continue;
      }
      domain::SendCheck c;
      c.channel = msg.channel == "email" ? domain::ContactChannel::kEmail
                                         : domain::ContactChannel::kSms;
      c.purpose = msg.purpose == "service" ? domain::MessagePurpose::kService
                                           : domain::MessagePurpose::kMarketing;
      c.member = &*m;
      c.now = now;
      c.zone = &env_.tz;
      c.recent_sends = repo.care().MessageTimesSince(
          msg.member_id, now - std::chrono::hours(24 * 7), msg.purpose);
      // The message itself is among the queued ones; leave it out.
      if (!c.recent_sends.empty()) c.recent_sends.pop_back();
      c.weekly_cap = kWeeklyCap;
      all.push_back({domain::CheckSend(c), msg.channel == "email" ? m->email : m->mobile.number,
                     m->name});
    }
    return all;
  });
  if (!checks.ok()) return checks.error();
  for (size_t i = 0; i < due->size(); ++i) {
    auto& msg = (*due)[i];
    const Check& check = (*checks)[i];
    if (!check.decision.allowed) {
      if (check.decision.not_before) {
        msg.not_before = *check.decision.not_before;
        msg.detail = check.decision.detail;
        bump("deferred");
      } else {
        msg.status = "suppressed";
        msg.reason = check.decision.reason;
        msg.detail = check.decision.detail;
        bump("suppressed");
      }
      continue;
    }
    OutboundMessage out_msg;
    out_msg.outbox_id = msg.id;
    out_msg.channel = msg.channel == "email" ? domain::MessageChannel::kEmail
                                             : domain::MessageChannel::kSms;
    out_msg.to = check.to;
    out_msg.to_name = check.name;
    out_msg.subject = msg.subject;
    out_msg.text = msg.text;
    MessageSender& sender = msg.channel == "email" ? *email_ : *sms_;
    auto receipt = sender.Send(out_msg);
    msg.sender = std::string(sender.Name());
    if (receipt.ok()) {
      msg.attempts += std::max(1, receipt->attempts);
      msg.status = receipt->delivery == Delivery::kSent ? "sent" : "kept";
      msg.provider_message_id = receipt->provider_message_id;
      msg.sent_at = now;
      bump(msg.status == "sent" ? "sent" : "kept");
    } else {
      msg.attempts += 1;
      msg.detail = receipt.error().message;
      if (IsTransientSendFailure(receipt.error()) && msg.attempts < kMaxAttempts) {
        msg.not_before = now + kRetryDelay * msg.attempts;
        bump("retrying");
      } else {
        msg.status = "failed";
        msg.reason = "send_failed";
        bump("failed");
      }
    }
  }
  auto st = env_.store.Write([&](store::Repository& repo) -> Status {
    for (const auto& msg : *due) repo.care().UpdateOutbox(msg);
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return out;
}

// ---- tasks ----

Result<json> Care::ListTasks(const Actor& actor, const std::map<std::string, std::string>& q,
                             store::Page page) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskWork));
  static const char* kKnown[] = {"from",   "to",       "member_id", "assignee", "status",
                                 "occasion", "channel", "store_id", "overdue",  "due"};
  for (const auto& [key, value] : q) {
    if (std::none_of(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return key == k; })) {
      return Error::Invalid(key, "is not a filter of the task list");
    }
  }
  store::CareTaskFilter f;
  auto from = DateParam(q, "from");
  if (!from.ok()) return from.error();
  auto to = DateParam(q, "to");
  if (!to.ok()) return to.error();
  f.from = *from;
  f.to = *to;
  auto member = IdParam(q, "member_id");
  if (!member.ok()) return member.error();
  if (*member) f.member = MemberId(**member);
  auto store_id = IdParam(q, "store_id");
  if (!store_id.ok()) return store_id.error();
  if (*store_id) f.store = StoreId(**store_id);
  const std::string assignee = Param(q, "assignee");
  if (assignee == "me") {
    if (!actor.staff_id) return Error::Invalid("assignee", "this account is not linked to staff");
    f.assignee = actor.staff_id;
  } else if (!assignee.empty()) {
    auto id = IdParam(q, "assignee");
    if (!id.ok()) return Error::Invalid("assignee", "must be me or a staff id");
    f.assignee = StaffId(**id);
  }
  f.status = Param(q, "status");
  static const char* kStatuses[] = {"open", "forwarded", "done", "failed", "skipped", "pending"};
  if (!f.status.empty() &&
      std::none_of(std::begin(kStatuses), std::end(kStatuses),
                   [&](const char* s) { return f.status == s; })) {
    return Error::Invalid("status", "must be open, forwarded, done, failed, skipped or pending");
  }
  f.occasion = Param(q, "occasion");
  f.channel = Param(q, "channel");
  if (!f.channel.empty() && !domain::ParseChannel(f.channel)) {
    return Error::Invalid("channel", "must be sms, phone, email, wechat, visit, mail or gift");
  }
  const std::string overdue = Param(q, "overdue");
  if (!overdue.empty() && overdue != "true" && overdue != "false") {
    return Error::Invalid("overdue", "must be true or false");
  }
  const Date today = env_.Today();
  if (overdue == "true") f.overdue_on = today;
  // due=today: what is due today and still to do (SPEC I2 "my tasks today").
  const std::string due = Param(q, "due");
  if (due == "today") {
    f.from = today;
    f.to = today;
    if (f.status.empty()) f.status = "pending";
  } else if (!due.empty()) {
    return Error::Invalid("due", "must be today");
  }
  json out = {{"items", json::array()}, {"total", 0}};
  if (!ApplyTaskScope(actor, f)) return out;
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto tasks = repo.care().ListTasks(f, page);
    std::unordered_map<int64_t, std::string> staff;
    for (const auto& t : tasks.items) {
      auto m = repo.GetMember(t.member_id);
      out["items"].push_back(TaskJson(t, m ? m->member_no : "", m ? m->name : "",
                                      StaffName(repo, t.assignee_id, staff), today));
    }
    out["total"] = tasks.total;
    return out;
  });
}

Result<json> Care::GetTask(const Actor& actor, int64_t id) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskWork));
  const Date today = env_.Today();
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto t = repo.care().GetTask(id);
    if (!t) return Error::NotFound("no task has that id", "id");
    if (!TaskInScope(repo, actor, *t)) return Error::Forbidden("this task is not yours to see");
    std::unordered_map<int64_t, std::string> staff;
    auto m = repo.GetMember(t->member_id);
    json out = TaskJson(*t, m ? m->member_no : "", m ? m->name : "",
                        StaffName(repo, t->assignee_id, staff), today);
    out["events"] = json::array();
    for (const auto& e : repo.care().ListTaskEvents(id)) {
      out["events"].push_back({{"at", FormatTimestamp(e.at)},
                               {"kind", e.kind},
                               {"from_staff", StaffName(repo, e.from_staff, staff)},
                               {"to_staff", StaffName(repo, e.to_staff, staff)},
                               {"note", e.note}});
    }
    return out;
  });
}

Result<json> Care::CompleteTask(const Actor& actor, int64_t id, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskWork));
  const Date today = env_.Today();
  auto st = env_.store.Write([&](store::Repository& repo) -> Status {
    auto t = repo.care().GetTask(id);
    if (!t) return Error::NotFound("no task has that id", "id");
    if (!TaskInScope(repo, actor, *t)) {
      return Error::Forbidden("this task is someone else's: only its assignee or their manager "
                              "may complete it");
    }
    if (!Pending(t->status)) return Error::Conflict("the task is already " + t->status, "id");
    auto m = repo.GetMember(t->member_id);
    if (!m || ClosedFile(*m)) {
      return Error::Unprocessable("the member's file is closed, merged or erased", "member_id");
    }
    auto in = ParseContact(body, true, t->channel, today);
    if (!in.ok()) return in.error();
    const Timestamp now = env_.clock.Now();
    store::CareContact c;
    c.member_id = t->member_id;
    c.task_id = t->id;
    c.at = now;
    c.day = today;
    c.store_id = t->store_id;
    c.staff_id = actor.staff_id;
    c.user_id = actor.user_id;
    c.channel = in->channel;
    c.outcome = in->outcome;
    c.summary = in->summary;
    c.satisfaction = in->satisfaction;
    c.follow_up = in->follow_up;
    c.follow_up_on = in->follow_up_on;
    t->contact_id = repo.care().InsertContact(c);
    t->status = in->outcome;
    t->completed_at = now;
    t->completed_by = actor.user_id;
    t->updated_at = now;
    repo.care().UpdateTask(*t);
    repo.care().AppendTaskEvent({0, t->id, now, actor.user_id, "completed", actor.staff_id,
                                 StaffId(), in->outcome});
    RecordAudit(repo, env_, actor, "task_complete", "care_task", std::to_string(t->id),
                fmt::format("member={} outcome={}", t->member_id.value, in->outcome));
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return GetTask(actor, id);
}

namespace {

// Whether `target` is `actor`'s subordinate (转派 goes down the line only).
bool Subordinate(store::Repository& repo, const Actor& actor, const domain::Staff& target) {
  if (!target.active) return false;
  switch (actor.role) {
    case domain::Role::kAdmin:
      return true;
    case domain::Role::kStoreManager:
      return target.role == domain::Role::kAssociate && target.store_id == actor.store_id;
    case domain::Role::kRegionalSupervisor:
      return (target.role == domain::Role::kAssociate ||
              target.role == domain::Role::kStoreManager) &&
             RegionOf(repo, target.store_id) == actor.region_id;
    default:
      return false;
  }
}

Result<int64_t> StaffIdField(const json& body, const std::string& field) {
  if (!body.is_object()) return Error::Invalid("", "the body must be a JSON object");
  auto it = body.find(field);
  if (it == body.end() || !it->is_number_integer() || it->get<int64_t>() <= 0) {
    return Error::Invalid(field, "must be a staff id");
  }
  return it->get<int64_t>();
}

}  // namespace

namespace {

// How a task changes hands: forwarded down the line (转派) or assigned (分配).
struct HandOff {
  const char* staff_field;    // "to_staff_id" / "staff_id"
  const char* what;           // for the unknown-field message
  const char* out_of_scope;   // the task is not the actor's to hand on
  const char* not_allowed;    // the target is not the actor's to hand to
  const char* event;          // care_task_events.kind
  const char* audit;          // audit action
  const char* status;         // the task's status after, or nullptr to keep it
  bool manager_may_take_it;   // a store manager may name themself
};

constexpr HandOff kForward{"to_staff_id",
                           "a forward",
                           "this task is someone else's",
                           "只能转派给自己的下属（店长→本店导购，督导→本片区店长/导购）",
                           "forwarded",
                           "task_forward",
                           "forwarded",
                           false};
constexpr HandOff kAssign{"staff_id",
                          "an assignment",
                          "this task is outside your stores",
                          "只能分配给本店（本片区）在职的员工",
                          "assigned",
                          "task_assign",
                          nullptr,
                          true};

Status HandOn(store::Repository& repo, const Env& env, const Actor& actor, int64_t id,
              const json& body, const HandOff& h) {
  VIPCARE_TRY(OnlyFields(body, {h.staff_field, "note"}, h.what));
  auto to = StaffIdField(body, h.staff_field);
  if (!to.ok()) return to.error();
  auto note = TextField(body, "note", kMaxNote, false);
  if (!note.ok()) return note.error();
  auto t = repo.care().GetTask(id);
  if (!t) return Error::NotFound("no task has that id", "id");
  if (!TaskInScope(repo, actor, *t)) return Error::Forbidden(h.out_of_scope);
  if (!Pending(t->status)) return Error::Conflict("the task is already " + t->status, "id");
  auto target = repo.GetStaff(StaffId(*to));
  if (!target) return Error::Invalid(h.staff_field, "no staff member has that id");
  const bool self = h.manager_may_take_it && actor.role == domain::Role::kStoreManager &&
                    target->id == actor.staff_id;
  if (!self && !Subordinate(repo, actor, *target)) {
    return Error::Unprocessable(h.not_allowed, h.staff_field);
  }
  const Timestamp now = env.clock.Now();
  const StaffId from = t->assignee_id;
  t->assignee_id = target->id;
  if (h.status != nullptr) t->status = h.status;
  t->updated_at = now;
  repo.care().UpdateTask(*t);
  repo.care().AppendTaskEvent({0, t->id, now, actor.user_id, h.event, from, target->id, *note});
  RecordAudit(repo, env, actor, h.audit, "care_task", std::to_string(t->id),
              fmt::format("to_staff={}", target->id.value));
  return OkStatus();
}

}  // namespace

Result<json> Care::ForwardTask(const Actor& actor, int64_t id, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskWork));
  auto st = env_.store.Write(
      [&](store::Repository& repo) { return HandOn(repo, env_, actor, id, body, kForward); });
  if (!st.ok()) return st.error();
  return GetTask(actor, id);
}

Result<json> Care::AssignTask(const Actor& actor, int64_t id, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskManage));
  auto st = env_.store.Write(
      [&](store::Repository& repo) { return HandOn(repo, env_, actor, id, body, kAssign); });
  if (!st.ok()) return st.error();
  return GetTask(actor, id);
}

// ---- member page ----

Result<json> Care::MemberTasks(const Actor& actor, MemberId member, store::Page page) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskWork));
  const Timestamp now = env_.clock.Now();
  const Date today = env_.Today();
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto m = MemberInScope(repo, actor, member, now);
    if (!m.ok()) return m.error();
    store::CareTaskFilter f;
    f.member = member;
    auto tasks = repo.care().ListTasks(f, page);
    std::unordered_map<int64_t, std::string> staff;
    json out = {{"items", json::array()}, {"total", tasks.total}};
    for (const auto& t : tasks.items) {
      out["items"].push_back(
          TaskJson(t, m->member_no, m->name, StaffName(repo, t.assignee_id, staff), today));
    }
    return out;
  });
}

Result<json> Care::MemberContacts(const Actor& actor, MemberId member, store::Page page) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskWork));
  const Timestamp now = env_.clock.Now();
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto m = MemberInScope(repo, actor, member, now);
    if (!m.ok()) return m.error();
    auto contacts = repo.care().ListContacts(member, page);
    std::unordered_map<int64_t, std::string> staff;
    json out = {{"items", json::array()}, {"total", contacts.total}};
    for (const auto& c : contacts.items) {
      out["items"].push_back(ContactJson(c, StaffName(repo, c.staff_id, staff)));
    }
    return out;
  });
}

Result<json> Care::LogContact(const Actor& actor, MemberId member, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskWork));
  const Timestamp now = env_.clock.Now();
  const Date today = env_.Today();
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto m = MemberInScope(repo, actor, member, now, "member_id");
    if (!m.ok()) return m.error();
    if (ClosedFile(*m)) {
      return Error::Unprocessable("the member's file is closed, merged or erased", "member_id");
    }
    auto in = ParseContact(body, false, "", today);
    if (!in.ok()) return in.error();
    store::CareContact c;
    c.member_id = member;
    c.at = now;
    c.day = today;
    c.store_id = m->home_store_id;
    c.staff_id = actor.staff_id;
    c.user_id = actor.user_id;
    c.channel = in->channel;
    c.outcome = in->outcome;
    c.summary = in->summary;
    c.satisfaction = in->satisfaction;
    c.follow_up = in->follow_up;
    c.follow_up_on = in->follow_up_on;
    c.id = repo.care().InsertContact(c);
    RecordAudit(repo, env_, actor, "contact_log", "member", std::to_string(member.value),
                "channel=" + c.channel);
    std::unordered_map<int64_t, std::string> staff;
    return ContactJson(c, StaffName(repo, c.staff_id, staff));
  });
}

// ---- rules and templates ----

Result<json> Care::GetRules(const Actor& actor) {
  VIPCARE_TRY(Authorize(actor, Permission::kCareAdmin));
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto doc = repo.care().LatestRuleSet();
    return json{{"version", doc ? doc->version : 0},
                {"default", !doc},
                {"rule_set", domain::CareRulesToJson(LoadRules(repo))}};
  });
}

Result<json> Care::PutRules(const Actor& actor, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kCareAdmin));
  auto st = env_.store.Write([&](store::Repository& repo) -> Status {
    auto parsed = domain::ParseCareRules(body, KnownTierCodes(repo));
    if (!parsed.ok()) return parsed.error();
    auto d = NextVersion(repo.care().LatestRuleSet(), domain::CareRulesToJson(*parsed).dump(),
                         env_.clock.Now(), actor.user_id);
    repo.care().InsertRuleSet(d);
    RecordAudit(repo, env_, actor, "care_rules_update", "care_rules", std::to_string(d.version),
                fmt::format("rules={}", parsed->rules.size()));
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return GetRules(actor);
}

Result<json> Care::GetTemplates(const Actor& actor) {
  VIPCARE_TRY(Authorize(actor, Permission::kCareAdmin));
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto doc = repo.care().LatestTemplateSet();
    return json{{"version", doc ? doc->version : 0},
                {"default", !doc},
                {"templates", domain::TemplatesToJson(LoadTemplates(repo))}};
  });
}

Result<json> Care::PutTemplates(const Actor& actor, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kCareAdmin));
  if (!body.is_object() || !body.contains("templates")) {
    return Error::Invalid("templates", "give the templates as {\"templates\": [...]}");
  }
  VIPCARE_TRY(OnlyFields(body, {"templates"}, "a template set"));
  auto parsed = domain::ParseTemplates(body["templates"], "templates");
  if (!parsed.ok()) return parsed.error();
  auto st = env_.store.Write([&](store::Repository& repo) -> Status {
    auto d = NextVersion(repo.care().LatestTemplateSet(), domain::TemplatesToJson(*parsed).dump(),
                         env_.clock.Now(), actor.user_id);
    repo.care().InsertTemplateSet(d);
    RecordAudit(repo, env_, actor, "templates_update", "message_templates",
                std::to_string(d.version), fmt::format("templates={}", parsed->size()));
    return OkStatus();
  });
  if (!st.ok()) return st.error();
  return GetTemplates(actor);
}

// ---- outbox ----

Result<json> Care::ListOutbox(const Actor& actor, const std::map<std::string, std::string>& q,
                              store::Page page) {
  VIPCARE_TRY(Authorize(actor, Permission::kTaskManage));
  store::OutboxFilter f;
  auto member = IdParam(q, "member_id");
  if (!member.ok()) return member.error();
  if (*member) f.member = MemberId(**member);
  auto store_id = IdParam(q, "store_id");
  if (!store_id.ok()) return store_id.error();
  if (*store_id) f.store = StoreId(**store_id);
  f.status = Param(q, "status");
  static const char* kStatuses[] = {"queued", "sent", "kept", "failed", "suppressed"};
  if (!f.status.empty() &&
      std::none_of(std::begin(kStatuses), std::end(kStatuses),
                   [&](const char* s) { return f.status == s; })) {
    return Error::Invalid("status", "must be queued, sent, kept, failed or suppressed");
  }
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    if (actor.role == domain::Role::kStoreManager) {
      if (f.store && *f.store != actor.store_id) return Error::Forbidden("another store's outbox");
      f.store = actor.store_id;
    } else if (actor.role == domain::Role::kRegionalSupervisor) {
      if (!f.store) return Error::Invalid("store_id", "choose one store of your region");
      if (RegionOf(repo, *f.store) != actor.region_id) {
        return Error::Forbidden("that store is not in your region");
      }
    }
    auto page_of = repo.care().ListOutbox(f, page);
    json out = {{"items", json::array()}, {"total", page_of.total}};
    for (const auto& m : page_of.items) out["items"].push_back(OutboxJson(m));
    return out;
  });
}

}  // namespace vipcare::service
