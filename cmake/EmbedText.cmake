# Writes OUT: a C++ source whose function FUNC (in namespace NS) returns the text of
# FILE as a std::string_view. The text must not contain the delimiter )__text__".
file(READ "${FILE}" text)
string(FIND "${text}" ")__text__\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${FILE} contains the raw string delimiter )__text__\"")
endif()
file(WRITE "${OUT}.tmp" "// Generated from ${FILE}. Do not edit.
#include <string_view>

namespace ${NS} {
std::string_view ${FUNC}() {
  static constexpr char text[] = R\"__text__(${text})__text__\";
  return {text, sizeof text - 1};
}
}  // namespace ${NS}
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
