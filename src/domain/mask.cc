#include "domain/mask.h"

#include "domain/member_json.h"

namespace vipcare::domain {
namespace {

using nlohmann::json;

// Walks the leaves that masking changed; returns the path of the first one
// where `after` equals the mask.
std::string Echo(const json& real, const json& masked, const json& after, const std::string& path) {
  if (real == masked) return "";
  if (real.is_object() && masked.is_object()) {
    for (auto it = masked.begin(); it != masked.end(); ++it) {
      auto r = real.find(it.key());
      if (r == real.end()) continue;
      const json next = after.is_object() && after.contains(it.key()) ? after[it.key()] : json();
      auto hit = Echo(*r, it.value(), next, path.empty() ? it.key() : path + "." + it.key());
      if (!hit.empty()) return hit;
    }
    return "";
  }
  if (real.is_array() && masked.is_array() && real.size() == masked.size()) {
    for (size_t i = 0; i < masked.size(); ++i) {
      const json next = after.is_array() && i < after.size() ? after[i] : json();
      auto hit = Echo(real[i], masked[i], next, path + "[" + std::to_string(i) + "]");
      if (!hit.empty()) return hit;
    }
    return "";
  }
  return after == masked ? path : "";
}

// Byte length of the UTF-8 sequence that starts with `c`.
size_t SeqLen(unsigned char c) {
  return c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
}

}  // namespace

std::string MaskPhone(std::string_view n) {
  if (n.empty()) return "";
  if (IsValidMobile(n)) return std::string(n.substr(0, 3)) + "****" + std::string(n.substr(7));
  if (n.size() <= 4) return "****";
  return "****" + std::string(n.substr(n.size() - 4));
}

std::string MaskIdNumber(std::string_view id) {
  if (id.empty()) return "";
  if (id.size() < 10) return "********";
  return std::string(id.substr(0, 6)) + std::string(id.size() - 10, '*') +
         std::string(id.substr(id.size() - 4));
}

std::string MaskEmail(std::string_view e) {
  if (e.empty()) return "";
  auto at = e.find('@');
  if (at == std::string_view::npos || at == 0) return "***";
  return std::string(e.substr(0, SeqLen(static_cast<unsigned char>(e[0])))) + "***" +
         std::string(e.substr(at));
}

std::string MaskText(std::string_view t) {
  if (t.empty()) return "";
  return std::string(t.substr(0, SeqLen(static_cast<unsigned char>(t[0])))) + "****";
}

void MaskMember(Member& m) {
  m.mobile.number = MaskPhone(m.mobile.number);
  m.office_phone.number = MaskPhone(m.office_phone.number);
  m.home_phone.number = MaskPhone(m.home_phone.number);
  m.email = MaskEmail(m.email);
  m.wechat_id = MaskText(m.wechat_id);
  m.id_number = MaskIdNumber(m.id_number);
  for (auto& a : m.addresses) {
    a.detail = a.detail.empty() ? "" : "****";
    a.postcode.clear();
  }
  m.spouse_name = MaskText(m.spouse_name);
  for (auto& f : m.family) f.name = MaskText(f.name);
  m.business.outstanding_debt = Fen(0);
  m.business.repayment_record = m.business.repayment_record.empty() ? "" : "****";
}

std::string EchoedMaskedField(const Member& before, const Member& after) {
  Member shown = before;
  MaskMember(shown);
  return Echo(MemberToJson(before), MemberToJson(shown), MemberToJson(after), "");
}

}  // namespace vipcare::domain
