// src/domain/json_object.h
#pragma once
#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "core/types.h"

namespace vipcare::domain {

// Reading documents that admins edit (programs, care rules): every value is
// checked for type and range, and an error names the path of the bad value
// ("tiers[1].qualify.any_of[0].all_of[0].value"). Thread-compatible.

// Text of at most `max_chars` code points, valid UTF-8, no control characters
// but newline and tab; `required` refuses an empty one.
Status CheckText(const std::string& s, const std::string& path, size_t max_chars, bool required);

// The enum value whose ToString is `s`.
template <class E, size_t N>
std::optional<E> ParseEnum(std::string_view s, const std::array<E, N>& all) {
  for (E e : all) {
    if (s == ToString(e)) return e;
  }
  return std::nullopt;
}

// "\"a\", \"b\" or \"c\"" for an error message.
template <class E, size_t N>
std::string Choices(const std::array<E, N>& all) {
  std::string out;
  for (size_t i = 0; i < N; ++i) {
    if (i) out += i + 1 == N ? " or " : ", ";
    out += fmt::format("\"{}\"", ToString(all[i]));
  }
  return out;
}

// Reads the members of one JSON object by name. Keys never read are unknown
// fields: Done() reports the first. `Self` is the reader type nested objects
// are read with (a document's reader adds its own value kinds).
template <class Self>
class JsonObject {
 public:
  using json = nlohmann::json;

  JsonObject(const json& j, std::string path) : j_(j), path_(std::move(path)) {}

  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  const json& raw() const { return j_; }
  // The value of `key`, or nullptr when absent or null. Marks it known.
  const json* Get(std::string_view key) {
    known_.insert(std::string(key));
    auto it = j_.find(key);
    if (it == j_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  Status Int(std::string_view key, int64_t& out, int64_t lo, int64_t hi, bool required = false) {
    const json* v = Get(key);
    if (!v) return required ? Error::Invalid(Path(key), "is required") : OkStatus();
    if (!v->is_number_integer() || v->template get<int64_t>() < lo ||
        v->template get<int64_t>() > hi) {
      return Error::Invalid(Path(key), fmt::format("must be an integer from {} to {}", lo, hi));
    }
    out = v->template get<int64_t>();
    return OkStatus();
  }
  Status Int(std::string_view key, int& out, int lo, int hi, bool required = false) {
    int64_t v = out;
    VIPCARE_TRY(Int(key, v, lo, hi, required));
    out = int(v);
    return OkStatus();
  }
  Status Bool(std::string_view key, bool& out) {
    const json* v = Get(key);
    if (!v) return OkStatus();
    if (!v->is_boolean()) return Error::Invalid(Path(key), "must be true or false");
    out = v->template get<bool>();
    return OkStatus();
  }
  Status Text(std::string_view key, std::string& out, size_t max_chars, bool required = false) {
    const json* v = Get(key);
    if (!v) return required ? Error::Invalid(Path(key), "is required") : OkStatus();
    if (!v->is_string()) return Error::Invalid(Path(key), "must be a string");
    VIPCARE_TRY(CheckText(v->template get<std::string>(), Path(key), max_chars, required));
    out = v->template get<std::string>();
    return OkStatus();
  }
  // A string `valid` accepts; `rule` says what it must be.
  template <class Valid>
  Status Code(std::string_view key, std::string& out, Valid&& valid, std::string_view rule,
              bool required = true) {
    const json* v = Get(key);
    if (!v) return required ? Error::Invalid(Path(key), "is required") : OkStatus();
    if (!v->is_string() || !valid(v->template get<std::string>())) {
      return Error::Invalid(Path(key), std::string(rule));
    }
    out = v->template get<std::string>();
    return OkStatus();
  }
  Status Day(std::string_view key, Date& out) {
    const json* v = Get(key);
    if (!v) return Error::Invalid(Path(key), "is required");
    auto d = v->is_string() ? Date::Parse(v->template get<std::string>()) : std::nullopt;
    if (!d) return Error::Invalid(Path(key), "must be a date YYYY-MM-DD");
    out = *d;
    return OkStatus();
  }
  Status Texts(std::string_view key, std::vector<std::string>& out, size_t max_chars,
               size_t max_items) {
    const json* v = Get(key);
    if (!v) return OkStatus();
    if (!v->is_array()) return Error::Invalid(Path(key), "must be an array of strings");
    if (v->size() > max_items) {
      return Error::Invalid(Path(key), fmt::format("must have at most {} items", max_items));
    }
    std::vector<std::string> items;
    for (size_t i = 0; i < v->size(); ++i) {
      auto path = fmt::format("{}[{}]", Path(key), i);
      if (!(*v)[i].is_string()) return Error::Invalid(path, "must be a string");
      VIPCARE_TRY(CheckText((*v)[i].template get<std::string>(), path, max_chars, true));
      items.push_back((*v)[i].template get<std::string>());
    }
    out = std::move(items);
    return OkStatus();
  }
  template <class E, size_t N>
  Status Enum(std::string_view key, E& out, const std::array<E, N>& all, bool required = false) {
    const json* v = Get(key);
    if (!v) return required ? Error::Invalid(Path(key), "is required") : OkStatus();
    auto e = v->is_string() ? ParseEnum(v->template get<std::string>(), all) : std::nullopt;
    if (!e) return Error::Invalid(Path(key), "must be " + Choices(all));
    out = *e;
    return OkStatus();
  }
  // Reads each element of the array at `key` with `read(const json&, path)`.
  template <class Fn>
  Status Array(std::string_view key, Fn&& read, size_t max_items, bool required = false) {
    const json* v = Get(key);
    if (!v) return required ? Error::Invalid(Path(key), "is required") : OkStatus();
    if (!v->is_array()) return Error::Invalid(Path(key), "must be an array");
    if (v->size() > max_items) {
      return Error::Invalid(Path(key), fmt::format("must have at most {} items", max_items));
    }
    if (required && v->empty()) return Error::Invalid(Path(key), "must not be empty");
    for (size_t i = 0; i < v->size(); ++i) {
      VIPCARE_TRY(read((*v)[i], fmt::format("{}[{}]", Path(key), i)));
    }
    return OkStatus();
  }
  // Reads the object at `key` with `read(Self&)`; absent or null leaves defaults.
  template <class Fn>
  Status Object(std::string_view key, Fn&& read, bool required = false) {
    const json* v = Get(key);
    if (!v) return required ? Error::Invalid(Path(key), "is required") : OkStatus();
    if (!v->is_object()) return Error::Invalid(Path(key), "must be an object");
    Self sub(*v, Path(key));
    VIPCARE_TRY(read(sub));
    return sub.Done();
  }
  // Reads each object of the array at `key` with `read(Self&, index)`.
  template <class Fn>
  Status Objects(std::string_view key, Fn&& read, size_t max_items, bool required = false) {
    const json* v = Get(key);
    if (!v) return required ? Error::Invalid(Path(key), "is required") : OkStatus();
    if (!v->is_array()) return Error::Invalid(Path(key), "must be an array of objects");
    if (v->size() > max_items) {
      return Error::Invalid(Path(key), fmt::format("must have at most {} items", max_items));
    }
    if (required && v->empty()) return Error::Invalid(Path(key), "must not be empty");
    for (size_t i = 0; i < v->size(); ++i) {
      auto path = fmt::format("{}[{}]", Path(key), i);
      if (!(*v)[i].is_object()) return Error::Invalid(path, "must be an object");
      Self sub((*v)[i], path);
      VIPCARE_TRY(read(sub, i));
      VIPCARE_TRY(sub.Done());
    }
    return OkStatus();
  }
  Status Done() const {
    for (const auto& [key, value] : j_.items()) {
      if (!known_.count(key)) return Error::Invalid(Path(key), "is not a known field");
    }
    return OkStatus();
  }

 private:
  const json& j_;
  std::string path_;
  std::set<std::string, std::less<>> known_;
};

}  // namespace vipcare::domain
