// Message templates of the care engine (SPEC C5): placeholders, validation that
// names the bad field, the shipped seed texts, selection by occasion / member
// type / tier, salutations, money and SMS length.
#include <gtest/gtest.h>

#include "domain/care_rules.h"
#include "domain/message_template.h"

namespace vipcare::domain {
namespace {

using nlohmann::json;

MessageValues Wang() {
  MessageValues v;
  v.member_name = "王小明";
  v.gender = Gender::kMale;
  v.brand = "XX男装";
  v.store = "南京路店";
  v.store_address = "南京东路100号";
  v.store_phone = "021-12345678";
  v.date = Date::FromYmd(2026, 6, 1);
  v.amount = Fen(123450);
  v.points = Points(1234);
  v.threshold = Points(500);
  v.tier = "金卡";
  v.festival = "国庆节";
  return v;
}

std::string MustRender(const MessageTemplate* t, const MessageValues& v) {
  EXPECT_NE(t, nullptr);
  if (!t) return {};
  auto r = Render(*t, v);
  EXPECT_TRUE(r.ok()) << r.error().field << " " << r.error().message;
  return r.ok() ? r->text : std::string();
}

json Sms(std::string code, std::string text) {
  return {{"code", std::move(code)},
          {"channel", "sms"},
          {"occasions", {"birthday"}},
          {"text", std::move(text)}};
}

TEST(MessageTemplate, C5DefaultTemplatesParseAndServeEveryCareOccasion) {
  const auto& all = DefaultTemplates();
  ASSERT_FALSE(all.empty());
  for (const char* occasion :
       {"post_purchase_d1", "formal_welcome", "card_pickup_d5", "spring_festival", "dragon_boat",
        "mid_autumn", "new_year", "valentines", "labour_day", "army_day", "teachers_day",
        "national_day", "christmas", "fathers_day", "birthday", "anniversary", "new_season",
        "special_event", "store_anniversary", "tier_upgrade", "points_expiry",
        "downgrade_warning", "inactivity", "stored_goods"}) {
    EXPECT_NE(SelectTemplate(all, occasion, MessageChannel::kSms, "formal", "c"), nullptr)
        << occasion;
  }
  // C: "短信祝福+贺卡寄送+E-mail积分信息告知" -- the festival e-mail with points.
  const auto* mail = SelectTemplate(all, "spring_festival", MessageChannel::kEmail, "formal", "c");
  ASSERT_NE(mail, nullptr);
  EXPECT_NE(mail->text.find("{points}"), std::string::npos);
}

// Every SMS or e-mail the shipped care rules (C1) ask for has a shipped
// template, for every tier key and member status the rule addresses.
TEST(MessageTemplate, C5EveryMessageOfTheDefaultCareRulesHasADefaultTemplate) {
  const auto& templates = DefaultTemplates();
  int checked = 0;
  for (const auto& rule : DefaultCareRules().rules) {
    std::vector<std::string> statuses;
    for (auto st : rule.audience.statuses) statuses.push_back(ToString(st));
    if (statuses.empty()) statuses = {"temporary", "formal"};
    for (const auto& entry : rule.actions) {
      if (entry.action.skip) continue;
      std::string grade = IsGradeKey(entry.key) ? entry.key : "";
      for (auto [channel, mc] : {std::pair{Channel::kSms, MessageChannel::kSms},
                                 std::pair{Channel::kEmail, MessageChannel::kEmail}}) {
        if (!entry.action.channels.Has(channel)) continue;
        for (const auto& status : statuses) {
          ++checked;
          EXPECT_NE(SelectTemplate(templates, rule.code, mc, status, "", grade), nullptr)
              << rule.code << " " << ToString(channel) << " " << entry.key << " " << status;
        }
      }
    }
  }
  EXPECT_GT(checked, 20);
}

TEST(MessageTemplate, C5DefaultTemplatesRoundTripThroughJson) {
  const auto& all = DefaultTemplates();
  auto again = ParseTemplates(TemplatesToJson(all));
  ASSERT_TRUE(again.ok()) << again.error().field << " " << again.error().message;
  EXPECT_EQ(*again, all);
}

TEST(MessageTemplate, C5Day1SmsOfAFormalMemberIsTheSeedTextWithPoints) {
  auto text = MustRender(
      SelectTemplate(DefaultTemplates(), "post_purchase_d1", MessageChannel::kSms, "formal", "a"),
      Wang());
  EXPECT_EQ(text,
            "王先生，诚挚感谢您选择XX男装，您在6月1日在南京路店消费共计1,234.50元，"
            "您目前的积分是1234分，感谢您的支持！");
}

TEST(MessageTemplate, C5Day1SmsOfATemporaryMemberNamesTheFormalThreshold) {
  auto v = Wang();
  v.member_name = "欧阳娜娜";
  v.gender = Gender::kFemale;
  v.points = Points(120);
  auto text = MustRender(SelectTemplate(DefaultTemplates(), "post_purchase_d1",
                                        MessageChannel::kSms, "temporary", ""),
                         v);
  EXPECT_EQ(text,
            "欧阳女士，诚挚感谢您选择XX男装，您在6月1日在南京路店消费共计1,234.50元，"
            "您目前的积分是120分，当您的积分达到500分时，您将会成为我们的正式会员，"
            "我们将为您送出标准会员卡，并建立会籍资料，感谢您的支持！");
}

TEST(MessageTemplate, C5SeedFestivalTextsShipAsDefaults) {
  const auto& all = DefaultTemplates();
  auto v = Wang();
  EXPECT_EQ(MustRender(SelectTemplate(all, "dragon_boat", MessageChannel::kSms, "formal", ""), v),
            "心牵挂着你，爱祝福着你，端午粽香围绕着你，XX男装心礼等待着你，"
            "XX男装全体同仁祝您端午节快乐！");
  EXPECT_EQ(MustRender(SelectTemplate(all, "spring_festival", MessageChannel::kSms, "prospect", ""),
                       v),
            "开春团圆，喜福齐汇，XX男装新春喜福会，与您分享喜悦新春！"
            "详情请至南京东路100号南京路店咨询，喜福热线：021-12345678。");
  EXPECT_EQ(MustRender(SelectTemplate(all, "spring_festival", MessageChannel::kSms, "formal", "a"),
                       v),
            "尊贵身份，尊享心礼，XX男装新春会员喜福会，与您分享喜悦新春！"
            "详情请至南京东路100号南京路店咨询，喜福热线：021-12345678。");
  auto mid_autumn =
      MustRender(SelectTemplate(all, "mid_autumn", MessageChannel::kSms, "formal", ""), v);
  EXPECT_NE(mid_autumn.find("前路漫漫，始终有XX男装相伴"), std::string::npos);
  EXPECT_NE(mid_autumn.find("XX男装南京路店庆中秋、迎国庆、豪情献礼。"), std::string::npos);
  EXPECT_EQ(MustRender(SelectTemplate(all, "formal_welcome", MessageChannel::kSms, "formal", ""),
                       [&] {
                         auto w = v;
                         w.pickup_date = Date::FromYmd(2026, 6, 6);
                         return w;
                       }()),
            "王先生，恭喜您成为XX男装正式会员，您目前的积分是1234分，"
            "请您在6月6日后来店领取您的会员卡！XX男装全体同仁感谢您的支持与厚爱！");
}

TEST(MessageTemplate, C5TheMostSpecificTemplateWins) {
  const auto& all = DefaultTemplates();
  // Spring Festival, B class: SMS plus an invitation to collect a gift in store (C1).
  // Tiers are addressed by grade letter (A = top), as the care rules do, so
  // the default suits every program: the department store's second tier
  // from the top is its grade B.
  auto* b = SelectTemplate(all, "spring_festival", MessageChannel::kSms, "formal", "b", "B");
  auto* a = SelectTemplate(all, "spring_festival", MessageChannel::kSms, "formal", "a", "A");
  auto* diamond =
      SelectTemplate(all, "spring_festival", MessageChannel::kSms, "formal", "diamond", "B");
  auto* prospect = SelectTemplate(all, "spring_festival", MessageChannel::kSms, "prospect", "");
  ASSERT_TRUE(a && b && prospect);
  EXPECT_EQ(b->code, "spring_festival_member_gift");
  ASSERT_NE(diamond, nullptr);
  EXPECT_EQ(diamond->code, "spring_festival_member_gift");
  // A template may also name a program's own tier codes.
  auto own = ParseTemplates(json::array(
      {Sms("generic", "{name}"),
       {{"code", "gold_only"}, {"channel", "sms"}, {"occasions", {"birthday"}},
        {"tiers", {"gold"}}, {"text", "{name}，金卡"}}}));
  ASSERT_TRUE(own.ok()) << own.error().field << own.error().message;
  EXPECT_EQ(SelectTemplate(*own, "birthday", MessageChannel::kSms, "formal", "gold", "A")->code,
            "gold_only");
  EXPECT_EQ(SelectTemplate(*own, "birthday", MessageChannel::kSms, "formal", "silver", "B")->code,
            "generic");
  EXPECT_EQ(a->code, "spring_festival_member");
  EXPECT_EQ(prospect->code, "spring_festival_prospect");
  EXPECT_EQ(SelectTemplate(all, "no_such_occasion", MessageChannel::kSms, "formal", "a"), nullptr);
  // The e-mail of the occasion is not picked for an SMS, nor the other way round.
  EXPECT_EQ(SelectTemplate(all, "stored_goods", MessageChannel::kEmail, "formal", ""), nullptr);
}

TEST(MessageTemplate, C5UnknownPlaceholderIsRejectedNamingTheFieldAndThePlaceholder) {
  json list = json::array({Sms("a", "{name}，生日快乐"), Sms("b", "{name}，{points}分"),
                           Sms("c", "{name}，您的积分{piont}分")});
  auto r = ParseTemplates(list);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(r.error().field, "templates[2].text");
  EXPECT_NE(r.error().message.find("{piont}"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("{points}"), std::string::npos) << "lists the known ones";

  json mail = {{"code", "m"},         {"channel", "email"}, {"occasions", {"birthday"}},
               {"subject", "{Name}"}, {"text", "{name}"}};
  auto m = ParseTemplates(json::array({mail}));
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().field, "templates[0].subject");
  EXPECT_NE(m.error().message.find("{Name}"), std::string::npos);
}

TEST(MessageTemplate, C5BracesMustOpenAPlaceholderOrBeDoubled) {
  for (const char* text : {"积分{", "积分 } 分", "{ name }", "{}", "{姓名}"}) {
    auto r = ParseTemplate(Sms("x", text), "templates[0]");
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error().field, "templates[0].text") << text;
  }
  auto t = ParseTemplate(Sms("x", "{{VIP}} {name}"));
  ASSERT_TRUE(t.ok()) << t.error().message;
  auto text = RenderText(t->text, Wang());
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "{VIP} 王先生");
}

TEST(MessageTemplate, C5EveryBadTemplateFieldIsNamed) {
  struct Case {
    json tpl;
    std::string field;
  };
  auto base = Sms("birthday_sms", "{name}，生日快乐");
  auto with = [&](const char* key, json value) {
    json j = base;
    j[key] = std::move(value);
    return j;
  };
  auto without = [&](const char* key) {
    json j = base;
    j.erase(key);
    return j;
  };
  std::vector<Case> cases = {
      {with("code", "Birthday SMS"), "templates[0].code"},
      {without("code"), "templates[0].code"},
      {with("channel", "wechat"), "templates[0].channel"},
      {with("purpose", "spam"), "templates[0].purpose"},
      {with("occasions", json::array()), "templates[0].occasions"},
      {with("occasions", {"birthday", "Birthday!"}), "templates[0].occasions[1]"},
      {with("occasions", {"birthday", "birthday"}), "templates[0].occasions[1]"},
      {with("statuses", {"formal", "vip"}), "templates[0].statuses[1]"},
      {with("tiers", {"a", 3}), "templates[0].tiers[1]"},
      {with("tiers", {"A", "K"}), "templates[0].tiers[1]"},
      {with("subject", "生日"), "templates[0].subject"},
      {with("text", ""), "templates[0].text"},
      {with("text", std::string(501 * 3, 'x')), "templates[0].text"},
      {with("colour", "red"), "templates[0].colour"},
  };
  for (const auto& c : cases) {
    auto r = ParseTemplates(json::array({c.tpl}));
    ASSERT_FALSE(r.ok()) << c.tpl.dump();
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument) << c.tpl.dump();
    EXPECT_EQ(r.error().field, c.field) << c.tpl.dump() << ": " << r.error().message;
  }
  json mail = {{"code", "m"}, {"channel", "email"}, {"occasions", {"birthday"}}, {"text", "x"}};
  auto no_subject = ParseTemplates(json::array({mail}));
  ASSERT_FALSE(no_subject.ok());
  EXPECT_EQ(no_subject.error().field, "templates[0].subject");

  auto twice = ParseTemplates(json::array({base, base}));
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().field, "templates[1].code");
}

TEST(MessageTemplate, C5RenderingAValueThatIsNotKnownFailsInsteadOfLeavingAHole) {
  auto t = ParseTemplate(Sms("x", "{name}，您的{expiring_points}分积分将于{expiry_date}到期"));
  ASSERT_TRUE(t.ok());
  auto v = Wang();
  auto r = Render(*t, v);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_EQ(r.error().field, "text");
  EXPECT_NE(r.error().message.find("{expiring_points}"), std::string::npos);

  v.expiring_points = Points(300);
  v.expiry_date = Date::FromYmd(2027, 1, 31);
  r = Render(*t, v);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->text, "王先生，您的300分积分将于2027年1月31日到期");
}

TEST(MessageTemplate, C5SalutationUsesSurnameAndTitleFromGender) {
  EXPECT_EQ(SalutationName("王小明", Gender::kMale), "王先生");
  EXPECT_EQ(SalutationName("李红", Gender::kFemale), "李女士");
  EXPECT_EQ(SalutationName("欧阳娜娜", Gender::kFemale), "欧阳女士");
  EXPECT_EQ(SalutationName("司马光", Gender::kMale), "司马先生");
  EXPECT_EQ(SalutationName(" 张三 ", Gender::kUnknown), "张三") << "no guessing a title";
  EXPECT_EQ(SalutationName("", Gender::kMale), "顾客");
  EXPECT_EQ(SalutationName("John Smith", Gender::kMale), "Smith先生");
  EXPECT_EQ(Surname("欧阳"), "欧") << "a two-character name is surname + given name";

  auto t = ParseTemplate(Sms("x", "{surname}{title}，{full_name}"));
  ASSERT_TRUE(t.ok());
  auto v = Wang();
  EXPECT_EQ(*RenderText(t->text, v), "王先生，王小明");
  v.gender = Gender::kUnknown;
  EXPECT_EQ(*RenderText(t->text, v), "王先生/女士，王小明");
}

TEST(MessageTemplate, C5AmountsAreYuanWithThousandsSeparators) {
  EXPECT_EQ(FormatYuanGrouped(Fen(0)), "0.00");
  EXPECT_EQ(FormatYuanGrouped(Fen(5)), "0.05");
  EXPECT_EQ(FormatYuanGrouped(Fen(99999)), "999.99");
  EXPECT_EQ(FormatYuanGrouped(Fen(123450)), "1,234.50");
  EXPECT_EQ(FormatYuanGrouped(Fen(100000000)), "1,000,000.00");
  EXPECT_EQ(FormatYuanGrouped(Fen(-123450)), "-1,234.50");
  EXPECT_EQ(FormatMonthDay(Date::FromYmd(2026, 12, 31)), "12月31日");
  EXPECT_EQ(FormatChineseDate(Date::FromYmd(2026, 1, 5)), "2026年1月5日");
}

TEST(MessageTemplate, C5SmsLengthCountsCharactersNotBytes) {
  auto chinese = [](int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s += "积";
    return s;
  };
  EXPECT_EQ(CountSms("").parts, 0);
  EXPECT_EQ(CountSms(chinese(70)).chars, 70);  // 210 bytes
  EXPECT_EQ(CountSms(chinese(70)).parts, 1);
  EXPECT_EQ(CountSms(chinese(71)).parts, 2);
  EXPECT_EQ(CountSms(chinese(134)).parts, 2);  // 2 x 67
  EXPECT_EQ(CountSms(chinese(135)).parts, 3);
  EXPECT_EQ(CountSms(std::string(70, 'a')).parts, 1);
  EXPECT_EQ(CountSms(chinese(60) + "1234567890").chars, 70);

  auto t = SelectTemplate(DefaultTemplates(), "post_purchase_d1", MessageChannel::kSms,
                          "temporary", "");
  ASSERT_NE(t, nullptr);
  auto r = Render(*t, Wang());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->sms.chars, CountSms(r->text).chars);
  EXPECT_EQ(r->sms.parts, 2) << r->sms.chars << " characters";
}

TEST(MessageTemplate, C5PlaceholdersAreListedInOrderOfFirstUse) {
  auto p = Placeholders("{name}{points}{name}{{x}}{date}", "text");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(*p, (std::vector<std::string>{"name", "points", "date"}));
  for (auto name : KnownPlaceholders()) {
    auto t = ParseTemplate(Sms("x", "{" + std::string(name) + "}"));
    EXPECT_TRUE(t.ok()) << name;
  }
}

}  // namespace
}  // namespace vipcare::domain
