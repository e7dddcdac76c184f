// src/store/keys.h
#pragma once
#include <cstdint>
#include <functional>
#include <optional>

#include "store/db.h"
#include "store/keyring.h"

namespace vipcare::store {

// The index key a database uses, recorded in key_state with a check value.
// Records the ring's current key if none is recorded yet; otherwise verifies
// the ring holds the recorded key. Throws std::runtime_error naming the
// problem (key missing, or a different key with the same id). Runs in the
// caller's transaction, if any.
uint32_t ClaimOrCheckIndexKey(Db& db, const Keyring& ring);
// The recorded index key id, if any.
std::optional<uint32_t> RecordedIndexKey(Db& db);

// Re-seals every sealed column with the ring's current key and rebuilds every
// blind index and name token under it, then records it in key_state. With
// `plaintext` the stored values are read as they are (migration 2 sealing a
// version-1 database); otherwise they are opened with the key that sealed
// them. Runs in the caller's transaction. `progress(done, total)` is told
// after each batch of members.
struct ResealCounts {
  int64_t members = 0;
  int64_t cards = 0;
  int64_t history = 0;
  int64_t care_texts = 0;  // contacts and outbox messages
};
ResealCounts ResealAll(Db& db, const Keyring& ring, bool plaintext,
                       const std::function<void(int64_t, int64_t)>& progress = {});

}  // namespace vipcare::store
