// Results files (harness/record/results_file.hpp): every field of every CaseResult reads
// back bit for bit, including NaN, infinities, -0 and absent optional parts; a missing,
// non-HDF5, truncated, foreign, newer-schema or incomplete file is an InputError naming
// the file and the problem (HDF5 prints nothing); and a write that fails leaves the
// previous file as it was. h5py and h5dump read the files: tests/record/results_h5py_test.py.
#include <hdf5.h>

#include <fstream>
#include <functional>
#include <initializer_list>

#include "harness/core/error.hpp"
#include "harness/record/hdf5_file.hpp"
#include "tests/results_test_support.hpp"

namespace fp8check::record {
namespace {

using namespace testing;

void expect_input_error(const std::function<void()>& f, std::initializer_list<std::string> parts) {
  ::testing::internal::CaptureStderr();
  try {
    f();
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");  // HDF5's own error stack stays silent
}

// A case with nothing optional: no params, checks, statistics, metrics or output.
CaseResult bare_case(const std::string& id) {
  CaseResult c;
  c.id = id;
  c.op = "quantize";
  c.backend = "cuda";
  c.config = "-";
  c.verdict = Verdict::skipped;
  c.reason = "e4m3fn needs native FP8, sm_89+; device is sm_86";
  return c;
}

// A GPU case with a sampled output and total_error only (no optional elements in it).
CaseResult sampled_case(const std::string& id) {
  CaseResult c = full_case(id, "cuda");
  c.kernel_error.reset();
  c.total_error->max_relative_element.reset();
  c.total_error->first_special_mismatch.reset();
  c.total_error->worst.clear();
  c.checks.clear();
  c.metrics.clear();
  c.verdict = Verdict::fail;
  c.reason = "kernel max_abs_error 3 > bound 1";
  c.output = OutputRecord{"fp32", 1000, 3000, "fedcba9876543210", false, {0, 2999999, 12345}, {-0.0, kNaN, -kInf}};
  return c;
}

std::vector<CaseResult> sample_cases() {
  CaseResult specials = full_case("gemm/specials");
  specials.output = complete_output(2, 3, "bf16", [](std::int64_t i) {
    const double v[] = {1.0, -0.0, 1.5, kInf, -std::numeric_limits<double>::quiet_NaN(), 0x1p-133};
    return v[i];
  });
  return {full_case("gemm/m=64/n=64/k=128"), sampled_case("gemm/cuda/sampled"), bare_case("quantize/skipped"),
          specials};
}

TEST_F(ResultsTest, EveryFieldReadsBackBitForBit) {
  const fs::path path = dir_ / "r.h5";
  const std::vector<CaseResult> cases = sample_cases();
  write_results(path, sample_metadata(), cases);
  const ResultsFile r = read_results(path);
  EXPECT_EQ(r.path, path.string());
  const RunMetadata m = sample_metadata();
  EXPECT_EQ(r.metadata.schema_version, kResultsSchemaVersion);
  for (auto f : {&RunMetadata::fp8check_version, &RunMetadata::git_sha, &RunMetadata::compiler,
                 &RunMetadata::compile_flags, &RunMetadata::cuda_version, &RunMetadata::device, &RunMetadata::host,
                 &RunMetadata::started_at, &RunMetadata::suite_name, &RunMetadata::suite_file,
                 &RunMetadata::suite_sha256, &RunMetadata::filter, &RunMetadata::shard, &RunMetadata::command_line,
                 &RunMetadata::blas, &RunMetadata::blas_core, &RunMetadata::blas_threads, &RunMetadata::blas_warning})
    EXPECT_EQ(r.metadata.*f, m.*f);
  EXPECT_EQ(r.metadata.seed, m.seed);
  EXPECT_EQ(r.regenerate, m.command_line);  // the default hint
  ASSERT_EQ(r.cases.size(), cases.size());
  for (std::size_t i = 0; i < cases.size(); ++i) expect_same_case(cases[i], r.cases[i]);
  ASSERT_NE(r.find("quantize/skipped"), nullptr);
  EXPECT_EQ(r.find("quantize/skipped")->verdict, Verdict::skipped);
  EXPECT_EQ(r.find("nope"), nullptr);
}

TEST_F(ResultsTest, CompressionSettingsDoNotChangeWhatIsRead) {
  const std::vector<CaseResult> cases = sample_cases();
  ResultsWriteOptions contiguous, deflate_only, shuffle_only;
  contiguous.compress_min_elements = 0;
  deflate_only.compress_min_elements = 1;
  deflate_only.gzip_level = 9;
  deflate_only.shuffle = false;
  shuffle_only.compress_min_elements = 1;
  shuffle_only.gzip_level = 0;
  shuffle_only.regenerate = "make it again";
  for (const ResultsWriteOptions& o : {contiguous, deflate_only, shuffle_only}) {
    write_results(dir_ / "r.h5", sample_metadata(), cases, o);
    const ResultsFile r = read_results(dir_ / "r.h5");
    EXPECT_EQ(r.regenerate, o.regenerate.empty() ? sample_metadata().command_line : o.regenerate);
    for (std::size_t i = 0; i < cases.size(); ++i) expect_same_case(cases[i], r.cases[i]);
  }
}

TEST_F(ResultsTest, AnEmptyRunRoundTrips) {
  write_results(dir_ / "r.h5", sample_metadata(), {});
  EXPECT_TRUE(read_results(dir_ / "r.h5").cases.empty());
}

// --- corrupt, foreign and incomplete files ----------------------------------------

// Edits an existing file with the HDF5 C API, as another tool (or a newer fp8check) might.
class Hdf5Editor {
 public:
  explicit Hdf5Editor(const fs::path& path) : file_(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT)) {
    EXPECT_GE(file_, 0);
  }
  ~Hdf5Editor() { H5Fclose(file_); }
  void remove_attribute(const char* object, const char* name) {
    EXPECT_GE(H5Adelete_by_name(file_, object, name, H5P_DEFAULT), 0) << object << " " << name;
  }
  void set_int(const char* object, const char* name, std::int64_t value) {
    remove_attribute(object, name);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate_by_name(file_, object, name, H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(H5Awrite(a, H5T_NATIVE_INT64, &value), 0);
    H5Aclose(a);
    H5Sclose(space);
  }
  void set_string(const char* object, const char* name, const char* value) {
    remove_attribute(object, name);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t a = H5Acreate_by_name(file_, object, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    EXPECT_GE(H5Awrite(a, type, &value), 0);
    H5Aclose(a);
    H5Sclose(space);
    H5Tclose(type);
  }
  void remove_link(const char* path) { EXPECT_GE(H5Ldelete(file_, path, H5P_DEFAULT), 0) << path; }
  // Replaces a dataset by one that declares `dims` float64 elements and stores none
  // (chunked, never written: the file stays small whatever it claims).
  void declare_huge(const char* path, std::vector<hsize_t> dims, hid_t type = H5T_IEEE_F64LE) {
    remove_link(path);
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
    std::vector<hsize_t> chunk(dims.size(), 1024);
    EXPECT_GE(H5Pset_chunk(dcpl, static_cast<int>(chunk.size()), chunk.data()), 0);
    const hid_t d = H5Dcreate2(file_, path, type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    EXPECT_GE(d, 0) << path;
    H5Dclose(d);
    H5Pclose(dcpl);
    H5Sclose(space);
  }
  // Replaces a 1-D string dataset by one holding `values`.
  void set_strings(const char* path, const std::vector<std::string>& values) {
    remove_link(path);
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, H5T_VARIABLE);
    const hsize_t n = values.size();
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t d = H5Dcreate2(file_, path, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    std::vector<const char*> pointers;
    for (const std::string& v : values) pointers.push_back(v.c_str());
    EXPECT_GE(H5Dwrite(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, pointers.data()), 0);
    H5Dclose(d);
    H5Sclose(space);
    H5Tclose(type);
  }

 private:
  hid_t file_;
};

TEST_F(ResultsTest, AMissingFileIsAnInputError) {
  expect_input_error([&] { read_results(dir_ / "missing.h5"); }, {"missing.h5", "no such file"});
}

TEST_F(ResultsTest, ANonHdf5FileIsAnInputError) {
  std::ofstream(dir_ / "text.h5") << "case,verdict\ngemm,pass\n";
  expect_input_error([&] { read_results(dir_ / "text.h5"); }, {"text.h5", "not an HDF5 file"});
}

TEST_F(ResultsTest, ATruncatedFileIsAnInputError) {
  const fs::path path = dir_ / "r.h5";
  write_results(path, sample_metadata(), sample_cases());
  const auto size = fs::file_size(path);
  for (const std::uintmax_t keep : {size / 2, size - 1, std::uintmax_t{4096}}) {
    fs::copy_file(path, dir_ / "cut.h5", fs::copy_options::overwrite_existing);
    fs::resize_file(dir_ / "cut.h5", keep);
    expect_input_error([&] { read_results(dir_ / "cut.h5"); }, {"cut.h5"});
  }
}

TEST_F(ResultsTest, AForeignHdf5FileIsAnInputError) {
  {
    Hdf5File f = Hdf5File::create(dir_ / "quantized.h5");
    f.root().set_attribute("schema", "fp8check.quantize/1");
    f.commit();
  }
  expect_input_error([&] { read_results(dir_ / "quantized.h5"); },
                     {"quantized.h5", "not an fp8check results file", "format = \"fp8check-results\""});
  const fs::path path = dir_ / "r.h5";
  write_results(path, sample_metadata(), {});
  Hdf5Editor(path).set_string("/", "format", "someone-elses-results");
  expect_input_error([&] { read_results(path); }, {"r.h5", "someone-elses-results", "fp8check-results"});
}

TEST_F(ResultsTest, AnotherSchemaVersionIsAnInputError) {
  const fs::path path = dir_ / "r.h5";
  write_results(path, sample_metadata(), sample_cases());
  Hdf5Editor(path).set_int("/", "schema_version", 2);
  expect_input_error([&] { read_results(path); },
                     {"r.h5", "schema_version 2", "expected 1", "regenerate it: " + sample_metadata().command_line});
}

TEST_F(ResultsTest, AMissingOrMalformedMemberIsAnInputError) {
  struct Damage {
    std::function<void(Hdf5Editor&)> apply;
    std::vector<std::string> message;
  };
  const std::vector<Damage> damages = {
      {[](Hdf5Editor& e) { e.remove_attribute("/", "suite_name"); }, {"/suite_name", "no such attribute"}},
      {[](Hdf5Editor& e) { e.remove_attribute("/", "seed"); }, {"/seed", "no such attribute"}},
      {[](Hdf5Editor& e) { e.remove_attribute("/cases/000001", "verdict"); }, {"/cases/000001/verdict"}},
      {[](Hdf5Editor& e) { e.set_string("/cases/000000", "verdict", "maybe"); },
       {"/cases/000000", "verdict 'maybe'", "pass, improved"}},
      {[](Hdf5Editor& e) { e.set_string("/cases/000000", "id", "other"); }, {"id 'other'", "/case_index"}},
      {[](Hdf5Editor& e) { e.set_int("/cases/000000/output", "rows", 63); }, {"/cases/000000/output/values", "shape"}},
      {[](Hdf5Editor& e) { e.set_int("/cases/000000/output", "complete", 7); }, {"complete is 7", "0 or 1"}},
      {[](Hdf5Editor& e) { e.set_string("/cases/000000/kernel_error", "output_type", "bf17"); },
       {"output_type 'bf17'", "e4m3fn"}},
      {[](Hdf5Editor& e) { e.remove_link("/cases/000002"); }, {"/case_index lists 4 case(s) but /cases holds 3"}},
      // A shorter /case_index would silently drop cases: it must agree with /cases.
      {[](Hdf5Editor& e) { e.set_strings("/case_index", {"a", "b", "c"}); },
       {"/case_index lists 3 case(s) but /cases holds 4"}},
      // Datasets that declare 10^11 elements: refused by their declared size, never allocated.
      {[](Hdf5Editor& e) {
         e.declare_huge("/cases/000000/output/values", {100000, 1000000});
         e.set_int("/cases/000000/output", "rows", 100000);
         e.set_int("/cases/000000/output", "cols", 1000000);
       },
       {"/cases/000000/output declares a 100000 x 1000000 output", "memory"}},
      {[](Hdf5Editor& e) { e.declare_huge("/cases/000000/output/values", {100000000000ull}); },
       {"/cases/000000/output/values does not have the shape rows x cols"}},
      {[](Hdf5Editor& e) { e.declare_huge("/cases/000000/kernel_error/worst/index", {100000000000ull}, H5T_STD_I64LE); },
       {"/cases/000000/kernel_error/worst has columns of different lengths"}},
      {[](Hdf5Editor& e) {
         for (const char* c : {"index", "row", "col"})
           e.declare_huge(("/cases/000000/kernel_error/worst/" + std::string(c)).c_str(), {100000000000ull},
                          H5T_STD_I64LE);
         for (const char* c : {"out", "ref", "abs_error"})
           e.declare_huge(("/cases/000000/kernel_error/worst/" + std::string(c)).c_str(), {100000000000ull});
       },
       {"/cases/000000/kernel_error/worst declares 100000000000 rows"}},
      {[](Hdf5Editor& e) { e.declare_huge("/cases/000000/kernel_error/ulp_histogram", {100000000000ull}, H5T_STD_I64LE); },
       {"/cases/000000/kernel_error/ulp_histogram", "100000000000 buckets"}},
      {[](Hdf5Editor& e) { e.declare_huge("/cases/000000/checks/observed", {100000000000ull}); },
       {"/cases/000000/checks has columns of different lengths"}},
      {[](Hdf5Editor& e) { e.declare_huge("/case_index", {100000000000ull}, H5T_STD_I64LE); },
       {"/case_index lists 100000000000 case(s)"}},
      {[](Hdf5Editor& e) { e.remove_link("/cases/000000/checks/limit"); }, {"/cases/000000/checks/limit"}},
      {[](Hdf5Editor& e) { e.remove_link("/case_index"); }, {"/case_index"}},
  };
  const fs::path path = dir_ / "r.h5";
  for (const Damage& d : damages) {
    write_results(path, sample_metadata(), sample_cases());
    {
      Hdf5Editor editor(path);
      d.apply(editor);
    }
    std::vector<std::string> parts = d.message;
    parts.push_back(path.string());
    ::testing::internal::CaptureStderr();
    try {
      read_results(path);
      ADD_FAILURE() << "no InputError for " << d.message.front();
    } catch (const InputError& e) {
      for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
    }
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  }
}

// Files written before a run recorded its BLAS (goldens among them) read with those fields
// empty; every other field is still required (above).
TEST_F(ResultsTest, AFileWithoutTheBlasFieldsReadsThemAsEmpty) {
  const fs::path path = dir_ / "r.h5";
  write_results(path, sample_metadata(), sample_cases());
  {
    Hdf5Editor editor(path);
    for (const char* name : {"blas", "blas_core", "blas_threads", "blas_warning"}) editor.remove_attribute("/", name);
  }
  const ResultsFile r = read_results(path);
  for (auto f : {&RunMetadata::blas, &RunMetadata::blas_core, &RunMetadata::blas_threads, &RunMetadata::blas_warning})
    EXPECT_EQ(r.metadata.*f, "");
  EXPECT_EQ(r.metadata.suite_name, sample_metadata().suite_name);
}

// --- what cannot be written, and atomicity -----------------------------------------

TEST_F(ResultsTest, DuplicateOrEmptyIdsAndBadAxesAreRefused) {
  std::vector<CaseResult> cases = {bare_case("a"), bare_case("a")};
  expect_input_error([&] { write_results(dir_ / "r.h5", sample_metadata(), cases); }, {"'a' appears twice"});
  cases = {bare_case("")};
  expect_input_error([&] { write_results(dir_ / "r.h5", sample_metadata(), cases); }, {"empty id"});
  cases = {bare_case("a")};
  cases[0].params = {{"m,n", "1"}};
  expect_input_error([&] { write_results(dir_ / "r.h5", sample_metadata(), cases); }, {"axis 'm,n'"});
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(ResultsTest, AFailedWriteLeavesThePreviousFile) {
  const fs::path path = dir_ / "r.h5";
  const std::vector<CaseResult> old_cases = sample_cases();
  write_results(path, sample_metadata(), old_cases);
  std::vector<CaseResult> broken = sample_cases();
  broken.push_back(full_case("gemm/broken"));
  broken.back().output->values.pop_back();  // 4095 values for a complete 64x64 output: fails mid-write
  EXPECT_THROW(write_results(path, sample_metadata(), broken), InternalError);
  const ResultsFile r = read_results(path);
  ASSERT_EQ(r.cases.size(), old_cases.size());
  for (std::size_t i = 0; i < old_cases.size(); ++i) expect_same_case(old_cases[i], r.cases[i]);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);  // no temporary left
}

}  // namespace
}  // namespace fp8check::record
