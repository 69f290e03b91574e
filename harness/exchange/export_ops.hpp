// How each op writes one case into its cases.h5 group (export_gemm.cpp,
// export_attention.cpp, export_quantize.cpp), and the writers they share
// (export_cases.cpp). Internal to harness/exchange.
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "harness/configs/device_profile.hpp"
#include "harness/core/element_type.hpp"
#include "harness/core/matrix.hpp"
#include "harness/exchange/h5_tree.hpp"
#include "harness/quantize/quantize.hpp"
#include "harness/run/run_case.hpp"

namespace fp8check::exchange {

struct ExportContext {
  std::uint64_t seed = 0;
  const DeviceProfile* device = nullptr;  // the run's profile (a case may name its own)
  std::set<Format>* formats = nullptr;    // formats whose decode tables /formats/NAME holds
};

// Each writes the case's attributes and tensors into `group` and returns "", or returns
// the reason the pipeline skips the case (its device cannot run it) without writing
// tensors. InputError when the pipeline could not build the case either.
std::string export_gemm(H5Node& group, const CaseInput& c, const ExportContext& ctx);
std::string export_attention(H5Node& group, const CaseInput& c, const ExportContext& ctx);
std::string export_quantize(H5Node& group, const CaseInput& c, const ExportContext& ctx);

// Element codes, one per byte, as the exchange stores them: uint8 codes of a float format
// (attribute format names its /formats table), int8 values for INT8/INT4.
void write_codes(H5Node& group, const std::string& name, std::span<const std::uint8_t> codes, ElementType type,
                 const Shape& shape, const ExportContext& ctx);
// The codes of each matrix, row-major, one after another.
std::vector<std::uint8_t> flat_codes(std::span<const CodeMatrix* const> matrices);
// The values of each matrix, row-major, one after another.
std::vector<double> flat_values(std::span<const MatrixD* const> matrices);
// The scale grid of each quantized matrix (`leading` extents before the grid's two): float32
// values or uint8 codes by kind, with attributes block = [rows, cols] (resolved) and kind.
void write_scales(H5Node& group, const std::string& name, std::span<const QuantizedMatrix* const> matrices,
                  const Shape& leading, const ExportContext& ctx);

}  // namespace fp8check::exchange
