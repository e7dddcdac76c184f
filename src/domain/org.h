// src/domain/org.h
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace vipcare::domain {

// SPEC §1 roles.
enum class Role {
  kAssociate,           // 导购/店员
  kStoreManager,        // 店长
  kRegionalSupervisor,  // 片区主管
  kCallCenter,          // 客服/热线
  kHqAnalyst,           // 总部分析
  kAdmin,               // 系统管理员
  kAuditor,             // 审计
};
const char* ToString(Role r);
std::optional<Role> ParseRole(std::string_view s);
const std::vector<Role>& AllRoles();

struct Company {
  std::string name;
  std::string timezone = "Asia/Shanghai";
};

struct Region {
  RegionId id;
  std::string code;  // unique, e.g. "EAST"
  std::string name;  // 华东片区
};

struct Store {
  StoreId id;
  std::string code;  // unique, e.g. "SH01"
  std::string name;
  RegionId region_id;
  std::string city;
  std::string address;
  std::string phone;
  std::optional<Date> opened_on;
  bool active = true;
  // The program the store's new members start on (L6); "" = the company's.
  std::string program_code;
};

struct Staff {
  StaffId id;
  std::string employee_no;  // unique
  std::string name;
  Role role = Role::kAssociate;
  StoreId store_id;    // set for associates and store managers
  RegionId region_id;  // set for regional supervisors
  std::string mobile;
  bool active = true;
};

// Rule checks for organisation records; errors name the field.
Status ValidateRegion(const Region& r);
Status ValidateStore(const Store& s);
// Associates and store managers need a store; supervisors need a region.
Status ValidateStaff(const Staff& s);

// Device allow-list entries (P7). An "address" entry is an exact IPv4/IPv6
// address or an IPv4 CIDR block ("10.1.2.0/24"); a "device" entry is an id the
// store's PC or tablet sends in the X-Device-Id header (8-64 of [A-Za-z0-9._-]).
Status ValidateDeviceEntry(const std::string& kind, const std::string& value);
bool DeviceEntryMatches(const std::string& kind, const std::string& value,
                        const std::string& address, const std::string& device_id);

}  // namespace vipcare::domain
