// src/domain/care_calendar.h
#pragma once
#include <optional>
#include <string_view>
#include <vector>

#include "core/types.h"
#include "domain/member.h"  // CalendarDate

namespace vipcare::domain {

// The days the care engine greets members on (SPEC C1): solar holidays,
// occupation festivals, the lunar festivals 春节/端午/中秋 (liblunar-date, see
// lunar.h) and members' own birthdays and anniversaries. Pure: every function
// takes the day it is about; the company time zone (Asia/Shanghai by default)
// is applied by the service when it turns "now" into a Date.

// How a holiday's date is found each year.
enum class HolidayRule {
  kSolar,       // a fixed solar month/day (元旦 1-1, 教师节 9-10)
  kLunar,       // a fixed lunar month/day, never in a leap month (春节 1-1, 中秋 8-15)
  kNthWeekday,  // the n-th weekday of a solar month (母亲节: 2nd Sunday of May)
};

// One holiday the care rules can name by `code` (trigger {"type":"holiday",
// "holiday": code}). Codes are stable: they are stored in rules and in task
// idempotency keys.
struct HolidayInfo {
  std::string_view code;  // "spring_festival"
  std::string_view name;  // "春节", shown to staff
  HolidayRule rule = HolidayRule::kSolar;
  unsigned month = 1;    // solar month (kSolar, kNthWeekday) or lunar month (kLunar)
  unsigned day = 1;      // day of month (kSolar, kLunar); for kNthWeekday the n (1-5)
  unsigned weekday = 0;  // kNthWeekday: 0 = Sunday ... 6 = Saturday
};

// Every holiday the engine knows, in calendar order: new_year 元旦,
// spring_festival 春节, lantern_festival 元宵节, valentines 情人节, womens_day
// 妇女节, labour_day 劳动节, mothers_day 母亲节, childrens_day 儿童节,
// dragon_boat 端午节, fathers_day 父亲节, army_day 建军节, qixi 七夕,
// teachers_day 教师节, mid_autumn 中秋节, national_day 国庆节, double_ninth
// 重阳节, christmas 圣诞节. Thread-safe (static data).
const std::vector<HolidayInfo>& Holidays();

// Index of `code` in Holidays(), nullopt for an unknown code.
std::optional<size_t> FindHoliday(std::string_view code);

// The solar date of holiday `code` in solar year `year` (the lunar festivals
// fall in that solar year: spring_festival 2026 is 2026-02-17). nullopt for an
// unknown code or a year outside liblunar-date's 1900-2100 for lunar ones.
// Computes from scratch; for many members use CareCalendar.
std::optional<Date> HolidayDate(std::string_view code, int year);

// A dated occasion of the calendar.
struct CalendarEvent {
  std::string_view code;  // holiday code, e.g. "mid_autumn"
  std::string_view name;  // "中秋节"
  Date date;
  bool operator==(const CalendarEvent&) const = default;
};

// The holidays from `from` to `to` (both included), by date. Empty if to < from.
std::vector<CalendarEvent> EventsBetween(Date from, Date to);

// A precomputed calendar for the daily care job: holiday dates for the solar
// years first_year..last_year and a table of lunar month starts shared by the
// whole process (built once, on first use, for lunar years 1900-2100), so a
// lunar birthday costs a few additions instead of a liblunar-date call.
// Answers outside the range are computed on the fly (same results, slower).
// Immutable after construction: thread-safe for concurrent readers.
class CareCalendar {
 public:
  CareCalendar(int first_year, int last_year);
  // A calendar covering the year before `from` to the year after `to`, which
  // is what a generation run on any day from..to reads.
  static CareCalendar Around(Date from, Date to);

  int first_year() const { return first_year_; }
  int last_year() const { return last_year_; }

  // HolidayDate by index into Holidays(); nullopt for a bad index.
  std::optional<Date> HolidayInYear(size_t holiday, int year) const;
  // The holidays from `from` to `to`, both included, by date.
  std::vector<CalendarEvent> EventsBetween(Date from, Date to) const;

  // Exactly lunar.h's BirthdayInYear (same fallbacks: 29 Feb -> 28 Feb, lunar
  // day 30 -> 29, leap month -> ordinary month), from the shared table.
  std::optional<Date> BirthdayInYear(const CalendarDate& date, int year) const;
  // Exactly lunar.h's SolarDateOfBirth, from the shared table.
  std::optional<Date> SolarDateOfBirth(const CalendarDate& date) const;
  // Exactly lunar.h's NextBirthday: the first celebration on or after `from`.
  std::optional<Date> NextBirthday(const CalendarDate& date, Date from,
                                   bool solar_of_birth = false) const;

 private:
  int first_year_;
  int last_year_;
  std::vector<std::optional<Date>> dates_;  // [year - first_year][holiday]
};

}  // namespace vipcare::domain
