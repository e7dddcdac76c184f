#include "domain/care_calendar.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>

#include "domain/lunar.h"

namespace vipcare::domain {
namespace {

using std::chrono::days;
using std::chrono::sys_days;

const std::vector<HolidayInfo> kHolidays = {
    {"new_year", "元旦", HolidayRule::kSolar, 1, 1, 0},
    {"spring_festival", "春节", HolidayRule::kLunar, 1, 1, 0},
    {"lantern_festival", "元宵节", HolidayRule::kLunar, 1, 15, 0},
    {"valentines", "情人节", HolidayRule::kSolar, 2, 14, 0},
    {"womens_day", "妇女节", HolidayRule::kSolar, 3, 8, 0},
    {"labour_day", "劳动节", HolidayRule::kSolar, 5, 1, 0},
    {"mothers_day", "母亲节", HolidayRule::kNthWeekday, 5, 2, 0},  // 2nd Sunday of May
    {"childrens_day", "儿童节", HolidayRule::kSolar, 6, 1, 0},
    {"dragon_boat", "端午节", HolidayRule::kLunar, 5, 5, 0},
    {"fathers_day", "父亲节", HolidayRule::kNthWeekday, 6, 3, 0},  // 3rd Sunday of June
    {"army_day", "建军节", HolidayRule::kSolar, 8, 1, 0},
    {"qixi", "七夕", HolidayRule::kLunar, 7, 7, 0},
    {"teachers_day", "教师节", HolidayRule::kSolar, 9, 10, 0},
    {"mid_autumn", "中秋节", HolidayRule::kLunar, 8, 15, 0},
    {"national_day", "国庆节", HolidayRule::kSolar, 10, 1, 0},
    {"double_ninth", "重阳节", HolidayRule::kLunar, 9, 9, 0},
    {"christmas", "圣诞节", HolidayRule::kSolar, 12, 25, 0},
};

// ---- the shared lunar month table ------------------------------------------

// liblunar-date covers lunar years 1900-2100, but the months of 2100 run past
// its solar range, so the table stops at 2099 and 2100 goes through lunar.h.
constexpr int kTableFirstYear = 1900;
constexpr int kTableLastYear = 2099;

struct LunarMonth {
  uint8_t month = 0;
  bool leap = false;
  uint8_t length = 0;  // 29 or 30
  sys_days start;
};
struct LunarYear {
  std::array<LunarMonth, 13> months{};
  uint8_t count = 0;
};

// Built once per process from liblunar-date itself (about 2,500 conversions),
// so the fast path can never disagree with lunar.h.
const std::vector<LunarYear>& LunarTable() {
  static const std::vector<LunarYear> table = [] {
    std::vector<LunarYear> years(kTableLastYear - kTableFirstYear + 1);
    for (int y = kTableFirstYear; y <= kTableLastYear; ++y) {
      LunarYear& ly = years[size_t(y - kTableFirstYear)];
      for (unsigned m = 1; m <= 12; ++m) {
        for (bool leap : {false, true}) {
          if (auto d = LunarToSolar(y, m, 1, leap)) {
            ly.months[ly.count++] = LunarMonth{uint8_t(m), leap, 0, d->days()};
          }
        }
      }
      std::sort(ly.months.begin(), ly.months.begin() + ly.count,
                [](const LunarMonth& a, const LunarMonth& b) { return a.start < b.start; });
      auto next_new_year = LunarToSolar(y + 1, 1, 1, false);
      for (uint8_t i = 0; i < ly.count; ++i) {
        sys_days end = i + 1 < ly.count ? ly.months[i + 1].start
                                        : (next_new_year ? next_new_year->days()
                                                         : ly.months[i].start + days(30));
        ly.months[i].length = uint8_t((end - ly.months[i].start).count());
      }
    }
    return years;
  }();
  return table;
}

bool InTable(int year) { return year >= kTableFirstYear && year <= kTableLastYear; }

// LunarToSolar from the table; only for years InTable.
std::optional<Date> TableLunarToSolar(int year, unsigned month, unsigned day, bool leap) {
  if (month < 1 || month > 12 || day < 1 || day > 30) return std::nullopt;
  const LunarYear& ly = LunarTable()[size_t(year - kTableFirstYear)];
  for (uint8_t i = 0; i < ly.count; ++i) {
    const LunarMonth& lm = ly.months[i];
    if (lm.month == month && lm.leap == leap) {
      if (day > lm.length) return std::nullopt;
      return Date(lm.start + days(day - 1));
    }
  }
  return std::nullopt;
}

std::optional<Date> FastLunarToSolar(int year, unsigned month, unsigned day, bool leap) {
  if (InTable(year)) return TableLunarToSolar(year, month, day, leap);
  return LunarToSolar(year, month, day, leap);
}

std::optional<Date> SolarDay(int year, unsigned month, unsigned day) {
  std::chrono::year_month_day ymd{std::chrono::year(year), std::chrono::month(month),
                                  std::chrono::day(day)};
  if (!ymd.ok()) return std::nullopt;
  return Date(sys_days(ymd));
}

std::optional<Date> ComputeHoliday(const HolidayInfo& h, int year) {
  switch (h.rule) {
    case HolidayRule::kSolar:
      return SolarDay(year, h.month, h.day);
    case HolidayRule::kLunar:
      return FastLunarToSolar(year, h.month, h.day, false);
    case HolidayRule::kNthWeekday: {
      std::chrono::year_month_weekday ymw{
          std::chrono::year(year), std::chrono::month(h.month),
          std::chrono::weekday_indexed(std::chrono::weekday(h.weekday), h.day)};
      if (!ymw.ok()) return std::nullopt;
      return Date(sys_days(ymw));
    }
  }
  return std::nullopt;
}

// Same as lunar.cc's, over the fast conversion.
std::optional<Date> FastBirthdayInYear(const CalendarDate& b, int year) {
  if (b.calendar == Calendar::kSolar) {
    unsigned day = b.day;
    if (b.month == 2 && day == 29 && !std::chrono::year(year).is_leap()) day = 28;
    return SolarDay(year, b.month, day);
  }
  if (!InTable(year)) return domain::BirthdayInYear(b, year);
  const unsigned day29 = b.day == 30 ? 29u : b.day;
  const std::array<std::pair<unsigned, bool>, 4> tries = {{
      {b.day, b.leap_month},
      {b.day, false},
      {day29, b.leap_month},
      {day29, false},
  }};
  for (const auto& [day, leap] : tries) {
    if (auto d = TableLunarToSolar(year, b.month, day, leap)) return d;
  }
  return std::nullopt;
}

std::optional<Date> FastSolarDateOfBirth(const CalendarDate& b) {
  if (b.year == 0) return std::nullopt;
  if (b.calendar == Calendar::kSolar) return SolarDay(b.year, b.month, b.day);
  return FastLunarToSolar(b.year, b.month, b.day, b.leap_month);
}

}  // namespace

const std::vector<HolidayInfo>& Holidays() { return kHolidays; }

std::optional<size_t> FindHoliday(std::string_view code) {
  for (size_t i = 0; i < kHolidays.size(); ++i) {
    if (kHolidays[i].code == code) return i;
  }
  return std::nullopt;
}

std::optional<Date> HolidayDate(std::string_view code, int year) {
  auto i = FindHoliday(code);
  if (!i) return std::nullopt;
  return ComputeHoliday(kHolidays[*i], year);
}

std::vector<CalendarEvent> EventsBetween(Date from, Date to) {
  if (to < from) return {};
  return CareCalendar(from.year(), to.year()).EventsBetween(from, to);
}

CareCalendar::CareCalendar(int first_year, int last_year)
    : first_year_(first_year), last_year_(std::max(first_year, last_year)) {
  const size_t n = kHolidays.size();
  dates_.resize(size_t(last_year_ - first_year_ + 1) * n);
  for (int y = first_year_; y <= last_year_; ++y) {
    for (size_t h = 0; h < n; ++h)
      dates_[size_t(y - first_year_) * n + h] = ComputeHoliday(kHolidays[h], y);
  }
}

CareCalendar CareCalendar::Around(Date from, Date to) {
  return CareCalendar(std::min(from, to).year() - 1, std::max(from, to).year() + 1);
}

std::optional<Date> CareCalendar::HolidayInYear(size_t holiday, int year) const {
  if (holiday >= kHolidays.size()) return std::nullopt;
  if (year >= first_year_ && year <= last_year_) {
    return dates_[size_t(year - first_year_) * kHolidays.size() + holiday];
  }
  return ComputeHoliday(kHolidays[holiday], year);
}

std::vector<CalendarEvent> CareCalendar::EventsBetween(Date from, Date to) const {
  std::vector<CalendarEvent> out;
  if (to < from) return out;
  for (int y = from.year(); y <= to.year(); ++y) {
    for (size_t h = 0; h < kHolidays.size(); ++h) {
      auto d = HolidayInYear(h, y);
      if (d && *d >= from && *d <= to) out.push_back({kHolidays[h].code, kHolidays[h].name, *d});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const CalendarEvent& a, const CalendarEvent& b) { return a.date < b.date; });
  return out;
}

std::optional<Date> CareCalendar::BirthdayInYear(const CalendarDate& date, int year) const {
  return FastBirthdayInYear(date, year);
}

std::optional<Date> CareCalendar::SolarDateOfBirth(const CalendarDate& date) const {
  return FastSolarDateOfBirth(date);
}

std::optional<Date> CareCalendar::NextBirthday(const CalendarDate& date, Date from,
                                               bool solar_of_birth) const {
  CalendarDate b = date;
  if (solar_of_birth && b.calendar == Calendar::kLunar) {
    if (auto d = FastSolarDateOfBirth(b))
      b = CalendarDate{d->year(), d->month(), d->day(), Calendar::kSolar, false};
  }
  std::optional<Date> best;
  for (int y = from.year() - 1; y <= from.year() + 1; ++y) {
    auto d = FastBirthdayInYear(b, y);
    if (d && *d >= from && (!best || *d < *best)) best = d;
  }
  return best;
}

}  // namespace vipcare::domain
