#include "cli/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace vipcare::cli {

ProgressBar::ProgressBar(std::string label, size_t total)
    : label_(std::move(label)), total_(total), tty_(isatty(fileno(stderr)) != 0),
      start_(std::chrono::steady_clock::now()) {}

void ProgressBar::Update(size_t done) {
  if (!tty_) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < std::chrono::milliseconds(100) && done < total_) return;
  last_draw_ = now;
  constexpr int kWidth = 30;
  double frac = total_ ? double(done) / double(total_) : 0.0;
  if (frac > 1) frac = 1;
  int filled = int(frac * kWidth);
  double secs = std::chrono::duration<double>(now - start_).count();
  fmt::print(stderr, "\r{} [{}{}] {:3.0f}% {}/{} {:.1f}s", label_, std::string(filled, '#'),
             std::string(kWidth - filled, '.'), frac * 100, done, total_, secs);
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (!tty_) return;
  Update(total_);
  fmt::print(stderr, "\n");
}

}  // namespace vipcare::cli
