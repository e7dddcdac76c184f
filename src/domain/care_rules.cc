#include "domain/care_rules.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <stdexcept>

#include "domain/care_calendar.h"
#include "domain/json_object.h"

// The default rules are src/domain/care_rules/default_rules.json, compiled
// into generated/care_rules_default.cc by cmake/embed_care_rules.cmake: the
// very document an admin edits, kept as plain JSON.
namespace vipcare::domain::care_rules_data {
extern const std::string_view kDefaultRulesJson;
}  // namespace vipcare::domain::care_rules_data

namespace vipcare::domain {
namespace {

using nlohmann::json;

constexpr size_t kMaxCodeChars = 40;
constexpr size_t kMaxNameChars = 100;
constexpr size_t kMaxTextChars = 2000;
constexpr size_t kMaxItems = 50;
constexpr size_t kMaxEvents = 100;
constexpr int kMaxDueDays = 366;

constexpr std::array kChannels = {Channel::kSms,    Channel::kPhone, Channel::kEmail,
                                  Channel::kWechat, Channel::kVisit, Channel::kMail,
                                  Channel::kGift};
constexpr std::array kAssignees = {Assignee::kAssociate, Assignee::kStoreManager,
                                   Assignee::kCallCentre};
constexpr std::array kPurposes = {Purpose::kService, Purpose::kMarketing};
constexpr std::array kTriggerTypes = {
    TriggerType::kAfterPurchase,    TriggerType::kBecameFormal, TriggerType::kHoliday,
    TriggerType::kBirthday,         TriggerType::kAnniversary,  TriggerType::kNewSeason,
    TriggerType::kSpecialEvent,     TriggerType::kTierCadence,  TriggerType::kInactivity,
    TriggerType::kDowngradeWarning, TriggerType::kPointsExpiry, TriggerType::kStoredGoods,
    TriggerType::kChurnRisk};
constexpr std::array kMemberTypes = {MemberType::kIndividual, MemberType::kBusiness};
// Statuses a rule may address; the others never get care tasks.
constexpr std::array kCareStatuses = {MemberStatus::kProspect, MemberStatus::kTemporary,
                                      MemberStatus::kFormal};
constexpr std::array kEveryMonths = {1, 2, 3, 4, 6, 12};

bool IsCode(std::string_view s) {
  if (s.empty() || s.size() > kMaxCodeChars || !(s[0] >= 'a' && s[0] <= 'z')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsEveryMonths(int n) {
  return std::find(kEveryMonths.begin(), kEveryMonths.end(), n) != kEveryMonths.end();
}

// The rule document's reader: the shared checks plus rule codes.
class Obj : public JsonObject<Obj> {
 public:
  using JsonObject::JsonObject;
  Status Code(std::string_view key, std::string& out, bool required = true) {
    return JsonObject::Code(
        key, out, IsCode, "must be 1-40 characters of a-z, 0-9 or '_', starting with a letter",
        required);
  }
};

// Reads a JSON array of enum names without duplicates.
template <class E, size_t N>
Status EnumList(Obj& o, std::string_view key, std::vector<E>& out, const std::array<E, N>& all) {
  std::vector<E> items;
  VIPCARE_TRY(o.Array(
      key,
      [&](const json& v, const std::string& path) -> Status {
        auto e = v.is_string() ? ParseEnum(v.get<std::string>(), all) : std::nullopt;
        if (!e) return Error::Invalid(path, "must be " + Choices(all));
        if (std::find(items.begin(), items.end(), *e) != items.end()) {
          return Error::Invalid(path, "is listed twice");
        }
        items.push_back(*e);
        return OkStatus();
      },
      kMaxItems));
  out = std::move(items);
  return OkStatus();
}

Status ReadChannels(Obj& o, ChannelSet& out, bool required) {
  ChannelSet set;
  VIPCARE_TRY(o.Array(
      "channels",
      [&](const json& v, const std::string& path) -> Status {
        auto c = v.is_string() ? ParseChannel(v.get<std::string>()) : std::nullopt;
        if (!c) return Error::Invalid(path, "must be " + Choices(kChannels));
        if (set.Has(*c)) return Error::Invalid(path, "is listed twice");
        set.Add(*c);
        return OkStatus();
      },
      kChannelCount, required));
  out = set;
  return OkStatus();
}

// A key of `actions` or `audience.tiers` (see TIER KEYS in the header).
bool IsTierKey(std::string_view key, std::span<const std::string> tier_codes, bool allow_default) {
  if (IsGradeKey(key) || key == "none") return true;
  if (key == "default") return allow_default;
  return std::find(tier_codes.begin(), tier_codes.end(), key) != tier_codes.end();
}

std::string TierKeyHint(bool allow_default) {
  return fmt::format(
      "is not a tier key: use a grade letter \"A\"-\"J\" (A = the top tier), \"none\"{} or a tier "
      "code of the company's programs",
      allow_default ? ", \"default\"" : "");
}

Status ReadMonthDay(const json& v, const std::string& path, std::pair<unsigned, unsigned>& out) {
  // "MM-DD" of a day every year has (29 Feb is refused).
  auto d = v.is_string() && v.get<std::string>().size() == 5
               ? Date::Parse("2001-" + v.get<std::string>())
               : std::nullopt;
  if (!d) return Error::Invalid(path, "must be a month and day \"MM-DD\"");
  out = {d->month(), d->day()};
  return OkStatus();
}

Status ReadTrigger(Obj& o, Trigger& t) {
  VIPCARE_TRY(o.Enum("type", t.type, kTriggerTypes, true));
  switch (t.type) {
    case TriggerType::kAfterPurchase:
      return o.Int("days", t.days, 1, 365, true);
    case TriggerType::kBecameFormal:
      VIPCARE_TRY(o.Int("days", t.days, 0, 365, true));
      return o.Bool("card_pending_only", t.card_pending_only);
    case TriggerType::kHoliday: {
      const json* v = o.Get("holiday");
      if (!v) return Error::Invalid(o.Path("holiday"), "is required");
      if (!v->is_string() || !FindHoliday(v->get<std::string>())) {
        std::string known;
        for (const auto& h : Holidays()) known += (known.empty() ? "" : ", ") + std::string(h.code);
        return Error::Invalid(o.Path("holiday"), "must be one of " + known);
      }
      t.holiday = v->get<std::string>();
      return OkStatus();
    }
    case TriggerType::kAnniversary: {
      std::vector<std::string> kinds;
      VIPCARE_TRY(o.Array(
          "kinds",
          [&](const json& v, const std::string& path) -> Status {
            if (!v.is_string()) return Error::Invalid(path, "must be a string");
            VIPCARE_TRY(CheckText(v.get<std::string>(), path, kMaxCodeChars, true));
            kinds.push_back(v.get<std::string>());
            return OkStatus();
          },
          kMaxItems));
      t.anniversary_kinds = std::move(kinds);
      return OkStatus();
    }
    case TriggerType::kNewSeason: {
      std::vector<std::pair<unsigned, unsigned>> dates;
      VIPCARE_TRY(o.Array(
          "dates",
          [&](const json& v, const std::string& path) -> Status {
            std::pair<unsigned, unsigned> md;
            VIPCARE_TRY(ReadMonthDay(v, path, md));
            for (const auto& other : dates) {
              // The task key names the month, so one season date per month.
              if (other.first == md.first) return Error::Invalid(path, "repeats a month");
            }
            dates.push_back(md);
            return OkStatus();
          },
          12, true));
      std::sort(dates.begin(), dates.end());
      t.season_dates = std::move(dates);
      return OkStatus();
    }
    case TriggerType::kSpecialEvent: {
      std::vector<SpecialEvent> events;
      VIPCARE_TRY(o.Array(
          "events",
          [&](const json& v, const std::string& path) -> Status {
            if (!v.is_object()) return Error::Invalid(path, "must be an object");
            Obj e(v, path);
            SpecialEvent ev;
            VIPCARE_TRY(e.Code("code", ev.code));
            for (const auto& other : events) {
              if (other.code == ev.code) return Error::Invalid(e.Path("code"), "is used twice");
            }
            VIPCARE_TRY(e.Text("name", ev.name, kMaxNameChars, true));
            const json* d = e.Get("date");
            auto day = d && d->is_string() ? Date::Parse(d->get<std::string>()) : std::nullopt;
            if (!day) return Error::Invalid(e.Path("date"), "must be a date YYYY-MM-DD");
            ev.date = *day;
            VIPCARE_TRY(e.Bool("yearly", ev.yearly));
            if (ev.yearly && ev.date.month() == 2 && ev.date.day() == 29) {
              return Error::Invalid(e.Path("date"), "a yearly event cannot be on 29 February");
            }
            VIPCARE_TRY(e.Array(
                "stores",
                [&](const json& s, const std::string& spath) -> Status {
                  if (!s.is_number_integer() || s.get<int64_t>() < 1) {
                    return Error::Invalid(spath, "must be a store id (a positive integer)");
                  }
                  ev.stores.push_back(StoreId(s.get<int64_t>()));
                  return OkStatus();
                },
                kMaxItems * 10));
            VIPCARE_TRY(e.Done());
            events.push_back(std::move(ev));
            return OkStatus();
          },
          kMaxEvents, true));
      t.events = std::move(events);
      return OkStatus();
    }
    case TriggerType::kInactivity:
      return o.Int("days", t.days, 1, 3650, true);
    case TriggerType::kPointsExpiry: {
      int min_points = 0;
      VIPCARE_TRY(o.Int("min_points", min_points, 0, 1'000'000'000));
      t.min_points = Points(min_points);
      return OkStatus();
    }
    case TriggerType::kStoredGoods:
      VIPCARE_TRY(o.Int("every_days", t.every_days, 1, 365));
      return o.Int("max_reminders", t.max_reminders, 0, 100);
    case TriggerType::kChurnRisk:
      return o.Int("min_score", t.min_score, 0, 100);
    case TriggerType::kBirthday:
    case TriggerType::kTierCadence:
    case TriggerType::kDowngradeWarning:
      return OkStatus();
  }
  return OkStatus();
}

Status ReadAction(Obj& o, TierAction& a, TriggerType trigger) {
  VIPCARE_TRY(o.Bool("skip", a.skip));
  VIPCARE_TRY(ReadChannels(o, a.channels, !a.skip));
  if (a.skip) {
    if (!a.channels.empty())
      return Error::Invalid(o.Path("channels"), "must be empty when skip is true");
    for (const char* key : {"text", "template", "assignee", "every_months"}) {
      if (o.Get(key)) return Error::Invalid(o.Path(key), "must be absent when skip is true");
    }
    return OkStatus();
  }
  VIPCARE_TRY(o.Text("text", a.text, kMaxTextChars, true));
  VIPCARE_TRY(o.Code("template", a.template_code, false));
  Assignee assignee = Assignee::kAssociate;
  if (o.Get("assignee")) {
    VIPCARE_TRY(o.Enum("assignee", assignee, kAssignees));
    a.assignee = assignee;
  }
  if (trigger == TriggerType::kTierCadence) {
    VIPCARE_TRY(o.Int("every_months", a.every_months, 1, 12, true));
    if (!IsEveryMonths(a.every_months)) {
      return Error::Invalid(o.Path("every_months"), "must be 1, 2, 3, 4, 6 or 12");
    }
  } else if (o.Get("every_months")) {
    return Error::Invalid(o.Path("every_months"), "is only for tier_cadence rules");
  }
  return OkStatus();
}

Status ReadRule(Obj& o, CareRule& r, std::span<const std::string> tier_codes) {
  VIPCARE_TRY(o.Code("code", r.code));
  if (r.code == kCollectNumberCode) {
    return Error::Invalid(o.Path("code"),
                          "\"collect_number\" is reserved for the C4 substitute task");
  }
  VIPCARE_TRY(o.Text("name", r.name, kMaxNameChars, true));
  VIPCARE_TRY(o.Text("description", r.description, kMaxTextChars));
  VIPCARE_TRY(o.Bool("enabled", r.enabled));
  VIPCARE_TRY(o.Enum("purpose", r.purpose, kPurposes));
  VIPCARE_TRY(o.Bool("routine", r.routine));
  VIPCARE_TRY(o.Object(
      "trigger", [&](Obj& t) { return ReadTrigger(t, r.trigger); }, true));
  VIPCARE_TRY(o.Object("audience", [&](Obj& a) -> Status {
    VIPCARE_TRY(EnumList(a, "statuses", r.audience.statuses, kCareStatuses));
    std::vector<std::string> tiers;
    VIPCARE_TRY(a.Array(
        "tiers",
        [&](const json& v, const std::string& path) -> Status {
          if (!v.is_string() || !IsTierKey(v.get<std::string>(), tier_codes, false)) {
            return Error::Invalid(path, TierKeyHint(false));
          }
          if (std::find(tiers.begin(), tiers.end(), v.get<std::string>()) != tiers.end()) {
            return Error::Invalid(path, "is listed twice");
          }
          tiers.push_back(v.get<std::string>());
          return OkStatus();
        },
        kMaxItems));
    r.audience.tiers = std::move(tiers);
    std::vector<std::string> occupations;
    VIPCARE_TRY(a.Array(
        "occupations",
        [&](const json& v, const std::string& path) -> Status {
          if (!v.is_string()) return Error::Invalid(path, "must be a string");
          VIPCARE_TRY(CheckText(v.get<std::string>(), path, kMaxCodeChars, true));
          occupations.push_back(v.get<std::string>());
          return OkStatus();
        },
        kMaxItems));
    r.audience.occupations = std::move(occupations);
    return EnumList(a, "member_types", r.audience.member_types, kMemberTypes);
  }));
  // actions: an object keyed by tier key.
  const json* actions = o.Get("actions");
  if (!actions) return Error::Invalid(o.Path("actions"), "is required");
  if (!actions->is_object()) return Error::Invalid(o.Path("actions"), "must be an object");
  if (actions->empty()) return Error::Invalid(o.Path("actions"), "must not be empty");
  bool any_action = false;
  for (const auto& [key, value] : actions->items()) {
    std::string path = o.Path("actions") + "." + key;
    if (!IsTierKey(key, tier_codes, true)) return Error::Invalid(path, TierKeyHint(true));
    if (!value.is_object()) return Error::Invalid(path, "must be an object");
    Obj a(value, path);
    TierActionEntry entry{key, {}};
    VIPCARE_TRY(ReadAction(a, entry.action, r.trigger.type));
    VIPCARE_TRY(a.Done());
    any_action = any_action || !entry.action.skip;
    r.actions.push_back(std::move(entry));
  }
  if (!any_action)
    return Error::Invalid(o.Path("actions"), "must have an action that is not skipped");
  VIPCARE_TRY(o.Enum("assignee", r.assignee, kAssignees));
  VIPCARE_TRY(o.Object("due", [&](Obj& d) -> Status {
    VIPCARE_TRY(d.Int("offset_days", r.due.offset_days, -kMaxDueDays, kMaxDueDays));
    VIPCARE_TRY(d.Int("lead_days", r.due.lead_days, 0, kMaxDueDays));
    return d.Int("window_days", r.due.window_days, 0, kMaxDueDays);
  }));
  return OkStatus();
}

Status ReadSettings(Obj& o, CareSettings& s) {
  VIPCARE_TRY(o.Int("routine_fallback_after_contacts", s.routine_fallback_after_contacts, 0, 100));
  VIPCARE_TRY(o.Int("routine_fallback_every_months", s.routine_fallback_every_months, 1, 12));
  if (!IsEveryMonths(s.routine_fallback_every_months)) {
    return Error::Invalid(o.Path("routine_fallback_every_months"), "must be 1, 2, 3, 4, 6 or 12");
  }
  return o.Object("collect_number", [&](Obj& c) -> Status {
    CollectNumberAction& a = s.collect_number;
    VIPCARE_TRY(ReadChannels(c, a.channels, false));
    if (a.channels.empty()) a.channels.Add(Channel::kVisit);
    if (a.channels.Has(Channel::kSms) || a.channels.Has(Channel::kPhone)) {
      return Error::Invalid(c.Path("channels"),
                            "cannot use sms or phone: the number is what is missing");
    }
    VIPCARE_TRY(c.Text("text", a.text, kMaxTextChars));
    VIPCARE_TRY(c.Enum("assignee", a.assignee, kAssignees));
    VIPCARE_TRY(c.Int("due_days", a.due_days, 0, 90));
    return c.Int("window_days", a.window_days, 0, kMaxDueDays);
  });
}

CareSettings DefaultSettings() {
  CareSettings s;
  s.collect_number.channels.Add(Channel::kVisit);
  s.collect_number.text = "手机号无效或为空：请在顾客下次到店或联系时核实并更新手机号";
  return s;
}

json ChannelsJson(ChannelSet set) { return json(ChannelNames(set)); }

}  // namespace

// ---- enums -----------------------------------------------------------------

const char* ToString(Channel c) {
  switch (c) {
    case Channel::kSms:
      return "sms";
    case Channel::kPhone:
      return "phone";
    case Channel::kEmail:
      return "email";
    case Channel::kWechat:
      return "wechat";
    case Channel::kVisit:
      return "visit";
    case Channel::kMail:
      return "mail";
    case Channel::kGift:
      return "gift";
  }
  return "sms";
}

const char* ChineseLabel(Channel c) {
  switch (c) {
    case Channel::kSms:
      return "短信";
    case Channel::kPhone:
      return "电话";
    case Channel::kEmail:
      return "邮件";
    case Channel::kWechat:
      return "微信";
    case Channel::kVisit:
      return "拜访";
    case Channel::kMail:
      return "寄送";
    case Channel::kGift:
      return "礼品";
  }
  return "短信";
}

std::optional<Channel> ParseChannel(std::string_view s) { return ParseEnum(s, kChannels); }

std::vector<std::string> ChannelNames(ChannelSet set) {
  std::vector<std::string> out;
  for (Channel c : kChannels) {
    if (set.Has(c)) out.emplace_back(ToString(c));
  }
  return out;
}

const char* ToString(Assignee a) {
  switch (a) {
    case Assignee::kAssociate:
      return "associate";
    case Assignee::kStoreManager:
      return "store_manager";
    case Assignee::kCallCentre:
      return "call_centre";
  }
  return "associate";
}
std::optional<Assignee> ParseAssignee(std::string_view s) { return ParseEnum(s, kAssignees); }

const char* ToString(Purpose p) { return p == Purpose::kService ? "service" : "marketing"; }
std::optional<Purpose> ParsePurpose(std::string_view s) { return ParseEnum(s, kPurposes); }

const char* ToString(TriggerType t) {
  switch (t) {
    case TriggerType::kAfterPurchase:
      return "after_purchase";
    case TriggerType::kBecameFormal:
      return "became_formal";
    case TriggerType::kHoliday:
      return "holiday";
    case TriggerType::kBirthday:
      return "birthday";
    case TriggerType::kAnniversary:
      return "anniversary";
    case TriggerType::kNewSeason:
      return "new_season";
    case TriggerType::kSpecialEvent:
      return "special_event";
    case TriggerType::kTierCadence:
      return "tier_cadence";
    case TriggerType::kInactivity:
      return "inactivity";
    case TriggerType::kDowngradeWarning:
      return "downgrade_warning";
    case TriggerType::kPointsExpiry:
      return "points_expiry";
    case TriggerType::kStoredGoods:
      return "stored_goods";
    case TriggerType::kChurnRisk:
      return "churn_risk";
  }
  return "holiday";
}
std::optional<TriggerType> ParseTriggerType(std::string_view s) {
  return ParseEnum(s, kTriggerTypes);
}

const char* ToString(MemberType t) {
  return t == MemberType::kBusiness ? "business" : "individual";
}
std::optional<MemberType> ParseMemberType(std::string_view s) { return ParseEnum(s, kMemberTypes); }

bool IsGradeKey(std::string_view key) { return key.size() == 1 && key[0] >= 'A' && key[0] <= 'J'; }

std::string_view GradeOf(int level_from_top) {
  static constexpr std::string_view kLetters = "ABCDEFGHIJ";
  if (level_from_top < 0 || level_from_top >= int(kLetters.size())) return {};
  return kLetters.substr(size_t(level_from_top), 1);
}

// ---- parse and serialize ---------------------------------------------------

Result<CareRuleSet> ParseCareRules(const json& j, std::span<const std::string> tier_codes) {
  if (!j.is_object()) return Error::Invalid("", "must be a JSON object");
  Obj o(j, "");
  CareRuleSet s;
  s.settings = DefaultSettings();
  VIPCARE_TRY(o.Int("version", s.version, 1, 1'000'000));
  VIPCARE_TRY(o.Object("settings", [&](Obj& st) { return ReadSettings(st, s.settings); }));
  const json* rules = o.Get("rules");
  if (!rules) return Error::Invalid("rules", "is required");
  if (!rules->is_array()) return Error::Invalid("rules", "must be an array of objects");
  if (rules->size() > kMaxCareRules) {
    return Error::Invalid("rules", fmt::format("must have at most {} items", kMaxCareRules));
  }
  for (size_t i = 0; i < rules->size(); ++i) {
    std::string path = fmt::format("rules[{}]", i);
    if (!(*rules)[i].is_object()) return Error::Invalid(path, "must be an object");
    Obj r((*rules)[i], path);
    CareRule rule;
    VIPCARE_TRY(ReadRule(r, rule, tier_codes));
    VIPCARE_TRY(r.Done());
    for (const auto& other : s.rules) {
      if (other.code == rule.code) {
        return Error::Invalid(path + ".code",
                              fmt::format("\"{}\" is used by another rule", rule.code));
      }
    }
    s.rules.push_back(std::move(rule));
  }
  VIPCARE_TRY(o.Done());
  return s;
}

Result<CareRuleSet> ParseCareRulesText(std::string_view text,
                                       std::span<const std::string> tier_codes) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Error::Invalid("", "is not valid JSON");
  return ParseCareRules(j, tier_codes);
}

json CareRulesToJson(const CareRuleSet& s) {
  json out;
  out["version"] = s.version;
  const CollectNumberAction& c = s.settings.collect_number;
  out["settings"] = {
      {"routine_fallback_after_contacts", s.settings.routine_fallback_after_contacts},
      {"routine_fallback_every_months", s.settings.routine_fallback_every_months},
      {"collect_number",
       {{"channels", ChannelsJson(c.channels)},
        {"text", c.text},
        {"assignee", ToString(c.assignee)},
        {"due_days", c.due_days},
        {"window_days", c.window_days}}},
  };
  json rules = json::array();
  for (const CareRule& r : s.rules) {
    json t;
    t["type"] = ToString(r.trigger.type);
    const Trigger& tr = r.trigger;
    switch (tr.type) {
      case TriggerType::kAfterPurchase:
      case TriggerType::kInactivity:
        t["days"] = tr.days;
        break;
      case TriggerType::kBecameFormal:
        t["days"] = tr.days;
        t["card_pending_only"] = tr.card_pending_only;
        break;
      case TriggerType::kHoliday:
        t["holiday"] = tr.holiday;
        break;
      case TriggerType::kAnniversary:
        t["kinds"] = tr.anniversary_kinds;
        break;
      case TriggerType::kNewSeason: {
        json dates = json::array();
        for (const auto& [m, d] : tr.season_dates)
          dates.push_back(fmt::format("{:02}-{:02}", m, d));
        t["dates"] = std::move(dates);
        break;
      }
      case TriggerType::kSpecialEvent: {
        json events = json::array();
        for (const SpecialEvent& e : tr.events) {
          json stores = json::array();
          for (StoreId id : e.stores) stores.push_back(id.value);
          events.push_back({{"code", e.code},
                            {"name", e.name},
                            {"date", e.date.ToString()},
                            {"yearly", e.yearly},
                            {"stores", std::move(stores)}});
        }
        t["events"] = std::move(events);
        break;
      }
      case TriggerType::kPointsExpiry:
        t["min_points"] = tr.min_points.value;
        break;
      case TriggerType::kStoredGoods:
        t["every_days"] = tr.every_days;
        t["max_reminders"] = tr.max_reminders;
        break;
      case TriggerType::kChurnRisk:
        t["min_score"] = tr.min_score;
        break;
      case TriggerType::kBirthday:
      case TriggerType::kTierCadence:
      case TriggerType::kDowngradeWarning:
        break;
    }
    json statuses = json::array();
    for (MemberStatus st : r.audience.statuses) statuses.push_back(ToString(st));
    json types = json::array();
    for (MemberType mt : r.audience.member_types) types.push_back(ToString(mt));
    json actions = json::object();
    for (const TierActionEntry& e : r.actions) {
      json a;
      if (e.action.skip) {
        a["skip"] = true;
      } else {
        a["channels"] = ChannelsJson(e.action.channels);
        a["text"] = e.action.text;
        if (!e.action.template_code.empty()) a["template"] = e.action.template_code;
        if (e.action.assignee) a["assignee"] = ToString(*e.action.assignee);
        if (r.trigger.type == TriggerType::kTierCadence) a["every_months"] = e.action.every_months;
      }
      actions[e.key] = std::move(a);
    }
    rules.push_back({
        {"code", r.code},
        {"name", r.name},
        {"description", r.description},
        {"enabled", r.enabled},
        {"purpose", ToString(r.purpose)},
        {"routine", r.routine},
        {"trigger", std::move(t)},
        {"audience",
         {{"statuses", std::move(statuses)},
          {"tiers", r.audience.tiers},
          {"occupations", r.audience.occupations},
          {"member_types", std::move(types)}}},
        {"actions", std::move(actions)},
        {"assignee", ToString(r.assignee)},
        {"due",
         {{"offset_days", r.due.offset_days},
          {"lead_days", r.due.lead_days},
          {"window_days", r.due.window_days}}},
    });
  }
  out["rules"] = std::move(rules);
  return out;
}

std::string_view DefaultCareRulesText() { return care_rules_data::kDefaultRulesJson; }

const CareRuleSet& DefaultCareRules() {
  static const CareRuleSet rules = [] {
    auto r = ParseCareRulesText(DefaultCareRulesText());
    if (!r.ok()) {
      throw std::logic_error("the shipped care rules are invalid at " + r.error().field + ": " +
                             r.error().message);
    }
    return std::move(r).value();
  }();
  return rules;
}

const CareRule* FindCareRule(const CareRuleSet& s, std::string_view code) {
  for (const CareRule& r : s.rules) {
    if (r.code == code) return &r;
  }
  return nullptr;
}

}  // namespace vipcare::domain
