#include "domain/json_object.h"

#include "domain/member.h"  // Utf8Length

namespace vipcare::domain {

Status CheckText(const std::string& s, const std::string& path, size_t max_chars, bool required) {
  long n = Utf8Length(s);
  if (n < 0) return Error::Invalid(path, "must be valid UTF-8 text");
  if (required && n == 0) return Error::Invalid(path, "must not be empty");
  if (size_t(n) > max_chars) {
    return Error::Invalid(path, fmt::format("must be at most {} characters", max_chars));
  }
  for (unsigned char c : s) {
    if (c < 0x20 && c != '\n' && c != '\t') {
      return Error::Invalid(path, "must not contain control characters");
    }
  }
  return OkStatus();
}

}  // namespace vipcare::domain
