// tests/testing/smtp_server.h
#pragma once
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace vipcare::testing {

// A real SMTP server for the e-mail sender tests (SPEC C5): Debian's aiosmtpd
// (package python3-aiosmtpd) started as `python3 -m aiosmtpd -n -l
// 127.0.0.1:<free port> -c vipcare_smtp_capture.Capture <dir>`, with a small
// handler of ours that lets Python's own e-mail parser decode each message
// (RFC 2047 subject, transfer encoding, charset) and writes it as JSON into
// a fresh temporary directory. Recipients starting with "reject" are refused
// with 550, those starting with "busy" with 451. The process is started by
// the constructor (which waits, bounded, until it greets) and killed by the
// destructor. Not thread-safe.
class SmtpServer {
 public:
  struct Mail {
    std::string mail_from;             // envelope
    std::vector<std::string> rcpt_to;  // envelope
    std::string from;                  // decoded headers
    std::string to;
    std::string subject;
    std::string date;
    std::string message_id;
    std::string content_type;  // "text/plain"
    std::string charset;       // "utf-8"
    std::string transfer_encoding;
    std::string body;  // decoded text, line ends as "\n"
    std::string raw;   // the message as received (ASCII; other bytes as U+FFFD)
    bool raw_is_7bit = false;
  };

  // Throws std::runtime_error (with the server's log) if aiosmtpd cannot be
  // started or does not greet within 20 seconds.
  SmtpServer();
  ~SmtpServer();
  SmtpServer(const SmtpServer&) = delete;
  SmtpServer& operator=(const SmtpServer&) = delete;

  unsigned short port() const { return port_; }
  // "smtp://127.0.0.1:<port>"
  std::string url() const;

  // The messages received so far, in arrival order.
  std::vector<Mail> Received() const;
  // Waits until at least `n` messages have arrived or `limit` has passed,
  // then returns what arrived.
  std::vector<Mail> WaitFor(size_t n, std::chrono::milliseconds limit = std::chrono::seconds(20)) const;

 private:
  bool Start(std::string& log);
  void Kill();

  std::string dir_;
  std::string mail_dir_;
  unsigned short port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace vipcare::testing
