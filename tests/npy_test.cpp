// .npy reading/writing (harness/io/npy.hpp) and atomic replacement (harness/io/atomic_file.hpp).
// Interoperability with numpy itself is checked by tests/cli/convert_test.py.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <string>

#include "harness/core/error.hpp"
#include "harness/io/atomic_file.hpp"
#include "harness/io/output_path.hpp"
#include "harness/io/npy.hpp"

namespace fp8check::io {
namespace {

namespace fs = std::filesystem;

std::vector<std::byte> as_bytes(std::string_view s) {
  std::vector<std::byte> out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

// An independent writer of the format (numpy.lib.format "Format Version 1.0"): magic,
// version, little-endian header length, `dict` padded with spaces to 64 bytes, '\n', data.
std::vector<std::byte> npy_file(const std::string& dict, std::string_view data = "", int major = 1) {
  const std::size_t length_size = major == 1 ? 2 : 4;
  std::string header = dict;
  while ((8 + length_size + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t i = 0; i < length_size; ++i) out += static_cast<char>(header.size() >> (8 * i));
  return as_bytes(out + header + std::string(data));
}

std::string dict(const std::string& descr, const std::string& shape, const std::string& fortran = "False") {
  return "{'descr': '" + descr + "', 'fortran_order': " + fortran + ", 'shape': " + shape + ", }";
}

// Expects InputError whose message contains every one of `parts`.
void expect_input_error(const std::function<void()>& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no InputError";
  } catch (const InputError& e) {
    for (const std::string& p : parts) EXPECT_NE(std::string(e.what()).find(p), std::string::npos) << e.what();
  }
}

// Elements that differ in every byte position that matters, so misplaced bytes show.
NpyArray sample(NpyDtype dtype, std::vector<std::size_t> shape) {
  NpyArray a = NpyArray::zeros(dtype, std::move(shape));
  for (std::size_t i = 0; i < a.element_count(); ++i) {
    if (npy_is_float(dtype)) a.set_float(i, (static_cast<double>(i) - 7.0) * 0.375 + 1.0 / 1024);
    else if (dtype == NpyDtype::uint32) a.set_code(i, static_cast<std::uint32_t>(i * 2654435761u + 0x80000001u));
    else a.set_code(i, static_cast<std::uint32_t>((i * 40503u + 17u) & (dtype == NpyDtype::uint8 ? 0xFFu : 0xFFFFu)));
  }
  return a;
}

void expect_same(const NpyArray& a, const NpyArray& b) {
  EXPECT_EQ(a.dtype, b.dtype);
  EXPECT_EQ(a.shape, b.shape);
  EXPECT_EQ(a.data, b.data);
}

class FilesInTempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "npy_test.XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir_)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }
  static std::string contents(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), {}};
  }
  fs::path dir_;
};

constexpr NpyDtype kDtypes[] = {NpyDtype::uint8, NpyDtype::uint16, NpyDtype::float16, NpyDtype::float32,
                                NpyDtype::float64, NpyDtype::uint32};

TEST(Npy, RoundTripsEveryDtypeAndShape) {
  const std::vector<std::vector<std::size_t>> shapes = {{}, {0}, {2, 0, 3}, {5}, {2, 3, 4}};
  for (NpyDtype t : kDtypes) {
    for (const auto& shape : shapes) {
      for (int major : {0, 1, 2, 3}) {
        SCOPED_TRACE(std::string(npy_dtype_name(t)) + " major " + std::to_string(major));
        const NpyArray a = sample(t, shape);
        const std::vector<std::byte> bytes = npy_to_bytes(a, major);
        EXPECT_EQ(std::to_integer<int>(bytes[6]), major == 0 ? 1 : major);
        expect_same(npy_from_bytes(bytes, "a.npy"), a);
      }
    }
  }
}

TEST(Npy, ElementAccessorsStoreLittleEndianIeeeValues) {
  NpyArray f16 = NpyArray::zeros(NpyDtype::float16, {3});
  f16.set_float(0, 65504.0);        // fp16 max, bits 0x7BFF
  f16.set_float(1, 0x1p-24);        // fp16 min subnormal, bits 0x0001
  f16.set_float(2, 1.0 + 0x1p-11);  // halfway between 1 and 1 + 2^-10: to even, 1.0
  EXPECT_EQ(f16.data, (std::vector<std::byte>{std::byte{0xFF}, std::byte{0x7B}, std::byte{0x01}, std::byte{0x00},
                                              std::byte{0x00}, std::byte{0x3C}}));
  EXPECT_EQ(f16.float_at(0), 65504.0);
  EXPECT_EQ(f16.float_at(1), 0x1p-24);
  EXPECT_EQ(f16.float_at(2), 1.0);

  NpyArray f32 = NpyArray::zeros(NpyDtype::float32, {1});
  f32.set_float(0, 0.1);
  EXPECT_EQ(f32.float_at(0), static_cast<double>(0.1f));
  NpyArray f64 = NpyArray::zeros(NpyDtype::float64, {1});
  f64.set_float(0, 0.1);
  EXPECT_EQ(f64.float_at(0), 0.1);

  NpyArray u16 = NpyArray::zeros(NpyDtype::uint16, {1});
  u16.set_code(0, 0x1234);
  EXPECT_EQ(u16.data, (std::vector<std::byte>{std::byte{0x34}, std::byte{0x12}}));
  EXPECT_EQ(u16.code_at(0), 0x1234u);
  EXPECT_THROW(u16.set_code(0, 0x10000), InternalError);
  EXPECT_THROW(f32.code_at(0), InternalError);
  EXPECT_THROW(u16.float_at(0), InternalError);
}

TEST(Npy, WritesNumpysLayout) {
  const std::vector<std::byte> bytes = npy_to_bytes(sample(NpyDtype::float32, {2}));
  const std::string text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  EXPECT_EQ(text.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t header_length =
      std::to_integer<std::size_t>(bytes[8]) | std::to_integer<std::size_t>(bytes[9]) << 8;
  EXPECT_EQ((10 + header_length) % 64, 0u);  // data aligned to 64 bytes
  EXPECT_EQ(bytes.size(), 10 + header_length + 2 * 4);
  const std::string header = text.substr(10, header_length);
  EXPECT_EQ(header.rfind(dict("<f4", "(2,)"), 0), 0u) << header;
  EXPECT_EQ(header.back(), '\n');
  EXPECT_EQ(header.find_first_not_of(' ', dict("<f4", "(2,)").size()), header_length - 1);
}

TEST(Npy, PicksVersion2WhenTheHeaderDoesNotFitVersion1) {
  const NpyArray a = sample(NpyDtype::uint8, std::vector<std::size_t>(22000, 1));  // "1, " x 22000 > 65535 bytes
  const std::vector<std::byte> bytes = npy_to_bytes(a);
  EXPECT_EQ(std::to_integer<int>(bytes[6]), 2);
  expect_same(npy_from_bytes(bytes, "a.npy"), a);
  EXPECT_THROW(npy_to_bytes(a, 1), InternalError);
}

TEST(Npy, ReadsHeadersSpelledDifferently) {
  const std::string data("\x01\x02\x03\x04", 4);
  // Version 2.0, double quotes, other key order, no trailing comma, Python 2 'L' ints.
  const NpyArray a = npy_from_bytes(
      npy_file("{\"shape\": (2L, 2L), \"fortran_order\": False, \"descr\": \"|u1\"}", data, 2), "a.npy");
  EXPECT_EQ(a.dtype, NpyDtype::uint8);
  EXPECT_EQ(a.shape, (std::vector<std::size_t>{2, 2}));
  EXPECT_EQ(a.code_at(3), 4u);
  // Fortran order is the same layout for one dimension.
  EXPECT_EQ(npy_from_bytes(npy_file(dict("<u2", "(2,)", "True"), data), "a.npy").code_at(1), 0x0403u);
  // '<u1' and native '=' are accepted spellings.
  EXPECT_EQ(npy_from_bytes(npy_file(dict("<u1", "(4,)"), data), "a.npy").dtype, NpyDtype::uint8);
  EXPECT_EQ(npy_from_bytes(npy_file(dict("=f4", "()"), data), "a.npy").dtype, NpyDtype::float32);
}

TEST(Npy, RejectsWhatItCannotReadWithOneClearLine) {
  const std::string f32x4(16, '\0');
  auto parse = [](const std::vector<std::byte>& bytes) { return [bytes] { npy_from_bytes(bytes, "x.npy"); }; };
  expect_input_error(parse(npy_file(dict(">f4", "(4,)"), f32x4)),
                     {"x.npy: big-endian arrays ('>f4') are not supported", "a.astype('<f4')"});
  expect_input_error(parse(npy_file(dict("<f4", "(2, 2)", "True"), f32x4)),
                     {"x.npy: Fortran-order arrays are not supported", "np.ascontiguousarray(a)"});
  expect_input_error(parse(npy_file(dict("<i8", "(2,)"), f32x4)),
                     {"x.npy: dtype int64 ('<i8') is not supported", "expected float16, float32, float64", "uint8"});
  expect_input_error(parse(npy_file(dict("|O", "(2,)"), f32x4)), {"x.npy: dtype object ('|O') is not supported"});
  expect_input_error(parse(npy_file("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (4,), }", f32x4)),
                     {"x.npy: structured dtype [('a', '<f4')] is not supported"});
  expect_input_error(parse(as_bytes("PK\x03\x04 a zip, not a .npy")), {"x.npy: not a .npy file (bad magic)"});
  expect_input_error(parse(as_bytes("\x93NUM")), {"x.npy: not a .npy file (bad magic)"});
  expect_input_error(parse(npy_file(dict("<f4", "(3, 4)"), f32x4)),
                     {"x.npy: truncated data", "shape (3, 4) float32 = 48 data bytes", "has 16"});
  expect_input_error(parse(npy_file(dict("<f4", "(2,)"), f32x4)), {"x.npy: 8 bytes follow the array data"});
  std::vector<std::byte> short_header = npy_file(dict("<f4", "(4,)"));
  short_header.resize(40);
  expect_input_error(parse(short_header), {"x.npy: truncated .npy header"});
  std::vector<std::byte> v4 = npy_file(dict("<f4", "(4,)"), f32x4);
  v4[6] = std::byte{4};
  expect_input_error(parse(v4), {"x.npy: .npy format version 4.0 is not supported", "1.0, 2.0 or 3.0"});
  expect_input_error(parse(npy_file("{'descr': '<f4', 'shape': (4,), }", f32x4)),
                     {"malformed .npy header (missing key"});
  expect_input_error(parse(npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'x': 1}", f32x4)),
                     {"malformed .npy header (unexpected key 'x'"});
  expect_input_error(parse(npy_file("{'descr': '<f4', 'fortran_order': 0, 'shape': (4,), }", f32x4)),
                     {"expected True or False"});
  expect_input_error(parse(npy_file(dict("<f4", "(-4,)"), f32x4)), {"expected a non-negative integer dimension"});
  expect_input_error(parse(npy_file(dict("<f4", "(4294967296, 4294967296)"), f32x4)), {"is too large"});
}

TEST_F(FilesInTempDir, ReadNpyNamesTheFileAndTheSystemError) {
  const fs::path missing = dir_ / "missing.npy";
  expect_input_error([&] { read_npy(missing); }, {missing.string() + ": cannot read: " + std::strerror(ENOENT)});
  expect_input_error([&] { read_npy(dir_); }, {dir_.string() + ": cannot read: " + std::strerror(EISDIR)});
}

// Only a regular file is read: a FIFO would block until a writer came (and a device might
// never end), so it is refused at once, and left as it was.
TEST_F(FilesInTempDir, ReadNpyRefusesAFifoWithoutWaitingForAWriter) {
  const fs::path fifo = dir_ / "pipe.npy";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  fs::create_symlink(fifo, dir_ / "link.npy");
  for (const fs::path& p : {fifo, dir_ / "link.npy"})
    expect_input_error([&] { read_npy(p); }, {p.string() + ": cannot read: not a regular file (a FIFO (named pipe))",
                                              "expected a readable .npy file"});
  EXPECT_TRUE(fs::is_fifo(fifo));
}

// A malformed header is quoted on the message's one line: numpy's padding and '\n' and
// any other control byte do not break it.
TEST(Npy, AMalformedHeaderIsQuotedOnOneLine) {
  const std::string f32x4(16, '\0');
  for (const std::string& header :
       {std::string("{'descr': '<f4', 'fortran_order': False, 'shapx': (4,), }"),
        std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }"),
        std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), 'a\nb': 1, }"),
        std::string("{'descr': '<f4', 'fortran_order': 'no', 'shape': (4,), }\r\x01")}) {
    std::string message;
    try {
      npy_from_bytes(npy_file(header, f32x4), "x.npy");
    } catch (const InputError& e) {
      message = e.what();
    }
    EXPECT_NE(message.find("x.npy: malformed .npy header ("), std::string::npos) << message;
    EXPECT_EQ(message.find_first_of("\n\r\x01"), std::string::npos) << message;
    EXPECT_NE(message.find("\"): expected numpy's"), std::string::npos) << message;  // padding dropped
  }
}

TEST_F(FilesInTempDir, WriteNpyReplacesTheFileAndLeavesNoTemporary) {
  const fs::path path = dir_ / "a.npy";
  write_npy(path, sample(NpyDtype::float64, {3}));
  const NpyArray b = sample(NpyDtype::uint16, {2, 3, 4});
  write_npy(path, b);
  expect_same(read_npy(path), b);
  EXPECT_EQ(names(), std::vector<std::string>{"a.npy"});
}

TEST_F(FilesInTempDir, AWriterThatThrowsBeforeCommitLeavesTheOldFile) {
  const fs::path path = dir_ / "a.npy";
  write_file_atomically(path, as_bytes("old"));
  try {
    AtomicFile file(path);
    file.write(as_bytes("partial new content"));
    EXPECT_EQ(names(), (std::vector<std::string>{file.temp_path().filename().string(), "a.npy"}));
    throw std::runtime_error("writer failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(contents(path), "old");
  EXPECT_EQ(names(), std::vector<std::string>{"a.npy"});
}

TEST_F(FilesInTempDir, TemporariesAreUniqueHiddenSiblings) {
  const fs::path path = dir_ / "a.npy";
  AtomicFile first(path), second(path);
  EXPECT_NE(first.temp_path(), second.temp_path());
  EXPECT_EQ(first.temp_path().parent_path(), dir_);
  EXPECT_EQ(first.temp_path().filename().string().rfind(".a.npy.tmp.", 0), 0u);
  second.write(as_bytes("second"));
  second.commit();
  EXPECT_EQ(contents(path), "second");
  EXPECT_THROW(second.commit(), InternalError);
}

TEST_F(FilesInTempDir, UnwritableTargetsAreInputErrorsAndCreateNothing) {
  const fs::path in_missing_dir = dir_ / "no_such_dir" / "a.npy";
  expect_input_error([&] { write_npy(in_missing_dir, sample(NpyDtype::uint8, {1})); },
                     {in_missing_dir.string() + ": cannot write", std::strerror(ENOENT)});
  expect_input_error([&] { write_npy(dir_, sample(NpyDtype::uint8, {1})); }, {dir_.string() + ": is a directory"});
  EXPECT_TRUE(names().empty());
}

// Writers replace only a missing or regular file: a FIFO, a device, a socket, a directory
// or a link to one of them is refused with one line, and nothing is written anywhere.
TEST_F(FilesInTempDir, OnlyRegularFilesAreEverReplaced) {
  const fs::path fifo = dir_ / "pipe";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(sock, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string socket_path = (dir_ / "sock").string();
  ASSERT_LT(socket_path.size(), sizeof address.sun_path);
  std::strcpy(address.sun_path, socket_path.c_str());
  ASSERT_EQ(::bind(sock, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
  fs::create_directory_symlink(dir_, dir_ / "dir_link");
  fs::create_symlink(fifo, dir_ / "fifo_link");
  fs::create_symlink(dir_ / "nowhere", dir_ / "dangling");
  const auto before = names();
  const std::vector<std::pair<fs::path, std::string>> refused = {
      {fifo, "is a FIFO (named pipe)"},
      {dir_ / "sock", "is a socket"},
      {"/dev/null", "is a character device"},
      {dir_, "is a directory"},
      {dir_ / "dir_link", "is a symbolic link to a directory"},
      {dir_ / "fifo_link", "is a symbolic link to a FIFO (named pipe)"},
      {dir_ / "dangling", "is a symbolic link to " + (dir_ / "nowhere").string() + ", which does not exist"},
  };
  for (const auto& entry : refused) {
    const fs::path& target = entry.first;  // named variables: clang 14 cannot capture a structured binding
    const std::string& what = entry.second;
    expect_input_error([&] { write_npy(target, sample(NpyDtype::uint8, {1})); },
                       {target.string() + ": " + what, "expected a regular file or a new name"});
    expect_input_error([&] { check_output_path(target); }, {target.string() + ": " + what});
  }
  ::close(sock);
  EXPECT_EQ(names(), before);  // no temporary, nothing replaced
  struct stat st;
  ASSERT_EQ(::lstat(fifo.c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
}

TEST_F(FilesInTempDir, ALinkToARegularFileIsFollowedAndKept) {
  write_file_atomically(dir_ / "real.npy", as_bytes("old"));
  fs::create_symlink("real.npy", dir_ / "link.npy");
  write_file_atomically(dir_ / "link.npy", as_bytes("new"));
  EXPECT_TRUE(fs::is_symlink(dir_ / "link.npy"));
  EXPECT_EQ(contents(dir_ / "real.npy"), "new");
  EXPECT_EQ(names(), (std::vector<std::string>{"link.npy", "real.npy"}));
}

TEST_F(FilesInTempDir, OutputPathsAreCheckedBeforeAnythingRuns) {
  write_file_atomically(dir_ / "file", as_bytes("x"));
  EXPECT_NO_THROW(check_output_path(dir_ / "new.h5"));
  EXPECT_NO_THROW(check_output_path(dir_ / "file"));
  EXPECT_NO_THROW(check_output_path(dir_ / "a" / "b" / "new.h5"));  // created later
  EXPECT_NO_THROW(check_output_path("relative.h5"));
  expect_input_error([&] { check_output_path(dir_ / "file" / "x.h5"); },
                     {(dir_ / "file").string() + " is a file, not a directory"});
  expect_input_error([&] { check_output_path(dir_ / "file" / "a" / "x.h5"); },
                     {(dir_ / "file").string() + " is a file, not a directory"});
  expect_input_error([&] { create_output_directory(dir_ / "file"); },
                     {(dir_ / "file").string() + ": is a file: expected a directory"});
  expect_input_error([&] { create_output_directory(dir_ / "file" / "sub"); }, {"is a file, not a directory"});
  create_output_directory(dir_ / "r" / "s");
  EXPECT_TRUE(fs::is_directory(dir_ / "r" / "s"));
  EXPECT_EQ(names(), (std::vector<std::string>{"file", "r"}));
}

// An output is never a file the command reads, whichever name reaches it.
TEST_F(FilesInTempDir, AnOutputIsNeverOneOfTheInputs) {
  write_file_atomically(dir_ / "golden.h5", as_bytes("g"));
  fs::create_symlink("golden.h5", dir_ / "link.h5");
  fs::create_hard_link(dir_ / "golden.h5", dir_ / "hard.h5");
  EXPECT_NO_THROW(check_not_an_input(dir_ / "new.h5", dir_ / "golden.h5", "the golden"));
  EXPECT_NO_THROW(check_not_an_input(dir_ / "golden.h5", dir_ / "missing.h5", "the golden"));
  EXPECT_NO_THROW(check_not_an_input(dir_ / "golden.h5", "", "the golden"));
  for (const fs::path& out : {dir_ / "golden.h5", dir_ / "link.h5", dir_ / "hard.h5", dir_ / "." / "golden.h5"})
    expect_input_error([&] { check_not_an_input(out, dir_ / "golden.h5", "the golden"); },
                       {out.string() + ": is the golden this command reads (" + (dir_ / "golden.h5").string() +
                        "): expected another output path (an output never replaces an input)"});
}

// Relative paths none of whose directories exist yet: what `fp8check run` gets in a fresh
// checkout (out/smoke/results.h5, out/smoke/report).
TEST_F(FilesInTempDir, RelativeOutputsInDirectoriesThatDoNotExistYet) {
  const fs::path before = fs::current_path();
  fs::current_path(dir_);
  EXPECT_NO_THROW(check_output_path(fs::path("out") / "smoke" / "results.h5"));
  EXPECT_NO_THROW(create_output_directory(fs::path("out") / "smoke" / "report"));
  EXPECT_NO_THROW(create_output_directory("report"));
  const bool made = fs::is_directory(dir_ / "out" / "smoke" / "report") && fs::is_directory(dir_ / "report");
  fs::current_path(before);
  EXPECT_TRUE(made);
}

}  // namespace
}  // namespace fp8check::io
