#include "service/loyalty_core.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <unordered_map>
#include <stdexcept>

#include "domain/points.h"
#include "domain/presets.h"
#include "store/reports/scope_members.h"

namespace vipcare::service::loyalty_core {

using nlohmann::json;

int64_t YearMonth(Date d) { return int64_t(d.year()) * 100 + d.month(); }

std::string Sha256Hex(const std::string& text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char out[sizeof digest * 2 + 1];
  sodium_bin2hex(out, sizeof out, digest, sizeof digest);
  return out;
}

domain::Program ParseStoredProgram(const store::ProgramRecord& rec) {
  // Versions never change, so a body parses the same every time: every sale
  // reads the program, and parsing its JSON would be most of that read.
  static std::mutex mu;
  static std::unordered_map<std::string, domain::Program> parsed;  // by body text
  constexpr size_t kMaxCached = 64;
  domain::Program p;
  {
    std::lock_guard lock(mu);
    if (auto it = parsed.find(rec.body); it != parsed.end()) p = it->second;
  }
  if (p.code.empty()) {
    auto fresh = domain::ParseProgramText(rec.body);
    if (!fresh.ok()) {
      throw std::runtime_error("stored program " + rec.code + " no longer parses: " +
                               fresh.error().field + ": " + fresh.error().message);
    }
    p = *fresh;
    std::lock_guard lock(mu);
    if (parsed.size() >= kMaxCached) parsed.clear();
    parsed.emplace(rec.body, p);
  }
  p.id = rec.id;
  p.version = rec.version;
  return p;
}

std::string CompanyProgramCode(store::LoyaltyRepository& l) {
  std::string code = l.CompanyProgram();
  return code.empty() ? std::string(kDefaultPreset) : code;
}

domain::Program LoadProgram(store::LoyaltyRepository& l) {
  // The preset a company runs until it chooses may still have been edited.
  const std::string code = CompanyProgramCode(l);
  if (auto rec = l.GetProgram(code)) return ParseStoredProgram(*rec);
  const domain::Program* preset = domain::FindPreset(code);
  if (preset == nullptr) throw std::logic_error("the company's program " + code + " is missing");
  return *preset;
}

domain::Program LoadProgram(store::LoyaltyRepository& l, const std::string& code) {
  if (code.empty()) return LoadProgram(l);
  if (auto rec = l.GetProgram(code)) return ParseStoredProgram(*rec);
  const domain::Program* preset = domain::FindPreset(code);
  if (preset == nullptr) throw std::logic_error("a member's program " + code + " is missing");
  return *preset;
}

domain::Program ProgramOf(store::LoyaltyRepository& l, const store::LoyaltyState& s) {
  return LoadProgram(l, s.program_code);
}

std::string ProgramCodeOf(store::LoyaltyRepository& l, const std::string& id) {
  const std::string_view code = domain::PresetCodeOfId(id);
  if (code.empty() || l.GetProgram(id)) return id;
  return std::string(code);
}

std::optional<std::string> ProgramCodeOfId(store::LoyaltyRepository& l, const std::string& id) {
  if (id.empty()) return std::nullopt;
  std::string code = ProgramCodeOf(l, id);
  if (domain::FindPreset(code) || l.GetProgram(code)) return code;
  return std::nullopt;
}

CategoryCatalogue::CategoryCatalogue(store::LoyaltyRepository& l) {
  for (auto& c : l.ListCategories()) active_.emplace(std::move(c.name), c.active);
}

std::string_view CategoryCatalogue::Problem(std::string_view category) const {
  if (!checked()) return {};
  auto it = active_.find(category);
  return CategoryProblem(category, it == active_.end() ? std::nullopt : std::optional(it->second));
}

std::string_view CategoryProblem(std::string_view category, std::optional<bool> active) {
  if (category.empty()) return {};
  if (!active) return kCategoryNotListed;
  return *active ? std::string_view() : kCategorySwitchedOff;
}

Status CheckLineCategories(store::LoyaltyRepository& l, const std::vector<std::string>& categories) {
  if (std::all_of(categories.begin(), categories.end(),
                  [](const std::string& c) { return c.empty(); }) ||
      !l.HasCategories()) {
    return OkStatus();
  }
  std::map<std::string_view, std::string_view> seen;
  for (size_t i = 0; i < categories.size(); ++i) {
    const std::string& c = categories[i];
    auto [it, added] = seen.try_emplace(c);
    if (added && !c.empty()) {
      auto found = l.FindCategory(c);
      it->second = CategoryProblem(c, found ? std::optional(found->active) : std::nullopt);
    }
    if (!it->second.empty()) {
      return Error::Invalid(fmt::format("lines[{}].category", i), std::string(it->second));
    }
  }
  return OkStatus();
}

store::LoyaltyState StateOf(store::LoyaltyRepository& l, MemberId member) {
  if (auto s = l.GetLoyaltyState(member)) return *s;
  store::LoyaltyState fresh;
  fresh.member_id = member;
  fresh.program_code = l.HomeStoreProgram(member);
  return fresh;
}

ProgramBook::ProgramBook(store::LoyaltyRepository& l) {
  programs_.emplace("", LoadProgram(l));
  for (const auto& code : l.ProgramsInUse()) programs_.emplace(code, LoadProgram(l, code));
}

const domain::Program& ProgramBook::Of(store::LoyaltyRepository& l, const std::string& code) {
  auto it = programs_.find(code);
  if (it == programs_.end()) it = programs_.emplace(code, LoadProgram(l, code)).first;
  return it->second;
}

std::vector<const domain::Program*> ProgramBook::All() const {
  std::vector<const domain::Program*> out;
  for (const auto& [code, p] : programs_) out.push_back(&p);  // "" sorts first
  return out;
}

namespace {

// `p`'s tiers (of code `code`) at the end of the report ladder.
void AppendKeyed(domain::Program& ladder, const std::string& code, const domain::Program& p) {
  for (const auto& t : p.tiers) {
    domain::Tier keyed = t;
    keyed.code = store::reports::TierKey(code, t.code, ladder.code);
    keyed.name = p.name + "·" + t.name;
    ladder.tiers.push_back(std::move(keyed));
  }
}

}  // namespace

domain::Program ProgramBook::Ladder() const {
  domain::Program ladder = Company();
  for (const auto& [code, p] : programs_) {
    if (code.empty() || code == ladder.code) continue;
    AppendKeyed(ladder, code, p);
  }
  return ladder;
}

void AppendProgramTiers(store::LoyaltyRepository& l, domain::Program& ladder,
                        const std::string& code) {
  if (code.empty() || code == ladder.code) return;
  std::optional<domain::Program> p;
  if (auto rec = l.GetProgram(code)) {
    p = ParseStoredProgram(*rec);
  } else if (const domain::Program* preset = domain::FindPreset(code)) {
    p = *preset;
  }
  if (!p || p->tiers.empty()) return;
  if (domain::FindTier(ladder, store::reports::TierKey(code, p->tiers.front().code, ladder.code))) {
    return;
  }
  AppendKeyed(ladder, code, *p);
}

domain::MemberActivity ActivityOf(store::LoyaltyRepository& l, const store::LoyaltyState& s,
                                  Date today) {
  domain::MemberActivity a;
  const Date first = today.AddMonths(-int(domain::kMaxBuckets) + 1);
  const auto months = l.ListMonths(s.member_id, YearMonth(first));
  FillActivity(s, months, today, a);
  return a;
}

void FillActivity(const store::LoyaltyState& s, std::span<const store::MonthBucket> months,
                  Date today, domain::MemberActivity& a) {
  const int64_t first = YearMonth(today.AddMonths(-int(domain::kMaxBuckets) + 1));
  const int64_t last = YearMonth(today);  // a sale dated after `today` (run-jobs --date)
  a.months.clear();
  for (const auto& b : months) {
    if (b.month < first || b.month > last) continue;
    a.months.push_back({int(b.month / 100), unsigned(b.month % 100), b.spend, int(b.purchases),
                        b.largest, b.points});
  }
  a.first_purchase.reset();
  if (s.first_purchase_on) a.first_purchase = s.first_purchase;
  a.last_purchase_on = s.last_purchase_on;
  a.growth_lifetime = s.growth_lifetime;
  a.points_balance = s.points_balance;
  a.rank_percentile = s.rank_percentile;  // set by the daily jobs (L6 "top 20%")
}

std::string TierName(const domain::Program& p, const std::string& code) {
  if (auto i = domain::FindTier(p, code)) return p.tiers[*i].name;
  return "";
}

json TierJson(const domain::Program& p, const std::string& code) {
  if (code.empty()) return nullptr;
  return {{"code", code}, {"name", TierName(p, code)}};
}

json PendingApprovalJson(const domain::Program& p, const store::LoyaltyState& s) {
  if (s.pending_tier.empty()) return nullptr;
  return {{"tier", TierJson(p, s.pending_tier)},
          {"reason", s.pending_reason},
          {"queued_at", s.pending_since ? json(FormatTimestamp(*s.pending_since)) : json(nullptr)}};
}

void TierText(JsonText& j, const domain::Program& p, const std::string& code) {
  if (code.empty()) {
    j.Null();
    return;
  }
  j.Begin().Key("code").Str(code).Key("name").Str(TierName(p, code)).End();
}

void AnswerForMember(SaleAnswer& a, MemberId member, const domain::Earning& earning,
                     const store::LoyaltyState& state, const domain::Program& program,
                     Points referral, MemberId referrer) {
  a.member = member;
  a.points = earning.points;
  a.points_balance = state.points_balance;
  a.growth_points = state.growth_lifetime;
  a.tier = state.tier_code;
  a.notes = earning.notes;
  a.program_code = program.code;
  a.program_version = program.version;
  if (referral.value > 0) {
    a.referral = referral;
    a.referrer = referrer;
  }
}

std::string SaleAnswerText(const SaleAnswer& a, const domain::Program& program) {
  const bool of_member = bool(a.member);
  JsonText j;
  j.Begin();
  if (a.became_formal) j.Key("became_formal").Bool(true);
  if (!a.cashback_vouchers.empty()) {
    j.Key("cashback_vouchers").BeginArray();
    for (const auto& code : a.cashback_vouchers) j.Str(code);
    j.EndArray();
  }
  j.Key("external_id").Str(a.external_id);
  if (of_member) j.Key("growth_points").Int(a.growth_points.value);
  j.Key("kind").Str("sale");
  j.Key("list_total_fen").Int(a.list_total.value);
  j.Key("local_day").Str(a.local_day);
  j.Key("member_id");
  if (of_member) {
    j.Int(a.member.value);
    j.Key("notes").BeginArray();
    for (const auto& n : a.notes) j.Str(n);
    j.EndArray();
  } else {
    j.Null();
  }
  j.Key("occurred_at").Str(a.occurred_at);
  j.Key("paid_total_fen").Int(a.paid_total.value);
  if (of_member) {
    j.Key("pending_approval");
    if (a.pending_tier) {
      j.Begin().Key("reason").Str(a.pending_reason).Key("tier");
      TierText(j, program, *a.pending_tier);
      j.End();
    } else {
      j.Null();
    }
  }
  j.Key("points").Int(a.points.value);
  if (of_member) j.Key("points_balance").Int(a.points_balance.value);
  j.Key("points_earned").Int(a.points.value);
  if (of_member) {
    j.Key("program").Begin().Key("code").Str(a.program_code).Key("version").Int(a.program_version).End();
    j.Key("referral");
    if (a.referral.value > 0) {
      j.Begin().Key("points").Int(a.referral.value).Key("referrer_member_id").Int(a.referrer.value).End();
    } else {
      j.Null();
    }
  }
  j.Key("store_id").Int(a.store_id);
  if (of_member) {
    j.Key("tier");
    TierText(j, program, a.tier);
    j.Key("tier_change");
    if (a.upgrade) {
      j.Begin().Key("from");
      TierText(j, program, a.upgrade->from);
      j.Key("kind").Str("upgrade").Key("reason").Str(a.upgrade->reason).Key("to");
      TierText(j, program, a.upgrade->to);
      j.End();
    } else {
      j.Null();
    }
    if (!a.vouchers_used.empty()) {
      j.Key("vouchers_used").BeginArray();
      for (const auto& code : a.vouchers_used) j.Str(code);
      j.EndArray();
    }
  }
  j.End();
  return j.Take();
}

Status SpendPoints(store::LoyaltyRepository& l, store::LoyaltyState& state, Points cost, Date today,
                   store::LedgerEntry entry) {
  std::vector<domain::PointsLot> lots;
  for (const auto& lot : l.ListOpenLots(state.member_id)) {
    lots.push_back({lot.id, lot.remaining, lot.earned_on, lot.expires_on});
  }
  const Points debt(std::max<int64_t>(0, -state.points_balance.value));
  auto draws = domain::PlanRedemption(lots, debt, cost, today);
  if (!draws.ok()) return draws.error();
  for (const auto& d : *draws) l.SetLotRemaining(d.lot_id, lots[d.index].remaining - d.points);
  state.points_balance = state.points_balance - cost;
  entry.member_id = state.member_id;
  entry.points = -cost;
  entry.balance_after = state.points_balance;
  l.AppendLedger(entry);
  return Ok{};
}

std::string EarningTier(const domain::Program& p, const store::LoyaltyState& s) {
  return domain::FindTier(p, s.tier_code) ? s.tier_code : std::string();
}

domain::EarnPlan ApplyEarning(const domain::Earning& earning, store::TransactionRecord& t,
                              store::LoyaltyState& state) {
  for (size_t i = 0; i < t.lines.size(); ++i) t.lines[i].earn_base = earning.lines[i].earn_base;
  t.points = earning.points;
  t.base_points = earning.base_points;
  t.bonus_points = earning.bonus_points;
  // New points pay off a negative balance first (L2), the rest is a lot.
  const Points debt(std::max<int64_t>(0, -state.points_balance.value));
  const domain::EarnPlan plan = domain::PlanEarn(debt, earning.points);
  state.points_balance = state.points_balance + earning.points;
  state.growth_lifetime = state.growth_lifetime + earning.points;
  state.carry_fen = earning.remainder;
  if (!state.first_purchase_on) {
    state.first_purchase = t.paid_total;
    state.first_purchase_on = t.local_day;
  }
  if (!state.last_purchase_on || *state.last_purchase_on < t.local_day) {
    state.last_purchase_on = t.local_day;
  }
  return plan;
}

void CreditPoints(store::LoyaltyRepository& l, store::LoyaltyState& state,
                  const domain::Program& program, Points points, const std::string& source,
                  Date today, bool growth, store::LedgerEntry entry) {
  if (points.value <= 0) return;
  const Points debt(std::max<int64_t>(0, -state.points_balance.value));
  const domain::EarnPlan plan = domain::PlanEarn(debt, points);
  state.points_balance = state.points_balance + points;
  if (growth) state.growth_lifetime = state.growth_lifetime + points;
  if (plan.new_lot.value > 0) {
    l.InsertLot({0, state.member_id, source, entry.transaction_id, plan.new_lot, plan.new_lot,
                 today, domain::ExpiryDate(program.expiry, today)});
  }
  entry.member_id = state.member_id;
  entry.points = points;
  entry.balance_after = state.points_balance;
  l.AppendLedger(entry);
}

Status MergeLoyalty(store::Repository& repo, const Actor& actor, MemberId from, MemberId into,
                    Timestamp now) {
  auto& l = repo.loyalty();
  auto gone = l.GetLoyaltyState(from);
  if (!gone) return Ok{};  // nothing bought, nothing earned
  store::LoyaltyState kept = StateOf(l, into);
  // A survivor who never earned takes the absorbed file's program too.
  if (kept.version == 0) kept.program_code = gone->program_code;
  const domain::Program program = ProgramOf(l, kept);
  l.MoveLoyalty(from, into);
  auto survivor = repo.GetMember(into);
  auto absorbed = repo.GetMember(from);
  const std::string into_no = survivor ? survivor->member_no : "";
  const std::string from_no = absorbed ? absorbed->member_no : "";
  const Points moved = gone->points_balance;
  kept.points_balance += moved;
  kept.growth_lifetime += gone->growth_lifetime;
  kept.carry_fen += gone->carry_fen;
  if (gone->first_purchase_on &&
      (!kept.first_purchase_on || *gone->first_purchase_on < *kept.first_purchase_on)) {
    kept.first_purchase_on = gone->first_purchase_on;
    kept.first_purchase = gone->first_purchase;
  }
  if (gone->last_purchase_on &&
      (!kept.last_purchase_on || *kept.last_purchase_on < *gone->last_purchase_on)) {
    kept.last_purchase_on = gone->last_purchase_on;
  }
  const auto rank = [&](const std::string& code) {
    auto i = domain::FindTier(program, code);
    return i ? int(*i) : -1;
  };
  if (rank(gone->tier_code) > rank(kept.tier_code)) {
    l.AppendTierChange({0, into, now, "merge", kept.tier_code, gone->tier_code,
                        "合并会员 " + from_no + " 的等级", actor.user_id});
    kept.tier_code = gone->tier_code;
    kept.tier_since = gone->tier_since;
    kept.downgrade_warned_on = gone->downgrade_warned_on;
    kept.downgrade_effective_on = gone->downgrade_effective_on;
  }
  if (!kept.pending_tier.empty() && rank(kept.pending_tier) <= rank(kept.tier_code)) {
    kept.pending_tier.clear();
    kept.pending_reason.clear();
  }
  if (moved.value != 0) {
    l.AppendLedger({0, into, now, "merge", moved, kept.points_balance, 0, 0,
                    "合并会员 " + from_no + " 的积分", UserId(), actor.user_id});
    l.AppendLedger({0, from, now, "merge", -moved, Points(0), 0, 0,
                    "积分并入会员 " + into_no, UserId(), actor.user_id});
  }
  gone->points_balance = Points(0);
  gone->growth_lifetime = Points(0);
  gone->carry_fen = Fen(0);
  gone->pending_tier.clear();
  gone->pending_reason.clear();
  if (!l.SaveLoyaltyState(*gone) || !l.SaveLoyaltyState(kept)) {
    return Error::Conflict("the members' points changed at the same time; merge again",
                           "from_member_id");
  }
  return Ok{};
}

Result<std::string> TextField(const json& body, const std::string& field, size_t max,
                              bool required) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (required) return Error::Invalid(field, "is required");
    return std::string();
  }
  if (!it->is_string()) return Error::Invalid(field, "must be text");
  std::string v = it->get<std::string>();
  if ((required && v.empty()) || v.size() > max) {
    return Error::Invalid(field, fmt::format("must be {}-{} bytes of text", required ? 1 : 0, max));
  }
  return v;
}

bool NeedsAboveListReason(int64_t list_price, int64_t quantity, int64_t paid) {
  return paid > list_price * quantity;
}

bool IsBlank(std::string_view s) { return s.find_first_not_of(" \t") == std::string_view::npos; }

bool TooFarAhead(Timestamp occurred_at, Timestamp now) {
  return occurred_at > now + std::chrono::hours(24);
}

Result<int64_t> IntField(const json& body, const std::string& field, int64_t min, int64_t max,
                         std::optional<int64_t> fallback) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) {
    if (fallback) return *fallback;
    return Error::Invalid(field, "is required");
  }
  if (!it->is_number_integer()) return Error::Invalid(field, "must be a whole number");
  int64_t v = it->get<int64_t>();
  if (v < min || v > max) return Error::Invalid(field, fmt::format("must be {}-{}", min, max));
  return v;
}

Status OnlyFields(const json& body, std::initializer_list<std::string_view> known,
                  std::string_view what, const std::string& prefix) {
  if (!body.is_object()) {
    return Error::Invalid(prefix.empty() ? "body" : prefix, "must be a JSON object");
  }
  for (const auto& [key, value] : body.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return Error::Invalid(prefix.empty() ? key : prefix + "." + key,
                            fmt::format("is not a field of {}", what));
    }
  }
  return Ok{};
}

}  // namespace vipcare::service::loyalty_core
