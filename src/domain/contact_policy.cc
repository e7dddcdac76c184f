#include "domain/contact_policy.h"

#include <fmt/format.h>

#include <algorithm>

namespace vipcare::domain {
namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr auto kWeek = std::chrono::hours(24 * 7);

ContactDecision Refuse(std::string_view reason, std::string detail,
                       std::optional<Timestamp> not_before = std::nullopt) {
  ContactDecision d;
  d.allowed = false;
  d.reason = reason;
  d.detail = std::move(detail);
  d.not_before = not_before;
  return d;
}

std::optional<int> ParseHhMm(std::string_view s) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (size_t i : {0, 1, 3, 4}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  int h = (s[0] - '0') * 10 + (s[1] - '0');
  int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

bool InAny(const std::vector<DndWindow>& windows, int minute) {
  return std::any_of(windows.begin(), windows.end(),
                     [&](const DndWindow& w) { return InDnd(w, minute); });
}

// The local minute of day of `t` and the instant that day began.
std::pair<int, Timestamp> LocalMinute(Timestamp t, const TimeZone& zone) {
  Timestamp start = zone.StartOfDay(zone.LocalDate(t));
  auto minute = int(std::chrono::duration_cast<std::chrono::minutes>(t - start).count());
  return {std::clamp(minute, 0, kMinutesPerDay - 1), start};
}

std::string HhMm(int minute) {
  minute %= kMinutesPerDay;
  return fmt::format("{:02d}:{:02d}", minute / 60, minute % 60);
}

}  // namespace

const char* ToString(ContactChannel c) {
  switch (c) {
    case ContactChannel::kSms: return "sms";
    case ContactChannel::kPhone: return "phone";
    case ContactChannel::kEmail: return "email";
  }
  return "sms";
}

bool IsSmsMobile(std::string_view number) { return IsValidMobile(number); }

ContactDecision CheckMobile(const Phone& mobile) {
  if (mobile.number.empty()) {
    return Refuse(kReasonInvalidNumber, "会员没有手机号，请先收集新号码");
  }
  if (!mobile.valid || !IsSmsMobile(mobile.number)) {
    return Refuse(kReasonInvalidNumber, "会员手机号无效（空号或过期号），请先收集新号码");
  }
  return ContactDecision::Allow();
}

ContactDecision CheckRecipient(const Member& m, ContactChannel channel) {
  switch (channel) {
    case ContactChannel::kSms:
      return CheckMobile(m.mobile);
    case ContactChannel::kPhone: {
      if (CheckMobile(m.mobile).allowed) return ContactDecision::Allow();
      for (const Phone* p : {&m.office_phone, &m.home_phone}) {
        if (!p->number.empty() && p->valid && IsValidPhone(p->number)) {
          return ContactDecision::Allow();
        }
      }
      return Refuse(kReasonInvalidNumber, "会员没有有效的电话号码，请先收集新号码");
    }
    case ContactChannel::kEmail:
      if (m.email.empty() || !IsValidEmail(m.email)) {
        return Refuse(kReasonInvalidEmail, "会员没有有效的电子邮箱");
      }
      return ContactDecision::Allow();
  }
  return ContactDecision::Allow();
}

ContactDecision CheckOptOut(bool marketing_opt_out, MessagePurpose purpose) {
  if (marketing_opt_out && purpose == MessagePurpose::kMarketing) {
    return Refuse(kReasonOptOut, "会员已拒收营销信息");
  }
  return ContactDecision::Allow();
}

Result<std::optional<DndWindow>> ParseDndWindow(std::string_view start, std::string_view end,
                                                const std::string& start_field,
                                                const std::string& end_field) {
  if (start.empty() && end.empty()) return std::optional<DndWindow>();
  if (start.empty()) return Error::Invalid(start_field, "do-not-disturb needs both a start and an end");
  if (end.empty()) return Error::Invalid(end_field, "do-not-disturb needs both a start and an end");
  auto s = ParseHhMm(start);
  if (!s) return Error::Invalid(start_field, "must be a time HH:MM");
  auto e = ParseHhMm(end);
  if (!e) return Error::Invalid(end_field, "must be a time HH:MM");
  return std::optional<DndWindow>(DndWindow{*s, *e});
}

bool InDnd(const DndWindow& w, int minute) {
  if (w.start_minute == w.end_minute) return false;
  if (w.start_minute < w.end_minute) return minute >= w.start_minute && minute < w.end_minute;
  return minute >= w.start_minute || minute < w.end_minute;  // spans midnight
}

std::optional<int> MinutesUntilAllowed(const std::vector<DndWindow>& windows, int minute) {
  minute = ((minute % kMinutesPerDay) + kMinutesPerDay) % kMinutesPerDay;
  for (int waited = 0; waited < kMinutesPerDay; ++waited) {
    if (!InAny(windows, (minute + waited) % kMinutesPerDay)) return waited;
  }
  return std::nullopt;
}

std::optional<Timestamp> NextAllowedTime(const std::vector<DndWindow>& windows, Timestamp now,
                                         const TimeZone& zone) {
  auto [minute, day_start] = LocalMinute(now, zone);
  auto wait = MinutesUntilAllowed(windows, minute);
  if (!wait) return std::nullopt;
  if (*wait == 0) return now;
  int target = minute + *wait;
  if (target < kMinutesPerDay) return day_start + std::chrono::minutes(target);
  // The next local day begins at its own midnight (which matters in zones
  // with daylight saving time).
  Timestamp next_day = zone.StartOfDay(zone.LocalDate(now).AddDays(1));
  return next_day + std::chrono::minutes(target - kMinutesPerDay);
}

ContactDecision CheckDnd(const std::vector<DndWindow>& windows, Timestamp now,
                         const TimeZone& zone) {
  auto next = NextAllowedTime(windows, now, zone);
  if (next && *next == now) return ContactDecision::Allow();
  if (!next) return Refuse(kReasonDnd, "免打扰时段覆盖全天，无法发送");
  auto [minute, day_start] = LocalMinute(*next, zone);
  (void)day_start;
  return Refuse(kReasonDnd, fmt::format("处于免打扰时段，{} 后可发送", HhMm(minute)), next);
}

ContactDecision CheckWeeklyCap(const std::vector<Timestamp>& sent, Timestamp now, int cap) {
  if (cap <= 0) return ContactDecision::Allow();
  std::vector<Timestamp> in_week;
  for (Timestamp t : sent) {
    if (t > now - kWeek && t <= now) in_week.push_back(t);
  }
  if (int(in_week.size()) < cap) return ContactDecision::Allow();
  std::sort(in_week.begin(), in_week.end());
  // Sends drop out oldest first; below the cap again once all but cap-1 of
  // them have left the window.
  Timestamp frees = in_week[in_week.size() - size_t(cap)] + kWeek;
  return Refuse(kReasonWeeklyCap,
                fmt::format("近7天已发送{}条，达到每周上限{}条", in_week.size(), cap), frees);
}

ContactDecision CheckSend(const SendCheck& c) {
  if (!c.member) return Refuse(kReasonInvalidNumber, "没有会员");
  const Member& m = *c.member;
  auto d = CheckRecipient(m, c.channel);
  if (!d.allowed) return d;
  d = CheckOptOut(m.preferences.marketing_opt_out, c.purpose);
  if (!d.allowed) return d;
  if (c.purpose == MessagePurpose::kMarketing || c.cap_service_messages) {
    d = CheckWeeklyCap(c.recent_sends, c.now, c.weekly_cap);
    if (!d.allowed) return d;
  }
  if (c.channel != ContactChannel::kEmail && c.zone) {
    std::vector<DndWindow> windows = c.quiet_hours;
    auto own = ParseDndWindow(m.preferences.dnd_start, m.preferences.dnd_end, "dnd_start",
                              "dnd_end");
    if (own.ok() && own->has_value()) windows.push_back(**own);
    d = CheckDnd(windows, c.now, *c.zone);
    if (!d.allowed) return d;
  }
  return ContactDecision::Allow();
}

}  // namespace vipcare::domain
