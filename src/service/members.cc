#include "service/members.h"

#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include "domain/mask.h"
#include "domain/member_json.h"
#include "domain/presets.h"
#include "service/access.h"
#include "service/audit.h"
#include "service/loyalty_core.h"
#include "service/tier_admin.h"

namespace vipcare::service {
namespace {

using domain::Member;
using domain::MemberStatus;
using nlohmann::json;

Error MemberNotFound() { return Error::NotFound("no member has that id", "id"); }

bool IsLive(const Member& m) {
  return m.status != MemberStatus::kMerged && m.status != MemberStatus::kErased;
}

// Whether a call-centre actor holds an active grant for `m` (P2).
bool Granted(store::Repository& repo, const Env& env, const Actor& actor, const Member& m) {
  return actor.role == domain::Role::kCallCenter && m.id &&
         repo.HasActiveGrant(actor.user_id, m.id, env.clock.Now());
}

// P2: whether the actor may act on this member file.
Status InScope(store::Repository& repo, const Env& env, const Actor& actor, const Member& m) {
  return CheckMemberScopeIn(repo, actor, m, Granted(repo, env, actor, m));
}

Status CardInScope(store::Repository& repo, const Env& env, const Actor& actor,
                   const domain::Card& c) {
  auto m = repo.GetMember(c.member_id);
  if (!m) return Error::NotFound("no card has that number", "card_no");
  return InScope(repo, env, actor, *m);
}

bool Unmasked(store::Repository& repo, const Env& env, const Actor& actor, const Member& m) {
  return SeesUnmasked(actor, m, Granted(repo, env, actor, m), env.Today());
}

// P3: what the actor is shown of a member file.
Member Present(store::Repository& repo, const Env& env, const Actor& actor, Member m) {
  if (!Unmasked(repo, env, actor, m)) domain::MaskMember(m);
  return m;
}

MemberLoyalty LoyaltyOf(store::Repository& repo, MemberId id) {
  auto& l = repo.loyalty();
  const store::LoyaltyState s = loyalty_core::StateOf(l, id);
  const domain::Program program = loyalty_core::ProgramOf(l, s);
  MemberLoyalty out;
  out.program_code = program.code;
  out.program_version = program.version;
  out.program_name = program.name;
  out.program_assigned = !s.program_code.empty();
  out.tier_code = s.tier_code;
  out.tier_name = loyalty_core::TierName(program, s.tier_code);
  out.tier_since = s.tier_since;
  out.points_balance = s.points_balance;
  out.growth_points = s.growth_lifetime;
  return out;
}

// Issue 5's PATCH {"program_id"}: the code of the program named (by stable
// id or code), "" for null (back to the company's program).
Result<std::string> ProgramCodeOfPatch(store::Repository& repo, const json& value) {
  if (value.is_null()) return std::string();
  if (!value.is_string()) {
    return Error::Invalid("program_id", "must be a program's id, or null for the company's");
  }
  auto code = loyalty_core::ProgramCodeOfId(repo.loyalty(), value.get<std::string>());
  if (!code) {
    return Error::Unprocessable("no program has that id (GET /api/v1/programs lists them)",
                                "program_id");
  }
  return *code;
}

MemberView Present(store::Repository& repo, const Env& env, const Actor& actor, MemberView v) {
  v.member = Present(repo, env, actor, std::move(v.member));
  v.loyalty = LoyaltyOf(repo, v.member.id);
  return v;
}

// P3 for the history: a viewer who sees the file masked sees the old and new
// values of personal fields as "***" (only fields that carry no personal data
// keep their values).
std::string MaskChanges(const std::string& changes) {
  static const std::set<std::string> kPlain = {
      "status", "gender", "source", "home_store_id", "associate_id", "referrer_id",
      "tags", "marketing_opt_out", "member_no", "occupation", "redacted"};
  json j = json::parse(changes, nullptr, false);
  if (!j.is_object()) return R"({"masked":true})";
  for (auto& [key, value] : j.items()) {
    if (!kPlain.count(key)) value = value.is_array() ? json::array({"***", "***"}) : json("***");
  }
  return j.dump();
}

// The list filter of a query, before the actor's scope narrows it.
store::MemberFilter FilterOf(const MemberQuery& q, const TimeZone& tz) {
  store::MemberFilter f;
  if (q.joined_from) f.created_from = tz.StartOfDay(*q.joined_from);
  if (q.joined_to) f.created_to = tz.StartOfDay(q.joined_to->AddDays(1));
  f.store = q.store;
  f.associate = q.associate;
  f.status = q.status;
  f.name_prefix = q.q;
  f.tag = q.tag;
  return f;
}

// Checks the ids a member file points at (store, associate, referrer).
Status CheckReferences(store::Repository& repo, const Member& m) {
  auto store = repo.GetStore(m.home_store_id);
  if (!store) return Error::Invalid("store_id", "no store has that id");
  if (m.associate_id) {
    auto s = repo.GetStaff(m.associate_id);
    if (!s || !s->active) return Error::Invalid("associate_id", "no active staff member has that id");
    if (s->store_id != m.home_store_id) {
      return Error::Invalid("associate_id", "the associate does not work at the member's store");
    }
  }
  if (m.referrer_id) {
    auto r = repo.GetMember(m.referrer_id);
    if (!r || !IsLive(*r)) return Error::Invalid("referrer_id", "no member has that id");
  }
  return OkStatus();
}

// {field: [old, new]} for every top-level field that changed.
json Diff(const Member& before, const Member& after) {
  json a = domain::MemberToJson(before);
  json b = domain::MemberToJson(after);
  json out = json::object();
  for (const auto& [key, value] : b.items()) {
    if (key == "updated_at" || key == "version") continue;
    if (a[key] != value) out[key] = json::array({a[key], value});
  }
  return out;
}

void RecordHistory(store::Repository& repo, const Env& env, const Actor& actor, MemberId id,
             std::string action, const json& changes) {
  repo.AppendHistory({0, id, env.clock.Now(), actor.user_id, std::move(action), changes.dump()});
}

std::optional<domain::Card> ActiveCard(const std::vector<domain::Card>& cards) {
  for (const auto& c : cards) {
    if (domain::IsActive(c.status)) return c;
  }
  return std::nullopt;
}

// Turns a unique-index race (two registrations of one mobile at once) into 409.
template <class F>
auto GuardUnique(F&& fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const store::DbError& e) {
    if (e.kind() == store::DbError::Kind::kUniqueViolation) {
      return Error::Conflict("that mobile number is already registered", "mobile");
    }
    throw;
  }
}

domain::Card InsertNewCard(store::Repository& repo, MemberId member, domain::CardKind kind,
                           Date today) {
  domain::Card card = domain::NewCard(member, kind, today);
  // A collision among 10^14 numbers is rare but possible; try again.
  for (int attempt = 0;; ++attempt) {
    card.card_no = NewCardNumber();
    if (!repo.FindCardByNo(card.card_no)) break;
  }
  card.id = repo.InsertCard(card);
  return card;
}

}  // namespace

std::string NewCardNumber() {
  static const bool ok = sodium_init() >= 0;
  (void)ok;
  return domain::MakeCardNumber([] { return int(randombytes_uniform(10)); });
}

Result<MemberView> Members::Create(const Actor& actor, const json& body) {
  Member m;
  m.status = MemberStatus::kTemporary;
  m.associate_id = actor.role == domain::Role::kAssociate ? actor.staff_id : StaffId();
  VIPCARE_TRY(domain::ApplyMemberJson(body, m, domain::ApplyMode::kCreate));
  if (!body.contains("store_id")) return Error::Invalid("store_id", "is required");
  const Date today = env_.Today();
  VIPCARE_TRY(domain::ValidateMember(m, today));
  m.created_at = m.updated_at = env_.clock.Now();
  return GuardUnique([&] {
    return env_.store.Write([&](store::Repository& repo) -> Result<MemberView> {
      VIPCARE_TRY(CheckReferences(repo, m));
      VIPCARE_TRY(InScope(repo, env_, actor, m));
      if (!m.mobile.number.empty() && repo.FindMemberByMobile(m.mobile.number)) {
        return Error::Conflict("that mobile number is already registered", "mobile");
      }
      MemberView v;
      v.member = m;
      v.member.id = repo.InsertMember(m);
      v.member = *repo.GetMember(v.member.id);
      if (m.status == MemberStatus::kTemporary || m.status == MemberStatus::kFormal) {
        auto kind = m.status == MemberStatus::kFormal ? domain::CardKind::kFormal
                                                      : domain::CardKind::kTemporary;
        v.cards.push_back(InsertNewCard(repo, v.member.id, kind, today));
      }
      RecordHistory(repo, env_, actor, v.member.id, "create", json::object());
      RecordAudit(repo, env_, actor, "member_create", "member", std::to_string(v.member.id.value));
      return Present(repo, env_, actor, std::move(v));
    });
  });
}

Result<MemberView> Members::Get(const Actor& actor, MemberId id) {
  // A write: every read of a member's details leaves an audit row (P6).
  return env_.store.Write([&](store::Repository& repo) -> Result<MemberView> {
    auto m = repo.GetMember(id);
    if (!m) return MemberNotFound();
    VIPCARE_TRY(InScope(repo, env_, actor, *m));
    const bool unmasked = Unmasked(repo, env_, actor, *m);
    RecordAudit(repo, env_, actor, "member_read", "member", std::to_string(id.value),
          unmasked ? "unmasked" : "masked");
    MemberView v{*m, repo.ListCards(id), LoyaltyOf(repo, id)};
    if (!unmasked) domain::MaskMember(v.member);
    return v;
  });
}

Result<MemberView> Members::Update(const Actor& actor, MemberId id, const json& patch) {
  const Date today = env_.Today();
  return GuardUnique([&] {
    return env_.store.Write([&](store::Repository& repo) -> Result<MemberView> {
      auto before = repo.GetMember(id);
      if (!before) return MemberNotFound();
      if (!IsLive(*before)) {
        return Error::Unprocessable("a merged or erased member file cannot be changed", "status");
      }
      VIPCARE_TRY(InScope(repo, env_, actor, *before));
      Member after = *before;
      json member_fields = patch;
      std::optional<std::string> program;  // set when the patch names one
      if (patch.is_object() && patch.contains("program_id")) {
        VIPCARE_TRY(Authorize(actor, Permission::kProgramAdmin));
        auto code = ProgramCodeOfPatch(repo, patch["program_id"]);
        if (!code.ok()) return code.error();
        program = *code;
        member_fields.erase("program_id");
      }
      VIPCARE_TRY(domain::ApplyMemberJson(member_fields, after, domain::ApplyMode::kUpdate));
      if (!Unmasked(repo, env_, actor, *before)) {
        if (auto field = domain::EchoedMaskedField(*before, after); !field.empty()) {
          return Error::Invalid(field, "holds the masked value you were shown; send the full new "
                                       "value or leave the field out");
        }
      }
      if (actor.role == domain::Role::kAssociate &&
          (after.associate_id != before->associate_id ||
           after.home_store_id != before->home_store_id)) {
        return Error::Forbidden("only a store manager may reassign a member");
      }
      // Nobody moves a member out of their own reach.
      VIPCARE_TRY(InScope(repo, env_, actor, after));
      VIPCARE_TRY(domain::ValidateMember(after, today));
      VIPCARE_TRY(CheckReferences(repo, after));
      if (after.mobile.number != before->mobile.number && !after.mobile.number.empty()) {
        auto other = repo.FindMemberByMobile(after.mobile.number);
        if (other && other->id != id) {
          return Error::Conflict("that mobile number is already registered", "mobile");
        }
      }
      json changes = Diff(*before, after);
      if (program) {
        auto moved = MoveToProgram(repo, env_, actor, id, *program, today);
        if (!moved.ok()) return moved.error();
      }
      if (changes.empty()) return Present(repo, env_, actor, MemberView{*before, repo.ListCards(id)});
      after.updated_at = env_.clock.Now();
      if (!repo.UpdateMember(after)) {
        return Error::Conflict("the member was changed by someone else; reload and retry",
                               "version");
      }
      RecordHistory(repo, env_, actor, id, "update", changes);
      json fields = json::array();
      for (const auto& [k, v] : changes.items()) fields.push_back(k);
      RecordAudit(repo, env_, actor, "member_update", "member", std::to_string(id.value),
            fields.dump());
      return Present(repo, env_, actor, MemberView{*repo.GetMember(id), repo.ListCards(id)});
    });
  });
}

Result<store::PageOf<Member>> Members::Search(const Actor& actor, const MemberQuery& q) {
  if (q.page.limit < 1 || q.page.limit > 200) {
    return Error::Invalid("limit", "must be between 1 and 200");
  }
  if (q.page.offset < 0) return Error::Invalid("offset", "must not be negative");
  if (domain::Utf8Length(q.q) < 0 || domain::Utf8Length(q.q) > 100) {
    return Error::Invalid("q", "must be at most 100 characters of UTF-8 text");
  }
  static const std::regex kMemberNo("M[0-9]{8}");
  return env_.store.Read([&](store::Repository& repo) -> Result<store::PageOf<Member>> {
    std::optional<Member> exact;
    bool exact_kind = true;
    if (domain::IsValidCardNumber(q.q)) {
      if (auto c = repo.FindCardByNo(q.q)) exact = repo.GetMember(c->member_id);
    } else if (domain::IsValidMobile(q.q)) {
      exact = repo.FindMemberByMobile(q.q);
    } else if (std::regex_match(q.q, kMemberNo)) {
      exact = repo.FindMemberByNo(q.q);
    } else {
      exact_kind = false;
    }
    if (exact_kind) {
      store::PageOf<Member> out;
      // A till lookup by card or full mobile may show a member outside the
      // actor's scope, masked (SPEC §1).
      bool visible = exact && (InScope(repo, env_, actor, *exact).ok() ||
                               (MayTillLookup(actor) && !std::regex_match(q.q, kMemberNo)));
      bool match = visible && IsLive(*exact) && (!q.store || exact->home_store_id == *q.store) &&
                   (!q.associate || exact->associate_id == *q.associate) &&
                   (!q.status || exact->status == *q.status) &&
                   (q.tag.empty() || std::find(exact->tags.begin(), exact->tags.end(), q.tag) !=
                                         exact->tags.end());
      if (match) {
        out.total = 1;
        if (q.page.offset == 0) out.items.push_back(Present(repo, env_, actor, *exact));
      }
      return out;
    }
    store::MemberFilter f = FilterOf(q, env_.tz);
    if (!ApplyListScope(actor, f, env_.clock.Now())) return store::PageOf<Member>{};
    auto page = repo.ListMembers(f, q.page);
    for (auto& m : page.items) m = Present(repo, env_, actor, std::move(m));
    return page;
  });
}

Result<store::PageOf<store::HistoryEntry>> Members::History(const Actor& actor, MemberId id,
                                                            store::Page page) {
  return env_.store.Read([&](store::Repository& repo) -> Result<store::PageOf<store::HistoryEntry>> {
    auto m = repo.GetMember(id);
    if (!m) return MemberNotFound();
    VIPCARE_TRY(InScope(repo, env_, actor, *m));
    auto out = repo.ListHistory(id, page);
    if (!Unmasked(repo, env_, actor, *m)) {
      for (auto& e : out.items) e.changes = MaskChanges(e.changes);
    }
    return out;
  });
}

Result<MemberView> Members::ChangeStatus(const Actor& actor, MemberId id,
                                         const std::string& status, const std::string& reason) {
  auto to = domain::ParseMemberStatus(status);
  if (!to || *to == MemberStatus::kMerged || *to == MemberStatus::kErased) {
    return Error::Invalid("status",
                          "must be one of prospect, temporary, formal, suspended, closed");
  }
  if (reason.empty() || domain::Utf8Length(reason) > 200) {
    return Error::Invalid("reason", "is required, at most 200 characters");
  }
  return env_.store.Write([&](store::Repository& repo) -> Result<MemberView> {
    auto m = repo.GetMember(id);
    if (!m) return MemberNotFound();
    VIPCARE_TRY(InScope(repo, env_, actor, *m));
    if (!domain::CanTransition(m->status, *to)) {
      return Error::Unprocessable(std::string("a ") + domain::ToString(m->status) +
                                      " member cannot become " + status,
                                  "status");
    }
    Member after = *m;
    after.status = *to;
    VIPCARE_TRY(domain::ValidateMember(after, env_.Today()));
    after.updated_at = env_.clock.Now();
    if (!repo.UpdateMember(after)) return Error::Conflict("the member was changed; retry");
    RecordHistory(repo, env_, actor, id, "status",
            json{{"status", {domain::ToString(m->status), status}}, {"reason", reason}});
    RecordAudit(repo, env_, actor, "member_status", "member", std::to_string(id.value), status);
    return Present(repo, env_, actor, MemberView{*repo.GetMember(id), repo.ListCards(id)});
  });
}

Result<store::DestructionRecord> Members::Erase(const Actor& actor, MemberId id,
                                                const std::string& reason) {
  if (reason.empty() || domain::Utf8Length(reason) > 200) {
    return Error::Invalid("reason", "is required, at most 200 characters");
  }
  return env_.store.Write([&](store::Repository& repo) -> Result<store::DestructionRecord> {
    auto m = repo.GetMember(id);
    if (!m) return MemberNotFound();
    VIPCARE_TRY(InScope(repo, env_, actor, *m));
    if (m->status == MemberStatus::kErased) {
      return Error::Unprocessable("the member file is already erased", "status");
    }
    // The tombstone keeps what anonymous reports need: store, source, dates.
    Member t;
    t.id = m->id;
    t.member_no = m->member_no;
    t.status = MemberStatus::kErased;
    t.name = "已注销会员";
    t.source = m->source;
    t.home_store_id = m->home_store_id;
    t.merged_into = m->merged_into;
    t.created_at = m->created_at;
    t.updated_at = env_.clock.Now();
    t.version = m->version;
    json destroyed = json::array();
    const json diff = Diff(*m, t);
    for (const auto& [k, v] : diff.items()) {
      if (k != "status") destroyed.push_back(k);
    }
    if (!repo.UpdateMember(t)) return Error::Conflict("the member was changed; retry");
    for (auto c : repo.ListCards(id)) {
      if (domain::IsActive(c.status)) {
        c.status = domain::CardStatus::kExpired;
        repo.UpdateCard(c);
      }
    }
    repo.RedactHistory(id);
    RecordHistory(repo, env_, actor, id, "erase", json{{"reason", "redacted"}});
    store::DestructionRecord rec{0,      id, m->member_no, env_.clock.Now(), actor.user_id,
                                 reason, destroyed.dump(), actor.username};
    rec.id = repo.InsertDestructionRecord(rec);
    RecordAudit(repo, env_, actor, "member_erase", "member", std::to_string(id.value),
          "destruction_record=" + std::to_string(rec.id));
    return rec;
  });
}

Result<MemberView> Members::Merge(const Actor& actor, MemberId survivor_id, MemberId absorbed_id) {
  if (survivor_id == absorbed_id) {
    return Error::Invalid("from_member_id", "a member cannot be merged into itself");
  }
  const Date today = env_.Today();
  return env_.store.Write([&](store::Repository& repo) -> Result<MemberView> {
    auto survivor = repo.GetMember(survivor_id);
    if (!survivor || !IsLive(*survivor)) return MemberNotFound();
    auto absorbed = repo.GetMember(absorbed_id);
    if (!absorbed || !IsLive(*absorbed)) {
      return Error::NotFound("no member has that id", "from_member_id");
    }
    VIPCARE_TRY(InScope(repo, env_, actor, *survivor));
    VIPCARE_TRY(InScope(repo, env_, actor, *absorbed));
    Member after = *survivor;
    // Fill what the survivor's file lacks; the survivor's own values win.
    auto fill = [](std::string& dst, const std::string& src) {
      if (dst.empty()) dst = src;
    };
    fill(after.email, absorbed->email);
    fill(after.wechat_id, absorbed->wechat_id);
    fill(after.occupation, absorbed->occupation);
    fill(after.company, absorbed->company);
    fill(after.job_title, absorbed->job_title);
    fill(after.id_number, absorbed->id_number);
    fill(after.spouse_name, absorbed->spouse_name);
    fill(after.office_phone.number, absorbed->office_phone.number);
    fill(after.home_phone.number, absorbed->home_phone.number);
    if (!after.birthday) after.birthday = absorbed->birthday;
    if (after.gender == domain::Gender::kUnknown) after.gender = absorbed->gender;
    if (after.addresses.empty()) after.addresses = absorbed->addresses;
    if (after.family.empty()) after.family = absorbed->family;
    if (after.anniversaries.empty()) after.anniversaries = absorbed->anniversaries;
    if (!after.associate_id) after.associate_id = absorbed->associate_id;
    if (!after.referrer_id && absorbed->referrer_id != survivor_id) {
      after.referrer_id = absorbed->referrer_id;
    }
    if (after.status == MemberStatus::kTemporary && absorbed->status == MemberStatus::kFormal) {
      after.status = MemberStatus::kFormal;
    }
    if (!after.notes.empty() && !absorbed->notes.empty()) after.notes += "\n";
    after.notes += absorbed->notes;
    std::string absorbed_mobile = absorbed->mobile.number;

    // The absorbed file releases its mobile first (unique index), then is marked merged.
    Member gone = *absorbed;
    gone.status = MemberStatus::kMerged;
    gone.merged_into = survivor_id;
    gone.mobile.number.clear();
    gone.updated_at = env_.clock.Now();
    if (!repo.UpdateMember(gone)) return Error::Conflict("the member was changed; retry");
    if (after.mobile.number.empty()) after.mobile.number = absorbed_mobile;
    if (after.associate_id && after.associate_id != survivor->associate_id) {
      auto s = repo.GetStaff(after.associate_id);
      if (!s || s->store_id != after.home_store_id) after.associate_id = survivor->associate_id;
    }
    VIPCARE_TRY(domain::ValidateMember(after, today));

    // One active card: the survivor's stays; the absorbed one's is retired.
    auto survivor_cards = repo.ListCards(survivor_id);
    bool survivor_has_active = ActiveCard(survivor_cards).has_value();
    for (auto c : repo.ListCards(absorbed_id)) {
      if (domain::IsActive(c.status) && survivor_has_active) {
        c.status = domain::CardStatus::kReplaced;
        repo.UpdateCard(c);
      }
    }
    repo.ReassignMember(absorbed_id, survivor_id);
    for (const auto& t : absorbed->tags) {
      if (std::find(after.tags.begin(), after.tags.end(), t) == after.tags.end()) {
        after.tags.push_back(t);
      }
    }
    json changes = Diff(*survivor, after);
    after.updated_at = env_.clock.Now();
    if (!repo.UpdateMember(after)) return Error::Conflict("the member was changed; retry");
    RecordHistory(repo, env_, actor, survivor_id, "merge",
            json{{"from_member_id", absorbed_id.value}, {"changes", changes}});
    RecordHistory(repo, env_, actor, absorbed_id, "merged_into",
            json{{"member_id", survivor_id.value}});
    VIPCARE_TRY(loyalty_core::MergeLoyalty(repo, actor, absorbed_id, survivor_id, env_.clock.Now()));
    // Goods left in store (C6) are the person's, not the file's.
    repo.care().MoveStoredGoods(absorbed_id, survivor_id);
    RecordAudit(repo, env_, actor, "member_merge", "member", std::to_string(survivor_id.value),
          "from=" + std::to_string(absorbed_id.value));
    return Present(repo, env_, actor, MemberView{*repo.GetMember(survivor_id), repo.ListCards(survivor_id)});
  });
}

Result<domain::Card> Members::IssueCard(const Actor& actor, MemberId id, const std::string& kind) {
  auto k = domain::ParseCardKind(kind);
  if (!k) return Error::Invalid("kind", "must be \"temporary\" or \"formal\"");
  const Date today = env_.Today();
  return env_.store.Write([&](store::Repository& repo) -> Result<domain::Card> {
    auto m = repo.GetMember(id);
    if (!m) return MemberNotFound();
    VIPCARE_TRY(InScope(repo, env_, actor, *m));
    if (!IsLive(*m) || m->status == MemberStatus::kClosed) {
      return Error::Unprocessable("a closed, merged or erased member gets no card", "status");
    }
    auto active = ActiveCard(repo.ListCards(id));
    if (active) {
      // A temporary card is replaced when the formal card is ordered (M4).
      if (!(active->kind == domain::CardKind::kTemporary && *k == domain::CardKind::kFormal)) {
        return Error::Conflict("the member already has an active card; report it lost to reissue",
                               "kind");
      }
      active->status = domain::CardStatus::kReplaced;
      repo.UpdateCard(*active);
    }
    auto card = InsertNewCard(repo, id, *k, today);
    if (active) {
      card.replaces = active->id;
      repo.UpdateCard(card);
    }
    RecordHistory(repo, env_, actor, id, "card",
            json{{"issued", card.card_no}, {"kind", kind}});
    RecordAudit(repo, env_, actor, "card_issue", "member", std::to_string(id.value));
    return card;
  });
}

Result<domain::Card> Members::ReportLost(const Actor& actor, const std::string& card_no) {
  return SetCardStatus(actor, card_no, "lost");
}

Result<domain::Card> Members::SetCardStatus(const Actor& actor, const std::string& card_no,
                                            const std::string& status) {
  auto to = domain::ParseCardStatus(status);
  if (!to || *to == domain::CardStatus::kReplaced) {
    return Error::Invalid("status", "must be one of pending_pickup, issued, mailed, lost, expired");
  }
  return env_.store.Write([&](store::Repository& repo) -> Result<domain::Card> {
    auto c = repo.FindCardByNo(card_no);
    if (!c) return Error::NotFound("no card has that number", "card_no");
    VIPCARE_TRY(CardInScope(repo, env_, actor, *c));
    VIPCARE_TRY(domain::CheckCardTransition(c->status, *to));
    std::string from = domain::ToString(c->status);
    c->status = *to;
    repo.UpdateCard(*c);
    RecordHistory(repo, env_, actor, c->member_id, "card",
            json{{"card_no", card_no}, {"status", {from, status}}});
    RecordAudit(repo, env_, actor, "card_status", "card", std::to_string(c->id.value), status);
    return *c;
  });
}

Result<domain::Card> Members::Reissue(const Actor& actor, const std::string& card_no) {
  const Date today = env_.Today();
  return env_.store.Write([&](store::Repository& repo) -> Result<domain::Card> {
    auto old = repo.FindCardByNo(card_no);
    if (!old) return Error::NotFound("no card has that number", "card_no");
    // Scope first: nothing about a card outside it is revealed, not even its status.
    auto m = repo.GetMember(old->member_id);
    if (m) VIPCARE_TRY(InScope(repo, env_, actor, *m));
    if (old->status == domain::CardStatus::kReplaced || old->status == domain::CardStatus::kExpired) {
      return Error::Unprocessable("a replaced or expired card cannot be reissued", "status");
    }
    if (!m || !IsLive(*m) || m->status == MemberStatus::kClosed) {
      return Error::Unprocessable("the card's member file is closed", "card_no");
    }
    for (const auto& c : repo.ListCards(old->member_id)) {
      if (c.id != old->id && domain::IsActive(c.status)) {
        return Error::Conflict("the member already has another active card", "card_no");
      }
    }
    auto card = InsertNewCard(repo, old->member_id, old->kind, today);
    card.replaces = old->id;
    repo.UpdateCard(card);
    old->status = domain::CardStatus::kReplaced;
    repo.UpdateCard(*old);
    RecordHistory(repo, env_, actor, old->member_id, "card",
            json{{"reissued", card_no}, {"new_card", card.card_no}});
    RecordAudit(repo, env_, actor, "card_reissue", "card", std::to_string(old->id.value));
    return card;
  });
}

Result<domain::Card> Members::GetCard(const Actor& actor, const std::string& card_no) {
  return env_.store.Read([&](store::Repository& repo) -> Result<domain::Card> {
    auto c = repo.FindCardByNo(card_no);
    if (!c) return Error::NotFound("no card has that number", "card_no");
    VIPCARE_TRY(CardInScope(repo, env_, actor, *c));
    return *c;
  });
}

Result<store::PageOf<store::DestructionRecord>> Members::DestructionRecords(const Actor& actor,
                                                                            store::Page page) {
  return env_.store.Read([&](store::Repository& repo) -> Result<store::PageOf<store::DestructionRecord>> {
    return repo.ListDestructionRecords(page);
  });
}

Result<std::vector<store::ConsentRecord>> Members::Consents(const Actor& actor, MemberId id) {
  return env_.store.Read([&](store::Repository& repo) -> Result<std::vector<store::ConsentRecord>> {
    auto m = repo.GetMember(id);
    if (!m) return MemberNotFound();
    VIPCARE_TRY(InScope(repo, env_, actor, *m));
    return repo.ListConsents(id);
  });
}

Result<store::ConsentRecord> Members::RecordConsent(const Actor& actor, MemberId id,
                                                    const json& body) {
  if (!body.is_object()) return Error::Invalid("body", "must be a JSON object");
  store::ConsentRecord c;
  c.member_id = id;
  auto text = [&](const char* key, std::string& out, size_t max) -> Status {
    if (!body.contains(key) || !body[key].is_string()) {
      return Error::Invalid(key, "is required text");
    }
    out = body[key].get<std::string>();
    if (out.empty() || out.size() > max) {
      return Error::Invalid(key, "must be 1-" + std::to_string(max) + " bytes");
    }
    return OkStatus();
  };
  VIPCARE_TRY(text("purpose", c.purpose, 20));
  if (c.purpose != "service" && c.purpose != "marketing" && c.purpose != "guardian") {
    return Error::Invalid("purpose", "must be service, marketing or guardian");
  }
  if (!body.contains("granted") || !body["granted"].is_boolean()) {
    return Error::Invalid("granted", "must be true (given) or false (withdrawn)");
  }
  c.granted = body["granted"].get<bool>();
  VIPCARE_TRY(text("version", c.version, 40));
  VIPCARE_TRY(text("channel", c.channel, 40));
  c.at = env_.clock.Now();
  c.recorded_by = actor.user_id;
  c.recorded_by_username = actor.username;
  return env_.store.Write([&](store::Repository& repo) -> Result<store::ConsentRecord> {
    auto m = repo.GetMember(id);
    if (!m) return MemberNotFound();
    if (!IsLive(*m)) return Error::Unprocessable("a merged or erased member file cannot change", "status");
    VIPCARE_TRY(InScope(repo, env_, actor, *m));
    c.id = repo.InsertConsent(c);
    if (c.purpose == "marketing" && m->preferences.marketing_opt_out == c.granted) {
      Member after = *m;
      after.preferences.marketing_opt_out = !c.granted;
      after.updated_at = c.at;
      if (!repo.UpdateMember(after)) {
        return Error::Conflict("the member was changed by someone else; retry", "version");
      }
      RecordHistory(repo, env_, actor, id, "update",
                    json{{"marketing_opt_out",
                         json::array({m->preferences.marketing_opt_out, !c.granted})}});
    }
    RecordAudit(repo, env_, actor, c.granted ? "consent_give" : "consent_withdraw", "member",
          std::to_string(id.value), c.purpose + " v" + c.version);
    return c;
  });
}

Result<json> Members::DataCopy(const Actor& actor, MemberId id) {
  return env_.store.Write([&](store::Repository& repo) -> Result<json> {
    auto m = repo.GetMember(id);
    if (!m) return MemberNotFound();
    VIPCARE_TRY(InScope(repo, env_, actor, *m));
    if (!MayHandOutDataCopy(actor, *m, Granted(repo, env_, actor, *m), env_.Today())) {
      return Error::Forbidden(
          "only the member's associate, their store manager or an admin may hand out a data copy");
    }
    json out;
    out["member"] = domain::MemberToJson(*m);
    out["cards"] = json::array();
    for (const auto& c : repo.ListCards(id)) {
      out["cards"].push_back({{"card_no", c.card_no},
                              {"kind", domain::ToString(c.kind)},
                              {"status", domain::ToString(c.status)},
                              {"issued_on", c.issued_on.ToString()},
                              {"expires_on", c.expires_on.ToString()}});
    }
    out["history"] = json::array();
    for (const auto& h : repo.ListHistory(id, {1000, 0}).items) {
      out["history"].push_back({{"at", FormatTimestamp(h.changed_at)},
                                {"action", h.action},
                                {"changes", json::parse(h.changes, nullptr, false)}});
    }
    out["consents"] = json::array();
    for (const auto& c : repo.ListConsents(id)) {
      out["consents"].push_back({{"purpose", c.purpose},
                                 {"granted", c.granted},
                                 {"version", c.version},
                                 {"channel", c.channel},
                                 {"at", FormatTimestamp(c.at)}});
    }
    out["generated_at"] = FormatTimestamp(env_.clock.Now());
    RecordAudit(repo, env_, actor, "member_data_copy", "member", std::to_string(id.value));
    return out;
  });
}

namespace {

// One CSV field: quoted when it holds a comma, quote or line break; a leading
// =, +, - or @ is prefixed with ' so a spreadsheet never runs it as a formula.
std::string CsvField(std::string v) {
  if (!v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@')) v = "'" + v;
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Result<Members::Export> Members::ExportList(const Actor& actor, const MemberQuery& q) {
  if (domain::Utf8Length(q.q) < 0 || domain::Utf8Length(q.q) > 100) {
    return Error::Invalid("q", "must be at most 100 characters of UTF-8 text");
  }
  return env_.store.Write([&](store::Repository& repo) -> Result<Export> {
    store::MemberFilter f = FilterOf(q, env_.tz);
    Export out;
    out.csv = "\xEF\xBB\xBF会员号,姓名,手机,性别,状态,门店,导购,登记日期\r\n";
    // Store and associate names, looked up once each.
    std::map<int64_t, std::string> stores, staff;
    auto store_name = [&](StoreId id) -> const std::string& {
      auto [it, fresh] = stores.try_emplace(id.value);
      if (fresh && id) {
        if (auto s = repo.GetStore(id)) it->second = s->code + " " + s->name;
      }
      return it->second;
    };
    auto staff_name = [&](StaffId id) -> const std::string& {
      auto [it, fresh] = staff.try_emplace(id.value);
      if (fresh && id) {
        if (auto s = repo.GetStaff(id)) it->second = s->name;
      }
      return it->second;
    };
    if (ApplyListScope(actor, f, env_.clock.Now())) {
      for (int64_t offset = 0; out.rows < kMaxExportRows; offset += 1000) {
        auto page = repo.ListMembers(f, {std::min<int64_t>(1000, kMaxExportRows - out.rows), offset});
        for (auto& row : page.items) {
          Member m = Present(repo, env_, actor, std::move(row));
          out.csv += fmt::format("{},{},{},{},{},{},{},{}\r\n", CsvField(m.member_no),
                                 CsvField(m.name), CsvField(m.mobile.number),
                                 domain::ChineseLabel(m.gender), domain::ChineseLabel(m.status),
                                 CsvField(store_name(m.home_store_id)),
                                 CsvField(staff_name(m.associate_id)),
                                 env_.tz.LocalDate(m.created_at).ToString());
          ++out.rows;
        }
        if (page.items.size() < 1000) break;
      }
    }
    RecordAudit(repo, env_, actor, "member_export", "member", "",
          fmt::format("rows={} format=csv", out.rows));
    return out;
  });
}

}  // namespace vipcare::service
