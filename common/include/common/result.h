// Result<T>: a value or the Problem that prevented it. Services return it;
// Storage::Write commits exactly when it is ok().
#pragma once

#include <utility>
#include <variant>

#include "common/problem.h"

namespace custodian {

// What a step that answers nothing but success returns (HTTP 204).
struct Done {};

template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}            // NOLINT: implicit by design
  Result(Problem problem) : v_(std::move(problem)) {}  // NOLINT
  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const Problem& problem() const { return std::get<1>(v_); }

 private:
  std::variant<T, Problem> v_;
};

}  // namespace custodian
