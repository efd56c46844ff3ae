// recoup: one mechanism for the wire spelling of every enum: a specialization of enum_names<E>
// lists {value, name} pairs; to_string and from_string read it.
#pragma once

#include <recoup/detail/config.hpp>

#include <array>
#include <optional>
#include <string_view>
#include <utility>

RECOUP_BEGIN_NAMESPACE

template <class E>
struct enum_names; // specialized next to each enum

template <class E>
concept named_enum = requires { enum_names<E>::values; };

template <named_enum E>
constexpr std::string_view to_string(E e) noexcept
{
    for (const auto& [value, name] : enum_names<E>::values)
        if (value == e) return name;
    return "unknown";
}

template <named_enum E>
constexpr std::optional<E> enum_from_string(std::string_view s) noexcept
{
    for (const auto& [value, name] : enum_names<E>::values)
        if (name == s) return value;
    return std::nullopt;
}

// Every enumerator from 0 to count-1 has a name: catches an enum that grew without its names.
template <named_enum E>
constexpr bool names_are_dense(std::size_t count) noexcept
{
    if (enum_names<E>::values.size() != count) return false;
    for (std::size_t i = 0; i < count; ++i)
        if (enum_names<E>::values[i].first != static_cast<E>(i)) return false;
    return true;
}

RECOUP_END_NAMESPACE
