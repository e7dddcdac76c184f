#include "domain/presets.h"

#include <stdexcept>

// The presets are JSON files in src/domain/presets/ that CMake compiles into
// generated/program_presets.cc (cmake/embed_presets.cmake), rather than raw
// string literals in this file: they are the very documents an admin edits and
// PUTs to /programs, so they stay plain JSON that can be linted, diffed and
// read by non-programmers, while the server still needs no data files at run
// time.
namespace vipcare::domain::presets_data {
extern const std::string_view kTexts[];
extern const size_t kCount;
}  // namespace vipcare::domain::presets_data

namespace vipcare::domain {

std::vector<std::string_view> PresetTexts() {
  return std::vector<std::string_view>(presets_data::kTexts,
                                       presets_data::kTexts + presets_data::kCount);
}

const std::vector<Program>& Presets() {
  static const std::vector<Program> presets = [] {
    std::vector<Program> out;
    for (std::string_view text : PresetTexts()) {
      auto p = ParseProgramText(text);
      if (!p.ok()) {
        throw std::logic_error("a shipped program preset is invalid at " + p.error().field + ": " +
                               p.error().message);
      }
      out.push_back(std::move(p).value());
    }
    return out;
  }();
  return presets;
}

const Program* FindPreset(std::string_view code) {
  for (const auto& p : Presets()) {
    if (p.code == code) return &p;
  }
  return nullptr;
}

namespace {

struct PresetId {
  std::string_view code;
  std::string_view id;
};
constexpr PresetId kPresetIds[] = {{"apparel_abc", "apparel-abc"},
                                   {"department_store", "department-store"},
                                   {"cosmetics", "cosmetics"},
                                   {"premium_goods", "premium-goods"},
                                   {"key_accounts", "key-accounts"}};

}  // namespace

std::string_view ProgramId(std::string_view code) {
  for (const auto& p : kPresetIds) {
    if (p.code == code) return p.id;
  }
  return code;
}

std::string_view PresetCodeOfId(std::string_view id) {
  for (const auto& p : kPresetIds) {
    if (p.id == id) return p.code;
  }
  return {};
}

}  // namespace vipcare::domain
