// The backend `external` (docs/backends.md, docs/exchange-format.md): it runs nothing. It
// serves the outputs a kernel outside fp8check computed from cases.h5 and wrote to
// outputs.h5, so `fp8check verify` judges them with the unchanged run pipeline. Each
// run_* looks its case up (BackendOptions::case_id), checks the entry (shape, element
// type, values representable in the declared output type, not NaN-filled, the output
// scale) and copies it into the pipeline's output. A problem with one case's entry is an
// InputError: that case's `error` verdict, with the reason.
#pragma once

#include <memory>

#include "harness/exchange/outputs_file.hpp"

namespace fp8check::exchange {

// Registers (or replaces) the backend "external", serving `outputs`. `deterministic`:
// the kernel promises the same bits on every run (goldens then compare bits; otherwise
// statistics drift).
void register_external_backend(std::shared_ptr<const OutputsFile> outputs, bool deterministic);

}  // namespace fp8check::exchange
