// src/store/reports/scope_members.h
#pragma once
#include <cstdint>
#include <map>
#include <string>
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

struct ScopeMembers {
  std::vector<int64_t> store;    // home store; 0 = not in the scope (or not on its tier)
  std::vector<int64_t> created;  // created_at (epoch seconds)
  // With loyalty only: tier (index into `codes`, 0 = '') and last purchase
  // (yyyymmdd, 0 = none); members without a loyalty row have '' and none.
  std::vector<uint16_t> tier;
  TierCodes codes;
  std::vector<int32_t> last;

  size_t size() const { return store.size(); }
  bool In(int64_t id) const { return id > 0 && id < int64_t(store.size()) && store[size_t(id)] != 0; }
};

// The open members (not closed, merged or erased) of `scope`'s home stores,
// on `scope.tier` when given ("none" = without a tier). `with_loyalty` also
// fills tier and last (member_loyalty is read anyway when a tier is asked).
ScopeMembers LoadScopeMembers(Db& db, const ReportScope& scope, bool with_loyalty);

// The largest member id (0 for none): arrays by member id are this + 1 long.
int64_t LargestMemberId(Db& db);

// A 'YYYY-MM-DD' column as yyyymmdd (0 for NULL or ''), which compares as the
// text does; read digit by digit (it runs once per bucket row).
int32_t DayNumber(const Row& r, size_t i);
int32_t DayNumber(Date d);

}  // namespace vipcare::store::reports
