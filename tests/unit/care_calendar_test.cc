// The care calendar (SPEC C1): holidays by solar year, the lunar festivals
// 春节/端午/中秋 checked against a table written down independently from the
// published Chinese calendar (Hong Kong Observatory / 中国天文年历), and
// lunar birthdays across leap months.
#include "domain/care_calendar.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <set>
#include <thread>
#include <vector>

#include "domain/lunar.h"

namespace vipcare::domain {
namespace {

Date D(int y, unsigned m, unsigned d) { return Date::FromYmd(y, m, d); }
CalendarDate Lunar(int y, unsigned m, unsigned d, bool leap = false) {
  return CalendarDate{y, m, d, Calendar::kLunar, leap};
}
CalendarDate Solar(int y, unsigned m, unsigned d) {
  return CalendarDate{y, m, d, Calendar::kSolar, false};
}

// 春节 (正月初一), 端午 (五月初五), 中秋 (八月十五), 2025-2035, from the
// published calendar — not from liblunar-date.
struct FestivalYear {
  int year;
  Date spring_festival;
  Date dragon_boat;
  Date mid_autumn;
};
const FestivalYear kPublished[] = {
    {2025, D(2025, 1, 29), D(2025, 5, 31), D(2025, 10, 6)},
    {2026, D(2026, 2, 17), D(2026, 6, 19), D(2026, 9, 25)},
    {2027, D(2027, 2, 6), D(2027, 6, 9), D(2027, 9, 15)},
    {2028, D(2028, 1, 26), D(2028, 5, 28), D(2028, 10, 3)},
    {2029, D(2029, 2, 13), D(2029, 6, 16), D(2029, 9, 22)},
    {2030, D(2030, 2, 3), D(2030, 6, 5), D(2030, 9, 12)},
    {2031, D(2031, 1, 23), D(2031, 6, 24), D(2031, 10, 1)},
    {2032, D(2032, 2, 11), D(2032, 6, 12), D(2032, 9, 19)},
    {2033, D(2033, 1, 31), D(2033, 6, 1), D(2033, 9, 8)},
    {2034, D(2034, 2, 19), D(2034, 6, 20), D(2034, 9, 27)},
    {2035, D(2035, 2, 8), D(2035, 6, 10), D(2035, 9, 16)},
};

TEST(CareCalendarTest, C1LunarFestivalsMatchThePublishedCalendar2025To2035) {
  CareCalendar cal(2025, 2035);
  const size_t spring = *FindHoliday("spring_festival");
  const size_t dragon = *FindHoliday("dragon_boat");
  const size_t autumn = *FindHoliday("mid_autumn");
  for (const FestivalYear& f : kPublished) {
    SCOPED_TRACE(f.year);
    EXPECT_EQ(HolidayDate("spring_festival", f.year), f.spring_festival);
    EXPECT_EQ(HolidayDate("dragon_boat", f.year), f.dragon_boat);
    EXPECT_EQ(HolidayDate("mid_autumn", f.year), f.mid_autumn);
    // The precomputed calendar gives the same days.
    EXPECT_EQ(cal.HolidayInYear(spring, f.year), f.spring_festival);
    EXPECT_EQ(cal.HolidayInYear(dragon, f.year), f.dragon_boat);
    EXPECT_EQ(cal.HolidayInYear(autumn, f.year), f.mid_autumn);
  }
  // Outside the precomputed years the answer is computed, not missing.
  EXPECT_EQ(cal.HolidayInYear(spring, 2024), D(2024, 2, 10));
  EXPECT_EQ(cal.HolidayInYear(autumn, 2036), D(2036, 10, 4));
}

TEST(CareCalendarTest, C1SolarAndOccupationHolidays) {
  EXPECT_EQ(HolidayDate("new_year", 2027), D(2027, 1, 1));
  EXPECT_EQ(HolidayDate("valentines", 2027), D(2027, 2, 14));
  EXPECT_EQ(HolidayDate("labour_day", 2027), D(2027, 5, 1));
  EXPECT_EQ(HolidayDate("army_day", 2027), D(2027, 8, 1));       // 建军节, for military members
  EXPECT_EQ(HolidayDate("teachers_day", 2027), D(2027, 9, 10));  // 教师节, for teachers
  EXPECT_EQ(HolidayDate("national_day", 2027), D(2027, 10, 1));
  EXPECT_EQ(HolidayDate("christmas", 2027), D(2027, 12, 25));
  EXPECT_EQ(HolidayDate("mothers_day", 2026), D(2026, 5, 10));  // 2nd Sunday of May
  EXPECT_EQ(HolidayDate("fathers_day", 2026), D(2026, 6, 21));  // 3rd Sunday of June
  EXPECT_EQ(HolidayDate("fathers_day", 2027), D(2027, 6, 20));
  EXPECT_EQ(HolidayDate("lantern_festival", 2026), D(2026, 3, 3));  // 正月十五
  EXPECT_EQ(HolidayDate("qixi", 2026), D(2026, 8, 19));             // 七月初七
  EXPECT_EQ(HolidayDate("double_ninth", 2026), D(2026, 10, 18));    // 九月初九
  EXPECT_EQ(HolidayDate("no_such_day", 2026), std::nullopt);
  EXPECT_EQ(FindHoliday("no_such_day"), std::nullopt);
}

TEST(CareCalendarTest, C1EventsBetweenListsEveryHolidayOnceInDateOrder) {
  auto events = EventsBetween(D(2026, 1, 1), D(2026, 12, 31));
  ASSERT_EQ(events.size(), Holidays().size());
  for (size_t i = 1; i < events.size(); ++i) EXPECT_LE(events[i - 1].date, events[i].date);
  std::set<std::string_view> codes;
  for (const auto& e : events) codes.insert(e.code);
  EXPECT_EQ(codes.size(), Holidays().size());
  EXPECT_EQ(events.front(), (CalendarEvent{"new_year", "元旦", D(2026, 1, 1)}));
  EXPECT_EQ(events.back(), (CalendarEvent{"christmas", "圣诞节", D(2026, 12, 25)}));

  // A window across the new year, both ends included.
  auto winter = CareCalendar(2026, 2027).EventsBetween(D(2026, 12, 25), D(2027, 2, 6));
  ASSERT_EQ(winter.size(), 3u);
  EXPECT_EQ(winter[0].code, "christmas");
  EXPECT_EQ(winter[1].code, "new_year");
  EXPECT_EQ(winter[2], (CalendarEvent{"spring_festival", "春节", D(2027, 2, 6)}));
  EXPECT_TRUE(EventsBetween(D(2026, 3, 1), D(2026, 2, 1)).empty());
}

TEST(CareCalendarTest, C1LunarBirthdayMovesEverySolarYear) {
  CareCalendar cal(2025, 2035);
  // Born on 八月十五: the birthday is 中秋 every year, a different solar day.
  CalendarDate b = Lunar(1980, 8, 15);
  for (const FestivalYear& f : kPublished) {
    EXPECT_EQ(cal.BirthdayInYear(b, f.year), f.mid_autumn) << f.year;
  }
  // 正月初一 births celebrate on 春节.
  EXPECT_EQ(cal.NextBirthday(Lunar(1975, 1, 1), D(2027, 1, 1)), D(2027, 2, 6));
  EXPECT_EQ(cal.NextBirthday(Lunar(1975, 1, 1), D(2027, 2, 7)), D(2028, 1, 26));
  // 腊月 birthdays of lunar year 2026 fall in solar 2027.
  EXPECT_EQ(cal.BirthdayInYear(Lunar(1990, 12, 1), 2026)->year(), 2027);
  // A solar birthday never moves; 29 February becomes 28 February.
  EXPECT_EQ(cal.BirthdayInYear(Solar(1988, 5, 20), 2027), D(2027, 5, 20));
  EXPECT_EQ(cal.BirthdayInYear(Solar(1988, 2, 29), 2027), D(2027, 2, 28));
  EXPECT_EQ(cal.BirthdayInYear(Solar(1988, 2, 29), 2028), D(2028, 2, 29));
}

TEST(CareCalendarTest, C1LeapMonthBirthdays) {
  CareCalendar cal(2020, 2040);
  // Born on 闰六月十五 2025 (闰六月初一 = 2025-07-25 in the published calendar).
  CalendarDate leap = Lunar(2025, 6, 15, true);
  EXPECT_EQ(cal.SolarDateOfBirth(leap), D(2025, 8, 8));
  EXPECT_EQ(cal.BirthdayInYear(leap, 2025), D(2025, 8, 8));
  // 2026 has no 闰六月: the birthday is on the ordinary 六月十五.
  EXPECT_EQ(cal.BirthdayInYear(leap, 2026), LunarToSolar(2026, 6, 15, false));
  // 2036 has a 闰六月 again: back on the leap month, one lunar month after 六月十五.
  auto leap2036 = cal.BirthdayInYear(leap, 2036);
  auto plain2036 = LunarToSolar(2036, 6, 15, false);
  ASSERT_TRUE(leap2036 && plain2036);
  EXPECT_EQ(leap2036, LunarToSolar(2036, 6, 15, true));
  int gap = DaysBetween(*plain2036, *leap2036);
  EXPECT_TRUE(gap == 29 || gap == 30) << gap;
  // Someone born on the ordinary 六月十五 of 2025 is not moved to the leap month.
  EXPECT_EQ(cal.BirthdayInYear(Lunar(2025, 6, 15, false), 2025), D(2025, 7, 9));
  // Born on 闰二月三十 2023 (闰二月初一 = 2023-03-22): later years have no 闰二月,
  // so the ordinary 二月三十, or 二月廿九 where 二月 is short.
  CalendarDate leap2 = Lunar(2023, 2, 30, true);
  for (int y = 2024; y <= 2030; ++y) {
    auto expected = LunarToSolar(y, 2, 30, false);
    if (!expected) expected = LunarToSolar(y, 2, 29, false);
    ASSERT_TRUE(expected);
    EXPECT_EQ(cal.BirthdayInYear(leap2, y), expected) << y;
  }
  // The member's own solar day of birth, when the program says so.
  EXPECT_EQ(cal.NextBirthday(leap, D(2027, 1, 1), /*solar_of_birth=*/true), D(2027, 8, 8));
}

// The shared table must never disagree with liblunar-date itself.
TEST(CareCalendarTest, C1FastLunarTableAgreesWithLiblunarDate) {
  CareCalendar cal(2020, 2040);
  int checked = 0;
  for (int y = 2020; y <= 2040; ++y) {
    for (unsigned m = 1; m <= 12; ++m) {
      for (bool leap : {false, true}) {
        for (unsigned d : {1u, 2u, 15u, 28u, 29u, 30u}) {
          CalendarDate b = Lunar(1970, m, d, leap);
          ASSERT_EQ(cal.BirthdayInYear(b, y), BirthdayInYear(b, y))
              << y << "-" << m << "-" << d << (leap ? " leap" : "");
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 21 * 12 * 2 * 6);
  for (int y : {1900, 1950, 2000, 2099}) {
    EXPECT_EQ(cal.SolarDateOfBirth(Lunar(y, 1, 1)), LunarToSolar(y, 1, 1, false)) << y;
  }
  EXPECT_EQ(cal.NextBirthday(Lunar(1970, 12, 30), D(2025, 6, 1)),
            NextBirthday(Lunar(1970, 12, 30), D(2025, 6, 1)));
}

// A server's first lunar conversions can come from several request threads
// at once (two tills posting birthday sales right after a start).
// liblunar-date sets itself up on first use without a lock, and doing so from
// threads at once crashed about one process in 30 (a segfault in libgio).
// Each check runs in a fresh process (gtest re-runs this binary for it), so
// its conversions are that process's first.
void ConvertFromThreadsAtOnce() {
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&ready, i] {
      ++ready;
      while (ready.load() < 8) {
      }
      // A different day per thread: each is a real conversion, none cached.
      if (!LunarToSolar(1990 + i, 5, 5, false)) std::_Exit(2);
    });
  }
  for (auto& t : threads) t.join();
  std::_Exit(0);
}

TEST(LunarCalendar, FirstConversionsFromManyThreadsAtOnceDoNotCrash) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  for (int process = 0; process < 60; ++process) {
    EXPECT_EXIT(ConvertFromThreadsAtOnce(), ::testing::ExitedWithCode(0), "")
        << "process " << process;
  }
}

}  // namespace
}  // namespace vipcare::domain
