// src/domain/card.h
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/types.h"

namespace vipcare::domain {

enum class CardKind { kTemporary, kFormal };
// M3. pending_pickup, issued and mailed are "active"; a member has at most one.
enum class CardStatus { kPendingPickup, kIssued, kMailed, kLost, kReplaced, kExpired };

const char* ToString(CardKind k);
const char* ToString(CardStatus s);
std::optional<CardKind> ParseCardKind(std::string_view s);
std::optional<CardStatus> ParseCardStatus(std::string_view s);
bool IsActive(CardStatus s);

struct Card {
  CardId id;
  std::string card_no;
  MemberId member_id;
  CardKind kind = CardKind::kTemporary;
  CardStatus status = CardStatus::kPendingPickup;
  Date issued_on;
  Date expires_on;
  std::optional<Date> pickup_due;
  CardId replaces;  // the card this one was issued to replace, if any
};

inline constexpr int kCardNumberDigits = 16;
inline constexpr int kDefaultCardValidityYears = 2;
inline constexpr int kPickupDueDays = 5;

// Makes a card number: "8", 14 digits from `random_digit` (which must return
// uniformly random 0-9 from a CSPRNG), and a Luhn check digit. 10^14 numbers
// per prefix make guessing a live card hopeless.
std::string MakeCardNumber(const std::function<int()>& random_digit);
// True if `card_no` has 16 digits and a correct Luhn check digit.
bool IsValidCardNumber(std::string_view card_no);
char LuhnCheckDigit(std::string_view digits_without_check);

// The card that a freshly issued card of `kind` on `today` looks like
// (status pending pickup, expiry `validity_years` on, pickup due in 5 days).
Card NewCard(MemberId member, CardKind kind, Date today,
             int validity_years = kDefaultCardValidityYears);

// Checks a status change of M3 (e.g. lost -> issued is refused).
Status CheckCardTransition(CardStatus from, CardStatus to);

}  // namespace vipcare::domain
