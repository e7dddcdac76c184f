#include "domain/org.h"

#include "domain/member.h"

namespace vipcare::domain {
namespace {

Status CheckName(const std::string& v, const char* field, size_t max_chars) {
  long n = Utf8Length(v);
  if (n < 0) return Error::Invalid(field, "must be valid UTF-8 text");
  if (n == 0) return Error::Invalid(field, "is required");
  if (size_t(n) > max_chars) {
    return Error::Invalid(field, "must be at most " + std::to_string(max_chars) + " characters");
  }
  return OkStatus();
}

Status CheckCode(const std::string& v, const char* field) {
  if (v.empty()) return Error::Invalid(field, "is required");
  if (v.size() > 20) return Error::Invalid(field, "must be at most 20 characters");
  for (char c : v) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return Error::Invalid(field, "may contain only letters, digits, '-', '_' and '.'");
  }
  return OkStatus();
}

}  // namespace

const char* ToString(Role r) {
  switch (r) {
    case Role::kAssociate: return "associate";
    case Role::kStoreManager: return "store_manager";
    case Role::kRegionalSupervisor: return "regional_supervisor";
    case Role::kCallCenter: return "call_center";
    case Role::kHqAnalyst: return "hq_analyst";
    case Role::kAdmin: return "admin";
    case Role::kAuditor: return "auditor";
  }
  return "associate";
}

const std::vector<Role>& AllRoles() {
  static const std::vector<Role> kAll = {Role::kAssociate,  Role::kStoreManager,
                                         Role::kRegionalSupervisor, Role::kCallCenter,
                                         Role::kHqAnalyst,  Role::kAdmin, Role::kAuditor};
  return kAll;
}

std::optional<Role> ParseRole(std::string_view s) {
  for (Role r : AllRoles()) {
    if (s == ToString(r)) return r;
  }
  return std::nullopt;
}

Status ValidateRegion(const Region& r) {
  VIPCARE_TRY(CheckCode(r.code, "code"));
  return CheckName(r.name, "name", 50);
}

Status ValidateStore(const Store& s) {
  VIPCARE_TRY(CheckCode(s.code, "code"));
  VIPCARE_TRY(CheckName(s.name, "name", 50));
  if (!s.region_id) return Error::Invalid("region_id", "is required");
  if (Utf8Length(s.city) < 0 || Utf8Length(s.city) > 50) {
    return Error::Invalid("city", "must be at most 50 characters");
  }
  if (Utf8Length(s.address) < 0 || Utf8Length(s.address) > 200) {
    return Error::Invalid("address", "must be at most 200 characters");
  }
  if (!s.phone.empty() && !IsValidPhone(s.phone)) {
    return Error::Invalid("phone", "must be a phone number of 5-20 digits");
  }
  return OkStatus();
}

Status ValidateStaff(const Staff& s) {
  VIPCARE_TRY(CheckCode(s.employee_no, "employee_no"));
  VIPCARE_TRY(CheckName(s.name, "name", 40));
  if ((s.role == Role::kAssociate || s.role == Role::kStoreManager) && !s.store_id) {
    return Error::Invalid("store_id", "is required for associates and store managers");
  }
  if (s.role == Role::kRegionalSupervisor && !s.region_id) {
    return Error::Invalid("region_id", "is required for regional supervisors");
  }
  if (!s.mobile.empty() && !IsValidMobile(s.mobile)) {
    return Error::Invalid("mobile", "must be an 11-digit mainland mobile number");
  }
  return OkStatus();
}

}  // namespace vipcare::domain
