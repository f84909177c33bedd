# Writes OUT: a C++ source with every DIR/*.sql as {version, name, sql}, in order.
file(GLOB files "${DIR}/*.sql")
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  get_filename_component(name "${f}" NAME)
  string(REGEX MATCH "^[0-9]+" version "${name}")
  # Without leading zeros: 0008 would read as a (bad) octal literal.
  string(REGEX REPLACE "^0+([0-9])" "\\1" version "${version}")
  file(READ "${f}" sql)
  string(APPEND body "  {${version}, \"${name}\", R\"__sql__(${sql})__sql__\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from server/store/migrations/*.sql. Do not edit.
#include \"server/store/migrations.hpp\"

namespace portal::server {
const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all = {
${body}  };
  return all;
}
}  // namespace portal::server
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
