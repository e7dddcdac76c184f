#include "service/loyalty.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>

#include "domain/lunar.h"
#include "domain/points.h"
#include "domain/presets.h"
#include "domain/program.h"
#include "domain/quote.h"
#include "domain/tiers.h"
#include "service/access.h"
#include "service/audit.h"
#include "service/loyalty_core.h"
#include "service/loyalty_jobs.h"
#include "service/redemption.h"

namespace vipcare::service {
namespace {

using nlohmann::json;
using namespace loyalty_core;

constexpr size_t kMaxLines = 500;
constexpr int64_t kMaxFen = 10'000'000'000;  // 1 亿元: above any single line
constexpr int64_t kMaxQuantity = 100'000;

struct SaleRequest {
  std::string external_id;
  MemberId member_id;
  std::string card_no;
  StoreId store_id;
  StaffId associate_id;
  Timestamp occurred_at{};
  std::string payment_method;
  std::vector<domain::SaleLine> lines;
  // Per line: the till's reason for a line paid above list price × quantity
  // (engraving, tailoring; required then), else empty.
  std::vector<std::string> above_list_reasons;
  std::vector<std::string> voucher_codes;  // the member's cash vouchers used on it (L5)
};

struct RefundRequest {
  std::string external_id;
  std::string original_external_id;
  // The field that named it, for errors: "refund_of" (issue 5's name) or
  // "original_external_id" (the name it had before, still taken).
  std::string original_field;
  StoreId store_id;
  Timestamp occurred_at{};
  std::vector<std::pair<int64_t, Fen>> lines;  // the sale's line_no, amount given back
};

// Reads and checks a sale; every error names the field ("lines[2].paid_fen").
Result<SaleRequest> ParseSale(const json& body) {
  if (!body.is_object()) return Error::Invalid("body", "must be a JSON object");
  static const std::set<std::string> kKnown = {"external_id", "member_id",    "card_no",
                                               "store_id",    "associate_id", "occurred_at",
                                               "payment_method", "lines",     "kind",
                                               "voucher_codes", "paid_total_fen"};
  for (const auto& [key, value] : body.items()) {
    if (!kKnown.count(key)) return Error::Invalid(key, "is not a field of a sale");
  }
  SaleRequest s;
  auto kind = TextField(body, "kind", 16, false);
  if (!kind.ok()) return kind.error();
  if (!kind->empty() && *kind != "sale") return Error::Invalid("kind", "must be sale or refund");
  auto ext = TextField(body, "external_id", 64, true);
  if (!ext.ok()) return ext.error();
  s.external_id = *ext;
  auto member = IntField(body, "member_id", 1, INT64_MAX, 0);
  if (!member.ok()) return member.error();
  s.member_id = MemberId(*member);
  auto card = TextField(body, "card_no", 32, false);
  if (!card.ok()) return card.error();
  s.card_no = *card;
  if (s.member_id && !s.card_no.empty()) {
    return Error::Invalid("card_no", "give member_id or card_no, not both");
  }
  auto store = IntField(body, "store_id", 1, INT64_MAX, std::nullopt);
  if (!store.ok()) return store.error();
  s.store_id = StoreId(*store);
  auto associate = IntField(body, "associate_id", 1, INT64_MAX, 0);
  if (!associate.ok()) return associate.error();
  s.associate_id = StaffId(*associate);
  auto at = TextField(body, "occurred_at", 40, true);
  if (!at.ok()) return at.error();
  auto when = ParseTimestamp(*at);
  if (!when) return Error::Invalid("occurred_at", "must be an RFC 3339 time like 2026-11-23T14:05:00+08:00");
  s.occurred_at = *when;
  auto pay = TextField(body, "payment_method", 32, false);
  if (!pay.ok()) return pay.error();
  s.payment_method = *pay;
  if (auto v = body.find("voucher_codes"); v != body.end() && !v->is_null()) {
    if (!v->is_array()) return Error::Invalid("voucher_codes", "must be a list of voucher codes");
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string() || (*v)[i].get<std::string>().empty()) {
        return Error::Invalid(fmt::format("voucher_codes[{}]", i), "must be a voucher code");
      }
      s.voucher_codes.push_back((*v)[i].get<std::string>());
    }
  }
  auto lines = body.find("lines");
  if (lines == body.end() || !lines->is_array() || lines->empty() || lines->size() > kMaxLines) {
    return Error::Invalid("lines", fmt::format("must be a list of 1-{} lines", kMaxLines));
  }
  for (size_t i = 0; i < lines->size(); ++i) {
    const json& l = (*lines)[i];
    const std::string at_line = fmt::format("lines[{}]", i);
    if (!l.is_object()) return Error::Invalid(at_line, "must be an object");
    static const std::set<std::string> kLineFields = {"sku",           "category", "brand",
                                                      "quantity",      "list_price_fen",
                                                      "paid_fen",      "promo",
                                                      "above_list_reason"};
    for (const auto& [key, value] : l.items()) {
      if (!kLineFields.count(key)) return Error::Invalid(at_line + "." + key, "is not a field of a line");
    }
    domain::SaleLine line;
    auto sku = TextField(l, "sku", 64, true);
    auto category = TextField(l, "category", 64, false);
    auto brand = TextField(l, "brand", 64, false);
    auto qty = IntField(l, "quantity", 1, kMaxQuantity, 1);
    auto list = IntField(l, "list_price_fen", 1, kMaxFen, std::nullopt);
    auto paid = IntField(l, "paid_fen", 0, kMaxFen, std::nullopt);
    auto reason = TextField(l, "above_list_reason", kMaxReasonBytes, false);
    const auto in_line = [&](const Error& e) {
      return Error::Invalid(at_line + "." + e.field, e.message);
    };
    if (!sku.ok()) return in_line(sku.error());
    if (!category.ok()) return in_line(category.error());
    if (!brand.ok()) return in_line(brand.error());
    if (!qty.ok()) return in_line(qty.error());
    if (!list.ok()) return in_line(list.error());
    if (!paid.ok()) return in_line(paid.error());
    if (!reason.ok()) return in_line(reason.error());
    if (l.contains("above_list_reason") && !l["above_list_reason"].is_null() && IsBlank(*reason)) {
      return Error::Invalid(at_line + ".above_list_reason", "must say why, not be blank");
    }
    if (NeedsAboveListReason(*list, *qty, *paid) && reason->empty()) {
      return Error::Invalid(
          at_line + ".paid_fen",
          fmt::format("{} fen is above list_price_fen × quantity ({} fen): give "
                      "above_list_reason (加价原因)",
                      *paid, *list * *qty));
    }
    line.sku = *sku;
    line.category = *category;
    line.brand = *brand;
    line.quantity = *qty;
    line.list_price = Fen(*list);
    line.paid = Fen(*paid);
    if (auto p = l.find("promo"); p != l.end() && !p->is_null()) {
      if (!p->is_boolean()) return Error::Invalid(at_line + ".promo", "must be true or false");
      line.promo = p->get<bool>();
    }
    s.lines.push_back(std::move(line));
    s.above_list_reasons.push_back(*reason);
  }
  int64_t paid_total = 0;
  for (const auto& line : s.lines) paid_total += line.paid.value;
  if (paid_total == 0) {
    return Error::Invalid("lines", "every line's paid_fen is 0: a sale is paid something");
  }
  // The till's own total, if it sends one, must be what its lines add up to.
  auto total = IntField(body, "paid_total_fen", 1, INT64_MAX, paid_total);
  if (!total.ok()) return total.error();
  if (*total != paid_total) {
    return Error::Invalid("paid_total_fen",
                          fmt::format("is {} but the lines' paid_fen add up to {}", *total,
                                      paid_total));
  }
  return s;
}

// Reads and checks a refund; every error names the field.
Result<RefundRequest> ParseRefund(const json& body) {
  static const std::set<std::string> kKnown = {"kind",        "external_id", "refund_of",
                                               "original_external_id", "store_id",
                                               "occurred_at", "lines"};
  for (const auto& [key, value] : body.items()) {
    if (!kKnown.count(key)) return Error::Invalid(key, "is not a field of a refund");
  }
  RefundRequest r;
  auto ext = TextField(body, "external_id", 64, true);
  if (!ext.ok()) return ext.error();
  r.external_id = *ext;
  const bool old_name = body.contains("original_external_id");
  if (old_name && body.contains("refund_of")) {
    return Error::Invalid("refund_of", "give refund_of or original_external_id, not both");
  }
  r.original_field = old_name ? "original_external_id" : "refund_of";
  auto original = TextField(body, r.original_field, 64, true);
  if (!original.ok()) return original.error();
  r.original_external_id = *original;
  auto store = IntField(body, "store_id", 1, INT64_MAX, std::nullopt);
  if (!store.ok()) return store.error();
  r.store_id = StoreId(*store);
  auto at = TextField(body, "occurred_at", 40, true);
  if (!at.ok()) return at.error();
  auto when = ParseTimestamp(*at);
  if (!when) return Error::Invalid("occurred_at", "must be an RFC 3339 time like 2026-11-23T14:05:00+08:00");
  r.occurred_at = *when;
  auto lines = body.find("lines");
  if (lines == body.end() || !lines->is_array() || lines->empty() || lines->size() > kMaxLines) {
    return Error::Invalid("lines", fmt::format("must be a list of 1-{} lines", kMaxLines));
  }
  std::set<int64_t> seen;
  for (size_t i = 0; i < lines->size(); ++i) {
    const json& l = (*lines)[i];
    const std::string at_line = fmt::format("lines[{}]", i);
    if (!l.is_object()) return Error::Invalid(at_line, "must be an object");
    for (const auto& [key, value] : l.items()) {
      if (key != "line_no" && key != "paid_fen") {
        return Error::Invalid(at_line + "." + key, "is not a field of a refund line");
      }
    }
    auto no = IntField(l, "line_no", 1, int64_t(kMaxLines), std::nullopt);
    if (!no.ok()) return Error::Invalid(at_line + ".line_no", no.error().message);
    if (!seen.insert(*no).second) return Error::Invalid(at_line + ".line_no", "is listed twice");
    auto paid = IntField(l, "paid_fen", 1, kMaxFen, std::nullopt);
    if (!paid.ok()) return Error::Invalid(at_line + ".paid_fen", paid.error().message);
    r.lines.emplace_back(*no, Fen(*paid));
  }
  return r;
}

// The text a refund's idempotency hash is taken of: its body with the sale
// named "original_external_id" whichever name the till used, so the same
// refund under either name is a repeat (and the import, which writes that
// name, hashes it alike).
std::string RefundHashText(const json& body) {
  auto named = body.find("refund_of");
  if (named == body.end()) return body.dump();
  json same = body;
  same["original_external_id"] = *named;
  same.erase("refund_of");
  return same.dump();
}

Status NotInTheFuture(Timestamp occurred_at, Timestamp now) {
  if (TooFarAhead(occurred_at, now)) {
    return Error::Invalid("occurred_at", std::string(kTooFarAheadMessage));
  }
  return OkStatus();
}

// L1 idempotency: the first answer again if the body is the same, else 409.
Result<Loyalty::Posted> Replay(const store::TransactionRecord& before, const std::string& body_hash) {
  if (before.body_hash != body_hash) {
    return Error::Conflict("this external_id was posted before with different content",
                           "external_id");
  }
  return Loyalty::Posted{before.result, before.id, true};
}

}  // namespace

struct Loyalty::SaleRead {
  SaleRequest sale;
  std::string body_hash;
  // The member's plain columns as read before the write transaction
  // (Repository::GetMemberPlain: status, number, birthday, referrer, version;
  // nothing if the sale names no member or one that could not be read), and
  // whether the sale's local day is their birthday, indexed by the program's
  // calendar choice (false: as filed, true: the solar day of birth).
  std::optional<domain::Member> member;
  bool birthday[2] = {false, false};
  // The lines' categories against the catalogue as read then (a repeat of
  // an accepted sale is answered before this is looked at).
  Status categories = OkStatus();
};

namespace {

// The sale parsed and hashed: what every posting of it starts from.
Result<Loyalty::SaleRead> ParseSaleRead(const json& body) {
  auto parsed = ParseSale(body);
  if (!parsed.ok()) return parsed.error();
  Loyalty::SaleRead read;
  read.sale = std::move(*parsed);
  // paid_total_fen only repeats what the lines add up to: the same sale with
  // or without it is one sale (and hashes as the import's body, which has none).
  if (body.contains("paid_total_fen")) {
    json same = body;
    same.erase("paid_total_fen");
    read.body_hash = Sha256Hex(same.dump());
  } else {
    read.body_hash = Sha256Hex(body.dump());
  }
  return read;
}

std::vector<std::string> CategoriesOf(const std::vector<domain::SaleLine>& lines) {
  std::vector<std::string> out;
  out.reserve(lines.size());
  for (const auto& l : lines) out.push_back(l.category);
  return out;
}

bool AnyCategory(const std::vector<domain::SaleLine>& lines) {
  return std::any_of(lines.begin(), lines.end(),
                     [](const domain::SaleLine& l) { return !l.category.empty(); });
}

}  // namespace

std::string Loyalty::Posted::Text() const {
  std::string out = "{\"id\":" + std::to_string(id);
  if (result.size() > 2) {
    out += ',';
    out.append(result, 1);  // the stored object's keys and its closing brace
  } else {
    out += '}';
  }
  return out;
}

json Loyalty::Posted::Body() const { return json::parse(Text()); }

Result<Loyalty::Posted> Loyalty::PostSale(const Actor& actor, const json& body) {
  if (body.is_object() && body.value("kind", json()) == json("refund")) {
    return PostRefund(actor, body);
  }
  auto read = ReadSale(actor, body);
  if (!read.ok()) return read.error();
  return PostReadSale(actor, **read);
}

Result<std::shared_ptr<const Loyalty::SaleRead>> Loyalty::ReadSale(const Actor& actor,
                                                                    const json& body) {
  auto read = ParseSaleRead(body);
  if (!read.ok()) return read.error();
  VIPCARE_TRY(CheckSaleStore(actor, read->sale.store_id));
  const SaleRequest& sale = read->sale;
  const bool names_member = !sale.card_no.empty() || sale.member_id;
  const bool names_category = AnyCategory(sale.lines);
  if (names_member || names_category) {
    // Nothing here fails: what it cannot find is left to the posting.
    (void)env_.store.Read([&](store::Repository& repo) -> Status {
      if (names_category) {
        read->categories = CheckLineCategories(repo.loyalty(), CategoriesOf(sale.lines));
      }
      if (!names_member) return OkStatus();
      // Unknown cards and members are left to the posting, which answers them.
      MemberId id = sale.member_id;
      if (!sale.card_no.empty()) {
        auto card = repo.FindCardByNo(sale.card_no);
        if (!card) return OkStatus();
        id = card->member_id;
      }
      read->member = repo.GetMemberPlain(id);
      return OkStatus();
    });
    if (read->member && read->member->birthday) {
      const Date day = env_.tz.LocalDate(sale.occurred_at);
      read->birthday[0] = domain::IsBirthday(*read->member->birthday, day, false);
      read->birthday[1] = domain::IsBirthday(*read->member->birthday, day, true);
    }
  }
  return std::make_shared<const SaleRead>(std::move(*read));
}

void Loyalty::PostSaleThen(const Actor& actor, const json& body, PostedThen done) {
  if (body.is_object() && body.value("kind", json()) == json("refund")) {
    // Refunds take the waiting path.
    auto posted = std::make_shared<Result<Posted>>(PostSale(actor, body));
    done([posted] { return std::move(*posted); });
    return;
  }
  auto read = ReadSale(actor, body);
  if (!read.ok()) {
    done([error = read.error()]() -> Result<Posted> { return error; });
    return;
  }
  env_.store.WriteThen(
      [this, actor, read = *read](store::Repository& repo) -> Result<Posted> {
        return PostSaleWith(repo, actor, *read);
      },
      std::move(done));
}

Result<Loyalty::Posted> Loyalty::PostReadSale(const Actor& actor, const SaleRead& read) {
  return env_.store.Write([&](store::Repository& repo) -> Result<Posted> {
    return PostSaleWith(repo, actor, read);
  });
}

Result<Loyalty::Posted> Loyalty::PostSaleIn(store::Repository& repo, const Actor& actor,
                                            const json& body) {
  if (body.is_object() && body.value("kind", json()) == json("refund")) {
    return PostRefundIn(repo, actor, body);
  }
  auto read = ParseSaleRead(body);
  if (!read.ok()) return read.error();
  read->categories = CheckLineCategories(repo.loyalty(), CategoriesOf(read->sale.lines));
  return PostSaleWith(repo, actor, *read);
}

Result<Loyalty::Posted> Loyalty::PostSaleWith(store::Repository& repo, const Actor& actor,
                                              const SaleRead& read) {
  const SaleRequest& sale = read.sale;
  const std::string& body_hash = read.body_hash;
  VIPCARE_TRY(CheckSaleStore(actor, sale.store_id));
  VIPCARE_TRY(NotInTheFuture(sale.occurred_at, env_.clock.Now()));
  // The member's plain columns (all a sale needs of the file): those read
  // before this transaction while the file's version is still the stored one.
  bool read_before = false;
  const auto current = [&](MemberId id) -> std::optional<domain::Member> {
    if (read.member && read.member->id == id &&
        repo.MemberVersion(id) == read.member->version) {
      read_before = true;
      return read.member;
    }
    return repo.GetMemberPlain(id);
  };
  const Timestamp now = env_.clock.Now();
  const Date today = env_.Today();
  {
    auto& l = repo.loyalty();
    if (auto before = l.FindTransaction(sale.external_id)) return Replay(*before, body_hash);
    if (!repo.GetStore(sale.store_id)) return Error::Invalid("store_id", "no store has that id");
    VIPCARE_TRY(read.categories);
    if (sale.associate_id) {
      auto s = repo.GetStaff(sale.associate_id);
      if (!s || s->store_id != sale.store_id) {
        return Error::Invalid("associate_id", "no associate of that store has that id");
      }
    }
    std::optional<domain::Member> member;
    if (!sale.card_no.empty()) {
      auto card = repo.FindCardByNo(sale.card_no);
      if (!card || !domain::IsActive(card->status)) {
        return Error::Invalid("card_no", "no active card has that number");
      }
      member = current(card->member_id);
    } else if (sale.member_id) {
      member = current(sale.member_id);
      if (!member) return Error::Invalid("member_id", "no member has that id");
    }
    if (member && (member->status == domain::MemberStatus::kMerged ||
                   member->status == domain::MemberStatus::kErased ||
                   member->status == domain::MemberStatus::kClosed)) {
      return Error::Unprocessable("the member's file is closed, merged or erased", "member_id");
    }

    store::TransactionRecord t;
    t.external_id = sale.external_id;
    t.body_hash = body_hash;
    t.kind = "sale";
    t.store_id = sale.store_id;
    t.associate_id = sale.associate_id;
    t.occurred_at = sale.occurred_at;
    t.local_day = env_.tz.LocalDate(sale.occurred_at);
    t.payment_method = sale.payment_method;
    t.created_by = actor.user_id;
    t.created_at = now;
    for (size_t i = 0; i < sale.lines.size(); ++i) {
      const auto& in = sale.lines[i];
      t.list_total = t.list_total + Fen(in.list_price.value * in.quantity);
      t.paid_total = t.paid_total + in.paid;
      t.lines.push_back({int64_t(i + 1), 0, in.sku, in.category, in.brand, in.quantity,
                         in.list_price, in.paid, in.promo, Fen(0), sale.above_list_reasons[i]});
    }
    SaleAnswer answer;
    answer.external_id = t.external_id;
    answer.store_id = t.store_id.value;
    answer.occurred_at = FormatTimestamp(t.occurred_at);
    answer.local_day = t.local_day.ToString();
    answer.list_total = t.list_total;
    answer.paid_total = t.paid_total;
    if (!member) {
      if (!sale.voucher_codes.empty()) {
        return Error::Invalid("voucher_codes", "vouchers are a member's: give member_id or card_no");
      }
      t.result = SaleAnswerText(answer, domain::Program());
      l.InsertTransaction(t);
      RecordAudit(repo, env_, actor, "sale_post", "transaction", std::to_string(t.id),
                  "member=none");
      return Posted{std::move(t.result), t.id, false};
    }

    // The member's program (L6): their own, else the company's; a first
    // sale starts them on their home store's default program.
    store::LoyaltyState state = StateOf(l, member->id);
    const domain::Program program = ProgramOf(l, state);
    domain::EarnInput in;
    in.tier = EarningTier(program, state);
    in.on = t.local_day;
    in.remainder = state.carry_fen;
    const bool solar_of_birth =
        program.birthday_calendar == domain::BirthdayCalendar::kSolarOfBirth;
    in.birthday = member->birthday &&
                  (read_before ? read.birthday[solar_of_birth]
                               : domain::IsBirthday(*member->birthday, t.local_day, solar_of_birth));
    in.lines = sale.lines;
    auto earning = domain::Earn(program, in);
    if (!earning.ok()) return earning.error();
    t.member_id = member->id;
    const domain::EarnPlan plan = ApplyEarning(*earning, t, state);
    l.AddToMonth({member->id, YearMonth(t.local_day), t.paid_total, 1, t.paid_total,
                  earning->points, t.local_day});

    // Tiers (L6): an upgrade the sale earns is immediate or waits for the
    // store manager; a pending downgrade the sale cures is cancelled at the
    // next review (ReviewDowngrade), never silently here.
    auto metrics = domain::ComputeMetrics(program, ActivityOf(l, state, today), today);
    if (!metrics.ok()) throw std::runtime_error("monthly buckets: " + metrics.error().message);
    auto decision = domain::DecideUpgrade(program, *metrics, state.tier_code);
    if (!decision.ok()) {
      // The member's tier is not in the company's current program: start them
      // on its ladder from the bottom.
      decision = domain::DecideUpgrade(program, *metrics, "");
      if (!decision.ok()) return decision.error();
    }
    if (decision->immediate) {
      const std::string to = program.tiers[decision->immediate->tier].code;
      l.AppendTierChange({0, member->id, now, "upgrade", state.tier_code, to,
                          decision->immediate->reason, actor.user_id});
      answer.upgrade = SaleAnswer::Upgrade{state.tier_code, to, decision->immediate->reason};
      state.tier_code = to;
      state.tier_since = today;
      state.downgrade_warned_on.reset();
      state.downgrade_effective_on.reset();
      if (state.pending_tier == to) state.pending_tier.clear();
    }
    if (decision->needs_approval) {
      const std::string to = program.tiers[decision->needs_approval->tier].code;
      if (state.pending_tier != to) {
        l.AppendTierChange({0, member->id, now, "approval_queued", state.tier_code, to,
                            decision->needs_approval->reason, actor.user_id});
        state.pending_tier = to;
        state.pending_reason = decision->needs_approval->reason;
        state.pending_since = now;
      }
      answer.pending_tier = to;
      answer.pending_reason = state.pending_reason;
    }
    // L9: the referrer's reward comes with the new member's first qualifying
    // purchase, once.
    Points referral{0};
    std::optional<domain::Member> referrer;
    if (member->referrer_id && !state.referral_rewarded) {
      referral = domain::ReferralReward(program, t.paid_total);
      referrer = repo.GetMemberPlain(member->referrer_id);
      if (!referrer || referrer->status == domain::MemberStatus::kMerged ||
          referrer->status == domain::MemberStatus::kErased ||
          referrer->status == domain::MemberStatus::kClosed) {
        referral = Points(0);
      }
      if (referral.value > 0) state.referral_rewarded = true;
    }
    if (!l.SaveLoyaltyState(state)) {
      return Error::Conflict("the member's points changed at the same time; post again",
                             "member_id");
    }

    AnswerForMember(answer, member->id, *earning, state, program, referral,
                    referral.value > 0 ? referrer->id : MemberId());
    t.result = SaleAnswerText(answer, program);
    l.InsertTransaction(t);
    if (referral.value > 0) {
      store::LoyaltyState rs = StateOf(l, referrer->id);
      CreditPoints(l, rs, ProgramOf(l, rs), referral, "referral", t.local_day, /*growth=*/false,
                   {0, referrer->id, now, "referral", Points(0), Points(0), t.id, 0,
                    "推荐新会员 " + member->member_no + " 首次消费", UserId(), actor.user_id});
      if (!l.SaveLoyaltyState(rs)) {
        return Error::Conflict("the referrer's points changed at the same time; post again",
                               "member_id");
      }
    }
    if (plan.new_lot.value > 0) {
      l.InsertLot({0, member->id, "earn", t.id, plan.new_lot, plan.new_lot, t.local_day,
                   domain::ExpiryDate(program.expiry, t.local_day)});
    }
    if (earning->points.value != 0) {
      l.AppendLedger({0, member->id, now, "earn", earning->points, state.points_balance, t.id, 0,
                      "", UserId(), actor.user_id});
    }
    if (!sale.voucher_codes.empty()) {
      VIPCARE_TRY(UseVouchers(repo, member->id, sale.voucher_codes, t.paid_total, t.local_day,
                              t.id, now));
      answer.vouchers_used = sale.voucher_codes;
    }
    // L5 "每满XX分返XX元", issued as soon as the balance allows.
    const auto& cash_back = program.redemption.cash_back;
    if (cash_back && cash_back->automatic && state.points_balance >= cash_back->every_points) {
      auto codes = IssueCashBack(repo, env_, actor, state, program, t.local_day, t.store_id);
      if (!codes.ok()) return codes.error();
      if (!codes->empty()) {
        if (!l.SaveLoyaltyState(state)) {
          return Error::Conflict("the member's points changed at the same time; post again",
                                 "member_id");
        }
        answer.cashback_vouchers = *codes;
        answer.points_balance = state.points_balance;
      }
    }
    // M4: a temporary member whose purchases meet the program's rule becomes formal.
    if (member->status == domain::MemberStatus::kTemporary) {
      std::vector<std::string>& vouchers = answer.cashback_vouchers;
      const size_t issued_at_sale = vouchers.size();
      auto converted =
          ConvertIfQualified(repo, env_, actor, member->id, t.local_day, &vouchers, &program);
      if (!converted.ok()) return converted.error();
      if (*converted) answer.became_formal = true;
      if (vouchers.size() > issued_at_sale) {
        answer.points_balance = l.GetLoyaltyState(member->id)->points_balance;
      }
    }
    if (!answer.vouchers_used.empty() || !answer.cashback_vouchers.empty() ||
        answer.became_formal) {
      t.result = SaleAnswerText(answer, program);
      l.SetTransactionResult(t.id, t.result);
    }
    RecordAudit(repo, env_, actor, "sale_post", "transaction", std::to_string(t.id),
                fmt::format("member={} points={}", member->id.value, earning->points.value));
    return Posted{std::move(t.result), t.id, false};
  }
}

Result<Loyalty::Posted> Loyalty::PostRefund(const Actor& actor, const json& body) {
  if (!body.is_object()) return Error::Invalid("body", "must be a JSON object");
  auto parsed = ParseRefund(body);
  if (!parsed.ok()) return parsed.error();
  VIPCARE_TRY(CheckSaleStore(actor, parsed->store_id));
  return env_.store.Write(
      [&](store::Repository& repo) -> Result<Posted> { return PostRefundIn(repo, actor, body); });
}

Result<Loyalty::Posted> Loyalty::PostRefundIn(store::Repository& repo, const Actor& actor,
                                              const json& body) {
  if (!body.is_object()) return Error::Invalid("body", "must be a JSON object");
  auto parsed = ParseRefund(body);
  if (!parsed.ok()) return parsed.error();
  const RefundRequest& refund = *parsed;
  VIPCARE_TRY(CheckSaleStore(actor, refund.store_id));
  const std::string body_hash = Sha256Hex(RefundHashText(body));
  const Timestamp now = env_.clock.Now();
  VIPCARE_TRY(NotInTheFuture(refund.occurred_at, now));
  const Date today = env_.Today();
  {
    auto& l = repo.loyalty();
    if (auto before = l.FindTransaction(refund.external_id)) return Replay(*before, body_hash);
    auto sale = l.FindTransaction(refund.original_external_id);
    if (!sale || sale->kind != "sale") {
      return Error::Invalid(refund.original_field, "no posted sale has that external_id");
    }
    if (!repo.GetStore(refund.store_id)) return Error::Invalid("store_id", "no store has that id");
    // What earlier refunds of the sale took back, per line and in points.
    std::map<int64_t, Fen> refunded_before;
    Points reversed_before{0};
    for (const auto& r : l.ListRefundsOf(sale->id)) {
      reversed_before = reversed_before - r.points;
      for (const auto& line : r.lines) {
        refunded_before[line.original_line_no] = refunded_before[line.original_line_no] - line.paid;
      }
    }
    std::map<int64_t, Fen> now_by_line;
    for (size_t i = 0; i < refund.lines.size(); ++i) {
      const auto [no, amount] = refund.lines[i];
      if (no > int64_t(sale->lines.size())) {
        return Error::Invalid(fmt::format("lines[{}].line_no", i), "the sale has no such line");
      }
      const auto& line = sale->lines[size_t(no - 1)];
      if (refunded_before[no] + amount > line.paid) {
        return Error::Invalid(fmt::format("lines[{}].paid_fen", i),
                              fmt::format("at most {} fen of this line is left to refund",
                                          (line.paid - refunded_before[no]).value));
      }
      now_by_line[no] = amount;
    }

    store::TransactionRecord t;
    t.external_id = refund.external_id;
    t.body_hash = body_hash;
    t.kind = "refund";
    t.original_id = sale->id;
    t.member_id = sale->member_id;
    t.store_id = refund.store_id;
    t.occurred_at = refund.occurred_at;
    t.local_day = env_.tz.LocalDate(refund.occurred_at);
    t.created_by = actor.user_id;
    t.created_at = now;
    int64_t next_line = 1;
    for (const auto& [no, amount] : now_by_line) {
      const auto& line = sale->lines[size_t(no - 1)];
      const Fen base = line.paid.value > 0
                           ? Fen(-(line.earn_base.value * amount.value / line.paid.value))
                           : Fen(0);
      t.lines.push_back({next_line++, no, line.sku, line.category, line.brand, 0, Fen(0),
                         Fen(-amount.value), line.promo, base, ""});
      t.paid_total = t.paid_total - amount;
    }
    json answer = {{"external_id", t.external_id},
                   {"kind", "refund"},
                   {"original_external_id", sale->external_id},
                   {"store_id", t.store_id.value},
                   {"occurred_at", FormatTimestamp(t.occurred_at)},
                   {"local_day", t.local_day.ToString()},
                   {"paid_total_fen", t.paid_total.value},
                   {"member_id", t.member_id ? json(t.member_id.value) : json(nullptr)},
                   {"points", 0},
                   {"points_earned", 0},
                   {"refund_of", sale->external_id}};
    if (!t.member_id) {
      t.result = answer.dump();
      l.InsertTransaction(t);
      RecordAudit(repo, env_, actor, "refund_post", "transaction", std::to_string(t.id),
                  "member=none");
      return Posted{std::move(t.result), t.id, false};
    }

    auto state = l.GetLoyaltyState(t.member_id);
    if (!state) throw std::runtime_error("a member's sale without loyalty state");
    const domain::Program program = ProgramOf(l, *state);
    domain::RefundInput in;
    in.base_points = sale->base_points;
    in.bonus_points = sale->bonus_points;
    in.reversed_before = reversed_before;
    in.remainder = state->carry_fen;
    for (const auto& line : sale->lines) {
      auto it = now_by_line.find(line.line_no);
      in.lines.push_back({line.paid, line.earn_base, refunded_before[line.line_no],
                          it == now_by_line.end() ? Fen(0) : it->second});
    }
    auto reversal = domain::ReverseForRefund(program, in);
    if (!reversal.ok()) return reversal.error();
    const Points points = reversal->points;

    // Take the points back: the sale's own lot first, then oldest first; what
    // is already spent becomes a negative balance (L2).
    std::vector<domain::PointsLot> lots;
    int64_t own_lot = 0;
    for (const auto& lot : l.ListOpenLots(t.member_id)) {
      lots.push_back({lot.id, lot.remaining, lot.earned_on, lot.expires_on});
      if (lot.transaction_id == sale->id) own_lot = lot.id;
    }
    const domain::ReversalPlan plan = domain::PlanReversal(lots, own_lot, points, today);
    for (const auto& draw : plan.draws) {
      l.SetLotRemaining(draw.lot_id, lots[draw.index].remaining - draw.points);
    }
    state->points_balance = state->points_balance - points;
    state->growth_lifetime = state->growth_lifetime - points;
    state->carry_fen = reversal->remainder;
    l.AddToMonth({t.member_id, YearMonth(sale->local_day), t.paid_total, 0, Fen(0),
                  Points(-points.value)});
    if (!l.SaveLoyaltyState(*state)) {
      return Error::Conflict("the member's points changed at the same time; post again",
                             refund.original_field);
    }
    t.points = Points(-points.value);
    answer["points"] = t.points.value;
    answer["points_earned"] = t.points.value;
    answer["points_balance"] = state->points_balance.value;
    answer["growth_points"] = state->growth_lifetime.value;
    answer["tier"] = TierJson(program, state->tier_code);
    t.result = answer.dump();
    l.InsertTransaction(t);
    if (points.value != 0) {
      l.AppendLedger({0, t.member_id, now, "reverse", t.points, state->points_balance, t.id, 0,
                      "退货 " + sale->external_id, UserId(), actor.user_id});
    }
    RecordAudit(repo, env_, actor, "refund_post", "transaction", std::to_string(t.id),
                fmt::format("member={} points={}", t.member_id.value, t.points.value));
    return Posted{std::move(t.result), t.id, false};
  }
}

Result<json> Loyalty::MemberPoints(const Actor& actor, MemberId id, store::Page page) {
  if (page.limit < 1 || page.limit > 200) return Error::Invalid("limit", "must be between 1 and 200");
  const Date today = env_.Today();
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto m = MemberInScope(repo, actor, id, env_.clock.Now());
    if (!m.ok()) return m.error();
    auto& l = repo.loyalty();
    const store::LoyaltyState state = StateOf(l, id);
    const domain::Program program = ProgramOf(l, state);
    json out = {{"member_id", id.value},
                {"program", {{"code", program.code}, {"name", program.name}}},
                {"points_balance", state.points_balance.value},
                {"balance", state.points_balance.value},  // issue 5's name
                {"growth_points", state.growth_lifetime.value},
                {"tier", TierJson(program, state.tier_code)},
                {"tier_since", state.tier_since ? json(state.tier_since->ToString()) : json(nullptr)},
                {"pending_approval", PendingApprovalJson(program, state)},
                {"downgrade", state.downgrade_effective_on
                                  ? json{{"effective_on", state.downgrade_effective_on->ToString()}}
                                  : json(nullptr)},
                {"progress", nullptr}};
    auto metrics = domain::ComputeMetrics(program, ActivityOf(l, state, today), today);
    if (metrics.ok()) {
      if (auto p = domain::ProgressToNextTier(program, *metrics, state.tier_code)) {
        out["progress"] = {{"next_tier", {{"code", p->next_tier}, {"name", p->next_tier_name}}},
                           {"already_met", p->already_met},
                           {"needs_approval", p->needs_approval},
                           {"text", p->text},
                           {"percent", p->percent ? json(*p->percent) : json(nullptr)}};
      }
      out["spend_12m_fen"] = metrics->spend_12m.value;
    }
    json lots = json::array();
    for (const auto& lot : l.ListOpenLots(id)) {
      lots.push_back({{"points", lot.remaining.value},
                      {"earned_on", lot.earned_on.ToString()},
                      {"expires_on", lot.expires_on ? json(lot.expires_on->ToString()) : json(nullptr)}});
    }
    out["lots"] = lots;
    auto ledger = l.ListLedger(id, page);
    json moves = json::array();
    for (const auto& e : ledger.items) {
      moves.push_back({{"at", FormatTimestamp(e.at)},
                       {"kind", e.kind},
                       {"points", e.points.value},
                       {"balance_after", e.balance_after.value},
                       {"transaction_id", e.transaction_id ? json(e.transaction_id) : json(nullptr)},
                       {"reason", e.reason}});
    }
    out["ledger"] = {{"items", moves}, {"total", ledger.total}};
    auto tiers = l.ListTierChanges(id, {50, 0});
    json changes = json::array();
    for (const auto& c : tiers.items) {
      changes.push_back({{"at", FormatTimestamp(c.at)},
                         {"kind", c.kind},
                         {"from", TierJson(program, c.from_tier)},
                         {"to", TierJson(program, c.to_tier)},
                         {"reason", c.reason}});
    }
    out["tier_history"] = changes;
    return out;
  });
}

Result<json> Loyalty::PendingApprovals(const Actor& actor, store::Page page) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberAdmin));
  if (page.limit < 1 || page.limit > 200) return Error::Invalid("limit", "must be between 1 and 200");
  std::optional<StoreId> store;
  std::optional<RegionId> region;
  if (actor.role == domain::Role::kStoreManager) store = actor.store_id;
  if (actor.role == domain::Role::kRegionalSupervisor) region = actor.region_id;
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto& l = repo.loyalty();
    ProgramBook programs(l);
    auto page_of = l.ListPendingApprovals(store, region, page);
    json items = json::array();
    for (const auto& s : page_of.items) {
      auto m = repo.GetMember(s.member_id);
      if (!m) continue;
      const domain::Program& program = programs.Of(l, s.program_code);
      items.push_back({{"member_id", s.member_id.value},
                       {"member_no", m->member_no},
                       {"name", m->name},
                       {"store_id", m->home_store_id.value},
                       {"program", {{"code", program.code}, {"name", program.name}}},
                       {"tier", TierJson(program, s.tier_code)},
                       {"pending_tier", TierJson(program, s.pending_tier)},
                       {"reason", s.pending_reason},
                       {"queued_at", s.pending_since ? json(FormatTimestamp(*s.pending_since))
                                                     : json(nullptr)}});
    }
    return json{{"items", items}, {"total", page_of.total}};
  });
}

namespace {

// One member's queued tier approved or rejected inside the caller's write
// transaction (L6): the tier event with the manager's reason, the state, the
// audit row. Errors name `field` (the member's place in the request).
Result<json> DecideQueuedTier(store::Repository& repo, const Env& env, const Actor& actor,
                              MemberId id, bool approve, const std::string& reason,
                              const std::string& field) {
  const Timestamp now = env.clock.Now();
  const Date today = env.Today();
  auto m = repo.GetMember(id);
  if (!m) return Error::NotFound("no member has that id", field);
  if (auto scope = CheckMemberScopeIn(repo, actor, *m, false); !scope.ok()) {
    Error e = scope.error();
    e.field = field;
    return e;
  }
  auto& l = repo.loyalty();
  auto state = l.GetLoyaltyState(id);
  if (!state || state->pending_tier.empty()) {
    return Error::Unprocessable("no tier is waiting for approval for this member", field);
  }
  const domain::Program program = ProgramOf(l, *state);
  const std::string queued = state->pending_tier;
  const std::string from = state->tier_code;
  const std::string why = (approve ? "店长审批通过：" : "店长审批未通过：") + reason;
  l.AppendTierChange({0, id, now, approve ? "approved" : "rejected", from, queued, why,
                      actor.user_id});
  if (approve) {
    state->tier_code = queued;
    state->tier_since = today;
    state->downgrade_warned_on.reset();
    state->downgrade_effective_on.reset();
  }
  state->pending_tier.clear();
  state->pending_reason.clear();
  if (!l.SaveLoyaltyState(*state)) {
    return Error::Conflict("the member's tier changed at the same time; reload and retry", field);
  }
  RecordAudit(repo, env, actor, approve ? "tier_approve" : "tier_reject", "member",
              std::to_string(id.value), "tier=" + queued);
  return json{{"member_id", id.value},
              {"approved", approve},
              {"tier", TierJson(program, state->tier_code)},
              {"reason", why}};
}

Status CheckDecisionReason(const std::string& reason) {
  if (reason.empty() || reason.size() > 200) {
    return Error::Invalid("reason", "is required, at most 200 bytes");
  }
  return OkStatus();
}

}  // namespace

Result<json> Loyalty::DecideApproval(const Actor& actor, MemberId id, bool approve,
                                     const std::string& reason) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberAdmin));
  VIPCARE_TRY(CheckDecisionReason(reason));
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto r = DecideQueuedTier(repo, env_, actor, id, approve, reason, "member_id");
    if (!r.ok() && r.error().code == ErrorCode::kNotFound) {
      return Error::NotFound(r.error().message, "id");  // the path's member
    }
    return r;
  });
}

Result<json> Loyalty::DecideApprovals(const Actor& actor, const std::vector<MemberId>& members,
                                      bool approve, const std::string& reason) {
  VIPCARE_TRY(Authorize(actor, Permission::kMemberAdmin));
  if (members.empty() || members.size() > kMaxDecisions) {
    return Error::Invalid("member_ids", fmt::format("must list 1-{} members", kMaxDecisions));
  }
  std::set<int64_t> seen;
  for (size_t i = 0; i < members.size(); ++i) {
    if (!seen.insert(members[i].value).second) {
      return Error::Invalid(fmt::format("member_ids[{}]", i), "lists a member twice");
    }
  }
  VIPCARE_TRY(CheckDecisionReason(reason));
  // One transaction: a member who cannot be decided (not found, out of scope,
  // nothing waiting) fails the whole request and nothing is decided.
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    json items = json::array();
    for (size_t i = 0; i < members.size(); ++i) {
      auto one = DecideQueuedTier(repo, env_, actor, members[i], approve, reason,
                                  fmt::format("member_ids[{}]", i));
      if (!one.ok()) return one.error();
      items.push_back(std::move(*one));
    }
    return json{{"decided", items.size()}, {"approved", approve}, {"items", std::move(items)}};
  });
}

namespace {

// Reads a quote's cart; every error names the field ("lines[1].quantity").
Result<std::vector<domain::CartLine>> ParseCart(const json& body) {
  auto lines = body.find("lines");
  if (lines == body.end() || !lines->is_array() || lines->empty() || lines->size() > kMaxLines) {
    return Error::Invalid("lines", fmt::format("must be a list of 1-{} lines", kMaxLines));
  }
  std::vector<domain::CartLine> cart;
  for (size_t i = 0; i < lines->size(); ++i) {
    const json& l = (*lines)[i];
    const std::string at_line = fmt::format("lines[{}]", i);
    VIPCARE_TRY(OnlyFields(l,
                           {"sku", "category", "brand", "quantity", "list_price_fen",
                            "member_price_fen", "promo"},
                           "a cart line", at_line));
    const auto in_line = [&](const Error& e) {
      return Error::Invalid(at_line + "." + e.field, e.message);
    };
    auto sku = TextField(l, "sku", 64, true);
    if (!sku.ok()) return in_line(sku.error());
    auto category = TextField(l, "category", 64, false);
    if (!category.ok()) return in_line(category.error());
    auto brand = TextField(l, "brand", 64, false);
    if (!brand.ok()) return in_line(brand.error());
    auto qty = IntField(l, "quantity", 1, kMaxQuantity, 1);
    if (!qty.ok()) return in_line(qty.error());
    auto list = IntField(l, "list_price_fen", 0, kMaxFen, std::nullopt);
    if (!list.ok()) return in_line(list.error());
    auto member_price = IntField(l, "member_price_fen", 0, kMaxFen, -1);
    if (!member_price.ok()) return in_line(member_price.error());
    domain::CartLine line;
    line.sku = *sku;
    line.category = *category;
    line.brand = *brand;
    line.quantity = *qty;
    line.list_price = Fen(*list);
    if (*member_price >= 0) line.member_price = Fen(*member_price);
    if (auto p = l.find("promo"); p != l.end() && !p->is_null()) {
      if (!p->is_boolean()) return Error::Invalid(at_line + ".promo", "must be true or false");
      line.promo = p->get<bool>();
    }
    cart.push_back(std::move(line));
  }
  return cart;
}

json QuoteJson(const domain::Quote& q) {
  json lines = json::array();
  for (const auto& l : q.lines) {
    lines.push_back({{"sku", l.sku},
                     {"quantity", l.quantity},
                     {"list_total_fen", l.list_total.value},
                     {"total_fen", l.total.value},
                     {"saving_fen", l.saving.value},
                     {"benefit", domain::ToString(l.benefit)},
                     {"why", l.why}});
  }
  return {{"lines", lines},
          {"list_total_fen", q.list_total.value},
          {"total_fen", q.total.value},
          {"saving_fen", q.saving.value},
          {"points", q.points.value},
          {"birthday", q.birthday},
          {"perks",
           {{"parking_hours", q.perks.parking_hours},
            {"alliance_discount_bp", q.perks.alliance_discount_bp},
            {"free_delivery", q.perks.free_delivery},
            {"priority_service", q.perks.priority_service},
            {"credit_min_fen", q.perks.credit_min.value},
            {"credit_max_fen", q.perks.credit_max.value},
            {"items", q.perks.items}}},
          {"notes", q.notes}};
}

json LineJson(const store::TransactionLine& l) {
  return {{"line_no", l.line_no},
          {"original_line_no", l.original_line_no ? json(l.original_line_no) : json(nullptr)},
          {"sku", l.sku},
          {"category", l.category},
          {"brand", l.brand},
          {"quantity", l.quantity},
          {"list_price_fen", l.list_price.value},
          {"paid_fen", l.paid.value},
          {"promo", l.promo},
          {"above_list_reason", l.above_list_reason}};
}

}  // namespace

Result<json> Loyalty::Quote(const Actor& actor, const json& body) {
  VIPCARE_TRY(Authorize(actor, Permission::kSalePost));
  VIPCARE_TRY(OnlyFields(body, {"member_id", "card_no", "id_checked", "store_id", "lines"},
                         "a quote"));
  auto member_id = IntField(body, "member_id", 1, INT64_MAX, 0);
  if (!member_id.ok()) return member_id.error();
  auto card_no = TextField(body, "card_no", 32, false);
  if (!card_no.ok()) return card_no.error();
  if (*member_id && !card_no->empty()) {
    return Error::Invalid("card_no", "give member_id or card_no, not both");
  }
  auto store = IntField(body, "store_id", 1, INT64_MAX, 0);
  if (!store.ok()) return store.error();
  bool id_checked = false;
  if (auto it = body.find("id_checked"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return Error::Invalid("id_checked", "must be true or false");
    id_checked = it->get<bool>();
  }
  auto cart = ParseCart(body);
  if (!cart.ok()) return cart.error();
  const Date today = env_.Today();
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto& l = repo.loyalty();
    std::vector<std::string> categories;
    for (const auto& line : *cart) categories.push_back(line.category);
    VIPCARE_TRY(CheckLineCategories(l, categories));
    std::optional<domain::Member> member;
    if (!card_no->empty()) {
      auto card = repo.FindCardByNo(*card_no);
      if (!card || !domain::IsActive(card->status)) {
        return Error::Invalid("card_no", "no active card has that number");
      }
      member = repo.GetMember(card->member_id);
    } else if (*member_id) {
      member = repo.GetMember(MemberId(*member_id));
      if (!member) return Error::Invalid("member_id", "no member has that id");
    }
    domain::QuoteInput in;
    in.id_checked = id_checked;
    in.lines = *cart;
    store::LoyaltyState state;
    if (member) state = StateOf(l, member->id);
    // A member's quote is by their program; a stranger's by the company's.
    const domain::Program program = member ? ProgramOf(l, state) : LoadProgram(l);
    if (member) {
      in.tier = EarningTier(program, state);
      in.birthday = member->birthday;
      in.points_balance = state.points_balance;
      in.points_remainder = state.carry_fen;
    }
    auto q = domain::QuoteCart(program, in, today);
    if (!q.ok()) return q.error();
    json out = QuoteJson(*q);
    out["member_id"] = member ? json(member->id.value) : json(nullptr);
    out["member_no"] = member ? json(member->member_no) : json(nullptr);
    out["tier"] = member ? TierJson(program, in.tier) : json(nullptr);
    out["points_balance"] = member ? json(state.points_balance.value) : json(nullptr);
    if (!member) out["points"] = 0;  // a non-member sale earns nothing
    out["program"] = {{"code", program.code}, {"version", program.version}};
    return out;
  });
}

Result<json> Loyalty::MemberTransactions(const Actor& actor, MemberId id, store::Page page) {
  if (page.limit < 1 || page.limit > 200) return Error::Invalid("limit", "must be between 1 and 200");
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    auto m = MemberInScope(repo, actor, id, env_.clock.Now());
    if (!m.ok()) return m.error();
    auto& l = repo.loyalty();
    auto list = l.ListMemberTransactions(id, page);
    json items = json::array();
    for (const auto& head : list.items) {
      auto t = l.GetTransaction(head.id);
      if (!t) continue;
      std::string original;
      if (t->original_id) {
        if (auto o = l.GetTransaction(t->original_id)) original = o->external_id;
      }
      json lines = json::array();
      for (const auto& line : t->lines) lines.push_back(LineJson(line));
      items.push_back({{"id", t->id},
                       {"external_id", t->external_id},
                       {"kind", t->kind},
                       {"original_external_id", original.empty() ? json(nullptr) : json(original)},
                       {"refund_of", original.empty() ? json(nullptr) : json(original)},
                       {"store_id", t->store_id.value},
                       {"associate_id", t->associate_id ? json(t->associate_id.value) : json(nullptr)},
                       {"occurred_at", FormatTimestamp(t->occurred_at)},
                       {"local_day", t->local_day.ToString()},
                       {"list_total_fen", t->list_total.value},
                       {"paid_total_fen", t->paid_total.value},
                       {"points", t->points.value},
                       {"payment_method", t->payment_method},
                       {"lines", lines}});
    }
    return json{{"items", items}, {"total", list.total}};
  });
}

Result<json> Loyalty::CurrentProgram(const Actor& actor) {
  VIPCARE_TRY(Authorize(actor, Permission::kOrgRead));
  return env_.store.Read([&](store::Repository& repo) -> Result<json> {
    return domain::ProgramToJson(LoadProgram(repo.loyalty()));
  });
}

}  // namespace vipcare::service
