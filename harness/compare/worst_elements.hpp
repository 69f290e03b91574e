// The k elements with the largest absolute error, kept in a bounded heap whose storage
// is reserved once, so offering an element never allocates. "Worse" is a strict total
// order (larger error first, then smaller flat index), so the kept set - and therefore
// the result of merging partial sets - does not depend on the order elements arrive in.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace fp8check {

// One element of the compared tensors. Units: out, ref and abs_error are in the tensor's
// own units; index is the flat row-major index, row = index / cols, col = index % cols.
struct ElementReport {
  std::int64_t index = 0;
  std::int64_t row = 0;
  std::int64_t col = 0;
  double out = 0.0;
  double ref = 0.0;
  double abs_error = 0.0;  // |out - ref| in FP64

  friend bool operator==(const ElementReport&, const ElementReport&) = default;
};

class WorstElements {
 public:
  explicit WorstElements(std::size_t capacity) : capacity_(capacity) { heap_.reserve(capacity); }

  // a ranks before b: larger error, ties broken by the smaller index.
  static bool worse(const ElementReport& a, const ElementReport& b) {
    return a.abs_error > b.abs_error || (a.abs_error == b.abs_error && a.index < b.index);
  }

  // row and col are filled in by sorted(); abs_error must not be NaN.
  void offer(double abs_error, std::int64_t index, double out, double ref) {
    if (capacity_ == 0) return;
    // heap_.front() is the least bad element kept (the heap is ordered by `worse`).
    if (heap_.size() == capacity_) {
      const ElementReport& least = heap_.front();
      if (!(abs_error > least.abs_error || (abs_error == least.abs_error && index < least.index))) return;
      std::pop_heap(heap_.begin(), heap_.end(), worse);
      heap_.back() = ElementReport{index, 0, 0, out, ref, abs_error};
    } else {
      if (heap_.capacity() < capacity_) heap_.reserve(capacity_);  // a copy does not keep capacity
      heap_.push_back(ElementReport{index, 0, 0, out, ref, abs_error});
    }
    std::push_heap(heap_.begin(), heap_.end(), worse);
  }

  // False when offer(abs_error, ...) would certainly keep nothing: the set is full and an
  // element with this error is less bad than every kept one whatever its index. A cheap
  // test for loops that offer every element.
  bool may_keep(double abs_error) const {
    return capacity_ != 0 && (heap_.size() < capacity_ || abs_error >= heap_.front().abs_error);
  }

  void merge(const WorstElements& other) {
    for (const ElementReport& e : other.heap_) offer(e.abs_error, e.index, e.out, e.ref);
  }

  // The kept elements, worst first, with row and col computed for `cols` columns.
  std::vector<ElementReport> sorted(std::int64_t cols) const {
    std::vector<ElementReport> out = heap_;
    std::sort(out.begin(), out.end(), worse);
    for (ElementReport& e : out) {
      e.row = e.index / cols;
      e.col = e.index % cols;
    }
    return out;
  }

 private:
  std::size_t capacity_;
  std::vector<ElementReport> heap_;
};

}  // namespace fp8check
