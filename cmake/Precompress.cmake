# Writes NAME.gz (gzip -9) and, where Debian's brotli tool is installed, NAME.br beside
# every text-like file of the document root DIR, so that the server can send them as
# they are with Content-Encoding. Run with: cmake -DDIR=... -P Precompress.cmake
# Copies are written through stdout so that they are newer than their file: the server
# ignores a copy older than the file it stands for.
find_program(_gzip gzip REQUIRED)
find_program(_brotli brotli)
file(GLOB_RECURSE _files "${DIR}/*.wasm" "${DIR}/*.js" "${DIR}/*.mjs" "${DIR}/*.html" "${DIR}/*.css"
     "${DIR}/*.json" "${DIR}/*.webmanifest" "${DIR}/*.svg" "${DIR}/*.txt"
     "${DIR}/*.ico")
foreach(f IN LISTS _files)
  if(NOT EXISTS "${f}.gz" OR "${f}" IS_NEWER_THAN "${f}.gz")
    execute_process(COMMAND "${_gzip}" -9 -n -c "${f}" OUTPUT_FILE "${f}.gz" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "gzip failed on ${f}")
    endif()
  endif()
  if(_brotli AND (NOT EXISTS "${f}.br" OR "${f}" IS_NEWER_THAN "${f}.br"))
    execute_process(COMMAND "${_brotli}" -q 11 -c "${f}" OUTPUT_FILE "${f}.br" RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "brotli failed on ${f}")
    endif()
  endif()
endforeach()
