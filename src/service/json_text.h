// src/service/json_text.h
#pragma once
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

// JSON written straight into a string, byte for byte what nlohmann::json's
// dump() makes of the same object when the caller writes its keys in byte
// order (dump() sorts them): UTF-8 as is, control characters as \u00xx.
// Request bodies and stored answers are written this way where building the
// nlohmann object would cost more than the rest of the work (a sale's answer
// on the store's writer, every sale of an import): a body's hash must equal
// the one the same request from a till gets (L1), and a stored answer must
// be the same whichever path posted the sale.
namespace vipcare::service {

// Appends `s` as a JSON string (quoted, escaped as dump() escapes).
void AppendJsonString(std::string& out, std::string_view s);

class JsonText {
 public:
  JsonText() { out_.reserve(512); }
  JsonText& Key(std::string_view k) {
    Separate();
    AppendJsonString(out_, k);
    out_ += ':';
    after_key_ = true;
    return *this;
  }
  JsonText& Begin() { return Open('{'); }
  JsonText& End() { return Close('}'); }
  JsonText& BeginArray() { return Open('['); }
  JsonText& EndArray() { return Close(']'); }
  JsonText& Str(std::string_view v) {
    Separate();
    AppendJsonString(out_, v);
    return *this;
  }
  JsonText& Int(int64_t v) {
    Separate();
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out_.append(buf, r.ptr);
    return *this;
  }
  JsonText& Bool(bool v) {
    Separate();
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonText& Null() {
    Separate();
    out_ += "null";
    return *this;
  }
  std::string Take() { return std::move(out_); }

 private:
  JsonText& Open(char c) {
    Separate();
    out_ += c;
    first_.push_back(true);
    return *this;
  }
  JsonText& Close(char c) {
    out_ += c;
    first_.pop_back();
    return *this;
  }
  void Separate() {
    if (after_key_) {
      after_key_ = false;
      return;
    }
    if (first_.empty()) return;
    if (!first_.back()) out_ += ',';
    first_.back() = false;
  }
  std::string out_;
  std::vector<bool> first_;
  bool after_key_ = false;
};

}  // namespace vipcare::service
