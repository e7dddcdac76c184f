#include "domain/lunar.h"

#include <lunar-date/lunar-date.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <memory>
#include <mutex>

namespace vipcare::domain {
namespace {

constexpr int kFirstLunarYear = 1900;  // liblunar-date's table
constexpr int kLastLunarYear = 2100;
constexpr size_t kLunarSlots = size_t(kLastLunarYear - kFirstLunarYear + 1) * 12 * 30 * 2;

struct LunarDateFree {
  void operator()(LunarDate* d) const { lunar_date_free(d); }
};
struct GFree {
  void operator()(gchar* s) const { g_free(s); }
};

std::optional<Date> ParseLooseYmd(const char* s) {
  int y = 0;
  unsigned m = 0, d = 0;
  if (std::sscanf(s, "%d-%u-%u", &y, &m, &d) != 3) return std::nullopt;
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m), std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return Date(std::chrono::sys_days(ymd));
}

bool IsLeapYear(int y) { return std::chrono::year(y).is_leap(); }

// liblunar-date's answer for LunarToSolar (arguments already checked).
// One conversion at a time: the library sets itself up (its GObject type and
// holiday resource) on first use without a lock, and first uses from threads
// at once crashed the process now and then. Answers are cached by the
// caller, so the lock is taken only for a day not converted before.
std::optional<Date> ConvertLunar(int year, unsigned month, unsigned day, bool leap_month) {
  static std::mutex converting;
  std::lock_guard lock(converting);
  std::unique_ptr<LunarDate, LunarDateFree> date(lunar_date_new());
  GError* error = nullptr;
  lunar_date_set_lunar_date(date.get(), GDateYear(year), GDateMonth(month), GDateDay(day), 0,
                            leap_month ? TRUE : FALSE, &error);
  if (error) {
    // Not a day of that lunar year (or out of the table): an expected answer.
    g_error_free(error);
    return std::nullopt;
  }
  std::unique_ptr<gchar, GFree> text(lunar_date_strftime(date.get(), "%(year)-%(month)-%(day)"));
  if (!text) return std::nullopt;
  return ParseLooseYmd(text.get());
}

}  // namespace

std::optional<Date> LunarToSolar(int year, unsigned month, unsigned day, bool leap_month) {
  if (year < kFirstLunarYear || year > kLastLunarYear || month < 1 || month > 12 || day < 1 ||
      day > 30) {
    return std::nullopt;
  }
  // The converter costs ~10 µs a call (a GObject, a string to parse) and a
  // till asks for the same few days again and again: answers are kept for
  // the process, one slot per (year, month, day, leap month), 0 while not yet
  // known. A slot is written once with the one answer it can have, so
  // threads that convert the same day at once store the same value.
  static constexpr int32_t kUnknown = 0;
  static constexpr int32_t kNoDay = -1;
  static constexpr int32_t kBias = 1 << 20;  // days since 1970-01-01 + kBias > 0
  static std::array<std::atomic<int32_t>, kLunarSlots> known{};
  std::atomic<int32_t>& slot =
      known[((size_t(year - kFirstLunarYear) * 12 + (month - 1)) * 30 + (day - 1)) * 2 +
            (leap_month ? 1 : 0)];
  if (const int32_t v = slot.load(std::memory_order_relaxed); v != kUnknown) {
    if (v == kNoDay) return std::nullopt;
    return Date(std::chrono::sys_days(std::chrono::days(v - kBias)));
  }
  const std::optional<Date> answer = ConvertLunar(year, month, day, leap_month);
  slot.store(answer ? int32_t(answer->days().time_since_epoch().count() + kBias) : kNoDay,
             std::memory_order_relaxed);
  return answer;
}

std::optional<Date> BirthdayInYear(const CalendarDate& birthday, int year) {
  if (birthday.calendar == Calendar::kSolar) {
    unsigned day = birthday.day;
    if (birthday.month == 2 && day == 29 && !IsLeapYear(year)) day = 28;
    std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(birthday.month),
                                    std::chrono::day(day)};
    if (!ymd.ok()) return std::nullopt;
    return Date(std::chrono::sys_days(ymd));
  }
  // Try the day as filed, then the fallbacks the header lists, in that order.
  const std::array<std::pair<unsigned, bool>, 4> tries = {{
      {birthday.day, birthday.leap_month},
      {birthday.day, false},
      {birthday.day == 30 ? 29u : birthday.day, birthday.leap_month},
      {birthday.day == 30 ? 29u : birthday.day, false},
  }};
  for (const auto& [day, leap] : tries) {
    if (auto d = LunarToSolar(year, birthday.month, day, leap)) return d;
  }
  return std::nullopt;
}

std::optional<Date> SolarDateOfBirth(const CalendarDate& birthday) {
  if (birthday.year == 0) return std::nullopt;
  if (birthday.calendar == Calendar::kSolar) {
    std::chrono::year_month_day ymd{std::chrono::year(birthday.year),
                                    std::chrono::month(birthday.month),
                                    std::chrono::day(birthday.day)};
    if (!ymd.ok()) return std::nullopt;
    return Date(std::chrono::sys_days(ymd));
  }
  return LunarToSolar(birthday.year, birthday.month, birthday.day, birthday.leap_month);
}

namespace {

// The birthday as celebrated: with `solar_of_birth`, a lunar birthday with a
// known year becomes the solar day of birth.
CalendarDate Celebrated(const CalendarDate& birthday, bool solar_of_birth) {
  if (solar_of_birth && birthday.calendar == Calendar::kLunar) {
    if (auto d = SolarDateOfBirth(birthday)) {
      return CalendarDate{d->year(), d->month(), d->day(), Calendar::kSolar, false};
    }
  }
  return birthday;
}

}  // namespace

bool IsBirthday(const CalendarDate& birthday, Date day, bool solar_of_birth) {
  CalendarDate b = Celebrated(birthday, solar_of_birth);
  if (b.calendar == Calendar::kSolar) return BirthdayInYear(b, day.year()) == day;
  // A solar year overlaps two lunar years: lunar year Y-1 ends in Jan/Feb of Y.
  for (int y : {day.year() - 1, day.year()}) {
    if (BirthdayInYear(b, y) == day) return true;
  }
  return false;
}

std::optional<Date> NextBirthday(const CalendarDate& birthday, Date from, bool solar_of_birth) {
  CalendarDate b = Celebrated(birthday, solar_of_birth);
  std::optional<Date> best;
  for (int y = from.year() - 1; y <= from.year() + 1; ++y) {
    auto d = BirthdayInYear(b, y);
    if (d && *d >= from && (!best || *d < *best)) best = d;
  }
  return best;
}

}  // namespace vipcare::domain
