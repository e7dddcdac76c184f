// src/store/sealer.h
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/db.h"
#include "store/keyring.h"

namespace vipcare::store {

// The columns sealed at rest (P5). Each name is bound into its ciphertext.
inline constexpr std::string_view kSealedName = "members.name";
inline constexpr std::string_view kSealedMobile = "members.mobile";
inline constexpr std::string_view kSealedProfile = "members.profile";
inline constexpr std::string_view kSealedCardNo = "cards.card_no";
inline constexpr std::string_view kSealedChanges = "member_history.changes";

// How the SQL repository turns customer data into what is stored: sealed
// values (current key) and blind indexes / search tokens under the index key
// the database records (key_state). Cheap to copy; holds a reference to the ring.
class Sealer {
 public:
  Sealer(const Keyring& ring, uint32_t index_key) : ring_(ring), index_key_(index_key) {}

  uint32_t index_key() const { return index_key_; }
  const Keyring& ring() const { return ring_; }

  std::string Seal(std::string_view column, std::string_view plain) const {
    return ring_.Seal(column, plain);
  }
  // NULL for an empty value (an absent mobile stays absent).
  Value SealOrNull(std::string_view column, std::string_view plain) const;
  std::string Open(std::string_view column, std::string_view sealed) const {
    return ring_.Open(column, sealed);
  }

  // Blind indexes for exact lookups; NULL for an empty value.
  Value MobileIndex(std::string_view mobile) const;
  Value IdNumberIndex(std::string_view id_number) const;  // case-insensitive 'X'
  std::string CardIndex(std::string_view card_no) const;

  // The search tokens of a member's name: one per prefix of up to
  // kMaxPrefixChars characters (whitespace dropped, ASCII lower-cased) and
  // one for the whole name. Distinct values.
  std::vector<int64_t> NameTokens(std::string_view name) const;
  // The token a name-prefix search looks for (matches NameTokens' prefixes).
  int64_t NameQueryToken(std::string_view prefix) const;

  static constexpr size_t kMaxPrefixChars = 8;

 private:
  const Keyring& ring_;
  uint32_t index_key_;
};

}  // namespace vipcare::store
