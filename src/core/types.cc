#include "core/types.h"

#include <fmt/format.h>

#include <charconv>

namespace vipcare {
namespace {

bool ParseFixedInt(std::string_view s, int& out) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::optional<Date> Date::Parse(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (!ParseFixedInt(text.substr(0, 4), y) || !ParseFixedInt(text.substr(5, 2), m) ||
      !ParseFixedInt(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(unsigned(m)),
                                  std::chrono::day(unsigned(d))};
  if (!ymd.ok() || y < 1900) return std::nullopt;
  return Date(std::chrono::sys_days(ymd));
}

std::string Date::ToString() const {
  auto v = ymd();
  const int y = int(v.year());
  const unsigned m = unsigned(v.month()), d = unsigned(v.day());
  if (y < 0 || y > 9999) return fmt::format("{:04d}-{:02d}-{:02d}", y, m, d);
  // By hand: dates are written into most rows a posting stores, and fmt's
  // general path was 1.3 % of the group commit's writer.
  std::string out = "0000-00-00";
  out[0] = char('0' + y / 1000);
  out[1] = char('0' + y / 100 % 10);
  out[2] = char('0' + y / 10 % 10);
  out[3] = char('0' + y % 10);
  out[5] = char('0' + m / 10);
  out[6] = char('0' + m % 10);
  out[8] = char('0' + d / 10);
  out[9] = char('0' + d % 10);
  return out;
}

Date Date::AddMonths(int n) const {
  auto v = ymd();
  auto ym = std::chrono::year_month(v.year(), v.month()) + std::chrono::months(n);
  auto last = std::chrono::year_month_day_last(ym.year(), std::chrono::month_day_last(ym.month()));
  auto day = std::min(v.day(), last.day());
  return Date(std::chrono::sys_days(std::chrono::year_month_day(ym.year(), ym.month(), day)));
}

std::string FormatTimestamp(Timestamp t) {
  auto days = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(days);
  std::chrono::hh_mm_ss hms(t - days);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", int(ymd.year()),
                     unsigned(ymd.month()), unsigned(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count());
}

std::optional<Timestamp> ParseTimestamp(std::string_view text) {
  // "YYYY-MM-DDTHH:MM:SSZ" or "YYYY-MM-DDTHH:MM:SS+HH:MM" / "-HH:MM" (RFC 3339).
  std::chrono::minutes offset{0};
  if (text.size() == 25 && (text[19] == '+' || text[19] == '-') && text[22] == ':') {
    int oh = 0, om = 0;
    if (!ParseFixedInt(text.substr(20, 2), oh) || !ParseFixedInt(text.substr(23, 2), om) ||
        oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = std::chrono::minutes((text[19] == '+' ? 1 : -1) * (oh * 60 + om));
    auto utc = ParseTimestamp(std::string(text.substr(0, 19)) + "Z");
    if (!utc) return std::nullopt;
    return *utc - offset;
  }
  if (text.size() != 20 || text[10] != 'T' || text[13] != ':' || text[16] != ':' ||
      text[19] != 'Z') {
    return std::nullopt;
  }
  auto date = Date::Parse(text.substr(0, 10));
  int h = 0, mi = 0, s = 0;
  if (!date || !ParseFixedInt(text.substr(11, 2), h) || !ParseFixedInt(text.substr(14, 2), mi) ||
      !ParseFixedInt(text.substr(17, 2), s) || h > 23 || mi > 59 || s > 59) {
    return std::nullopt;
  }
  return Timestamp(date->days()) + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(s);
}

std::string FormatYuan(Fen amount) {
  int64_t v = amount.value;
  const char* sign = v < 0 ? "-" : "";
  if (v < 0) v = -v;
  return fmt::format("{}{}.{:02d}", sign, v / 100, v % 100);
}

}  // namespace vipcare
