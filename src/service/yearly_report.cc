#include "service/yearly_report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "domain/mask.h"
#include "service/access.h"
#include "service/audit.h"
#include "service/loyalty_core.h"
#include "store/reports/yearly.h"

namespace vipcare::service {

using json = nlohmann::json;

namespace {

// How many categories and brands the report names.
constexpr size_t kTopShares = 5;

std::string Lower(std::string s) {
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// part / whole in basis points, half up; null when whole is not positive.
json ShareBp(int64_t part, int64_t whole) {
  if (whole <= 0) return nullptr;
  return (part * 20000 / whole + 1) / 2;
}

// (now - before) / before in basis points, half away from zero; null when
// `before` is not positive.
json ChangeBp(int64_t now, int64_t before) {
  if (before <= 0) return nullptr;
  const int64_t diff = now - before;
  const int64_t magnitude = ((diff < 0 ? -diff : diff) * 20000 / before + 1) / 2;
  return diff < 0 ? -magnitude : magnitude;
}

// One calendar year of the member's figures.
struct YearFigures {
  int year = 0;
  Date from, to;
  Fen spend{0};
  int64_t purchases = 0;
  Fen largest{0};
  int64_t purchase_days = 0;
  int64_t active_months = 0;
  Points earned{0}, redeemed{0}, expired{0};
  int64_t contacts = 0, visits = 0;
  std::map<int64_t, store::MonthBucket> months;  // by yyyymm
  std::map<std::string, int64_t> contacts_by_channel;

  // Average ticket in fen, half up; 0 without purchases.
  int64_t AverageTicket() const {
    return purchases == 0 ? 0 : (spend.value * 2 + purchases) / (2 * purchases);
  }
  json Json() const {
    return {{"year", year},
            {"spend_fen", spend.value},
            {"purchases", purchases},
            {"average_ticket_fen", purchases == 0 ? json(nullptr) : json(AverageTicket())},
            {"largest_purchase_fen", largest.value},
            {"purchase_days", purchase_days},
            {"active_months", active_months},
            {"points_earned", earned.value},
            {"points_redeemed", redeemed.value},
            {"points_expired", expired.value},
            {"contacts", contacts},
            {"visits", visits}};
  }
};

YearFigures FiguresOf(store::ReportRepository& r, const TimeZone& tz, MemberId member, int year) {
  YearFigures f;
  f.year = year;
  f.from = Date::FromYmd(year, 1, 1);
  f.to = Date::FromYmd(year, 12, 31);
  for (const auto& b :
       store::reports::MemberMonths(r, member, int64_t(year) * 100 + 1, int64_t(year) * 100 + 12)) {
    f.spend += b.spend;
    f.purchases += b.purchases;
    f.largest = std::max(f.largest, b.largest);
    f.earned += b.points;
    if (b.purchases > 0) ++f.active_months;
    f.months[b.month] = b;
  }
  f.purchase_days = store::reports::MemberPurchaseDays(r, member, f.from, f.to);
  const auto ledger = store::reports::MemberLedgerByKind(r, member, tz.StartOfDay(f.from),
                                                         tz.StartOfDay(f.to.AddDays(1)));
  auto moved = [&](const char* kind) {
    auto it = ledger.find(kind);
    return it == ledger.end() ? Points(0) : it->second;
  };
  f.redeemed = -(moved("redeem") + moved("cashback"));
  f.expired = -moved("expire");
  f.contacts_by_channel = store::reports::MemberContactsByChannel(r, member, f.from, f.to);
  for (const auto& [channel, n] : f.contacts_by_channel) {
    f.contacts += n;
    if (channel == "visit") f.visits += n;
  }
  return f;
}

// The top kTopShares of `shares` with their share of the year's line total.
json TopShares(const std::vector<store::reports::SpendShare>& shares, const char* key) {
  int64_t total = 0;
  for (const auto& s : shares) total += s.spend.value;
  json out = json::array();
  for (const auto& s : shares) {
    if (out.size() == kTopShares) break;
    if (s.spend.value <= 0) continue;  // wholly refunded
    out.push_back({{key, s.key.empty() ? "未分类" : s.key},
                   {"spend_fen", s.spend.value},
                   {"quantity", s.quantity},
                   {"share_bp", ShareBp(s.spend.value, total)}});
  }
  return out;
}

json MonthsJson(const YearFigures& now, const YearFigures& before) {
  json out = json::array();
  for (unsigned m = 1; m <= 12; ++m) {
    const int64_t key = int64_t(now.year) * 100 + m;
    const int64_t prev_key = int64_t(before.year) * 100 + m;
    store::MonthBucket b, p;
    if (auto it = now.months.find(key); it != now.months.end()) b = it->second;
    if (auto it = before.months.find(prev_key); it != before.months.end()) p = it->second;
    out.push_back({{"month", fmt::format("{:04d}-{:02d}", now.year, m)},
                   {"spend_fen", b.spend.value},
                   {"purchases", b.purchases},
                   {"points", b.points.value},
                   {"previous_spend_fen", p.spend.value},
                   {"previous_purchases", p.purchases}});
  }
  return out;
}

json ChangeJson(const YearFigures& now, const YearFigures& before) {
  return {{"spend_bp", ChangeBp(now.spend.value, before.spend.value)},
          {"purchases_bp", ChangeBp(now.purchases, before.purchases)},
          {"average_ticket_bp", ChangeBp(now.AverageTicket(), before.AverageTicket())},
          {"points_earned_bp", ChangeBp(now.earned.value, before.earned.value)},
          {"purchase_days_bp", ChangeBp(now.purchase_days, before.purchase_days)},
          {"contacts_bp", ChangeBp(now.contacts, before.contacts)}};
}

std::string StoreName(store::Repository& repo, StoreId id) {
  auto s = repo.GetStore(id);
  return s ? s->name : "";
}

}  // namespace

size_t PlatinumFloor(const domain::Program& p) {
  for (size_t i = 0; i < p.tiers.size(); ++i) {
    const domain::Tier& t = p.tiers[i];
    if (t.name.find("白金") != std::string::npos ||
        Lower(t.name).find("platinum") != std::string::npos ||
        Lower(t.code).find("platinum") != std::string::npos) {
      return i;
    }
  }
  return p.tiers.size() >= 2 ? p.tiers.size() - 2 : 0;
}

bool IsPlatinumOrAbove(const domain::Program& p, const std::string& code) {
  if (code.empty()) return false;
  auto i = domain::FindTier(p, code);
  return i && *i >= PlatinumFloor(p);
}

Result<json> YearlyReports::Get(const Actor& actor, MemberId id, int year) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberRead));
  const Date today = env_.Today();
  if (year == 0) year = today.year();
  if (year < kFirstYear || year > today.year()) {
    return Error::Invalid("year",
                          fmt::format("must be a year from {} to {}", kFirstYear, today.year()));
  }
  const Timestamp now = env_.clock.Now();
  // A write: the report is a read of the member's details and leaves an
  // audit row (P6), as opening the file does.
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto member = MemberInScope(repo, actor, id, now);
    if (!member.ok()) return member.error();
    domain::Member m = *member;
    auto& l = repo.loyalty();
    const store::LoyaltyState state = loyalty_core::StateOf(l, id);
    const domain::Program program = loyalty_core::ProgramOf(l, state);
    if (!IsPlatinumOrAbove(program, state.tier_code)) {
      const size_t floor = PlatinumFloor(program);
      const std::string floor_name =
          floor < program.tiers.size() ? program.tiers[floor].name : std::string("白金卡");
      const std::string tier_name = loyalty_core::TierName(program, state.tier_code);
      return Error::Unprocessable(
          fmt::format("年度消费分析报告是{}及以上等级会员的权益，该会员目前为{}", floor_name,
                      tier_name.empty() ? "无等级" : tier_name),
          "member_id");
    }
    const bool granted =
        actor.role == domain::Role::kCallCenter && repo.HasActiveGrant(actor.user_id, id, now);
    const bool unmasked = SeesUnmasked(actor, m, granted, today);
    RecordAudit(repo, env_, actor, "member_read", "member", std::to_string(id.value),
                fmt::format("yearly_report year={} {}", year, unmasked ? "unmasked" : "masked"));
    if (!unmasked) domain::MaskMember(m);

    auto& r = repo.reports();
    const YearFigures cur = FiguresOf(r, env_.tz, id, year);
    const YearFigures prev = FiguresOf(r, env_.tz, id, year - 1);

    json largest = nullptr;
    if (auto s = store::reports::MemberLargestSale(r, id, cur.from, cur.to)) {
      largest = {{"day", s->day.ToString()},
                 {"store_id", s->store_id.value},
                 {"store_name", StoreName(repo, s->store_id)},
                 {"paid_fen", s->paid.value},
                 {"refunded_fen", s->refunded.value},
                 {"lines", s->lines}};
    }
    json tiers = json::array();
    for (const auto& c : store::reports::MemberTierChanges(r, id, env_.tz.StartOfDay(cur.from),
                                                           env_.tz.StartOfDay(cur.to.AddDays(1)))) {
      tiers.push_back({{"at", FormatTimestamp(c.at)},
                       {"day", env_.tz.LocalDate(c.at).ToString()},
                       {"kind", c.kind},
                       {"from", loyalty_core::TierJson(program, c.from_tier)},
                       {"to", loyalty_core::TierJson(program, c.to_tier)},
                       {"reason", c.reason}});
    }
    json channels = json::array();
    for (const auto& [channel, n] : cur.contacts_by_channel) {
      channels.push_back({{"channel", channel}, {"count", n}});
    }
    json tier = loyalty_core::TierJson(program, state.tier_code);
    tier["since"] = state.tier_since ? json(state.tier_since->ToString()) : json(nullptr);
    return json{
        {"year", year},
        {"from", cur.from.ToString()},
        {"to", cur.to.ToString()},
        {"as_of", std::min(today, cur.to).ToString()},
        {"complete", cur.to < today},
        {"masked", !unmasked},
        {"program", {{"code", program.code}, {"name", program.name}}},
        {"member",
         {{"id", m.id.value},
          {"member_no", m.member_no},
          {"name", m.name},
          {"mobile", m.mobile.number},
          {"status", domain::ToString(m.status)},
          {"store", {{"id", m.home_store_id.value}, {"name", StoreName(repo, m.home_store_id)}}},
          {"tier", tier}}},
        {"summary", cur.Json()},
        {"previous", prev.Json()},
        {"change", ChangeJson(cur, prev)},
        {"by_month", MonthsJson(cur, prev)},
        {"by_category",
         TopShares(store::reports::MemberSpendByCategory(r, id, cur.from, cur.to), "category")},
        {"by_brand",
         TopShares(store::reports::MemberSpendByBrand(r, id, cur.from, cur.to), "brand")},
        {"largest_purchase", largest},
        {"tier_history", tiers},
        {"contacts", {{"total", cur.contacts}, {"visits", cur.visits}, {"by_channel", channels}}}};
  });
}

}  // namespace vipcare::service
