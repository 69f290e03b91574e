#include "harness/report/gnuplot_runner.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <system_error>
#include <thread>
#include <vector>

#include "harness/core/error.hpp"

extern char** environ;

namespace fp8check::report {

namespace {

namespace fs = std::filesystem;

// A private directory for the script, the SVG and gnuplot's stderr; removed on exit.
class TempDirectory {
 public:
  TempDirectory() {
    std::string pattern = (fs::temp_directory_path() / "fp8check-gnuplot-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      throw InputError("cannot create a temporary directory for gnuplot from '" + pattern + "': " +
                       std::strerror(errno) + " (set TMPDIR to a writable directory)");
    path_ = pattern;
  }
  ~TempDirectory() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDirectory(const TempDirectory&) = delete;
  TempDirectory& operator=(const TempDirectory&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The last lines of gnuplot's stderr, enough to say what went wrong.
std::string tail_lines(const std::string& text, std::size_t max_chars) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t.size() > max_chars ? "..." + t.substr(t.size() - max_chars) : t;
}

// Waits for `pid` until the deadline; kills it after. Returns the wait status, or
// nullopt when it had to be killed.
std::optional<int> wait_with_deadline(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  auto pause = std::chrono::milliseconds(1);
  for (;;) {
    int status = 0;
    const pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno != EINTR) throw InternalError(std::string("waitpid on gnuplot failed: ") + std::strerror(errno));
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid, SIGKILL);
      while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return std::nullopt;
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds(20));
  }
}

}  // namespace

std::string gnuplot_quote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += "''";
    else if (c == '\n' || c == '\r') out += ' ';
    else out += c;
  }
  return out + "'";
}

GnuplotResult run_gnuplot(const std::string& program, std::string_view script, double timeout_seconds) {
  const TempDirectory dir;
  const fs::path script_path = dir.path() / "plot.gp", svg_path = dir.path() / "plot.svg",
                 stderr_path = dir.path() / "stderr.txt";
  {
    std::ofstream out(script_path, std::ios::binary);
    out << "set output " << gnuplot_quote(svg_path.string()) << "\n" << script << "\nunset output\n";
    if (!out.flush()) throw InputError("cannot write the gnuplot script '" + script_path.string() + "'");
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  // A fixed environment: no user init file (HOME), C number formatting, PATH to find the program.
  std::vector<std::string> env = {"HOME=" + dir.path().string(), "LC_ALL=C"};
  if (const char* path = std::getenv("PATH")) env.push_back(std::string("PATH=") + path);
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string arg0 = program, arg1 = script_path.string();
  char* argv[] = {arg0.data(), arg1.data(), nullptr};

  pid_t pid = 0;
  const bool search_path = program.find('/') == std::string::npos;
  const int rc = search_path ? posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv, envp.data())
                             : posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  GnuplotResult result;
  if (rc != 0) {
    result.status = GnuplotResult::Status::not_found;
    result.message = "gnuplot could not be started as '" + program + "': " + std::strerror(rc) +
                     " (install the Debian package gnuplot-nox, or give the path of a gnuplot program)";
    return result;
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                                 std::chrono::duration<double>(timeout_seconds));
  const std::optional<int> status = wait_with_deadline(pid, deadline);
  if (!status) {
    result.status = GnuplotResult::Status::timed_out;
    result.message = "gnuplot ('" + program + "') was stopped after " + std::to_string(timeout_seconds) + " s";
    return result;
  }
  const std::string errors = tail_lines(read_file(stderr_path), 400);
  if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
    result.status = GnuplotResult::Status::failed;
    // glibc's posix_spawn reports a failed exec as exit status 127 of the child.
    if (WIFEXITED(*status) && WEXITSTATUS(*status) == 127 && errors.empty()) {
      result.status = GnuplotResult::Status::not_found;
      result.message = "gnuplot could not be started as '" + program + "' (exit status 127)";
      return result;
    }
    result.message = "gnuplot ('" + program + "') failed: " + (errors.empty() ? "no message" : errors);
    return result;
  }
  result.svg = read_file(svg_path);
  if (result.svg.find("</svg>") == std::string::npos) {
    result.status = GnuplotResult::Status::failed;
    result.message = "gnuplot ('" + program + "') wrote no complete SVG" + (errors.empty() ? "" : ": " + errors);
    result.svg.clear();
    return result;
  }
  result.status = GnuplotResult::Status::ok;
  return result;
}

}  // namespace fp8check::report
