#include "domain/message_template.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>
#include <stdexcept>

// The default templates are src/domain/care_rules/default_templates.json,
// compiled into generated/default_templates.cc by cmake/embed_templates.cmake:
// the very document an admin edits, kept as plain JSON, with no data file
// needed at run time.
namespace vipcare::domain::default_templates_data {
extern const std::string_view kText;
}  // namespace vipcare::domain::default_templates_data

namespace vipcare::domain {
namespace {

using nlohmann::json;

constexpr size_t kMaxCodeChars = 40;
constexpr size_t kMaxLabelChars = 100;
constexpr size_t kMaxListItems = 50;

// Placeholder names, in the order documented in MessageValues.
const std::vector<std::string_view> kPlaceholders = {
    "name",        "title",          "full_name",       "surname",     "brand",
    "store",       "store_address",  "store_phone",     "date",        "amount",
    "points",      "threshold",      "cashback",        "tier",        "next_tier",
    "expiring_points", "expiry_date", "downgrade_date", "pickup_date", "festival",
    "season",      "event",          "event_date",      "goods",
};

const std::array<std::string_view, 3> kMemberTypes = {"prospect", "temporary", "formal"};

// Two-character family names (复姓) common enough to meet at a till.
const std::array<std::string_view, 40> kCompoundSurnames = {
    "欧阳", "太史", "端木", "上官", "司马", "东方", "独孤", "南宫", "万俟", "闻人",
    "夏侯", "诸葛", "尉迟", "公羊", "赫连", "澹台", "皇甫", "宗政", "濮阳", "公冶",
    "太叔", "申屠", "公孙", "慕容", "仲孙", "钟离", "长孙", "宇文", "司徒", "鲜于",
    "司空", "闾丘", "拓跋", "轩辕", "令狐", "百里", "呼延", "西门", "第五", "东郭",
};

bool IsCode(std::string_view s) {
  if (s.empty() || s.size() > kMaxCodeChars) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// Wider than the known names so "{Name}" is reported as an unknown placeholder.
bool IsPlaceholderChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

std::string Path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

std::string KnownList() {
  std::string out;
  for (auto p : kPlaceholders) {
    if (!out.empty()) out += ", ";
    out += "{" + std::string(p) + "}";
  }
  return out;
}

// Byte length of the UTF-8 sequence starting with `c`; 0 if `c` cannot start one.
size_t Utf8SeqLen(unsigned char c) {
  return c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
}

// The first code point of `s` as a string (or the first byte if invalid).
std::string_view FirstChar(std::string_view s) {
  if (s.empty()) return s;
  size_t n = Utf8SeqLen(static_cast<unsigned char>(s[0]));
  if (n == 0 || n > s.size()) n = 1;
  return s.substr(0, n);
}

std::string_view Trim(std::string_view s) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

Status CheckTextValue(const std::string& value, const std::string& field, size_t max_chars,
                      bool required, bool allow_newline) {
  long n = Utf8Length(value);
  if (n < 0) return Error::Invalid(field, "must be valid UTF-8 text");
  if (required && Trim(value).empty()) return Error::Invalid(field, "is required");
  if (size_t(n) > max_chars) {
    return Error::Invalid(field, fmt::format("must be at most {} characters", max_chars));
  }
  for (unsigned char c : value) {
    if (c == '\n' && allow_newline) continue;
    if (c < 0x20 || c == 0x7F) {
      return Error::Invalid(field, allow_newline ? "must not contain control characters"
                                                 : "must be one line without control characters");
    }
  }
  return OkStatus();
}

// Reads an optional array of strings; ValidateTemplate checks the items.
Status ReadStringList(const json& j, std::string_view key, const std::string& base,
                      std::vector<std::string>& out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return OkStatus();
  std::string field = Path(base, key);
  if (!it->is_array()) return Error::Invalid(field, "must be an array of strings");
  if (it->size() > kMaxListItems) {
    return Error::Invalid(field, fmt::format("must have at most {} items", kMaxListItems));
  }
  out.clear();
  for (size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    std::string item_field = fmt::format("{}[{}]", field, i);
    if (!v.is_string()) return Error::Invalid(item_field, "must be a string");
    out.push_back(v.get<std::string>());
  }
  return OkStatus();
}

Status CheckCodeList(const std::vector<std::string>& list, const std::string& field,
                     bool (*ok)(std::string_view), const std::string& what) {
  if (list.size() > kMaxListItems) {
    return Error::Invalid(field, fmt::format("must have at most {} items", kMaxListItems));
  }
  std::set<std::string_view> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    std::string item_field = fmt::format("{}[{}]", field, i);
    if (!ok(list[i])) return Error::Invalid(item_field, what);
    if (!seen.insert(list[i]).second) {
      return Error::Invalid(item_field, fmt::format("\"{}\" is listed twice", list[i]));
    }
  }
  return OkStatus();
}

// A tier code, or a grade letter "A".."J" of the care rules' tier keys.
bool IsTierKey(std::string_view s) {
  if (s.size() == 1 && s[0] >= 'A' && s[0] <= 'J') return true;
  return IsCode(s);
}

bool IsStatus(std::string_view s) {
  return std::find(kMemberTypes.begin(), kMemberTypes.end(), s) != kMemberTypes.end();
}

std::string Digits(int64_t v) { return fmt::format("{}", v); }

// The text of placeholder `name` from `v`, or nullopt when not known.
std::optional<std::string> ValueOf(std::string_view name, const MessageValues& v) {
  auto text = [](const std::string& s) -> std::optional<std::string> {
    if (Trim(s).empty()) return std::nullopt;
    return std::string(Trim(s));
  };
  auto points = [](const std::optional<Points>& p) -> std::optional<std::string> {
    if (!p) return std::nullopt;
    return Digits(p->value);
  };
  auto yuan = [](const std::optional<Fen>& f) -> std::optional<std::string> {
    if (!f) return std::nullopt;
    return FormatYuanGrouped(*f);
  };
  auto month_day = [](const std::optional<Date>& d) -> std::optional<std::string> {
    if (!d) return std::nullopt;
    return FormatMonthDay(*d);
  };
  auto full_date = [](const std::optional<Date>& d) -> std::optional<std::string> {
    if (!d) return std::nullopt;
    return FormatChineseDate(*d);
  };
  if (name == "name") return SalutationName(v.member_name, v.gender);
  if (name == "title") {
    // Without a known gender the neutral form reads naturally after a surname.
    return v.gender == Gender::kUnknown ? std::string("先生/女士") : std::string(Title(v.gender));
  }
  if (name == "full_name") return text(v.member_name);
  if (name == "surname") {
    auto s = Surname(v.member_name);
    if (s.empty()) return std::nullopt;
    return s;
  }
  if (name == "brand") return text(v.brand);
  if (name == "store") return text(v.store);
  if (name == "store_address") return text(v.store_address);
  if (name == "store_phone") return text(v.store_phone);
  if (name == "date") return month_day(v.date);
  if (name == "amount") return yuan(v.amount);
  if (name == "points") return points(v.points);
  if (name == "threshold") return points(v.threshold);
  if (name == "cashback") return yuan(v.cashback);
  if (name == "tier") return text(v.tier);
  if (name == "next_tier") return text(v.next_tier);
  if (name == "expiring_points") return points(v.expiring_points);
  if (name == "expiry_date") return full_date(v.expiry_date);
  if (name == "downgrade_date") return full_date(v.downgrade_date);
  if (name == "pickup_date") return month_day(v.pickup_date);
  if (name == "festival") return text(v.festival);
  if (name == "season") return text(v.season);
  if (name == "event") return text(v.event);
  if (name == "event_date") return month_day(v.event_date);
  if (name == "goods") return text(v.goods);
  return std::nullopt;
}

// One pass over a template text: calls `literal(piece)` for text and
// `placeholder(name)` for each placeholder; stops at the first error.
template <class OnLiteral, class OnPlaceholder>
Status Scan(std::string_view text, const std::string& field, OnLiteral literal,
            OnPlaceholder placeholder) {
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '{' && i + 1 < text.size() && text[i + 1] == '{') {
      literal(std::string_view("{"));
      i += 2;
    } else if (c == '}' && i + 1 < text.size() && text[i + 1] == '}') {
      literal(std::string_view("}"));
      i += 2;
    } else if (c == '{') {
      size_t j = i + 1;
      while (j < text.size() && IsPlaceholderChar(text[j])) ++j;
      if (j >= text.size() || text[j] != '}' || j == i + 1) {
        return Error::Invalid(field, fmt::format("has a \"{{\" at byte {} that does not open a "
                                                 "placeholder such as {{name}} (write {{{{ for "
                                                 "a literal brace)",
                                                 i));
      }
      std::string_view name = text.substr(i + 1, j - i - 1);
      if (std::find(kPlaceholders.begin(), kPlaceholders.end(), name) == kPlaceholders.end()) {
        return Error::Invalid(field, fmt::format("unknown placeholder {{{}}}; known: {}", name,
                                                 KnownList()));
      }
      VIPCARE_TRY(placeholder(name));
      i = j + 1;
    } else if (c == '}') {
      return Error::Invalid(
          field, fmt::format("has a \"}}\" at byte {} that closes no placeholder (write }}}} for "
                             "a literal brace)",
                             i));
    } else {
      size_t j = i;
      while (j < text.size() && text[j] != '{' && text[j] != '}') ++j;
      literal(text.substr(i, j - i));
      i = j;
    }
  }
  return OkStatus();
}

int Specificity(const MessageTemplate& t) {
  return (t.tiers.empty() ? 0 : 2) + (t.statuses.empty() ? 0 : 1);
}

bool Accepts(const std::vector<std::string>& list, std::string_view value) {
  return list.empty() || std::find(list.begin(), list.end(), value) != list.end();
}

}  // namespace

const char* ToString(MessageChannel c) {
  switch (c) {
    case MessageChannel::kSms: return "sms";
    case MessageChannel::kEmail: return "email";
  }
  return "sms";
}

std::optional<MessageChannel> ParseMessageChannel(std::string_view s) {
  if (s == "sms") return MessageChannel::kSms;
  if (s == "email") return MessageChannel::kEmail;
  return std::nullopt;
}

const char* ToString(MessagePurpose p) {
  switch (p) {
    case MessagePurpose::kService: return "service";
    case MessagePurpose::kMarketing: return "marketing";
  }
  return "marketing";
}

std::optional<MessagePurpose> ParseMessagePurpose(std::string_view s) {
  if (s == "service") return MessagePurpose::kService;
  if (s == "marketing") return MessagePurpose::kMarketing;
  return std::nullopt;
}

const std::vector<std::string_view>& KnownPlaceholders() { return kPlaceholders; }

Result<std::vector<std::string>> Placeholders(std::string_view text, const std::string& field) {
  std::vector<std::string> out;
  auto st = Scan(
      text, field, [](std::string_view) {},
      [&](std::string_view name) -> Status {
        if (std::find(out.begin(), out.end(), name) == out.end()) out.emplace_back(name);
        return OkStatus();
      });
  if (!st.ok()) return st.error();
  return out;
}

Status ValidateTemplate(const MessageTemplate& t, const std::string& field) {
  if (!IsCode(t.code)) {
    return Error::Invalid(Path(field, "code"),
                          "must be 1-40 characters of a-z, 0-9, '_' or '-'");
  }
  VIPCARE_TRY(CheckTextValue(t.name, Path(field, "name"), kMaxLabelChars, false, false));
  if (t.occasions.empty()) {
    return Error::Invalid(Path(field, "occasions"), "must name at least one occasion");
  }
  VIPCARE_TRY(CheckCodeList(t.occasions, Path(field, "occasions"), IsCode,
                            "must be an occasion code of a-z, 0-9, '_' or '-'"));
  VIPCARE_TRY(CheckCodeList(t.statuses, Path(field, "statuses"), IsStatus,
                            "must be \"prospect\", \"temporary\" or \"formal\""));
  VIPCARE_TRY(CheckCodeList(t.tiers, Path(field, "tiers"), IsTierKey,
                            "must be a tier code of a-z, 0-9, '_' or '-', or a grade A-J"));
  bool email = t.channel == MessageChannel::kEmail;
  if (email) {
    VIPCARE_TRY(CheckTextValue(t.subject, Path(field, "subject"), kMaxSubjectChars, true, false));
    VIPCARE_TRY(Placeholders(t.subject, Path(field, "subject")));
  } else if (!t.subject.empty()) {
    return Error::Invalid(Path(field, "subject"), "an SMS template has no subject");
  }
  VIPCARE_TRY(CheckTextValue(t.text, Path(field, "text"),
                             email ? kMaxEmailTemplateChars : kMaxSmsTemplateChars, true, true));
  VIPCARE_TRY(Placeholders(t.text, Path(field, "text")));
  return OkStatus();
}

Result<MessageTemplate> ParseTemplate(const json& j, const std::string& field) {
  if (!j.is_object()) return Error::Invalid(field, "must be an object");
  static const std::set<std::string> kKeys = {"code",         "name",  "channel", "purpose",
                                              "occasions",    "tiers", "subject", "text",
                                              "statuses"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!kKeys.count(it.key())) return Error::Invalid(Path(field, it.key()), "is not a known field");
  }
  MessageTemplate t;
  auto str = [&](std::string_view key, std::string& out) -> Status {
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return OkStatus();
    if (!it->is_string()) return Error::Invalid(Path(field, key), "must be a string");
    out = it->get<std::string>();
    return OkStatus();
  };
  VIPCARE_TRY(str("code", t.code));
  VIPCARE_TRY(str("name", t.name));
  std::string channel, purpose;
  VIPCARE_TRY(str("channel", channel));
  auto ch = ParseMessageChannel(channel);
  if (!ch) return Error::Invalid(Path(field, "channel"), "must be \"sms\" or \"email\"");
  t.channel = *ch;
  VIPCARE_TRY(str("purpose", purpose));
  if (!purpose.empty()) {
    auto p = ParseMessagePurpose(purpose);
    if (!p) return Error::Invalid(Path(field, "purpose"), "must be \"service\" or \"marketing\"");
    t.purpose = *p;
  }
  VIPCARE_TRY(ReadStringList(j, "occasions", field, t.occasions));
  VIPCARE_TRY(ReadStringList(j, "statuses", field, t.statuses));
  VIPCARE_TRY(ReadStringList(j, "tiers", field, t.tiers));
  VIPCARE_TRY(str("subject", t.subject));
  VIPCARE_TRY(str("text", t.text));
  VIPCARE_TRY(ValidateTemplate(t, field));
  return t;
}

Result<std::vector<MessageTemplate>> ParseTemplates(const json& j, const std::string& field) {
  if (!j.is_array()) return Error::Invalid(field, "must be an array of templates");
  std::vector<MessageTemplate> out;
  std::set<std::string> codes;
  for (size_t i = 0; i < j.size(); ++i) {
    std::string item = fmt::format("{}[{}]", field, i);
    auto t = ParseTemplate(j[i], item);
    if (!t.ok()) return t.error();
    if (!codes.insert(t->code).second) {
      return Error::Invalid(item + ".code",
                            fmt::format("template code \"{}\" is used twice", t->code));
    }
    out.push_back(std::move(t).value());
  }
  return out;
}

json TemplateToJson(const MessageTemplate& t) {
  json j = {{"code", t.code},
            {"name", t.name},
            {"channel", ToString(t.channel)},
            {"purpose", ToString(t.purpose)},
            {"occasions", t.occasions},
            {"statuses", t.statuses},
            {"tiers", t.tiers}};
  if (t.channel == MessageChannel::kEmail) j["subject"] = t.subject;
  j["text"] = t.text;
  return j;
}

json TemplatesToJson(const std::vector<MessageTemplate>& ts) {
  json out = json::array();
  for (const auto& t : ts) out.push_back(TemplateToJson(t));
  return out;
}

std::string_view DefaultTemplatesText() { return default_templates_data::kText; }

const std::vector<MessageTemplate>& DefaultTemplates() {
  static const std::vector<MessageTemplate> defaults = [] {
    json j = json::parse(DefaultTemplatesText(), nullptr, false);
    if (j.is_discarded()) {
      throw std::logic_error("the shipped default_templates.json is not valid JSON");
    }
    auto t = ParseTemplates(j.is_object() ? j.value("templates", json()) : j, "templates");
    if (!t.ok()) {
      throw std::logic_error("a shipped default template is invalid at " + t.error().field +
                             ": " + t.error().message);
    }
    return std::move(t).value();
  }();
  return defaults;
}

const MessageTemplate* SelectTemplate(const std::vector<MessageTemplate>& all,
                                      std::string_view occasion, MessageChannel channel,
                                      std::string_view status, std::string_view tier,
                                      std::string_view grade) {
  const MessageTemplate* best = nullptr;
  for (const auto& t : all) {
    if (t.channel != channel) continue;
    if (std::find(t.occasions.begin(), t.occasions.end(), occasion) == t.occasions.end()) continue;
    if (!Accepts(t.statuses, status)) continue;
    bool tier_ok = Accepts(t.tiers, tier) || (!grade.empty() && Accepts(t.tiers, grade));
    if (!tier_ok) continue;
    if (!best || Specificity(t) > Specificity(*best)) best = &t;
  }
  return best;
}

SmsLength CountSms(std::string_view text) {
  long n = Utf8Length(text);
  if (n < 0) n = long(text.size());
  SmsLength out;
  out.chars = n;
  if (n == 0) {
    out.parts = 0;
  } else if (n <= kSmsSingleChars) {
    out.parts = 1;
  } else {
    out.parts = int((n + kSmsPartChars - 1) / kSmsPartChars);
  }
  return out;
}

Result<std::string> RenderText(std::string_view text, const MessageValues& v,
                               const std::string& field) {
  std::string out;
  out.reserve(text.size() + 64);
  auto st = Scan(
      text, field, [&](std::string_view piece) { out.append(piece); },
      [&](std::string_view name) -> Status {
        auto value = ValueOf(name, v);
        if (!value) {
          return Error::Unprocessable(fmt::format("缺少占位符 {{{}}} 的值，无法生成消息", name),
                                      field);
        }
        out += *value;
        return OkStatus();
      });
  if (!st.ok()) return st.error();
  return out;
}

Result<RenderedMessage> Render(const MessageTemplate& t, const MessageValues& v) {
  VIPCARE_TRY(ValidateTemplate(t, ""));
  RenderedMessage out;
  if (t.channel == MessageChannel::kEmail) {
    auto subject = RenderText(t.subject, v, "subject");
    if (!subject.ok()) return subject.error();
    out.subject = std::move(subject).value();
  }
  auto text = RenderText(t.text, v, "text");
  if (!text.ok()) return text.error();
  out.text = std::move(text).value();
  out.sms = CountSms(out.text);
  return out;
}

const char* Title(Gender g) {
  switch (g) {
    case Gender::kMale: return "先生";
    case Gender::kFemale: return "女士";
    case Gender::kUnknown: return "";
  }
  return "";
}

std::string Surname(std::string_view full_name) {
  std::string_view name = Trim(full_name);
  if (name.empty()) return {};
  auto c = static_cast<unsigned char>(name[0]);
  bool latin = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  if (latin) {
    size_t space = name.find_last_of(" \t");
    return std::string(space == std::string_view::npos ? name : name.substr(space + 1));
  }
  for (auto compound : kCompoundSurnames) {
    if (name.size() > compound.size() && name.substr(0, compound.size()) == compound) {
      return std::string(compound);
    }
  }
  return std::string(FirstChar(name));
}

std::string SalutationName(std::string_view full_name, Gender g) {
  std::string_view name = Trim(full_name);
  if (name.empty()) return "顾客";
  if (g == Gender::kUnknown) return std::string(name);
  return Surname(name) + Title(g);
}

std::string FormatYuanGrouped(Fen amount) {
  int64_t v = amount.value;
  bool negative = v < 0;
  uint64_t abs = negative ? uint64_t(0) - uint64_t(v) : uint64_t(v);
  std::string whole = fmt::format("{}", abs / 100);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  return fmt::format("{}{}.{:02d}", negative ? "-" : "", grouped, abs % 100);
}

std::string FormatMonthDay(Date d) { return fmt::format("{}月{}日", d.month(), d.day()); }

std::string FormatChineseDate(Date d) {
  return fmt::format("{}年{}月{}日", d.year(), d.month(), d.day());
}

}  // namespace vipcare::domain
