// vipcare_bench's entry point: Google Benchmark's, plus two jobs that are not
// benchmarks (--write-http-keys FILE, --write-sealed-keys FILE: see
// lookup_bench.cc).
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

namespace vipcare::bench {
int WriteHttpKeys(const std::string& path);
int WriteSealedKeys(const std::string& path);
}  // namespace vipcare::bench

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--write-http-keys") == 0) {
    return vipcare::bench::WriteHttpKeys(argv[2]);
  }
  if (argc == 3 && std::strcmp(argv[1], "--write-sealed-keys") == 0) {
    return vipcare::bench::WriteSealedKeys(argv[2]);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
