// Keys for encryption at rest (P5): parsing, derivation, sealing, blind indexes.
#include "store/keyring.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace vipcare::store {
namespace {

// KDF contexts are exactly crypto_kdf_CONTEXTBYTES (8) characters.
constexpr char kKdfContext[] = "vipcare1";
constexpr uint64_t kDataSubkey = 1;
constexpr uint64_t kIndexSubkey = 2;
constexpr uint64_t kTokenSubkey = 3;
constexpr size_t kBlindBytes = 16;
constexpr std::string_view kKeyCheckInput = "vipcare key check";

void InitSodium() {
  static const bool ok = sodium_init() >= 0;
  if (!ok) throw std::runtime_error("libsodium failed to initialise");
}

std::string Hex(const unsigned char* data, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.pop_back();
  return out;
}

std::optional<Keyring::KeyBytes> ParseHexKey(std::string_view hex) {
  if (hex.size() != Keyring::kKeyBytes * 2) return std::nullopt;
  Keyring::KeyBytes key{};
  size_t len = 0;
  if (sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
      len != key.size()) {
    return std::nullopt;
  }
  return key;
}

std::optional<uint32_t> ParseId(std::string_view s) {
  if (s.empty() || s.size() > 9) return std::nullopt;
  uint32_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + uint32_t(c - '0');
  }
  if (v == 0) return std::nullopt;
  return v;
}

std::string Trim(std::string_view s) {
  const auto* ws = " \t\r\n";
  auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

}  // namespace

Keyring::Entry Keyring::Derive(uint32_t id, const KeyBytes& master) {
  InitSodium();
  Entry e;
  e.id = id;
  e.master = master;
  crypto_kdf_derive_from_key(e.data.data(), e.data.size(), kDataSubkey, kKdfContext,
                             master.data());
  crypto_kdf_derive_from_key(e.index.data(), e.index.size(), kIndexSubkey, kKdfContext,
                             master.data());
  crypto_kdf_derive_from_key(e.token.data(), e.token.size(), kTokenSubkey, kKdfContext,
                             master.data());
  return e;
}

Result<KeyringPtr> Keyring::Parse(std::string_view text) {
  auto ring = std::make_shared<Keyring>();
  std::istringstream in{std::string(text)};
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    auto t = Trim(line);
    if (t.empty() || t[0] == '#') continue;
    std::istringstream words(t);
    std::string word, id_text, hex, extra;
    words >> word >> id_text >> hex >> extra;
    const std::string field = "key file line " + std::to_string(line_no);
    auto id = ParseId(id_text);
    auto key = ParseHexKey(hex);
    if (word != "key" || !id || !key || !extra.empty()) {
      return Error::Invalid(field, "must read `key <id> <64 hex digits>` with an id from 1");
    }
    if (ring->Has(*id)) return Error::Invalid(field, "repeats key id " + id_text);
    ring->keys_.push_back(Derive(*id, *key));
  }
  if (ring->keys_.empty()) return Error::Invalid("key file", "holds no key");
  std::sort(ring->keys_.begin(), ring->keys_.end(),
            [](const Entry& a, const Entry& b) { return a.id < b.id; });
  return KeyringPtr(ring);
}

Result<KeyringPtr> Keyring::LoadFile(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error::Invalid("key_file", "cannot read " + path + ": " + std::strerror(errno) +
                                          " (vipcare init creates it)");
  }
  if ((st.st_mode & 077) != 0) {
    return Error::Invalid("key_file", path + " may be read by group or others; chmod 600 it");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error::Invalid("key_file", "cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return Parse(ss.str());
}

Result<KeyringPtr> Keyring::ParseEnv(std::string_view value) {
  std::string text;
  size_t start = 0;
  while (start <= value.size()) {
    auto comma = value.find(',', start);
    auto part = Trim(value.substr(start, comma == std::string_view::npos ? std::string_view::npos
                                                                          : comma - start));
    auto colon = part.find(':');
    if (colon == std::string::npos) {
      return Error::Invalid("VIPCARE_KEYS", "must read <id>:<64 hex digits>[,<id>:<hex>...]");
    }
    text += "key " + part.substr(0, colon) + " " + part.substr(colon + 1) + "\n";
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  auto ring = Parse(text);
  if (!ring.ok()) return Error::Invalid("VIPCARE_KEYS", ring.error().message);
  return ring;
}

KeyringPtr Keyring::Generate() {
  InitSodium();
  auto ring = std::make_shared<Keyring>();
  KeyBytes master{};
  crypto_kdf_keygen(master.data());
  ring->keys_.push_back(Derive(1, master));
  sodium_memzero(master.data(), master.size());
  return ring;
}

KeyringPtr Keyring::WithNewKey() const {
  auto ring = std::make_shared<Keyring>(*this);
  KeyBytes master{};
  crypto_kdf_keygen(master.data());
  ring->keys_.push_back(Derive(current_id() + 1, master));
  sodium_memzero(master.data(), master.size());
  return ring;
}

KeyringPtr Keyring::Without(uint32_t below_id) const {
  auto ring = std::make_shared<Keyring>(*this);
  std::erase_if(ring->keys_, [&](const Entry& e) { return e.id < below_id; });
  return ring;
}

std::string Keyring::Serialize() const {
  std::string out =
      "# vipcare data keys (encryption at rest). Keep this file secret, readable by the\n"
      "# service account only, and backed up apart from the database: without it the\n"
      "# customer data cannot be read.\n";
  for (const auto& e : keys_) {
    out += "key " + std::to_string(e.id) + " " + Hex(e.master.data(), e.master.size()) + "\n";
  }
  return out;
}

Status Keyring::WriteFile(const std::string& path, bool exclusive) const {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Error::Invalid("key_file", "cannot write " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, 0600);
  const std::string text = Serialize();
  bool ok = ::write(fd, text.data(), text.size()) == ssize_t(text.size()) && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    ::unlink(tmp.c_str());
    return Error::Invalid("key_file", "cannot write " + tmp);
  }
  if (exclusive) {
    // link() fails if the target exists: never overwrite a key file by accident.
    if (::link(tmp.c_str(), path.c_str()) != 0) {
      int err = errno;
      ::unlink(tmp.c_str());
      return Error::Invalid("key_file", path + ": " + std::strerror(err));
    }
    ::unlink(tmp.c_str());
    return OkStatus();
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Error::Invalid("key_file", "cannot replace " + path + ": " + std::strerror(errno));
  }
  return OkStatus();
}

std::vector<uint32_t> Keyring::ids() const {
  std::vector<uint32_t> out;
  for (const auto& e : keys_) out.push_back(e.id);
  return out;
}

const Keyring::Entry* Keyring::Find(uint32_t id) const {
  for (const auto& e : keys_) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

const Keyring::Entry& Keyring::Require(uint32_t id) const {
  const Entry* e = Find(id);
  if (e == nullptr) {
    throw std::runtime_error("data key " + std::to_string(id) + " is not in the key file");
  }
  return *e;
}

std::string Keyring::Seal(std::string_view column, std::string_view plaintext) const {
  const Entry& key = keys_.back();
  std::string raw(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + plaintext.size() +
                      crypto_aead_xchacha20poly1305_ietf_ABYTES,
                  '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(raw.data());
  randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, &clen,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(column.data()), column.size(), nullptr, nonce,
      key.data.data());
  std::string out = "k" + std::to_string(key.id) + ".";
  const size_t b64_len =
      sodium_base64_encoded_len(raw.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  size_t prefix = out.size();
  out.resize(prefix + b64_len);
  sodium_bin2base64(out.data() + prefix, b64_len, nonce, raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.pop_back();  // the terminating NUL
  return out;
}

uint32_t Keyring::SealedWith(std::string_view sealed) {
  if (sealed.size() < 3 || sealed[0] != 'k') return 0;
  auto dot = sealed.find('.');
  if (dot == std::string_view::npos) return 0;
  return ParseId(sealed.substr(1, dot - 1)).value_or(0);
}

std::string Keyring::Open(std::string_view column, std::string_view sealed) const {
  const uint32_t id = SealedWith(sealed);
  if (id == 0) throw std::runtime_error("a value in " + std::string(column) + " is not sealed");
  const Entry& key = Require(id);
  auto b64 = sealed.substr(sealed.find('.') + 1);
  std::string raw(b64.size(), '\0');
  size_t raw_len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(raw.data()), raw.size(), b64.data(),
                        b64.size(), nullptr, &raw_len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      raw_len < crypto_aead_xchacha20poly1305_ietf_NPUBBYTES +
                    crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    throw std::runtime_error("a sealed value in " + std::string(column) + " is damaged");
  }
  const auto* nonce = reinterpret_cast<const unsigned char*>(raw.data());
  const size_t clen = raw_len - crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string out(clen - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long mlen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(out.data()), &mlen, nullptr,
          nonce + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, clen,
          reinterpret_cast<const unsigned char*>(column.data()), column.size(), nonce,
          key.data.data()) != 0) {
    throw std::runtime_error("a sealed value in " + std::string(column) +
                             " fails authentication (altered, or moved from another column)");
  }
  out.resize(mlen);
  return out;
}

std::string Keyring::BlindIndex(uint32_t id, std::string_view kind,
                                std::string_view value) const {
  const Entry& key = Require(id);
  crypto_generichash_state st;
  crypto_generichash_init(&st, key.index.data(), key.index.size(), kBlindBytes);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kind.data()), kind.size());
  const unsigned char sep = 0;
  crypto_generichash_update(&st, &sep, 1);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(value.data()),
                            value.size());
  unsigned char out[kBlindBytes];
  crypto_generichash_final(&st, out, sizeof out);
  return Hex(out, sizeof out);
}

int64_t Keyring::Token(uint32_t id, std::string_view value) const {
  const Entry& key = Require(id);
  unsigned char out[crypto_shorthash_BYTES];
  crypto_shorthash(out, reinterpret_cast<const unsigned char*>(value.data()), value.size(),
                   key.token.data());
  uint64_t v = 0;
  std::memcpy(&v, out, sizeof v);
  return int64_t(v >> 1);  // non-negative, so every SQL engine stores it the same way
}

std::string Keyring::KeyCheck(uint32_t id) const {
  return BlindIndex(id, "check", kKeyCheckInput);
}

}  // namespace vipcare::store
