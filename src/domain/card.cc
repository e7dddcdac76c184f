#include "domain/card.h"

#include <array>

namespace vipcare::domain {

const char* ToString(CardKind k) { return k == CardKind::kFormal ? "formal" : "temporary"; }

const char* ToString(CardStatus s) {
  switch (s) {
    case CardStatus::kPendingPickup: return "pending_pickup";
    case CardStatus::kIssued: return "issued";
    case CardStatus::kMailed: return "mailed";
    case CardStatus::kLost: return "lost";
    case CardStatus::kReplaced: return "replaced";
    case CardStatus::kExpired: return "expired";
  }
  return "issued";
}

std::optional<CardKind> ParseCardKind(std::string_view s) {
  if (s == "temporary") return CardKind::kTemporary;
  if (s == "formal") return CardKind::kFormal;
  return std::nullopt;
}

std::optional<CardStatus> ParseCardStatus(std::string_view s) {
  for (auto st : {CardStatus::kPendingPickup, CardStatus::kIssued, CardStatus::kMailed,
                  CardStatus::kLost, CardStatus::kReplaced, CardStatus::kExpired}) {
    if (s == ToString(st)) return st;
  }
  return std::nullopt;
}

bool IsActive(CardStatus s) {
  return s == CardStatus::kPendingPickup || s == CardStatus::kIssued || s == CardStatus::kMailed;
}

char LuhnCheckDigit(std::string_view digits) {
  int sum = 0;
  bool dbl = true;  // the digit next to the check digit is doubled
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return char('0' + (10 - sum % 10) % 10);
}

std::string MakeCardNumber(const std::function<int()>& random_digit) {
  std::string n = "8";
  while (n.size() < kCardNumberDigits - 1) n.push_back(char('0' + random_digit()));
  n.push_back(LuhnCheckDigit(n));
  return n;
}

bool IsValidCardNumber(std::string_view card_no) {
  if (card_no.size() != kCardNumberDigits) return false;
  for (char c : card_no) {
    if (c < '0' || c > '9') return false;
  }
  return LuhnCheckDigit(card_no.substr(0, kCardNumberDigits - 1)) == card_no.back();
}

Card NewCard(MemberId member, CardKind kind, Date today, int validity_years) {
  Card c;
  c.member_id = member;
  c.kind = kind;
  c.status = CardStatus::kPendingPickup;
  c.issued_on = today;
  c.expires_on = today.AddYears(validity_years);
  c.pickup_due = today.AddDays(kPickupDueDays);
  return c;
}

Status CheckCardTransition(CardStatus from, CardStatus to) {
  using S = CardStatus;
  bool ok = false;
  switch (from) {
    case S::kPendingPickup: ok = to == S::kIssued || to == S::kMailed || to == S::kLost ||
                                 to == S::kReplaced || to == S::kExpired; break;
    case S::kIssued:
    case S::kMailed: ok = to == S::kLost || to == S::kReplaced || to == S::kExpired ||
                          (from == S::kMailed && to == S::kIssued); break;
    case S::kLost: ok = to == S::kReplaced; break;
    case S::kReplaced:
    case S::kExpired: ok = false; break;
  }
  if (!ok) {
    return Error::Unprocessable(std::string("card cannot go from ") + ToString(from) + " to " +
                                    ToString(to),
                                "status");
  }
  return OkStatus();
}

}  // namespace vipcare::domain
