# ctest consumer_find_package_test (cmake -P): installs the build tree into a temporary
# prefix, checks that every installed header's quoted includes are installed too, then
# configures, builds and runs tests/consumer/ and the example plug-in (examples/plugin/,
# on its own) against that prefix with find_package(fp8check).
# -D: BUILD_DIR, SOURCE_DIR (fp8check's), WORK_DIR, GENERATOR, CXX_COMPILER, LAUNCHER (may be empty), FP8CHECK
cmake_minimum_required(VERSION 3.25)

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "consumer test: ${what} failed (${rc}):\n${out}\n${err}")
  endif()
  message(STATUS "consumer test: ${what}: ok")
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
run_step("cmake --install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# Installed headers include only installed headers.
file(GLOB_RECURSE headers RELATIVE ${prefix}/include ${prefix}/include/*.h ${prefix}/include/*.hpp)
list(LENGTH headers count)
if(count LESS 10)
  message(FATAL_ERROR "consumer test: only ${count} headers installed")
endif()
foreach(header IN LISTS headers)
  file(STRINGS ${prefix}/include/${header} lines REGEX "^[ \t]*#[ \t]*include[ \t]*\"")
  foreach(line IN LISTS lines)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*\"([^\"]+)\".*" "\\1" included "${line}")
    if(NOT EXISTS ${prefix}/include/fp8check/${included} AND NOT EXISTS ${prefix}/include/${included})
      message(FATAL_ERROR "consumer test: installed ${header} includes \"${included}\", which is not installed")
    endif()
  endforeach()
endforeach()
message(STATUS "consumer test: ${count} installed headers include only installed headers")

set(common -G ${GENERATOR} -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX_COMPILER})
if(LAUNCHER)
  list(APPEND common -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
endif()
run_step("configure tests/consumer" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/consumer -B ${WORK_DIR}/consumer ${common})
run_step("build tests/consumer" ${CMAKE_COMMAND} --build ${WORK_DIR}/consumer)
run_step("run the consumer" ${WORK_DIR}/consumer/consumer ${SOURCE_DIR}/tests/consumer/consumer_suite.toml)
message("${step_output}")

# The example plug-in built on its own against the prefix, loaded by the installed program.
run_step("configure examples/plugin" ${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/plugin -B ${WORK_DIR}/plugin ${common})
run_step("build examples/plugin" ${CMAKE_COMMAND} --build ${WORK_DIR}/plugin --target fp8check_example_plugin)
run_step("list with the plug-in" ${prefix}/bin/fp8check list ${SOURCE_DIR}/examples/plugin/plugin_example.toml
         --backend-lib ${WORK_DIR}/plugin/libfp8check_example_plugin.so)
if(NOT step_output MATCHES "/example\n")
  message(FATAL_ERROR "consumer test: the installed fp8check did not put the cases on the plug-in:\n${step_output}")
endif()
