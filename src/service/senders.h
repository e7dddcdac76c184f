// src/service/senders.h
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/result.h"
#include "domain/message_template.h"  // MessageChannel

namespace vipcare::service {

// The senders of the care engine's outbox (SPEC C5): where a rendered message
// goes. OutboxOnlySender (the default) sends nothing, so nothing leaves the
// machine unless an operator configures a gateway; HttpSmsGatewaySender posts
// SMS to an HTTP gateway (protocol in docs/MESSAGING.md); SmtpEmailSender
// delivers e-mail over SMTP. Both network senders use libcurl, one easy
// handle per call, so every sender is thread-safe. Logs name the outbox id
// and the outcome, never a number, an address or a text.

struct OutboundMessage {
  int64_t outbox_id = 0;  // sent as the gateway's client_ref "vipcare-<id>"
  domain::MessageChannel channel = domain::MessageChannel::kSms;
  std::string to;       // mobile (11 digits) or e-mail address
  std::string to_name;  // e-mail display name, optional
  std::string subject;  // e-mail only
  std::string text;     // the rendered text, without the SMS signature
};

enum class Delivery {
  kSent,           // handed to the gateway / SMTP server
  kKeptInOutbox,   // outbox-only: nothing left the machine
};

struct SendReceipt {
  Delivery delivery = Delivery::kSent;
  std::string provider_message_id;  // gateway message id / e-mail Message-ID
  int attempts = 0;                 // network tries inside this Send call
};

// How a failed Send is reported:
//   transient (try again later: gateway down or busy, timeout, HTTP 5xx/429,
//   SMTP 4xx) -> ErrorCode::kInternal;
//   permanent (do not retry this message: HTTP 4xx, SMTP 5xx, bad recipient,
//   a message the sender cannot carry) -> ErrorCode::kUnprocessable or
//   kInvalidArgument (field "to" / "channel").
// The message is Chinese, for the outbox and staff; it never holds the secret.
bool IsTransientSendFailure(const Error& e);

class MessageSender {
 public:
  virtual ~MessageSender() = default;
  // Sends one message. Blocks for at most the configured timeouts times the
  // attempts plus the backoff between them.
  virtual Result<SendReceipt> Send(const OutboundMessage& m) = 0;
  // "outbox", "sms_gateway" or "smtp": what the outbox records as the sender.
  virtual std::string_view Name() const = 0;
};

// Sends nothing: every message stays in the outbox as kKeptInOutbox.
class OutboxOnlySender final : public MessageSender {
 public:
  Result<SendReceipt> Send(const OutboundMessage& m) override;
  std::string_view Name() const override { return "outbox"; }
};

// Waits between retries; tests pass a recorder so they never sleep.
using SleepFn = std::function<void(std::chrono::milliseconds)>;

// Exponential backoff: try 1, wait initial, try 2, wait 2*initial, ... (at
// most max_backoff), up to max_attempts tries in one Send.
struct RetryPolicy {
  int max_attempts = 3;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{8000};
};

struct SmsGatewayConfig {
  std::string url;      // http(s)://host[:port]/path of the gateway's send endpoint
  std::string account;  // our account at the gateway
  std::string secret;   // HMAC-SHA256 key shared with the gateway
  // The 短信签名 carriers require, shown as 【signature】 before the text
  // (or after it with signature_suffix); empty: the text is sent as is.
  std::string signature;
  bool signature_suffix = false;
  std::chrono::milliseconds connect_timeout{3000};
  std::chrono::milliseconds timeout{10000};  // whole request
  RetryPolicy retry;
};

// Checks a configuration; errors name "<prefix>.url", "<prefix>.account", ...
[[nodiscard]] Status ValidateSmsGatewayConfig(const SmsGatewayConfig& c,
                                              const std::string& prefix = "sms_gateway");

// The complete SMS text as the phone shows it: 【signature】 + text (or text +
// 【signature】); unchanged if the signature is empty or already there.
std::string SignSms(const SmsGatewayConfig& c, std::string_view text);

// Posts each SMS as JSON to the gateway (docs/MESSAGING.md):
//   POST <url>  Content-Type: application/json
//   X-Vipcare-Account: <account>
//   X-Vipcare-Timestamp: <unix seconds>
//   X-Vipcare-Signature: hex(HMAC-SHA256(secret, timestamp + "\n" + body))
//   {"account","mobile","text","signature","client_ref"}
// 2xx is sent (the id from {"message_id": ...}); 5xx, 408, 429, timeouts and
// connection errors are retried with backoff; other 4xx fail at once.
class HttpSmsGatewaySender final : public MessageSender {
 public:
  // `clock` stamps requests (nullptr: the system clock, which a real gateway
  // checks against its own); `sleep` waits between retries (empty: really sleep).
  HttpSmsGatewaySender(SmsGatewayConfig config, const Clock* clock = nullptr,
                       SleepFn sleep = {});
  Result<SendReceipt> Send(const OutboundMessage& m) override;
  std::string_view Name() const override { return "sms_gateway"; }

 private:
  SmsGatewayConfig config_;
  const Clock* clock_;
  SleepFn sleep_;
};

enum class SmtpTls {
  kNone,      // plain SMTP (a relay on localhost / the LAN)
  kStartTls,  // STARTTLS required; fails if the server does not offer it
  kImplicit,  // SMTPS (port 465); also implied by an smtps:// url
};

const char* ToString(SmtpTls t);  // "none", "starttls", "implicit" (the TOML values)
std::optional<SmtpTls> ParseSmtpTls(std::string_view s);

struct SmtpConfig {
  std::string url;           // smtp://host:port (or smtps://host:465)
  std::string from_address;  // envelope and From: address, "care@shop.example"
  std::string from_name;     // From: display name, e.g. "XX男装" (RFC 2047 encoded)
  std::string username;      // empty: no AUTH
  std::string password;
  SmtpTls tls = SmtpTls::kNone;
  bool verify_peer = true;   // TLS certificate and host name checks
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds timeout{30000};
  RetryPolicy retry{2, std::chrono::milliseconds(1000), std::chrono::milliseconds(8000)};
};

// Checks a configuration; errors name "<prefix>.url", "<prefix>.from_address", ...
[[nodiscard]] Status ValidateSmtpConfig(const SmtpConfig& c, const std::string& prefix = "smtp");

// The RFC 5322 message SmtpEmailSender transmits: UTF-8 subject and names as
// RFC 2047 encoded words, the body as text/plain; charset=UTF-8 in base64,
// CRLF line ends. Exposed for tests and the UI preview.
std::string BuildEmail(const SmtpConfig& c, const OutboundMessage& m, Timestamp date,
                       const std::string& message_id);

// Delivers e-mail through libcurl: MAIL FROM <from_address>, RCPT TO <to>,
// then BuildEmail's message. SMTP 4xx answers and network errors are
// retried; 5xx answers (unknown mailbox, refused) fail at once.
class SmtpEmailSender final : public MessageSender {
 public:
  // `clock` dates the messages (nullptr: the system clock); `sleep` as above.
  SmtpEmailSender(SmtpConfig config, const Clock* clock = nullptr, SleepFn sleep = {});
  Result<SendReceipt> Send(const OutboundMessage& m) override;
  std::string_view Name() const override { return "smtp"; }

 private:
  SmtpConfig config_;
  const Clock* clock_;
  SleepFn sleep_;
};

}  // namespace vipcare::service
