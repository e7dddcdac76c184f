// src/domain/mask.h
#pragma once
#include <string>
#include <string_view>

#include "domain/member.h"

namespace vipcare::domain {

// Masking of personal fields for viewers who may know a member exists but not
// how to reach them (SPEC P3). Pure functions.

// "13812345678" -> "138****5678"; other phone numbers keep their last 4 digits.
std::string MaskPhone(std::string_view number);
// "11010519491231002X" -> "110105********002X".
std::string MaskIdNumber(std::string_view id);
// "wang.fang@example.com" -> "w***@example.com".
std::string MaskEmail(std::string_view email);
// Keeps the first character of each part, e.g. "wxid_abc123" -> "w****".
std::string MaskText(std::string_view text);

// Masks every contact and identity field of `m` in place: phones, e-mail,
// WeChat id, ID number, street addresses (province, city and district stay),
// family members' names, B2B debt figures. Name, tier-relevant and store
// fields stay so that a clerk can greet and serve the customer.
void MaskMember(Member& m);

// The field path (e.g. "email", "family[0].name") where `after` holds the
// masked text that MaskMember shows of `before` instead of a real value, as an
// edit form sends back what it displayed; "" if there is none. A viewer who
// sees a file masked must not overwrite the real value with its mask.
std::string EchoedMaskedField(const Member& before, const Member& after);

}  // namespace vipcare::domain
