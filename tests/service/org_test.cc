// tests/service/org_test.cc
//
// Company, regions, stores and staff through service::Org (SPEC §1) on the
// backend VIPCARE_TEST_BACKEND selects.
#include "service/org.h"

#include <gtest/gtest.h>

#include <string>

#include "testing/fixtures.h"

namespace vipcare::service {
namespace {

using nlohmann::json;

class OrgTest : public ::testing::Test {
 protected:
  template <class T>
  static void ExpectError(const Result<T>& r, ErrorCode code, const std::string& field) {
    ASSERT_FALSE(r.ok()) << "expected an error on " << field;
    EXPECT_EQ(r.error().code, code) << r.error().message;
    EXPECT_EQ(r.error().field, field) << r.error().message;
    EXPECT_FALSE(r.error().message.empty());
  }
  int64_t CountStores() { return org_.ListStores(std::nullopt, {200, 0})->total; }
  int64_t CountStaff() { return org_.ListStaff(fx_.admin(), std::nullopt, std::nullopt, {200, 0})->total; }

  vipcare::testing::ServiceFixture fx_;
  Org org_{fx_.env()};
};

TEST_F(OrgTest, CreatedRegionStoreAndStaffReadBackWithTheirFields) {
  auto region = org_.CreateRegion(fx_.admin(), {{"code", "NORTH"}, {"name", "华北片区"}});
  ASSERT_TRUE(region.ok()) << region.error().message;
  EXPECT_EQ(region->code, "NORTH");
  EXPECT_EQ(region->name, "华北片区");

  auto store = org_.CreateStore(fx_.admin(), {{"code", "BJ01"},
                                              {"name", "北京国贸店"},
                                              {"region_id", region->id.value},
                                              {"city", "北京市"},
                                              {"address", "建国门外大街1号"},
                                              {"phone", "010-65051234"},
                                              {"opened_on", "2021-09-18"}});
  ASSERT_TRUE(store.ok()) << store.error().message;
  auto got = org_.GetStore(store->id);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(ToJson(*got), ToJson(*store));
  EXPECT_EQ(got->name, "北京国贸店");
  EXPECT_EQ(got->region_id, region->id);
  ASSERT_TRUE(got->opened_on.has_value());
  EXPECT_EQ(*got->opened_on, Date::FromYmd(2021, 9, 18));
  EXPECT_TRUE(got->active);

  auto staff = org_.CreateStaff(fx_.admin(), {{"employee_no", "E101"},
                                              {"name", "导购孙悦"},
                                              {"role", "associate"},
                                              {"store_id", store->id.value},
                                              {"mobile", "13911112222"}});
  ASSERT_TRUE(staff.ok()) << staff.error().message;
  auto s = org_.GetStaff(fx_.admin(), staff->id);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->name, "导购孙悦");
  EXPECT_EQ(s->role, domain::Role::kAssociate);
  EXPECT_EQ(s->store_id, store->id);
  EXPECT_EQ(s->region_id, region->id);  // taken from the store
  EXPECT_TRUE(s->active);

  EXPECT_EQ(fx_.CountAudit("store_create"), 4);  // three seeded + this one
  EXPECT_EQ(fx_.CountAudit("staff_create"), 6);
}

TEST_F(OrgTest, DuplicateCodesAre409NamingTheField) {
  const int64_t stores = CountStores();
  const int64_t staff = CountStaff();
  ExpectError(org_.CreateRegion(fx_.admin(), {{"code", "EAST"}, {"name", "另一个华东"}}),
              ErrorCode::kConflict, "code");
  ExpectError(org_.CreateStore(
                  fx_.admin(),
                  {{"code", "SH01"}, {"name", "重复门店"}, {"region_id", fx_.org().east.value}}),
              ErrorCode::kConflict, "code");
  ExpectError(org_.CreateStaff(fx_.admin(), {{"employee_no", "E001"},
                                             {"name", "重复员工"},
                                             {"role", "associate"},
                                             {"store_id", fx_.org().sh02.value}}),
              ErrorCode::kConflict, "employee_no");
  ExpectError(org_.UpdateStore(fx_.admin(), fx_.org().sh02, {{"code", "SH01"}}),
              ErrorCode::kConflict, "code");
  EXPECT_EQ(org_.ListRegions()->size(), 2u);
  EXPECT_EQ(CountStores(), stores);
  EXPECT_EQ(CountStaff(), staff);
  EXPECT_EQ(org_.GetStore(fx_.org().sh02)->code, "SH02");
}

TEST_F(OrgTest, MissingOrUnknownReferencesAre400NamingTheField) {
  const int64_t staff = CountStaff();
  ExpectError(
      org_.CreateStaff(fx_.admin(),
                       {{"employee_no", "E200"}, {"name", "无店导购"}, {"role", "associate"}}),
      ErrorCode::kInvalidArgument, "store_id");
  ExpectError(
      org_.CreateStaff(fx_.admin(),
                       {{"employee_no", "E201"}, {"name", "无店店长"}, {"role", "store_manager"}}),
      ErrorCode::kInvalidArgument, "store_id");
  ExpectError(org_.CreateStaff(
                  fx_.admin(),
                  {{"employee_no", "E202"}, {"name", "主管"}, {"role", "regional_supervisor"}}),
              ErrorCode::kInvalidArgument, "region_id");
  ExpectError(
      org_.CreateStaff(
          fx_.admin(),
          {{"employee_no", "E203"}, {"name", "导购"}, {"role", "associate"}, {"store_id", 999}}),
      ErrorCode::kInvalidArgument, "store_id");
  ExpectError(org_.CreateStaff(fx_.admin(), {{"employee_no", "E204"},
                                             {"name", "主管"},
                                             {"role", "regional_supervisor"},
                                             {"region_id", 999}}),
              ErrorCode::kInvalidArgument, "region_id");
  // A store in one region and a region_id of another do not go together.
  ExpectError(org_.CreateStaff(fx_.admin(), {{"employee_no", "E205"},
                                             {"name", "导购"},
                                             {"role", "associate"},
                                             {"store_id", fx_.org().gz01.value},
                                             {"region_id", fx_.org().east.value}}),
              ErrorCode::kInvalidArgument, "region_id");
  ExpectError(org_.CreateStaff(fx_.admin(), {{"employee_no", "E206"},
                                             {"name", "导购"},
                                             {"role", "cashier"},
                                             {"store_id", fx_.org().sh01.value}}),
              ErrorCode::kInvalidArgument, "role");
  EXPECT_EQ(CountStaff(), staff);

  const int64_t stores = CountStores();
  ExpectError(
      org_.CreateStore(fx_.admin(), {{"code", "XX01"}, {"name", "无片区门店"}, {"region_id", 999}}),
      ErrorCode::kInvalidArgument, "region_id");
  ExpectError(org_.CreateStore(fx_.admin(), {{"code", "XX02"}, {"name", "无片区门店"}}),
              ErrorCode::kInvalidArgument, "region_id");
  ExpectError(org_.UpdateStore(fx_.admin(), fx_.org().sh01, {{"region_id", 999}}),
              ErrorCode::kInvalidArgument, "region_id");
  EXPECT_EQ(CountStores(), stores);
  EXPECT_EQ(org_.GetStore(fx_.org().sh01)->region_id, fx_.org().east);
}

TEST_F(OrgTest, MalformedBodiesAre400NamingTheField) {
  const RegionId east = fx_.org().east;
  ExpectError(
      org_.CreateStore(fx_.admin(), {{"code", "SH 09"}, {"name", "x"}, {"region_id", east.value}}),
      ErrorCode::kInvalidArgument, "code");
  ExpectError(
      org_.CreateStore(fx_.admin(), {{"code", "SH09"}, {"name", ""}, {"region_id", east.value}}),
      ErrorCode::kInvalidArgument, "name");
  ExpectError(org_.CreateStore(fx_.admin(), {{"code", "SH09"}, {"name", "店"}, {"region_id", "1"}}),
              ErrorCode::kInvalidArgument, "region_id");
  ExpectError(
      org_.CreateStore(
          fx_.admin(),
          {{"code", "SH09"}, {"name", "店"}, {"region_id", east.value}, {"phone", "call me"}}),
      ErrorCode::kInvalidArgument, "phone");
  ExpectError(org_.CreateStore(fx_.admin(), {{"code", "SH09"},
                                             {"name", "店"},
                                             {"region_id", east.value},
                                             {"opened_on", "2021-02-30"}}),
              ErrorCode::kInvalidArgument, "opened_on");
  ExpectError(
      org_.CreateStore(
          fx_.admin(),
          {{"code", "SH09"}, {"name", "店"}, {"region_id", east.value}, {"manager", "刘强"}}),
      ErrorCode::kInvalidArgument, "manager");
  ExpectError(org_.CreateStaff(fx_.admin(), {{"employee_no", "E300"},
                                             {"name", "导购"},
                                             {"role", "associate"},
                                             {"store_id", fx_.org().sh01.value},
                                             {"mobile", "1234"}}),
              ErrorCode::kInvalidArgument, "mobile");
  ExpectError(org_.CreateRegion(fx_.admin(), json::array({"EAST"})), ErrorCode::kInvalidArgument,
              "");
}

TEST_F(OrgTest, ListsReturnAPageAndTheTotal) {
  auto all = org_.ListStores(std::nullopt, {2, 0});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, 3);
  ASSERT_EQ(all->items.size(), 2u);
  EXPECT_EQ(all->items[0].code, "SH01");
  EXPECT_EQ(all->items[1].code, "SH02");
  auto rest = org_.ListStores(std::nullopt, {2, 2});
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->items.size(), 1u);
  EXPECT_EQ(rest->items[0].code, "GZ01");

  auto east = org_.ListStores(fx_.org().east, {50, 0});
  ASSERT_TRUE(east.ok());
  EXPECT_EQ(east->total, 2);
  auto south = org_.ListStores(fx_.org().south, {50, 0});
  ASSERT_TRUE(south.ok());
  EXPECT_EQ(south->total, 1);
  EXPECT_EQ(south->items.at(0).code, "GZ01");

  auto sh01 = org_.ListStaff(fx_.admin(), fx_.org().sh01, std::nullopt, {50, 0});
  ASSERT_TRUE(sh01.ok());
  EXPECT_EQ(sh01->total, 2);  // associate and manager
  auto associates = org_.ListStaff(fx_.admin(), std::nullopt, domain::Role::kAssociate, {2, 0});
  ASSERT_TRUE(associates.ok());
  EXPECT_EQ(associates->total, 3);
  EXPECT_EQ(associates->items.size(), 2u);
  auto managers = org_.ListStaff(fx_.admin(), fx_.org().sh01, domain::Role::kStoreManager, {50, 0});
  ASSERT_TRUE(managers.ok());
  ASSERT_EQ(managers->total, 1);
  EXPECT_EQ(managers->items[0].name, "店长刘强");

  auto regions = org_.ListRegions();
  ASSERT_TRUE(regions.ok());
  ASSERT_EQ(regions->size(), 2u);
  EXPECT_EQ((*regions)[0].code, "EAST");
  EXPECT_EQ((*regions)[1].code, "SOUTH");
}

TEST_F(OrgTest, UpdatesChangeOnlyThePatchedFields) {
  auto r = org_.UpdateStore(fx_.admin(), fx_.org().sh02,
                            {{"name", "上海徐家汇旗舰店"}, {"active", false}});
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto s = org_.GetStore(fx_.org().sh02);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->name, "上海徐家汇旗舰店");
  EXPECT_FALSE(s->active);
  EXPECT_EQ(s->code, "SH02");
  EXPECT_EQ(s->city, "上海市");

  auto moved = org_.UpdateStaff(fx_.admin(), fx_.org().associate_sh01,
                                {{"store_id", fx_.org().gz01.value}, {"region_id", nullptr}});
  ASSERT_TRUE(moved.ok()) << moved.error().message;
  EXPECT_EQ(org_.GetStaff(fx_.admin(), fx_.org().associate_sh01)->region_id, fx_.org().south);

  ExpectError(org_.UpdateStore(fx_.admin(), StoreId(999), {{"name", "x"}}), ErrorCode::kNotFound,
              "id");
  ExpectError(org_.UpdateStaff(fx_.admin(), fx_.org().associate_sh02, {{"id", 5}}),
              ErrorCode::kInvalidArgument, "id");
}

TEST_F(OrgTest, CompanyNameAndTimeZoneAreValidated) {
  auto c =
      org_.SetCompany(fx_.admin(), {{"name", "雅致时装有限公司"}, {"timezone", "Asia/Shanghai"}});
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(org_.GetCompany()->name, "雅致时装有限公司");
  ExpectError(org_.SetCompany(fx_.admin(), {{"timezone", "Mars/Olympus"}}),
              ErrorCode::kInvalidArgument, "timezone");
  ExpectError(org_.SetCompany(fx_.admin(), {{"name", ""}}), ErrorCode::kInvalidArgument, "name");
  EXPECT_EQ(org_.GetCompany()->timezone, "Asia/Shanghai");
  EXPECT_EQ(org_.GetCompany()->name, "雅致时装有限公司");
}

// P2 for the organisation: staff lists are scoped like member lists, and a
// colleague's mobile is shown only to those who manage them.
TEST_F(OrgTest, P2StaffAreListedWithinTheActorsScopeAndMobilesMasked) {
  const auto& o = fx_.org();
  ASSERT_TRUE(org_.UpdateStaff(fx_.admin(), o.associate_sh01, {{"mobile", "13900001111"}}).ok());
  Actor assoc = fx_.AddUser("assoc.sh02", domain::Role::kAssociate, o.associate_sh02);
  Actor manager = fx_.AddUser("manager.sh01", domain::Role::kStoreManager, o.manager_sh01);
  Actor supervisor = fx_.AddUser("sup.south", domain::Role::kRegionalSupervisor);
  supervisor.region_id = o.south;
  Actor hq = fx_.AddUser("hq1", domain::Role::kHqAnalyst);

  auto own = org_.ListStaff(assoc, std::nullopt, std::nullopt, {50, 0});
  ASSERT_TRUE(own.ok());
  ASSERT_EQ(own->total, 1);  // SH02 has one associate
  EXPECT_EQ(own->items[0].id, o.associate_sh02);
  ExpectError(org_.ListStaff(assoc, o.sh01, std::nullopt, {50, 0}), ErrorCode::kForbidden,
              "store_id");
  EXPECT_EQ(org_.GetStaff(assoc, o.associate_sh01).error().code, ErrorCode::kForbidden);
  EXPECT_TRUE(org_.GetStaff(assoc, o.associate_sh02).ok());

  auto south = org_.ListStaff(supervisor, std::nullopt, std::nullopt, {50, 0});
  ASSERT_TRUE(south.ok());
  ASSERT_EQ(south->total, 1);
  EXPECT_EQ(south->items[0].id, o.associate_gz01);
  ExpectError(org_.ListStaff(supervisor, o.sh01, std::nullopt, {50, 0}), ErrorCode::kForbidden,
              "store_id");

  // The store manager calls their associate; HQ sees the name, not the number.
  EXPECT_EQ(org_.GetStaff(manager, o.associate_sh01)->mobile, "13900001111");
  EXPECT_EQ(org_.GetStaff(hq, o.associate_sh01)->mobile, "139****1111");
  auto all = org_.ListStaff(hq, std::nullopt, std::nullopt, {50, 0});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->total, CountStaff());
}

}  // namespace
}  // namespace vipcare::service
