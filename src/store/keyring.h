// src/store/keyring.h
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace vipcare::store {

// The keys that protect customer data at rest (SPEC P5), kept outside the
// database: a key file (0600, one `key <id> <64 hex digits>` line per key) or
// the VIPCARE_KEYS environment variable ("<id>:<hex>[,<id>:<hex>...]").
//
// Each 256-bit master key derives, with libsodium's KDF, a data key for
// XChaCha20-Poly1305 (sealed columns) and index keys for the blind indexes
// (BLAKE2b for exact lookups, SipHash for name-search tokens). The highest id
// is the current key: new values are sealed with it; Open() accepts every key
// still in the ring, so a rotation can re-seal rows while old ones stay
// readable. Immutable after loading; safe to share between threads.
class Keyring {
 public:
  static constexpr size_t kKeyBytes = 32;
  using KeyBytes = std::array<unsigned char, kKeyBytes>;

  // Parses the key file format; errors name the line. At least one key.
  static Result<std::shared_ptr<const Keyring>> Parse(std::string_view text);
  // Reads a key file; refuses one that group or others may read.
  static Result<std::shared_ptr<const Keyring>> LoadFile(const std::string& path);
  // Parses VIPCARE_KEYS's "<id>:<hex>,..." form.
  static Result<std::shared_ptr<const Keyring>> ParseEnv(std::string_view value);
  // A ring with one fresh random key (id 1); for tests and `vipcare init`.
  static std::shared_ptr<const Keyring> Generate();
  // This ring plus a fresh key with the next id (rotation).
  std::shared_ptr<const Keyring> WithNewKey() const;
  // This ring without the keys whose id is below `id`.
  std::shared_ptr<const Keyring> Without(uint32_t below_id) const;

  // The key file text for this ring.
  std::string Serialize() const;
  // Writes the ring to `path` atomically with mode 0600 (temp file + rename).
  // With `exclusive`, fails if the file exists instead of replacing it.
  Status WriteFile(const std::string& path, bool exclusive) const;

  uint32_t current_id() const { return keys_.back().id; }
  std::vector<uint32_t> ids() const;
  bool Has(uint32_t id) const { return Find(id) != nullptr; }

  // Seals `plaintext` with the current key. `column` is bound as associated
  // data, so a value copied into another column fails to open. Output is
  // "k<id>." followed by base64 of nonce and ciphertext.
  std::string Seal(std::string_view column, std::string_view plaintext) const;
  // Opens a sealed value. Throws std::runtime_error if the key is missing or
  // the value was altered: the database is then damaged or the key file wrong.
  std::string Open(std::string_view column, std::string_view sealed) const;
  // The key id a sealed value was made with (0 if it is not sealed).
  static uint32_t SealedWith(std::string_view sealed);

  // Blind index of an exact value under key `id` (hex of a 16-byte keyed
  // BLAKE2b over kind and value). Equal inputs give equal outputs; nothing
  // about the value can be read back without the key.
  std::string BlindIndex(uint32_t id, std::string_view kind, std::string_view value) const;
  // A 63-bit search token under key `id` (SipHash-2-4), for name search.
  int64_t Token(uint32_t id, std::string_view value) const;
  // A value stored beside the data to tell whether key `id` is the one used
  // for it (keyed hash of a constant); detects a wrong key file at start-up.
  std::string KeyCheck(uint32_t id) const;

 private:
  struct Entry {
    uint32_t id = 0;
    KeyBytes master{};
    KeyBytes data{};
    KeyBytes index{};
    std::array<unsigned char, 16> token{};
  };
  static Entry Derive(uint32_t id, const KeyBytes& master);
  const Entry* Find(uint32_t id) const;
  const Entry& Require(uint32_t id) const;

  std::vector<Entry> keys_;  // ascending id
};

using KeyringPtr = std::shared_ptr<const Keyring>;

}  // namespace vipcare::store
