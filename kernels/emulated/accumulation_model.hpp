// How an emulated kernel accumulates products: the explicit, parameterised
// numerics of docs/accumulation.md. Header usable from host and device code.
#pragma once

#include <cstdint>
#include <string>

#include "harness/core/host_device.hpp"

namespace fp8check {

struct AccumulationModel {
  enum class Kind : std::uint8_t {
    fp32_tiled,   // 1: FP32, in the order the config's tiling and split-K fix
    tensor_core,  // 2: limited-precision running sum per MMA k-chunk, optional FP32 promotion
    exact,        // 3: FP64 accumulation (the ideal)
  };
  Kind kind = Kind::fp32_tiled;
  // tensor_core only --------------------------------------------------------
  int mma_k = 32;               // products summed per MMA instruction (FP8 on Hopper: 32)
  int mantissa_bits = 14;       // bits kept by the running accumulator (DeepSeek-V3 report: ~14 on H800)
  bool truncate = true;         // truncation (true) or round-to-nearest-even (false) to mantissa_bits
  int promotion_interval = 128; // elements of K between promotions to the FP32 master accumulator; 0 = never

  // "fp32", "exact", "tc14t", "tc14t.p128", "tc13r.p0" ...
  std::string id() const;
  void validate() const;  // InputError on out-of-range parameters
  friend bool operator==(const AccumulationModel&, const AccumulationModel&) = default;
};

AccumulationModel parse_accumulation_model(const std::string& id);

}  // namespace fp8check
