// recoup: whether text can be stored as it is, the same on every store. PostgreSQL refuses a NUL
// (in TEXT, and as \u0000 in JSONB), bytes that are not UTF-8, and more characters than a
// VARCHAR(n) takes; SQLite would keep them all. The flow checks every string a connector hands
// over, and the raw body, before any store call: a bad one is a 400 (invalid_field) naming it,
// never a database error, and nothing is written.
#pragma once

#include <recoup/column_limits.hpp>
#include <recoup/connector.hpp>
#include <recoup/processor.hpp>
#include <recoup/detail/config.hpp>
#include <recoup/result.hpp>

#include <cstddef>
#include <limits>
#include <optional>
#include <string_view>

RECOUP_BEGIN_NAMESPACE

// For TEXT and JSONB columns.
inline constexpr std::size_t no_length_limit = std::numeric_limits<std::size_t>::max();

// The code points in `text` when it is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF); nullopt otherwise.
std::optional<std::size_t> utf8_length(std::string_view text) noexcept;

// invalid_field at `field` when `text` holds a NUL, is not UTF-8, or has more than `max_chars`
// characters.
result<void> check_storable_text(std::string_view text, std::string_view field,
                                 std::size_t max_chars = no_length_limit);

// Every string of `w` the flow stores, against the column it lands in, and the raw body when the
// event log keeps it (webhook_event.body; nullopt when it does not, so no scan is spent on it). Fields are named by their place in the normalized webhook:
// "event_id", "attempt.error_message", "invoice.billing_address.line1", ...
result<void> check_storable(const normalized_webhook& w, std::optional<std::string_view> kept_body);

// The strings of a processor's answer, against the payment_attempt columns the scheduler writes
// them to: "charge.processor_transaction_id", "charge.error_code", "charge.error_message",
// "charge.network_decline_code", "charge.network_advice_code" (VARCHAR(16)). The
// scheduler treats a failure like any unusable processor answer (a processor fault, retried with
// the same idempotency key), never as a database error.
result<void> check_storable(const charge_result& c);

RECOUP_END_NAMESPACE

#include <recoup/impl/storable.hpp>
