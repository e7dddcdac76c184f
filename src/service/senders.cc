#include "service/senders.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <sodium.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

#include "domain/member.h"  // IsValidMobile, IsValidEmail, Utf8Length

namespace vipcare::service {
namespace {

using domain::MessageChannel;
using nlohmann::json;

constexpr size_t kMaxResponseBytes = 64 * 1024;
constexpr size_t kMaxErrorEcho = 200;  // bytes of a gateway's error text kept in the message
constexpr int kMaxAttempts = 10;
constexpr size_t kMaxSignatureChars = 20;
// RFC 5322 recommends header lines of at most 78 characters; an RFC 2047
// encoded word adds "=?UTF-8?B?" and "?=" to its base64.
constexpr size_t kMaxHeaderLine = 78;
constexpr size_t kEncodedWordOverhead = 12;
constexpr size_t kMaxEncodedWordBytes = 45;  // 60 base64 characters: a 72-character word
constexpr size_t kBase64LineChars = 76;

// libcurl and libsodium are initialised once per process, whichever thread
// sends first (curl_global_init is not thread-safe on every build).
void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      throw std::runtime_error("libcurl failed to initialise");
    }
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
}

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
using CurlPtr = std::unique_ptr<CURL, CurlDeleter>;

class SList {
 public:
  SList() = default;
  SList(const SList&) = delete;
  SList& operator=(const SList&) = delete;
  ~SList() { curl_slist_free_all(list_); }
  void Add(const std::string& s) {
    curl_slist* next = curl_slist_append(list_, s.c_str());
    if (!next) throw std::bad_alloc();
    list_ = next;
  }
  curl_slist* get() const { return list_; }

 private:
  curl_slist* list_ = nullptr;
};

size_t CollectBody(char* data, size_t size, size_t n, void* user) {
  auto* out = static_cast<std::string*>(user);
  size_t bytes = size * n;
  size_t room = kMaxResponseBytes > out->size() ? kMaxResponseBytes - out->size() : 0;
  out->append(data, std::min(bytes, room));
  return bytes;  // the rest is dropped, not an error
}

struct Upload {
  const std::string* data;
  size_t pos = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t room = size * n;
  size_t left = up->data->size() - up->pos;
  size_t len = std::min(room, left);
  std::copy_n(up->data->data() + up->pos, len, buffer);
  up->pos += len;
  return len;
}

// One try of a network send.
struct Attempt {
  enum Kind { kOk, kTransient, kPermanent } kind = kOk;
  std::string provider_id;
  std::string reason;  // Chinese, for the outbox
  std::string log;     // English, no personal data
};

Error Transient(std::string message) { return {ErrorCode::kInternal, std::move(message), {}}; }

// Runs `attempt` up to policy.max_attempts times, sleeping with exponential
// backoff between transient failures.
template <class Fn>
Result<SendReceipt> WithRetries(const RetryPolicy& policy, const SleepFn& sleep,
                                std::string_view sender, int64_t outbox_id, Fn attempt) {
  int max = std::clamp(policy.max_attempts, 1, kMaxAttempts);
  auto backoff = policy.initial_backoff;
  Attempt last;
  for (int i = 1; i <= max; ++i) {
    last = attempt();
    if (last.kind == Attempt::kOk) {
      SendReceipt r;
      r.delivery = Delivery::kSent;
      r.provider_message_id = std::move(last.provider_id);
      r.attempts = i;
      return r;
    }
    if (last.kind == Attempt::kPermanent) {
      spdlog::warn("{}: outbox message {} refused ({}), not retried", sender, outbox_id, last.log);
      return Error::Unprocessable(last.reason);
    }
    if (i == max) break;
    spdlog::warn("{}: outbox message {} attempt {}/{} failed ({}), retrying in {} ms", sender,
                 outbox_id, i, max, last.log, backoff.count());
    if (sleep) {
      sleep(backoff);
    } else {
      std::this_thread::sleep_for(backoff);
    }
    backoff = std::min(backoff * 2, policy.max_backoff);
  }
  spdlog::warn("{}: outbox message {} failed after {} attempts ({})", sender, outbox_id, max,
               last.log);
  return Transient(fmt::format("{}（已尝试{}次，稍后重试）", last.reason, max));
}

// Network-level failures worth another try: everything except a URL or
// option libcurl cannot use at all.
bool IsTransientCurlError(CURLcode c) {
  switch (c) {
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_BAD_FUNCTION_ARGUMENT:
    case CURLE_UNKNOWN_OPTION:
      return false;
    default:
      return true;
  }
}

std::string Hex(const unsigned char* data, size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, n);
  out.resize(n * 2);
  return out;
}

std::string HmacSha256Hex(const std::string& key, const std::string& message) {
  crypto_auth_hmacsha256_state st;
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&st, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&st, mac);
  return Hex(mac, sizeof mac);
}

std::string Base64(std::string_view bytes) {
  size_t len = sodium_base64_encoded_len(bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(len, '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(bytes.data()),
                    bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(len - 1);  // drop the terminating NUL
  return out;
}

// A gateway's error text cut to a few hundred bytes at a character boundary,
// control characters dropped.
std::string Echo(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size() && out.size() < kMaxErrorEcho;) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > text.size() ||
        domain::Utf8Length(text.substr(i, len)) != 1) {
      ++i;  // not UTF-8: skip the byte
      continue;
    }
    if (len == 1 && (c < 0x20 || c == 0x7F)) {
      out += ' ';
    } else {
      out.append(text.substr(i, len));
    }
    i += len;
  }
  return out;
}

// The gateway's explanation from a JSON error body, else the raw body.
std::string GatewayError(const std::string& body) {
  json j = json::parse(body, nullptr, false);
  if (j.is_object()) {
    for (const char* key : {"error", "message", "msg"}) {
      auto it = j.find(key);
      if (it != j.end() && it->is_string()) return Echo(it->get<std::string>());
      if (it != j.end() && it->is_object() && it->contains("message") &&
          (*it)["message"].is_string()) {
        return Echo((*it)["message"].get<std::string>());
      }
    }
  }
  return Echo(body);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

bool HasControl(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

std::string OneLine(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  }
  return out;
}

// An address we can put between <> in SMTP commands and headers: the
// member validator's rules plus only RFC 5322 atom characters.
bool IsMailAddress(std::string_view s) {
  if (!domain::IsValidEmail(s)) return false;
  static constexpr std::string_view kAtom = ".!#$%&'*+/=?^_`{|}~-@";
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kAtom.find(c) != std::string_view::npos;
  });
}

bool IsPlainAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= 0x20 && c < 0x7F; }) &&
         s.find("=?") == std::string_view::npos;
}

// The length of the last line of `s` (after its last CRLF).
size_t LastLineLength(std::string_view s) {
  auto nl = s.rfind("\r\n");
  return nl == std::string_view::npos ? s.size() : s.size() - nl - 2;
}

// RFC 2047 "B" encoded words of whole UTF-8 characters for a header value
// starting after `used` characters of its line, folded so that no line
// passes 78 characters.
std::string EncodeWords(std::string_view text, size_t used) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    // "=?UTF-8?B?" + 4 base64 characters per 3 bytes + "?=" must fit.
    size_t room = kMaxHeaderLine > used + kEncodedWordOverhead
                      ? (kMaxHeaderLine - used - kEncodedWordOverhead) / 4 * 3
                      : 0;
    // At most 75 characters per word (RFC 2047), at least one character.
    size_t budget = std::clamp<size_t>(room, 4, kMaxEncodedWordBytes);
    size_t end = i;
    while (end < text.size()) {
      auto c = static_cast<unsigned char>(text[end]);
      size_t len =
          c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
      if (end + len - i > budget && end > i) break;
      end = std::min(end + len, text.size());
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(text.substr(i, end - i)) + "?=";
    used = 1;  // continuation lines start with one space
    i = end;
  }
  return out;
}

// The value as is if it is printable ASCII that fits the line, else EncodeWords.
std::string EncodeHeaderText(std::string_view text, size_t used) {
  if (IsPlainAscii(text) && used + text.size() <= kMaxHeaderLine) return std::string(text);
  return EncodeWords(text, used);
}

// "Name <address>" for a header whose name and ": " take `used` characters.
std::string Mailbox(std::string_view name, std::string_view address, size_t used) {
  std::string n = OneLine(name);
  std::string angle = "<" + std::string(address) + ">";
  if (n.empty()) return angle;
  std::string display = "\"";
  for (char c : n) {
    if (c == '"' || c == '\\') display += '\\';
    display += c;
  }
  display += "\"";
  if (!IsPlainAscii(n) || used + display.size() > kMaxHeaderLine) display = EncodeWords(n, used);
  size_t last = (display.find("\r\n") == std::string::npos ? used : 0) + LastLineLength(display);
  return display + (last + 1 + angle.size() > kMaxHeaderLine ? "\r\n " : " ") + angle;
}

std::string Rfc5322Date(Timestamp t) {
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto day = std::chrono::floor<std::chrono::days>(t);
  std::chrono::year_month_day ymd(day);
  std::chrono::hh_mm_ss hms(t - day);
  unsigned wd = std::chrono::weekday(day).c_encoding();
  return fmt::format("{}, {:02d} {} {} {:02d}:{:02d}:{:02d} +0000", kDays[wd],
                     unsigned(ymd.day()), kMonths[unsigned(ymd.month()) - 1], int(ymd.year()),
                     hms.hours().count(), hms.minutes().count(), hms.seconds().count());
}

std::string CrLf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 20);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string DomainOf(std::string_view address) {
  auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string("vipcare.invalid")
                                      : std::string(address.substr(at + 1));
}

void CommonOptions(CURL* curl, std::chrono::milliseconds connect_timeout,
                   std::chrono::milliseconds timeout) {
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, long(connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, long(timeout.count()));
}

Status CheckTimeouts(std::chrono::milliseconds connect, std::chrono::milliseconds total,
                     const RetryPolicy& retry, const std::string& prefix) {
  if (connect.count() <= 0) {
    return Error::Invalid(prefix + ".connect_timeout_ms", "must be a positive number of milliseconds");
  }
  if (total.count() <= 0) {
    return Error::Invalid(prefix + ".timeout_ms", "must be a positive number of milliseconds");
  }
  if (retry.max_attempts < 1 || retry.max_attempts > kMaxAttempts) {
    return Error::Invalid(prefix + ".max_attempts",
                          fmt::format("must be from 1 to {}", kMaxAttempts));
  }
  if (retry.initial_backoff.count() < 0 || retry.max_backoff < retry.initial_backoff) {
    return Error::Invalid(prefix + ".max_backoff_ms",
                          "backoff must be >= 0 and max_backoff >= initial_backoff");
  }
  return OkStatus();
}

}  // namespace

bool IsTransientSendFailure(const Error& e) { return e.code == ErrorCode::kInternal; }

Result<SendReceipt> OutboxOnlySender::Send(const OutboundMessage& m) {
  spdlog::debug("outbox: message {} kept in the outbox (no sender configured)", m.outbox_id);
  SendReceipt r;
  r.delivery = Delivery::kKeptInOutbox;
  r.attempts = 0;
  return r;
}

// ---------------------------------------------------------------- SMS gateway

Status ValidateSmsGatewayConfig(const SmsGatewayConfig& c, const std::string& prefix) {
  if (!StartsWith(c.url, "http://") && !StartsWith(c.url, "https://")) {
    return Error::Invalid(prefix + ".url", "must be an http:// or https:// URL");
  }
  if (HasControl(c.url) || c.url.find(' ') != std::string::npos) {
    return Error::Invalid(prefix + ".url", "must not contain spaces or control characters");
  }
  if (c.account.empty() || c.account.size() > 100 || HasControl(c.account)) {
    return Error::Invalid(prefix + ".account", "is required (at most 100 characters)");
  }
  if (c.secret.empty()) return Error::Invalid(prefix + ".secret", "is required");
  long sig = domain::Utf8Length(c.signature);
  if (sig < 0 || size_t(sig) > kMaxSignatureChars || HasControl(c.signature) ||
      c.signature.find("【") != std::string::npos || c.signature.find("】") != std::string::npos) {
    return Error::Invalid(prefix + ".signature",
                          fmt::format("must be at most {} characters, without 【】",
                                      kMaxSignatureChars));
  }
  return CheckTimeouts(c.connect_timeout, c.timeout, c.retry, prefix);
}

std::string SignSms(const SmsGatewayConfig& c, std::string_view text) {
  if (c.signature.empty()) return std::string(text);
  std::string mark = "【" + c.signature + "】";
  if (text.find(mark) != std::string_view::npos) return std::string(text);
  return c.signature_suffix ? std::string(text) + mark : mark + std::string(text);
}

HttpSmsGatewaySender::HttpSmsGatewaySender(SmsGatewayConfig config, const Clock* clock,
                                           SleepFn sleep)
    : config_(std::move(config)), clock_(clock), sleep_(std::move(sleep)) {
  GlobalInit();
}

Result<SendReceipt> HttpSmsGatewaySender::Send(const OutboundMessage& m) {
  if (m.channel != MessageChannel::kSms) {
    return Error::Invalid("channel", "短信网关只能发送短信");
  }
  if (!domain::IsValidMobile(m.to)) return Error::Invalid("to", "手机号无效，无法发送短信");
  if (m.text.empty()) return Error::Invalid("text", "短信内容为空");

  std::string text = SignSms(config_, m.text);
  json body_json = {{"account", config_.account},
                    {"mobile", m.to},
                    {"text", text},
                    {"signature", config_.signature},
                    {"client_ref", fmt::format("vipcare-{}", m.outbox_id)}};
  const std::string body = body_json.dump();

  auto attempt = [&]() -> Attempt {
    Attempt a;
    CurlPtr curl(curl_easy_init());
    if (!curl) return {Attempt::kTransient, {}, "短信发送失败：无法初始化网络连接", "curl_easy_init"};
    SystemClock system;
    const Clock& clock = clock_ ? *clock_ : static_cast<const Clock&>(system);
    std::string ts = std::to_string(ToEpochSeconds(clock.Now()));
    SList headers;
    headers.Add("Content-Type: application/json; charset=utf-8");
    headers.Add("Accept: application/json");
    headers.Add("Expect:");
    headers.Add("X-Vipcare-Account: " + config_.account);
    headers.Add("X-Vipcare-Timestamp: " + ts);
    headers.Add("X-Vipcare-Signature: " + HmacSha256Hex(config_.secret, ts + "\n" + body));
    std::string response;
    CommonOptions(curl.get(), config_.connect_timeout, config_.timeout);
    curl_easy_setopt(curl.get(), CURLOPT_URL, config_.url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, "vipcare-sms/1");
    curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.size()));
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, CollectBody);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response);
    CURLcode rc = curl_easy_perform(curl.get());
    if (rc != CURLE_OK) {
      a.kind = IsTransientCurlError(rc) ? Attempt::kTransient : Attempt::kPermanent;
      a.reason = rc == CURLE_OPERATION_TIMEDOUT ? "短信网关响应超时"
                                                : fmt::format("无法连接短信网关（{}）",
                                                              curl_easy_strerror(rc));
      a.log = curl_easy_strerror(rc);
      return a;
    }
    long status = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
    a.log = fmt::format("HTTP {}", status);
    if (status >= 200 && status < 300) {
      json j = json::parse(response, nullptr, false);
      if (j.is_object() && j.contains("message_id")) {
        const json& id = j["message_id"];
        a.provider_id = id.is_string() ? Echo(id.get<std::string>()) : Echo(id.dump());
      }
      a.kind = Attempt::kOk;
      return a;
    }
    if (status >= 500 || status == 408 || status == 429) {
      a.kind = Attempt::kTransient;
      a.reason = fmt::format("短信网关暂时不可用（HTTP {}）", status);
      return a;
    }
    a.kind = Attempt::kPermanent;
    std::string why = GatewayError(response);
    if (status == 401 || status == 403) {
      a.reason = fmt::format("短信网关拒绝了账号或签名（HTTP {}），请检查 sms_gateway 配置{}", status,
                             why.empty() ? "" : "：" + why);
    } else {
      a.reason = fmt::format("短信网关拒绝了这条短信（HTTP {}）{}", status,
                             why.empty() ? "" : "：" + why);
    }
    return a;
  };
  return WithRetries(config_.retry, sleep_, Name(), m.outbox_id, attempt);
}

// ---------------------------------------------------------------------- SMTP

Status ValidateSmtpConfig(const SmtpConfig& c, const std::string& prefix) {
  if (!StartsWith(c.url, "smtp://") && !StartsWith(c.url, "smtps://")) {
    return Error::Invalid(prefix + ".url", "must be an smtp:// or smtps:// URL");
  }
  if (HasControl(c.url) || c.url.find(' ') != std::string::npos) {
    return Error::Invalid(prefix + ".url", "must not contain spaces or control characters");
  }
  if (!IsMailAddress(c.from_address)) {
    return Error::Invalid(prefix + ".from_address", "must be an e-mail address");
  }
  long name = domain::Utf8Length(c.from_name);
  if (name < 0 || name > 100 || HasControl(c.from_name)) {
    return Error::Invalid(prefix + ".from_name", "must be one line of at most 100 characters");
  }
  if (c.username.empty() && !c.password.empty()) {
    return Error::Invalid(prefix + ".username", "is required with a password");
  }
  if (HasControl(c.username)) {
    return Error::Invalid(prefix + ".username", "must not contain control characters");
  }
  return CheckTimeouts(c.connect_timeout, c.timeout, c.retry, prefix);
}

const char* ToString(SmtpTls t) {
  switch (t) {
    case SmtpTls::kNone: return "none";
    case SmtpTls::kStartTls: return "starttls";
    case SmtpTls::kImplicit: return "implicit";
  }
  return "none";
}

std::optional<SmtpTls> ParseSmtpTls(std::string_view s) {
  for (auto t : {SmtpTls::kNone, SmtpTls::kStartTls, SmtpTls::kImplicit}) {
    if (s == ToString(t)) return t;
  }
  return std::nullopt;
}

std::string BuildEmail(const SmtpConfig& c, const OutboundMessage& m, Timestamp date,
                       const std::string& message_id) {
  std::string out;
  out += "Date: " + Rfc5322Date(date) + "\r\n";
  out += "From: " + Mailbox(c.from_name, c.from_address, 6) + "\r\n";
  out += "To: " + Mailbox(m.to_name, m.to, 4) + "\r\n";
  out += "Subject: " + EncodeHeaderText(OneLine(m.subject), 9) + "\r\n";
  out += "Message-ID: " + message_id + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n";
  out += "\r\n";
  std::string encoded = Base64(CrLf(m.text));
  for (size_t i = 0; i < encoded.size(); i += kBase64LineChars) {
    out += encoded.substr(i, kBase64LineChars) + "\r\n";
  }
  return out;
}

SmtpEmailSender::SmtpEmailSender(SmtpConfig config, const Clock* clock, SleepFn sleep)
    : config_(std::move(config)), clock_(clock), sleep_(std::move(sleep)) {
  GlobalInit();
}

Result<SendReceipt> SmtpEmailSender::Send(const OutboundMessage& m) {
  if (m.channel != MessageChannel::kEmail) {
    return Error::Invalid("channel", "SMTP 只能发送电子邮件");
  }
  if (!IsMailAddress(m.to)) {
    return Error::Invalid("to", "电子邮箱地址无效，无法发送");
  }
  unsigned char random[16];
  randombytes_buf(random, sizeof random);
  std::string message_id = "<" + Hex(random, sizeof random) + "@" + DomainOf(config_.from_address) + ">";
  SystemClock system;
  const Clock& clock = clock_ ? *clock_ : static_cast<const Clock&>(system);
  const std::string payload = BuildEmail(config_, m, clock.Now(), message_id);
  std::string url = config_.url;
  if (config_.tls == SmtpTls::kImplicit && StartsWith(url, "smtp://")) {
    url = "smtps://" + url.substr(7);
  }

  auto attempt = [&]() -> Attempt {
    Attempt a;
    CurlPtr curl(curl_easy_init());
    if (!curl) return {Attempt::kTransient, {}, "邮件发送失败：无法初始化网络连接", "curl_easy_init"};
    SList rcpt;
    rcpt.Add("<" + m.to + ">");
    Upload upload{&payload, 0};
    std::string from = "<" + config_.from_address + ">";
    CommonOptions(curl.get(), config_.connect_timeout, config_.timeout);
    curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, rcpt.get());
    curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, ReadUpload);
    curl_easy_setopt(curl.get(), CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl.get(), CURLOPT_INFILESIZE_LARGE, curl_off_t(payload.size()));
    if (config_.tls == SmtpTls::kStartTls) {
      curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, long(CURLUSESSL_ALL));
    }
    if (!config_.verify_peer) {
      curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (!config_.username.empty()) {
      curl_easy_setopt(curl.get(), CURLOPT_USERNAME, config_.username.c_str());
      curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, config_.password.c_str());
    }
    CURLcode rc = curl_easy_perform(curl.get());
    long code = 0;
    curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &code);
    if (rc == CURLE_OK) {
      a.kind = Attempt::kOk;
      a.provider_id = message_id;
      return a;
    }
    a.log = fmt::format("{}, SMTP {}", curl_easy_strerror(rc), code);
    if (code >= 500 && code < 600) {
      a.kind = Attempt::kPermanent;
      a.reason = rc == CURLE_LOGIN_DENIED
                     ? fmt::format("邮件服务器拒绝登录（SMTP {}），请检查 smtp 配置", code)
                     : fmt::format("邮件服务器拒绝了这封邮件（SMTP {}）", code);
      return a;
    }
    a.kind = IsTransientCurlError(rc) ? Attempt::kTransient : Attempt::kPermanent;
    if (code >= 400) {
      a.reason = fmt::format("邮件服务器暂时无法接收（SMTP {}）", code);
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
      a.reason = "邮件服务器响应超时";
    } else {
      a.reason = fmt::format("无法连接邮件服务器（{}）", curl_easy_strerror(rc));
    }
    return a;
  };
  return WithRetries(config_.retry, sleep_, Name(), m.outbox_id, attempt);
}

}  // namespace vipcare::service
