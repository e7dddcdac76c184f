#include "core/clock.h"

#include <date/tz.h>

#include <atomic>

namespace vipcare {

Timestamp SystemClock::Now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

FixedClock::FixedClock(Timestamp t) : epoch_(ToEpochSeconds(t)) {}
Timestamp FixedClock::Now() const { return FromEpochSeconds(epoch_.load()); }
void FixedClock::Set(Timestamp t) { epoch_.store(ToEpochSeconds(t)); }
void FixedClock::Advance(std::chrono::seconds d) { epoch_.fetch_add(d.count()); }

Result<TimeZone> TimeZone::Load(const std::string& name, const std::string& field) {
  TimeZone tz;
  try {
    tz.zone_ = date::locate_zone(name);
  } catch (const std::exception&) {
    return Error::Invalid(field, "unknown time zone: " + name);
  }
  tz.name_ = name;
  return tz;
}

Date TimeZone::LocalDate(Timestamp t) const {
  auto* z = static_cast<const date::time_zone*>(zone_);
  auto local = z->to_local(t);
  return Date(std::chrono::sys_days(
      std::chrono::floor<std::chrono::days>(local).time_since_epoch()));
}

Timestamp TimeZone::StartOfDay(Date d) const {
  auto* z = static_cast<const date::time_zone*>(zone_);
  date::local_seconds local{std::chrono::seconds(d.days().time_since_epoch())};
  return std::chrono::floor<std::chrono::seconds>(
      z->to_sys(local, date::choose::earliest));
}

}  // namespace vipcare
