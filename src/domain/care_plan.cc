#include "domain/care_plan.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>

namespace vipcare::domain {
namespace {

constexpr std::string_view kCollectNumberName = "收集新号码";

bool CareStatus(MemberStatus s) {
  return s == MemberStatus::kProspect || s == MemberStatus::kTemporary ||
         s == MemberStatus::kFormal;
}

char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; }

// True if `text` contains `word`, ASCII letters compared case-insensitively
// (UTF-8 Chinese compares byte for byte, which is exact for whole characters).
bool ContainsWord(std::string_view text, std::string_view word) {
  if (word.empty() || word.size() > text.size()) return false;
  for (size_t i = 0; i + word.size() <= text.size(); ++i) {
    size_t k = 0;
    while (k < word.size() && LowerAscii(text[i + k]) == LowerAscii(word[k])) ++k;
    if (k == word.size()) return true;
  }
  return false;
}

std::optional<Date> SolarDay(int year, unsigned month, unsigned day) {
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                  std::chrono::day(day)};
  if (!ymd.ok()) return std::nullopt;
  return Date(std::chrono::sys_days(ymd));
}

// Key parts, written without iostreams or fmt: "2027", "2027-09", "2027-09-14".
void AppendYear(std::string& s, int y) {
  char buf[16];
  int n = std::snprintf(buf, sizeof buf, "%04d", y);
  s.append(buf, size_t(n));
}
void AppendMonth(std::string& s, Date d) {
  char buf[16];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u", d.year(), d.month());
  s.append(buf, size_t(n));
}
void AppendDay(std::string& s, Date d) {
  char buf[24];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", d.year(), d.month(), d.day());
  s.append(buf, size_t(n));
}
std::string KeyPrefix(std::string_view code, size_t extra) {
  std::string key;
  key.reserve(code.size() + 1 + extra);
  key.append(code);
  key.push_back(':');
  return key;
}

// The first day of the `every`-month period (aligned on January) holding `d`.
Date PeriodStart(Date d, int every) {
  unsigned m = (d.month() - 1) / unsigned(every) * unsigned(every) + 1;
  return Date::FromYmd(d.year(), m, 1);
}

// What one rule decided for a member, shared by all its occasions.
struct Plan {
  const CareRule* rule;
  const TierActionEntry* entry;
  ChannelSet channels;
  ChannelSet dropped;
  int every_months;  // tier_cadence, after the C4 fallback
};

// Collects the occasions of one rule inside the creation window: an occasion
// on day O is due O + offset and may be created on days [due - lead, due +
// window], so it is generated on `day` iff O is in [lo, hi].
class Emitter {
 public:
  Emitter(const Plan& plan, Date day, std::vector<DueOccasion>& out) : plan_(plan), out_(out) {
    const DueWindow& due = plan.rule->due;
    lo_ = day.AddDays(-due.offset_days - due.window_days);
    hi_ = day.AddDays(-due.offset_days + due.lead_days);
  }
  Date lo() const { return lo_; }
  Date hi() const { return hi_; }
  bool InWindow(Date o) const { return o >= lo_ && o <= hi_; }
  int emitted() const { return emitted_; }

  // Adds the occasion on `o` with `key` if in the window and any channel is left.
  void Emit(Date o, std::string key) {
    if (!InWindow(o)) return;
    ++emitted_;
    if (plan_.channels.empty()) return;
    const CareRule& r = *plan_.rule;
    const TierAction& a = plan_.entry->action;
    DueOccasion& d = out_.emplace_back();
    d.rule = &r;
    d.code = r.code;
    d.key = std::move(key);
    d.occasion_on = o;
    d.due_on = o.AddDays(r.due.offset_days);
    d.overdue_after = d.due_on.AddDays(r.due.window_days);
    d.channels = plan_.channels;
    d.dropped = plan_.dropped;
    d.action_key = plan_.entry->key;
    d.text = a.text;
    d.template_code = a.template_code;
    d.assignee = a.assignee.value_or(r.assignee);
    d.purpose = r.purpose;
    d.name = r.name;
  }

 private:
  const Plan& plan_;
  std::vector<DueOccasion>& out_;
  Date lo_, hi_;
  int emitted_ = 0;
};

// Birthday-like yearly occasions of `date` (as filed, lunar or solar): key
// "<code>:<prefix><year>", where the year is the lunar year for lunar dates.
void EmitYearly(const CareCalendar& cal, const CalendarDate& date, std::string_view code,
                std::string_view prefix, Emitter& e) {
  for (int y = e.lo().year() - 1; y <= e.hi().year(); ++y) {
    if (date.year != 0 && y <= date.year) continue;  // the day itself is no anniversary
    auto o = cal.BirthdayInYear(date, y);
    if (!o || !e.InWindow(*o)) continue;
    std::string key = KeyPrefix(code, prefix.size() + 4);
    key.append(prefix);
    AppendYear(key, y);
    e.Emit(*o, std::move(key));
  }
}

}  // namespace

CarePlanner::CarePlanner(CareRuleSet rules, std::vector<std::string> tier_codes,
                         const CareCalendar& calendar)
    : rules_(std::move(rules)), tier_codes_(std::move(tier_codes)), calendar_(calendar) {
  const int n = int(tier_codes_.size());
  compiled_.resize(rules_.rules.size());
  for (size_t i = 0; i < rules_.rules.size(); ++i) {
    const CareRule& r = rules_.rules[i];
    Compiled& c = compiled_[i];
    c.action_of_level.assign(size_t(n) + 1, -1);
    // Slot `level` (0 = top) for each tier; slot n for members with no tier.
    for (int level = 0; level <= n; ++level) {
      const bool tierless = level == n;
      std::string_view code = tierless ? std::string_view() : tier_codes_[size_t(n - 1 - level)];
      std::string_view grade = tierless ? std::string_view() : GradeOf(level);
      auto matches = [&](std::string_view key) {
        if (tierless) return key == "none";
        return key == code || (!grade.empty() && key == grade);
      };
      if (!r.audience.tiers.empty() &&
          std::none_of(r.audience.tiers.begin(), r.audience.tiers.end(), matches)) {
        continue;
      }
      int found = -1;
      // Most specific first: tier code, grade letter, "none", then "default".
      const std::array<std::string_view, 3> order = {tierless ? "none" : code,
                                                     tierless ? "" : grade, "default"};
      for (std::string_view want : order) {
        if (want.empty() || found >= 0) continue;
        for (size_t k = 0; k < r.actions.size(); ++k) {
          if (r.actions[k].key == want) {
            found = int(k);
            break;
          }
        }
      }
      if (found >= 0 && !r.actions[size_t(found)].action.skip) {
        c.action_of_level[size_t(level)] = int16_t(found);
      }
    }
    if (r.trigger.type == TriggerType::kHoliday) {
      if (auto h = FindHoliday(r.trigger.holiday)) c.holiday = int(*h);
    }
    if (r.enabled && r.trigger.type == TriggerType::kAfterPurchase) {
      // A purchase on day P is generated on days P + days + offset - lead ..
      // P + days + offset + window.
      int back = r.trigger.days + r.due.offset_days + r.due.window_days;
      purchase_look_back_days_ = std::max(purchase_look_back_days_, back);
    }
  }
}

int CarePlanner::LevelFromTop(std::string_view tier_code) const {
  if (tier_code.empty()) return -1;
  const int n = int(tier_codes_.size());
  for (int i = 0; i < n; ++i) {
    if (tier_codes_[size_t(i)] == tier_code) return n - 1 - i;
  }
  return -1;
}

void CarePlanner::Evaluate(const MemberFacts& m, Date day, std::vector<DueOccasion>& out) const {
  if (!CareStatus(m.status)) return;
  const int level = LevelFromTop(m.tier_code);
  bool collect_number = false;
  for (size_t i = 0; i < rules_.rules.size(); ++i) {
    collect_number = EvaluateOne(i, m, level, day, out) || collect_number;
  }
  if (collect_number) AppendCollectNumber(m, day, out);
}

void CarePlanner::EvaluateRule(size_t rule_index, const MemberFacts& m, Date day,
                               std::vector<DueOccasion>& out) const {
  if (rule_index >= rules_.rules.size() || !CareStatus(m.status)) return;
  if (EvaluateOne(rule_index, m, LevelFromTop(m.tier_code), day, out)) {
    AppendCollectNumber(m, day, out);
  }
}

void CarePlanner::AppendCollectNumber(const MemberFacts& m, Date day,
                                      std::vector<DueOccasion>& out) const {
  const CollectNumberAction& a = rules_.settings.collect_number;
  ChannelSet channels = a.channels;
  ChannelSet dropped;
  auto drop_if = [&](Channel c, bool ok) {
    if (channels.Has(c) && !ok) {
      channels.Remove(c);
      dropped.Add(c);
    }
  };
  drop_if(Channel::kEmail, m.email_ok);
  drop_if(Channel::kWechat, m.wechat_ok);
  drop_if(Channel::kMail, m.address_ok);
  // Someone still has to ask for the number: at the next visit at least.
  if (channels.empty()) channels.Add(Channel::kVisit);
  DueOccasion& d = out.emplace_back();
  d.code = kCollectNumberCode;
  d.key = KeyPrefix(kCollectNumberCode, 7);
  AppendMonth(d.key, day);
  d.occasion_on = day;
  d.due_on = day.AddDays(a.due_days);
  d.overdue_after = d.due_on.AddDays(a.window_days);
  d.channels = channels;
  d.dropped = dropped;
  d.text = a.text;
  d.assignee = a.assignee;
  d.purpose = Purpose::kService;
  d.name = kCollectNumberName;
}

bool CarePlanner::EvaluateOne(size_t rule_index, const MemberFacts& m, int level, Date day,
                              std::vector<DueOccasion>& out) const {
  const CareRule& r = rules_.rules[rule_index];
  if (!r.enabled) return false;
  const Compiled& c = compiled_[rule_index];
  const size_t slot = level >= 0 ? size_t(level) : tier_codes_.size();
  const int action = c.action_of_level[slot];
  if (action < 0) return false;

  // Audience.
  const Audience& aud = r.audience;
  if (!aud.statuses.empty() &&
      std::find(aud.statuses.begin(), aud.statuses.end(), m.status) == aud.statuses.end()) {
    return false;
  }
  if (!aud.member_types.empty() && std::find(aud.member_types.begin(), aud.member_types.end(),
                                             m.member_type) == aud.member_types.end()) {
    return false;
  }
  if (!aud.occupations.empty() &&
      std::none_of(aud.occupations.begin(), aud.occupations.end(),
                   [&](const std::string& w) { return ContainsWord(m.occupation, w); })) {
    return false;
  }

  // C4: opt-out, then the routine fallback.
  if (r.purpose == Purpose::kMarketing && m.marketing_opt_out) return false;
  const TierActionEntry& entry = r.actions[size_t(action)];
  Plan plan{&r, &entry, entry.action.channels, {}, entry.action.every_months};
  const CareSettings& st = rules_.settings;
  if (r.routine && st.routine_fallback_after_contacts > 0 &&
      m.contacts_without_growth >= st.routine_fallback_after_contacts) {
    if (r.trigger.type != TriggerType::kTierCadence) return false;
    plan.every_months = std::max(plan.every_months, st.routine_fallback_every_months);
  }

  // C4: only channels that can reach the member.
  bool bad_number = false;
  auto drop_if = [&](Channel ch, bool ok, bool is_number) {
    if (plan.channels.Has(ch) && !ok) {
      plan.channels.Remove(ch);
      plan.dropped.Add(ch);
      bad_number = bad_number || is_number;
    }
  };
  drop_if(Channel::kSms, m.mobile_ok, true);
  drop_if(Channel::kPhone, m.phone_ok, true);
  drop_if(Channel::kEmail, m.email_ok, false);
  drop_if(Channel::kWechat, m.wechat_ok, false);
  drop_if(Channel::kMail, m.address_ok, false);

  Emitter e(plan, day, out);
  const Trigger& t = r.trigger;
  switch (t.type) {
    case TriggerType::kAfterPurchase:
      for (Date p : m.purchase_days) {
        if (p > day || !e.InWindow(p.AddDays(t.days))) continue;
        std::string key = KeyPrefix(r.code, 10);
        AppendDay(key, p);
        e.Emit(p.AddDays(t.days), std::move(key));
      }
      break;
    case TriggerType::kBecameFormal:
      if (m.became_formal_on && (!t.card_pending_only || m.card_awaiting_pickup)) {
        Date o = m.became_formal_on->AddDays(t.days);
        if (e.InWindow(o)) {
          std::string key = KeyPrefix(r.code, 10);
          AppendDay(key, *m.became_formal_on);
          e.Emit(o, std::move(key));
        }
      }
      break;
    case TriggerType::kHoliday:
      for (int y = e.lo().year(); y <= e.hi().year(); ++y) {
        auto o = calendar_.HolidayInYear(size_t(c.holiday), y);
        if (!o || !e.InWindow(*o)) continue;
        std::string key = KeyPrefix(r.code, 4);
        AppendYear(key, y);
        e.Emit(*o, std::move(key));
      }
      break;
    case TriggerType::kBirthday:
      if (m.birthday) {
        CalendarDate b = *m.birthday;
        if (m.birthday_solar_of_birth && b.calendar == Calendar::kLunar) {
          if (auto d = calendar_.SolarDateOfBirth(b)) {
            b = CalendarDate{d->year(), d->month(), d->day(), Calendar::kSolar, false};
          }
        }
        EmitYearly(calendar_, b, r.code, "", e);
      }
      break;
    case TriggerType::kAnniversary:
      for (const Anniversary& a : m.anniversaries) {
        if (!t.anniversary_kinds.empty() &&
            std::find(t.anniversary_kinds.begin(), t.anniversary_kinds.end(), a.kind) ==
                t.anniversary_kinds.end()) {
          continue;
        }
        std::string prefix = (a.kind.empty() ? std::string("other") : a.kind) + ":";
        EmitYearly(calendar_, a.date, r.code, prefix, e);
      }
      break;
    case TriggerType::kNewSeason:
      for (int y = e.lo().year(); y <= e.hi().year(); ++y) {
        for (const auto& [month, dom] : t.season_dates) {
          auto o = SolarDay(y, month, dom);
          if (!o || !e.InWindow(*o)) continue;
          std::string key = KeyPrefix(r.code, 7);
          AppendMonth(key, *o);
          e.Emit(*o, std::move(key));
        }
      }
      break;
    case TriggerType::kSpecialEvent:
      for (const SpecialEvent& ev : t.events) {
        if (!ev.stores.empty() &&
            std::find(ev.stores.begin(), ev.stores.end(), m.home_store) == ev.stores.end()) {
          continue;
        }
        if (!ev.yearly) {
          std::string key = KeyPrefix(r.code, ev.code.size());
          key.append(ev.code);
          e.Emit(ev.date, std::move(key));
          continue;
        }
        for (int y = std::max(e.lo().year(), ev.date.year()); y <= e.hi().year(); ++y) {
          auto o = SolarDay(y, ev.date.month(), ev.date.day());
          if (!o || !e.InWindow(*o)) continue;
          std::string key = KeyPrefix(r.code, ev.code.size() + 5);
          key.append(ev.code);
          key.push_back(':');
          AppendYear(key, y);
          e.Emit(*o, std::move(key));
        }
      }
      break;
    case TriggerType::kTierCadence: {
      const int every = std::max(plan.every_months, 1);
      Date p = PeriodStart(e.lo(), every);
      if (p < e.lo()) p = p.AddMonths(every);
      for (; p <= e.hi(); p = p.AddMonths(every)) {
        std::string key = KeyPrefix(r.code, 7);
        AppendMonth(key, p);
        e.Emit(p, std::move(key));
      }
      break;
    }
    case TriggerType::kInactivity: {
      Date anchor = m.last_purchase_on.value_or(m.joined_on);
      if (anchor > day) break;
      Date o = anchor.AddDays(t.days);
      if (e.InWindow(o)) {
        std::string key = KeyPrefix(r.code, 10);
        AppendDay(key, anchor);
        e.Emit(o, std::move(key));
      }
      break;
    }
    case TriggerType::kDowngradeWarning:
      if (m.downgrade_effective_on && e.InWindow(*m.downgrade_effective_on)) {
        std::string key = KeyPrefix(r.code, 10);
        AppendDay(key, *m.downgrade_effective_on);
        e.Emit(*m.downgrade_effective_on, std::move(key));
      }
      break;
    case TriggerType::kPointsExpiry:
      if (m.points_expire_on && m.points_expiring > Points(0) &&
          m.points_expiring >= t.min_points && e.InWindow(*m.points_expire_on)) {
        std::string key = KeyPrefix(r.code, 10);
        AppendDay(key, *m.points_expire_on);
        e.Emit(*m.points_expire_on, std::move(key));
      }
      break;
    case TriggerType::kStoredGoods:
      if (m.stored_goods_since) {
        const Date s = *m.stored_goods_since;
        const int every = std::max(t.every_days, 1);
        int first = std::max(1, (DaysBetween(s, e.lo()) + every - 1) / every);
        if (DaysBetween(s, e.lo()) < 0) first = 1;
        int last = DaysBetween(s, e.hi()) / every;
        if (t.max_reminders > 0) last = std::min(last, t.max_reminders);
        for (int k = first; k <= last; ++k) {
          Date o = s.AddDays(k * every);
          std::string key = KeyPrefix(r.code, 14);
          AppendDay(key, s);
          key.push_back(':');
          key.append(std::to_string(k));
          e.Emit(o, std::move(key));
        }
      }
      break;
    case TriggerType::kChurnRisk:
      if (m.churn_score && *m.churn_score >= t.min_score && e.InWindow(day)) {
        std::string key = KeyPrefix(r.code, 7);
        AppendMonth(key, day);
        e.Emit(day, std::move(key));
      }
      break;
  }
  return bad_number && e.emitted() > 0;
}

}  // namespace vipcare::domain
