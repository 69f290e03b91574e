// The CPU machine the kernel programs of kernels/cuda/index run on (the "twin" of the GPU):
// a thread block as `threads` register files stepped one thread after another between
// barriers, shared memory as bytes with a race checker, cp.async as groups that land when
// the issuing thread waits for them, and every warp-wide mma.sync executed by the
// instruction models of kernels/emulated/mma on the operand matrices the fragment maps
// (mma_fragments.hpp) assemble from the 32 lanes' registers.
//
// The race checker turns a kernel bug that a GPU would hide behind timing into an error:
// reading shared memory before the cp.async that fills it was waited for, reading what
// another thread wrote (or waited for) without a barrier in between, overwriting bytes
// another thread read in the same barrier interval, reading bytes never written, reading
// or writing outside the block's shared memory or misaligned, copying from global memory
// outside the buffers the caller declared, a thread's direct range of an output buffer
// (claim_global) outside it or overlapping another thread's of the block. Each throws InternalError naming
// the access.
#pragma once

#include <cstdint>
#include <cstring>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "harness/core/convert.hpp"
#include "harness/core/error.hpp"
#include "kernels/cuda/index/gemm_params.hpp"
#include "kernels/cuda/index/mma_fragments.hpp"
#include "kernels/emulated/mma/kernel_model.hpp"
#include "kernels/emulated/mma/mma_execute.hpp"

namespace fp8check::cuda_twin {

// A global-memory buffer the kernel may read: [begin, begin + bytes).
struct TwinRegion {
  const void* begin = nullptr;
  std::size_t bytes = 0;
};

// What the twin's mma.sync does: the kernel model whose instruction the native path issues
// (sm89-mma: Ada's m16n8k32) and the one of the software path (sm80-mma: bf16 m16n8k16).
struct TwinModels {
  KernelModel native = parse_kernel_model("sm89-mma");
  KernelModel software = parse_kernel_model("sm80-mma");
};

class SharedMemoryChecker {
 public:
  explicit SharedMemoryChecker(int bytes) : bytes_(static_cast<std::size_t>(bytes)), state_(bytes_), data_(bytes_, 0) {}

  void barrier() { ++epoch_; }
  std::int64_t epoch() const { return epoch_; }

  // A write issued by thread tid (a store, or a cp.async that lands later).
  void check_write(int tid, int offset, int bytes, const char* what) {
    check_range(offset, bytes, what);
    for (int i = 0; i < bytes; ++i) {
      const Byte& b = state_[static_cast<std::size_t>(offset + i)];
      if (b.read_epoch == epoch_ && b.reader != tid)
        fail(what, tid, offset, "overwrites bytes another thread read since the last barrier (missing __syncthreads)");
      if (b.written && !b.landed) fail(what, tid, offset, "overwrites bytes whose cp.async has not landed");
    }
  }
  // The bytes of a write (store now, or a cp.async landing) by thread tid.
  void write(int tid, int offset, const std::uint8_t* src, int bytes) {
    for (int i = 0; i < bytes; ++i) {
      Byte& b = state_[static_cast<std::size_t>(offset + i)];
      b.written = b.landed = true;
      b.write_epoch = epoch_;
      b.writer = tid;
      data_[static_cast<std::size_t>(offset + i)] = src[i];
    }
  }
  void mark_in_flight(int offset, int bytes) {
    for (int i = 0; i < bytes; ++i) {
      Byte& b = state_[static_cast<std::size_t>(offset + i)];
      b.written = true;
      b.landed = false;
    }
  }
  void read(int tid, int offset, int bytes, std::uint8_t* out, const char* what) {
    check_range(offset, bytes, what);
    for (int i = 0; i < bytes; ++i) {
      Byte& b = state_[static_cast<std::size_t>(offset + i)];
      if (!b.written) fail(what, tid, offset, "reads shared memory nothing wrote");
      if (!b.landed) fail(what, tid, offset, "reads bytes whose cp.async the thread has not waited for (cp.async.wait_group)");
      if (b.writer != tid && b.write_epoch >= epoch_)
        fail(what, tid, offset, "reads bytes thread " + std::to_string(b.writer) + " wrote with no barrier in between");
      b.reader = b.read_epoch == epoch_ && b.reader != tid ? -2 : tid;
      b.read_epoch = epoch_;
      out[i] = data_[static_cast<std::size_t>(offset + i)];
    }
  }

 private:
  struct Byte {
    bool written = false, landed = false;
    std::int64_t write_epoch = -1, read_epoch = -1;
    int writer = -1, reader = -1;  // reader -2: several threads since read_epoch began
  };
  void check_range(int offset, int bytes, const char* what) const {
    if (offset < 0 || static_cast<std::size_t>(offset) + static_cast<std::size_t>(bytes) > bytes_)
      fail(what, -1, offset, "is outside the block's " + std::to_string(bytes_) + " bytes of shared memory");
    if (offset % bytes != 0) fail(what, -1, offset, "is not aligned to its " + std::to_string(bytes) + " bytes");
  }
  [[noreturn]] static void fail(const char* what, int tid, int offset, const std::string& why) {
    throw InternalError(std::string("twin: ") + what + " at shared offset " + std::to_string(offset) +
                        (tid >= 0 ? " by thread " + std::to_string(tid) : std::string()) + " " + why);
  }
  std::size_t bytes_;
  std::vector<Byte> state_;
  std::vector<std::uint8_t> data_;
  std::int64_t epoch_ = 0;
};

template <class Regs>
class TwinMachine {
 public:
  TwinMachine(int threads, int smem_bytes, const TwinModels& models, const std::vector<TwinRegion>& regions)
      : threads_(threads), regs_(static_cast<std::size_t>(threads)), smem_(smem_bytes), models_(models),
        regions_(regions), open_(static_cast<std::size_t>(threads)), groups_(static_cast<std::size_t>(threads)) {}

  template <class F>
  void each_thread(F&& f) {
    for (int t = 0; t < threads_; ++t) f(t, regs_[static_cast<std::size_t>(t)]);
  }
  void barrier() { smem_.barrier(); }

  void cp_async(int tid, int offset, const void* src, int bytes, bool valid) {
    smem_.check_write(tid, offset, bytes, "cp.async");
    Copy c{offset, std::vector<std::uint8_t>(static_cast<std::size_t>(bytes), 0)};
    if (valid) {
      check_global(src, static_cast<std::size_t>(bytes), "cp.async source");
      std::memcpy(c.data.data(), src, static_cast<std::size_t>(bytes));
    }
    smem_.mark_in_flight(offset, bytes);
    open_[static_cast<std::size_t>(tid)].push_back(std::move(c));
  }
  void commit(int tid) {
    groups_[static_cast<std::size_t>(tid)].push_back(std::move(open_[static_cast<std::size_t>(tid)]));
    open_[static_cast<std::size_t>(tid)].clear();
  }
  template <int Pending>
  void wait_pending(int tid) {
    auto& q = groups_[static_cast<std::size_t>(tid)];
    while (q.size() > static_cast<std::size_t>(Pending)) {
      for (const Copy& c : q.front()) smem_.write(tid, c.offset, c.data.data(), static_cast<int>(c.data.size()));
      q.pop_front();
    }
  }

  std::uint32_t lds(int tid, int offset, int bytes) {
    std::uint8_t b[4] = {0, 0, 0, 0};
    smem_.read(tid, offset, bytes, b, "shared load");
    std::uint32_t v = 0;
    std::memcpy(&v, b, static_cast<std::size_t>(bytes));
    return v;
  }
  std::uint32_t lds32(int tid, int offset) { return lds(tid, offset, 4); }
  std::uint32_t lds16(int tid, int offset) { return lds(tid, offset, 2); }
  float ldsf(int tid, int offset) {
    const std::uint32_t v = lds(tid, offset, 4);
    float f;
    std::memcpy(&f, &v, 4);
    return f;
  }
  void sts(int tid, int offset, std::uint32_t value, int bytes) {
    smem_.check_write(tid, offset, bytes, "shared store");
    std::uint8_t b[4];
    std::memcpy(b, &value, 4);
    smem_.write(tid, offset, b, bytes);
  }

  float ldg(const float* address) {
    check_global(address, sizeof(float), "global load");
    return *address;
  }
  // The caller's output buffers are the twin's own: index is in elements of `bytes`.
  void stg(void* base, std::int64_t index, std::uint32_t value, int bytes) {
    auto* at = static_cast<std::uint8_t*>(base) + index * bytes;
    if (!inside_output(at, static_cast<std::size_t>(bytes)))
      throw InternalError("twin: global store outside the output buffers (element " + std::to_string(index) + ")");
    std::memcpy(at, &value, static_cast<std::size_t>(bytes));
  }
  void add_output(void* begin, std::size_t bytes) { outputs_[static_cast<std::uint8_t*>(begin)] = bytes; }

  // A thread reads and writes [begin, begin + bytes) of an output buffer directly (the
  // combine's workspace row, through plain pointers): the range must lie inside one output
  // buffer and overlap no range another thread of the same block claimed.
  void claim_global(int tid, const void* begin, std::size_t bytes, const char* what) {
    const auto* at = static_cast<const std::uint8_t*>(begin);
    if (!inside_output(at, bytes)) throw InternalError(std::string("twin: ") + what + " lies outside the output buffers");
    for (const Claim& c : claims_)
      if (c.tid != tid && at < c.begin + c.bytes && c.begin < at + bytes)
        throw InternalError(std::string("twin: ") + what + " of thread " + std::to_string(tid) + " overlaps the " +
                            c.what + " of thread " + std::to_string(c.tid));
    claims_.push_back({tid, at, bytes, what});
  }

  std::uint32_t e4m3(int, float v) { return encode<Format::e4m3fn>(static_cast<double>(v)); }
  void amax(int, double max, bool nan) {
    if (nan) amax_.nan = 1;
    std::uint64_t bits;
    std::memcpy(&bits, &max, 8);
    if (bits > amax_.max_bits) amax_.max_bits = bits;
  }
  const cuda_index::AmaxSlot& amax_slot() const { return amax_; }
  std::int64_t instructions() const { return instructions_; }

  // One warp-wide mma.sync of shape Mma (M16N8K32: the native FP8 instruction of the
  // operand formats; M16N8K16: bf16) for every warp of the block: the operand matrices
  // assembled through the fragment maps from the registers `operands(Regs&)` names in each
  // lane (MmaRegisters), each D element by the instruction model, D scattered back.
  template <class Mma, class Operands>
  void mma_fragments(Format a_format, Format b_format, Operands&& operands) {
    const MmaInstruction& ins = instruction(Mma::k == 32, a_format, b_format);
    constexpr int bits = 32 / Mma::elements_per_register;
    constexpr std::uint32_t mask = (std::uint64_t{1} << bits) - 1;
    for (int w = 0; w < threads_ / 32; ++w) {
      std::uint16_t a[16][Mma::k], b[Mma::k][8];
      std::uint32_t c[16][8];
      bool seen_a[16][Mma::k] = {}, seen_b[Mma::k][8] = {}, seen_c[16][8] = {};
      for (int lane = 0; lane < 32; ++lane) {
        const cuda_index::MmaRegisters r = operands(regs_[static_cast<std::size_t>(w * 32 + lane)]);
        for (int i = 0; i < Mma::a_elements; ++i) {
          const cuda_index::FragmentCoord at = Mma::a(lane, i);
          claim(seen_a[at.row][at.col], "A");
          a[at.row][at.col] = static_cast<std::uint16_t>((r.a[i / Mma::elements_per_register] >>
                                                          (bits * (i % Mma::elements_per_register))) & mask);
        }
        for (int i = 0; i < Mma::b_elements; ++i) {
          const cuda_index::FragmentCoord at = Mma::b(lane, i);
          claim(seen_b[at.row][at.col], "B");
          b[at.row][at.col] = static_cast<std::uint16_t>((r.b[i / Mma::elements_per_register] >>
                                                          (bits * (i % Mma::elements_per_register))) & mask);
        }
        for (int i = 0; i < Mma::c_elements; ++i) {
          const cuda_index::FragmentCoord at = Mma::c(lane, i);
          claim(seen_c[at.row][at.col], "C");
          std::memcpy(&c[at.row][at.col], &r.c[i], 4);
        }
      }
      for (int row = 0; row < 16; ++row)
        for (int col = 0; col < 8; ++col) c[row][col] = mma_execute(ins, &a[row][0], 1, &b[0][col], 8, c[row][col]);
      for (int lane = 0; lane < 32; ++lane) {
        const cuda_index::MmaRegisters r = operands(regs_[static_cast<std::size_t>(w * 32 + lane)]);
        for (int i = 0; i < Mma::c_elements; ++i) {
          const cuda_index::FragmentCoord at = Mma::c(lane, i);
          std::memcpy(&r.c[i], &c[at.row][at.col], 4);
        }
      }
      ++instructions_;
    }
  }
  // The GEMM's instruction tile (mt, nt): Regs::a[mt], b[nt], partial[mt][nt].
  template <class Path>
  void mma(Format a_format, Format b_format, int mt, int nt) {
    mma_fragments<typename Path::Mma>(a_format, b_format, [&](Regs& r) {
      return cuda_index::MmaRegisters{r.a[mt], r.b[nt], r.partial[mt][nt]};
    });
  }

 private:
  struct Copy {
    int offset = 0;
    std::vector<std::uint8_t> data;
  };
  // The models' instructions, looked up once per operand pair.
  const MmaInstruction& instruction(bool native, Format a, Format b) {
    const int key = native ? static_cast<int>(a) * kFormatCount + static_cast<int>(b) : -1;
    auto it = instructions_by_key_.find(key);
    if (it == instructions_by_key_.end())
      it = instructions_by_key_
               .emplace(key, native ? models_.native.instruction(a, b) : models_.software.instruction(Format::bf16, Format::bf16))
               .first;
    return it->second;
  }
  static void claim(bool& seen, const char* what) {
    if (seen) throw InternalError(std::string("twin: two lanes hold the same ") + what + " element: the fragment map is not one-to-one");
    seen = true;
  }
  bool inside_output(const std::uint8_t* at, std::size_t bytes) const {
    auto it = outputs_.upper_bound(const_cast<std::uint8_t*>(at));
    return it != outputs_.begin() && at + bytes <= std::prev(it)->first + std::prev(it)->second;
  }
  void check_global(const void* address, std::size_t bytes, const char* what) const {
    if (regions_.empty()) return;
    const auto* p = static_cast<const std::uint8_t*>(address);
    for (const TwinRegion& r : regions_) {
      const auto* begin = static_cast<const std::uint8_t*>(r.begin);
      if (p >= begin && p + bytes <= begin + r.bytes) {
        if ((p - begin) % static_cast<std::ptrdiff_t>(bytes) != 0)
          throw InternalError(std::string("twin: ") + what + " is not aligned to its " + std::to_string(bytes) + " bytes");
        return;
      }
    }
    throw InternalError(std::string("twin: ") + what + " reads outside every input buffer");
  }

  int threads_;
  std::vector<Regs> regs_;
  SharedMemoryChecker smem_;
  TwinModels models_;
  std::vector<TwinRegion> regions_;
  std::vector<std::vector<Copy>> open_;
  std::vector<std::deque<std::vector<Copy>>> groups_;
  std::map<std::uint8_t*, std::size_t> outputs_;
  struct Claim {
    int tid;
    const std::uint8_t* begin;
    std::size_t bytes;
    const char* what;
  };
  std::vector<Claim> claims_;
  std::map<int, MmaInstruction> instructions_by_key_;
  cuda_index::AmaxSlot amax_;
  std::int64_t instructions_ = 0;
};

}  // namespace fp8check::cuda_twin
