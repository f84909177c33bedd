# Assembles the document root in ${PORTAL_WWW_DIR}: web/ (the HTML shell and JS glue),
# static/, the fallback CJK font pieces and the Wasm client built by an Emscripten sub-build;
# then versions the app shell by content (scripts/shell_version.py: the pages' versioned
# addresses and the service worker's release) and writes beside each text-like file its
# gzip (and, with Debian's brotli, brotli) copy.
set(PORTAL_WWW_DIR "${CMAKE_BINARY_DIR}/www" CACHE INTERNAL "document root")
set(PORTAL_WASM_BUILD_DIR "${CMAKE_BINARY_DIR}/wasm")

# [SECTION] The fallback CJK font, in pieces of 1,024 code points (GB 18030 level 1): fetched
# only by a device that cannot draw a character itself (web/portal-glyphs.js).
set(PORTAL_FALLBACK_FONT "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
    CACHE FILEPATH "OpenType collection the fallback pieces are cut from")
set(PORTAL_FONT_STAMP "${PORTAL_WWW_DIR}/fonts/cjk-sym.woff2")
add_custom_command(
  OUTPUT "${PORTAL_FONT_STAMP}"
  COMMAND /usr/bin/python3 "${CMAKE_SOURCE_DIR}/scripts/font_pieces.py" --font "${PORTAL_FALLBACK_FONT}"
          --name "Noto Sans CJK SC" --out "${PORTAL_WWW_DIR}/fonts" --jobs 2
  DEPENDS "${CMAKE_SOURCE_DIR}/scripts/font_pieces.py"
  COMMENT "Cutting the fallback CJK font into pieces"
  VERBATIM)

file(GLOB_RECURSE PORTAL_WEB_FILES CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/web/*"
     "${CMAKE_SOURCE_DIR}/static/*")

set(_www_deps "${PORTAL_FONT_STAMP}" ${PORTAL_WEB_FILES})

if(PORTAL_BUILD_CLIENT)
  include(ExternalProject)
  ExternalProject_Add(
    portal_wasm
    SOURCE_DIR "${CMAKE_SOURCE_DIR}"
    BINARY_DIR "${PORTAL_WASM_BUILD_DIR}"
    CMAKE_COMMAND ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs ${CMAKE_COMMAND}
    CMAKE_ARGS -G Ninja
               -DCMAKE_TOOLCHAIN_FILE=/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake
               -DCMAKE_BUILD_TYPE=Release
    BUILD_COMMAND ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs ${CMAKE_COMMAND} --build
                  <BINARY_DIR> --parallel 2
    INSTALL_COMMAND ""
    BUILD_ALWAYS ON
    USES_TERMINAL_BUILD ON)
  set(_client_copy
      COMMAND ${CMAKE_COMMAND} -E copy "${PORTAL_WASM_BUILD_DIR}/client/portal.js"
      "${PORTAL_WASM_BUILD_DIR}/client/portal.wasm" "${PORTAL_WWW_DIR}/")
else()
  set(_client_copy)
endif()

add_custom_target(
  www ALL
  COMMAND ${CMAKE_COMMAND} -E make_directory "${PORTAL_WWW_DIR}"
  COMMAND ${CMAKE_COMMAND} -E copy_directory "${CMAKE_SOURCE_DIR}/static" "${PORTAL_WWW_DIR}"
  COMMAND ${CMAKE_COMMAND} -E copy_directory "${CMAKE_SOURCE_DIR}/web" "${PORTAL_WWW_DIR}" ${_client_copy}
  COMMAND /usr/bin/python3 "${CMAKE_SOURCE_DIR}/scripts/shell_version.py" "${PORTAL_WWW_DIR}"
  COMMAND ${CMAKE_COMMAND} -DDIR=${PORTAL_WWW_DIR} -P "${CMAKE_SOURCE_DIR}/cmake/Precompress.cmake"
  DEPENDS ${_www_deps} "${CMAKE_SOURCE_DIR}/scripts/shell_version.py"
          "${CMAKE_SOURCE_DIR}/cmake/Precompress.cmake"
  COMMENT "Assembling the document root in ${PORTAL_WWW_DIR}"
  VERBATIM)
if(PORTAL_BUILD_CLIENT)
  add_dependencies(www portal_wasm)
endif()
