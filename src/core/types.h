// src/core/types.h
#pragma once
#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vipcare {

// An integer quantity that does not mix with other quantities: Fen + Points
// does not compile. Thread-compatible value type.
template <class Tag>
struct Quantity {
  int64_t value = 0;

  constexpr Quantity() = default;
  constexpr explicit Quantity(int64_t v) : value(v) {}
  constexpr auto operator<=>(const Quantity&) const = default;
  constexpr Quantity operator+(Quantity o) const { return Quantity(value + o.value); }
  constexpr Quantity operator-(Quantity o) const { return Quantity(value - o.value); }
  constexpr Quantity operator-() const { return Quantity(-value); }
  constexpr Quantity& operator+=(Quantity o) { value += o.value; return *this; }
  constexpr Quantity& operator-=(Quantity o) { value -= o.value; return *this; }
};

struct FenTag {};
struct PointsTag {};
// Money in fen (分, 1/100 yuan). Never floating point.
using Fen = Quantity<FenTag>;
using Points = Quantity<PointsTag>;

// A database id of one kind of entity; 0 means "none".
template <class Tag>
struct Id {
  int64_t value = 0;

  constexpr Id() = default;
  constexpr explicit Id(int64_t v) : value(v) {}
  constexpr auto operator<=>(const Id&) const = default;
  constexpr explicit operator bool() const { return value != 0; }
};

using MemberId = Id<struct MemberTag>;
using CardId = Id<struct CardTag>;
using RegionId = Id<struct RegionTag>;
using StoreId = Id<struct StoreTag>;
using StaffId = Id<struct StaffTag>;
using UserId = Id<struct UserTag>;

// A calendar day with no time zone: the company's local date (see core/clock.h).
class Date {
 public:
  constexpr Date() = default;
  constexpr explicit Date(std::chrono::sys_days d) : days_(d) {}
  static Date FromYmd(int y, unsigned m, unsigned d) {
    return Date(std::chrono::sys_days(std::chrono::year_month_day(
        std::chrono::year(y), std::chrono::month(m), std::chrono::day(d))));
  }
  // Parses exactly "YYYY-MM-DD" of a real calendar day; nullopt otherwise.
  static std::optional<Date> Parse(std::string_view text);

  std::chrono::sys_days days() const { return days_; }
  std::chrono::year_month_day ymd() const { return std::chrono::year_month_day(days_); }
  int year() const { return int(ymd().year()); }
  unsigned month() const { return unsigned(ymd().month()); }
  unsigned day() const { return unsigned(ymd().day()); }
  std::string ToString() const;  // "YYYY-MM-DD"

  Date AddDays(int n) const { return Date(days_ + std::chrono::days(n)); }
  // Adds calendar months, clamping the day to the end of the target month.
  Date AddMonths(int n) const;
  Date AddYears(int n) const { return AddMonths(12 * n); }
  auto operator<=>(const Date&) const = default;
  friend int DaysBetween(Date from, Date to) {
    return int((to.days_ - from.days_).count());
  }

 private:
  std::chrono::sys_days days_{};
};

// An instant, second precision, UTC.
using Timestamp = std::chrono::sys_seconds;

// ISO 8601 UTC text "2026-11-23T05:19:11Z".
std::string FormatTimestamp(Timestamp t);
// RFC 3339 with "Z" or an offset: "2026-11-23T13:19:11+08:00" is 05:19:11Z.
std::optional<Timestamp> ParseTimestamp(std::string_view text);
inline int64_t ToEpochSeconds(Timestamp t) { return t.time_since_epoch().count(); }
inline Timestamp FromEpochSeconds(int64_t s) { return Timestamp(std::chrono::seconds(s)); }

// Formats fen as yuan with two decimals: Fen(12345) -> "123.45".
std::string FormatYuan(Fen amount);

}  // namespace vipcare

template <class Tag>
struct std::hash<vipcare::Id<Tag>> {
  size_t operator()(vipcare::Id<Tag> id) const noexcept { return std::hash<int64_t>()(id.value); }
};
