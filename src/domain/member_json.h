// src/domain/member_json.h
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "core/result.h"
#include "domain/member.h"

namespace vipcare::domain {

// The member file as JSON: the API representation and, minus the fields kept
// in columns, the stored profile document. Field names are the API's.
nlohmann::json MemberToJson(const Member& m);

// The parts of the file that are not columns of `members` (phones other than
// the mobile, addresses, family, preferences, business, ...), as stored text.
std::string ProfileToJson(const Member& m);
// Reads a stored profile document into `m`. Throws std::runtime_error on a
// corrupt document (infrastructure failure, never user input).
void ProfileFromJson(std::string_view text, Member& m);
// Only what the care engine reads of a stored profile (phones, e-mail,
// WeChat id, whether addresses have a street, anniversaries, opt-out and
// do-not-disturb hours, business figures), read directly without the
// validating field appliers: batch jobs read it for every member.
void CareProfileFromJson(std::string_view text, Member& m);

enum class ApplyMode {
  kCreate,  // status may be set (prospect / temporary / formal)
  kUpdate,  // status, ids and timestamps are read-only
};

// Copies the fields present in `body` onto `m`, checking each value's type and
// shape; unknown or read-only fields are errors naming the field. Does not run
// ValidateMember (the caller does, after applying). On error `m` may be partly
// changed: callers apply to a copy.
Status ApplyMemberJson(const nlohmann::json& body, Member& m, ApplyMode mode);

// "YYYY-MM-DD" read in `calendar`: solar dates must exist, lunar ones have month
// 1-12 and day 1-30.
std::optional<CalendarDate> ParseCalendarDate(std::string_view text, Calendar calendar);
std::string FormatCalendarDate(const CalendarDate& d);

}  // namespace vipcare::domain
