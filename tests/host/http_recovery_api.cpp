// The recovery API (docs/api.md) over real HTTP: invoices created by real webhooks (the project's
// Chargebee and Stripe Billing fixtures, tests/fixtures) through `recoupd serve`, then shaped by
// SQL where a webhook cannot (creation times, decline classes, an internal recovery, a record-back
// task, outbox rows). Every filter and the pagination are checked against SQL, and the summary's
// figures too. Run with "sqlite" or "postgresql" after "--".
#define BOOST_TEST_MODULE http_recovery_api
#define BOOST_TEST_NO_MAIN
#include "recovery_world.hpp"

using namespace http_test;
using namespace recovery_test;
namespace json = boost::json;

namespace {

std::set<std::string> page_ids(const json::value& page)
{
    std::set<std::string> out;
    for (const auto& item : page.at("data").as_array()) out.insert(std::string(item.at("payment_id").as_string()));
    return out;
}

void check_bad_parameter(api_world& a, const std::string& target, const std::string& parameter)
{
    const auto r = a.get(target);
    BOOST_TEST(r.status == 400, target);
    BOOST_TEST(error_code_of(r.body) == "IR_06", target);
    BOOST_TEST(r.body.find("query parameter " + parameter + " ") != std::string::npos, target + ": " + r.body);
}

} // namespace

BOOST_AUTO_TEST_CASE(each_filter_returns_exactly_the_invoices_sql_finds)
{
    api_world a;
    a.seed();
    const std::string base = "/v2/recovery/invoices?limit=200";
    const std::string join = "SELECT i.id FROM payment_intent i LEFT JOIN merchant_connector_account m ON m.id = i.billing_mca_id";
    const std::pair<std::string, std::string> cases[] = {
        {"", join},
        {"&profile_id=pro_2", join + " WHERE i.profile_id = 'pro_2'"},
        {"&profile_id=pro_1", join + " WHERE i.profile_id = 'pro_1'"},
        {"&status=succeeded", join + " WHERE i.status = 'succeeded'"},
        {"&status=failed", join + " WHERE i.status = 'failed'"},
        {"&connector=stripe_billing", join + " WHERE m.connector = 'stripe_billing'"},
        {"&connector=chargebee&profile_id=pro_1", join + " WHERE m.connector = 'chargebee' AND i.profile_id = 'pro_1'"},
        {"&from=3000", join + " WHERE i.created_at >= 3000"},
        {"&to=3000", join + " WHERE i.created_at < 3000"},
        {"&from=2000&to=4000&profile_id=pro_1", join + " WHERE i.created_at >= 2000 AND i.created_at < 4000 AND i.profile_id = 'pro_1'"},
        {"&connector=paddle", join + " WHERE m.connector = 'paddle'"},
    };
    for (const auto& [query, sql] : cases) {
        const auto page = a.get_json(base + query);
        BOOST_TEST(page.at("next_cursor").is_null(), query);
        const auto expected = a.ids(sql);
        BOOST_TEST((page_ids(page) == expected), "filter \"" << query << "\": " << page_ids(page).size() << " ids, SQL "
                                                              << expected.size());
        BOOST_TEST(page.at("data").as_array().size() == expected.size(), query);
    }
    BOOST_TEST(a.ids(join).size() == 8u);
    // decline_class: the newest failed attempt's class.
    const auto soft = a.get_json(base + "&decline_class=soft");
    BOOST_TEST((page_ids(soft) == std::set<std::string>{a.payment_of("inv_c1"), a.payment_of("inv_c2"), a.payment_of("inv_c3")}));
    BOOST_TEST((page_ids(a.get_json(base + "&decline_class=hard")) == std::set<std::string>{a.payment_of("in_s1")}));
    // A percent-encoded value is decoded.
    BOOST_TEST((page_ids(a.get_json(base + "&profile_id=pro%5F2")) == std::set<std::string>{a.payment_of("inv_p2")}));
}

BOOST_AUTO_TEST_CASE(an_item_carries_the_invoice_its_connector_and_its_attempts)
{
    api_world a;
    a.seed();
    const auto page = a.get_json("/v2/recovery/invoices?limit=200");
    const auto& data = page.at("data").as_array();
    // Newest first, ties by payment id, descending.
    for (std::size_t i = 1; i < data.size(); ++i) {
        const auto prev = std::make_pair(number(data[i - 1], "created_at"), std::string(data[i - 1].at("payment_id").as_string()));
        const auto here = std::make_pair(number(data[i], "created_at"), std::string(data[i].at("payment_id").as_string()));
        BOOST_TEST((prev > here), "order at " << i);
    }
    auto item_of = [&](const std::string& invoice) -> const json::value& {
        for (const auto& item : data)
            if (item.at("invoice").as_string() == invoice) return item;
        BOOST_FAIL("no item for " + invoice);
        return data[0];
    };
    const auto& c1 = item_of("inv_c1");
    const auto c1_id = a.payment_of("inv_c1");
    BOOST_TEST(c1.at("payment_id").as_string() == c1_id);
    BOOST_TEST(c1.at("profile_id").as_string() == "pro_1");
    BOOST_TEST(c1.at("connector").as_string() == "chargebee");
    BOOST_TEST(c1.at("billing_mca_id").as_string() == "mca_chargebee");
    BOOST_TEST(c1.at("status").as_string() == "succeeded");
    BOOST_TEST(number(c1, "amount") == a.w.db.count("SELECT amount FROM payment_intent WHERE id = '" + c1_id + "'"));
    BOOST_TEST(c1.at("currency").as_string() == "EUR");
    BOOST_TEST(number(c1, "retry_count") == a.w.db.count("SELECT total_retry_count FROM payment_intent WHERE id = '" + c1_id + "'"));
    BOOST_TEST(number(c1, "attempts") == 2);
    BOOST_TEST(c1.at("last_decline_class").as_string() == "soft");
    BOOST_TEST(c1.at("last_decline_code").as_string() ==
               a.w.db.text("SELECT error_code FROM payment_attempt WHERE status = 'failure' AND payment_id = '" + c1_id + "'"));
    BOOST_TEST(number(c1, "created_at") == 1000);
    BOOST_TEST(number(c1, "modified_at") == a.w.db.count("SELECT modified_at FROM payment_intent WHERE id = '" + c1_id + "'"));
    BOOST_TEST(c1.at("next_retry_at").is_null()); // paid: no retry scheduled
    // A failed invoice with its retry armed: the task's time.
    const auto& c4 = item_of("inv_c4");
    const auto c4_id = a.payment_of("inv_c4");
    BOOST_TEST(number(c4, "next_retry_at") ==
               a.w.db.count("SELECT schedule_time FROM process_tracker WHERE name = 'EXECUTE_WORKFLOW' AND payment_id = '" + c4_id + "'"));
    // The platform's own decline code, classified when the webhook recorded the attempt (docs/recovery.md).
    BOOST_TEST(c4.at("last_decline_class").as_string() ==
               a.w.db.text("SELECT decline_class FROM payment_attempt WHERE status = 'failure' AND payment_id = '" + c4_id + "'"));
    BOOST_TEST(item_of("in_s1").at("connector").as_string() == "stripe_billing");
}

BOOST_AUTO_TEST_CASE(pagination_walks_every_invoice_once_even_with_inserts_between_pages)
{
    api_world a;
    a.seed();
    const auto before = a.ids("SELECT id FROM payment_intent");
    std::vector<std::string> seen;
    std::string cursor;
    auto insert = [&](const std::string& id, long long created) {
        a.exec("INSERT INTO payment_intent (id, profile_id, merchant_reference_id, billing_mca_id, amount, currency, status, "
               "created_at, modified_at) VALUES ('" + id + "', 'pro_1', 'ref_" + id + "', 'mca_chargebee', 100, 'USD', 'failed', " +
               std::to_string(created) + ", " + std::to_string(created) + ")");
    };
    int pages = 0;
    for (; pages < 20; ++pages) {
        const auto page = a.get_json("/v2/recovery/invoices?limit=3" + (cursor.empty() ? "" : "&cursor=" + cursor));
        const auto& data = page.at("data").as_array();
        BOOST_TEST(data.size() <= 3u);
        for (const auto& item : data) seen.emplace_back(item.at("payment_id").as_string());
        if (pages == 0) {
            insert("pay_newer_than_all", 9000); // lands before the cursor: not on a later page
            insert("pay_older_than_all", 500);  // lands after it: on the last page
        }
        if (page.at("next_cursor").is_null()) break;
        cursor = std::string(page.at("next_cursor").as_string());
    }
    BOOST_TEST(pages == 2); // 9 invoices, 3 a page: the third page (index 2) is the last
    const std::set<std::string> unique(seen.begin(), seen.end());
    BOOST_TEST(unique.size() == seen.size()); // no duplicates
    auto expected = before;
    expected.insert("pay_older_than_all");
    BOOST_TEST((unique == expected)); // no gaps
    BOOST_TEST(seen.back() == "pay_older_than_all");

    // Ties on created_at (inv_c3, inv_c4, inv_c5 share 3000) split across pages of one.
    std::vector<std::string> ones;
    cursor.clear();
    for (int i = 0; i < 20; ++i) {
        const auto page = a.get_json("/v2/recovery/invoices?limit=1&from=3000&to=3001" + (cursor.empty() ? "" : "&cursor=" + cursor));
        for (const auto& item : page.at("data").as_array()) ones.emplace_back(item.at("payment_id").as_string());
        if (page.at("next_cursor").is_null()) break;
        cursor = std::string(page.at("next_cursor").as_string());
    }
    BOOST_TEST((std::set<std::string>(ones.begin(), ones.end()) ==
                std::set<std::string>{a.payment_of("inv_c3"), a.payment_of("inv_c4"), a.payment_of("inv_c5")}));
    BOOST_TEST(ones.size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_bad_parameter_is_a_400_naming_it)
{
    api_world a;
    const std::string list = "/v2/recovery/invoices?";
    check_bad_parameter(a, list + "status=paid", "status");
    check_bad_parameter(a, list + "from=yesterday", "from");
    check_bad_parameter(a, list + "to=12x", "to");
    check_bad_parameter(a, list + "from=-5", "from");
    check_bad_parameter(a, list + "from=10&to=10", "to");
    check_bad_parameter(a, list + "limit=0", "limit");
    check_bad_parameter(a, list + "limit=201", "limit");
    check_bad_parameter(a, list + "limit=ten", "limit");
    check_bad_parameter(a, list + "cursor=zz", "cursor");
    check_bad_parameter(a, list + "cursor=6869", "cursor"); // hex of "hi": not a cursor
    check_bad_parameter(a, list + "profile_id=no%20such!", "profile_id");
    check_bad_parameter(a, "/v2/recovery/summary?from=abc", "from");
    check_bad_parameter(a, "/v2/recovery/summary?to=1.5", "to");
    check_bad_parameter(a, "/v2/recovery/summary?profile_id=%2F", "profile_id");
    // The bounds themselves are fine; an unknown parameter or an empty value is ignored.
    BOOST_TEST(a.get(list + "limit=200").status == 200);
    BOOST_TEST(a.get(list + "limit=1").status == 200);
    BOOST_TEST(a.get(list + "colour=blue&status=").status == 200);
}

BOOST_AUTO_TEST_CASE(the_token_is_required_and_unknown_payments_are_404)
{
    api_world a;
    a.deliver_chargebee("inv_c1", false);
    const std::vector<std::string> targets{"/v2/recovery/invoices", "/v2/recovery/summary",
                                           "/v2/recovery/invoices/" + a.payment_of("inv_c1")};
    for (const auto& target : targets) {
        for (const std::string token : {"", "wrong_token"}) {
            const auto r = a.get(target, token);
            BOOST_TEST(r.status == 401, target);
            BOOST_TEST(error_code_of(r.body) == "IR_01", target);
            BOOST_TEST(r.body.find("inv_c1") == std::string::npos);
        }
        BOOST_TEST(a.get(target).status == 200, target);
        // HEAD: GET's status and headers, no body; any other method is 405.
        const auto [head_status, head_extra] = a.head(target);
        BOOST_TEST(head_status == 200, target);
        BOOST_TEST(head_extra == 0u, target); // no body bytes after the header
        BOOST_TEST(a.get(target, admin_token, "POST").status == 405, target);
    }
    const auto unknown = a.get("/v2/recovery/invoices/pay_unknown");
    BOOST_TEST(unknown.status == 404);
    BOOST_TEST(error_code_of(unknown.body) == "WE_04");
    BOOST_TEST(a.get("/v2/recovery/invoices/bad%21id").status == 404);
    BOOST_TEST(a.get("/v2/recovery/nothing").status == 404);
}

BOOST_AUTO_TEST_CASE(the_timeline_has_every_section_and_no_secret)
{
    api_world a;
    a.seed();
    const auto id = a.payment_of("inv_c1");
    // Both deliveries came within a second; the timeline orders by time, then by (random) id.
    a.exec("UPDATE webhook_event SET received_at = received_at + 1 WHERE connector_event_id = 'ev_s_inv_c1'");
    a.exec("UPDATE payment_attempt SET created_at = created_at + 1 WHERE status = 'charged' AND payment_id = '" + id + "'");
    a.exec("INSERT INTO process_tracker (id, name, runner, status, business_status, retry_count, schedule_time, payment_id, "
           "created_at, updated_at) VALUES ('PASSIVE_RECOVERY_WORKFLOW_RECORD_BACK_WORKFLOW_" + id + "', 'RECORD_BACK_WORKFLOW', "
           "'PASSIVE_RECOVERY_WORKFLOW', 'finish', 'RECORD_BACK_COMPLETE', 1, 7000, '" + id + "', 6000, 7000)");
    a.exec("INSERT INTO merchant_endpoint (id, profile_id, url, secret, status, consecutive_failures, created_at, modified_at) "
           "VALUES ('ep_1', 'pro_1', 'https://merchant.example/hooks?key=url_secret_marker', 'sealed_secret_marker', 'enabled', 0, 1, 1)");
    a.exec("INSERT INTO outgoing_webhook (id, endpoint_id, profile_id, payment_id, event_type, body, status, attempts, "
           "next_attempt_at, last_status, created_at, delivered_at) VALUES ('msg_1', 'ep_1', 'pro_1', '" + id +
           "', 'recovery.started', '{\"body_marker\":1}', 'delivered', 1, 10, 200, 10, 11)");
    a.exec("INSERT INTO outgoing_webhook (id, endpoint_id, profile_id, payment_id, event_type, body, status, attempts, "
           "next_attempt_at, last_status, last_error, created_at) VALUES ('msg_2', 'ep_1', 'pro_1', '" + id +
           "', 'recovery.succeeded', '{\"body_marker\":2}', 'pending', 2, 99, 503, 'error_marker', 20)");

    const auto r = a.get("/v2/recovery/invoices/" + id);
    BOOST_REQUIRE(r.status == 200);
    for (const auto* marker : {"url_secret_marker", "sealed_secret_marker", "body_marker", "error_marker"})
        BOOST_TEST(r.body.find(marker) == std::string::npos, marker);
    const auto t = json::parse(r.body);
    BOOST_TEST(t.at("invoice").at("payment_id").as_string() == id);
    BOOST_TEST(t.at("invoice").at("invoice").as_string() == "inv_c1");

    const auto& hooks = t.at("webhooks").as_array();
    BOOST_REQUIRE(hooks.size() == 2u);
    BOOST_TEST(hooks[0].at("event_type").as_string() == "RecoveryPaymentFailure");
    BOOST_TEST(hooks[0].at("connector_event_id").as_string() == "ev_f_inv_c1");
    BOOST_TEST(hooks[0].at("outcome").as_string() ==
               a.w.db.text("SELECT outcome FROM webhook_event WHERE connector_event_id = 'ev_f_inv_c1'"));
    BOOST_TEST(hooks[1].at("event_type").as_string() == "RecoveryPaymentSuccess");
    BOOST_TEST(hooks[1].at("action").as_string() == "SuccessPaymentExternal");
    BOOST_TEST(number(hooks[1], "http_status") == 200);
    BOOST_TEST(!hooks[0].as_object().contains("body"));

    const auto& attempts = t.at("attempts").as_array();
    BOOST_REQUIRE(attempts.size() == 2u);
    BOOST_TEST(attempts[0].at("status").as_string() == "failure");
    BOOST_TEST(attempts[0].at("decline_class").as_string() == "soft");
    BOOST_TEST(attempts[0].at("error_code").as_string() ==
               a.w.db.text("SELECT error_code FROM payment_attempt WHERE status = 'failure' AND payment_id = '" + id + "'"));
    BOOST_TEST(attempts[0].at("triggered_by").as_string() == "external");
    BOOST_TEST(attempts[1].at("status").as_string() == "charged");
    BOOST_TEST(number(attempts[1], "amount") == 3900);
    BOOST_TEST(attempts[1].at("decline_class").is_null());

    const auto& tasks = t.at("tasks").as_array();
    BOOST_TEST(tasks.size() == static_cast<std::size_t>(a.w.db.count("SELECT COUNT(*) FROM process_tracker WHERE payment_id = '" + id + "'")));
    bool execute = false;
    for (const auto& task : tasks) execute = execute || task.at("name").as_string() == "EXECUTE_WORKFLOW";
    BOOST_TEST(execute);
    const auto& record_backs = t.at("record_backs").as_array();
    BOOST_REQUIRE(record_backs.size() == 1u);
    BOOST_TEST(record_backs[0].at("business_status").as_string() == "RECORD_BACK_COMPLETE");
    BOOST_TEST(record_backs[0].at("status").as_string() == "finish");

    const auto& out = t.at("outgoing_webhooks").as_array();
    BOOST_REQUIRE(out.size() == 2u);
    BOOST_TEST(out[0].at("id").as_string() == "msg_1");
    BOOST_TEST(out[0].at("event_type").as_string() == "recovery.started");
    BOOST_TEST(out[0].at("status").as_string() == "delivered");
    BOOST_TEST(number(out[0], "last_status") == 200);
    BOOST_TEST(number(out[0], "delivered_at") == 11);
    BOOST_TEST(out[1].at("status").as_string() == "pending");
    BOOST_TEST(number(out[1], "attempts") == 2);
    BOOST_TEST(out[1].at("delivered_at").is_null());

    // Another invoice's timeline has none of these.
    const auto other = a.get_json("/v2/recovery/invoices/" + a.payment_of("inv_c4"));
    BOOST_TEST(other.at("outgoing_webhooks").as_array().empty());
    BOOST_TEST(other.at("record_backs").as_array().empty());
}

BOOST_AUTO_TEST_CASE(the_summary_figures_match_sql)
{
    api_world a;
    a.seed();
    const std::string in_recovery = "EXISTS (SELECT 1 FROM payment_attempt f WHERE f.payment_id = i.id AND f.status = 'failure')";
    const std::string recovered = in_recovery + " AND i.status = 'succeeded'";
    const std::string by_us = recovered + " AND EXISTS (SELECT 1 FROM payment_attempt c WHERE c.payment_id = i.id AND "
                                          "c.status = 'charged' AND c.triggered_by = 'internal')";
    const std::string join = " FROM payment_intent i LEFT JOIN merchant_connector_account m ON m.id = i.billing_mca_id WHERE ";
    auto count = [&](const std::string& where) { return a.w.db.count("SELECT COUNT(*)" + join + where); };

    const auto s = a.get_json("/v2/recovery/summary");
    BOOST_TEST(number(s, "invoices") == count("1 = 1"));
    BOOST_TEST(number(s, "invoices") == 8);
    BOOST_TEST(number(s, "invoices_in_recovery") == count(in_recovery));
    BOOST_TEST(number(s, "recovered_invoices") == count(recovered));
    BOOST_TEST(number(s, "recovered_invoices") == 3);
    // recovered_amount: currency -> minor units, as SQL sums it.
    json::object amounts;
    for (const auto& currency : a.ids("SELECT DISTINCT i.currency" + join + recovered))
        amounts[currency] = a.w.db.count("SELECT SUM(i.amount)" + join + recovered + " AND i.currency = '" + currency + "'");
    BOOST_TEST(s.at("recovered_amount") == json::value(amounts), json::serialize(s.at("recovered_amount")));
    BOOST_TEST(s.at("recovered_amount") == json::parse(R"({"EUR":11700})"));
    BOOST_TEST(s.at("recovery_rate").to_number<double>() ==
               static_cast<double>(count(recovered)) / static_cast<double>(count(in_recovery)), boost::test_tools::tolerance(1e-9));
    const auto recovered_attempts = a.w.db.count("SELECT COUNT(*) FROM payment_attempt x JOIN payment_intent i ON i.id = x.payment_id WHERE " + recovered);
    BOOST_TEST(s.at("attempts_per_recovery").to_number<double>() ==
               static_cast<double>(recovered_attempts) / static_cast<double>(count(recovered)), boost::test_tools::tolerance(1e-9));
    BOOST_TEST(number(s.at("recovered_by"), "internal") == count(by_us));
    BOOST_TEST(number(s.at("recovered_by"), "internal") == 1);
    BOOST_TEST(number(s.at("recovered_by"), "external") == count(recovered) - count(by_us));
    for (const std::string connector : {"chargebee", "stripe_billing"}) {
        const auto& c = s.at("by_connector").at(connector);
        BOOST_TEST(number(c, "invoices") == count("m.connector = '" + connector + "'"), connector);
        BOOST_TEST(number(c, "invoices_in_recovery") == count("m.connector = '" + connector + "' AND " + in_recovery), connector);
        BOOST_TEST(number(c, "recovered_invoices") == count("m.connector = '" + connector + "' AND " + recovered), connector);
    }
    BOOST_TEST(s.at("by_connector").as_object().size() == 2u);
    BOOST_TEST(s.at("by_decline_class") == json::parse(R"({
        "do_not_honor": {"invoices": 3, "invoices_in_recovery": 3, "recovered_invoices": 0, "recovered_amount": {}},
        "hard": {"invoices": 1, "invoices_in_recovery": 1, "recovered_invoices": 0, "recovered_amount": {}},
        "soft": {"invoices": 3, "invoices_in_recovery": 3, "recovered_invoices": 3, "recovered_amount": {"EUR": 11700}},
        "unknown": {"invoices": 1, "invoices_in_recovery": 1, "recovered_invoices": 0, "recovered_amount": {}}})"),
        json::serialize(s.at("by_decline_class")));
    // per_day: by the charged attempt's time (UTC date).
    BOOST_TEST(s.at("per_day") == json::parse(R"({
        "2026-01-02": {"recovered_invoices": 2, "recovered_amount": {"EUR": 7800}},
        "2026-01-03": {"recovered_invoices": 1, "recovered_amount": {"EUR": 3900}}})"),
        json::serialize(s.at("per_day")));

    // A profile and a window narrow it.
    const auto p2 = a.get_json("/v2/recovery/summary?profile_id=pro_2");
    BOOST_TEST(number(p2, "invoices") == count("i.profile_id = 'pro_2'"));
    BOOST_TEST(number(p2, "recovered_invoices") == 0);
    BOOST_TEST(p2.at("recovery_rate").to_number<double>() == 0.0);
    BOOST_TEST(p2.at("attempts_per_recovery").to_number<double>() == 0.0);
    BOOST_TEST(p2.at("per_day").as_object().empty());
    BOOST_TEST(p2.at("profile_id").as_string() == "pro_2");
    const auto window = a.get_json("/v2/recovery/summary?from=2000&to=3001");
    BOOST_TEST(number(window, "invoices") == count("i.created_at >= 2000 AND i.created_at < 3001"));
    BOOST_TEST(number(window, "invoices") == 5);
    BOOST_TEST(number(window, "recovered_invoices") == count("i.created_at >= 2000 AND i.created_at < 3001 AND " + recovered));
    BOOST_TEST(number(window, "from") == 2000);
}

HTTP_TEST_MAIN()
