// src/cli/config.h
#pragma once
#include <optional>
#include <string>

#include "core/result.h"
#include "http/server.h"
#include "service/senders.h"

namespace vipcare::cli {

// Settings of the `vipcare` command. Precedence, highest first: command-line
// flags, environment (VIPCARE_DB, VIPCARE_KEY_FILE, VIPCARE_TIMEZONE, VIPCARE_HOST,
// VIPCARE_PORT, VIPCARE_THREADS, VIPCARE_WEB_ROOT), the TOML file (--config, VIPCARE_CONFIG, or
// ./vipcare.toml if present), then the defaults below.
struct Config {
  std::string db = "vipcare.db";
  std::string timezone = "Asia/Shanghai";
  std::string host = "127.0.0.1";
  int port = 8080;
  int threads = http::DefaultServerThreads();
  std::string web_root = "web/dist";
  // The data key file (P5). Empty: "<db>.key" beside a SQLite file, or
  // ./vipcare.key for PostgreSQL. VIPCARE_KEYS (the keys themselves) wins over it.
  std::string key_file;
  // The care engine's senders ([sms_gateway], [smtp]); unset = outbox only.
  std::optional<service::SmsGatewayConfig> sms_gateway;
  std::optional<service::SmtpConfig> smtp;
};

// The key file the configuration names (see Config::key_file).
std::string KeyFilePath(const Config& c);

// Reads the TOML file `path` over `c`. Errors name the file and the key.
Status LoadConfigFile(const std::string& path, Config& c);
// Applies the environment variables over `c`.
Status ApplyEnvironment(Config& c);

}  // namespace vipcare::cli
