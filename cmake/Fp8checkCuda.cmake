# FP8CHECK_ENABLE_CUDA: AUTO builds the GPU backends when nvcc is found, ON
# requires it, OFF never looks. The CPU build never needs CUDA.
set(FP8CHECK_HAVE_CUDA OFF)
if(NOT FP8CHECK_ENABLE_CUDA MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "FP8CHECK_ENABLE_CUDA must be AUTO, ON or OFF (got '${FP8CHECK_ENABLE_CUDA}')")
endif()
if(NOT FP8CHECK_ENABLE_CUDA STREQUAL "OFF")
  if(NOT DEFINED ENV{CUDACXX} AND NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(ENV{CUDACXX} /usr/local/cuda/bin/nvcc)  # standard toolkit location, even off PATH
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    set(CMAKE_CUDA_ARCHITECTURES ${FP8CHECK_CUDA_ARCHITECTURES})
    enable_language(CUDA)
    set(FP8CHECK_HAVE_CUDA ON)
  elseif(FP8CHECK_ENABLE_CUDA STREQUAL "ON")
    message(FATAL_ERROR "FP8CHECK_ENABLE_CUDA=ON but no CUDA compiler was found: "
                        "install the CUDA toolkit or set CUDACXX to nvcc")
  endif()
endif()
if(FP8CHECK_HAVE_CUDA)
  message(STATUS "fp8check: CUDA ${CMAKE_CUDA_COMPILER_VERSION} found: GPU backends are built "
                 "for architectures ${CMAKE_CUDA_ARCHITECTURES}")
else()
  message(STATUS "fp8check: CPU-only build: GPU backends (cuda, cublaslt) are NOT built "
                 "(FP8CHECK_ENABLE_CUDA=${FP8CHECK_ENABLE_CUDA})")
endif()
