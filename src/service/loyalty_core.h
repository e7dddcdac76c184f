// src/service/loyalty_core.h
#pragma once
#include <nlohmann/json.hpp>
#include <map>
#include <optional>
#include <vector>
#include <span>
#include <string>

#include "core/result.h"
#include "domain/points.h"
#include "domain/program.h"
#include "domain/tiers.h"
#include "service/context.h"
#include "service/json_text.h"
#include "store/repository.h"

// What the loyalty use cases (loyalty.cc, redemption.cc, loyalty_jobs.cc,
// programs.cc, transaction_import.cc) share: the company's program, a
// member's loyalty state and activity, points in and out of the ledger, and
// reading request fields. Everything runs inside the caller's transaction.
namespace vipcare::service::loyalty_core {

// The program a company runs until it chooses one (SPEC §10, preset 2).
inline constexpr std::string_view kDefaultPreset = "department_store";

int64_t YearMonth(Date d);
std::string Sha256Hex(const std::string& text);

// A stored program version as the domain reads it (id and version from the
// record). A body that no longer parses is a broken database: it throws.
domain::Program ParseStoredProgram(const store::ProgramRecord& rec);

// The code of the company's program: the one it chose, else the default preset.
std::string CompanyProgramCode(store::LoyaltyRepository& l);
// The company's program: the stored one it chose, else the default preset.
domain::Program LoadProgram(store::LoyaltyRepository& l);
// The program `code` names: its newest stored version, else the preset; ""
// is the company's. A code no program has is a broken database: it throws.
domain::Program LoadProgram(store::LoyaltyRepository& l, const std::string& code);
// The program a member is evaluated by (L6): the one their loyalty state
// names, else the company's.
domain::Program ProgramOf(store::LoyaltyRepository& l, const store::LoyaltyState& s);

// The code a program id in an address or body names: the preset whose
// stable id it is (department-store -> department_store), unless a stored
// program has that very code. Any other id is a code already (no query).
std::string ProgramCodeOf(store::LoyaltyRepository& l, const std::string& id);
// ProgramCodeOf(id), if a stored program or a preset has that code.
std::optional<std::string> ProgramCodeOfId(store::LoyaltyRepository& l, const std::string& id);

// The company's category catalogue (商品类别) as lines are checked against
// it (issue 5, "unknown SKUs' categories"): while it lists any category, a
// line's category must be blank or an active category of it. Loaded whole
// (a catalogue holds tens of categories) by the import and program checks.
inline constexpr std::string_view kCategoryNotListed = "is not a category of the catalogue (商品类别)";
inline constexpr std::string_view kCategorySwitchedOff =
    "is a category switched off in the catalogue (商品类别)";
class CategoryCatalogue {
 public:
  explicit CategoryCatalogue(store::LoyaltyRepository& l);
  // Whether lines are checked at all (the catalogue lists a category).
  bool checked() const { return !active_.empty(); }
  // Why a line may not name `category` (CategoryProblem), "" if it may.
  std::string_view Problem(std::string_view category) const;
  // Whether the catalogue lists `category`, active or switched off.
  bool Lists(std::string_view category) const { return active_.count(category) > 0; }
  // Whether it lists `category` and has it on.
  bool Active(std::string_view category) const {
    auto it = active_.find(category);
    return it != active_.end() && it->second;
  }

 private:
  std::map<std::string, bool, std::less<>> active_;
};
// What is wrong with a line's `category` while the catalogue is checked,
// given whether the catalogue has it on (`active`; nothing if it does not
// list it); "" if nothing is.
std::string_view CategoryProblem(std::string_view category, std::optional<bool> active);
// The first of `categories` (the lines' categories in order) that the
// catalogue refuses: kInvalidArgument on "lines[i].category". One query
// while the catalogue is empty, one more per distinct category otherwise.
Status CheckLineCategories(store::LoyaltyRepository& l, const std::vector<std::string>& categories);

// The member's loyalty state, or a fresh one (version 0) if the member has
// none yet: on their home store's default program, else the company's.
store::LoyaltyState StateOf(store::LoyaltyRepository& l, MemberId member);

// The programs a run over many members evaluates them by, each loaded once:
// the company's and every program members were put on or stores run.
class ProgramBook {
 public:
  explicit ProgramBook(store::LoyaltyRepository& l);
  const domain::Program& Company() const { return programs_.at(""); }
  // The program of `code` ("" = the company's); one not loaded yet (a member
  // put on it since) is loaded from `l`.
  const domain::Program& Of(store::LoyaltyRepository& l, const std::string& code);
  // Every program loaded, the company's first.
  std::vector<const domain::Program*> All() const;
  // The same by code as members hold it ("" = the company's).
  const std::map<std::string, domain::Program>& ByCode() const { return programs_; }
  // Names and order for reports: the company's program with the tiers of
  // every other program appended, program after program, each lowest first,
  // keyed as the reports key them (store::reports::TierKey:
  // "key_accounts:b") and named "<program>·<tier>".
  domain::Program Ladder() const;

 private:
  std::map<std::string, domain::Program> programs_;  // by code as members hold it
};

// Appends the tiers of program `code` to `ladder` (a ProgramBook::Ladder())
// keyed and named as Ladder() does, for the reports' earlier tiers of a
// program no member is on any more. Nothing if its tiers are there already
// or no program (stored or preset) has that code.
void AppendProgramTiers(store::LoyaltyRepository& l, domain::Program& ladder,
                        const std::string& code);

// The member's activity for the tier rules, from their loyalty state and the
// monthly buckets of the last 24 months (never the transaction history).
domain::MemberActivity ActivityOf(store::LoyaltyRepository& l, const store::LoyaltyState& s,
                                  Date today);
// The same from buckets already read (`months`: the member's, as stored; those
// outside the 24 months up to `today` are left out), into `a` (whose months
// vector is reused).
void FillActivity(const store::LoyaltyState& s, std::span<const store::MonthBucket> months,
                  Date today, domain::MemberActivity& a);

// The tier a sale earns by (its points multiplier, L3): the member's, or
// none while it is not a tier of their program (the company chose another
// program, or an admin took the tier out; the sale's L6 decision then places
// them on the program's ladder).
std::string EarningTier(const domain::Program& p, const store::LoyaltyState& s);

std::string TierName(const domain::Program& p, const std::string& code);
// {"code", "name"} or null for "" (no tier).
nlohmann::json TierJson(const domain::Program& p, const std::string& code);
// The tier waiting for a store manager's approval (L6) with its reason and
// since when it waits ("queued_at", RFC 3339 or null), or null if none.
nlohmann::json PendingApprovalJson(const domain::Program& p, const store::LoyaltyState& s);
// TierJson(p, code), written into `j`.
void TierText(JsonText& j, const domain::Program& p, const std::string& code);

// What a posted sale answers (L1): stored with the transaction and given
// again, with its id, on every repeat of the external_id. The same for a
// till's posting and an imported sale.
struct SaleAnswer {
  std::string external_id;
  int64_t store_id = 0;
  std::string occurred_at;  // RFC 3339, as FormatTimestamp writes it
  std::string local_day;
  Fen list_total{0};
  Fen paid_total{0};
  // A member's sale; the fields below are written only for one.
  MemberId member;
  Points points{0};
  Points points_balance{0};
  Points growth_points{0};
  std::string tier;  // its code, "" for none
  struct Upgrade {
    std::string from, to, reason;
  };
  std::optional<Upgrade> upgrade;
  std::optional<std::string> pending_tier;  // waiting for the store manager
  std::string pending_reason;
  std::vector<std::string> notes;  // how the points were earned
  std::string program_code;
  int64_t program_version = 0;
  Points referral{0};  // the referrer's reward (L9), with:
  MemberId referrer;
  bool became_formal = false;                  // M4
  std::vector<std::string> cashback_vouchers;  // L5, written when any
  std::vector<std::string> vouchers_used;      // written when any
};
// The member's part of a sale's answer once the sale is applied to `state`:
// the points earned and the notes on how, the balance, growth value and tier
// after it, the program, and the referrer's reward (L9) if `referral` > 0.
void AnswerForMember(SaleAnswer& a, MemberId member, const domain::Earning& earning,
                     const store::LoyaltyState& state, const domain::Program& program,
                     Points referral, MemberId referrer);
// The answer as stored: a JSON object, keys in byte order, as
// nlohmann::json's dump() would write it (json_text.h).
std::string SaleAnswerText(const SaleAnswer& a, const domain::Program& program);

// Takes `cost` points from the member's usable lots, oldest expiry first
// (FIFO, L2), lowers the balance and appends the ledger movement `entry`
// (kind, reason, redemption id...; points and balance are filled in).
// kUnprocessable on "points" when the balance is short or negative. The
// caller saves `state`.
Status SpendPoints(store::LoyaltyRepository& l, store::LoyaltyState& state, Points cost, Date today,
                   store::LedgerEntry entry);

// A member sale's earning applied to the sale and the member's state, the
// same for a till posting and an imported sale (L2, L3): each line's earn
// base, the sale's points, the balance and growth, the carried remainder, the
// first and last purchase. Answers how the new points split between paying
// off a negative balance and a new lot.
domain::EarnPlan ApplyEarning(const domain::Earning& earning, store::TransactionRecord& t,
                              store::LoyaltyState& state);

// Credits `points` (> 0) as a new lot from `source`, earned on `today` with
// the program's expiry; a negative balance is paid off first (L2). Appends
// the ledger movement `entry`. `growth` says whether the points count as
// growth value (earned, referral) or not (a correction). The caller saves
// `state`.
void CreditPoints(store::LoyaltyRepository& l, store::LoyaltyState& state,
                  const domain::Program& program, Points points, const std::string& source,
                  Date today, bool growth, store::LedgerEntry entry);

// M6: member `from` is merged into `into`: their sales, open lots, unused
// vouchers and monthly buckets move (MoveLoyalty), the balance, growth value
// and carried remainder are added to the survivor's with a "merge" ledger
// movement on each file, and the survivor keeps the higher of the two tiers
// (tier history "merge"). kConflict if either state changed meanwhile.
Status MergeLoyalty(store::Repository& repo, const Actor& actor, MemberId from, MemberId into,
                    Timestamp now);

// Rules a till's sale follows whether posted or imported (issue 5).
// The most a till's reason for a line paid above its list price may take.
constexpr size_t kMaxReasonBytes = 200;
// Whether a line paid `paid` for `quantity` at `list_price` each needs the
// till's reason (加价原因): it was paid above list price × quantity.
bool NeedsAboveListReason(int64_t list_price, int64_t quantity, int64_t paid);
// Whether a reason is only blanks (spaces, tabs) or empty.
bool IsBlank(std::string_view s);
// A sale or refund stamped more than a day after the server's clock is a
// typo or a till with a wrong date, not a purchase: it would put spend in
// months that have not come. A till's clock may be a little ahead.
bool TooFarAhead(Timestamp occurred_at, Timestamp now);
inline constexpr std::string_view kTooFarAheadMessage =
    "is more than a day after the server's clock: check the till's date";

// Request fields. Errors are kInvalidArgument naming `field`.
Result<std::string> TextField(const nlohmann::json& body, const std::string& field, size_t max,
                              bool required);
Result<int64_t> IntField(const nlohmann::json& body, const std::string& field, int64_t min,
                         int64_t max, std::optional<int64_t> fallback);
// Fails naming the first key of `body` not in `known`.
Status OnlyFields(const nlohmann::json& body, std::initializer_list<std::string_view> known,
                  std::string_view what, const std::string& prefix = {});

}  // namespace vipcare::service::loyalty_core
