#include "domain/member_json.h"

#include <fmt/format.h>

#include <charconv>
#include <functional>
#include <map>
#include <stdexcept>

namespace vipcare::domain {
namespace {

using nlohmann::json;

json CalendarDateJson(const std::optional<CalendarDate>& d) {
  return d ? json(FormatCalendarDate(*d)) : json(nullptr);
}

json AddressJson(const Address& a) {
  return {{"label", a.label},       {"province", a.province}, {"city", a.city},
          {"district", a.district}, {"detail", a.detail},     {"postcode", a.postcode}};
}

json FamilyJson(const FamilyMember& f) {
  return {{"name", f.name},
          {"relation", f.relation},
          {"birthday", CalendarDateJson(f.birthday)},
          {"birthday_calendar", ToString(f.birthday ? f.birthday->calendar : Calendar::kSolar)},
          {"hobbies", f.hobbies},
          {"notes", f.notes}};
}

json AnniversaryJson(const Anniversary& a) {
  return {{"kind", a.kind},
          {"label", a.label},
          {"date", FormatCalendarDate(a.date)},
          {"calendar", ToString(a.date.calendar)}};
}

json PreferencesJson(const Preferences& p) {
  return {{"hobbies", p.hobbies},
          {"clothing_size", p.clothing_size},
          {"shoe_size", p.shoe_size},
          {"colours", p.colours},
          {"brands", p.brands},
          {"categories", p.categories},
          {"special_needs", p.special_needs},
          {"preferred_channels", p.preferred_channels},
          {"dnd_start", p.dnd_start},
          {"dnd_end", p.dnd_end},
          {"marketing_opt_out", p.marketing_opt_out}};
}

json BusinessJson(const BusinessInfo& b) {
  return {{"sales_region", b.sales_region},
          {"credit_rating", b.credit_rating},
          {"credit_limit_fen", b.credit_limit.value},
          {"outstanding_debt_fen", b.outstanding_debt.value},
          {"repayment_record", b.repayment_record},
          {"key_decision_maker", b.key_decision_maker}};
}

// The profile part of a member file. `compact` (the stored form) leaves out
// every field that has its default value: most files fill few of them, and the
// document is written for every registered or imported member.
json ProfileObject(const Member& m, bool compact) {
  json j = json::object();
  auto text = [&](const char* key, const std::string& v) {
    if (!compact || !v.empty()) j[key] = v;
  };
  auto flag = [&](const char* key, bool v) {
    if (!compact || !v) j[key] = v;  // the default of the validity flags is true
  };
  auto list = [&](const char* key, json arr) {
    if (!compact || !arr.empty()) j[key] = std::move(arr);
  };
  text("office_phone", m.office_phone.number);
  flag("office_phone_valid", m.office_phone.valid);
  text("home_phone", m.home_phone.number);
  flag("home_phone_valid", m.home_phone.valid);
  text("email", m.email);
  text("wechat_id", m.wechat_id);
  json addresses = json::array();
  for (const auto& a : m.addresses) addresses.push_back(AddressJson(a));
  list("addresses", std::move(addresses));
  text("company", m.company);
  text("job_title", m.job_title);
  text("id_number", m.id_number);
  text("spouse_name", m.spouse_name);
  json family = json::array();
  for (const auto& f : m.family) family.push_back(FamilyJson(f));
  list("family", std::move(family));
  json anniversaries = json::array();
  for (const auto& a : m.anniversaries) anniversaries.push_back(AnniversaryJson(a));
  list("anniversaries", std::move(anniversaries));
  json prefs = PreferencesJson(m.preferences);
  json business = BusinessJson(m.business);
  if (compact) {
    // Keep only the entries that differ from a default-constructed value.
    static const json kPrefs = PreferencesJson(Preferences{});
    static const json kBusiness = BusinessJson(BusinessInfo{});
    auto prune = [](json& obj, const json& defaults) {
      json kept = json::object();
      for (const auto& [k, v] : obj.items()) {
        if (v != defaults[k]) kept[k] = v;
      }
      obj = std::move(kept);
    };
    prune(prefs, kPrefs);
    prune(business, kBusiness);
    if (!prefs.empty()) j["preferences"] = std::move(prefs);
    if (!business.empty()) j["business"] = std::move(business);
  } else {
    j["preferences"] = std::move(prefs);
    j["business"] = std::move(business);
  }
  text("notes", m.notes);
  return j;
}

// Typed readers that name the offending field.
class Reader {
 public:
  explicit Reader(std::string prefix) : prefix_(std::move(prefix)) {}
  std::string Path(std::string_view key) const {
    return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
  }
  Status String(const json& v, std::string_view key, std::string& out) const {
    if (v.is_null()) {
      out.clear();
      return OkStatus();
    }
    if (!v.is_string()) return Error::Invalid(Path(key), "must be a string");
    out = v.get<std::string>();
    return OkStatus();
  }
  Status Bool(const json& v, std::string_view key, bool& out) const {
    if (!v.is_boolean()) return Error::Invalid(Path(key), "must be true or false");
    out = v.get<bool>();
    return OkStatus();
  }
  Status Int(const json& v, std::string_view key, int64_t& out) const {
    if (v.is_null()) {
      out = 0;
      return OkStatus();
    }
    if (!v.is_number_integer()) return Error::Invalid(Path(key), "must be an integer");
    out = v.get<int64_t>();
    return OkStatus();
  }
  Status Strings(const json& v, std::string_view key, std::vector<std::string>& out) const {
    if (v.is_null()) {
      out.clear();
      return OkStatus();
    }
    if (!v.is_array()) return Error::Invalid(Path(key), "must be an array of strings");
    std::vector<std::string> items;
    for (size_t i = 0; i < v.size(); ++i) {
      if (!v[i].is_string()) {
        return Error::Invalid(fmt::format("{}[{}]", Path(key), i), "must be a string");
      }
      items.push_back(v[i].get<std::string>());
    }
    out = std::move(items);
    return OkStatus();
  }
  Status Object(const json& v, std::string_view key) const {
    if (!v.is_object()) return Error::Invalid(Path(key), "must be an object");
    return OkStatus();
  }

 private:
  std::string prefix_;
};

using FieldFn = std::function<Status(const json&, const Reader&)>;

// Runs the setter of each key of `obj`; an unknown key is an error.
Status ApplyFields(const json& obj, const Reader& r,
                   const std::map<std::string, FieldFn, std::less<>>& fields) {
  for (const auto& [key, value] : obj.items()) {
    auto it = fields.find(key);
    if (it == fields.end()) return Error::Invalid(r.Path(key), "is not a known field");
    VIPCARE_TRY(it->second(value, r));
  }
  return OkStatus();
}

Status ReadCalendarDate(const json& v, const std::string& path, Calendar cal,
                        std::optional<CalendarDate>& out) {
  if (v.is_null()) {
    out.reset();
    return OkStatus();
  }
  if (!v.is_string()) return Error::Invalid(path, "must be a date YYYY-MM-DD or null");
  auto d = ParseCalendarDate(v.get<std::string>(), cal);
  if (!d) {
    return Error::Invalid(path, cal == Calendar::kLunar
                                    ? "must be a lunar date YYYY-MM-DD (month 1-12, day 1-30)"
                                    : "must be a real date YYYY-MM-DD");
  }
  bool leap = out && out->leap_month;
  out = d;
  out->leap_month = leap;
  return OkStatus();
}

Status ReadCalendar(const json& v, const std::string& path, Calendar& out) {
  if (!v.is_string()) return Error::Invalid(path, "must be \"solar\" or \"lunar\"");
  auto c = ParseCalendar(v.get<std::string>());
  if (!c) return Error::Invalid(path, "must be \"solar\" or \"lunar\"");
  out = *c;
  return OkStatus();
}

// Reads an array of objects with `read_one(item, reader, out)`.
template <class T>
Status ReadObjects(const json& v, const std::string& path, std::vector<T>& out,
                   const std::function<Status(const json&, const Reader&, T&)>& read_one) {
  if (v.is_null()) {
    out.clear();
    return OkStatus();
  }
  if (!v.is_array()) return Error::Invalid(path, "must be an array of objects");
  std::vector<T> items;
  for (size_t i = 0; i < v.size(); ++i) {
    auto item_path = fmt::format("{}[{}]", path, i);
    if (!v[i].is_object()) return Error::Invalid(item_path, "must be an object");
    T item{};
    VIPCARE_TRY(read_one(v[i], Reader(item_path), item));
    items.push_back(std::move(item));
  }
  out = std::move(items);
  return OkStatus();
}

Status ReadAddress(const json& o, const Reader& r, Address& a) {
  return ApplyFields(o, r, {
      {"label", [&](const json& v, const Reader& r) { return r.String(v, "label", a.label); }},
      {"province", [&](const json& v, const Reader& r) { return r.String(v, "province", a.province); }},
      {"city", [&](const json& v, const Reader& r) { return r.String(v, "city", a.city); }},
      {"district", [&](const json& v, const Reader& r) { return r.String(v, "district", a.district); }},
      {"detail", [&](const json& v, const Reader& r) { return r.String(v, "detail", a.detail); }},
      {"postcode", [&](const json& v, const Reader& r) { return r.String(v, "postcode", a.postcode); }},
  });
}

// Reads {"date"|"birthday": text, "calendar"|"birthday_calendar": ...}: the
// calendar is applied before the date is parsed, whatever the key order.
Calendar CalendarOf(const json& o, const char* key) {
  auto it = o.find(key);
  if (it != o.end() && it->is_string()) {
    if (auto c = ParseCalendar(it->get<std::string>())) return *c;
  }
  return Calendar::kSolar;
}

Status ReadFamily(const json& o, const Reader& r, FamilyMember& f) {
  Calendar cal = CalendarOf(o, "birthday_calendar");
  return ApplyFields(o, r, {
      {"name", [&](const json& v, const Reader& r) { return r.String(v, "name", f.name); }},
      {"relation", [&](const json& v, const Reader& r) { return r.String(v, "relation", f.relation); }},
      {"birthday", [&](const json& v, const Reader& r) {
         return ReadCalendarDate(v, r.Path("birthday"), cal, f.birthday);
       }},
      {"birthday_calendar", [&](const json& v, const Reader& r) {
         Calendar c = cal;
         return ReadCalendar(v, r.Path("birthday_calendar"), c);
       }},
      {"hobbies", [&](const json& v, const Reader& r) { return r.String(v, "hobbies", f.hobbies); }},
      {"notes", [&](const json& v, const Reader& r) { return r.String(v, "notes", f.notes); }},
  });
}

Status ReadAnniversary(const json& o, const Reader& r, Anniversary& a) {
  Calendar cal = CalendarOf(o, "calendar");
  bool has_date = false;
  VIPCARE_TRY(ApplyFields(o, r, {
      {"kind", [&](const json& v, const Reader& r) { return r.String(v, "kind", a.kind); }},
      {"label", [&](const json& v, const Reader& r) { return r.String(v, "label", a.label); }},
      {"date", [&](const json& v, const Reader& r) -> Status {
         std::optional<CalendarDate> d;
         VIPCARE_TRY(ReadCalendarDate(v, r.Path("date"), cal, d));
         if (!d) return Error::Invalid(r.Path("date"), "is required");
         a.date = *d;
         has_date = true;
         return OkStatus();
       }},
      {"calendar", [&](const json& v, const Reader& r) {
         Calendar c = cal;
         return ReadCalendar(v, r.Path("calendar"), c);
       }},
  }));
  if (!has_date) return Error::Invalid(r.Path("date"), "is required");
  return OkStatus();
}

Status ReadPreferences(const json& o, const Reader& r, Preferences& p) {
  return ApplyFields(o, r, {
      {"hobbies", [&](const json& v, const Reader& r) { return r.Strings(v, "hobbies", p.hobbies); }},
      {"clothing_size", [&](const json& v, const Reader& r) { return r.String(v, "clothing_size", p.clothing_size); }},
      {"shoe_size", [&](const json& v, const Reader& r) { return r.String(v, "shoe_size", p.shoe_size); }},
      {"colours", [&](const json& v, const Reader& r) { return r.Strings(v, "colours", p.colours); }},
      {"brands", [&](const json& v, const Reader& r) { return r.Strings(v, "brands", p.brands); }},
      {"categories", [&](const json& v, const Reader& r) { return r.Strings(v, "categories", p.categories); }},
      {"special_needs", [&](const json& v, const Reader& r) { return r.String(v, "special_needs", p.special_needs); }},
      {"preferred_channels", [&](const json& v, const Reader& r) { return r.Strings(v, "preferred_channels", p.preferred_channels); }},
      {"dnd_start", [&](const json& v, const Reader& r) { return r.String(v, "dnd_start", p.dnd_start); }},
      {"dnd_end", [&](const json& v, const Reader& r) { return r.String(v, "dnd_end", p.dnd_end); }},
      {"marketing_opt_out", [&](const json& v, const Reader& r) { return r.Bool(v, "marketing_opt_out", p.marketing_opt_out); }},
  });
}

Status ReadBusiness(const json& o, const Reader& r, BusinessInfo& b) {
  return ApplyFields(o, r, {
      {"sales_region", [&](const json& v, const Reader& r) { return r.String(v, "sales_region", b.sales_region); }},
      {"credit_rating", [&](const json& v, const Reader& r) { return r.String(v, "credit_rating", b.credit_rating); }},
      {"credit_limit_fen", [&](const json& v, const Reader& r) { return r.Int(v, "credit_limit_fen", b.credit_limit.value); }},
      {"outstanding_debt_fen", [&](const json& v, const Reader& r) { return r.Int(v, "outstanding_debt_fen", b.outstanding_debt.value); }},
      {"repayment_record", [&](const json& v, const Reader& r) { return r.String(v, "repayment_record", b.repayment_record); }},
      {"key_decision_maker", [&](const json& v, const Reader& r) { return r.String(v, "key_decision_maker", b.key_decision_maker); }},
  });
}

Status ReadId(const json& v, const Reader& r, std::string_view key, int64_t& out) {
  if (v.is_null()) {
    out = 0;
    return OkStatus();
  }
  if (!v.is_number_integer() || v.get<int64_t>() <= 0) {
    return Error::Invalid(r.Path(key), "must be a positive integer id or null");
  }
  out = v.get<int64_t>();
  return OkStatus();
}

Status ReadOnly(std::string_view key) {
  return Error::Invalid(std::string(key), "is read-only");
}

}  // namespace

std::optional<CalendarDate> ParseCalendarDate(std::string_view text, Calendar calendar) {
  if (calendar == Calendar::kSolar) {
    auto d = Date::Parse(text);
    if (!d) return std::nullopt;
    return CalendarDate{d->year(), d->month(), d->day(), Calendar::kSolar, false};
  }
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0;
  unsigned mo = 0, d = 0;
  auto num = [&](std::string_view s, auto& out) {
    for (char c : s) {
      if (c < '0' || c > '9') return false;
    }
    return std::from_chars(s.data(), s.data() + s.size(), out).ec == std::errc();
  };
  if (!num(text.substr(0, 4), y) || !num(text.substr(5, 2), mo) || !num(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  if (y < 1900 || mo < 1 || mo > 12 || d < 1 || d > 30) return std::nullopt;
  return CalendarDate{y, mo, d, Calendar::kLunar, false};
}

std::string FormatCalendarDate(const CalendarDate& d) {
  return fmt::format("{:04d}-{:02d}-{:02d}", d.year, d.month, d.day);
}

json MemberToJson(const Member& m) {
  json j = ProfileObject(m, false);
  j["id"] = m.id.value;
  j["member_no"] = m.member_no;
  j["status"] = ToString(m.status);
  j["name"] = m.name;
  j["gender"] = ToString(m.gender);
  j["birthday"] = CalendarDateJson(m.birthday);
  j["birthday_calendar"] = ToString(m.birthday ? m.birthday->calendar : Calendar::kSolar);
  j["birthday_leap_month"] = m.birthday && m.birthday->leap_month;
  j["mobile"] = m.mobile.number;
  j["mobile_valid"] = m.mobile.valid;
  j["occupation"] = m.occupation;
  j["source"] = ToString(m.source);
  j["referrer_id"] = m.referrer_id ? json(m.referrer_id.value) : json(nullptr);
  j["store_id"] = m.home_store_id.value;
  j["associate_id"] = m.associate_id ? json(m.associate_id.value) : json(nullptr);
  j["tags"] = m.tags;
  j["merged_into"] = m.merged_into ? json(m.merged_into.value) : json(nullptr);
  j["created_at"] = FormatTimestamp(m.created_at);
  j["updated_at"] = FormatTimestamp(m.updated_at);
  j["version"] = m.version;
  return j;
}

std::string ProfileToJson(const Member& m) { return ProfileObject(m, true).dump(); }

void ProfileFromJson(std::string_view text, Member& m) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::runtime_error("corrupt member profile");
  auto st = ApplyMemberJson(j, m, ApplyMode::kUpdate);
  if (!st.ok()) throw std::runtime_error("corrupt member profile field " + st.error().field);
}

void CareProfileFromJson(std::string_view text, Member& m) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw std::runtime_error("corrupt member profile");
  // Read directly: the stored profile was validated when it was written.
  auto str = [&](const char* key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto flag = [&](const json& o, const char* key, bool fallback) {
    auto it = o.find(key);
    return it != o.end() && it->is_boolean() ? it->get<bool>() : fallback;
  };
  m.office_phone = {str("office_phone"), flag(j, "office_phone_valid", true)};
  m.home_phone = {str("home_phone"), flag(j, "home_phone_valid", true)};
  m.email = str("email");
  m.wechat_id = str("wechat_id");
  if (auto it = j.find("addresses"); it != j.end() && it->is_array()) {
    for (const auto& a : *it) {
      Address addr;
      if (a.is_object()) addr.detail = a.value("detail", std::string());
      m.addresses.push_back(std::move(addr));
    }
  }
  if (auto it = j.find("anniversaries"); it != j.end()) {
    auto st = ReadObjects<Anniversary>(*it, "anniversaries", m.anniversaries, ReadAnniversary);
    if (!st.ok()) throw std::runtime_error("corrupt member profile field " + st.error().field);
  }
  if (auto it = j.find("preferences"); it != j.end() && it->is_object()) {
    m.preferences.marketing_opt_out = flag(*it, "marketing_opt_out", false);
    m.preferences.dnd_start = it->value("dnd_start", std::string());
    m.preferences.dnd_end = it->value("dnd_end", std::string());
  }
  if (auto it = j.find("business"); it != j.end() && it->is_object()) {
    m.business.sales_region = it->value("sales_region", std::string());
    auto limit = it->find("credit_limit_fen");
    if (limit != it->end() && limit->is_number_integer()) m.business.credit_limit = Fen(limit->get<int64_t>());
  }
}

Status ApplyMemberJson(const json& body, Member& m, ApplyMode mode) {
  if (!body.is_object()) return Error::Invalid("", "the body must be a JSON object");
  const Reader r("");
  Calendar cal = body.contains("birthday_calendar")
                     ? CalendarOf(body, "birthday_calendar")
                     : (m.birthday ? m.birthday->calendar : Calendar::kSolar);
  auto phone = [&](Phone& p, const char* key) {
    return [&p, key, &r](const json& v, const Reader&) { return r.String(v, key, p.number); };
  };
  auto phone_valid = [&](Phone& p, const char* key) {
    return [&p, key, &r](const json& v, const Reader&) { return r.Bool(v, key, p.valid); };
  };
  auto text = [&](std::string& s, const char* key) {
    return [&s, key, &r](const json& v, const Reader&) { return r.String(v, key, s); };
  };
  auto read_only = [](const char* key) {
    return [key](const json&, const Reader&) { return ReadOnly(key); };
  };
  const bool creating = mode == ApplyMode::kCreate;
  VIPCARE_TRY(ApplyFields(body, r, {
      {"id", read_only("id")},
      {"member_no", read_only("member_no")},
      {"merged_into", read_only("merged_into")},
      {"created_at", read_only("created_at")},
      {"updated_at", read_only("updated_at")},
      {"version", [&](const json& v, const Reader&) -> Status {
         if (!v.is_number_integer()) return Error::Invalid("version", "must be an integer");
         if (!creating && v.get<int64_t>() != m.version) {
           return Error::Conflict("the member was changed by someone else; reload and retry",
                                  "version");
         }
         return OkStatus();
       }},
      {"status", [&](const json& v, const Reader&) -> Status {
         if (!creating) {
           return Error::Invalid("status", "is changed with POST /members/{id}/status");
         }
         auto s = v.is_string() ? ParseMemberStatus(v.get<std::string>()) : std::nullopt;
         if (!s || !(*s == MemberStatus::kProspect || *s == MemberStatus::kTemporary ||
                     *s == MemberStatus::kFormal)) {
           return Error::Invalid("status", "must be \"prospect\", \"temporary\" or \"formal\"");
         }
         m.status = *s;
         return OkStatus();
       }},
      {"name", text(m.name, "name")},
      {"gender", [&](const json& v, const Reader&) -> Status {
         auto g = v.is_string() ? ParseGender(v.get<std::string>()) : std::nullopt;
         if (!g) return Error::Invalid("gender", "must be \"male\", \"female\" or \"unknown\"");
         m.gender = *g;
         return OkStatus();
       }},
      {"birthday", [&](const json& v, const Reader&) {
         return ReadCalendarDate(v, "birthday", cal, m.birthday);
       }},
      {"birthday_calendar", [&](const json& v, const Reader&) -> Status {
         Calendar c = cal;
         VIPCARE_TRY(ReadCalendar(v, "birthday_calendar", c));
         if (m.birthday && !body.contains("birthday")) {
           // Re-reading the same digits in the other calendar.
           auto again = ParseCalendarDate(FormatCalendarDate(*m.birthday), c);
           if (!again) return Error::Invalid("birthday", "is not a valid date in that calendar");
           again->leap_month = m.birthday->leap_month && c == Calendar::kLunar;
           m.birthday = again;
         }
         return OkStatus();
       }},
      {"birthday_leap_month", [&](const json& v, const Reader&) -> Status {
         bool leap = false;
         VIPCARE_TRY(r.Bool(v, "birthday_leap_month", leap));
         if (leap && cal != Calendar::kLunar) {
           return Error::Invalid("birthday_leap_month", "only a lunar birthday has a leap month");
         }
         // Applied after the birthday itself, below.
         return OkStatus();
       }},
      {"mobile", phone(m.mobile, "mobile")},
      {"mobile_valid", phone_valid(m.mobile, "mobile_valid")},
      {"office_phone", phone(m.office_phone, "office_phone")},
      {"office_phone_valid", phone_valid(m.office_phone, "office_phone_valid")},
      {"home_phone", phone(m.home_phone, "home_phone")},
      {"home_phone_valid", phone_valid(m.home_phone, "home_phone_valid")},
      {"email", text(m.email, "email")},
      {"wechat_id", text(m.wechat_id, "wechat_id")},
      {"addresses", [&](const json& v, const Reader&) {
         return ReadObjects<Address>(v, "addresses", m.addresses, ReadAddress);
       }},
      {"occupation", text(m.occupation, "occupation")},
      {"company", text(m.company, "company")},
      {"job_title", text(m.job_title, "job_title")},
      {"id_number", text(m.id_number, "id_number")},
      {"spouse_name", text(m.spouse_name, "spouse_name")},
      {"family", [&](const json& v, const Reader&) {
         return ReadObjects<FamilyMember>(v, "family", m.family, ReadFamily);
       }},
      {"anniversaries", [&](const json& v, const Reader&) {
         return ReadObjects<Anniversary>(v, "anniversaries", m.anniversaries, ReadAnniversary);
       }},
      {"preferences", [&](const json& v, const Reader&) -> Status {
         VIPCARE_TRY(r.Object(v, "preferences"));
         return ReadPreferences(v, Reader("preferences"), m.preferences);
       }},
      {"business", [&](const json& v, const Reader&) -> Status {
         VIPCARE_TRY(r.Object(v, "business"));
         return ReadBusiness(v, Reader("business"), m.business);
       }},
      {"source", [&](const json& v, const Reader&) -> Status {
         auto s = v.is_string() ? ParseMemberSource(v.get<std::string>()) : std::nullopt;
         if (!s) {
           return Error::Invalid("source",
                                 "must be one of walk_in, referral, event, online, import, other");
         }
         m.source = *s;
         return OkStatus();
       }},
      {"referrer_id", [&](const json& v, const Reader&) {
         return ReadId(v, r, "referrer_id", m.referrer_id.value);
       }},
      {"store_id", [&](const json& v, const Reader&) -> Status {
         if (v.is_null()) return Error::Invalid("store_id", "is required");
         return ReadId(v, r, "store_id", m.home_store_id.value);
       }},
      {"associate_id", [&](const json& v, const Reader&) {
         return ReadId(v, r, "associate_id", m.associate_id.value);
       }},
      {"tags", [&](const json& v, const Reader&) { return r.Strings(v, "tags", m.tags); }},
      {"notes", text(m.notes, "notes")},
  }));
  if (auto it = body.find("birthday_leap_month"); it != body.end() && m.birthday) {
    m.birthday->leap_month = it->get<bool>() && m.birthday->calendar == Calendar::kLunar;
  }
  return OkStatus();
}

}  // namespace vipcare::domain
