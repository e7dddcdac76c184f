// src/store/migrations.h
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "store/db.h"
#include "store/keyring.h"

namespace vipcare::store {

// One versioned schema step. The SQL is shared by both engines; the tokens
// {{ID}} (auto-increment primary key), {{TEXT_C}} (text compared byte-wise, so
// prefix ranges work the same in both) and {{BIGINT}} are replaced per dialect.
struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
  // A data step run after the SQL in the same transaction (may be null).
  void (*after)(Db& db, const Keyring* ring);
};

const std::vector<Migration>& AllMigrations();

// Rewrites dialect tokens of a migration script for `d`.
std::string RenderForDialect(std::string_view sql, Dialect d);

// Applies every migration newer than the database's schema_version, each in its
// own transaction, and returns the version reached. Safe to run again.
// `ring` is needed by steps that seal stored data (version 2 on a database
// that holds members); they throw std::runtime_error without it.
int Migrate(Db& db, const Keyring* ring = nullptr);
// The version the database is at (0 for an empty database).
int SchemaVersion(Db& db);

}  // namespace vipcare::store
