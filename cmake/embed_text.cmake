# Writes a C++ source defining NAMESPACE::SYMBOL (a std::string_view) as the
# text of the file IN, e.g. -DNAMESPACE=vipcare::http -DSYMBOL=kOpenApiJson.
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
get_filename_component(NAME ${IN} NAME)
file(WRITE ${OUT} "// Generated from ${NAME}; do not edit.\n#include <string_view>\nnamespace ${NAMESPACE} {\nextern const std::string_view ${SYMBOL};\nconst std::string_view ${SYMBOL} =\n${CHUNKS};\n}  // namespace ${NAMESPACE}\n")
