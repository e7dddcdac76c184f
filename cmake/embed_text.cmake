# Writes a C++ source defining vipcare::http::kOpenApiJson from the file IN.
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
file(WRITE ${OUT} "// Generated from docs/openapi.json; do not edit.\n#include <string_view>\nnamespace vipcare::http {\nextern const std::string_view kOpenApiJson;\nconst std::string_view kOpenApiJson =\n${CHUNKS};\n}  // namespace vipcare::http\n")
