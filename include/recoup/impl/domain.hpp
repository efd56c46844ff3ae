#pragma once

RECOUP_BEGIN_NAMESPACE

static_assert(names_are_dense<triggered_by>(2));
static_assert(names_are_dense<incoming_webhook_event>(5));
static_assert(names_are_dense<recovery_action>(6));
static_assert(names_are_dense<attempt_status>(4));
static_assert(names_are_dense<intent_status>(5));

inline result<merchant_reference_id> merchant_reference_id::make(std::string_view value,
                                                                 std::string_view field)
{
    if (value.empty() || value.size() > 64)
        return fail(error::invalid_field, std::string(field),
                    "must be 1-64 characters, got " + std::to_string(value.size()));
    for (char c : value) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '-';
        if (!ok) return fail(error::invalid_field, std::string(field), "must match [A-Za-z0-9_-]");
    }
    return merchant_reference_id(std::string(value));
}

RECOUP_END_NAMESPACE
