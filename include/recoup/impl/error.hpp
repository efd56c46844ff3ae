#pragma once

#include <array>
#include <utility>

RECOUP_BEGIN_NAMESPACE

namespace detail {

struct error_entry {
    error code;
    std::string_view name;
    std::string_view message;
};

inline constexpr std::array<error_entry, 26> error_entries{{
    {error::missing_signature, "missing_signature", "missing signature"},
    {error::duplicate_signature_header, "duplicate_signature_header", "signature header appears more than once"},
    {error::malformed_signature, "malformed_signature", "malformed signature header"},
    {error::signature_mismatch, "signature_mismatch", "signature does not match"},
    {error::timestamp_out_of_tolerance, "timestamp_out_of_tolerance", "timestamp outside tolerance"},
    {error::no_secret_configured, "no_secret_configured", "no webhook secret configured"},
    {error::body_not_json, "body_not_json", "body is not json"},
    {error::missing_field, "missing_field", "missing field"},
    {error::invalid_field, "invalid_field", "invalid field"},
    {error::unsupported_currency, "unsupported_currency", "unsupported currency"},
    {error::amount_out_of_range, "amount_out_of_range", "amount out of range"},
    {error::sync_response_missing, "sync_response_missing", "sync response missing"},
    {error::sync_response_failed, "sync_response_failed", "sync request failed"},
    {error::not_supported, "not_supported", "not supported"},
    {error::invalid_state_transition, "invalid_state_transition", "invalid state transition"},
    {error::storage_unavailable, "storage_unavailable", "storage unavailable"},
    {error::storage_conflict, "storage_conflict", "storage conflict"},
    {error::not_found, "not_found", "not found"},
    {error::plugin_load_failed, "plugin_load_failed", "plugin could not be loaded"},
    {error::plugin_missing_entry, "plugin_missing_entry", "plugin entry symbol missing"},
    {error::plugin_abi_mismatch, "plugin_abi_mismatch", "plugin abi version mismatch"},
    {error::plugin_wrong_kind, "plugin_wrong_kind", "plugin is of the wrong kind"},
    {error::plugin_exception, "plugin_exception", "plugin raised an exception"},
    {error::plugin_invalid_output, "plugin_invalid_output", "plugin output is invalid"},
    {error::plugin_output_too_large, "plugin_output_too_large", "plugin output is too large"},
    {error::internal_fault, "internal_fault", "internal fault"},
}};

inline const error_entry* find_entry(error e) noexcept
{
    for (const auto& entry : error_entries)
        if (entry.code == e && !entry.name.empty()) return &entry;
    return nullptr;
}

class recoup_error_category final : public std::error_category {
public:
    const char* name() const noexcept override { return "recoup"; }
    std::string message(int ev) const override
    {
        return std::string(to_message(static_cast<error>(ev)));
    }
};

} // namespace detail

inline std::string_view to_message(error e) noexcept
{
    const auto* entry = detail::find_entry(e);
    return entry ? entry->message : std::string_view("unknown error");
}

inline std::string_view to_string(error e) noexcept
{
    const auto* entry = detail::find_entry(e);
    return entry ? entry->name : std::string_view("unknown");
}

inline bool from_string(std::string_view s, error& out) noexcept
{
    for (const auto& entry : detail::error_entries) {
        if (!entry.name.empty() && entry.name == s) {
            out = entry.code;
            return true;
        }
    }
    return false;
}

inline const std::error_category& recoup_category() noexcept
{
    static const detail::recoup_error_category category;
    return category;
}

inline std::string failure::what() const
{
    std::string out;
    if (!field.empty()) out += "field \"" + field + "\": ";
    out += to_message(code);
    if (!detail.empty()) out += ": " + detail;
    return out;
}

RECOUP_END_NAMESPACE
