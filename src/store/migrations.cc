#include "store/migrations.h"

#include <fmt/format.h>

#include <chrono>
#include <stdexcept>

#include "store/keys.h"

namespace vipcare::store {
namespace {

// Version 1: organisation, accounts, members, cards, history, audit.
// Times are epoch seconds (BIGINT, UTC); calendar days are 'YYYY-MM-DD' text;
// booleans are 0/1 integers; money is fen. Nested parts of the member file
// (addresses, family, anniversaries, preferences, business) live in the
// `profile` JSON document; fields that are searched or joined are columns.
constexpr std::string_view kV1 = R"sql(
CREATE TABLE company (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  timezone TEXT NOT NULL
);
CREATE TABLE regions (
  id {{ID}},
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL
);
CREATE TABLE stores (
  id {{ID}},
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  region_id BIGINT NOT NULL REFERENCES regions(id),
  city TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  phone TEXT NOT NULL DEFAULT '',
  opened_on TEXT,
  active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX stores_region ON stores(region_id);
CREATE TABLE staff (
  id {{ID}},
  employee_no TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  role TEXT NOT NULL,
  store_id BIGINT REFERENCES stores(id),
  region_id BIGINT REFERENCES regions(id),
  mobile TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX staff_store ON staff(store_id);
CREATE TABLE users (
  id {{ID}},
  username TEXT NOT NULL UNIQUE,
  staff_id BIGINT REFERENCES staff(id),
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  must_change_password INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  created_at BIGINT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE login_failures (
  id {{ID}},
  username TEXT NOT NULL,
  address TEXT NOT NULL,
  at BIGINT NOT NULL
);
CREATE INDEX login_failures_user ON login_failures(username, at);
CREATE INDEX login_failures_address ON login_failures(address, at);
CREATE TABLE members (
  id {{ID}},
  member_no TEXT UNIQUE,
  status TEXT NOT NULL,
  name {{TEXT_C}} NOT NULL,
  gender TEXT NOT NULL,
  birthday TEXT,
  birthday_calendar TEXT NOT NULL DEFAULT 'solar',
  mobile TEXT,
  mobile_valid INTEGER NOT NULL DEFAULT 1,
  occupation TEXT NOT NULL DEFAULT '',
  source TEXT NOT NULL,
  referrer_id BIGINT REFERENCES members(id),
  home_store_id BIGINT NOT NULL REFERENCES stores(id),
  associate_id BIGINT REFERENCES staff(id),
  marketing_opt_out INTEGER NOT NULL DEFAULT 0,
  merged_into BIGINT REFERENCES members(id),
  profile TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  version BIGINT NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX members_mobile ON members(mobile) WHERE mobile IS NOT NULL;
CREATE INDEX members_name ON members(name, status);
CREATE INDEX members_store ON members(home_store_id, id);
CREATE INDEX members_associate ON members(associate_id, id);
CREATE INDEX members_referrer ON members(referrer_id);
CREATE TABLE member_tags (
  member_id BIGINT NOT NULL REFERENCES members(id),
  tag TEXT NOT NULL,
  PRIMARY KEY (member_id, tag)
);
CREATE INDEX member_tags_tag ON member_tags(tag);
CREATE TABLE member_history (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  changed_at BIGINT NOT NULL,
  changed_by BIGINT,
  action TEXT NOT NULL,
  changes TEXT NOT NULL
);
CREATE INDEX member_history_member ON member_history(member_id, id);
CREATE TABLE cards (
  id {{ID}},
  card_no TEXT NOT NULL UNIQUE,
  member_id BIGINT NOT NULL REFERENCES members(id),
  kind TEXT NOT NULL,
  status TEXT NOT NULL,
  issued_on TEXT NOT NULL,
  expires_on TEXT NOT NULL,
  pickup_due TEXT,
  replaces BIGINT REFERENCES cards(id),
  updated_at BIGINT NOT NULL
);
CREATE INDEX cards_member ON cards(member_id);
CREATE TABLE destruction_records (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  member_no TEXT NOT NULL,
  erased_at BIGINT NOT NULL,
  erased_by BIGINT,
  reason TEXT NOT NULL,
  fields TEXT NOT NULL
);
CREATE TABLE audit_log (
  id BIGINT PRIMARY KEY,
  at BIGINT NOT NULL,
  user_id BIGINT,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL DEFAULT '',
  detail TEXT NOT NULL DEFAULT '',
  address TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE audit_head (
  id INTEGER PRIMARY KEY,
  last_id BIGINT NOT NULL,
  last_hash TEXT NOT NULL
);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);
)sql";

// Version 2 (access layer, P4-P8): customer data sealed at rest with blind
// indexes and name-search tokens (the sealing of existing rows is the
// migration's code step, SealVersion1Data), time-limited grants, the device
// allow-list and consent records.
constexpr std::string_view kV2 = R"sql(
DROP INDEX members_name;
DROP INDEX members_mobile;
ALTER TABLE members RENAME COLUMN name TO name_enc;
ALTER TABLE members RENAME COLUMN mobile TO mobile_enc;
ALTER TABLE members RENAME COLUMN profile TO profile_enc;
ALTER TABLE members ADD COLUMN mobile_bidx TEXT;
ALTER TABLE members ADD COLUMN id_bidx TEXT;
CREATE UNIQUE INDEX members_mobile_bidx ON members(mobile_bidx) WHERE mobile_bidx IS NOT NULL;
CREATE INDEX members_id_bidx ON members(id_bidx) WHERE id_bidx IS NOT NULL;
CREATE TABLE member_name_tokens (
  token BIGINT NOT NULL,
  member_id BIGINT NOT NULL REFERENCES members(id),
  PRIMARY KEY (token, member_id)
){{WITHOUT_ROWID}};
CREATE INDEX member_name_tokens_member ON member_name_tokens(member_id);
ALTER TABLE cards RENAME COLUMN card_no TO card_no_enc;
ALTER TABLE cards ADD COLUMN card_no_bidx TEXT;
CREATE UNIQUE INDEX cards_no_bidx ON cards(card_no_bidx);
ALTER TABLE member_history RENAME COLUMN changes TO changes_enc;
CREATE TABLE key_state (
  id INTEGER PRIMARY KEY,
  index_key_id BIGINT NOT NULL,
  key_check TEXT NOT NULL
);
CREATE TABLE grants (
  id {{ID}},
  grantee_id BIGINT NOT NULL REFERENCES users(id),
  purpose TEXT NOT NULL,
  starts_at BIGINT NOT NULL,
  ends_at BIGINT NOT NULL,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL,
  revoked_at BIGINT,
  revoked_by BIGINT REFERENCES users(id)
);
CREATE INDEX grants_grantee ON grants(grantee_id, ends_at);
CREATE TABLE grant_members (
  grant_id BIGINT NOT NULL REFERENCES grants(id),
  member_id BIGINT NOT NULL REFERENCES members(id),
  PRIMARY KEY (grant_id, member_id)
);
CREATE INDEX grant_members_member ON grant_members(member_id);
CREATE TABLE devices (
  id {{ID}},
  store_id BIGINT NOT NULL REFERENCES stores(id),
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  label TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  created_by BIGINT REFERENCES users(id),
  created_at BIGINT NOT NULL
);
CREATE INDEX devices_store ON devices(store_id, active);
CREATE TABLE consents (
  id {{ID}},
  member_id BIGINT NOT NULL REFERENCES members(id),
  purpose TEXT NOT NULL,
  granted INTEGER NOT NULL,
  version TEXT NOT NULL,
  channel TEXT NOT NULL,
  at BIGINT NOT NULL,
  recorded_by BIGINT REFERENCES users(id)
);
CREATE INDEX consents_member ON consents(member_id, purpose, id);
)sql";

// Migration 2's code step: the rows a version-1 database holds in plaintext
// are sealed with the key file's current key. Without a key only an empty
// database can move on (the key is then recorded when a server first opens it).
void SealVersion1Data(Db& db, const Keyring* ring) {
  if (ring != nullptr) {
    ResealAll(db, *ring, /*plaintext=*/true);
    return;
  }
  auto rows = db.QueryOne(
      "SELECT (SELECT COUNT(*) FROM members) + (SELECT COUNT(*) FROM cards) + "
      "(SELECT COUNT(*) FROM member_history)");
  if (rows && rows->Int(0) > 0) {
    throw std::runtime_error(
        "schema version 2 seals the customer data already stored: run `vipcare init` with the "
        "key file (--key-file or VIPCARE_KEY_FILE)");
  }
}

}  // namespace

const std::vector<Migration>& AllMigrations() {
  static const std::vector<Migration> kAll = {
      {1, "organisation, accounts, members, cards, history, audit", kV1, nullptr},
      {2, "sealed customer data, grants, devices, consents", kV2, SealVersion1Data},
  };
  return kAll;
}

std::string RenderForDialect(std::string_view sql, Dialect d) {
  const bool pg = d == Dialect::kPostgres;
  const std::pair<std::string_view, std::string_view> tokens[] = {
      {"{{ID}}", pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT"},
      {"{{TEXT_C}}", pg ? "TEXT COLLATE \"C\"" : "TEXT"},
      {"{{BIGINT}}", "BIGINT"},
      {"{{WITHOUT_ROWID}}", pg ? "" : " WITHOUT ROWID"},
  };
  std::string out(sql);
  for (const auto& [token, replacement] : tokens) {
    for (size_t pos = out.find(token); pos != std::string::npos;
         pos = out.find(token, pos + replacement.size())) {
      out.replace(pos, token.size(), replacement);
    }
  }
  return out;
}

int SchemaVersion(Db& db) {
  db.ExecScript(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
      "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
  auto row = db.QueryOne("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  return row ? int(row->Int(0)) : 0;
}

int Migrate(Db& db, const Keyring* ring) {
  int current = SchemaVersion(db);
  for (const auto& m : AllMigrations()) {
    if (m.version <= current) continue;
    db.Begin(true);
    try {
      if (db.dialect() == Dialect::kPostgres) {
        db.Exec("LOCK TABLE schema_migrations IN EXCLUSIVE MODE");
      }
      // Another process may have migrated while we waited for the write lock.
      auto row = db.QueryOne("SELECT COUNT(*) FROM schema_migrations WHERE version = ?",
                             {int64_t(m.version)});
      if (row && row->Int(0) > 0) {
        db.Rollback();
        continue;
      }
      db.ExecScript(RenderForDialect(m.sql, db.dialect()));
      if (m.after != nullptr) m.after(db, ring);
      db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
              {int64_t(m.version), std::string(m.name),
               int64_t(std::chrono::duration_cast<std::chrono::seconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count())});
      db.Commit();
    } catch (...) {
      db.Rollback();
      throw;
    }
    current = m.version;
  }
  return current;
}

}  // namespace vipcare::store
