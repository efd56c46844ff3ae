// recoup: readers for the fields every billing platform sends, for use inside a wire struct's
// tag_invoke: a currency code, integer minor units (as a number or
// a string), an ISO 8601 time, a reference id, an address. Each raises its
// failure like wire::required does, so the enclosing levels prefix the whole JSON path.
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/domain.hpp>
#include <recoup/money.hpp>
#include <recoup/time.hpp>
#include <recoup/wire.hpp>

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

namespace wire {

// A required currency code, any letter case ("usd"); see parse_currency for the failures.
currency read_currency(const json::object& o, std::string_view key);

// Integer minor units; absent or null: nullopt; negative: amount_out_of_range.
std::optional<std::int64_t> optional_minor_units(const json::object& o, std::string_view key);

// Integer minor units in a string ("33000"), see string_to_minor_units; absent or null: nullopt.
std::optional<std::int64_t> optional_string_minor_units(const json::object& o, std::string_view key);

// An ISO 8601 date-time (see parse_iso8601) as unix seconds; absent or null: nullopt; any other
// text: invalid_field.
std::optional<std::int64_t> optional_iso8601(const json::object& o, std::string_view key);

// A required id that may go into a request path: merchant_reference_id's [A-Za-z0-9_-]{1,64}.
merchant_reference_id read_reference_id(const json::object& o, std::string_view key);

// The platform's key for each part of an address; an empty key is a part the platform lacks.
// The defaults are the domain's own names, e.g. {.line3 = {}, .zip = "postal_code"} for Stripe.
struct address_keys {
    std::string_view first_name = "first_name";
    std::string_view last_name = "last_name";
    std::string_view line1 = "line1";
    std::string_view line2 = "line2";
    std::string_view line3 = "line3";
    std::string_view city = "city";
    std::string_view state = "state";
    std::string_view zip = "zip";
    std::string_view country = "country";
};

// An address object: every part optional, a part that is not a string fails naming its key.
address read_address(const json::value& v, const address_keys& keys = {});

// The address object under `key`; absent or null: nullopt. Failures are named "key.part".
std::optional<address> optional_address(const json::object& o, std::string_view key,
                                        const address_keys& keys = {});

} // namespace wire

RECOUP_END_NAMESPACE

#include <recoup/impl/wire_fields.hpp>
