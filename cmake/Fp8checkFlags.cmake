# One interface target carries the project's compile policy; every target links it.
add_library(fp8check_flags INTERFACE)
add_library(fp8check::flags ALIAS fp8check_flags)
target_compile_features(fp8check_flags INTERFACE cxx_std_20)
# Headers by their path from the source root ("harness/run/suite_run.hpp"); installed
# under include/fp8check/ with the same paths (Fp8checkInstall.cmake).
target_include_directories(fp8check_flags INTERFACE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
                                                    $<INSTALL_INTERFACE:include/fp8check>)
target_compile_options(fp8check_flags INTERFACE
  # Warnings for host code (nvcc forwards them to the host compiler).
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra>
  # gcc 12 reports -Wrestrict false positives inside libstdc++'s std::string (GCC bug 105651).
  $<$<AND:$<COMPILE_LANG_AND_ID:CXX,GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-restrict>
  # The floating-point model is pinned: no silent FMA contraction where bits are
  # part of a result, so gcc and clang, -O0 and -O3 give identical bits.
  $<$<COMPILE_LANGUAGE:CXX>:-ffp-contract=off>
  $<$<COMPILE_LANGUAGE:CUDA>:--fmad=false -Xcompiler=-ffp-contract=off>)
if(NOT CMAKE_BUILD_TYPE AND NOT CMAKE_CONFIGURATION_TYPES)
  set(CMAKE_BUILD_TYPE Release CACHE STRING "Build type" FORCE)
endif()
