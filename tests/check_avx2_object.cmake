# ctest -P script: the objects built with AVX2 flags (harness/core/convert_bulk_avx2.cpp,
# harness/generate/generate_avx2.cpp,
# kernels/emulated/gemm_tile_avx2.cpp) define no weak symbol. A weak definition there (an
# inline function or template of a shared header, emitted out of line) is AVX2 code that
# the linker may keep for every caller, so a CPU without AVX2 would fault outside the
# run-time-checked path.
# Usage: cmake -DNM=<nm> -DOBJECTS=<obj;...> -P check_avx2_object.cmake
if(NOT NM OR NOT OBJECTS)
  message(FATAL_ERROR "usage: cmake -DNM=<nm> -DOBJECTS=<objects> -P check_avx2_object.cmake")
endif()
foreach(object IN LISTS OBJECTS)
  execute_process(COMMAND ${NM} -C ${object} OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${NM} failed on ${object}")
  endif()
  # Its entry points must be there, defined strongly: otherwise this check reads nothing.
  if(NOT symbols MATCHES "[0-9a-f]+ T fp8check::detail::[a-z0-9_]*avx2")
    message(FATAL_ERROR "${object}: no strong fp8check::detail::*avx2* function; is this an AVX2 object?\n${symbols}")
  endif()
  # nm types: W/w weak, V/v weak object, u unique global (also merged across units).
  string(REGEX MATCHALL "[0-9a-f]+ [WwVvu] [^\n]*" weak "${symbols}")
  if(weak)
    list(JOIN weak "\n  " listed)
    message(FATAL_ERROR "${object} defines weak symbols (AVX2 code the linker may share):\n  ${listed}\n"
                        "Fix: give them internal linkage (anonymous namespace) or keep them out of this file.")
  endif()
  message(STATUS "${object}: no weak symbols")
endforeach()
