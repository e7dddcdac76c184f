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

#include "domain/card.h"
#include "domain/member.h"
#include "domain/org.h"
#include "service/access.h"
#include "service/audit.h"
#include "service/csv_input.h"
#include "service/loyalty.h"
#include "service/loyalty_core.h"
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
};

// One sale or refund: a group of consecutive rows with one external_id.
struct Txn {
  size_t first_row = 0;  // CSV line of its first row
  size_t rows = 0;       // data rows it spans
  bool bad = false;
  bool repeat = false;  // posted before with the same content
  bool refund = false;
  std::string external_id;
  std::string original;
  MemberId member;
  StoreId store;
  StaffId associate;
  Timestamp occurred_at{};
  std::string payment_method;
  std::vector<Line> lines;
  // Per-transaction columns as the first row wrote them, for later rows.
  std::array<std::string, kColumnCount> first_values;
  // The member column that named no usable member. It matters only for a
  // new sale: a sale posted before is recognised by its external_id even if
  // its card was replaced (M4) or its mobile changed since.
  std::optional<ImportRowError> member_error;
};

// The body a till would post for `t`: the same bytes for the same rows, so
// importing a file again is recognised as a repeat (L1 idempotency).
json BodyOf(const Txn& t) {
  json lines = json::array();
  json body = {{"external_id", t.external_id},
               {"store_id", t.store.value},
               {"occurred_at", FormatTimestamp(t.occurred_at)}};
  if (t.refund) {
    body["kind"] = "refund";
    body["original_external_id"] = t.original;
    for (const auto& l : t.lines) lines.push_back({{"line_no", l.line_no}, {"paid_fen", l.paid.value}});
  } else {
    if (t.member) body["member_id"] = t.member.value;
    if (t.associate) body["associate_id"] = t.associate.value;
    if (!t.payment_method.empty()) body["payment_method"] = t.payment_method;
    for (const auto& l : t.lines) {
      json line = {{"sku", l.sku},
                   {"quantity", l.quantity},
                   {"list_price_fen", l.list_price.value},
                   {"paid_fen", l.paid.value},
                   {"promo", l.promo}};
      if (!l.category.empty()) line["category"] = l.category;
      if (!l.brand.empty()) line["brand"] = l.brand;
      lines.push_back(std::move(line));
    }
  }
  body["lines"] = std::move(lines);
  return body;
}

// What a refund may still give back per line of its sale.
struct SaleLedger {
  size_t row = 0;         // CSV line of the sale, 0 if it is only in the database
  bool usable = true;     // false: the sale in the file is bad
  std::vector<Fen> paid;  // by line_no - 1
  std::map<int64_t, Fen> refunded;
};

// Reads and checks the whole file inside one read transaction.
class Checker {
 public:
  Checker(store::Repository& repo, const Env& env, const Actor& actor,
          TransactionImportReport& report, std::vector<Txn>& txns)
      : repo_(repo), env_(env), actor_(actor), report_(report), txns_(txns) {}

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
  }

  Status Run(std::string_view text) {
    VIPCARE_TRY(ParseRecords(text, [this](RecordBuffer& buffer) { return Handle(buffer); }));
    if (!header_seen_) return Error::Invalid("", "line 1: the file has no header row");
    FinishCurrent();
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
      FinishCurrent();
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
        if (!value.empty() && value != t.first_values[size_t(def.column)]) {
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
      if (def.per_transaction) t.first_values[size_t(def.column)].assign(at(def.column));
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

    // The member: any of card, member number and mobile; all that are given
    // must name the same member.
    std::optional<Column> named_by;
    for (Column c : {Column::kCardNo, Column::kMemberNo, Column::kMobile}) {
      if (at(c).empty()) continue;
      auto found = FindMember(c, at(c));
      if (!found.ok()) {
        if (!t.member_error) t.member_error = ImportRowError{line, ColumnName(c), found.error().message};
        continue;
      }
      if (t.member && *found != t.member) {
        AddError(line, c, fmt::format("names a different member than {}", ColumnName(*named_by)));
        continue;
      }
      t.member = *found;
      named_by = c;
    }
  }

  Result<MemberId> FindMember(Column c, std::string_view raw) {
    std::string key = c == Column::kMobile ? NormalizeMobile(raw) : std::string(raw);
    auto& cache = member_cache_[c == Column::kCardNo ? 0 : c == Column::kMemberNo ? 1 : 2];
    if (auto it = cache.find(key); it != cache.end()) return it->second;
    Result<MemberId> found = Lookup(c, key);
    cache.emplace(std::move(key), found);
    return found;
  }

  Result<MemberId> Lookup(Column c, const std::string& key) {
    std::optional<domain::Member> m;
    if (c == Column::kCardNo) {
      auto card = repo_.FindCardByNo(key);
      if (!card || !domain::IsActive(card->status)) {
        return Error::Invalid("", "no active card has that number");
      }
      m = repo_.GetMember(card->member_id);
    } else if (c == Column::kMemberNo) {
      m = repo_.FindMemberByNo(key);
      if (!m) return Error::Invalid("", "no member has that member number");
    } else {
      if (!domain::IsValidMobile(key)) {
        return Error::Invalid("", "must be an 11-digit mainland mobile number");
      }
      m = repo_.FindMemberByMobile(key);
      if (!m) return Error::Invalid("", "no member has that mobile");
    }
    if (!m) return Error::Invalid("", "no member has that card");
    if (m->status == domain::MemberStatus::kMerged || m->status == domain::MemberStatus::kErased ||
        m->status == domain::MemberStatus::kClosed) {
      return Error::Invalid("", "the member's file is closed, merged or erased");
    }
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
    if (!at(Column::kQuantity).empty() &&
        (!ParseDigits(at(Column::kQuantity), l.quantity) || l.quantity < 1 ||
         l.quantity > kMaxQuantity)) {
      AddError(line, Column::kQuantity, fmt::format("must be a whole number 1-{}", kMaxQuantity));
    }
    if (auto list = Money(line, Column::kListPrice, at(Column::kListPrice))) {
      l.list_price = *list;
    }
    if (auto paid = Money(line, Column::kPaid, at(Column::kPaid))) l.paid = *paid;
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

  // Checks the finished transaction against the database and the rest of
  // the file: posted before, and for a refund, what its sale allows.
  void FinishCurrent() {
    if (txns_.empty() || finished_ == txns_.size()) return;
    finished_ = txns_.size();
    Txn& t = txns_.back();
    const size_t index = txns_.size() - 1;
    ++report_.transactions;
    const auto own = first_row_of_.find(t.external_id);
    const bool first_use = own != first_row_of_.end() && own->second == index;
    if (!t.refund && first_use) {
      SaleLedger& ledger = in_file_sales_[t.external_id];
      ledger.row = t.first_row;
      ledger.usable = !t.bad;
      for (const auto& l : t.lines) ledger.paid.push_back(l.paid);
    }
    if (t.bad) {
      if (t.member_error) report_.errors.push_back(*t.member_error);
      return;
    }

    auto before = repo_.loyalty().FindTransaction(t.external_id);
    if (t.member_error && !before) {
      report_.errors.push_back(*t.member_error);
      t.bad = true;
      return;
    }
    if (before) {
      if (t.member_error) t.member = before->member_id;  // see Txn::member_error
      const std::string hash = loyalty_core::Sha256Hex(BodyOf(t).dump());
      if (before->body_hash != hash) {
        report_.errors.push_back({t.first_row, ColumnName(Column::kExternalId),
                                  "was posted before with different content"});
        t.bad = true;
        if (!t.refund) in_file_sales_[t.external_id].usable = false;
        return;
      }
      t.repeat = true;
      if (!t.refund) in_file_sales_[t.external_id].refunded = RefundedInDatabase(before->id);
      return;
    }
    if (t.refund) CheckRefund(t, index);
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
  const Env& env_;
  const Actor& actor_;
  TransactionImportReport& report_;
  std::vector<Txn>& txns_;

  std::unordered_map<std::string, domain::Store> stores_;  // by code
  std::unordered_map<std::string, domain::Staff> staff_;   // by employee_no
  // Card number, member number, mobile -> member or why not.
  std::array<std::unordered_map<std::string, Result<MemberId>>, 3> member_cache_;
  std::unordered_map<std::string, size_t> first_row_of_;  // external_id -> index in txns_
  std::unordered_map<std::string, SaleLedger> in_file_sales_;
  std::unordered_map<std::string, SaleLedger> db_sales_;
  size_t finished_ = 0;
  std::vector<size_t> unknown_originals_;  // indexes into txns_

  bool header_seen_ = false;
  std::vector<Column> header_columns_;
  std::array<std::string, kColumnCount> column_names_;
  std::vector<std::string_view> fields_;
};


// Which column a PostSaleIn error field ("lines[2].paid_fen") is about, and
// on which row of the transaction.
std::pair<size_t, Column> Locate(const Txn& t, const std::string& field) {
  static const std::map<std::string, Column, std::less<>> kTop = {
      {"external_id", Column::kExternalId},   {"original_external_id", Column::kOriginal},
      {"store_id", Column::kStoreCode},       {"associate_id", Column::kAssociateNo},
      {"occurred_at", Column::kOccurredAt},   {"payment_method", Column::kPaymentMethod},
      {"member_id", Column::kCardNo},         {"card_no", Column::kCardNo},
      {"kind", Column::kKind}};
  static const std::map<std::string, Column, std::less<>> kLine = {
      {"sku", Column::kSku},         {"category", Column::kCategory},
      {"brand", Column::kBrand},     {"quantity", Column::kQuantity},
      {"list_price_fen", Column::kListPrice}, {"paid_fen", Column::kPaid},
      {"promo", Column::kPromo},     {"line_no", Column::kLineNo}};
  if (field.rfind("lines[", 0) == 0) {
    const size_t close = field.find(']');
    if (close == std::string::npos) return {t.first_row, Column::kExternalId};
    size_t i = 0;
    std::from_chars(field.data() + 6, field.data() + close, i);
    const size_t row = i < t.lines.size() ? t.lines[i].row : t.first_row;
    if (close != std::string::npos && close + 1 < field.size()) {
      if (auto it = kLine.find(std::string_view(field).substr(close + 2)); it != kLine.end()) {
        return {row, it->second};
      }
    }
    return {row, Column::kExternalId};
  }
  if (auto it = kTop.find(field); it != kTop.end()) {
    Column c = it->second;
    if (c == Column::kCardNo) {
      for (Column m : {Column::kCardNo, Column::kMemberNo, Column::kMobile}) {
        if (!t.first_values[size_t(m)].empty()) return {t.first_row, m};
      }
    }
    return {t.first_row, c};
  }
  return {t.first_row, Column::kExternalId};
}

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

  Loyalty loyalty(env_);
  // One connection for every batch, tuned for writing many rows at once.
  store::Store::Lease lease = env_.store.Acquire();
  store::BulkTuning tuning(lease.db());
  size_t rows_done = 0;
  size_t next = 0;
  bool stopped = false;
  while (next < txns.size() && !stopped) {
    // The batch: the next transactions in file order, up to batch_size of
    // them to post. A failed transaction is reported, and the batch is
    // retried without it (skip_bad) or the import stops.
    size_t end = next;
    size_t to_post = 0;
    while (end < txns.size() && to_post < opt.batch_size) {
      if (!txns[end].bad && !txns[end].repeat) ++to_post;
      ++end;
    }
    for (;;) {
      size_t posted = 0, repeats = 0, non_member = 0;
      size_t failed = txns.size();
      Error failure = Error::Invalid("", "");
      Status st = env_.store.WriteOn(lease, [&](store::Repository& repo) -> Status {
        for (size_t i = next; i < end; ++i) {
          const Txn& t = txns[i];
          if (t.bad || t.repeat) continue;
          auto r = loyalty.PostSaleIn(repo, actor, BodyOf(t));
          if (!r.ok()) {
            failed = i;
            failure = r.error();
            return r.error();
          }
          if (r->repeat) {
            ++repeats;
          } else {
            ++posted;
            if (!t.refund && !t.member) ++non_member;
          }
        }
        return OkStatus();
      });
      if (st.ok()) {
        report.posted += posted;
        report.repeats += repeats;
        report.non_member_sales += non_member;
        break;
      }
      if (failed == txns.size()) return st.error();  // not a transaction's fault
      Txn& t = txns[failed];
      auto [row, column] = Locate(t, failure.field);
      const std::string& name = names[size_t(column)];
      report.errors.push_back({row, name, failure.message});
      t.bad = true;
      if (!opt.skip_bad) {
        stopped = true;
        end = failed;
        // Post what came before the failed transaction in this batch.
        continue;
      }
    }
    for (size_t i = next; i < end; ++i) {
      rows_done += txns[i].rows;
      if (txns[i].repeat) ++report.repeats;
    }
    next = end;
    if (progress) progress(rows_done, report.rows_read);
  }

  const json detail = {{"rows_read", report.rows_read},
                       {"transactions", report.transactions},
                       {"posted", report.posted},
                       {"repeats", report.repeats},
                       {"non_member_sales", report.non_member_sales},
                       {"bad_rows", report.errors.size()}};
  // On the held connection: a pool of one must not wait for itself.
  VIPCARE_TRY(env_.store.WriteOn(lease, [&](store::Repository& repo) -> Status {
    RecordAudit(repo, env_, actor, "import", "transactions", "", detail.dump());
    return OkStatus();
  }));
  return finish();
}

}  // namespace vipcare::service
