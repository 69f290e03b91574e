// The tiled MX/NVFP4 scale layout (harness/quantize/tiled_scale_layout.hpp) as device code:
// one thread per scale writes its byte offset, as a GPU quantize kernel emitting
// cuBLASLt-ready scales would. Compiled by ci/cuda-static-cublaslt for every target, which
// reads the PTX: the index is integer arithmetic only.
#include <cstdint>

#include "harness/quantize/tiled_scale_layout.hpp"

namespace fp8check {

__global__ void tiled_scale_offsets_kernel(TiledScaleLayout layout, std::int64_t* offsets) {
  const std::int64_t r = blockIdx.x, c = threadIdx.x;
  if (r < layout.outer && c < layout.inner) offsets[r * layout.inner + c] = layout.offset(r, c);
}

}  // namespace fp8check
