// Errors are values between layers: a Result<T> holds a T or an Error that names
// the field at fault and the HTTP status it maps to.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace portal::core {

struct Error {
  std::string code;     // snake_case, stable: clients map it to their own language
  std::string message;  // English, for people reading logs and raw API answers
  std::string field;    // dotted path of the offending field, empty when none
  int status = 400;     // HTTP status the error maps to

  static Error invalid(std::string field, std::string code, std::string message) {
    return {std::move(code), std::move(message), std::move(field), 422};
  }
  static Error malformed(std::string field, std::string code, std::string message) {
    return {std::move(code), std::move(message), std::move(field), 400};
  }
  static Error not_found(std::string message) { return {"not_found", std::move(message), {}, 404}; }
  static Error conflict(std::string code, std::string message) {
    return {std::move(code), std::move(message), {}, 409};
  }
  static Error internal() { return {"internal_error", "internal error", {}, 500}; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

// For operations that produce nothing but may fail.
struct Unit {};
using Outcome = Result<Unit>;

}  // namespace portal::core
