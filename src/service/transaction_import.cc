#include "service/transaction_import.h"

#include <csv.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "domain/card.h"
#include "domain/lunar.h"
#include "domain/member.h"
#include "domain/org.h"
#include "domain/points.h"
#include "domain/program.h"
#include "domain/tiers.h"
#include "service/access.h"
#include "service/audit.h"
#include "service/csv_input.h"
#include "service/json_text.h"
#include "service/loyalty_core.h"
#include "service/loyalty_jobs.h"
#include "service/members.h"
#include "service/redemption.h"
#include "store/bulk_import.h"
#include "store/bulk_tuning.h"

namespace vipcare::service {
namespace {


using namespace csv_input;

using nlohmann::json;

// The limits of a sale that Loyalty::PostSale enforces (loyalty.cc); checked
// here too so that every row is reported before anything is posted.
constexpr size_t kMaxLines = 500;
constexpr int64_t kMaxFen = 10'000'000'000;  // 1 亿元
constexpr int64_t kMaxQuantity = 100'000;
constexpr size_t kMaxIdBytes = 64;
constexpr size_t kMaxTextBytes = 64;
constexpr size_t kMaxPaymentBytes = 32;
constexpr size_t kStorePage = 500;
constexpr size_t kStaffPage = 1000;

// ---------------------------------------------------------------- columns

enum class Column : uint8_t {
  kExternalId,
  kKind,
  kOriginal,
  kCardNo,
  kMemberNo,
  kMobile,
  kStoreCode,
  kAssociateNo,
  kOccurredAt,
  kSku,
  kCategory,
  kBrand,
  kQuantity,
  kListPrice,
  kPaid,
  kPromo,
  kPaymentMethod,
  kAboveListReason,
  kPaidTotal,
  kLineNo,
};
constexpr size_t kColumnCount = size_t(Column::kLineNo) + 1;

struct ColumnDef {
  Column column;
  std::string_view english;                 // matched case-insensitively
  std::array<std::string_view, 3> chinese;  // matched exactly; first is the canonical one
  bool required;
  bool per_transaction;  // the same on every row of a transaction
};

// Indexed by Column.
constexpr std::array<ColumnDef, kColumnCount> kColumns = {{
    {Column::kExternalId, "external_id", {"单号", "交易单号", "流水号"}, true, true},
    {Column::kKind, "kind", {"类型", "交易类型"}, false, true},
    {Column::kOriginal, "original_external_id", {"原单号", "原交易单号"}, false, true},
    {Column::kCardNo, "card_no", {"卡号", "会员卡号"}, false, true},
    {Column::kMemberNo, "member_no", {"会员编号", "会员号"}, false, true},
    {Column::kMobile, "mobile", {"手机", "手机号", "手机号码"}, false, true},
    {Column::kStoreCode, "store_code", {"门店编码"}, true, true},
    {Column::kAssociateNo, "associate_no", {"导购工号"}, false, true},
    {Column::kOccurredAt, "occurred_at", {"交易时间", "时间"}, true, true},
    {Column::kSku, "sku", {"商品编码", "货号"}, false, false},
    {Column::kCategory, "category", {"品类", "类别"}, false, false},
    {Column::kBrand, "brand", {"品牌"}, false, false},
    {Column::kQuantity, "quantity", {"数量"}, false, false},
    {Column::kListPrice, "list_price", {"吊牌价", "标价", "单价"}, false, false},
    {Column::kPaid, "paid", {"实付金额", "实付", "金额"}, true, false},
    {Column::kPromo, "promo", {"特价", "促销"}, false, false},
    {Column::kPaymentMethod, "payment_method", {"支付方式", "付款方式"}, false, true},
    {Column::kAboveListReason, "above_list_reason", {"加价原因", "加价说明"}, false, false},
    {Column::kPaidTotal, "paid_total", {"实收合计", "合计金额"}, false, true},
    {Column::kLineNo, "line_no", {"原行号", "行号"}, false, false},
}};

// ---------------------------------------------------------------- value parsers

bool ParseDigits(std::string_view s, int64_t& out) {
  if (s.empty() || s.size() > 18) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size() && out >= 0;
}

// Yuan with at most two decimals ("1299", "1299.5", "1299.00", "¥1299.00")
// to fen, digit by digit: never through a double, so no amount is rounded.
std::optional<Fen> ParseYuan(std::string_view s) {
  for (std::string_view sign : {"\xC2\xA5", "\xEF\xBF\xA5"}) {  // ¥ and the full-width ￥
    if (s.substr(0, sign.size()) == sign) s.remove_prefix(sign.size());
  }
  const size_t dot = s.find('.');
  const std::string_view whole = s.substr(0, dot);
  std::string_view cents = dot == std::string_view::npos ? std::string_view() : s.substr(dot + 1);
  if (whole.empty() || whole.size() > 9 || cents.size() > 2 ||
      (dot != std::string_view::npos && cents.empty())) {
    return std::nullopt;
  }
  for (char c : whole) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  for (char c : cents) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  int64_t yuan = 0;
  for (char c : whole) yuan = yuan * 10 + (c - '0');
  int64_t fen = 0;
  for (size_t i = 0; i < 2; ++i) fen = fen * 10 + (i < cents.size() ? cents[i] - '0' : 0);
  return Fen(yuan * 100 + fen);
}

std::optional<bool> ParsePromo(std::string_view s) {
  if (s.empty() || s == "0" || s == "否" || EqualsIgnoreCase(s, "false") ||
      EqualsIgnoreCase(s, "no") || EqualsIgnoreCase(s, "n")) {
    return false;
  }
  if (s == "1" || s == "是" || EqualsIgnoreCase(s, "true") || EqualsIgnoreCase(s, "yes") ||
      EqualsIgnoreCase(s, "y")) {
    return true;
  }
  return std::nullopt;
}

// nullopt for an unknown kind; true for a refund.
std::optional<bool> ParseRefundKind(std::string_view s) {
  if (s.empty() || EqualsIgnoreCase(s, "sale") || s == "销售") return false;
  if (EqualsIgnoreCase(s, "refund") || s == "退货" || s == "退款") return true;
  return std::nullopt;
}

bool ParseSmall(std::string_view s, size_t max_digits, int& out) {
  if (s.empty() || s.size() > max_digits) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// RFC 3339 ("2026-11-23T14:05:00+08:00", "...Z"), or a local time of the
// company's zone "YYYY-MM-DD HH:MM[:SS]" (also "YYYY/M/D H:MM" as Excel
// writes it). Local times are the start of the local day plus the time of
// day, which is exact in zones without daylight saving (Asia/Shanghai).
std::optional<Timestamp> ParseOccurredAt(std::string_view s, const TimeZone& tz) {
  if (s.find('T') != std::string_view::npos) return ParseTimestamp(s);
  const size_t space = s.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const std::string_view date = s.substr(0, space);
  const std::string_view time = Trim(s.substr(space + 1));
  const size_t a = date.find_first_of("-/");
  if (a != 4) return std::nullopt;
  const size_t b = date.find(date[a], a + 1);
  if (b == std::string_view::npos) return std::nullopt;
  int y = 0, mo = 0, d = 0;
  if (!ParseSmall(date.substr(0, 4), 4, y) || !ParseSmall(date.substr(a + 1, b - a - 1), 2, mo) ||
      !ParseSmall(date.substr(b + 1), 2, d)) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(unsigned(mo)),
                                        std::chrono::day(unsigned(d))};
  if (mo < 1 || d < 1 || !ymd.ok()) return std::nullopt;
  const size_t c1 = time.find(':');
  if (c1 == std::string_view::npos) return std::nullopt;
  const size_t c2 = time.find(':', c1 + 1);
  int h = 0, mi = 0, sec = 0;
  if (!ParseSmall(time.substr(0, c1), 2, h) ||
      !ParseSmall(time.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos
                                                                    : c2 - c1 - 1),
                  2, mi) ||
      (c2 != std::string_view::npos && !ParseSmall(time.substr(c2 + 1), 2, sec)) ||
      time.substr(c1 + 1, 2).size() != 2 || h > 23 || mi > 59 || sec > 59 || h < 0 || mi < 0 ||
      sec < 0) {
    return std::nullopt;
  }
  return tz.StartOfDay(Date(std::chrono::sys_days(ymd))) + std::chrono::hours(h) +
         std::chrono::minutes(mi) + std::chrono::seconds(sec);
}

// Keeps the digits of a mobile typed with spaces or dashes and drops a +86.
std::string NormalizeMobile(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '-') out.push_back(c);
  }
  if (out.size() == 14 && out.compare(0, 3, "+86") == 0) {
    out.erase(0, 3);
  } else if (out.size() == 13 && out.compare(0, 2, "86") == 0) {
    out.erase(0, 2);
  }
  return out;
}

// ---------------------------------------------------------------- transactions

struct Line {
  size_t row;  // CSV line
  std::string sku, category, brand;
  int64_t quantity = 1;
  Fen list_price{0};
  Fen paid{0};
  bool promo = false;
  int64_t line_no = 0;  // refunds: the sale's line
  std::string above_list_reason;  // a sale line paid above list price × quantity
};

// The columns that name a sale's member, in the order they are checked.
constexpr std::array<Column, 3> kMemberColumns = {Column::kCardNo, Column::kMemberNo,
                                                  Column::kMobile};

// One sale or refund: a group of consecutive rows with one external_id.
struct Txn {
  size_t first_row = 0;  // CSV line of its first row
  size_t rows = 0;       // data rows it spans
  bool bad = false;
  bool repeat = false;  // posted before with the same content
  bool refund = false;
  bool names_member = false;  // a sale whose member columns were read
  std::string external_id;
  std::string original;
  MemberId member;
  StoreId store;
  StaffId associate;
  Timestamp occurred_at{};
  std::string payment_method;
  std::optional<Fen> paid_total;  // the till's own total, if the file has one
  std::vector<Line> lines;
  // The member columns (kMemberColumns order) as the first row wrote them.
  std::array<std::string, 3> member_values;
  // The member column that named no usable member. It matters only for a
  // new sale: a sale posted before is recognised by its external_id even if
  // its card was replaced (M4) or its mobile changed since.
  std::optional<ImportRowError> member_error;
};

// ---------------------------------------------------------------- JSON text

// The body a till would post for `t`, as nlohmann::json's dump() writes it
// (keys in order): the same bytes for the same rows, so importing a file
// again, or a till posting one of its sales, is recognised as a repeat (L1
// idempotency). Refunds: external_id, kind "refund", lines [{line_no,
// paid_fen}], occurred_at, original_external_id, store_id; sales: the
// member, associate and payment method when given, lines [{sku, quantity,
// list_price_fen, paid_fen, promo, and category, brand, above_list_reason
// when given}].
std::string BodyText(const Txn& t, const std::string& occurred_at) {
  JsonText j;
  j.Begin();
  if (t.refund) {
    j.Key("external_id").Str(t.external_id);
    j.Key("kind").Str("refund");
    j.Key("lines").BeginArray();
    for (const auto& l : t.lines) {
      j.Begin().Key("line_no").Int(l.line_no).Key("paid_fen").Int(l.paid.value).End();
    }
    j.EndArray();
    j.Key("occurred_at").Str(occurred_at);
    j.Key("original_external_id").Str(t.original);
    j.Key("store_id").Int(t.store.value);
  } else {
    if (t.associate) j.Key("associate_id").Int(t.associate.value);
    j.Key("external_id").Str(t.external_id);
    j.Key("lines").BeginArray();
    for (const auto& l : t.lines) {
      j.Begin();
      if (!l.above_list_reason.empty()) j.Key("above_list_reason").Str(l.above_list_reason);
      if (!l.brand.empty()) j.Key("brand").Str(l.brand);
      if (!l.category.empty()) j.Key("category").Str(l.category);
      j.Key("list_price_fen").Int(l.list_price.value);
      j.Key("paid_fen").Int(l.paid.value);
      j.Key("promo").Bool(l.promo);
      j.Key("quantity").Int(l.quantity);
      j.Key("sku").Str(l.sku);
      j.End();
    }
    j.EndArray();
    if (t.member) j.Key("member_id").Int(t.member.value);
    j.Key("occurred_at").Str(occurred_at);
    if (!t.payment_method.empty()) j.Key("payment_method").Str(t.payment_method);
    j.Key("store_id").Int(t.store.value);
  }
  j.End();
  return j.Take();
}

std::string BodyHash(const Txn& t) {
  return loyalty_core::Sha256Hex(BodyText(t, FormatTimestamp(t.occurred_at)));
}

// ---------------------------------------------------------------- checks

// What a refund may still give back per line of its sale.
struct SaleLedger {
  size_t row = 0;         // CSV line of the sale, 0 if it is only in the database
  bool usable = true;     // false: the sale in the file is bad
  std::vector<Fen> paid;  // by line_no - 1
  std::map<int64_t, Fen> refunded;
  // A sale of the file posted before: the refunds it has in the database are
  // read when a refund in the file first needs them.
  int64_t posted_id = 0;
};

// Reads and checks the whole file inside one read transaction. The database
// is asked set-wise once the file is read: members by member number, and
// external ids posted before, many per statement.
class Checker {
 public:
  Checker(store::Repository& repo, const Env& env, const Actor& actor,
          TransactionImportReport& report, std::vector<Txn>& txns)
      : repo_(repo), db_(repo.reports().db()), env_(env), actor_(actor), report_(report),
        txns_(txns) {}

  void LoadReferenceData() {
    for (int64_t offset = 0;; offset += kStorePage) {
      auto page = repo_.ListStores(std::nullopt, {int64_t(kStorePage), offset});
      for (auto& s : page.items) stores_.emplace(s.code, std::move(s));
      if (page.items.size() < kStorePage) break;
    }
    for (int64_t offset = 0;; offset += kStaffPage) {
      auto page = repo_.ListStaff(std::nullopt, std::nullopt, {int64_t(kStaffPage), offset});
      for (auto& s : page.items) staff_.emplace(s.employee_no, std::move(s));
      if (page.items.size() < kStaffPage) break;
    }
    catalogue_.emplace(repo_.loyalty());
  }

  Status Run(std::string_view text) {
    VIPCARE_TRY(ParseRecords(text, [this](RecordBuffer& buffer) { return Handle(buffer); }));
    if (!header_seen_) return Error::Invalid("", "line 1: the file has no header row");
    ResolveMembers();
    CheckAgainstDatabase();
    ReportUnknownOriginals();
    return OkStatus();
  }

  // The column's name as the header wrote it, else its English name.
  std::string ColumnName(Column c) const {
    const auto& name = column_names_[size_t(c)];
    return name.empty() ? std::string(kColumns[size_t(c)].english) : name;
  }

 private:
  Status Handle(RecordBuffer& buffer) {
    for (const auto& rec : buffer.records()) {
      fields_.clear();
      bool blank = true;
      for (size_t i = 0; i < rec.field_count; ++i) {
        auto f = Trim(buffer.Field(rec.first_field + i));
        blank = blank && f.empty();
        fields_.push_back(f);
      }
      if (blank) continue;  // Excel's ",,,," rows
      if (!header_seen_) {
        VIPCARE_TRY(Header(rec.line));
        header_seen_ = true;
        continue;
      }
      Row(rec.line);
    }
    buffer.ClearCompleted();
    return OkStatus();
  }

  Status Header(size_t line) {
    std::vector<size_t> order;
    VIPCARE_TRY(MatchHeader(fields_, kColumns, line, "external_id/单号, store_code/门店编码, occurred_at/交易时间, sku/商品编码, paid/实付金额", order, column_names_));
    header_columns_.clear();
    for (size_t i : order) header_columns_.push_back(Column(i));
    return OkStatus();
  }

  void AddError(size_t line, Column column, std::string message) {
    report_.errors.push_back({line, ColumnName(column), std::move(message)});
    if (!txns_.empty()) txns_.back().bad = true;
  }

  void Row(size_t line) {
    ++report_.rows_read;
    std::array<std::string_view, kColumnCount> v{};
    bool too_many = false;
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (i < header_columns_.size()) {
        v[size_t(header_columns_[i])] = fields_[i];
      } else if (!fields_[i].empty()) {
        too_many = true;
      }
    }
    auto at = [&v](Column c) { return v[size_t(c)]; };

    const std::string_view ext = at(Column::kExternalId);
    const bool continues = !txns_.empty() && !ext.empty() && txns_.back().external_id == ext &&
                           !txns_.back().external_id.empty();
    if (!continues) {
      ++report_.transactions;
      for (auto& value : first_values_) value.clear();
      Txn& t = txns_.emplace_back();
      t.first_row = line;
      t.external_id.assign(ext);
      bool duplicate = false;
      if (ext.empty()) {
        AddError(line, Column::kExternalId, "is required");
      } else if (ext.size() > kMaxIdBytes) {
        AddError(line, Column::kExternalId, fmt::format("must be at most {} bytes", kMaxIdBytes));
      } else if (auto [it, added] = first_row_of_.try_emplace(t.external_id, txns_.size() - 1);
                 !added) {
        // Its other columns would only repeat the consequences of this one.
        AddError(line, Column::kExternalId,
                 fmt::format("is already used by the transaction on line {} (the rows of one "
                             "transaction must be consecutive)",
                             txns_[it->second].first_row));
        t.refund = ParseRefundKind(at(Column::kKind)).value_or(false);
        duplicate = true;
      }
      if (!duplicate) TransactionFields(line, v);
    } else {
      // Later rows of a transaction may leave its columns empty or repeat them.
      Txn& t = txns_.back();
      for (const auto& def : kColumns) {
        if (!def.per_transaction || def.column == Column::kExternalId) continue;
        const auto value = at(def.column);
        if (!value.empty() && value != first_values_[size_t(def.column)]) {
          AddError(line, def.column,
                   fmt::format("differs from line {} of the same transaction", t.first_row));
        }
      }
    }
    Txn& t = txns_.back();
    ++t.rows;
    if (too_many) {
      report_.errors.push_back({line, "", "the row has more fields than the header"});
      t.bad = true;
    }
    LineFields(line, v);
  }

  void TransactionFields(size_t line, const std::array<std::string_view, kColumnCount>& v) {
    Txn& t = txns_.back();
    auto at = [&v](Column c) { return v[size_t(c)]; };
    for (const auto& def : kColumns) {
      if (def.per_transaction) first_values_[size_t(def.column)].assign(at(def.column));
    }
    if (auto kind = ParseRefundKind(at(Column::kKind))) {
      t.refund = *kind;
    } else {
      AddError(line, Column::kKind, "must be sale, refund, 销售 or 退货");
    }

    const auto store = stores_.find(std::string(at(Column::kStoreCode)));
    if (at(Column::kStoreCode).empty()) {
      AddError(line, Column::kStoreCode, "is required");
    } else if (store == stores_.end()) {
      AddError(line, Column::kStoreCode, "unknown store code");
    } else if (actor_.role != domain::Role::kAdmin && actor_.store_id != store->second.id) {
      AddError(line, Column::kStoreCode, "you may import sales only for your own store");
    } else {
      t.store = store->second.id;
    }

    if (at(Column::kOccurredAt).empty()) {
      AddError(line, Column::kOccurredAt, "is required");
    } else if (auto when = ParseOccurredAt(at(Column::kOccurredAt), env_.tz)) {
      t.occurred_at = *when;
      if (loyalty_core::TooFarAhead(*when, env_.clock.Now())) {
        AddError(line, Column::kOccurredAt, std::string(loyalty_core::kTooFarAheadMessage));
      }
    } else {
      AddError(line, Column::kOccurredAt,
               "must be a time like 2026-11-23 14:05 (company time) or 2026-11-23T14:05:00+08:00");
    }

    if (t.refund) {
      const auto original = at(Column::kOriginal);
      if (original.empty()) {
        AddError(line, Column::kOriginal, "is required for a refund");
      } else if (original.size() > kMaxIdBytes) {
        AddError(line, Column::kOriginal, fmt::format("must be at most {} bytes", kMaxIdBytes));
      } else {
        t.original.assign(original);
      }
      return;  // a refund's member and associate are the sale's
    }

    if (!at(Column::kOriginal).empty()) {
      AddError(line, Column::kOriginal, "is only for refunds (kind refund/退货)");
    }
    const auto payment = at(Column::kPaymentMethod);
    if (payment.size() > kMaxPaymentBytes) {
      AddError(line, Column::kPaymentMethod,
               fmt::format("must be at most {} bytes", kMaxPaymentBytes));
    }
    t.payment_method.assign(payment);
    if (!at(Column::kPaidTotal).empty()) {
      t.paid_total = Money(line, Column::kPaidTotal, at(Column::kPaidTotal));
    }

    if (!at(Column::kAssociateNo).empty()) {
      auto it = staff_.find(std::string(at(Column::kAssociateNo)));
      if (it == staff_.end()) {
        AddError(line, Column::kAssociateNo, "unknown staff employee number");
      } else if (t.store && it->second.store_id != t.store) {
        AddError(line, Column::kAssociateNo,
                 fmt::format("is not a staff member of store {}", at(Column::kStoreCode)));
      } else {
        t.associate = it->second.id;
      }
    }
    // The member is looked up once the whole file is read (ResolveMembers).
    t.names_member = true;
    for (size_t k = 0; k < kMemberColumns.size(); ++k) {
      t.member_values[k].assign(at(kMemberColumns[k]));
    }
  }

  // The key a member column is looked up by.
  static std::string MemberKey(Column c, std::string_view raw) {
    return c == Column::kMobile ? NormalizeMobile(raw) : std::string(raw);
  }

  // Finds the members the sales name: member numbers many per statement,
  // card numbers and mobiles (sealed: found by their blind index) one by
  // one, each distinct key once. Then, per sale: any of card, member number
  // and mobile; all that are given must name the same member.
  void ResolveMembers() {
    std::unordered_set<std::string> numbers;
    for (const Txn& t : txns_) {
      if (t.names_member && !t.member_values[1].empty()) numbers.insert(t.member_values[1]);
    }
    auto& by_no = member_cache_[1];
    for (const auto& f : store::bulk::MembersByNo(db_, {numbers.begin(), numbers.end()})) {
      by_no.emplace(f.member_no, Usable(f.status) ? Result<MemberId>(f.id) : ClosedFile());
    }
    for (const auto& no : numbers) {
      by_no.try_emplace(no, Error::Invalid("", "no member has that member number"));
    }
    for (Txn& t : txns_) {
      if (!t.names_member) continue;
      std::optional<Column> named_by;
      for (size_t k = 0; k < kMemberColumns.size(); ++k) {
        const Column c = kMemberColumns[k];
        if (t.member_values[k].empty()) continue;
        auto found = FindMember(k, t.member_values[k]);
        if (!found.ok()) {
          if (!t.member_error) {
            t.member_error = ImportRowError{t.first_row, ColumnName(c), found.error().message};
          }
          continue;
        }
        if (t.member && *found != t.member) {
          AddErrorTo(t, t.first_row, c,
                     fmt::format("names a different member than {}", ColumnName(*named_by)));
          continue;
        }
        t.member = *found;
        named_by = c;
      }
    }
  }

  static bool Usable(domain::MemberStatus s) {
    return s != domain::MemberStatus::kMerged && s != domain::MemberStatus::kErased &&
           s != domain::MemberStatus::kClosed;
  }
  static Error ClosedFile() {
    return Error::Invalid("", "the member's file is closed, merged or erased");
  }

  Result<MemberId> FindMember(size_t k, std::string_view raw) {
    const Column c = kMemberColumns[k];
    std::string key = MemberKey(c, raw);
    auto& cache = member_cache_[k];
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    Result<MemberId> found = Lookup(c, key);
    cache.emplace(std::move(key), found);
    return found;
  }

  // A card number or mobile.
  Result<MemberId> Lookup(Column c, const std::string& key) {
    std::optional<domain::Member> m;
    if (c == Column::kCardNo) {
      auto card = repo_.FindCardByNo(key);
      if (!card || !domain::IsActive(card->status)) {
        return Error::Invalid("", "no active card has that number");
      }
      m = repo_.GetMember(card->member_id);
    } else {
      if (!domain::IsValidMobile(key)) {
        return Error::Invalid("", "must be an 11-digit mainland mobile number");
      }
      m = repo_.FindMemberByMobile(key);
      if (!m) return Error::Invalid("", "no member has that mobile");
    }
    if (!m) return Error::Invalid("", "no member has that card");
    if (!Usable(m->status)) return ClosedFile();
    return m->id;
  }

  void LineFields(size_t line, const std::array<std::string_view, kColumnCount>& v) {
    Txn& t = txns_.back();
    auto at = [&v](Column c) { return v[size_t(c)]; };
    Line& l = t.lines.emplace_back();
    l.row = line;
    if (t.lines.size() == kMaxLines + 1) {
      AddError(line, Column::kExternalId,
               fmt::format("a transaction has at most {} lines", kMaxLines));
    }
    if (t.refund) {
      int64_t no = 0;
      if (at(Column::kLineNo).empty()) {
        AddError(line, Column::kLineNo, "is required for a refund: the sale's line number");
      } else if (!ParseDigits(at(Column::kLineNo), no) || no < 1 || no > int64_t(kMaxLines)) {
        AddError(line, Column::kLineNo, fmt::format("must be a line number 1-{}", kMaxLines));
      } else if (std::any_of(t.lines.begin(), t.lines.end() - 1,
                             [no](const Line& o) { return o.line_no == no; })) {
        AddError(line, Column::kLineNo, "is listed twice in this refund");
      } else {
        l.line_no = no;
      }
      auto paid = Money(line, Column::kPaid, at(Column::kPaid));
      if (paid && paid->value == 0) {
        AddError(line, Column::kPaid, "must be more than 0 (the amount given back)");
      } else if (paid) {
        l.paid = *paid;
      }
      return;
    }
    const auto sku = at(Column::kSku);
    if (sku.empty()) {
      AddError(line, Column::kSku, "is required for a sale");
    } else if (sku.size() > kMaxTextBytes) {
      AddError(line, Column::kSku, fmt::format("must be at most {} bytes", kMaxTextBytes));
    }
    l.sku.assign(sku);
    for (auto [c, out] : {std::pair{Column::kCategory, &l.category}, {Column::kBrand, &l.brand}}) {
      if (at(c).size() > kMaxTextBytes) {
        AddError(line, c, fmt::format("must be at most {} bytes", kMaxTextBytes));
      }
      out->assign(at(c));
    }
    if (auto why = catalogue_->Problem(l.category); !why.empty()) {
      AddError(line, Column::kCategory, std::string(why));
    }
    bool quantity_ok = true;
    if (!at(Column::kQuantity).empty() &&
        (!ParseDigits(at(Column::kQuantity), l.quantity) || l.quantity < 1 ||
         l.quantity > kMaxQuantity)) {
      AddError(line, Column::kQuantity, fmt::format("must be a whole number 1-{}", kMaxQuantity));
      quantity_ok = false;
    }
    const auto list = Money(line, Column::kListPrice, at(Column::kListPrice));
    if (list && list->value == 0) {
      AddError(line, Column::kListPrice, "must be more than 0");
    } else if (list) {
      l.list_price = *list;
    }
    const auto paid = Money(line, Column::kPaid, at(Column::kPaid));
    if (paid) l.paid = *paid;
    const auto reason = at(Column::kAboveListReason);
    if (reason.size() > loyalty_core::kMaxReasonBytes) {
      AddError(line, Column::kAboveListReason,
               fmt::format("must be at most {} bytes", loyalty_core::kMaxReasonBytes));
    }
    l.above_list_reason.assign(reason);
    // Issue 5: paid above the list price only with the till's reason.
    if (list && paid && quantity_ok && list->value > 0 &&
        loyalty_core::NeedsAboveListReason(list->value, l.quantity, paid->value) &&
        loyalty_core::IsBlank(reason)) {
      AddError(line, Column::kPaid,
               fmt::format("is above {} × {}: give the reason in {}", ColumnName(Column::kListPrice),
                           l.quantity, ColumnName(Column::kAboveListReason)));
    }
    if (auto promo = ParsePromo(at(Column::kPromo))) {
      l.promo = *promo;
    } else {
      AddError(line, Column::kPromo, "must be 0, 1, 是 or 否");
    }
    // line_no on a sale row is ignored: a sale's lines are numbered in row order.
  }

  // A required amount in yuan; nullopt after reporting why not.
  std::optional<Fen> Money(size_t line, Column c, std::string_view text) {
    if (text.empty()) {
      AddError(line, c, "is required");
      return std::nullopt;
    }
    auto fen = ParseYuan(text);
    if (!fen) {
      AddError(line, c, "must be an amount in yuan with at most two decimals, like 1299.00");
      return std::nullopt;
    }
    if (fen->value > kMaxFen) {
      AddError(line, c, "must be at most 100000000.00");
      return std::nullopt;
    }
    return fen;
  }

  // Every transaction against the database and the rest of the file, in file
  // order: posted before (one query per chunk of external ids), and for a
  // refund, what its sale allows.
  void CheckAgainstDatabase() {
    for (const Txn& t : txns_) {
      if (t.refund && !t.original.empty()) refunded_sales_.insert(t.original);
    }
    std::vector<std::string> ids;
    for (const Txn& t : txns_) {
      if (!t.bad && !t.external_id.empty()) ids.push_back(t.external_id);
    }
    for (auto& p : store::bulk::FindPosted(db_, ids)) {
      std::string key = p.external_id;
      posted_.emplace(std::move(key), std::move(p));
    }
    ids.clear();
    ids.shrink_to_fit();
    for (size_t i = 0; i < txns_.size(); ++i) Finish(i);
  }

  void Finish(size_t index) {
    Txn& t = txns_[index];
    const auto own = first_row_of_.find(t.external_id);
    const bool first_use = own != first_row_of_.end() && own->second == index;
    if (!t.refund && first_use && refunded_sales_.count(t.external_id)) {
      SaleLedger& ledger = in_file_sales_[t.external_id];
      ledger.row = t.first_row;
      ledger.usable = !t.bad;
      for (const auto& l : t.lines) ledger.paid.push_back(l.paid);
    }
    if (t.bad) {
      if (t.member_error) report_.errors.push_back(*t.member_error);
      return;
    }

    auto before = posted_.find(t.external_id);
    if (t.member_error && before == posted_.end()) {
      report_.errors.push_back(*t.member_error);
      t.bad = true;
      return;
    }
    if (before != posted_.end()) {
      if (t.member_error) t.member = before->second.member_id;  // see Txn::member_error
      if (before->second.body_hash != BodyHash(t)) {
        report_.errors.push_back({t.first_row, ColumnName(Column::kExternalId),
                                  "was posted before with different content"});
        t.bad = true;
        if (auto it = in_file_sales_.find(t.external_id); !t.refund && it != in_file_sales_.end()) {
          it->second.usable = false;
        }
        return;
      }
      t.repeat = true;
      if (auto it = in_file_sales_.find(t.external_id); !t.refund && it != in_file_sales_.end()) {
        it->second.posted_id = before->second.id;
      }
      return;
    }
    int64_t paid_total = 0;
    for (const auto& l : t.lines) paid_total += l.paid.value;
    // The till's own total, as POST /api/v1/transactions checks paid_total_fen
    // (a refund's: what it gives back).
    if (t.paid_total && t.paid_total->value != paid_total) {
      AddErrorTo(t, t.first_row, Column::kPaidTotal,
                 fmt::format("is {} but the rows' {} add up to {}", FormatYuan(*t.paid_total),
                             ColumnName(Column::kPaid), FormatYuan(Fen(paid_total))));
      if (auto it = in_file_sales_.find(t.external_id); !t.refund && it != in_file_sales_.end()) {
        it->second.usable = false;
      }
      return;
    }
    if (t.refund) {
      CheckRefund(t, index);
      return;
    }
    if (paid_total == 0) {
      AddErrorTo(t, t.first_row, Column::kPaid,
                 "is 0 on every line of this sale: a sale is paid something");
      if (auto it = in_file_sales_.find(t.external_id); it != in_file_sales_.end()) {
        it->second.usable = false;
      }
    }
  }

  std::map<int64_t, Fen> RefundedInDatabase(int64_t sale_id) {
    std::map<int64_t, Fen> out;
    for (const auto& r : repo_.loyalty().ListRefundsOf(sale_id)) {
      for (const auto& line : r.lines) out[line.original_line_no] -= line.paid;  // paid < 0
    }
    return out;
  }

  void CheckRefund(Txn& t, size_t index) {
    SaleLedger* sale = nullptr;
    if (auto it = in_file_sales_.find(t.original); it != in_file_sales_.end()) {
      sale = &it->second;
      if (!sale->usable) {
        AddErrorTo(t, t.first_row, Column::kOriginal,
                   fmt::format("the sale on line {} is not posted (it has errors)", sale->row));
        return;
      }
      if (sale->posted_id != 0) {
        // Refunds in the database first, then those of the file before this one.
        for (const auto& [no, amount] : RefundedInDatabase(sale->posted_id)) {
          sale->refunded[no] += amount;
        }
        sale->posted_id = 0;
      }
    } else if (auto it = db_sales_.find(t.original); it != db_sales_.end()) {
      sale = &it->second;
    } else {
      auto record = repo_.loyalty().FindTransaction(t.original);
      if (!record || record->kind != "sale") {
        // Reported at the end of the file, which may hold the sale later.
        t.bad = true;
        unknown_originals_.push_back(index);
        return;
      }
      SaleLedger ledger;
      for (const auto& l : record->lines) ledger.paid.push_back(l.paid);
      ledger.refunded = RefundedInDatabase(record->id);
      sale = &db_sales_.emplace(t.original, std::move(ledger)).first->second;
    }
    // All lines are checked before any amount is counted, so a bad refund
    // takes nothing from what later refunds may give back.
    for (const auto& l : t.lines) {
      if (l.line_no > int64_t(sale->paid.size())) {
        AddErrorTo(t, l.row, Column::kLineNo,
                   fmt::format("the sale has {} line(s)", sale->paid.size()));
        continue;
      }
      const Fen left = sale->paid[size_t(l.line_no - 1)] - sale->refunded[l.line_no];
      if (l.paid > left) {
        AddErrorTo(t, l.row, Column::kPaid,
                   fmt::format("at most {} of this line is left to refund", FormatYuan(left)));
      }
    }
    if (t.bad) return;
    for (const auto& l : t.lines) sale->refunded[l.line_no] += l.paid;
  }

  // Refunds whose sale was neither posted nor earlier in the file.
  void ReportUnknownOriginals() {
    for (size_t index : unknown_originals_) {
      const Txn& t = txns_[index];
      const auto later = first_row_of_.find(t.original);
      report_.errors.push_back(
          {t.first_row, ColumnName(Column::kOriginal),
           later != first_row_of_.end() && later->second > index
               ? fmt::format("the sale comes later in the file (line {}); a refund must come "
                             "after its sale",
                             txns_[later->second].first_row)
               : std::string("no posted sale has that external_id")});
    }
  }

  void AddErrorTo(Txn& t, size_t line, Column c, std::string message) {
    report_.errors.push_back({line, ColumnName(c), std::move(message)});
    t.bad = true;
  }

  store::Repository& repo_;
  store::Db& db_;
  const Env& env_;
  const Actor& actor_;
  TransactionImportReport& report_;
  std::vector<Txn>& txns_;

  std::unordered_map<std::string, domain::Store> stores_;  // by code
  std::optional<loyalty_core::CategoryCatalogue> catalogue_;  // LoadReferenceData
  std::unordered_map<std::string, domain::Staff> staff_;   // by employee_no
  // Card number, member number, mobile -> member or why not.
  std::array<std::unordered_map<std::string, Result<MemberId>>, 3> member_cache_;
  std::unordered_map<std::string, size_t> first_row_of_;  // external_id -> index in txns_
  std::unordered_map<std::string, store::bulk::PostedRef> posted_;  // by external_id
  std::unordered_set<std::string> refunded_sales_;  // external ids refunds in the file name
  // The sales of the file that refunds in it name.
  std::unordered_map<std::string, SaleLedger> in_file_sales_;
  std::unordered_map<std::string, SaleLedger> db_sales_;
  std::vector<size_t> unknown_originals_;  // indexes into txns_
  // The per-transaction columns of the transaction being read, as its first row wrote them.
  std::array<std::string, kColumnCount> first_values_;

  bool header_seen_ = false;
  std::vector<Column> header_columns_;
  std::array<std::string, kColumnCount> column_names_;
  std::vector<std::string_view> fields_;
};

// Which column a posting error field ("lines[2].paid_fen") is about, and
// on which row of the transaction.
std::pair<size_t, Column> Locate(const Txn& t, const std::string& field) {
  static const std::map<std::string, Column, std::less<>> kTop = {
      {"external_id", Column::kExternalId},   {"original_external_id", Column::kOriginal},
      {"store_id", Column::kStoreCode},       {"associate_id", Column::kAssociateNo},
      {"occurred_at", Column::kOccurredAt},   {"payment_method", Column::kPaymentMethod},
      {"member_id", Column::kCardNo},         {"card_no", Column::kCardNo},
      {"kind", Column::kKind},                {"refund_of", Column::kOriginal},
      {"paid_total_fen", Column::kPaidTotal}};
  static const std::map<std::string, Column, std::less<>> kLine = {
      {"sku", Column::kSku},         {"category", Column::kCategory},
      {"brand", Column::kBrand},     {"quantity", Column::kQuantity},
      {"list_price_fen", Column::kListPrice}, {"paid_fen", Column::kPaid},
      {"promo", Column::kPromo},     {"line_no", Column::kLineNo},
      {"above_list_reason", Column::kAboveListReason}};
  if (field.rfind("lines[", 0) == 0) {
    const size_t close = field.find(']');
    if (close == std::string::npos) return {t.first_row, Column::kExternalId};
    size_t i = 0;
    std::from_chars(field.data() + 6, field.data() + close, i);
    const size_t row = i < t.lines.size() ? t.lines[i].row : t.first_row;
    if (close + 1 < field.size()) {
      if (auto it = kLine.find(std::string_view(field).substr(close + 2)); it != kLine.end()) {
        return {row, it->second};
      }
    }
    return {row, Column::kExternalId};
  }
  if (auto it = kTop.find(field); it != kTop.end()) {
    Column c = it->second;
    if (c == Column::kCardNo) {
      for (size_t k = 0; k < kMemberColumns.size(); ++k) {
        if (!t.member_values[k].empty()) return {t.first_row, kMemberColumns[k]};
      }
    }
    return {t.first_row, c};
  }
  return {t.first_row, Column::kExternalId};
}

// ---------------------------------------------------------------- loading

// What the import tells its caller while loading.
struct LoadContext {
  const Env& env;
  const Actor& actor;
  const TransactionImportOptions& opt;
  const std::array<std::string, kColumnCount>& names;  // column names as the header wrote them
  const std::function<void(size_t, size_t)>& progress;
};

bool FileUsable(domain::MemberStatus s) {
  return s != domain::MemberStatus::kMerged && s != domain::MemberStatus::kErased &&
         s != domain::MemberStatus::kClosed;
}

// The local day of many times in a row (the file is mostly in time order):
// the day's bounds are kept, so a time zone lookup happens once per day.
class LocalDays {
 public:
  explicit LocalDays(const TimeZone& tz) : tz_(tz) {}
  Date Of(Timestamp t) {
    if (!valid_ || t < from_ || t >= to_) {
      day_ = tz_.LocalDate(t);
      from_ = tz_.StartOfDay(day_);
      to_ = tz_.StartOfDay(day_.AddDays(1));
      valid_ = true;
      if (t < from_ || t >= to_) valid_ = false;  // a zone transition: do not cache
    }
    return day_;
  }

 private:
  const TimeZone& tz_;
  bool valid_ = false;
  Timestamp from_{}, to_{};
  Date day_;
};

// A sale a refund of the batch takes back from: what its lines paid and
// earned, and what refunds before this one took (Loyalty::PostRefundIn's view).
struct SaleInfo {
  int64_t id = 0;
  std::string external_id;
  MemberId member;
  Date local_day;
  Points base_points{0};
  Points bonus_points{0};
  std::vector<store::TransactionLine> lines;  // line_no 1, 2, ...
  std::map<int64_t, Fen> refunded_before;     // by line_no
  Points reversed_before{0};
};

// An open lot of a member while a batch is simulated: stored, or made by
// this batch (then `fresh` indexes the batch's new lots).
struct OpenLot {
  domain::PointsLot lot;
  int64_t transaction_id = 0;
  std::optional<size_t> fresh;
};

// One member's loyalty figures while a batch is simulated.
struct MemberSlot {
  store::bulk::MemberFacts facts;
  bool known = false;  // the member file exists
  store::LoyaltyState state;
  bool has_state = false;  // stored before, or made by this batch
  bool changed = false;    // to save
  bool tier_changed = false;  // tier, pending tier or downgrade columns changed
  std::vector<store::MonthBucket> months;  // sorted by month
  bool cached = false;  // state and months are read (see BulkLoader::Load)
  bool lots_loaded = false;
  std::vector<OpenLot> lots;        // once loaded (a refund needs them)
  std::vector<size_t> fresh_lots;   // this batch's lots of the member
  bool touched = false;  // listed in BulkLoader::touched_ (any of the above set)
};

// An M4 conversion a sale of the batch triggered.
struct Conversion {
  MemberId member;
  Date day;
  std::string reason;
  int card_valid_months = 0;  // the member's program's (L6)
  std::vector<std::string> vouchers;  // the sale's cash-back (L5), named in the notice
};

// Provisional ids of this batch's lots until the real ones are reserved:
// above every stored id, in creation order, as the real ones will be.
constexpr int64_t kProvisionalLotId = int64_t(1) << 62;

// Loads transactions set-wise. Each batch is one database transaction: the
// members' figures are read for the whole batch, every transaction is then
// applied in file order in memory exactly as Loyalty::PostSaleIn /
// PostRefundIn would apply it (earning with the tier and carried remainder of
// that moment, the lot and ledger movement of each sale, the L6 decision
// after each sale, refunds against the sale's own lot first, L5 automatic
// cash-back vouchers, M4 on the qualifying sale, L9 referral rewards), and
// the result is written with a few
// multi-row statements: the transactions and lines, one lot and one ledger
// movement per sale as a posting makes them, tier events, one monthly bucket
// upsert per member and month, one loyalty state per member, and one audit
// row per batch. Differences from posting one by one: one audit row per batch
// instead of one per sale ("sale_import" with the counts; conversions keep
// their own "member_formal" rows), and a new formal card's number is not
// looked up before use (the unique index refuses the one-in-10^14 repeat and
// the batch is retried). Not thread-safe.
class BulkLoader {
 public:
  explicit BulkLoader(const LoadContext& c) : c_(c), days_(c.env.tz) {}

  Status Run(std::vector<Txn>& txns, TransactionImportReport& report) {
    store::Store::Lease lease = c_.env.store.Acquire();
    store::BulkTuning tuning(lease.db());
    // Every reference the rows make was checked above (stores, staff,
    // members) or is made here (transactions, lots), and none of those rows
    // is ever deleted: SQLite's per-row foreign key lookups would only cost
    // time (a third of the inserts). PostgreSQL keeps checking.
    store::bulk::ForeignKeyChecksOff fk(lease.db());
    size_t rows_done = 0;
    size_t next = 0;
    bool stopped = false;
    while (next < txns.size() && !stopped) {
      bool recheck = false;  // after a concurrent posting: ask which ids exist again
      size_t end = next;
      size_t to_post = 0;
      while (end < txns.size() && to_post < c_.opt.batch_size) {
        if (!txns[end].bad && !txns[end].repeat) ++to_post;
        ++end;
      }
      for (int attempt = 1;; ++attempt) {
        failed_ = txns.size();
        conflict_ = false;
        Status st = OkStatus();
        try {
          st = c_.env.store.WriteOn(lease, [&](store::Repository& repo) -> Status {
            return Batch(repo, txns, next, end, recheck);
          });
        } catch (const store::DbError& e) {
          Forget();
          // Another writer posted one of these external ids (or made a
          // member's loyalty state) since the batch read the database.
          if (e.kind() == store::DbError::Kind::kOther ||
              e.kind() == store::DbError::Kind::kForeignKeyViolation || attempt >= kMaxAttempts) {
            throw;
          }
          recheck = true;
          continue;
        }
        if (st.ok()) {
          Committed();
          c_.env.store.CatchUpWal(lease);
          report.posted += counts_.posted;
          report.non_member_sales += counts_.non_member;
          break;
        }
        Forget();
        if (conflict_ && attempt < kMaxAttempts) continue;  // a state changed meanwhile
        if (failed_ == txns.size()) return st.error();        // not a transaction's fault
        Txn& t = txns[failed_];
        auto [row, column] = Locate(t, failure_.field);
        report.errors.push_back({row, c_.names[size_t(column)], failure_.message});
        t.bad = true;
        if (!c_.opt.skip_bad) {
          stopped = true;
          end = failed_;
        }
        attempt = 0;  // the batch without the failed transaction
      }
      for (size_t i = next; i < end; ++i) {
        rows_done += txns[i].rows;
        if (txns[i].repeat) ++report.repeats;
      }
      next = end;
      if (c_.progress) c_.progress(rows_done, report.rows_read);
    }
    return OkStatus();
  }

 private:
  static constexpr int kMaxAttempts = 5;


  // The newest version of every program in use, as each posting reads it
  // (L6): the company's, members' own and stores' defaults.
  void LoadPrograms(store::Repository& repo) {
    loyalty_ = &repo.loyalty();
    book_.emplace(*loyalty_);
    referrals_ = false;
    for (const domain::Program* p : book_->All()) {
      referrals_ = referrals_ || p->referral.reward_points.value > 0;
    }
    store_programs_.clear();
    for (int64_t offset = 0;; offset += kStorePage) {
      auto page = repo.ListStores(std::nullopt, {int64_t(kStorePage), offset});
      for (const auto& st : page.items) {
        if (!st.program_code.empty()) store_programs_[st.id.value] = st.program_code;
      }
      if (page.items.size() < kStorePage) break;
    }
  }

  // The program a member is evaluated by: their loyalty state's.
  const domain::Program& ProgramOf(const MemberSlot& m) {
    return book_->Of(*loyalty_, m.state.program_code);
  }

  struct Counts {
    size_t posted = 0, sales = 0, refunds = 0, non_member = 0, upgrades = 0, queued = 0;
    int64_t points = 0;
  };

  // Applies txns[begin, end) inside the caller's transaction. A transaction
  // the batch cannot post sets failed_/failure_ and fails the batch; a state
  // changed by someone else sets conflict_.
  Status Batch(store::Repository& repo, std::vector<Txn>& txns, size_t begin, size_t end,
               bool recheck) {
    store::Db& db = repo.reports().db();
    Reset();
    now_ = c_.env.clock.Now();
    today_ = c_.env.Today();
    LoadPrograms(repo);
    if (recheck) VIPCARE_TRY(Recheck(db, txns, begin, end));

    std::vector<size_t> todo;
    for (size_t i = begin; i < end; ++i) {
      if (!txns[i].bad && !txns[i].repeat) todo.push_back(i);
    }
    if (todo.empty()) return OkStatus();
    Load(db, txns, todo);

    const auto ids = store::bulk::ReserveIds(db, "transactions", todo.size());
    for (size_t k = 0; k < todo.size(); ++k) {
      const Txn& t = txns[todo[k]];
      Status st = t.refund ? Refund(repo, t, ids[k]) : Sale(repo, t, ids[k]);
      if (!st.ok()) {
        failed_ = todo[k];
        failure_ = st.error();
        return st;
      }
      ++counts_.posted;
    }
    VIPCARE_TRY(Write(repo, db));
    const std::string range = fmt::format("{}-{}", ids.front(), ids.back());
    RecordAudit(repo, c_.env, c_.actor, "sale_import", "transaction", range,
                json{{"first_line", txns[begin].first_row},
                     {"sales", counts_.sales},
                     {"refunds", counts_.refunds},
                     {"non_member_sales", counts_.non_member},
                     {"points", counts_.points},
                     {"upgrades", counts_.upgrades},
                     {"approvals_queued", counts_.queued},
                     {"became_formal", conversions_.size()}}
                    .dump());
    return OkStatus();
  }

  void Reset() {
    counts_ = {};
    for (MemberSlot* s : touched_) {
      s->changed = false;
      s->tier_changed = false;
      s->lots_loaded = false;
      s->lots.clear();
      s->fresh_lots.clear();
      s->touched = false;
    }
    touched_.clear();
    sales_.clear();
    out_txns_.clear();
    out_lots_.clear();
    out_ledger_.clear();
    out_vouchers_.clear();
    out_redemptions_.clear();
    audit_rows_.clear();
    cashback_moves_.clear();
    code_pool_.clear();
    batch_codes_.clear();
    out_tiers_.clear();
    month_deltas_.clear();
    month_index_.clear();
    stored_lots_.clear();
    conversions_.clear();
    referenced_.clear();
  }

  // After a concurrent posting: which of the batch's ids exist now. The same
  // content is a repeat; other content fails that transaction.
  Status Recheck(store::Db& db, std::vector<Txn>& txns, size_t begin, size_t end) {
    std::vector<std::string> ids;
    for (size_t i = begin; i < end; ++i) {
      if (!txns[i].bad && !txns[i].repeat) ids.push_back(txns[i].external_id);
    }
    std::unordered_map<std::string, std::string> hashes;
    for (auto& p : store::bulk::FindPosted(db, ids)) hashes.emplace(p.external_id, p.body_hash);
    for (size_t i = begin; i < end; ++i) {
      Txn& t = txns[i];
      auto it = hashes.find(t.external_id);
      if (t.bad || t.repeat || it == hashes.end()) continue;
      if (it->second != BodyHash(t)) {
        failed_ = i;
        failure_ = Error::Conflict("was posted before with different content", "external_id");
        return failure_;
      }
      t.repeat = true;
    }
    return OkStatus();
  }

  // Reads what the batch's transactions touch: the sales its refunds take
  // back from (unless in the batch), the member files, loyalty states and
  // monthly buckets of their members (and of referrers, when the program
  // rewards referrals).
  void Load(store::Db& db, const std::vector<Txn>& txns, const std::vector<size_t>& todo) {
    // The sales the batch's refunds take back from: in the batch before the
    // refund (simulated here), else read from the database.
    for (size_t i : todo) {
      if (txns[i].refund) referenced_.insert(txns[i].original);
    }
    std::unordered_set<std::string_view> in_batch;
    std::unordered_set<std::string_view> wanted;
    std::vector<std::string> originals;
    std::unordered_set<int64_t> members;
    Date earliest = today_;
    for (size_t i : todo) {
      const Txn& t = txns[i];
      if (t.refund) {
        if (!in_batch.count(t.original) && wanted.insert(t.original).second) {
          originals.push_back(t.original);
        }
      } else {
        if (referenced_.count(t.external_id)) in_batch.insert(t.external_id);
        if (t.member) {
          earliest = std::min(earliest, days_.Of(t.occurred_at));
          members.insert(t.member.value);
        }
      }
    }
    if (!originals.empty()) {
      auto sales = store::bulk::TransactionsByExternalId(db, originals);
      std::vector<int64_t> sale_ids;
      for (const auto& s : sales) sale_ids.push_back(s.id);
      auto refunds = store::bulk::RefundsOf(db, sale_ids);
      std::unordered_map<int64_t, SaleInfo*> by_id;
      for (auto& s : sales) {
        if (s.kind != "sale") continue;
        SaleInfo& info = sales_[s.external_id];
        info.id = s.id;
        info.external_id = s.external_id;
        info.member = s.member_id;
        info.local_day = s.local_day;
        info.base_points = s.base_points;
        info.bonus_points = s.bonus_points;
        info.lines = std::move(s.lines);
        by_id[s.id] = &info;
        if (s.member_id) members.insert(s.member_id.value);
      }
      for (const auto& r : refunds) {
        auto it = by_id.find(r.original_id);
        if (it == by_id.end()) continue;
        it->second->reversed_before = it->second->reversed_before - r.points;
        for (const auto& line : r.lines) {
          it->second->refunded_before[line.original_line_no] =
              it->second->refunded_before[line.original_line_no] - line.paid;
        }
      }
    }
    // The member files, read for every batch (a file closed meanwhile takes
    // no more sales), and the referrers of their members.
    std::vector<int64_t> ids(members.begin(), members.end());
    std::sort(ids.begin(), ids.end());
    std::vector<int64_t> referrers;
    for (auto& f : store::bulk::MembersById(db, ids)) {
      if (referrals_ && f.referrer_id && !members.count(f.referrer_id.value)) {
        referrers.push_back(f.referrer_id.value);
      }
      MemberSlot& s = slots_[f.id.value];
      s.facts = std::move(f);
      s.known = true;
    }
    if (!referrers.empty()) {
      std::sort(referrers.begin(), referrers.end());
      referrers.erase(std::unique(referrers.begin(), referrers.end()), referrers.end());
      for (auto& f : store::bulk::MembersById(db, referrers)) {
        MemberSlot& s = slots_[f.id.value];
        s.facts = std::move(f);
        s.known = true;
      }
      ids.insert(ids.end(), referrers.begin(), referrers.end());
    }
    // Loyalty states and monthly buckets: those an earlier batch of this
    // import read or wrote are kept (their versions say whether someone
    // else changed them since: the save then fails and the batch is tried
    // again from the database). The months any tier or M4 evaluation of the
    // batch can read: 24 back from today, or from the earliest sale day.
    const int64_t from_month =
        loyalty_core::YearMonth(earliest.AddMonths(-int(domain::kMaxBuckets) + 1));
    if (from_month < cached_from_month_) {
      for (auto& [id, s] : slots_) s.cached = false;
      cached_from_month_ = from_month;
    }
    std::vector<int64_t> load;
    for (int64_t id : ids) {
      MemberSlot& s = slots_[id];
      if (s.cached) continue;
      s.state = store::LoyaltyState{};
      s.has_state = false;
      s.months.clear();
      s.cached = true;
      load.push_back(id);
    }
    for (auto& st : store::bulk::LoyaltyStates(db, load)) {
      MemberSlot& s = slots_[st.member_id.value];
      s.state = std::move(st);
      s.has_state = true;
    }
    for (auto& b : store::bulk::Months(db, load, cached_from_month_)) {
      slots_[b.member_id.value].months.push_back(b);
    }
    for (int64_t id : load) {
      auto& months = slots_[id].months;
      std::sort(months.begin(), months.end(),
                [](const store::MonthBucket& a, const store::MonthBucket& b) {
                  return a.month < b.month;
                });
    }
  }

  // After a committed batch: the states saved are the stored ones now.
  void Committed() {
    for (MemberSlot* s : touched_) {
      if (!s->changed) continue;
      s->state.version = s->state.version == 0 ? 1 : s->state.version + 1;
      s->has_state = true;
    }
  }

  // After a batch that did not commit: nothing kept in memory is trusted.
  void Forget() {
    touched_.clear();
    slots_.clear();
    cached_from_month_ = INT64_MAX;
  }

  MemberSlot& Slot(MemberId id) { return slots_[id.value]; }

  // A slot this batch changes: Reset, Write and Committed visit only these,
  // not every member the import has kept since its first batch.
  void Touch(MemberSlot& m) {
    if (m.touched) return;
    m.touched = true;
    touched_.push_back(&m);
  }

  // LoyaltyRepository::AddToMonth in memory, and the delta to write.
  void AddToMonth(MemberSlot& m, const store::MonthBucket& d) {
    auto it = std::lower_bound(m.months.begin(), m.months.end(), d.month,
                               [](const store::MonthBucket& b, int64_t month) {
                                 return b.month < month;
                               });
    if (it != m.months.end() && it->month == d.month) {
      it->Add(d);
    } else {
      m.months.insert(it, d);
    }
    const int64_t key = d.member_id.value * 1'000'000 + d.month;
    auto [at, added] = month_index_.try_emplace(key, month_deltas_.size());
    if (added) {
      month_deltas_.push_back(d);
      return;
    }
    month_deltas_[at->second].Add(d);
  }

  // loyalty_core::ActivityOf on `day`, from the months in memory.
  const domain::MemberActivity& Activity(const MemberSlot& m, Date day) {
    loyalty_core::FillActivity(m.state, m.months, day, activity_);
    return activity_;
  }

  void EnsureState(MemberSlot& m, MemberId id) {
    if (m.has_state) return;
    m.state = store::LoyaltyState{};
    m.state.member_id = id;
    // As loyalty_core::StateOf: a first record starts on the home store's
    // default program ('' = the company's).
    auto store = store_programs_.find(m.facts.home_store_id.value);
    m.state.program_code = store == store_programs_.end() ? std::string() : store->second;
    m.has_state = true;
  }

  void NewLot(MemberSlot& m, MemberId member, const char* source, int64_t transaction_id,
              Points points, Date earned_on) {
    const size_t index = out_lots_.size();
    store::PointsLotRecord lot{kProvisionalLotId + int64_t(index), member, source, transaction_id,
                               points, points, earned_on,
                               domain::ExpiryDate(ProgramOf(m).expiry, earned_on)};
    if (m.lots_loaded) {
      m.lots.push_back({{lot.id, lot.remaining, lot.earned_on, lot.expires_on}, transaction_id, index});
    }
    m.fresh_lots.push_back(index);
    Touch(m);
    out_lots_.push_back(std::move(lot));
  }

  void Ledger(MemberId member, const char* kind, Points points, Points balance,
              int64_t transaction_id, std::string reason) {
    out_ledger_.push_back({0, member, now_, kind, points, balance, transaction_id, 0,
                           std::move(reason), UserId(), c_.actor.user_id});
  }

  // Loyalty::PostSaleIn for a sale the checks passed.
  Status Sale(store::Repository& repo, const Txn& t, int64_t id) {
    store::TransactionRecord rec;
    rec.id = id;
    rec.external_id = t.external_id;
    const std::string occurred = FormatTimestamp(t.occurred_at);
    rec.body_hash = loyalty_core::Sha256Hex(BodyText(t, occurred));
    rec.kind = "sale";
    rec.store_id = t.store;
    rec.associate_id = t.associate;
    rec.occurred_at = t.occurred_at;
    rec.local_day = days_.Of(t.occurred_at);
    rec.payment_method = t.payment_method;
    rec.created_by = c_.actor.user_id;
    rec.created_at = now_;
    rec.lines.reserve(t.lines.size());
    for (size_t i = 0; i < t.lines.size(); ++i) {
      const Line& in = t.lines[i];
      rec.list_total = rec.list_total + Fen(in.list_price.value * in.quantity);
      rec.paid_total = rec.paid_total + in.paid;
      rec.lines.push_back({int64_t(i + 1), 0, in.sku, in.category, in.brand, in.quantity,
                           in.list_price, in.paid, in.promo, Fen(0), in.above_list_reason});
    }
    ++counts_.sales;
    loyalty_core::SaleAnswer answer;
    answer.external_id = rec.external_id;
    answer.store_id = rec.store_id.value;
    answer.occurred_at = occurred;
    answer.local_day = rec.local_day.ToString();
    answer.list_total = rec.list_total;
    answer.paid_total = rec.paid_total;
    if (!t.member) {
      rec.result = loyalty_core::SaleAnswerText(answer, book_->Company());
      ++counts_.non_member;
      RememberSale(rec);
      out_txns_.push_back(std::move(rec));
      return OkStatus();
    }

    MemberSlot& m = Slot(t.member);
    if (!m.known) return Error::Invalid("member_id", "no member has that id");
    if (!FileUsable(m.facts.status)) {
      return Error::Unprocessable("the member's file is closed, merged or erased", "member_id");
    }
    EnsureState(m, t.member);
    store::LoyaltyState& state = m.state;
    const domain::Program& program = ProgramOf(m);
    domain::EarnInput in;
    in.tier = loyalty_core::EarningTier(program, state);
    in.on = rec.local_day;
    in.remainder = state.carry_fen;
    // Without a birthday multiplier the birthday changes nothing (Earn).
    in.birthday = program.earning.birthday_multiplier_bp != domain::kFullRate &&
                  m.facts.birthday &&
                  domain::IsBirthday(*m.facts.birthday, rec.local_day,
                                     program.birthday_calendar ==
                                         domain::BirthdayCalendar::kSolarOfBirth);
    in.lines.reserve(t.lines.size());
    for (const Line& l : t.lines) {
      in.lines.push_back({l.sku, l.category, l.brand, l.quantity, l.list_price, l.paid, l.promo});
    }
    auto earning = domain::Earn(program, in);
    if (!earning.ok()) return earning.error();
    rec.member_id = t.member;
    const domain::EarnPlan plan = loyalty_core::ApplyEarning(*earning, rec, state);
    AddToMonth(m, {t.member, loyalty_core::YearMonth(rec.local_day), rec.paid_total, 1,
                   rec.paid_total, earning->points, rec.local_day});
    counts_.points += earning->points.value;

    // L6, as after a posting: immediate upgrade or the approval queue.
    auto metrics = domain::ComputeMetrics(program, Activity(m, today_), today_);
    if (!metrics.ok()) throw std::runtime_error("monthly buckets: " + metrics.error().message);
    auto decision = domain::DecideUpgrade(program, *metrics, state.tier_code);
    if (!decision.ok()) {
      decision = domain::DecideUpgrade(program, *metrics, "");
      if (!decision.ok()) return decision.error();
    }
    std::optional<std::array<std::string, 3>> upgrade;  // from, to, reason
    std::optional<std::string> pending;
    if (decision->immediate) {
      const std::string to = program.tiers[decision->immediate->tier].code;
      out_tiers_.push_back({0, t.member, now_, "upgrade", state.tier_code, to,
                            decision->immediate->reason, c_.actor.user_id});
      upgrade = {state.tier_code, to, decision->immediate->reason};
      state.tier_code = to;
      state.tier_since = today_;
      state.downgrade_warned_on.reset();
      state.downgrade_effective_on.reset();
      if (state.pending_tier == to) state.pending_tier.clear();
      m.tier_changed = true;
      Touch(m);
      ++counts_.upgrades;
    }
    if (decision->needs_approval) {
      const std::string to = program.tiers[decision->needs_approval->tier].code;
      if (state.pending_tier != to) {
        out_tiers_.push_back({0, t.member, now_, "approval_queued", state.tier_code, to,
                              decision->needs_approval->reason, c_.actor.user_id});
        state.pending_tier = to;
        state.pending_reason = decision->needs_approval->reason;
        state.pending_since = now_;
        m.tier_changed = true;
        Touch(m);
        ++counts_.queued;
      }
      pending = to;
    }
    // L9: the referrer's reward comes with the first qualifying purchase, once.
    Points referral{0};
    MemberSlot* referrer = nullptr;
    if (m.facts.referrer_id && !state.referral_rewarded) {
      referral = domain::ReferralReward(program, rec.paid_total);
      auto it = slots_.find(m.facts.referrer_id.value);
      if (it != slots_.end() && it->second.known && FileUsable(it->second.facts.status)) {
        referrer = &it->second;
      } else {
        referral = Points(0);
      }
      if (referral.value > 0) state.referral_rewarded = true;
    }
    m.changed = true;
    Touch(m);

    // M4 (ConvertIfQualified on the sale's day): decided now, written with the batch.
    bool became_formal = false;
    if (m.facts.status == domain::MemberStatus::kTemporary && program.temporary_to_formal) {
      domain::MemberActivity a = Activity(m, rec.local_day);
      a.rank_percentile = state.rank_percentile;
      auto on_day = domain::ComputeMetrics(program, a, rec.local_day);
      if (on_day.ok()) {
        if (auto why = domain::ShouldBecomeFormal(program, *on_day)) {
          conversions_.push_back(
              {t.member, rec.local_day, "达到正式会员条件：" + *why, program.card.valid_months, {}});
          m.facts.status = domain::MemberStatus::kFormal;
          became_formal = true;
        }
      }
    }

    loyalty_core::AnswerForMember(answer, t.member, *earning, state, program, referral,
                                  m.facts.referrer_id);
    if (upgrade) answer.upgrade = {(*upgrade)[0], (*upgrade)[1], (*upgrade)[2]};
    if (pending) {
      answer.pending_tier = *pending;
      answer.pending_reason = state.pending_reason;
    }
    answer.became_formal = became_formal;

    if (referral.value > 0) {
      // loyalty_core::CreditPoints for the referrer (not growth value).
      const MemberId rid = m.facts.referrer_id;
      EnsureState(*referrer, rid);
      store::LoyaltyState& rs = referrer->state;
      const Points rdebt(std::max<int64_t>(0, -rs.points_balance.value));
      const domain::EarnPlan rplan = domain::PlanEarn(rdebt, referral);
      rs.points_balance = rs.points_balance + referral;
      if (rplan.new_lot.value > 0) {
        NewLot(*referrer, rid, "referral", rec.id, rplan.new_lot, rec.local_day);
      }
      Ledger(rid, "referral", referral, rs.points_balance, rec.id,
             "推荐新会员 " + m.facts.member_no + " 首次消费");
      referrer->changed = true;
      Touch(*referrer);
    }
    if (plan.new_lot.value > 0) NewLot(m, t.member, "earn", rec.id, plan.new_lot, rec.local_day);
    if (earning->points.value != 0) {
      Ledger(t.member, "earn", earning->points, state.points_balance, rec.id, "");
    }
    // L5 "每满XX分返XX元", issued as soon as the balance allows; a conversion
    // of this sale (M4) names the vouchers in its notice.
    if (const auto& cb = program.redemption.cash_back;
        cb && cb->automatic && state.points_balance >= cb->every_points) {
      auto codes = CashBack(repo, m, t.member, program, rec.local_day, rec.store_id);
      if (!codes.ok()) return codes.error();
      if (!codes->empty()) {
        answer.cashback_vouchers = std::move(*codes);
        answer.points_balance = state.points_balance;
        if (became_formal) conversions_.back().vouchers = answer.cashback_vouchers;
      }
    }
    rec.result = loyalty_core::SaleAnswerText(answer, program);
    RememberSale(rec);
    out_txns_.push_back(std::move(rec));
    return OkStatus();
  }

  // IssueCashBack (redemption.h) on the member's lots in memory: the
  // vouchers, their redemption rows, the lots' remaining points and the
  // "cashback" movements are written with the batch.
  Result<std::vector<std::string>> CashBack(store::Repository& repo, MemberSlot& m, MemberId id,
                                            const domain::Program& program, Date day,
                                            StoreId store) {
    const domain::CashBack& cb = *program.redemption.cash_back;
    std::vector<std::string> codes;
    store::LoyaltyState& state = m.state;
    if (cb.every_points.value <= 0 || state.points_balance.value <= 0) return codes;
    auto& open = OpenLots(repo, m, id);
    std::vector<domain::PointsLot> lots;
    std::vector<size_t> where;
    const domain::CashBackPlan plan =
        domain::CashBackFor(program, state.points_balance, UsableLots(open, lots, where), day);
    if (plan.vouchers <= 0) return codes;
    store::Db& db = repo.reports().db();
    for (int64_t i = 0; i < plan.vouchers; ++i) {
      CashBackRows rows = CashBackRowsOf(c_.actor, program, id, FreshVoucherCode(db), day, store,
                                         now_);
      // loyalty_core::SpendPoints.
      UsableLots(open, lots, where);
      const Points debt(std::max<int64_t>(0, -state.points_balance.value));
      auto draws = domain::PlanRedemption(lots, debt, cb.every_points, day);
      if (!draws.ok()) return draws.error();
      TakeFromLots(open, lots, where, *draws);
      state.points_balance = state.points_balance - cb.every_points;
      rows.movement.member_id = id;
      rows.movement.points = Points(-cb.every_points.value);
      rows.movement.balance_after = state.points_balance;
      // Until Write gives the rows their ids, the redemption names its
      // voucher and the movement its redemption by their place in the batch.
      rows.redemption.voucher_id = int64_t(out_vouchers_.size());
      cashback_moves_.push_back({out_ledger_.size(), out_redemptions_.size()});
      codes.push_back(rows.voucher.code);
      out_vouchers_.push_back(std::move(rows.voucher));
      out_redemptions_.push_back(std::move(rows.redemption));
      out_ledger_.push_back(std::move(rows.movement));
    }
    // RecordAudit's row, appended with the batch's others (Write).
    audit_rows_.push_back({0, now_, c_.actor.user_id, "cashback_issue", "member",
                           std::to_string(id.value), CashBackAuditDetail(plan), c_.actor.address});
    m.changed = true;
    Touch(m);
    return codes;
  }

  // A voucher code that no stored voucher and no other voucher of the batch
  // has: drawn from fresh codes checked against the vouchers a few hundred
  // at a time (10^10 codes: ~1 in 10,000 is taken once a million are out).
  std::string FreshVoucherCode(store::Db& db) {
    constexpr size_t kCandidates = 512;
    while (code_pool_.empty()) {
      std::vector<std::string> candidates;
      candidates.reserve(kCandidates);
      while (candidates.size() < kCandidates) {
        std::string code = NewVoucherCode();
        if (batch_codes_.insert(code).second) candidates.push_back(std::move(code));
      }
      const auto taken = store::bulk::TakenVoucherCodes(db, candidates);
      const std::unordered_set<std::string> out(taken.begin(), taken.end());
      for (auto& code : candidates) {
        if (!out.count(code)) code_pool_.push_back(std::move(code));
      }
    }
    std::string code = std::move(code_pool_.back());
    code_pool_.pop_back();
    return code;
  }

  // The open lots with points left, as ListOpenLots gives them, into `lots`,
  // with where each is in `open`.
  static std::span<const domain::PointsLot> UsableLots(const std::vector<OpenLot>& open,
                                                       std::vector<domain::PointsLot>& lots,
                                                       std::vector<size_t>& where) {
    lots.clear();
    where.clear();
    for (size_t k = 0; k < open.size(); ++k) {
      if (open[k].lot.remaining.value <= 0) continue;
      lots.push_back(open[k].lot);
      where.push_back(k);
    }
    return lots;
  }

  // Takes `draws` (over `lots`, from UsableLots) from the member's lots: a
  // lot of this batch before it is written, a stored one with the batch.
  void TakeFromLots(std::vector<OpenLot>& open, const std::vector<domain::PointsLot>& lots,
                    const std::vector<size_t>& where, const std::vector<domain::LotDraw>& draws) {
    for (const auto& draw : draws) {
      OpenLot& lot = open[where[draw.index]];
      lot.lot.remaining = lots[draw.index].remaining - draw.points;
      if (lot.fresh) {
        out_lots_[*lot.fresh].remaining = lot.lot.remaining;
      } else {
        stored_lots_[lot.lot.id] = lot.lot.remaining;
      }
    }
  }

  // Keeps what a later refund of the batch needs of a sale.
  void RememberSale(const store::TransactionRecord& rec) {
    if (!referenced_.count(rec.external_id)) return;
    SaleInfo& info = sales_[rec.external_id];
    info = SaleInfo{};
    info.id = rec.id;
    info.external_id = rec.external_id;
    info.member = rec.member_id;
    info.local_day = rec.local_day;
    info.base_points = rec.base_points;
    info.bonus_points = rec.bonus_points;
    info.lines = rec.lines;
  }

  std::vector<OpenLot>& OpenLots(store::Repository& repo, MemberSlot& m, MemberId id) {
    if (m.lots_loaded) return m.lots;
    for (const auto& lot : repo.loyalty().ListOpenLots(id)) {
      m.lots.push_back({{lot.id, lot.remaining, lot.earned_on, lot.expires_on}, lot.transaction_id,
                        std::nullopt});
    }
    for (size_t index : m.fresh_lots) {
      const auto& lot = out_lots_[index];
      m.lots.push_back({{lot.id, lot.remaining, lot.earned_on, lot.expires_on}, lot.transaction_id,
                        index});
    }
    m.lots_loaded = true;
    Touch(m);
    return m.lots;
  }

  // Loyalty::PostRefundIn for a refund the checks passed.
  Status Refund(store::Repository& repo, const Txn& t, int64_t id) {
    auto found = sales_.find(t.original);
    if (found == sales_.end()) {
      return Error::Invalid("original_external_id", "no posted sale has that external_id");
    }
    SaleInfo& sale = found->second;
    std::map<int64_t, Fen> now_by_line;
    for (size_t i = 0; i < t.lines.size(); ++i) {
      const int64_t no = t.lines[i].line_no;
      const Fen amount = t.lines[i].paid;
      if (no > int64_t(sale.lines.size())) {
        return Error::Invalid(fmt::format("lines[{}].line_no", i), "the sale has no such line");
      }
      const auto& line = sale.lines[size_t(no - 1)];
      if (sale.refunded_before[no] + amount > line.paid) {
        return Error::Invalid(fmt::format("lines[{}].paid_fen", i),
                              fmt::format("at most {} fen of this line is left to refund",
                                          (line.paid - sale.refunded_before[no]).value));
      }
      now_by_line[no] = amount;
    }
    store::TransactionRecord rec;
    rec.id = id;
    rec.external_id = t.external_id;
    const std::string occurred = FormatTimestamp(t.occurred_at);
    rec.body_hash = loyalty_core::Sha256Hex(BodyText(t, occurred));
    rec.kind = "refund";
    rec.original_id = sale.id;
    rec.member_id = sale.member;
    rec.store_id = t.store;
    rec.occurred_at = t.occurred_at;
    rec.local_day = days_.Of(t.occurred_at);
    rec.created_by = c_.actor.user_id;
    rec.created_at = now_;
    int64_t next_line = 1;
    for (const auto& [no, amount] : now_by_line) {
      const auto& line = sale.lines[size_t(no - 1)];
      const Fen base = line.paid.value > 0
                           ? Fen(-(line.earn_base.value * amount.value / line.paid.value))
                           : Fen(0);
      rec.lines.push_back({next_line++, no, line.sku, line.category, line.brand, 0, Fen(0),
                           Fen(-amount.value), line.promo, base, ""});
      rec.paid_total = rec.paid_total - amount;
    }
    const std::string day = rec.local_day.ToString();
    ++counts_.refunds;
    auto take_back = [&](Points reversed) {
      for (const auto& [no, amount] : now_by_line) sale.refunded_before[no] += amount;
      sale.reversed_before = sale.reversed_before + reversed;
    };
    if (!rec.member_id) {
      JsonText j;
      j.Begin();
      j.Key("external_id").Str(rec.external_id);
      j.Key("kind").Str("refund");
      j.Key("local_day").Str(day);
      j.Key("member_id").Null();
      j.Key("occurred_at").Str(occurred);
      j.Key("original_external_id").Str(sale.external_id);
      j.Key("paid_total_fen").Int(rec.paid_total.value);
      j.Key("points").Int(0);
      j.Key("points_earned").Int(0);
      j.Key("refund_of").Str(sale.external_id);
      j.Key("store_id").Int(rec.store_id.value);
      j.End();
      rec.result = j.Take();
      take_back(Points(0));
      out_txns_.push_back(std::move(rec));
      return OkStatus();
    }

    MemberSlot& m = Slot(rec.member_id);
    if (!m.has_state) throw std::runtime_error("a member's sale without loyalty state");
    store::LoyaltyState& state = m.state;
    domain::RefundInput in;
    in.base_points = sale.base_points;
    in.bonus_points = sale.bonus_points;
    in.reversed_before = sale.reversed_before;
    in.remainder = state.carry_fen;
    for (const auto& line : sale.lines) {
      auto it = now_by_line.find(line.line_no);
      in.lines.push_back({line.paid, line.earn_base, sale.refunded_before[line.line_no],
                          it == now_by_line.end() ? Fen(0) : it->second});
    }
    const domain::Program& program = ProgramOf(m);
    auto reversal = domain::ReverseForRefund(program, in);
    if (!reversal.ok()) return reversal.error();
    const Points points = reversal->points;

    // The sale's own lot first, then oldest first; what is spent already
    // becomes a negative balance (L2).
    auto& open = OpenLots(repo, m, rec.member_id);
    std::vector<domain::PointsLot> lots;
    std::vector<size_t> where;
    UsableLots(open, lots, where);
    int64_t own_lot = 0;
    for (size_t k : where) {
      if (open[k].transaction_id == sale.id) own_lot = open[k].lot.id;
    }
    const domain::ReversalPlan plan = domain::PlanReversal(lots, own_lot, points, today_);
    TakeFromLots(open, lots, where, plan.draws);
    state.points_balance = state.points_balance - points;
    state.growth_lifetime = state.growth_lifetime - points;
    state.carry_fen = reversal->remainder;
    AddToMonth(m, {rec.member_id, loyalty_core::YearMonth(sale.local_day), rec.paid_total, 0,
                   Fen(0), Points(-points.value)});
    m.changed = true;
    Touch(m);
    rec.points = Points(-points.value);
    counts_.points -= points.value;

    JsonText j;
    j.Begin();
    j.Key("external_id").Str(rec.external_id);
    j.Key("growth_points").Int(state.growth_lifetime.value);
    j.Key("kind").Str("refund");
    j.Key("local_day").Str(day);
    j.Key("member_id").Int(rec.member_id.value);
    j.Key("occurred_at").Str(occurred);
    j.Key("original_external_id").Str(sale.external_id);
    j.Key("paid_total_fen").Int(rec.paid_total.value);
    j.Key("points").Int(rec.points.value);
    j.Key("points_balance").Int(state.points_balance.value);
    j.Key("points_earned").Int(rec.points.value);
    j.Key("refund_of").Str(sale.external_id);
    j.Key("store_id").Int(rec.store_id.value);
    j.Key("tier");
    loyalty_core::TierText(j, program, state.tier_code);
    j.End();
    rec.result = j.Take();
    if (points.value != 0) {
      Ledger(rec.member_id, "reverse", rec.points, state.points_balance, rec.id,
             "退货 " + sale.external_id);
    }
    take_back(points);
    out_txns_.push_back(std::move(rec));
    return OkStatus();
  }

  // Writes what the batch's transactions did.
  Status Write(store::Repository& repo, store::Db& db) {
    const auto lot_ids = store::bulk::ReserveIds(db, "points_lots", out_lots_.size());
    for (size_t k = 0; k < out_lots_.size(); ++k) out_lots_[k].id = lot_ids[k];
    // The cash-back issues' audit rows come first, as their sales did.
    repo.AppendAudits(audit_rows_);
    store::bulk::InsertTransactions(db, out_txns_);
    store::bulk::InsertLots(db, out_lots_);
    WriteCashBack(db);
    store::bulk::InsertLedger(db, out_ledger_);
    store::bulk::InsertTierChanges(db, out_tiers_);
    store::bulk::AddToMonths(db, month_deltas_);
    // Rows in one order on every writer (PostgreSQL row locks).
    std::vector<const MemberSlot*> changed;
    for (const MemberSlot* s : touched_) {
      if (s->changed) changed.push_back(s);
    }
    std::sort(changed.begin(), changed.end(), [](const MemberSlot* a, const MemberSlot* b) {
      return a->state.member_id < b->state.member_id;
    });
    std::vector<store::LoyaltyState> states;
    std::vector<bool> balance_only;
    states.reserve(changed.size());
    for (const MemberSlot* s : changed) {
      states.push_back(s->state);
      balance_only.push_back(!s->tier_changed);
    }
    if (!store::bulk::SaveLoyaltyStates(db, states, balance_only)) {
      conflict_ = true;
      return Error::Conflict("a member's points changed during the import; retrying", "member_id");
    }
    std::vector<std::pair<int64_t, Points>> lots(stored_lots_.begin(), stored_lots_.end());
    store::bulk::SetLotsRemaining(db, lots);
    return Convert(repo, db);
  }

  // The batch's cash-back vouchers and redemptions, numbered now; their
  // ledger movements are given their redemption's id.
  void WriteCashBack(store::Db& db) {
    if (out_vouchers_.empty()) return;
    const auto voucher_ids = store::bulk::ReserveIds(db, "vouchers", out_vouchers_.size());
    const auto redemption_ids =
        store::bulk::ReserveIds(db, "redemptions", out_redemptions_.size());
    for (size_t k = 0; k < out_vouchers_.size(); ++k) out_vouchers_[k].id = voucher_ids[k];
    for (size_t k = 0; k < out_redemptions_.size(); ++k) {
      auto& r = out_redemptions_[k];
      r.id = redemption_ids[k];
      r.voucher_id = voucher_ids[size_t(r.voucher_id)];
    }
    for (const auto& [ledger, redemption] : cashback_moves_) {
      out_ledger_[ledger].redemption_id = redemption_ids[redemption];
    }
    store::bulk::InsertVouchers(db, out_vouchers_);
    store::bulk::InsertRedemptions(db, out_redemptions_);
  }

  // ConvertIfQualified's changes for the members the batch made formal.
  Status Convert(store::Repository& repo, store::Db& db) {
    if (conversions_.empty()) return OkStatus();
    std::vector<int64_t> ids;
    for (const auto& cv : conversions_) {
      if (!store::bulk::MarkFormal(db, cv.member, now_)) {
        conflict_ = true;
        return Error::Conflict("a member's file changed during the import; retrying", "member_id");
      }
      repo.AppendHistory({0, cv.member, now_, c_.actor.user_id, "status",
                          json{{"status", {"temporary", "formal"}}, {"reason", cv.reason}}.dump(),
                          ""});
      ids.push_back(cv.member.value);
    }
    // The member's active card (the last one by id); a temporary one is
    // replaced by a formal card ordered for pickup, a formal one is kept.
    std::unordered_map<int64_t, store::bulk::CardRef> active;
    for (const auto& card : store::bulk::CardsOf(db, ids)) {
      if (domain::IsActive(card.status)) active[card.member_id.value] = card;
    }
    std::vector<domain::Card> cards;
    std::vector<size_t> card_of(conversions_.size(), SIZE_MAX);
    for (size_t k = 0; k < conversions_.size(); ++k) {
      const Conversion& cv = conversions_[k];
      auto it = active.find(cv.member.value);
      if (it != active.end() && it->second.kind != domain::CardKind::kTemporary) continue;
      domain::Card card = domain::NewCard(cv.member, domain::CardKind::kFormal, cv.day);
      card.expires_on = cv.card_valid_months > 0 ? cv.day.AddMonths(cv.card_valid_months)
                                                  : Date::FromYmd(9999, 12, 31);
      card.card_no = NewCardNumber();
      if (it != active.end()) {
        store::bulk::MarkCardReplaced(db, it->second.id, now_);
        card.replaces = it->second.id;
      }
      card_of[k] = cards.size();
      cards.push_back(std::move(card));
    }
    repo.InsertCards(cards);
    for (size_t k = 0; k < conversions_.size(); ++k) {
      const Conversion& cv = conversions_[k];
      const domain::Card* card = card_of[k] == SIZE_MAX ? nullptr : &cards[card_of[k]];
      if (card) {
        repo.AppendHistory({0, cv.member, now_, c_.actor.user_id, "card",
                            json{{"issued", card->card_no}, {"kind", "formal"}}.dump(), ""});
      }
      store::LoyaltyNotice notice;
      notice.member_id = cv.member;
      notice.kind = "became_formal";
      notice.occasion = cv.day.ToString();
      notice.due_on = cv.day;
      notice.detail =
          json{{"card_id", card ? json(card->id.value) : json(nullptr)},
               {"pickup_due",
                card && card->pickup_due ? json(card->pickup_due->ToString()) : json(nullptr)},
               {"reason", cv.reason},
               {"vouchers", cv.vouchers}}
              .dump();
      notice.created_at = now_;
      repo.loyalty_jobs().InsertNotice(notice);
      RecordAudit(repo, c_.env, c_.actor, "member_formal", "member", std::to_string(cv.member.value),
                  card ? fmt::format("card={}", card->id.value) : "card=kept");
    }
    return OkStatus();
  }

  const LoadContext& c_;
  store::LoyaltyRepository* loyalty_ = nullptr;   // the batch's
  std::optional<loyalty_core::ProgramBook> book_;  // read at each batch's start
  std::unordered_map<int64_t, std::string> store_programs_;  // store id -> default program
  LocalDays days_;
  bool referrals_ = false;
  Timestamp now_{};
  Date today_;
  domain::MemberActivity activity_;

  // The batch being simulated.
  Counts counts_;
  // Node-based: the pointers in touched_ stay valid as slots are added.
  std::unordered_map<int64_t, MemberSlot> slots_;
  std::vector<MemberSlot*> touched_;  // this batch's (see Touch)
  int64_t cached_from_month_ = INT64_MAX;  // the first month the kept slots hold
  // Sales refunds of the batch take back from (views of the Txns' strings).
  std::unordered_set<std::string_view> referenced_;
  std::unordered_map<std::string, SaleInfo> sales_;  // by external id
  std::vector<store::TransactionRecord> out_txns_;
  std::vector<store::PointsLotRecord> out_lots_;
  std::vector<store::LedgerEntry> out_ledger_;
  std::vector<store::VoucherRecord> out_vouchers_;
  std::vector<store::RedemptionRecord> out_redemptions_;
  std::vector<store::AuditEntry> audit_rows_;  // the cash-back issues'
  // Cash-back movements: (index in out_ledger_, index in out_redemptions_).
  std::vector<std::pair<size_t, size_t>> cashback_moves_;
  std::vector<std::string> code_pool_;            // free voucher codes (FreshVoucherCode)
  std::unordered_set<std::string> batch_codes_;   // every code the batch drew
  std::vector<store::TierChange> out_tiers_;
  std::vector<store::MonthBucket> month_deltas_;
  std::unordered_map<int64_t, size_t> month_index_;  // member * 10^6 + month -> delta
  std::map<int64_t, Points> stored_lots_;             // stored lot id -> remaining
  std::vector<Conversion> conversions_;
  size_t failed_ = 0;
  Error failure_ = Error::Invalid("", "");
  bool conflict_ = false;
};

}  // namespace

Result<TransactionImportReport> TransactionImport::Run(
    const Actor& actor, std::istream& in, const TransactionImportOptions& opt,
    const std::function<void(size_t rows_done, size_t rows_total)>& progress) {
  const auto started = std::chrono::steady_clock::now();
  VIPCARE_TRY(Authorize(actor, Permission::kSalePost));
  if (opt.batch_size == 0) return Error::Invalid("batch_size", "must be at least 1");
  auto text = DecodeToUtf8(ReadAll(in), opt.encoding);
  if (!text.ok()) return text.error();

  TransactionImportReport report;
  std::vector<Txn> txns;
  // Column names as this file's header wrote them, for errors found while posting.
  std::array<std::string, kColumnCount> names;
  VIPCARE_TRY(env_.store.Read([&](store::Repository& repo) -> Status {
    report = TransactionImportReport{};
    txns.clear();
    Checker checker(repo, env_, actor, report, txns);
    checker.LoadReferenceData();
    VIPCARE_TRY(checker.Run(*text));
    for (size_t i = 0; i < kColumnCount; ++i) names[i] = checker.ColumnName(Column(i));
    return OkStatus();
  }));
  text->clear();
  text->shrink_to_fit();
  auto finish = [&]() -> Result<TransactionImportReport> {
    std::stable_sort(report.errors.begin(), report.errors.end(),
                     [](const ImportRowError& a, const ImportRowError& b) { return a.line < b.line; });
    report.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    return report;
  };
  if (progress) progress(0, report.rows_read);
  if (!report.errors.empty() && !opt.skip_bad) return finish();

  const LoadContext context{env_, actor, opt, names, progress};
  BulkLoader loader(context);
  VIPCARE_TRY(loader.Run(txns, report));

  const json detail = {{"rows_read", report.rows_read},
                       {"transactions", report.transactions},
                       {"posted", report.posted},
                       {"repeats", report.repeats},
                       {"non_member_sales", report.non_member_sales},
                       {"bad_rows", report.errors.size()}};
  VIPCARE_TRY(env_.store.Write([&](store::Repository& repo) -> Status {
    RecordAudit(repo, env_, actor, "import", "transactions", "", detail.dump());
    return OkStatus();
  }));
  return finish();
}

}  // namespace vipcare::service
