// Good manners of the care engine (SPEC C4): valid numbers, marketing opt-out,
// do-not-disturb hours (also across midnight), the weekly cap, each refusal
// with the stable reason code the outbox stores.
#include <gtest/gtest.h>

#include "domain/contact_policy.h"

namespace vipcare::domain {
namespace {

using namespace std::chrono_literals;

const TimeZone& Shanghai() {
  static const TimeZone tz = *TimeZone::Load("Asia/Shanghai");
  return tz;
}

// An instant given as Shanghai local time (UTC+8, no daylight saving).
Timestamp Local(int y, unsigned mo, unsigned d, int h, int mi) {
  return Shanghai().StartOfDay(Date::FromYmd(y, mo, d)) + std::chrono::hours(h) +
         std::chrono::minutes(mi);
}

DndWindow Window(const char* start, const char* end) {
  auto w = ParseDndWindow(start, end, "dnd_start", "dnd_end");
  EXPECT_TRUE(w.ok() && w->has_value());
  return **w;
}

Member WithMobile(std::string number, bool valid = true) {
  Member m;
  m.name = "王小明";
  m.mobile = {std::move(number), valid};
  return m;
}

TEST(ContactPolicy, C4SmsNeedsAValidMainlandMobile) {
  EXPECT_TRUE(CheckRecipient(WithMobile("13812345678"), ContactChannel::kSms).allowed);
  EXPECT_TRUE(CheckRecipient(WithMobile("19912345678"), ContactChannel::kSms).allowed);
  for (const char* bad : {"", "12812345678", "1381234567", "138123456789", "1381234567a",
                          "+8613812345678", "021-1234567"}) {
    auto d = CheckRecipient(WithMobile(bad), ContactChannel::kSms);
    EXPECT_FALSE(d.allowed) << bad;
    EXPECT_EQ(d.reason, kReasonInvalidNumber) << bad;
    EXPECT_FALSE(d.detail.empty());
  }
  // A number staff flagged as dead (空号/过期号) is not used even if well formed.
  auto flagged = CheckRecipient(WithMobile("13812345678", false), ContactChannel::kSms);
  EXPECT_FALSE(flagged.allowed);
  EXPECT_EQ(flagged.reason, kReasonInvalidNumber);
}

TEST(ContactPolicy, C4PhoneCallsMayUseTheOfficeOrHomeNumber) {
  Member m = WithMobile("");
  EXPECT_EQ(CheckRecipient(m, ContactChannel::kPhone).reason, kReasonInvalidNumber);
  m.office_phone = {"021-12345678", false};
  EXPECT_FALSE(CheckRecipient(m, ContactChannel::kPhone).allowed) << "flagged invalid";
  m.home_phone = {"010 8888 6666", true};
  EXPECT_TRUE(CheckRecipient(m, ContactChannel::kPhone).allowed);
  EXPECT_FALSE(CheckRecipient(m, ContactChannel::kSms).allowed) << "an SMS needs a mobile";
}

TEST(ContactPolicy, C4EmailNeedsAnAddress) {
  Member m = WithMobile("13812345678");
  EXPECT_EQ(CheckRecipient(m, ContactChannel::kEmail).reason, kReasonInvalidEmail);
  m.email = "wang@example.com";
  EXPECT_TRUE(CheckRecipient(m, ContactChannel::kEmail).allowed);
}

TEST(ContactPolicy, C4OptOutStopsMarketingButNotServiceMessages) {
  auto marketing = CheckOptOut(true, MessagePurpose::kMarketing);
  EXPECT_FALSE(marketing.allowed);
  EXPECT_EQ(marketing.reason, kReasonOptOut);
  EXPECT_TRUE(CheckOptOut(true, MessagePurpose::kService).allowed);
  EXPECT_TRUE(CheckOptOut(false, MessagePurpose::kMarketing).allowed);
}

TEST(ContactPolicy, C4DndWindowAcrossMidnight) {
  auto w = Window("22:00", "08:00");
  EXPECT_TRUE(InDnd(w, 22 * 60));
  EXPECT_TRUE(InDnd(w, 23 * 60 + 30));
  EXPECT_TRUE(InDnd(w, 0));
  EXPECT_TRUE(InDnd(w, 7 * 60 + 59));
  EXPECT_FALSE(InDnd(w, 8 * 60));
  EXPECT_FALSE(InDnd(w, 21 * 60 + 59));

  // 23:30 on 1 June: the next allowed send is 08:00 on 2 June.
  auto night = CheckDnd({w}, Local(2026, 6, 1, 23, 30), Shanghai());
  EXPECT_FALSE(night.allowed);
  EXPECT_EQ(night.reason, kReasonDnd);
  ASSERT_TRUE(night.not_before.has_value());
  EXPECT_EQ(*night.not_before, Local(2026, 6, 2, 8, 0));
  EXPECT_NE(night.detail.find("08:00"), std::string::npos) << night.detail;
  // 07:10 the same morning: 08:00 that day.
  EXPECT_EQ(NextAllowedTime({w}, Local(2026, 6, 2, 7, 10), Shanghai()), Local(2026, 6, 2, 8, 0));
  // Outside the window: now.
  auto noon = Local(2026, 6, 2, 12, 0) + 17s;
  EXPECT_TRUE(CheckDnd({w}, noon, Shanghai()).allowed);
  EXPECT_EQ(NextAllowedTime({w}, noon, Shanghai()), noon);
}

TEST(ContactPolicy, C4DndWindowWithinOneDay) {
  auto w = Window("12:00", "14:00");
  EXPECT_FALSE(InDnd(w, 11 * 60 + 59));
  EXPECT_TRUE(InDnd(w, 12 * 60));
  EXPECT_FALSE(InDnd(w, 14 * 60));
  EXPECT_EQ(NextAllowedTime({w}, Local(2026, 6, 2, 13, 0), Shanghai()), Local(2026, 6, 2, 14, 0));
  // start == end is no window at all.
  EXPECT_FALSE(InDnd(Window("09:00", "09:00"), 9 * 60));
}

TEST(ContactPolicy, C4OverlappingWindowsChainAndAFullDayNeverAllows) {
  // The member's 22:00-08:00 and the company's quiet hours 21:00-09:00.
  std::vector<DndWindow> ws = {Window("22:00", "08:00"), Window("21:00", "09:00")};
  EXPECT_EQ(NextAllowedTime(ws, Local(2026, 6, 1, 21, 30), Shanghai()), Local(2026, 6, 2, 9, 0));
  EXPECT_EQ(MinutesUntilAllowed(ws, 8 * 60 + 30), 30);

  std::vector<DndWindow> all_day = {Window("00:00", "12:00"), Window("12:00", "00:00")};
  EXPECT_EQ(MinutesUntilAllowed(all_day, 600), std::nullopt);
  auto d = CheckDnd(all_day, Local(2026, 6, 1, 10, 0), Shanghai());
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.reason, kReasonDnd);
  EXPECT_FALSE(d.not_before.has_value());
}

TEST(ContactPolicy, C4DndTimesAreCheckedNamingTheField) {
  auto none = ParseDndWindow("", "", "preferences.dnd_start", "preferences.dnd_end");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  struct Case {
    const char* start;
    const char* end;
    const char* field;
  };
  for (auto c : {Case{"24:00", "08:00", "preferences.dnd_start"},
                 Case{"22:00", "8:00", "preferences.dnd_end"},
                 Case{"22:60", "08:00", "preferences.dnd_start"},
                 Case{"22:00", "", "preferences.dnd_end"},
                 Case{"", "08:00", "preferences.dnd_start"}}) {
    auto r = ParseDndWindow(c.start, c.end, "preferences.dnd_start", "preferences.dnd_end");
    ASSERT_FALSE(r.ok()) << c.start << "-" << c.end;
    EXPECT_EQ(r.error().field, c.field) << c.start << "-" << c.end;
  }
}

TEST(ContactPolicy, C4WeeklyCapCountsTheLastSevenDays) {
  Timestamp now = Local(2026, 6, 10, 10, 0);
  std::vector<Timestamp> sent = {now - 24h * 3, now - 24h * 8, now - 1h};
  // Two in the last 7 days (the one 8 days ago no longer counts).
  EXPECT_TRUE(CheckWeeklyCap(sent, now, 3).allowed);
  auto capped = CheckWeeklyCap(sent, now, 2);
  EXPECT_FALSE(capped.allowed);
  EXPECT_EQ(capped.reason, kReasonWeeklyCap);
  ASSERT_TRUE(capped.not_before.has_value());
  // Free again when the send of 3 days ago leaves the window.
  EXPECT_EQ(*capped.not_before, now + 24h * 4);
  EXPECT_TRUE(CheckWeeklyCap(sent, *capped.not_before, 2).allowed);
  EXPECT_FALSE(CheckWeeklyCap(sent, *capped.not_before - 1s, 2).allowed);
  // Cap 1: both must leave; the newest leaves last.
  EXPECT_EQ(*CheckWeeklyCap(sent, now, 1).not_before, now - 1h + 24h * 7);
  // No cap configured.
  EXPECT_TRUE(CheckWeeklyCap(sent, now, 0).allowed);
}

TEST(ContactPolicy, C4SendCheckRunsEveryRuleInOrder) {
  Member m = WithMobile("13812345678");
  m.preferences.dnd_start = "22:00";
  m.preferences.dnd_end = "08:00";
  SendCheck c;
  c.member = &m;
  c.zone = &Shanghai();
  c.now = Local(2026, 6, 1, 12, 0);
  c.weekly_cap = 1;
  c.purpose = MessagePurpose::kMarketing;
  EXPECT_TRUE(CheckSend(c).allowed);

  // At night: deferred to 08:00.
  c.now = Local(2026, 6, 1, 23, 0);
  auto night = CheckSend(c);
  EXPECT_EQ(night.reason, kReasonDnd);
  EXPECT_EQ(night.not_before, Local(2026, 6, 2, 8, 0));
  // E-mail does not ring: no DND.
  m.email = "wang@example.com";
  c.channel = ContactChannel::kEmail;
  EXPECT_TRUE(CheckSend(c).allowed);
  c.channel = ContactChannel::kSms;
  c.now = Local(2026, 6, 1, 12, 0);

  // The cap counts marketing; a service message (points after a sale) still goes.
  c.recent_sends = {c.now - 24h};
  EXPECT_EQ(CheckSend(c).reason, kReasonWeeklyCap);
  c.purpose = MessagePurpose::kService;
  EXPECT_TRUE(CheckSend(c).allowed);
  c.cap_service_messages = true;
  EXPECT_EQ(CheckSend(c).reason, kReasonWeeklyCap);
  c.cap_service_messages = false;

  // Opt-out comes before the cap; a dead number before everything.
  c.purpose = MessagePurpose::kMarketing;
  m.preferences.marketing_opt_out = true;
  EXPECT_EQ(CheckSend(c).reason, kReasonOptOut);
  m.mobile.valid = false;
  EXPECT_EQ(CheckSend(c).reason, kReasonInvalidNumber);

  // Company quiet hours apply with the member's own.
  Member n = WithMobile("13912345678");
  SendCheck q;
  q.member = &n;
  q.zone = &Shanghai();
  q.now = Local(2026, 6, 1, 21, 30);
  EXPECT_TRUE(CheckSend(q).allowed);
  q.quiet_hours = {Window("21:00", "08:00")};
  EXPECT_EQ(CheckSend(q).reason, kReasonDnd);
}

}  // namespace
}  // namespace vipcare::domain
