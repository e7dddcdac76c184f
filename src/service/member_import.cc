#include "service/member_import.h"

#include <csv.h>
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "domain/card.h"
#include "service/csv_input.h"
#include "store/bulk_tuning.h"
#include "domain/member.h"
#include "domain/org.h"

namespace vipcare::service {
namespace {

using namespace csv_input;

using domain::Member;

// Rows between progress reports; also the size of one InsertMembers batch, so
// memory stays flat however long the file is.
constexpr size_t kProgressEvery = 10000;
constexpr size_t kStorePage = 500;
constexpr size_t kStaffPage = 1000;
constexpr size_t kMemberPage = 1000;
// Existing members are read into memory (mobiles, card numbers) when there are
// at most 1/8 as many as rows to import: reading one costs about as much as
// 8 rows' index lookups would (measured on SQLite). Larger databases are
// asked row by row instead.
constexpr size_t kPreloadRatio = 8;
// Marks in the line maps: the value is in the database / was generated here.
constexpr size_t kInDatabase = 0;
constexpr size_t kGenerated = size_t(-1);

// ---------------------------------------------------------------- columns

enum class Column : uint8_t {
  kName,
  kMobile,
  kGender,
  kBirthday,
  kCalendar,
  kStoreCode,
  kAssociateNo,
  kStatus,
  kEmail,
  kOccupation,
  kCompany,
  kJobTitle,
  kIdNumber,
  kAddress,
  kWechat,
  kSource,
  kTags,
  kNotes,
  kCardNo,
};
constexpr size_t kColumnCount = size_t(Column::kCardNo) + 1;

struct ColumnDef {
  Column column;
  std::string_view english;                 // matched case-insensitively
  std::array<std::string_view, 3> chinese;  // matched exactly; first is the canonical one
  bool required;
};

// Indexed by Column.
constexpr std::array<ColumnDef, kColumnCount> kColumns = {{
    {Column::kName, "name", {"姓名"}, true},
    {Column::kMobile, "mobile", {"手机", "手机号", "手机号码"}, true},
    {Column::kGender, "gender", {"性别"}, false},
    {Column::kBirthday, "birthday", {"生日", "出生日期"}, false},
    {Column::kCalendar, "birthday_calendar", {"历法"}, false},
    {Column::kStoreCode, "store_code", {"门店编码"}, true},
    {Column::kAssociateNo, "associate_no", {"导购工号"}, false},
    {Column::kStatus, "status", {"会员类型"}, false},
    {Column::kEmail, "email", {"邮箱"}, false},
    {Column::kOccupation, "occupation", {"职业"}, false},
    {Column::kCompany, "company", {"单位"}, false},
    {Column::kJobTitle, "job_title", {"职务"}, false},
    {Column::kIdNumber, "id_number", {"身份证号"}, false},
    {Column::kAddress, "address", {"地址"}, false},
    {Column::kWechat, "wechat_id", {"微信"}, false},
    {Column::kSource, "source", {"来源"}, false},
    {Column::kTags, "tags", {"标签"}, false},
    {Column::kNotes, "notes", {"备注"}, false},
    {Column::kCardNo, "card_no", {"卡号"}, false},
}};

// Which CSV column a ValidateMember field path comes from.
std::optional<Column> ColumnOfField(std::string_view field) {
  static constexpr std::pair<std::string_view, Column> kMap[] = {
      {"name", Column::kName},
      {"birthday", Column::kBirthday},
      {"mobile", Column::kMobile},
      {"email", Column::kEmail},
      {"wechat_id", Column::kWechat},
      {"addresses", Column::kAddress},
      {"occupation", Column::kOccupation},
      {"company", Column::kCompany},
      {"job_title", Column::kJobTitle},
      {"id_number", Column::kIdNumber},
      {"store_id", Column::kStoreCode},
      {"associate_id", Column::kAssociateNo},
      {"tags", Column::kTags},
      {"notes", Column::kNotes},
  };
  for (const auto& [prefix, column] : kMap) {
    if (field.substr(0, prefix.size()) == prefix &&
        (field.size() == prefix.size() || field[prefix.size()] == '[' ||
         field[prefix.size()] == '.')) {
      return column;
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- value parsers

std::optional<domain::Gender> ParseGenderText(std::string_view s) {
  using domain::Gender;
  if (s.empty() || s == "未知" || EqualsIgnoreCase(s, "unknown")) return Gender::kUnknown;
  if (s == "男" || EqualsIgnoreCase(s, "male") || EqualsIgnoreCase(s, "m")) return Gender::kMale;
  if (s == "女" || EqualsIgnoreCase(s, "female") || EqualsIgnoreCase(s, "f")) {
    return Gender::kFemale;
  }
  return std::nullopt;
}

std::optional<domain::Calendar> ParseCalendarText(std::string_view s) {
  using domain::Calendar;
  if (s.empty() || s == "公历" || s == "阳历" || EqualsIgnoreCase(s, "solar")) {
    return Calendar::kSolar;
  }
  if (s == "农历" || s == "阴历" || EqualsIgnoreCase(s, "lunar")) return Calendar::kLunar;
  return std::nullopt;
}

std::optional<domain::MemberStatus> ParseStatusText(std::string_view s) {
  using domain::MemberStatus;
  if (s.empty() || s == "临时" || s == "临时会员" || EqualsIgnoreCase(s, "temporary")) {
    return MemberStatus::kTemporary;
  }
  if (s == "正式" || s == "正式会员" || EqualsIgnoreCase(s, "formal")) {
    return MemberStatus::kFormal;
  }
  return std::nullopt;
}

std::optional<domain::MemberSource> ParseSourceText(std::string_view s) {
  using domain::MemberSource;
  static constexpr std::pair<std::string_view, MemberSource> kNames[] = {
      {"walk_in", MemberSource::kWalkIn},    {"到店", MemberSource::kWalkIn},
      {"referral", MemberSource::kReferral}, {"转介绍", MemberSource::kReferral},
      {"event", MemberSource::kEvent},       {"活动", MemberSource::kEvent},
      {"online", MemberSource::kOnline},     {"线上", MemberSource::kOnline},
      {"other", MemberSource::kOther},       {"其他", MemberSource::kOther},
      {"import", MemberSource::kImport},
  };
  if (s.empty()) return MemberSource::kImport;
  for (const auto& [name, source] : kNames) {
    if (EqualsIgnoreCase(s, name)) return source;
  }
  return std::nullopt;
}

// Chinese spellings of the occupations that drive festivals (教师节, 建军节, ...),
// so a file typed in Chinese gets the same care as one using the codes.
std::string NormalizeOccupation(std::string_view s) {
  static constexpr std::pair<std::string_view, std::string_view> kChinese[] = {
      {"教师", "teacher"}, {"老师", "teacher"},    {"军人", "military"},
      {"医生", "medical"}, {"医护", "medical"},    {"医务人员", "medical"},
      {"警察", "police"},  {"记者", "journalist"}, {"护士", "nurse"},
  };
  for (const auto& [zh, code] : kChinese) {
    if (s == zh) return std::string(code);
  }
  for (const auto& known : domain::KnownOccupations()) {
    if (EqualsIgnoreCase(s, known)) return known;
  }
  return std::string(s);
}

bool ParseUnsigned(std::string_view s, int& out) {
  if (s.empty() || s.size() > 4) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// "YYYY-MM-DD", or "YYYY/M/D" as Excel writes it (also with '.' and an
// all-zero time of day after a space, as Excel exports date-time cells).
std::optional<domain::CalendarDate> ParseBirthday(std::string_view s, domain::Calendar calendar) {
  if (auto space = s.find(' '); space != std::string_view::npos) {
    auto time = s.substr(space + 1);
    if (time.find_first_not_of("0:") != std::string_view::npos) return std::nullopt;
    s = s.substr(0, space);
  }
  size_t a = s.find_first_of("-/.");
  if (a == std::string_view::npos) return std::nullopt;
  size_t b = s.find_first_of("-/.", a + 1);
  if (b == std::string_view::npos || s[a] != s[b]) return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (a != 4 || !ParseUnsigned(s.substr(0, a), y) || b - a - 1 > 2 ||
      !ParseUnsigned(s.substr(a + 1, b - a - 1), m) || s.size() - b - 1 > 2 ||
      !ParseUnsigned(s.substr(b + 1), d)) {
    return std::nullopt;
  }
  domain::CalendarDate date{y, unsigned(m), unsigned(d), calendar, false};
  if (calendar == domain::Calendar::kSolar &&
      !std::chrono::year_month_day(std::chrono::year(y), std::chrono::month(unsigned(m)),
                                   std::chrono::day(unsigned(d)))
           .ok()) {
    return std::nullopt;
  }
  return date;
}

// Keeps the digits of a mobile typed with spaces or dashes and drops a +86
// country code; the result is checked by domain::IsValidMobile.
void NormalizeMobile(std::string_view s, std::string& out) {
  out.clear();
  for (char c : s) {
    if (c == ' ' || c == '-') continue;
    out.push_back(c);
  }
  if (out.size() == 14 && out.compare(0, 3, "+86") == 0) {
    out.erase(0, 3);
  } else if (out.size() == 13 && out.compare(0, 2, "86") == 0) {
    out.erase(0, 2);
  }
}

uint64_t DigitsKey(std::string_view digits) {
  uint64_t v = 0;
  for (char c : digits) v = v * 10 + uint64_t(c - '0');
  return v;
}

// Uniform decimal digits from libsodium's CSPRNG (M3: card numbers must not be
// guessable). Bytes are fetched in blocks because randombytes_uniform would
// make one getrandom() system call per digit, 14 per card, which alone would
// cost seconds on a million-row import.
class SecureDigits {
 public:
  SecureDigits() {
    static const bool ready = sodium_init() >= 0;
    if (!ready) throw std::runtime_error("libsodium could not be initialised");
  }
  ~SecureDigits() { sodium_memzero(buf_.data(), buf_.size()); }
  int Next() {
    for (;;) {
      if (pos_ == buf_.size()) {
        randombytes_buf(buf_.data(), buf_.size());
        pos_ = 0;
      }
      unsigned char b = buf_[pos_++];
      // 250 = 25 * 10: rejecting 250-255 keeps the digits exactly uniform.
      if (b < 250) return b % 10;
    }
  }

 private:
  std::array<unsigned char, 4096> buf_{};
  size_t pos_ = buf_.size();
};

// ---------------------------------------------------------------- CSV records

// ---------------------------------------------------------------- importer

struct CardPlan {
  uint64_t number;
  domain::CardKind kind;
};

// Validates and loads the records of one file inside one write transaction.
class Importer {
 public:
  Importer(store::Repository& repo, const ImportOptions& opt, Timestamp now,
           const std::function<void(size_t)>& progress, ImportReport& report)
      : repo_(repo), opt_(opt), now_(now), progress_(progress), report_(report) {}

  // Loads what rows are checked against: stores, staff, and the mobiles and
  // card numbers of existing members when there are few of them (the usual
  // first import), so rows need no database lookups; see kPreloadRatio.
  void LoadReferenceData(size_t expected_rows) {
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
    mobiles_.reserve(expected_rows);
    card_numbers_.reserve(expected_rows);
    batch_.reserve(kProgressEvery);
    plans_.reserve(kProgressEvery);
    const auto existing = size_t(repo_.ListMembers({}, {1, 0}).total);
    if (existing == 0) return;
    if (existing * kPreloadRatio > expected_rows) {
      ask_database_ = true;
      return;
    }
    for (int64_t offset = 0;; offset += kMemberPage) {
      auto page = repo_.ListMembers({}, {int64_t(kMemberPage), offset});
      for (const auto& m : page.items) {
        if (domain::IsValidMobile(m.mobile.number)) {
          mobiles_.emplace(DigitsKey(m.mobile.number), kInDatabase);
        }
        for (const auto& c : repo_.ListCards(m.id)) {
          if (domain::IsValidCardNumber(c.card_no)) {
            card_numbers_.emplace(DigitsKey(c.card_no), kInDatabase);
          }
        }
      }
      if (page.items.size() < kMemberPage) break;
    }
    // Merged and erased files are not listed; their mobiles and cards would
    // surface as a unique violation on insert (kConflict, nothing loaded).
  }

  // Parses and handles the whole text. Returns an error for a file that cannot
  // be read as a whole (header, CSV syntax); row problems go to the report.
  Status Run(std::string_view text) {
    VIPCARE_TRY(ParseRecords(text, [this](RecordBuffer& buffer) { return Handle(buffer); }));
    if (!header_seen_) return Error::Invalid("", "line 1: the file has no header row");
    if (loading()) Flush();
    return OkStatus();
  }

  bool loading() const { return opt_.skip_bad || report_.errors.empty(); }

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
      // Excel writes ",,,," for rows that were cleared; they are not members.
      if (blank) continue;
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
    VIPCARE_TRY(MatchHeader(fields_, kColumns, line, "name/姓名, mobile/手机, store_code/门店编码", order, column_names_));
    header_columns_.clear();
    for (size_t i : order) header_columns_.push_back(Column(i));
    return OkStatus();
  }

  void AddError(size_t line, Column column, std::string message) {
    report_.errors.push_back({line, column_names_[size_t(column)], std::move(message)});
  }

  void Row(size_t line) {
    ++report_.rows_read;
    const size_t errors_before = report_.errors.size();

    std::array<std::string_view, kColumnCount> v{};
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (i < header_columns_.size()) {
        v[size_t(header_columns_[i])] = fields_[i];
      } else if (!fields_[i].empty()) {
        report_.errors.push_back({line, "", "the row has more fields than the header"});
        break;
      }
    }
    auto at = [&v](Column c) { return v[size_t(c)]; };

    Member& m = batch_.emplace_back();
    m.source = domain::MemberSource::kImport;
    m.created_at = now_;
    m.updated_at = now_;
    m.name.assign(at(Column::kName));

    if (at(Column::kMobile).empty()) {
      AddError(line, Column::kMobile, "is required");
    } else {
      NormalizeMobile(at(Column::kMobile), m.mobile.number);
      // A later row with the same mobile is reported even if this row turns
      // out bad for another reason: the file has two rows for one customer.
      if (!domain::IsValidMobile(m.mobile.number)) {
        AddError(line, Column::kMobile, "must be an 11-digit mainland mobile number");
      } else if (auto [it, added] = mobiles_.try_emplace(DigitsKey(m.mobile.number), line);
                 !added) {
        AddError(line, Column::kMobile,
                 it->second == kInDatabase
                     ? std::string("is already registered to a member (M6)")
                     : fmt::format("the same mobile is already on line {} (M6)", it->second));
      } else if (ask_database_ && repo_.FindMemberByMobile(m.mobile.number)) {
        AddError(line, Column::kMobile, "is already registered to a member (M6)");
      }
    }

    if (auto g = ParseGenderText(at(Column::kGender))) {
      m.gender = *g;
    } else {
      AddError(line, Column::kGender, "must be 男, 女, 未知, male, female or unknown");
    }

    auto calendar = ParseCalendarText(at(Column::kCalendar));
    if (!calendar) AddError(line, Column::kCalendar, "must be 公历, 农历, solar or lunar");
    if (!at(Column::kBirthday).empty()) {
      m.birthday =
          ParseBirthday(at(Column::kBirthday), calendar.value_or(domain::Calendar::kSolar));
      if (!m.birthday) AddError(line, Column::kBirthday, "must be a date YYYY-MM-DD or YYYY/M/D");
    }

    if (auto s = ParseStatusText(at(Column::kStatus))) {
      m.status = *s;
    } else {
      AddError(line, Column::kStatus, "must be 临时, 正式, temporary or formal");
    }
    if (auto s = ParseSourceText(at(Column::kSource))) {
      m.source = *s;
    } else {
      AddError(line, Column::kSource,
               "must be walk_in, referral, event, online, other, 到店, 转介绍, 活动, 线上 or 其他");
    }

    m.email.assign(at(Column::kEmail));
    if (!at(Column::kOccupation).empty()) {
      m.occupation = NormalizeOccupation(at(Column::kOccupation));
    }
    m.company.assign(at(Column::kCompany));
    m.job_title.assign(at(Column::kJobTitle));
    m.id_number.assign(at(Column::kIdNumber));
    if (!m.id_number.empty() && m.id_number.back() == 'x') m.id_number.back() = 'X';
    if (!at(Column::kAddress).empty()) {
      m.addresses.emplace_back().detail.assign(at(Column::kAddress));
    }
    m.wechat_id.assign(at(Column::kWechat));
    SplitTags(at(Column::kTags), m.tags);
    m.notes.assign(at(Column::kNotes));

    const domain::Store* store = nullptr;
    if (at(Column::kStoreCode).empty()) {
      AddError(line, Column::kStoreCode, "is required");
    } else if (auto it = stores_.find(std::string(at(Column::kStoreCode))); it == stores_.end()) {
      AddError(line, Column::kStoreCode, "unknown store code");
    } else {
      store = &it->second;
      m.home_store_id = store->id;
    }
    if (!at(Column::kAssociateNo).empty()) {
      auto it = staff_.find(std::string(at(Column::kAssociateNo)));
      if (it == staff_.end()) {
        AddError(line, Column::kAssociateNo, "unknown staff employee number");
      } else if (store != nullptr && it->second.store_id != store->id) {
        AddError(line, Column::kAssociateNo,
                 fmt::format("is not a staff member of store {}", store->code));
      } else if (!it->second.active) {
        AddError(line, Column::kAssociateNo, "is not an active staff member");
      } else {
        m.associate_id = it->second.id;
      }
    }

    uint64_t card_number = 0;
    if (auto card_no = at(Column::kCardNo); !card_no.empty()) {
      if (!domain::IsValidCardNumber(card_no)) {
        AddError(line, Column::kCardNo, "must be 16 digits with a valid check digit (M3)");
      } else if (auto [it, added] = card_numbers_.try_emplace(DigitsKey(card_no), line); !added) {
        AddError(line, Column::kCardNo,
                 it->second == kInDatabase ? std::string("is already registered")
                 : it->second == kGenerated
                     ? std::string("is already in use")
                     : fmt::format("the same card number is already on line {}", it->second));
      } else if (ask_database_ && repo_.FindCardByNo(std::string(card_no))) {
        AddError(line, Column::kCardNo, "is already registered");
      } else {
        card_number = DigitsKey(card_no);
      }
    }

    // The member rules run last so a row's own format errors are reported
    // once, in the words above, rather than twice.
    if (report_.errors.size() == errors_before) {
      if (auto st = domain::ValidateMember(m, opt_.today); !st.ok()) {
        auto column = ColumnOfField(st.error().field);
        std::string field = column ? column_names_[size_t(*column)] : st.error().field;
        if (field.empty()) field = st.error().field;
        report_.errors.push_back({line, std::move(field), st.error().message});
      }
    }

    if (report_.errors.size() != errors_before || !loading()) {
      batch_.pop_back();
      if (!loading()) {
        // Nothing will be committed: stop loading, keep checking for the report.
        batch_.clear();
        plans_.clear();
      }
    } else {
      plans_.push_back({card_number ? card_number : NewCardNumber(),
                        m.status == domain::MemberStatus::kFormal ? domain::CardKind::kFormal
                                                                  : domain::CardKind::kTemporary});
    }

    if (report_.rows_read % kProgressEvery == 0) {
      if (loading()) Flush();
      if (progress_) progress_(report_.rows_read);
    }
  }

  static void SplitTags(std::string_view text, std::vector<std::string>& tags) {
    constexpr std::string_view kFullWidthSemicolon = "\xEF\xBC\x9B";
    while (!text.empty()) {
      size_t ascii = text.find(';');
      size_t wide = text.find(kFullWidthSemicolon);
      size_t end = std::min(ascii, wide);
      auto tag = Trim(text.substr(0, end));
      // member_tags has one row per distinct tag.
      if (!tag.empty() && std::find(tags.begin(), tags.end(), tag) == tags.end()) {
        tags.emplace_back(tag);
      }
      if (end == std::string_view::npos) break;
      text.remove_prefix(end + (end == wide ? kFullWidthSemicolon.size() : 1));
    }
  }

  // A random card number used neither in this file nor in the database.
  uint64_t NewCardNumber() {
    auto digit = [this] { return digits_.Next(); };
    for (;;) {
      std::string no = domain::MakeCardNumber(digit);
      auto [it, added] = card_numbers_.try_emplace(DigitsKey(no), kGenerated);
      if (!added) continue;
      if (ask_database_ && repo_.FindCardByNo(no)) continue;
      return it->first;
    }
  }

  void Flush() {
    if (batch_.empty()) return;
    repo_.InsertMembers(batch_);
    std::vector<domain::Card> cards;
    cards.reserve(batch_.size());
    for (size_t i = 0; i < batch_.size(); ++i) {
      domain::Card card = domain::NewCard(batch_[i].id, plans_[i].kind, opt_.today);
      card.status = domain::CardStatus::kIssued;  // the customer holds it already
      card.pickup_due.reset();
      card.card_no.assign(domain::kCardNumberDigits, '0');
      for (uint64_t v = plans_[i].number, k = domain::kCardNumberDigits; v > 0 && k > 0; v /= 10) {
        card.card_no[--k] = char('0' + v % 10);
      }
      cards.push_back(std::move(card));
    }
    repo_.InsertCards(cards);
    report_.rows_loaded += batch_.size();
    batch_.clear();
    plans_.clear();
  }

  store::Repository& repo_;
  const ImportOptions& opt_;
  Timestamp now_;
  const std::function<void(size_t)>& progress_;
  ImportReport& report_;

  std::unordered_map<std::string, domain::Store> stores_;  // by code
  std::unordered_map<std::string, domain::Staff> staff_;   // by employee_no
  bool ask_database_ = false;  // too many members to preload: look rows up
  // Mobile -> first line, or kInDatabase.
  std::unordered_map<uint64_t, size_t> mobiles_;
  // Card number -> line, kInDatabase or kGenerated.
  std::unordered_map<uint64_t, size_t> card_numbers_;
  SecureDigits digits_;

  bool header_seen_ = false;
  std::vector<Column> header_columns_;
  std::array<std::string, kColumnCount> column_names_;
  std::vector<std::string_view> fields_;
  std::vector<Member> batch_;
  std::vector<CardPlan> plans_;
};

}  // namespace

Status WriteBulk(store::Store& store, const std::function<Status(store::Repository&)>& fn) {
  store::Store::Lease lease = store.Acquire();
  store::BulkTuning tuning(lease.db());
  return store.WriteOn(lease, fn);
}

Result<ImportReport> ImportMembersCsv(store::Store& store, std::istream& in,
                                      const ImportOptions& opt,
                                      const std::function<void(size_t rows_done)>& progress) {
  if (opt.today == Date()) return Error::Invalid("today", "is required");
  auto text = DecodeToUtf8(ReadAll(in), opt.encoding);
  if (!text.ok()) return text.error();
  const size_t expected_rows = size_t(std::count(text->begin(), text->end(), '\n'));
  const Timestamp now =
      opt.now != Timestamp{}
          ? opt.now
          : std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());

  ImportReport report;
  bool rolled_back = false;  // bad rows and no skip_bad: the load is undone
  Status status = OkStatus();
  try {
    status = WriteBulk(store, [&](store::Repository& repo) -> Status {
      report = ImportReport{};
      Importer importer(repo, opt, now, progress, report);
      importer.LoadReferenceData(expected_rows);
      VIPCARE_TRY(importer.Run(*text));
      if (!importer.loading()) {
        rolled_back = true;
        return Error::Invalid("", "the file has bad rows");  // makes Write roll back
      }
      nlohmann::json detail = {{"rows_read", report.rows_read},
                               {"rows_loaded", report.rows_loaded},
                               {"rows_rejected", report.rows_read - report.rows_loaded}};
      store::AuditEntry audit;
      audit.at = now;
      audit.user_id = opt.actor;
      audit.action = "import";
      audit.entity = "members";
      audit.detail = detail.dump();
      audit.address = opt.actor ? "" : "local";
      repo.AppendAudit(audit);
      return OkStatus();
    });
  } catch (const store::DbError& e) {
    if (e.kind() != store::DbError::Kind::kUniqueViolation) throw;
    // Rows are checked before they are stored, so this is a registration
    // made while the import ran, or a merged or erased file's number.
    return Error::Conflict(
        "a mobile or card number in the file is already registered (by someone else while the "
        "import ran, or on a merged or erased member file); nothing was loaded");
  }
  if (!status.ok()) {
    if (!rolled_back) return status.error();
    report.rows_loaded = 0;
  }
  return report;
}

}  // namespace vipcare::service
