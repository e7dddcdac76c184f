// src/domain/quote.h
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/types.h"
#include "domain/member.h"
#include "domain/program.h"

namespace vipcare::domain {

// L8: the price a member pays for a cart and why, the points it would earn,
// and the tier's other benefits. Pure; `today` is a parameter.

struct CartLine {
  std::string sku;
  std::string category;
  std::string brand;
  int64_t quantity = 1;
  Fen list_price;                   // per unit
  bool promo = false;               // promotion or special price (特价除外)
  std::optional<Fen> member_price;  // per unit, if the item has one
};

struct QuoteInput {
  std::string tier;                      // tier code; "" = none
  std::optional<CalendarDate> birthday;  // from the member file, solar or lunar
  bool id_checked = false;               // the clerk saw the ID card (凭身份证)
  Points points_balance;
  Fen points_remainder;  // carried earning remainder
  std::vector<CartLine> lines;
};

enum class PriceBenefit {
  kNone,
  kPromo,  // promotion line: no member discount on top
  kTierDiscount,
  kBirthdayDiscount,
  kPointsDiscount,  // points-threshold discount
  kMemberPrice,
};
const char* ToString(PriceBenefit b);  // "tier_discount", ...

struct QuoteLine {
  std::string sku;
  int64_t quantity = 0;
  Fen list_total;  // list price x quantity
  Fen total;       // what the member pays
  Fen saving;
  PriceBenefit benefit = PriceBenefit::kNone;
  std::string why;  // Chinese, e.g. "金卡9.5折"
};

// Benefits that are not a price: shown at the till and on the profile.
struct Perks {
  int parking_hours = 0;
  BasisPoints alliance_discount_bp = kFullRate;
  bool free_delivery = false;
  bool priority_service = false;
  Fen credit_min;
  Fen credit_max;                  // 0 = no upper bound
  std::vector<std::string> items;  // all of the above and the extras, in Chinese
};

struct Quote {
  std::string tier_name;
  bool birthday = false;  // today is the member's birthday
  std::vector<QuoteLine> lines;
  Fen list_total;
  Fen total;
  Fen saving;
  Points points;  // the sale would earn (at the quoted prices)
  Fen remainder;  // carried remainder after it
  Perks perks;
  std::vector<std::string> notes;  // e.g. an ID check that would unlock a birthday discount
};

// Prices `in.lines` for a member on `today`. Each line gets the single best
// member discount the tier allows (tier rate, birthday rate with the ID check
// if required, points-threshold rate, member price), never their product;
// promotion lines get none. Discounted totals are rounded half up to the fen.
// Fails with kInvalidArgument naming "tier", "lines" (empty),
// "lines[i].quantity", "lines[i].list_price_fen" or "lines[i].member_price_fen".
[[nodiscard]] Result<Quote> QuoteCart(const Program& program, const QuoteInput& in, Date today);

}  // namespace vipcare::domain
