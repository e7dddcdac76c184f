#include "domain/program.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

#include "domain/json_object.h"
#include "domain/member.h"

namespace vipcare::domain {
namespace {

using nlohmann::json;

constexpr int64_t kMaxFen = 100'000'000'000;  // 10亿元: far above any sale or threshold
constexpr int64_t kMaxPoints = 1'000'000'000;
constexpr BasisPoints kMaxMultiplier = 100000;  // x10
constexpr size_t kMaxCodeChars = 40;
constexpr size_t kMaxNameChars = 100;
constexpr size_t kMaxTextChars = 2000;
constexpr size_t kMaxItems = 50;

constexpr std::array kRoundings = {Rounding::kPerTransaction, Rounding::kCarryRemainder};
constexpr std::array kExpiryModes = {ExpiryMode::kNever, ExpiryMode::kRollingMonths,
                                     ExpiryMode::kYearEnd};
constexpr std::array kUpgradeModes = {UpgradeMode::kAuto, UpgradeMode::kManagerApproval};
constexpr std::array kBirthdayCalendars = {BirthdayCalendar::kAsFiled,
                                           BirthdayCalendar::kSolarOfBirth};
constexpr std::array kMetrics = {Metric::kSpend3m,
                                 Metric::kSpend6m,
                                 Metric::kSpend12m,
                                 Metric::kFirstPurchase,
                                 Metric::kLargestPurchase12m,
                                 Metric::kPurchasesMonth,
                                 Metric::kPurchasesQuarter,
                                 Metric::kGrowthPointsPeriod,
                                 Metric::kGrowthPointsLifetime,
                                 Metric::kRankPercentile,
                                 Metric::kPointsBalance};
constexpr std::array kOps = {Op::kAtLeast, Op::kAtMost};

bool IsCode(std::string_view s) {
  if (s.empty() || s.size() > kMaxCodeChars) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// The program document's reader: the shared checks plus money, points,
// rates and program codes.
class Obj : public JsonObject<Obj> {
 public:
  using JsonObject::JsonObject;
  using JsonObject::Int;
  Status Fen(std::string_view key, vipcare::Fen& out, int64_t lo = 0, bool required = false) {
    return Int(key, out.value, lo, kMaxFen, required);
  }
  Status Points(std::string_view key, vipcare::Points& out, int64_t lo = 0, bool required = false) {
    return Int(key, out.value, lo, kMaxPoints, required);
  }
  Status Rate(std::string_view key, BasisPoints& out, int lo, int hi) {
    return Int(key, out, lo, hi);
  }
  Status Code(std::string_view key, std::string& out) {
    return JsonObject::Code(key, out, IsCode, "must be 1-40 characters of a-z, 0-9, '_' or '-'");
  }
  Status Texts(std::string_view key, std::vector<std::string>& out, size_t max_chars) {
    return JsonObject::Texts(key, out, max_chars, kMaxItems);
  }
};

Status ReadCondition(Obj& o, Condition& c) {
  const json* m = o.Get("metric");
  if (!m) return Error::Invalid(o.Path("metric"), "is required");
  auto metric = m->is_string() ? ParseMetric(m->get<std::string>()) : std::nullopt;
  if (!metric) return Error::Invalid(o.Path("metric"), "must be one of " + Choices(kMetrics));
  c.metric = *metric;
  const json* op = o.Get("op");
  if (!op) return Error::Invalid(o.Path("op"), "is required");
  auto parsed = op->is_string() ? ParseEnum(op->get<std::string>(), kOps) : std::nullopt;
  if (!parsed) return Error::Invalid(o.Path("op"), "must be \">=\" or \"<=\"");
  c.op = *parsed;
  int64_t hi = c.metric == Metric::kRankPercentile ? 100 : kMaxFen;
  return o.Int("value", c.value, 0, hi, true);
}

Status ReadQualification(Obj& o, Qualification& q, bool allow_approval) {
  VIPCARE_TRY(o.Objects(
      "any_of",
      [&](Obj& group, size_t) -> Status {
        std::vector<Condition> all;
        VIPCARE_TRY(group.Objects(
            "all_of",
            [&](Obj& cond, size_t) -> Status {
              Condition c;
              VIPCARE_TRY(ReadCondition(cond, c));
              all.push_back(c);
              return OkStatus();
            },
            kMaxItems, true));
        q.any_of.push_back(std::move(all));
        return OkStatus();
      },
      kMaxItems, true));
  if (allow_approval) return o.Bool("approval_required", q.approval_required);
  return OkStatus();
}

Status ReadRetention(Obj& o, Retention& r) {
  VIPCARE_TRY(o.Int("inactivity_months", r.inactivity_months, 0, 36));
  VIPCARE_TRY(o.Rate("frequency_drop_bp", r.frequency_drop_bp, 0, kFullRate));
  VIPCARE_TRY(o.Int("frequency_min_prior", r.frequency_min_prior, 1, 1000));
  VIPCARE_TRY(o.Bool("requalify", r.requalify));
  VIPCARE_TRY(o.Int("warning_days", r.warning_days, 0, 365));
  VIPCARE_TRY(o.Int("grace_days", r.grace_days, 0, 365));
  return o.Bool("hold_until_period_end", r.hold_until_period_end);
}

Status ReadBenefits(Obj& o, Benefits& b) {
  VIPCARE_TRY(o.Rate("discount_bp", b.discount_bp, 1, kFullRate));
  VIPCARE_TRY(o.Rate("birthday_discount_bp", b.birthday_discount_bp, 1, kFullRate));
  VIPCARE_TRY(o.Bool("birthday_needs_id_check", b.birthday_needs_id_check));
  VIPCARE_TRY(o.Text("birthday_gift", b.birthday_gift, kMaxNameChars));
  VIPCARE_TRY(o.Points("points_threshold", b.points_threshold));
  VIPCARE_TRY(o.Rate("points_threshold_discount_bp", b.points_threshold_discount_bp, 1, kFullRate));
  if ((b.points_threshold.value > 0) != (b.points_threshold_discount_bp < kFullRate)) {
    return Error::Invalid(o.Path("points_threshold_discount_bp"),
                          "must be below 10000 exactly when points_threshold is set");
  }
  VIPCARE_TRY(o.Bool("member_price", b.member_price));
  VIPCARE_TRY(o.Int("parking_hours", b.parking_hours, 0, 24));
  VIPCARE_TRY(o.Rate("alliance_discount_bp", b.alliance_discount_bp, 1, kFullRate));
  VIPCARE_TRY(o.Bool("free_delivery", b.free_delivery));
  VIPCARE_TRY(o.Bool("priority_service", b.priority_service));
  VIPCARE_TRY(o.Fen("credit_min_fen", b.credit_min));
  VIPCARE_TRY(o.Fen("credit_max_fen", b.credit_max));
  if (b.credit_max.value != 0 && b.credit_max < b.credit_min) {
    return Error::Invalid(o.Path("credit_max_fen"),
                          "must be at least credit_min_fen (or 0 for no upper bound)");
  }
  return o.Texts("extras", b.extras, kMaxNameChars);
}

Status ReadTier(Obj& o, Tier& t) {
  VIPCARE_TRY(o.Code("code", t.code));
  VIPCARE_TRY(o.Text("name", t.name, kMaxNameChars, true));
  VIPCARE_TRY(o.Rate("points_multiplier_bp", t.points_multiplier_bp, 0, kMaxMultiplier));
  VIPCARE_TRY(o.Object(
      "qualify", [&](Obj& q) -> Status { return ReadQualification(q, t.qualify, true); }, true));
  VIPCARE_TRY(
      o.Object("retention", [&](Obj& r) -> Status { return ReadRetention(r, t.retention); }));
  return o.Object("benefits", [&](Obj& b) -> Status { return ReadBenefits(b, t.benefits); });
}

Status ReadEarning(Obj& o, EarningRules& e) {
  VIPCARE_TRY(o.Int("fen_per_step", e.fen_per_step.value, 1, 100'000'000, true));
  VIPCARE_TRY(o.Int("points_per_step", e.points_per_step.value, 1, 1'000'000, true));
  VIPCARE_TRY(o.Enum("rounding", e.rounding, kRoundings));
  VIPCARE_TRY(o.Bool("promo_lines_earn", e.promo_lines_earn));
  std::set<std::string> categories;
  VIPCARE_TRY(o.Objects(
      "category_multipliers",
      [&](Obj& c, size_t) -> Status {
        CategoryMultiplier m;
        VIPCARE_TRY(c.Text("category", m.category, kMaxNameChars, true));
        if (!categories.insert(m.category).second) {
          return Status(Error::Invalid(c.Path("category"), "is listed twice"));
        }
        VIPCARE_TRY(c.Rate("multiplier_bp", m.multiplier_bp, 0, kMaxMultiplier));
        e.category_multipliers.push_back(std::move(m));
        return OkStatus();
      },
      200));
  VIPCARE_TRY(o.Rate("birthday_multiplier_bp", e.birthday_multiplier_bp, 0, kMaxMultiplier));
  std::set<std::string> codes;
  return o.Objects(
      "campaigns",
      [&](Obj& c, size_t) -> Status {
        Campaign k;
        VIPCARE_TRY(c.Code("code", k.code));
        if (!codes.insert(k.code).second) {
          return Status(Error::Invalid(c.Path("code"), "is used by another campaign"));
        }
        VIPCARE_TRY(c.Text("name", k.name, kMaxNameChars, true));
        VIPCARE_TRY(c.Day("from", k.from));
        VIPCARE_TRY(c.Day("to", k.to));
        if (k.to < k.from) return Status(Error::Invalid(c.Path("to"), "must not be before from"));
        VIPCARE_TRY(c.Rate("multiplier_bp", k.multiplier_bp, kFullRate, kMaxMultiplier));
        VIPCARE_TRY(c.Points("bonus_points", k.bonus_points));
        VIPCARE_TRY(c.Fen("min_spend_fen", k.min_spend));
        VIPCARE_TRY(c.Texts("categories", k.categories, kMaxNameChars));
        e.campaigns.push_back(std::move(k));
        return OkStatus();
      },
      100);
}

Status ReadExpiry(Obj& o, ExpiryRule& x) {
  VIPCARE_TRY(o.Enum("mode", x.mode, kExpiryModes));
  VIPCARE_TRY(o.Int("months", x.months, 0, 120));
  VIPCARE_TRY(o.Int("years", x.years, 0, 10));
  VIPCARE_TRY(o.Int("warn_days", x.warn_days, 0, 365));
  if (x.mode == ExpiryMode::kRollingMonths && x.months == 0) {
    return Error::Invalid(o.Path("months"), "must be 1-120 for rolling_months");
  }
  if (x.mode != ExpiryMode::kRollingMonths && x.months != 0) {
    return Error::Invalid(o.Path("months"), "is only used by rolling_months");
  }
  if (x.mode != ExpiryMode::kYearEnd && x.years != 0) {
    return Error::Invalid(o.Path("years"), "is only used by year_end");
  }
  return OkStatus();
}

Status ReadRedemption(Obj& o, RedemptionRules& r) {
  VIPCARE_TRY(o.Object("cash_back", [&](Obj& c) -> Status {
    CashBack cb;
    VIPCARE_TRY(c.Points("every_points", cb.every_points, 1, true));
    VIPCARE_TRY(c.Fen("voucher_fen", cb.voucher, 1, true));
    VIPCARE_TRY(c.Bool("automatic", cb.automatic));
    r.cash_back = cb;
    return OkStatus();
  }));
  return o.Object("voucher", [&](Obj& v) -> Status {
    VIPCARE_TRY(v.Fen("min_spend_fen", r.voucher.min_spend));
    return v.Int("valid_days", r.voucher.valid_days, 1, 3650);
  });
}

// Whether every member who meets all of `low` meets all of `high`: each
// condition of `high` is one of `low`'s on the same metric, or looser.
bool Implies(const std::vector<Condition>& low, const std::vector<Condition>& high) {
  for (const auto& h : high) {
    const bool implied = std::any_of(low.begin(), low.end(), [&](const Condition& l) {
      if (l.metric != h.metric || l.op != h.op) return false;
      return h.op == Op::kAtLeast ? h.value <= l.value : h.value >= l.value;
    });
    if (!implied) return false;
  }
  return true;
}

// Issue 5's "overlapping tiers": the ladder runs from the first tier up, and
// a higher tier must ask more than each lower one. A group of a higher
// tier's rule that every member meeting a group of a lower tier's rule also
// meets would hand both tiers to the same members.
Status CheckLadder(const Program& p) {
  for (size_t hi = 1; hi < p.tiers.size(); ++hi) {
    const auto& groups = p.tiers[hi].qualify.any_of;
    for (size_t g = 0; g < groups.size(); ++g) {
      for (size_t lo = 0; lo < hi; ++lo) {
        const auto& lower = p.tiers[lo].qualify.any_of;
        for (size_t k = 0; k < lower.size(); ++k) {
          if (!Implies(lower[k], groups[g])) continue;
          return Error::Invalid(
              fmt::format("tiers[{}].qualify.any_of[{}]", hi, g),
              fmt::format("overlaps tiers[{}].qualify.any_of[{}] ({}): every member who meets "
                          "that lower tier's rule meets this one; a higher tier must ask more",
                          lo, k, p.tiers[lo].name));
        }
      }
    }
  }
  return OkStatus();
}

Status ReadProgram(Obj& o, Program& p) {
  VIPCARE_TRY(o.Int("id", p.id, 0, INT64_MAX));
  VIPCARE_TRY(o.Code("code", p.code));
  VIPCARE_TRY(o.Text("name", p.name, kMaxNameChars, true));
  VIPCARE_TRY(o.Int("version", p.version, 1, INT64_MAX));
  VIPCARE_TRY(o.Text("description", p.description, kMaxTextChars));
  VIPCARE_TRY(o.Text("source", p.source, kMaxNameChars));
  VIPCARE_TRY(o.Int("qualification_months", p.qualification_months, 1, kMaxQualificationMonths));
  VIPCARE_TRY(o.Enum("upgrade_mode", p.upgrade_mode, kUpgradeModes));
  VIPCARE_TRY(o.Enum("birthday_calendar", p.birthday_calendar, kBirthdayCalendars));
  VIPCARE_TRY(o.Object(
      "earning", [&](Obj& e) -> Status { return ReadEarning(e, p.earning); }, true));
  VIPCARE_TRY(o.Object("expiry", [&](Obj& x) -> Status { return ReadExpiry(x, p.expiry); }));
  VIPCARE_TRY(
      o.Object("redemption", [&](Obj& r) -> Status { return ReadRedemption(r, p.redemption); }));
  VIPCARE_TRY(o.Object("card", [&](Obj& c) -> Status {
    VIPCARE_TRY(c.Int("valid_months", p.card.valid_months, 0, 120));
    return c.Bool("points_move_to_new_card", p.card.points_move_to_new_card);
  }));
  VIPCARE_TRY(o.Object("temporary_to_formal", [&](Obj& q) -> Status {
    Qualification f;
    VIPCARE_TRY(ReadQualification(q, f, false));
    p.temporary_to_formal = std::move(f);
    return OkStatus();
  }));
  VIPCARE_TRY(o.Object("referral", [&](Obj& r) -> Status {
    VIPCARE_TRY(r.Points("reward_points", p.referral.reward_points));
    return r.Fen("min_purchase_fen", p.referral.min_purchase);
  }));
  std::set<std::string> codes, names;
  VIPCARE_TRY(o.Objects(
      "tiers",
      [&](Obj& t, size_t) -> Status {
        Tier tier;
        VIPCARE_TRY(ReadTier(t, tier));
        if (!codes.insert(tier.code).second) {
          return Status(Error::Invalid(t.Path("code"), "is used by another tier"));
        }
        if (!names.insert(tier.name).second) {
          return Status(Error::Invalid(t.Path("name"), "is used by another tier"));
        }
        p.tiers.push_back(std::move(tier));
        return OkStatus();
      },
      kMaxTiers, true));
  return CheckLadder(p);
}

json ConditionsJson(const std::vector<std::vector<Condition>>& any_of) {
  json groups = json::array();
  for (const auto& all : any_of) {
    json conds = json::array();
    for (const auto& c : all) {
      conds.push_back({{"metric", ToString(c.metric)}, {"op", ToString(c.op)}, {"value", c.value}});
    }
    groups.push_back({{"all_of", std::move(conds)}});
  }
  return groups;
}

json TierJson(const Tier& t) {
  const Retention& r = t.retention;
  const Benefits& b = t.benefits;
  return {
      {"code", t.code},
      {"name", t.name},
      {"points_multiplier_bp", t.points_multiplier_bp},
      {"qualify",
       {{"any_of", ConditionsJson(t.qualify.any_of)},
        {"approval_required", t.qualify.approval_required}}},
      {"retention",
       {{"inactivity_months", r.inactivity_months},
        {"frequency_drop_bp", r.frequency_drop_bp},
        {"frequency_min_prior", r.frequency_min_prior},
        {"requalify", r.requalify},
        {"warning_days", r.warning_days},
        {"grace_days", r.grace_days},
        {"hold_until_period_end", r.hold_until_period_end}}},
      {"benefits",
       {{"discount_bp", b.discount_bp},
        {"birthday_discount_bp", b.birthday_discount_bp},
        {"birthday_needs_id_check", b.birthday_needs_id_check},
        {"birthday_gift", b.birthday_gift},
        {"points_threshold", b.points_threshold.value},
        {"points_threshold_discount_bp", b.points_threshold_discount_bp},
        {"member_price", b.member_price},
        {"parking_hours", b.parking_hours},
        {"alliance_discount_bp", b.alliance_discount_bp},
        {"free_delivery", b.free_delivery},
        {"priority_service", b.priority_service},
        {"credit_min_fen", b.credit_min.value},
        {"credit_max_fen", b.credit_max.value},
        {"extras", b.extras}}},
  };
}

}  // namespace

const char* ToString(Rounding r) {
  switch (r) {
    case Rounding::kPerTransaction:
      return "per_transaction";
    case Rounding::kCarryRemainder:
      return "carry_remainder";
  }
  return "per_transaction";
}

const char* ToString(ExpiryMode m) {
  switch (m) {
    case ExpiryMode::kNever:
      return "never";
    case ExpiryMode::kRollingMonths:
      return "rolling_months";
    case ExpiryMode::kYearEnd:
      return "year_end";
  }
  return "never";
}

const char* ToString(UpgradeMode m) {
  switch (m) {
    case UpgradeMode::kAuto:
      return "auto";
    case UpgradeMode::kManagerApproval:
      return "manager_approval";
  }
  return "auto";
}

const char* ToString(BirthdayCalendar c) {
  switch (c) {
    case BirthdayCalendar::kAsFiled:
      return "as_filed";
    case BirthdayCalendar::kSolarOfBirth:
      return "solar_of_birth";
  }
  return "as_filed";
}

const char* ToString(Metric m) {
  switch (m) {
    case Metric::kSpend3m:
      return "spend_3m";
    case Metric::kSpend6m:
      return "spend_6m";
    case Metric::kSpend12m:
      return "spend_12m";
    case Metric::kFirstPurchase:
      return "first_purchase";
    case Metric::kLargestPurchase12m:
      return "largest_purchase_12m";
    case Metric::kPurchasesMonth:
      return "purchases_month";
    case Metric::kPurchasesQuarter:
      return "purchases_quarter";
    case Metric::kGrowthPointsPeriod:
      return "growth_points_period";
    case Metric::kGrowthPointsLifetime:
      return "growth_points_lifetime";
    case Metric::kRankPercentile:
      return "rank_percentile";
    case Metric::kPointsBalance:
      return "points_balance";
  }
  return "spend_12m";
}

const char* ToString(Op op) { return op == Op::kAtMost ? "<=" : ">="; }

std::optional<Metric> ParseMetric(std::string_view s) { return ParseEnum(s, kMetrics); }

Result<Program> ParseProgram(const json& j) {
  if (!j.is_object()) return Error::Invalid("", "a program must be a JSON object");
  Program p;
  Obj o(j, "");
  VIPCARE_TRY(ReadProgram(o, p));
  VIPCARE_TRY(o.Done());
  return p;
}

Result<Program> ParseProgramText(std::string_view text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    return Error::Invalid("", fmt::format("not valid JSON at byte {}", e.byte));
  }
  return ParseProgram(j);
}

json ProgramToJson(const Program& p) {
  const EarningRules& e = p.earning;
  json categories = json::array();
  for (const auto& c : e.category_multipliers) {
    categories.push_back({{"category", c.category}, {"multiplier_bp", c.multiplier_bp}});
  }
  json campaigns = json::array();
  for (const auto& c : e.campaigns) {
    campaigns.push_back({{"code", c.code},
                         {"name", c.name},
                         {"from", c.from.ToString()},
                         {"to", c.to.ToString()},
                         {"multiplier_bp", c.multiplier_bp},
                         {"bonus_points", c.bonus_points.value},
                         {"min_spend_fen", c.min_spend.value},
                         {"categories", c.categories}});
  }
  json cash_back = nullptr;
  if (const auto& cb = p.redemption.cash_back) {
    cash_back = {{"every_points", cb->every_points.value},
                 {"voucher_fen", cb->voucher.value},
                 {"automatic", cb->automatic}};
  }
  json formal = nullptr;
  if (p.temporary_to_formal) formal = {{"any_of", ConditionsJson(p.temporary_to_formal->any_of)}};
  json tiers = json::array();
  for (const auto& t : p.tiers) tiers.push_back(TierJson(t));
  return {
      {"id", p.id},
      {"code", p.code},
      {"name", p.name},
      {"version", p.version},
      {"description", p.description},
      {"source", p.source},
      {"qualification_months", p.qualification_months},
      {"upgrade_mode", ToString(p.upgrade_mode)},
      {"birthday_calendar", ToString(p.birthday_calendar)},
      {"earning",
       {{"fen_per_step", e.fen_per_step.value},
        {"points_per_step", e.points_per_step.value},
        {"rounding", ToString(e.rounding)},
        {"promo_lines_earn", e.promo_lines_earn},
        {"category_multipliers", std::move(categories)},
        {"birthday_multiplier_bp", e.birthday_multiplier_bp},
        {"campaigns", std::move(campaigns)}}},
      {"expiry",
       {{"mode", ToString(p.expiry.mode)},
        {"months", p.expiry.months},
        {"years", p.expiry.years},
        {"warn_days", p.expiry.warn_days}}},
      {"redemption",
       {{"cash_back", std::move(cash_back)},
        {"voucher",
         {{"min_spend_fen", p.redemption.voucher.min_spend.value},
          {"valid_days", p.redemption.voucher.valid_days}}}}},
      {"card",
       {{"valid_months", p.card.valid_months},
        {"points_move_to_new_card", p.card.points_move_to_new_card}}},
      {"temporary_to_formal", std::move(formal)},
      {"referral",
       {{"reward_points", p.referral.reward_points.value},
        {"min_purchase_fen", p.referral.min_purchase.value}}},
      {"tiers", std::move(tiers)},
  };
}

std::optional<size_t> FindTier(const Program& p, std::string_view code) {
  for (size_t i = 0; i < p.tiers.size(); ++i) {
    if (p.tiers[i].code == code) return i;
  }
  return std::nullopt;
}

std::string YuanText(Fen amount) {
  int64_t v = amount.value;
  std::string sign = v < 0 ? "-" : "";
  if (v < 0) v = -v;
  std::string digits = std::to_string(v / 100);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) grouped += ',';
    grouped += digits[i];
  }
  if (v % 100 == 0) return fmt::format("{}¥{}", sign, grouped);
  return fmt::format("{}¥{}.{:02d}", sign, grouped, v % 100);
}

std::string ZheText(BasisPoints bp) {
  // 9500 -> "9.5折": the rate in tenths, trailing zeros dropped.
  std::string s = fmt::format("{}.{:03d}", bp / 1000, bp % 1000);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s + "折";
}

}  // namespace vipcare::domain
