// Test that the header is self-contained: it comes first.
#include <recoup/domain.hpp>

#define BOOST_TEST_MODULE domain
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using recoup::error;

template <class E>
struct named {
    E value;
    std::string_view name;
};

// The wire spellings, written out independently of enum_names.
const std::vector<named<recoup::triggered_by>> triggered_by_names{
    {recoup::triggered_by::internal, "internal"},
    {recoup::triggered_by::external, "external"},
};
const std::vector<named<recoup::incoming_webhook_event>> event_names{
    {recoup::incoming_webhook_event::recovery_payment_failure, "RecoveryPaymentFailure"},
    {recoup::incoming_webhook_event::recovery_payment_success, "RecoveryPaymentSuccess"},
    {recoup::incoming_webhook_event::recovery_payment_pending, "RecoveryPaymentPending"},
    {recoup::incoming_webhook_event::recovery_invoice_cancel, "RecoveryInvoiceCancel"},
    {recoup::incoming_webhook_event::event_not_supported, "EventNotSupported"},
};
const std::vector<named<recoup::recovery_action>> action_names{
    {recoup::recovery_action::schedule_failed_payment, "ScheduleFailedPayment"},
    {recoup::recovery_action::success_payment_external, "SuccessPaymentExternal"},
    {recoup::recovery_action::pending_payment, "PendingPayment"},
    {recoup::recovery_action::no_action, "NoAction"},
    {recoup::recovery_action::invalid_action, "InvalidAction"},
    {recoup::recovery_action::cancel_invoice, "CancelInvoice"},
};
const std::vector<named<recoup::attempt_status>> attempt_status_names{
    {recoup::attempt_status::started, "started"},
    {recoup::attempt_status::pending, "pending"},
    {recoup::attempt_status::charged, "charged"},
    {recoup::attempt_status::failure, "failure"},
};
const std::vector<named<recoup::intent_status>> intent_status_names{
    {recoup::intent_status::requires_payment_method, "requires_payment_method"},
    {recoup::intent_status::processing, "processing"},
    {recoup::intent_status::succeeded, "succeeded"},
    {recoup::intent_status::failed, "failed"},
    {recoup::intent_status::cancelled, "cancelled"},
};

template <class E>
void check_names(const std::vector<named<E>>& expected)
{
    BOOST_TEST(recoup::enum_names<E>::values.size() == expected.size());
    for (const auto& [value, name] : expected) {
        BOOST_TEST_CONTEXT(name)
        {
            BOOST_TEST(recoup::to_string(value) == name);
            const auto back = recoup::enum_from_string<E>(name);
            BOOST_TEST_REQUIRE(back.has_value());
            BOOST_TEST((*back == value));
        }
    }
    BOOST_TEST(!recoup::enum_from_string<E>("").has_value());
    BOOST_TEST(!recoup::enum_from_string<E>("nope").has_value());
    BOOST_TEST(recoup::to_string(static_cast<E>(99)) == "unknown");
}

// Wire names are exact: no case folding.
static_assert(!recoup::enum_from_string<recoup::incoming_webhook_event>("recoverypaymentfailure"));
static_assert(recoup::to_string(recoup::recovery_action::cancel_invoice) == "CancelInvoice");

void expect_invalid_reference(std::string_view value, std::string_view field = "merchant_reference_id")
{
    BOOST_TEST_CONTEXT("\"" << value << "\"")
    {
        const auto r = field == "merchant_reference_id" ? recoup::merchant_reference_id::make(value)
                                                        : recoup::merchant_reference_id::make(value, field);
        BOOST_TEST_REQUIRE(!r);
        BOOST_TEST((r.error().code == error::invalid_field));
        BOOST_TEST(r.error().field == field);
        BOOST_TEST(!r.error().detail.empty());
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(enum_names)

BOOST_AUTO_TEST_CASE(triggered_by) { check_names(triggered_by_names); }
BOOST_AUTO_TEST_CASE(incoming_webhook_event) { check_names(event_names); }
BOOST_AUTO_TEST_CASE(recovery_action) { check_names(action_names); }
BOOST_AUTO_TEST_CASE(attempt_status) { check_names(attempt_status_names); }
BOOST_AUTO_TEST_CASE(intent_status) { check_names(intent_status_names); }

BOOST_AUTO_TEST_CASE(names_are_dense)
{
    BOOST_TEST(recoup::names_are_dense<recoup::incoming_webhook_event>(5));
    BOOST_TEST(!recoup::names_are_dense<recoup::incoming_webhook_event>(4));
    BOOST_TEST(!recoup::names_are_dense<recoup::incoming_webhook_event>(6));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(predicates)

BOOST_AUTO_TEST_CASE(terminal_intents)
{
    using S = recoup::intent_status;
    BOOST_TEST(recoup::is_terminal(S::succeeded));
    BOOST_TEST(recoup::is_terminal(S::cancelled));
    BOOST_TEST(!recoup::is_terminal(S::requires_payment_method));
    BOOST_TEST(!recoup::is_terminal(S::processing));
    BOOST_TEST(!recoup::is_terminal(S::failed)); // a failed intent is what recovery retries
}

BOOST_AUTO_TEST_CASE(transaction_events)
{
    using E = recoup::incoming_webhook_event;
    BOOST_TEST(recoup::is_transaction_event(E::recovery_payment_failure));
    BOOST_TEST(recoup::is_transaction_event(E::recovery_payment_success));
    BOOST_TEST(recoup::is_transaction_event(E::recovery_payment_pending));
    BOOST_TEST(!recoup::is_transaction_event(E::recovery_invoice_cancel));
    BOOST_TEST(!recoup::is_transaction_event(E::event_not_supported));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(merchant_reference)

BOOST_AUTO_TEST_CASE(the_id_rule_is_one_to_64_characters_of_letters_digits_underscore_dash)
{
    using namespace std::string_view_literals;
    static_assert(recoup::is_valid_id("pro_1") && !recoup::is_valid_id(""));
    BOOST_TEST(recoup::max_id_length == 64u);
    for (std::string_view v : {"a", "pro_1", "mca-Stripe_09", "pay_0123456789abcdef01234567"})
        BOOST_TEST(recoup::is_valid_id(v), v);
    BOOST_TEST(recoup::is_valid_id(std::string(64, 'x')));
    for (std::string_view v : {""sv, "pro 1"sv, "pro/1"sv, "pro%201"sv, "pro.1"sv, "\xC3\xA9"sv, "\x80"sv, "\xFF"sv, "a\0b"sv})
        BOOST_TEST(!recoup::is_valid_id(v), v);
    BOOST_TEST(!recoup::is_valid_id(std::string(65, 'x')));
    // merchant_reference_id keeps the same rule.
    BOOST_TEST(!recoup::merchant_reference_id::make("pro%201"));
    BOOST_TEST(recoup::merchant_reference_id::make(std::string(64, 'x')).has_value());
}

BOOST_AUTO_TEST_CASE(valid_references)
{
    for (std::string_view v : {"a", "inv_001", "INV-2024-0001", "0", "a_b-C_9", "AzAZaz09_-"}) {
        BOOST_TEST_CONTEXT(v)
        {
            const auto r = recoup::merchant_reference_id::make(v);
            BOOST_TEST_REQUIRE(r.has_value());
            BOOST_TEST(r->str() == v);
        }
    }
}

BOOST_AUTO_TEST_CASE(length_limits)
{
    const std::string max(64, 'x');
    const auto r = recoup::merchant_reference_id::make(max);
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->str() == max);

    expect_invalid_reference("");
    expect_invalid_reference(std::string(65, 'x'));
    const auto empty = recoup::merchant_reference_id::make("");
    BOOST_TEST(empty.error().detail == "must be 1-64 characters, got 0");
}

BOOST_AUTO_TEST_CASE(invalid_characters)
{
    for (std::string_view v : {"inv 1", "inv/1", "inv.1", "inv:1", "inv+1", "\xC3\xA9t\xC3\xA9", "a\nb",
                               "inv\"1", "inv@1", "[x]", "`x`", "{x}"})
        expect_invalid_reference(v);
    using namespace std::string_view_literals;
    expect_invalid_reference("in\0v"sv);
}

BOOST_AUTO_TEST_CASE(failure_names_the_field)
{
    expect_invalid_reference("bad id", "content.invoice.id");
    expect_invalid_reference("", "data.object.id");
}

BOOST_AUTO_TEST_CASE(equality)
{
    const auto a = recoup::merchant_reference_id::make("inv_1").value();
    const auto b = recoup::merchant_reference_id::make("inv_1").value();
    const auto c = recoup::merchant_reference_id::make("INV_1").value(); // case matters
    BOOST_TEST((a == b));
    BOOST_TEST(!(a == c));
    const recoup::merchant_reference_id none;
    BOOST_TEST(none.str().empty());
    BOOST_TEST(!(none == a));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(defaults)

BOOST_AUTO_TEST_CASE(invoice_and_attempt)
{
    const recoup::recovery_invoice i;
    BOOST_TEST(i.amount == 0);
    BOOST_TEST(i.retry_count == 0);
    BOOST_TEST(!i.billing_address.has_value());
    BOOST_TEST(!i.next_billing_at.has_value());

    const recoup::recovery_attempt a;
    BOOST_TEST(recoup::to_string(a.status) == "failure");
    BOOST_TEST(!a.retry_count.has_value());
    BOOST_TEST(a.connector_transaction_id.empty());
}

BOOST_AUTO_TEST_CASE(address_equality)
{
    recoup::address a;
    a.city = "Berlin";
    recoup::address b = a;
    BOOST_TEST((a == b));
    b.zip = "10115";
    BOOST_TEST(!(a == b));
}

BOOST_AUTO_TEST_SUITE_END()
