// Status and StatusOr: the one error type used across every layer boundary.
//
// Modelled on leveldb's Status and google/fhir's StatusOr: operations return a
// value saying what went wrong instead of throwing. Codes are chosen by what
// the caller does next (fix the input, retry later, give up, page someone).
#ifndef SA_FHIR_STATUS_H_
#define SA_FHIR_STATUS_H_

#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace sa {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // the input is wrong; fix it and resubmit
  kNotFound,            // the thing asked for does not exist
  kConflict,            // clashes with what is already there (e.g. a version)
  kPermissionDenied,    // the caller may not do this
  kFailedPrecondition,  // the system is not in a state that allows this yet
  kUnavailable,         // transient: retry later (network, 429, 503, lock)
  kPermanent,           // the peer rejected it for good (4xx); do not retry
  kInternal,            // a bug or an unexpected library failure
};

// Returns the stable lower-case name of `code` (used in logs and JSON).
const char* StatusCodeName(StatusCode code);

class Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {StatusCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {StatusCode::kPermissionDenied, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {StatusCode::kFailedPrecondition, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Permanent(std::string m) { return {StatusCode::kPermanent, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "code: message", or "ok".
  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-ok Status. Accessing the value of an error is a bug.
template <typename T>
class StatusOr {
 public:
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT: implicit by design
  StatusOr(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace sa

#define SA_CONCAT_INNER_(a, b) a##b
#define SA_CONCAT_(a, b) SA_CONCAT_INNER_(a, b)

// Returns early from the enclosing function when `expr` is not ok.
#define SA_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::sa::Status sa_status_ = (expr);        \
    if (!sa_status_.ok()) return sa_status_; \
  } while (0)

// `lhs = value of expr`, or return its Status from the enclosing function.
#define SA_ASSIGN_OR_RETURN(lhs, expr) \
  SA_ASSIGN_OR_RETURN_IMPL_(SA_CONCAT_(sa_statusor_, __LINE__), lhs, expr)
#define SA_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#endif  // SA_FHIR_STATUS_H_
