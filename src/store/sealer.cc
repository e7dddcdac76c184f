// Sealed columns, blind indexes and name tokens (P5).
#include "store/sealer.h"

#include <algorithm>

namespace vipcare::store {
namespace {

// The name split into UTF-8 characters, whitespace dropped, ASCII lower-cased.
std::vector<std::string> NameChars(std::string_view name) {
  std::vector<std::string> out;
  for (size_t i = 0; i < name.size();) {
    const auto lead = static_cast<unsigned char>(name[i]);
    size_t len = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : 4;
    len = std::min(len, name.size() - i);
    std::string ch(name.substr(i, len));
    i += len;
    if (len == 1) {
      if (ch[0] == ' ' || ch[0] == '\t' || ch[0] == '\r' || ch[0] == '\n') continue;
      if (ch[0] >= 'A' && ch[0] <= 'Z') ch[0] = char(ch[0] - 'A' + 'a');
    } else if (ch == "\xE3\x80\x80") {  // ideographic space
      continue;
    }
    out.push_back(std::move(ch));
  }
  return out;
}

std::string Joined(const std::vector<std::string>& chars, size_t n) {
  std::string s;
  for (size_t i = 0; i < n && i < chars.size(); ++i) s += chars[i];
  return s;
}

}  // namespace

Value Sealer::SealOrNull(std::string_view column, std::string_view plain) const {
  if (plain.empty()) return Value();
  return ring_.Seal(column, plain);
}

Value Sealer::MobileIndex(std::string_view mobile) const {
  if (mobile.empty()) return Value();
  return ring_.BlindIndex(index_key_, "mobile", mobile);
}

Value Sealer::IdNumberIndex(std::string_view id_number) const {
  if (id_number.empty()) return Value();
  std::string upper(id_number);
  for (auto& c : upper) {
    if (c == 'x') c = 'X';
  }
  return ring_.BlindIndex(index_key_, "id_number", upper);
}

std::string Sealer::CardIndex(std::string_view card_no) const {
  return ring_.BlindIndex(index_key_, "card", card_no);
}

std::vector<int64_t> Sealer::NameTokens(std::string_view name) const {
  const auto chars = NameChars(name);
  std::vector<int64_t> out;
  const size_t n = std::min(chars.size(), kMaxPrefixChars);
  for (size_t len = 1; len <= n; ++len) out.push_back(ring_.Token(index_key_, Joined(chars, len)));
  if (chars.size() > kMaxPrefixChars) {
    out.push_back(ring_.Token(index_key_, Joined(chars, chars.size())));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

int64_t Sealer::NameQueryToken(std::string_view prefix) const {
  const auto chars = NameChars(prefix);
  return ring_.Token(index_key_, Joined(chars, chars.size()));
}

}  // namespace vipcare::store
