// Core vocabulary types: dates, timestamps, money, time zones.
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/result.h"
#include "core/types.h"

namespace vipcare {
namespace {

TEST(DateTest, ParsesOnlyRealCalendarDays) {
  EXPECT_EQ(Date::Parse("2024-02-29")->ToString(), "2024-02-29");
  EXPECT_FALSE(Date::Parse("2023-02-29"));
  EXPECT_FALSE(Date::Parse("1990-02-30"));
  EXPECT_FALSE(Date::Parse("2024-13-01"));
  EXPECT_FALSE(Date::Parse("2024-1-01"));
  EXPECT_FALSE(Date::Parse("2024-01-01 "));
  EXPECT_FALSE(Date::Parse("20240101"));
  EXPECT_FALSE(Date::Parse("abcd-ef-gh"));
  EXPECT_FALSE(Date::Parse("1899-12-31"));
}

TEST(DateTest, EveryDayFrom1900To2199IsWrittenAsParsed) {
  int days = 0;
  for (Date d = Date::FromYmd(1900, 1, 1); d < Date::FromYmd(2200, 1, 1); d = d.AddDays(1)) {
    const std::string text = d.ToString();
    const auto back = Date::Parse(text);
    ASSERT_TRUE(back.has_value()) << text;
    ASSERT_EQ(*back, d) << text;
    ++days;
  }
  EXPECT_EQ(days, 109573);  // 300 years of 365 days and 73 leap days
  EXPECT_EQ(Date::FromYmd(2000, 2, 29).ToString(), "2000-02-29");
  EXPECT_EQ(Date::FromYmd(1999, 12, 31).AddDays(1).ToString(), "2000-01-01");
}

TEST(DateTest, AddMonthsClampsToMonthEnd) {
  EXPECT_EQ(Date::FromYmd(2026, 1, 31).AddMonths(1).ToString(), "2026-02-28");
  EXPECT_EQ(Date::FromYmd(2024, 2, 29).AddYears(2).ToString(), "2026-02-28");
  EXPECT_EQ(Date::FromYmd(2026, 11, 23).AddMonths(-12).ToString(), "2025-11-23");
  EXPECT_EQ(Date::FromYmd(2026, 11, 23).AddDays(5).ToString(), "2026-11-28");
  EXPECT_EQ(DaysBetween(Date::FromYmd(2026, 1, 1), Date::FromYmd(2026, 12, 31)), 364);
}

TEST(TimestampTest, RoundTripsIsoText) {
  auto t = ParseTimestamp("2026-11-23T05:19:11Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(FormatTimestamp(*t), "2026-11-23T05:19:11Z");
  EXPECT_FALSE(ParseTimestamp("2026-11-23 05:19:11"));
  EXPECT_FALSE(ParseTimestamp("2026-11-23T25:19:11Z"));
}

// A till sends its local time with the offset (RFC 3339), as the API's error
// messages suggest.
TEST(TimestampTest, AcceptsRfc3339Offsets) {
  EXPECT_EQ(ParseTimestamp("2026-11-23T09:00:00+08:00"), ParseTimestamp("2026-11-23T01:00:00Z"));
  EXPECT_EQ(ParseTimestamp("2026-11-23T01:30:00-05:30"), ParseTimestamp("2026-11-23T07:00:00Z"));
  EXPECT_EQ(ParseTimestamp("2026-11-23T00:30:00+08:00"), ParseTimestamp("2026-11-22T16:30:00Z"));
  EXPECT_FALSE(ParseTimestamp("2026-11-23T09:00:00+8:00"));
  EXPECT_FALSE(ParseTimestamp("2026-11-23T09:00:00+24:00"));
  EXPECT_FALSE(ParseTimestamp("2026-11-23T09:00:00+08:60"));
  EXPECT_FALSE(ParseTimestamp("2026-11-23T09:00:00"));
}

TEST(MoneyTest, FenFormatsAsYuanWithoutFloatingPoint) {
  EXPECT_EQ(FormatYuan(Fen(12345)), "123.45");
  EXPECT_EQ(FormatYuan(Fen(-5)), "-0.05");
  EXPECT_EQ(FormatYuan(Fen(0)), "0.00");
  Fen a(100), b(250);
  EXPECT_EQ((a + b).value, 350);
  EXPECT_LT(a, b);
}

TEST(TimeZoneTest, ShanghaiLocalDateDiffersFromUtcAfter16h) {
  auto tz = TimeZone::Load("Asia/Shanghai");
  ASSERT_TRUE(tz.ok());
  // 2026-11-23 17:00 UTC is already 2026-11-24 01:00 in Shanghai.
  auto t = *ParseTimestamp("2026-11-23T17:00:00Z");
  EXPECT_EQ(tz->LocalDate(t).ToString(), "2026-11-24");
  EXPECT_EQ(FormatTimestamp(tz->StartOfDay(Date::FromYmd(2026, 11, 24))), "2026-11-23T16:00:00Z");
}

TEST(TimeZoneTest, UnknownZoneNamesTheField) {
  auto tz = TimeZone::Load("Mars/Olympus", "timezone");
  ASSERT_FALSE(tz.ok());
  EXPECT_EQ(tz.error().field, "timezone");
  EXPECT_EQ(tz.error().code, ErrorCode::kInvalidArgument);
}

TEST(ClockTest, FixedClockMovesOnlyWhenTold) {
  FixedClock c(*ParseTimestamp("2026-11-23T02:00:00Z"));
  EXPECT_EQ(FormatTimestamp(c.Now()), "2026-11-23T02:00:00Z");
  c.Advance(std::chrono::hours(3));
  EXPECT_EQ(FormatTimestamp(c.Now()), "2026-11-23T05:00:00Z");
}

TEST(ResultTest, CarriesValueOrErrorWithField) {
  Result<int> ok = 5;
  Result<int> bad = Error::Invalid("mobile", "must be 11 digits");
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(*ok, 5);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "mobile");
  EXPECT_STREQ(ErrorCodeName(bad.error().code), "invalid_argument");
}

}  // namespace
}  // namespace vipcare
