// src/core/clock.h
#pragma once
#include <atomic>
#include <memory>
#include <string>

#include "core/result.h"
#include "core/types.h"

namespace vipcare {

// The source of "now". Every date-driven feature takes a Clock (or a Date) so
// tests and `vipcare run-jobs --date` can fix it. Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock that stands still at a given instant until moved. Thread-safe.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(Timestamp t);
  Timestamp Now() const override;
  void Set(Timestamp t);
  void Advance(std::chrono::seconds d);

 private:
  std::atomic<int64_t> epoch_;
};

// The company's time zone (IANA name, default "Asia/Shanghai"). Immutable.
class TimeZone {
 public:
  // Returns kInvalidArgument naming `field` if the zone is unknown.
  static Result<TimeZone> Load(const std::string& name, const std::string& field = "timezone");
  const std::string& name() const { return name_; }
  // The local calendar day of instant `t` in this zone.
  Date LocalDate(Timestamp t) const;
  // The instant at which local day `d` begins.
  Timestamp StartOfDay(Date d) const;

 private:
  std::string name_;
  const void* zone_ = nullptr;  // const date::time_zone*
};

}  // namespace vipcare
