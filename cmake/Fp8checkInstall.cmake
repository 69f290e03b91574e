# cmake --install: the fp8check program, the static libraries a program needs to register
# a backend and run suites (fp8check::run and what it links), the plug-in ABI, the headers
# they include, and a package config, so that find_package(fp8check) works from the
# prefix (docs/plugins.md). tests/consumer/ is the proof.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The libraries: fp8check::run, fp8check::plugin and every fp8check library they link,
# found by walking their link libraries (a library added later is installed without
# touching this file), exported as fp8check::<name>, the in-tree alias names.
function(fp8check_linked_libraries out)
  set(todo ${ARGN})
  set(seen)
  while(todo)
    list(POP_FRONT todo target)
    get_target_property(aliased ${target} ALIASED_TARGET)
    if(aliased)
      set(target ${aliased})
    endif()
    if(NOT target MATCHES "^fp8check_" OR target IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${target})
    get_target_property(type ${target} TYPE)
    set(property LINK_LIBRARIES)
    if(type STREQUAL "INTERFACE_LIBRARY")
      set(property INTERFACE_LINK_LIBRARIES)
    endif()
    get_target_property(links ${target} ${property})
    foreach(link IN LISTS links)
      if(TARGET ${link})
        list(APPEND todo ${link})
      endif()
    endforeach()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()
fp8check_linked_libraries(fp8check_installed_targets fp8check_run fp8check_plugin)
foreach(target IN LISTS fp8check_installed_targets)
  string(REGEX REPLACE "^fp8check_" "" name ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
endforeach()
install(TARGETS ${fp8check_installed_targets} EXPORT fp8checkTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS fp8check RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT fp8checkTargets NAMESPACE fp8check:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/fp8check)

# Headers: the public entries and every header they include, transitively, so that no
# installed header includes one that is not installed. Installed under include/fp8check/
# with their source-tree paths ("harness/run/suite_run.hpp"); the plug-in ABI as
# include/fp8check/plugin.h.
function(fp8check_header_closure out)
  set(todo ${ARGN})
  set(seen)
  while(todo)
    list(POP_FRONT todo header)
    if(header IN_LIST seen)
      continue()
    endif()
    list(APPEND seen ${header})
    file(STRINGS ${PROJECT_SOURCE_DIR}/${header} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
    foreach(line IN LISTS lines)
      string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*" "\\1" included "${line}")
      if(EXISTS ${PROJECT_SOURCE_DIR}/${included})
        list(APPEND todo ${included})
      elseif(NOT EXISTS ${PROJECT_SOURCE_DIR}/include/${included})
        message(FATAL_ERROR "fp8check: installed header ${header} includes \"${included}\", found nowhere")
      endif()
    endforeach()
  endwhile()
  set(${out} ${seen} PARENT_SCOPE)
endfunction()
fp8check_header_closure(fp8check_public_headers
  harness/core/error.hpp
  harness/backend/backend.hpp
  harness/run/backend_registry.hpp
  harness/run/ops.hpp
  harness/run/run_case.hpp
  harness/run/runner.hpp
  harness/run/suite_run.hpp
  harness/suite/case_id.hpp
  harness/suite/suite_loader.hpp
  harness/record/results_file.hpp
  harness/plugin/plugin_loader.hpp
  kernels/emulated/emulated_backend.hpp)
foreach(header IN LISTS fp8check_public_headers)
  get_filename_component(dir ${header} DIRECTORY)
  install(FILES ${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fp8check/${dir})
endforeach()
install(FILES include/fp8check/plugin.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/fp8check)

# The package config: the dependencies the static libraries link, then the targets.
set(FP8CHECK_CONFIG_WITH_BLAS ${FP8CHECK_REFERENCES_WITH_BLAS})
set(FP8CHECK_CONFIG_WITH_CUDA ${FP8CHECK_HAVE_CUDA})
set(FP8CHECK_CONFIG_HDF5_LIBRARIES ${HDF5_C_LIBRARIES})
configure_package_config_file(cmake/fp8checkConfig.cmake.in ${PROJECT_BINARY_DIR}/fp8checkConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/fp8check)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/fp8checkConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)  # 0.x: a minor version may break the API
install(FILES ${PROJECT_BINARY_DIR}/fp8checkConfig.cmake ${PROJECT_BINARY_DIR}/fp8checkConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/fp8check)
