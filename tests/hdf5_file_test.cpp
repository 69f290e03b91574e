// The HDF5 layer (harness/record/hdf5_file.hpp): what is written reads back bit for bit,
// a file appears only on commit(), and HDF5 failures are InputErrors naming the file
// and the object, with nothing printed by HDF5 itself. Interoperability with h5py is
// checked by tests/cli/quantize_test.py.
#include "harness/record/hdf5_file.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <limits>
#include <string>
#include <vector>

#include "harness/core/error.hpp"

namespace fp8check::record {
namespace {

namespace fs = std::filesystem;

class Hdf5FileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("fp8check_hdf5_test." + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

void expect_input_error(const std::function<void()>& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

TEST_F(Hdf5FileTest, WhatIsWrittenReadsBackExactly) {
  const fs::path path = dir_ / "data.h5";
  const std::vector<std::uint8_t> codes = {0x00, 0x7F, 0x80, 0xFF, 0x38, 0x01};
  const std::vector<std::uint16_t> halves = {0x0000, 0x7C00, 0xFFFF, 0x3C00};
  const std::vector<float> floats = {0.1f, -0.0f, std::numeric_limits<float>::denorm_min(),
                                     std::numeric_limits<float>::infinity()};
  std::vector<double> doubles(3000);
  for (std::size_t i = 0; i < doubles.size(); ++i) doubles[i] = std::ldexp(1.0 + i, -static_cast<int>(i % 50));
  {
    Hdf5File f = Hdf5File::create(path);
    Hdf5Group& root = f.root();
    root.write_dataset<std::uint8_t>("codes", codes, {2, 3});
    root.write_dataset<std::uint16_t>("halves", halves, {4});
    Hdf5Group g = root.create_group("scales");
    g.write_dataset<float>("values", floats, {2, 2}, {.gzip_level = 0, .chunk = {1, 2}});
    g.write_dataset<double>("big", doubles, {100, 30}, {.gzip_level = 6, .chunk = {}});
    g.write_dataset<float>("empty", std::span<const float>(), {0});
    root.set_attribute("recipe", "vec128");
    root.set_attribute("count", std::int64_t{-42});
    root.set_attribute("sqnr_db", 31.25);
    root.set_attribute("recipe", "blk128x128");  // replaces
    g.set_attribute("order", std::string("col-major-tma"));
    EXPECT_FALSE(fs::exists(path));  // nothing at the target before commit()
    f.commit();
  }
  const Hdf5File f = Hdf5File::open(path);
  const Hdf5Group& root = f.root();
  const Hdf5Array<std::uint8_t> c = root.read_dataset<std::uint8_t>("codes", 6);
  EXPECT_EQ(c.shape, (std::vector<std::uint64_t>{2, 3}));
  EXPECT_EQ(c.values, codes);
  EXPECT_EQ(root.read_dataset<std::uint16_t>("halves", 100).values, halves);
  const Hdf5Group g = root.open_group("scales");
  const std::vector<float> f_back = g.read_dataset<float>("values", 4).values;
  ASSERT_EQ(f_back.size(), floats.size());
  for (std::size_t i = 0; i < floats.size(); ++i)
    EXPECT_EQ(std::bit_cast<std::uint32_t>(f_back[i]), std::bit_cast<std::uint32_t>(floats[i])) << i;
  const Hdf5Array<double> big = g.read_dataset<double>("big", 3000);
  EXPECT_EQ(big.shape, (std::vector<std::uint64_t>{100, 30}));
  EXPECT_EQ(big.values, doubles);
  EXPECT_TRUE(g.read_dataset<float>("empty", 0).values.empty());
  EXPECT_EQ(root.string_attribute("recipe"), "blk128x128");
  EXPECT_EQ(root.int_attribute("count"), -42);
  EXPECT_EQ(root.double_attribute("sqnr_db"), 31.25);
  EXPECT_EQ(g.string_attribute("order"), "col-major-tma");
  EXPECT_TRUE(root.contains("scales"));
  EXPECT_FALSE(root.contains("missing"));
  EXPECT_TRUE(root.has_attribute("count"));
  EXPECT_FALSE(root.has_attribute("missing"));
}

TEST_F(Hdf5FileTest, AnUncommittedFileLeavesNothing) {
  const fs::path path = dir_ / "never.h5";
  {
    Hdf5File f = Hdf5File::create(path);
    f.root().set_attribute("x", 1.0);
  }
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(dir_));  // the temporary is gone too
}

TEST_F(Hdf5FileTest, FailuresNameTheFileAndObjectAndPrintNothing) {
  const fs::path path = dir_ / "data.h5";
  {
    Hdf5File f = Hdf5File::create(path);
    f.root().write_dataset<float>("values", std::vector<float>{1, 2}, {2});
    f.root().set_attribute("name", "x");
    ::testing::internal::CaptureStderr();
    expect_input_error([&] { f.root().write_dataset<float>("values", std::vector<float>{1}, {1}); },
                       {path.string(), "/values", "HDF5:"});
    expect_input_error([&] { f.root().create_group("values"); }, {path.string(), "/values"});
    EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
    f.commit();
  }
  const Hdf5File f = Hdf5File::open(path);
  ::testing::internal::CaptureStderr();
  expect_input_error([&] { (void)f.root().read_dataset<double>("values", 2); },
                     {path.string(), "/values", "32-bit float", "expected float64"});
  expect_input_error([&] { (void)f.root().read_dataset<float>("nope", 2); }, {path.string(), "/nope"});
  // A declared size beyond the caller's bound is refused before anything is allocated.
  expect_input_error([&] { (void)f.root().read_dataset<float>("values", 1); },
                     {path.string(), "/values declares 2 elements", "expected at most 1"});
  EXPECT_EQ(f.root().dataset_shape("values"), (std::vector<std::uint64_t>{2}));
  EXPECT_EQ(f.root().link_count(), 1u);
  expect_input_error([&] { (void)f.root().int_attribute("name"); }, {"/name", "string", "expected one integer"});
  expect_input_error([&] { (void)f.root().string_attribute("nope"); }, {"/nope", "no such attribute"});
  expect_input_error([&] { (void)f.root().open_group("nope"); }, {"no group /nope"});
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");

  expect_input_error([&] { Hdf5File::open(dir_ / "missing.h5"); }, {"missing.h5", "no such file"});
  std::ofstream(dir_ / "text.h5") << "not hdf5\n";
  expect_input_error([&] { Hdf5File::open(dir_ / "text.h5"); }, {"text.h5", "not an HDF5 file"});
  expect_input_error([&] { Hdf5File::create(dir_ / "no_dir" / "x.h5"); }, {"no_dir"});
}

}  // namespace
}  // namespace fp8check::record
