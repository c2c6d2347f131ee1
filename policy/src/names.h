// Wire names of the enums: one table per enum, in enum order.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace custodian::policy::internal {

template <typename E, std::size_t N>
struct NameTable {
  std::array<std::string_view, N> names;

  std::string_view Name(E e) const { return names[static_cast<std::size_t>(e)]; }
  std::optional<E> Parse(std::string_view name) const {
    for (std::size_t i = 0; i < N; ++i) {
      if (names[i] == name) return static_cast<E>(i);
    }
    return std::nullopt;
  }
};

}  // namespace custodian::policy::internal
