// src/domain/presets.h
#pragma once
#include <string_view>
#include <vector>

#include "domain/program.h"

namespace vipcare::domain {

// The five ready programs of SPEC §10 (apparel A/B/C, department store ladder,
// cosmetics VIP, premium goods, key accounts), shipped inside the binary.
// Thread-safe.

// The presets, parsed once on first use, in the order above. A preset that
// fails to parse is a build defect (the unit tests parse each one): it aborts
// with std::logic_error rather than start without its programs.
const std::vector<Program>& Presets();

// The shipped JSON text of each preset, in the same order.
std::vector<std::string_view> PresetTexts();

// The preset with `code`, or nullptr.
const Program* FindPreset(std::string_view code);

// A program's stable id. The presets' are the ones issue 5 names
// (apparel-abc, department-store, cosmetics, premium-goods, key-accounts);
// any other program's id is its code.
std::string_view ProgramId(std::string_view code);

// The code of the preset whose stable id is `id`, or "" if none is.
std::string_view PresetCodeOfId(std::string_view id);

}  // namespace vipcare::domain
