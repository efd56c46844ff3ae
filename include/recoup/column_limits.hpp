// recoup: the one table of how long a stored text column may be, named table.column as
// migrations/postgres/*/up.sql declares it (VARCHAR(n): n characters, counted as PostgreSQL counts
// them, code points). Columns of unbounded text (TEXT, JSONB) are not listed: only the NUL and UTF-8
// rules of storable.hpp apply to them. tests/storable.cpp checks this table against the migrations.
#pragma once

#include <recoup/detail/config.hpp>

#include <array>
#include <cstddef>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

struct column_limit {
    std::string_view column; // "table.column"
    std::size_t max_chars;
};

// The columns that hold text a connector or processor hands over.
inline constexpr std::array<column_limit, 10> column_limits{{
    {"webhook_event.connector_event_id", 255},
    {"webhook_event.dedup_key", 255},
    {"webhook_delivery.dedup_key", 255},
    {"payment_intent.merchant_reference_id", 255},
    {"payment_attempt.connector_payment_id", 255},
    {"payment_attempt.charge_id", 255},
    {"payment_attempt.error_code", 255},
    {"payment_attempt.network_decline_code", 16},
    {"payment_attempt.network_advice_code", 16},
    {"payment_attempt.payment_method_id", 255}, // a payment method token, the default's or an alternate's
}};

// The limit of a listed column; a column not in the table does not compile.
consteval std::size_t max_chars(std::string_view column)
{
    for (const auto& c : column_limits)
        if (c.column == column) return c.max_chars;
    throw "column not in recoup::column_limits";
}

RECOUP_END_NAMESPACE
