// src/service/org.h
#pragma once
#include <nlohmann/json.hpp>
#include <optional>

#include "core/result.h"
#include "domain/org.h"
#include "service/context.h"
#include "store/repository.h"

namespace vipcare::service {

// Company -> regions (片区) -> stores (门店) -> staff (员工) (SPEC §1).
// Writes are audited. Thread-safe.
class Org {
 public:
  explicit Org(Env env) : env_(env) {}

  Result<domain::Company> GetCompany();
  Result<domain::Company> SetCompany(const Actor& actor, const nlohmann::json& body);

  Result<domain::Region> CreateRegion(const Actor& actor, const nlohmann::json& body);
  Result<std::vector<domain::Region>> ListRegions();

  Result<domain::Store> CreateStore(const Actor& actor, const nlohmann::json& body);
  Result<domain::Store> UpdateStore(const Actor& actor, StoreId id, const nlohmann::json& patch);
  Result<domain::Store> GetStore(StoreId id);
  Result<store::PageOf<domain::Store>> ListStores(std::optional<RegionId> region, store::Page page);

  Result<domain::Staff> CreateStaff(const Actor& actor, const nlohmann::json& body);
  Result<domain::Staff> UpdateStaff(const Actor& actor, StaffId id, const nlohmann::json& patch);
  // Staff records within the actor's scope (ApplyStaffScope); mobiles masked
  // for those who may not call the person (SeesStaffContact).
  Result<domain::Staff> GetStaff(const Actor& actor, StaffId id);
  Result<store::PageOf<domain::Staff>> ListStaff(const Actor& actor, std::optional<StoreId> store,
                                                 std::optional<domain::Role> role,
                                                 store::Page page);

  // P7 device allow-list of a store: admins for any store, a store manager
  // for their own. Once a store has an active entry, its associates and
  // manager may only sign in and work from the listed addresses or devices.
  Result<store::DeviceRecord> AddDevice(const Actor& actor, const nlohmann::json& body);
  Result<std::vector<store::DeviceRecord>> ListDevices(const Actor& actor,
                                                       std::optional<StoreId> store);
  Result<store::DeviceRecord> SetDeviceActive(const Actor& actor, int64_t id, bool active);

 private:
  Env env_;
};

nlohmann::json ToJson(const domain::Region& r);
nlohmann::json ToJson(const domain::Store& s);
nlohmann::json ToJson(const domain::Staff& s);

}  // namespace vipcare::service
