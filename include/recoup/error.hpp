// recoup: error codes, the "recoup" error category, and `failure`, the error value that carries
// the code plus its context (the JSON path of a field, the header that failed).
#pragma once

#include <recoup/detail/config.hpp>

#include <string>
#include <string_view>
#include <system_error>
#include <utility>

RECOUP_BEGIN_NAMESPACE

// Grouped by area; values are stable (they cross the plugin ABI as integers).
enum class error {
    // signature and source verification (1xx)
    missing_signature = 100,         // the header carrying the signature or credentials is absent
    duplicate_signature_header,      // the header appears more than once
    malformed_signature,             // the header cannot be parsed
    signature_mismatch,              // no signature matches any secret
    timestamp_out_of_tolerance,      // signed timestamp too old or too far in the future
    no_secret_configured,            // the MCA has no webhook secret
    // parsing and normalization (2xx)
    body_not_json = 200,             // the body is not a JSON document
    missing_field,                   // a required field is absent or null
    invalid_field,                   // a field has the wrong type or an invalid value
    unsupported_currency,            // not an ISO 4217 code we know
    amount_out_of_range,             // negative, fractional beyond the currency, or overflowing
    sync_response_missing,           // a sync request was made but its response was not supplied
    sync_response_failed,            // the platform's API answered with an error status
    // flow (3xx)
    not_supported = 300,             // the connector does not implement this flow
    invalid_state_transition,        // the state machine cannot apply the event
    // storage (4xx)
    storage_unavailable = 400,       // the database cannot be reached or the transaction failed
    storage_conflict,                // a concurrent writer won; retry
    not_found,                       // a profile, MCA or intent does not exist
    // plugin (5xx)
    plugin_load_failed = 500,        // dlopen failed
    plugin_missing_entry,            // the entry symbol is absent
    plugin_abi_mismatch,             // incompatible ABI major version or struct size
    plugin_wrong_kind,               // a processor where a connector was expected, or the reverse
    plugin_exception,                // the plugin threw or returned an undeclared error
    plugin_invalid_output,           // the plugin's output does not parse
    plugin_output_too_large,         // the plugin wrote more than the host takes from one call
    // host (6xx)
    internal_fault = 600,            // a fault retrying cannot mend (a corrupt row, no randomness)
};

// Short, lowercase, no final period.
std::string_view to_message(error e) noexcept;
// The enumerator's name ("missing_field"): the `kind` of an error on every wire.
std::string_view to_string(error e) noexcept;
// Reverse of to_string; false when unknown.
bool from_string(std::string_view s, error& out) noexcept;

const std::error_category& recoup_category() noexcept;

inline std::error_code make_error_code(error e) noexcept
{
    return {static_cast<int>(e), recoup_category()};
}

// An error plus its context. `field` is a JSON path ("content.transaction.amount") or a header
// name; `detail` is free text. what() reads `field "x": missing field: detail`.
struct failure {
    error code{};
    std::string field;
    std::string detail;

    std::string what() const;
};

inline failure fail(error code, std::string field = {}, std::string detail = {})
{
    return failure{code, std::move(field), std::move(detail)};
}

RECOUP_END_NAMESPACE

template <>
struct std::is_error_code_enum<recoup::error> : std::true_type {};

#include <recoup/impl/error.hpp>
