// src/domain/program.h
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace vipcare::domain {

// A loyalty program (SPEC L3-L9) is data: earning rules, expiry, redemption and
// an ordered ladder of tiers with qualification, retention and benefits. The
// structs are plain values; ParseProgram is the only way in from outside and
// checks every rule. Thread-compatible.

// Rates and multipliers are integer basis points: 10000 = 100%. A discount of
// 9500 is 9.5折 (pay 95%); a points multiplier of 15000 earns 1.5x.
using BasisPoints = int32_t;
inline constexpr BasisPoints kFullRate = 10000;

enum class Rounding {
  kPerTransaction,  // each sale earns floor(base / step); the rest is lost
  kCarryRemainder,  // the rest carries to the next sale ("消费额会自动积累")
};
enum class ExpiryMode {
  kNever,
  kRollingMonths,  // valid N months from the day earned
  kYearEnd,        // valid until 31 Dec of the year N years after earning
};
enum class UpgradeMode {
  kAuto,             // a posted sale that qualifies upgrades at once (自动升级)
  kManagerApproval,  // every upgrade waits for the store manager (店长操作)
};
// Which day is a lunar-calendar member's birthday (L8).
enum class BirthdayCalendar {
  kAsFiled,       // the calendar the member file says, lunar birthdays move every year
  kSolarOfBirth,  // the solar day of birth (needs the birth year; else as filed)
};
// Member metrics a tier condition can test (L6). Spend windows are calendar
// months including the current one (see tiers.h).
enum class Metric {
  kSpend3m,  // paid spend, fen
  kSpend6m,
  kSpend12m,
  kFirstPurchase,         // amount of the member's first purchase, fen
  kLargestPurchase12m,    // largest single purchase, fen
  kPurchasesMonth,        // purchases in the current calendar month
  kPurchasesQuarter,      // purchases in the last 3 calendar months
  kGrowthPointsPeriod,    // points earned in the program's qualification period
  kGrowthPointsLifetime,  // points ever earned (成长值; redeeming never lowers it)
  kRankPercentile,        // position in the member base, 1 = top 1%
  kPointsBalance,         // spendable balance: allowed, but growth is preferred
                          // since redeeming points would then demote
};
enum class Op { kAtLeast, kAtMost };

const char* ToString(Rounding r);
const char* ToString(ExpiryMode m);
const char* ToString(UpgradeMode m);
const char* ToString(BirthdayCalendar c);
const char* ToString(Metric m);
const char* ToString(Op op);  // ">=" or "<="
std::optional<Metric> ParseMetric(std::string_view s);

struct CategoryMultiplier {
  std::string category;
  BasisPoints multiplier_bp = kFullRate;  // 0 = the category earns nothing
  bool operator==(const CategoryMultiplier&) const = default;
};

// A campaign bonus window, both days included (L3).
struct Campaign {
  std::string code;
  std::string name;
  Date from;
  Date to;
  BasisPoints multiplier_bp = kFullRate;  // >= 10000; the best one of a line applies
  Points bonus_points;                    // fixed bonus once per qualifying sale
  Fen min_spend;                          // eligible paid amount needed for the bonus
  std::vector<std::string> categories;    // empty = every category
  bool operator==(const Campaign&) const = default;
};

struct EarningRules {
  // `points_per_step` points for every `fen_per_step` fen of earning base:
  // 1 point per 100 yuan is {10000, 1}.
  Fen fen_per_step{10000};
  Points points_per_step{1};
  Rounding rounding = Rounding::kPerTransaction;
  bool promo_lines_earn = false;  // 特价/促销 lines earn nothing unless true
  std::vector<CategoryMultiplier> category_multipliers;
  BasisPoints birthday_multiplier_bp = kFullRate;
  std::vector<Campaign> campaigns;
  bool operator==(const EarningRules&) const = default;
};

struct ExpiryRule {
  ExpiryMode mode = ExpiryMode::kNever;
  int months = 0;      // kRollingMonths: 1-120
  int years = 0;       // kYearEnd: 0 = end of the year earned, 1 = end of next year
  int warn_days = 30;  // members are warned this many days before (L4)
  bool operator==(const ExpiryRule&) const = default;
};

// "每满XX分返XX元": every `every_points` of balance become a voucher.
struct CashBack {
  Points every_points;
  Fen voucher;
  bool automatic = false;  // issued as soon as the balance allows, or on request
  bool operator==(const CashBack&) const = default;
};

struct VoucherDefaults {
  Fen min_spend;
  int valid_days = 90;
  bool operator==(const VoucherDefaults&) const = default;
};

struct RedemptionRules {
  std::optional<CashBack> cash_back;
  VoucherDefaults voucher;
  bool operator==(const RedemptionRules&) const = default;
};

struct CardRules {
  int valid_months = 24;                // 0 = cards do not expire (M3)
  bool points_move_to_new_card = true;  // false: "更换时旧卡积分不得转让进新卡"
  bool operator==(const CardRules&) const = default;
};

struct Condition {
  Metric metric = Metric::kSpend12m;
  Op op = Op::kAtLeast;
  int64_t value = 0;  // fen, count, points or percent as the metric says
  bool operator==(const Condition&) const = default;
};

// any_of(all_of(conditions)): met if every condition of some group holds.
struct Qualification {
  std::vector<std::vector<Condition>> any_of;
  bool approval_required = false;  // e.g. 紫金钻石卡 needs a credit check
  bool operator==(const Qualification&) const = default;
};

// L7: when a member is lowered one level, and how much notice they get.
struct Retention {
  int inactivity_months = 12;            // no purchase for this long; 0 = off
  BasisPoints frequency_drop_bp = 5000;  // purchases in the last 6 months below this
                                         // share of the 6 before; 0 = off
  int frequency_min_prior = 2;           // frequency rule only from this many prior purchases
  bool requalify = false;                // after the qualification period the tier's own
                                         // rules must hold again
  int warning_days = 30;                 // notice before the downgrade takes effect
  int grace_days = 30;                   // after the rule breaks, time to re-qualify
  bool hold_until_period_end = true;     // never before the qualification period ends
  bool operator==(const Retention&) const = default;
};

struct Benefits {
  BasisPoints discount_bp = kFullRate;  // 9500 = 9.5折
  BasisPoints birthday_discount_bp = kFullRate;
  bool birthday_needs_id_check = false;  // "凭身份证原件"
  std::string birthday_gift;
  Points points_threshold;  // balance that unlocks points_threshold_discount_bp; 0 = none
  BasisPoints points_threshold_discount_bp = kFullRate;
  bool member_price = false;  // lines' member prices apply
  int parking_hours = 0;
  BasisPoints alliance_discount_bp = kFullRate;  // at alliance merchants (联盟商家)
  bool free_delivery = false;
  bool priority_service = false;
  Fen credit_min;  // B2B credit allowance band (赊欠额度); max 0 = no upper bound
  Fen credit_max;
  std::vector<std::string> extras;  // other benefits, shown as listed
  bool operator==(const Benefits&) const = default;
};

struct Tier {
  std::string code;
  std::string name;
  BasisPoints points_multiplier_bp = kFullRate;
  Qualification qualify;
  Retention retention;
  Benefits benefits;
  bool operator==(const Tier&) const = default;
};

struct Referral {
  Points reward_points;  // to the referrer, on the new member's first qualifying sale
  Fen min_purchase;
  bool operator==(const Referral&) const = default;
};

struct Program {
  int64_t id = 0;  // database id; 0 = not stored
  std::string code;
  std::string name;
  int64_t version = 1;
  std::string description;
  std::string source;             // the policy document it follows
  int qualification_months = 12;  // growth_points_period window and tier hold period
  UpgradeMode upgrade_mode = UpgradeMode::kAuto;
  BirthdayCalendar birthday_calendar = BirthdayCalendar::kAsFiled;
  EarningRules earning;
  ExpiryRule expiry;
  RedemptionRules redemption;
  CardRules card;
  // M4: a temporary member becomes formal when this holds; nullopt = no
  // temporary stage (approval_required is unused here).
  std::optional<Qualification> temporary_to_formal;
  Referral referral;
  std::vector<Tier> tiers;  // lowest first
  bool operator==(const Program&) const = default;
};

inline constexpr int kMaxTiers = 20;
inline constexpr int kMaxQualificationMonths = 24;  // what the monthly buckets cover

// Reads a program from its JSON form, checking every value; the error names the
// offending field path, e.g. "tiers[2].qualify.any_of[0].all_of[1].value".
// Unknown fields are errors; omitted optional fields take the defaults above.
[[nodiscard]] Result<Program> ParseProgram(const nlohmann::json& j);
// The same from JSON text; a syntax error is kInvalidArgument with field "".
[[nodiscard]] Result<Program> ParseProgramText(std::string_view text);
// The JSON form; ParseProgram(ProgramToJson(p)) == p for every valid p.
nlohmann::json ProgramToJson(const Program& p);

// Index of the tier with `code` in p.tiers, nullopt if none.
std::optional<size_t> FindTier(const Program& p, std::string_view code);

// "¥3,200" or "¥3,200.50": amounts in reasons and hints shown to staff.
std::string YuanText(Fen amount);
// "9.5折", "9折", "8.75折" for a rate in basis points.
std::string ZheText(BasisPoints bp);

}  // namespace vipcare::domain
