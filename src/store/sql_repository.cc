// The one SQL implementation of Repository. Every statement is a named
// constant with `?` parameters, shared by SQLite and PostgreSQL.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include "domain/member_json.h"
#include "store/bulk_import.h"
#include "store/repository.h"
#include "store/sealer.h"

namespace vipcare::store {
namespace {

using domain::Member;

// ---- organisation ----
constexpr std::string_view kGetCompany = "SELECT name, timezone FROM company WHERE id = 1";
constexpr std::string_view kUpsertCompany =
    "INSERT INTO company (id, name, timezone) VALUES (1, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone";
constexpr std::string_view kInsertRegion =
    "INSERT INTO regions (code, name) VALUES (?, ?) RETURNING id";
constexpr std::string_view kRegionColumns = "SELECT id, code, name FROM regions";
constexpr std::string_view kStoreColumns =
    "SELECT id, code, name, region_id, city, address, phone, opened_on, active, program_code "
    "FROM stores";
constexpr std::string_view kInsertStore =
    "INSERT INTO stores (code, name, region_id, city, address, phone, opened_on, active, "
    "program_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kUpdateStore =
    "UPDATE stores SET code = ?, name = ?, region_id = ?, city = ?, address = ?, phone = ?, "
    "opened_on = ?, active = ?, program_code = ? WHERE id = ?";
constexpr std::string_view kStaffColumns =
    "SELECT id, employee_no, name, role, store_id, region_id, mobile, active FROM staff";
constexpr std::string_view kInsertStaff =
    "INSERT INTO staff (employee_no, name, role, store_id, region_id, mobile, active) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kUpdateStaff =
    "UPDATE staff SET employee_no = ?, name = ?, role = ?, store_id = ?, region_id = ?, "
    "mobile = ?, active = ? WHERE id = ?";

// ---- accounts ----
constexpr std::string_view kUserColumns =
    "SELECT id, username, staff_id, role, password_hash, must_change_password, active, "
    "created_at FROM users";
constexpr std::string_view kInsertUser =
    "INSERT INTO users (username, staff_id, role, password_hash, must_change_password, active, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kUpdateUser =
    "UPDATE users SET username = ?, staff_id = ?, role = ?, password_hash = ?, "
    "must_change_password = ?, active = ? WHERE id = ?";
constexpr std::string_view kInsertSession =
    "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at, address) "
    "VALUES (?, ?, ?, ?, ?, ?)";
constexpr std::string_view kGetSession =
    "SELECT token_hash, user_id, created_at, last_seen_at, expires_at, address FROM sessions "
    "WHERE token_hash = ?";
constexpr std::string_view kGetSessionPrincipal =
    "SELECT s.token_hash, s.user_id, s.created_at, s.last_seen_at, s.expires_at, s.address, "
    "u.id, u.username, u.staff_id, u.role, '', u.must_change_password, u.active, u.created_at, "
    "st.store_id, COALESCE(st.region_id, so.region_id), "
    "EXISTS (SELECT 1 FROM devices d WHERE d.store_id = st.store_id AND d.active = 1) "
    "FROM sessions s JOIN users u ON u.id = s.user_id "
    "LEFT JOIN staff st ON st.id = u.staff_id LEFT JOIN stores so ON so.id = st.store_id "
    "WHERE s.token_hash = ?";
constexpr std::string_view kTouchSession =
    "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?";
constexpr std::string_view kDeleteSession = "DELETE FROM sessions WHERE token_hash = ?";
constexpr std::string_view kDeleteSessionsOf = "DELETE FROM sessions WHERE user_id = ?";

constexpr std::string_view kInsertLoginFailure =
    "INSERT INTO login_failures (username, address, at) VALUES (?, ?, ?)";
constexpr std::string_view kCountFailuresOfUser =
    "SELECT COUNT(*), MIN(at) FROM login_failures WHERE username = ? AND at >= ?";
constexpr std::string_view kCountFailuresFrom =
    "SELECT COUNT(*), MIN(at) FROM login_failures WHERE address = ? AND at >= ?";
constexpr std::string_view kClearLoginFailures = "DELETE FROM login_failures WHERE username = ?";

// ---- members ----
constexpr std::string_view kMemberColumns =
    "SELECT m.id, m.member_no, m.status, m.name_enc, m.gender, m.birthday, m.birthday_calendar, "
    "m.mobile_enc, m.mobile_valid, m.occupation, m.source, m.referrer_id, m.home_store_id, "
    "m.associate_id, m.merged_into, m.profile_enc, m.created_at, m.updated_at, m.version";
// kMemberColumns without the sealed ones (NULL in their places) for
// GetMemberPlain: nothing to open or parse.
constexpr std::string_view kMemberPlainColumns =
    "SELECT m.id, m.member_no, m.status, NULL, m.gender, m.birthday, m.birthday_calendar, "
    "NULL, m.mobile_valid, m.occupation, m.source, m.referrer_id, m.home_store_id, "
    "m.associate_id, m.merged_into, NULL, m.created_at, m.updated_at, m.version";
constexpr std::string_view kInsertMember =
    "INSERT INTO members (status, name_enc, gender, birthday, birthday_calendar, mobile_enc, "
    "mobile_valid, occupation, source, referrer_id, home_store_id, associate_id, "
    "marketing_opt_out, merged_into, profile_enc, mobile_bidx, id_bidx, created_at, updated_at, "
    "version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id";
// Bulk inserts write ids and member numbers they reserved up front, many rows
// per statement, without RETURNING (which makes SQLite journal every row).
constexpr std::string_view kBulkMemberInsert =
    "INSERT INTO members (id, member_no, status, name_enc, gender, birthday, birthday_calendar, "
    "mobile_enc, mobile_valid, occupation, source, referrer_id, home_store_id, associate_id, "
    "marketing_opt_out, merged_into, profile_enc, mobile_bidx, id_bidx, created_at, updated_at, "
    "version) VALUES ";
constexpr std::string_view kBulkMemberRow =
    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)";
constexpr size_t kBulkMemberWidth = 21;
constexpr std::string_view kBulkCardInsert =
    "INSERT INTO cards (id, card_no_enc, card_no_bidx, member_id, kind, status, issued_on, "
    "expires_on, pickup_due, replaces, updated_at) VALUES ";
constexpr std::string_view kBulkCardRow = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr size_t kBulkCardWidth = 11;
constexpr std::string_view kBulkTokenInsert =
    "INSERT INTO member_name_tokens (token, member_id) VALUES ";
constexpr std::string_view kBulkTagInsert = "INSERT INTO member_tags (member_id, tag) VALUES ";
constexpr std::string_view kBulkTagRow = "(?, ?)";
// Reserving n ids: SQLite holds the write lock for the whole transaction, so the
// next ids after the largest are ours; PostgreSQL draws them from the sequence.
constexpr std::string_view kMaxMemberId = "SELECT COALESCE(MAX(id), 0) FROM members";
constexpr std::string_view kMaxCardId = "SELECT COALESCE(MAX(id), 0) FROM cards";
constexpr std::string_view kNextMemberIds =
    "SELECT nextval('members_id_seq') FROM generate_series(1, ?)";
constexpr std::string_view kNextCardIds =
    "SELECT nextval('cards_id_seq') FROM generate_series(1, ?)";
constexpr size_t kBulkRows = 64;
constexpr std::string_view kSetMemberNo = "UPDATE members SET member_no = ? WHERE id = ?";
constexpr std::string_view kUpdateMember =
    "UPDATE members SET status = ?, name_enc = ?, gender = ?, birthday = ?, "
    "birthday_calendar = ?, mobile_enc = ?, mobile_valid = ?, occupation = ?, source = ?, "
    "referrer_id = ?, home_store_id = ?, associate_id = ?, marketing_opt_out = ?, "
    "merged_into = ?, profile_enc = ?, mobile_bidx = ?, id_bidx = ?, updated_at = ?, "
    "version = version + 1 WHERE id = ? AND version = ?";
// Member list fragments (ListMembers).
constexpr std::string_view kMemberListFrom =
    "FROM members m WHERE m.status NOT IN ('merged', 'erased')";
constexpr std::string_view kFilterStore = " AND m.home_store_id = ?";
constexpr std::string_view kFilterRegion =
    " AND m.home_store_id IN (SELECT id FROM stores WHERE region_id = ?)";
constexpr std::string_view kFilterAssociate = " AND m.associate_id = ?";
constexpr std::string_view kFilterStatus = " AND m.status = ?";
// Name searches go through the keyed tokens of name prefixes (names are sealed).
constexpr std::string_view kFilterNameToken =
    " AND m.id IN (SELECT member_id FROM member_name_tokens WHERE token = ?)";
constexpr std::string_view kFilterTag =
    " AND EXISTS (SELECT 1 FROM member_tags t WHERE t.member_id = m.id AND t.tag = ?)";
constexpr std::string_view kFilterCreatedFrom = " AND m.created_at >= ?";
constexpr std::string_view kFilterCreatedTo = " AND m.created_at < ?";
constexpr std::string_view kMembersAfter =
    "FROM members m WHERE m.id > ? AND m.status NOT IN ('merged', 'erased') ORDER BY m.id LIMIT ?";
constexpr std::string_view kOrderPage = " ORDER BY m.id LIMIT ? OFFSET ?";
constexpr std::string_view kMemberTags =
    "SELECT tag FROM member_tags WHERE member_id = ? ORDER BY tag";
constexpr std::string_view kDeleteTags = "DELETE FROM member_tags WHERE member_id = ?";
constexpr std::string_view kDeleteTokens = "DELETE FROM member_name_tokens WHERE member_id = ?";
constexpr std::string_view kInsertToken =
    "INSERT INTO member_name_tokens (token, member_id) VALUES (?, ?)";
constexpr std::string_view kInsertTag =
    "INSERT INTO member_tags (member_id, tag) VALUES (?, ?) ON CONFLICT DO NOTHING";
constexpr std::string_view kInsertHistory =
    "INSERT INTO member_history (member_id, changed_at, changed_by, action, changes_enc) "
    "VALUES (?, ?, ?, ?, ?)";
constexpr std::string_view kListHistory =
    "SELECT id, member_id, changed_at, changed_by, action, changes_enc, "
    "(SELECT username FROM users u WHERE u.id = h.changed_by) FROM member_history h "
    "WHERE member_id = ? ORDER BY id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kCountHistory =
    "SELECT COUNT(*) FROM member_history WHERE member_id = ?";
constexpr std::string_view kRedactHistory =
    "UPDATE member_history SET changes_enc = ? WHERE member_id = ?";
constexpr std::string_view kMoveCards = "UPDATE cards SET member_id = ? WHERE member_id = ?";
constexpr std::string_view kMoveHistory =
    "UPDATE member_history SET member_id = ? WHERE member_id = ?";
constexpr std::string_view kCopyTags =
    "INSERT INTO member_tags (member_id, tag) SELECT ?, tag FROM member_tags WHERE member_id = ? "
    "ON CONFLICT DO NOTHING";
// A member's referrer is part of their file: its version changes with it.
constexpr std::string_view kMoveReferrals =
    "UPDATE members SET referrer_id = ?, version = version + 1 WHERE referrer_id = ? AND id <> ?";
constexpr std::string_view kMemberVersion = "SELECT version FROM members WHERE id = ?";
constexpr std::string_view kInsertDestruction =
    "INSERT INTO destruction_records (member_id, member_no, erased_at, erased_by, reason, fields) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kListDestruction =
    "SELECT id, member_id, member_no, erased_at, erased_by, reason, fields, "
    "(SELECT username FROM users u WHERE u.id = d.erased_by) "
    "FROM destruction_records d ORDER BY id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kCountDestruction = "SELECT COUNT(*) FROM destruction_records";

// ---- cards ----
constexpr std::string_view kCardColumns =
    "SELECT id, card_no_enc, member_id, kind, status, issued_on, expires_on, pickup_due, "
    "replaces FROM cards";
constexpr std::string_view kInsertCard =
    "INSERT INTO cards (card_no_enc, card_no_bidx, member_id, kind, status, issued_on, "
    "expires_on, pickup_due, replaces, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "RETURNING id";
constexpr std::string_view kUpdateCard =
    "UPDATE cards SET member_id = ?, kind = ?, status = ?, issued_on = ?, expires_on = ?, "
    "pickup_due = ?, replaces = ?, updated_at = ? WHERE id = ?";

// ---- audit ----
constexpr std::string_view kEnsureAuditHead =
    "INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, '') ON CONFLICT (id) DO NOTHING";
// Taking the next ids updates the head first, which takes its row lock
// (PostgreSQL), so appends from several servers queue up instead of forking
// the chain; it answers the last id taken and the hash of the row before the
// first.
constexpr std::string_view kNextAuditIds =
    "UPDATE audit_head SET last_id = last_id + ? WHERE id = 1 RETURNING last_id, last_hash";
constexpr std::string_view kInsertAudits =
    "INSERT INTO audit_log (id, at, user_id, action, entity, entity_id, detail, address, "
    "prev_hash, hash) VALUES ";
constexpr std::string_view kAuditTuple = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kGetAuditHead = "SELECT last_id, last_hash FROM audit_head WHERE id = 1";
constexpr std::string_view kSetAuditHash = "UPDATE audit_head SET last_hash = ? WHERE id = 1";
constexpr std::string_view kInsertAudit =
    "INSERT INTO audit_log (id, at, user_id, action, entity, entity_id, detail, address, "
    "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
constexpr std::string_view kListAudit =
    "SELECT id, at, user_id, action, entity, entity_id, detail, address, prev_hash, hash, "
    "(SELECT username FROM users u WHERE u.id = a.user_id) "
    "FROM audit_log a ORDER BY id DESC LIMIT ? OFFSET ?";
constexpr std::string_view kAuditAfter =
    "SELECT id, at, user_id, action, entity, entity_id, detail, address, prev_hash, hash "
    "FROM audit_log WHERE id > ? ORDER BY id LIMIT ?";
constexpr std::string_view kCountAudit = "SELECT COUNT(*) FROM audit_log";

// ---- grants, devices, consents ----
constexpr std::string_view kFilterGranted =
    " AND m.id IN (SELECT gm.member_id FROM grant_members gm JOIN grants g ON g.id = gm.grant_id "
    "WHERE g.grantee_id = ? AND g.starts_at <= ? AND g.ends_at > ? AND g.revoked_at IS NULL)";
constexpr std::string_view kInsertGrant =
    "INSERT INTO grants (grantee_id, purpose, starts_at, ends_at, created_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kInsertGrantMember =
    "INSERT INTO grant_members (grant_id, member_id) VALUES (?, ?) ON CONFLICT DO NOTHING";
constexpr std::string_view kGrantColumns =
    "SELECT g.id, g.grantee_id, g.purpose, g.starts_at, g.ends_at, g.created_by, g.created_at, "
    "g.revoked_at, g.revoked_by, (SELECT COUNT(*) FROM grant_members gm WHERE gm.grant_id = g.id), "
    "(SELECT username FROM users u WHERE u.id = g.grantee_id), "
    "(SELECT username FROM users u WHERE u.id = g.created_by) "
    "FROM grants g";
constexpr std::string_view kGrantMembers =
    "SELECT member_id FROM grant_members WHERE grant_id = ? ORDER BY member_id";
constexpr std::string_view kGrantFilter =
    "WHERE (? = 0 OR g.grantee_id = ?) AND (? = 0 OR g.created_by = ?)";
constexpr std::string_view kRevokeGrant =
    "UPDATE grants SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL";
constexpr std::string_view kHasActiveGrant =
    "SELECT 1 FROM grant_members gm JOIN grants g ON g.id = gm.grant_id WHERE gm.member_id = ? "
    "AND g.grantee_id = ? AND g.starts_at <= ? AND g.ends_at > ? AND g.revoked_at IS NULL "
    "LIMIT 1";
constexpr std::string_view kListUsers =
    "SELECT id, username, staff_id, role, password_hash, must_change_password, active, "
    "created_at FROM users WHERE (? = '' OR role = ?) ORDER BY id LIMIT ? OFFSET ?";
constexpr std::string_view kCountUsers = "SELECT COUNT(*) FROM users WHERE (? = '' OR role = ?)";
constexpr std::string_view kDeviceColumns =
    "SELECT id, store_id, kind, value, label, active, created_by, created_at FROM devices";
constexpr std::string_view kInsertDevice =
    "INSERT INTO devices (store_id, kind, value, label, active, created_by, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kSetDeviceActive = "UPDATE devices SET active = ? WHERE id = ?";
constexpr std::string_view kStoreRestricts =
    "SELECT 1 FROM devices WHERE store_id = ? AND active = 1 LIMIT 1";
constexpr std::string_view kInsertConsent =
    "INSERT INTO consents (member_id, purpose, granted, version, channel, at, recorded_by) "
    "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr std::string_view kListConsents =
    "SELECT id, member_id, purpose, granted, version, channel, at, recorded_by, "
    "(SELECT username FROM users u WHERE u.id = c.recorded_by) FROM consents c "
    "WHERE member_id = ? ORDER BY id";

int64_t Now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Value OptDate(const std::optional<Date>& d) { return d ? Value(d->ToString()) : Value(); }
std::optional<Date> ReadDate(const Row& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return Date::Parse(r.Text(i));
}

domain::Region ReadRegion(const Row& r) {
  return {RegionId(r.Int(0)), r.Text(1), r.Text(2)};
}

domain::Store ReadStore(const Row& r) {
  domain::Store s;
  s.id = StoreId(r.Int(0));
  s.code = r.Text(1);
  s.name = r.Text(2);
  s.region_id = RegionId(r.Int(3));
  s.city = r.Text(4);
  s.address = r.Text(5);
  s.phone = r.Text(6);
  s.opened_on = ReadDate(r, 7);
  s.active = r.Int(8) != 0;
  s.program_code = r.Text(9);
  return s;
}

std::vector<Value> StoreParams(const domain::Store& s) {
  return {s.code,    s.name,  s.region_id.value,     s.city,
          s.address, s.phone, OptDate(s.opened_on), int64_t(s.active),
          s.program_code};
}

domain::Staff ReadStaff(const Row& r) {
  domain::Staff s;
  s.id = StaffId(r.Int(0));
  s.employee_no = r.Text(1);
  s.name = r.Text(2);
  s.role = domain::ParseRole(r.Text(3)).value_or(domain::Role::kAssociate);
  s.store_id = StoreId(r.Int(4));
  s.region_id = RegionId(r.Int(5));
  s.mobile = r.Text(6);
  s.active = r.Int(7) != 0;
  return s;
}

std::vector<Value> StaffParams(const domain::Staff& s) {
  return {s.employee_no,         s.name,   domain::ToString(s.role), NullIfZero(s.store_id.value),
          NullIfZero(s.region_id.value), s.mobile, int64_t(s.active)};
}

// Reads the columns of kUserColumns starting at column `at`.
UserRecord ReadUser(const Row& r, size_t at = 0) {
  UserRecord u;
  u.id = UserId(r.Int(at));
  u.username = r.Text(at + 1);
  u.staff_id = StaffId(r.Int(at + 2));
  u.role = domain::ParseRole(r.Text(at + 3)).value_or(domain::Role::kAssociate);
  u.password_hash = r.Text(at + 4);
  u.must_change_password = r.Int(at + 5) != 0;
  u.active = r.Int(at + 6) != 0;
  u.created_at = FromEpochSeconds(r.Int(at + 7));
  return u;
}

SessionRecord ReadSession(const Row& r) {
  return {r.Text(0), UserId(r.Int(1)), FromEpochSeconds(r.Int(2)), FromEpochSeconds(r.Int(3)),
          FromEpochSeconds(r.Int(4)), r.Text(5)};
}

// Reads the columns of kMemberColumns; tags are loaded separately.
Member ReadMember(const Row& r, const Sealer& sealer, bool care_fields_only = false) {
  Member m;
  m.id = MemberId(r.Int(0));
  m.member_no = r.Text(1);
  m.status = domain::ParseMemberStatus(r.Text(2)).value_or(domain::MemberStatus::kTemporary);
  if (!r.IsNull(3)) m.name = sealer.Open(kSealedName, r.Text(3));
  m.gender = domain::ParseGender(r.Text(4)).value_or(domain::Gender::kUnknown);
  auto cal = domain::ParseCalendar(r.Text(6)).value_or(domain::Calendar::kSolar);
  if (!r.IsNull(5)) {
    auto text = r.Text(5);
    bool leap = !text.empty() && text.back() == 'L';
    if (leap) text.pop_back();
    m.birthday = domain::ParseCalendarDate(text, cal);
    if (m.birthday) m.birthday->leap_month = leap;
  }
  if (!r.IsNull(7)) m.mobile.number = sealer.Open(kSealedMobile, r.Text(7));
  m.mobile.valid = r.Int(8) != 0;
  m.occupation = r.Text(9);
  m.source = domain::ParseMemberSource(r.Text(10)).value_or(domain::MemberSource::kOther);
  m.referrer_id = MemberId(r.Int(11));
  m.home_store_id = StoreId(r.Int(12));
  m.associate_id = StaffId(r.Int(13));
  m.merged_into = MemberId(r.Int(14));
  if (r.IsNull(15)) {
    // kMemberPlainColumns: no sealed profile read.
  } else if (care_fields_only) {
    domain::CareProfileFromJson(sealer.Open(kSealedProfile, r.Text(15)), m);
  } else {
    domain::ProfileFromJson(sealer.Open(kSealedProfile, r.Text(15)), m);
  }
  m.created_at = FromEpochSeconds(r.Int(16));
  m.updated_at = FromEpochSeconds(r.Int(17));
  m.version = r.Int(18);
  return m;
}

// The birthday column holds "YYYY-MM-DD" with a trailing "L" for a lunar leap month.
Value BirthdayValue(const Member& m) {
  if (!m.birthday) return Value();
  auto text = domain::FormatCalendarDate(*m.birthday);
  if (m.birthday->leap_month) text += "L";
  return text;
}

// The member's columns from status to id_bidx, sealed (P5).
std::vector<Value> MemberParams(const Member& m, const Sealer& sealer) {
  return {domain::ToString(m.status),
          sealer.Seal(kSealedName, m.name),
          domain::ToString(m.gender),
          BirthdayValue(m),
          domain::ToString(m.birthday ? m.birthday->calendar : domain::Calendar::kSolar),
          sealer.SealOrNull(kSealedMobile, m.mobile.number),
          int64_t(m.mobile.valid),
          m.occupation,
          domain::ToString(m.source),
          NullIfZero(m.referrer_id.value),
          m.home_store_id.value,
          NullIfZero(m.associate_id.value),
          int64_t(m.preferences.marketing_opt_out),
          NullIfZero(m.merged_into.value),
          sealer.Seal(kSealedProfile, domain::ProfileToJson(m)),
          sealer.MobileIndex(m.mobile.number),
          sealer.IdNumberIndex(m.id_number)};
}

GrantRecord ReadGrant(const Row& r) {
  GrantRecord g;
  g.id = r.Int(0);
  g.grantee = UserId(r.Int(1));
  g.purpose = r.Text(2);
  g.starts_at = FromEpochSeconds(r.Int(3));
  g.ends_at = FromEpochSeconds(r.Int(4));
  g.created_by = UserId(r.Int(5));
  g.created_at = FromEpochSeconds(r.Int(6));
  if (!r.IsNull(7)) g.revoked_at = FromEpochSeconds(r.Int(7));
  g.revoked_by = UserId(r.Int(8));
  g.member_count = r.Int(9);
  if (!r.IsNull(10)) g.grantee_username = r.Text(10);
  if (!r.IsNull(11)) g.created_by_username = r.Text(11);
  return g;
}

DeviceRecord ReadDevice(const Row& r) {
  return {r.Int(0),  StoreId(r.Int(1)), r.Text(2), r.Text(3), r.Text(4), r.Int(5) != 0,
          UserId(r.Int(6)), FromEpochSeconds(r.Int(7))};
}

std::string MemberNo(MemberId id) { return fmt::format("M{:08d}", id.value); }

AuditEntry ReadAudit(const Row& r) {
  return {r.Int(0),  FromEpochSeconds(r.Int(1)), UserId(r.Int(2)), r.Text(3), r.Text(4),
          r.Text(5), r.Text(6), r.Text(7), r.Text(8), r.Text(9)};
}

domain::Card ReadCard(const Row& r, const Sealer& sealer) {
  domain::Card c;
  c.id = CardId(r.Int(0));
  c.card_no = sealer.Open(kSealedCardNo, r.Text(1));
  c.member_id = MemberId(r.Int(2));
  c.kind = domain::ParseCardKind(r.Text(3)).value_or(domain::CardKind::kTemporary);
  c.status = domain::ParseCardStatus(r.Text(4)).value_or(domain::CardStatus::kIssued);
  c.issued_on = ReadDate(r, 5).value_or(Date());
  c.expires_on = ReadDate(r, 6).value_or(Date());
  c.pickup_due = ReadDate(r, 7);
  c.replaces = CardId(r.Int(8));
  return c;
}

std::string Join(std::string_view a, std::string_view b) {
  std::string s(a);
  s += ' ';
  s += b;
  return s;
}

class SqlRepository final : public Repository {
 public:
  SqlRepository(Db& db, const Sealer& sealer) : db_(db), sealer_(sealer) {}

  LoyaltyRepository& loyalty() override {
    if (!loyalty_) loyalty_ = MakeSqlLoyaltyRepository(db_);
    return *loyalty_;
  }
  RewardsRepository& rewards() override {
    if (!rewards_) rewards_ = MakeSqlRewardsRepository(db_);
    return *rewards_;
  }
  ReportRepository& reports() override {
    if (!reports_) reports_ = MakeSqlReportRepository(db_);
    return *reports_;
  }
  CareRepository& care() override {
    if (!care_) care_ = MakeSqlCareRepository(db_, sealer_);
    return *care_;
  }
  LoyaltyJobsRepository& loyalty_jobs() override {
    if (!loyalty_jobs_) loyalty_jobs_ = MakeSqlLoyaltyJobsRepository(db_);
    return *loyalty_jobs_;
  }

  std::optional<domain::Company> GetCompany() override {
    auto r = db_.QueryOne(kGetCompany);
    if (!r) return std::nullopt;
    return domain::Company{r->Text(0), r->Text(1)};
  }
  void SaveCompany(const domain::Company& c) override {
    db_.Exec(kUpsertCompany, {c.name, c.timezone});
  }

  RegionId InsertRegion(const domain::Region& r) override {
    return RegionId(db_.QueryOne(kInsertRegion, {r.code, r.name})->Int(0));
  }
  std::optional<domain::Region> GetRegion(RegionId id) override {
    static const std::string sql = Join(kRegionColumns, "WHERE id = ?");
    auto r = db_.QueryOne(sql, {id.value});
    if (!r) return std::nullopt;
    return ReadRegion(*r);
  }
  std::vector<domain::Region> ListRegions() override {
    static const std::string sql = Join(kRegionColumns, "ORDER BY id");
    std::vector<domain::Region> out;
    for (const auto& r : db_.Query(sql)) out.push_back(ReadRegion(r));
    return out;
  }

  StoreId InsertStore(const domain::Store& s) override {
    return StoreId(db_.QueryOne(kInsertStore, StoreParams(s))->Int(0));
  }
  void UpdateStore(const domain::Store& s) override {
    auto p = StoreParams(s);
    p.push_back(s.id.value);
    db_.Exec(kUpdateStore, p);
  }
  std::optional<domain::Store> GetStore(StoreId id) override {
    static const std::string sql = Join(kStoreColumns, "WHERE id = ?");
    auto r = db_.QueryOne(sql, {id.value});
    if (!r) return std::nullopt;
    return ReadStore(*r);
  }
  PageOf<domain::Store> ListStores(std::optional<RegionId> region, Page page) override {
    static const std::string list_sql =
        Join(kStoreColumns, "WHERE (? = 0 OR region_id = ?) ORDER BY id LIMIT ? OFFSET ?");
    static const std::string count_sql =
        "SELECT COUNT(*) FROM stores WHERE (? = 0 OR region_id = ?)";
    int64_t rid = region ? region->value : 0;
    PageOf<domain::Store> out;
    for (const auto& r : db_.Query(list_sql, {rid, rid, page.limit, page.offset})) {
      out.items.push_back(ReadStore(r));
    }
    out.total = db_.QueryOne(count_sql, {rid, rid})->Int(0);
    return out;
  }

  StaffId InsertStaff(const domain::Staff& s) override {
    return StaffId(db_.QueryOne(kInsertStaff, StaffParams(s))->Int(0));
  }
  void UpdateStaff(const domain::Staff& s) override {
    auto p = StaffParams(s);
    p.push_back(s.id.value);
    db_.Exec(kUpdateStaff, p);
  }
  std::optional<domain::Staff> GetStaff(StaffId id) override {
    static const std::string sql = Join(kStaffColumns, "WHERE id = ?");
    auto r = db_.QueryOne(sql, {id.value});
    if (!r) return std::nullopt;
    return ReadStaff(*r);
  }
  PageOf<domain::Staff> ListStaff(std::optional<StoreId> store, std::optional<domain::Role> role,
                                  Page page, std::optional<RegionId> region) override {
    static const std::string where =
        "WHERE (? = 0 OR store_id = ?) AND (? = '' OR role = ?) AND (? = 0 OR region_id = ? OR "
        "store_id IN (SELECT id FROM stores WHERE region_id = ?))";
    static const std::string list_sql = Join(kStaffColumns, where + " ORDER BY id LIMIT ? OFFSET ?");
    static const std::string count_sql = "SELECT COUNT(*) FROM staff " + where;
    int64_t sid = store ? store->value : 0;
    std::string r = role ? domain::ToString(*role) : "";
    int64_t rid = region ? region->value : 0;
    PageOf<domain::Staff> out;
    for (const auto& row :
         db_.Query(list_sql, {sid, sid, r, r, rid, rid, rid, page.limit, page.offset})) {
      out.items.push_back(ReadStaff(row));
    }
    out.total = db_.QueryOne(count_sql, {sid, sid, r, r, rid, rid, rid})->Int(0);
    return out;
  }

  UserId InsertUser(const UserRecord& u) override {
    return UserId(db_.QueryOne(kInsertUser, {u.username, NullIfZero(u.staff_id.value),
                                             domain::ToString(u.role), u.password_hash,
                                             int64_t(u.must_change_password), int64_t(u.active),
                                             ToEpochSeconds(u.created_at)})
                      ->Int(0));
  }
  void UpdateUser(const UserRecord& u) override {
    db_.Exec(kUpdateUser, {u.username, NullIfZero(u.staff_id.value), domain::ToString(u.role),
                           u.password_hash, int64_t(u.must_change_password), int64_t(u.active),
                           u.id.value});
  }
  std::optional<UserRecord> GetUser(UserId id) override {
    static const std::string sql = Join(kUserColumns, "WHERE id = ?");
    auto r = db_.QueryOne(sql, {id.value});
    if (!r) return std::nullopt;
    return ReadUser(*r);
  }
  std::optional<UserRecord> FindUserByName(const std::string& username) override {
    static const std::string sql = Join(kUserColumns, "WHERE username = ?");
    auto r = db_.QueryOne(sql, {username});
    if (!r) return std::nullopt;
    return ReadUser(*r);
  }
  void InsertSession(const SessionRecord& s) override {
    db_.Exec(kInsertSession, {s.token_hash, s.user_id.value, ToEpochSeconds(s.created_at),
                              ToEpochSeconds(s.last_seen_at), ToEpochSeconds(s.expires_at),
                              s.address});
  }
  std::optional<SessionRecord> GetSession(const std::string& token_hash) override {
    auto r = db_.QueryOne(kGetSession, {token_hash});
    if (!r) return std::nullopt;
    return ReadSession(*r);
  }
  std::optional<SessionPrincipal> GetSessionPrincipal(const std::string& token_hash) override {
    auto r = db_.QueryOne(kGetSessionPrincipal, {token_hash});
    if (!r) return std::nullopt;
    return SessionPrincipal{ReadSession(*r), ReadUser(*r, 6), StoreId(r->Int(14)),
                            RegionId(r->Int(15)), r->Int(16) != 0};
  }
  void TouchSession(const std::string& token_hash, Timestamp now) override {
    db_.Exec(kTouchSession, {ToEpochSeconds(now), token_hash});
  }
  void DeleteSession(const std::string& token_hash) override {
    db_.Exec(kDeleteSession, {token_hash});
  }
  void DeleteSessionsOf(UserId user) override { db_.Exec(kDeleteSessionsOf, {user.value}); }

  void RecordLoginFailure(const std::string& username, const std::string& address,
                          Timestamp at) override {
    db_.Exec(kInsertLoginFailure, {username, address, ToEpochSeconds(at)});
  }
  FailureCount CountLoginFailuresOfUser(const std::string& username, Timestamp since) override {
    auto r = db_.QueryOne(kCountFailuresOfUser, {username, ToEpochSeconds(since)});
    return {r->Int(0), FromEpochSeconds(r->Int(1))};
  }
  FailureCount CountLoginFailuresFrom(const std::string& address, Timestamp since) override {
    auto r = db_.QueryOne(kCountFailuresFrom, {address, ToEpochSeconds(since)});
    return {r->Int(0), FromEpochSeconds(r->Int(1))};
  }
  void ClearLoginFailures(const std::string& username) override {
    db_.Exec(kClearLoginFailures, {username});
  }

  PageOf<UserRecord> ListUsers(Page page, std::optional<domain::Role> role) override {
    const std::string only = role ? domain::ToString(*role) : "";
    PageOf<UserRecord> out;
    for (const auto& r : db_.Query(kListUsers, {only, only, page.limit, page.offset})) {
      out.items.push_back(ReadUser(r));
    }
    out.total = db_.QueryOne(kCountUsers, {only, only})->Int(0);
    return out;
  }

  int64_t InsertGrant(const GrantRecord& g) override {
    const int64_t id =
        db_.QueryOne(kInsertGrant, {g.grantee.value, g.purpose, ToEpochSeconds(g.starts_at),
                                    ToEpochSeconds(g.ends_at), NullIfZero(g.created_by.value),
                                    ToEpochSeconds(g.created_at)})
            ->Int(0);
    for (MemberId m : g.members) db_.Exec(kInsertGrantMember, {id, m.value});
    return id;
  }
  std::optional<GrantRecord> GetGrant(int64_t id) override {
    static const std::string sql = Join(kGrantColumns, "WHERE g.id = ?");
    auto r = db_.QueryOne(sql, {id});
    if (!r) return std::nullopt;
    GrantRecord g = ReadGrant(*r);
    for (const auto& row : db_.Query(kGrantMembers, {id})) g.members.emplace_back(row.Int(0));
    return g;
  }
  PageOf<GrantRecord> ListGrants(std::optional<UserId> grantee, std::optional<UserId> created_by,
                                 Page page) override {
    static const std::string list_sql =
        Join(kGrantColumns, std::string(kGrantFilter) + " ORDER BY g.id DESC LIMIT ? OFFSET ?");
    static const std::string count_sql = "SELECT COUNT(*) FROM grants g " + std::string(kGrantFilter);
    const int64_t ge = grantee ? grantee->value : 0;
    const int64_t cb = created_by ? created_by->value : 0;
    PageOf<GrantRecord> out;
    for (const auto& r : db_.Query(list_sql, {ge, ge, cb, cb, page.limit, page.offset})) {
      out.items.push_back(ReadGrant(r));
    }
    out.total = db_.QueryOne(count_sql, {ge, ge, cb, cb})->Int(0);
    return out;
  }
  bool RevokeGrant(int64_t id, Timestamp at, UserId by) override {
    return db_.Exec(kRevokeGrant, {ToEpochSeconds(at), NullIfZero(by.value), id}) == 1;
  }
  bool HasActiveGrant(UserId grantee, MemberId member, Timestamp now) override {
    const int64_t t = ToEpochSeconds(now);
    return db_.QueryOne(kHasActiveGrant, {member.value, grantee.value, t, t}).has_value();
  }

  int64_t InsertDevice(const DeviceRecord& d) override {
    return db_
        .QueryOne(kInsertDevice, {d.store_id.value, d.kind, d.value, d.label, int64_t(d.active),
                                  NullIfZero(d.created_by.value), ToEpochSeconds(d.created_at)})
        ->Int(0);
  }
  std::optional<DeviceRecord> GetDevice(int64_t id) override {
    static const std::string sql = Join(kDeviceColumns, "WHERE id = ?");
    auto r = db_.QueryOne(sql, {id});
    if (!r) return std::nullopt;
    return ReadDevice(*r);
  }
  std::vector<DeviceRecord> ListDevices(std::optional<StoreId> store) override {
    static const std::string sql = Join(kDeviceColumns, "WHERE (? = 0 OR store_id = ?) ORDER BY id");
    const int64_t sid = store ? store->value : 0;
    std::vector<DeviceRecord> out;
    for (const auto& r : db_.Query(sql, {sid, sid})) out.push_back(ReadDevice(r));
    return out;
  }
  void SetDeviceActive(int64_t id, bool active) override {
    db_.Exec(kSetDeviceActive, {int64_t(active), id});
  }
  bool StoreRestrictsDevices(StoreId store) override {
    return db_.QueryOne(kStoreRestricts, {store.value}).has_value();
  }

  int64_t InsertConsent(const ConsentRecord& c) override {
    return db_
        .QueryOne(kInsertConsent, {c.member_id.value, c.purpose, int64_t(c.granted), c.version,
                                   c.channel, ToEpochSeconds(c.at), NullIfZero(c.recorded_by.value)})
        ->Int(0);
  }
  std::vector<ConsentRecord> ListConsents(MemberId member) override {
    std::vector<ConsentRecord> out;
    for (const auto& r : db_.Query(kListConsents, {member.value})) {
      out.push_back({r.Int(0), MemberId(r.Int(1)), r.Text(2), r.Int(3) != 0, r.Text(4), r.Text(5),
                     FromEpochSeconds(r.Int(6)), UserId(r.Int(7)), r.Text(8)});
    }
    return out;
  }

  MemberId InsertMember(const Member& m) override {
    auto p = MemberParams(m, sealer_);
    int64_t now = Now();
    p.push_back(m.created_at.time_since_epoch().count() ? ToEpochSeconds(m.created_at) : now);
    p.push_back(m.updated_at.time_since_epoch().count() ? ToEpochSeconds(m.updated_at) : now);
    MemberId id(db_.QueryOne(kInsertMember, p)->Int(0));
    db_.Exec(kSetMemberNo, {m.member_no.empty() ? MemberNo(id) : m.member_no, id.value});
    for (const auto& t : m.tags) db_.Exec(kInsertTag, {id.value, t});
    for (int64_t t : sealer_.NameTokens(m.name)) db_.Exec(kInsertToken, {t, id.value});
    return id;
  }
  bool UpdateMember(const Member& m) override {
    auto p = MemberParams(m, sealer_);
    p.push_back(m.updated_at.time_since_epoch().count() ? ToEpochSeconds(m.updated_at) : Now());
    p.push_back(m.id.value);
    p.push_back(m.version);
    if (db_.Exec(kUpdateMember, p) != 1) return false;
    db_.Exec(kDeleteTags, {m.id.value});
    for (const auto& t : m.tags) db_.Exec(kInsertTag, {m.id.value, t});
    db_.Exec(kDeleteTokens, {m.id.value});
    for (int64_t t : sealer_.NameTokens(m.name)) db_.Exec(kInsertToken, {t, m.id.value});
    return true;
  }
  std::optional<Member> GetMember(MemberId id) override {
    static const std::string sql = Join(kMemberColumns, "FROM members m WHERE m.id = ?");
    return OneMember(sql, {id.value});
  }
  std::optional<Member> GetMemberPlain(MemberId id) override {
    static const std::string sql = Join(kMemberPlainColumns, "FROM members m WHERE m.id = ?");
    auto r = db_.QueryOne(sql, {id.value});
    if (!r) return std::nullopt;
    return ReadMember(*r, sealer_);
  }
  std::optional<int64_t> MemberVersion(MemberId id) override {
    auto r = db_.QueryOne(kMemberVersion, {id.value});
    if (!r) return std::nullopt;
    return r->Int(0);
  }
  std::optional<Member> GetMemberCareFields(MemberId id) override {
    static const std::string sql = Join(kMemberColumns, "FROM members m WHERE m.id = ?");
    auto r = db_.QueryOne(sql, {id.value});
    if (!r) return std::nullopt;
    return ReadMember(*r, sealer_, /*care_fields_only=*/true);
  }
  std::optional<Member> FindMemberByMobile(const std::string& mobile) override {
    static const std::string sql = Join(kMemberColumns, "FROM members m WHERE m.mobile_bidx = ?");
    if (mobile.empty()) return std::nullopt;
    return OneMember(sql, {sealer_.MobileIndex(mobile)});
  }
  std::optional<Member> FindMemberByNo(const std::string& member_no) override {
    static const std::string sql = Join(kMemberColumns, "FROM members m WHERE m.member_no = ?");
    return OneMember(sql, {member_no});
  }

  std::vector<Member> FindMembersByIdNumber(const std::string& id_number) override {
    static const std::string sql =
        Join(kMemberColumns, "FROM members m WHERE m.id_bidx = ? ORDER BY m.id LIMIT 20");
    std::vector<Member> out;
    if (id_number.empty()) return out;
    for (const auto& r : db_.Query(sql, {sealer_.IdNumberIndex(id_number)})) {
      out.push_back(ReadMember(r, sealer_));
    }
    LoadTags(out);
    return out;
  }

  PageOf<Member> ListMembers(const MemberFilter& f, Page page) override {
    // The WHERE clause is assembled from the constant fragments of the filters
    // in use (never from input), so each combination gets its own prepared
    // statement and the planner sees only the conditions that apply.
    std::string where = std::string(kMemberListFrom);
    std::vector<Value> p;
    if (f.store) {
      where += kFilterStore;
      p.push_back(f.store->value);
    }
    if (f.region) {
      where += kFilterRegion;
      p.push_back(f.region->value);
    }
    if (f.associate) {
      where += kFilterAssociate;
      p.push_back(f.associate->value);
    }
    if (f.status) {
      where += kFilterStatus;
      p.push_back(std::string(domain::ToString(*f.status)));
    }
    if (!f.name_prefix.empty()) {
      where += kFilterNameToken;
      p.push_back(sealer_.NameQueryToken(f.name_prefix));
    }
    if (!f.tag.empty()) {
      where += kFilterTag;
      p.push_back(f.tag);
    }
    if (f.created_from) {
      where += kFilterCreatedFrom;
      p.push_back(ToEpochSeconds(*f.created_from));
    }
    if (f.created_to) {
      where += kFilterCreatedTo;
      p.push_back(ToEpochSeconds(*f.created_to));
    }
    if (f.granted_to) {
      where += kFilterGranted;
      p.push_back(f.granted_to->value);
      p.push_back(ToEpochSeconds(f.granted_at));
      p.push_back(ToEpochSeconds(f.granted_at));
    }
    PageOf<Member> out;
    out.total = db_.QueryOne("SELECT COUNT(*) " + where, p)->Int(0);
    p.push_back(page.limit);
    p.push_back(page.offset);
    for (const auto& r : db_.Query(Join(kMemberColumns, where + std::string(kOrderPage)), p)) {
      out.items.push_back(ReadMember(r, sealer_));
    }
    LoadTags(out.items);
    return out;
  }

  std::vector<Member> MembersAfter(MemberId after, int64_t limit, bool care_fields_only) override {
    static const std::string sql = Join(kMemberColumns, kMembersAfter);
    std::vector<Member> out;
    out.reserve(size_t(limit));
    for (const auto& r : db_.Query(sql, {after.value, limit})) {
      out.push_back(ReadMember(r, sealer_, care_fields_only));
    }
    return out;
  }

  void InsertMembers(std::vector<Member>& members,
                     const std::function<void(size_t)>& progress) override {
    auto ids = ReserveIds(members.size(), kMaxMemberId, kNextMemberIds);
    const int64_t now = Now();
    std::vector<std::pair<int64_t, const std::string*>> tags;
    std::vector<std::pair<int64_t, int64_t>> tokens;
    for (size_t i = 0; i < members.size(); ++i) {
      Member& m = members[i];
      m.id = MemberId(ids[i]);
      if (m.member_no.empty()) m.member_no = MemberNo(m.id);
      for (const auto& t : m.tags) tags.emplace_back(m.id.value, &t);
      for (int64_t t : sealer_.NameTokens(m.name)) tokens.emplace_back(t, m.id.value);
    }
    size_t done = 0;
    BulkInsert(kBulkMemberInsert, kBulkMemberRow, members.size(), kBulkMemberWidth,
               [&](size_t i, auto& p) {
      const Member& m = members[i];
      p.push_back(m.id.value);
      p.push_back(m.member_no);
      auto cols = MemberParams(m, sealer_);
      for (auto& v : cols) p.push_back(std::move(v));
      p.push_back(m.created_at.time_since_epoch().count() ? ToEpochSeconds(m.created_at) : now);
      p.push_back(m.updated_at.time_since_epoch().count() ? ToEpochSeconds(m.updated_at) : now);
    }, [&](size_t n) {
      done += n;
      if (progress && (done % 1024 < n || done == members.size())) progress(done);
    });
    BulkInsert(kBulkTagInsert, kBulkTagRow, tags.size(), 2, [&](size_t i, auto& p) {
      p.push_back(tags[i].first);
      p.push_back(*tags[i].second);
    }, {});
    BulkInsert(kBulkTokenInsert, kBulkTagRow, tokens.size(), 2, [&](size_t i, auto& p) {
      p.push_back(tokens[i].first);
      p.push_back(tokens[i].second);
    }, {});
    if (progress && members.empty()) progress(0);
  }

  void InsertCards(std::vector<domain::Card>& cards) override {
    auto ids = ReserveIds(cards.size(), kMaxCardId, kNextCardIds);
    for (size_t i = 0; i < cards.size(); ++i) cards[i].id = CardId(ids[i]);
    BulkInsert(kBulkCardInsert, kBulkCardRow, cards.size(), kBulkCardWidth, [&](size_t i, auto& p) {
      p.push_back(cards[i].id.value);
      for (auto& v : CardParams(cards[i])) p.push_back(std::move(v));
    }, {});
  }

  void AppendHistory(const HistoryEntry& e) override {
    db_.Exec(kInsertHistory, {e.member_id.value, ToEpochSeconds(e.changed_at),
                              NullIfZero(e.changed_by.value), e.action,
                              sealer_.Seal(kSealedChanges, e.changes)});
  }
  PageOf<HistoryEntry> ListHistory(MemberId id, Page page) override {
    PageOf<HistoryEntry> out;
    for (const auto& r : db_.Query(kListHistory, {id.value, page.limit, page.offset})) {
      out.items.push_back({r.Int(0), MemberId(r.Int(1)), FromEpochSeconds(r.Int(2)),
                           UserId(r.Int(3)), r.Text(4), sealer_.Open(kSealedChanges, r.Text(5)),
                           r.Text(6)});
    }
    out.total = db_.QueryOne(kCountHistory, {id.value})->Int(0);
    return out;
  }
  void RedactHistory(MemberId id) override {
    db_.Exec(kRedactHistory, {sealer_.Seal(kSealedChanges, R"({"redacted":true})"), id.value});
  }
  void ReassignMember(MemberId from, MemberId to) override {
    db_.Exec(kMoveCards, {to.value, from.value});
    db_.Exec(kMoveHistory, {to.value, from.value});
    db_.Exec(kCopyTags, {to.value, from.value});
    db_.Exec(kDeleteTags, {from.value});
    db_.Exec(kMoveReferrals, {to.value, from.value, to.value});
  }
  int64_t InsertDestructionRecord(const DestructionRecord& r) override {
    return db_
        .QueryOne(kInsertDestruction, {r.member_id.value, r.member_no, ToEpochSeconds(r.erased_at),
                                       NullIfZero(r.erased_by.value), r.reason, r.fields})
        ->Int(0);
  }
  PageOf<DestructionRecord> ListDestructionRecords(Page page) override {
    PageOf<DestructionRecord> out;
    for (const auto& r : db_.Query(kListDestruction, {page.limit, page.offset})) {
      out.items.push_back({r.Int(0), MemberId(r.Int(1)), r.Text(2), FromEpochSeconds(r.Int(3)),
                           UserId(r.Int(4)), r.Text(5), r.Text(6), r.Text(7)});
    }
    out.total = db_.QueryOne(kCountDestruction)->Int(0);
    return out;
  }

  CardId InsertCard(const domain::Card& c) override {
    return CardId(db_.QueryOne(kInsertCard, CardParams(c))->Int(0));
  }
  void UpdateCard(const domain::Card& c) override {
    auto p = CardParams(c);
    p.erase(p.begin(), p.begin() + 2);  // card numbers never change
    p.push_back(c.id.value);
    db_.Exec(kUpdateCard, p);
  }
  std::optional<domain::Card> GetCard(CardId id) override {
    static const std::string sql = Join(kCardColumns, "WHERE id = ?");
    auto r = db_.QueryOne(sql, {id.value});
    if (!r) return std::nullopt;
    return ReadCard(*r, sealer_);
  }
  std::optional<domain::Card> FindCardByNo(const std::string& card_no) override {
    static const std::string sql = Join(kCardColumns, "WHERE card_no_bidx = ?");
    auto r = db_.QueryOne(sql, {sealer_.CardIndex(card_no)});
    if (!r) return std::nullopt;
    return ReadCard(*r, sealer_);
  }
  std::vector<domain::Card> ListCards(MemberId member) override {
    static const std::string sql = Join(kCardColumns, "WHERE member_id = ? ORDER BY id");
    std::vector<domain::Card> out;
    for (const auto& r : db_.Query(sql, {member.value})) out.push_back(ReadCard(r, sealer_));
    return out;
  }

  // Moves the chain head on by `n` ids: the first id taken and the hash the
  // first new row follows.
  std::pair<int64_t, std::string> TakeAuditIds(int64_t n) {
    auto head = db_.QueryOne(kNextAuditIds, {n});
    if (!head) {  // the first row of a new database
      db_.Exec(kEnsureAuditHead);
      head = db_.QueryOne(kNextAuditIds, {n});
    }
    return {head->Int(0) - n + 1, head->Text(1)};
  }

  void AppendAudit(const AuditEntry& e) override {
    AuditEntry row = e;
    std::tie(row.id, row.prev_hash) = TakeAuditIds(1);
    row.hash = AuditRowHash(row);
    db_.Exec(kInsertAudit, {row.id, ToEpochSeconds(row.at), NullIfZero(row.user_id.value),
                            row.action, row.entity, row.entity_id, row.detail, row.address,
                            row.prev_hash, row.hash});
    db_.Exec(kSetAuditHash, {row.hash});
  }
  void AppendAudits(const std::vector<AuditEntry>& entries) override {
    if (entries.empty()) return;
    auto [id, prev] = TakeAuditIds(int64_t(entries.size()));
    std::vector<AuditEntry> rows(entries);
    for (auto& row : rows) {
      row.id = id++;
      row.prev_hash = prev;
      row.hash = AuditRowHash(row);
      prev = row.hash;
    }
    bulk::InsertMany(db_, kInsertAudits, kAuditTuple, 10, "", rows.size(),
                     [&](size_t i, std::vector<Value>& p) {
                       AuditEntry& r = rows[i];
                       p.emplace_back(r.id);
                       p.emplace_back(ToEpochSeconds(r.at));
                       p.push_back(NullIfZero(r.user_id.value));
                       p.emplace_back(std::move(r.action));
                       p.emplace_back(std::move(r.entity));
                       p.emplace_back(std::move(r.entity_id));
                       p.emplace_back(std::move(r.detail));
                       p.emplace_back(std::move(r.address));
                       p.emplace_back(std::move(r.prev_hash));
                       p.emplace_back(std::move(r.hash));
                     });
    db_.Exec(kSetAuditHash, {prev});
  }
  PageOf<AuditEntry> ListAudit(Page page) override {
    PageOf<AuditEntry> out;
    for (const auto& r : db_.Query(kListAudit, {page.limit, page.offset})) {
      out.items.push_back(ReadAudit(r));
      out.items.back().username = r.Text(10);
    }
    out.total = db_.QueryOne(kCountAudit)->Int(0);
    return out;
  }
  std::vector<AuditEntry> AuditRowsAfter(int64_t after_id, int64_t limit) override {
    std::vector<AuditEntry> out;
    for (const auto& r : db_.Query(kAuditAfter, {after_id, limit})) out.push_back(ReadAudit(r));
    return out;
  }
  std::pair<int64_t, std::string> AuditHead() override {
    auto r = db_.QueryOne(kGetAuditHead);
    if (!r) return {0, ""};
    return {r->Int(0), r->Text(1)};
  }

 private:
  // n fresh ids for a table (see kMaxMemberId).
  std::vector<int64_t> ReserveIds(size_t n, std::string_view max_sql, std::string_view next_sql) {
    std::vector<int64_t> ids;
    ids.reserve(n);
    if (n == 0) return ids;
    if (db_.dialect() == Dialect::kSqlite) {
      int64_t max = db_.QueryOne(max_sql)->Int(0);
      for (size_t i = 0; i < n; ++i) ids.push_back(max + 1 + int64_t(i));
    } else {
      for (const auto& r : db_.Query(next_sql, {int64_t(n)})) ids.push_back(r.Int(0));
    }
    return ids;
  }

  // Inserts `n` rows, kBulkRows per statement. `row(i, params)` appends row
  // i's `width` values; `done(k)` is told after each statement.
  template <class RowFn>
  void BulkInsert(std::string_view head, std::string_view tuple, size_t n, size_t width,
                  RowFn&& row, const std::function<void(size_t)>& done) {
    std::vector<Value> params;
    params.reserve(kBulkRows * width);
    for (size_t start = 0; start < n; start += kBulkRows) {
      size_t count = std::min(kBulkRows, n - start);
      params.clear();
      for (size_t i = start; i < start + count; ++i) row(i, params);
      db_.Exec(BulkSql(head, tuple, count), params);
      if (done) done(count);
    }
  }

  // "INSERT ... VALUES (..), (..)" with `count` tuples; the texts are cached
  // per connection, so each size is built once.
  const std::string& BulkSql(std::string_view head, std::string_view tuple, size_t count) {
    auto key = std::make_pair(head.data(), count);
    auto it = bulk_sql_.find(key);
    if (it != bulk_sql_.end()) return it->second;
    std::string sql(head);
    for (size_t i = 0; i < count; ++i) {
      if (i) sql += ", ";
      sql += tuple;
    }
    return bulk_sql_.emplace(key, std::move(sql)).first->second;
  }

  std::optional<Member> OneMember(std::string_view sql, const std::vector<Value>& params) {
    auto r = db_.QueryOne(sql, params);
    if (!r) return std::nullopt;
    Member m = ReadMember(*r, sealer_);
    for (const auto& t : db_.Query(kMemberTags, {m.id.value})) m.tags.push_back(t.Text(0));
    return m;
  }

  void LoadTags(std::vector<Member>& members) {
    for (auto& m : members) {
      for (const auto& t : db_.Query(kMemberTags, {m.id.value})) m.tags.push_back(t.Text(0));
    }
  }

  std::vector<Value> CardParams(const domain::Card& c) const {
    return {sealer_.Seal(kSealedCardNo, c.card_no),
            sealer_.CardIndex(c.card_no),
            c.member_id.value,
            domain::ToString(c.kind),
            domain::ToString(c.status),
            c.issued_on.ToString(),
            c.expires_on.ToString(),
            OptDate(c.pickup_due),
            NullIfZero(c.replaces.value),
            Now()};
  }

  std::unique_ptr<LoyaltyRepository> loyalty_;
  std::unique_ptr<RewardsRepository> rewards_;
  std::unique_ptr<CareRepository> care_;
  std::unique_ptr<ReportRepository> reports_;
  std::unique_ptr<LoyaltyJobsRepository> loyalty_jobs_;
  Db& db_;
  Sealer sealer_;
  std::map<std::pair<const char*, size_t>, std::string> bulk_sql_;
};

}  // namespace

std::string AuditRowHash(const AuditEntry& e) {
  // Fields separated by the unit separator, which no field contains unescaped
  // meaning: the hash input is unambiguous.
  std::string text = fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", e.id,
                                 ToEpochSeconds(e.at), e.user_id.value, e.action, e.entity,
                                 e.entity_id, e.detail, e.address, e.prev_hash);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  char hex[sizeof digest * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

std::unique_ptr<Repository> MakeSqlRepository(Db& db, const Sealer& sealer) {
  return std::make_unique<SqlRepository>(db, sealer);
}

}  // namespace vipcare::store
