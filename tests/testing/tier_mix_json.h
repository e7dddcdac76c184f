// tests/testing/tier_mix_json.h
#pragma once
// Reading an R3 tier_mix answer (service/reports/tiers.cc) in tests.
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace vipcare::testing {

// The row of `tier` ("none", a code, or "program:code"); null if none.
inline nlohmann::json TierRow(const nlohmann::json& report, const std::string& tier) {
  for (const auto& row : report["rows"]) {
    if (row["tier_code"] == tier) return row;
  }
  return nlohmann::json();
}

// {"from->to": members} of the matrix.
inline std::map<std::string, int64_t> MatrixCells(const nlohmann::json& report) {
  std::map<std::string, int64_t> out;
  for (const auto& c : report["matrix"]["cells"]) {
    out[c["from"].get<std::string>() + "->" + c["to"].get<std::string>()] = c["members"];
  }
  return out;
}

// {tier: members} of one month of by_month (tiers with members only).
inline std::map<std::string, int64_t> MonthMix(const nlohmann::json& report,
                                               const std::string& month) {
  std::map<std::string, int64_t> out;
  for (const auto& e : report["by_month"]) {
    if (e["month"] == month && e["members"] != 0) out[e["tier_code"]] = e["members"];
  }
  return out;
}

}  // namespace vipcare::testing
