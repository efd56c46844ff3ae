// Test that the header is self-contained: it comes first.
#include <recoup/action_table.hpp>

#define BOOST_TEST_MODULE action_table
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace {

using recoup::incoming_webhook_event;
using recoup::triggered_by;

// docs/behaviour.md §4, written out by hand from the documented table (by wire name, not by enumerator) so that this
// test shares nothing with the header's own table.
struct expected_row {
    std::string_view event;
    std::string_view internal;
    std::string_view external;
    std::string_view none;
};

constexpr expected_row spec_table[] = {
    {"RecoveryPaymentFailure", "NoAction", "ScheduleFailedPayment", "ScheduleFailedPayment"},
    {"RecoveryPaymentSuccess", "NoAction", "SuccessPaymentExternal", "SuccessPaymentExternal"},
    {"RecoveryPaymentPending", "PendingPayment", "PendingPayment", "PendingPayment"},
    {"RecoveryInvoiceCancel", "CancelInvoice", "CancelInvoice", "CancelInvoice"},
    {"EventNotSupported", "InvalidAction", "InvalidAction", "InvalidAction"},
};

const expected_row* find_row(std::string_view event)
{
    for (const auto& row : spec_table)
        if (row.event == event) return &row;
    return nullptr;
}

std::string_view decided(incoming_webhook_event e, std::optional<triggered_by> by)
{
    return recoup::to_string(recoup::decide(e, by));
}

// decide() is usable in constant expressions.
static_assert(recoup::decide(incoming_webhook_event::recovery_payment_failure, std::nullopt) ==
              recoup::recovery_action::schedule_failed_payment);

} // namespace

// Every event the enum has, by its value: an event added to the enum without a row here
// table above is reported here.
BOOST_AUTO_TEST_CASE(every_event_has_an_expected_row)
{
    const std::size_t events = recoup::enum_names<incoming_webhook_event>::values.size();
    BOOST_TEST(events == std::size(spec_table));
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < events; ++i) {
        const auto name = recoup::to_string(static_cast<incoming_webhook_event>(i));
        BOOST_TEST_CONTEXT(name)
        {
            BOOST_TEST(name != "unknown");
            BOOST_TEST(find_row(name) != nullptr);
            BOOST_TEST(seen.insert(name).second);
        }
    }
}

BOOST_AUTO_TEST_CASE(every_row_matches_the_spec)
{
    std::size_t checked = 0;
    for (const auto& row : spec_table) {
        const auto event = recoup::enum_from_string<incoming_webhook_event>(row.event);
        BOOST_TEST_CONTEXT(row.event)
        {
            BOOST_TEST_REQUIRE(event.has_value());
            BOOST_TEST(decided(*event, triggered_by::internal) == row.internal);
            BOOST_TEST(decided(*event, triggered_by::external) == row.external);
            BOOST_TEST(decided(*event, std::nullopt) == row.none);
            checked += 3;
        }
    }
    BOOST_TEST(checked == 15u);
}

// The reference loop closes: a webhook reporting our own (internal) attempt never schedules or
// completes anything by itself.
BOOST_AUTO_TEST_CASE(internal_attempts_never_schedule)
{
    for (const auto& [event, name] : recoup::enum_names<incoming_webhook_event>::values) {
        BOOST_TEST_CONTEXT(name)
        {
            const auto action = recoup::decide(event, triggered_by::internal);
            BOOST_TEST((action != recoup::recovery_action::schedule_failed_payment));
            BOOST_TEST((action != recoup::recovery_action::success_payment_external));
        }
    }
}

BOOST_AUTO_TEST_CASE(unknown_trigger_is_treated_as_external)
{
    for (const auto& [event, name] : recoup::enum_names<incoming_webhook_event>::values) {
        BOOST_TEST_CONTEXT(name)
        {
            BOOST_TEST(decided(event, std::nullopt) == decided(event, triggered_by::external));
        }
    }
}
