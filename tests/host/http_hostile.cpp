// Hostile input against `recoupd serve` over loopback: ids in the path that break the id rule,
// strings that PostgreSQL would refuse (too long for their column, a NUL, bytes that are not UTF-8)
// and empty event ids. Every case runs on SQLite and on PostgreSQL ("sqlite" or "postgresql" after
// "--") and asserts the same answer on both: the status, the error code and, by SQL, what was
// written. The payloads are the project's own Chargebee fixtures (Basic auth: any body is "signed").
#define BOOST_TEST_MODULE http_hostile
#define BOOST_TEST_NO_MAIN
#include "http_harness.hpp"

#include <boost/json.hpp>

#include <chrono>

using namespace http_test;

namespace {

std::string payment_failed() { return own_fixture("chargebee/payment_failed_card.json"); }

// The fixture with one string replaced by `value` (a JSON string literal, escapes as written).
std::string with_string(const std::string& path, const std::string& value)
{
    auto doc = boost::json::parse(payment_failed());
    auto* at = &doc;
    std::string rest = path;
    while (true) {
        const auto dot = rest.find('.');
        at = &at->as_object().at(rest.substr(0, dot));
        if (dot == std::string::npos) break;
        rest = rest.substr(dot + 1);
    }
    *at = "@@value@@";
    return replace_all(boost::json::serialize(doc), "\"@@value@@\"", value);
}

void check_rejected(world& w, const reply& r, int status, const std::string& code, const std::string& names)
{
    BOOST_TEST(r.status == status, "body: " << r.body);
    BOOST_TEST(error_code_of(r.body) == code, "body: " << r.body);
    BOOST_TEST(r.body.find(names) != std::string::npos, "body: " << r.body << " does not name " << names);
    BOOST_TEST(r.header("Retry-After").empty());
    // Nothing written: no intent, attempt, task, event or delivery.
    BOOST_TEST(w.rows("payment_intent") == 0);
    BOOST_TEST(w.rows("payment_attempt") == 0);
    BOOST_TEST(w.rows("process_tracker") == 0);
    BOOST_TEST(w.rows("webhook_event") == 0);
    BOOST_TEST(w.rows("webhook_delivery") == 0);
}

} // namespace

BOOST_AUTO_TEST_CASE(an_event_id_longer_than_its_column_is_400_naming_it)
{
    world w(backend_from_args());
    check_rejected(w, w.chargebee(with_string("id", "\"" + std::string(256, 'e') + "\"")), 400, "WE_02",
                   "\\\"event_id\\\"");
    // 255 characters fit, and so do 255 characters of two bytes each (VARCHAR counts characters).
    BOOST_TEST(w.chargebee(with_string("id", "\"" + std::string(255, 'e') + "\"")).status == 200);
    std::string wide = "\"";
    for (int i = 0; i < 255; ++i) wide += "\xC3\xA9";
    const auto body = replace_all(with_string("id", wide + "\""), "txn_rc_Fail7Q2", "txn_rc_Wide");
    BOOST_TEST(w.chargebee(body).status == 200);
    BOOST_TEST(w.rows("webhook_event") == 2);
    const auto stored = "SELECT COUNT(*) FROM webhook_event WHERE connector_event_id = '" + wide.substr(1) + "'";
    BOOST_TEST(w.db.count(stored) == 1);
}

BOOST_AUTO_TEST_CASE(a_nul_in_a_stored_string_is_400_naming_it)
{
    world w(backend_from_args());
    check_rejected(w, w.chargebee(with_string("content.invoice.billing_address.line1", R"("12 Sample\u0000Street")")),
                   400, "WE_02", "invoice.billing_address.line1");
    check_rejected(w, w.chargebee(with_string("content.transaction.error_text", R"("Your card\u0000 was declined.")")),
                   400, "WE_02", "attempt.error_message");
    check_rejected(w, w.chargebee(with_string("id", R"("ev_\u0000")")), 400, "WE_02", "\\\"event_id\\\"");
    check_rejected(w, w.chargebee(with_string("content.transaction.error_code", R"("\u0000")")), 400, "WE_02",
                   "attempt.error_code");
}

BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_in_a_body_string_are_400)
{
    world w(backend_from_args());
    // The JSON parser refuses them first: the body is not JSON, whatever field they sit in.
    check_rejected(w, w.chargebee(with_string("content.transaction.error_text", "\"d\xE9\x63lin\xE9\"")), 400, "WE_02",
                   "body is not json");
    check_rejected(w, w.chargebee(with_string("content.invoice.billing_address.city", "\"\xFF\xFE\"")), 400, "WE_02",
                   "body is not json");
    check_rejected(w, w.chargebee(with_string("id", "\"ev_\xC0\x80\"")), 400, "WE_02", "body is not json");
}

BOOST_AUTO_TEST_CASE(path_ids_that_break_the_id_rule_are_404_before_any_lookup)
{
    world w(backend_from_args());
    const auto body = payment_failed();
    const auto auth = chargebee_headers(world::chargebee_user, world::chargebee_password);
    check_rejected(w, w.host->post(webhook_path("pro_\x80\xFF", "mca_chargebee"), auth, body), 404, "WE_04",
                   "profile_id is not a valid id");
    check_rejected(w, w.host->post(webhook_path("pro_1", "mca_\xC3\xA9"), auth, body), 404, "WE_04",
                   "mca_id is not a valid id");
    check_rejected(w, w.host->post(webhook_path(std::string(65, 'p'), "mca_chargebee"), auth, body), 404, "WE_04",
                   "profile_id is not a valid id");
    check_rejected(w, w.host->post(webhook_path("pro_1", std::string(300, 'm')), auth, body), 404, "WE_04",
                   "mca_id is not a valid id");
    check_rejected(w, w.host->post("/v2/webhooks/recovery/mer_\xFE/pro_1/mca_chargebee", auth, body), 404, "WE_04",
                   "merchant_id is not a valid id");
    check_rejected(w, w.host->get("/v2/process_tracker/revenue_recovery_workflow/pay_\x80"), 404, "WE_04",
                   "payment_id is not a valid id");
    // The same request on valid ids goes through.
    BOOST_TEST(w.host->post(webhook_path("pro_1", "mca_chargebee"), auth, body).status == 200);
}

BOOST_AUTO_TEST_CASE(an_empty_event_id_dedups_on_the_body_like_a_missing_one)
{
    world w(backend_from_args());
    const auto first = with_string("id", R"("")");
    // Another attempt (the transaction id is Chargebee's id_at_gateway) on the same invoice.
    const auto second = replace_all(replace_all(first, "txn_rc_Fail7Q2", "txn_rc_Fail7Q3"), "ch_rc_3QxFail002",
                                    "ch_rc_3QxFail003");
    BOOST_TEST(w.chargebee(first).status == 200);
    BOOST_TEST(w.chargebee(second).status == 200);
    BOOST_TEST(w.rows("webhook_event") == 2);
    BOOST_TEST(w.rows("webhook_delivery") == 2);
    BOOST_TEST(w.rows("payment_attempt") == 2); // the second body was not swallowed as a duplicate
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM webhook_event WHERE connector_event_id IS NULL") == 2);
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM webhook_event WHERE dedup_key = 'sha256:' || body_digest") == 2);
    // The same body again is a duplicate, as without an id.
    BOOST_TEST(w.chargebee(first).status == 200);
    BOOST_TEST(w.rows("webhook_event") == 3);
    BOOST_TEST(w.rows("webhook_delivery") == 2);
    BOOST_TEST(w.db.count("SELECT COUNT(*) FROM webhook_event WHERE outcome = 'duplicate'") == 1);
}

// `mca add` refuses a tolerance of 0 or below; a row hand-edited to one still verifies timestamps,
// with the default tolerance (300 s), and the server says so once for the MCA.
BOOST_AUTO_TEST_CASE(a_stored_tolerance_of_zero_or_below_verifies_with_the_default)
{
    world w(backend_from_args());
    const auto body = own_fixture("stripe_billing/invoice.payment_failed.basil_charge.json");
    const auto signed_ago = [&](std::chrono::seconds age) {
        return headers_t{{"Stripe-Signature", recoup::sign_stripe(body, world::stripe_secret, recoup::system_clock{}.now() - age)},
                         {"Content-Type", "application/json"}};
    };
    for (const char* stored : {"0", "-5"}) {
        BOOST_TEST_CONTEXT("signature_tolerance_seconds " << stored)
        {
            w.host.reset(); // a fresh server: nothing of the MCA in its cache
            w.db.sql() << std::string("UPDATE merchant_connector_account SET settings = '{\"signature_tolerance_seconds\":") +
                              stored + "}' WHERE id = 'mca_stripe'";
            w.host = std::make_unique<server>(w.db);
            const auto stale = w.host->post(webhook_path("pro_1", "mca_stripe"), signed_ago(std::chrono::hours(1)), body);
            BOOST_TEST(stale.status == 401, "body: " << stale.body);
            BOOST_TEST(error_code_of(stale.body) == "WE_01", "body: " << stale.body);
            BOOST_TEST(w.written() == 0);
            const auto warning = w.host->process().wait_for_line("{\"level\":\"warning\"");
            BOOST_TEST_REQUIRE(warning.has_value(), w.host->process().output());
            BOOST_TEST(warning->find("\"mca_id\":\"mca_stripe\"") != std::string::npos, *warning);
            BOOST_TEST(warning->find(std::string("stored signature_tolerance_seconds ") + stored +
                                     " would turn the timestamp check off: verifying with the default, 300 seconds") !=
                           std::string::npos,
                       *warning);
            // The stored row is left as it is: the default applies where the host reads it.
            const auto row = boost::json::parse(w.db.text("SELECT settings FROM merchant_connector_account WHERE id = 'mca_stripe'"));
            BOOST_TEST(row.at("signature_tolerance_seconds").to_number<long long>() == std::stoll(stored));
        }
    }
    // Within the default tolerance the delivery goes through, and the MCA is warned about once.
    const auto fresh = w.host->post(webhook_path("pro_1", "mca_stripe"), signed_ago(std::chrono::seconds(200)), body);
    BOOST_TEST(fresh.status == 200, "body: " << fresh.body);
    BOOST_TEST(w.rows("webhook_event") == 1);
    std::size_t warnings = 0;
    for (const auto& l : w.host->process().lines()) warnings += l.rfind("{\"level\":\"warning\"", 0) == 0 ? 1 : 0;
    BOOST_TEST(warnings == 1u);
}

HTTP_TEST_MAIN()
