// src/store/reports/scope_members.h
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "store/db.h"
#include "store/report_repository.h"

// What several reports (R3, R4, R7) read of every member in one pass each
// instead of a probe per member: the scope's open members from
// members_report_scope (migration 6) alone and, when asked, every member's
// tier and last purchase from one scan of member_loyalty, in arrays by id.
namespace vipcare::store::reports {

// Tier codes as small numbers for arrays by member id: 0 is '' (no tier),
// the others numbered as first met.
class TierCodes {
 public:
  uint16_t Of(const std::string& code) {
    auto [it, added] = index_.try_emplace(code, uint16_t(codes_.size()));
    if (added) codes_.push_back(code);
    return it->second;
  }
  const std::string& operator[](size_t i) const { return codes_[i]; }
  size_t size() const { return codes_.size(); }

 private:
  std::vector<std::string> codes_ = {""};
  std::map<std::string, uint16_t, std::less<>> index_ = {{"", 0}};
};

// A member's tier as the reports key it (R3-R7). Programs may share tier
// codes (普卡 `normal` of the department store and of premium goods, C/B/A of
// apparel and of key accounts), so a member on a program of their own is
// keyed "program:code"; a member following the company's program ('' in
// member_loyalty.program_code) or put on it by its code (`company`) has the
// plain code; no tier is '' whatever the program. (Codes are a-z, 0-9, '_'
// and '-': the ':' cannot be part of one.)
std::string TierKey(std::string_view program, std::string_view tier, std::string_view company);

// A tier key's program ("" for the company's) and tier code.
struct TierKeyParts {
  std::string_view program;
  std::string_view tier;
};
TierKeyParts SplitTierKey(std::string_view key);

// A key of TierKey(program, tier, "") (as the report rollups keep them) for
// a company whose program is `company`.
std::string FoldTierKey(std::string_view key, std::string_view company);

// The tier filter over member_loyalty `ml` (members without a row have no
// tier: COALESCE): 4 parameters, from AppendTierFilter.
#define VIPCARE_TIER_FILTER(ml)                                                   \
  "COALESCE(" ml ".tier_code, '') = ? AND (? = 1 OR COALESCE(" ml ".program_code, " \
  "'') IN (?, ?))"
// The parameters of VIPCARE_TIER_FILTER for `scope.tier` (which must be
// set): the tier's code, whether any program will do (1 for "none"), and the
// programs the key names (the company's: '' and its code).
void AppendTierFilter(std::vector<Value>& p, const ReportScope& scope);

// "(? = 0 OR " VIPCARE_TIER_FILTER(ml) ")"'s 5 parameters: whether a tier
// is asked, then AppendTierFilter's (any values when none is).
void AppendOptionalTierFilter(std::vector<Value>& p, const ReportScope& scope);

// Program codes of a tier event: kSameProgram unless the event is a program
// change that names the program left (tier_history.from_program).
constexpr uint16_t kSameProgram = 0xFFFF;

// Which program each of a list of tier events (in id order, by member
// `member_of[i]`) had its tiers in: walked newest first from every member's
// program now (`now`, by member id), a program change takes the member back
// to the program it names (`left[i]`, kSameProgram if none). Answers the
// from and to programs of each event, as indexes like those of `now`.
struct EventPrograms {
  std::vector<uint16_t> from;
  std::vector<uint16_t> to;
};
EventPrograms ProgramsOfEvents(const std::vector<uint32_t>& member_of,
                               const std::vector<uint16_t>& left, std::vector<uint16_t> now);

struct ScopeMembers {
  std::vector<int64_t> store;    // home store; 0 = not in the scope (or not on its tier)
  std::vector<int64_t> created;  // created_at (epoch seconds)
  // With loyalty only: tier (index into `codes`, 0 = '') and last purchase
  // (yyyymmdd, 0 = none); members without a loyalty row have '' and none.
  std::vector<uint16_t> tier;
  TierCodes codes;  // tier keys (TierKey)
  std::vector<int32_t> last;
  // With loyalty: the member's program now (index into `programs`, 0 = '').
  std::vector<uint16_t> program;
  TierCodes programs;

  size_t size() const { return store.size(); }
  bool In(int64_t id) const { return id > 0 && id < int64_t(store.size()) && store[size_t(id)] != 0; }
};

// The open members (not closed, merged or erased) of `scope`'s home stores,
// on `scope.tier` when given ("none" = without a tier). `with_loyalty` also
// fills tier (keyed by program, TierKey), program and last (member_loyalty
// is read anyway when a tier is asked).
ScopeMembers LoadScopeMembers(Db& db, const ReportScope& scope, bool with_loyalty);

// The largest member id (0 for none): arrays by member id are this + 1 long.
int64_t LargestMemberId(Db& db);

// A 'YYYY-MM-DD' column as yyyymmdd (0 for NULL or ''), which compares as the
// text does; read digit by digit (it runs once per bucket row).
int32_t DayNumber(const Row& r, size_t i);
int32_t DayNumber(Date d);

}  // namespace vipcare::store::reports
