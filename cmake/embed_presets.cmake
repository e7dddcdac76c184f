# Writes a C++ source defining vipcare::domain::presets_data::kTexts, the text
# of every DIR/*.json in file-name order, and kCount.
file(GLOB FILES ${DIR}/*.json)
list(SORT FILES)
list(LENGTH FILES COUNT)
set(BODY "")
foreach(F ${FILES})
  file(READ ${F} CONTENT)
  string(LENGTH "${CONTENT}" LEN)
  string(APPEND BODY "    std::string_view(\n")
  set(POS 0)
  # Raw string literals are split into 8 KiB pieces to stay within compiler limits.
  while(POS LESS LEN)
    string(SUBSTRING "${CONTENT}" ${POS} 8192 PIECE)
    string(APPEND BODY "R\"vipcare_raw(${PIECE})vipcare_raw\"\n")
    math(EXPR POS "${POS} + 8192")
  endwhile()
  string(APPEND BODY "    ),\n")
endforeach()
file(WRITE ${OUT} "// Generated from src/domain/presets/*.json; do not edit.
#include <cstddef>
#include <string_view>
namespace vipcare::domain::presets_data {
extern const std::string_view kTexts[];
extern const size_t kCount;
const std::string_view kTexts[] = {
${BODY}};
const size_t kCount = ${COUNT};
}  // namespace vipcare::domain::presets_data
")
