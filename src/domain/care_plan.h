// src/domain/care_plan.h
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "domain/care_calendar.h"
#include "domain/care_rules.h"
#include "domain/member.h"

namespace vipcare::domain {

// Which care occasions are due for one member on one day (SPEC C1, C4). Pure:
// the service gathers MemberFacts from the store and turns each DueOccasion
// into a task, unique on (member, key) so that running the job twice, or on
// several days of an occasion's window, never gives a member two tasks for
// one occasion.
//
// IDEMPOTENCY KEYS ("<code>:<period>"), the same on every generation day:
//   after_purchase    post_purchase_d3:2027-09-11    (the purchase day)
//   became_formal     card_pickup_d5:2027-09-10      (the day the member became formal)
//   holiday           spring_festival:2027           (solar year of the holiday)
//   birthday          birthday:2027                  (solar year; for a lunar birthday the
//                                                     lunar year, which may end in Jan/Feb
//                                                     of the next solar year)
//   anniversary       anniversary:wedding:2027       (kind, then year as for birthdays)
//   new_season        new_season:2027-03             (month of the season date)
//   special_event     store_events:nanjing_rd        (event code; yearly ones add :2027)
//   tier_cadence      tier_cadence:2027-07           (first month of the period; monthly,
//                                                     quarterly, ... periods share keys, so a
//                                                     cadence slowed by the C4 fallback never
//                                                     repeats a month already contacted)
//   inactivity        inactivity:2027-03-02          (the last purchase day, or joined day)
//   downgrade_warning downgrade_warning:2027-10-01   (the day the downgrade takes effect)
//   points_expiry     points_expiry:2027-12-31       (the expiry day)
//   stored_goods      stored_goods:2027-09-01:2      (day stored, reminder number from 1)
//   churn_risk        churn_risk:2027-09             (month of the generation day)
//   collect_number    collect_number:2027-09         (month of the generation day)
// The code part is the rule's code, so "tier_cadence" above stands for
// whatever code the rule has.
//
// C4 RULES applied to every occasion, in this order:
//   1. status: suspended, closed, merged, erased members get nothing;
//   2. marketing opt-out: a Purpose::kMarketing rule gives nothing;
//   3. routine fallback: with contacts_without_growth >= the setting, routine
//      rules give nothing, except tier cadences slowed to at least every
//      `routine_fallback_every_months` months;
//   4. channels the member cannot receive are dropped: sms without a valid
//      mobile, phone without any valid phone, email without a valid e-mail,
//      wechat without an id, mail without an address (visit and gift stay);
//      if sms or phone was dropped for a bad or empty number, one
//      collect_number occasion is added (at most one per member and month);
//      an occasion left with no channel is not returned.
// Do-not-disturb hours and the weekly message cap concern sending, not
// planning: the service's outbox applies them.

// What the service knows of a member on the generation day. Views and spans
// point into the caller's data, which must outlive the Evaluate call. Plain
// data: filling one per member costs no allocation.
struct MemberFacts {
  MemberStatus status = MemberStatus::kFormal;
  MemberType member_type = MemberType::kIndividual;
  std::string_view tier_code;  // the program tier's code; "" = none
  StoreId home_store;
  std::string_view occupation;  // free text as filed ("教师", "teacher")

  std::optional<CalendarDate> birthday;
  bool birthday_solar_of_birth = false;  // Program::birthday_calendar == kSolarOfBirth
  std::span<const Anniversary> anniversaries;

  Date joined_on;                        // registration day
  std::optional<Date> became_formal_on;  // M4: the day the member became formal
  bool card_awaiting_pickup = false;     // the formal card has not been collected yet
  std::optional<Date> last_purchase_on;
  // Distinct purchase days (any order) from at least
  // CarePlanner::PurchaseLookBackDays() days before the generation day.
  std::span<const Date> purchase_days;

  std::optional<Date> downgrade_effective_on;  // a pending, announced downgrade (L7)
  std::optional<Date> points_expire_on;        // the next expiry day with points expiring
  Points points_expiring;                      // how many expire that day
  std::optional<Date> stored_goods_since;      // oldest goods still awaiting pickup (C6)
  std::optional<int> churn_score;              // 0-100, R5; nullopt = not scored

  // Reachability (C4). `mobile_ok`: a mobile number is on file, flagged valid
  // and well-formed. `phone_ok`: the mobile or an office/home phone is.
  bool mobile_ok = false;
  bool phone_ok = false;
  bool email_ok = false;
  bool wechat_ok = false;
  bool address_ok = false;
  bool marketing_opt_out = false;
  int contacts_without_growth = 0;  // contacts logged since the last points growth
};

// One occasion due for a member: what the service stores as a task.
struct DueOccasion {
  // The rule, or nullptr for a collect_number substitution. Points into the
  // planner, valid while it lives.
  const CareRule* rule = nullptr;
  std::string_view code;        // the rule's code, or "collect_number"
  std::string key;              // idempotency key, see above
  Date occasion_on;             // the holiday, birthday, purchase day + N, ...
  Date due_on;                  // occasion_on + due.offset_days
  Date overdue_after;           // due_on + due.window_days: overdue from the next day
  ChannelSet channels;          // after the C4 rules; never empty
  ChannelSet dropped;           // channels removed by C4 (shown to staff)
  std::string_view action_key;  // the actions key that matched ("A", "diamond", "default")
  std::string_view text;        // the action's Chinese text
  std::string_view template_code;
  Assignee assignee = Assignee::kAssociate;
  Purpose purpose = Purpose::kService;
  std::string_view name;  // the rule's name, "收集新号码" for collect_number
};

// Rules compiled for one program's tier ladder and a calendar: action keys
// are resolved to each tier once, so evaluating a member is a few lookups and
// date sums, with no parsing and no allocation except the keys of occasions
// actually due. Immutable after construction: thread-safe for concurrent
// Evaluate calls (each with its own output vector).
class CarePlanner {
 public:
  // `tier_codes` are the program's tiers lowest first (Program::tiers order).
  // Disabled rules give nothing. `calendar` must outlive the planner; days
  // outside its years still work, only slower.
  CarePlanner(CareRuleSet rules, std::vector<std::string> tier_codes, const CareCalendar& calendar);

  const CareRuleSet& rules() const { return rules_; }

  // How far back MemberFacts::purchase_days must reach.
  int PurchaseLookBackDays() const { return purchase_look_back_days_; }

  // The tier's rank from the top for `tier_code` (0 = highest); -1 for "" or
  // a code not in the ladder (treated as no tier).
  int LevelFromTop(std::string_view tier_code) const;

  // Appends to `out` every occasion due for `m` on `day`: those whose creation
  // window [due - lead_days, due + window_days] contains `day`, after the C4
  // rules. `out` is not cleared, so a caller can reuse one vector.
  void Evaluate(const MemberFacts& m, Date day, std::vector<DueOccasion>& out) const;
  // The same for one rule (index into rules().rules), without the
  // collect_number substitution's once-per-call deduplication across rules.
  void EvaluateRule(size_t rule_index, const MemberFacts& m, Date day,
                    std::vector<DueOccasion>& out) const;

 private:
  // A rule resolved for this ladder: for each level from the top (and the
  // tierless slot at the end) the index of its action in rule.actions, or -1.
  struct Compiled {
    std::vector<int16_t> action_of_level;
    int holiday = -1;  // index into Holidays() for holiday rules
  };
  // Appends rule `rule_index`'s occasions; true if one of them lost sms or
  // phone to a bad or empty number (a collect_number task is then due).
  bool EvaluateOne(size_t rule_index, const MemberFacts& m, int level, Date day,
                   std::vector<DueOccasion>& out) const;
  void AppendCollectNumber(const MemberFacts& m, Date day, std::vector<DueOccasion>& out) const;

  CareRuleSet rules_;
  std::vector<std::string> tier_codes_;
  const CareCalendar& calendar_;
  std::vector<Compiled> compiled_;  // one per rule of rules_
  int purchase_look_back_days_ = 0;
};

}  // namespace vipcare::domain
