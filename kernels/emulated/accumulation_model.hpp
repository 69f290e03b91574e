// How an emulated GEMM accumulates products (docs/accumulation.md):
//   fp32        FP32 sums in the order the config's tiling and split-K fix: CUDA-core FFMA
//               kernels and software FP8 paths;
//   exact       FP64 accumulation (the ideal a kernel is compared to);
//   a kernel model, BASE[.fN][.pN] (kernels/emulated/mma/kernel_model.hpp): the tensor-core
//               instructions of a GPU kernel issued along K, with their published arithmetic
//               (sm90-wgmma.p128, sm89-mma, sm100-tcgen05, sm100-mxf8 ...).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "kernels/emulated/mma/kernel_model.hpp"

namespace fp8check {

struct AccumulationModel {
  enum class Kind : std::uint8_t {
    fp32_tiled,   // "fp32"
    tensor_core,  // a kernel model
    exact,        // "exact"
  };
  Kind kind = Kind::fp32_tiled;
  KernelModel kernel;  // tensor_core only

  static AccumulationModel of(const KernelModel& kernel) { return {Kind::tensor_core, kernel}; }
  bool is_kernel_model() const { return kind == Kind::tensor_core; }
  // "fp32", "exact", or the kernel model's id ("sm90-wgmma.p128").
  std::string id() const;
  void validate() const;  // InputError on out-of-range parameters
  friend bool operator==(const AccumulationModel& x, const AccumulationModel& y) {
    return x.kind == y.kind && (x.kind != Kind::tensor_core || x.kernel == y.kernel);
  }
};

// "fp32", "exact" or a kernel model id; InputError naming the accepted forms otherwise.
AccumulationModel parse_accumulation_model(std::string_view id);

}  // namespace fp8check
