// src/domain/message_template.h
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"
#include "domain/member.h"  // Gender

namespace vipcare::domain {

// Message templates of the care engine (SPEC C5): per occasion, channel and
// optionally member status and tier, with {placeholders} filled from a member,
// a store and the occasion. The seed SMS texts ship as defaults
// (src/domain/care_rules/default_templates.json, compiled in). Plain values;
// every function here is pure and thread-safe.

enum class MessageChannel { kSms, kEmail };
const char* ToString(MessageChannel c);  // "sms", "email"
std::optional<MessageChannel> ParseMessageChannel(std::string_view s);

// Service messages (points after a purchase, card pickup, points expiry,
// stored goods) go to members who opted out of marketing; marketing messages
// (greetings, launches, invitations) do not (SPEC C4, P8).
enum class MessagePurpose { kService, kMarketing };
const char* ToString(MessagePurpose p);  // "service", "marketing"
std::optional<MessagePurpose> ParseMessagePurpose(std::string_view s);

struct MessageTemplate {
  std::string code;  // unique, [a-z0-9_-], e.g. "post_purchase_d1_formal"
  std::string name;  // label for admins, e.g. "售后1天积分短信（正式会员）"
  MessageChannel channel = MessageChannel::kSms;
  MessagePurpose purpose = MessagePurpose::kMarketing;
  // Occasion codes this template serves, e.g. "post_purchase_d1", "birthday",
  // "spring_festival" (at least one).
  std::vector<std::string> occasions;
  // Member statuses ("prospect" = not yet a member, the seeds' [非会员];
  // "temporary"; "formal"); empty = any.
  std::vector<std::string> statuses;
  // Tier codes of the company's program ("gold") or grade letters "A".."J"
  // (A = the top tier, as in the care rules' TIER KEYS); empty = any.
  std::vector<std::string> tiers;
  std::string subject;  // e-mail only; may hold placeholders
  std::string text;

  bool operator==(const MessageTemplate&) const = default;
};

// Template limits (code points). The {title} placeholder renders "先生/女士"
// when the gender is unknown (so "{surname}{title}" reads as in the seeds).
inline constexpr size_t kMaxSmsTemplateChars = 500;
inline constexpr size_t kMaxEmailTemplateChars = 10000;
inline constexpr size_t kMaxSubjectChars = 200;

// Every placeholder a template may use, e.g. "name", "points", "expiry_date".
const std::vector<std::string_view>& KnownPlaceholders();

// The placeholders of `text` in order of first use. `{{` and `}}` stand for
// literal braces. Returns kInvalidArgument naming `field` for an unknown
// placeholder ("unknown placeholder {foo}; known: ...") or a lone brace.
[[nodiscard]] Result<std::vector<std::string>> Placeholders(std::string_view text,
                                                            const std::string& field);

// Checks every rule of one template; errors name `field` + ".text" etc.
// (`field` is e.g. "templates[2]"; empty for a bare template).
[[nodiscard]] Status ValidateTemplate(const MessageTemplate& t, const std::string& field);

// Parses and validates one template object. Unknown keys are rejected.
[[nodiscard]] Result<MessageTemplate> ParseTemplate(const nlohmann::json& j,
                                                    const std::string& field = "");
// Parses a JSON array of templates; errors name "<field>[i].<key>". Codes
// must be unique ("<field>[i].code").
[[nodiscard]] Result<std::vector<MessageTemplate>> ParseTemplates(
    const nlohmann::json& j, const std::string& field = "templates");
// The JSON form; ParseTemplate(TemplateToJson(t)) == t for every valid t.
nlohmann::json TemplateToJson(const MessageTemplate& t);
nlohmann::json TemplatesToJson(const std::vector<MessageTemplate>& ts);

// The shipped default templates (seed texts), parsed once. A broken default
// file is a build defect (the unit tests parse it): throws std::logic_error.
const std::vector<MessageTemplate>& DefaultTemplates();
// The shipped JSON text of the defaults.
std::string_view DefaultTemplatesText();

// The best template in `all` for an occasion, channel, member status
// ("formal"), tier code ("gold") and grade letter ("B"; either may be
// empty): among those serving the occasion on the channel whose statuses and
// tiers accept the member (empty lists accept anyone; a tier list accepts the
// member's tier code or grade), the one naming tiers beats one naming
// statuses, which beats a generic one; ties go to the earlier template.
// nullptr if none fits.
const MessageTemplate* SelectTemplate(const std::vector<MessageTemplate>& all,
                                      std::string_view occasion, MessageChannel channel,
                                      std::string_view status, std::string_view tier,
                                      std::string_view grade = {});

// What a template is filled with. An empty string or nullopt is "not known";
// rendering a placeholder that is not known fails rather than send a
// message with a hole in it.
struct MessageValues {
  std::string member_name;  // full name as filed: {name}, {full_name}, {surname}
  Gender gender = Gender::kUnknown;  // {title}
  std::string brand;                 // {brand}: the company name, "XX男装"
  std::string store;                 // {store}: store name
  std::string store_address;         // {store_address}
  std::string store_phone;           // {store_phone}
  std::optional<Date> date;          // {date}: the purchase / occasion day
  std::optional<Fen> amount;         // {amount}: yuan, "1,234.50"
  std::optional<Points> points;      // {points}: current balance
  std::optional<Points> threshold;   // {threshold}: points to become formal
  std::optional<Fen> cashback;       // {cashback}: yuan of the cash-back voucher
  std::string tier;                  // {tier}: tier name, "金卡"
  std::string next_tier;             // {next_tier}
  std::optional<Points> expiring_points;  // {expiring_points}
  std::optional<Date> expiry_date;        // {expiry_date}
  std::optional<Date> downgrade_date;     // {downgrade_date}
  std::optional<Date> pickup_date;        // {pickup_date}: card or goods pickup
  std::string festival;                   // {festival}: "国庆节"
  std::string season;                     // {season}: "秋"
  std::string event;                      // {event}: "十周年店庆"
  std::optional<Date> event_date;         // {event_date}
  std::string goods;                      // {goods}: stored goods, "羊绒大衣1件"
};

// The number of characters and SMS parts a text costs: up to 70 code points
// is one SMS, longer texts are sent in parts of 67 (the rest carries the
// concatenation header). Counts Unicode code points, not bytes; invalid UTF-8
// counts one per byte.
struct SmsLength {
  long chars = 0;
  int parts = 0;
};
inline constexpr long kSmsSingleChars = 70;
inline constexpr long kSmsPartChars = 67;
SmsLength CountSms(std::string_view text);

struct RenderedMessage {
  std::string subject;  // e-mail only
  std::string text;
  SmsLength sms;  // of `text`
};

// Fills a template. Returns kUnprocessable naming "text" or "subject" and the
// placeholder ("缺少 {points} 的值") if a value it uses is not known, and
// kInvalidArgument if the template itself is invalid.
[[nodiscard]] Result<RenderedMessage> Render(const MessageTemplate& t, const MessageValues& v);
// Fills one text; `field` names it in errors.
[[nodiscard]] Result<std::string> RenderText(std::string_view text, const MessageValues& v,
                                             const std::string& field = "text");

// Formatting used by the placeholders, exposed for the UI preview and tests.
// "先生" / "女士" / "" (unknown).
const char* Title(Gender g);
// The family name: the first character, or the first two for a compound
// surname (欧阳, 司马, ...); for a Latin name the last word. "" if empty.
std::string Surname(std::string_view full_name);
// The salutation of Chinese SMS: surname + title ("王先生"); the full name
// if the gender is unknown; "顾客" if there is no name.
std::string SalutationName(std::string_view full_name, Gender g);
// Yuan with thousands separators and two decimals: Fen(123450) -> "1,234.50".
std::string FormatYuanGrouped(Fen amount);
// "6月1日" and "2026年6月1日".
std::string FormatMonthDay(Date d);
std::string FormatChineseDate(Date d);

}  // namespace vipcare::domain
