// recoup: the compile-time action table (docs/behaviour.md §4): what to do with a recovery event, given who
// triggered the attempt it reports. Data, not a chain of ifs.
#pragma once

#include <recoup/detail/config.hpp>
#include <recoup/domain.hpp>

#include <array>
#include <cstddef>
#include <optional>

RECOUP_BEGIN_NAMESPACE

namespace detail {

inline constexpr std::size_t event_count = enum_names<incoming_webhook_event>::values.size();

// Column 0: attempt triggered internally; column 1: externally or no attempt known.
struct action_row {
    incoming_webhook_event event;
    recovery_action internal;
    recovery_action external_or_none;
};

// One row per event, in enum order. A new event without a row trips the static_assert below.
inline constexpr std::array<action_row, 5> action_rows{{
    {incoming_webhook_event::recovery_payment_failure, recovery_action::no_action,
     recovery_action::schedule_failed_payment},
    {incoming_webhook_event::recovery_payment_success, recovery_action::no_action,
     recovery_action::success_payment_external},
    {incoming_webhook_event::recovery_payment_pending, recovery_action::pending_payment,
     recovery_action::pending_payment},
    {incoming_webhook_event::recovery_invoice_cancel, recovery_action::cancel_invoice,
     recovery_action::cancel_invoice},
    {incoming_webhook_event::event_not_supported, recovery_action::invalid_action,
     recovery_action::invalid_action},
}};

constexpr bool rows_cover_every_event() noexcept
{
    if (action_rows.size() != event_count) return false;
    for (std::size_t i = 0; i < action_rows.size(); ++i)
        if (action_rows[i].event != static_cast<incoming_webhook_event>(i)) return false;
    return true;
}
static_assert(rows_cover_every_event(), "every incoming_webhook_event needs exactly one row, in order");

} // namespace detail

// `by` is empty when the event carries no attempt (a cancel) or the attempt is new to us.
constexpr recovery_action decide(incoming_webhook_event event, std::optional<triggered_by> by) noexcept
{
    const auto& row = detail::action_rows[static_cast<std::size_t>(event)];
    return by == triggered_by::internal ? row.internal : row.external_or_none;
}

// The table of docs/behaviour.md §4, restated row by row.
namespace detail::action_table_check {
using E = incoming_webhook_event;
using A = recovery_action;
using T = triggered_by;
static_assert(decide(E::recovery_payment_failure, T::internal) == A::no_action);
static_assert(decide(E::recovery_payment_failure, T::external) == A::schedule_failed_payment);
static_assert(decide(E::recovery_payment_failure, std::nullopt) == A::schedule_failed_payment);
static_assert(decide(E::recovery_payment_success, T::internal) == A::no_action);
static_assert(decide(E::recovery_payment_success, T::external) == A::success_payment_external);
static_assert(decide(E::recovery_payment_success, std::nullopt) == A::success_payment_external);
static_assert(decide(E::recovery_payment_pending, T::internal) == A::pending_payment);
static_assert(decide(E::recovery_payment_pending, T::external) == A::pending_payment);
static_assert(decide(E::recovery_payment_pending, std::nullopt) == A::pending_payment);
static_assert(decide(E::recovery_invoice_cancel, T::internal) == A::cancel_invoice);
static_assert(decide(E::recovery_invoice_cancel, T::external) == A::cancel_invoice);
static_assert(decide(E::recovery_invoice_cancel, std::nullopt) == A::cancel_invoice);
static_assert(decide(E::event_not_supported, T::internal) == A::invalid_action);
static_assert(decide(E::event_not_supported, T::external) == A::invalid_action);
static_assert(decide(E::event_not_supported, std::nullopt) == A::invalid_action);
} // namespace detail::action_table_check

RECOUP_END_NAMESPACE
