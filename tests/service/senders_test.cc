// Senders of the care engine's outbox (SPEC C5): SMS through an HTTP gateway
// of our own started on 127.0.0.1 (signature, retries with backoff after 5xx
// and timeouts, none after 4xx), e-mail through Debian's aiosmtpd (a Chinese
// subject and body arrive intact), and the default outbox-only sender that
// sends nothing. No database: these run the same on either backend.
#include <gtest/gtest.h>

#include <functional>
#include <mutex>

#include "service/senders.h"
#include "testing/sms_gateway.h"
#include "testing/smtp_server.h"

namespace vipcare::service {
namespace {

using domain::MessageChannel;
using namespace std::chrono_literals;
using testing::SmsGateway;
using testing::SmtpServer;

// Records the backoff waits instead of sleeping.
struct Sleeps {
  std::mutex mu;
  std::vector<std::chrono::milliseconds> waits;
  SleepFn Fn() {
    return [this](std::chrono::milliseconds d) {
      std::lock_guard lock(mu);
      waits.push_back(d);
    };
  }
};

const FixedClock kClock(FromEpochSeconds(1780279200));  // 2026-06-01T02:00:00Z

OutboundMessage Sms(std::string text = "王先生，您目前的积分是1234分，感谢您的支持！") {
  OutboundMessage m;
  m.outbox_id = 42;
  m.channel = MessageChannel::kSms;
  m.to = "13812345678";
  m.text = std::move(text);
  return m;
}

class SendersTest : public ::testing::Test {
 protected:
  SmsGatewayConfig GatewayConfig() {
    SmsGatewayConfig c;
    c.url = gateway.url();
    c.account = "vipcare-test";
    c.secret = "test-secret";
    c.signature = "XX男装";
    c.connect_timeout = 2s;
    c.timeout = 5s;
    c.retry.max_attempts = 3;
    c.retry.initial_backoff = 500ms;
    c.retry.max_backoff = 8s;
    return c;
  }

  SmsGateway gateway;
  Sleeps sleeps;
};

TEST_F(SendersTest, C5SmsReachesTheGatewaySignedWithTheCarrierSignature) {
  auto config = GatewayConfig();
  ASSERT_TRUE(ValidateSmsGatewayConfig(config).ok());
  HttpSmsGatewaySender sender(config, &kClock, sleeps.Fn());
  auto r = sender.Send(Sms());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->delivery, Delivery::kSent);
  EXPECT_EQ(r->provider_message_id, "gw-1");
  EXPECT_EQ(r->attempts, 1);
  auto got = gateway.Messages();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].mobile, "13812345678");
  EXPECT_EQ(got[0].text, "【XX男装】王先生，您目前的积分是1234分，感谢您的支持！");
  EXPECT_EQ(got[0].account, "vipcare-test");
  EXPECT_EQ(got[0].signature, "XX男装");
  EXPECT_EQ(got[0].client_ref, "vipcare-42");
  EXPECT_TRUE(sleeps.waits.empty());
}

TEST_F(SendersTest, C5SmsIsRetriedWithExponentialBackoffAfter503) {
  gateway.FailNext(2, 503);
  HttpSmsGatewaySender sender(GatewayConfig(), &kClock, sleeps.Fn());
  auto r = sender.Send(Sms());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->attempts, 3);
  EXPECT_EQ(gateway.Statuses(), (std::vector<int>{503, 503, 200}));
  EXPECT_EQ(gateway.Messages().size(), 1u) << "delivered once";
  EXPECT_EQ(sleeps.waits, (std::vector<std::chrono::milliseconds>{500ms, 1000ms}));
}

TEST_F(SendersTest, C5SmsGatewayStillDownAfterEveryAttemptIsATransientFailure) {
  gateway.FailNext(10, 503);
  HttpSmsGatewaySender sender(GatewayConfig(), &kClock, sleeps.Fn());
  auto r = sender.Send(Sms());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsTransientSendFailure(r.error()));
  EXPECT_NE(r.error().message.find("503"), std::string::npos) << r.error().message;
  EXPECT_EQ(gateway.Requests(), 3);
  EXPECT_TRUE(gateway.Messages().empty());
  EXPECT_EQ(sleeps.waits, (std::vector<std::chrono::milliseconds>{500ms, 1000ms}));
}

TEST_F(SendersTest, C5SmsIsNotRetriedAfter400) {
  gateway.FailNext(1, 400);
  HttpSmsGatewaySender sender(GatewayConfig(), &kClock, sleeps.Fn());
  auto r = sender.Send(Sms());
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(IsTransientSendFailure(r.error()));
  EXPECT_EQ(r.error().code, ErrorCode::kUnprocessable);
  EXPECT_NE(r.error().message.find("injected failure"), std::string::npos) << r.error().message;
  EXPECT_EQ(gateway.Requests(), 1);
  EXPECT_TRUE(sleeps.waits.empty());
}

TEST_F(SendersTest, C5SmsWithAWrongSecretIsRefusedOnceAndTheSecretIsNotEchoed) {
  auto config = GatewayConfig();
  config.secret = "not-the-shared-secret";
  HttpSmsGatewaySender sender(config, &kClock, sleeps.Fn());
  auto r = sender.Send(Sms());
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(IsTransientSendFailure(r.error()));
  EXPECT_NE(r.error().message.find("401"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("not-the-shared-secret"), std::string::npos);
  EXPECT_EQ(gateway.Requests(), 1);
  EXPECT_TRUE(gateway.Messages().empty());
}

TEST_F(SendersTest, C5SmsTimeoutIsRetried) {
  gateway.HangNext(1);
  auto config = GatewayConfig();
  config.timeout = 300ms;
  HttpSmsGatewaySender sender(config, &kClock, sleeps.Fn());
  auto r = sender.Send(Sms());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(gateway.Requests(), 2);
  EXPECT_EQ(gateway.Messages().size(), 1u);
  EXPECT_EQ(sleeps.waits, (std::vector<std::chrono::milliseconds>{500ms}));
}

TEST_F(SendersTest, C5UnreachableGatewayIsATransientFailure) {
  auto config = GatewayConfig();
  config.retry.max_attempts = 2;
  gateway.Stop();  // nothing listens on the port any more
  HttpSmsGatewaySender sender(config, &kClock, sleeps.Fn());
  auto r = sender.Send(Sms());
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsTransientSendFailure(r.error())) << r.error().message;
  EXPECT_EQ(sleeps.waits.size(), 1u);
}

TEST_F(SendersTest, C4SmsToAnInvalidNumberNeverLeavesTheMachine) {
  HttpSmsGatewaySender sender(GatewayConfig(), &kClock, sleeps.Fn());
  for (const char* bad : {"", "12345", "12812345678", "13812345678\r\nX-Injected: 1"}) {
    auto m = Sms();
    m.to = bad;
    auto r = sender.Send(m);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "to") << bad;
    EXPECT_FALSE(IsTransientSendFailure(r.error()));
  }
  auto mail = Sms();
  mail.channel = MessageChannel::kEmail;
  EXPECT_EQ(sender.Send(mail).error().field, "channel");
  EXPECT_EQ(gateway.Requests(), 0);
}

TEST_F(SendersTest, C5SignatureMayFollowTheTextAndIsNeverDoubled) {
  auto config = GatewayConfig();
  EXPECT_EQ(SignSms(config, "您好"), "【XX男装】您好");
  EXPECT_EQ(SignSms(config, "【XX男装】您好"), "【XX男装】您好");
  config.signature_suffix = true;
  EXPECT_EQ(SignSms(config, "您好"), "您好【XX男装】");
  config.signature.clear();
  EXPECT_EQ(SignSms(config, "您好"), "您好");

  config = GatewayConfig();
  config.signature_suffix = true;
  HttpSmsGatewaySender sender(config, &kClock, sleeps.Fn());
  ASSERT_TRUE(sender.Send(Sms("您好")).ok());
  EXPECT_EQ(gateway.Messages().at(0).text, "您好【XX男装】");
}

TEST_F(SendersTest, C5GatewayConfigErrorsNameTheSetting) {
  struct Case {
    std::function<void(SmsGatewayConfig&)> change;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](auto& c) { c.url = "ftp://example.com/sms"; }, "sms_gateway.url"},
      {[](auto& c) { c.url = ""; }, "sms_gateway.url"},
      {[](auto& c) { c.account = ""; }, "sms_gateway.account"},
      {[](auto& c) { c.secret = ""; }, "sms_gateway.secret"},
      {[](auto& c) { c.signature = "【XX】"; }, "sms_gateway.signature"},
      {[](auto& c) { c.timeout = 0ms; }, "sms_gateway.timeout_ms"},
      {[](auto& c) { c.retry.max_attempts = 0; }, "sms_gateway.max_attempts"},
  };
  for (const auto& c : cases) {
    auto config = GatewayConfig();
    c.change(config);
    auto st = ValidateSmsGatewayConfig(config);
    ASSERT_FALSE(st.ok()) << c.field;
    EXPECT_EQ(st.error().field, c.field);
  }
}

TEST_F(SendersTest, C5OutboxOnlySenderSendsNothing) {
  OutboxOnlySender sender;
  EXPECT_EQ(sender.Name(), "outbox");
  auto sms = sender.Send(Sms());
  ASSERT_TRUE(sms.ok());
  EXPECT_EQ(sms->delivery, Delivery::kKeptInOutbox);
  EXPECT_EQ(sms->attempts, 0);
  EXPECT_TRUE(sms->provider_message_id.empty());
  OutboundMessage mail;
  mail.channel = MessageChannel::kEmail;
  mail.to = "wang@example.com";
  mail.subject = "积分提醒";
  mail.text = "您好";
  auto sent = sender.Send(mail);
  ASSERT_TRUE(sent.ok());
  EXPECT_EQ(sent->delivery, Delivery::kKeptInOutbox);
  EXPECT_EQ(gateway.Requests(), 0) << "a gateway was listening, and heard nothing";
}

// ------------------------------------------------------------------ e-mail

SmtpConfig MailConfig(const SmtpServer& server) {
  SmtpConfig c;
  c.url = server.url();
  c.from_address = "care@vipcare.test";
  c.from_name = "XX男装会员中心";
  c.connect_timeout = 5s;
  c.timeout = 20s;
  c.retry.max_attempts = 2;
  c.retry.initial_backoff = 1000ms;
  return c;
}

OutboundMessage Mail(std::string to = "wang@example.com") {
  OutboundMessage m;
  m.outbox_id = 7;
  m.channel = MessageChannel::kEmail;
  m.to = std::move(to);
  m.to_name = "王小明";
  // Long enough to need several RFC 2047 words and a folded header line.
  m.subject = "王先生，XX男装祝您春节快乐！您有1,234分积分可兑换新春礼品——详情请见邮件";
  m.text =
      "王先生：\n\n春节快乐！感谢您一直以来对XX男装的支持与厚爱。\n\n"
      "您目前的积分是1234分，欢迎到南京路店兑换精美礼品。\n"
      ".这一行以句点开头\n"
      "XX男装全体同仁敬上 ✓";
  return m;
}

TEST_F(SendersTest, C5EmailWithAChineseSubjectAndBodyArrivesIntact) {
  SmtpServer server;
  auto config = MailConfig(server);
  ASSERT_TRUE(ValidateSmtpConfig(config).ok());
  SmtpEmailSender sender(config, &kClock, sleeps.Fn());
  auto r = sender.Send(Mail());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->delivery, Delivery::kSent);
  EXPECT_EQ(r->attempts, 1);
  auto mail = server.WaitFor(1);
  ASSERT_EQ(mail.size(), 1u);
  const auto& m = mail[0];
  EXPECT_EQ(m.mail_from, "care@vipcare.test");
  EXPECT_EQ(m.rcpt_to, (std::vector<std::string>{"wang@example.com"}));
  EXPECT_EQ(m.subject, Mail().subject);
  EXPECT_EQ(m.body, Mail().text);
  EXPECT_EQ(m.from, "XX男装会员中心 <care@vipcare.test>");
  EXPECT_EQ(m.to, "王小明 <wang@example.com>");
  EXPECT_EQ(m.content_type, "text/plain");
  EXPECT_EQ(m.charset, "utf-8");
  EXPECT_EQ(m.message_id, r->provider_message_id);
  EXPECT_EQ(m.date, "Mon, 01 Jun 2026 02:00:00 +0000");
  EXPECT_TRUE(m.raw_is_7bit) << "encoded for any relay";
  EXPECT_EQ(server.Received().size(), 1u);
}

TEST_F(SendersTest, C5EmailHeaderLinesStayWithinTheRfcLimit) {
  SmtpConfig config;
  config.from_address = "care@vipcare.test";
  config.from_name = "XX男装会员中心";
  auto long_names = Mail("a.very.long.mailbox.name.for.testing@subdomain.example.com");
  long_names.to_name = "欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜欧阳娜娜";
  long_names.subject =
      "Your points summary for the Spring Festival season, with every voucher you may use";
  for (const auto& m : {Mail(), long_names}) {
    auto text = BuildEmail(config, m, kClock.Now(), "<id@vipcare.test>");
    size_t start = 0;
    while (start < text.size()) {
      size_t end = text.find("\r\n", start);
      ASSERT_NE(end, std::string::npos) << "every line ends in CRLF";
      EXPECT_LE(end - start, 78u) << text.substr(start, end - start);
      start = end + 2;
    }
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') {
        EXPECT_TRUE(i > 0 && text[i - 1] == '\r') << "bare LF at byte " << i;
      }
    }
  }
}

TEST_F(SendersTest, C5EmailToARejectedMailboxFailsAtOnce) {
  SmtpServer server;
  SmtpEmailSender sender(MailConfig(server), &kClock, sleeps.Fn());
  auto r = sender.Send(Mail("reject@example.com"));
  ASSERT_FALSE(r.ok());
  EXPECT_FALSE(IsTransientSendFailure(r.error()));
  EXPECT_NE(r.error().message.find("550"), std::string::npos) << r.error().message;
  EXPECT_TRUE(sleeps.waits.empty());
  EXPECT_TRUE(server.Received().empty());
}

TEST_F(SendersTest, C5EmailTemporarilyRefusedIsRetriedThenReportedTransient) {
  SmtpServer server;
  SmtpEmailSender sender(MailConfig(server), &kClock, sleeps.Fn());
  auto r = sender.Send(Mail("busy@example.com"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(IsTransientSendFailure(r.error()));
  EXPECT_NE(r.error().message.find("451"), std::string::npos) << r.error().message;
  EXPECT_EQ(sleeps.waits, (std::vector<std::chrono::milliseconds>{1000ms}));
  EXPECT_TRUE(server.Received().empty());
}

TEST_F(SendersTest, C5EmailSenderRefusesWhatItCannotCarry) {
  SmtpConfig config;
  config.url = "smtp://127.0.0.1:1";
  config.from_address = "care@vipcare.test";
  SmtpEmailSender sender(config, &kClock, sleeps.Fn());
  auto sms = Sms();
  EXPECT_EQ(sender.Send(sms).error().field, "channel");
  for (const char* bad : {"", "wang", "wang@example.com>\r\nRCPT TO:<x@y.z", "<wang@example.com>"}) {
    auto r = sender.Send(Mail(bad));
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().field, "to") << bad;
  }
  EXPECT_TRUE(sleeps.waits.empty());

  SmtpConfig bad = config;
  bad.url = "http://mail.example.com";
  EXPECT_EQ(ValidateSmtpConfig(bad).error().field, "smtp.url");
  bad = config;
  bad.from_address = "care";
  EXPECT_EQ(ValidateSmtpConfig(bad).error().field, "smtp.from_address");
  bad = config;
  bad.password = "secret";
  EXPECT_EQ(ValidateSmtpConfig(bad).error().field, "smtp.username");
}

}  // namespace
}  // namespace vipcare::service
