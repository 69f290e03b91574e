// The GPU machine the kernel programs of kernels/cuda/index run on: this thread's registers,
// the block's shared memory, cp.async, mma.sync, the hardware FP8 conversion. The CPU twin
// (kernels/cuda/twin/twin_machine.hpp) implements the same interface. Every method is
// host+device so that the programs stay plain host+device templates; the host bodies are
// never called (kernels only).
//
// PTX ISA sections: 9.7.9.25 cp.async (cp-size 4 or 16, src-size 0 zero-fills),
// cp.async.commit_group / cp.async.wait_group; 9.7.14.5.14 mma.sync.aligned.m16n8k32 with
// .e4m3/.e5m2 (sm_89+) and m16n8k16 .bf16 (sm_80+); 9.7.9.21 cvt.rn.satfinite.e4m3x2.f32
// (sm_89+; CUDA's __nv_cvt_float_to_fp8 emits it).
#pragma once

#include <cuda_fp8.h>

#include <cstdint>

#include "harness/core/convert.hpp"
#include "harness/core/format_spec.hpp"
#include "kernels/cuda/index/gemm_params.hpp"
#include "kernels/cuda/index/mma_fragments.hpp"

namespace fp8check::cuda_own {

template <class Regs>
class DeviceMachine {
 public:
  FP8C_HD DeviceMachine(Regs& regs, std::uint8_t* smem, cuda_index::AmaxSlot* amax) : r_(regs), smem_(smem), amax_(amax) {}

  template <class F>
  FP8C_HD void each_thread(F&& f) {
#if defined(__CUDA_ARCH__)
    f(static_cast<int>(threadIdx.x), r_);
#endif
  }
  FP8C_HD void barrier() {
#if defined(__CUDA_ARCH__)
    __syncthreads();
#endif
  }

  FP8C_HD void cp_async(int, int offset, const void* src, int bytes, bool valid) {
#if defined(__CUDA_ARCH__)
    const unsigned dst = static_cast<unsigned>(__cvta_generic_to_shared(smem_ + offset));
    if (bytes == 16)
      asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src), "r"(valid ? 16 : 0));
    else
      asm volatile("cp.async.ca.shared.global [%0], [%1], 4, %2;\n" ::"r"(dst), "l"(src), "r"(valid ? 4 : 0));
#endif
  }
  FP8C_HD void commit(int) {
#if defined(__CUDA_ARCH__)
    asm volatile("cp.async.commit_group;\n" ::);
#endif
  }
  template <int Pending>
  FP8C_HD void wait_pending(int) {
#if defined(__CUDA_ARCH__)
    asm volatile("cp.async.wait_group %0;\n" ::"n"(Pending));
#endif
  }

  FP8C_HD std::uint32_t lds(int, int offset, int bytes) const {
    if (bytes == 1) return smem_[offset];
    if (bytes == 2) return *reinterpret_cast<const std::uint16_t*>(smem_ + offset);
    return *reinterpret_cast<const std::uint32_t*>(smem_ + offset);
  }
  FP8C_HD std::uint32_t lds32(int, int offset) const { return *reinterpret_cast<const std::uint32_t*>(smem_ + offset); }
  FP8C_HD std::uint32_t lds16(int, int offset) const { return *reinterpret_cast<const std::uint16_t*>(smem_ + offset); }
  FP8C_HD float ldsf(int, int offset) const { return *reinterpret_cast<const float*>(smem_ + offset); }
  FP8C_HD void sts(int, int offset, std::uint32_t value, int bytes) {
    if (bytes == 1) smem_[offset] = static_cast<std::uint8_t>(value);
    else if (bytes == 2) *reinterpret_cast<std::uint16_t*>(smem_ + offset) = static_cast<std::uint16_t>(value);
    else *reinterpret_cast<std::uint32_t*>(smem_ + offset) = value;
  }

  // A thread's direct use of a range of global memory (the combine's workspace row): checked
  // by the twin, nothing on the GPU.
  FP8C_HD void claim_global(int, const void*, std::size_t, const char*) const {}

  FP8C_HD float ldg(const float* address) const { return *address; }
  FP8C_HD void stg(void* base, std::int64_t index, std::uint32_t value, int bytes) {
    auto* at = static_cast<std::uint8_t*>(base) + index * bytes;
    if (bytes == 1) *at = static_cast<std::uint8_t>(value);
    else if (bytes == 2) *reinterpret_cast<std::uint16_t*>(at) = static_cast<std::uint16_t>(value);
    else *reinterpret_cast<std::uint32_t*>(at) = value;
  }

  // D's e4m3fn code: the hardware conversion on sm_89+ (cvt.rn.satfinite.e4m3x2.f32, equal
  // to fp8check's codec on every float: tests/gpu/convert_gpu_test.cpp), the codec below.
  FP8C_HD std::uint32_t e4m3(int, float v) const {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 890
    return __nv_cvt_float_to_fp8(v, __NV_SATFINITE, __NV_E4M3);
#else
    return encode<Format::e4m3fn>(static_cast<double>(v));
#endif
  }

  // amax_D: the bits of a non-negative double order like the double, so atomicMax is exact
  // in any order; NaN is a flag.
  FP8C_HD void amax(int, double max, bool nan) {
#if defined(__CUDA_ARCH__)
    if (nan) atomicOr(&amax_->nan, 1u);
    if (max > 0) atomicMax(&amax_->max_bits, static_cast<unsigned long long>(__double_as_longlong(max)));
#endif
  }

  // One mma.sync of this thread's lane on the registers `operands(Regs&)` names
  // (MmaRegisters): m16n8k32 FP8 of the operand formats (Mma = M16N8K32, sm_89+) or
  // m16n8k16 bf16 (Mma = M16N8K16).
  template <class Mma, class Operands>
  FP8C_HD void mma_fragments(Format a_format, Format b_format, Operands&& operands) {
#if defined(__CUDA_ARCH__)
    const cuda_index::MmaRegisters o = operands(r_);
    float* c = o.c;
    const std::uint32_t* a = o.a;
    const std::uint32_t* b = o.b;
    if constexpr (Mma::k == 32) {
#if __CUDA_ARCH__ >= 890
#define FP8C_MMA_FP8(A, B)                                                                                   \
  asm volatile("mma.sync.aligned.m16n8k32.row.col.f32." A "." B ".f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, " \
               "{%0,%1,%2,%3};\n"                                                                            \
               : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])                                              \
               : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]))
      const bool a4 = a_format == Format::e4m3fn, b4 = b_format == Format::e4m3fn;
      if (a4 && b4) FP8C_MMA_FP8("e4m3", "e4m3");
      else if (a4) FP8C_MMA_FP8("e4m3", "e5m2");
      else if (b4) FP8C_MMA_FP8("e5m2", "e4m3");
      else FP8C_MMA_FP8("e5m2", "e5m2");
#undef FP8C_MMA_FP8
#else
      __trap();  // the plans never launch a native kernel below sm_89
#endif
    } else {
      asm volatile(
          "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 {%0,%1,%2,%3}, {%4,%5,%6,%7}, {%8,%9}, "
          "{%0,%1,%2,%3};\n"
          : "+f"(c[0]), "+f"(c[1]), "+f"(c[2]), "+f"(c[3])
          : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b[0]), "r"(b[1]));
    }
#endif
  }
  // The GEMM's instruction tile (mt, nt): Regs::a[mt], b[nt], partial[mt][nt].
  template <class Path>
  FP8C_HD void mma(Format a_format, Format b_format, int mt, int nt) {
    mma_fragments<typename Path::Mma>(a_format, b_format, [&](Regs& r) {
      return cuda_index::MmaRegisters{r.a[mt], r.b[nt], r.partial[mt][nt]};
    });
  }

 private:
  Regs& r_;
  std::uint8_t* smem_;
  cuda_index::AmaxSlot* amax_;
};

}  // namespace fp8check::cuda_own
