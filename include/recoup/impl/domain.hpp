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
    if (value.empty() || value.size() > max_id_length)
        return fail(error::invalid_field, std::string(field),
                    "must be 1-" + std::to_string(max_id_length) + " characters, got " + std::to_string(value.size()));
    if (!is_valid_id(value)) return fail(error::invalid_field, std::string(field), "must match [A-Za-z0-9_-]");
    return merchant_reference_id(std::string(value));
}

RECOUP_END_NAMESPACE
