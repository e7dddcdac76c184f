// src/service/members.h
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "domain/card.h"
#include "domain/member.h"
#include "service/context.h"
#include "store/repository.h"

namespace vipcare::service {

// A member file with its cards, as the API shows it.
// The member's place in their loyalty program (SPEC L6), shown with the file.
struct MemberLoyalty {
  std::string program_code;
  int64_t program_version = 0;
  std::string program_name;
  // On a program of their own (put on it, or their home store's default when
  // they first earned) rather than following the company's.
  bool program_assigned = false;
  std::string tier_code;  // "" = no tier yet
  std::string tier_name;
  std::optional<Date> tier_since;
  Points points_balance;
  Points growth_points;
};

struct MemberView {
  domain::Member member;
  std::vector<domain::Card> cards;
  MemberLoyalty loyalty;
};

struct MemberQuery {
  std::string q;  // card number, exact mobile, member number or name prefix (M5)
  std::optional<StoreId> store;
  std::optional<StaffId> associate;
  std::optional<domain::MemberStatus> status;
  std::string tag;
  // Registered on these local days (company time zone), both inclusive.
  std::optional<Date> joined_from;
  std::optional<Date> joined_to;
  store::Page page;
};

// Member files and cards: SPEC M1-M6. Every change is one transaction that
// also writes the member's history and the audit log. Thread-safe.
class Members {
 public:
  explicit Members(Env env) : env_(env) {}

  // Registers a member from a JSON body (M1). A temporary or formal member gets
  // a card of that kind. kConflict on "mobile" if the mobile is registered (M6).
  Result<MemberView> Create(const Actor& actor, const nlohmann::json& body);
  Result<MemberView> Get(const Actor& actor, MemberId id);
  // Applies the fields of `patch`; "version" in the patch is checked if present.
  Result<MemberView> Update(const Actor& actor, MemberId id, const nlohmann::json& patch);
  // M5 lookup and lists. A card number or exact mobile answers at most one member.
  Result<store::PageOf<domain::Member>> Search(const Actor& actor, const MemberQuery& q);
  Result<store::PageOf<store::HistoryEntry>> History(const Actor& actor, MemberId id,
                                                   store::Page page);
  // M2 lifecycle.
  Result<MemberView> ChangeStatus(const Actor& actor, MemberId id, const std::string& status,
                                  const std::string& reason);
  // M2 erasure (PIPL): personal fields are replaced by a tombstone, cards are
  // retired, a destruction record is written; sales rows stay, anonymous.
  Result<store::DestructionRecord> Erase(const Actor& actor, MemberId id,
                                         const std::string& reason);
  // M6 merge: `absorbed` joins `survivor` (cards, history, tags, referrals, and
  // any empty field of the survivor's file); the absorbed file is marked merged.
  Result<MemberView> Merge(const Actor& actor, MemberId survivor, MemberId absorbed);

  // M3 cards.
  Result<domain::Card> IssueCard(const Actor& actor, MemberId id, const std::string& kind);
  Result<domain::Card> ReportLost(const Actor& actor, const std::string& card_no);
  // Issues a new card of the same kind in place of a lost or active one; the
  // points stay with the member.
  Result<domain::Card> Reissue(const Actor& actor, const std::string& card_no);
  Result<domain::Card> SetCardStatus(const Actor& actor, const std::string& card_no,
                                     const std::string& status);
  Result<domain::Card> GetCard(const Actor& actor, const std::string& card_no);

  Result<store::PageOf<store::DestructionRecord>> DestructionRecords(const Actor& actor,
                                                                     store::Page page);

  // P8 consent: the member's consent events, oldest first.
  Result<std::vector<store::ConsentRecord>> Consents(const Actor& actor, MemberId id);
  // Records consent given or withdrawn ({"purpose": service|marketing|guardian,
  // "granted", "version", "channel"}). Withdrawing marketing consent sets the
  // member's marketing opt-out in the same transaction, so no campaign reaches
  // them from that moment; giving it clears the opt-out.
  Result<store::ConsentRecord> RecordConsent(const Actor& actor, MemberId id,
                                             const nlohmann::json& body);
  // P8 right of access: everything held about one member (file, cards,
  // history, consents) as one JSON document for the member. Only for those
  // who see the member unmasked; audited.
  Result<nlohmann::json> DataCopy(const Actor& actor, MemberId id);

  // P4 export of a member list (the same filters and scope as Search; the
  // route requires the export permission). CSV, UTF-8 with a BOM so Excel
  // opens it; masked exactly as the caller would see the rows on screen;
  // audited with its row count. At most kMaxExportRows rows.
  struct Export {
    std::string csv;
    int64_t rows = 0;
  };
  static constexpr int64_t kMaxExportRows = 100000;
  Result<Export> ExportList(const Actor& actor, const MemberQuery& q);

 private:
  Env env_;
};

// A new card number from libsodium's CSPRNG (M3).
std::string NewCardNumber();

}  // namespace vipcare::service
