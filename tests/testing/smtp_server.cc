// tests/testing/smtp_server.cc
#include "testing/smtp_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace vipcare::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr auto kStartLimit = 20s;
constexpr auto kPoll = 50ms;
constexpr int kStartTries = 3;

// The handler aiosmtpd loads with -c. Python's e-mail parser (policy.default)
// decodes what a mail client would show; we keep the raw bytes too.
constexpr char kHandler[] = R"py(
import email
import json
import os
from email import policy


class Capture:
    def __init__(self, directory):
        self.directory = directory
        self.count = 0

    @classmethod
    def from_cli(cls, parser, *args):
        if len(args) != 1:
            parser.error("Capture needs the output directory")
        return cls(args[0])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("reject"):
            return "550 5.1.1 mailbox unavailable"
        if address.startswith("busy"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        msg = email.message_from_bytes(raw, policy=policy.default)
        body = "" if msg.is_multipart() else msg.get_content()
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_to": list(envelope.rcpt_tos),
            "from": str(msg.get("from", "")),
            "to": str(msg.get("to", "")),
            "subject": str(msg.get("subject", "")),
            "date": str(msg.get("date", "")),
            "message_id": str(msg.get("message-id", "")),
            "content_type": msg.get_content_type(),
            "charset": msg.get_content_charset() or "",
            "transfer_encoding": str(msg.get("content-transfer-encoding", "")),
            "body": body.replace("\r\n", "\n"),
            "raw": raw.decode("ascii", "replace"),
            "raw_is_7bit": all(b < 128 for b in raw),
        }
        self.count += 1
        base = os.path.join(self.directory, "%04d" % self.count)
        with open(base + ".tmp", "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.replace(base + ".tmp", base + ".json")
        return "250 OK"
)py";

std::string Python() {
  // Debian's interpreter: the one python3-aiosmtpd is installed for (a
  // python3 earlier on PATH, e.g. from pyenv, may not have it).
  return fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

unsigned short FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot find a free port");
  }
  unsigned short port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

// True once the server on `port` greets with aiosmtpd's 220 banner (so a
// stranger that took the port in the meantime is not mistaken for it).
bool Greets(unsigned short port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  timeval tv{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    char buf[256] = {};
    ssize_t n = ::recv(fd, buf, sizeof buf - 1, 0);
    ok = n > 3 && std::strncmp(buf, "220", 3) == 0 && std::strstr(buf, "SMTP") != nullptr;
    const char quit[] = "QUIT\r\n";
    (void)!::send(fd, quit, sizeof quit - 1, MSG_NOSIGNAL);
  }
  ::close(fd);
  return ok;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

SmtpServer::SmtpServer() {
  char tmpl[] = "/tmp/vipcare-smtp-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  dir_ = tmpl;
  mail_dir_ = dir_ + "/mail";
  fs::create_directories(mail_dir_);
  std::ofstream(dir_ + "/vipcare_smtp_capture.py") << kHandler;
  std::string log;
  for (int i = 0; i < kStartTries; ++i) {
    if (Start(log)) return;
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
  throw std::runtime_error("aiosmtpd (python3-aiosmtpd) did not start:\n" + log);
}

bool SmtpServer::Start(std::string& log) {
  port_ = FreePort();
  std::string listen = "127.0.0.1:" + std::to_string(port_);
  std::string python = Python();
  std::string log_path = dir_ + "/server.log";
  std::vector<std::string> args = {python, "-m", "aiosmtpd", "-n", "-l", listen,
                                   "-c", "vipcare_smtp_capture.Capture", mail_dir_};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  std::vector<std::string> env_store;
  for (char** e = environ; *e; ++e) {
    if (std::strncmp(*e, "PYTHONPATH=", 11) != 0 && std::strncmp(*e, "PYTHONHOME=", 11) != 0) {
      env_store.emplace_back(*e);
    }
  }
  env_store.push_back("PYTHONPATH=" + dir_);
  env_store.push_back("PYTHONDONTWRITEBYTECODE=1");
  std::vector<char*> envp;
  for (auto& e : env_store) envp.push_back(e.data());
  envp.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  int rc = posix_spawnp(&pid_, python.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    pid_ = -1;
    log = std::string("posix_spawn: ") + std::strerror(rc);
    return false;
  }
  auto deadline = std::chrono::steady_clock::now() + kStartLimit;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: e.g. the port was taken
      pid_ = -1;
      log = ReadFile(log_path);
      return false;
    }
    if (Greets(port_)) return true;
    std::this_thread::sleep_for(kPoll);
  }
  log = ReadFile(log_path) + "\n(no greeting within 20 s)";
  Kill();
  return false;
}

void SmtpServer::Kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(kPoll);
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

SmtpServer::~SmtpServer() {
  Kill();
  std::error_code ec;
  fs::remove_all(dir_, ec);
}

std::string SmtpServer::url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

std::vector<SmtpServer::Mail> SmtpServer::Received() const {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(mail_dir_)) {
    if (e.path().extension() == ".json") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Mail> out;
  for (const auto& f : files) {
    auto j = nlohmann::json::parse(ReadFile(f));
    Mail m;
    m.mail_from = j.value("mail_from", "");
    m.rcpt_to = j.value("rcpt_to", std::vector<std::string>{});
    m.from = j.value("from", "");
    m.to = j.value("to", "");
    m.subject = j.value("subject", "");
    m.date = j.value("date", "");
    m.message_id = j.value("message_id", "");
    m.content_type = j.value("content_type", "");
    m.charset = j.value("charset", "");
    m.transfer_encoding = j.value("transfer_encoding", "");
    m.body = j.value("body", "");
    m.raw = j.value("raw", "");
    m.raw_is_7bit = j.value("raw_is_7bit", false);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<SmtpServer::Mail> SmtpServer::WaitFor(size_t n, std::chrono::milliseconds limit) const {
  auto deadline = std::chrono::steady_clock::now() + limit;
  auto mail = Received();
  while (mail.size() < n && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(kPoll);
    mail = Received();
  }
  return mail;
}

}  // namespace vipcare::testing
