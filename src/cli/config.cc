#include "cli/config.h"

#include <cstdlib>
#include <toml.hpp>

namespace vipcare::cli {
namespace {

Status ReadPort(const std::string& text, const std::string& field, int& out) {
  try {
    size_t used = 0;
    int v = std::stoi(text, &used);
    if (used != text.size() || v < 1 || v > 65535) throw std::out_of_range("port");
    out = v;
    return OkStatus();
  } catch (const std::exception&) {
    return Error::Invalid(field, "must be a port number 1-65535");
  }
}

}  // namespace

Status LoadConfigFile(const std::string& path, Config& c) {
  toml::value root;
  try {
    root = toml::parse(path);
  } catch (const std::exception& e) {
    return Error::Invalid(path, std::string("cannot read the configuration: ") + e.what());
  }
  auto text = [&](const char* table, const char* key, std::string& out) -> Status {
    if (!root.contains(table)) return OkStatus();
    const auto& t = root.at(table);
    if (!t.is_table() || !t.contains(key)) return OkStatus();
    const auto& v = t.at(key);
    if (!v.is_string()) {
      return Error::Invalid(path + ": " + table + "." + key, "must be a string");
    }
    out = v.as_string().str;
    return OkStatus();
  };
  auto integer = [&](const char* table, const char* key, int& out, int lo, int hi) -> Status {
    if (!root.contains(table)) return OkStatus();
    const auto& t = root.at(table);
    if (!t.is_table() || !t.contains(key)) return OkStatus();
    const auto& v = t.at(key);
    if (!v.is_integer() || v.as_integer() < lo || v.as_integer() > hi) {
      return Error::Invalid(path + ": " + table + "." + key,
                            "must be an integer from " + std::to_string(lo) + " to " +
                                std::to_string(hi));
    }
    out = int(v.as_integer());
    return OkStatus();
  };
  VIPCARE_TRY(text("database", "url", c.db));
  VIPCARE_TRY(text("company", "timezone", c.timezone));
  VIPCARE_TRY(text("server", "host", c.host));
  VIPCARE_TRY(integer("server", "port", c.port, 1, 65535));
  VIPCARE_TRY(integer("server", "threads", c.threads, 1, 256));
  VIPCARE_TRY(text("server", "web_root", c.web_root));
  VIPCARE_TRY(text("security", "key_file", c.key_file));
  auto boolean = [&](const char* table, const char* key, bool& out) -> Status {
    const auto& t = root.at(table);
    if (!t.contains(key)) return OkStatus();
    const auto& v = t.at(key);
    if (!v.is_boolean()) return Error::Invalid(path + ": " + table + "." + key, "must be true or false");
    out = v.as_boolean();
    return OkStatus();
  };
  auto millis = [&](const char* table, const char* key, std::chrono::milliseconds& out) -> Status {
    int ms = int(out.count());
    VIPCARE_TRY(integer(table, key, ms, 1, 600000));
    out = std::chrono::milliseconds(ms);
    return OkStatus();
  };
  // The care engine's senders (SPEC C5, docs/MESSAGING.md); absent = outbox only.
  if (root.contains("sms_gateway")) {
    service::SmsGatewayConfig g;
    VIPCARE_TRY(text("sms_gateway", "url", g.url));
    VIPCARE_TRY(text("sms_gateway", "account", g.account));
    VIPCARE_TRY(text("sms_gateway", "secret", g.secret));
    VIPCARE_TRY(text("sms_gateway", "signature", g.signature));
    VIPCARE_TRY(boolean("sms_gateway", "signature_suffix", g.signature_suffix));
    VIPCARE_TRY(millis("sms_gateway", "connect_timeout_ms", g.connect_timeout));
    VIPCARE_TRY(millis("sms_gateway", "timeout_ms", g.timeout));
    VIPCARE_TRY(integer("sms_gateway", "max_attempts", g.retry.max_attempts, 1, 10));
    VIPCARE_TRY(millis("sms_gateway", "initial_backoff_ms", g.retry.initial_backoff));
    VIPCARE_TRY(millis("sms_gateway", "max_backoff_ms", g.retry.max_backoff));
    if (auto st = service::ValidateSmsGatewayConfig(g); !st.ok()) {
      return Error::Invalid(path + ": " + st.error().field, st.error().message);
    }
    c.sms_gateway = g;
  }
  if (root.contains("smtp")) {
    service::SmtpConfig m;
    std::string tls = service::ToString(m.tls);
    VIPCARE_TRY(text("smtp", "url", m.url));
    VIPCARE_TRY(text("smtp", "from_address", m.from_address));
    VIPCARE_TRY(text("smtp", "from_name", m.from_name));
    VIPCARE_TRY(text("smtp", "username", m.username));
    VIPCARE_TRY(text("smtp", "password", m.password));
    VIPCARE_TRY(text("smtp", "tls", tls));
    VIPCARE_TRY(boolean("smtp", "verify_peer", m.verify_peer));
    auto parsed = service::ParseSmtpTls(tls);
    if (!parsed) return Error::Invalid(path + ": smtp.tls", "must be none, starttls or implicit");
    m.tls = *parsed;
    if (auto st = service::ValidateSmtpConfig(m); !st.ok()) {
      return Error::Invalid(path + ": " + st.error().field, st.error().message);
    }
    c.smtp = m;
  }
  return OkStatus();
}

Status ApplyEnvironment(Config& c) {
  auto env = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return v && *v ? v : nullptr;
  };
  if (auto v = env("VIPCARE_DB")) c.db = v;
  if (auto v = env("VIPCARE_TIMEZONE")) c.timezone = v;
  if (auto v = env("VIPCARE_HOST")) c.host = v;
  if (auto v = env("VIPCARE_PORT")) VIPCARE_TRY(ReadPort(v, "VIPCARE_PORT", c.port));
  if (auto v = env("VIPCARE_THREADS")) VIPCARE_TRY(ReadPort(v, "VIPCARE_THREADS", c.threads));
  if (auto v = env("VIPCARE_WEB_ROOT")) c.web_root = v;
  if (auto v = env("VIPCARE_KEY_FILE")) c.key_file = v;
  return OkStatus();
}

std::string KeyFilePath(const Config& c) {
  if (!c.key_file.empty()) return c.key_file;
  const bool postgres = c.db.rfind("postgres://", 0) == 0 || c.db.rfind("postgresql://", 0) == 0;
  return postgres ? "vipcare.key" : c.db + ".key";
}

}  // namespace vipcare::cli
