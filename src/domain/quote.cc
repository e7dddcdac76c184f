#include "domain/quote.h"

#include <fmt/format.h>

#include "domain/lunar.h"
#include "domain/points.h"

namespace vipcare::domain {
namespace {

// Rounded half up to the fen (四舍五入).
Fen Discounted(Fen amount, BasisPoints bp) {
  return Fen((amount.value * bp + kFullRate / 2) / kFullRate);
}

struct Candidate {
  PriceBenefit benefit;
  Fen total;
  std::string why;
};

Perks PerksOf(const Benefits& b) {
  Perks p;
  p.parking_hours = b.parking_hours;
  p.alliance_discount_bp = b.alliance_discount_bp;
  p.free_delivery = b.free_delivery;
  p.priority_service = b.priority_service;
  p.credit_min = b.credit_min;
  p.credit_max = b.credit_max;
  if (b.parking_hours > 0) p.items.push_back(fmt::format("免费停车 {} 小时", b.parking_hours));
  if (b.alliance_discount_bp < kFullRate) {
    p.items.push_back("联盟商家" + ZheText(b.alliance_discount_bp));
  }
  if (b.free_delivery) p.items.push_back("免费送货");
  if (b.priority_service) p.items.push_back("优先服务");
  if (b.credit_max.value > 0) {
    p.items.push_back(
        b.credit_min.value > 0
            ? fmt::format("赊欠额度 {}–{}", YuanText(b.credit_min), YuanText(b.credit_max))
            : fmt::format("赊欠额度 {} 以内", YuanText(b.credit_max)));
  } else if (b.credit_min.value > 0) {
    p.items.push_back(fmt::format("赊欠额度 {} 以上", YuanText(b.credit_min)));
  }
  for (const auto& e : b.extras) p.items.push_back(e);
  return p;
}

}  // namespace

const char* ToString(PriceBenefit b) {
  switch (b) {
    case PriceBenefit::kNone:
      return "none";
    case PriceBenefit::kPromo:
      return "promo";
    case PriceBenefit::kTierDiscount:
      return "tier_discount";
    case PriceBenefit::kBirthdayDiscount:
      return "birthday_discount";
    case PriceBenefit::kPointsDiscount:
      return "points_discount";
    case PriceBenefit::kMemberPrice:
      return "member_price";
  }
  return "none";
}

Result<Quote> QuoteCart(const Program& program, const QuoteInput& in, Date today) {
  const Tier* tier = nullptr;
  if (!in.tier.empty()) {
    auto t = FindTier(program, in.tier);
    if (!t)
      return Error::Invalid("tier", fmt::format("\"{}\" is not a tier of the program", in.tier));
    tier = &program.tiers[*t];
  }
  if (in.lines.empty()) return Error::Invalid("lines", "must not be empty");
  for (size_t i = 0; i < in.lines.size(); ++i) {
    const CartLine& l = in.lines[i];
    if (l.quantity < 1 || l.quantity > 100000) {
      return Error::Invalid(fmt::format("lines[{}].quantity", i), "must be from 1 to 100000");
    }
    if (l.list_price.value < 0) {
      return Error::Invalid(fmt::format("lines[{}].list_price_fen", i), "must not be negative");
    }
    if (l.member_price && l.member_price->value < 0) {
      return Error::Invalid(fmt::format("lines[{}].member_price_fen", i), "must not be negative");
    }
  }

  Quote q;
  q.birthday =
      in.birthday &&
      IsBirthday(*in.birthday, today, program.birthday_calendar == BirthdayCalendar::kSolarOfBirth);
  if (tier) {
    q.tier_name = tier->name;
    q.perks = PerksOf(tier->benefits);
    if (q.birthday && !tier->benefits.birthday_gift.empty()) {
      q.perks.items.push_back("生日礼：" + tier->benefits.birthday_gift);
    }
  }
  const Benefits* b = tier ? &tier->benefits : nullptr;
  const bool birthday_rate = b && q.birthday && b->birthday_discount_bp < kFullRate;
  const bool birthday_allowed = birthday_rate && (!b->birthday_needs_id_check || in.id_checked);
  if (birthday_rate && !birthday_allowed) {
    q.notes.push_back(
        fmt::format("今天是会员生日：出示身份证原件可享生日{}", ZheText(b->birthday_discount_bp)));
  }

  EarnInput earn{in.tier, q.birthday, today, in.points_remainder, {}};
  for (const CartLine& l : in.lines) {
    QuoteLine ql;
    ql.sku = l.sku;
    ql.quantity = l.quantity;
    ql.list_total = Fen(l.list_price.value * l.quantity);
    ql.total = ql.list_total;
    if (l.promo) {
      ql.benefit = PriceBenefit::kPromo;
      ql.why = "特价/促销商品不参与会员折扣";
    } else if (b) {
      std::vector<Candidate> options;
      if (b->discount_bp < kFullRate) {
        options.push_back({PriceBenefit::kTierDiscount, Discounted(ql.list_total, b->discount_bp),
                           tier->name + ZheText(b->discount_bp)});
      }
      if (b->member_price && l.member_price && *l.member_price < l.list_price) {
        options.push_back({PriceBenefit::kMemberPrice, Fen(l.member_price->value * l.quantity),
                           "会员价 " + YuanText(*l.member_price)});
      }
      if (b->points_threshold.value > 0 && in.points_balance >= b->points_threshold) {
        options.push_back({PriceBenefit::kPointsDiscount,
                           Discounted(ql.list_total, b->points_threshold_discount_bp),
                           fmt::format("积分满 {} 分享{}", b->points_threshold.value,
                                       ZheText(b->points_threshold_discount_bp))});
      }
      if (birthday_allowed) {
        options.push_back({PriceBenefit::kBirthdayDiscount,
                           Discounted(ql.list_total, b->birthday_discount_bp),
                           fmt::format("生日当天{}{}", ZheText(b->birthday_discount_bp),
                                       b->birthday_needs_id_check ? "（已核验身份证）" : "")});
      }
      // The best single discount: member discounts never multiply (L8).
      const Candidate* best = nullptr;
      for (const auto& o : options) {
        if (o.total < ql.total && (!best || o.total < best->total)) best = &o;
      }
      if (best) {
        ql.total = best->total;
        ql.benefit = best->benefit;
        ql.why = best->why;
      } else {
        ql.why = "无会员折扣";
      }
    } else {
      ql.why = "无会员折扣";
    }
    ql.saving = ql.list_total - ql.total;
    q.list_total += ql.list_total;
    q.total += ql.total;
    earn.lines.push_back(
        SaleLine{l.sku, l.category, l.brand, l.quantity, l.list_price, ql.total, l.promo});
    q.lines.push_back(std::move(ql));
  }
  q.saving = q.list_total - q.total;
  auto earned = Earn(program, earn);
  if (!earned.ok()) return earned.error();
  q.points = earned->points;
  q.remainder = earned->remainder;
  for (const auto& n : earned->notes) q.notes.push_back(n);
  return q;
}

}  // namespace vipcare::domain
