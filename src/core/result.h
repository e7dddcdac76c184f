// src/core/result.h
#pragma once
#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace vipcare {

// Expected failures are values (STYLE rule 3). One mapper in src/http turns each
// code into an HTTP status; the CLI prints message and field.
enum class ErrorCode {
  kInvalidArgument,   // 400: malformed or out-of-range input; `field` names it
  kUnauthenticated,   // 401
  kForbidden,         // 403
  kNotFound,          // 404
  kConflict,          // 409: duplicate, idempotency clash, stale version
  kUnprocessable,     // 422: well-formed but not allowed in the current state
  kMethodNotAllowed,  // 405: the path exists with other methods
  kPayloadTooLarge,   // 413: the request body is over the limit
  kTooManyRequests,   // 429
  kInternal,          // 500: never for user input
};

// Stable machine-readable name of a code, e.g. "invalid_argument".
const char* ErrorCodeName(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
  std::string field;  // JSON path or CSV column of the offending input; may be empty
  int retry_after_seconds = 0;  // with kTooManyRequests: when to try again

  static Error Invalid(std::string field, std::string message) {
    return {ErrorCode::kInvalidArgument, std::move(message), std::move(field)};
  }
  static Error NotFound(std::string message, std::string field = {}) {
    return {ErrorCode::kNotFound, std::move(message), std::move(field)};
  }
  static Error Conflict(std::string message, std::string field = {}) {
    return {ErrorCode::kConflict, std::move(message), std::move(field)};
  }
  static Error Forbidden(std::string message) {
    return {ErrorCode::kForbidden, std::move(message), {}};
  }
  static Error Unprocessable(std::string message, std::string field = {}) {
    return {ErrorCode::kUnprocessable, std::move(message), std::move(field)};
  }
};

// Either a value or an Error. Accessing the wrong alternative is a programmer
// error (asserted), never a user-input path.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}      // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(v_); }
  const T& value() const& { assert(ok()); return std::get<0>(v_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { assert(!ok()); return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

}  // namespace vipcare

// Returns the error of `expr` (a Result) from the enclosing function.
#define VIPCARE_TRY(expr)                                  \
  do {                                                     \
    auto&& vipcare_try_r_ = (expr);                        \
    if (!vipcare_try_r_.ok()) return vipcare_try_r_.error(); \
  } while (0)
