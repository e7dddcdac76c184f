// Which key a database's blind indexes use, and re-sealing everything (P5).
#include "store/keys.h"

#include "store/migrations.h"

#include <stdexcept>
#include <string>

#include "domain/member_json.h"
#include "store/sealer.h"

namespace vipcare::store {
namespace {

constexpr std::string_view kGetKeyState =
    "SELECT index_key_id, key_check FROM key_state WHERE id = 1";
constexpr std::string_view kSetKeyState =
    "INSERT INTO key_state (id, index_key_id, key_check) VALUES (1, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET index_key_id = excluded.index_key_id, "
    "key_check = excluded.key_check";

constexpr std::string_view kClaimKeyState =
    "INSERT INTO key_state (id, index_key_id, key_check) VALUES (1, ?, ?) "
    "ON CONFLICT (id) DO NOTHING";

constexpr int64_t kBatch = 1000;
constexpr std::string_view kMemberBatch =
    "SELECT id, name_enc, mobile_enc, profile_enc FROM members WHERE id > ? ORDER BY id LIMIT ?";
constexpr std::string_view kCountMembers = "SELECT COUNT(*) FROM members";
constexpr std::string_view kResealMember =
    "UPDATE members SET name_enc = ?, mobile_enc = ?, profile_enc = ?, mobile_bidx = ?, "
    "id_bidx = ? WHERE id = ?";
constexpr std::string_view kClearTokens = "DELETE FROM member_name_tokens";
constexpr std::string_view kInsertToken =
    "INSERT INTO member_name_tokens (token, member_id) VALUES (?, ?)";
constexpr std::string_view kCardBatch =
    "SELECT id, card_no_enc FROM cards WHERE id > ? ORDER BY id LIMIT ?";
constexpr std::string_view kResealCard =
    "UPDATE cards SET card_no_enc = ?, card_no_bidx = ? WHERE id = ?";
constexpr std::string_view kHistoryBatch =
    "SELECT id, changes_enc FROM member_history WHERE id > ? ORDER BY id LIMIT ?";
constexpr std::string_view kResealHistory = "UPDATE member_history SET changes_enc = ? WHERE id = ?";
// Sealed text pairs of the care engine: the column names are the AEAD's
// associated data, as everywhere (see sealer.h).
struct SealedTexts {
  std::string_view first, second, batch, reseal;
};
constexpr SealedTexts kSealedTexts[] = {
    {"care_contacts.summary", "care_contacts.follow_up",
     "SELECT id, summary, follow_up FROM care_contacts WHERE id > ? ORDER BY id LIMIT ?",
     "UPDATE care_contacts SET summary = ?, follow_up = ? WHERE id = ?"},
    {"outbox.subject", "outbox.text",
     "SELECT id, subject, text FROM outbox WHERE id > ? ORDER BY id LIMIT ?",
     "UPDATE outbox SET subject = ?, text = ? WHERE id = ?"},
};

}  // namespace

std::optional<uint32_t> RecordedIndexKey(Db& db) {
  auto row = db.QueryOne(kGetKeyState);
  if (!row) return std::nullopt;
  return uint32_t(row->Int(0));
}

uint32_t ClaimOrCheckIndexKey(Db& db, const Keyring& ring) {
  auto row = db.QueryOne(kGetKeyState);
  if (!row) {
    // Another process may claim at the same time: the first one wins and the
    // other then checks against it.
    const uint32_t current = ring.current_id();
    db.Exec(kClaimKeyState, {int64_t(current), ring.KeyCheck(current)});
    row = db.QueryOne(kGetKeyState);
  }
  const auto id = uint32_t(row->Int(0));
  if (!ring.Has(id)) {
    throw std::runtime_error("the database's data is indexed with key " + std::to_string(id) +
                             ", which the key file does not hold (wrong key file?)");
  }
  if (ring.KeyCheck(id) != row->Text(1)) {
    throw std::runtime_error("key " + std::to_string(id) +
                             " in the key file is not the key this database was sealed with");
  }
  return id;
}

ResealCounts ResealAll(Db& db, const Keyring& ring, bool plaintext,
                       const std::function<void(int64_t, int64_t)>& progress) {
  const Sealer out(ring, ring.current_id());
  auto open = [&](std::string_view column, const Row& r, size_t i) -> std::string {
    if (r.IsNull(i)) return "";
    return plaintext ? r.Text(i) : ring.Open(column, r.Text(i));
  };
  ResealCounts counts;
  const int64_t total = db.QueryOne(kCountMembers)->Int(0);
  db.Exec(kClearTokens);
  for (int64_t last = 0;;) {
    auto rows = db.Query(kMemberBatch, {last, kBatch});
    if (rows.empty()) break;
    for (const auto& r : rows) {
      last = r.Int(0);
      const std::string name = open(kSealedName, r, 1);
      const std::string mobile = open(kSealedMobile, r, 2);
      const std::string profile = open(kSealedProfile, r, 3);
      domain::Member m;
      domain::ProfileFromJson(profile, m);
      db.Exec(kResealMember, {out.Seal(kSealedName, name), out.SealOrNull(kSealedMobile, mobile),
                              out.Seal(kSealedProfile, profile), out.MobileIndex(mobile),
                              out.IdNumberIndex(m.id_number), last});
      for (int64_t t : out.NameTokens(name)) db.Exec(kInsertToken, {t, last});
      ++counts.members;
    }
    if (progress) progress(counts.members, total);
  }
  for (int64_t last = 0;;) {
    auto rows = db.Query(kCardBatch, {last, kBatch});
    if (rows.empty()) break;
    for (const auto& r : rows) {
      last = r.Int(0);
      const std::string card_no = open(kSealedCardNo, r, 1);
      db.Exec(kResealCard, {out.Seal(kSealedCardNo, card_no), out.CardIndex(card_no), last});
      ++counts.cards;
    }
  }
  for (int64_t last = 0;;) {
    auto rows = db.Query(kHistoryBatch, {last, kBatch});
    if (rows.empty()) break;
    for (const auto& r : rows) {
      last = r.Int(0);
      db.Exec(kResealHistory, {out.Seal(kSealedChanges, open(kSealedChanges, r, 1)), last});
      ++counts.history;
    }
  }
  // The care engine's sealed texts (schema version 4 on): two columns per table.
  if (SchemaVersion(db) >= 4) {
    for (const auto& t : kSealedTexts) {
      for (int64_t last = 0;;) {
        auto rows = db.Query(t.batch, {last, kBatch});
        if (rows.empty()) break;
        for (const auto& r : rows) {
          last = r.Int(0);
          db.Exec(t.reseal, {out.SealOrNull(t.first, open(t.first, r, 1)),
                             out.SealOrNull(t.second, open(t.second, r, 2)), last});
          ++counts.care_texts;
        }
      }
    }
  }
  db.Exec(kSetKeyState, {int64_t(ring.current_id()), ring.KeyCheck(ring.current_id())});
  return counts;
}

}  // namespace vipcare::store
