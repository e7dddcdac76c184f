// bench/latency_recorder.h
#pragma once
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace vipcare::bench {

// Records the time of each call of a benchmark and reports p50, p99 and max
// in microseconds (and the number of calls, as `count_name`) as counters
// when the benchmark ends: Google Benchmark itself only reports means.
class LatencyRecorder {
 public:
  explicit LatencyRecorder(benchmark::State& state, std::string count_name = "calls")
      : state_(state), count_name_(std::move(count_name)) {
    nanos_.reserve(static_cast<size_t>(state.max_iterations));
  }
  ~LatencyRecorder() {
    if (nanos_.empty()) return;
    std::sort(nanos_.begin(), nanos_.end());
    auto at = [this](double q) {
      size_t i = static_cast<size_t>(q * static_cast<double>(nanos_.size()));
      return static_cast<double>(nanos_[std::min(i, nanos_.size() - 1)]) / 1000.0;
    };
    state_.counters["p50_us"] = at(0.50);
    state_.counters["p99_us"] = at(0.99);
    state_.counters["max_us"] = static_cast<double>(nanos_.back()) / 1000.0;
    state_.counters[count_name_] = static_cast<double>(nanos_.size());
  }
  LatencyRecorder(const LatencyRecorder&) = delete;
  LatencyRecorder& operator=(const LatencyRecorder&) = delete;

  void Add(std::chrono::steady_clock::duration d) {
    nanos_.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
  }

 private:
  benchmark::State& state_;
  std::string count_name_;
  std::vector<int64_t> nanos_;
};

}  // namespace vipcare::bench
