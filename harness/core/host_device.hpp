// Marks functions usable from host code and from CUDA device code.
// A .cpp translation unit never includes CUDA headers: under a host compiler the
// macro expands to nothing, so this header costs the CPU build nothing.
#pragma once

#if defined(__CUDACC__)
#define FP8C_HD __host__ __device__
#define FP8C_HD_INLINE __host__ __device__ __forceinline__
#else
#define FP8C_HD
#define FP8C_HD_INLINE inline
#endif
