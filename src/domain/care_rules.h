// src/domain/care_rules.h
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"
#include "domain/member.h"  // MemberStatus

namespace vipcare::domain {

// Care rules as data (SPEC C1): trigger + audience + action per tier +
// assignee policy + due window. One JSON document holds every rule of a
// company; admins edit it in the UI and ParseCareRules checks it, naming the
// bad field ("rules[3].actions.A.channels[0]"). The shipped defaults
// (src/domain/care_rules/default_rules.json, compiled in) follow the seeds:
// the 1.3.5 plan, holidays, birthdays, new seasons, tier cadences, ...
// Plain values, thread-compatible; evaluation is in care_plan.h.
//
// TIER KEYS. A rule's `actions` (and `audience.tiers`) are keyed so that one
// rule set serves every program preset:
//   - a tier code of a program ("diamond", "a"): that tier only;
//   - a grade letter "A".."J" by rank from the top of the member's program:
//     "A" = the highest tier, "B" = one below, "C" = two below, ... So the
//     seeds' A/B/C customers and the cadence ladder Diamond/Platinum/Gold/
//     Silver (= A/B/C/D) apply to any ladder: in the department store preset
//     紫金钻石卡 is A, 钻石卡 B, 金卡 C, 银卡 D, 普卡 E;
//   - "none": members with no tier yet (prospects, temporary members, below
//     the first tier);
//   - "default": everyone not matched by a key above.
// For a member the most specific key wins: tier code, then grade letter, then
// "none" (tierless only), then "default". No matching key: no task for that
// member. Tier codes are case-sensitive, so the apparel preset's "a" and the
// grade "A" are different keys (both mean its top tier).

// How a task reaches the member (SPEC C2).
enum class Channel : uint8_t { kSms, kPhone, kEmail, kWechat, kVisit, kMail, kGift };
inline constexpr int kChannelCount = 7;
const char* ToString(Channel c);      // "sms", "phone", "email", "wechat", "visit", "mail", "gift"
const char* ChineseLabel(Channel c);  // "短信", "电话", ...
std::optional<Channel> ParseChannel(std::string_view s);

// A small set of channels (bit i = Channel(i)); cheap to copy and test.
struct ChannelSet {
  uint8_t bits = 0;
  bool Has(Channel c) const { return bits & (1u << unsigned(c)); }
  void Add(Channel c) { bits |= uint8_t(1u << unsigned(c)); }
  void Remove(Channel c) { bits &= uint8_t(~(1u << unsigned(c))); }
  bool empty() const { return bits == 0; }
  bool operator==(const ChannelSet&) const = default;
};
// The channels in enum order as their names: {"sms", "phone"}.
std::vector<std::string> ChannelNames(ChannelSet set);

// Who works the task (SPEC C2). The service resolves the person: the member's
// associate (the store manager if the member has none or the associate is on
// leave), the home store's manager, or the call-centre queue.
enum class Assignee : uint8_t { kAssociate, kStoreManager, kCallCentre };
const char* ToString(Assignee a);  // "associate", "store_manager", "call_centre"
std::optional<Assignee> ParseAssignee(std::string_view s);

// Why a rule contacts the member. A member who opted out of marketing
// (Preferences::marketing_opt_out, P8) gets no task from a kMarketing rule at
// all, on any channel; kService rules (points notices, satisfaction and card
// pickup calls, expiry and downgrade warnings, stored goods) still apply.
enum class Purpose : uint8_t { kService, kMarketing };
const char* ToString(Purpose p);  // "service", "marketing"
std::optional<Purpose> ParsePurpose(std::string_view s);

enum class TriggerType : uint8_t {
  kAfterPurchase,     // day N after each purchase day (1.3.5: days 1 and 3)
  kBecameFormal,      // day N after the member became formal (1.3.5: card pickup day 5)
  kHoliday,           // a holiday of care_calendar.h, every year
  kBirthday,          // the member's birthday in their own calendar
  kAnniversary,       // the member's anniversaries (wedding, ...), every year
  kNewSeason,         // new-season launch dates, every year (季度回访)
  kSpecialEvent,      // listed events (store opening, 周年庆); greet a week before
  kTierCadence,       // every N months by tier (action.every_months)
  kInactivity,        // no purchase for N days
  kDowngradeWarning,  // a pending, announced downgrade (L7)
  kPointsExpiry,      // points about to expire (L4)
  kStoredGoods,       // goods left in store awaiting pickup (C6), repeated
  kChurnRisk,         // churn score at or above a threshold (R5)
};
// "after_purchase", "became_formal", "holiday", "birthday", "anniversary",
// "new_season", "special_event", "tier_cadence", "inactivity",
// "downgrade_warning", "points_expiry", "stored_goods", "churn_risk".
const char* ToString(TriggerType t);
std::optional<TriggerType> ParseTriggerType(std::string_view s);

// A member type for B2B rules (SPEC §10 preset 5).
enum class MemberType : uint8_t { kIndividual, kBusiness };
const char* ToString(MemberType t);  // "individual", "business"
std::optional<MemberType> ParseMemberType(std::string_view s);

// A dated event of a kSpecialEvent trigger.
struct SpecialEvent {
  std::string code;  // stable, part of the task key
  std::string name;  // "南京路店开业"
  Date date;         // for `yearly`, the first year's date; the month/day repeats
  bool yearly = false;
  std::vector<StoreId> stores;  // members of these home stores; empty = all
  bool operator==(const SpecialEvent&) const = default;
};

// The trigger and its parameters; only those of `type` are used (and allowed
// in JSON).
struct Trigger {
  TriggerType type = TriggerType::kHoliday;
  int days = 0;                    // after_purchase 1-365, became_formal 0-365, inactivity 1-3650
  bool card_pending_only = false;  // became_formal: only while the formal card awaits pickup
  std::string holiday;             // holiday: a code of Holidays()
  std::vector<std::string> anniversary_kinds;  // anniversary: empty = every kind
  // new_season: (month, day) pairs, sorted; JSON "MM-DD".
  std::vector<std::pair<unsigned, unsigned>> season_dates;
  std::vector<SpecialEvent> events;  // special_event
  Points min_points;                 // points_expiry: ignore smaller expiring amounts
  int every_days = 7;                // stored_goods: a reminder every N days after storing
  int max_reminders = 0;             // stored_goods: 0 = until collected
  int min_score = 70;                // churn_risk: 0-100
  bool operator==(const Trigger&) const = default;
};

// Who a rule applies to. Empty lists mean "everyone". Suspended, closed,
// merged and erased members never get care tasks, whatever the rule says.
struct Audience {
  std::vector<MemberStatus> statuses;    // of prospect, temporary, formal
  std::vector<std::string> tiers;        // tier keys (see TIER KEYS); "default" not allowed
  std::vector<std::string> occupations;  // words; a member matches if their occupation
                                         // contains one, ASCII case-insensitive ("教师", "teacher")
  std::vector<MemberType> member_types;
  bool operator==(const Audience&) const = default;
};

// What to do for one tier key.
struct TierAction {
  ChannelSet channels;  // at least one unless `skip`
  std::string text;  // what the assignee does, Chinese ("电话祝福，上门赠送春节礼品")
  // An explicit message template code (C5, JSON "template"). Empty: the
  // service picks the template by occasion code, channel, member status and
  // tier (message_template.h), which is what the shipped defaults do.
  std::string template_code;
  std::optional<Assignee> assignee;  // overrides the rule's
  int every_months = 0;              // tier_cadence only (required there): 1, 2, 3, 4, 6 or 12
  bool skip = false;                 // explicitly nothing for this key (stops "default")
  bool operator==(const TierAction&) const = default;
};
struct TierActionEntry {
  std::string key;  // tier code, grade letter, "none" or "default"
  TierAction action;
  bool operator==(const TierActionEntry&) const = default;
};

// When the task is due, relative to the occasion's day (the holiday, the
// birthday, purchase day + N, ...): due = occasion + offset_days. The task is
// created from due - lead_days, and may still be created until due +
// window_days; after that it counts as overdue (and is never created late).
struct DueWindow {
  int offset_days = 0;  // -1 = the day before; -7 = a week before (-366..366)
  int lead_days = 0;    // 0..366
  int window_days = 0;  // 0..366
  bool operator==(const DueWindow&) const = default;
};

struct CareRule {
  std::string code;  // stable occasion code ("spring_festival"); a-z, 0-9, '_', unique
  std::string name;  // "春节问候"
  std::string description;
  bool enabled = true;
  Purpose purpose = Purpose::kMarketing;
  // A routine contact: after `routine_fallback_after_contacts` contacts with
  // no points growth (C4 seed rule) the member gets no routine task except
  // tier cadences slowed to at least every `routine_fallback_every_months`.
  bool routine = false;
  Trigger trigger;
  Audience audience;
  std::vector<TierActionEntry> actions;  // sorted by key (JSON object order)
  Assignee assignee = Assignee::kAssociate;
  DueWindow due;
  bool operator==(const CareRule&) const = default;
};

// The task that replaces a phone call or SMS to an invalid or empty number
// (C4): "collect a new number". Occasion code "collect_number", one per
// member and month.
struct CollectNumberAction {
  ChannelSet channels;  // default: visit
  std::string text;
  Assignee assignee = Assignee::kAssociate;
  int due_days = 7;  // due this many days after the day it is generated (0-90)
  int window_days = 30;
  bool operator==(const CollectNumberAction&) const = default;
};

struct CareSettings {
  int routine_fallback_after_contacts = 3;  // 0 = off
  int routine_fallback_every_months = 3;    // 1, 2, 3, 4, 6 or 12
  CollectNumberAction collect_number;
  bool operator==(const CareSettings&) const = default;
};

struct CareRuleSet {
  int version = 1;
  CareSettings settings;
  std::vector<CareRule> rules;
  bool operator==(const CareRuleSet&) const = default;
};

inline constexpr size_t kMaxCareRules = 200;
inline constexpr char kCollectNumberCode[] = "collect_number";

// True for "A".."J", the grade letters of TIER KEYS.
bool IsGradeKey(std::string_view key);
// The grade letter of the tier `level_from_top` levels below the top (0 =
// "A"); "" beyond "J".
std::string_view GradeOf(int level_from_top);

// Reads a rule set from its JSON form, checking every value; the error
// (kInvalidArgument) names the offending path: "rules[3].trigger.type" for an
// unknown trigger, "rules[3].actions.X" for a tier key that is neither a
// grade letter, "none", "default" nor one of `tier_codes` (the codes of the
// company's programs), "rules[3].actions.A.channels[0]" for an unknown
// channel, "rules[5].code" for a duplicate code. Unknown fields are errors;
// omitted optional fields take the defaults above.
[[nodiscard]] Result<CareRuleSet> ParseCareRules(const nlohmann::json& j,
                                                 std::span<const std::string> tier_codes = {});
// The same from JSON text; a syntax error is kInvalidArgument with field "".
[[nodiscard]] Result<CareRuleSet> ParseCareRulesText(std::string_view text,
                                                     std::span<const std::string> tier_codes = {});
// The JSON form; ParseCareRules(CareRulesToJson(s)) == s for every valid s.
nlohmann::json CareRulesToJson(const CareRuleSet& s);

// The shipped defaults (every rule the seeds describe), parsed once on first
// use. They use grade letters only, so they suit every preset. A default set
// that fails to parse is a build defect (the unit tests parse it): it throws
// std::logic_error.
const CareRuleSet& DefaultCareRules();
// The shipped JSON text of the defaults.
std::string_view DefaultCareRulesText();

// The rule with `code`, or nullptr.
const CareRule* FindCareRule(const CareRuleSet& s, std::string_view code);

}  // namespace vipcare::domain
