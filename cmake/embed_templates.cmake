# Writes a C++ source defining vipcare::domain::default_templates_data::kText,
# the text of the file IN (src/domain/care_rules/default_templates.json).
file(READ ${IN} CONTENT)
string(LENGTH "${CONTENT}" LEN)
set(CHUNKS "")
set(POS 0)
# Raw string literals are split into 8 KiB pieces to stay within compiler limits.
# A piece may end inside a UTF-8 sequence; adjacent literals join byte by byte.
while(POS LESS LEN)
  string(SUBSTRING "${CONTENT}" ${POS} 8192 PIECE)
  string(APPEND CHUNKS "R\"vipcare_raw(${PIECE})vipcare_raw\"\n")
  math(EXPR POS "${POS} + 8192")
endwhile()
file(WRITE ${OUT} "// Generated from src/domain/care_rules/default_templates.json; do not edit.
#include <string_view>
namespace vipcare::domain::default_templates_data {
extern const std::string_view kText;
const std::string_view kText =
${CHUNKS};
}  // namespace vipcare::domain::default_templates_data
")
