// tests/testing/sms_gateway.h
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace vipcare::testing {

// A small HTTP SMS gateway of our own for the sender tests (SPEC C5), speaking
// the protocol of docs/MESSAGING.md on 127.0.0.1 at an ephemeral port. It
// checks the account and the HMAC signature, records every accepted message,
// and can be told to fail or hang the next requests. Runs on its own thread
// from construction until Stop() or destruction. Thread-safe.
class SmsGateway {
 public:
  struct Received {
    std::string account;
    std::string mobile;
    std::string text;
    std::string signature;
    std::string client_ref;
    std::string message_id;  // the id we answered with
  };

  explicit SmsGateway(std::string account = "vipcare-test", std::string secret = "test-secret");
  ~SmsGateway();
  SmsGateway(const SmsGateway&) = delete;
  SmsGateway& operator=(const SmsGateway&) = delete;

  unsigned short port() const;
  // "http://127.0.0.1:<port>/sms/send"
  std::string url() const;

  // The next `n` requests are answered with `status` (e.g. 503, 400).
  void FailNext(int n, int status = 503);
  // The next `n` requests are read but never answered (until Stop), so the
  // client times out.
  void HangNext(int n);

  // Messages accepted (answered 200), in order.
  std::vector<Received> Messages() const;
  // Every request seen, answered or not.
  int Requests() const;
  // The statuses answered, in order (hung requests not included).
  std::vector<int> Statuses() const;

  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace vipcare::testing
