#include "domain/org.h"

#include <optional>
#include <string>
#include <utility>

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

namespace {

std::optional<uint32_t> ParseIpv4(const std::string& text) {
  uint32_t out = 0;
  int parts = 0;
  size_t i = 0;
  while (i <= text.size() && parts < 4) {
    size_t j = i;
    uint32_t v = 0;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9' && j - i < 3) {
      v = v * 10 + uint32_t(text[j] - '0');
      ++j;
    }
    if (j == i || v > 255) return std::nullopt;
    out = (out << 8) | v;
    ++parts;
    if (j == text.size()) break;
    if (text[j] != '.') return std::nullopt;
    i = j + 1;
  }
  if (parts != 4 || text.back() == '.') return std::nullopt;
  return out;
}

// (network, prefix length) of "a.b.c.d/n", or of a plain IPv4 address as /32.
std::optional<std::pair<uint32_t, int>> ParseIpv4Block(const std::string& text) {
  auto slash = text.find('/');
  auto ip = ParseIpv4(text.substr(0, slash));
  if (!ip) return std::nullopt;
  if (slash == std::string::npos) return std::make_pair(*ip, 32);
  const std::string bits = text.substr(slash + 1);
  if (bits.empty() || bits.size() > 2 || bits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  int n = std::stoi(bits);
  if (n > 32) return std::nullopt;
  return std::make_pair(*ip, n);
}

bool IsIpv6(const std::string& text) {
  if (text.size() < 2 || text.size() > 45 || text.find(':') == std::string::npos) return false;
  return text.find_first_not_of("0123456789abcdefABCDEF:.") == std::string::npos;
}

}  // namespace

Status ValidateDeviceEntry(const std::string& kind, const std::string& value) {
  if (kind == "address") {
    if (ParseIpv4Block(value) || IsIpv6(value)) return OkStatus();
    return Error::Invalid("value", "must be an IPv4 or IPv6 address or an IPv4 block like 10.1.2.0/24");
  }
  if (kind == "device") {
    bool ok = value.size() >= 8 && value.size() <= 64 &&
              value.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789._-") == std::string::npos;
    if (ok) return OkStatus();
    return Error::Invalid("value", "a device id must be 8-64 characters of A-Z, a-z, 0-9, '.', '_', '-'");
  }
  return Error::Invalid("kind", "must be address or device");
}

bool DeviceEntryMatches(const std::string& kind, const std::string& value,
                        const std::string& address, const std::string& device_id) {
  if (kind == "device") return !device_id.empty() && device_id == value;
  if (kind != "address") return false;
  if (IsIpv6(value)) return value == address;
  auto block = ParseIpv4Block(value);
  auto ip = ParseIpv4(address);
  if (!block || !ip) return false;
  const uint32_t mask = block->second == 0 ? 0 : ~uint32_t(0) << (32 - block->second);
  return (*ip & mask) == (block->first & mask);
}

}  // namespace vipcare::domain
