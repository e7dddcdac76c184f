// src/cli/progress.h
#pragma once
#include <chrono>
#include <cstddef>
#include <string>

namespace vipcare::cli {

// A one-line progress bar on stderr, redrawn at most 10 times a second, and
// silent when stderr is not a terminal (logs and CI stay clean). Not thread-safe.
class ProgressBar {
 public:
  ProgressBar(std::string label, size_t total);
  void Update(size_t done);
  void Finish();

 private:
  std::string label_;
  size_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace vipcare::cli
