#pragma once

RECOUP_BEGIN_NAMESPACE

// API stage: the bodies below are placeholders, replaced in the next commit.
inline smart_decision decide_smart(const smart_input&) { return {std::nullopt, "not implemented yet"}; }

inline std::optional<std::int64_t> next_smart_attempt(const smart_input& in) { return decide_smart(in).at; }

inline bool should_switch_method(decline_class c) noexcept
{
    return c == decline_class::hard || c == decline_class::card_expired_or_replaced ||
           c == decline_class::authentication_required;
}

inline std::optional<std::int32_t> utc_offset_of_country(std::string_view) noexcept { return std::nullopt; }

inline std::int64_t smart_jitter(std::string_view, std::int32_t, std::int64_t) noexcept { return 0; }

RECOUP_END_NAMESPACE
