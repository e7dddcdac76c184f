// src/domain/member.h
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace vipcare::domain {

// M2 lifecycle. kMerged marks a file absorbed by another (M6); kErased a file
// whose personal fields were destroyed on request (PIPL).
enum class MemberStatus { kProspect, kTemporary, kFormal, kSuspended, kClosed, kMerged, kErased };
enum class Gender { kUnknown, kMale, kFemale };
enum class Calendar { kSolar, kLunar };
enum class MemberSource { kWalkIn, kReferral, kEvent, kOnline, kImport, kOther };

const char* ToString(MemberStatus s);
const char* ToString(Gender g);
const char* ToString(Calendar c);
const char* ToString(MemberSource s);
// The words staff read in exports and print-outs: "正式会员", "女".
const char* ChineseLabel(MemberStatus s);
const char* ChineseLabel(Gender g);
std::optional<MemberStatus> ParseMemberStatus(std::string_view s);
std::optional<Gender> ParseGender(std::string_view s);
std::optional<Calendar> ParseCalendar(std::string_view s);
std::optional<MemberSource> ParseMemberSource(std::string_view s);

// A phone number with the flag the care engine uses to avoid dialling dead
// numbers (C4). An empty number is "none".
struct Phone {
  std::string number;
  bool valid = true;
};

struct Address {
  std::string label;   // "home", "office", free text
  std::string province;
  std::string city;
  std::string district;
  std::string detail;  // street and number
  std::string postcode;
};

// A calendar date in the member's own calendar. For kLunar, month/day are lunar
// and `leap_month` marks the intercalary month; the year may be unknown (0).
struct CalendarDate {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  Calendar calendar = Calendar::kSolar;
  bool leap_month = false;
};

struct FamilyMember {
  std::string name;
  std::string relation;  // spouse, child, parent, ...
  std::optional<CalendarDate> birthday;
  std::string hobbies;
  std::string notes;
};

// Wedding and other anniversaries the care engine greets (C1).
struct Anniversary {
  std::string kind;  // "wedding", "first_purchase", free text
  std::string label;
  CalendarDate date;
};

struct Preferences {
  std::vector<std::string> hobbies;
  std::string clothing_size;
  std::string shoe_size;
  std::vector<std::string> colours;
  std::vector<std::string> brands;
  std::vector<std::string> categories;
  std::string special_needs;  // "温水，瓷杯"
  std::vector<std::string> preferred_channels;  // sms, phone, email, wechat, visit, mail
  std::string dnd_start;  // "HH:MM" local, empty = none
  std::string dnd_end;
  bool marketing_opt_out = false;
};

// B2B key-account fields (SPEC §10 preset 5).
struct BusinessInfo {
  std::string sales_region;
  std::string credit_rating;  // A / B / C or free text
  Fen credit_limit;
  Fen outstanding_debt;
  std::string repayment_record;
  std::string key_decision_maker;
};

// The member file of M1. Plain data; see ValidateMember for the rules.
struct Member {
  MemberId id;
  std::string member_no;
  MemberStatus status = MemberStatus::kTemporary;

  std::string name;
  Gender gender = Gender::kUnknown;
  std::optional<CalendarDate> birthday;
  Phone mobile;
  Phone office_phone;
  Phone home_phone;
  std::string email;
  std::string wechat_id;
  std::vector<Address> addresses;
  std::string occupation;  // teacher, military, medical, ... (drives festivals)
  std::string company;
  std::string job_title;
  std::string id_number;

  std::string spouse_name;
  std::vector<FamilyMember> family;
  std::vector<Anniversary> anniversaries;
  Preferences preferences;
  BusinessInfo business;

  MemberSource source = MemberSource::kWalkIn;
  MemberId referrer_id;
  StoreId home_store_id;
  StaffId associate_id;
  std::vector<std::string> tags;
  std::string notes;

  MemberId merged_into;
  Timestamp created_at{};
  Timestamp updated_at{};
  int64_t version = 0;  // bumped on every change; optimistic concurrency
};

// Known occupations that drive occupation festivals (教师节, 建军节, ...).
const std::vector<std::string>& KnownOccupations();

// Field limits, shared by the validator, the OpenAPI document and the UI.
inline constexpr size_t kMaxNameChars = 40;
inline constexpr size_t kMaxShortText = 100;
inline constexpr size_t kMaxLongText = 2000;
inline constexpr size_t kMaxListItems = 50;

// Checks a date of the member's own calendar; errors name `field`.
Status ValidateCalendarDate(const CalendarDate& d, const std::string& field, Date today);

// Checks every rule of a member file and returns the first violation with the
// field path (e.g. "family[1].birthday"). `today` bounds birthdays.
Status ValidateMember(const Member& m, Date today);

// True for a mainland mobile number: 11 digits starting 13-19.
bool IsValidMobile(std::string_view number);
// True for an office/home number: digits with optional leading +, '-' or spaces, 5-20 chars.
bool IsValidPhone(std::string_view number);
bool IsValidEmail(std::string_view email);
// True for an 18-character resident ID with a correct ISO 7064 check character.
bool IsValidIdNumber(std::string_view id);
// Number of Unicode code points in UTF-8 text; -1 if not valid UTF-8.
long Utf8Length(std::string_view text);

// Statuses a member may move to from `from` by an ordinary status change (M2).
// Merging and erasure have their own operations.
bool CanTransition(MemberStatus from, MemberStatus to);

}  // namespace vipcare::domain
