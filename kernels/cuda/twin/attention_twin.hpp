// The CPU twin of fp8check's own FP8 attention kernel: the block program
// (kernels/cuda/index/attention_program.hpp) for every block of the grid on the twin
// machine (twin_machine.hpp), from the same plan the cuda backend launches
// (attention_plan.hpp), with Ada's mma.sync models (sm89-mma: m16n8k32 FP8 and m16n8k16
// bf16). Its output must carry the bits of the emulated attention under the kernel model
// `sm89-mma`: tests/cuda/attention_twin_test.cpp holds it to that.
#pragma once

#include <vector>

#include "harness/backend/attention_arguments.hpp"
#include "kernels/cuda/twin/gemm_twin.hpp"  // TwinRun
#include "kernels/cuda/twin/twin_machine.hpp"

namespace fp8check::cuda_twin {

// The models of Ada's mma.sync: the FP8 instruction and the bf16 one (a bf16 P).
TwinModels attention_twin_models();

// Runs the kernel plan_own_attention(args, 89) chooses into `out` (both passes with kv splits). The kernel may read only
// Q, K, V and their descales (the race checker's global regions). InputError when no kernel
// fits the arguments (why_no_own_attention); InternalError on a race or an access outside
// shared memory or the buffers.
TwinRun run_attention_twin(const AttentionArguments& args, AttentionOutput& out,
                           const TwinModels& models = attention_twin_models());

}  // namespace fp8check::cuda_twin
