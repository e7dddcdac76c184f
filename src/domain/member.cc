#include "domain/member.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace vipcare::domain {
namespace {

template <class E, size_t N>
std::optional<E> ParseEnum(std::string_view s, const std::array<E, N>& all) {
  for (E e : all) {
    if (s == ToString(e)) return e;
  }
  return std::nullopt;
}

constexpr std::array kStatuses = {MemberStatus::kProspect, MemberStatus::kTemporary,
                                  MemberStatus::kFormal,   MemberStatus::kSuspended,
                                  MemberStatus::kClosed,   MemberStatus::kMerged,
                                  MemberStatus::kErased};
constexpr std::array kGenders = {Gender::kUnknown, Gender::kMale, Gender::kFemale};
constexpr std::array kCalendars = {Calendar::kSolar, Calendar::kLunar};
constexpr std::array kSources = {MemberSource::kWalkIn, MemberSource::kReferral,
                                 MemberSource::kEvent,  MemberSource::kOnline,
                                 MemberSource::kImport, MemberSource::kOther};
constexpr std::array<std::string_view, 7> kChannels = {"sms",   "phone", "email", "wechat",
                                                       "visit", "mail",  "gift"};

Status CheckText(const std::string& value, const std::string& field, size_t max_chars,
                 bool required = false) {
  long n = Utf8Length(value);
  if (n < 0) return Error::Invalid(field, "must be valid UTF-8 text");
  if (required && n == 0) return Error::Invalid(field, "is required");
  if (size_t(n) > max_chars) {
    return Error::Invalid(field, fmt::format("must be at most {} characters", max_chars));
  }
  for (unsigned char c : value) {
    if (c < 0x20 && c != '\n' && c != '\t') {
      return Error::Invalid(field, "must not contain control characters");
    }
  }
  return OkStatus();
}

Status CheckList(const std::vector<std::string>& items, const std::string& field,
                 size_t max_chars) {
  if (items.size() > kMaxListItems) {
    return Error::Invalid(field, fmt::format("must have at most {} items", kMaxListItems));
  }
  for (size_t i = 0; i < items.size(); ++i) {
    VIPCARE_TRY(CheckText(items[i], fmt::format("{}[{}]", field, i), max_chars, true));
  }
  return OkStatus();
}

Status CheckPhone(const Phone& p, const std::string& field, bool mobile) {
  if (p.number.empty()) return OkStatus();
  bool ok = mobile ? IsValidMobile(p.number) : IsValidPhone(p.number);
  if (!ok) {
    return Error::Invalid(field, mobile ? "must be an 11-digit mainland mobile number"
                                        : "must be a phone number of 5-20 digits");
  }
  return OkStatus();
}

bool IsHhMm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return false;
  for (size_t i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  return h < 24 && m < 60;
}

}  // namespace

const char* ToString(MemberStatus s) {
  switch (s) {
    case MemberStatus::kProspect: return "prospect";
    case MemberStatus::kTemporary: return "temporary";
    case MemberStatus::kFormal: return "formal";
    case MemberStatus::kSuspended: return "suspended";
    case MemberStatus::kClosed: return "closed";
    case MemberStatus::kMerged: return "merged";
    case MemberStatus::kErased: return "erased";
  }
  return "temporary";
}
const char* ChineseLabel(MemberStatus s) {
  switch (s) {
    case MemberStatus::kProspect: return "潜在客户";
    case MemberStatus::kTemporary: return "临时会员";
    case MemberStatus::kFormal: return "正式会员";
    case MemberStatus::kSuspended: return "已冻结";
    case MemberStatus::kClosed: return "已销户";
    case MemberStatus::kMerged: return "已合并";
    case MemberStatus::kErased: return "已注销个人信息";
  }
  return "临时会员";
}
const char* ChineseLabel(Gender g) {
  switch (g) {
    case Gender::kMale: return "男";
    case Gender::kFemale: return "女";
    case Gender::kUnknown: return "未知";
  }
  return "未知";
}
const char* ToString(Gender g) {
  switch (g) {
    case Gender::kMale: return "male";
    case Gender::kFemale: return "female";
    case Gender::kUnknown: return "unknown";
  }
  return "unknown";
}
const char* ToString(Calendar c) { return c == Calendar::kLunar ? "lunar" : "solar"; }
const char* ToString(MemberSource s) {
  switch (s) {
    case MemberSource::kWalkIn: return "walk_in";
    case MemberSource::kReferral: return "referral";
    case MemberSource::kEvent: return "event";
    case MemberSource::kOnline: return "online";
    case MemberSource::kImport: return "import";
    case MemberSource::kOther: return "other";
  }
  return "other";
}
std::optional<MemberStatus> ParseMemberStatus(std::string_view s) {
  return ParseEnum(s, kStatuses);
}
std::optional<Gender> ParseGender(std::string_view s) { return ParseEnum(s, kGenders); }
std::optional<Calendar> ParseCalendar(std::string_view s) { return ParseEnum(s, kCalendars); }
std::optional<MemberSource> ParseMemberSource(std::string_view s) {
  return ParseEnum(s, kSources);
}

const std::vector<std::string>& KnownOccupations() {
  static const std::vector<std::string> kAll = {"teacher", "military", "medical", "police",
                                                "journalist", "nurse", "other"};
  return kAll;
}

long Utf8Length(std::string_view text) {
  long n = 0;
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > text.size()) return -1;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return -1;
    }
    i += len;
    ++n;
  }
  return n;
}

bool IsValidMobile(std::string_view n) {
  if (n.size() != 11 || n[0] != '1' || n[1] < '3' || n[1] > '9') return false;
  return std::all_of(n.begin(), n.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsValidPhone(std::string_view n) {
  if (n.size() < 5 || n.size() > 20) return false;
  size_t digits = 0;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (!(c == '-' || c == ' ' || (c == '+' && i == 0))) {
      return false;
    }
  }
  return digits >= 5;
}

bool IsValidEmail(std::string_view e) {
  if (e.size() > 254) return false;
  auto at = e.find('@');
  if (at == std::string_view::npos || at == 0 || e.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  auto domain = e.substr(at + 1);
  auto dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
  return std::none_of(e.begin(), e.end(), [](char c) { return c == ' ' || c < 0x20; });
}

bool IsValidIdNumber(std::string_view id) {
  if (id.size() != 18) return false;
  static constexpr int kWeights[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
  static constexpr char kCheck[11] = {'1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'};
  int sum = 0;
  for (int i = 0; i < 17; ++i) {
    if (id[i] < '0' || id[i] > '9') return false;
    sum += (id[i] - '0') * kWeights[i];
  }
  char last = id[17] == 'x' ? 'X' : id[17];
  return kCheck[sum % 11] == last;
}

Status ValidateCalendarDate(const CalendarDate& d, const std::string& field, Date today) {
  if (d.calendar == Calendar::kSolar) {
    if (d.leap_month) return Error::Invalid(field, "a solar date has no leap month");
    auto ymd = std::chrono::year_month_day(std::chrono::year(d.year == 0 ? 2000 : d.year),
                                           std::chrono::month(d.month), std::chrono::day(d.day));
    if (!ymd.ok() || (d.year != 0 && d.year < 1900)) {
      return Error::Invalid(field, "must be a real date YYYY-MM-DD");
    }
    if (d.year != 0 && Date(std::chrono::sys_days(ymd)) > today) {
      return Error::Invalid(field, "must not be in the future");
    }
  } else {
    // Lunar months have 29 or 30 days; the exact length needs the year's table,
    // which the care engine applies when it converts to a solar date.
    if (d.month < 1 || d.month > 12 || d.day < 1 || d.day > 30 ||
        (d.year != 0 && (d.year < 1900 || d.year > today.year()))) {
      return Error::Invalid(field, "must be a lunar date with month 1-12 and day 1-30");
    }
  }
  return OkStatus();
}

Status ValidateMember(const Member& m, Date today) {
  VIPCARE_TRY(CheckText(m.name, "name", kMaxNameChars, true));
  if (m.birthday) VIPCARE_TRY(ValidateCalendarDate(*m.birthday, "birthday", today));
  if (m.mobile.number.empty() && m.status != MemberStatus::kProspect &&
      m.status != MemberStatus::kErased && m.status != MemberStatus::kMerged) {
    return Error::Invalid("mobile", "is required");
  }
  VIPCARE_TRY(CheckPhone(m.mobile, "mobile", true));
  VIPCARE_TRY(CheckPhone(m.office_phone, "office_phone", false));
  VIPCARE_TRY(CheckPhone(m.home_phone, "home_phone", false));
  if (!m.email.empty() && !IsValidEmail(m.email)) {
    return Error::Invalid("email", "must be an e-mail address like name@example.com");
  }
  VIPCARE_TRY(CheckText(m.wechat_id, "wechat_id", kMaxShortText));
  if (m.addresses.size() > 10) return Error::Invalid("addresses", "must have at most 10 items");
  for (size_t i = 0; i < m.addresses.size(); ++i) {
    const auto& a = m.addresses[i];
    auto f = fmt::format("addresses[{}]", i);
    VIPCARE_TRY(CheckText(a.label, f + ".label", kMaxShortText));
    VIPCARE_TRY(CheckText(a.province, f + ".province", kMaxShortText));
    VIPCARE_TRY(CheckText(a.city, f + ".city", kMaxShortText));
    VIPCARE_TRY(CheckText(a.district, f + ".district", kMaxShortText));
    VIPCARE_TRY(CheckText(a.detail, f + ".detail", 200));
    VIPCARE_TRY(CheckText(a.postcode, f + ".postcode", 10));
  }
  VIPCARE_TRY(CheckText(m.occupation, "occupation", kMaxShortText));
  VIPCARE_TRY(CheckText(m.company, "company", kMaxShortText));
  VIPCARE_TRY(CheckText(m.job_title, "job_title", kMaxShortText));
  if (!m.id_number.empty() && !IsValidIdNumber(m.id_number)) {
    return Error::Invalid("id_number", "must be an 18-character resident ID number with a valid check character");
  }
  VIPCARE_TRY(CheckText(m.spouse_name, "spouse_name", kMaxNameChars));
  if (m.family.size() > 20) return Error::Invalid("family", "must have at most 20 items");
  for (size_t i = 0; i < m.family.size(); ++i) {
    const auto& f = m.family[i];
    auto p = fmt::format("family[{}]", i);
    VIPCARE_TRY(CheckText(f.name, p + ".name", kMaxNameChars, true));
    VIPCARE_TRY(CheckText(f.relation, p + ".relation", kMaxShortText, true));
    if (f.birthday) VIPCARE_TRY(ValidateCalendarDate(*f.birthday, p + ".birthday", today));
    VIPCARE_TRY(CheckText(f.hobbies, p + ".hobbies", kMaxShortText));
    VIPCARE_TRY(CheckText(f.notes, p + ".notes", kMaxLongText));
  }
  if (m.anniversaries.size() > 20) {
    return Error::Invalid("anniversaries", "must have at most 20 items");
  }
  for (size_t i = 0; i < m.anniversaries.size(); ++i) {
    const auto& a = m.anniversaries[i];
    auto p = fmt::format("anniversaries[{}]", i);
    VIPCARE_TRY(CheckText(a.kind, p + ".kind", kMaxShortText, true));
    VIPCARE_TRY(CheckText(a.label, p + ".label", kMaxShortText));
    VIPCARE_TRY(ValidateCalendarDate(a.date, p + ".date", today));
  }
  const auto& pr = m.preferences;
  VIPCARE_TRY(CheckList(pr.hobbies, "preferences.hobbies", kMaxShortText));
  VIPCARE_TRY(CheckText(pr.clothing_size, "preferences.clothing_size", 20));
  VIPCARE_TRY(CheckText(pr.shoe_size, "preferences.shoe_size", 20));
  VIPCARE_TRY(CheckList(pr.colours, "preferences.colours", kMaxShortText));
  VIPCARE_TRY(CheckList(pr.brands, "preferences.brands", kMaxShortText));
  VIPCARE_TRY(CheckList(pr.categories, "preferences.categories", kMaxShortText));
  VIPCARE_TRY(CheckText(pr.special_needs, "preferences.special_needs", kMaxLongText));
  for (size_t i = 0; i < pr.preferred_channels.size(); ++i) {
    if (std::find(kChannels.begin(), kChannels.end(), pr.preferred_channels[i]) ==
        kChannels.end()) {
      return Error::Invalid(fmt::format("preferences.preferred_channels[{}]", i),
                            "must be one of sms, phone, email, wechat, visit, mail, gift");
    }
  }
  if (!pr.dnd_start.empty() && !IsHhMm(pr.dnd_start)) {
    return Error::Invalid("preferences.dnd_start", "must be a time HH:MM");
  }
  if (!pr.dnd_end.empty() && !IsHhMm(pr.dnd_end)) {
    return Error::Invalid("preferences.dnd_end", "must be a time HH:MM");
  }
  if (pr.dnd_start.empty() != pr.dnd_end.empty()) {
    return Error::Invalid(pr.dnd_start.empty() ? "preferences.dnd_start" : "preferences.dnd_end",
                          "do-not-disturb needs both a start and an end");
  }
  const auto& b = m.business;
  VIPCARE_TRY(CheckText(b.sales_region, "business.sales_region", kMaxShortText));
  VIPCARE_TRY(CheckText(b.credit_rating, "business.credit_rating", 20));
  if (b.credit_limit.value < 0) {
    return Error::Invalid("business.credit_limit_fen", "must not be negative");
  }
  if (b.outstanding_debt.value < 0) {
    return Error::Invalid("business.outstanding_debt_fen", "must not be negative");
  }
  VIPCARE_TRY(CheckText(b.repayment_record, "business.repayment_record", kMaxLongText));
  VIPCARE_TRY(CheckText(b.key_decision_maker, "business.key_decision_maker", kMaxNameChars));
  if (!m.home_store_id) return Error::Invalid("store_id", "is required");
  if (m.referrer_id && m.referrer_id == m.id) {
    return Error::Invalid("referrer_id", "a member cannot refer themselves");
  }
  VIPCARE_TRY(CheckList(m.tags, "tags", 30));
  VIPCARE_TRY(CheckText(m.notes, "notes", kMaxLongText));
  return OkStatus();
}

bool CanTransition(MemberStatus from, MemberStatus to) {
  using S = MemberStatus;
  if (from == to) return false;
  switch (from) {
    case S::kProspect: return to == S::kTemporary || to == S::kFormal || to == S::kClosed;
    case S::kTemporary: return to == S::kFormal || to == S::kSuspended || to == S::kClosed;
    case S::kFormal: return to == S::kSuspended || to == S::kClosed;
    case S::kSuspended: return to == S::kFormal || to == S::kTemporary || to == S::kClosed;
    case S::kClosed: return to == S::kFormal || to == S::kTemporary;
    case S::kMerged:
    case S::kErased: return false;
  }
  return false;
}

}  // namespace vipcare::domain
