// recoup: reading a platform's JSON into typed wire structs with Boost.JSON. A connector declares
// its wire structs and a tag_invoke(value_to_tag<T>, ...) per struct built from required() and
// optional(); a missing or mistyped field becomes a failure naming its whole JSON path
// ("content.transaction.amount"), because each level prefixes its key on the way out.
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/error.hpp>
#include <recoup/result.hpp>

#include <boost/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

RECOUP_BEGIN_NAMESPACE

namespace wire {

namespace json = boost::json;

// The stack buffer a short-lived JSON value (one parse, one plugin result) starts its arena with:
// a few kilobytes of body fit in it; a larger value continues on the heap.
inline constexpr std::size_t arena_first_block_bytes = 16384;

// Parses the body and converts it to T; every failure inside is returned, never thrown. The parsed
// value lives in an arena that ends with the call: a conversion keeps JSON only through
// required/optional<json::value> (which copy it out), never a copy of a json::value, object or
// array it was handed (such a copy shares the arena).
template <class T>
result<T> parse_as(std::string_view body);

// Converts an already parsed value.
template <class T>
result<T> convert(const json::value& v);

// Absent or null: missing_field. Wrong type or invalid value: invalid_field.
template <class T>
T required(const json::object& o, std::string_view key);

// Absent or null: nullopt. Present but wrong: invalid_field.
template <class T>
std::optional<T> optional(const json::object& o, std::string_view key);

// The object a value_to overload receives; anything else is invalid_field.
const json::object& as_object(const json::value& v);

// Thrown inside conversions and caught by parse_as/convert.
[[noreturn]] void raise(error code, std::string field, std::string detail = {});

// The value, or the failure raised inside a conversion so each enclosing level prefixes its key:
// `unwrap(parse_currency(text, "currency"))` fails as "invoice.currency" one level down.
template <class T>
T unwrap(result<T> r);
void unwrap(result<void> r);

} // namespace wire

RECOUP_END_NAMESPACE

#include <recoup/impl/wire.hpp>
