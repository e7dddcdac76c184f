// src/service/programs.h
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "service/context.h"

namespace vipcare::service {

// Loyalty programs as data an admin edits (SPEC L6, issue 5 §8): the five
// presets shipped in the binary (SPEC §10) and the stored programs, each
// change a new version that applies from the next evaluation (a posting or
// the daily review reads the newest version). Thread-safe.
class Programs {
 public:
  explicit Programs(Env env) : env_(env) {}

  // {"items": [{"code", "name", "version", "current", "preset", "stored",
  //  "tiers": [names], "members_own", "stores": [{"id", "code", "name"}]}]}:
  // every preset and stored program, the company's current one marked, with
  // how many members are on it as their own program and the stores that
  // run it by default. Needs org_read.
  Result<nlohmann::json> List(const Actor& actor);

  // One program's JSON (ProgramToJson) with "version", "current",
  // "preset", "stored" and "versions" [{version, created_at,
  // created_by_username}]: the stored newest version (or `version` if > 0),
  // else the preset. kNotFound on "code". Needs org_read.
  Result<nlohmann::json> Get(const Actor& actor, const std::string& code, int64_t version = 0);

  // Stores `body` (a whole program, ProgramToJson form) as the next version
  // of `code` (the first edit of a preset follows the preset's own version):
  // the body's "code" must be `code` or absent and its "version" is ignored. Every value is checked (kInvalidArgument names the path,
  // e.g. "tiers[2].qualify.any_of[0].all_of[1].value"); audited with the
  // version. Needs program_admin. Answers as Get.
  Result<nlohmann::json> Put(const Actor& actor, const std::string& code,
                             const nlohmann::json& body);

  // The company runs `code` from now on (a preset not yet stored is stored
  // as version 1 first): every member who follows the company's program
  // moves with it, a member put on a program of their own (or started on
  // their store's default) stays. The followers who hold a tier or wait for
  // one are put on the new ladder at once (FinishProgramSwitch: a tier the
  // new program has is kept, the others are placed by their record), and
  // the answer's "switch" says what it did ({"from", "to", "members",
  // "tier_kept", "tier_changed", "approval_queued", "members_skipped",
  // "finished"}; null when the program was already the company's). A switch
  // cut short earlier is finished first. Audited. Needs program_admin.
  // kNotFound on "code".
  Result<nlohmann::json> Choose(const Actor& actor, const std::string& code);

  // The category catalogue (商品类别, issue 5): {"items": [{"id", "name",
  // "active", "created_at", "updated_at"}], "total", "checked"}, in the order
  // the categories were added; switched-off ones only with
  // `include_inactive`. "checked" says whether lines are checked against it
  // (it lists any category). Any signed-in account: the till, the program
  // editor and report filters read it.
  Result<nlohmann::json> ListCategories(const Actor& actor, bool include_inactive);
  // Adds {"name"} (1-64 bytes, as a line's category; no leading or trailing
  // blanks). kConflict on "name" if listed (switched off or not). From the
  // first category on, every sale, quote, imported row and program rule is
  // checked against the catalogue. Needs program_admin; audited.
  Result<nlohmann::json> AddCategory(const Actor& actor, const nlohmann::json& body);
  // {"active": true|false}: switches a category off (new lines may no longer
  // name it; posted lines, reports and program rules keep it) or on again.
  // kNotFound on "id". Needs program_admin; audited when it changes.
  Result<nlohmann::json> UpdateCategory(const Actor& actor, int64_t id,
                                        const nlohmann::json& body);
  // What the tills sent in the last `days` days (1-366, today included):
  // {"from", "items": [{"name", "lines", "listed", "active"}]}, most lines
  // first: the categories sale lines named, how many lines each, and whether
  // the catalogue lists it (and has it on). For building the catalogue from
  // the sales before it checks them. Needs program_admin.
  Result<nlohmann::json> CategoriesSold(const Actor& actor, int64_t days);

 private:
  Env env_;
};

}  // namespace vipcare::service
