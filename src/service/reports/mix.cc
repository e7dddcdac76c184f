// R7 category / brand / price band of member sales; age and gender of members.
//
// category_mix answers {"columns", "by", "rows": [{"key", "name", "sales_fen",
// "share_bp", "quantity", "members", "lines"}], "totals": {"sales_fen",
// "share_bp", "quantity", "members", "lines", "all_sales_fen",
// "member_share_bp"}}:
//   by         the filter `by`: category (default), brand or price_band;
//   rows       member sales of the period at the scope's stores under each
//              category / brand (most sales first; key '' = none given, shown
//              as 未分类 / 未标品牌) or each price band of the unit paid price
//              (all six bands in order, keys "0-199" ... "5000+" yuan);
//              sales_fen net of refunds, share_bp of the member sales,
//              quantity units sold, members distinct buyers, lines sale lines;
//   totals     the same over everything (members distinct overall), with
//              all_sales_fen every sale at the scope's stores, members or not,
//              and member_share_bp = member sales / all sales.
// member_profile answers {"columns", "as_of", "rows": [{"age_band",
// "gender", "gender_code", "members", "buyers", "sales_fen",
// "avg_spend_fen"}], "totals": {...the four figures}, "by_age":
// [{"age_band", "members", "buyers", "sales_fen"}], "by_gender": [{"gender",
// "gender_code", "members", "buyers", "sales_fen"}]}:
//   age_band   "<25", "25-34", "35-44", "45-54", "55+", or "未知" (no
//              birthday), the age on the period's last day (as_of); a lunar
//              birthday counts from its solar day of birth;
//   members    open files of the scope (home store) registered by as_of;
//   buyers     members with a sale at the scope's stores in the period,
//              sales_fen their sales there net of refunds, avg_spend_fen =
//              sales / buyers rounded to the fen (null without buyers). A
//              buyer whose home store is elsewhere counts as a buyer here but
//              not among the members; an erased file's sales stay, under 未知.
//   rows       the age band x gender cells with members or buyers (bands in
//              order, then 女, 男, 未知); by_age and by_gender every band and
//              gender, for the charts.
// The tier filter keeps members whose tier NOW is that code ("none" =
// without a tier). How the queries scale: store/reports/mix.h.
#include <array>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/clock.h"
#include "domain/lunar.h"
#include "domain/member_json.h"
#include "service/loyalty_core.h"
#include "service/reports/report_fns.h"
#include "store/reports/mix.h"

namespace vipcare::service::reports {

using json = nlohmann::json;
using store::reports::MixBy;

namespace {

// The tier filter must name a tier of a program members are on, or "none".
Status CheckTier(const ReportQuery& q, store::Repository& repo) {
  if (!q.scope.tier || *q.scope.tier == "none") return OkStatus();
  const domain::Program program = loyalty_core::ProgramBook(repo.loyalty()).Ladder();
  if (domain::FindTier(program, *q.scope.tier)) return OkStatus();
  return Error::Invalid("tier", fmt::format("\"{}\" is not a tier of the programs members are on ({}) "
                                            "(\"none\" = members without a tier)",
                                            *q.scope.tier, program.code));
}

const char* BandName(const std::string& key) {
  if (key == "0-199") return "200元以下";
  if (key == "200-499") return "200-499元";
  if (key == "500-999") return "500-999元";
  if (key == "1000-1999") return "1000-1999元";
  if (key == "2000-4999") return "2000-4999元";
  return "5000元及以上";
}

// a / b rounded half away from zero; b > 0.
int64_t RoundDiv(int64_t a, int64_t b) {
  return a >= 0 ? (2 * a + b) / (2 * b) : -((-2 * a + b) / (2 * b));
}

json AverageFen(Fen sales, int64_t buyers) {
  return buyers > 0 ? json(RoundDiv(sales.value, buyers)) : json(nullptr);
}

constexpr std::array<const char*, 6> kAgeBands = {"<25", "25-34", "35-44", "45-54", "55+", "未知"};
constexpr size_t kUnknownAge = kAgeBands.size() - 1;
constexpr std::array<domain::Gender, 3> kGenders = {domain::Gender::kFemale, domain::Gender::kMale,
                                                   domain::Gender::kUnknown};

// The age band of a stored birthday (members.birthday: "YYYY-MM-DD", "L"
// after a lunar leap month) on day `on`.
size_t AgeBand(std::string text, const std::string& calendar, Date on) {
  if (text.empty()) return kUnknownAge;
  const bool leap = text.back() == 'L';
  if (leap) text.pop_back();
  auto date = domain::ParseCalendarDate(
      text, domain::ParseCalendar(calendar).value_or(domain::Calendar::kSolar));
  if (!date) return kUnknownAge;
  date->leap_month = leap;
  auto born = domain::SolarDateOfBirth(*date);
  if (!born) return kUnknownAge;
  int age = on.year() - born->year();
  if (std::pair(on.month(), on.day()) < std::pair(born->month(), born->day())) --age;
  if (age < 0) return kUnknownAge;
  if (age < 25) return 0;
  if (age < 35) return 1;
  if (age < 45) return 2;
  if (age < 55) return 3;
  return 4;
}

size_t GenderIndex(const std::string& code) {
  const auto g = domain::ParseGender(code).value_or(domain::Gender::kUnknown);
  for (size_t i = 0; i < kGenders.size(); ++i) {
    if (kGenders[i] == g) return i;
  }
  return kGenders.size() - 1;
}

struct ProfileCell {
  int64_t members = 0;
  int64_t buyers = 0;
  Fen sales{0};
  void Add(const ProfileCell& o) {
    members += o.members;
    buyers += o.buyers;
    sales += o.sales;
  }
};

}  // namespace

ReportResult CategoryMix(const ReportQuery& q, store::Repository& repo) {
  const std::string by = Param(q.params, "by").empty() ? "category" : Param(q.params, "by");
  MixBy mix_by;
  if (by == "category") {
    mix_by = MixBy::kCategory;
  } else if (by == "brand") {
    mix_by = MixBy::kBrand;
  } else if (by == "price_band") {
    mix_by = MixBy::kPriceBand;
  } else {
    return Error::Invalid("by", "must be category, brand or price_band");
  }
  VIPCARE_TRY(CheckTier(q, repo));

  auto& r = repo.reports();
  auto mix = store::reports::MemberSalesMix(r, mix_by, q.from_day, q.to_day, q.scope);
  auto& groups = mix.groups;
  const auto& total = mix.total;
  const Fen all = store::reports::AllSales(r, q.from_day, q.to_day, q.scope);
  if (mix_by == MixBy::kPriceBand) {
    // Every band, in order.
    std::vector<store::reports::MixRow> bands;
    for (const char* key : store::reports::kPriceBands) {
      store::reports::MixRow row;
      row.key = key;
      for (const auto& g : groups) {
        if (g.key == key) row = g;
      }
      bands.push_back(row);
    }
    groups = std::move(bands);
  }

  json rows = json::array();
  for (const auto& g : groups) {
    std::string name = g.key;
    if (mix_by == MixBy::kPriceBand) {
      name = BandName(g.key);
    } else if (g.key.empty()) {
      name = mix_by == MixBy::kCategory ? "未分类" : "未标品牌";
    }
    rows.push_back({{"key", g.key},
                    {"name", name},
                    {"sales_fen", g.sales.value},
                    {"share_bp", ShareBp(g.sales.value, total.sales.value)},
                    {"quantity", g.quantity},
                    {"members", g.members},
                    {"lines", g.lines}});
  }
  const char* title = mix_by == MixBy::kCategory ? "品类" : mix_by == MixBy::kBrand ? "品牌" : "价格带";
  return json{{"columns", ColumnsJson({{"name", title, "text"},
                                       {"sales_fen", "会员销售额", "fen"},
                                       {"share_bp", "占比", "bp"},
                                       {"quantity", "件数"},
                                       {"members", "购买会员数"},
                                       {"lines", "销售行数"}})},
              {"by", by},
              {"rows", rows},
              {"totals",
               {{"sales_fen", total.sales.value},
                {"share_bp", ShareBp(total.sales.value, total.sales.value)},
                {"quantity", total.quantity},
                {"members", total.members},
                {"lines", total.lines},
                {"all_sales_fen", all.value},
                {"member_share_bp", ShareBp(total.sales.value, all.value)}}}};
}

ReportResult MemberProfile(const ReportQuery& q, store::Repository& repo) {
  VIPCARE_TRY(CheckTier(q, repo));
  const TimeZone* zone = &q.tz;

  auto& r = repo.reports();
  std::array<std::array<ProfileCell, kGenders.size()>, kAgeBands.size()> grid{};
  // Lunar conversions are per distinct birthday, not per row.
  std::map<std::pair<std::string, std::string>, size_t> bands;
  auto band_of = [&](const store::reports::ProfileGroup& g) {
    auto key = std::pair(g.birthday, g.calendar);
    auto it = bands.find(key);
    if (it == bands.end()) it = bands.emplace(key, AgeBand(g.birthday, g.calendar, q.to_day)).first;
    return it->second;
  };
  const Timestamp registered_before = zone->StartOfDay(q.to_day.AddDays(1));
  for (const auto& g : store::reports::MembersByProfile(r, registered_before, q.scope)) {
    grid[band_of(g)][GenderIndex(g.gender)].members += g.members;
  }
  for (const auto& g : store::reports::BuyersByProfile(r, q.from_day, q.to_day, q.scope)) {
    ProfileCell& c = grid[band_of(g)][GenderIndex(g.gender)];
    c.buyers += g.buyers;
    c.sales += g.sales;
  }

  json rows = json::array(), by_age = json::array(), by_gender = json::array();
  ProfileCell total;
  std::array<ProfileCell, kGenders.size()> genders{};
  for (size_t a = 0; a < kAgeBands.size(); ++a) {
    ProfileCell age;
    for (size_t g = 0; g < kGenders.size(); ++g) {
      const ProfileCell& c = grid[a][g];
      age.Add(c);
      genders[g].Add(c);
      if (c.members == 0 && c.buyers == 0 && c.sales.value == 0) continue;
      rows.push_back({{"age_band", kAgeBands[a]},
                      {"gender", domain::ChineseLabel(kGenders[g])},
                      {"gender_code", domain::ToString(kGenders[g])},
                      {"members", c.members},
                      {"buyers", c.buyers},
                      {"sales_fen", c.sales.value},
                      {"avg_spend_fen", AverageFen(c.sales, c.buyers)}});
    }
    by_age.push_back({{"age_band", kAgeBands[a]},
                      {"members", age.members},
                      {"buyers", age.buyers},
                      {"sales_fen", age.sales.value}});
    total.Add(age);
  }
  for (size_t g = 0; g < kGenders.size(); ++g) {
    by_gender.push_back({{"gender", domain::ChineseLabel(kGenders[g])},
                         {"gender_code", domain::ToString(kGenders[g])},
                         {"members", genders[g].members},
                         {"buyers", genders[g].buyers},
                         {"sales_fen", genders[g].sales.value}});
  }
  return json{{"columns", ColumnsJson({{"age_band", "年龄段", "text"},
                                       {"gender", "性别", "text"},
                                       {"members", "会员数"},
                                       {"buyers", "消费会员数"},
                                       {"sales_fen", "消费额", "fen"},
                                       {"avg_spend_fen", "人均消费", "fen"}})},
              {"as_of", q.to_day.ToString()},
              {"rows", rows},
              {"totals",
               {{"members", total.members},
                {"buyers", total.buyers},
                {"sales_fen", total.sales.value},
                {"avg_spend_fen", AverageFen(total.sales, total.buyers)}}},
              {"by_age", by_age},
              {"by_gender", by_gender}};
}

}  // namespace vipcare::service::reports
