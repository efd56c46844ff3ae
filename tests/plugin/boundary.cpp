// The plugin boundary, with real dlopen of the misbehaving C plugins of tests/plugin: every function
// a descriptor declares is checked at load, names and versions are read with a bound, a plugin's
// output is capped, and what it returns is range-checked before it becomes a domain value.
// Test that the header is self-contained: it comes first.
#include <recoup/plugin/loader.hpp>

#define BOOST_TEST_MODULE plugin_boundary
#include <boost/test/unit_test.hpp>

#include "plugin_env.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

using plugin_test::contains;
using plugin_test::expect_failure;
using plugin_test::require_path;
using recoup::error;
namespace plugin = recoup::plugin;

namespace {

const std::string cap = std::to_string(plugin::max_output_bytes);

// The exact refusal of a file, as load_library/load_connector/load_processor return it.
template <class T>
void expect_refusal(const recoup::result<T>& r, const std::string& path, error code, const std::string& detail)
{
    expect_failure(r, code);
    if (!r) {
        BOOST_TEST(r.error().field == path);
        BOOST_TEST(r.error().detail == detail);
    }
}

plugin::dynamic_connector echo_connector()
{
    auto c = plugin::load_connector(require_path("echo_connector"));
    BOOST_TEST_REQUIRE(c.has_value(), (c ? "" : c.error().what()));
    return *c;
}

plugin::dynamic_processor echo_processor()
{
    auto p = plugin::load_processor(require_path("echo_processor"));
    BOOST_TEST_REQUIRE(p.has_value(), (p ? "" : p.error().what()));
    return *p;
}

// parse_webhook of the echo connector: `document` comes back as its output.
recoup::result<recoup::normalized_webhook> echo(const plugin::dynamic_connector& c, const std::string& document)
{
    recoup::owned_request req;
    req.body = document;
    return c.parse(req.view(), recoup::mca_config{}, {});
}

recoup::charge_request a_charge()
{
    recoup::charge_request c;
    c.payment_id = "pay_1";
    c.attempt_id = "att_1";
    c.amount = 1000;
    c.currency = recoup::find_currency("USD").value();
    c.idempotency_key = "idem_1";
    return c;
}

recoup::result<recoup::charge_result> echo_charge(const plugin::dynamic_processor& p, const std::string& document)
{
    return p.parse_charge(a_charge(), recoup::http_response{200, {}, document});
}

// A normalized webhook whose invoice and attempt carry `invoice_amount` / `attempt_amount` as JSON
// text, and `extra` members at the end.
std::string webhook(const std::string& invoice_amount, const std::string& attempt_amount = "1",
                    const std::string& status = "failure", const std::string& extra = "")
{
    return R"({"event_type":"RecoveryPaymentFailure","event_id":"ev_1","object_reference_id":"inv_1",)"
           R"("invoice":{"merchant_reference_id":"inv_1","amount":)" +
           invoice_amount + R"(,"currency":"USD"},)"
                            R"("attempt":{"amount":)" +
           attempt_amount + R"(,"currency":"USD","merchant_reference_id":"inv_1",)"
                            R"("connector_transaction_id":"t_1","status":")" +
           status + "\"}" + extra + "}";
}

// The echo output `document` is refused as plugin_invalid_output naming `field` and `part`.
void expect_refused_answer(const recoup::result<recoup::normalized_webhook>& r, const std::string& field,
                           const std::string& part)
{
    expect_failure(r, error::plugin_invalid_output);
    if (!r) {
        BOOST_TEST(r.error().field == field);
        BOOST_TEST(contains(r.error().detail, "plugin \"echo_connector\": "), r.error().detail);
        BOOST_TEST(contains(r.error().detail, part), r.error().detail);
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(declared_functions)

BOOST_AUTO_TEST_CASE(record_back_capability_without_the_function_is_refused)
{
    const auto path = require_path("null_record_back");
    // The file itself loads; the check belongs to its kind.
    BOOST_TEST(plugin::load_library(path).has_value());
    expect_refusal(plugin::load_connector(path), path, error::plugin_invalid_output,
                   "incompatible plugin \"" + path +
                       "\": missing function \"record_back\"\nIts capabilities include RECOUP_CAP_RECORD_BACK.");
}

BOOST_AUTO_TEST_CASE(connector_without_parse_webhook_is_refused)
{
    const auto path = require_path("null_parse_webhook");
    expect_refusal(plugin::load_connector(path), path, error::plugin_invalid_output,
                   "incompatible plugin \"" + path +
                       "\": missing function \"parse_webhook\"\nA billing connector must set it.");
}

BOOST_AUTO_TEST_CASE(processor_without_parse_status_is_refused)
{
    const auto path = require_path("null_parse_status");
    expect_refusal(plugin::load_processor(path), path, error::plugin_invalid_output,
                   "incompatible plugin \"" + path +
                       "\": missing function \"parse_status\"\nA payment processor must set it.");
    // Asked for as a connector, the kind is what is wrong.
    expect_failure(plugin::load_connector(path), error::plugin_wrong_kind);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(bounded_names)

BOOST_AUTO_TEST_CASE(name_without_nul_within_the_bound_is_refused)
{
    const auto path = require_path("unterminated_name");
    BOOST_TEST(plugin::max_name_bytes == 64u);
    expect_refusal(plugin::load_library(path), path, error::plugin_invalid_output,
                   "incompatible plugin \"" + path +
                       "\": descriptor name is longer than 64 bytes or not NUL-terminated\n"
                       "The host reads at most 64 bytes of it.");
}

BOOST_AUTO_TEST_CASE(name_that_is_not_printable_ascii_is_refused)
{
    const auto path = require_path("unprintable_name");
    expect_refusal(plugin::load_library(path), path, error::plugin_invalid_output,
                   "incompatible plugin \"" + path + "\": descriptor name is not printable ASCII\nByte 3 is 0x0a.");
}

BOOST_AUTO_TEST_CASE(version_longer_than_the_bound_is_refused)
{
    const auto path = require_path("long_version");
    BOOST_TEST(plugin::max_version_bytes == 32u);
    expect_refusal(plugin::load_processor(path), path, error::plugin_invalid_output,
                   "incompatible plugin \"" + path +
                       "\": descriptor version is longer than 32 bytes or not NUL-terminated\n"
                       "The host reads at most 32 bytes of it.");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(output_cap)

// The host's side of recoup_host_buffer on its own: it keeps max_output_bytes and not one more.
BOOST_AUTO_TEST_CASE(host_buffer_keeps_at_most_the_cap)
{
    plugin::detail::output out;
    recoup_host_buffer b = out.buffer();
    const std::string chunk(64 * 1024, ' ');
    const std::size_t fits = plugin::max_output_bytes / chunk.size();
    for (std::size_t i = 0; i < fits; ++i) BOOST_TEST_REQUIRE(b.append(b.host_data, chunk.data(), chunk.size()) == 0);
    BOOST_TEST(out.text().size() == plugin::max_output_bytes);
    BOOST_TEST(!out.refusal(plugin::plugin_info{}).has_value());
    const auto too_large = static_cast<int32_t>(error::plugin_output_too_large);
    BOOST_TEST(b.append(b.host_data, " ", 1) == too_large);
    // Refused for good, even what would fit.
    BOOST_TEST(b.append(b.host_data, "", 0) == too_large);
    BOOST_TEST(out.text().size() == plugin::max_output_bytes);
    plugin::plugin_info info;
    info.name = "p";
    const auto f = out.refusal(info);
    BOOST_TEST_REQUIRE(f.has_value());
    BOOST_TEST(recoup::to_string(f->code) == "plugin_output_too_large");
    BOOST_TEST(f->detail == "plugin \"p\" wrote more than " + cap + " bytes of output in one call");
}

BOOST_AUTO_TEST_CASE(host_buffer_refuses_a_length_beyond_any_size)
{
    plugin::detail::output out;
    recoup_host_buffer b = out.buffer();
    BOOST_TEST(b.append(b.host_data, "x", std::numeric_limits<size_t>::max()) ==
               static_cast<int32_t>(error::plugin_output_too_large));
    BOOST_TEST(out.text().empty());

    plugin::detail::output null_data;
    recoup_host_buffer n = null_data.buffer();
    BOOST_TEST(n.append(n.host_data, nullptr, 0) == 0);
    BOOST_TEST(n.append(n.host_data, nullptr, 5) == static_cast<int32_t>(error::plugin_invalid_output));
    const auto f = null_data.refusal(plugin::plugin_info{});
    BOOST_TEST_REQUIRE(f.has_value());
    BOOST_TEST(recoup::to_string(f->code) == "plugin_invalid_output");
}

BOOST_AUTO_TEST_CASE(output_of_exactly_the_cap_is_taken)
{
    const auto c = echo_connector();
    std::string doc = R"({"event_type":"EventNotSupported","event_id":"ev_big"})";
    doc.append(plugin::max_output_bytes - doc.size(), ' ');
    const auto r = echo(c, doc);
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().what()));
    BOOST_TEST(r->event_id.value_or("") == "ev_big");

    doc.push_back(' '); // one byte past the cap
    const auto over = echo(c, doc);
    expect_failure(over, error::plugin_output_too_large);
    if (!over)
        BOOST_TEST(over.error().detail ==
                   "plugin \"echo_connector\" wrote more than " + cap + " bytes of output in one call");
}

// 32 MiB offered in 64 KiB appends: the host stops at 1 MiB and the call fails, whether the plugin
// gives up at the refusal or ignores it and returns RECOUP_OK with a valid document after it.
BOOST_AUTO_TEST_CASE(flooding_connector_fails_with_output_too_large)
{
    const auto c = echo_connector();
    for (const std::string mode : {"flood", "flood_ignore"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            const auto r = echo(c, mode);
            expect_failure(r, error::plugin_output_too_large);
            if (!r) BOOST_TEST(contains(r.error().detail, "\"echo_connector\" wrote more than " + cap + " bytes"));
        }
    }
    // The next call starts from an empty buffer.
    BOOST_TEST(echo(c, R"({"event_type":"EventNotSupported"})").has_value());
}

BOOST_AUTO_TEST_CASE(flooding_processor_fails_with_output_too_large)
{
    const auto p = echo_processor();
    for (const std::string mode : {"flood", "flood_ignore"}) {
        BOOST_TEST_CONTEXT(mode)
        {
            expect_failure(echo_charge(p, mode), error::plugin_output_too_large);
            recoup::status_request s{"txn_1", a_charge()};
            expect_failure(p.parse_status(s, recoup::http_response{200, {}, mode}), error::plugin_output_too_large);
        }
    }
    BOOST_TEST(echo_charge(p, R"({"status":"pending"})").has_value());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(range_checked_answers)

BOOST_AUTO_TEST_CASE(amounts_within_the_minor_unit_range_are_taken)
{
    const auto c = echo_connector();
    const auto r = echo(c, webhook("0", "9223372036854775807"));
    BOOST_TEST_REQUIRE(r.has_value(), (r ? "" : r.error().what()));
    BOOST_TEST_REQUIRE(r->invoice.has_value());
    BOOST_TEST(r->invoice->amount == 0);
    BOOST_TEST_REQUIRE(r->attempt.has_value());
    BOOST_TEST(r->attempt->amount == std::numeric_limits<std::int64_t>::max());
}

BOOST_AUTO_TEST_CASE(negative_amounts_are_refused)
{
    const auto c = echo_connector();
    expect_refused_answer(echo(c, webhook("-1")), "invoice.amount", "amount out of range");
    expect_refused_answer(echo(c, webhook("1", "-9223372036854775808")), "attempt.amount", "amount out of range");
}

BOOST_AUTO_TEST_CASE(amounts_beyond_int64_or_not_integers_are_refused)
{
    const auto c = echo_connector();
    for (const std::string amount : {"9223372036854775808", "18446744073709551615", "1e30", "12.5", "\"12\"", "true"}) {
        BOOST_TEST_CONTEXT(amount)
        {
            expect_refused_answer(echo(c, webhook(amount)), "invoice.amount", "invalid field");
            expect_refused_answer(echo(c, webhook("1", amount)), "attempt.amount", "invalid field");
        }
    }
}

BOOST_AUTO_TEST_CASE(statuses_and_enums_outside_their_range_are_refused)
{
    const auto c = echo_connector();
    expect_refused_answer(echo(c, webhook("1", "1", "refunded")), "attempt.status", "unknown value \"refunded\"");
    expect_refused_answer(echo(c, R"({"event_type":"RecoveryEverything"})"), "event_type",
                          "unknown value \"RecoveryEverything\"");
    expect_refused_answer(echo(c, R"({"event_type":"RecoveryInvoiceCancel","invoice":{"merchant_reference_id":)"
                                  R"("inv_1","amount":1,"currency":"QQQ"}})"),
                          "invoice.currency", "QQQ");
    // The answer the host sends the platform: a 2xx Beast can write, nothing else.
    for (const std::string status : {"0", "99", "199", "300", "404", "500", "999", "-200", "2147483648"}) {
        BOOST_TEST_CONTEXT(status)
        {
            expect_refused_answer(echo(c, R"({"event_type":"EventNotSupported","api_response":{"status":)" + status +
                                              R"(,"body":"{}"}})"),
                                  "api_response.status", "invalid field");
        }
    }
    for (const int status : {200, 202, 204, 299}) {
        const auto ok = echo(c, R"({"event_type":"EventNotSupported","api_response":{"status":)" +
                                    std::to_string(status) + R"(,"body":"{}"}})");
        BOOST_TEST_REQUIRE(ok.has_value(), (ok ? "" : ok.error().what()));
        BOOST_TEST(ok->response.status == status);
    }
}

BOOST_AUTO_TEST_CASE(charge_results_outside_their_range_are_refused)
{
    const auto p = echo_processor();
    const auto refused = [&](const std::string& doc, const std::string& field, const std::string& part) {
        const auto r = echo_charge(p, doc);
        expect_failure(r, error::plugin_invalid_output);
        if (!r) {
            BOOST_TEST(r.error().field == field, doc);
            BOOST_TEST(contains(r.error().detail, "plugin \"echo_processor\": "), r.error().detail);
            BOOST_TEST(contains(r.error().detail, part), r.error().detail);
        }
    };
    refused(R"({"status":"refunded"})", "status", "unknown value \"refunded\"");
    refused(R"({"status":3})", "status", "invalid field");
    refused(R"({"status":"failed","decline":"maybe"})", "decline", "unknown value \"maybe\"");
    refused(R"({})", "status", "missing field");
    const auto ok = echo_charge(p, R"({"status":"failed","decline":"hard","error_code":"do_not_honor"})");
    BOOST_TEST_REQUIRE(ok.has_value(), (ok ? "" : ok.error().what()));
    BOOST_TEST(recoup::to_string(ok->status) == "failed");
    BOOST_TEST(ok->decline.has_value());
}

BOOST_AUTO_TEST_SUITE_END()
