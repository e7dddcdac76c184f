// R5 churn early warning: the scores of the daily job churn_scores
// (service/churn_job.h), counted per home store, reason and tier. Aggregates
// only: the members themselves reach their associates as care tasks.
#include "domain/churn.h"

#include <algorithm>

#include "service/loyalty_core.h"
#include "service/reports/report_fns.h"
#include "store/reports/churn.h"

namespace vipcare::service::reports {

using json = nlohmann::json;
namespace sr = store::reports;

namespace {

// The name of a tier code on the screen; members without a tier are "未定级".
std::string TierLabel(const domain::Program& p, const std::string& code) {
  if (code.empty()) return "未定级";
  auto name = loyalty_core::TierName(p, code);
  return name.empty() ? code : name;
}

}  // namespace

ReportResult ChurnRisk(const ReportQuery& q, store::Repository& repo) {
  const auto cells = sr::ChurnCells(repo.reports(), q.scope);

  json rows = json::array();
  int64_t scored = 0, high = 0, medium = 0, low = 0;
  for (const auto& c : sr::ChurnByStore(cells)) {
    auto name = q.store_names.find(c.store.value);
    rows.push_back({{"store_id", c.store.value},
                    {"store_name", name == q.store_names.end() ? "" : name->second},
                    {"scored", c.scored},
                    {"high", c.high},
                    {"medium", c.medium},
                    {"low", c.low},
                    {"high_share_bp", ShareBp(c.high, c.scored)}});
    scored += c.scored;
    high += c.high;
    medium += c.medium;
    low += c.low;
  }

  // Members per reason (a member counts once under each of their reasons),
  // most frequent first; reasons nobody has are left out.
  struct ReasonCount {
    domain::ChurnReason reason;
    int64_t members = 0, high = 0;
  };
  std::vector<ReasonCount> counts;
  for (auto reason : domain::AllChurnReasons()) counts.push_back({reason});
  for (const auto& mix : sr::ChurnReasonMixes(cells)) {
    for (auto& c : counts) {
      if ((mix.reason_bits & uint32_t(c.reason)) == 0) continue;
      c.members += mix.members;
      if (mix.level == domain::ChurnLevelCode(domain::ChurnLevel::kHigh)) c.high += mix.members;
    }
  }
  std::stable_sort(counts.begin(), counts.end(), [](const ReasonCount& a, const ReasonCount& b) {
    return a.members > b.members;
  });
  json reasons = json::array();
  for (const auto& c : counts) {
    if (c.members == 0) continue;
    reasons.push_back({{"reason", domain::ChurnReasonLabel(c.reason)},
                       {"code", domain::ChurnReasonCode(c.reason)},
                       {"members", c.members},
                       {"high", c.high}});
  }

  // By tier in the program's order, then codes it no longer has, then
  // members without a tier.
  const domain::Program program = loyalty_core::ProgramBook(repo.loyalty()).Ladder();
  auto tiers = sr::ChurnByTier(cells);
  auto rank = [&](const std::string& code) -> size_t {
    if (code.empty()) return program.tiers.size() + 1;
    auto i = domain::FindTier(program, code);
    return i ? *i : program.tiers.size();
  };
  std::stable_sort(tiers.begin(), tiers.end(), [&](const auto& a, const auto& b) {
    return rank(a.tier_code) < rank(b.tier_code);
  });
  json by_tier = json::array();
  for (const auto& t : tiers) {
    by_tier.push_back({{"tier_code", t.tier_code},
                       {"tier_name", TierLabel(program, t.tier_code)},
                       {"high", t.high},
                       {"medium", t.medium},
                       {"low", t.low}});
  }

  auto as_of = repo.loyalty_jobs().LastDoneDay("churn_scores");
  return json{
      {"columns", ColumnsJson({{"store_name", "门店", "text"},
                               {"scored", "评分会员"},
                               {"high", "高风险"},
                               {"medium", "中风险"},
                               {"low", "低风险"},
                               {"high_share_bp", "高风险占比", "bp"}})},
      {"rows", rows},
      {"totals",
       {{"scored", scored},
        {"high", high},
        {"medium", medium},
        {"low", low},
        {"high_share_bp", ShareBp(high, scored)}}},
      {"reasons", reasons},
      {"by_tier", by_tier},
      {"as_of", as_of ? json(as_of->ToString()) : json(nullptr)},
      {"thresholds", {{"high", domain::kChurnHighScore}, {"medium", domain::kChurnMediumScore}}}};
}

}  // namespace vipcare::service::reports
