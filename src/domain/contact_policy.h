// src/domain/contact_policy.h
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"  // TimeZone
#include "core/result.h"
#include "core/types.h"
#include "domain/member.h"
#include "domain/message_template.h"  // MessagePurpose

namespace vipcare::domain {

// Good manners of the care engine (SPEC C4) as pure checks: no message or
// call to an invalid or empty number, respect for do-not-disturb hours and
// the marketing opt-out, a weekly cap per member. Each refusal carries a
// stable reason code that the outbox stores. No I/O, no clock: "now" is a
// parameter. Thread-safe.

// Stable reason codes (outbox `reason`, task notes, reports).
inline constexpr std::string_view kReasonInvalidNumber = "invalid_number";  // empty, malformed or flagged
inline constexpr std::string_view kReasonInvalidEmail = "invalid_email";    // empty or malformed
inline constexpr std::string_view kReasonOptOut = "opt_out";        // marketing to an opted-out member
inline constexpr std::string_view kReasonDnd = "dnd";               // inside do-not-disturb hours
inline constexpr std::string_view kReasonWeeklyCap = "weekly_cap";  // cap of the last 7 days reached

enum class ContactChannel { kSms, kPhone, kEmail };
const char* ToString(ContactChannel c);  // "sms", "phone", "email"

// The answer of every check. `allowed` is false with `reason` one of the
// codes above and `detail` a Chinese sentence for staff. For kReasonDnd and
// kReasonWeeklyCap, `not_before` is the first instant at which the same
// check would pass (the caller may defer the message until then instead of
// suppressing it).
struct ContactDecision {
  bool allowed = true;
  std::string_view reason;  // "" when allowed
  std::string detail;
  std::optional<Timestamp> not_before;

  static ContactDecision Allow() { return {}; }
};

// True for a mainland mobile number an SMS can go to: 11 digits 1[3-9]xxxxxxxxx.
bool IsSmsMobile(std::string_view number);

// Whether the member can be reached on `channel` at all: SMS needs a valid
// mobile (format and its validity flag), a phone call a valid mobile, office
// or home number, e-mail a well-formed address. A refusal with
// kReasonInvalidNumber means the caller creates a "collect a new number"
// task instead of the message or call (C4).
ContactDecision CheckRecipient(const Member& m, ContactChannel channel);
// The same for a bare mobile number with its validity flag.
ContactDecision CheckMobile(const Phone& mobile);

// Marketing messages are suppressed for an opted-out member; service
// messages are always allowed (P8: withdrawing consent stops marketing).
ContactDecision CheckOptOut(bool marketing_opt_out, MessagePurpose purpose);

// A daily do-not-disturb window in local time, [start, end): "22:00"-"08:00"
// spans midnight; start == end is an empty window.
struct DndWindow {
  int start_minute = 0;  // minutes after local midnight, 0-1439
  int end_minute = 0;

  bool operator==(const DndWindow&) const = default;
};

// Parses "HH:MM" / "HH:MM". Both empty: no window (nullopt). Returns
// kInvalidArgument naming `start_field` or `end_field` for a bad time or
// when only one of the two is given.
[[nodiscard]] Result<std::optional<DndWindow>> ParseDndWindow(std::string_view start,
                                                              std::string_view end,
                                                              const std::string& start_field,
                                                              const std::string& end_field);
// Whether local minute-of-day `minute` (0-1439) is inside the window.
bool InDnd(const DndWindow& w, int minute);
// Minutes from local minute-of-day `minute` to the first minute outside
// every window (0 if outside already; windows may overlap or chain). If the
// windows cover the whole day, nullopt.
std::optional<int> MinutesUntilAllowed(const std::vector<DndWindow>& windows, int minute);
// The first instant at or after `now` outside every window, in `zone`'s
// local time; nullopt if the windows cover the whole day.
std::optional<Timestamp> NextAllowedTime(const std::vector<DndWindow>& windows, Timestamp now,
                                         const TimeZone& zone);
// Allowed if `now` is outside every window; otherwise refused with kReasonDnd
// and `not_before` the next allowed instant (absent if never allowed).
ContactDecision CheckDnd(const std::vector<DndWindow>& windows, Timestamp now,
                         const TimeZone& zone);

// The weekly cap: refused with kReasonWeeklyCap if `sent` (the member's
// send times; any order, older ones ignored) holds `cap` or more in the 7
// days up to `now` (the interval (now - 7 days, now]); `not_before` is when
// the oldest of them leaves that interval. `cap` <= 0 means no cap.
ContactDecision CheckWeeklyCap(const std::vector<Timestamp>& sent, Timestamp now, int cap);

// Everything one message needs to be checked. `quiet_hours` are company-wide
// windows (e.g. no marketing SMS 21:00-08:00) applied with the member's own.
struct SendCheck {
  ContactChannel channel = ContactChannel::kSms;
  MessagePurpose purpose = MessagePurpose::kMarketing;
  const Member* member = nullptr;  // required
  Timestamp now{};
  const TimeZone* zone = nullptr;  // required for DND
  std::vector<Timestamp> recent_sends;  // the member's messages of the last 7 days
  int weekly_cap = 0;                   // <= 0: no cap
  bool cap_service_messages = false;    // by default the cap counts marketing only
  std::vector<DndWindow> quiet_hours;
};

// Runs the checks in order: recipient, opt-out, weekly cap (marketing only
// unless cap_service_messages), do-not-disturb (SMS and phone; e-mail does
// not ring) with the member's window from the file plus `quiet_hours`.
// Returns the first refusal. A malformed window in the file is ignored
// (the member validator rejects it on save).
ContactDecision CheckSend(const SendCheck& c);

}  // namespace vipcare::domain
