// src/domain/lunar.h
#pragma once
#include <optional>

#include "core/types.h"
#include "domain/member.h"  // CalendarDate

namespace vipcare::domain {

// The Chinese lunisolar calendar (农历) for birthdays and lunar festivals,
// computed by liblunar-date (Debian liblunar-date-dev). Thread-safe: the
// library is called by one thread at a time, and its answers are cached.

// The solar date of lunar `year`/`month`/`day` (`leap_month` for the
// intercalary month 闰月). nullopt if that day does not exist (a leap month the
// year lacks, day 30 of a 29-day month) or the year is outside 1900-2100.
std::optional<Date> LunarToSolar(int year, unsigned month, unsigned day, bool leap_month);

// The day `birthday` is celebrated in `year` (for a lunar birthday: in lunar
// year `year`, which starts at Spring Festival). Days that year lacks move to
// the nearest earlier one: solar 29 Feb to 28 Feb, lunar day 30 to day 29, and
// a leap-month birthday to the ordinary month when the year has no such leap.
// nullopt only outside the converter's range.
std::optional<Date> BirthdayInYear(const CalendarDate& birthday, int year);

// The solar day a member was born: `birthday` itself if solar, converted if
// lunar with a known year; nullopt if the lunar year is unknown (0).
std::optional<Date> SolarDateOfBirth(const CalendarDate& birthday);

// True if `day` is the member's birthday. With `solar_of_birth` a lunar
// birthday with a known year is kept on its solar day of birth instead.
bool IsBirthday(const CalendarDate& birthday, Date day, bool solar_of_birth = false);

// The first birthday on or after `from` (for care tasks and greetings);
// nullopt only outside the converter's range.
std::optional<Date> NextBirthday(const CalendarDate& birthday, Date from,
                                 bool solar_of_birth = false);

}  // namespace vipcare::domain
