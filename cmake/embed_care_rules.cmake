# Writes a C++ source defining vipcare::domain::care_rules_data::kDefaultRulesJson
# from the file IN (src/domain/care_rules/default_rules.json).
file(READ ${IN} CONTENT)
string(LENGTH "${CONTENT}" LEN)
set(CHUNKS "")
set(POS 0)
# Raw string literals are split into 8 KiB pieces to stay within compiler limits.
while(POS LESS LEN)
  string(SUBSTRING "${CONTENT}" ${POS} 8192 PIECE)
  string(APPEND CHUNKS "R\"vipcare_raw(${PIECE})vipcare_raw\"\n")
  math(EXPR POS "${POS} + 8192")
endwhile()
file(WRITE ${OUT} "// Generated from src/domain/care_rules/default_rules.json; do not edit.
#include <string_view>
namespace vipcare::domain::care_rules_data {
extern const std::string_view kDefaultRulesJson;
const std::string_view kDefaultRulesJson =
${CHUNKS};
}  // namespace vipcare::domain::care_rules_data
")
